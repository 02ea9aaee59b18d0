"""Newcomers' files, owned by the organization that registered them."""

import uuid
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.matching import declared
from core.models import Language, Membership, MenteeProfile, Role
from core.paging import fetch_page
from core.services import accounts
from federation import sharing
from federation.sharing import MenteeView


class LanguageLevel(Protocol):
    language: str
    clb: int


def _skills(value: list[LanguageLevel]) -> list[dict[str, Any]]:
    return validation.language_skills([(skill.language, skill.clb) for skill in value])


def _text(max_length: int, required: bool = False) -> Callable[[str, str], str]:
    return lambda value, field: validation.text(value, field, max_length=max_length, required=required)


def _as_is(value: Any, _field: str) -> Any:
    return value


# One validator per editable field: registration and updates share them.
FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "first_name": _text(100, required=True),
    "last_name": _text(100, required=True),
    "email": lambda value, field: validation.email(value, field),
    "phone": lambda value, field: validation.text(value, field, max_length=40) or None if value else None,
    "immigration_status": _as_is,
    "arrival_date": lambda value, field: value and validation.not_in_future(value, field),
    "country_of_training": validation.country,
    "credentials": lambda value, field: [validation.text(item, field, max_length=200) for item in value],
    "target_noc": validation.noc,
    "industry_naics": validation.naics,
    "languages": lambda value, _field: _skills(value),
    "preferred_language": _as_is,
    "city": _text(100),
    "province": validation.province,
    "career_goal": _text(2000),
    "availability": validation.availability,
    "action_plan": _text(8000),
    "job_search_workshop": _as_is,
    "open_to_virtual": _as_is,
    "cultural_backgrounds": declared.cultural_backgrounds,
    "work_style": declared.work_style,
    "case_notes": _text(8000),
}
REQUIRED = ("first_name", "last_name", "immigration_status", "country_of_training", "target_noc")
NULLABLE = frozenset({"email", "phone", "arrival_date", "industry_naics"})
# What a newcomer may change in their own file; the rest is the agency's assessment.
SELF_EDITABLE = frozenset(
    {
        "phone", "city", "career_goal", "availability", "action_plan", "open_to_virtual",
        "preferred_language", "cultural_backgrounds", "work_style",
    }
)  # fmt: skip


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise DomainError("INVALID_INPUT", field=validation.api_field(sorted(unknown)[0]))
    for name, value in changes.items():
        if value is None and name not in NULLABLE:
            raise DomainError("REQUIRED", field=validation.api_field(name))
    return {name: FIELDS[name](value, validation.api_field(name)) for name, value in changes.items()}


async def register_mentee(
    session: AsyncSession, actor: Actor, data: dict[str, Any], account_password: str | None = None
) -> MenteeProfile:
    """An agency registers a client; the agency owns the file. With a password, the
    client also gets an account to sign in with their email."""
    organization_id = actor.require_staff()
    missing = [name for name in REQUIRED if data.get(name) in (None, "")]
    if missing:
        raise DomainError("REQUIRED", field=validation.api_field(missing[0]))
    values = _validated(data)
    mentee = MenteeProfile(
        owner_organization_id=organization_id, registered_by_user_id=actor.user_id, **values
    )
    if account_password is not None:
        if not mentee.email:
            raise DomainError("REQUIRED", field="email")
        user = await accounts.create_user(
            session,
            mentee.email,
            f"{mentee.first_name} {mentee.last_name}",
            account_password,
            Language(mentee.preferred_language),
        )
        session.add(Membership(user_id=user.id, organization_id=organization_id, role=Role.MENTEE))
        mentee.user_id = user.id
    session.add(mentee)
    await session.flush()
    return mentee


async def update_mentee(
    session: AsyncSession, actor: Actor, mentee_id: uuid.UUID, changes: dict[str, Any]
) -> MenteeView:
    view = await get_mentee(session, actor, mentee_id)
    if view.grounds == sharing.Grounds.SELF:
        if not set(changes) <= SELF_EDITABLE:
            raise Forbidden()
    elif not (view.grounds == sharing.Grounds.OWNER and actor.is_staff):
        raise Forbidden()
    for name, value in _validated(changes).items():
        setattr(view.profile, name, value)
    view.profile.updated_at = clock.now()
    await session.flush()
    return view


async def get_mentee(session: AsyncSession, actor: Actor, mentee_id: uuid.UUID) -> MenteeView:
    """A file the actor may read. Another organization's client the actor has no
    grounds to see is "not found", so its existence does not leak."""
    views = await sharing.mentee_views(session, actor, [mentee_id])
    if mentee_id not in views:
        raise NotFound()
    return views[mentee_id]


async def own_file_id(session: AsyncSession, actor: Actor) -> uuid.UUID:
    """The signed-in newcomer's own file in the organization they act for."""
    mentee_id = await session.scalar(
        select(MenteeProfile.id).where(
            MenteeProfile.user_id == actor.user_id,
            MenteeProfile.owner_organization_id == actor.organization_id,
        )
    )
    if mentee_id is None:
        raise NotFound()
    return mentee_id


async def list_clients(
    session: AsyncSession, actor: Actor, *, search: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[MenteeView], int]:
    """Staff's client list: clients their organization owns, and clients referred to
    its programs with consent. Reads of the latter are audited."""
    actor.require_role(Role.ORG_ADMIN, Role.COORDINATOR, Role.VIEWER)
    query = select(MenteeProfile.id).where(sharing.staff_client_clause(actor))
    if search.strip():
        pattern = f"%{validation.text(search, 'search', max_length=100).lower()}%"
        query = query.where(
            or_(
                func.lower(MenteeProfile.first_name).like(pattern),
                func.lower(MenteeProfile.last_name).like(pattern),
                func.lower(MenteeProfile.email).like(pattern),
            )
        )
    ids, total = await fetch_page(
        session,
        query.order_by(col(MenteeProfile.last_name), col(MenteeProfile.first_name), col(MenteeProfile.id)),
        limit=limit,
        offset=offset,
    )
    views = await sharing.mentee_views(session, actor, ids)
    return [views[mentee_id] for mentee_id in ids if mentee_id in views], total
