"""The PostgreSQL runner: procrastinate, with the same job definitions.

Jobs are deferred through procrastinate's SQL function in the use case's own
transaction (``core.jobs.queue``); procrastinate's worker fetches them (listening for
new ones), retries failures, runs the periodic scan on a cron schedule (deferred once
per period whatever the number of workers) and keeps a heartbeat, so the jobs of a
worker that died are taken up again by the next one to start."""

import logging
from typing import Any

from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.worker import WORKER_NAME
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.jobs.definitions import DEFINITIONS
from core.jobs.queue import enqueue
from core.jobs.registry import JobContext, JobDefinition

log = logging.getLogger(__name__)


class HideJobArguments(logging.Filter):
    """procrastinate writes each job's arguments into its log lines, and ours can carry
    a whole mail message, sign-in links included: keep the task's name and id only."""

    def filter(self, record: logging.LogRecord) -> bool:
        job = getattr(record, "job", None)
        if isinstance(job, dict) and job.get("call_string"):
            hidden = f"{job.get('task_name')}[{job.get('id')}](…)"
            record.msg = str(record.msg).replace(job["call_string"], hidden)
            record.job = {**job, "call_string": hidden, "task_kwargs": {}}
        return True


# A filter applies to the records of the logger it is attached to, not to its children's:
# the worker logs through a child named after it (we keep procrastinate's default name).
for _name in ("procrastinate.worker", f"procrastinate.worker.{WORKER_NAME}", "procrastinate.periodic"):
    logging.getLogger(_name).addFilter(HideJobArguments())

_WAITING = text("SELECT 1 FROM procrastinate_jobs WHERE task_name = :task AND status = 'todo' LIMIT 1")


def conninfo(database_url: str) -> str:
    """The libpq address of the platform's SQLAlchemy URL (``postgresql+asyncpg://``)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def procrastinate_app(database_url: str) -> App:
    return App(connector=PsycopgConnector(conninfo=conninfo(database_url), min_size=1, max_size=4))


async def install_schema(database_url: str) -> bool:
    """Create procrastinate's tables and functions unless present; whether it did."""
    app = procrastinate_app(database_url)
    async with app.open_async():
        row = await app.connector.execute_query_one_async(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
        )
        if row["present"]:
            return False
        await app.schema_manager.apply_schema_async()
        return True


class ProcrastinateRunner:
    def __init__(self, context: JobContext, database_url: str):
        self.context = context
        self.app = procrastinate_app(database_url)
        for definition in DEFINITIONS.values():
            self._register(definition)

    def _register(self, definition: JobDefinition) -> None:
        settings = self.context.settings
        context = self.context

        async def run(**args: Any) -> None:
            args.pop("timestamp", None)  # the schedule time procrastinate gives periodic runs
            await definition(context, args)

        # procrastinate counts retries, and waits ``wait + linear_wait * retries_so_far``:
        # the same waits as the embedded runner's.
        retry = (
            RetryStrategy(
                max_attempts=settings.job_max_attempts - 1,
                wait=settings.job_retry_seconds,
                linear_wait=settings.job_retry_seconds,
            )
            if settings.job_max_attempts > 1
            else False
        )
        task = self.app.task(name=definition.name, retry=retry)(run)
        if definition.periodic:
            every = f"*/{settings.reminder_scan_minutes} * * * *"
            # Typed as taking the schedule time first; ``run`` takes it as a keyword.
            self.app.periodic(cron=every, periodic_id=definition.name)(task)  # type: ignore[arg-type]

    async def enqueue_periodic(self) -> None:
        """Queue each periodic job unless it is already waiting."""
        async with self.context.sessions() as session, session.begin():
            for definition in DEFINITIONS.values():
                if not definition.periodic:
                    continue
                waiting = await session.execute(_WAITING, {"task": definition.name})
                if waiting.first() is None:
                    await enqueue(session, definition.name)

    async def _retry_stalled(self) -> None:
        """Jobs left running by a worker that stopped sending heartbeats run again."""
        for job in await self.app.job_manager.get_stalled_jobs():
            log.warning("Retrying job %s #%s left by a stalled worker", job.task_name, job.id)
            await self.app.job_manager.retry_job(job)

    async def run_due(self) -> None:
        """Run every job due now, until none is left."""
        async with self.app.open_async():
            await self._retry_stalled()
            await self.app.run_worker_async(
                wait=False, install_signal_handlers=False, listen_notify=False, delete_jobs="successful"
            )

    async def work(self) -> None:
        """Run jobs as they come until cancelled; the periodic jobs at once, then on
        their schedule."""
        async with self.app.open_async():
            await self.enqueue_periodic()
            await self._retry_stalled()
            await self.app.run_worker_async(
                install_signal_handlers=False,
                delete_jobs="successful",
                fetch_job_polling_interval=self.context.settings.job_poll_seconds,
            )
