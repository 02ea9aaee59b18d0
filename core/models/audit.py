"""The audit trail of cross-organization access to clients' data."""

import enum
import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from core.models.base import created_at_field, enum_field, fk, id_field


class AuditAction(enum.StrEnum):
    READ = "read"
    CHANGE = "change"


class AuditEvent(SQLModel, table=True):
    """Written whenever someone reads or changes a client's data on behalf of an
    organization that does not own the client. Never updated or deleted."""

    __tablename__ = "audit_events"

    id: uuid.UUID = id_field()
    owner_organization_id: uuid.UUID = fk("organizations.id")
    actor_user_id: uuid.UUID = fk("users.id")
    actor_organization_id: uuid.UUID | None = fk("organizations.id", nullable=True)
    mentee_id: uuid.UUID = fk("mentee_profiles.id")
    action: AuditAction = enum_field(AuditAction)
    # Why access was granted: "referral" (consented) or "mentorship" (the mentor).
    grounds: str = Field(max_length=40)
    subject: str = Field(max_length=60, description="What was read or changed")
    created_at: datetime = created_at_field()
