"""One page of a listing, and how many rows there are in all."""

from typing import TypeVar

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from core import validation

T = TypeVar("T")
MAX_PAGE = 200


async def fetch_page(
    session: AsyncSession, query: SelectOfScalar[T], *, limit: int, offset: int
) -> tuple[list[T], int]:
    """``query`` (already ordered, with a unique tiebreaker so pages never overlap)
    cut to ``limit`` rows from ``offset``, with the total count."""
    limit = validation.integer(limit, "limit", minimum=1, maximum=MAX_PAGE)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.limit(limit).offset(max(offset, 0)))
    return list(rows), total
