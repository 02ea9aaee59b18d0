"""Invitations, with a calendar file, for the meetings a person is expected at: an event
they registered for, a connector meeting staff scheduled for them. Composed in the
person's language in the use case's transaction and sent by a ``deliver_mail`` job, so
nothing leaves unless the use case commits, and a refused delivery is retried."""

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from babel.dates import format_date, format_datetime
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.i18n import translate
from core.jobs.ics import invitation, uid_of, whole_day
from core.jobs.queue import queue_mail
from core.mail import Mail
from core.models import Event, Program, User
from core.settings import get_settings


def moment_text(moment: datetime, language: str) -> str:
    """A time as the mail states it: the calendar file carries it exactly, and the
    person's calendar shows it in their own time zone."""
    return format_datetime(moment, "d MMMM y, HH:mm 'UTC'", tzinfo=UTC, locale=language)


def day_text(day: date, language: str) -> str:
    return format_date(day, "long", locale=language)


def _domain() -> str:
    return urlsplit(get_settings().public_url).hostname or "tremplin.invalid"


async def _recipients(session: AsyncSession, user_ids: Iterable[uuid.UUID | None]) -> list[User]:
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return []
    users = await session.scalars(
        select(User).where(col(User.id).in_(wanted), col(User.is_active).is_(True)).order_by(col(User.email))
    )
    return list(users)


async def event_registered(session: AsyncSession, event: Event, user_id: uuid.UUID) -> None:
    """Invite the person who just registered for ``event``."""
    organizer = get_settings().mail_from
    for user in await _recipients(session, [user_id]):
        language = str(user.preferred_language)
        title = event.title_fr if language == "fr" else event.title_en
        where = ", ".join(part for part in (event.location, event.online_url or "") if part) or translate(
            "jobs.place_to_be_announced", language
        )
        params = {
            "name": user.display_name,
            "title": title,
            "starts": moment_text(event.starts_at, language),
            "ends": moment_text(event.ends_at, language),
            "where": where,
        }
        text = translate("mail.invitation.event.body", language, **params)
        attachment = invitation(
            uid=uid_of("event", event.id, _domain()),
            summary=title,
            description=text,
            language=language,
            starts=event.starts_at,
            ends=event.ends_at,
            location=where,
            organizer=organizer,
            attendee_email=user.email,
            attendee_name=user.display_name,
        )
        subject = translate("mail.invitation.event.subject", language, **params)
        mail = Mail(user.email, subject, text, language=language, attachments=(attachment,))
        await queue_mail(session, mail)


async def connector_meeting_scheduled(
    session: AsyncSession,
    meeting_id: uuid.UUID,
    day: date,
    minutes: int,
    program: Program,
    user_ids: Iterable[uuid.UUID | None],
) -> None:
    """Invite the newcomer (when they have an account) and the connector to a meeting
    known by its day: the calendar entry takes the whole day, staff set the hour."""
    organizer = get_settings().mail_from
    starts, ends = whole_day(day)
    for user in await _recipients(session, user_ids):
        language = str(user.preferred_language)
        params = {
            "name": user.display_name,
            "program": program.name_fr if language == "fr" else program.name_en,
            "day": day_text(day, language),
            "minutes": str(minutes),
        }
        text = translate("mail.invitation.connector_meeting.body", language, **params)
        subject = translate("mail.invitation.connector_meeting.subject", language, **params)
        attachment = invitation(
            uid=uid_of("connector-meeting", meeting_id, _domain()),
            summary=subject,
            description=text,
            language=language,
            starts=starts,
            ends=ends,
            location="",
            organizer=organizer,
            attendee_email=user.email,
            attendee_name=user.display_name,
        )
        mail = Mail(user.email, subject, text, language=language, attachments=(attachment,))
        await queue_mail(session, mail)
