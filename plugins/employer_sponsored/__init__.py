"""The employer-sponsored program type (the seed's Vancouver model).

Owned and run by an employer; its mentors are its employees; agencies refer candidates
to it. Besides meetings, mentorships log workplace activities: site visits, job
shadowing, attending work meetings.
"""

from pathlib import Path
from typing import Any

from core.hookspecs import ActivityKind, ProgramType, RuleResult, hookimpl
from core.models import MentorProfile, OrganizationKind, Program
from core.rules import mentor_of_program_organization, worded

TYPE_KEY = "employer_sponsored"
LOCALES = Path(__file__).parent / "locales"


def default_rules() -> dict[str, Any]:
    def rule(rule_id: str, leaf: dict[str, Any]) -> dict[str, Any]:
        return worded(rule_id, leaf, LOCALES, "employer_sponsored")

    return {
        "all": [
            rule("employer_sponsored.trained_abroad", {"field": "trained_abroad", "op": "is", "value": True}),
            rule("employer_sponsored.language", {"field": "official_language_clb", "op": "gte", "value": 5}),
        ]
    }


@hookimpl
def register_program_types() -> list[ProgramType]:
    return [
        ProgramType(
            key=TYPE_KEY,
            name_en="Employer-sponsored mentoring",
            name_fr="Mentorat parrainé par un employeur",
            description_en="Run by an employer whose employees mentor newcomers referred by "
            "agencies, with workplace activities.",
            description_fr="Offert par un employeur dont le personnel encadre des personnes "
            "recommandées par des organismes, avec des activités en milieu de travail.",
            default_rules=default_rules(),
            organization_kinds=frozenset({OrganizationKind.EMPLOYER.value}),
        )
    ]


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    types = frozenset({TYPE_KEY})
    return [
        ActivityKind("site_visit", "Site visit", "Visite du milieu de travail", types),
        ActivityKind("job_shadowing", "Job shadowing", "Observation au poste de travail", types),
        ActivityKind(
            "work_meeting", "Attending a work meeting", "Participation à une réunion de travail", types
        ),
    ]


@hookimpl
def check_mentor_eligibility(program: Program, mentor: MentorProfile) -> list[RuleResult] | None:
    if program.program_type != TYPE_KEY:
        return None
    return [mentor_of_program_organization(program, mentor, "employer_sponsored.mentor_employee")]


@hookimpl
def register_translations() -> Path:
    return LOCALES
