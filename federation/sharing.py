"""Sharing policies and consent enforcement.

A newcomer's file belongs to the organization that registered it. Anyone else reads it
only on one of these grounds, each showing only the fields its purpose needs:

- ``referral``: staff of an organization whose program the newcomer was referred to,
  while the referral is live (submitted or admitted) and the newcomer's consent to that
  organization is (``core.services.consents``);
- ``mentorship``: the mentor of one of the newcomer's mentorships;
- ``proposal``: a mentor a pending match proposal asks to decide on the newcomer, while
  the newcomer's consent to cards shown to that organization's mentors is live.

Every read on those grounds is written to the audit trail. Mentors, in the shared pool,
are visible according to their own visibility setting.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.access import Actor
from core.models import (
    ACTIVE_REFERRAL_STATUSES,
    AuditAction,
    AuditEvent,
    ConsentPurpose,
    MatchProposal,
    MenteeProfile,
    MentorProfile,
    MentorSharedWith,
    Mentorship,
    MentorVisibility,
    Program,
    ProposalStatus,
    Referral,
)
from core.plugins import await_me_maybe, get_plugin_host
from core.services import audit
from core.services.consents import consent_given


class Grounds(StrEnum):
    OWNER = "owner"
    SELF = "self"
    REFERRAL = "referral"
    MENTORSHIP = "mentorship"
    PROPOSAL = "proposal"
    CONNECTION = "connection"  # granted by a program-type plugin (grant_mentee_access)


ALL_FIELDS = frozenset(
    {
        "first_name", "last_name", "email", "phone", "immigration_status", "arrival_date",
        "country_of_training", "credentials", "target_noc", "industry_naics", "languages",
        "preferred_language", "city", "province", "career_goal", "availability",
        "action_plan", "job_search_workshop", "open_to_virtual", "cultural_backgrounds",
        "work_style", "case_notes",
    }
)  # fmt: skip
_MENTOR_CARD = frozenset(
    {
        "first_name", "country_of_training", "credentials", "target_noc", "industry_naics",
        "languages", "preferred_language", "city", "career_goal", "availability",
        "open_to_virtual",
    }
)  # fmt: skip
# Fields each ground reveals. Case notes are the owning agency's working notes: they
# never leave it, not even to the newcomer's own account.
VISIBLE_FIELDS: dict[Grounds, frozenset[str]] = {
    Grounds.OWNER: ALL_FIELDS,
    Grounds.SELF: ALL_FIELDS - {"case_notes"},
    Grounds.REFERRAL: ALL_FIELDS - {"case_notes"},
    Grounds.MENTORSHIP: _MENTOR_CARD | {"last_name", "email", "action_plan"},
    Grounds.PROPOSAL: _MENTOR_CARD,
    Grounds.CONNECTION: _MENTOR_CARD,
}
# Strongest first: when several grounds apply, the one revealing most is used.
_PRECEDENCE = [
    Grounds.OWNER,
    Grounds.SELF,
    Grounds.REFERRAL,
    Grounds.MENTORSHIP,
    Grounds.PROPOSAL,
    Grounds.CONNECTION,
]
AUDITED = frozenset({Grounds.REFERRAL, Grounds.MENTORSHIP, Grounds.PROPOSAL, Grounds.CONNECTION})


@dataclass(frozen=True)
class MenteeView:
    """A newcomer's file as one actor may see it."""

    profile: MenteeProfile
    grounds: Grounds

    @property
    def fields(self) -> frozenset[str]:
        return VISIBLE_FIELDS[self.grounds]

    def get(self, name: str) -> Any:
        return getattr(self.profile, name) if name in self.fields else None


def referral_grant(actor: Actor) -> ColumnElement[bool]:
    """SQL: the mentee has a live consented referral to a program of the actor's org."""
    if actor.organization_id is None or not actor.is_reading_staff:
        return false()
    return exists(
        select(Referral.id)
        .join(Program, col(Program.id) == Referral.program_id)
        .where(
            Referral.mentee_id == MenteeProfile.id,
            col(Referral.status).in_(ACTIVE_REFERRAL_STATUSES),
            Program.organization_id == actor.organization_id,
            consent_given(ConsentPurpose.REFERRAL, MenteeProfile.id, actor.organization_id),
        )
    )


def staff_client_clause(actor: Actor) -> ColumnElement[bool]:
    """SQL: clients the actor's organization owns or was referred with consent."""
    if actor.organization_id is None or not actor.is_reading_staff:
        return false()
    return or_(col(MenteeProfile.owner_organization_id) == actor.organization_id, referral_grant(actor))


async def mentee_views(
    session: AsyncSession, actor: Actor, mentee_ids: Iterable[uuid.UUID], *, subject: str = "profile"
) -> dict[uuid.UUID, MenteeView]:
    """The files among ``mentee_ids`` the actor may read, audited where another
    organization reads them. A bounded number of queries whatever the count."""
    ids = set(mentee_ids)
    if not ids:
        return {}
    profiles = {
        profile.id: profile
        for profile in await session.scalars(select(MenteeProfile).where(col(MenteeProfile.id).in_(ids)))
    }
    grounds: dict[uuid.UUID, set[Grounds]] = {mentee_id: set() for mentee_id in profiles}
    for profile in profiles.values():
        if actor.is_reading_staff_of(profile.owner_organization_id):
            grounds[profile.id].add(Grounds.OWNER)
        if profile.user_id == actor.user_id:
            grounds[profile.id].add(Grounds.SELF)
    for mentee_id in await session.scalars(
        select(MenteeProfile.id).where(col(MenteeProfile.id).in_(ids), referral_grant(actor))
    ):
        grounds[mentee_id].add(Grounds.REFERRAL)
    mentor_ids = select(MentorProfile.id).where(MentorProfile.user_id == actor.user_id)
    for mentee_id in await session.scalars(
        select(Mentorship.mentee_id).where(
            col(Mentorship.mentee_id).in_(ids),
            col(Mentorship.mentor_id).in_(mentor_ids),
        )
    ):
        grounds[mentee_id].add(Grounds.MENTORSHIP)
    for mentee_id in await session.scalars(
        select(MatchProposal.mentee_id)
        .join(Program, col(Program.id) == MatchProposal.program_id)
        .where(
            col(MatchProposal.mentee_id).in_(ids),
            col(MatchProposal.mentor_id).in_(mentor_ids),
            MatchProposal.status == ProposalStatus.PENDING,
            consent_given(ConsentPurpose.MENTOR_PROPOSAL, MatchProposal.mentee_id, Program.organization_id),
        )
    ):
        grounds[mentee_id].add(Grounds.PROPOSAL)
    # Plugins' grounds are the weakest: ask only about files no stronger ground opened.
    unopened = frozenset(mentee_id for mentee_id, found in grounds.items() if not found)
    if unopened:
        hook = get_plugin_host().manager.hook.grant_mentee_access
        for granted in hook(session=session, actor=actor, mentee_ids=unopened):
            for mentee_id in await await_me_maybe(granted) or ():
                if mentee_id in unopened:
                    grounds[mentee_id].add(Grounds.CONNECTION)

    views: dict[uuid.UUID, MenteeView] = {}
    for mentee_id, found in grounds.items():
        best = next((ground for ground in _PRECEDENCE if ground in found), None)
        if best is not None:
            views[mentee_id] = MenteeView(profiles[mentee_id], best)
    await audit_reads(session, actor, [view for view in views.values() if view.grounds in AUDITED], subject)
    return views


def _audit_event(
    actor: Actor, mentee: MenteeProfile, action: AuditAction, grounds: Grounds, subject: str
) -> AuditEvent:
    return AuditEvent(
        owner_organization_id=mentee.owner_organization_id,
        actor_user_id=actor.user_id,
        actor_organization_id=actor.organization_id,
        mentee_id=mentee.id,
        action=action,
        grounds=grounds.value,
        subject=subject,
    )


async def audit_reads(session: AsyncSession, actor: Actor, views: list[MenteeView], subject: str) -> None:
    await audit.append(
        session,
        (_audit_event(actor, view.profile, AuditAction.READ, view.grounds, subject) for view in views),
    )


async def audit_change(
    session: AsyncSession, actor: Actor, mentee: MenteeProfile, subject: str, grounds: Grounds
) -> None:
    """Record a change to a client's data made by someone outside the owning org."""
    if actor.is_staff_of(mentee.owner_organization_id) or mentee.user_id == actor.user_id:
        return
    await audit.append(session, [_audit_event(actor, mentee, AuditAction.CHANGE, grounds, subject)])


def mentor_visible_to(organization_id: uuid.UUID | None) -> ColumnElement[bool]:
    """SQL: mentors of the shared pool the organization may see."""
    if organization_id is None:
        return col(MentorProfile.visibility) == MentorVisibility.PLATFORM
    return or_(
        col(MentorProfile.visibility) == MentorVisibility.PLATFORM,
        col(MentorProfile.organization_id) == organization_id,
        and_(
            col(MentorProfile.visibility) == MentorVisibility.CHOSEN_ORGANIZATIONS,
            exists(
                select(MentorSharedWith.mentor_id).where(
                    MentorSharedWith.mentor_id == MentorProfile.id,
                    MentorSharedWith.organization_id == organization_id,
                )
            ),
        ),
    )
