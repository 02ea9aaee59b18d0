"""Cohort runs: the optimal assignment of a program's waiting list as draft proposals
that staff review, then send or discard.

A run is a suggestion, not a decision: it reserves nothing. Sending a draft makes a real
proposal through ``propose_match``, which checks the pair again (capacity, rules,
language, conflicts), so a draft that went stale since the run is refused, not sent.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock
from core.access import Actor
from core.errors import DomainError, NotFound
from core.matching.cohort import assign, explain_pairs
from core.models import CohortDraft, CohortMode, CohortRun, DraftStatus, MatchProposal
from core.paging import fetch_page
from core.services import matching, proposals
from core.services.waiting import unproposed_referrals


async def run_cohort(
    session: AsyncSession,
    actor: Actor,
    program_id: uuid.UUID,
    *,
    mode: CohortMode = CohortMode.MOST_MATCHED,
    minimum_score: float | None = None,
) -> CohortRun:
    """Assign the waiting list (everyone admitted, unmatched and without a proposal
    under way) to the mentors the program may propose, as drafts."""
    program = await matching.program_of_staff(session, actor, program_id, change=True)
    pool = await matching.program_pool(session, program)
    threshold = (
        pool.settings.minimum_score if minimum_score is None else matching.minimum_score(minimum_score)
    )
    referrals = await unproposed_referrals(session, program.id)
    if not referrals:
        raise DomainError("EMPTY_WAITING_LIST")
    profiles = await matching.mentees_of(session, referrals)
    mentees = pool.pool.encode_mentees(profiles)
    constraints = pool.constraints(await matching.pair_exclusions(session, pool, profiles))
    scoring = pool.settings.scoring()
    result = assign(pool.pool, mentees, scoring, constraints, minimum_score=threshold, mode=mode)
    run = CohortRun(
        program_id=program.id,
        created_by_user_id=actor.user_id,
        mode=mode,
        minimum_score=threshold,
        weights={key: round(share, 4) for key, share in scoring.weights.items()},
        waiting_count=len(referrals),
        mentor_count=result.mentor_count,
        matched_count=result.matched,
        total_score=result.total_score,
        greedy_matched_count=result.greedy_matched,
        greedy_total_score=result.greedy_total_score,
        unmatched=[
            {
                "referral_id": str(referrals[row].id),
                "mentee_id": str(referrals[row].mentee_id),
                "reason": reason.value,
            }
            for row, reason in sorted(result.unmatched.items())
        ],
    )
    session.add(run)
    await session.flush()
    for candidate in explain_pairs(pool.pool, mentees, result.pairs, scoring, constraints):
        referral = referrals[candidate.mentee]
        session.add(
            CohortDraft(
                run_id=run.id,
                referral_id=referral.id,
                mentee_id=referral.mentee_id,
                mentor_id=pool.mentor(candidate.mentor).id,
                score=candidate.score,
                explanation=[criterion.as_record() for criterion in candidate.criteria],
            )
        )
    await session.flush()
    return run


async def get_cohort_run(session: AsyncSession, actor: Actor, run_id: uuid.UUID) -> CohortRun:
    run = await session.get(CohortRun, run_id)
    if run is None:
        raise NotFound()
    await matching.program_of_staff(session, actor, run.program_id, change=False)
    return run


async def list_cohort_runs(
    session: AsyncSession, actor: Actor, program_id: uuid.UUID, *, limit: int = 20, offset: int = 0
) -> tuple[list[CohortRun], int]:
    await matching.program_of_staff(session, actor, program_id, change=False)
    rows, total = await fetch_page(
        session,
        select(CohortRun)
        .where(CohortRun.program_id == program_id)
        .order_by(col(CohortRun.created_at).desc(), col(CohortRun.id)),
        limit=limit,
        offset=offset,
    )
    return list(rows), total


async def drafts(session: AsyncSession, run: CohortRun) -> list[CohortDraft]:
    """The run's drafts, best score first."""
    rows = await session.scalars(
        select(CohortDraft)
        .where(CohortDraft.run_id == run.id)
        .order_by(col(CohortDraft.score).desc(), col(CohortDraft.id))
    )
    return list(rows)


async def _open_drafts(
    session: AsyncSession, actor: Actor, run_id: uuid.UUID, draft_ids: list[uuid.UUID]
) -> tuple[CohortRun, list[CohortDraft]]:
    run = await session.get(CohortRun, run_id)
    if run is None:
        raise NotFound()
    await matching.program_of_staff(session, actor, run.program_id, change=True)
    if not draft_ids:
        raise DomainError("REQUIRED", field="draftIds")
    chosen: list[CohortDraft] = []
    for index, draft_id in enumerate(dict.fromkeys(draft_ids)):
        draft = await session.get(CohortDraft, draft_id)
        if draft is None or draft.run_id != run.id:
            raise NotFound(field=f"draftIds[{index}]")
        if draft.status != DraftStatus.DRAFT:
            raise DomainError("DRAFT_ALREADY_DECIDED", field=f"draftIds[{index}]")
        chosen.append(draft)
    return run, chosen


async def send_drafts(
    session: AsyncSession, actor: Actor, run_id: uuid.UUID, draft_ids: list[uuid.UUID]
) -> list[MatchProposal]:
    """Turn drafts into proposals, all or none: a draft refused (a mentor who filled up
    since the run, say) names itself in the error and nothing is sent."""
    _, chosen = await _open_drafts(session, actor, run_id, draft_ids)
    sent = []
    for index, draft in enumerate(chosen):
        try:
            proposal = await proposals.propose_match(session, actor, draft.referral_id, draft.mentor_id)
        except DomainError as error:
            raise DomainError(error.code, field=f"draftIds[{index}]", **error.params) from error
        draft.status, draft.proposal_id = DraftStatus.SENT, proposal.id
        draft.decided_by_user_id, draft.decided_at = actor.user_id, clock.now()
        sent.append(proposal)
    await session.flush()
    return sent


async def discard_drafts(
    session: AsyncSession, actor: Actor, run_id: uuid.UUID, draft_ids: list[uuid.UUID]
) -> CohortRun:
    run, chosen = await _open_drafts(session, actor, run_id, draft_ids)
    for draft in chosen:
        draft.status = DraftStatus.DISCARDED
        draft.decided_by_user_id, draft.decided_at = actor.user_id, clock.now()
    await session.flush()
    return run
