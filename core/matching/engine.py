"""Scoring blocks of pairs, hard constraints, and the best candidates on either side.

A ``Pool`` is the mentor side encoded once; newcomers are encoded against it. Scores
are the weighted sum of the criteria that count in a program (shares summing to 1);
a pair a hard constraint rules out keeps its score, so staff can see what they would
have had and why it is not on offer.
"""

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.hookspecs import CriterionScore
from core.matching.criteria import CRITERIA, Block, Scores
from core.matching.features import Side, Vocabulary, encode


class Exclusion(enum.IntFlag):
    """Why a pair may not be proposed (hard constraints), most personal first."""

    SELF = enum.auto()
    NOT_VISIBLE = enum.auto()  # the program's organization may not see the mentor
    PREVIOUS_MENTOR = enum.auto()
    PENDING_PROPOSAL = enum.auto()
    DECLINED_BEFORE = enum.auto()
    CONFLICT_OF_INTEREST = enum.auto()
    PROGRAM_RULE = enum.auto()
    SERVICE_LANGUAGE = enum.auto()
    NO_CAPACITY = enum.auto()

    @property
    def reasons(self) -> list[str]:
        """Catalog suffixes (``match.excluded.<reason>``) of every reason set."""
        return [str(flag.name).lower() for flag in Exclusion if flag in self]


# Pairs ruled out for these reasons are never listed: a newcomer is not their own
# candidate, and a mentor hidden from the program's organization must not leak to it.
UNLISTED = Exclusion.SELF | Exclusion.NOT_VISIBLE


# A plugin criterion bound to a program: (newcomer, mentors) → one score per mentor.
PluginScore = Callable[[Any, Sequence[Any]], Sequence[CriterionScore]]


@dataclass(frozen=True)
class Scoring:
    """The criteria that count and their shares of the total (summing to 1)."""

    weights: Mapping[str, float]
    plugins: Mapping[str, PluginScore] = field(default_factory=dict)

    @property
    def counted(self) -> list[str]:
        """Criteria with a weight, core ones in their usual order, then plugins'."""
        core = [key for key in CRITERIA if self.weights.get(key, 0) > 0]
        return core + sorted(key for key in self.plugins if self.weights.get(key, 0) > 0)


@dataclass(frozen=True)
class Constraints:
    remaining: np.ndarray  # (mentors,) places each mentor has left
    require_service_language: bool = True
    # (mentors,) Exclusion bits that hold for every newcomer (the program's mentor rules).
    mentor_exclusions: np.ndarray | None = None
    # (newcomer row, mentor row) → Exclusion bits of that pair.
    pair_exclusions: Mapping[tuple[int, int], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Explained:
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
class Candidate:
    mentee: int  # row among the newcomers encoded
    mentor: int  # row of the pool
    score: float
    criteria: list[Explained]
    exclusions: Exclusion = field(default_factory=lambda: Exclusion(0))


@dataclass(frozen=True)
class Ranking:
    candidates: list[Candidate]  # eligible, best first
    excluded: list[Candidate]  # ruled out by a hard constraint, best first


class Pool:
    """The mentors, encoded once; scores any newcomers against them."""

    def __init__(self, mentors: Sequence[Any]):
        self.vocabulary = Vocabulary.of_pool(mentors)
        self.side = encode(mentors, self.vocabulary, mentors=True)

    def __len__(self) -> int:
        return len(self.side)

    def encode_mentees(self, mentees: Sequence[Any]) -> Side:
        return encode(mentees, self.vocabulary, mentors=False)


@dataclass(frozen=True)
class ScoredBlock:
    block: Block
    mentee_rows: np.ndarray  # global rows of the block's newcomers
    mentor_rows: np.ndarray  # global rows of the block's mentors
    total: np.ndarray  # (n, m) float32
    parts: dict[str, Scores]
    plugin_answers: dict[str, list[Sequence[CriterionScore]]]  # per newcomer row
    exclusions: np.ndarray  # (n, m) int32 Exclusion bits

    def explain(self, scoring: Scoring, i: int, j: int) -> Candidate:
        criteria = []
        pair = None
        for key in scoring.counted:
            weight = round(float(scoring.weights[key]), 4)
            if key in CRITERIA:
                scores, codes = self.parts[key]
                criterion, block, row, column = CRITERIA[key], self.block, i, j
                if codes is None:
                    # Scored in bulk without reasons: work them out for this pair alone.
                    pair = pair or self.block.pair(i, j)
                    block, row, column = pair, 0, 0
                    codes = criterion.score(pair)[1]
                    assert codes is not None
                code = int(codes[row, column])
                criteria.append(
                    Explained(
                        key,
                        weight,
                        round(float(scores[i, j]), 4),
                        criterion.reason_key(code),
                        criterion.params(block, row, column, code),
                    )
                )
            else:
                answer = self.plugin_answers[key][i][j]
                criteria.append(Explained(key, weight, round(answer.score, 4), answer.reason, answer.params))
        return Candidate(
            mentee=int(self.mentee_rows[i]),
            mentor=int(self.mentor_rows[j]),
            score=round(float(self.total[i, j]), 4),
            criteria=criteria,
            exclusions=Exclusion(int(self.exclusions[i, j])),
        )


def score_block(
    pool: Pool,
    mentees: Side,
    mentee_rows: np.ndarray,
    mentor_rows: np.ndarray | None,
    scoring: Scoring,
    constraints: Constraints,
    *,
    with_codes: bool = False,
) -> ScoredBlock:
    """Every criterion and hard constraint for newcomers ``mentee_rows`` (of
    ``mentees``) against mentors ``mentor_rows`` of the pool (None: the whole pool,
    read in place rather than copied). Reasons are worked out ``with_codes``, or later
    for the pairs explained."""
    if mentor_rows is None:
        mentors, remaining, mentor_rows = pool.side, constraints.remaining, np.arange(len(pool))
    else:
        mentors, remaining = pool.side.take(mentor_rows), constraints.remaining[mentor_rows]
    block = Block(mentees.take(mentee_rows), mentors, pool.vocabulary, remaining, with_codes)
    total = np.zeros(block.shape, np.float32)
    parts: dict[str, Scores] = {}
    answers: dict[str, list[Sequence[CriterionScore]]] = {}
    for key in scoring.counted:
        if key in CRITERIA:
            parts[key] = CRITERIA[key].score(block)
            scores = parts[key][0]
        else:
            answers[key] = [
                scoring.plugins[key](mentee, block.mentors.profiles) for mentee in block.mentees.profiles
            ]
            scores = np.array([[answer.score for answer in row] for row in answers[key]], np.float32)
            scores = np.clip(scores.reshape(block.shape), 0.0, 1.0)
        total += np.float32(scoring.weights[key]) * scores
    return ScoredBlock(
        block,
        mentee_rows,
        mentor_rows,
        total,
        parts,
        answers,
        _exclusions(block, mentee_rows, mentor_rows, constraints),
    )


def _exclusions(
    block: Block, mentee_rows: np.ndarray, mentor_rows: np.ndarray, constraints: Constraints
) -> np.ndarray:
    mentor_bits = np.where(block.remaining <= 0, int(Exclusion.NO_CAPACITY), 0).astype(np.int32)
    if constraints.mentor_exclusions is not None:
        mentor_bits |= constraints.mentor_exclusions[mentor_rows]
    bits = np.broadcast_to(mentor_bits[None, :], block.shape).copy()
    if constraints.require_service_language:
        bits[~block.speaks_service_language] |= int(Exclusion.SERVICE_LANGUAGE)
    if constraints.pair_exclusions:
        local_mentor = {int(row): j for j, row in enumerate(mentor_rows)}
        local_mentee = {int(row): i for i, row in enumerate(mentee_rows)}
        for (mentee, mentor), reasons in constraints.pair_exclusions.items():
            i, j = local_mentee.get(mentee), local_mentor.get(mentor)
            if i is not None and j is not None:
                bits[i, j] |= reasons
    return bits


def best(values: np.ndarray, where: np.ndarray, limit: int) -> np.ndarray:
    """Flat indices of the ``limit`` highest ``values`` where ``where`` holds, best first;
    ties go to the lower index (the pool is ordered by id), so results are stable."""
    candidates = np.flatnonzero(where)
    if limit <= 0 or len(candidates) == 0:
        return candidates[:0]
    if len(candidates) > limit:
        chosen = np.argpartition(-values[candidates], limit - 1)[:limit]
        # Keep every value tied with the last one chosen, then order by (value, index).
        candidates = candidates[values[candidates] >= values[candidates[chosen]].min()]
    order = np.lexsort((candidates, -values[candidates]))
    return candidates[order][:limit]


def rank(scored: ScoredBlock, scoring: Scoring, *, limit: int, excluded_limit: int = 0) -> Ranking:
    """The best eligible pairs of a block with one newcomer (mentors ranked) or one
    mentor (newcomers ranked), and the best of those a hard constraint rules out, with
    its reasons (except the ``UNLISTED`` ones)."""
    total, bits = scored.total.ravel(), scored.exclusions.ravel()
    shown = (bits & int(UNLISTED)) == 0
    columns = scored.total.shape[1]

    def explained(indices: np.ndarray) -> list[Candidate]:
        return [scored.explain(scoring, *divmod(int(index), columns)) for index in indices]

    return Ranking(
        candidates=explained(best(total, bits == 0, limit)),
        excluded=explained(best(total, (bits != 0) & shown, excluded_limit)),
    )
