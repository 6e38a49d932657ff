"""Saved scenarios: a board names a what-if so it can reopen it (``forecasting.scenarios``).
One name per RCC; saving under a name already used replaces that scenario, in one
transaction, so a failed save leaves the old one."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Engine, delete as sql_delete, insert, select

from data import schema as s
from forecasting.scenarios import Scenario

KEYS = ("rcc", "name")  # the scenario's identity; the rest is kept as JSON


def save(engine: Engine, scenario: Scenario, by: str) -> None:
    """Store ``scenario`` under its RCC and name (replacing one of that name), made by
    ``by`` now."""
    t = s.Scenario
    parameters = {k: v for k, v in asdict(scenario).items() if k not in KEYS}
    with engine.begin() as connection:
        connection.execute(sql_delete(t).where(t.rcc == scenario.rcc, t.name == scenario.name))
        connection.execute(insert(t).values(
            rcc=scenario.rcc, name=scenario.name, created_by=by, created_at=datetime.now(),
            parameters=json.dumps(parameters, sort_keys=True)))


def load(engine: Engine, rcc: str, name: str) -> Scenario | None:
    """The RCC's scenario of that name, or None if there is none."""
    t = s.Scenario
    with engine.connect() as connection:
        text = connection.execute(select(t.parameters).where(t.rcc == rcc, t.name == name)
                                  ).scalar_one_or_none()
    return None if text is None else Scenario(name=name, rcc=rcc, **json.loads(text))


def list_names(engine: Engine, rcc: str) -> list[str]:
    """The names of the RCC's saved scenarios, in alphabetical order (sorted here: SQLite
    and PostgreSQL order text differently)."""
    t = s.Scenario
    with engine.connect() as connection:
        return sorted(connection.execute(select(t.name).where(t.rcc == rcc)).scalars())


def delete(engine: Engine, rcc: str, name: str) -> bool:
    """Remove the RCC's scenario of that name; False if there was none."""
    t = s.Scenario
    with engine.begin() as connection:
        gone = connection.execute(sql_delete(t).where(t.rcc == rcc, t.name == name))
    return gone.rowcount > 0
