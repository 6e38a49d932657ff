"""How fast every published annual series is forecast (issue "Demand forecasts"): the
refresh of every series, forecasts only and with all backtests, beside a baseline of
Prophet with its default settings fitted one series at a time in one process.

Goals: forecasts-only refresh <= 15 s on 2 cores; with backtests <= 60 s; >= 3x the
baseline's series fitted per second. Prints figures; asserts nothing. The baseline runs
after ``models.load()``, so its Prophet fits use the same (in-memory) scratch directory.

Usage: python bench/forecast.py [BASELINE_SERIES]   (default 40: the baseline is timed on
that many series and its rate applied to all of them)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.forecast_series import annual_series  # noqa: E402
from data.store import make_engine  # noqa: E402
from forecasting import models, refresh  # noqa: E402


def baseline_rate(histories: list[pd.Series]) -> float:
    """Series per second for Prophet as it comes (default settings, 1,000 uncertainty
    samples, its own seasonality choices), one series after another in this process."""
    from prophet import Prophet

    models.quiet_stan()
    started = time.perf_counter()
    for history in histories:
        model = Prophet()
        model.fit(pd.DataFrame({"ds": models.year_dates(history.index),
                                "y": history.to_numpy(float)}))
        model.predict(model.make_future_dataframe(periods=refresh.HORIZON, freq="YE-MAR"))
    return len(histories) / (time.perf_counter() - started)


def main(baseline_series: int) -> None:
    models.load()
    annual = annual_series(make_engine())
    fit, short = refresh.histories(annual)
    n = len(fit)
    rng = np.random.default_rng(0)
    sample = [fit[i][1] for i in rng.choice(n, size=min(baseline_series, n), replace=False)]
    base = baseline_rate(sample)
    started = time.perf_counter()
    refresh.refresh(annual, with_backtest=False)
    forecasts_only = time.perf_counter() - started
    started = time.perf_counter()
    refresh.refresh(annual)
    with_backtests = time.perf_counter() - started
    ours = n / forecasts_only
    print(f"{n} series ({len(short)} too short to forecast), each by Prophet, last value, "
          "trend and ETS, 5 years ahead:")
    print(f"  refresh, forecasts only: {forecasts_only:.1f} s (goal <= 15 s)")
    print(f"  refresh with every backtest (origins 2020-2024, 1-3 years ahead): "
          f"{with_backtests:.1f} s (goal <= 60 s)")
    print(f"  baseline, Prophet defaults one series at a time: {base:.1f} series/s "
          f"(timed on {len(sample)}; all {n} would take {n / base:.1f} s)")
    print(f"  ours: {ours:.1f} series/s, {ours / base:.1f}x the baseline (goal >= 3x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
