"""Each matching criterion scores what the issue asks, says why in both languages, and
the total is the weighted sum of the criteria a program counts."""

import uuid
from typing import Any

import numpy as np
import pytest

from core.i18n import LANGUAGES
from core.matching.criteria import CRITERIA, DEFAULT_WEIGHTS
from core.matching.engine import Candidate, Constraints, Exclusion, Pool, Scoring, rank, score_block
from core.matching.explain import describe, exclusion_reasons
from core.models import Language, MenteeProfile, MentorProfile


def mentee(**overrides: Any) -> MenteeProfile:
    values: dict[str, Any] = {
        "owner_organization_id": uuid.uuid4(),
        "first_name": "Amina",
        "last_name": "Haddad",
        "immigration_status": "permanent_resident",
        "country_of_training": "MA",
        "target_noc": "21231",
        "industry_naics": "5415",
        "languages": [
            {"language": "fr", "clb": 9},
            {"language": "en", "clb": 7},
            {"language": "ar", "clb": 12},
        ],
        "preferred_language": Language.FR,
        "city": "Ottawa",
        "province": "ON",
        "open_to_virtual": False,
        "career_goal": "Travailler comme ingénieure logiciel à Ottawa",
        "availability": ["tue_evening", "sat_morning"],
    }
    values.update(overrides)
    return MenteeProfile(**values)


def mentor(**overrides: Any) -> MentorProfile:
    values: dict[str, Any] = {
        "user_id": uuid.uuid4(),
        "organization_id": uuid.uuid4(),
        "occupation_noc": "21231",
        "industry_naics": "541510",
        "languages": ["en", "fr"],
        "city": "Ottawa",
        "province": "ON",
        "capacity": 2,
        "open_to_virtual": False,
        "job_title": "Software engineer",
        "bio": "Software developer with 12 years in the Ottawa area.",
        "availability": ["tue_evening", "sat_morning"],
    }
    values.update(overrides)
    return MentorProfile(**values)


ALL_CRITERIA = Scoring({key: 1 / len(CRITERIA) for key in CRITERIA})


def explained(
    newcomer: MenteeProfile,
    mentors: list[MentorProfile],
    *,
    scoring: Scoring = ALL_CRITERIA,
    remaining: list[int] | None = None,
    require_service_language: bool = True,
) -> list[Candidate]:
    """Every mentor scored for the newcomer, in the mentors' order."""
    pool = Pool(mentors)
    constraints = Constraints(
        remaining=np.array(remaining if remaining is not None else [m.capacity for m in mentors]),
        require_service_language=require_service_language,
    )
    scored = score_block(
        pool, pool.encode_mentees([newcomer]), np.array([0]), np.arange(len(mentors)), scoring, constraints
    )
    return [scored.explain(scoring, 0, j) for j in range(len(mentors))]


def criterion(candidate: Candidate, key: str) -> tuple[float, str]:
    found = next(item for item in candidate.criteria if item.criterion == key)
    return found.score, found.reason


def one(key: str, newcomer: MenteeProfile, other: MentorProfile) -> tuple[float, str]:
    return criterion(explained(newcomer, [other])[0], key)


@pytest.mark.parametrize(
    ("code", "score", "reason"),
    [
        ("21231", 1.0, "same_unit_group"),
        ("21232", 0.8, "same_minor_group"),
        ("21211", 0.6, "same_sub_major_group"),
        ("21300", 0.4, "same_major_group"),
        # Broad category 2, and TEER 2 against the newcomer's TEER 1: one level apart.
        ("22220", 0.2 * 0.9, "same_broad_category"),
        ("31301", 0.0, "different"),
    ],
)
def test_occupation_follows_the_noc_hierarchy(code: str, score: float, reason: str) -> None:
    assert one("occupation", mentee(), mentor(occupation_noc=code)) == (
        pytest.approx(score),
        f"match.occupation.{reason}",
    )


def test_a_teer_gap_lowers_the_occupation_score_and_says_so() -> None:
    # 20012 (computer and information systems managers, TEER 0) is of the same broad
    # category as 21231 (software engineers, TEER 1); 22220 is TEER 2.
    manager, technician = explained(
        mentee(), [mentor(occupation_noc="20012"), mentor(occupation_noc="22220")]
    )
    assert criterion(manager, "occupation")[0] == pytest.approx(0.2 * 0.9)
    assert criterion(technician, "occupation")[0] == pytest.approx(0.2 * 0.9)
    far = explained(mentee(target_noc="20012"), [mentor(occupation_noc="22220")])[0]
    assert criterion(far, "occupation")[0] == pytest.approx(0.2 * 0.8)
    record = next(item for item in far.criteria if item.criterion == "occupation").as_record()
    assert describe(record, "en").endswith(" (TEER categories 2 apart)")
    assert describe(record, "fr").endswith(" (écart de 2 entre les catégories FÉER)")


@pytest.mark.parametrize(
    ("theirs", "mine", "score", "reason"),
    [
        ("5415", "541510", 1.0, "same_industry"),  # the same, as far as both said
        ("541510", "541514", 0.9, "same_naics_industry"),
        ("541510", "541590", 0.8, "same_industry_group"),
        ("5415", "5417", 0.6, "same_subsector"),
        ("5415", "5211", 0.0, "different"),
        ("3111", "3361", 0.4, "same_sector"),  # 31-33 is one sector, manufacturing
        ("5415", None, 0.5, "not_given"),
    ],
)
def test_industry_compares_naics_prefixes(theirs: str, mine: str | None, score: float, reason: str) -> None:
    assert one("industry", mentee(industry_naics=theirs), mentor(industry_naics=mine)) == (
        pytest.approx(score),
        f"match.industry.{reason}",
    )


def test_a_french_goal_finds_an_english_experience_and_names_the_shared_terms_in_both_languages() -> None:
    engineer, nurse = explained(
        mentee(),
        [mentor(), mentor(job_title="Registered nurse", bio="Nurse in a hospital for ten years.")],
    )
    assert criterion(engineer, "goal")[0] > 0.5
    assert criterion(engineer, "goal")[1] == "match.goal.shared_terms"
    assert criterion(nurse, "goal") == (0.0, "match.goal.nothing_shared")
    record = next(item for item in engineer.criteria if item.criterion == "goal").as_record()
    assert "software" in describe(record, "en") and "logiciel" in describe(record, "fr")


def test_a_goal_not_yet_written_is_said_so() -> None:
    assert one("goal", mentee(career_goal=""), mentor()) == (0.0, "match.goal.no_goal")
    assert one("goal", mentee(), mentor(job_title="", bio="")) == (0.0, "match.goal.no_experience")


def test_language_the_service_language_first_then_another_shared_one() -> None:
    both, service, other, none = explained(
        mentee(),
        [
            mentor(languages=["fr", "ar"]),
            mentor(languages=["fr"]),
            mentor(languages=["en"]),
            mentor(languages=["es"]),
        ],
        require_service_language=False,
    )
    assert criterion(both, "language") == (1.0, "match.language.service_and_other")
    assert criterion(service, "language") == (0.7, "match.language.service")
    assert criterion(other, "language") == (0.4, "match.language.other_only")
    assert criterion(none, "language") == (0.0, "match.language.none")
    record = next(item for item in both.criteria if item.criterion == "language").as_record()
    assert describe(record, "en") == "Speaks the service language (French), and also Arabic"
    assert describe(record, "fr") == "Parle la langue de service (français), et aussi : arabe"


def test_the_service_language_is_a_hard_constraint_unless_the_program_relaxes_it() -> None:
    required = explained(mentee(), [mentor(languages=["en"])])[0]
    assert required.exclusions == Exclusion.SERVICE_LANGUAGE
    relaxed = explained(mentee(), [mentor(languages=["en"])], require_service_language=False)[0]
    assert relaxed.exclusions == Exclusion(0)


def test_geography_same_city_then_region_then_distance_then_virtual_then_province() -> None:
    virtual = {"open_to_virtual": True}
    same_city, region, nearby, online, province, far = explained(
        mentee(**virtual),
        [
            mentor(city="ottawa"),  # typed differently, same city
            mentor(city="Gatineau", province="QC"),
            mentor(city="Cornwall"),  # under 100 km away
            mentor(city="Toronto", **virtual),
            mentor(city="Toronto"),
            mentor(city="Halifax", province="NS"),
        ],
    )
    assert criterion(same_city, "geography") == (1.0, "match.geography.same_city")
    assert criterion(region, "geography") == (0.85, "match.geography.same_region")
    assert criterion(online, "geography") == (0.6, "match.geography.virtual")
    assert criterion(province, "geography") == (0.3, "match.geography.same_province")
    assert criterion(far, "geography") == (0.0, "match.geography.far")
    score, reason = criterion(nearby, "geography")
    assert reason == "match.geography.nearby" and 0.3 < score < 0.6
    record = next(item for item in nearby.criteria if item.criterion == "geography").as_record()
    assert describe(record, "en").startswith("About ") and " km apart" in describe(record, "en")


def test_availability_counts_shared_weekly_slots() -> None:
    two, one_slot, none, unknown = explained(
        mentee(),
        [
            mentor(),
            mentor(availability=["tue_evening", "wed_evening"]),
            mentor(availability=["mon_morning"]),
            mentor(availability=[]),
        ],
    )
    assert criterion(two, "availability") == (1.0, "match.availability.shared")
    assert criterion(one_slot, "availability") == (0.5, "match.availability.shared")
    assert criterion(none, "availability") == (0.0, "match.availability.none_shared")
    assert criterion(unknown, "availability") == (0.5, "match.availability.not_given")
    record = next(item for item in two.criteria if item.criterion == "availability").as_record()
    assert describe(record, "fr") == "Disponibles tous les deux : mardi soir et samedi matin"
    assert describe(record, "en") == "Both available: Tuesday evening and Saturday morning"


def test_capacity_is_the_share_of_places_left() -> None:
    candidate = explained(mentee(), [mentor(capacity=3)], remaining=[1])[0]
    assert criterion(candidate, "capacity")[0] == pytest.approx(1 / 3, abs=1e-4)
    full = explained(mentee(), [mentor(capacity=3)], remaining=[0])[0]
    assert full.exclusions == Exclusion.NO_CAPACITY


def test_culture_and_work_style_count_only_what_was_declared() -> None:
    declared = mentee(cultural_backgrounds=["north_africa"], work_style={"structure": 5, "feedback": 2})
    shared, different, silent = explained(
        declared,
        [
            mentor(
                cultural_backgrounds=["north_africa", "western_europe"],
                work_style={"structure": 5, "feedback": 3},
            ),
            mentor(cultural_backgrounds=["east_asia"], work_style={"structure": 1, "feedback": 5}),
            mentor(),
        ],
    )
    assert criterion(shared, "culture") == (1.0, "match.culture.shared")
    assert criterion(different, "culture") == (0.0, "match.culture.different")
    assert criterion(silent, "culture") == (0.0, "match.culture.mentor_not_declared")
    assert criterion(explained(mentee(), [mentor()])[0], "culture") == (0.0, "match.culture.not_declared")
    assert criterion(shared, "work_style") == (pytest.approx(1 - 1 / 8), "match.work_style.close")
    assert criterion(different, "work_style") == (pytest.approx(1 - 7 / 8), "match.work_style.different")
    assert criterion(silent, "work_style") == (0.0, "match.work_style.not_declared")


def test_the_total_is_the_weighted_sum_of_the_criteria_counted() -> None:
    shares = {"occupation": 0.5, "language": 0.3, "geography": 0.2}
    candidate = explained(
        mentee(), [mentor(occupation_noc="21232", city="Toronto")], scoring=Scoring(shares)
    )[0]
    assert [item.criterion for item in candidate.criteria] == ["occupation", "language", "geography"]
    assert candidate.score == pytest.approx(
        sum(item.weight * item.score for item in candidate.criteria), abs=1e-4
    )
    assert candidate.score == pytest.approx(0.5 * 0.8 + 0.3 * 1.0 + 0.2 * 0.3, abs=1e-4)


def test_default_weights_leave_declared_traits_out_and_sum_to_one() -> None:
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)
    assert DEFAULT_WEIGHTS["culture"] == DEFAULT_WEIGHTS["work_style"] == 0


def test_ranking_is_best_first_with_ties_broken_by_pool_order_and_exclusions_listed_apart() -> None:
    mentors = [mentor(occupation_noc="21232"), mentor(), mentor(), mentor(languages=["en"])]
    pool = Pool(mentors)
    constraints = Constraints(remaining=np.array([1, 1, 1, 1]))
    scored = score_block(
        pool, pool.encode_mentees([mentee()]), np.array([0]), np.arange(4), ALL_CRITERIA, constraints
    )
    ranking = rank(scored, ALL_CRITERIA, limit=2, excluded_limit=5)
    assert [candidate.mentor for candidate in ranking.candidates] == [1, 2]
    assert [(candidate.mentor, candidate.exclusions.reasons) for candidate in ranking.excluded] == [
        (3, ["service_language"])
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_explanation_and_exclusion_reads_without_placeholders(language: str) -> None:
    candidates = explained(
        mentee(cultural_backgrounds=["north_africa"], work_style={"focus": 4}),
        [
            mentor(cultural_backgrounds=["north_africa"], work_style={"focus": 4}),
            mentor(occupation_noc="31301", languages=["es"], city="Halifax", province="NS", availability=[]),
        ],
        remaining=[1, 0],
    )
    for candidate in candidates:
        for item in candidate.criteria:
            sentence = describe(item.as_record(), language)
            assert sentence and "{" not in sentence and "match." not in sentence, sentence
        for sentence in exclusion_reasons(candidate.exclusions.reasons, [], language):
            assert sentence and "match." not in sentence
