"""Benchmark the SSDA903 import: 100,000 valid episode rows for one LA, validated and written.

Target: <= 10 s on 2 cores. Builds a throwaway SQLite store (unless BENCH_DATABASE_URL
names one), generates a Header and Episodes pair in 903 layout with real postcode sectors
of the LA and of its neighbours, then times ``import_frames`` (validation, placement LA
and distance, the one-transaction write) and prints rows/s. Run: .venv/bin/python
bench/import.py [episodes]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data import postcodes  # noqa: E402
from data.build import build  # noqa: E402
from data.importers import codes, ssda903  # noqa: E402
from data.store import make_engine  # noqa: E402

LA = "E08000025"  # Birmingham
NEIGHBOURS = ("E08000029", "E08000028", "E08000030", "E06000021")
TARGET_SECONDS = 10.0


def synthetic_903(episodes: int, year: int = 2025, seed: int = 1, urn: str = "SC000001"):
    """A valid Header and Episodes pair with ``episodes`` rows (2.5 episodes per child)."""
    rng = np.random.default_rng(seed)
    children = episodes * 2 // 5
    ids = np.array([f"C{n:07d}" for n in range(children)])
    per_child = np.full(children, episodes // children)
    per_child[: episodes - per_child.sum()] += 1
    dob = pd.Timestamp(f"{year - 1}-04-01") - pd.to_timedelta(
        rng.integers(365, 16 * 365, children), unit="D")
    header = pd.DataFrame({"CHILD": ids, "SEX": rng.choice(["1", "2"], children),
                           "DOB": dob.strftime("%d/%m/%Y"),
                           "ETHNIC": rng.choice(codes.ETHNIC, children), "UPN": ""})
    child = np.repeat(ids, per_child)
    order = np.concatenate([np.arange(k) for k in per_child])
    last = np.repeat(per_child, per_child) - 1 == order
    start = pd.Timestamp(f"{year - 1}-04-01") + pd.to_timedelta(order * 90, unit="D")
    end = start + pd.Timedelta(days=60)
    home = rng.choice(postcodes.sectors_of_la(LA), len(child))
    away = [s for la in NEIGHBOURS for s in postcodes.sectors_of_la(la)]
    placed = np.where(rng.random(len(child)) < 0.6, rng.choice(postcodes.sectors_of_la(LA),
                                                                len(child)),
                      rng.choice(away, len(child)))
    place = rng.choice(["U1", "U4", "K2", "H5", "R1"], len(child))
    frame = pd.DataFrame({
        "CHILD": child, "DECOM": start.strftime("%d/%m/%Y"),
        "RNE": np.where(order == 0, "S", "P"), "LS": rng.choice(["C2", "V2", "E1"], len(child)),
        "CIN": rng.choice(codes.CIN, len(child)), "PLACE": place,
        "PLACE_PROVIDER": rng.choice(["PR1", "PR4", "PR5"], len(child)),
        "DEC": np.where(last, "", end.strftime("%d/%m/%Y")),
        "REC": np.where(last, "", "X1"),
        "REASON_PLACE_CHANGE": np.where(last, "", "CARPL"),
        "HOME_POST": home, "PL_POST": placed,
        "URN": np.where(np.isin(place, ["K2", "U1", "U4"]), urn, ""),
    })
    return header, frame


def main(rows: int = 100_000) -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder:
        if not url:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
            build(url, progress=False)
        engine = make_engine(url)
        with engine.connect() as connection:  # a real home of the LA, as a clean file has
            urn = connection.execute(text("SELECT urn FROM childrens_home WHERE la_code = :la "
                                          "ORDER BY urn LIMIT 1"), {"la": LA}).scalar()
        header, episodes = synthetic_903(rows, urn=urn)
        postcodes.la_index()  # directory loading is a once-per-process cost, timed apart
        started = time.perf_counter()
        result = ssda903.import_frames(engine, header, episodes, la_code=LA, year=2025,
                                       imported_by="bench")
        seconds = time.perf_counter() - started
        engine.dispose()
    print(f"{result.rows['episode']:,} episode rows and {result.rows['child']:,} children "
          f"validated and imported in {seconds:.1f} s: {result.rows['episode'] / seconds:,.0f} "
          f"episode rows/s (target <= {TARGET_SECONDS:.0f} s: "
          f"{'met' if seconds <= TARGET_SECONDS else 'MISSED'}); "
          f"{len(result.report.warnings):,} warnings.")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
