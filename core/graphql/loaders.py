"""DataLoaders: one set per request, so that listing N records with their related
records costs a fixed number of queries instead of one per row."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from strawberry.dataloader import DataLoader

from core.models import Meeting, MentorProfile, Organization, Program, Referral, User
from core.services.lifecycle import settings_by_program
from core.services.mentors import commitments
from federation.sharing import MenteeView, mentee_views

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class MentorCard:
    profile: MentorProfile
    display_name: str


def _by_id(model: Any) -> Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, Any]]]:
    async def load(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
        rows = await session.scalars(select(model).where(model.id.in_(ids)))
        return {row.id: row for row in rows}

    return load


async def _mentor_cards(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, MentorCard]:
    rows = await session.execute(
        select(MentorProfile, User.display_name)
        .join(User, col(User.id) == MentorProfile.user_id)
        .where(col(MentorProfile.id).in_(ids))
    )
    return {profile.id: MentorCard(profile, name) for profile, name in rows}


async def _minutes_logged(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        select(Meeting.mentorship_id, func.sum(Meeting.minutes))
        .where(col(Meeting.mentorship_id).in_(ids))
        .group_by(col(Meeting.mentorship_id))
    )
    totals = {mentorship_id: int(total or 0) for mentorship_id, total in rows}
    return {mentorship_id: totals.get(mentorship_id, 0) for mentorship_id in ids}


class Loaders:
    def __init__(self, context: Any):
        self._context = context
        self.organization = self._loader(_by_id(Organization))
        self.program = self._loader(_by_id(Program))
        self.referral = self._loader(_by_id(Referral))
        self.mentor = self._loader(_mentor_cards)
        self.commitments = self._loader(commitments)
        self.minutes_logged = self._loader(_minutes_logged)
        self.lifecycle_settings = self._loader(settings_by_program)
        self.mentee = self._actor_loader(mentee_views)

    def _loader(
        self, fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, V]]]
    ) -> DataLoader[K, V | None]:
        async def load(keys: list[K]) -> list[V | None]:
            found = await self._context.run(fetch, keys)
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    def _actor_loader(
        self, fetch: Callable[..., Awaitable[dict[uuid.UUID, MenteeView]]]
    ) -> DataLoader[uuid.UUID, MenteeView | None]:
        """Loads newcomers' files through the sharing rules, as the actor: files they
        may not see load as None, and reads by another organization are audited."""

        async def load(keys: list[uuid.UUID]) -> list[MenteeView | None]:
            found = await self._context.call(fetch, keys)
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)
