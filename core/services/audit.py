"""The audit trail, for the admins of the organization that owns the clients.

Entries are appended to the owning organization's hash chain (see
``core.models.audit``): each entry's hash covers its content and the previous entry's
hash, so the admin can check that nothing was changed, removed or reordered.
"""

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock
from core.access import Actor
from core.errors import DomainError
from core.models import GENESIS_HASH, AuditAction, AuditChainHead, AuditEvent, Role
from core.paging import fetch_page


def entry_hash(event: AuditEvent) -> str:
    """SHA-256 of the entry's content and the previous entry's hash. The field list and
    format are fixed: changing them would break every existing chain."""
    content = {
        "sequence": event.sequence,
        "owner_organization_id": str(event.owner_organization_id),
        "actor_user_id": str(event.actor_user_id),
        "actor_organization_id": str(event.actor_organization_id) if event.actor_organization_id else None,
        "mentee_id": str(event.mentee_id),
        "action": str(event.action),
        "grounds": event.grounds,
        "subject": event.subject,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "previous_hash": event.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _locked_head(session: AsyncSession, organization_id: uuid.UUID) -> AuditChainHead:
    """The organization's chain head, created on first use, locked until the
    transaction ends (PostgreSQL; SQLite serializes writers anyway)."""
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        dialect_insert(AuditChainHead)
        .values(organization_id=organization_id, sequence=0, entry_hash=GENESIS_HASH)
        .on_conflict_do_nothing(index_elements=["organization_id"])
    )
    head = await session.scalar(
        select(AuditChainHead)
        .where(AuditChainHead.organization_id == organization_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert head is not None
    return head


async def append(session: AsyncSession, events: Iterable[AuditEvent]) -> None:
    """Chain and write ``events``. Heads are locked in a fixed order so that two
    requests auditing several organizations cannot deadlock."""
    by_owner: dict[uuid.UUID, list[AuditEvent]] = defaultdict(list)
    for event in events:
        by_owner[event.owner_organization_id].append(event)
    if not by_owner:
        return
    now = clock.now()
    rows = []
    for owner in sorted(by_owner):
        head = await _locked_head(session, owner)
        for event in by_owner[owner]:
            event.created_at = now
            event.sequence = head.sequence + 1
            event.previous_hash = head.entry_hash
            event.entry_hash = entry_hash(event)
            head.sequence, head.entry_hash = event.sequence, event.entry_hash
            rows.append(event.model_dump())
    # A Core insert: the events are records, not objects this session goes on changing.
    await session.execute(insert(AuditEvent), rows)
    await session.flush()


@dataclass(frozen=True)
class AuditFilter:
    mentee_id: uuid.UUID | None = None
    actor_organization_id: uuid.UUID | None = None
    action: AuditAction | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_audit_events(
    session: AsyncSession,
    actor: Actor,
    *,
    filters: AuditFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEvent], int]:
    """Who outside the organization read or changed its clients' data, newest first."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    filters = filters or AuditFilter()
    if filters.since and filters.until and filters.since > filters.until:
        raise DomainError("INVALID_PERIOD", field="until")
    query = select(AuditEvent).where(AuditEvent.owner_organization_id == organization_id)
    if filters.mentee_id is not None:
        query = query.where(AuditEvent.mentee_id == filters.mentee_id)
    if filters.actor_organization_id is not None:
        query = query.where(AuditEvent.actor_organization_id == filters.actor_organization_id)
    if filters.action is not None:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since is not None:
        query = query.where(col(AuditEvent.created_at) >= filters.since)
    if filters.until is not None:
        query = query.where(col(AuditEvent.created_at) < filters.until)
    rows, total = await fetch_page(
        session, query.order_by(col(AuditEvent.sequence).desc()), limit=limit, offset=offset
    )
    return list(rows), total


@dataclass(frozen=True)
class ChainCheck:
    valid: bool
    checked: int
    # The first entry whose content, position or link does not hold, when not valid.
    broken_at: int | None = None


async def verify_audit_trail(session: AsyncSession, actor: Actor, *, batch: int = 2000) -> ChainCheck:
    """Recompute the organization's chain from its first entry."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    head = await session.get(AuditChainHead, organization_id)
    expected_previous, checked = GENESIS_HASH, 0
    result = await session.stream_scalars(
        select(AuditEvent)
        .where(AuditEvent.owner_organization_id == organization_id)
        .order_by(col(AuditEvent.sequence))
        .execution_options(yield_per=batch)
    )
    async for event in result:
        checked += 1
        if (
            event.sequence != checked
            or event.previous_hash != expected_previous
            or entry_hash(event) != event.entry_hash
        ):
            return ChainCheck(valid=False, checked=checked, broken_at=checked)
        expected_previous = event.entry_hash
    head_sequence, head_hash = (head.sequence, head.entry_hash) if head else (0, GENESIS_HASH)
    if head_sequence != checked or head_hash != expected_previous:
        # The newest entries were removed (or the head was forged).
        return ChainCheck(valid=False, checked=checked, broken_at=checked + 1)
    return ChainCheck(valid=True, checked=checked)
