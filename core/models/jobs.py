"""Background work's tables: the embedded job queue, and the reminders already sent.

``jobs`` is the queue of the in-process runner used with SQLite (on PostgreSQL,
procrastinate keeps its own ``procrastinate_*`` tables). ``sent_reminders`` is how a
reminder fires once: its row is written in the transaction that queues the mail, under
a unique key, so a second scan, a restart or a second worker finds it and sends nothing.
"""

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import created_at_field, enum_field, id_field, json_field, timestamp_field


class JobStatus(enum.StrEnum):
    TODO = "todo"  # waiting for its run_at
    RUNNING = "running"  # claimed by a worker until locked_until
    FAILED = "failed"  # out of attempts: kept for operators to read last_error


class Job(SQLModel, table=True):
    """A job waiting to run, or one that failed for good. A job that succeeds is deleted."""

    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_due", "status", "run_at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    args: dict[str, Any] = json_field(dict)
    status: JobStatus = enum_field(JobStatus, JobStatus.TODO)
    run_at: datetime = timestamp_field(nullable=False)
    attempts: int = 0
    # A worker that dies mid-job leaves it running; once this passes another takes it.
    locked_until: datetime | None = timestamp_field()
    last_error: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = created_at_field()


class SentReminder(SQLModel, table=True):
    """One reminder that went out: ``kind`` (outcome_due, check_in_due), the record it
    is about and the occasion (the outcome stage, the check-in's date)."""

    __tablename__ = "sent_reminders"
    __table_args__ = (sa.UniqueConstraint("kind", "subject_id", "occasion", name="uq_sent_reminders_key"),)

    id: uuid.UUID = id_field()
    kind: str = Field(max_length=40)
    subject_id: uuid.UUID
    occasion: str = Field(max_length=40)
    recipients: int = 0
    sent_at: datetime = created_at_field()
