"""Engine creation and schema migration, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError

from data.config import MIGRATIONS, database_url, sqlite_path
from data.errors import StoreUnavailable

REBUILD_HINT = "Rebuild it with `make build` (or `python -m data build`)."


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: the configured store); SQLite gets a busy timeout."""
    url = url or database_url()
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


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


def check_ready(engine: Engine) -> None:
    """Raise StoreUnavailable with a rebuild hint if the store is missing, corrupt or stale."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is not None and not path.exists():
        raise StoreUnavailable(f"The database {path} does not exist yet. {REBUILD_HINT}")
    try:
        revision = current_revision(engine)
        with engine.connect() as connection:
            loaded = connection.execute(text("SELECT COUNT(*) FROM data_release")).scalar()
    except (DatabaseError, OperationalError) as exc:
        raise StoreUnavailable(
            f"The database at {describe(engine)} cannot be read ({exc.orig}). {REBUILD_HINT}"
        ) from exc
    if revision != head_revision() or not loaded:
        raise StoreUnavailable(f"The database at {describe(engine)} is not built for this version "
                               f"of RCC Insight. {REBUILD_HINT}")


def describe(engine: Engine) -> str:
    """The store's location for messages, without any password."""
    return engine.url.render_as_string(hide_password=True)
