"""The audit trail, for the admins of the organization that owns the clients."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.access import Actor
from core.models import AuditEvent, Role
from core.paging import fetch_page


async def list_audit_events(
    session: AsyncSession, actor: Actor, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """Who outside the organization read or changed its clients' data, newest first."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    query = select(AuditEvent).where(AuditEvent.owner_organization_id == organization_id)
    rows, total = await fetch_page(
        session,
        query.order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id)),
        limit=limit,
        offset=offset,
    )
    return list(rows), total
