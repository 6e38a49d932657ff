"""Forecasting models for counts of children: Prophet and the benchmarks it must beat.

Every model takes a history, oldest first with no gaps, either annual (counts indexed by
year, each at 31 March) or monthly (counts indexed by month-end dates), and a horizon in
those periods, and returns one row per future period (a ``year`` or ``month`` column):
the forecast and its 80% and 95% intervals, never below 0 (counts cannot be negative).

- **Prophet**, used as its authors advise for short series: no daily or weekly
  seasonality, few changepoints (at most one per three years of history), fitted to
  log(1 + count) so that forecasts and intervals stay above 0 and a trend is a percentage
  change; the intervals are quantiles of Prophet's own predictive samples, turned back
  into counts. Prophet's model is fitted and sampled by ``forecasting.prophet_map`` (the
  same model and mode, in numpy: ~1 ms a fit instead of ~35 ms). Yearly seasonality: never
  on annual series (one value a year has none to find); on a monthly series only where it
  is there to find, by statsforecast's own test (``seasonal``): in the backtest on the
  store's monthly series, yearly terms everywhere made Prophet worse (see
  ``SEASONAL_STRENGTH``).
- **Benchmarks** (statsforecast): the last value carried forward (naive), the last value
  plus the average change per period (drift), and exponential smoothing with the form
  chosen by AICc (ETS; season length 12 on a monthly series passing the same test). Their
  intervals assume normal errors; any part below 0 is cut at 0.

Assumptions, in plain words: the future continues the past's pattern (level and trend);
nothing in these models knows about policy changes, new homes or reorganisations ahead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting import prophet_map

MODELS = {"prophet": "Prophet", "naive": "Last value", "drift": "Trend of the past",
          "ets": "Exponential smoothing (ETS)"}
LEVELS = (80, 95)
COLUMNS = ["year", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
VALUES = COLUMNS[1:]
SAMPLES = 400  # Prophet predictive samples: quantiles to the nearest child at these sizes
SEED = 20261202  # Prophet's samples are random: the same history gives the same intervals
YEARS_PER_CHANGEPOINT = 3
#: ETS needs this many periods at least: 8 years (statsforecast refuses fewer: too few to
#: estimate its smoothing and level, let alone check them), or 2 years of months (two of
#: each month, the least a seasonal form needs); shorter series go without it.
ETS_MINIMUM = {"year": 8, "month": 24}
PER_YEAR = {"year": 1, "month": 12}
SEASON = 12  # months in a year: the season a monthly series may have
#: A monthly series is seasonal when its seasonal part (STL) explains more than this share
#: of what is left after the trend: statsforecast's (and R forecast's) rule for seasonal
#: differencing. None of the store's synthetic monthly series passes (strengths 0.1-0.35:
#: its months are drawn evenly). Yearly terms forced on 90 of its LA series (children
#: looked after, starting, ceasing) made Prophet's backtest worse (MASE mean 5.03 against
#: 4.89 without, median 1.42 against 1.27; better on 27% of them), so the test stays:
#: seasonality is fitted where it is there to be found.
SEASONAL_STRENGTH = 0.64


def load() -> None:
    """Import statsforecast now (a few seconds, once per process): a refresh calls this
    before starting its workers, which are forked and so start with it loaded.

    statsforecast works out the normal quantiles of the 80% and 95% levels afresh for
    every model of every series (a scipy distribution built each time: ~2 ms, a third
    of a monthly backtest's time); here it remembers them: the same numbers, once."""
    import statsforecast.models  # noqa: F401
    from statsforecast import utils

    if not getattr(utils._quantiles, "remembers", False):
        utils._quantiles = remembering(utils._quantiles)


def remembering(quantiles):
    """``quantiles`` (statsforecast's ``_quantiles``) with its answers for the normal
    distribution remembered by level."""
    known: dict[tuple, np.ndarray] = {}

    def remembered(level, distribution="normal", dist_params=None):
        if distribution != "normal" or dist_params is not None:
            return quantiles(level, distribution, dist_params)
        key = tuple(np.asarray(level, dtype=float).ravel())
        if key not in known:
            known[key] = quantiles(level, distribution, dist_params)
        return known[key].copy()

    remembered.remembers = True
    return remembered


def period(history: pd.Series) -> str:
    """"month" for a monthly history (month-end dates), "year" for an annual one."""
    return "month" if isinstance(history.index, pd.DatetimeIndex) else "year"


def year_dates(years) -> pd.DatetimeIndex:
    """31 March of each year: the date DfE's annual counts refer to."""
    months = (np.asarray(years, dtype=int) - 1970) * 12 + 3  # 1 April, months since 1970
    return pd.DatetimeIndex((months.astype("datetime64[M]").astype("datetime64[D]") - 1)
                            .astype("datetime64[ns]"))


def dates(history: pd.Series) -> pd.DatetimeIndex:
    """The date of each of ``history``'s counts."""
    return history.index if period(history) == "month" else year_dates(history.index)


def future(history: pd.Series, horizon: int):
    """The ``horizon`` periods after ``history``'s last: years, or month ends."""
    last = history.index.max()
    if period(history) == "month":
        return pd.date_range(last + pd.offsets.MonthEnd(1), periods=horizon, freq="ME")
    return np.arange(last + 1, last + 1 + horizon)


def seasonal(history: pd.Series) -> bool:
    """Whether a monthly history has a yearly pattern worth fitting: two full years at
    least and a seasonal strength over ``SEASONAL_STRENGTH`` (statsforecast's test)."""
    if period(history) != "month" or len(history) < 2 * SEASON:
        return False
    from statsforecast.arima import seas_heuristic

    values = history.to_numpy(float)
    return bool(np.ptp(values) > 0 and seas_heuristic(values, SEASON) > SEASONAL_STRENGTH)


def changepoints(history: pd.Series) -> int:
    """At most one changepoint per ``YEARS_PER_CHANGEPOINT`` years of history."""
    return max(0, (len(history) - 1) // (YEARS_PER_CHANGEPOINT * PER_YEAR[period(history)]))


def prophet_fit(history: pd.Series, horizon: int, start=None,
                yearly: bool | None = None) -> tuple[pd.DataFrame, tuple]:
    """Prophet's forecast of ``history`` ``horizon`` periods ahead, and its fit (design
    and parameters) to start a longer history's fit from. ``start`` is such a fit of a
    shorter history of the same series: where the search begins, not where it ends
    (warm and cold starts agree to 1e-10 of the largest count). ``yearly``: whether to
    fit yearly seasonality, if already known (else ``seasonal`` decides)."""
    yearly = seasonal(history) if yearly is None else yearly
    design = prophet_map.design(dates(history), np.log1p(history.to_numpy(float)),
                                changepoints(history), yearly)
    init = prophet_map.rescaled(start[1], start[0], design) if start else None
    params = prophet_map.fit(design, dates(history), init)
    ahead = future(history, horizon)
    when = ahead if period(history) == "month" else year_dates(ahead)
    point, samples = prophet_map.predict(design, params, when, SAMPLES, SEED)
    quantiles = [q for level in LEVELS for q in ((100 - level) / 200, (100 + level) / 200)]
    bounds = np.quantile(samples, quantiles, axis=1)  # rows in VALUES' order after forecast
    values = np.expm1(np.clip(np.vstack([point, bounds]), 0, None))
    return pd.DataFrame({period(history): ahead, **dict(zip(VALUES, values))}), (design, params)


def prophet_forecast(history: pd.Series, horizon: int) -> pd.DataFrame:
    """Prophet's forecast of ``history`` ``horizon`` periods ahead (see ``prophet_fit``)."""
    return prophet_fit(history, horizon)[0]


def extends(longer: pd.Series, shorter: pd.Series) -> bool:
    """Whether ``longer`` is ``shorter`` with more periods after it (a later backtest
    origin's history of the same series)."""
    return (len(longer) > len(shorter) and period(longer) == period(shorter)
            and longer.index[len(shorter) - 1] == shorter.index[-1]
            and longer.index[0] == shorter.index[0]
            and np.array_equal(longer.to_numpy()[:len(shorter)], shorter.to_numpy()))


def prophet_forecasts(histories: list[pd.Series], horizon: int,
                      yearly: list[bool] | None = None) -> list[pd.DataFrame]:
    """Prophet's forecast of each of ``histories`` (with yearly seasonality where
    ``yearly`` says, else where ``seasonal`` finds it); a history that extends the one
    before it (a series' backtest origins, in order) starts its fit from that one's."""
    out, previous, fitted = [], None, None
    for history, season in zip(histories, yearly or [None] * len(histories)):
        table, fitted = prophet_fit(history, horizon, fitted if previous is not None
                                    and extends(history, previous) else None, season)
        out.append(table)
        previous = history
    return out


def statsforecast_models(with_ets: bool, season: int) -> dict:
    """The benchmarks by key (ETS only for long enough histories)."""
    from statsforecast.models import AutoETS, Naive, RandomWalkWithDrift

    chosen = {"naive": Naive(), "drift": RandomWalkWithDrift()}
    if with_ets:
        chosen["ets"] = AutoETS(season_length=season)
    return chosen


def benchmark_group(history: pd.Series, yearly: bool | None = None) -> tuple[str, bool, int]:
    """Which StatsForecast call fits ``history``: its period, whether ETS is fitted and
    ETS's season length (12 if ``yearly``, if known, else if ``seasonal``)."""
    unit = period(history)
    yearly = seasonal(history) if yearly is None else yearly
    return unit, len(history) >= ETS_MINIMUM[unit], SEASON if yearly else 1


def benchmark_forecasts(histories: list[pd.Series], horizon: int,
                        yearly: list[bool] | None = None) -> list[dict[str, pd.DataFrame]]:
    """The naive, drift and (for long enough histories) ETS forecasts of each of
    ``histories`` (statsforecast), cut at 0. One StatsForecast call fits every history of
    a kind (period, with or without ETS, ETS's season): a call costs ~20 ms whatever it
    fits, so one call per history (a series' forecast and each backtest origin) cost more
    than the fits themselves. Each history is fitted on its own all the same (one
    ``unique_id`` each), so the forecasts are those of a call per history."""
    out: list[dict[str, pd.DataFrame]] = [{} for _ in histories]
    groups: dict[tuple, list[int]] = {}
    for i, (history, season) in enumerate(zip(histories, yearly or [None] * len(histories))):
        groups.setdefault(benchmark_group(history, season), []).append(i)
    for (_, with_ets, season), chosen in groups.items():
        fitted = statsforecast_batch([histories[i] for i in chosen], horizon, with_ets, season)
        for i, tables in zip(chosen, fitted):
            out[i] = tables
    return out


def statsforecast_batch(histories: list[pd.Series], horizon: int, with_ets: bool,
                        season: int = 1) -> list[dict[str, pd.DataFrame]]:
    """One StatsForecast call for ``histories`` (all annual or all monthly, numbered 0..
    as ``unique_id``), split back into each history's tables."""
    from statsforecast import StatsForecast

    load()
    chosen = statsforecast_models(with_ets, season)
    unit = period(histories[0])
    frame = pd.DataFrame({
        "unique_id": np.repeat(np.arange(len(histories)), [len(h) for h in histories]),
        "ds": np.concatenate([h.index.to_numpy() for h in histories]),
        "y": np.concatenate([h.to_numpy(float) for h in histories])})
    fitted = (StatsForecast(models=list(chosen.values()), freq="ME" if unit == "month" else 1,
                            n_jobs=1)
              .forecast(df=frame, h=horizon, level=list(LEVELS))
              .sort_values(["unique_id", "ds"]))
    periods = fitted["ds"].to_numpy().reshape(len(histories), horizon)
    tables: list[dict[str, pd.DataFrame]] = [{} for _ in histories]
    for key, model in chosen.items():
        name = repr(model)
        columns = [name, *(f"{name}-{side}-{level}" for level in LEVELS
                           for side in ("lo", "hi"))]
        values = np.clip(fitted[columns].to_numpy(float), 0, None).reshape(
            len(histories), horizon, len(columns))
        for i, table in enumerate(tables):
            table[key] = pd.DataFrame({unit: periods[i], **dict(zip(VALUES, values[i].T))})
    return tables


def forecasts_many(histories: list[pd.Series], horizon: int) -> list[dict[str, pd.DataFrame]]:
    """Every model's forecast of each of ``histories``, keyed as ``MODELS`` (each
    history tested for seasonality once, for Prophet and ETS alike)."""
    yearly = [seasonal(history) for history in histories]
    return [{"prophet": prophet, **benchmarks} for prophet, benchmarks in
            zip(prophet_forecasts(histories, horizon, yearly),
                benchmark_forecasts(histories, horizon, yearly))]


def forecasts(history: pd.Series, horizon: int) -> dict[str, pd.DataFrame]:
    """Every model's forecast of ``history``, keyed as ``MODELS``."""
    return forecasts_many([history], horizon)[0]
