"""Where things live: the vendored open data, the reference tables and the database.

The database URL comes from ``DATABASE_URL`` when set (PostgreSQL in a shared
deployment), otherwise a SQLite file under ``var/`` so a fresh clone needs no set-up.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPEN_DATA = ROOT / "data" / "open"
REFERENCE = ROOT / "data" / "reference"
MIGRATIONS = ROOT / "data" / "migrations"
DEFAULT_SQLITE = ROOT / "var" / "rcc.sqlite"


def database_url() -> str:
    """The store's SQLAlchemy URL: ``DATABASE_URL`` if set, else the default SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for any other engine (or in-memory SQLite)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or url.endswith(":memory:"):
        return None
    return Path(url[len(prefix):])
