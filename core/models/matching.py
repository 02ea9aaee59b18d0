"""Matching records: conflicts of interest, and cohort runs with their draft proposals."""

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import created_at_field, enum_field, fk, id_field, json_field, timestamp_field


class ConflictKind(enum.StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    FAMILY = "family"
    OTHER = "other"


class ConflictOfInterest(SQLModel, table=True):
    """A mentor who must never be proposed to a newcomer (their caseworker, their
    supervisor, a relative…). A caseworker who registered the newcomer's file is
    recognised without being declared."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (sa.UniqueConstraint("mentee_id", "mentor_id"),)

    id: uuid.UUID = id_field()
    mentee_id: uuid.UUID = fk("mentee_profiles.id")
    mentor_id: uuid.UUID = fk("mentor_profiles.id")
    kind: ConflictKind = enum_field(ConflictKind)
    note: str = Field(default="", sa_type=sa.Text)
    declared_by_user_id: uuid.UUID = fk("users.id", index=False)
    created_at: datetime = created_at_field()


class CohortMode(enum.StrEnum):
    BEST_TOTAL = "best_total"  # the greatest sum of scores
    MOST_MATCHED = "most_matched"  # the most people matched, then the greatest sum


class CohortRun(SQLModel, table=True):
    """One optimal assignment of a program's waiting list, kept with the settings it
    used and the greedy baseline it is compared with."""

    __tablename__ = "cohort_runs"

    id: uuid.UUID = id_field()
    program_id: uuid.UUID = fk("programs.id")
    created_by_user_id: uuid.UUID = fk("users.id", index=False)
    mode: CohortMode = enum_field(CohortMode)
    minimum_score: float
    # The criteria's shares of the score at the time of the run.
    weights: dict[str, float] = json_field(dict)
    waiting_count: int
    mentor_count: int
    matched_count: int
    total_score: float
    greedy_matched_count: int
    greedy_total_score: float
    # [{"referral_id": ..., "mentee_id": ..., "reason": Unmatched}]
    unmatched: list[dict[str, Any]] = json_field()
    created_at: datetime = created_at_field()


class DraftStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    DISCARDED = "discarded"


class CohortDraft(SQLModel, table=True):
    """A pair a cohort run proposes, for staff to review: sending it makes a real match
    proposal, checked again as if staff had proposed it by hand."""

    __tablename__ = "cohort_drafts"

    id: uuid.UUID = id_field()
    run_id: uuid.UUID = fk("cohort_runs.id")
    referral_id: uuid.UUID = fk("referrals.id")
    mentee_id: uuid.UUID = fk("mentee_profiles.id", index=False)
    mentor_id: uuid.UUID = fk("mentor_profiles.id", index=False)
    score: float
    explanation: list[dict[str, Any]] = json_field()
    status: DraftStatus = enum_field(DraftStatus, DraftStatus.DRAFT)
    proposal_id: uuid.UUID | None = fk("match_proposals.id", nullable=True, index=False)
    decided_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    decided_at: datetime | None = timestamp_field()
