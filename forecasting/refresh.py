"""Fit every series: forecasts 5 years (60 months) ahead from each model, and (optionally)
each model's backtest, its scores and the series' default model.

Two kinds of series, each a long frame with KEY's columns and value: annual (a ``year``
column: the published series, breakdown "all") and monthly (a ``month`` column of
month-end dates: the case-level series). ``refresh`` fits one kind; ``refresh_kinds``
fits several in one pool of workers and returns a ``Fitted`` per kind, its frames with
``year`` or ``month`` as the frames it came from.

Series are independent, so they are fitted in parallel, one worker process per core.
Each worker fits chunks of whole series of one kind (their benchmarks together) and
returns plain frames; nothing here reads or writes the store.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Callable, Iterable

import pandas as pd

from forecasting import backtest, models

HORIZON = 5  # years ahead (60 months for a monthly series)
MIN_YEARS = 3  # a series shorter than this (a council a year or two old) is not forecast
KEY = ["level", "area_code", "area_name", "series", "breakdown"]
TOTAL = "all"  # the breakdown of a series' total (the published series have no other)


@dataclass
class Fitted:
    """Every series' forecasts (KEY, model, year or month, forecast and intervals),
    backtests (KEY, model, origin, target, horizon, forecast, intervals, actual), scores
    (KEY, model, mase, mape, coverage_80, coverage_95, forecasts, default) and the series
    too short to fit (KEY, and how many years or months they have)."""

    forecasts: pd.DataFrame
    backtests: pd.DataFrame = field(default_factory=pd.DataFrame)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    too_short: pd.DataFrame = field(default_factory=pd.DataFrame)


def kind(frame: pd.DataFrame) -> str:
    """"month" for a frame of monthly series, else "year"."""
    return "month" if "month" in frame else "year"


def fit_chunk(chunk: list[tuple[tuple, pd.Series]], with_backtest: bool) -> list[tuple]:
    """Each series' forecasts and, if asked, its backtest and scores (with the default),
    for a chunk of series of one kind at once: the benchmarks of every series (and of
    every backtest origin) in the chunk are fitted in a few StatsForecast calls."""
    histories_ = [history for _, history in chunk]
    labels = [dict(zip(KEY, key)) for key, _ in chunk]
    horizon = HORIZON * models.PER_YEAR[models.period(histories_[0])]
    ahead = [pd.concat([table.assign(model=model) for model, table in tables.items()],
                       ignore_index=True).assign(**label)
             for tables, label in zip(models.forecasts_many(histories_, horizon), labels)]
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


def histories(frame: pd.DataFrame) -> tuple[list[tuple[tuple, pd.Series]], pd.DataFrame]:
    """Each series' history (value by year, or by month end) and the series too short to
    forecast. A frame without a breakdown column (the published series) is the totals."""
    unit = kind(frame)
    if "breakdown" not in frame:
        frame = frame.assign(breakdown=TOTAL)
    least = MIN_YEARS * models.PER_YEAR[unit]
    fit, short = [], []
    for key, rows in frame.groupby(KEY, sort=True):
        history = rows.set_index(unit)["value"].sort_index()
        if len(history) >= least:
            fit.append((key, history))
        else:
            short.append({**dict(zip(KEY, key)), f"{unit}s": len(history)})
    return fit, pd.DataFrame(short, columns=[*KEY, f"{unit}s"])


def gathered(parts: list[list]) -> list[pd.DataFrame]:
    """The forecasts, backtests and scores of many series, each one frame."""
    columns = list(zip(*parts)) if parts else [[], [], []]
    return [pd.concat([f for f in part if len(f)], ignore_index=True)
            if part and part[0] is not None and any(len(f) for f in part)
            else pd.DataFrame() for part in columns]


def refresh_kinds(frames: dict[str, pd.DataFrame], *, with_backtest: bool = True,
                  workers: int | None = None,
                  progress: Callable[[Iterable], Iterable] = iter) -> dict[str, Fitted]:
    """Fit every series of each of ``frames`` (name -> an annual or monthly frame, e.g.
    {"annual": ..., "monthly": ...}) on ``workers`` processes (default: every core), all
    in one pool; ``progress`` wraps the stream of finished series (a progress bar)."""
    prepared = {name: histories(frame) for name, frame in frames.items()}
    workers = workers or os.cpu_count() or 1
    jobs = [(name, chunk) for name, (fit, _) in prepared.items()
            for chunk in chunks(fit, workers)]
    models.load()  # once here: forked workers start with statsforecast loaded
    with ProcessPoolExecutor(max_workers=workers) as pool:
        done = pool.map(fit_chunk, [chunk for _, chunk in jobs], repeat(with_backtest))
        finished = list(progress(chain.from_iterable(
            zip(repeat(name), results) for (name, _), results in zip(jobs, done))))
    return {name: Fitted(*gathered([result for of, result in finished if of == name]),
                         too_short=short) for name, (_, short) in prepared.items()}


def refresh(frame: pd.DataFrame, *, with_backtest: bool = True, workers: int | None = None,
            progress: Callable[[Iterable], Iterable] = iter) -> Fitted:
    """Fit every series of ``frame`` (annual, as ``forecasting.series.annual_series``, or
    monthly) on ``workers`` processes (see ``refresh_kinds``)."""
    return refresh_kinds({"series": frame}, with_backtest=with_backtest, workers=workers,
                         progress=progress)["series"]
