"""Alembic environment: runs migrations on the database the settings point at, or on
the URL given in the Alembic config (tests migrate throwaway databases that way)."""

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers every table)
from core import migrate
from core.db import create_engine
from core.plugins import get_plugin_host
from core.settings import Settings, get_settings

# First-party plugins declare tables of their own; loading the plugins registers them.
get_plugin_host()
target_metadata = SQLModel.metadata


def settings() -> Settings:
    url = context.config.get_main_option("sqlalchemy.url")
    return Settings(database_url=url) if url else get_settings()


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
        include_name=migrate.is_platform_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


async def run_online() -> None:
    engine = create_engine(settings())
    if engine.dialect.name == "sqlite":
        # SQLite alters a table by copying it; with foreign keys enforced, dropping the
        # old copy fails while other tables reference it (Alembic's batch-mode advice).
        event.listen(engine.sync_engine, "connect", _foreign_keys_off)
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=settings().resolved_database_url, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_online())
