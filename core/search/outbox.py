"""The transactional outbox that keeps the search index following the database.

A use case that changes a mentor profile calls ``record`` in its own transaction: the
outbox row commits with the change or not at all. ``drain`` then indexes the mentors the
rows name, as the database holds them at that moment, and only afterwards deletes the
rows it handled; when the engine is down the rows stay and the next drain retries them,
so no update is lost and a late or repeated update still writes the latest state.
``reindex`` rebuilds the whole index from the database.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from core.models import MentorProfile, SearchOutbox
from core.search.documents import CHUNK, build_documents, mentor_documents
from core.search.port import SearchEngine, SearchUnavailable

logger = logging.getLogger(__name__)


def record(session: AsyncSession, mentor_ids: Iterable[uuid.UUID]) -> None:
    """Note, in the caller's transaction, that these mentors' documents must be rebuilt."""
    session.add_all(SearchOutbox(mentor_id=mentor_id) for mentor_id in mentor_ids)


async def drain(sessions: async_sessionmaker[AsyncSession], engine: SearchEngine, *, batch: int = 500) -> int:
    """Index the mentors the outbox names, oldest rows first, until it is empty; return
    how many mentors were indexed (or dropped from the index). When the engine is
    unavailable, stop and leave the rows for the next drain."""
    indexed = 0
    while True:
        async with sessions() as session:
            # Rows and profiles are read in one transaction: a row seen is a change the
            # profiles read after it already hold.
            rows = list(
                await session.execute(
                    select(SearchOutbox.id, SearchOutbox.mentor_id)
                    .order_by(col(SearchOutbox.id))
                    .limit(batch)
                )
            )
            if not rows:
                return indexed
            mentor_ids = list(dict.fromkeys(mentor_id for _, mentor_id in rows))
            documents, gone = await mentor_documents(session, mentor_ids)
        try:
            if documents:
                await engine.upsert(documents)
            if gone:
                await engine.delete(gone)
        except SearchUnavailable:
            logger.warning("Search engine unavailable: %d outbox rows kept for the next drain", len(rows))
            return indexed
        # Exactly the rows handled: rows written meanwhile (even with a smaller id, by a
        # transaction that committed late) are changes not indexed yet, and stay.
        await _delete_rows(sessions, [row_id for row_id, _ in rows])
        indexed += len(mentor_ids)


async def reindex(
    sessions: async_sessionmaker[AsyncSession],
    engine: SearchEngine,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 1000,
) -> int:
    """Rebuild the whole index from the database: every active mentor, by batches in id
    order, ``progress(done, total)`` after each. Outbox rows already written when it
    starts are covered by the rebuild and deleted at the end; later rows stay for the
    next drain. Raises ``SearchUnavailable`` when the engine is down."""
    async with sessions() as session:
        covered = list(await session.scalars(select(SearchOutbox.id)))
        total = (
            await session.scalar(
                select(func.count()).select_from(MentorProfile).where(col(MentorProfile.is_active).is_(True))
            )
            or 0
        )
    await engine.configure()
    await engine.clear()
    done = 0
    if progress is not None:
        progress(done, total)
    last: uuid.UUID | None = None
    while True:
        async with sessions() as session:
            query = select(MentorProfile).where(col(MentorProfile.is_active).is_(True))
            if last is not None:
                query = query.where(col(MentorProfile.id) > last)
            mentors = list(await session.scalars(query.order_by(col(MentorProfile.id)).limit(batch)))
            if not mentors:
                break
            documents = await build_documents(session, mentors)
        await engine.upsert(documents)
        last = mentors[-1].id
        done += len(documents)
        if progress is not None:
            progress(done, max(total, done))
    await _delete_rows(sessions, covered)
    return done


async def _delete_rows(sessions: async_sessionmaker[AsyncSession], row_ids: Sequence[int]) -> None:
    if not row_ids:
        return
    highest = max(row_ids)
    async with sessions() as session, session.begin():
        for start in range(0, len(row_ids), CHUNK):
            await session.execute(
                delete(SearchOutbox).where(
                    col(SearchOutbox.id) <= highest, col(SearchOutbox.id).in_(row_ids[start : start + CHUNK])
                )
            )


async def run_indexer(
    sessions: async_sessionmaker[AsyncSession],
    engine: Callable[[], SearchEngine],
    *,
    interval: float = 1.0,
) -> None:
    """Drain the outbox every ``interval`` seconds until cancelled (the server's
    background indexer); ``engine`` gives the engine in use at each round. The index is
    configured first, retried at each round while the engine is unavailable. A failed
    round is logged and retried at the next: the rows stay in the outbox meanwhile."""
    configured = False
    while True:
        try:
            if not configured:
                await engine().configure()
                configured = True
            await drain(sessions, engine())
        except SearchUnavailable:
            logger.warning("Search engine unavailable: the indexer retries")
        except Exception:  # e.g. the database briefly unreachable
            logger.exception("Search indexer round failed; retrying")
        await asyncio.sleep(interval)
