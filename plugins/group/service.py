"""Group mentoring (London model): cohorts of newcomers with a few mentors of one
sector, their sessions and attendance.

Program staff (admins and coordinators of the program's organization) run cohorts.
Mentors and newcomers see the cohorts they belong to; an agency's staff see those its
clients attend. Nothing here reads a newcomer's file: callers show members through
``federation.sharing.mentee_views``, which applies the sharing rules and the audit.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, taxonomy, validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.models import (
    Language,
    MenteeProfile,
    MentorProfile,
    Program,
    Referral,
    ReferralStatus,
)
from core.paging import fetch_page
from core.services.programs import require_type_enabled
from federation.sharing import mentor_visible_to, staff_client_clause
from plugins.group.models import (
    Cohort,
    CohortMentee,
    CohortMentor,
    CohortStatus,
    GroupAttendance,
    GroupSession,
)

TYPE_KEY = "group"
# The seed's London model; a program overrides any of them in ``Program.settings``.
DEFAULT_SETTINGS = {"min_mentees": 8, "max_mentees": 10, "min_mentors": 2, "max_mentors": 3}


@dataclass(frozen=True)
class Limits:
    min_mentees: int
    max_mentees: int
    min_mentors: int
    max_mentors: int


def cohort_limits(program: Program) -> Limits:
    """The cohort sizes of a program: its own settings, else the type's defaults."""
    settings = {**DEFAULT_SETTINGS, **program.settings}
    return Limits(**{name: int(settings[name]) for name in DEFAULT_SETTINGS})


@dataclass(frozen=True)
class CohortView:
    """A cohort with its program and current members.

    A cohort below its minimum size is not refused: whether it starts anyway is the
    coordinator's call (a group of six that meets beats a group of eight that never
    does), so readiness is reported with what is missing.
    """

    cohort: Cohort
    program: Program
    mentors: list[CohortMentor]
    mentees: list[CohortMentee]

    @property
    def limits(self) -> Limits:
        return cohort_limits(self.program)

    @property
    def missing_mentees(self) -> int:
        return max(self.limits.min_mentees - len(self.mentees), 0)

    @property
    def missing_mentors(self) -> int:
        return max(self.limits.min_mentors - len(self.mentors), 0)

    @property
    def ready(self) -> bool:
        return self.missing_mentees == 0 and self.missing_mentors == 0


@dataclass(frozen=True)
class SessionEntry:
    session: GroupSession
    # Empty until staff record the roll call.
    attendance: list[GroupAttendance]


def visible_cohorts(actor: Actor) -> ColumnElement[bool]:
    """SQL: cohorts the actor may see: their organization's programs' (staff and
    viewers), those they mentor or attend, and those their organization's clients
    attend (the owning agency follows its clients)."""
    my_mentor_ids = select(MentorProfile.id).where(MentorProfile.user_id == actor.user_id)
    my_mentee_ids = select(MenteeProfile.id).where(MenteeProfile.user_id == actor.user_id)
    grants = [
        col(Cohort.id).in_(
            select(CohortMentor.cohort_id).where(col(CohortMentor.mentor_id).in_(my_mentor_ids))
        ),
        col(Cohort.id).in_(
            select(CohortMentee.cohort_id).where(col(CohortMentee.mentee_id).in_(my_mentee_ids))
        ),
    ]
    if actor.is_reading_staff and actor.organization_id is not None:
        grants.append(
            col(Cohort.program_id).in_(
                select(Program.id).where(Program.organization_id == actor.organization_id)
            )
        )
        grants.append(
            col(Cohort.id).in_(
                select(CohortMentee.cohort_id)
                .join(MenteeProfile, col(MenteeProfile.id) == CohortMentee.mentee_id)
                .where(MenteeProfile.owner_organization_id == actor.organization_id)
            )
        )
    return or_(*grants)


async def _views(session: AsyncSession, cohorts: list[Cohort]) -> list[CohortView]:
    """Cohorts with their programs and members, in a fixed number of queries."""
    if not cohorts:
        return []
    ids = [cohort.id for cohort in cohorts]
    programs = {
        program.id: program
        for program in await session.scalars(
            select(Program).where(col(Program.id).in_({cohort.program_id for cohort in cohorts}))
        )
    }
    mentors: dict[uuid.UUID, list[CohortMentor]] = {cohort_id: [] for cohort_id in ids}
    for mentor in await session.scalars(
        select(CohortMentor)
        .where(col(CohortMentor.cohort_id).in_(ids))
        .order_by(col(CohortMentor.created_at), col(CohortMentor.mentor_id))
    ):
        mentors[mentor.cohort_id].append(mentor)
    mentees: dict[uuid.UUID, list[CohortMentee]] = {cohort_id: [] for cohort_id in ids}
    for mentee in await session.scalars(
        select(CohortMentee)
        .where(col(CohortMentee.cohort_id).in_(ids))
        .order_by(col(CohortMentee.created_at), col(CohortMentee.mentee_id))
    ):
        mentees[mentee.cohort_id].append(mentee)
    return [
        CohortView(cohort, programs[cohort.program_id], mentors[cohort.id], mentees[cohort.id])
        for cohort in cohorts
    ]


async def _view(session: AsyncSession, cohort: Cohort) -> CohortView:
    (view,) = await _views(session, [cohort])
    return view


async def list_cohorts(
    session: AsyncSession,
    actor: Actor,
    *,
    program_id: uuid.UUID | None = None,
    status: CohortStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CohortView], int]:
    query = select(Cohort).where(visible_cohorts(actor))
    if program_id is not None:
        query = query.where(Cohort.program_id == program_id)
    if status is not None:
        query = query.where(Cohort.status == status)
    rows, total = await fetch_page(
        session, query.order_by(col(Cohort.starts_on).desc(), col(Cohort.id)), limit=limit, offset=offset
    )
    return await _views(session, list(rows)), total


async def get_cohort(session: AsyncSession, actor: Actor, cohort_id: uuid.UUID) -> CohortView:
    cohort = await session.scalar(select(Cohort).where(Cohort.id == cohort_id, visible_cohorts(actor)))
    if cohort is None:
        raise NotFound()
    return await _view(session, cohort)


async def _staff_program(session: AsyncSession, actor: Actor, program: Program) -> None:
    """Only the program's staff run its cohorts, and only while their organization
    keeps the group plugin enabled (existing cohorts stay readable)."""
    if not actor.is_staff_of(program.organization_id):
        raise Forbidden()
    if program.program_type != TYPE_KEY:
        raise DomainError("PROGRAM_NOT_GROUP", field="programId")
    await require_type_enabled(session, program.organization_id, TYPE_KEY)


async def _cohort_for_staff(
    session: AsyncSession, actor: Actor, cohort_id: uuid.UUID
) -> tuple[Cohort, Program]:
    # Locked until the change commits, so that two coordinators filling the last place
    # at once cannot overfill the cohort (PostgreSQL; SQLite runs one writer at a time).
    cohort = await session.scalar(
        select(Cohort).where(Cohort.id == cohort_id, visible_cohorts(actor)).with_for_update()
    )
    if cohort is None:
        raise NotFound()
    program = await session.get_one(Program, cohort.program_id)
    await _staff_program(session, actor, program)
    return cohort, program


def _require_open(cohort: Cohort) -> None:
    """A closed cohort's roster and sessions are the record of what took place."""
    if cohort.status != CohortStatus.OPEN:
        raise DomainError("COHORT_CLOSED")


def _sector(code: str) -> str:
    code = code.strip()
    if len(code) != 2 or code not in taxonomy.noc_table():
        raise DomainError("UNKNOWN_NOC", field="sector", code=code)
    return code


async def create_cohort(
    session: AsyncSession,
    actor: Actor,
    program_id: uuid.UUID,
    *,
    name: str,
    sector: str,
    language: Language,
    starts_on: date,
) -> CohortView:
    program = await session.get(Program, program_id)
    if program is None:
        raise NotFound(field="programId")
    await _staff_program(session, actor, program)
    if language.value not in program.languages:
        raise DomainError("COHORT_LANGUAGE_NOT_OFFERED", field="language")
    cohort = Cohort(
        program_id=program.id,
        name=validation.text(name, "name", max_length=200, required=True),
        sector=_sector(sector),
        language=language,
        starts_on=starts_on,
        created_by_user_id=actor.user_id,
    )
    session.add(cohort)
    await session.flush()
    return await _view(session, cohort)


async def close_cohort(session: AsyncSession, actor: Actor, cohort_id: uuid.UUID) -> CohortView:
    cohort, _ = await _cohort_for_staff(session, actor, cohort_id)
    _require_open(cohort)
    cohort.status = CohortStatus.CLOSED
    await session.flush()
    return await _view(session, cohort)


async def _count(
    session: AsyncSession, model: type[CohortMentor] | type[CohortMentee], cohort_id: uuid.UUID
) -> int:
    return (
        await session.scalar(select(func.count()).select_from(model).where(model.cohort_id == cohort_id)) or 0
    )


async def add_mentor(
    session: AsyncSession, actor: Actor, cohort_id: uuid.UUID, mentor_id: uuid.UUID
) -> CohortView:
    """A mentor of the pool the program's organization may see, working in the
    cohort's sector. Group mentoring takes none of the mentor's one-to-one capacity."""
    cohort, program = await _cohort_for_staff(session, actor, cohort_id)
    _require_open(cohort)
    mentor = await session.scalar(
        select(MentorProfile).where(MentorProfile.id == mentor_id, mentor_visible_to(program.organization_id))
    )
    if mentor is None:
        raise NotFound(field="mentorId")
    if not mentor.is_active:
        raise DomainError("MENTOR_UNAVAILABLE", field="mentorId")
    if not mentor.occupation_noc.startswith(cohort.sector):
        raise DomainError(
            "MENTOR_OUTSIDE_SECTOR", field="mentorId", occupation=mentor.occupation_noc, sector=cohort.sector
        )
    if await session.get(CohortMentor, (cohort.id, mentor.id)) is not None:
        raise DomainError("COHORT_MEMBER_ALREADY", field="mentorId")
    maximum = cohort_limits(program).max_mentors
    if await _count(session, CohortMentor, cohort.id) >= maximum:
        raise DomainError("GROUP_MENTORS_FULL", max=maximum)
    session.add(CohortMentor(cohort_id=cohort.id, mentor_id=mentor.id, added_by_user_id=actor.user_id))
    await session.flush()
    return await _view(session, cohort)


async def add_mentee(
    session: AsyncSession, actor: Actor, cohort_id: uuid.UUID, mentee_id: uuid.UUID
) -> CohortView:
    """A newcomer admitted to the group program. Only that referral is looked at:
    their referrals elsewhere (an open program's waiting list, say) stay as they are,
    so they keep their place in line for a one-to-one match."""
    cohort, program = await _cohort_for_staff(session, actor, cohort_id)
    _require_open(cohort)
    # A newcomer the organization may not see answers NOT_FOUND, so that their
    # existence does not leak.
    visible = await session.scalar(
        select(MenteeProfile.id).where(MenteeProfile.id == mentee_id, staff_client_clause(actor))
    )
    if visible is None:
        raise NotFound(field="menteeId")
    referral_id = await session.scalar(
        select(Referral.id).where(
            Referral.mentee_id == mentee_id,
            Referral.program_id == program.id,
            Referral.status == ReferralStatus.ADMITTED,
        )
    )
    if referral_id is None:
        raise DomainError("MENTEE_NOT_ADMITTED", field="menteeId")
    if await session.get(CohortMentee, (cohort.id, mentee_id)) is not None:
        raise DomainError("COHORT_MEMBER_ALREADY", field="menteeId")
    maximum = cohort_limits(program).max_mentees
    if await _count(session, CohortMentee, cohort.id) >= maximum:
        raise DomainError("GROUP_FULL", max=maximum)
    session.add(
        CohortMentee(
            cohort_id=cohort.id, mentee_id=mentee_id, referral_id=referral_id, added_by_user_id=actor.user_id
        )
    )
    await session.flush()
    return await _view(session, cohort)


async def remove_member(
    session: AsyncSession,
    actor: Actor,
    cohort_id: uuid.UUID,
    *,
    mentor_id: uuid.UUID | None = None,
    mentee_id: uuid.UUID | None = None,
) -> CohortView:
    """Take one mentor or one newcomer out of an open cohort. The attendance they
    already have stays recorded."""
    if (mentor_id is None) == (mentee_id is None):  # exactly one of them
        raise DomainError("INVALID_INPUT", field="mentorId")
    cohort, _ = await _cohort_for_staff(session, actor, cohort_id)
    _require_open(cohort)
    member: CohortMentor | CohortMentee | None
    if mentor_id is not None:
        member = await session.get(CohortMentor, (cohort.id, mentor_id))
    else:
        member = await session.get(CohortMentee, (cohort.id, mentee_id))
    if member is None:
        raise DomainError("NOT_A_MEMBER", field="mentorId" if mentor_id else "menteeId")
    await session.delete(member)
    await session.flush()
    return await _view(session, cohort)


async def schedule_session(
    session: AsyncSession,
    actor: Actor,
    cohort_id: uuid.UUID,
    *,
    held_on: date,
    minutes: int,
    topic: str,
) -> SessionEntry:
    cohort, _ = await _cohort_for_staff(session, actor, cohort_id)
    _require_open(cohort)
    if held_on < cohort.starts_on:
        raise DomainError(
            "SESSION_BEFORE_COHORT_START", field="heldOn", starts_on=cohort.starts_on.isoformat()
        )
    group_session = GroupSession(
        cohort_id=cohort.id,
        held_on=held_on,
        minutes=validation.integer(minutes, "minutes", minimum=15, maximum=480),
        topic=validation.text(topic, "topic", max_length=300, required=True),
        created_by_user_id=actor.user_id,
    )
    session.add(group_session)
    await session.flush()
    return SessionEntry(group_session, [])


async def record_attendance(
    session: AsyncSession,
    actor: Actor,
    session_id: uuid.UUID,
    *,
    present_mentee_ids: list[uuid.UUID],
    present_mentor_ids: list[uuid.UUID],
) -> SessionEntry:
    """The roll call of a session that took place: the members listed were present,
    the cohort's other members absent. Recording it again corrects it. A closed
    cohort still takes its last roll calls, often entered after the fact."""
    group_session = await session.get(GroupSession, session_id)
    if group_session is None:
        raise NotFound()
    cohort, _ = await _cohort_for_staff(session, actor, group_session.cohort_id)
    if group_session.held_on > clock.now().date():
        raise DomainError("SESSION_NOT_HELD", field="sessionId", held_on=group_session.held_on.isoformat())
    mentee_ids = set(
        await session.scalars(select(CohortMentee.mentee_id).where(CohortMentee.cohort_id == cohort.id))
    )
    mentor_ids = set(
        await session.scalars(select(CohortMentor.mentor_id).where(CohortMentor.cohort_id == cohort.id))
    )
    for field, present, members in (
        ("presentMenteeIds", present_mentee_ids, mentee_ids),
        ("presentMentorIds", present_mentor_ids, mentor_ids),
    ):
        for index, person_id in enumerate(present):
            if person_id not in members:
                raise DomainError("NOT_A_MEMBER", field=f"{field}[{index}]")
    # Only the current members' lines are replaced: those of people who have left the
    # cohort since stay as they were recorded.
    await session.execute(
        delete(GroupAttendance).where(
            col(GroupAttendance.session_id) == group_session.id,
            or_(
                col(GroupAttendance.mentee_id).in_(mentee_ids), col(GroupAttendance.mentor_id).in_(mentor_ids)
            ),
        )
    )
    line: dict[str, Any] = {"session_id": group_session.id, "recorded_by_user_id": actor.user_id}
    session.add_all(
        GroupAttendance(mentor_id=mentor_id, present=mentor_id in present_mentor_ids, **line)
        for mentor_id in mentor_ids
    )
    session.add_all(
        GroupAttendance(mentee_id=mentee_id, present=mentee_id in present_mentee_ids, **line)
        for mentee_id in mentee_ids
    )
    await session.flush()
    (entry,) = await sessions_of(session, [group_session])
    return entry


async def sessions_of(session: AsyncSession, group_sessions: list[GroupSession]) -> list[SessionEntry]:
    ids = [group_session.id for group_session in group_sessions]
    attendance: dict[uuid.UUID, list[GroupAttendance]] = {session_id: [] for session_id in ids}
    for line in await session.scalars(
        select(GroupAttendance)
        .where(col(GroupAttendance.session_id).in_(ids))
        # Mentors first, then newcomers, each in a stable order.
        .order_by(col(GroupAttendance.mentee_id).is_not(None), col(GroupAttendance.id))
    ):
        attendance[line.session_id].append(line)
    return [SessionEntry(group_session, attendance[group_session.id]) for group_session in group_sessions]


async def cohort_sessions(session: AsyncSession, cohort_id: uuid.UUID) -> list[SessionEntry]:
    """A cohort's sessions in date order, with their roll calls; for a cohort the caller
    already may see."""
    rows = await session.scalars(
        select(GroupSession)
        .where(GroupSession.cohort_id == cohort_id)
        .order_by(col(GroupSession.held_on), col(GroupSession.created_at))
    )
    return await sessions_of(session, list(rows))


async def leave_open_cohorts(session: AsyncSession, referral: Referral) -> None:
    """A newcomer whose referral to the group program is withdrawn leaves its open
    cohorts. Closed cohorts keep them on their roster: it records who took part."""
    open_cohorts = select(Cohort.id).where(
        Cohort.program_id == referral.program_id, Cohort.status == CohortStatus.OPEN
    )
    await session.execute(
        delete(CohortMentee).where(
            col(CohortMentee.mentee_id) == referral.mentee_id, col(CohortMentee.cohort_id).in_(open_cohorts)
        )
    )
