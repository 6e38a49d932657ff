"""``python -m forecasting refresh``: fit every series on every core, with a progress bar,
and store the forecasts and backtests (``data.forecast_store``) for the pages to read."""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per worker process


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m forecasting",
                                   description="Demand forecasts for RCC Insight.")
    commands = root.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser("refresh", help="fit every series and store the results")
    refresh.add_argument("--no-backtest", action="store_true",
                         help="forecasts only (faster; pages then show no accuracy)")
    refresh.add_argument("--workers", type=int, help="processes (default: every core)")
    refresh.add_argument("--quiet", action="store_true", help="no progress bar")
    return root


def main(argv: list[str] | None = None) -> int:
    """Refresh the stored forecasts; print what was done, or why not (exit 2)."""
    args = parser().parse_args(argv)
    from tqdm import tqdm

    from data.errors import StoreUnavailable
    from data.forecast_store import refresh_store
    from data.store import check_ready, make_engine

    engine = make_engine()
    try:
        check_ready(engine)
    except StoreUnavailable as problem:
        print(problem, file=sys.stderr)
        return 2
    bar = None if args.quiet else (
        lambda jobs, total: tqdm(jobs, total=total, unit="series", desc="Fitting"))
    run = refresh_store(engine, with_backtest=not args.no_backtest, workers=args.workers,
                        progress=bar)
    print(f"Forecast {run.series} series in {run.seconds:.1f} s"
          + (" with their backtests." if run.with_backtest else " (no backtests)."),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
