"""How good each model's forecasts have been: a rolling-origin backtest, and its scores.

At each origin (31 March 2020 to 2024 for annual series) every model is fitted to the years
up to the origin only, and its forecasts 1-3 years ahead are set beside what happened. A
board can then read "Prophet's forecasts three years ahead have been out by 6% on average"
instead of trusting a line.

Scores, per model:
- **MASE**: mean absolute error over the series' mean absolute change from one year to the
  next (its whole history). Under 1: better than a forecast of "same as last year" made
  one year ahead; it compares across LAs of any size.
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
MIN_YEARS = 3  # years of history before an origin for a fit worth scoring
#: The simpler model wins a tie: it is easier to explain and no worse.
SIMPLEST_FIRST = ["naive", "drift", "ets", "prophet"]


COLUMNS = ["model", "origin", "target", "horizon", "forecast", "lower_80", "upper_80",
           "lower_95", "upper_95", "actual"]


def training_sets(history: pd.Series, origins=ORIGINS,
                  horizons=HORIZONS) -> list[tuple[int, pd.Series]]:
    """Each origin worth testing and the history up to it: origins without ``MIN_YEARS`` of
    history, or with nothing after them yet, are skipped."""
    sets = []
    for origin in origins:
        train = history[history.index <= origin]
        after = (history.index > origin) & (history.index <= origin + max(horizons))
        if len(train) >= MIN_YEARS and after.any():
            sets.append((origin, train))
    return sets


def tested(history: pd.Series, fitted: dict[int, dict[str, pd.DataFrame]],
           horizons=HORIZONS) -> pd.DataFrame:
    """The backtest's rows (see ``backtest``) from each origin's forecasts by model."""
    rows = [table.assign(model=model, origin=origin)
            for origin, tables in fitted.items() for model, table in tables.items()]
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(rows, ignore_index=True).rename(columns={"year": "target"})
    out["horizon"] = out["target"] - out["origin"]
    out["actual"] = history.reindex(out["target"]).to_numpy()
    out = out[out["horizon"].isin(horizons) & out["target"].isin(history.index)]
    return out[COLUMNS].reset_index(drop=True)


def backtests(histories: list[pd.Series], origins=ORIGINS, horizons=HORIZONS,
              fit: Callable[[list[pd.Series], int], list[dict]] = models.forecasts_many
              ) -> list[pd.DataFrame]:
    """Each history's backtest (see ``backtest``), with every origin of every history
    forecast in one call of ``fit`` (``models.forecasts_many`` fits the benchmarks of all
    of them together)."""
    sets = [training_sets(history, origins, horizons) for history in histories]
    fits = iter(fit([train for origins_ in sets for _, train in origins_], max(horizons)))
    return [tested(history, {origin: next(fits) for origin, _ in origins_}, horizons)
            for history, origins_ in zip(histories, sets)]


def backtest(history: pd.Series, origins=ORIGINS, horizons=HORIZONS,
             fit: Callable[[list[pd.Series], int], list[dict]] = models.forecasts_many
             ) -> pd.DataFrame:
    """One row per model, origin and horizon: origin, target (years), horizon, forecast,
    its intervals, and the actual count. ``fit`` forecasts a list of histories (each
    origin's) ``max(horizons)`` years ahead, as ``models.forecasts_many``."""
    return backtests([history], origins, horizons, fit)[0]


def scale(history: pd.Series) -> float:
    """The series' mean absolute change from one year to the next (NaN if it never moves)."""
    change = np.abs(np.diff(history.to_numpy(float))).mean() if len(history) > 1 else np.nan
    return change if change > 0 else np.nan


def scores(tested: pd.DataFrame, history: pd.Series) -> pd.DataFrame:
    """Per model: MASE, MAPE (%), coverage of the 80% and 95% intervals, and how many
    forecasts they rest on."""
    error = (tested["forecast"] - tested["actual"]).abs()
    positive = tested["actual"] > 0
    frame = tested.assign(
        scaled=error / scale(history),
        pct=(error / tested["actual"].where(positive)) * 100,
        in_80=tested["actual"].between(tested["lower_80"], tested["upper_80"]),
        in_95=tested["actual"].between(tested["lower_95"], tested["upper_95"]))
    return (frame.groupby("model", sort=False)
            .agg(mase=("scaled", "mean"), mape=("pct", "mean"), coverage_80=("in_80", "mean"),
                 coverage_95=("in_95", "mean"), forecasts=("forecast", "size"))
            .reset_index())


def default_model(scored: pd.DataFrame) -> str:
    """The model with the lowest MASE (the simpler on a tie) among those tested on as many
    past forecasts as any: a model that needs a longer history (ETS, from 8 years) has
    fewer, more recent ones, and a score on fewer forecasts is not comparable. "naive"
    when none can be scored (too short a history, or a series that never moves)."""
    if "forecasts" in scored:
        scored = scored[scored["forecasts"] == scored["forecasts"].max()]
    ranked = scored.dropna(subset=["mase"]).assign(
        order=lambda f: f["model"].map(SIMPLEST_FIRST.index))
    if ranked.empty:
        return "naive"
    return ranked.sort_values(["mase", "order"]).iloc[0]["model"]
