"""The integrated program type: mentoring inside a host program.

Six of the Ottawa programs of the seed are integrated into a larger program (bridging
programs, internships): only that program's participants are eligible. A referral to
an integrated program records the host-program enrolment in its details
(``{"host_program": "..."}``); the default rule requires it, and staff can narrow it to
the host programs they accept (``host_program`` *in* a list).
"""

from pathlib import Path
from typing import Any

from core.hookspecs import ProgramType, hookimpl
from core.rules import Facts, FieldKind, RuleField, worded

TYPE_KEY = "integrated"
LOCALES = Path(__file__).parent / "locales"


def _host_program(facts: Facts) -> str:
    return str(facts.details.get("host_program", "")).strip()


def default_rules() -> dict[str, Any]:
    return {
        "all": [
            worded(
                "integrated.enrolled", {"field": "host_program", "op": "not_empty"}, LOCALES, "integrated"
            ),
        ]
    }


@hookimpl
def register_program_types() -> list[ProgramType]:
    return [
        ProgramType(
            key=TYPE_KEY,
            name_en="Integrated mentoring",
            name_fr="Mentorat intégré",
            description_en="Mentoring within a host program (bridging program, internship): "
            "only its participants are eligible.",
            description_fr="Mentorat offert au sein d'un programme d'accueil (programme relais, stage) : "
            "seuls ses participants sont admissibles.",
            default_rules=default_rules(),
        )
    ]


@hookimpl
def register_rule_fields() -> list[RuleField]:
    return [RuleField("host_program", FieldKind.TEXT, _host_program)]


@hookimpl
def register_translations() -> Path:
    return LOCALES
