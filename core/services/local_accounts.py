"""Local accounts' mailed links: verifying an email address, resetting a password, and
setting a first password for a person an admin added without one.

Each link carries a single-use token of one purpose; only its SHA-256 is stored. A
token nobody issued, or issued for the other purpose, answers ``TOKEN_INVALID`` (which
tells a guesser nothing); one used or expired answers ``TOKEN_USED`` or
``TOKEN_EXPIRED``, which only the holder of a real link can see and which tells them to
ask for a new one.

A link's mail is a job queued in the use case's transaction (``core.jobs.queue``): it
leaves only if the token it carries was committed, and is retried while the mail server
refuses it.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, mail, security
from core.access import Actor
from core.errors import DomainError, Forbidden
from core.jobs.queue import queue_mail
from core.models import (
    AccountToken,
    AccountTokenPurpose,
    AuthToken,
    IntegrationClient,
    Language,
    Organization,
    User,
)
from core.settings import Settings, get_settings
from core.throttle import SignInThrottle, SlidingWindow

PATHS = {
    AccountTokenPurpose.VERIFY_EMAIL: "/account/verify",
    AccountTokenPurpose.RESET_PASSWORD: "/account/reset",
}


@dataclass
class RequestLimits:
    """At most so many requests per key within a window, for each kind of key a request
    names (the email address asked about, the client address, a client id). In memory,
    like the sign-in throttle (``core.throttle``)."""

    windows: dict[str, SlidingWindow]

    def admit(self, **keys: str | None) -> None:
        """Count this request, or refuse it when any of its keys reached its limit."""
        named = {kind: f"{kind}:{key}" for kind, key in keys.items() if key}
        waits = [wait for kind, key in named.items() if (wait := self.windows[kind].wait(key)) is not None]
        if waits:
            raise DomainError("TOO_MANY_REQUESTS", minutes=max(1, math.ceil(max(waits).total_seconds() / 60)))
        for kind, key in named.items():
            self.windows[kind].hit(key)


def password_reset_limits(settings: Settings) -> RequestLimits:
    """Reset (and verification) mails per email address an hour; requests per client
    address a minute, as for sign-in."""
    return RequestLimits(
        {
            "email": SlidingWindow(settings.password_reset_requests_per_hour, timedelta(hours=1)),
            "address": SlidingWindow(settings.sign_in_attempts_per_minute, timedelta(minutes=1)),
        }
    )


def link(purpose: AccountTokenPurpose, token: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}{PATHS[purpose]}?token={token}"


async def _mail_link(
    session: AsyncSession, user: User, purpose: AccountTokenPurpose, ttl: timedelta, key: str, **params: str
) -> None:
    token = security.new_token()
    session.add(
        AccountToken(
            token_hash=security.token_digest(token),
            user_id=user.id,
            purpose=purpose,
            expires_at=clock.now() + ttl,
        )
    )
    await session.flush()
    hours, minutes = int(ttl.total_seconds() // 3600), int(ttl.total_seconds() // 60)
    await queue_mail(
        session,
        mail.compose(
            user.email,
            str(user.preferred_language),
            key,
            name=user.display_name,
            link=link(purpose, token),
            hours=str(hours),
            minutes=str(minutes),
            **params,
        ),
    )


async def _is_integration_client(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Service users of integration clients have no mailbox and never a password."""
    return bool(
        await session.scalar(select(IntegrationClient.id).where(IntegrationClient.user_id == user_id))
    )


def _verification_ttl() -> timedelta:
    return timedelta(hours=get_settings().email_verification_ttl_hours)


async def welcome(session: AsyncSession, user: User, organization_id: uuid.UUID, *, invited: bool) -> None:
    """Mail to a person an admin just created an account for: a link to set their
    password when they were added without one (it also verifies the address), else a
    link to verify their address. Both last the verification lifetime."""
    if not invited:
        await _mail_link(session, user, AccountTokenPurpose.VERIFY_EMAIL, _verification_ttl(), "verify_email")
        return
    organization = await session.get_one(Organization, organization_id)
    name = organization.name_fr if user.preferred_language == Language.FR else organization.name_en
    await _mail_link(
        session,
        user,
        AccountTokenPurpose.RESET_PASSWORD,
        _verification_ttl(),
        "invitation",
        organization=name,
    )


async def request_email_verification(
    session: AsyncSession, actor: Actor, *, limits: RequestLimits | None = None
) -> None:
    user = await session.get_one(User, actor.user_id)
    if await _is_integration_client(session, user.id):
        raise Forbidden()
    if user.email_verified_at is not None:
        raise DomainError("EMAIL_ALREADY_VERIFIED")
    if limits is not None:
        limits.admit(email=user.email)
    await _mail_link(session, user, AccountTokenPurpose.VERIFY_EMAIL, _verification_ttl(), "verify_email")


async def _redeem(session: AsyncSession, token: str, purpose: AccountTokenPurpose) -> User:
    """The user behind a valid ``token`` of ``purpose``, the token now used."""
    record = await session.scalar(
        select(AccountToken).where(AccountToken.token_hash == security.token_digest(token.strip()))
    )
    if record is None or record.purpose != purpose:
        raise DomainError("TOKEN_INVALID", field="token")
    if record.used_at is not None:
        raise DomainError("TOKEN_USED", field="token")
    now = clock.now()
    if record.expires_at <= now:
        raise DomainError("TOKEN_EXPIRED", field="token")
    user = await session.get_one(User, record.user_id)
    if not user.is_active:
        raise DomainError("TOKEN_INVALID", field="token")
    # Claimed in one statement, so two requests racing with the same link cannot both win.
    claimed = await session.execute(
        update(AccountToken)
        .where(col(AccountToken.id) == record.id, col(AccountToken.used_at).is_(None))
        .values(used_at=now)
    )
    if not isinstance(claimed, sa.CursorResult) or claimed.rowcount != 1:
        raise DomainError("TOKEN_USED", field="token")
    return user


async def verify_email(session: AsyncSession, token: str) -> User:
    user = await _redeem(session, token, AccountTokenPurpose.VERIFY_EMAIL)
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
    return user


async def request_password_reset(
    session: AsyncSession,
    email: str,
    *,
    limits: RequestLimits | None = None,
    address: str | None = None,
) -> None:
    """Mail a reset link when ``email`` is an account's. The answer is the same whether
    or not it is, so nobody learns who has an account here."""
    email = email.strip().lower()
    if limits is not None:
        limits.admit(email=email, address=address)
    user = await session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active or await _is_integration_client(session, user.id):
        return
    ttl = timedelta(minutes=get_settings().password_reset_ttl_minutes)
    await _mail_link(session, user, AccountTokenPurpose.RESET_PASSWORD, ttl, "reset_password")


async def reset_password(
    session: AsyncSession, token: str, new_password: str, *, throttle: SignInThrottle | None = None
) -> User:
    """Set a new password with a reset link: the person's other reset links stop
    working, every session of theirs ends, and a sign-in lockout on the account lifts.
    Reading the link also proves the address, so it counts as verified."""
    user = await _redeem(session, token, AccountTokenPurpose.RESET_PASSWORD)
    if len(new_password) < security.MIN_PASSWORD_LENGTH:
        raise DomainError("PASSWORD_TOO_SHORT", field="newPassword", min=security.MIN_PASSWORD_LENGTH)
    now = clock.now()
    user.password_hash = security.hash_password(new_password)
    if user.email_verified_at is None:
        user.email_verified_at = now
    await session.execute(
        update(AccountToken)
        .where(
            col(AccountToken.user_id) == user.id,
            col(AccountToken.purpose) == AccountTokenPurpose.RESET_PASSWORD,
            col(AccountToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
    await session.execute(delete(AuthToken).where(col(AuthToken.user_id) == user.id))
    if throttle is not None:
        throttle.succeeded(user.email)
    return user
