"""Fit every series: forecasts 1-5 years ahead from each model, and (optionally) each
model's backtest, its scores and the series' default model.

Series are independent, so they are fitted in parallel, one worker process per core
(Prophet's fits run in cmdstan, outside Python's lock). Each worker fits chunks of whole
series (their benchmarks together) and returns plain frames; nothing here reads or writes
the store.
"""

from __future__ import annotations

import os
from itertools import chain, repeat
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


def fit_chunk(chunk: list[tuple[tuple, pd.Series]], with_backtest: bool) -> list[tuple]:
    """Each series' forecasts and, if asked, its backtest and scores (with the default),
    for a chunk of series at once: the benchmarks of every series (and of every backtest
    origin) in the chunk are fitted in a few StatsForecast calls."""
    histories_ = [history for _, history in chunk]
    labels = [dict(zip(KEY, key)) for key, _ in chunk]
    ahead = [pd.concat([table.assign(model=model) for model, table in tables.items()],
                       ignore_index=True).assign(**label)
             for tables, label in zip(models.forecasts_many(histories_, HORIZON), labels)]
    if not with_backtest:
        return [(frame, None, None) for frame in ahead]
    results = []
    for frame, tested, history, label in zip(ahead, backtest.backtests(histories_),
                                             histories_, labels):
        scored = backtest.scores(tested, history)
        scored["default"] = scored["model"] == backtest.default_model(scored)
        results.append((frame, tested.assign(**label), scored.assign(**label)))
    return results


def chunks(fit: list, workers: int) -> list[list]:
    """``fit`` in consecutive chunks, about eight per worker: big enough to share the
    benchmarks' per-call cost, small enough that no worker waits long for the last."""
    size = max(1, -(-len(fit) // (8 * workers)))
    return [fit[start:start + size] for start in range(0, len(fit), size)]


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
    models.load()  # once here: forked workers start with Prophet and statsforecast loaded
    with ProcessPoolExecutor(max_workers=workers, initializer=models.quiet_stan) as pool:
        jobs = pool.map(fit_chunk, chunks(fit, workers), repeat(with_backtest))
        results = list(progress(chain.from_iterable(jobs))) if fit else []
    parts = list(zip(*results)) if results else [[], [], []]
    frames = [pd.concat([f for f in part if len(f)], ignore_index=True)
              if part and part[0] is not None and any(len(f) for f in part)
              else pd.DataFrame() for part in parts]
    return Fitted(*frames, too_short=short)
