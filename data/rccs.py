"""Editing RCCs and their membership: the board's own table, kept across rebuilds."""

from __future__ import annotations

import re

from sqlalchemy import Engine, insert, select, update

from analysis.access import Viewer
from data import audit
from data import schema as s
from data.errors import UserInputError

RCC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def add_rcc(engine: Engine, rcc_id: str, name: str, basis: str, *,
            viewer: Viewer | None = None, by: str | None = None) -> None:
    """Create an RCC with no members yet; its id is what links and exports use. Recorded
    in the audit trail for ``viewer`` (None: the command line, run by ``by``)."""
    if not RCC_ID.match(rcc_id) or len(rcc_id) > 40:
        raise UserInputError(f"RCC id '{rcc_id}' must be lower-case words joined by hyphens.")
    with engine.begin() as connection:
        if connection.execute(select(s.Rcc.id).where(s.Rcc.id == rcc_id)).first():
            raise UserInputError(f"An RCC with id '{rcc_id}' already exists.")
        connection.execute(insert(s.Rcc).values(id=rcc_id, name=name, basis=basis))
    audit.record_change(engine, viewer, "membership",
                        {"change": "added an RCC", "rcc": rcc_id, "name": name,
                         "basis": basis}, by=by)


def assign_la(engine: Engine, la_code: str, rcc_id: str, *, viewer: Viewer | None = None,
              by: str | None = None) -> str:
    """Move a current LA into an RCC, recorded in the audit trail for ``viewer`` (None: the
    command line, run by ``by``); returns the RCC it left."""
    with engine.begin() as connection:
        current = connection.execute(select(s.LocalAuthority.code).where(
            s.LocalAuthority.code == la_code, s.LocalAuthority.is_current.is_(True))).first()
        if not current:
            raise UserInputError(f"Unknown LA code '{la_code}' (use a current GSS code).")
        if not connection.execute(select(s.Rcc.id).where(s.Rcc.id == rcc_id)).first():
            raise UserInputError(f"Unknown RCC '{rcc_id}'.")
        before = connection.execute(select(s.RccMembership.rcc_id).where(
            s.RccMembership.la_code == la_code)).scalar_one()
        connection.execute(update(s.RccMembership).where(s.RccMembership.la_code == la_code)
                           .values(rcc_id=rcc_id))
    audit.record_change(engine, viewer, "membership",
                        {"change": "moved an LA", "la": la_code, "from": before,
                         "to": rcc_id}, by=by)
    return before
