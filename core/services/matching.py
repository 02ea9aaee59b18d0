"""Matching for program staff: suggestions explained criterion by criterion, the
program's weights, and the hard constraints every proposal obeys.

The computation is the engine's (``core.matching``); this module feeds it from the
database and decides who may ask. Hard constraints: the program type's mentor criteria
(plugins), the newcomer's service language where the program requires it, room in the
mentor's capacity, conflicts of interest (declared, or the caseworker who registered
the newcomer), and pairs already tried (declined, pending, or a past mentorship).

The encoded pool of mentors is kept per database and rebuilt when a profile changed
(count, latest creation or update), so a suggestion list does not re-read and
re-encode every mentor.
"""

import math
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

import numpy as np
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.hookspecs import MatchCriterion, RuleResult
from core.matching.criteria import CRITERIA, DEFAULT_WEIGHTS
from core.matching.engine import (
    Candidate,
    Constraints,
    Exclusion,
    Pool,
    ScoredBlock,
    Scoring,
    rank,
    score_block,
)
from core.models import (
    ConflictOfInterest,
    MatchProposal,
    MenteeProfile,
    MentorProfile,
    Program,
    ProposalStatus,
    Referral,
    ReferralStatus,
)
from core.plugins import enabled_plugins, get_plugin_host
from core.services.mentors import commitments
from core.services.waiting import unproposed_referrals
from federation.sharing import mentor_visible_to

DEFAULT_MINIMUM_SCORE = 0.4
MAX_WEIGHT = 100.0
MAX_SUGGESTIONS = 100


@dataclass(frozen=True)
class MatchingSettings:
    """A program's matching: every criterion it may weigh (core ones and those of its
    organization's enabled plugins for its type), with staff's weights or the defaults."""

    program: Program
    weights: dict[str, float]
    default_weights: dict[str, float]
    plugin_criteria: dict[str, tuple[str, MatchCriterion]]  # key → (plugin, criterion)
    minimum_score: float
    require_service_language: bool

    def scoring(self) -> Scoring:
        total = sum(self.weights.values())
        return Scoring(
            weights={key: weight / total for key, weight in self.weights.items() if weight > 0},
            plugins={
                key: partial(criterion.score, self.program)
                for key, (_, criterion) in self.plugin_criteria.items()
            },
        )


async def _plugin_criteria(session: AsyncSession, program: Program) -> dict[str, tuple[str, MatchCriterion]]:
    enabled = await enabled_plugins(session, program.organization_id)
    host = get_plugin_host()
    found: dict[str, tuple[str, MatchCriterion]] = {}
    for impl in host.manager.hook.register_match_criteria.get_hookimpls():
        if impl.plugin_name not in enabled:
            continue
        offered = cast("list[MatchCriterion] | None", impl.function())  # pluggy types it ``object``
        for criterion in offered or []:
            if program.program_type in criterion.program_types and criterion.key not in CRITERIA:
                found.setdefault(criterion.key, (impl.plugin_name, criterion))
    return found


async def settings_for(session: AsyncSession, program: Program) -> MatchingSettings:
    plugin_criteria = await _plugin_criteria(session, program)
    defaults = {
        **DEFAULT_WEIGHTS,
        **{key: criterion.default_weight for key, (_, criterion) in plugin_criteria.items()},
    }
    stored = program.matching
    chosen = stored.get("weights", {})
    return MatchingSettings(
        program=program,
        weights={key: float(chosen.get(key, default)) for key, default in defaults.items()},
        default_weights=defaults,
        plugin_criteria=plugin_criteria,
        minimum_score=float(stored.get("minimum_score", DEFAULT_MINIMUM_SCORE)),
        require_service_language=bool(stored.get("require_service_language", True)),
    )


async def program_of_staff(
    session: AsyncSession, actor: Actor, program_id: uuid.UUID, *, change: bool
) -> Program:
    """A program the actor works on: its organization's staff, and its read-only staff,
    who may read but not ``change`` (forbidden). Anyone else gets "not found"."""
    program = await session.get(Program, program_id)
    if program is None or not actor.is_reading_staff_of(program.organization_id):
        raise NotFound()
    if change and not actor.is_staff_of(program.organization_id):
        raise Forbidden()
    return program


async def get_matching_settings(
    session: AsyncSession, actor: Actor, program_id: uuid.UUID
) -> MatchingSettings:
    return await settings_for(session, await program_of_staff(session, actor, program_id, change=False))


def minimum_score(value: float, field: str = "minimumScore") -> float:
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise DomainError("OUT_OF_RANGE", field=field, min=0, max=1)
    return value


async def update_matching_settings(
    session: AsyncSession,
    actor: Actor,
    program_id: uuid.UUID,
    *,
    weights: list[tuple[str, float]] | None = None,
    minimum: float | None = None,
    require_service_language: bool | None = None,
) -> MatchingSettings:
    """Program staff set the weights (criteria not named keep theirs), the minimum score
    below which the cohort run proposes no pair, and whether the newcomer's service
    language is required of mentors."""
    program = await program_of_staff(session, actor, program_id, change=True)
    current = await settings_for(session, program)
    merged = dict(current.weights)
    given = weights or []
    seen = [key for key, _ in given]
    for key, weight in given:
        if seen.count(key) > 1:
            raise DomainError("DUPLICATE_CRITERION", field="weights", criterion=key)
        if key not in merged:
            raise DomainError("UNKNOWN_CRITERION", field="weights", criterion=key)
        if not math.isfinite(weight) or weight < 0:
            raise DomainError("NEGATIVE_WEIGHT", field="weights", criterion=key)
        if weight > MAX_WEIGHT:
            raise DomainError("OUT_OF_RANGE", field="weights", min=0, max=int(MAX_WEIGHT))
        merged[key] = float(weight)
    if not any(merged.values()):
        raise DomainError("WEIGHTS_ALL_ZERO", field="weights")
    stored = {
        "weights": {key: weight for key, weight in merged.items() if weight != current.default_weights[key]},
        "minimum_score": current.minimum_score if minimum is None else minimum_score(minimum),
        "require_service_language": (
            current.require_service_language if require_service_language is None else require_service_language
        ),
    }
    program.matching = stored
    await session.flush()
    return await settings_for(session, program)


# --- The pool ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Encoded:
    version: tuple[Any, ...]
    pool: Pool
    rows: dict[uuid.UUID, int]  # mentor id → row of the pool (the pool is ordered by id)


_POOLS: OrderedDict[str, _Encoded] = OrderedDict()
_POOLS_KEPT = 4


async def encoded_pool(session: AsyncSession) -> _Encoded:
    """Every active mentor of the platform, encoded; visibility is applied per request."""
    active = col(MentorProfile.is_active).is_(True)
    version = tuple(
        (
            await session.execute(
                select(
                    func.count(), func.max(MentorProfile.created_at), func.max(MentorProfile.updated_at)
                ).where(active)
            )
        ).one()
    )
    bind = session.get_bind()
    key = str(bind.engine.url)
    cached = _POOLS.get(key)
    if cached is None or cached.version != version:
        table = MentorProfile.__table__  # type: ignore[attr-defined]
        rows = await session.execute(select(table).where(table.c.is_active.is_(True)))
        # Copies outside any session: the pool outlives the request that built it.
        mentors = sorted((MentorProfile(**row._mapping) for row in rows), key=lambda mentor: mentor.id)
        cached = _Encoded(version, Pool(mentors), {mentor.id: row for row, mentor in enumerate(mentors)})
        _POOLS[key] = cached
        while len(_POOLS) > _POOLS_KEPT:
            _POOLS.popitem(last=False)
    _POOLS.move_to_end(key)
    return cached


@dataclass(frozen=True)
class ProgramPool:
    """The pool as a program sees it: the mentors its organization may see, the places
    they have left, and the mentors ruled out for every newcomer (hidden from the
    organization, or failing its type's criteria)."""

    encoded: _Encoded
    settings: MatchingSettings
    visible: np.ndarray  # rows of the pool, ascending
    visible_rows: frozenset[int]
    remaining: np.ndarray  # (pool,) places left
    mentor_exclusions: np.ndarray  # (pool,) Exclusion bits
    failed_rules: dict[int, list[RuleResult]]  # pool row → the program's criteria it fails

    @property
    def pool(self) -> Pool:
        return self.encoded.pool

    def row(self, mentor_id: uuid.UUID) -> int | None:
        """The mentor's row, if the program may propose them at all."""
        row = self.encoded.rows.get(mentor_id)
        return row if row is not None and row in self.visible_rows else None

    def mentor(self, row: int) -> MentorProfile:
        profile: MentorProfile = self.pool.side.profiles[row]
        return profile

    def constraints(self, pair_exclusions: dict[tuple[int, int], int]) -> Constraints:
        return Constraints(
            remaining=self.remaining,
            require_service_language=self.settings.require_service_language,
            mentor_exclusions=self.mentor_exclusions,
            pair_exclusions=pair_exclusions,
        )


async def program_pool(session: AsyncSession, program: Program) -> ProgramPool:
    encoded = await encoded_pool(session)
    visible_ids = await session.scalars(
        select(MentorProfile.id).where(
            col(MentorProfile.is_active).is_(True), mentor_visible_to(program.organization_id)
        )
    )
    visible = np.array(
        sorted(encoded.rows[mentor_id] for mentor_id in visible_ids if mentor_id in encoded.rows)
    )
    visible = visible.astype(np.int64)
    taken = await commitments(session)
    profiles = encoded.pool.side.profiles
    remaining = np.array(
        [max(mentor.capacity - taken.get(mentor.id, 0), 0) for mentor in profiles], dtype=np.int32
    )
    failed = await failed_mentor_rules(session, program, [profiles[row] for row in visible.tolist()])
    failed_rules = {row: failed[profiles[row].id] for row in visible.tolist() if failed[profiles[row].id]}
    exclusions = np.full(len(profiles), int(Exclusion.NOT_VISIBLE), dtype=np.int32)
    exclusions[visible] = 0
    exclusions[list(failed_rules)] |= int(Exclusion.PROGRAM_RULE)
    return ProgramPool(
        encoded,
        await settings_for(session, program),
        visible,
        frozenset(visible.tolist()),
        remaining,
        exclusions,
        failed_rules,
    )


async def failed_mentor_rules(
    session: AsyncSession, program: Program, mentors: list[MentorProfile]
) -> dict[uuid.UUID, list[RuleResult]]:
    """For each mentor, the program's mentor criteria they do not meet (empty: eligible)."""
    enabled = await enabled_plugins(session, program.organization_id)
    host = get_plugin_host()
    failed: dict[uuid.UUID, list[RuleResult]] = {}
    for mentor in mentors:
        answers = await host.call("check_mentor_eligibility", enabled, program=program, mentor=mentor)
        failed[mentor.id] = [result for results in answers for result in results if not result.passed]
    return failed


async def pair_exclusions(
    session: AsyncSession, pool: ProgramPool, mentees: list[MenteeProfile]
) -> dict[tuple[int, int], int]:
    """Hard constraints of particular pairs: the newcomer themself, conflicts of
    interest, and pairs already tried."""
    found: dict[tuple[int, int], int] = {}
    mentee_rows = {mentee.id: row for row, mentee in enumerate(mentees)}
    mentor_rows = pool.encoded.rows

    def exclude(mentee_id: uuid.UUID, mentor_id: uuid.UUID, reason: Exclusion) -> None:
        mentor_row = mentor_rows.get(mentor_id)
        if mentor_row is not None:
            key = (mentee_rows[mentee_id], mentor_row)
            found[key] = found.get(key, 0) | int(reason)

    by_user = {mentor.user_id: mentor.id for mentor in pool.pool.side.profiles}
    for mentee in mentees:
        if mentee.user_id in by_user:
            exclude(mentee.id, by_user[mentee.user_id], Exclusion.SELF)
        # The caseworker who registered the newcomer's file is not their mentor.
        if mentee.registered_by_user_id in by_user:
            exclude(mentee.id, by_user[mentee.registered_by_user_id], Exclusion.CONFLICT_OF_INTEREST)
    ids = list(mentee_rows)
    for mentee_id, mentor_id in await session.execute(
        select(ConflictOfInterest.mentee_id, ConflictOfInterest.mentor_id).where(
            col(ConflictOfInterest.mentee_id).in_(ids)
        )
    ):
        exclude(mentee_id, mentor_id, Exclusion.CONFLICT_OF_INTEREST)
    now = clock.now()
    for mentee_id, mentor_id, status, expires_at in await session.execute(
        select(
            MatchProposal.mentee_id, MatchProposal.mentor_id, MatchProposal.status, MatchProposal.expires_at
        ).where(col(MatchProposal.mentee_id).in_(ids))
    ):
        if status == ProposalStatus.DECLINED:
            exclude(mentee_id, mentor_id, Exclusion.DECLINED_BEFORE)
        elif status == ProposalStatus.ACCEPTED:
            exclude(mentee_id, mentor_id, Exclusion.PREVIOUS_MENTOR)
        elif status == ProposalStatus.PENDING and expires_at > now:
            exclude(mentee_id, mentor_id, Exclusion.PENDING_PROPOSAL)
    return found


# --- Suggestions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A scored pair: the mentor and newcomer's referral, the score and its reasons."""

    mentor: MentorProfile
    referral: Referral
    rank: int
    candidate: Candidate
    meets_minimum: bool
    failed_rules: list[RuleResult]

    @property
    def score(self) -> float:
        return self.candidate.score

    @property
    def exclusion_reasons(self) -> list[str]:
        return self.candidate.exclusions.reasons


@dataclass(frozen=True)
class Suggestions:
    items: list[Suggestion]  # eligible, best first
    excluded: list[Suggestion]  # ruled out by a hard constraint, best first


async def admitted_referral(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, *, change: bool = True
) -> tuple[Referral, Program, MenteeProfile]:
    """An admitted referral the actor coordinates (staff of the program's org); its
    read-only staff may read (``change=False``) but not act on it."""
    referral = await session.get(Referral, referral_id)
    program = await session.get(Program, referral.program_id) if referral else None
    if referral is None or program is None or not actor.is_reading_staff_of(program.organization_id):
        raise NotFound()
    if change and not actor.is_staff_of(program.organization_id):
        raise Forbidden()
    if referral.status != ReferralStatus.ADMITTED:
        raise DomainError("MENTEE_NOT_ADMITTED")
    return referral, program, await session.get_one(MenteeProfile, referral.mentee_id)


def _suggestions(
    pool: ProgramPool, referrals: list[Referral], scored: ScoredBlock, limit: int
) -> Suggestions:
    scoring = pool.settings.scoring()
    ranking = rank(scored, scoring, limit=limit, excluded_limit=limit)

    def suggestion(position: int, candidate: Candidate) -> Suggestion:
        return Suggestion(
            mentor=pool.mentor(candidate.mentor),
            referral=referrals[candidate.mentee],
            rank=position,
            candidate=candidate,
            meets_minimum=candidate.score >= pool.settings.minimum_score,
            failed_rules=pool.failed_rules.get(candidate.mentor, []),
        )

    return Suggestions(
        items=[suggestion(position, candidate) for position, candidate in enumerate(ranking.candidates, 1)],
        excluded=[suggestion(0, candidate) for candidate in ranking.excluded],
    )


async def suggest_mentors(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, *, limit: int = 10
) -> Suggestions:
    """The best mentors for an admitted newcomer among those the program's organization
    may see, and the best of those a hard constraint rules out, with the reasons."""
    limit = validation.integer(limit, "limit", minimum=1, maximum=MAX_SUGGESTIONS)
    referral, program, mentee = await admitted_referral(session, actor, referral_id, change=False)
    pool = await program_pool(session, program)
    mentees = pool.pool.encode_mentees([mentee])
    constraints = pool.constraints(await pair_exclusions(session, pool, [mentee]))
    scored = score_block(
        pool.pool, mentees, np.array([0]), pool.visible, pool.settings.scoring(), constraints
    )
    return _suggestions(pool, [referral], scored, limit)


async def suggest_mentees(
    session: AsyncSession, actor: Actor, program_id: uuid.UUID, mentor_id: uuid.UUID, *, limit: int = 10
) -> Suggestions:
    """The newcomers of the program's waiting list (without a proposal under way) who
    fit a mentor best, and those a hard constraint rules out for this mentor."""
    limit = validation.integer(limit, "limit", minimum=1, maximum=MAX_SUGGESTIONS)
    program = await program_of_staff(session, actor, program_id, change=False)
    pool = await program_pool(session, program)
    mentor_row = pool.row(mentor_id)
    if mentor_row is None:
        raise NotFound(field="mentorId")
    referrals = await unproposed_referrals(session, program.id)
    if not referrals:
        return Suggestions(items=[], excluded=[])
    profiles = await mentees_of(session, referrals)
    mentees = pool.pool.encode_mentees(profiles)
    constraints = pool.constraints(await pair_exclusions(session, pool, profiles))
    rows = np.array([mentor_row])
    scored = score_block(
        pool.pool, mentees, np.arange(len(profiles)), rows, pool.settings.scoring(), constraints
    )
    return _suggestions(pool, referrals, scored, limit)


async def mentees_of(session: AsyncSession, referrals: list[Referral]) -> list[MenteeProfile]:
    ids = [referral.mentee_id for referral in referrals]
    found = {
        profile.id: profile
        for profile in await session.scalars(select(MenteeProfile).where(col(MenteeProfile.id).in_(ids)))
    }
    return [found[mentee_id] for mentee_id in ids]


@dataclass(frozen=True)
class PairAssessment:
    candidate: Candidate
    failed_rules: list[RuleResult]


async def assess_pair(
    session: AsyncSession, program: Program, mentee: MenteeProfile, mentor: MentorProfile
) -> PairAssessment | None:
    """One pair scored as in the program's suggestion list, with every hard constraint
    it breaks; None when the mentor is not in the program's pool (inactive, hidden)."""
    pool = await program_pool(session, program)
    row = pool.row(mentor.id)
    if row is None:
        return None
    mentees = pool.pool.encode_mentees([mentee])
    constraints = pool.constraints(await pair_exclusions(session, pool, [mentee]))
    scoring = pool.settings.scoring()
    scored = score_block(pool.pool, mentees, np.array([0]), np.array([row]), scoring, constraints)
    return PairAssessment(scored.explain(scoring, 0, 0), pool.failed_rules.get(row, []))


# Hard constraints as the errors a hand-made proposal gets, most telling first.
_REFUSALS = (
    (Exclusion.SELF, "MENTOR_UNAVAILABLE"),
    (Exclusion.CONFLICT_OF_INTEREST, "CONFLICT_OF_INTEREST"),
    (Exclusion.DECLINED_BEFORE, "DECLINED_BEFORE"),
    (Exclusion.PREVIOUS_MENTOR, "PREVIOUS_MENTOR"),
    (Exclusion.PENDING_PROPOSAL, "PROPOSAL_PENDING"),
    (Exclusion.SERVICE_LANGUAGE, "SERVICE_LANGUAGE_NOT_SPOKEN"),
    (Exclusion.NO_CAPACITY, "CAPACITY_FULL"),
)


def refuse_excluded(assessment: PairAssessment) -> None:
    """Refuse a pair a hard constraint rules out, with the error that says which."""
    exclusions = assessment.candidate.exclusions
    if Exclusion.PROGRAM_RULE in exclusions:
        # A rule may refuse with its own code (OUTSIDE_ORGANIZATION for internal programs).
        failed = assessment.failed_rules
        code = next((result.code for result in failed if result.code), "MENTOR_NOT_ELIGIBLE")
        raise DomainError(code, rules=", ".join(result.rule for result in failed))
    for exclusion, code in _REFUSALS:
        if exclusion in exclusions:
            raise DomainError(code, field="mentorId")
