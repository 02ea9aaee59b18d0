"""A mentorship's life around the meetings: orientation before matching, the agreement,
goals, check-ins by the facilitator, surveys, and the certificate of completion."""

import enum
import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import enum_type
from core.models.base import created_at_field, enum_field, fk, id_field, json_field, timestamp_field

# What a program that never set them gets (README, "Mentoring lifecycle").
DEFAULT_MEETING_TARGET_HOURS = 24
DEFAULT_CHECK_IN_INTERVAL_DAYS = 30


class ProgramLifecycleSettings(SQLModel, table=True):
    """A program's lifecycle settings; a program without a row has the defaults."""

    __tablename__ = "program_lifecycle_settings"

    program_id: uuid.UUID = Field(foreign_key="programs.id", primary_key=True)
    orientation_required: bool = False
    meeting_target_hours: int = DEFAULT_MEETING_TARGET_HOURS
    check_in_interval_days: int = DEFAULT_CHECK_IN_INTERVAL_DAYS
    updated_by_user_id: uuid.UUID = fk("users.id", index=False)
    updated_at: datetime = created_at_field()


class OrientationStepKind(enum.StrEnum):
    # The newcomer's steps.
    NEEDS_ASSESSMENT = "needs_assessment"
    ORIENTATION_SESSION = "orientation_session"
    # The mentor's steps.
    ONE_TO_ONE_MEETING = "one_to_one_meeting"
    ORIENTATION = "orientation"
    TRAINING_WORKSHOP_DAY_1 = "training_workshop_day_1"
    TRAINING_WORKSHOP_DAY_2 = "training_workshop_day_2"


MENTEE_STEPS: tuple[OrientationStepKind, ...] = (
    OrientationStepKind.NEEDS_ASSESSMENT,
    OrientationStepKind.ORIENTATION_SESSION,
)
MENTOR_STEPS: tuple[OrientationStepKind, ...] = (
    OrientationStepKind.ONE_TO_ONE_MEETING,
    OrientationStepKind.ORIENTATION,
    OrientationStepKind.TRAINING_WORKSHOP_DAY_1,
    OrientationStepKind.TRAINING_WORKSHOP_DAY_2,
)


class OrientationStep(SQLModel, table=True):
    """One step a newcomer or a mentor went through, once per person and step."""

    __tablename__ = "orientation_steps"
    __table_args__ = (
        sa.UniqueConstraint("mentee_id", "step"),
        sa.UniqueConstraint("mentor_id", "step"),
        sa.CheckConstraint(
            "(mentee_id IS NULL) <> (mentor_id IS NULL)", name="ck_orientation_steps_one_person"
        ),
    )

    id: uuid.UUID = id_field()
    mentee_id: uuid.UUID | None = fk("mentee_profiles.id", nullable=True)
    mentor_id: uuid.UUID | None = fk("mentor_profiles.id", nullable=True)
    step: OrientationStepKind = enum_field(OrientationStepKind)
    completed_on: date
    note: str = Field(default="", sa_type=sa.Text)
    recorded_by_user_id: uuid.UUID = fk("users.id", index=False)
    recorded_by_organization_id: uuid.UUID = fk("organizations.id", index=False)
    recorded_at: datetime = created_at_field()


class MentorshipAgreement(SQLModel, table=True):
    """The agreement generated when a mentorship starts. Its terms and both language
    versions of its text are frozen at creation: what the pair accepted stays readable
    as it was, whatever later changes to the program or the action plan."""

    __tablename__ = "mentorship_agreements"

    mentorship_id: uuid.UUID = Field(foreign_key="mentorships.id", primary_key=True)
    goals: list[str] = json_field()
    agreement_date: date
    planned_end: date
    meeting_minutes_per_week: int
    meeting_target_hours: int
    document_en: str = Field(sa_type=sa.Text)
    document_fr: str = Field(sa_type=sa.Text)
    mentor_accepted_at: datetime | None = timestamp_field()
    mentee_accepted_at: datetime | None = timestamp_field()
    # The newcomer, or their agency's staff on their behalf.
    mentee_accepted_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at_field()


class MentorshipGoal(SQLModel, table=True):
    __tablename__ = "mentorship_goals"

    id: uuid.UUID = id_field()
    mentorship_id: uuid.UUID = fk("mentorships.id")
    text: str = Field(sa_type=sa.Text)
    progress: int = 0
    done: bool = False
    created_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at_field()
    updated_at: datetime | None = timestamp_field()


class PairStatus(enum.StrEnum):
    ON_TRACK = "on_track"
    NEEDS_ATTENTION = "needs_attention"
    AT_RISK = "at_risk"


class CheckIn(SQLModel, table=True):
    """A facilitator's check-in with a pair, planned every ``check_in_interval_days``
    from the agreement date to the planned end. The reminder job reads the rows with
    ``done_at`` null and ``due_on`` reached: they all belong to active mentorships
    (closing a mentorship removes its check-ins still to do)."""

    __tablename__ = "check_ins"
    __table_args__ = (sa.UniqueConstraint("mentorship_id", "due_on"),)

    id: uuid.UUID = id_field()
    mentorship_id: uuid.UUID = fk("mentorships.id")
    due_on: date = Field(index=True)
    done_at: datetime | None = timestamp_field()
    pair_status: PairStatus | None = Field(default=None, sa_type=enum_type(PairStatus), nullable=True)
    notes: str = Field(default="", sa_type=sa.Text)
    recorded_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)


class QuestionKind(enum.StrEnum):
    SCALE = "scale"
    TEXT = "text"


class SurveyQuestion(SQLModel, table=True):
    """A question of a program's survey. Once answered it is frozen (the answers keep
    their meaning); staff retire it and add another instead."""

    __tablename__ = "survey_questions"

    id: uuid.UUID = id_field()
    program_id: uuid.UUID = fk("programs.id")
    position: int = 0
    kind: QuestionKind = enum_field(QuestionKind)
    text_en: str = Field(sa_type=sa.Text)
    text_fr: str = Field(sa_type=sa.Text)
    scale_min: int | None = None
    scale_max: int | None = None
    min_label_en: str = Field(default="", max_length=200)
    min_label_fr: str = Field(default="", max_length=200)
    max_label_en: str = Field(default="", max_length=200)
    max_label_fr: str = Field(default="", max_length=200)
    retired_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class SurveyStage(enum.StrEnum):
    MIDPOINT = "midpoint"
    COMPLETION = "completion"


class PairSide(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class SurveyResponse(SQLModel, table=True):
    __tablename__ = "survey_responses"
    __table_args__ = (sa.UniqueConstraint("mentorship_id", "side", "stage"),)

    id: uuid.UUID = id_field()
    mentorship_id: uuid.UUID = fk("mentorships.id")
    program_id: uuid.UUID = fk("programs.id")
    side: PairSide = enum_field(PairSide)
    stage: SurveyStage = enum_field(SurveyStage)
    answered_by_user_id: uuid.UUID = fk("users.id", index=False)
    submitted_at: datetime = created_at_field()


class SurveyAnswer(SQLModel, table=True):
    __tablename__ = "survey_answers"
    __table_args__ = (sa.UniqueConstraint("response_id", "question_id"),)

    id: uuid.UUID = id_field()
    response_id: uuid.UUID = fk("survey_responses.id")
    question_id: uuid.UUID = fk("survey_questions.id")
    scale_value: int | None = None
    text: str = Field(default="", sa_type=sa.Text)


class Certificate(SQLModel, table=True):
    """A certificate of completion, issued once. ``content`` is what the certificate
    states and ``signature`` an HMAC over it: changing either breaks verification."""

    __tablename__ = "certificates"

    id: uuid.UUID = id_field()
    mentorship_id: uuid.UUID = Field(foreign_key="mentorships.id", unique=True)
    content: dict[str, Any] = json_field(dict)
    signature: str = Field(max_length=100)
    issued_by_user_id: uuid.UUID = fk("users.id", index=False)
    issued_at: datetime = created_at_field()
