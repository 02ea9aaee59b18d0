"""The job engine, on SQLite (the in-process runner) and on PostgreSQL (procrastinate),
with the same job definitions: a job exists only if its use case commits, runs once,
survives a restart, is retried when mail fails and kept when it keeps failing; the
invitations the use cases enqueue carry a calendar file that parses back with the right
times, in the person's language."""

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import select

from core import clock, mail
from core.errors import DomainError
from core.jobs.queue import queue_mail
from core.jobs.runner import Runner, job_runner
from core.models import Job, JobStatus, Language, User
from core.services import events
from core.settings import Settings
from plugins.connector import service as connector
from tests.plugins.test_connector import connector_referral
from tests.world import World

PROCRASTINATE_TABLES = (
    "procrastinate_jobs, procrastinate_periodic_defers, procrastinate_events, procrastinate_workers"
)


def job_settings(engine: AsyncEngine, data_dir: Path, **overrides: object) -> Settings:
    """The settings of a server on the test database, its dev mailbox under ``data_dir``;
    failed jobs are retried at once."""
    values: dict[str, object] = {
        "database_url": engine.url.render_as_string(hide_password=False),
        "data_dir": data_dir,
        "job_retry_seconds": 0,
        **overrides,
    }
    return Settings.model_validate(values)


@pytest.fixture
async def no_jobs_yet(engine: AsyncEngine) -> AsyncIterator[None]:
    """procrastinate's tables are not the models' (the suite's cleanup does not empty
    them): start from an empty queue."""
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(sa.text(f"TRUNCATE {PROCRASTINATE_TABLES} CASCADE"))
    yield


def runner_for(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], mailer: mail.Mailer | None = None
) -> Runner:
    """A fresh runner: a new one each time is a server restarting."""
    return job_runner(settings, sessions, mailer or mail.mailer_for(settings))


def inbox(settings: Settings) -> list[EmailMessage]:
    return [mail.read_message(path) for path in mail.mailbox(mail.mailbox_directory(settings))]


async def run_due(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], mailer: mail.Mailer | None = None
) -> None:
    await runner_for(settings, sessions, mailer).run_due()


async def waiting_jobs(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str]]:
    """(name, status) of the jobs still in the queue, whichever runner's."""
    async with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            rows = await session.execute(sa.text("SELECT task_name, status::text FROM procrastinate_jobs"))
            return sorted((name, status) for name, status in rows)
        return sorted((job.name, str(job.status)) for job in await session.scalars(select(Job)))


@dataclass
class FlakyMailer:
    """Refuses the first ``failures`` messages, as an SMTP server that is down would."""

    failures: int
    tries: int = 0
    sent: list[mail.Mail] = field(default_factory=list)

    async def send(self, message: mail.Mail) -> None:
        self.tries += 1
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionRefusedError("SMTP server down")
        self.sent.append(message)


async def test_a_job_runs_once_and_only_when_its_transaction_commits(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], tmp_path: Path, no_jobs_yet: None
) -> None:
    settings = job_settings(engine, tmp_path)
    with pytest.raises(DomainError):
        async with sessions() as session, session.begin():
            await queue_mail(session, mail.Mail("rolled-back@example.org", "Never", "Never sent"))
            raise DomainError("INVALID_INPUT")
    async with sessions() as session, session.begin():
        await queue_mail(session, mail.Mail("nora@example.org", "Bonjour", "Bonjour Nora", language="fr"))
    assert inbox(settings) == []  # enqueued, not sent inline

    await run_due(settings, sessions)
    await run_due(settings, sessions)  # a restart: nothing left to run
    messages = inbox(settings)
    assert [(message["To"], message["Subject"]) for message in messages] == [("nora@example.org", "Bonjour")]
    assert messages[0]["Content-Language"] == "fr"
    assert await waiting_jobs(sessions) == []


async def test_a_refused_delivery_is_retried_until_it_goes(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], tmp_path: Path, no_jobs_yet: None
) -> None:
    settings = job_settings(engine, tmp_path, job_max_attempts=5)
    async with sessions() as session, session.begin():
        await queue_mail(session, mail.Mail("nora@example.org", "Hello", "Hello Nora"))
    mailer = FlakyMailer(failures=2)
    await run_due(settings, sessions, mailer)
    assert (mailer.tries, [message.to for message in mailer.sent]) == (3, ["nora@example.org"])
    assert await waiting_jobs(sessions) == []


async def test_a_job_that_keeps_failing_is_kept_as_failed_after_the_last_attempt(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], tmp_path: Path, no_jobs_yet: None
) -> None:
    settings = job_settings(engine, tmp_path, job_max_attempts=3)
    async with sessions() as session, session.begin():
        await queue_mail(session, mail.Mail("nora@example.org", "Hello", "Hello Nora"))
    mailer = FlakyMailer(failures=100)
    await run_due(settings, sessions, mailer)
    await run_due(settings, sessions, mailer)  # failed for good: not tried again
    assert (mailer.tries, mailer.sent) == (3, [])
    assert await waiting_jobs(sessions) == [("deliver_mail", "failed")]
    async with sessions() as session:
        if session.get_bind().dialect.name == "sqlite":
            job = await session.scalar(select(Job))
            assert job is not None
            assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
            assert "SMTP server down" in job.last_error


async def test_a_job_left_running_by_a_dead_worker_is_taken_up_after_its_lease(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], tmp_path: Path, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("procrastinate's own heartbeats cover its workers")
    settings = job_settings(engine, tmp_path)
    async with sessions() as session, session.begin():
        await queue_mail(session, mail.Mail("nora@example.org", "Hello", "Hello Nora"))
        await session.flush()
        await session.execute(
            sa.update(Job).values(status=JobStatus.RUNNING, locked_until=clock.now() + timedelta(minutes=10))
        )
    await run_due(settings, sessions)
    assert inbox(settings) == []  # still someone else's
    with clock.frozen_at(clock.now() + timedelta(minutes=11)):
        await run_due(settings, sessions)
    assert [message["To"] for message in inbox(settings)] == ["nora@example.org"]


async def _set_language(
    sessions: async_sessionmaker[AsyncSession], world: World, person: str, language: Language
) -> None:
    async with sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.email == world.emails[person]))
        assert user is not None
        user.preferred_language = language


def calendar_of(message: EmailMessage) -> icalendar.Calendar:
    attachments = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(attachments) == 1
    raw_bytes = attachments[0].get_payload(decode=True)
    assert isinstance(raw_bytes, bytes)
    # RFC 5545: lines end with CRLF and are folded at 75 octets.
    assert all(len(line) <= 75 for line in raw_bytes.split(b"\r\n"))
    return icalendar.Calendar.from_ical(raw_bytes)


async def test_registering_for_an_event_mails_an_invitation_in_the_person_s_language(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    tmp_path: Path,
    no_jobs_yet: None,
) -> None:
    settings = job_settings(engine, tmp_path)
    await _set_language(sessions, world, "mentor_two", Language.FR)
    starts = datetime(2031, 3, 4, 22, 30, tzinfo=UTC)
    async with sessions() as session, session.begin():
        created = await events.create_event(
            session,
            world.actors["hub_coordinator"],
            events.EventData(
                kind=events.EventKind.NETWORKING,
                title_en="Networking evening for engineers in the National Capital Region, with employers",
                title_fr="Soirée de réseautage des ingénieurs de la région de la capitale nationale",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=2,
                languages=[Language.EN, Language.FR],
                location="City Hall, 110 Laurier Avenue West, Ottawa",
            ),
        )
    event_id = created.event.id
    for person in ("mentor", "mentor_two"):
        async with sessions() as session, session.begin():
            await events.register(session, world.actors[person], event_id)
    with pytest.raises(DomainError, match="EVENT_FULL"):
        async with sessions() as session, session.begin():
            await events.register(session, world.actors["mentor_private"], event_id)

    await run_due(settings, sessions)
    messages = {message["To"]: message for message in inbox(settings)}
    assert set(messages) == {world.emails["mentor"], world.emails["mentor_two"]}  # not the refused one
    english, french = messages[world.emails["mentor"]], messages[world.emails["mentor_two"]]
    assert english["Subject"].startswith("Invitation: Networking evening")
    assert french["Subject"].startswith("Invitation : Soirée de réseautage")
    assert "4 mars 2031, 22:30 UTC" in mail.plain_text(french)
    uids = set()
    for message, title, address in (
        (english, "Networking evening for engineers", world.emails["mentor"]),
        (french, "Soirée de réseautage", world.emails["mentor_two"]),
    ):
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        (entry,) = calendar.walk("VEVENT")
        assert entry.decoded("DTSTART") == starts
        assert entry.decoded("DTEND") == starts + timedelta(hours=2)
        assert entry.decoded("DTSTART").tzinfo is not None
        assert "DTSTART:20310304T223000Z" in calendar.to_ical().decode()
        assert str(entry["SUMMARY"]).startswith(title)
        assert str(entry["LOCATION"]) == "City Hall, 110 Laurier Avenue West, Ottawa"
        assert str(entry["ATTENDEE"]) == f"mailto:{address}"
        assert str(entry["ORGANIZER"]).startswith("mailto:")
        uids.add(str(entry["UID"]))
    assert uids == {f"event-{event_id}@127.0.0.1"}  # one entry per event, in every calendar


async def test_scheduling_a_connector_meeting_invites_the_newcomer_and_the_connector(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    tmp_path: Path,
    no_jobs_yet: None,
) -> None:
    settings = job_settings(engine, tmp_path)
    referral_id = await connector_referral(sessions, world)
    day = date(2031, 5, 6)
    async with sessions() as session, session.begin():
        meeting = await connector.schedule_meeting(
            session,
            world.actors["hub_coordinator"],
            referral_id,
            world.mentor_ids["mentor"],
            scheduled_on=day,
        )
        meeting_id: uuid.UUID = meeting.id

    await run_due(settings, sessions)
    messages = {message["To"]: message for message in inbox(settings)}
    assert set(messages) == {world.emails["client"], world.emails["mentor"]}
    newcomer, mentor = messages[world.emails["client"]], messages[world.emails["mentor"]]
    assert newcomer["Subject"] == "Rencontre du programme Programme de connecteurs le 6 mai 2031"
    assert mentor["Subject"] == "Connector meeting on May 6, 2031 (Connector Program)"
    for message in (newcomer, mentor):
        (entry,) = calendar_of(message).walk("VEVENT")
        assert (entry.decoded("DTSTART"), entry.decoded("DTEND")) == (day, day + timedelta(days=1))
        assert str(entry["UID"]) == f"connector-meeting-{meeting_id}@127.0.0.1"


def test_procrastinate_logs_name_the_job_without_its_arguments(caplog: pytest.LogCaptureFixture) -> None:
    """A mail job's arguments hold the message, links included: never in the logs."""
    from core.jobs import postgres  # noqa: F401  (attaches the filter)

    call = "deliver_mail[7](mail={'text': 'https://tremplin.example/account/reset?token=secret'})"
    job = {"id": 7, "task_name": "deliver_mail", "call_string": call, "task_kwargs": {"mail": "…"}}
    for name in ("procrastinate.worker", "procrastinate.worker.worker"):  # the worker logs on the second
        caplog.clear()
        with caplog.at_level(logging.INFO, logger=name):
            logging.getLogger(name).info(f"Starting job {call}", extra={"job": dict(job)})
        (record,) = caplog.records
        assert record.getMessage() == "Starting job deliver_mail[7](…)"
        assert "secret" not in repr(record.__dict__)
