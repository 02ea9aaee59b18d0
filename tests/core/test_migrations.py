"""The migrations build exactly the schema the models describe, on both backends."""

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from core import migrate
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES


async def _admin(statement: str) -> None:
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"tremplin_migrations_{os.getpid()}"
    try:
        asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name}"))
        asyncio.run(_admin(f"CREATE DATABASE {name}"))
    except Exception as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL unusable: {error!r}")
        pytest.skip(f"PostgreSQL unusable: {error!r}")
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _differences(database_url: str) -> list:
    async def compare() -> list:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
                )
        finally:
            await engine.dispose()

    return asyncio.run(compare())


def test_upgrading_an_empty_database_yields_the_models_schema(empty_database: str) -> None:
    migrate.upgrade(database_url=empty_database)
    assert _differences(empty_database) == []
    migrate.upgrade(database_url=empty_database)  # idempotent: already at head
