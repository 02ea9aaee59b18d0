"""Events beside mentoring (step 7 of the flow): networking, mock interviews,
information sessions, speed networking, LinkedIn group sessions. An organization runs
them; newcomers and mentors register; organizers record who attended."""

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import (
    created_at_field,
    enum_field,
    fk,
    id_field,
    json_field,
    timestamp_field,
)


class EventKind(enum.StrEnum):
    NETWORKING = "networking"
    MOCK_INTERVIEWS = "mock_interviews"
    INFORMATION_SESSION = "information_session"
    SPEED_NETWORKING = "speed_networking"
    LINKEDIN_GROUP = "linkedin_group"


class EventAudience(enum.StrEnum):
    PLATFORM = "platform"  # everyone signed in to the platform
    ORGANIZATION = "organization"  # members of the organizing organization only


class ParticipantRole(enum.StrEnum):
    """The capacity a person registered in: a newcomer, or a mentor."""

    MENTEE = "mentee"
    MENTOR = "mentor"


class Event(SQLModel, table=True):
    __tablename__ = "events"

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = fk("organizations.id")
    kind: EventKind = enum_field(EventKind, index=True)
    title_en: str = Field(max_length=200)
    title_fr: str = Field(max_length=200)
    description_en: str = Field(default="", sa_type=sa.Text)
    description_fr: str = Field(default="", sa_type=sa.Text)
    starts_at: datetime = timestamp_field(nullable=False)
    ends_at: datetime = timestamp_field(nullable=False)
    # Where it happens: an address, a link for online events, or both (hybrid).
    location: str = Field(default="", max_length=300)
    online_url: str | None = Field(default=None, max_length=500)
    languages: list[str] = json_field()
    capacity: int
    audience: EventAudience = enum_field(EventAudience, EventAudience.PLATFORM)
    created_by_user_id: uuid.UUID = fk("users.id", index=False)
    cancelled_at: datetime | None = timestamp_field()
    cancelled_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at_field()
    updated_at: datetime | None = timestamp_field()


_live_registration = sa.text("cancelled_at IS NULL")


class EventRegistration(SQLModel, table=True):
    __tablename__ = "event_registrations"
    # One live registration per person and event; a cancelled one stays as history and
    # the person may register again. The service checks first to answer with a clear
    # error, the index makes a race impossible.
    __table_args__ = (
        sa.Index(
            "uq_event_registrations_live",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=_live_registration,
            postgresql_where=_live_registration,
        ),
    )

    id: uuid.UUID = id_field()
    event_id: uuid.UUID = fk("events.id")
    user_id: uuid.UUID = fk("users.id")
    role: ParticipantRole = enum_field(ParticipantRole)
    registered_at: datetime = created_at_field()
    cancelled_at: datetime | None = timestamp_field()
    # None until the organizers record it.
    attended: bool | None = None
    attendance_recorded_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    attendance_recorded_at: datetime | None = timestamp_field()
