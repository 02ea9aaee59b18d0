"""Local accounts, sign-in tokens, memberships, and resolving the acting person."""

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, security, validation
from core.access import Actor
from core.errors import DomainError, Unauthenticated
from core.models import AuthToken, IntegrationClient, Language, Membership, Organization, Role, User
from core.services import local_accounts
from core.settings import get_settings
from core.throttle import SignInThrottle


async def create_user(
    session: AsyncSession,
    email: str,
    display_name: str,
    password: str | None,
    language: Language = Language.EN,
    *,
    password_hash: str | None = None,
) -> User:
    """A new person. ``password_hash`` lets bulk imports reuse one hash."""
    address = validation.email(email)
    if address is None:
        raise DomainError("REQUIRED", field="email")
    if await session.scalar(select(User.id).where(User.email == address)):
        raise DomainError("EMAIL_TAKEN", field="email")
    if password is not None:
        if len(password) < security.MIN_PASSWORD_LENGTH:
            raise DomainError("PASSWORD_TOO_SHORT", field="password", min=security.MIN_PASSWORD_LENGTH)
        password_hash = security.hash_password(password)
    user = User(
        email=address,
        display_name=validation.text(display_name, "displayName", max_length=200, required=True),
        password_hash=password_hash,
        preferred_language=language,
    )
    session.add(user)
    await session.flush()
    return user


async def sign_in(
    session: AsyncSession,
    email: str,
    password: str,
    *,
    throttle: SignInThrottle | None = None,
    address: str | None = None,
) -> tuple[str, User]:
    """A sign-in token for the right password. With a ``throttle`` (the API's), repeated
    failures lock the account for a while and one ``address`` may only try so often."""
    email = email.strip().lower()
    if throttle is not None:
        throttle.check(email, address)
    user = await session.scalar(select(User).where(User.email == email))
    valid = security.verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        if throttle is not None:
            throttle.failed(email)
        raise DomainError("INVALID_CREDENTIALS")
    if throttle is not None:
        throttle.succeeded(email)
    return await start_session(session, user), user


async def start_session(session: AsyncSession, user: User) -> str:
    """A new sign-in token for ``user`` (password or single sign-on); only its digest is
    stored."""
    token = security.new_token()
    session.add(
        AuthToken(
            token_hash=security.token_digest(token),
            user_id=user.id,
            expires_at=clock.now() + timedelta(hours=get_settings().session_ttl_hours),
        )
    )
    return token


async def sign_out(session: AsyncSession, token: str) -> None:
    await session.execute(delete(AuthToken).where(col(AuthToken.token_hash) == security.token_digest(token)))


async def resolve_actor(session: AsyncSession, token: str | None, organization_slug: str | None) -> Actor:
    """The person behind a bearer token, acting for ``organization_slug``, or for their
    only organization when they belong to just one."""
    if not token:
        raise Unauthenticated()
    row = (
        await session.execute(
            select(User, AuthToken.operations, IntegrationClient.organization_id)
            .join(AuthToken, col(AuthToken.user_id) == User.id)
            .outerjoin(IntegrationClient, col(IntegrationClient.id) == AuthToken.integration_client_id)
            .where(AuthToken.token_hash == security.token_digest(token), AuthToken.expires_at > clock.now())
        )
    ).first()
    if row is None or not row[0].is_active:
        raise Unauthenticated()
    user: User = row[0]
    operations, client_organization = row[1], row[2]
    memberships: dict[uuid.UUID, set[Role]] = {}
    slugs: dict[str, uuid.UUID] = {}
    for member_of, slug, role in await session.execute(
        select(Membership.organization_id, Organization.slug, col(Membership.role))
        .join(Organization, col(Organization.id) == Membership.organization_id)
        .where(
            Membership.user_id == user.id,
            # An integration client's token acts for the client's organization only.
            Membership.organization_id == client_organization if client_organization else sa.true(),
        )
    ):
        memberships.setdefault(member_of, set()).add(role)
        slugs[slug] = member_of
    if organization_slug:
        organization_id = slugs.get(organization_slug)
        if organization_id is None:
            raise DomainError("NOT_MEMBER", organization=organization_slug)
    elif len(memberships) == 1:
        organization_id = next(iter(memberships))
    else:
        organization_id = None
    frozen = {key: frozenset(roles) for key, roles in memberships.items()}
    return Actor(
        user_id=user.id,
        display_name=user.display_name,
        language=user.preferred_language,
        organization_id=organization_id,
        roles=frozen.get(organization_id, frozenset()) if organization_id else frozenset(),
        memberships=frozen,
        operations=frozenset(operations) if operations is not None else None,
    )


async def add_member(
    session: AsyncSession,
    actor: Actor,
    email: str,
    display_name: str,
    role: Role,
    password: str | None,
) -> Membership:
    """An organization admin adds a person (new or existing) with a role. A new person
    is mailed a link to verify their address, or to set their password when the admin
    gave none."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    address = validation.email(email)
    user = await session.scalar(select(User).where(User.email == address)) if address else None
    if user is None:
        user = await create_user(session, email, display_name, password)
        await local_accounts.welcome(session, user, organization_id, invited=password is None)
    existing = await session.scalar(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.organization_id == organization_id,
            Membership.role == role,
        )
    )
    if existing is not None:
        raise DomainError("ALREADY_MEMBER")
    membership = Membership(user_id=user.id, organization_id=organization_id, role=role)
    session.add(membership)
    await session.flush()
    return membership


async def set_language(session: AsyncSession, actor: Actor, language: Language) -> User:
    user = await session.get_one(User, actor.user_id)
    user.preferred_language = language
    return user
