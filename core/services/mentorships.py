"""Mentorships, their meetings, extensions, closure, and employment outcomes."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.models import (
    ClosureKind,
    EmploymentStatus,
    Meeting,
    MeetingMode,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    MentorshipExtension,
    MentorshipStatus,
    NotesVisibility,
    Outcome,
    OutcomeStage,
    Program,
)
from core.paging import fetch_page
from core.plugins import get_plugin_host, notify
from core.services import lifecycle
from federation.sharing import Grounds, audit_change

MEETING = "meeting"
# Months after closure at which each outcome stage falls due (recommendation 4).
STAGE_MONTHS = {
    OutcomeStage.CLOSURE: 0,
    OutcomeStage.MONTH_3: 3,
    OutcomeStage.MONTH_6: 6,
    OutcomeStage.MONTH_12: 12,
}


async def active_mentorship_id(
    session: AsyncSession, mentee_id: uuid.UUID, program_id: uuid.UUID
) -> uuid.UUID | None:
    """The newcomer's active mentorship in the program, if any."""
    return await session.scalar(
        select(Mentorship.id).where(
            Mentorship.mentee_id == mentee_id,
            Mentorship.program_id == program_id,
            Mentorship.status == MentorshipStatus.ACTIVE,
        )
    )


def _my_mentor_ids(actor: Actor) -> ColumnElement[bool]:
    return col(Mentorship.mentor_id).in_(
        select(MentorProfile.id).where(MentorProfile.user_id == actor.user_id)
    )


def _my_mentee_ids(actor: Actor) -> ColumnElement[bool]:
    return col(Mentorship.mentee_id).in_(
        select(MenteeProfile.id).where(MenteeProfile.user_id == actor.user_id)
    )


def visible_mentorships(actor: Actor) -> ColumnElement[bool]:
    """The pair see their own; staff see their programs' and their clients'."""
    staff: ColumnElement[bool] = false()
    if actor.is_reading_staff and actor.organization_id is not None:
        staff = or_(
            col(Mentorship.program_id).in_(
                select(Program.id).where(Program.organization_id == actor.organization_id)
            ),
            col(Mentorship.mentee_id).in_(
                select(MenteeProfile.id).where(MenteeProfile.owner_organization_id == actor.organization_id)
            ),
        )
    return or_(_my_mentor_ids(actor), _my_mentee_ids(actor), staff)


async def list_mentorships(
    session: AsyncSession,
    actor: Actor,
    *,
    status: MentorshipStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Mentorship], int]:
    query = select(Mentorship).where(visible_mentorships(actor))
    if status is not None:
        query = query.where(Mentorship.status == status)
    rows, total = await fetch_page(
        session,
        query.order_by(col(Mentorship.agreement_date).desc(), col(Mentorship.id)),
        limit=limit,
        offset=offset,
    )
    return list(rows), total


async def get_mentorship(session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID) -> Mentorship:
    mentorship = await session.scalar(
        select(Mentorship).where(Mentorship.id == mentorship_id, visible_mentorships(actor))
    )
    if mentorship is None:
        raise NotFound()
    return mentorship


async def _side(session: AsyncSession, actor: Actor, mentorship: Mentorship) -> str | None:
    mentor = await session.get_one(MentorProfile, mentorship.mentor_id)
    if mentor.user_id == actor.user_id:
        return "mentor"
    mentee = await session.get_one(MenteeProfile, mentorship.mentee_id)
    return "mentee" if mentee.user_id == actor.user_id else None


async def _for_program_staff(
    session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID
) -> tuple[Mentorship, Program]:
    mentorship = await get_mentorship(session, actor, mentorship_id)
    program = await session.get_one(Program, mentorship.program_id)
    if not actor.is_staff_of(program.organization_id):
        raise Forbidden()
    return mentorship, program


def _require_active(mentorship: Mentorship) -> None:
    if mentorship.status != MentorshipStatus.ACTIVE:
        raise DomainError("MENTORSHIP_CLOSED")


async def log_meeting(
    session: AsyncSession,
    actor: Actor,
    mentorship_id: uuid.UUID,
    *,
    occurred_on: date,
    minutes: int,
    mode: MeetingMode,
    notes: str = "",
    notes_visibility: NotesVisibility = NotesVisibility.PAIR,
    activity: str = MEETING,
) -> Meeting:
    """The mentor or the mentee logs a meeting of their active mentorship, or another
    activity its program type offers (job shadowing in an employer-sponsored program)."""
    mentorship = await get_mentorship(session, actor, mentorship_id)
    if await _side(session, actor, mentorship) is None:
        raise Forbidden()
    _require_active(mentorship)
    validation.not_in_future(occurred_on, "occurredOn")
    if occurred_on < mentorship.agreement_date:
        raise DomainError("DATE_BEFORE_AGREEMENT", field="occurredOn")
    if activity != MEETING:
        program = await session.get_one(Program, mentorship.program_id)
        if activity not in get_plugin_host().activity_kinds(program.program_type):
            raise DomainError("UNKNOWN_ACTIVITY", field="activity", activity=activity)
    meeting = Meeting(
        mentorship_id=mentorship.id,
        occurred_on=occurred_on,
        minutes=validation.integer(minutes, "minutes", minimum=5, maximum=600),
        mode=mode,
        notes=validation.text(notes, "notes", max_length=8000),
        notes_visibility=notes_visibility,
        activity=activity,
        logged_by_user_id=actor.user_id,
    )
    session.add(meeting)
    await session.flush()
    return meeting


@dataclass(frozen=True)
class MeetingEntry:
    meeting: Meeting
    notes: str | None  # None where the pair kept the notes to themselves


async def meetings(session: AsyncSession, actor: Actor, mentorship: Mentorship) -> list[MeetingEntry]:
    """The meeting log, as the actor may read it."""
    in_pair = await _side(session, actor, mentorship) is not None
    rows = await session.scalars(
        select(Meeting)
        .where(Meeting.mentorship_id == mentorship.id)
        .order_by(col(Meeting.occurred_on), col(Meeting.created_at))
    )
    return [
        MeetingEntry(
            meeting,
            meeting.notes if in_pair or meeting.notes_visibility == NotesVisibility.STAFF else None,
        )
        for meeting in rows
    ]


async def extend_mentorship(
    session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID, *, new_end: date, reason: str = ""
) -> Mentorship:
    mentorship, _ = await _for_program_staff(session, actor, mentorship_id)
    _require_active(mentorship)
    if new_end <= mentorship.planned_end:
        raise DomainError("INVALID_EXTENSION", field="newEnd")
    session.add(
        MentorshipExtension(
            mentorship_id=mentorship.id,
            previous_end=mentorship.planned_end,
            new_end=new_end,
            reason=validation.text(reason, "reason", max_length=2000),
            created_by_user_id=actor.user_id,
        )
    )
    mentorship.planned_end = new_end
    await session.flush()
    await lifecycle.plan_check_ins(session, mentorship)
    return mentorship


async def close_mentorship(
    session: AsyncSession,
    actor: Actor,
    mentorship_id: uuid.UUID,
    *,
    status: MentorshipStatus,
    reason: str = "",
    kind: ClosureKind | None = None,
) -> Mentorship:
    """Program staff close a mentorship: completed, by mutual agreement (goals met) or
    at the end of the term, or ended early, which needs a reason. Without ``kind``, a
    completion on or after the planned end is the end of the term."""
    mentorship, program = await _for_program_staff(session, actor, mentorship_id)
    _require_active(mentorship)
    if status == MentorshipStatus.ACTIVE:
        raise DomainError("INVALID_INPUT", field="status")
    today = clock.now().date()
    if kind is None:
        if status == MentorshipStatus.ENDED_EARLY:
            kind = ClosureKind.EARLY
        elif today >= mentorship.planned_end:
            kind = ClosureKind.END_OF_TERM
        else:
            kind = ClosureKind.MUTUAL_AGREEMENT
    elif (kind == ClosureKind.EARLY) != (status == MentorshipStatus.ENDED_EARLY):
        raise DomainError("CLOSURE_KIND_MISMATCH", field="kind")
    if kind == ClosureKind.END_OF_TERM and today < mentorship.planned_end:
        raise DomainError("TERM_NOT_OVER", field="kind", end=mentorship.planned_end.isoformat())
    reason = validation.text(reason, "reason", max_length=2000)
    if status == MentorshipStatus.ENDED_EARLY and not reason:
        raise DomainError("REQUIRED", field="reason")
    mentorship.status = status
    mentorship.closure_kind = kind
    mentorship.closure_reason = reason
    mentorship.closed_at = clock.now()
    mentorship.closed_by_user_id = actor.user_id
    await lifecycle.mentorship_closed(session, mentorship)
    await session.flush()
    await notify(session, "mentorship_closed", program, actor=actor, mentorship=mentorship)
    return mentorship


def stage_due_on(mentorship: Mentorship, stage: OutcomeStage) -> date | None:
    if mentorship.closed_at is None:
        return None
    closed = mentorship.closed_at.date()
    months = STAGE_MONTHS[stage]
    month_index = closed.month - 1 + months
    year, month = closed.year + month_index // 12, month_index % 12 + 1
    day = min(closed.day, 28)  # a date that exists in every month
    return date(year, month, day) if months else closed


async def record_outcome(
    session: AsyncSession,
    actor: Actor,
    mentorship_id: uuid.UUID,
    *,
    stage: OutcomeStage,
    status: EmploymentStatus,
    job_noc: str | None = None,
    note: str = "",
) -> Outcome:
    """Staff of the program or of the newcomer's agency, or the newcomer, record the
    employment outcome of a closed mentorship at closure or 3, 6, 12 months after."""
    mentorship = await get_mentorship(session, actor, mentorship_id)
    mentee = await session.get_one(MenteeProfile, mentorship.mentee_id)
    program = await session.get_one(Program, mentorship.program_id)
    by_program_staff = actor.is_staff_of(program.organization_id)
    if not (
        by_program_staff or actor.is_staff_of(mentee.owner_organization_id) or mentee.user_id == actor.user_id
    ):
        raise Forbidden()
    due = stage_due_on(mentorship, stage)
    if due is None or due > clock.now().date():
        raise DomainError("OUTCOME_NOT_DUE", due=due.isoformat() if due else "")
    existing = await session.scalar(
        select(Outcome.id).where(Outcome.mentorship_id == mentorship.id, Outcome.stage == stage)
    )
    if existing is not None:
        raise DomainError("OUTCOME_ALREADY_RECORDED")
    employed = status in (
        EmploymentStatus.EMPLOYED_IN_FIELD,
        EmploymentStatus.EMPLOYED_RELATED_FIELD,
        EmploymentStatus.EMPLOYED_OUTSIDE_FIELD,
    )
    if job_noc and not employed:
        raise DomainError("INVALID_INPUT", field="jobNoc")
    outcome = Outcome(
        mentorship_id=mentorship.id,
        mentee_id=mentee.id,
        stage=stage,
        status=status,
        job_noc=validation.noc(job_noc, "jobNoc") if job_noc else None,
        note=validation.text(note, "note", max_length=2000),
        recorded_by_user_id=actor.user_id,
    )
    session.add(outcome)
    await audit_change(session, actor, mentee, "outcome", Grounds.REFERRAL)
    await session.flush()
    await notify(session, "outcome_recorded", program, actor=actor, outcome=outcome)
    return outcome


async def extensions(session: AsyncSession, mentorship_id: uuid.UUID) -> list[MentorshipExtension]:
    return list(
        await session.scalars(
            select(MentorshipExtension)
            .where(MentorshipExtension.mentorship_id == mentorship_id)
            .order_by(col(MentorshipExtension.created_at))
        )
    )


async def outcomes(session: AsyncSession, mentorship_id: uuid.UUID) -> list[Outcome]:
    rows = await session.scalars(select(Outcome).where(Outcome.mentorship_id == mentorship_id))
    order = list(STAGE_MONTHS)
    return sorted(rows, key=lambda outcome: order.index(OutcomeStage(outcome.stage)))


def planned_hours(program: Program, mentorship: Mentorship) -> float:
    weeks = max((mentorship.planned_end - mentorship.agreement_date) / timedelta(weeks=1), 0)
    return round(weeks * program.meeting_minutes_per_week / 60, 1)
