"""An employer's view of its part in the platform: its programs and its mentors, with
how full each one is.

Programs are public (``programs.list_programs``). The mentors are those of the
representative's own organization, through the pool's sharing rule
(``mentor_visible_to``), so a mentor who shares their profile with nobody stays out;
how full each one is comes from ``mentors.commitments``."""

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.access import Actor
from core.models import MentorProfile, Program, Role, User
from core.services import mentors, programs
from federation.sharing import mentor_visible_to


@dataclass(frozen=True)
class EmployerView:
    programs: list[Program]
    mentors: list[tuple[MentorProfile, str]]  # with their display names
    taken: dict[uuid.UUID, int]


async def employer_overview(session: AsyncSession, actor: Actor) -> EmployerView:
    organization_id = actor.require_role(Role.EMPLOYER_REP, Role.ORG_ADMIN)
    rows = await session.execute(
        select(MentorProfile, User.display_name)
        .join(User, col(User.id) == MentorProfile.user_id)
        .where(MentorProfile.organization_id == organization_id, mentor_visible_to(organization_id))
        .order_by(User.display_name)
    )
    found = [(mentor, name) for mentor, name in rows]
    return EmployerView(
        programs=await programs.list_programs(session, organization_id),
        mentors=found,
        taken=await mentors.commitments(session, [mentor.id for mentor, _ in found]),
    )
