"""Conflicts of interest: mentors who must never be proposed to a newcomer.

Declared by staff who hold the newcomer's file (the owning agency, or a program the
newcomer was referred to), or by the newcomer themself. Matching treats them as a hard
constraint (``core.services.matching``). A declaration by another organization than
the owner is a change to the newcomer's data, and is audited like one.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.models import ConflictKind, ConflictOfInterest
from core.services.mentees import get_mentee
from core.services.mentors import get_visible_mentor
from federation import sharing
from federation.sharing import Grounds, MenteeView

# Grounds on which someone may declare or withdraw a newcomer's conflicts.
_STAFF_GROUNDS = frozenset({Grounds.OWNER, Grounds.REFERRAL})


async def _declarable(
    session: AsyncSession, actor: Actor, mentee_id: uuid.UUID, *, change: bool = True
) -> MenteeView:
    """The file of a newcomer whose conflicts the actor may read, or (``change``) declare
    and withdraw: read-only staff only read them."""
    view = await get_mentee(session, actor, mentee_id)
    staff = actor.is_staff if change else actor.is_reading_staff
    if view.grounds == Grounds.SELF or (view.grounds in _STAFF_GROUNDS and staff):
        return view
    raise Forbidden()


async def declare_conflict(
    session: AsyncSession,
    actor: Actor,
    mentee_id: uuid.UUID,
    mentor_id: uuid.UUID,
    kind: ConflictKind,
    note: str = "",
) -> ConflictOfInterest:
    view = await _declarable(session, actor, mentee_id)
    mentor = await get_visible_mentor(session, actor, mentor_id)
    note = validation.text(note, "note", max_length=2000)
    existing = await session.scalar(
        select(ConflictOfInterest.id).where(
            ConflictOfInterest.mentee_id == mentee_id, ConflictOfInterest.mentor_id == mentor.id
        )
    )
    if existing is not None:
        raise DomainError("CONFLICT_ALREADY_DECLARED", field="mentorId")
    conflict = ConflictOfInterest(
        mentee_id=mentee_id, mentor_id=mentor.id, kind=kind, note=note, declared_by_user_id=actor.user_id
    )
    session.add(conflict)
    await sharing.audit_change(session, actor, view.profile, "conflict_of_interest", view.grounds)
    await session.flush()
    return conflict


async def list_conflicts(
    session: AsyncSession, actor: Actor, mentee_id: uuid.UUID
) -> list[ConflictOfInterest]:
    await _declarable(session, actor, mentee_id, change=False)
    rows = await session.scalars(
        select(ConflictOfInterest)
        .where(ConflictOfInterest.mentee_id == mentee_id)
        .order_by(col(ConflictOfInterest.created_at), col(ConflictOfInterest.id))
    )
    return list(rows)


async def withdraw_conflict(session: AsyncSession, actor: Actor, conflict_id: uuid.UUID) -> None:
    conflict = await session.get(ConflictOfInterest, conflict_id)
    if conflict is None:
        raise NotFound()
    view = await _declarable(session, actor, conflict.mentee_id)
    await session.delete(conflict)
    await sharing.audit_change(session, actor, view.profile, "conflict_of_interest", view.grounds)
    await session.flush()
