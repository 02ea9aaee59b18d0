"""Matching: a transparent weighted score with a per-criterion explanation.

Each criterion scores 0..1 and carries a catalog key saying why; the total is the
weighted sum. This is the one place suggestions and proposals get their scores from,
so the engine can be replaced (issue 4) without touching its callers.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, NotFound
from core.hookspecs import RuleResult
from core.models import (
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
from federation.sharing import mentor_visible_to

WEIGHTS = {"occupation": 0.5, "language": 0.2, "location": 0.2, "capacity": 0.1}
# Score for sharing a NOC prefix of a given length: the five NOC 2021 levels.
_NOC_LEVELS = {
    5: (1.0, "same_unit_group"),
    4: (0.8, "same_minor_group"),
    3: (0.6, "same_sub_major_group"),
    2: (0.4, "same_major_group"),
    1: (0.2, "same_broad_category"),
    0: (0.0, "different"),
}


@dataclass(frozen=True)
class Criterion:
    criterion: str
    weight: float
    score: float
    reason: str
    params: dict[str, Any]

    def as_record(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "weight": self.weight,
            "score": self.score,
            "reason": self.reason,
            "params": self.params,
        }


@dataclass(frozen=True)
class Suggestion:
    mentor: MentorProfile
    score: float
    criteria: list[Criterion]


def _shared_prefix(a: str, b: str) -> int:
    length = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        length += 1
    return length


def _occupation(mentee: MenteeProfile, mentor: MentorProfile) -> tuple[float, str, dict[str, Any]]:
    score, level = _NOC_LEVELS[_shared_prefix(mentee.target_noc, mentor.occupation_noc)]
    return score, f"match.occupation.{level}", {"code": mentor.occupation_noc}


def _language(mentee: MenteeProfile, mentor: MentorProfile) -> tuple[float, str, dict[str, Any]]:
    service_language = str(mentee.preferred_language)
    if service_language in mentor.languages:
        return 1.0, "match.language.service_language", {"language": service_language}
    shared = sorted({skill["language"] for skill in mentee.languages} & set(mentor.languages))
    if shared:
        return 0.5, "match.language.shared", {"languages": ", ".join(shared)}
    return 0.0, "match.language.none", {}


def _location(mentee: MenteeProfile, mentor: MentorProfile) -> tuple[float, str, dict[str, Any]]:
    if mentee.city and mentee.city.strip().lower() == mentor.city.strip().lower():
        return 1.0, "match.location.same_city", {"city": mentor.city}
    if mentee.open_to_virtual and mentor.open_to_virtual:
        return 0.7, "match.location.virtual", {}
    if mentee.province == mentor.province:
        return 0.4, "match.location.same_province", {"province": mentor.province}
    return 0.0, "match.location.far", {}


def score_pair(mentee: MenteeProfile, mentor: MentorProfile, taken: int) -> tuple[float, list[Criterion]]:
    remaining = max(mentor.capacity - taken, 0)
    parts = {
        "occupation": _occupation(mentee, mentor),
        "language": _language(mentee, mentor),
        "location": _location(mentee, mentor),
        "capacity": (
            remaining / mentor.capacity if mentor.capacity else 0.0,
            "match.capacity.remaining",
            {"remaining": remaining, "capacity": mentor.capacity},
        ),
    }
    criteria = [
        Criterion(name, WEIGHTS[name], round(score, 4), reason, params)
        for name, (score, reason, params) in parts.items()
    ]
    total = sum(criterion.weight * criterion.score for criterion in criteria)
    return round(total, 4), criteria


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


async def admitted_referral(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID
) -> tuple[Referral, Program, MenteeProfile]:
    """An admitted referral the actor coordinates (staff of the program's org)."""
    referral = await session.get(Referral, referral_id)
    program = await session.get(Program, referral.program_id) if referral else None
    if referral is None or program is None or not actor.is_staff_of(program.organization_id):
        raise NotFound()
    if referral.status != ReferralStatus.ADMITTED:
        raise DomainError("MENTEE_NOT_ADMITTED")
    return referral, program, await session.get_one(MenteeProfile, referral.mentee_id)


async def suggest_mentors(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, *, limit: int = 10
) -> list[Suggestion]:
    """The best mentors for an admitted mentee among those the program's organization
    may see, who have room and meet the program's mentor criteria, best first."""
    limit = validation.integer(limit, "limit", minimum=1, maximum=100)
    _, program, mentee = await admitted_referral(session, actor, referral_id)
    # Mentors already asked about this newcomer: answered, or still waiting (not expired).
    already = select(MatchProposal.mentor_id).where(
        MatchProposal.mentee_id == mentee.id,
        or_(
            col(MatchProposal.status).in_([ProposalStatus.DECLINED, ProposalStatus.ACCEPTED]),
            and_(
                col(MatchProposal.status) == ProposalStatus.PENDING,
                col(MatchProposal.expires_at) > clock.now(),
            ),
        ),
    )
    query = select(MentorProfile).where(
        col(MentorProfile.is_active).is_(True),
        mentor_visible_to(program.organization_id),
        col(MentorProfile.id).not_in(already),
    )
    if mentee.user_id is not None:
        query = query.where(MentorProfile.user_id != mentee.user_id)
    candidates = list(await session.scalars(query))
    taken = await commitments(session, [mentor.id for mentor in candidates])
    with_room = [mentor for mentor in candidates if taken[mentor.id] < mentor.capacity]
    failed = await failed_mentor_rules(session, program, with_room)
    scored: list[Suggestion] = []
    for mentor in with_room:
        if failed[mentor.id]:
            continue
        score, criteria = score_pair(mentee, mentor, taken[mentor.id])
        scored.append(Suggestion(mentor, score, criteria))
    scored.sort(key=lambda suggestion: (-suggestion.score, str(suggestion.mentor.id)))
    return scored[:limit]
