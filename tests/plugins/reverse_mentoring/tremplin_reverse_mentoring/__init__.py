"""Reverse mentoring: a newcomer mentors a senior employee (global markets, languages,
cultures). A program type, a rule field of its own, a computed criterion, a matching
criterion and a lifecycle hook — everything a third-party program type needs, and
nothing in core."""

from collections.abc import Sequence
from pathlib import Path

from core.hookspecs import CriterionScore, MatchCriterion, ProgramType, RuleResult, hookimpl
from core.models import MenteeProfile, MentorProfile, Program, Referral
from core.rules import Facts, FieldKind, RuleField

TYPE_KEY = "reverse"


def languages_spoken(facts: Facts) -> int:
    return len(facts.mentee.languages)


@hookimpl
def register_program_types() -> list[ProgramType]:
    multilingual = {"id": "reverse.multilingual", "field": "languages_spoken", "op": "gte", "value": 2}
    return [
        ProgramType(
            key=TYPE_KEY,
            name_en="Reverse mentoring",
            name_fr="Mentorat inversé",
            default_rules={"all": [multilingual]},
        )
    ]


@hookimpl
def register_rule_fields() -> list[RuleField]:
    return [RuleField("languages_spoken", FieldKind.NUMBER, languages_spoken)]


@hookimpl
def register_translations() -> Path:
    return Path(__file__).parent / "locales"


@hookimpl
def check_eligibility(program: Program, mentee: MenteeProfile) -> list[RuleResult] | None:
    if program.program_type != TYPE_KEY:
        return None
    return [RuleResult("reverse.has_goal", bool(mentee.career_goal.strip()), "rule.reverse.has_goal")]


@hookimpl
def referral_submitted(referral: Referral, program: Program) -> None:
    if program.program_type == TYPE_KEY:
        referral.details = {**referral.details, "welcome_pack": "sent"}


def languages_to_share(
    program: Program, mentee: MenteeProfile, mentors: Sequence[MentorProfile]
) -> list[CriterionScore]:
    """The languages the newcomer could open to the employee: two new ones count fully."""
    spoken = {skill["language"] for skill in mentee.languages}
    answers = []
    for mentor in mentors:
        new = sorted(spoken - set(mentor.languages))
        answers.append(
            CriterionScore(min(len(new) / 2, 1.0), "match.reverse.languages_to_share", {"count": len(new)})
        )
    return answers


@hookimpl
def register_match_criteria() -> list[MatchCriterion]:
    return [MatchCriterion("languages_to_share", 0.3, frozenset({TYPE_KEY}), languages_to_share)]
