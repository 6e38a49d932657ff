"""Fit every series: forecasts 1-5 years ahead from each model, and (optionally) each
model's backtest, its scores and the series' default model.

Series are independent, so they are fitted in parallel, one worker process per core
(Prophet's fits run in cmdstan, outside Python's lock). Each worker fits whole series
and returns plain frames; nothing here reads or writes the store.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pandas as pd

from forecasting import backtest, models

HORIZON = 5  # years ahead
MIN_YEARS = 3  # a series shorter than this (a council a year or two old) is not forecast
KEY = ["level", "area_code", "area_name", "series"]


@dataclass
class Fitted:
    """Every series' forecasts (KEY, model, year, forecast and intervals), backtests (KEY,
    model, origin, target, horizon, forecast, intervals, actual), scores (KEY, model, mase,
    mape, coverage_80, coverage_95, forecasts, default) and the series too short to fit."""

    forecasts: pd.DataFrame
    backtests: pd.DataFrame = field(default_factory=pd.DataFrame)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    too_short: pd.DataFrame = field(default_factory=pd.DataFrame)


def fit_one(key: tuple, history: pd.Series, with_backtest: bool) -> tuple:
    """One series' forecasts and, if asked, its backtest and scores (with the default)."""
    labels = dict(zip(KEY, key))
    ahead = pd.concat([table.assign(model=model) for model, table
                       in models.forecasts(history, HORIZON).items()], ignore_index=True)
    if not with_backtest:
        return ahead.assign(**labels), None, None
    tested = backtest.backtest(history)
    scored = backtest.scores(tested, history)
    scored["default"] = scored["model"] == backtest.default_model(scored)
    return (ahead.assign(**labels), tested.assign(**labels), scored.assign(**labels))


def histories(annual: pd.DataFrame) -> tuple[list[tuple[tuple, pd.Series]], pd.DataFrame]:
    """Each series' history (value by year) and the series too short to forecast."""
    fit, short = [], []
    for key, rows in annual.groupby(KEY, sort=True):
        history = rows.set_index("year")["value"].sort_index()
        if len(history) >= MIN_YEARS:
            fit.append((key, history))
        else:
            short.append({**dict(zip(KEY, key)), "years": len(history)})
    return fit, pd.DataFrame(short, columns=[*KEY, "years"])


def refresh(annual: pd.DataFrame, *, with_backtest: bool = True, workers: int | None = None,
            progress: Callable[[Iterable], Iterable] = iter) -> Fitted:
    """Fit every series of ``annual`` (``forecasting.series.annual_series``) on ``workers``
    processes (default: every core); ``progress`` wraps the stream of finished series (a
    progress bar on the command line)."""
    fit, short = histories(annual)
    workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=workers, initializer=models.quiet_stan) as pool:
        jobs = pool.map(fit_one, *zip(*fit), [with_backtest] * len(fit),
                        chunksize=max(1, len(fit) // (8 * workers)))
        results = list(progress(jobs)) if fit else []
    parts = list(zip(*results)) if results else [[], [], []]
    frames = [pd.concat([f for f in part if len(f)], ignore_index=True)
              if part and part[0] is not None and any(len(f) for f in part)
              else pd.DataFrame() for part in parts]
    return Fitted(*frames, too_short=short)
