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


def quiet_stan() -> None:
    """Silence cmdstanpy (it sets up its own INFO logging on first use and logs every fit)
    and Prophet's own chatter."""
    for name in ("cmdstanpy", "prophet", "prophet.plot"):
        logging.getLogger(name).disabled = True


def year_dates(years) -> pd.DatetimeIndex:
    """31 March of each year: the date DfE's annual counts refer to."""
    return pd.to_datetime([f"{int(year)}-03-31" for year in years])


def prophet_forecast(history: pd.Series, horizon: int) -> pd.DataFrame:
    """Prophet's forecast of ``history`` (counts indexed by year) ``horizon`` years ahead."""
    from prophet import Prophet

    quiet_stan()
    years = history.index.astype(int)
    model = Prophet(yearly_seasonality=False, weekly_seasonality=False,
                    daily_seasonality=False, uncertainty_samples=SAMPLES,
                    n_changepoints=max(0, (len(history) - 1) // YEARS_PER_CHANGEPOINT))
    np.random.seed(SEED)
    model.fit(pd.DataFrame({"ds": year_dates(years), "y": np.log1p(history.to_numpy(float))}))
    future = np.arange(years.max() + 1, years.max() + 1 + horizon)
    frame = pd.DataFrame({"ds": year_dates(future)})
    samples = model.predictive_samples(frame)["yhat"]
    model.uncertainty_samples = 0  # the point forecast alone: the samples are drawn above
    point = model.predict(frame)["yhat"].to_numpy()
    bounds = {f"{side}_{level}": np.quantile(samples, q, axis=1)
              for level in LEVELS
              for side, q in (("lower", (100 - level) / 200), ("upper", (100 + level) / 200))}
    out = pd.DataFrame({"year": future, "forecast": point, **bounds})
    out[COLUMNS[1:]] = np.expm1(out[COLUMNS[1:]].clip(lower=0))
    return out[COLUMNS]


def benchmark_forecasts(history: pd.Series, horizon: int) -> dict[str, pd.DataFrame]:
    """The naive, drift and (from ``ETS_MINIMUM`` years) ETS forecasts of ``history``
    (statsforecast), cut at 0."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, Naive, RandomWalkWithDrift

    years = history.index.astype(int)
    frame = pd.DataFrame({"unique_id": "s", "ds": years, "y": history.to_numpy(float)})
    models = {"naive": Naive(), "drift": RandomWalkWithDrift()}
    if len(history) >= ETS_MINIMUM:
        models["ets"] = AutoETS(season_length=1)
    fitted = StatsForecast(models=list(models.values()), freq=1, n_jobs=1).forecast(
        df=frame, h=horizon, level=list(LEVELS))
    out = {}
    for key, model in models.items():
        name = repr(model)
        table = pd.DataFrame({"year": fitted["ds"].astype(int).to_numpy(),
                              "forecast": fitted[name].to_numpy()})
        for level in LEVELS:
            table[f"lower_{level}"] = fitted[f"{name}-lo-{level}"].to_numpy()
            table[f"upper_{level}"] = fitted[f"{name}-hi-{level}"].to_numpy()
        table[COLUMNS[1:]] = table[COLUMNS[1:]].clip(lower=0)
        out[key] = table[COLUMNS]
    return out


def forecasts(history: pd.Series, horizon: int) -> dict[str, pd.DataFrame]:
    """Every model's forecast of ``history``, keyed as ``MODELS``."""
    return {"prophet": prophet_forecast(history, horizon),
            **benchmark_forecasts(history, horizon)}
