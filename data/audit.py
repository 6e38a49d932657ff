"""The audit trail: who did what and when, append only.

Sign-ins and failed sign-ins, imports, exports and downloads, board packs, caps, register
and membership changes each add one row through ``record``; nothing updates or deletes a
row (the store's triggers refuse it: migration 0011). ``events`` reads the trail for the
analysts' page and ``python -m data export audit``.
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, insert, select

from analysis.access import COMMAND_LINE, Viewer
from data import schema as s

#: The actions recorded, with the words the audit page shows for each.
ACTIONS = {"sign-in": "Signed in", "sign-in-failed": "Sign-in refused",
           "sign-out": "Signed out", "import": "Imported data", "export": "Exported a table",
           "download": "Downloaded a table", "pack": "Made a board pack",
           "cap": "Set the cap", "register": "Changed the register",
           "membership": "Changed RCC membership", "offers": "Changed provider offers",
           "user": "Changed a user", "refused": "Was refused a table"}
COLUMNS = ["at", "who", "role", "action", "detail"]


def record(engine: Engine, viewer: Viewer | None, action: str, detail=None, *,
           who: str | None = None, role: str | None = None) -> None:
    """Add one event. ``detail`` is text or anything JSON can write (a dict of what was
    done); ``who``/``role`` override the viewer's (a failed sign-in has no viewer)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if detail is not None and not isinstance(detail, str):
        detail = json.dumps(detail, sort_keys=True, default=str)
    row = {"at": datetime.now().replace(microsecond=0),
           "who": (who or (viewer.who if viewer else "unknown"))[:254],
           "role": role or (viewer.role if viewer else "none"), "action": action,
           "detail": detail}
    with engine.begin() as connection:
        connection.execute(insert(s.AuditEvent).values(**row))


def record_change(engine: Engine, viewer: Viewer | None, action: str, detail, *,
                  by: str | None = None) -> None:
    """Record a change a data function made (an import, a cap, the register, membership,
    provider offers) for the app's signed-in ``viewer``, or, with no viewer, for the
    command line and scripts. Who is the signed-in email where there is one (a name typed
    into a form proves nothing), else ``by`` (the form's name or ``--by``), else the
    viewer's own name."""
    viewer = viewer or COMMAND_LINE
    record(engine, viewer, action, detail, who=viewer.email or by or None)


def events(engine: Engine, *, who: str | None = None, action: str | None = None,
           since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
    """The trail, newest first, filtered by who (part of the name, any case), action and
    time; columns ``COLUMNS``."""
    event = s.AuditEvent
    query = select(*(getattr(event, column) for column in COLUMNS)).order_by(
        event.at.desc(), event.id.desc())
    if who:
        query = query.where(event.who.ilike(f"%{who}%"))
    if action:
        query = query.where(event.action == action)
    if since is not None:
        query = query.where(event.at >= since)
    if until is not None:
        query = query.where(event.at <= until)
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(query).all(), columns=COLUMNS)
