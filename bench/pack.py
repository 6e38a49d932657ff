"""How long a board pack takes (issue "Boards in practice": <= 30 s): makes and stores one
pack for an RCC on the app store (var/rcc.sqlite, or DATABASE_URL) and prints seconds per
stage. The two shared objects every pack is cut from, the needs family and the fee family
(each protects or checks every table of England at once), are timed apart: the app keeps
them cached, so a pack made on the page costs the stages only; from the command line it
costs both. Prints figures and the machine's load (other work slows every figure);
asserts nothing.

Usage: python bench/pack.py [RCC_ID] [YYYY-MM-DD]   (default greater-manchester, today)
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.access import COMMAND_LINE  # noqa: E402
from data import fee_frame, fee_stat_tables, needs_tables, pack_manifest, packs  # noqa: E402
from data.pack_tables import Parts  # noqa: E402
from data.store import check_ready, make_engine  # noqa: E402


def timed(label: str, make):
    """``make()``, printing how long it took."""
    started = time.perf_counter()
    out = make()
    seconds = time.perf_counter() - started
    print(f"{label:40} {seconds:6.1f} s", flush=True)
    return out, seconds


def main() -> None:
    rcc = sys.argv[1] if len(sys.argv) > 1 else "greater-manchester"
    meeting = date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else date.today()
    engine = make_engine()
    check_ready(engine)
    print(f"Board pack for {rcc}, meeting {meeting}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    year = pack_manifest.data_year(engine, meeting)
    case_year = pack_manifest.case_year(engine, year)
    family, family_seconds = timed("shared: needs family", lambda: None if case_year is None
                                   else needs_tables.needs_family(engine, case_year))
    frame, frame_seconds = timed("shared: fee frame", lambda: fee_frame.fee_frame(engine))
    fees, fees_seconds = timed("shared: fee family",
                               lambda: fee_stat_tables.board_family(engine, frame))
    made = packs.make_pack(engine, rcc, meeting, COMMAND_LINE,
                           parts=Parts(needs_family=family, fee_frame=frame, fee_family=fees))
    for stage, seconds in made.seconds.items():
        print(f"pack: {stage:34} {seconds:6.1f} s")
    pack_seconds = sum(made.seconds.values())
    shared = family_seconds + frame_seconds + fees_seconds
    print(f"{'pack, shared objects cached (the page)':40} {pack_seconds:6.1f} s")
    print(f"{'pack, from cold (the command line)':40} {pack_seconds + shared:6.1f} s")
    print(f"Stored as pack {made.id}: PDF {len(made.pdf) / 1e3:.0f} kB, XLSX "
          f"{len(made.xlsx) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
