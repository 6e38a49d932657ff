"""How fast the stock-and-flow comparator (``forecasting/stock_flow.py``; this file's name
differs as every module name in the repo is unique) is, for issue "Demand forecasts": a
whole-England projection of every LA at once (fit and forecast, 60 months, 80/95%
intervals), the backtest of every LA and RCC together (``backtest_levels``), and a
scenario refit of one area (its entries changed, forecast again by placement group from
the fitted model).

Goals: every LA in a few seconds; a scenario refit <= 200 ms. Reads the store named by
DATABASE_URL (else var/rcc.sqlite) and never writes to it: a SQLite store is copied to a
temporary folder first (not timed). Prints the median of several runs and the machine's
load (other work slows every figure); asserts nothing.

Usage: python bench/stock_and_flow.py [RUNS]   (default 5)
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.case_series import episodes_frame, geography  # noqa: E402
from data.config import database_url  # noqa: E402
from data.store import make_engine, sqlite_path  # noqa: E402
from forecasting import monthly, stock_flow  # noqa: E402

SCENARIO_TARGET_MS = 200.0


def median_seconds(step, runs: int) -> tuple[object, float]:
    """The last result of ``runs`` calls of ``step`` and their median time in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def copied(url: str, folder: str) -> str:
    """A SQLite store copied (read-only, consistently) into ``folder``; other stores as
    they are (only read)."""
    path = sqlite_path(url)
    if path is None:
        return url
    target = Path(folder) / "rcc.sqlite"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source, \
            sqlite3.connect(target) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(copied(database_url(), folder))
        started = time.perf_counter()
        episodes = episodes_frame(engine)
        rcc_of_la, _ = geography(engine)
        engine.dispose()
    print(f"episodes read: {len(episodes):,} in {time.perf_counter() - started:.1f} s "
          f"(not part of the goals); load average {os.getloadavg()[0]:.2f}")
    origin = monthly.month_ends([monthly.latest_month(episodes)])[0]

    model, fit_s = median_seconds(lambda: stock_flow.fit(episodes, origin), runs)
    table, forecast_s = median_seconds(
        lambda: stock_flow.forecast(model, 60, sims=500), runs)
    print(f"every LA ({len(model.area_codes)}), origin {origin:%Y-%m-%d}, 60 months, "
          f"500 futures: fit {fit_s:.2f} s + forecast {forecast_s:.2f} s = "
          f"{fit_s + forecast_s:.2f} s (median of {runs})")
    print("  England total expected in 12 / 36 / 60 months: " + " / ".join(
        f"{table.loc[table['month'] == origin + pd.offsets.MonthEnd(h), 'forecast'].sum():,.0f}"
        for h in (12, 36, 60)) + f" (now {model.stock.sum():,})")

    rccs, rcc_fit_s = median_seconds(lambda: stock_flow.fit(episodes, origin, rcc_of_la), runs)
    _, rcc_s = median_seconds(
        lambda: stock_flow.forecast(rccs, 60, sims=500, by_group=True), runs)
    print(f"every RCC ({len(rccs.area_codes)}) by placement group: fit {rcc_fit_s:.2f} s + "
          f"forecast {rcc_s:.2f} s")

    levels = {"la": None, "rcc": rcc_of_la}
    cpu = time.process_time()
    tables, levels_s = median_seconds(lambda: stock_flow.backtest_levels(episodes, levels), 1)
    print(f"backtest of every LA and RCC together ({len(tables['la']) + len(tables['rcc']):,} "
          f"past forecasts from {tables['la']['origin'].nunique()} origins): {levels_s:.1f} s "
          f"({time.process_time() - cpu:.1f} s CPU; one run)")

    area = max(rccs.area_codes, key=lambda code: rccs.stock[rccs.area_codes.index(code)].sum())
    one = rccs.subset([area])
    _, scenario_s = median_seconds(
        lambda: stock_flow.forecast(one, 60, entries_factor=0.9, sims=500, by_group=True),
        max(runs, 7))
    verdict = "meets" if scenario_s * 1000 <= SCENARIO_TARGET_MS else "misses"
    print(f"scenario refit of one area ({area}: entries x 0.9, 60 months by placement group, "
          f"500 futures, from its fitted model): {scenario_s * 1000:.0f} ms "
          f"({verdict} the {SCENARIO_TARGET_MS:.0f} ms goal)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
