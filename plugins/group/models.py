"""The group program's tables: cohorts, their mentors and mentees, sessions, attendance.

Every table is prefixed ``group_`` so that a plugin's tables never collide with core's
or another plugin's.
"""

import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models import Language
from core.models.base import created_at_field, enum_field, fk, id_field


class CohortStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Cohort(SQLModel, table=True):
    """A group of newcomers with a few mentors of one sector (London model)."""

    __tablename__ = "group_cohorts"

    id: uuid.UUID = id_field()
    program_id: uuid.UUID = fk("programs.id")
    name: str = Field(max_length=200)
    sector: str = Field(max_length=2, description="NOC 2021 major group, two digits")
    language: Language = enum_field(Language)
    starts_on: date
    status: CohortStatus = enum_field(CohortStatus, CohortStatus.OPEN, index=True)
    created_by_user_id: uuid.UUID = fk("users.id", index=False)
    created_at: datetime = created_at_field()


class CohortMentor(SQLModel, table=True):
    __tablename__ = "group_cohort_mentors"

    cohort_id: uuid.UUID = Field(foreign_key="group_cohorts.id", primary_key=True)
    mentor_id: uuid.UUID = Field(foreign_key="mentor_profiles.id", primary_key=True, index=True)
    added_by_user_id: uuid.UUID = fk("users.id", index=False)
    created_at: datetime = created_at_field()


class CohortMentee(SQLModel, table=True):
    """A newcomer in a cohort, on the grounds of their admitted referral to the group
    program. Their referrals to other programs are untouched: a newcomer waiting for a
    one-to-one match keeps their place on that waiting list."""

    __tablename__ = "group_cohort_mentees"

    cohort_id: uuid.UUID = Field(foreign_key="group_cohorts.id", primary_key=True)
    mentee_id: uuid.UUID = Field(foreign_key="mentee_profiles.id", primary_key=True, index=True)
    referral_id: uuid.UUID = fk("referrals.id")
    added_by_user_id: uuid.UUID = fk("users.id", index=False)
    created_at: datetime = created_at_field()


class GroupSession(SQLModel, table=True):
    __tablename__ = "group_sessions"

    id: uuid.UUID = id_field()
    cohort_id: uuid.UUID = fk("group_cohorts.id")
    held_on: date
    minutes: int
    topic: str = Field(max_length=300)
    created_by_user_id: uuid.UUID = fk("users.id", index=False)
    created_at: datetime = created_at_field()


class GroupAttendance(SQLModel, table=True):
    """Whether one member, a mentor or a mentee, attended one session."""

    __tablename__ = "group_attendance"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "mentor_id"),
        sa.UniqueConstraint("session_id", "mentee_id"),
        sa.CheckConstraint(
            "(mentor_id IS NULL) <> (mentee_id IS NULL)", name="ck_group_attendance_one_person"
        ),
    )

    id: uuid.UUID = id_field()
    session_id: uuid.UUID = fk("group_sessions.id")
    mentor_id: uuid.UUID | None = fk("mentor_profiles.id", nullable=True)
    mentee_id: uuid.UUID | None = fk("mentee_profiles.id", nullable=True)
    present: bool
    recorded_by_user_id: uuid.UUID = fk("users.id", index=False)
    recorded_at: datetime = created_at_field()
