"""Throttling what can be guessed: sign-in attempts, per account and per address.

An account that failed ``failures`` sign-ins within ``lockout`` is refused, even with the
right password, until the oldest of those failures is ``lockout`` old; an address may
try ``per_address`` sign-ins a minute, whoever it tries. Counts live in the memory of
the server process (one throttle per application): a restart forgets them, and several
processes each count their own, which still stops a guessing loop within any one of
them.
"""

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core import clock
from core.errors import DomainError

# Keys kept at most; the oldest are forgotten first, so a flood of made-up addresses
# cannot grow memory without bound.
MAX_KEYS = 100_000


@dataclass
class SlidingWindow:
    limit: int
    span: timedelta
    _hits: dict[str, deque[datetime]] = field(default_factory=dict)

    def _recent(self, key: str) -> deque[datetime]:
        hits = self._hits.get(key, deque())
        cutoff = clock.now() - self.span
        while hits and hits[0] <= cutoff:
            hits.popleft()
        return hits

    def wait(self, key: str) -> timedelta | None:
        """How long until ``key`` may try again; None when it may now."""
        hits = self._recent(key)
        if len(hits) < self.limit:
            return None
        return hits[0] + self.span - clock.now()

    def hit(self, key: str) -> None:
        hits = self._recent(key)
        hits.append(clock.now())
        self._hits.pop(key, None)
        self._hits[key] = hits  # most recent last: the first keys are the stalest
        while len(self._hits) > MAX_KEYS:
            del self._hits[next(iter(self._hits))]

    def forget(self, key: str) -> None:
        self._hits.pop(key, None)


@dataclass
class SignInThrottle:
    failures: SlidingWindow
    attempts: SlidingWindow

    @classmethod
    def of(cls, failures: int, lockout_minutes: int, per_address: int) -> "SignInThrottle":
        return cls(
            SlidingWindow(failures, timedelta(minutes=lockout_minutes)),
            SlidingWindow(per_address, timedelta(minutes=1)),
        )

    def check(self, email: str, address: str | None) -> None:
        """Refuse before any password is compared when either limit is reached."""
        waits = [self.failures.wait(f"account:{email}")]
        if address:
            waits.append(self.attempts.wait(f"address:{address}"))
        longest = max((wait for wait in waits if wait is not None), default=None)
        if longest is not None:
            raise DomainError("TOO_MANY_ATTEMPTS", minutes=max(1, math.ceil(longest.total_seconds() / 60)))
        if address:
            self.attempts.hit(f"address:{address}")

    def failed(self, email: str) -> None:
        self.failures.hit(f"account:{email}")

    def succeeded(self, email: str) -> None:
        self.failures.forget(f"account:{email}")
