"""The matching criteria: how well a newcomer and a mentor fit, one criterion at a time,
each scoring 0..1 with a reason a coordinator can read in French or English.

Every criterion scores a block of newcomers against a block of mentors at once
(arrays of shape (newcomers, mentors)) and, when asked, says per pair which of its
reasons applies (a small code). The same function gives both, so an explanation can
never disagree with the score; reasons are asked for only the pairs someone will read,
and their wording is built from the code and the pair's data then.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any

import numpy as np

from core import taxonomy
from core.matching.declared import WORK_STYLE_ITEMS
from core.matching.features import (
    NAICS_LENGTHS,
    Classification,
    Side,
    Vocabulary,
    mentee_text,
    mentor_text,
    occupations,
    region_names,
    slot_names,
)
from core.matching.places import all_places, haversine_km

# Share of the occupation score kept per level of the NOC hierarchy two codes share
# (none, broad category, major, sub-major, minor group, unit group).
_NOC_LEVEL_SCORES = np.array([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], dtype=np.float32)
# Each TEER level between the two occupations (training, education, experience and
# responsibilities) takes this share off: a manager mentoring a technician of the
# same group is still close, but less than a peer.
TEER_GAP_PENALTY = 0.1
# NAICS: score per number of levels shared short of the same industry (sector first).
_NAICS_LEVEL_SCORES = np.array([0.0, 0.4, 0.6, 0.8, 0.9], dtype=np.float32)
# Cosine similarity at which a career goal and a mentor's experience count as a full
# match: short texts rarely share more.
GOAL_FULL_MATCH = 0.5
# Beyond the same city and region, closeness fades to nothing at this distance (an
# evening meeting is still possible at an hour's drive).
NEARBY_KM = 150.0
# Two shared weekly slots are enough to meet every week.
SLOTS_FOR_FULL_MATCH = 2


@dataclass(frozen=True)
class Block:
    """A block of newcomers (n rows) against a block of mentors (m rows). Reason codes
    are worked out only ``with_codes``: ranking a pool needs the scores of every pair,
    and the reasons of the few pairs someone reads."""

    mentees: Side
    mentors: Side
    vocabulary: Vocabulary
    remaining: np.ndarray  # (m,) places each mentor has left
    with_codes: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.mentees), len(self.mentors)

    def pair(self, i: int, j: int) -> "Block":
        """Pair (i, j) alone, with its reason codes."""
        rows, columns = np.array([i]), np.array([j])
        return Block(
            self.mentees.take(rows),
            self.mentors.take(columns),
            self.vocabulary,
            self.remaining[columns],
            True,
        )

    @cached_property
    def speaks_service_language(self) -> np.ndarray:
        """(n, m): the mentor speaks the newcomer's service language (French or English)."""
        return self.mentors.languages[:, self.mentees.service_language].T > 0


# (n, m) float32 scores, and (n, m) int8 reason codes when the block is ``with_codes``.
Scores = tuple[np.ndarray, np.ndarray | None]


@dataclass(frozen=True)
class Criterion:
    key: str
    default_weight: float
    reasons: tuple[str, ...]  # code → catalog key ``match.<key>.<reason>``
    score: Callable[[Block], Scores]
    # The catalog parameters explaining pair (i, j) of the block, given its reason code.
    params: Callable[[Block, int, int, int], dict[str, Any]]

    def reason_key(self, code: int) -> str:
        return f"match.{self.key}.{self.reasons[code]}"


def _col(values: np.ndarray) -> np.ndarray:
    return values[:, None]


def _row(values: np.ndarray) -> np.ndarray:
    return values[None, :]


def _first(choices: Sequence[tuple[np.ndarray | bool, float | np.ndarray]], block: Block) -> Scores:
    """The first of several (applies, score) cases that applies to each pair; its
    position is the reason code. The last case must always apply."""
    last = len(choices) - 1
    scores = np.broadcast_to(np.asarray(choices[last][1], np.float32), block.shape).copy()
    codes = np.full(block.shape, last, np.int8) if block.with_codes else None
    for code in range(last - 1, -1, -1):
        applies, score = choices[code]
        applies = np.broadcast_to(applies, block.shape)
        np.copyto(scores, score, where=applies)
        if codes is not None:
            codes[applies] = code
    return scores, codes


# --- Occupation and industry: hierarchies, as tables between every two codes -------------


def _shared_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a codes, b codes): how many levels two codes share, from their prefixes at each
    level. Prefixes nest, so the count of equal known prefixes is the deepest level."""
    return ((a[:, None, :] == b[None, :, :]) & (a[:, None, :] >= 0)).sum(axis=2)


def _gather(table: tuple[np.ndarray, np.ndarray], a: np.ndarray, b: np.ndarray, block: Block) -> Scores:
    """Each pair's entry of a (codes + 1)² table; index -1 is the "no code" row."""
    scores, codes = table
    return scores[_col(a), _row(b)], codes[_col(a), _row(b)] if block.with_codes else None


@cache
def _occupation_table(codes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    prefixes = occupations().prefixes
    level = _shared_levels(prefixes, prefixes)
    teer = np.array([taxonomy.teer(code) for code in codes] + [None], dtype=float)
    gap = np.nan_to_num(np.abs(teer[:, None] - teer[None, :]), nan=0.0)
    scores = _NOC_LEVEL_SCORES[level] * (1.0 - TEER_GAP_PENALTY * gap)
    return scores.astype(np.float32), level.astype(np.int8)


def _occupation(block: Block) -> Scores:
    table = _occupation_table(occupations().codes)
    return _gather(table, block.mentees.occupation, block.mentors.occupation, block)


def _occupation_params(block: Block, i: int, j: int, code: int) -> dict[str, Any]:
    mentor_code = block.mentors.profiles[j].occupation_noc
    a, b = taxonomy.teer(block.mentees.profiles[i].target_noc), taxonomy.teer(mentor_code)
    gap = abs(a - b) if a is not None and b is not None else 0
    return {"noc": mentor_code[:code] if code else mentor_code, "teer_gap": gap}


@lru_cache(maxsize=32)
def _industry_table(mentees: Classification, mentors: Classification) -> tuple[np.ndarray, np.ndarray]:
    a, b = mentees.prefixes, mentors.prefixes
    shared = _shared_levels(a, b)
    a_levels, b_levels = (a >= 0).sum(axis=1), (b >= 0).sum(axis=1)
    known = (a_levels[:, None] > 0) & (b_levels[None, :] > 0)
    # Sharing every level the shorter code has is the same industry as far as both
    # said (a newcomer's 5415 and a mentor's 541510).
    same = known & (shared == np.minimum(a_levels[:, None], b_levels[None, :]))
    codes_ = np.where(same, 5, np.where(known, shared, 6))
    scores = np.where(same, 1.0, np.where(known, _NAICS_LEVEL_SCORES[np.minimum(shared, 4)], 0.5))
    return scores.astype(np.float32), codes_.astype(np.int8)


def _industry(block: Block) -> Scores:
    table = _industry_table(block.mentees.industries, block.mentors.industries)
    return _gather(table, block.mentees.industry, block.mentors.industry, block)


def _industry_params(block: Block, i: int, j: int, code: int) -> dict[str, Any]:
    mentor_code = block.mentors.profiles[j].industry_naics or ""
    if code in (0, 6):
        return {}
    return {"naics": mentor_code if code == 5 else mentor_code[: NAICS_LENGTHS[code - 1]]}


# --- Career goal: bilingual text similarity ----------------------------------------------


# Up to this many newcomers, their goals are multiplied as a dense block: one sparse ×
# dense product over the pool is several times faster than sparse × sparse.
_DENSE_GOALS = 64


def _goal(block: Block) -> Scores:
    goals, experiences = block.mentees.text, block.mentors.text
    if goals.shape[0] <= _DENSE_GOALS:
        similarity = np.asarray(experiences @ goals.T.toarray()).T
    else:
        similarity = (goals @ experiences.T).toarray()
    score = np.minimum(similarity / GOAL_FULL_MATCH, 1.0).astype(np.float32)
    if not block.with_codes:
        return score, None
    no_goal = _col(~block.mentees.has_text)
    no_experience = _row(~block.mentors.has_text)
    code = np.where(no_goal, 2, np.where(no_experience, 3, np.where(similarity > 0, 0, 1)))
    return score, code.astype(np.int8)


def _goal_params(block: Block, i: int, j: int, code: int) -> dict[str, Any]:
    if code != 0:
        return {}
    shared = block.vocabulary.text.shared_terms(
        mentee_text(block.mentees.profiles[i]), mentor_text(block.mentors.profiles[j])
    )
    return {"terms": [{"en": term.en, "fr": term.fr} for term in shared]}


# --- Language: the service language first, then any other shared ------------------------


def _language(block: Block) -> Scores:
    service = block.speaks_service_language
    shared = block.mentees.languages @ block.mentors.languages.T
    mentee_has_service = np.take_along_axis(
        block.mentees.languages, _col(block.mentees.service_language), axis=1
    )
    others = shared - (service & (mentee_has_service > 0))
    return _first(
        [
            (service & (others > 0), 1.0),
            (service, 0.7),
            (others > 0, 0.4),
            (True, 0.0),
        ],
        block,
    )


def _language_params(block: Block, i: int, j: int, code: int) -> dict[str, Any]:
    names = {index: language for language, index in block.vocabulary.languages.items()}
    service = names[int(block.mentees.service_language[i])]
    shared = block.mentees.languages[i] * block.mentors.languages[j]
    others = [names[int(index)] for index in np.flatnonzero(shared) if names[int(index)] != service]
    return {"service": [service], "languages": others}


# --- Geography: same city or region, distance, virtual meetings --------------------------


@cache
def _between_places() -> tuple[np.ndarray, np.ndarray]:
    """Scores and reason codes between every two built-in places, computed once: the
    same place, the same census metropolitan area, or closeness fading with distance."""
    places = all_places()
    latitude = np.array([place.latitude for place in places])
    longitude = np.array([place.longitude for place in places])
    kilometres = haversine_km(latitude[:, None], longitude[:, None], latitude[None, :], longitude[None, :])
    region = np.array([place.region for place in places])
    same_region = region[:, None] == region[None, :]
    nearby = 0.8 * np.clip(1.0 - kilometres / NEARBY_KM, 0.0, 1.0)
    scores = np.where(same_region, 0.85, nearby)
    codes = np.where(same_region, 1, np.where(nearby > 0, 2, 5))
    np.fill_diagonal(scores, 1.0)
    np.fill_diagonal(codes, 0)
    return scores.astype(np.float32), codes.astype(np.int8)


def _geography(block: Block) -> Scores:
    a, b = block.mentees, block.mentors
    table_scores, table_codes = _between_places()
    known = (_col(a.place) >= 0) & (_row(b.place) >= 0)
    pairs = (_col(a.place.clip(0)), _row(b.place.clip(0)))
    scores = np.where(known, table_scores[pairs], np.float32(0.0))
    codes = np.where(known, table_codes[pairs], np.int8(5)) if block.with_codes else None
    # A city the gazetteer does not know is still the same city when both typed it.
    same_city = (_col(a.city) >= 0) & (_col(a.city) == _row(b.city))
    for code, value, applies in (
        (0, 1.0, same_city),
        (3, 0.6, _col(a.virtual) & _row(b.virtual)),
        (4, 0.3, (_col(a.province) >= 0) & (_col(a.province) == _row(b.province))),
    ):
        better = applies & (scores < value)
        np.copyto(scores, np.float32(value), where=better)
        if codes is not None:
            codes[better] = code
    return scores, codes


def _geography_params(block: Block, i: int, j: int, code: int) -> dict[str, Any]:
    mentor = block.mentors.profiles[j]
    places = all_places()
    a, b = int(block.mentees.place[i]), int(block.mentors.place[j])
    kilometres = 0.0
    if a >= 0 and b >= 0:
        kilometres = haversine_km(
            places[a].latitude, places[a].longitude, places[b].latitude, places[b].longitude
        )
    return {
        "city": mentor.city,
        "region": places[b].region if b >= 0 else "",
        "km": round(kilometres),
        "province": mentor.province,
    }


# --- Availability: overlap of weekly slots -----------------------------------------------


def _availability(block: Block) -> Scores:
    a, b = _col(block.mentees.availability), _row(block.mentors.availability)
    shared = np.bitwise_count(a & b).astype(np.float32)
    given = (a != 0) & (b != 0)
    # Someone who gave no slots is not unavailable: the criterion stays neutral.
    return _first(
        [
            (given & (shared > 0), np.minimum(shared / SLOTS_FOR_FULL_MATCH, 1.0)),
            (given, 0.0),
            (True, 0.5),
        ],
        block,
    )


def _availability_params(block: Block, i: int, j: int, code: int) -> dict[str, Any]:
    return {"slots": slot_names(int(block.mentees.availability[i] & block.mentors.availability[j]))}


# --- Capacity: room left over concurrent mentorships -------------------------------------


def _capacity(block: Block) -> Scores:
    capacity = block.mentors.capacity
    share = np.where(capacity > 0, block.remaining / np.maximum(capacity, 1), 0.0)
    codes = np.zeros(block.shape, np.int8) if block.with_codes else None
    return np.broadcast_to(_row(share), block.shape).astype(np.float32), codes


def _capacity_params(block: Block, i: int, j: int, code: int) -> dict[str, Any]:
    return {"remaining": int(block.remaining[j]), "capacity": int(block.mentors.capacity[j])}


# --- Declared cultural background and work style -----------------------------------------


def _culture(block: Block) -> Scores:
    a, b = _col(block.mentees.culture), _row(block.mentors.culture)
    return _first(
        [((a & b) != 0, 1.0), ((a != 0) & (b != 0), 0.0), (a == 0, 0.0), (True, 0.0)],
        block,
    )


def _culture_params(block: Block, i: int, j: int, code: int) -> dict[str, Any]:
    return {"regions": region_names(int(block.mentees.culture[i] & block.mentors.culture[j]))}


def _work_style(block: Block) -> Scores:
    a = block.mentees.work_style[:, None, :].astype(np.int16)
    b = block.mentors.work_style[None, :, :].astype(np.int16)
    answered = (a > 0) & (b > 0)
    items = answered.sum(axis=2)
    spread = WORK_STYLE_SCALE * np.maximum(items, 1)
    closeness = 1.0 - (np.abs(a - b) * answered).sum(axis=2) / spread
    return _first(
        [
            ((items > 0) & (closeness >= 0.75), closeness),
            ((items > 0) & (closeness >= 0.5), closeness),
            (items > 0, closeness),
            (True, 0.0),
        ],
        block,
    )


WORK_STYLE_SCALE = 4  # the widest gap between two answers on a 1-5 scale


def _work_style_params(block: Block, i: int, j: int, code: int) -> dict[str, Any]:
    a, b = block.mentees.work_style[i], block.mentors.work_style[j]
    return {"items": [item for item, x, y in zip(WORK_STYLE_ITEMS, a, b, strict=True) if x and y]}


CRITERIA: dict[str, Criterion] = {
    criterion.key: criterion
    for criterion in (
        Criterion(
            "occupation",
            0.30,
            (
                "different",
                "same_broad_category",
                "same_major_group",
                "same_sub_major_group",
                "same_minor_group",
                "same_unit_group",
            ),
            _occupation,
            _occupation_params,
        ),
        Criterion(
            "industry",
            0.10,
            (
                "different",
                "same_sector",
                "same_subsector",
                "same_industry_group",
                "same_naics_industry",
                "same_industry",
                "not_given",
            ),
            _industry,
            _industry_params,
        ),
        Criterion(
            "goal", 0.15, ("shared_terms", "nothing_shared", "no_goal", "no_experience"), _goal, _goal_params
        ),
        Criterion(
            "language",
            0.10,
            ("service_and_other", "service", "other_only", "none"),
            _language,
            _language_params,
        ),
        Criterion(
            "geography",
            0.15,
            ("same_city", "same_region", "nearby", "virtual", "same_province", "far"),
            _geography,
            _geography_params,
        ),
        Criterion(
            "availability", 0.15, ("shared", "none_shared", "not_given"), _availability, _availability_params
        ),
        Criterion("capacity", 0.05, ("remaining",), _capacity, _capacity_params),
        Criterion(
            "culture",
            0.0,
            ("shared", "different", "not_declared", "mentor_not_declared"),
            _culture,
            _culture_params,
        ),
        Criterion(
            "work_style",
            0.0,
            ("close", "partly", "different", "not_declared"),
            _work_style,
            _work_style_params,
        ),
    )
}
DEFAULT_WEIGHTS = {key: criterion.default_weight for key, criterion in CRITERIA.items()}
