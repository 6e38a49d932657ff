"""Alembic environment: migrates the connection it is given, or the configured URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from data.config import database_url
from data.schema import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run migrations on a passed-in connection (the app's way) or a fresh engine (CLI)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    section = config.get_section(config.config_ini_section) or {}
    section["sqlalchemy.url"] = database_url()
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
