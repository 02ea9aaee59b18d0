"""Outgoing mail: messages built with the standard library, the development mailbox,
SMTP delivery to a real server on loopback, and mail that leaves from a job only once
its transaction committed, retried while the server refuses it."""

import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import select

from core import mail
from core.app import create_app
from core.errors import DomainError
from core.jobs.queue import queue_mail
from core.models import AccountToken, Job, Language, User
from core.search.embedded import EmbeddedSearch
from core.services import local_accounts
from core.settings import Settings
from tests.core.test_jobs import waiting_jobs
from tests.graphql_client import GraphQL
from tests.mailbox import Mailbox, empty_job_queue
from tests.world import World

RESET = "mutation($e: String!) { requestPasswordReset(email: $e) }"


@dataclass
class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refusals: int = 0  # the first so many messages are refused for now

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals > 0:
            self.refusals -= 1
            return "451 Requested action aborted: try again later"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp_settings(port: int, **overrides: Any) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        mail_from="Tremplin <no-reply@tremplin.test>",
        **overrides,
    )


def test_a_message_carries_text_html_attachments_and_its_language() -> None:
    invitation = mail.Attachment("session.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    message = mail.Mail(
        to="nora@example.org",
        subject="Séance de mentorat",
        text="Bonjour Nora",
        html="<p>Bonjour <b>Nora</b></p>",
        attachments=(invitation,),
        language="fr",
    ).message("Tremplin <no-reply@tremplin.test>")
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["To"] == "nora@example.org" and parsed["Subject"] == "Séance de mentorat"
    assert parsed["From"] == "Tremplin <no-reply@tremplin.test>"
    assert parsed["Content-Language"] == "fr" and parsed["Message-ID"].endswith("@tremplin.test>")
    assert mail.plain_text(parsed).strip() == "Bonjour Nora"
    html = parsed.get_body(preferencelist=("html",))
    assert html is not None and "<b>Nora</b>" in html.get_content()
    [attached] = list(parsed.iter_attachments())
    assert attached.get_filename() == "session.ics" and attached.get_content_type() == "text/calendar"
    assert attached.get_content().startswith("BEGIN:VCALENDAR")


def test_composed_mail_is_written_in_the_language_asked_for() -> None:
    params = {"name": "Nora", "link": "http://x/account/reset?token=abc", "minutes": "60", "hours": "1"}
    english = mail.compose("nora@example.org", "en", "reset_password", **params)
    french = mail.compose("nora@example.org", "fr", "reset_password", **params)
    assert english.subject == "Tremplin: reset your password"
    assert french.subject == "Tremplin : réinitialisez votre mot de passe"
    for composed in (english, french):
        assert "http://x/account/reset?token=abc" in composed.text and "60" in composed.text
        assert "{" not in composed.text
    assert french.text.startswith("Bonjour Nora") and french.language == "fr"


async def test_without_smtp_mail_lands_in_the_mailbox_in_order(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    mailer = mail.mailer_for(settings)
    assert isinstance(mailer, mail.MailboxMailer)
    for number in range(3):
        await mailer.send(mail.Mail(to=f"p{number}@example.org", subject=f"n° {number}", text="…"))
    messages = [mail.read_message(path) for path in mail.mailbox(tmp_path / "mailbox")]
    assert [message["Subject"] for message in messages] == ["n° 0", "n° 1", "n° 2"]
    assert mail.mailbox(tmp_path / "nowhere") == []


async def test_smtp_delivery_reaches_a_real_server(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    mailer = mail.mailer_for(smtp_settings(port))
    assert isinstance(mailer, mail.SmtpMailer)
    attachment = mail.Attachment("invite.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    await mailer.send(
        mail.Mail(
            to="nora@example.org", subject="Hello", text="Body", attachments=(attachment,), language="en"
        )
    )
    [(sender, recipients, message)] = inbox.received
    assert sender == "no-reply@tremplin.test" and recipients == ["nora@example.org"]
    assert message["Subject"] == "Hello" and message["Content-Language"] == "en"
    assert [part.get_filename() for part in message.iter_attachments()] == ["invite.ics"]


async def test_a_queued_message_arrives_whole(
    sessions: async_sessionmaker[AsyncSession], mailbox: Mailbox
) -> None:
    """What a use case queues is what the job hands to the mailer: text, HTML,
    attachments and language."""
    invitation = mail.Attachment("session.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    async with sessions() as session, session.begin():
        await queue_mail(
            session,
            mail.Mail(
                to="nora@example.org",
                subject="Séance",
                text="Bonjour Nora",
                html="<p>Bonjour <b>Nora</b></p>",
                attachments=(invitation,),
                language="fr",
            ),
        )
    [message] = await mailbox.deliver()
    assert message["Subject"] == "Séance" and message["Content-Language"] == "fr"
    assert mail.plain_text(message).strip() == "Bonjour Nora"
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<b>Nora</b>" in html.get_content()
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "session.ics" and attached.get_content_type() == "text/calendar"


async def test_a_link_is_mailed_only_once_its_transaction_committed(
    sessions: async_sessionmaker[AsyncSession], world: World, mailbox: Mailbox
) -> None:
    email = world.emails["mentor"]
    with pytest.raises(DomainError):
        async with sessions() as session, session.begin():
            await local_accounts.request_password_reset(session, email)
            raise DomainError("INVALID_INPUT")  # a later step of the use case refused it
    assert await mailbox.deliver() == []
    async with sessions() as session, session.begin():
        await local_accounts.request_password_reset(session, email)
        assert await mailbox.deliver() == []  # not before the commit
    [message] = await mailbox.deliver()
    assert message["To"] == email and "/account/reset?token=" in mail.plain_text(message)
    assert len(await mailbox.deliver()) == 1  # each message once


@pytest.fixture
async def smtp_app(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    smtp_server: tuple[Inbox, int],
) -> AsyncIterator[tuple[GraphQL, Inbox, Mailbox]]:
    """A server whose mail goes over SMTP to ``smtp_server``; failed jobs run again at once."""
    settings = smtp_settings(
        smtp_server[1],
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        job_retry_seconds=0,
        job_max_attempts=3,
    )
    await empty_job_queue(engine)
    async with AsyncTestClient(
        create_app(settings, EmbeddedSearch(None), index_in_background=False)
    ) as client:
        yield GraphQL(client), smtp_server[0], Mailbox(settings, sessions)


async def test_a_reset_link_goes_over_smtp_in_the_persons_language(
    smtp_app: tuple[GraphQL, Inbox, Mailbox],
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    graphql, inbox, mailbox = smtp_app
    email = world.emails["agency_coordinator"]
    async with sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        user.preferred_language = Language.FR
    # The request's own language does not matter: the mail is for the recipient.
    assert (await graphql.execute(RESET, {"e": email}, language="en"))["requestPasswordReset"] is True
    assert inbox.received == []  # queued as a job, not sent by the request
    assert await mailbox.deliver() == []  # SMTP replaces the development mailbox
    [(sender, recipients, message)] = inbox.received
    assert recipients == [email] and message["To"] == email and sender == "no-reply@tremplin.test"
    assert message["Subject"] == "Tremplin : réinitialisez votre mot de passe"
    assert message["Content-Language"] == "fr"
    assert "http://127.0.0.1:8000/account/reset?token=" in mail.plain_text(message)
    assert not (tmp_path / "mailbox").exists()


async def test_messages_the_server_refuses_are_retried_until_it_takes_them(
    smtp_app: tuple[GraphQL, Inbox, Mailbox], world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    graphql, inbox, mailbox = smtp_app
    inbox.refusals = 2  # "451 try again later", as a busy or greylisting server answers
    first, second = world.emails["mentor"], world.emails["mentor_two"]
    for email in (first, second):
        await graphql.execute(RESET, {"e": email})
    await mailbox.deliver()
    assert inbox.refusals == 0  # two attempts were refused...
    # ...and retried: each message arrived, once.
    assert sorted(recipient for _, [recipient], _ in inbox.received) == sorted([first, second])
    assert await waiting_jobs(sessions) == []


async def test_an_unreachable_smtp_server_keeps_the_request_and_the_mail(
    engine: AsyncEngine,
    tmp_path: Path,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    backend: str,
) -> None:
    """Nobody listens on the port: the answer and the stored link are unchanged, and the
    message waits for its next attempt instead of being lost."""
    settings = smtp_settings(
        free_port(), database_url=engine.url.render_as_string(hide_password=False), data_dir=tmp_path
    )
    await empty_job_queue(engine)
    async with AsyncTestClient(
        create_app(settings, EmbeddedSearch(None), index_in_background=False)
    ) as client:
        answer = await GraphQL(client).execute(RESET, {"e": world.emails["agency_coordinator"]})
    assert answer["requestPasswordReset"] is True
    await Mailbox(settings, sessions).deliver()
    assert await waiting_jobs(sessions) == [("deliver_mail", "todo")]
    async with sessions() as session:
        if backend == "postgresql":
            attempts = await session.scalars(sa.text("SELECT attempts FROM procrastinate_jobs"))
        else:
            attempts = await session.scalars(select(Job.attempts))
        assert list(attempts) == [1]  # tried once, waiting for the next attempt
    async with sessions() as session:
        assert len((await session.scalars(select(AccountToken))).all()) == 1


async def test_the_cli_lists_and_shows_the_development_mailbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from core.cli import main
    from core.settings import get_settings

    monkeypatch.setenv("TREMPLIN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        mailer = mail.mailer_for(get_settings())
        await mailer.send(mail.Mail(to="ada@example.org", subject="First", text="one"))
        await mailer.send(mail.Mail(to="nora@example.org", subject="[Second]", text="Open http://x/?token=t"))
        listed = CliRunner().invoke(main, ["mail", "list"])
        assert listed.exit_code == 0, listed.output
        lines = listed.output.splitlines()
        assert len(lines) == 2 and "ada@example.org" in lines[0] and "[Second]" in lines[1]
        shown = CliRunner().invoke(main, ["mail", "show", "2"])
        assert shown.exit_code == 0 and "To: nora@example.org" in shown.output
        assert "Open http://x/?token=t" in shown.output
        missing = CliRunner().invoke(main, ["mail", "show", "3"])
        assert missing.exit_code == 1 and "2 message(s)" in missing.output
    finally:
        get_settings.cache_clear()
