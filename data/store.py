"""Engine creation and schema migration, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, column, create_engine, event, func, select, table
from sqlalchemy.exc import DatabaseError, DisconnectionError, OperationalError

from data import schema
from data.config import MIGRATIONS, database_url, sqlite_path
from data.errors import StoreUnavailable

REBUILD_HINT = "Rebuild it with `make build` (or `python -m data build`)."


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: the configured store); SQLite gets a busy timeout,
    and its pooled connections are dropped if the file is replaced (a rebuild after
    ``make clean``, or a corrupt file set aside), so they never read a deleted file."""
    url = url or database_url()
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _remember_file(path))
        event.listen(engine, "checkout", _same_file(path))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _file_id(path: Path) -> tuple[int, int] | None:
    """The file's device and inode (None if it is missing): what a replaced file changes."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _remember_file(path: Path):
    def remember(_dbapi_connection, record) -> None:
        record.info["file_id"] = _file_id(path)
    return remember


def _same_file(path: Path):
    def check(_dbapi_connection, record, _proxy) -> None:
        now = _file_id(path)
        if now is not None and now != record.info.get("file_id"):
            raise DisconnectionError(f"{path} was replaced")  # the pool reconnects
    return check


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Enforce foreign keys in SQLite, as PostgreSQL always does."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is already there)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None if never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class DataVersion(NamedTuple):
    """What the store holds, in a few values that change whenever its tables may have:
    a rebuild (new ``data_release`` rows, all stamped with the build's time), a migration,
    or a case-level import (a new ``case_import`` id, even for a refused-as-unchanged one).
    Equal versions mean equal data, so caches are keyed by it."""

    revision: str | None  # the schema's migration
    built_at: str | None  # the newest data_release.loaded_at: which build
    releases: int  # data_release rows (0: never built)
    case_import: int  # the newest case_import id (0: none)


_ALEMBIC_VERSION = table("alembic_version", column("version_num"))


def data_version(engine: Engine) -> DataVersion:
    """The store's data version, in one cheap query (cheap enough for every script run).
    Raises the driver's error if the store cannot be read or has not been migrated."""
    return store_state(engine)[0]


def store_state(engine: Engine) -> tuple[DataVersion, bool]:
    """The data version and whether any account signs in with a password here (the app
    then offers a sign-in form), in the one query every app run makes. Accounts are not
    part of the data version: adding one must not empty every cache."""
    release, case_import, user = schema.DataRelease, schema.CaseImport, schema.AppUser
    query = select(
        select(func.max(_ALEMBIC_VERSION.c.version_num)).scalar_subquery(),
        select(func.max(release.loaded_at)).scalar_subquery(),
        select(func.count()).select_from(release).scalar_subquery(),
        select(func.max(case_import.id)).scalar_subquery(),
        select(func.count()).select_from(user)
        .where(user.password_hash.is_not(None)).scalar_subquery())
    with engine.connect() as connection:
        revision, built_at, releases, newest_import, local = connection.execute(query).one()
    return (DataVersion(revision, None if built_at is None else str(built_at),
                        int(releases or 0), int(newest_import or 0)), bool(local))


def check_ready(engine: Engine) -> DataVersion:
    """The store's data version (see ``check_state``)."""
    return check_state(engine)[0]


def check_state(engine: Engine) -> tuple[DataVersion, bool]:
    """The store's data version and whether it has local accounts; raises StoreUnavailable
    with a rebuild hint if the store is missing, corrupt or stale. One query when the store
    is fine (a stat first for SQLite)."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is not None and not path.exists():
        raise StoreUnavailable(f"The database {path} does not exist yet. {REBUILD_HINT}")
    not_built = StoreUnavailable(f"The database at {describe(engine)} is not built for this "
                                 f"version of RCC Insight. {REBUILD_HINT}")
    try:
        version, local_accounts = store_state(engine)
    except (DatabaseError, OperationalError) as exc:
        if _migrated_elsewhere(engine):  # readable, but tables of another schema version
            raise not_built from exc
        raise StoreUnavailable(
            f"The database at {describe(engine)} cannot be read ({exc.orig}). {REBUILD_HINT}"
        ) from exc
    if version.revision != head_revision() or not version.releases:
        raise not_built
    return version, local_accounts


def _migrated_elsewhere(engine: Engine) -> bool:
    """True if the database can be read but is not at the newest migration (e.g. empty)."""
    try:
        return current_revision(engine) != head_revision()
    except (DatabaseError, OperationalError):
        return False


def describe(engine: Engine) -> str:
    """The store's location for messages, without any password."""
    return engine.url.render_as_string(hide_password=True)
