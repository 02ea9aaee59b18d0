"""What a job is given to run, and what a job definition is."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.mail import Mailer
from core.settings import Settings


@dataclass(frozen=True)
class JobContext:
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    mailer: Mailer


@dataclass(frozen=True)
class JobDefinition:
    """``run(context, **args)``; raising makes the runner retry it later, up to
    ``job_max_attempts`` runs. A periodic job runs every ``reminder_scan_minutes`` and
    once when a worker starts; it takes no arguments."""

    name: str
    run: Callable[..., Awaitable[None]]
    periodic: bool = False

    async def __call__(self, context: JobContext, args: dict[str, Any]) -> None:
        await self.run(context, **args)
