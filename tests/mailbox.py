"""Reading what the platform mailed. Mail leaves from jobs, and the apps the tests build
run no job worker (``TREMPLIN_JOBS_IN_PROCESS=false``), so a test runs the due jobs
itself, as ``tremplin jobs run-due --no-scan`` does, before it reads the mail."""

from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core import mail
from core.jobs.runner import job_runner
from core.settings import Settings

PROCRASTINATE_TABLES = (
    "procrastinate_jobs, procrastinate_periodic_defers, procrastinate_events, procrastinate_workers"
)


async def empty_job_queue(engine: AsyncEngine) -> None:
    """procrastinate's tables are not the models' (the suite's cleanup does not empty
    them): without this, a test would deliver mail an earlier test left queued."""
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(sa.text(f"TRUNCATE {PROCRASTINATE_TABLES} CASCADE"))


@dataclass(frozen=True)
class Mailbox:
    """The mail of a server with ``settings`` on the test database."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]

    async def deliver(self) -> list[EmailMessage]:
        """Run the jobs due now with the server's mailer; then the development mailbox,
        oldest first (empty when the server's mail goes over SMTP)."""
        await job_runner(self.settings, self.sessions, mail.mailer_for(self.settings)).run_due()
        directory = mail.mailbox_directory(self.settings)
        return [mail.read_message(path) for path in mail.mailbox(directory)]
