"""How long a board pack takes (issue "Boards in practice": <= 30 s): makes and stores one
pack for an RCC on the app store (var/rcc.sqlite, or DATABASE_URL) and prints seconds per
stage. The three shared objects every pack is cut from, the needs family, the fee frame
and the fee family (each made from all of England), are timed apart. They are made once
per data version and kept in the store (``data.kept``): the first pack or page view after
an import makes and keeps them, every later process reads them back. So a run prints the
cold-process figure when all three were kept before it, and the first-after-an-import
figure when it had to make them (``--remake`` forgets every kept result first, to measure
that); the page, holding them in memory, costs the stages only. Prints figures and the
machine's load (other work slows every figure); asserts nothing.

Usage: python bench/pack.py [--remake] [RCC_ID] [YYYY-MM-DD]
       (default greater-manchester, today)
"""

from __future__ import annotations

import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.access import COMMAND_LINE  # noqa: E402
from data import fee_frame, fee_stat_tables, kept, needs_tables, pack_manifest, packs  # noqa: E402
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
    args = [arg for arg in sys.argv[1:] if arg != "--remake"]
    rcc = args[0] if args else "greater-manchester"
    meeting = date.fromisoformat(args[1]) if len(args) > 1 else date.today()
    logging.basicConfig(format="    %(message)s")
    logging.getLogger("data.kept").setLevel(logging.INFO)
    engine = make_engine()
    check_ready(engine)
    if "--remake" in sys.argv:
        print(f"Forgot {kept.forget(engine)} kept results")
    before = kept.kept_names(engine)
    print(f"Board pack for {rcc}, meeting {meeting}; load average {load()}; kept before "
          f"this run: {', '.join(before) or 'nothing'}")
    year = pack_manifest.data_year(engine, meeting)
    case_year = pack_manifest.case_year(engine, year)
    family, family_seconds = timed("shared: needs family", lambda: None if case_year is None
                                   else needs_tables.needs_family(engine, case_year))
    frame, frame_seconds = timed("shared: fee frame", lambda: fee_frame.fee_frame(engine))
    fees, fees_seconds = timed("shared: fee family",
                               lambda: fee_stat_tables.board_family(engine, frame))
    made_now = sorted(set(kept.kept_names(engine)) - set(before))
    made = packs.make_pack(engine, rcc, meeting, COMMAND_LINE,
                           parts=Parts(needs_family=family, fee_frame=frame, fee_family=fees))
    for stage, seconds in made.seconds.items():
        print(f"pack: {stage:34} {seconds:6.1f} s")
    pack_seconds = sum(made.seconds.values())
    shared = family_seconds + frame_seconds + fees_seconds
    cold = ("pack, first after an import (made them)" if made_now else
            "pack, cold process (read them back)")
    print(f"{'pack, shared objects in memory (page)':40} {pack_seconds:6.1f} s")
    print(f"{cold:40} {pack_seconds + shared:6.1f} s")
    if made_now:
        print(f"Made and kept in this run: {', '.join(made_now)}")
    print(f"Stored as pack {made.id}: PDF {len(made.pdf) / 1e3:.0f} kB, XLSX "
          f"{len(made.xlsx) / 1e3:.0f} kB; load average {load()}")


def load() -> str:
    """The 1-minute load average and the cores it is shared by."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


if __name__ == "__main__":
    main()
