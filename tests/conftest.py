"""Every database test runs twice: on SQLite and on PostgreSQL.

PostgreSQL comes from ``TREMPLIN_TEST_POSTGRES_URL`` (default: the machine's local
server). When it cannot be reached those runs are skipped with the reason, unless
``TREMPLIN_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), which makes them fail instead.
"""

import os

# Cheap password hashing for tests; set before any settings object is built.
os.environ.setdefault("TREMPLIN_ARGON2_TIME_COST", "1")
os.environ.setdefault("TREMPLIN_ARGON2_MEMORY_COST", "64")
# No job worker inside the apps tests build: it would change tables while a test compares
# them. The job tests run their runners themselves.
os.environ.setdefault("TREMPLIN_JOBS_IN_PROCESS", "false")

import hashlib
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers every table on the metadata)
from core.db import _sqlite_pragmas, session_factory
from core.jobs.runner import prepare as prepare_jobs
from core.plugins import get_plugin_host

REPOSITORY = Path(__file__).parents[1]
TEST_PLUGIN = REPOSITORY / "tests" / "plugins" / "reverse_mentoring"
INSTALLED_TEST_PLUGINS = REPOSITORY / ".test-plugins"


def install_test_plugin() -> None:
    """pip-install the test-only third-party plugin into this test run only: a real
    distribution whose `tremplin` entry point the plugin host discovers, as it would an
    organization's own plugin. Reinstalled when its sources change."""
    sources = sorted(p for p in TEST_PLUGIN.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()
    stamp = INSTALLED_TEST_PLUGINS / ".sources-sha256"
    if not (stamp.exists() and stamp.read_text() == digest):
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--upgrade"]
        subprocess.run([*command, "--target", str(INSTALLED_TEST_PLUGINS), str(TEST_PLUGIN)], check=True)
        stamp.write_text(digest)
    sys.path.insert(0, str(INSTALLED_TEST_PLUGINS))


install_test_plugin()
# Plugins may declare tables of their own: load them (and the test plugin) before any create_all.
get_plugin_host()

if TYPE_CHECKING:
    from litestar import Litestar

    from tests.graphql_client import GraphQL
    from tests.mailbox import Mailbox
    from tests.world import World

POSTGRES_URL = os.environ.get(
    "TREMPLIN_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("TREMPLIN_REQUIRE_POSTGRES") == "1"
_postgres_state: dict[str, object] = {}


async def _postgres_ready() -> str | None:
    """None when PostgreSQL is usable, else why not. The schema is rebuilt once per run."""
    if "error" not in _postgres_state:
        engine = create_async_engine(POSTGRES_URL)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(SQLModel.metadata.drop_all)
                await connection.run_sync(SQLModel.metadata.create_all)
            await prepare_jobs(POSTGRES_URL)  # procrastinate's schema: use cases defer jobs into it
            _postgres_state["error"] = None
        except Exception as error:  # any connection failure means "not reachable"
            _postgres_state["error"] = f"PostgreSQL at {POSTGRES_URL} unusable: {error!r}"
        finally:
            await engine.dispose()
    return _postgres_state["error"]  # type: ignore[return-value]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if backend == "sqlite":
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        async with engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
        yield engine
        await engine.dispose()
        return
    error = await _postgres_ready()
    if error:
        if REQUIRE_POSTGRES:
            pytest.fail(error)
        pytest.skip(error)
    engine = create_async_engine(POSTGRES_URL)
    yield engine
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(sa.text(f"TRUNCATE {tables} CASCADE"))
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> "World":
    from tests.world import build_world

    return await build_world(sessions)


@pytest.fixture
async def app(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator["Litestar"]:
    """The whole application on the test database, with an in-memory search index that
    the tests fill themselves (``core.search.outbox.drain``): a background indexer would
    change tables while a test compares them."""
    from core.app import create_app
    from core.search.embedded import EmbeddedSearch
    from core.settings import Settings

    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, data_dir=tmp_path, debug=False)
    yield create_app(settings, EmbeddedSearch(None), index_in_background=False)


@pytest.fixture
async def mailbox(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> "Mailbox":
    """The mail of the ``app`` fixture's server (same database and data dir):
    ``await mailbox.deliver()`` runs the due jobs and returns the messages sent so far."""
    from core.settings import Settings
    from tests.mailbox import Mailbox, empty_job_queue

    await empty_job_queue(engine)
    url = engine.url.render_as_string(hide_password=False)
    return Mailbox(Settings(database_url=url, data_dir=tmp_path, debug=False), sessions)


@pytest.fixture
async def graphql(app: "Litestar") -> AsyncIterator["GraphQL"]:
    from litestar.testing import AsyncTestClient

    from tests.graphql_client import GraphQL

    async with AsyncTestClient(app) as client:
        yield GraphQL(client)
