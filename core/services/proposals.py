"""Match proposals: staff propose, each side accepts or declines, both accepting
starts the mentorship. Unanswered proposals expire."""

import uuid
from datetime import timedelta

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.models import (
    Answer,
    ConsentPurpose,
    MatchProposal,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    MentorshipStatus,
    Program,
    ProposalStatus,
    Referral,
    ReferralStatus,
)
from core.paging import fetch_page
from core.plugins import notify
from core.services import consents, lifecycle, matching
from core.services.matching import admitted_referral
from core.services.mentors import get_visible_mentor
from core.services.mentorships import active_mentorship_id
from core.settings import get_settings


def effective_status(proposal: MatchProposal) -> ProposalStatus:
    """Pending proposals past their deadline read as expired."""
    if proposal.status == ProposalStatus.PENDING and proposal.expires_at <= clock.now():
        return ProposalStatus.EXPIRED
    return ProposalStatus(proposal.status)


async def _places_taken(session: AsyncSession, program_id: uuid.UUID, *, with_reservations: bool) -> int:
    """Active mentorships in the program, plus (with reservations) the proposals still
    waiting for answers: like a mentor's capacity, a program's is reserved by proposals."""
    active = await session.scalar(
        select(func.count()).where(
            Mentorship.program_id == program_id, Mentorship.status == MentorshipStatus.ACTIVE
        )
    )
    pending: int | None = 0
    if with_reservations:
        pending = await session.scalar(
            select(func.count()).where(
                MatchProposal.program_id == program_id,
                MatchProposal.status == ProposalStatus.PENDING,
                col(MatchProposal.expires_at) > clock.now(),
            )
        )
    return (active or 0) + (pending or 0)


async def propose_match(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, mentor_id: uuid.UUID
) -> MatchProposal:
    referral, program, mentee = await admitted_referral(session, actor, referral_id)
    waiting = await session.scalar(
        select(MatchProposal.id).where(
            MatchProposal.referral_id == referral.id,
            MatchProposal.status == ProposalStatus.PENDING,
            MatchProposal.expires_at > clock.now(),
        )
    )
    if waiting is not None:
        raise DomainError("PROPOSAL_PENDING")
    if await active_mentorship_id(session, mentee.id, program.id) is not None:
        raise DomainError("ALREADY_MATCHED")
    if not await consents.has_consent(
        session, mentee.id, ConsentPurpose.MENTOR_PROPOSAL, program.organization_id
    ):
        raise DomainError("NO_PROPOSAL_CONSENT")
    # The actor coordinates the program, so the pool they see is the program org's.
    mentor = await get_visible_mentor(session, actor, mentor_id)
    await lifecycle.require_orientation(session, program, mentee.id, mentor.id)
    assessment = await matching.assess_pair(session, program, mentee, mentor)
    if assessment is None:
        raise DomainError("MENTOR_UNAVAILABLE", field="mentorId")
    matching.refuse_excluded(assessment)
    if await _places_taken(session, program.id, with_reservations=True) >= program.capacity:
        raise DomainError("PROGRAM_FULL")
    candidate = assessment.candidate
    proposal = MatchProposal(
        program_id=program.id,
        referral_id=referral.id,
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        proposed_by_user_id=actor.user_id,
        score=candidate.score,
        explanation=[criterion.as_record() for criterion in candidate.criteria],
        expires_at=clock.now() + timedelta(days=get_settings().proposal_ttl_days),
    )
    session.add(proposal)
    await session.flush()
    await notify(session, "match_proposed", program, actor=actor, proposal=proposal)
    return proposal


async def _proposal_side(
    session: AsyncSession, actor: Actor, proposal: MatchProposal
) -> tuple[str, MenteeProfile]:
    """Which side the actor answers for: the mentor themself; the newcomer, or on
    their behalf the staff of the agency that owns their file."""
    mentee = await session.get_one(MenteeProfile, proposal.mentee_id)
    mentor = await session.get_one(MentorProfile, proposal.mentor_id)
    if mentor.user_id == actor.user_id:
        return "mentor", mentee
    if mentee.user_id == actor.user_id or actor.is_staff_of(mentee.owner_organization_id):
        return "mentee", mentee
    if actor.is_reading_staff_of(mentee.owner_organization_id):
        raise Forbidden()  # the agency's read-only staff see the proposal, answer nothing
    raise NotFound()


async def answer_proposal(
    session: AsyncSession, actor: Actor, proposal_id: uuid.UUID, *, accept: bool, reason: str = ""
) -> MatchProposal:
    proposal = await session.get(MatchProposal, proposal_id)
    if proposal is None:
        raise NotFound()
    side, mentee = await _proposal_side(session, actor, proposal)
    status = effective_status(proposal)
    if status == ProposalStatus.EXPIRED:
        raise DomainError("PROPOSAL_EXPIRED")
    own_answer = proposal.mentor_answer if side == "mentor" else proposal.mentee_answer
    if status != ProposalStatus.PENDING or own_answer != Answer.PENDING:
        raise DomainError("PROPOSAL_ALREADY_ANSWERED")
    answer = Answer.ACCEPTED if accept else Answer.DECLINED
    if side == "mentor":
        proposal.mentor_answer = answer
    else:
        proposal.mentee_answer = answer
        proposal.mentee_answered_by_user_id = actor.user_id
    program = await session.get_one(Program, proposal.program_id)
    mentorship = None
    if not accept:
        proposal.status = ProposalStatus.DECLINED
        proposal.decline_reason = validation.text(reason, "reason", max_length=2000)
        proposal.decided_at = clock.now()
    elif proposal.mentor_answer == proposal.mentee_answer == Answer.ACCEPTED:
        mentorship = await _start_mentorship(session, proposal, program, mentee)
    await session.flush()
    await notify(session, "match_answered", program, actor=actor, proposal=proposal)
    if mentorship is not None:
        await notify(session, "mentorship_started", program, actor=actor, mentorship=mentorship)
    return proposal


async def _start_mentorship(
    session: AsyncSession, proposal: MatchProposal, program: Program, mentee: MenteeProfile
) -> Mentorship:
    referral = await session.get_one(Referral, proposal.referral_id)
    if referral.status != ReferralStatus.ADMITTED:
        raise DomainError("MENTEE_NOT_ADMITTED")
    if await _places_taken(session, program.id, with_reservations=False) >= program.capacity:
        raise DomainError("PROGRAM_FULL")
    proposal.status = ProposalStatus.ACCEPTED
    proposal.decided_at = clock.now()
    today = clock.now().date()
    mentorship = Mentorship(
        program_id=program.id,
        proposal_id=proposal.id,
        mentee_id=proposal.mentee_id,
        mentor_id=proposal.mentor_id,
        agreement_date=today,
        planned_end=today + timedelta(weeks=program.term_weeks),
        goals=mentee.career_goal,
    )
    session.add(mentorship)
    await lifecycle.start_mentorship(session, mentorship, program, mentee)
    return mentorship


async def list_proposals(
    session: AsyncSession,
    actor: Actor,
    *,
    status: ProposalStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MatchProposal], int]:
    """Proposals the actor is a party to, those of their organization's programs, and,
    for an agency, those made to its clients."""
    mine = [
        col(MatchProposal.mentor_id).in_(
            select(MentorProfile.id).where(MentorProfile.user_id == actor.user_id)
        ),
        col(MatchProposal.mentee_id).in_(
            select(MenteeProfile.id).where(MenteeProfile.user_id == actor.user_id)
        ),
    ]
    if actor.is_reading_staff and actor.organization_id is not None:
        mine.append(
            col(MatchProposal.program_id).in_(
                select(Program.id).where(Program.organization_id == actor.organization_id)
            )
        )
        mine.append(
            col(MatchProposal.mentee_id).in_(
                select(MenteeProfile.id).where(MenteeProfile.owner_organization_id == actor.organization_id)
            )
        )
    query = select(MatchProposal).where(or_(*mine))
    now = clock.now()
    if status == ProposalStatus.EXPIRED:
        query = query.where(MatchProposal.status == ProposalStatus.PENDING, MatchProposal.expires_at <= now)
    elif status == ProposalStatus.PENDING:
        query = query.where(MatchProposal.status == ProposalStatus.PENDING, MatchProposal.expires_at > now)
    elif status is not None:
        query = query.where(MatchProposal.status == status)
    rows, total = await fetch_page(
        session,
        query.order_by(col(MatchProposal.created_at).desc(), col(MatchProposal.id)),
        limit=limit,
        offset=offset,
    )
    return list(rows), total
