"""A program's waiting list: newcomers admitted and not yet in a mentorship."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from core import clock
from core.access import Actor
from core.errors import NotFound
from core.models import (
    ConsentPurpose,
    MatchProposal,
    Mentorship,
    MentorshipStatus,
    Program,
    ProposalStatus,
    Referral,
    ReferralStatus,
)
from core.services.consents import consent_given


@dataclass(frozen=True)
class WaitingEntry:
    referral: Referral
    waiting_since: datetime

    @property
    def days_waiting(self) -> int:
        return (clock.now() - self.waiting_since).days


async def waiting_list(session: AsyncSession, actor: Actor, program_id: uuid.UUID) -> list[WaitingEntry]:
    """Longest wait first. A newcomer who joins a group meanwhile keeps their place:
    only a one-to-one mentorship in this program takes them off the list (active or
    completed; one that ended early puts them back on it, waiting for a new match)."""
    program = await session.get(Program, program_id)
    if program is None or not actor.is_reading_staff_of(program.organization_id):
        raise NotFound()
    rows = await session.scalars(_waiting(program_id))
    return [WaitingEntry(referral, referral.decided_at or referral.created_at) for referral in rows]


async def unproposed_referrals(session: AsyncSession, program_id: uuid.UUID) -> list[Referral]:
    """The waiting list without those a proposal is already waiting on: who matching
    may still propose a mentor to, longest wait first."""
    proposed = select(MatchProposal.referral_id).where(
        MatchProposal.program_id == program_id,
        MatchProposal.status == ProposalStatus.PENDING,
        col(MatchProposal.expires_at) > clock.now(),
    )
    program = await session.get_one(Program, program_id)
    consented = consent_given(ConsentPurpose.MENTOR_PROPOSAL, Referral.mentee_id, program.organization_id)
    return list(
        await session.scalars(_waiting(program_id).where(col(Referral.id).not_in(proposed), consented))
    )


def _waiting(program_id: uuid.UUID) -> SelectOfScalar[Referral]:
    matched = select(Mentorship.mentee_id).where(
        Mentorship.program_id == program_id,
        col(Mentorship.status).in_([MentorshipStatus.ACTIVE, MentorshipStatus.COMPLETED]),
    )
    return (
        select(Referral)
        .where(
            Referral.program_id == program_id,
            Referral.status == ReferralStatus.ADMITTED,
            col(Referral.mentee_id).not_in(matched),
        )
        .order_by(col(Referral.decided_at), col(Referral.id))
    )
