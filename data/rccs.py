"""Editing RCCs and their membership: the board's own table, kept across rebuilds."""

from __future__ import annotations

import re

from sqlalchemy import Engine, insert, select, update

from data import schema as s
from data.errors import UserInputError

RCC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def add_rcc(engine: Engine, rcc_id: str, name: str, basis: str) -> None:
    """Create an RCC with no members yet; its id is what links and exports use."""
    if not RCC_ID.match(rcc_id) or len(rcc_id) > 40:
        raise UserInputError(f"RCC id '{rcc_id}' must be lower-case words joined by hyphens.")
    with engine.begin() as connection:
        if connection.execute(select(s.Rcc.id).where(s.Rcc.id == rcc_id)).first():
            raise UserInputError(f"An RCC with id '{rcc_id}' already exists.")
        connection.execute(insert(s.Rcc).values(id=rcc_id, name=name, basis=basis))


def assign_la(engine: Engine, la_code: str, rcc_id: str) -> str:
    """Move a current LA into an RCC; returns the RCC it left."""
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
    return before
