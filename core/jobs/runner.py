"""The runner for the configured database: procrastinate on PostgreSQL, the in-process
runner on SQLite. Both run ``definitions.DEFINITIONS``."""

import asyncio
import logging

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.jobs.embedded import EmbeddedRunner
from core.jobs.postgres import ProcrastinateRunner, install_schema
from core.jobs.registry import JobContext
from core.mail import Mailer
from core.settings import Settings

log = logging.getLogger(__name__)

Runner = EmbeddedRunner | ProcrastinateRunner


def uses_procrastinate(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "postgresql"


def job_runner(settings: Settings, sessions: async_sessionmaker[AsyncSession], mailer: Mailer) -> Runner:
    context = JobContext(sessions=sessions, settings=settings, mailer=mailer)
    url = settings.resolved_database_url
    return ProcrastinateRunner(context, url) if uses_procrastinate(url) else EmbeddedRunner(context)


async def prepare(database_url: str) -> None:
    """What the job engine needs in the database beyond the platform's migrations:
    procrastinate's schema on PostgreSQL (the embedded queue is a migrated table)."""
    if uses_procrastinate(database_url):
        await install_schema(database_url)


# A worker that lost its database waits this long before starting again.
RESTART_SECONDS = 10


async def keep_working(runner: Runner) -> None:
    """``runner.work()`` until cancelled, started again after a failure (the database
    unreachable at start-up, a connection lost)."""
    while True:
        try:
            await runner.work()
        except Exception:
            log.exception("Job worker stopped; starting again in %d s", RESTART_SECONDS)
        await asyncio.sleep(RESTART_SECONDS)
