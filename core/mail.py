"""Outgoing mail: the one port everything the platform sends goes through.

A use case *queues* its mail on the database session (``queue``); the mail leaves only
once that transaction has committed (``deliver_committed``, which the GraphQL layer
calls after each operation), so a message about a token that was rolled back never
leaves. Delivery failures are logged and swallowed: what the mail is about (a token, a
membership) is already committed, and the person can ask for the link again.

Delivery is SMTP (``aiosmtplib``) when ``TREMPLIN_SMTP_HOST`` is set; otherwise each
message is written as an ``.eml`` file into ``<data dir>/mailbox/`` — the development
mailbox ``tremplin mail list`` and ``tremplin mail show N`` read.
"""

import logging
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
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from core import clock
from core.i18n import translate
from core.settings import Settings

log = logging.getLogger("tremplin.mail")


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


# Mail waiting in a session: queued in the current transaction, then committed.
_QUEUED = "tremplin.mail.queued"
_COMMITTED = "tremplin.mail.committed"


def _on_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.setdefault(_COMMITTED, []).extend(session.info.pop(_QUEUED, []))


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outer transaction: what it did not commit is dropped
        session.info.pop(_QUEUED, None)


def queue(session: AsyncSession, mail: Mail) -> None:
    """Send ``mail`` once the session's current transaction commits."""
    sync_session = session.sync_session
    if not event.contains(sync_session, "after_commit", _on_commit):
        event.listen(sync_session, "after_commit", _on_commit)
        event.listen(sync_session, "after_transaction_end", _on_transaction_end)
    sync_session.info.setdefault(_QUEUED, []).append(mail)


async def deliver_committed(session: AsyncSession, mailer: Mailer) -> int:
    """Send the mail of the session's committed transactions; how many left. A failure
    is logged (never the body, which holds links) and the rest still go."""
    outgoing: list[Mail] = session.sync_session.info.pop(_COMMITTED, [])
    sent = 0
    for mail in outgoing:
        try:
            await mailer.send(mail)
            sent += 1
        except Exception:  # any transport failure: the next message may still go
            log.exception("mail to %s (%s) could not be sent", mail.to, mail.subject)
    return sent
