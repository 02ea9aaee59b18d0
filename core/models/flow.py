"""The mentoring flow: referral → match proposal → mentorship → meetings → outcomes."""

import enum
import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import enum_type
from core.models.base import (
    created_at_field,
    enum_field,
    fk,
    id_field,
    json_field,
    timestamp_field,
)


class ReferralStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ADMITTED = "admitted"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


ACTIVE_REFERRAL_STATUSES = (ReferralStatus.SUBMITTED, ReferralStatus.ADMITTED)
_active_referral = sa.text("status IN ('submitted', 'admitted')")


class Referral(SQLModel, table=True):
    __tablename__ = "referrals"
    # A client has at most one live referral per program; the service checks first to
    # answer with a clear error, the index makes a race impossible.
    __table_args__ = (
        sa.Index(
            "uq_referrals_active_per_program",
            "mentee_id",
            "program_id",
            unique=True,
            sqlite_where=_active_referral,
            postgresql_where=_active_referral,
        ),
    )

    id: uuid.UUID = id_field()
    mentee_id: uuid.UUID = fk("mentee_profiles.id")
    program_id: uuid.UUID = fk("programs.id")
    referring_organization_id: uuid.UUID = fk("organizations.id")
    referred_by_user_id: uuid.UUID = fk("users.id", index=False)
    status: ReferralStatus = enum_field(ReferralStatus, ReferralStatus.SUBMITTED, index=True)
    # The client's consent to share their file with the program's organization.
    consent_given_at: datetime = timestamp_field(nullable=False)
    note: str = Field(default="", sa_type=sa.Text)
    # [{"rule": key, "passed": bool}] from the program type's plugins, at submission
    # and again at the decision.
    eligibility: list[dict[str, Any]] = json_field()
    # The version of the program's rules ``eligibility`` was checked against.
    rules_version: int | None = None
    # What the program type asks of a referral (e.g. the host-program enrolment of an
    # integrated program), and what plugins note on it.
    details: dict[str, Any] = json_field(dict)
    return_reasons: list[str] = json_field()
    decision_note: str = Field(default="", sa_type=sa.Text)
    decided_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    decided_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class Answer(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class MatchProposal(SQLModel, table=True):
    __tablename__ = "match_proposals"

    id: uuid.UUID = id_field()
    program_id: uuid.UUID = fk("programs.id")
    referral_id: uuid.UUID = fk("referrals.id")
    mentee_id: uuid.UUID = fk("mentee_profiles.id")
    mentor_id: uuid.UUID = fk("mentor_profiles.id")
    proposed_by_user_id: uuid.UUID = fk("users.id", index=False)
    score: float
    # [{"criterion": key, "weight": w, "score": s, "reason": key, "params": {...}}]
    explanation: list[dict[str, Any]] = json_field()
    # Stored as pending until both answered; "expired" is derived from expires_at so
    # that no background job is needed for correctness.
    status: ProposalStatus = enum_field(ProposalStatus, ProposalStatus.PENDING, index=True)
    mentee_answer: Answer = enum_field(Answer, Answer.PENDING)
    mentor_answer: Answer = enum_field(Answer, Answer.PENDING)
    mentee_answered_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    decline_reason: str = Field(default="", sa_type=sa.Text)
    expires_at: datetime = timestamp_field(nullable=False)
    decided_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class MentorshipStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"


class ClosureKind(enum.StrEnum):
    """How a mentorship ended: the first two complete it, the last ends it early."""

    MUTUAL_AGREEMENT = "mutual_agreement"
    END_OF_TERM = "end_of_term"
    EARLY = "early"


class Mentorship(SQLModel, table=True):
    __tablename__ = "mentorships"

    id: uuid.UUID = id_field()
    program_id: uuid.UUID = fk("programs.id")
    proposal_id: uuid.UUID = Field(foreign_key="match_proposals.id", unique=True)
    mentee_id: uuid.UUID = fk("mentee_profiles.id")
    mentor_id: uuid.UUID = fk("mentor_profiles.id")
    agreement_date: date
    planned_end: date
    goals: str = Field(default="", sa_type=sa.Text)
    status: MentorshipStatus = enum_field(MentorshipStatus, MentorshipStatus.ACTIVE, index=True)
    closed_at: datetime | None = timestamp_field()
    closed_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    closure_reason: str = Field(default="", sa_type=sa.Text)
    closure_kind: ClosureKind | None = Field(default=None, sa_type=enum_type(ClosureKind), nullable=True)
    created_at: datetime = created_at_field()


class MentorshipExtension(SQLModel, table=True):
    __tablename__ = "mentorship_extensions"

    id: uuid.UUID = id_field()
    mentorship_id: uuid.UUID = fk("mentorships.id")
    previous_end: date
    new_end: date
    reason: str = Field(default="", sa_type=sa.Text)
    created_by_user_id: uuid.UUID = fk("users.id", index=False)
    created_at: datetime = created_at_field()


class MeetingMode(enum.StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    EMAIL = "email"


class NotesVisibility(enum.StrEnum):
    PAIR = "pair"
    STAFF = "staff"


class Meeting(SQLModel, table=True):
    __tablename__ = "meetings"

    id: uuid.UUID = id_field()
    mentorship_id: uuid.UUID = fk("mentorships.id")
    occurred_on: date
    minutes: int
    mode: MeetingMode = enum_field(MeetingMode)
    # "meeting", or an activity kind a program-type plugin registered (job shadowing...).
    activity: str = Field(default="meeting", max_length=60)
    notes: str = Field(default="", sa_type=sa.Text)
    notes_visibility: NotesVisibility = enum_field(NotesVisibility, NotesVisibility.PAIR)
    logged_by_user_id: uuid.UUID = fk("users.id", index=False)
    created_at: datetime = created_at_field()


class OutcomeStage(enum.StrEnum):
    CLOSURE = "closure"
    MONTH_3 = "month_3"
    MONTH_6 = "month_6"
    MONTH_12 = "month_12"


class EmploymentStatus(enum.StrEnum):
    EMPLOYED_IN_FIELD = "employed_in_field"
    EMPLOYED_RELATED_FIELD = "employed_related_field"
    EMPLOYED_OUTSIDE_FIELD = "employed_outside_field"
    IN_TRAINING = "in_training"
    SEARCHING = "searching"


class Outcome(SQLModel, table=True):
    __tablename__ = "outcomes"
    __table_args__ = (sa.UniqueConstraint("mentorship_id", "stage"),)

    id: uuid.UUID = id_field()
    mentorship_id: uuid.UUID = fk("mentorships.id")
    mentee_id: uuid.UUID = fk("mentee_profiles.id")
    stage: OutcomeStage = enum_field(OutcomeStage)
    status: EmploymentStatus = enum_field(EmploymentStatus)
    job_noc: str | None = Field(default=None, max_length=5)
    note: str = Field(default="", sa_type=sa.Text)
    recorded_by_user_id: uuid.UUID = fk("users.id", index=False)
    recorded_at: datetime = created_at_field()
