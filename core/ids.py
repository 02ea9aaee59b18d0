"""Identifiers. UUIDs so records can travel between federated deployments unchanged.

The demo seeder draws them from a seeded generator so that the demo is identical on
every machine.
"""

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_rng: ContextVar[random.Random | None] = ContextVar("tremplin_id_rng", default=None)


def new_id() -> uuid.UUID:
    rng = _rng.get()
    if rng is None:
        return uuid.uuid4()
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@contextmanager
def deterministic_ids(seed: int) -> Iterator[None]:
    token = _rng.set(random.Random(seed))
    try:
        yield
    finally:
        _rng.reset(token)
