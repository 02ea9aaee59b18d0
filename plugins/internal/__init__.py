"""The internal program type: an association's or an employer's own program.

Mentors and mentees are members or employees of the owning organization (the seed's
HR association): the default rule admits only newcomers who belong to it, and a mentor
of another organization cannot be proposed (OUTSIDE_ORGANIZATION).
"""

from pathlib import Path
from typing import Any

from core.hookspecs import ProgramType, RuleResult, hookimpl
from core.models import MentorProfile, Program
from core.rules import mentor_of_program_organization, worded

TYPE_KEY = "internal"
LOCALES = Path(__file__).parent / "locales"


def default_rules() -> dict[str, Any]:
    member = {"field": "member_of_program_organization", "op": "is", "value": True}
    return {"all": [worded("internal.member", member, LOCALES, "internal")]}


@hookimpl
def register_program_types() -> list[ProgramType]:
    return [
        ProgramType(
            key=TYPE_KEY,
            name_en="Internal mentoring",
            name_fr="Mentorat interne",
            description_en="An organization's own program: its members or employees mentor its "
            "members or employees.",
            description_fr="Programme propre à un organisme : ses membres ou employés en encadrent d'autres.",
            default_rules=default_rules(),
        )
    ]


@hookimpl
def check_mentor_eligibility(program: Program, mentor: MentorProfile) -> list[RuleResult] | None:
    if program.program_type != TYPE_KEY:
        return None
    return [mentor_of_program_organization(program, mentor, "internal.mentor_member")]


@hookimpl
def register_translations() -> Path:
    return LOCALES
