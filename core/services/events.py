"""Events beside mentoring: an organization's staff create them, newcomers and mentors
register, the organizers record who attended, and attendance is counted per person."""

import dataclasses
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.jobs import invitations
from core.models import (
    Event,
    EventAudience,
    EventKind,
    EventRegistration,
    Language,
    MenteeProfile,
    MentorProfile,
    ParticipantRole,
    User,
)
from core.paging import fetch_page

MAX_CAPACITY = 10_000
# Links are shown to participants as they are: only web addresses, never javascript: or
# other schemes a browser would act on.
WEB_ADDRESS = re.compile(r"^https://[^\s/]+\S*$")
# Fields an update may clear; every other one is required.
NULLABLE = frozenset({"online_url"})


class EventPeriod(StrEnum):
    UPCOMING = "upcoming"  # not over yet, soonest first
    PAST = "past"  # over, most recent first


@dataclass
class EventData:
    kind: EventKind
    title_en: str
    title_fr: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    languages: list[Language]
    description_en: str = ""
    description_fr: str = ""
    location: str = ""
    online_url: str | None = None
    audience: EventAudience = EventAudience.PLATFORM


@dataclass(frozen=True)
class EventView:
    """An event as one actor sees it, with the counts a listing shows."""

    event: Event
    registered: int  # live registrations
    mine: EventRegistration | None  # the actor's live registration
    organizer: bool  # the actor is (reading) staff of the organizing organization

    @property
    def places_left(self) -> int:
        return max(self.event.capacity - self.registered, 0)

    @property
    def online_url(self) -> str | None:
        """Only the registered and the organizers get the link, so that the capacity
        holds for online events too."""
        return self.event.online_url if self.mine is not None or self.organizer else None


@dataclass(frozen=True)
class Registrant:
    registration: EventRegistration
    display_name: str


@dataclass(frozen=True)
class AttendanceSummary:
    by_kind: dict[EventKind, int]
    # Set when the actor may count only the events of this organization (theirs).
    organization_id: uuid.UUID | None = None

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


class AttendanceEntry(Protocol):
    user_id: uuid.UUID
    attended: bool


def visible_events(actor: Actor) -> ColumnElement[bool]:
    """Platform-wide events to everyone signed in, an organization's own events to its
    members (in any of their organizations), and any event to those registered for it."""
    return or_(
        col(Event.audience) == EventAudience.PLATFORM,
        col(Event.organization_id).in_(list(actor.memberships)),
        col(Event.id).in_(
            select(EventRegistration.event_id).where(EventRegistration.user_id == actor.user_id)
        ),
    )


def _moment(value: datetime, field: str) -> datetime:
    # A time without its offset would be read as UTC and shift the event by hours.
    if value.tzinfo is None:
        raise DomainError("TIMEZONE_REQUIRED", field=field)
    return value


def _web_address(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    value = validation.text(value, field, max_length=500)
    if not WEB_ADDRESS.match(value):
        raise DomainError("INVALID_URL", field=field)
    return value


def _validated(data: EventData) -> dict[str, Any]:
    starts_at = _moment(data.starts_at, "startsAt")
    ends_at = _moment(data.ends_at, "endsAt")
    if starts_at <= clock.now():
        raise DomainError("DATE_IN_PAST", field="startsAt")
    if ends_at <= starts_at:
        raise DomainError("INVALID_INPUT", field="endsAt")
    location = validation.text(data.location, "location", max_length=300)
    online_url = _web_address(data.online_url, "onlineUrl")
    if not location and online_url is None:
        raise DomainError("REQUIRED", field="location")
    languages = [Language(language).value for language in dict.fromkeys(data.languages)]
    if not languages:
        raise DomainError("REQUIRED", field="languages")
    return {
        "kind": data.kind,
        "title_en": validation.text(data.title_en, "titleEn", max_length=200, required=True),
        "title_fr": validation.text(data.title_fr, "titleFr", max_length=200, required=True),
        "description_en": validation.text(data.description_en, "descriptionEn", max_length=4000),
        "description_fr": validation.text(data.description_fr, "descriptionFr", max_length=4000),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": location,
        "online_url": online_url,
        "languages": languages,
        "capacity": validation.integer(data.capacity, "capacity", minimum=1, maximum=MAX_CAPACITY),
        "audience": data.audience,
    }


def _data_of(event: Event) -> EventData:
    return EventData(
        kind=event.kind,
        title_en=event.title_en,
        title_fr=event.title_fr,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        capacity=event.capacity,
        languages=[Language(language) for language in event.languages],
        description_en=event.description_en,
        description_fr=event.description_fr,
        location=event.location,
        online_url=event.online_url,
        audience=event.audience,
    )


def _require_open(event: Event) -> None:
    """Registrations and changes close when the event starts or is cancelled."""
    if event.cancelled_at is not None or event.starts_at <= clock.now():
        raise DomainError("EVENT_CLOSED")


async def _registered_counts(session: AsyncSession, event_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        select(EventRegistration.event_id, func.count())
        .where(col(EventRegistration.event_id).in_(event_ids), col(EventRegistration.cancelled_at).is_(None))
        .group_by(col(EventRegistration.event_id))
    )
    return {event_id: count for event_id, count in rows}


async def _live_registration(
    session: AsyncSession, event_id: uuid.UUID, user_id: uuid.UUID
) -> EventRegistration | None:
    return await session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event_id,
            EventRegistration.user_id == user_id,
            col(EventRegistration.cancelled_at).is_(None),
        )
    )


async def _views(session: AsyncSession, actor: Actor, events: list[Event]) -> list[EventView]:
    """Views of many events in two queries, whatever their number."""
    ids = [event.id for event in events]
    if not ids:
        return []
    counts = await _registered_counts(session, ids)
    mine = {
        registration.event_id: registration
        for registration in await session.scalars(
            select(EventRegistration).where(
                col(EventRegistration.event_id).in_(ids),
                EventRegistration.user_id == actor.user_id,
                col(EventRegistration.cancelled_at).is_(None),
            )
        )
    }
    return [
        EventView(
            event,
            counts.get(event.id, 0),
            mine.get(event.id),
            actor.is_reading_staff_of(event.organization_id),
        )
        for event in events
    ]


async def _view(session: AsyncSession, actor: Actor, event: Event) -> EventView:
    return (await _views(session, actor, [event]))[0]


async def _visible_event(
    session: AsyncSession, actor: Actor, event_id: uuid.UUID, *, for_update: bool = False
) -> Event:
    query = select(Event).where(Event.id == event_id, visible_events(actor))
    if for_update:
        query = query.with_for_update()
    event = await session.scalar(query)
    if event is None:
        raise NotFound()
    return event


async def _for_staff(
    session: AsyncSession, actor: Actor, event_id: uuid.UUID, *, for_update: bool = False
) -> Event:
    """An event the actor runs. Another organization's event they may see (platform-wide)
    is forbidden; one they may not see is not found, so its existence does not leak."""
    event = await _visible_event(session, actor, event_id, for_update=for_update)
    if not actor.is_staff_of(event.organization_id):
        raise Forbidden()
    return event


async def create_event(session: AsyncSession, actor: Actor, data: EventData) -> EventView:
    """Staff create an event run by the organization they act for."""
    organization_id = actor.require_staff()
    event = Event(organization_id=organization_id, created_by_user_id=actor.user_id, **_validated(data))
    session.add(event)
    await session.flush()
    return await _view(session, actor, event)


async def update_event(
    session: AsyncSession, actor: Actor, event_id: uuid.UUID, changes: dict[str, Any]
) -> EventView:
    """The organizers change an event until it starts. The capacity cannot drop below
    the people already registered: they keep their places."""
    event = await _for_staff(session, actor, event_id, for_update=True)
    _require_open(event)
    missing = [name for name, value in changes.items() if value is None and name not in NULLABLE]
    if missing:
        raise DomainError("REQUIRED", field=validation.api_field(missing[0]))
    values = _validated(dataclasses.replace(_data_of(event), **changes))
    registered = (await _registered_counts(session, [event.id])).get(event.id, 0)
    if values["capacity"] < registered:
        raise DomainError("OUT_OF_RANGE", field="capacity", min=registered, max=MAX_CAPACITY)
    for name, value in values.items():
        setattr(event, name, value)
    event.updated_at = clock.now()
    await session.flush()
    return await _view(session, actor, event)


async def cancel_event(session: AsyncSession, actor: Actor, event_id: uuid.UUID) -> EventView:
    """The organizers cancel an event that has not started. Registrations stay, so that
    the registered see it was cancelled."""
    event = await _for_staff(session, actor, event_id, for_update=True)
    _require_open(event)
    event.cancelled_at = clock.now()
    event.cancelled_by_user_id = actor.user_id
    await session.flush()
    return await _view(session, actor, event)


async def _participant_role(
    session: AsyncSession, actor: Actor, requested: ParticipantRole | None
) -> ParticipantRole:
    """The role the actor registers in: they need a newcomer's file linked to their
    account or a mentor profile. Someone with both says which."""
    has_file = await session.scalar(
        select(MenteeProfile.id).where(MenteeProfile.user_id == actor.user_id).limit(1)
    )
    has_profile = await session.scalar(select(MentorProfile.id).where(MentorProfile.user_id == actor.user_id))
    possible = [
        role
        for role, found in ((ParticipantRole.MENTEE, has_file), (ParticipantRole.MENTOR, has_profile))
        if found is not None
    ]
    if not possible or (requested is not None and requested not in possible):
        raise Forbidden()
    if requested is None and len(possible) > 1:
        raise DomainError("REQUIRED", field="role")
    return requested or possible[0]


async def register(
    session: AsyncSession, actor: Actor, event_id: uuid.UUID, *, role: ParticipantRole | None = None
) -> EventView:
    """A newcomer or a mentor registers for an event they may see, until it starts."""
    # Locking the event row makes registrations to one event wait for each other, so
    # two people cannot both take the last place.
    event = await _visible_event(session, actor, event_id, for_update=True)
    role = await _participant_role(session, actor, role)
    _require_open(event)
    if await _live_registration(session, event.id, actor.user_id) is not None:
        raise DomainError("ALREADY_REGISTERED")
    if (await _registered_counts(session, [event.id])).get(event.id, 0) >= event.capacity:
        raise DomainError("EVENT_FULL")
    session.add(EventRegistration(event_id=event.id, user_id=actor.user_id, role=role))
    await session.flush()
    await invitations.event_registered(session, event, actor.user_id)
    return await _view(session, actor, event)


async def cancel_registration(session: AsyncSession, actor: Actor, event_id: uuid.UUID) -> EventView:
    """A person gives their place back, until the event starts."""
    event = await _visible_event(session, actor, event_id)
    registration = await _live_registration(session, event.id, actor.user_id)
    if registration is None:
        raise DomainError("NOT_REGISTERED")
    _require_open(event)
    registration.cancelled_at = clock.now()
    await session.flush()
    return await _view(session, actor, event)


async def record_attendance(
    session: AsyncSession, actor: Actor, event_id: uuid.UUID, attendance: Sequence[AttendanceEntry]
) -> EventView:
    """The organizers record, once the event has started, whether each registered
    person came. Recording again corrects the earlier answer."""
    event = await _for_staff(session, actor, event_id)
    if event.cancelled_at is not None:
        raise DomainError("EVENT_CLOSED")
    if event.starts_at > clock.now():
        raise DomainError("EVENT_NOT_STARTED")
    if not attendance:
        raise DomainError("REQUIRED", field="attendance")
    live = {
        registration.user_id: registration
        for registration in await session.scalars(
            select(EventRegistration).where(
                EventRegistration.event_id == event.id, col(EventRegistration.cancelled_at).is_(None)
            )
        )
    }
    recorded: set[uuid.UUID] = set()
    for index, entry in enumerate(attendance):
        registration = live.get(entry.user_id)
        if registration is None:
            raise DomainError("NOT_REGISTERED", field=f"attendance[{index}].userId")
        if entry.user_id in recorded:
            raise DomainError("INVALID_INPUT", field=f"attendance[{index}].userId")
        recorded.add(entry.user_id)
        registration.attended = entry.attended
        registration.attendance_recorded_by_user_id = actor.user_id
        registration.attendance_recorded_at = clock.now()
    await session.flush()
    return await _view(session, actor, event)


async def _page(
    session: AsyncSession,
    actor: Actor,
    query: SelectOfScalar[Event],
    period: EventPeriod | None,
    limit: int,
    offset: int,
) -> tuple[list[EventView], int]:
    now = clock.now()
    if period == EventPeriod.UPCOMING:
        query = query.where(col(Event.ends_at) > now).order_by(col(Event.starts_at), col(Event.id))
    else:
        if period == EventPeriod.PAST:
            query = query.where(col(Event.ends_at) <= now)
        query = query.order_by(col(Event.starts_at).desc(), col(Event.id))
    events, total = await fetch_page(session, query, limit=limit, offset=offset)
    return await _views(session, actor, events), total


async def list_events(
    session: AsyncSession,
    actor: Actor,
    *,
    period: EventPeriod = EventPeriod.UPCOMING,
    kind: EventKind | None = None,
    organization_id: uuid.UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EventView], int]:
    """Events the actor may see, cancelled ones included so that nobody misses the news."""
    query = select(Event).where(visible_events(actor))
    if kind is not None:
        query = query.where(Event.kind == kind)
    if organization_id is not None:
        query = query.where(Event.organization_id == organization_id)
    return await _page(session, actor, query, period, limit, offset)


async def my_events(
    session: AsyncSession,
    actor: Actor,
    *,
    period: EventPeriod | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EventView], int]:
    """The events the actor is registered for."""
    query = select(Event).where(
        col(Event.id).in_(
            select(EventRegistration.event_id).where(
                EventRegistration.user_id == actor.user_id, col(EventRegistration.cancelled_at).is_(None)
            )
        )
    )
    return await _page(session, actor, query, period, limit, offset)


async def get_event(session: AsyncSession, actor: Actor, event_id: uuid.UUID) -> EventView:
    return await _view(session, actor, await _visible_event(session, actor, event_id))


async def registrants(session: AsyncSession, actor: Actor, event: Event) -> list[Registrant] | None:
    """Who registered, for the organizers only (None for anyone else)."""
    if not actor.is_reading_staff_of(event.organization_id):
        return None
    rows = await session.execute(
        select(EventRegistration, User.display_name)
        .join(User, col(User.id) == EventRegistration.user_id)
        .where(EventRegistration.event_id == event.id, col(EventRegistration.cancelled_at).is_(None))
        .order_by(col(EventRegistration.registered_at), col(EventRegistration.id))
    )
    return [Registrant(registration, display_name) for registration, display_name in rows]


async def _attended(
    session: AsyncSession, user_id: uuid.UUID, organization_id: uuid.UUID | None = None
) -> AttendanceSummary:
    query = (
        select(Event.kind, func.count())
        .join(EventRegistration, col(EventRegistration.event_id) == Event.id)
        .where(EventRegistration.user_id == user_id, col(EventRegistration.attended).is_(True))
        .group_by(col(Event.kind))
    )
    if organization_id is not None:
        query = query.where(Event.organization_id == organization_id)
    counts = dict.fromkeys(EventKind, 0)
    for kind, count in await session.execute(query):
        counts[EventKind(kind)] = count
    return AttendanceSummary(counts, organization_id)


async def attendance_summary(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: uuid.UUID | None = None,
    mentee_id: uuid.UUID | None = None,
) -> AttendanceSummary:
    """The events a person attended, by kind: the actor's own by default, or a person's
    given by account (``user_id``) or, for a newcomer, by file (``mentee_id``).

    The person and, for a newcomer, the staff of the organization owning their file
    count every event; an organizer's staff count only their own organization's events,
    for people who registered for one of them. Anyone else: not found."""
    if user_id is not None and mentee_id is not None:
        raise DomainError("INVALID_INPUT", field="menteeId")
    if mentee_id is not None:
        mentee = await session.get(MenteeProfile, mentee_id)
        if mentee is None or not (
            actor.is_reading_staff_of(mentee.owner_organization_id) or mentee.user_id == actor.user_id
        ):
            raise NotFound()
        if mentee.user_id is None:  # no account, so never registered
            return AttendanceSummary(dict.fromkeys(EventKind, 0))
        return await _attended(session, mentee.user_id)
    person = user_id or actor.user_id
    if person == actor.user_id:
        return await _attended(session, person)
    if actor.is_reading_staff and actor.organization_id is not None:
        owned_file = await session.scalar(
            select(MenteeProfile.id)
            .where(
                MenteeProfile.user_id == person, MenteeProfile.owner_organization_id == actor.organization_id
            )
            .limit(1)
        )
        if owned_file is not None:
            return await _attended(session, person)
        registered_with_us = await session.scalar(
            select(EventRegistration.id)
            .join(Event, col(Event.id) == EventRegistration.event_id)
            .where(EventRegistration.user_id == person, Event.organization_id == actor.organization_id)
            .limit(1)
        )
        if registered_with_us is not None:
            return await _attended(session, person, actor.organization_id)
    raise NotFound()
