"""Forecasting models for annual counts of children: Prophet and the benchmarks it must beat.

Every model takes a history (counts by year, oldest first, no gaps) and a horizon in years,
and returns one row per future year: the forecast and its 80% and 95% intervals, never
below 0 (counts of children cannot be negative).

- **Prophet**, used as its authors advise for short annual series: no daily, weekly or
  yearly seasonality (one value a year has none to find), few changepoints (at most one
  per three years of history), fitted to log(1 + count) so that forecasts and intervals
  stay above 0 and a trend is a percentage change; the intervals are quantiles of
  Prophet's own predictive samples, turned back into counts. cmdstanpy's logging is off.
- **Benchmarks** (statsforecast): the last value carried forward (naive), the last value
  plus the average yearly change (drift), and exponential smoothing with the form chosen
  by AICc (ETS). Their intervals assume normal errors; any part below 0 is cut at 0.

Assumptions, in plain words: the future continues the past's pattern (level and trend);
nothing in these models knows about policy changes, new homes or reorganisations ahead.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile

import numpy as np
import pandas as pd

MODELS = {"prophet": "Prophet", "naive": "Last value", "drift": "Trend of the past",
          "ets": "Exponential smoothing (ETS)"}
LEVELS = (80, 95)
COLUMNS = ["year", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
SAMPLES = 400  # Prophet predictive samples: quantiles to the nearest child at these sizes
SEED = 20261202  # Prophet's samples are random: the same history gives the same intervals
YEARS_PER_CHANGEPOINT = 3
#: ETS needs this many years at least (statsforecast refuses fewer: too few to estimate its
#: smoothing and level, let alone check them); shorter series go without it.
ETS_MINIMUM = 8
RAM_DIR = "/dev/shm"  # Linux's shared memory: files there never touch the disk


def quiet_stan() -> None:
    """Silence cmdstanpy (it sets up its own INFO logging on first use and logs every fit)
    and Prophet's own chatter."""
    for name in ("cmdstanpy", "prophet", "prophet.plot"):
        logging.getLogger(name).disabled = True


def load() -> None:
    """Import Prophet and statsforecast now (a few seconds, once per process): a refresh
    calls this before starting its workers, which are forked and so start with them.

    cmdstanpy picks its scratch directory once, when first imported; here it picks one in
    memory (``RAM_DIR``) where there is one: each Prophet fit writes its data, starting
    values and result there and reads them back, and on disk that took a quarter of a
    fit's time. The scratch directory changes nothing in the results."""
    if "cmdstanpy" not in sys.modules and os.access(RAM_DIR, os.W_OK):
        usual, tempfile.tempdir = tempfile.tempdir, RAM_DIR
        try:
            import cmdstanpy  # noqa: F401
        finally:
            tempfile.tempdir = usual
    import prophet  # noqa: F401
    import statsforecast.models  # noqa: F401


def year_dates(years) -> pd.DatetimeIndex:
    """31 March of each year: the date DfE's annual counts refer to."""
    return pd.to_datetime([f"{int(year)}-03-31" for year in years])


def prophet_forecast(history: pd.Series, horizon: int) -> pd.DataFrame:
    """Prophet's forecast of ``history`` (counts indexed by year) ``horizon`` years ahead.

    The future frame is set up once and read twice, through Prophet's own steps: the point
    forecast is ``predict_trend`` (with no seasonality, holidays or regressors Prophet's
    ``yhat`` is its trend: ``predict`` would add zeros), the intervals are quantiles of
    ``sample_posterior_predictive`` (what ``predictive_samples`` returns). ``predict`` and
    ``predictive_samples`` would each set up the frame and build its (empty) seasonal
    features again, which took over half of a fit's time."""
    load()
    from prophet import Prophet

    quiet_stan()
    years = history.index.astype(int)
    model = Prophet(yearly_seasonality=False, weekly_seasonality=False,
                    daily_seasonality=False, uncertainty_samples=SAMPLES,
                    n_changepoints=max(0, (len(history) - 1) // YEARS_PER_CHANGEPOINT))
    np.random.seed(SEED)
    model.fit(pd.DataFrame({"ds": year_dates(years), "y": np.log1p(history.to_numpy(float))}))
    future = np.arange(years.max() + 1, years.max() + 1 + horizon)
    frame = model.setup_dataframe(pd.DataFrame({"ds": year_dates(future)}))
    samples = model.sample_posterior_predictive(frame, vectorized=True)["yhat"]
    point = np.asarray(model.predict_trend(frame), dtype=float)
    quantiles = [q for level in LEVELS for q in ((100 - level) / 200, (100 + level) / 200)]
    bounds = np.quantile(samples, quantiles, axis=1)  # rows in COLUMNS' order after forecast
    values = np.expm1(np.clip(np.vstack([point, bounds]), 0, None))
    return pd.DataFrame({"year": future, **dict(zip(COLUMNS[1:], values))})


def statsforecast_models(with_ets: bool) -> dict:
    """The benchmarks by key (ETS only for histories of ``ETS_MINIMUM`` years or more)."""
    from statsforecast.models import AutoETS, Naive, RandomWalkWithDrift

    chosen = {"naive": Naive(), "drift": RandomWalkWithDrift()}
    if with_ets:
        chosen["ets"] = AutoETS(season_length=1)
    return chosen


def benchmark_forecasts(histories: list[pd.Series], horizon: int) -> list[dict[str, pd.DataFrame]]:
    """The naive, drift and (from ``ETS_MINIMUM`` years) ETS forecasts of each of
    ``histories`` (statsforecast), cut at 0. One StatsForecast call fits every history
    long enough for ETS and one the rest: a call costs ~20 ms whatever it fits, so one
    call per history (a series' forecast and each backtest origin) cost more than the
    fits themselves. Each history is fitted on its own all the same (one ``unique_id``
    each), so the forecasts are those of a call per history."""
    out: list[dict[str, pd.DataFrame]] = [{} for _ in histories]
    for with_ets in (True, False):
        chosen = [i for i, history in enumerate(histories)
                  if (len(history) >= ETS_MINIMUM) == with_ets]
        if chosen:
            fitted = statsforecast_batch([histories[i] for i in chosen], horizon, with_ets)
            for i, tables in zip(chosen, fitted):
                out[i] = tables
    return out


def statsforecast_batch(histories: list[pd.Series], horizon: int,
                        with_ets: bool) -> list[dict[str, pd.DataFrame]]:
    """One StatsForecast call for ``histories`` (numbered 0.. as ``unique_id``), split back
    into each history's tables."""
    from statsforecast import StatsForecast

    chosen = statsforecast_models(with_ets)
    frame = pd.DataFrame({
        "unique_id": np.repeat(np.arange(len(histories)), [len(h) for h in histories]),
        "ds": np.concatenate([h.index.to_numpy(int) for h in histories]),
        "y": np.concatenate([h.to_numpy(float) for h in histories])})
    fitted = (StatsForecast(models=list(chosen.values()), freq=1, n_jobs=1)
              .forecast(df=frame, h=horizon, level=list(LEVELS))
              .sort_values(["unique_id", "ds"]))
    years = fitted["ds"].to_numpy(int).reshape(len(histories), horizon)
    tables: list[dict[str, pd.DataFrame]] = [{} for _ in histories]
    for key, model in chosen.items():
        name = repr(model)
        columns = [name, *(f"{name}-{side}-{level}" for level in LEVELS
                           for side in ("lo", "hi"))]
        values = np.clip(fitted[columns].to_numpy(float), 0, None).reshape(
            len(histories), horizon, len(columns))
        for i, table in enumerate(tables):
            table[key] = pd.DataFrame({"year": years[i],
                                       **dict(zip(COLUMNS[1:], values[i].T))})
    return tables


def forecasts_many(histories: list[pd.Series], horizon: int) -> list[dict[str, pd.DataFrame]]:
    """Every model's forecast of each of ``histories``, keyed as ``MODELS``."""
    return [{"prophet": prophet_forecast(history, horizon), **benchmarks}
            for history, benchmarks in zip(histories, benchmark_forecasts(histories, horizon))]


def forecasts(history: pd.Series, horizon: int) -> dict[str, pd.DataFrame]:
    """Every model's forecast of ``history``, keyed as ``MODELS``."""
    return forecasts_many([history], horizon)[0]
