"""The skeleton's transparent score: each criterion explained, NOC hierarchy honoured."""

import uuid

import pytest

from core.i18n import translate
from core.models import Language, MenteeProfile, MentorProfile
from core.services.matching import WEIGHTS, score_pair


def mentee(**overrides: object) -> MenteeProfile:
    values: dict[str, object] = {
        "owner_organization_id": uuid.uuid4(),
        "first_name": "A",
        "last_name": "B",
        "immigration_status": "permanent_resident",
        "country_of_training": "IN",
        "target_noc": "21231",
        "languages": [{"language": "en", "clb": 8}, {"language": "hi", "clb": 12}],
        "preferred_language": Language.EN,
        "city": "Ottawa",
        "province": "ON",
        "open_to_virtual": False,
    }
    values.update(overrides)
    return MenteeProfile(**values)


def mentor(**overrides: object) -> MentorProfile:
    values: dict[str, object] = {
        "user_id": uuid.uuid4(),
        "organization_id": uuid.uuid4(),
        "occupation_noc": "21231",
        "languages": ["en"],
        "city": "Ottawa",
        "province": "ON",
        "capacity": 2,
        "open_to_virtual": False,
    }
    values.update(overrides)
    return MentorProfile(**values)


def criteria(total_and_criteria: tuple) -> dict[str, tuple[float, str]]:
    return {c.criterion: (c.score, c.reason) for c in total_and_criteria[1]}


@pytest.mark.parametrize(
    ("code", "score", "reason"),
    [
        ("21231", 1.0, "match.occupation.same_unit_group"),
        ("21232", 0.8, "match.occupation.same_minor_group"),
        ("21211", 0.6, "match.occupation.same_sub_major_group"),
        ("21300", 0.4, "match.occupation.same_major_group"),
        ("22220", 0.2, "match.occupation.same_broad_category"),
        ("31301", 0.0, "match.occupation.different"),
    ],
)
def test_occupation_follows_the_noc_hierarchy(code: str, score: float, reason: str) -> None:
    assert criteria(score_pair(mentee(), mentor(occupation_noc=code), 0))["occupation"] == (score, reason)


def test_a_perfect_pair_scores_one_and_the_total_is_the_weighted_sum() -> None:
    total, parts = score_pair(mentee(), mentor(), 0)
    assert total == 1.0
    assert sum(part.weight for part in parts) == pytest.approx(1.0)
    partial_total, partial = score_pair(mentee(), mentor(occupation_noc="21300", city="Kanata"), 1)
    assert partial_total == pytest.approx(sum(part.weight * part.score for part in partial), abs=1e-4)
    assert partial_total == pytest.approx(
        WEIGHTS["occupation"] * 0.4
        + WEIGHTS["language"]
        + WEIGHTS["location"] * 0.4
        + WEIGHTS["capacity"] * 0.5
    )


def test_language_prefers_the_service_language_then_any_shared_one() -> None:
    assert (
        criteria(score_pair(mentee(preferred_language=Language.FR), mentor(languages=["fr"]), 0))["language"][
            0
        ]
        == 1
    )
    shared = criteria(score_pair(mentee(preferred_language=Language.FR), mentor(languages=["hi"]), 0))[
        "language"
    ]
    assert shared == (0.5, "match.language.shared")
    none = criteria(score_pair(mentee(preferred_language=Language.FR), mentor(languages=["es"]), 0))[
        "language"
    ]
    assert none == (0.0, "match.language.none")


def test_location_same_city_then_virtual_then_province() -> None:
    elsewhere = {"city": "Toronto"}
    assert criteria(score_pair(mentee(), mentor(**elsewhere), 0))["location"] == (
        0.4,
        "match.location.same_province",
    )
    both_virtual = criteria(
        score_pair(mentee(open_to_virtual=True), mentor(open_to_virtual=True, **elsewhere), 0)
    )
    assert both_virtual["location"] == (0.7, "match.location.virtual")
    far = criteria(score_pair(mentee(), mentor(city="Halifax", province="NS"), 0))
    assert far["location"] == (0.0, "match.location.far")


def test_every_explanation_reads_in_both_languages() -> None:
    _, parts = score_pair(mentee(), mentor(capacity=3), 1)
    for part in parts:
        english = translate(part.reason, "en", **part.params)
        french = translate(part.reason, "fr", **part.params)
        assert english != french and "{" not in english + french
    capacity = next(part for part in parts if part.criterion == "capacity")
    assert translate(capacity.reason, "en", **capacity.params) == "2 of 3 places free"
