"""How good each model's forecasts have been: a rolling-origin backtest, and its scores.

At each origin every model is fitted to the history up to the origin only, and its
forecasts are set beside what happened: annual series from 31 March 2020 to 2024, 1-3
years ahead; monthly series every six months (31 March and 30 September) from 31 March
2019 to the last origin with a count 12 months on, 12, 24 and 36 months ahead. A board
can then read "Prophet's forecasts three years ahead have been out by 6% on average"
instead of trusting a line.

Scores, per model:
- **MASE**: mean absolute error over the series' mean absolute change from one period to
  the next (a year, or a month; its whole history). Under 1: better than a forecast of
  "same as last period" made one period ahead; it compares across LAs of any size.
- **MAPE**: mean absolute error as a % of what happened (years with 0 children left out).
- **Coverage**: the share of outcomes inside the 80% and 95% intervals (near 80% and 95%
  when the intervals are honest; lower when they are too narrow).
The default model for a series is the one with the lowest MASE (ties go to the simpler),
among the models tested on all the series' past forecasts.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from forecasting import models

ORIGINS = tuple(range(2020, 2025))
HORIZONS = (1, 2, 3)
FIRST_MONTHLY_ORIGIN = pd.Timestamp("2019-03-31")
MONTHS_BETWEEN_ORIGINS = 6
MONTHLY_HORIZONS = (12, 24, 36)
MIN_YEARS = 3  # years of history before an origin for a fit worth scoring
#: The simpler model wins a tie: it is easier to explain and no worse. The stock-and-flow
#: comparator (``forecasting.stock_flow``, its rows merged in by the refresh's caller)
#: has more parts than ETS but is the model LAs know; Prophet is the least transparent.
SIMPLEST_FIRST = ["naive", "drift", "ets", "stock_flow", "prophet"]


COLUMNS = ["model", "origin", "target", "horizon", "forecast", "lower_80", "upper_80",
           "lower_95", "upper_95", "actual"]


def monthly_origins(last: pd.Timestamp) -> pd.DatetimeIndex:
    """31 March and 30 September from ``FIRST_MONTHLY_ORIGIN`` up to ``last``."""
    return pd.date_range(FIRST_MONTHLY_ORIGIN, last, freq=f"{MONTHS_BETWEEN_ORIGINS}ME")


def defaults(history: pd.Series, origins, horizons) -> tuple:
    """The origins and horizons for ``history``'s kind where not given."""
    monthly = models.period(history) == "month"
    if origins is None:
        origins = monthly_origins(history.index.max()) if monthly else ORIGINS
    if horizons is None:
        horizons = MONTHLY_HORIZONS if monthly else HORIZONS
    return origins, horizons


def later(origin, steps: int):
    """The period ``steps`` periods after ``origin`` (a year, or a month end)."""
    if isinstance(origin, pd.Timestamp):
        return origin + pd.offsets.MonthEnd(steps)
    return origin + steps


def training_sets(history: pd.Series, origins=None,
                  horizons=None) -> list[tuple[object, pd.Series]]:
    """Each origin worth testing and the history up to it: origins without ``MIN_YEARS`` of
    history, or with no count yet at any horizon after them, are skipped."""
    origins, horizons = defaults(history, origins, horizons)
    least = MIN_YEARS * models.PER_YEAR[models.period(history)]
    sets = []
    for origin in origins:
        train = history[history.index <= origin]
        seen = any(later(origin, h) in history.index for h in horizons)
        if len(train) >= least and seen:
            sets.append((origin, train))
    return sets


def tested(history: pd.Series, fitted: dict[object, dict[str, pd.DataFrame]],
           horizons=None) -> pd.DataFrame:
    """The backtest's rows (see ``backtest``) from each origin's forecasts by model, in
    numpy (a frame per origin and model cost more than the fits). Every model's table
    for an origin starts one period after it (as every fit here returns), so the rows
    kept are the same for each: the horizons whose count is known."""
    _, horizons = defaults(history, (), horizons)
    known = set(history.index)
    parts = []
    for origin, tables in fitted.items():
        rows = [h - 1 for h in horizons if later(origin, h) in known]
        for model, table in tables.items():
            values = np.column_stack([table[name].to_numpy(float) for name in models.VALUES])
            parts.append((model, origin, table[models.period(history)].to_numpy()[rows],
                          np.asarray(horizons)[[h - 1 in rows for h in horizons]],
                          values[rows]))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    sizes = [len(part[2]) for part in parts]
    targets = np.concatenate([part[2] for part in parts])
    values = np.concatenate([part[4] for part in parts])
    return pd.DataFrame({
        "model": np.repeat([part[0] for part in parts], sizes),
        "origin": np.repeat(np.array([part[1] for part in parts]), sizes),
        "target": targets, "horizon": np.concatenate([part[3] for part in parts]),
        **dict(zip(models.VALUES, values.T)),
        "actual": history.reindex(targets).to_numpy()})[COLUMNS]


def backtests(histories: list[pd.Series], origins=None, horizons=None,
              fit: Callable[[list[pd.Series], int], list[dict]] = models.forecasts_many
              ) -> list[pd.DataFrame]:
    """Each history's backtest (see ``backtest``; the histories all annual or all
    monthly), with every origin of every history forecast in one call of ``fit``
    (``models.forecasts_many`` fits the benchmarks of all of them together, and starts
    each origin's Prophet fit from the origin before's)."""
    if not histories:
        return []
    sets = [training_sets(history, origins, horizons) for history in histories]
    _, horizons = defaults(histories[0], origins, horizons)
    fits = iter(fit([train for origins_ in sets for _, train in origins_], max(horizons)))
    return [tested(history, {origin: next(fits) for origin, _ in origins_}, horizons)
            for history, origins_ in zip(histories, sets)]


def backtest(history: pd.Series, origins=None, horizons=None,
             fit: Callable[[list[pd.Series], int], list[dict]] = models.forecasts_many
             ) -> pd.DataFrame:
    """One row per model, origin and horizon: origin, target (years, or month ends),
    horizon (years, or months), forecast, its intervals, and the actual count. Origins
    and horizons default to those of the history's kind (see the module's docstring).
    ``fit`` forecasts a list of histories (each origin's) ``max(horizons)`` periods
    ahead, as ``models.forecasts_many``."""
    return backtests([history], origins, horizons, fit)[0]


def scale(history: pd.Series) -> float:
    """The series' mean absolute change from one period (year or month) to the next (NaN
    if it never moves)."""
    change = np.abs(np.diff(history.to_numpy(float))).mean() if len(history) > 1 else np.nan
    return change if change > 0 else np.nan


def scores(tested: pd.DataFrame, history: pd.Series) -> pd.DataFrame:
    """Per model (in order of first appearance): MASE, MAPE (%), coverage of the 80% and
    95% intervals, and how many forecasts they rest on. Means by model in numpy (a
    pandas group-by cost as much as a series' fits); a mean skips what is undefined (a
    percentage of 0 children) and is NaN when nothing is left."""
    names, first, group = np.unique(tested["model"].to_numpy(str), return_index=True,
                                    return_inverse=True)
    column = {name: tested[name].to_numpy(float) for name in COLUMNS[4:]}
    actual = column["actual"]
    error = np.abs(column["forecast"] - actual)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(actual > 0, error / actual * 100, np.nan)
    measures = {"mase": error / scale(history), "mape": pct,
                **{f"coverage_{level}": ((actual >= column[f"lower_{level}"])
                                         & (actual <= column[f"upper_{level}"])).astype(float)
                   for level in models.LEVELS}}
    order = np.argsort(first)

    def mean(values: np.ndarray) -> np.ndarray:
        known = ~np.isnan(values)
        totals = np.bincount(group, weights=np.where(known, values, 0), minlength=len(names))
        counts = np.bincount(group, weights=known, minlength=len(names))
        with np.errstate(invalid="ignore"):
            return (totals / np.where(counts > 0, counts, np.nan))[order]

    return pd.DataFrame({"model": names[order].astype(object),
                         **{name: mean(values) for name, values in measures.items()},
                         "forecasts": np.bincount(group, minlength=len(names))[order]})


def default_model(scored: pd.DataFrame) -> str:
    """The model with the lowest MASE (the simpler on a tie) among those tested on as many
    past forecasts as any: a model that needs a longer history (ETS, from 8 years) has
    fewer, more recent ones, and a score on fewer forecasts is not comparable. "naive"
    when none can be scored (too short a history, or a series that never moves)."""
    if "forecasts" in scored:
        scored = scored[scored["forecasts"] == scored["forecasts"].max()]
    ranked = scored.dropna(subset=["mase"]).assign(
        order=lambda f: f["model"].map(
            {model: rank for rank, model in enumerate(SIMPLEST_FIRST)}).fillna(
            len(SIMPLEST_FIRST)))
    if ranked.empty:
        return "naive"
    return ranked.sort_values(["mase", "order"]).iloc[0]["model"]
