"""Time `python -m data synth`: the full England synthetic cohort generated and written
through the SSDA903 importer into a fresh store. Target: <= 60 s.

The cohort is the ~82,000 children looked after at 31 March 2025 with their current
period of care, plus one light child for every child LAIT says ceased in 2016-2025 (so
monthly starts and ends add up to LAIT): about 390,000 children and 600,000 episodes.

Usage: python bench/synth.py [--seed 42]   (prints figures; asserts nothing)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data import synth  # noqa: E402
from data.build import build  # noqa: E402
from data.store import make_engine  # noqa: E402

TARGET = 60.0


def main() -> None:
    """Build a fresh SQLite store, then generate and write the cohort, timing each step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    seed = parser.parse_args().seed
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{os.path.join(folder, 'bench.sqlite')}"
        build(url, progress=False)
        engine = make_engine(url)
        started = time.perf_counter()
        calibration = synth.load_calibration(engine)
        cohort = synth.generate(calibration, seed)
        generated = time.perf_counter()
        counts = synth.write(engine, cohort)
        finished = time.perf_counter()
        engine.dispose()
    total = finished - started
    current = int(cohort.children["current"].sum())
    print(f"children: {len(cohort.children):,} ({current:,} looked after at 31 March 2025, "
          f"{len(cohort.children) - current:,} who left in 2016-2025)")
    print(f"episodes: {len(cohort.episodes):,}; needs assessments: {len(cohort.needs):,}; "
          f"fees: {len(cohort.fees):,}; providers: {counts.get('provider', 0):,}")
    print(f"generate: {generated - started:.1f} s; validate and write through the importer: "
          f"{finished - generated:.1f} s")
    print(f"synth, full England: {total:.1f} s (target <= {TARGET:.0f} s: "
          f"{'met' if total <= TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
