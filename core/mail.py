"""Outgoing mail: the messages the platform sends and the mailers that deliver them.

A use case never sends mail itself: it queues a ``deliver_mail`` job in its own
transaction (``core.jobs.queue.queue_mail``), so a message about a token that was rolled
back never leaves, and the job engine hands it to the mailer once committed, retrying
while the mail server refuses it (``core.jobs``).

Delivery is SMTP (``aiosmtplib``) when ``TREMPLIN_SMTP_HOST`` is set; otherwise each
message is written as an ``.eml`` file into ``<data dir>/mailbox/`` — the development
mailbox ``tremplin mail list`` and ``tremplin mail show N`` read.
"""

import secrets
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib

from core import clock
from core.i18n import translate
from core.settings import Settings


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"  # e.g. "text/calendar" for an .ics


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None  # sent as Content-Language

    def message(self, sender: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Date"] = format_datetime(clock.now())
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
        message.set_content(self.text)
        if self.html is not None:
            message.add_alternative(self.html, subtype="html")
        for attachment in self.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
            )
        # Last: turning the message multipart moves the Content-* headers set before into the first part.
        if self.language:
            message["Content-Language"] = self.language
        return message


def compose(to: str, language: str, key: str, **params: Any) -> Mail:
    """The mail ``key`` in ``language``: catalog entries ``mail.<key>.subject`` and
    ``mail.<key>.body``, placeholders filled from ``params``."""
    return Mail(
        to=to,
        subject=translate(f"mail.{key}.subject", language, **params),
        text=translate(f"mail.{key}.body", language, **params),
        language=language,
    )


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


class SmtpMailer:
    def __init__(self, settings: Settings):
        self.settings = settings

    async def send(self, mail: Mail) -> None:
        settings = self.settings
        assert settings.smtp_host is not None
        await aiosmtplib.send(
            mail.message(settings.mail_from),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            use_tls=settings.smtp_ssl,
            # Required when asked for, so credentials never cross the network in clear
            # because a server stopped offering STARTTLS.
            start_tls=settings.smtp_starttls and not settings.smtp_ssl,
            timeout=settings.smtp_timeout_seconds,
        )


class MailboxMailer:
    """Development delivery: one ``.eml`` file per message, named so that sorting the
    names sorts the messages by arrival."""

    def __init__(self, directory: Path, sender: str):
        self.directory = directory
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{time.time_ns():020d}-{secrets.token_hex(4)}.eml"
        path.write_bytes(mail.message(self.sender).as_bytes())


def mailbox_directory(settings: Settings) -> Path:
    return settings.data_dir / "mailbox"


def mailer_for(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    return MailboxMailer(mailbox_directory(settings), settings.mail_from)


def mailer_of(state: MutableMapping[str, Any]) -> Mailer:
    """The application's mailer (``app.state``), built from its settings on first use."""
    if "mailer" not in state:
        state["mailer"] = mailer_for(state["settings"])
    mailer: Mailer = state["mailer"]
    return mailer


def mailbox(directory: Path) -> list[Path]:
    """The development mailbox's messages, oldest first."""
    return sorted(directory.glob("*.eml")) if directory.is_dir() else []


def read_message(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(message, EmailMessage)
    return message


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else ""
