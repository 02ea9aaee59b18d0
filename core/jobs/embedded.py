"""The in-process runner, for the embedded SQLite database: jobs are rows of the
platform's ``jobs`` table, so they survive a restart; a worker claims one with a
conditional update (two workers never run one job at the same time), runs it, and
deletes it, or schedules its retry, or keeps it as failed."""

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, delete, or_, update
from sqlmodel import col, select

from core import clock
from core.jobs.definitions import DEFINITIONS, retry_delay_seconds
from core.jobs.registry import JobContext
from core.models import Job, JobStatus

log = logging.getLogger(__name__)

# How long a claimed job may run before another worker takes it over, taking its first
# worker for dead.
LEASE = timedelta(minutes=10)


def _runnable() -> ColumnElement[bool]:
    now = clock.now()
    return or_(
        and_(col(Job.status) == JobStatus.TODO, col(Job.run_at) <= now),
        and_(col(Job.status) == JobStatus.RUNNING, col(Job.locked_until) < now),
    )


class EmbeddedRunner:
    def __init__(self, context: JobContext):
        self.context = context

    async def enqueue_periodic(self) -> None:
        """Queue each periodic job unless it is already waiting."""
        async with self.context.sessions() as session, session.begin():
            for definition in DEFINITIONS.values():
                if not definition.periodic:
                    continue
                waiting = await session.scalar(
                    select(Job.id).where(Job.name == definition.name, Job.status == JobStatus.TODO).limit(1)
                )
                if waiting is None:
                    session.add(Job(name=definition.name, args={}, run_at=clock.now()))

    async def _claim(self) -> Job | None:
        async with self.context.sessions() as session, session.begin():
            while True:
                job = await session.scalar(
                    select(Job).where(_runnable()).order_by(col(Job.run_at), col(Job.id)).limit(1)
                )
                if job is None:
                    return None
                claimed = await session.execute(
                    update(Job)
                    .where(col(Job.id) == job.id, _runnable())
                    .values(
                        status=JobStatus.RUNNING,
                        locked_until=clock.now() + LEASE,
                        attempts=col(Job.attempts) + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                if claimed.rowcount == 1:  # type: ignore[attr-defined]
                    await session.refresh(job)
                    return job

    async def _finish(self, job: Job, error: BaseException | None) -> None:
        settings = self.context.settings
        async with self.context.sessions() as session, session.begin():
            if error is None:
                await session.execute(delete(Job).where(col(Job.id) == job.id))
                return
            failed = job.attempts >= settings.job_max_attempts
            delay = timedelta(seconds=retry_delay_seconds(settings.job_retry_seconds, job.attempts))
            await session.execute(
                update(Job)
                .where(col(Job.id) == job.id)
                .values(
                    status=JobStatus.FAILED if failed else JobStatus.TODO,
                    run_at=clock.now() + delay,
                    locked_until=None,
                    last_error=f"{type(error).__name__}: {error}"[:2000],
                )
            )

    async def run_due(self) -> int:
        """Run every job due now, until none is left; how many runs were made."""
        runs = 0
        while (job := await self._claim()) is not None:
            runs += 1
            definition = DEFINITIONS.get(job.name)
            error: BaseException | None = None
            try:
                if definition is None:
                    raise LookupError(f"no job named {job.name!r}")
                await definition(self.context, job.args)
            except Exception as failure:  # kept on the job and retried
                log.exception("job %s #%s failed (attempt %d)", job.name, job.id, job.attempts)
                error = failure
            # A job that ran is recorded as run even when the worker is being stopped
            # meanwhile: otherwise, once its lease ran out, a mail would go out twice.
            finishing = asyncio.ensure_future(self._finish(job, error))
            try:
                await asyncio.shield(finishing)
            except asyncio.CancelledError:
                await finishing
                raise
        return runs

    async def work(self) -> None:
        """Run jobs as they fall due until cancelled; the periodic jobs at once, then
        every ``reminder_scan_minutes``."""
        settings = self.context.settings
        loop = asyncio.get_running_loop()
        next_periodic = loop.time()
        while True:
            try:
                if loop.time() >= next_periodic:
                    await self.enqueue_periodic()
                    next_periodic = loop.time() + settings.reminder_scan_minutes * 60
                await self.run_due()
            except Exception:  # e.g. the database briefly locked: the next round retries
                log.exception("Job worker round failed; retrying")
            await asyncio.sleep(settings.job_poll_seconds)
