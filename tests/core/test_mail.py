"""Outgoing mail: messages built with the standard library, the development mailbox,
SMTP delivery to a real server on loopback, and mail that leaves only after its
transaction commits."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import select

from core import mail
from core.app import create_app
from core.models import AccountToken, Language, User
from core.search.embedded import EmbeddedSearch
from core.settings import Settings
from tests.graphql_client import GraphQL
from tests.world import World

RESET = "mutation($e: String!) { requestPasswordReset(email: $e) }"


@dataclass
class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
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


async def test_mail_leaves_only_once_its_transaction_committed(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    mailer = mail.MailboxMailer(tmp_path, "Tremplin <no-reply@tremplin.test>")
    async with sessions() as session:
        await session.begin()
        mail.queue(session, mail.Mail(to="a@example.org", subject="rolled back", text="…"))
        await session.rollback()
        assert await mail.deliver_committed(session, mailer) == 0
        await session.begin()
        mail.queue(session, mail.Mail(to="b@example.org", subject="committed", text="…"))
        assert await mail.deliver_committed(session, mailer) == 0  # not before the commit
        await session.commit()
        assert await mail.deliver_committed(session, mailer) == 1
        assert await mail.deliver_committed(session, mailer) == 0  # each message once
    assert [mail.read_message(path)["Subject"] for path in mail.mailbox(tmp_path)] == ["committed"]


class FailingFirst:
    def __init__(self, then: mail.Mailer):
        self.failed = False
        self.then = then

    async def send(self, message: mail.Mail) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionRefusedError("SMTP server down")
        await self.then.send(message)


async def test_a_failed_message_is_logged_and_the_others_still_go(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mailer = FailingFirst(mail.MailboxMailer(tmp_path, "Tremplin <no-reply@tremplin.test>"))
    async with sessions() as session, session.begin():
        for index in range(2):
            mail.queue(
                session, mail.Mail(to=f"p{index}@example.org", subject=f"secret link {index}", text="t")
            )
    assert await mail.deliver_committed(session, mailer) == 1
    assert [mail.read_message(path)["To"] for path in mail.mailbox(tmp_path)] == ["p1@example.org"]
    assert "could not be sent" in caplog.text and "p0@example.org" in caplog.text


@pytest.fixture
async def smtp_app(engine: AsyncEngine, tmp_path: Path, smtp_server: tuple[Inbox, int]) -> Any:
    settings = smtp_settings(
        smtp_server[1],
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
    )
    async with AsyncTestClient(
        create_app(settings, EmbeddedSearch(None), index_in_background=False)
    ) as client:
        yield GraphQL(client), smtp_server[0]


async def test_a_reset_link_goes_over_smtp_in_the_persons_language(
    smtp_app: tuple[GraphQL, Inbox], world: World, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    graphql, inbox = smtp_app
    email = world.emails["agency_coordinator"]
    async with sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        user.preferred_language = Language.FR
    # The request's own language does not matter: the mail is for the recipient.
    assert (await graphql.execute(RESET, {"e": email}, language="en"))["requestPasswordReset"] is True
    [(sender, recipients, message)] = inbox.received
    assert recipients == [email] and message["To"] == email and sender == "no-reply@tremplin.test"
    assert message["Subject"] == "Tremplin : réinitialisez votre mot de passe"
    assert message["Content-Language"] == "fr"
    assert "http://127.0.0.1:8000/account/reset?token=" in mail.plain_text(message)
    assert not (tmp_path / "mailbox").exists()  # SMTP replaces the development mailbox


async def test_an_smtp_failure_keeps_the_request(
    engine: AsyncEngine, tmp_path: Path, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Nobody listens on the port: the answer and the stored link are unchanged; the
    person can ask again once mail works."""
    settings = smtp_settings(
        free_port(), database_url=engine.url.render_as_string(hide_password=False), data_dir=tmp_path
    )
    async with AsyncTestClient(
        create_app(settings, EmbeddedSearch(None), index_in_background=False)
    ) as client:
        answer = await GraphQL(client).execute(RESET, {"e": world.emails["agency_coordinator"]})
    assert answer["requestPasswordReset"] is True
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
