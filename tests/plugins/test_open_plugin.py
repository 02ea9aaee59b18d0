"""The open program type: the seed's criteria for newcomers and for mentors."""

import uuid

import pytest

from core.models import ImmigrationStatus, MenteeProfile, MentorProfile, Program
from core.plugins import get_plugin_host
from core.rules import Facts
from plugins import open as open_plugin


def program(**settings: int) -> Program:
    return Program(
        organization_id=uuid.uuid4(),
        program_type="open",
        name_en="P",
        name_fr="P",
        province="ON",
        settings=settings,
    )


def newcomer(**overrides: object) -> MenteeProfile:
    values: dict[str, object] = {
        "owner_organization_id": uuid.uuid4(),
        "first_name": "A",
        "last_name": "B",
        "immigration_status": ImmigrationStatus.CONVENTION_REFUGEE,
        "country_of_training": "SY",
        "target_noc": "31301",
        "languages": [{"language": "en", "clb": 5}],
        "province": "ON",
        "job_search_workshop": True,
    }
    values.update(overrides)
    return MenteeProfile(**values)


def failed(results: list) -> set[str]:
    return {result.rule for result in results if not result.passed}


def test_register_program_types_offers_open_with_the_seed_defaults() -> None:
    plugin_name, program_type = get_plugin_host().program_type("open")
    assert plugin_name == "open"
    assert (program_type.default_term_weeks, program_type.default_meeting_minutes_per_week) == (12, 60)
    assert program_type.name_fr == "Mentorat professionnel ouvert à tous"


def test_register_translations_brings_the_rule_texts() -> None:
    assert (open_plugin.register_translations() / "fr" / "open.po").exists()


def check(mentee: MenteeProfile, rules: dict | None = None) -> set[str]:
    """The failed rules of the open program's default rule set (or ``rules``)."""
    book = get_plugin_host().rule_book()
    evaluation = book.evaluate(book.validate(rules or open_plugin.default_rules()), Facts(mentee, program()))
    return {record["rule"] for record in evaluation.records if not record["passed"]}


def test_default_rules_pass_an_eligible_newcomer() -> None:
    assert check(newcomer()) == set()


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"immigration_status": ImmigrationStatus.TEMPORARY_RESIDENT}, "open.admitted_immigrant_or_refugee"),
        ({"country_of_training": "CA"}, "open.trained_abroad"),
        (
            {"languages": [{"language": "en", "clb": 4}, {"language": "ar", "clb": 12}]},
            "open.language_benchmark",
        ),
        ({"province": "QC"}, "open.provincial_resident"),
        ({"job_search_workshop": False}, "open.job_search_workshop"),
    ],
)
def test_default_rules_name_the_failed_criterion(overrides: dict, rule: str) -> None:
    assert check(newcomer(**overrides)) == {rule}


def test_default_rules_are_worded_as_the_seed_words_them() -> None:
    labels = [leaf["label_fr"] for leaf in open_plugin.default_rules()["all"]]
    assert labels[0] == "Être immigrant admis ou réfugié au sens de la Convention"


def test_check_mentor_eligibility_needs_two_years_of_local_experience() -> None:
    mentor = MentorProfile(user_id=uuid.uuid4(), organization_id=uuid.uuid4(), occupation_noc="31301")
    mentor.years_local_experience = 1
    assert failed(open_plugin.check_mentor_eligibility(program(), mentor)) == {"open.mentor_local_experience"}
    mentor.years_local_experience = 2
    assert not failed(open_plugin.check_mentor_eligibility(program(), mentor))
