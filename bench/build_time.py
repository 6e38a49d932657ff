"""Time `python -m data build` from empty, and a second (idempotent) rebuild. Target: <= 60 s.

Usage: python bench/build_time.py   (prints figures; asserts nothing)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.build import build  # noqa: E402


def timed_build(url: str) -> tuple[float, int]:
    """Seconds taken and rows written by one build."""
    started = time.perf_counter()
    counts = build(url, progress=False)
    return time.perf_counter() - started, sum(counts.values())


def main() -> None:
    """Build into a fresh SQLite file twice and print the timings."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{os.path.join(folder, 'bench.sqlite')}"
        first, rows = timed_build(url)
        second, _ = timed_build(url)
    print(f"build from empty: {first:.1f} s ({rows:,} rows; target <= 60 s)")
    print(f"rebuild (same rows, replaced in one transaction): {second:.1f} s")


if __name__ == "__main__":
    main()
