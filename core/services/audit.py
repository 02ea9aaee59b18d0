"""The audit trail, for the admins of the organization that owns the clients."""

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import validation
from core.access import Actor
from core.models import AuditEvent, Role


async def list_audit_events(
    session: AsyncSession, actor: Actor, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """Who outside the organization read or changed its clients' data, newest first."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    limit = validation.integer(limit, "limit", minimum=1, maximum=200)
    query = select(AuditEvent).where(AuditEvent.owner_organization_id == organization_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id))
        .limit(limit)
        .offset(max(offset, 0))
    )
    return list(rows), total
