"""Reminders with simulated time: a mentorship driven from agreement to its 12-month
outcome, every reminder sent once when due, never before, never again — on the next
scan, after a restart, or when it fell due while nothing was running (the server's
start-up scan sends it). On SQLite (the in-process runner) and PostgreSQL (procrastinate)."""

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select

from core import clock, mail
from core.app import create_app
from core.models import (
    CheckIn,
    EmploymentStatus,
    Language,
    Mentorship,
    MentorshipStatus,
    OutcomeStage,
    SentReminder,
    User,
)
from core.search.embedded import EmbeddedSearch
from core.services import mentorships
from core.settings import Settings
from tests.core.test_jobs import inbox, job_settings, no_jobs_yet, runner_for
from tests.world import World, active_mentorship

__all__ = ["no_jobs_yet"]  # the fixture, shared with the engine's tests


def at(day: date) -> datetime:
    """Mid-morning UTC on ``day``: what a scan that day sees as now."""
    return datetime.combine(day, time(10), tzinfo=UTC)


async def scan(settings: Settings, sessions: async_sessionmaker[AsyncSession], day: date) -> None:
    """A worker (new each time, as after a restart) scanning for due reminders on ``day``."""
    with clock.frozen_at(at(day)):
        runner = runner_for(settings, sessions)
        await runner.enqueue_periodic()
        await runner.run_due()


def received(settings: Settings, seen: int) -> list[tuple[str, str]]:
    """(recipient, subject) of the mail after the first ``seen`` messages."""
    return sorted((message["To"], message["Subject"]) for message in inbox(settings)[seen:])


async def _user_language(sessions: async_sessionmaker[AsyncSession], email: str, language: Language) -> None:
    async with sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        user.preferred_language = language


async def _record(
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    mentorship_id: uuid.UUID,
    stage: OutcomeStage,
    day: date,
) -> None:
    with clock.frozen_at(at(day)):
        async with sessions() as session, session.begin():
            await mentorships.record_outcome(
                session,
                world.actors["hub_coordinator"],
                mentorship_id,
                stage=stage,
                status=EmploymentStatus.EMPLOYED_IN_FIELD,
            )


async def _start_server_until_mail(settings: Settings, day: date, expected: int) -> list[EmailMessage]:
    """A server started on ``day`` with its job worker: its start-up scan sends what
    fell due while nothing ran. Waits for the mail (the worker runs beside the app)."""
    app = create_app(
        settings.model_copy(update={"jobs_in_process": True}), EmbeddedSearch(None), index_in_background=False
    )
    with clock.frozen_at(at(day)):
        async with AsyncTestClient(app):
            for _ in range(600):
                if len(inbox(settings)) >= expected:
                    break
                await asyncio.sleep(0.05)
    return inbox(settings)


async def test_every_outcome_reminder_fires_once_from_closure_to_twelve_months(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    tmp_path: Path,
    no_jobs_yet: None,
) -> None:
    settings = job_settings(engine, tmp_path)
    # The newcomer reads French (her file says so), the coordinator English.
    coordinator, newcomer = world.emails["hub_coordinator"], world.emails["client"]
    mentorship_id = await active_mentorship(sessions, world)
    today = clock.now().date()

    await scan(settings, sessions, today)
    assert received(settings, 0) == []  # active: no outcome owed

    closed_on = today + timedelta(days=40)
    with clock.frozen_at(at(closed_on)):
        async with sessions() as session, session.begin():
            closed = await mentorships.close_mentorship(
                session, world.actors["hub_coordinator"], mentorship_id, status=MentorshipStatus.COMPLETED
            )
            due = {stage: mentorships.stage_due_on(closed, stage) for stage in OutcomeStage}
    assert due[OutcomeStage.CLOSURE] == closed_on

    # At closure: the program's coordinator (English) and the newcomer (French), once.
    await scan(settings, sessions, closed_on)
    closure_mail = received(settings, 0)
    assert closure_mail == [
        (newcomer, "Où en est votre recherche d’emploi? (à la clôture)"),
        (coordinator, "Employment outcome due: Amina, at closure"),
    ]
    newcomer_text = mail.plain_text(next(m for m in inbox(settings) if m["To"] == newcomer))
    assert "Mentorat professionnel" in newcomer_text and str(mentorship_id) in newcomer_text
    await scan(settings, sessions, closed_on)
    await scan(settings, sessions, closed_on + timedelta(days=1))
    assert len(inbox(settings)) == 2  # the closure stage, still unrecorded, is not reminded again

    # Three months: not the day before; recorded on the day before any scan: never reminded.
    month_3 = due[OutcomeStage.MONTH_3]
    assert month_3 is not None
    await scan(settings, sessions, month_3 - timedelta(days=1))
    assert len(inbox(settings)) == 2
    await _record(sessions, world, mentorship_id, OutcomeStage.MONTH_3, month_3)
    await scan(settings, sessions, month_3)
    await scan(settings, sessions, month_3 + timedelta(days=20))
    assert len(inbox(settings)) == 2

    # Six months: due while nothing ran; the server's start-up scan sends it, once.
    month_6 = due[OutcomeStage.MONTH_6]
    assert month_6 is not None
    messages = await _start_server_until_mail(settings, month_6 + timedelta(days=9), expected=4)
    assert received(settings, 2) == [
        (newcomer, "Où en est votre recherche d’emploi? (6 mois après la clôture)"),
        (coordinator, "Employment outcome due: Amina, 6 months after closure"),
    ]
    assert len(messages) == 4
    await scan(settings, sessions, month_6 + timedelta(days=10))  # a worker started again
    assert len(inbox(settings)) == 4

    # Twelve months, once, in each person's language of the moment.
    await _user_language(sessions, coordinator, Language.FR)
    month_12 = due[OutcomeStage.MONTH_12]
    assert month_12 is not None
    await scan(settings, sessions, month_12)
    assert received(settings, 4) == [
        (newcomer, "Où en est votre recherche d’emploi? (12 mois après la clôture)"),
        (coordinator, "Résultat d’emploi à consigner : Amina, 12 mois après la clôture"),
    ]
    await scan(settings, sessions, month_12)
    await scan(settings, sessions, month_12 + timedelta(days=30))
    assert len(inbox(settings)) == 6

    # Nobody else was ever written to: not the mentor, not the agency, not the other organization.
    assert {message["To"] for message in inbox(settings)} == {coordinator, newcomer}
    async with sessions() as session:
        rows = await session.execute(
            select(SentReminder.kind, SentReminder.occasion, SentReminder.recipients)
        )
        assert sorted(rows) == [
            ("outcome_due", "closure", 2),
            ("outcome_due", "month_12", 2),
            ("outcome_due", "month_6", 2),
        ]


async def test_a_stage_overdue_beyond_the_window_is_not_reminded(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    tmp_path: Path,
    no_jobs_yet: None,
) -> None:
    settings = job_settings(engine, tmp_path, reminder_window_days=30)
    mentorship_id = await active_mentorship(sessions, world)
    async with sessions() as session, session.begin():
        await mentorships.close_mentorship(
            session, world.actors["hub_coordinator"], mentorship_id, status=MentorshipStatus.COMPLETED
        )
    await scan(settings, sessions, clock.now().date() + timedelta(days=31))
    assert inbox(settings) == []


async def _due_check_in(sessions: async_sessionmaker[AsyncSession], mentorship_id: uuid.UUID) -> CheckIn:
    """The mentorship's first planned check-in (one is planned if the program planned none)."""
    async with sessions() as session, session.begin():
        check_in = await session.scalar(
            select(CheckIn)
            .where(CheckIn.mentorship_id == mentorship_id)
            .order_by(col(CheckIn.due_on))
            .limit(1)
        )
        if check_in is None:
            mentorship = await session.get_one(Mentorship, mentorship_id)
            check_in = CheckIn(
                mentorship_id=mentorship_id, due_on=mentorship.agreement_date + timedelta(days=30)
            )
            session.add(check_in)
        return check_in


async def test_a_due_check_in_is_reminded_to_the_program_coordinators_once(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    tmp_path: Path,
    no_jobs_yet: None,
) -> None:
    settings = job_settings(engine, tmp_path)
    mentorship_id = await active_mentorship(sessions, world)
    check_in = await _due_check_in(sessions, mentorship_id)

    await scan(settings, sessions, check_in.due_on - timedelta(days=1))
    assert inbox(settings) == []
    await scan(settings, sessions, check_in.due_on)
    assert received(settings, 0) == [
        (world.emails["hub_coordinator"], "Check-in due: Amina and Mentor"),
    ]
    await scan(settings, sessions, check_in.due_on + timedelta(days=2))
    assert len(inbox(settings)) == 1

    # A check-in done before it was reminded is not reminded.
    async with sessions() as session, session.begin():
        later = CheckIn(
            mentorship_id=mentorship_id,
            due_on=check_in.due_on + timedelta(days=3),
            done_at=at(check_in.due_on),
        )
        session.add(later)
    await scan(settings, sessions, check_in.due_on + timedelta(days=3))
    assert len(inbox(settings)) == 1


async def test_two_workers_scanning_at_once_send_each_reminder_once(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    tmp_path: Path,
    no_jobs_yet: None,
) -> None:
    settings = job_settings(engine, tmp_path)
    mentorship_id = await active_mentorship(sessions, world)
    async with sessions() as session, session.begin():
        await mentorships.close_mentorship(
            session, world.actors["hub_coordinator"], mentorship_id, status=MentorshipStatus.COMPLETED
        )
    today = clock.now().date()
    await asyncio.gather(*(scan(settings, sessions, today) for _ in range(3)))
    await scan(settings, sessions, today)  # whatever a collision left for later
    assert [recipient for recipient, _ in received(settings, 0)] == [
        world.emails["client"],
        world.emails["hub_coordinator"],
    ]
