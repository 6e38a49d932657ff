"""Case-level tables the pages and exports show: the import log and the needs vocabulary."""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import Engine, func, select

from analysis import disclosure
from data import schema as s
from data.queries import frame


def rows_text(rows: str) -> str:
    """'{"child": 2, "episode": 30}' -> 'child c; episode 30' (for people, not machines).

    Row counts are case-level counts, so 1 to 4 are shown as 'c' like every other one."""
    try:
        counts = json.loads(rows)
    except (TypeError, ValueError):
        return str(rows)
    return "; ".join(f"{table} {shown_count(count)}" for table, count in counts.items())


def shown_count(count: int) -> str:
    """A case-level count as shown: 'c' for 1 to 4 (disclosure control), else the number."""
    return disclosure.SUPPRESSED if 0 < count < disclosure.THRESHOLD else f"{count:,}"


def import_log(engine: Engine) -> pd.DataFrame:
    """Every import, newest first: who, when, file hash, format, LA, period, rows, outcome."""
    c = s.CaseImport
    log = frame(engine, select(c.id.label("import_id"), c.imported_at, c.imported_by,
                               c.format, c.la_code, c.period, c.rows, c.outcome,
                               c.is_synthetic, c.file_hash).order_by(c.id.desc()))
    log["rows"] = log["rows"].map(rows_text)
    log.insert(log.columns.get_loc("outcome") + 1, "in_force", in_force(log))
    return log


def latest_import_id(engine: Engine) -> int:
    """The newest import's id (0 if none): changes whenever case-level rows may have."""
    with engine.connect() as connection:
        return int(connection.execute(select(func.max(s.CaseImport.id))).scalar() or 0)


def in_force(log: pd.DataFrame) -> pd.Series:
    """True for the import whose rows are in the store: the newest that wrote rows for its
    LA, period, format and kind (real or synthetic). Earlier ones were replaced."""
    wrote = log[log["outcome"].isin(["imported", "replaced"])]
    newest = wrote.groupby(["la_code", "period", "format", "is_synthetic"])["import_id"].max()
    return log["import_id"].isin(set(newest))


def needs_vocabulary(engine: Engine) -> pd.DataFrame:
    """The needs categories and the Placements Standard v2 fields each is read from."""
    n = s.NeedCategory
    return frame(engine, select(n.code, n.label, n.placements_v2_fields, n.description)
                 .order_by(n.code))
