"""The audit trail of cross-organization access to clients' data.

Each owning organization has its own hash chain: every entry carries its sequence
number and the hash of the previous entry, and ``audit_chain_heads`` remembers the
last one. Changing, removing or reordering an entry breaks the chain where it happened
(``core.services.audit.verify_audit_trail``); removing the newest entries disagrees
with the head. Database triggers refuse UPDATE and DELETE on the table.
"""

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import created_at_field, enum_field, fk, id_field


class AuditAction(enum.StrEnum):
    READ = "read"
    CHANGE = "change"


# The hash "before" an organization's first entry.
GENESIS_HASH = "0" * 64


class AuditEvent(SQLModel, table=True):
    """Written whenever someone reads or changes a client's data on behalf of an
    organization that does not own the client. Never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.UniqueConstraint("owner_organization_id", "sequence", name="uq_audit_events_chain"),)

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
    # Position in the owning organization's chain, from 1, and the chain's hashes.
    sequence: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    previous_hash: str = Field(default=GENESIS_HASH, max_length=64)
    entry_hash: str = Field(default="", max_length=64)


class AuditChainHead(SQLModel, table=True):
    """The newest entry of one organization's chain. Appending locks this row, so
    entries get consecutive sequence numbers however many requests audit at once."""

    __tablename__ = "audit_chain_heads"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", primary_key=True)
    sequence: int = 0
    entry_hash: str = Field(default=GENESIS_HASH, max_length=64)


# Append-only in the database itself, not only in the code: the same triggers are
# created by the migration that introduced the chain.
APPEND_ONLY_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ],
}

for _dialect, _statements in APPEND_ONLY_TRIGGERS.items():
    for _statement in _statements:
        sa.event.listen(
            AuditEvent.__table__,  # type: ignore[attr-defined]
            "after_create",
            sa.DDL(_statement).execute_if(dialect=_dialect),
        )
