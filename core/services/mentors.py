"""The shared mentor pool."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

import sqlalchemy as sa
from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, NotFound
from core.matching import declared
from core.models import (
    MatchProposal,
    MentorAffiliation,
    MentorProfile,
    MentorSharedWith,
    Mentorship,
    MentorshipStatus,
    MentorVisibility,
    Organization,
    ProposalStatus,
    Role,
)
from core.paging import fetch_page
from core.search import outbox
from federation.sharing import mentor_visible_to


@dataclass
class MentorData:
    occupation_noc: str
    job_title: str = ""
    industry_naics: str | None = None
    years_local_experience: int = 0
    languages: list[str] = field(default_factory=lambda: ["en"])
    city: str = ""
    province: str = "ON"
    open_to_virtual: bool = True
    capacity: int = 1
    availability: list[str] = field(default_factory=list)
    bio: str = ""
    affiliation: MentorAffiliation = MentorAffiliation.INDIVIDUAL
    visibility: MentorVisibility = MentorVisibility.PLATFORM
    shared_with_organization_ids: list[uuid.UUID] = field(default_factory=list)
    is_peer: bool = False
    employed_since: date | None = None
    cultural_backgrounds: list[str] = field(default_factory=list)
    work_style: dict[str, int] = field(default_factory=dict)


class _MentorFields(TypedDict):
    """The profile fields a mentor edits, validated, as ``MentorProfile`` keywords."""

    occupation_noc: str
    job_title: str
    industry_naics: str | None
    years_local_experience: int
    languages: list[str]
    city: str
    province: str
    open_to_virtual: bool
    capacity: int
    availability: list[str]
    bio: str
    affiliation: MentorAffiliation
    visibility: MentorVisibility
    is_peer: bool
    employed_since: date | None
    cultural_backgrounds: list[str]
    work_style: dict[str, int]


async def save_my_mentor_profile(session: AsyncSession, actor: Actor, data: MentorData) -> MentorProfile:
    """A mentor creates or updates their own profile, affiliated with the
    organization they act for."""
    organization_id = actor.require_role(Role.MENTOR)
    if data.visibility == MentorVisibility.CHOSEN_ORGANIZATIONS and not data.shared_with_organization_ids:
        raise DomainError("REQUIRED", field="sharedWithOrganizationIds")
    values: _MentorFields = {
        "occupation_noc": validation.noc(data.occupation_noc, "occupationNoc"),
        "job_title": validation.text(data.job_title, "jobTitle", max_length=200),
        "industry_naics": validation.naics(data.industry_naics, "industryNaics"),
        "years_local_experience": validation.integer(
            data.years_local_experience, "yearsLocalExperience", minimum=0, maximum=70
        ),
        "languages": validation.spoken_languages(data.languages),
        "city": validation.text(data.city, "city", max_length=100),
        "province": validation.province(data.province, "province"),
        "open_to_virtual": data.open_to_virtual,
        "capacity": validation.integer(data.capacity, "capacity", minimum=1, maximum=10),
        "availability": validation.availability(data.availability),
        "bio": validation.text(data.bio, "bio", max_length=4000),
        "affiliation": data.affiliation,
        "visibility": data.visibility,
        "is_peer": data.is_peer,
        "employed_since": data.employed_since
        and validation.not_in_future(data.employed_since, "employedSince"),
        "cultural_backgrounds": declared.cultural_backgrounds(data.cultural_backgrounds),
        "work_style": declared.work_style(data.work_style),
    }
    mentor = await session.scalar(select(MentorProfile).where(MentorProfile.user_id == actor.user_id))
    if mentor is None:
        mentor = MentorProfile(user_id=actor.user_id, organization_id=organization_id, **values)
        session.add(mentor)
        await session.flush()
    else:
        for name, value in values.items():
            setattr(mentor, name, value)
    await _share_with(session, mentor, data.shared_with_organization_ids)
    await session.flush()
    outbox.record(session, [mentor.id])
    return mentor


async def _share_with(
    session: AsyncSession, mentor: MentorProfile, organization_ids: list[uuid.UUID]
) -> None:
    for row in await session.scalars(select(MentorSharedWith).where(MentorSharedWith.mentor_id == mentor.id)):
        await session.delete(row)
    if mentor.visibility != MentorVisibility.CHOSEN_ORGANIZATIONS:
        return
    for organization_id in dict.fromkeys(organization_ids):
        if await session.get(Organization, organization_id) is None:
            raise DomainError("NOT_FOUND", field="sharedWithOrganizationIds")
        session.add(MentorSharedWith(mentor_id=mentor.id, organization_id=organization_id))


async def get_visible_mentor(session: AsyncSession, actor: Actor, mentor_id: uuid.UUID) -> MentorProfile:
    mentor = await session.scalar(
        select(MentorProfile).where(
            MentorProfile.id == mentor_id,
            or_(mentor_visible_to(actor.organization_id), col(MentorProfile.user_id) == actor.user_id),
        )
    )
    if mentor is None:
        raise NotFound()
    return mentor


async def commitments(
    session: AsyncSession, mentor_ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, int]:
    """How much of each mentor's capacity is taken (of every mentor with something
    taken when ``mentor_ids`` is None): active mentorships plus proposals still waiting
    for answers (a proposal reserves a place until it is answered or expires, so two
    coordinators cannot overbook a mentor)."""
    ids = None if mentor_ids is None else set(mentor_ids)
    taken: dict[uuid.UUID, int] = defaultdict(int) if ids is None else dict.fromkeys(ids, 0)
    if ids is not None and not ids:
        return taken
    active = select(Mentorship.mentor_id, func.count()).where(Mentorship.status == MentorshipStatus.ACTIVE)
    waiting = select(MatchProposal.mentor_id, func.count()).where(
        MatchProposal.status == ProposalStatus.PENDING, MatchProposal.expires_at > clock.now()
    )
    if ids is not None:
        active = active.where(col(Mentorship.mentor_id).in_(ids))
        waiting = waiting.where(col(MatchProposal.mentor_id).in_(ids))
    for query in (active.group_by(col(Mentorship.mentor_id)), waiting.group_by(col(MatchProposal.mentor_id))):
        for mentor_id, count in await session.execute(query):
            taken[mentor_id] += count
    return dict(taken)


async def list_visible_mentors(
    session: AsyncSession,
    actor: Actor,
    *,
    occupation_prefix: str = "",
    language: str = "",
    city: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MentorProfile], int]:
    """The part of the shared pool the actor's organization may see. Full-text search
    with facets comes with the search port (issue 5)."""
    actor.require_organization()
    query = select(MentorProfile).where(
        col(MentorProfile.is_active).is_(True),
        mentor_visible_to(actor.organization_id),
    )
    if occupation_prefix:
        if not occupation_prefix.isdigit() or len(occupation_prefix) > 5:
            raise DomainError("UNKNOWN_NOC", field="occupation", code=occupation_prefix)
        query = query.where(col(MentorProfile.occupation_noc).startswith(occupation_prefix))
    if city:
        query = query.where(func.lower(MentorProfile.city) == city.strip().lower())
    if language:
        code = validation.language_code(language, "language")
        # The JSON array's text holds each code quoted, on SQLite and PostgreSQL alike.
        query = query.where(sa.cast(MentorProfile.languages, sa.Text).like(f'%"{code}"%'))
    mentors, total = await fetch_page(
        session,
        query.order_by(col(MentorProfile.created_at), col(MentorProfile.id)),
        limit=limit,
        offset=offset,
    )
    return list(mentors), total
