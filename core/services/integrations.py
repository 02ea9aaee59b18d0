"""Integration clients: an organization admin lets another system act for the
organization through OAuth2 client credentials (RFC 6749 §4.4), with one role and a
chosen set of GraphQL operations, until the admin revokes it."""

import hmac
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, security, validation
from core.access import Actor
from core.errors import DomainError, NotFound
from core.ids import new_id
from core.models import AuthToken, IntegrationClient, Membership, Role, User
from core.services import accounts
from core.settings import get_settings

# A client acts as staff who coordinate or only read; never as an admin, who could
# create further clients or add members.
CLIENT_ROLES = frozenset({Role.COORDINATOR, Role.VIEWER})
# Access tokens issued to clients start with this, so the API can tell them from a
# person's sign-in without a database round trip (the prefix is part of the digested
# token: removing it yields no valid token).
CLIENT_TOKEN_PREFIX = "tic_"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int  # seconds
    operations: list[str]


def service_email(client_id: uuid.UUID) -> str:
    return f"client-{client_id}@clients.invalid"


async def list_integration_clients(session: AsyncSession, actor: Actor) -> list[IntegrationClient]:
    organization_id = actor.require_role(Role.ORG_ADMIN)
    rows = await session.scalars(
        select(IntegrationClient)
        .where(IntegrationClient.organization_id == organization_id)
        .order_by(col(IntegrationClient.created_at), col(IntegrationClient.id))
    )
    return list(rows)


async def create_integration_client(
    session: AsyncSession,
    actor: Actor,
    name: str,
    role: Role,
    operations: list[str],
    known_operations: Collection[str],
) -> tuple[IntegrationClient, str]:
    """A new client and its secret, which is shown this once: only its digest is kept.
    ``known_operations`` are the API's root fields, the only names a client may be
    granted."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    name = validation.text(name, "name", max_length=200, required=True)
    if role not in CLIENT_ROLES:
        raise DomainError("CLIENT_ROLE_NOT_ALLOWED", field="role", role=role.value)
    granted = sorted({operation.strip() for operation in operations})
    if not granted:
        raise DomainError("REQUIRED", field="operations")
    for operation in granted:
        if operation not in known_operations:
            raise DomainError("UNKNOWN_OPERATION", field="operations", operation=operation)
    client_id = new_id()
    user = await accounts.create_user(session, service_email(client_id), name, None, actor.language)
    session.add(Membership(user_id=user.id, organization_id=organization_id, role=role))
    secret = security.new_token()
    client = IntegrationClient(
        id=client_id,
        organization_id=organization_id,
        user_id=user.id,
        name=name,
        role=role,
        operations=granted,
        secret_hash=security.token_digest(secret),
        created_by=actor.user_id,
    )
    session.add(client)
    await session.flush()
    return client, secret


async def revoke_integration_client(
    session: AsyncSession, actor: Actor, client_id: uuid.UUID
) -> IntegrationClient:
    """Its tokens stop working at once and it can get no other."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    client = await session.get(IntegrationClient, client_id)
    if client is None or client.organization_id != organization_id:
        raise NotFound()
    if client.revoked_at is None:
        client.revoked_at = clock.now()
        user = await session.get_one(User, client.user_id)
        user.is_active = False
        await session.execute(delete(AuthToken).where(col(AuthToken.integration_client_id) == client.id))
    return client


async def issue_token(session: AsyncSession, client_id: str, secret: str, scope: str | None) -> IssuedToken:
    """An access token for a client that proves its secret, limited to ``scope`` (its
    operations, space-separated; all of them when not given)."""
    try:
        client = await session.get(IntegrationClient, uuid.UUID(client_id))
    except ValueError:
        client = None
    if client is None or not hmac.compare_digest(client.secret_hash, security.token_digest(secret)):
        raise DomainError("INVALID_CLIENT")
    user = await session.get_one(User, client.user_id)
    if client.revoked_at is not None or not user.is_active:
        raise DomainError("INVALID_CLIENT")
    requested = sorted(set((scope or "").split())) or list(client.operations)
    outside = [operation for operation in requested if operation not in client.operations]
    if outside:
        raise DomainError("INVALID_SCOPE", operations=" ".join(outside))
    token = CLIENT_TOKEN_PREFIX + security.new_token()
    ttl = timedelta(minutes=get_settings().integration_token_ttl_minutes)
    session.add(
        AuthToken(
            token_hash=security.token_digest(token),
            user_id=user.id,
            expires_at=clock.now() + ttl,
            integration_client_id=client.id,
            operations=requested,
        )
    )
    return IssuedToken(access_token=token, expires_in=int(ttl.total_seconds()), operations=requested)
