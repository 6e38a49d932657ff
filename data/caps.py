"""The board's cap on providers' surplus / reinvestment: set, listed, and read for a day.

A cap is a % of operating cost (a fee at the cap is operating cost x (1 + cap/100)), in
force from a date. Setting a cap adds a row and never changes one, so the board's record
of every cap, who set it and when, is kept; the cap in force on a day is the one set
latest among those in force by then (a later decision about the same date wins).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine, insert, select

from analysis.access import Viewer
from analysis.fee_cap import REFERENCE_CAP
from data import audit, queries
from data import schema as s
from data.errors import UserInputError
from data.importers.common import default_user
from data.store import check_ready, make_engine

COLUMNS = ["percent", "effective_from", "set_by", "set_at", "note"]
NOTE_LIMIT = 2000


def set_cap(engine: Engine, percent, effective_from, set_by: str,
            note: str | None = None, *, viewer: Viewer | None = None) -> dict:
    """Record a cap of ``percent`` in force from ``effective_from`` (a date or YYYY-MM-DD),
    set by ``set_by`` now, and add it to the audit trail for ``viewer`` (None: the command
    line); returns the row written. Bad input raises UserInputError and writes nothing."""
    row = {"percent": checked_percent(percent), "effective_from": checked_date(effective_from),
           "set_by": checked_name(set_by), "set_at": datetime.now().replace(microsecond=0),
           "note": (str(note).strip() or None) if note is not None else None}
    if row["note"] is not None and len(row["note"]) > NOTE_LIMIT:
        raise UserInputError(f"The note is {len(row['note'])} characters; keep it under "
                             f"{NOTE_LIMIT}.")
    with engine.begin() as connection:
        connection.execute(insert(s.FeeCap).values(**row))
    audit.record_change(engine, viewer, "cap", {key: row[key] for key in (
        "percent", "effective_from", "set_by", "note")}, by=row["set_by"])
    return row


def checked_percent(percent) -> float:
    """The cap as a float from 0 to 100, or a UserInputError saying what is wrong."""
    try:
        value = float(percent)
    except (TypeError, ValueError):
        raise UserInputError(f"The cap must be a number (a % of operating cost), "
                             f"not '{percent}'.") from None
    if not 0 <= value <= 100:  # also refuses NaN
        raise UserInputError(f"The cap must be between 0% and 100% of operating cost, "
                             f"not {percent}%.")
    return value


def checked_date(value) -> date:
    """A real calendar date from a date or a YYYY-MM-DD string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise UserInputError(f"The date the cap applies from must be a real date as "
                             f"YYYY-MM-DD, not '{value}'.") from None


def checked_name(name) -> str:
    """Who set the cap: required, so the record says who decided."""
    text = str(name or "").strip()
    if not text:
        raise UserInputError("Say who set the cap (a name).")
    if len(text) > 120:
        raise UserInputError("The name of who set the cap must be under 120 characters.")
    return text


def cap_history(engine: Engine) -> pd.DataFrame:
    """Every cap ever set, newest first (by when it was set, then by its row)."""
    t = s.FeeCap
    frame = queries.frame(engine, select(t.id, *(getattr(t, c) for c in COLUMNS)))
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["effective_from"] = pd.to_datetime(frame["effective_from"]).dt.date
    frame["set_at"] = pd.to_datetime(frame["set_at"])
    return frame.sort_values(["set_at", "id"], ascending=False)[COLUMNS].reset_index(drop=True)


def current_cap(engine: Engine, on=None) -> pd.Series | None:
    """The cap in force on ``on`` (default today): of the caps in force by then, the one
    set latest; None if there is none."""
    day = date.today() if on is None else checked_date(on)
    history = cap_history(engine)
    in_force = history[history["effective_from"] <= day]
    return None if in_force.empty else in_force.iloc[0]


def percent_in_use(engine: Engine) -> float:
    """The cap every fee figure counts against: the board's in force today, else the
    reference cap (``fee_cap.REFERENCE_CAP``), so the page, its downloads and the exports
    are all cut from one fee family."""
    cap = current_cap(engine)
    return REFERENCE_CAP if cap is None else float(cap["percent"])


# --- the command line: python -m data cap set | list -----------------------------------------

def add_cap_commands(commands) -> None:
    """Add ``cap set`` and ``cap list`` to the CLI's subcommands."""
    cap = commands.add_parser("cap", help="the board's cap on providers' surplus (% of "
                              "operating cost): set one, or list every cap set")
    cap_commands = cap.add_subparsers(dest="cap_command", required=True)
    set_cmd = cap_commands.add_parser("set", help="record a cap from a date (kept with "
                                      "every earlier cap)")
    set_cmd.add_argument("--percent", required=True,
                         help="the cap, as a %% of operating cost (0-100), e.g. 10")
    set_cmd.add_argument("--from", dest="effective_from", required=True, metavar="YYYY-MM-DD",
                         help="the day the cap applies from")
    set_cmd.add_argument("--by", default=default_user(), help="who set it (default: you)")
    set_cmd.add_argument("--note", help="e.g. the board meeting that decided it")
    cap_commands.add_parser("list", help="every cap set, newest first, as CSV")


def run_cap(args: argparse.Namespace) -> int:
    """Set a cap (one line saying what was recorded) or list every cap as CSV."""
    engine = make_engine()
    check_ready(engine)
    if args.cap_command == "set":
        row = set_cap(engine, args.percent, args.effective_from, args.by, args.note)
        print(f"Recorded a cap of {row['percent']:g}% above operating cost from "
              f"{row['effective_from']:%d %B %Y}, set by {row['set_by']}.", file=sys.stderr)
        return 0
    cap_history(engine).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
