"""How fast every series is forecast (issue "Demand forecasts"): the whole refresh
(``forecasting.pipeline.fit_all``: every published annual series and every case-level
monthly series disclosure control lets be shown, the stock-and-flow comparator and the
coherent forecasts; not the store's reading and writing), forecasts only and with all
backtests, beside a baseline of the prophet package with its default settings fitted one
series at a time in one process.

Goals: forecasts-only refresh <= 15 s on 2 cores; with backtests <= 60 s; >= 3x the
baseline's series fitted per second. Prints figures (and the machine's load, as other
work slows every figure, and the CPU seconds the refresh's workers use); asserts
nothing.

Usage: python bench/forecast.py [BASELINE_SERIES]   (default 40 of each kind: the baseline
is timed on that many annual and monthly series and its rates applied to all of them)
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.forecast_inputs import inputs  # noqa: E402
from data.store import make_engine  # noqa: E402
from forecasting import backtest, models, pipeline, refresh  # noqa: E402


def baseline_seconds(histories: list[pd.Series]) -> float:
    """Seconds a series for the prophet package as it comes (default settings, 1,000
    uncertainty samples, its own seasonality choices), one series after another here."""
    from prophet import Prophet

    for name in ("cmdstanpy", "prophet", "prophet.models"):
        logging.getLogger(name).disabled = True
    started = time.perf_counter()
    for history in histories:
        monthly = models.period(history) == "month"
        model = Prophet()
        model.fit(pd.DataFrame({"ds": models.dates(history), "y": history.to_numpy(float)}))
        model.predict(model.make_future_dataframe(
            periods=refresh.HORIZON * models.PER_YEAR[models.period(history)],
            freq="ME" if monthly else "YE-MAR", include_history=False))
    return (time.perf_counter() - started) / len(histories)


def sample(fit: list, size: int) -> list[pd.Series]:
    """``size`` of the series (histories) to time the baseline on, drawn at random."""
    rng = np.random.default_rng(0)
    return [fit[i][1] for i in rng.choice(len(fit), size=min(size, len(fit)), replace=False)]


def prophet_fits(fit: list) -> int:
    """How many Prophet fits a refresh with backtests makes: each series and each of its
    backtest origins."""
    return sum(1 + len(backtest.training_sets(history)) for _, history in fit)


def timed(given: pipeline.Inputs, with_backtest: bool) -> tuple[float, float]:
    """Seconds a refresh takes, and the CPU seconds its workers use: on a busy machine
    the first grows with the load, the second much less (CPU / cores is what an idle
    machine would take, were the work shared perfectly)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    pipeline.fit_all(given, with_backtest=with_backtest)
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (time.perf_counter() - started,
            now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime)


def main(baseline_series: int) -> None:
    engine = make_engine()
    given = inputs(engine)
    frames = {"annual": given.annual, "monthly": pipeline.shown(given.monthly)}
    fits = {name: refresh.histories(frame) for name, frame in frames.items()}
    counts = {name: len(fit) for name, (fit, _) in fits.items()}
    n = sum(counts.values())
    base = {name: baseline_seconds(sample(fit, baseline_series))
            for name, (fit, _) in fits.items()}
    base_total = sum(base[name] * counts[name] for name in frames)
    load = os.getloadavg()[0]
    models.load()
    forecasts_only, forecasts_cpu = timed(given, with_backtest=False)
    with_backtests, backtests_cpu = timed(given, with_backtest=True)
    cores = os.cpu_count() or 1
    all_fits = sum(prophet_fits(fit) for fit, _ in fits.values())
    print(f"{n} series ({counts['annual']} annual, {counts['monthly']} monthly; "
          f"{sum(len(short) for _, short in fits.values())} too short), each by Prophet, "
          "last value, trend and ETS (and the case-level children looked after by the "
          "stock-and-flow model; coherent forecasts too), 5 years (60 months) ahead, on "
          f"{os.cpu_count()} cores (load {load:.1f} before, {os.getloadavg()[0]:.1f} after):")
    print(f"  refresh, forecasts only: {forecasts_only:.1f} s (goal <= 15 s); workers' CPU "
          f"{forecasts_cpu:.1f} s, {forecasts_cpu / cores:.1f} s a core")
    print(f"  refresh with every backtest ({all_fits} Prophet fits in all): "
          f"{with_backtests:.1f} s (goal <= 60 s); workers' CPU {backtests_cpu:.1f} s, "
          f"{backtests_cpu / cores:.1f} s a core")
    for name in frames:
        print(f"  baseline, prophet defaults one {name} series at a time: "
              f"{1 / base[name]:.1f} series/s (timed on {min(baseline_series, counts[name])})")
    ours = n / forecasts_only
    print(f"  baseline for all {n}: {base_total:.1f} s, {n / base_total:.1f} series/s")
    print(f"  ours: {ours:.1f} series/s, {ours * base_total / n:.1f}x the baseline (goal >= 3x);"
          f" with backtests {all_fits / with_backtests:.0f} Prophet fits/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
