"""Calendar invitations (RFC 5545 / iTIP REQUEST) attached to the mail about a meeting.

Written with ``icalendar``: it folds lines at 75 octets, escapes text and writes UTC
times with their ``Z``, which are the parts a hand-written file gets wrong."""

import uuid
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as CalendarEvent

from core import clock
from core.mail import Attachment

PRODUCT = "-//Tremplin//Tremplin//EN"


def invitation(
    *,
    uid: str,
    summary: str,
    description: str,
    language: str,
    starts: datetime | date,
    ends: datetime | date,
    location: str,
    organizer: str,
    attendee_email: str,
    attendee_name: str,
) -> Attachment:
    """An ``invite.ics`` for one attendee. ``starts``/``ends`` are aware datetimes
    (written in UTC) or, for a meeting known only by its day, dates (a whole-day entry;
    ``ends`` exclusive). ``organizer`` is a mail address, with or without a name."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    entry = CalendarEvent()
    entry.add("uid", uid)
    entry.add("dtstamp", clock.now().astimezone(UTC))
    for name, moment in (("dtstart", starts), ("dtend", ends)):
        entry.add(name, moment.astimezone(UTC) if isinstance(moment, datetime) else moment)
    entry.add("summary", summary, parameters={"LANGUAGE": language})
    entry.add("description", description, parameters={"LANGUAGE": language})
    if location:
        entry.add("location", location, parameters={"LANGUAGE": language})
    organizer_name, organizer_address = parseaddr(organizer)
    organizer_entry = vCalAddress(f"mailto:{organizer_address}")
    organizer_entry.params["CN"] = vText(organizer_name or organizer_address)
    entry.add("organizer", organizer_entry)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["CN"] = vText(attendee_name)
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["RSVP"] = vText("FALSE")
    entry.add("attendee", attendee)
    entry.add("sequence", 0)
    entry.add("status", "CONFIRMED")
    calendar.add_component(entry)
    return Attachment("invite.ics", calendar.to_ical(), "text/calendar")


def uid_of(kind: str, record_id: uuid.UUID, domain: str) -> str:
    """The same UID for every invitation about one record, so a calendar updates the
    entry it has instead of adding another."""
    return f"{kind}-{record_id}@{domain}"


def whole_day(day: date) -> tuple[date, date]:
    return day, day + timedelta(days=1)
