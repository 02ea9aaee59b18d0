"""The platform's notion of "now".

Services never call ``datetime.now`` directly: proposals expire, outcomes fall due and
the demo replays months of history, so time has to be something a test or the demo
seeder can move.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_frozen: ContextVar[datetime | None] = ContextVar("tremplin_frozen_now", default=None)


def now() -> datetime:
    return _frozen.get() or datetime.now(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make ``now()`` answer ``moment`` inside the block."""
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
