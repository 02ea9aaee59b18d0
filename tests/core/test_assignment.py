"""The cohort assignment is optimal, respects every capacity and hard constraint, and
gives the same answer for the same data: checked on random instances against a linear
program (the bipartite b-matching polytope is integral, so the LP optimum is the best
assignment) and, on the smallest ones, against every possible assignment."""

import itertools
import uuid
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from core.matching.assignment import Edges, greedy, optimal
from core.matching.cohort import Unmatched, assign
from core.matching.criteria import DEFAULT_WEIGHTS
from core.matching.engine import Constraints, Exclusion, Pool, Scoring, score_block
from core.models import CohortMode, Language, MenteeProfile, MentorProfile

SCORE_PRECISION = 1e-4  # scores are integers of 1/10,000 in the flow


def lp_optimum(edges: Edges, capacity: np.ndarray, mentee_count: int, bonus: float = 0.0) -> float:
    """max Σ (bonus + score) x over 0 ≤ x ≤ 1, one mentor per newcomer, capacities."""
    if len(edges) == 0:
        return 0.0
    rows = []
    for mentee in range(mentee_count):
        rows.append((edges.mentees == mentee).astype(float))
    for mentor in range(len(capacity)):
        rows.append((edges.mentors == mentor).astype(float))
    limits = np.concatenate([np.ones(mentee_count), capacity])
    solved = linprog(-(edges.scores.astype(float) + bonus), A_ub=np.array(rows), b_ub=limits, bounds=(0, 1))
    assert solved.status == 0
    return float(-solved.fun)


@st.composite
def instances(draw: st.DrawFn, max_mentees: int = 8, max_mentors: int = 5) -> tuple[Edges, np.ndarray, int]:
    mentee_count = draw(st.integers(1, max_mentees))
    mentor_count = draw(st.integers(1, max_mentors))
    capacity = np.array(draw(st.lists(st.integers(0, 3), min_size=mentor_count, max_size=mentor_count)))
    pairs = [(i, j) for i in range(mentee_count) for j in range(mentor_count)]
    kept = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    scores = draw(st.lists(st.integers(0, 10_000), min_size=len(kept), max_size=len(kept)))
    edges = Edges(
        mentees=np.array([i for i, _ in kept], dtype=np.int64),
        mentors=np.array([j for _, j in kept], dtype=np.int64),
        scores=np.array(scores, dtype=np.float64) / 10_000,
    )
    return edges, capacity, mentee_count


def feasible(edges: Edges, chosen: np.ndarray, capacity: np.ndarray, mentee_count: int) -> bool:
    mentees = np.bincount(edges.mentees[chosen], minlength=mentee_count)
    mentors = np.bincount(edges.mentors[chosen], minlength=len(capacity))
    return bool((mentees <= 1).all() and (mentors <= capacity).all())


@settings(max_examples=150, deadline=None)
@given(instances())
def test_best_total_equals_the_lp_optimum_and_respects_capacities(
    instance: tuple[Edges, np.ndarray, int],
) -> None:
    edges, capacity, mentee_count = instance
    chosen = optimal(edges, capacity, mentee_count, CohortMode.BEST_TOTAL)
    assert feasible(edges, chosen, capacity, mentee_count)
    assert edges.total(chosen) == pytest.approx(
        lp_optimum(edges, capacity, mentee_count), abs=SCORE_PRECISION
    )
    baseline = greedy(edges, capacity, mentee_count)
    assert feasible(edges, baseline, capacity, mentee_count)
    assert edges.total(baseline) <= edges.total(chosen) + SCORE_PRECISION


@settings(max_examples=150, deadline=None)
@given(instances())
def test_most_matched_matches_the_most_people_then_scores_best(
    instance: tuple[Edges, np.ndarray, int],
) -> None:
    edges, capacity, mentee_count = instance
    chosen = optimal(edges, capacity, mentee_count, CohortMode.MOST_MATCHED)
    assert feasible(edges, chosen, capacity, mentee_count)
    unit = Edges(edges.mentees, edges.mentors, np.zeros(len(edges)))
    most = round(lp_optimum(unit, capacity, mentee_count, bonus=1.0))
    assert int(chosen.sum()) == most
    # Among assignments matching that many, the best total: a bonus above any total.
    bonus = mentee_count + 1.0
    best = lp_optimum(edges, capacity, mentee_count, bonus=bonus) - bonus * most
    assert edges.total(chosen) == pytest.approx(best, abs=SCORE_PRECISION * mentee_count)
    assert int(greedy(edges, capacity, mentee_count).sum()) <= most


@settings(max_examples=60, deadline=None)
@given(instances(max_mentees=5, max_mentors=3))
def test_best_total_equals_the_best_of_every_possible_assignment(
    instance: tuple[Edges, np.ndarray, int],
) -> None:
    edges, capacity, mentee_count = instance
    options = [[None, *np.flatnonzero(edges.mentees == mentee).tolist()] for mentee in range(mentee_count)]
    best = 0.0
    for choice in itertools.product(*options):
        chosen = np.zeros(len(edges), dtype=bool)
        chosen[[edge for edge in choice if edge is not None]] = True
        if feasible(edges, chosen, capacity, mentee_count):
            best = max(best, edges.total(chosen))
    found = optimal(edges, capacity, mentee_count, CohortMode.BEST_TOTAL)
    assert edges.total(found) == pytest.approx(best, abs=SCORE_PRECISION)


# --- End to end on profiles: candidate generation, constraints, threshold ---------------

NOCS = ("21231", "21232", "21300", "31301", "11100")
CITIES = (("Ottawa", "ON"), ("Gatineau", "QC"), ("Toronto", "ON"), ("Halifax", "NS"))


@st.composite
def people(draw: st.DrawFn) -> tuple[list[MenteeProfile], list[MentorProfile], list[int]]:
    def language_set() -> st.SearchStrategy[list[str]]:
        return st.lists(st.sampled_from(["en", "fr", "ar", "es"]), min_size=1, max_size=3, unique=True)

    mentees = []
    for index in range(draw(st.integers(1, 9))):
        city, province = draw(st.sampled_from(CITIES))
        mentees.append(
            MenteeProfile(
                id=uuid.UUID(int=index + 1),
                owner_organization_id=uuid.UUID(int=0),
                first_name="N",
                last_name="N",
                immigration_status="permanent_resident",
                country_of_training="MA",
                target_noc=draw(st.sampled_from(NOCS)),
                languages=[{"language": code, "clb": 8} for code in draw(language_set())],
                preferred_language=draw(st.sampled_from([Language.EN, Language.FR])),
                city=city,
                province=province,
                open_to_virtual=draw(st.booleans()),
                career_goal=draw(st.sampled_from(["", "Software developer", "Infirmière en Ontario"])),
            )
        )
    mentors, remaining = [], []
    for index in range(draw(st.integers(1, 6))):
        city, province = draw(st.sampled_from(CITIES))
        capacity = draw(st.integers(1, 3))
        mentors.append(
            MentorProfile(
                id=uuid.UUID(int=1000 + index),
                user_id=uuid.UUID(int=2000 + index),
                organization_id=uuid.UUID(int=0),
                occupation_noc=draw(st.sampled_from(NOCS)),
                languages=draw(language_set()),
                city=city,
                province=province,
                capacity=capacity,
                open_to_virtual=draw(st.booleans()),
                job_title=draw(st.sampled_from(["", "Software engineer", "Registered nurse"])),
            )
        )
        remaining.append(draw(st.integers(0, capacity)))
    return mentees, mentors, remaining


def scoring() -> Scoring:
    total = sum(DEFAULT_WEIGHTS.values())
    return Scoring({key: weight / total for key, weight in DEFAULT_WEIGHTS.items() if weight > 0})


@settings(max_examples=60, deadline=None)
@given(people(), st.sampled_from(list(CohortMode)), st.sampled_from([0.0, 0.3, 0.6]), st.data())
def test_a_cohort_run_obeys_every_constraint_and_is_optimal_and_deterministic(
    found: tuple[list[MenteeProfile], list[MentorProfile], list[int]],
    mode: CohortMode,
    minimum: float,
    data: Any,
) -> None:
    mentee_profiles, mentor_profiles, remaining = found
    pool = Pool(mentor_profiles)
    mentees = pool.encode_mentees(mentee_profiles)
    pairs = [(i, j) for i in range(len(mentee_profiles)) for j in range(len(mentor_profiles))]
    declined = data.draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3))
    constraints = Constraints(
        remaining=np.array(remaining),
        pair_exclusions={pair: int(Exclusion.DECLINED_BEFORE) for pair in declined},
    )
    weights = scoring()
    result = assign(pool, mentees, weights, constraints, minimum_score=minimum, mode=mode)

    everything = score_block(
        pool, mentees, np.arange(len(mentee_profiles)), np.arange(len(mentor_profiles)), weights, constraints
    )
    load = np.zeros(len(mentor_profiles), dtype=int)
    for mentee, mentor, score in result.pairs:
        assert everything.exclusions[mentee, mentor] == 0
        assert score >= minimum - 1e-6
        assert score == pytest.approx(float(everything.total[mentee, mentor]), abs=1e-4)
        load[mentor] += 1
    assert (load <= np.array(remaining)).all()
    assert len({mentee for mentee, _, _ in result.pairs}) == len(result.pairs)
    assert set(result.unmatched) == set(range(len(mentee_profiles))) - {
        mentee for mentee, _, _ in result.pairs
    }

    # Pools this small give every acceptable pair as an edge: the optimum is global.
    acceptable = (everything.exclusions == 0) & (everything.total >= np.float32(minimum))
    rows, columns = np.nonzero(acceptable)
    edges = Edges(rows, columns, everything.total[rows, columns].astype(np.float64))
    if mode == CohortMode.BEST_TOTAL:
        expected = lp_optimum(edges, np.array(remaining), len(mentee_profiles))
        assert result.total_score == pytest.approx(expected, abs=1e-3)
    else:
        expected_matched = round(
            lp_optimum(
                Edges(rows, columns, np.zeros(len(rows))), np.array(remaining), len(mentee_profiles), 1.0
            )
        )
        assert result.matched == expected_matched
    assert result.greedy_matched <= len(mentee_profiles)

    again = assign(pool, mentees, weights, constraints, minimum_score=minimum, mode=mode)
    assert again.pairs == result.pairs and again.unmatched == result.unmatched


def test_each_person_left_unmatched_is_told_why() -> None:
    def newcomer(index: int, language: Language, noc: str = "21231") -> MenteeProfile:
        return MenteeProfile(
            id=uuid.UUID(int=index),
            owner_organization_id=uuid.UUID(int=0),
            first_name="N",
            last_name="N",
            immigration_status="permanent_resident",
            country_of_training="MA",
            target_noc=noc,
            languages=[{"language": language.value, "clb": 8}],
            preferred_language=language,
            city="Ottawa",
        )

    mentors = [
        MentorProfile(
            id=uuid.UUID(int=100),
            user_id=uuid.UUID(int=200),
            organization_id=uuid.UUID(int=0),
            occupation_noc="21231",
            languages=["en"],
            city="Ottawa",
            capacity=1,
        )
    ]
    pool = Pool(mentors)
    # Two English speakers for one place, a French speaker, a nurse far below the minimum.
    profiles = [
        newcomer(1, Language.EN),
        newcomer(2, Language.EN),
        newcomer(3, Language.FR),
        newcomer(4, Language.EN, noc="31301"),
    ]
    result = assign(
        pool,
        pool.encode_mentees(profiles),
        scoring(),
        Constraints(remaining=np.array([1])),
        minimum_score=0.6,
        mode=CohortMode.MOST_MATCHED,
    )
    # The two English speakers tie: one gets the place, the other is told it was taken.
    ((matched, _, _),) = result.pairs
    assert matched in {0, 1}
    assert result.unmatched == {
        1 - matched: Unmatched.NO_CAPACITY,
        2: Unmatched.LANGUAGE,
        3: Unmatched.BELOW_THRESHOLD,
    }
    nobody = assign(
        pool,
        pool.encode_mentees(profiles[:1]),
        scoring(),
        Constraints(remaining=np.array([0])),
        minimum_score=0.0,
        mode=CohortMode.MOST_MATCHED,
    )
    assert nobody.unmatched == {0: Unmatched.NO_ELIGIBLE_MENTOR}
