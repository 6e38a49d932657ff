"""The audit trail page's reader. Not cached: the trail grows with every sign-in, import
and download, and an analyst looking at it must see the latest row, so it is read live
on each run (one indexed query). Analysts only: access is checked here, before the read,
as ``cached``'s decorators check it for cached tables."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd

from analysis import access
from cached import engine, viewer
from data import audit


def events(who: str | None = None, action: str | None = None, since: date | None = None,
           until: date | None = None) -> pd.DataFrame:
    """The trail, newest first, filtered by who (part of the name), action and days (both
    ends included); raises AccessDenied for anyone but an analyst."""
    access.require(viewer(), access.ADMIN)
    return audit.events(engine(), who=who or None, action=action or None,
                        since=since and datetime.combine(since, time.min),
                        until=until and datetime.combine(until, time.max))
