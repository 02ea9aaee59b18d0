"""Reminders that fire once: each kind finds what is due at ``clock.now()`` and, per
thing due, in one transaction, writes its ``sent_reminders`` row (unique key: kind,
record, occasion) and queues the mail. A second scan, a restart or a second worker
running the same scan finds the row, or waits on it and then finds it, and sends
nothing. What fell due while nothing ran goes out at the next scan, unless it is more
than ``reminder_window_days`` overdue."""

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock
from core.i18n import translate
from core.jobs.invitations import day_text
from core.jobs.queue import queue_mail
from core.jobs.registry import JobContext
from core.mail import compose
from core.models import (
    CheckIn,
    IntegrationClient,
    Membership,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    MentorshipStatus,
    Outcome,
    OutcomeStage,
    Program,
    Role,
    SentReminder,
    User,
)
from core.services.mentorships import STAGE_MONTHS, stage_due_on

log = logging.getLogger(__name__)

OUTCOME_DUE = "outcome_due"
CHECK_IN_DUE = "check_in_due"


@dataclass(frozen=True)
class Due:
    """One thing a reminder is owed for."""

    subject_id: uuid.UUID
    occasion: str
    due_on: date


async def claim(session: AsyncSession, kind: str, due: Due, recipients: int) -> bool:
    """Write the reminder's row unless it exists; whether this transaction wrote it.
    Under a concurrent claim PostgreSQL waits for the other transaction and SQLite
    serializes writers, so exactly one of them gets ``True``."""
    values = {
        "id": uuid.uuid4(),
        "kind": kind,
        "subject_id": due.subject_id,
        "occasion": due.occasion,
        "recipients": recipients,
        "sent_at": clock.now(),
    }
    insert: Insert
    if session.get_bind().dialect.name == "postgresql":
        insert = postgresql.insert(SentReminder).values(values).on_conflict_do_nothing()
    else:
        insert = sqlite.insert(SentReminder).values(values).on_conflict_do_nothing()
    written = await session.scalar(insert.returning(col(SentReminder.id)))
    return written is not None


async def _already_sent(session: AsyncSession, kind: str) -> set[tuple[uuid.UUID, str]]:
    rows = await session.execute(
        select(SentReminder.subject_id, SentReminder.occasion).where(SentReminder.kind == kind)
    )
    return {(subject_id, occasion) for subject_id, occasion in rows}


async def coordinators(session: AsyncSession, organization_id: uuid.UUID) -> list[User]:
    """The people with the coordinator role in the organization (integration clients'
    service accounts read no mail)."""
    users = await session.scalars(
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(
            Membership.organization_id == organization_id,
            Membership.role == Role.COORDINATOR,
            col(User.is_active).is_(True),
            col(User.id).not_in(select(IntegrationClient.user_id)),
        )
        .distinct()
        .order_by(col(User.email))
    )
    return list(users)


def _program_name(program: Program, language: str) -> str:
    return program.name_fr if language == "fr" else program.name_en


# Outcome follow-ups --------------------------------------------------------------------


async def due_outcomes(session: AsyncSession, window: timedelta) -> list[Due]:
    """Stages of closed mentorships due today or up to ``window`` ago, with no outcome
    recorded and no reminder sent."""
    today = clock.now().date()
    # Past the last stage's window nothing is owed: those mentorships are not read.
    oldest_closure = clock.now() - timedelta(days=31 * max(STAGE_MONTHS.values())) - window
    mentorships = list(
        await session.scalars(
            select(Mentorship).where(
                col(Mentorship.closed_at).is_not(None), col(Mentorship.closed_at) >= oldest_closure
            )
        )
    )
    recorded = {
        (mentorship_id, str(stage))
        for mentorship_id, stage in await session.execute(
            select(Outcome.mentorship_id, Outcome.stage).where(
                col(Outcome.mentorship_id).in_([mentorship.id for mentorship in mentorships])
            )
        )
    }
    sent = await _already_sent(session, OUTCOME_DUE)
    owed = []
    for mentorship in mentorships:
        for stage in OutcomeStage:
            due_on = stage_due_on(mentorship, stage)
            key = (mentorship.id, stage.value)
            if due_on is None or key in recorded or key in sent:
                continue
            if due_on <= today and today - due_on <= window:
                owed.append(Due(mentorship.id, stage.value, due_on))
    return owed


async def remind_outcome(session: AsyncSession, due: Due) -> bool:
    """The program's coordinators and the newcomer (when they have an account) are told
    the stage is due and how to record it."""
    stage = OutcomeStage(due.occasion)
    if await session.scalar(
        select(Outcome.id).where(Outcome.mentorship_id == due.subject_id, Outcome.stage == stage)
    ):
        return False  # recorded since the scan read it
    mentorship = await session.get_one(Mentorship, due.subject_id)
    program = await session.get_one(Program, mentorship.program_id)
    mentee = await session.get_one(MenteeProfile, mentorship.mentee_id)
    staff = await coordinators(session, program.organization_id)
    newcomer = await session.get(User, mentee.user_id) if mentee.user_id else None
    newcomers = [newcomer] if newcomer is not None and newcomer.is_active else []
    if not await claim(session, OUTCOME_DUE, due, len(staff) + len(newcomers)):
        return False
    for user, key in [*((user, "staff") for user in staff), *((user, "mentee") for user in newcomers)]:
        language = str(user.preferred_language)
        await queue_mail(
            session,
            compose(
                user.email,
                language,
                f"reminder.outcome_due.{key}",
                name=user.display_name,
                mentee=mentee.first_name,
                program=_program_name(program, language),
                stage=translate(f"jobs.stage.{stage.value}", language),
                due=day_text(due.due_on, language),
                reference=str(mentorship.id),
            ),
        )
    return True


# Monthly check-ins ---------------------------------------------------------------------


async def due_check_ins(session: AsyncSession, window: timedelta) -> list[Due]:
    """Check-ins of active mentorships due today or up to ``window`` ago, not done, not
    reminded yet."""
    today = clock.now().date()
    rows = await session.execute(
        select(col(CheckIn.id), col(CheckIn.due_on))
        .join(Mentorship, col(Mentorship.id) == col(CheckIn.mentorship_id))
        .where(
            col(CheckIn.done_at).is_(None),
            col(CheckIn.due_on) <= today,
            col(CheckIn.due_on) >= today - window,
            Mentorship.status == MentorshipStatus.ACTIVE,
        )
    )
    sent = await _already_sent(session, CHECK_IN_DUE)
    return [
        Due(check_in_id, due_on.isoformat(), due_on)
        for check_in_id, due_on in rows
        if (check_in_id, due_on.isoformat()) not in sent
    ]


async def remind_check_in(session: AsyncSession, due: Due) -> bool:
    """The program's coordinators, who facilitate the check-ins, are told one is due."""
    check_in = await session.get(CheckIn, due.subject_id)
    if check_in is None or check_in.done_at is not None:
        return False  # done, or removed by a closure, since the scan read it
    mentorship = await session.get_one(Mentorship, check_in.mentorship_id)
    program = await session.get_one(Program, mentorship.program_id)
    mentee = await session.get_one(MenteeProfile, mentorship.mentee_id)
    mentor = await session.get_one(MentorProfile, mentorship.mentor_id)
    mentor_user = await session.get_one(User, mentor.user_id)
    staff = await coordinators(session, program.organization_id)
    if not await claim(session, CHECK_IN_DUE, due, len(staff)):
        return False
    for user in staff:
        language = str(user.preferred_language)
        await queue_mail(
            session,
            compose(
                user.email,
                language,
                "reminder.check_in_due",
                name=user.display_name,
                mentee=mentee.first_name,
                mentor=mentor_user.display_name,
                program=_program_name(program, language),
                due=day_text(due.due_on, language),
                reference=str(mentorship.id),
            ),
        )
    return True


# The scan ------------------------------------------------------------------------------

Finder = Callable[[AsyncSession, timedelta], Awaitable[list[Due]]]
Sender = Callable[[AsyncSession, Due], Awaitable[bool]]
KINDS: dict[str, tuple[Finder, Sender]] = {
    OUTCOME_DUE: (due_outcomes, remind_outcome),
    CHECK_IN_DUE: (due_check_ins, remind_check_in),
}


async def scan_due_reminders(context: JobContext) -> None:
    """Send every reminder due now, each in its own transaction: one that fails (its
    record changed under it) is logged and retried at the next scan, the others go."""
    window = timedelta(days=context.settings.reminder_window_days)
    for kind, (find, send) in KINDS.items():
        async with context.sessions() as session:
            owed = await find(session, window)
        sent = 0
        for due in owed:
            try:
                async with context.sessions() as session, session.begin():
                    sent += await send(session, due)
            except Exception:  # the next scan tries it again
                log.exception("%s reminder for %s (%s) failed", kind, due.subject_id, due.occasion)
        if sent:
            log.info("%d %s reminder(s) sent", sent, kind)
