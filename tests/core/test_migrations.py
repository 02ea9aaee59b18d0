"""The migrations build exactly the schema the models describe, on both backends."""

import asyncio
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlmodel import SQLModel

from core import migrate
from core.access import Actor
from core.models import AuditEvent, Consent, ConsentPurpose, Language, Role
from core.services import audit
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
                    lambda sync: compare_metadata(
                        MigrationContext.configure(sync, opts={"include_name": migrate.is_platform_object}),
                        SQLModel.metadata,
                    )
                )
        finally:
            await engine.dispose()

    return asyncio.run(compare())


def test_upgrading_an_empty_database_yields_the_models_schema(empty_database: str) -> None:
    migrate.upgrade(database_url=empty_database)
    assert _differences(empty_database) == []
    migrate.upgrade(database_url=empty_database)  # idempotent: already at head


def _filler(column: sa.Column) -> object:  # type: ignore[type-arg]
    """A value any non-null column of the old schema accepts."""
    for kind, value in (
        (sa.JSON, []),
        (sa.Boolean, False),
        (sa.Integer, 1),
        (sa.Float, 0.5),
        (sa.String, "x"),
    ):
        if isinstance(column.type, kind):
            return value
    return None


async def _seed_before_the_chain(database_url: str) -> dict[str, uuid.UUID]:
    """At the revision before consents and the audit chain: two organizations, a
    referral between them and three audit entries, written as that schema stood."""
    ids = {name: uuid.uuid4() for name in ("agency", "hub", "user", "mentee", "program", "referral")}
    engine = create_async_engine(database_url)
    now = datetime.now(UTC)

    def seed(sync: sa.Connection) -> None:
        metadata = sa.MetaData()
        metadata.reflect(sync)

        def insert(table: str, **values: object) -> None:
            # The old table's columns, typed as the models type them (UUIDs, UTC times).
            model = SQLModel.metadata.tables[table]
            old = metadata.tables[table].columns
            typed = sa.Table(table, sa.MetaData(), *(sa.Column(c.name, model.c[c.name].type) for c in old))
            row = {c.name: _filler(c) for c in old if not c.nullable and c.server_default is None}
            row.update(values)
            sync.execute(typed.insert().values(**row))

        for slug in ("agency", "hub"):
            insert("organizations", id=ids[slug], slug=slug, kind="settlement_agency", created_at=now)
        insert("users", id=ids["user"], email="staff@example.org", created_at=now, preferred_language="en")
        insert(
            "mentee_profiles",
            id=ids["mentee"],
            owner_organization_id=ids["agency"],
            immigration_status="permanent_resident",
            preferred_language="fr",
            created_at=now,
        )
        insert("programs", id=ids["program"], organization_id=ids["hub"], program_type="open", created_at=now)
        insert(
            "referrals",
            id=ids["referral"],
            mentee_id=ids["mentee"],
            program_id=ids["program"],
            referring_organization_id=ids["agency"],
            referred_by_user_id=ids["user"],
            status="admitted",
            consent_given_at=now,
            created_at=now,
        )
        for minute in range(3):
            insert(
                "audit_events",
                id=uuid.uuid4(),
                owner_organization_id=ids["agency"],
                actor_user_id=ids["user"],
                actor_organization_id=ids["hub"],
                mentee_id=ids["mentee"],
                action="read",
                grounds="referral",
                subject="profile",
                created_at=now + timedelta(minutes=minute),
            )

    try:
        async with engine.begin() as connection:
            await connection.run_sync(seed)
    finally:
        await engine.dispose()
    return ids


def test_existing_referrals_and_audit_entries_join_consents_and_the_chain(empty_database: str) -> None:
    migrate.upgrade("e92a81845fc3", database_url=empty_database)
    ids = asyncio.run(_seed_before_the_chain(empty_database))
    migrate.upgrade(database_url=empty_database)

    async def check() -> None:
        engine = create_async_engine(empty_database)
        try:
            async with AsyncSession(engine) as session:
                consents = list(await session.scalars(sa.select(Consent)))
                assert sorted((c.purpose, c.organization_id, c.mentee_id) for c in consents) == [
                    (ConsentPurpose.MENTOR_PROPOSAL, ids["hub"], ids["mentee"]),
                    (ConsentPurpose.REFERRAL, ids["hub"], ids["mentee"]),
                ]
                actor = Actor(
                    user_id=ids["user"],
                    display_name="Admin",
                    language=Language.EN,
                    organization_id=ids["agency"],
                    roles=frozenset({Role.ORG_ADMIN}),
                )
                assert await audit.verify_audit_trail(session, actor) == audit.ChainCheck(
                    valid=True, checked=3
                )
                # The migrated table is append-only like a new one.
                with pytest.raises(sa.exc.DBAPIError):
                    await session.execute(sa.delete(AuditEvent))
        finally:
            await engine.dispose()

    asyncio.run(check())
