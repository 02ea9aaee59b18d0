"""A newcomer's consent per purpose: given, listed, revoked.

Revoking takes effect in the same transaction: a revoked referral consent withdraws
the live referrals to that organization's programs (and with them the program staff's
access to the file, see ``federation.sharing.referral_grant``); a revoked
mentor-proposal consent closes the proposals waiting on mentors, whose view of the
newcomer's card ends with them, and keeps matching from proposing again.
"""

import uuid

from sqlalchemy import ColumnElement, exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.models import (
    ACTIVE_REFERRAL_STATUSES,
    PER_ORGANIZATION,
    Consent,
    ConsentPurpose,
    MatchProposal,
    MenteeProfile,
    Organization,
    Program,
    ProposalStatus,
    Referral,
    ReferralStatus,
)


def consent_given(
    purpose: ConsentPurpose, mentee_id: object, organization_id: object | None = None
) -> ColumnElement[bool]:
    """SQL: a live consent of ``mentee_id`` for ``purpose`` (to ``organization_id``).
    Both may be values or columns of the enclosing query."""
    query = select(Consent.id).where(
        Consent.mentee_id == mentee_id, Consent.purpose == purpose, col(Consent.revoked_at).is_(None)
    )
    if organization_id is not None:
        query = query.where(Consent.organization_id == organization_id)
    return exists(query)


async def has_consent(
    session: AsyncSession, mentee_id: uuid.UUID, purpose: ConsentPurpose, organization_id: uuid.UUID | None
) -> bool:
    return bool(await session.scalar(select(consent_given(purpose, mentee_id, organization_id))))


async def _managed_file(session: AsyncSession, actor: Actor, mentee_id: uuid.UUID) -> MenteeProfile:
    """Consent is the newcomer's to give; the agency that owns the file records it on
    their behalf (its read-only staff may not). Anyone else is told the file does not
    exist."""
    mentee = await session.get(MenteeProfile, mentee_id)
    if mentee is None:
        raise NotFound()
    if mentee.user_id == actor.user_id or actor.is_staff_of(mentee.owner_organization_id):
        return mentee
    if actor.is_reading_staff_of(mentee.owner_organization_id):
        raise Forbidden()
    raise NotFound()


async def record(
    session: AsyncSession,
    actor: Actor,
    mentee: MenteeProfile,
    purpose: ConsentPurpose,
    organization_id: uuid.UUID | None,
) -> Consent:
    """The live consent for ``purpose``, given now unless it already is."""
    live = await session.scalar(
        select(Consent).where(
            Consent.mentee_id == mentee.id,
            Consent.purpose == purpose,
            Consent.organization_id == organization_id
            if organization_id
            else col(Consent.organization_id).is_(None),
            col(Consent.revoked_at).is_(None),
        )
    )
    if live is not None:
        return live
    consent = Consent(
        mentee_id=mentee.id,
        purpose=purpose,
        organization_id=organization_id,
        granted_by_user_id=actor.user_id,
    )
    session.add(consent)
    await session.flush()
    return consent


async def grant_consent(
    session: AsyncSession,
    actor: Actor,
    mentee_id: uuid.UUID,
    purpose: ConsentPurpose,
    organization_id: uuid.UUID | None = None,
) -> Consent:
    mentee = await _managed_file(session, actor, mentee_id)
    if purpose in PER_ORGANIZATION:
        if organization_id is None:
            raise DomainError("REQUIRED", field="organizationId")
        if await session.get(Organization, organization_id) is None:
            raise NotFound(field="organizationId")
    elif organization_id is not None:
        raise DomainError("CONSENT_NOT_PER_ORGANIZATION", field="organizationId")
    if mentee.anonymized_at is not None:
        raise DomainError("PERSON_ANONYMIZED")
    return await record(session, actor, mentee, purpose, organization_id)


async def revoke_consent(session: AsyncSession, actor: Actor, consent_id: uuid.UUID) -> Consent:
    consent = await session.get(Consent, consent_id)
    if consent is None:
        raise NotFound()
    await _managed_file(session, actor, consent.mentee_id)
    if consent.revoked_at is not None:
        raise DomainError("CONSENT_ALREADY_REVOKED")
    consent.revoked_at = clock.now()
    consent.revoked_by_user_id = actor.user_id
    if consent.organization_id is not None:
        await _stop_using(session, actor, consent)
    await session.flush()
    return consent


async def _stop_using(session: AsyncSession, actor: Actor, consent: Consent) -> None:
    """What the revoked consent allowed ends now. A referral already carried by a
    mentorship stays on record (the pair keep working together, the newcomer can close
    it); the organization's staff no longer read the file either way."""
    # Imported here: referrals imports this module to record consent.
    from core.services.mentorships import active_mentorship_id

    programs = select(Program.id).where(Program.organization_id == consent.organization_id)
    now = clock.now()
    if consent.purpose == ConsentPurpose.REFERRAL:
        for referral in await session.scalars(
            select(Referral).where(
                Referral.mentee_id == consent.mentee_id,
                col(Referral.program_id).in_(programs),
                col(Referral.status).in_(ACTIVE_REFERRAL_STATUSES),
            )
        ):
            if await active_mentorship_id(session, referral.mentee_id, referral.program_id) is None:
                referral.status = ReferralStatus.WITHDRAWN
                referral.decided_by_user_id = actor.user_id
                referral.decided_at = now
    # Either purpose ends the proposals waiting on mentors: without the referral there
    # is nothing to match, without the proposal consent the mentor may not see the card.
    for proposal in await session.scalars(
        select(MatchProposal).where(
            MatchProposal.mentee_id == consent.mentee_id,
            col(MatchProposal.program_id).in_(programs),
            MatchProposal.status == ProposalStatus.PENDING,
        )
    ):
        proposal.status = ProposalStatus.DECLINED
        proposal.decided_at = now


async def list_consents(session: AsyncSession, actor: Actor, mentee_id: uuid.UUID) -> list[Consent]:
    """Every consent given for the file, live and revoked, newest first."""
    mentee = await session.get(MenteeProfile, mentee_id)
    if mentee is None or not (
        mentee.user_id == actor.user_id or actor.is_reading_staff_of(mentee.owner_organization_id)
    ):
        raise NotFound()
    return list(
        await session.scalars(
            select(Consent)
            .where(Consent.mentee_id == mentee_id)
            .order_by(col(Consent.granted_at).desc(), col(Consent.id))
        )
    )
