"""The connector program's tables: a short meeting between a newcomer and a connector,
the introductions the connector makes to people of their network, and what came of
each introduction as the newcomer reports it.

Imported by the plugin's package, so the tables join the platform's metadata (and the
migrations) as soon as the plugin is loaded.
"""

import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import created_at_field, enum_field, fk, id_field, timestamp_field


class ConnectorMeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    # The connector made the introductions the program asks for.
    COMPLETED = "completed"


class FollowUpOutcome(enum.StrEnum):
    CONTACTED = "contacted"
    MET = "met"
    JOB_LEAD = "job_lead"
    NO_ANSWER = "no_answer"


class ConnectorMeeting(SQLModel, table=True):
    __tablename__ = "connector_meetings"

    id: uuid.UUID = id_field()
    program_id: uuid.UUID = fk("programs.id")
    # The newcomer's admitted referral to the connector program: the consented grounds
    # on which the program's staff work with the newcomer at all.
    referral_id: uuid.UUID = fk("referrals.id")
    mentee_id: uuid.UUID = fk("mentee_profiles.id")
    connector_id: uuid.UUID = fk("mentor_profiles.id")
    scheduled_on: date
    held_on: date | None = None
    minutes: int
    status: ConnectorMeetingStatus = enum_field(
        ConnectorMeetingStatus, ConnectorMeetingStatus.SCHEDULED, index=True
    )
    # The newcomer's consent to have their name and career goal passed on to the
    # connector's contacts; None until given (or once withdrawn).
    introduction_consent_at: datetime | None = timestamp_field()
    introduction_consent_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    # Whether each side wants to keep in touch after the meeting; None: not said yet.
    mentee_wants_to_continue: bool | None = None
    connector_wants_to_continue: bool | None = None
    # The proposal that turned this connection into a full mentorship, once staff made it.
    upgrade_proposal_id: uuid.UUID | None = fk("match_proposals.id", nullable=True, index=False)
    scheduled_by_user_id: uuid.UUID = fk("users.id", index=False)
    completed_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class Introduction(SQLModel, table=True):
    """The connector refers the newcomer to someone of their network: a person outside
    the platform (name, organization, email), or a mentor of the shared pool."""

    __tablename__ = "connector_introductions"

    id: uuid.UUID = id_field()
    meeting_id: uuid.UUID = fk("connector_meetings.id")
    introduced_by_mentor_id: uuid.UUID = fk("mentor_profiles.id")
    contact_name: str = Field(max_length=200)
    contact_organization: str = Field(default="", max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    # Set when the contact is on the platform: their introduction can lead to their
    # own connector meeting with the newcomer, which continues the chain.
    contact_mentor_id: uuid.UUID | None = fk("mentor_profiles.id", nullable=True)
    note: str = Field(default="", sa_type=sa.Text)
    recorded_by_user_id: uuid.UUID = fk("users.id", index=False)
    created_at: datetime = created_at_field()


class IntroductionFollowUp(SQLModel, table=True):
    __tablename__ = "connector_follow_ups"

    id: uuid.UUID = id_field()
    introduction_id: uuid.UUID = fk("connector_introductions.id")
    occurred_on: date
    outcome: FollowUpOutcome = enum_field(FollowUpOutcome)
    note: str = Field(default="", sa_type=sa.Text)
    recorded_by_user_id: uuid.UUID = fk("users.id", index=False)
    created_at: datetime = created_at_field()
