"""The open program type: the Career Mentoring Program of the Ottawa seed.

Open to every eligible newcomer, whoever refers them and without membership in any
organization. Eligibility, as the seed lists it: an admitted immigrant or Convention
refugee, trained abroad, Canadian Language Benchmark 5 or higher, resident of the
program's province, having attended a job-search workshop or equivalent. These are the
default rules of a new open program; its staff can edit them. Mentors need two years
of local professional experience. About three months, one hour a week.

Written exactly like a third-party plugin: it only uses core's public modules.
"""

from pathlib import Path
from typing import Any

from core.hookspecs import ProgramType, RuleResult, hookimpl
from core.models import ImmigrationStatus, MentorProfile, Program
from core.rules import worded

TYPE_KEY = "open"
LOCALES = Path(__file__).parent / "locales"
DEFAULT_SETTINGS = {"minimum_mentor_years": 2}


def _worded(rule_id: str, leaf: dict[str, Any]) -> dict[str, Any]:
    return worded(rule_id, leaf, LOCALES, "open")


def default_rules() -> dict[str, Any]:
    return {
        "all": [
            _worded(
                "open.admitted_immigrant_or_refugee",
                {
                    "field": "immigration_status",
                    "op": "in",
                    "value": [
                        ImmigrationStatus.PERMANENT_RESIDENT.value,
                        ImmigrationStatus.CONVENTION_REFUGEE.value,
                        ImmigrationStatus.NATURALIZED_CITIZEN.value,
                    ],
                },
            ),
            _worded("open.trained_abroad", {"field": "trained_abroad", "op": "is", "value": True}),
            _worded("open.language_benchmark", {"field": "official_language_clb", "op": "gte", "value": 5}),
            _worded(
                "open.provincial_resident",
                {"field": "resides_in_program_province", "op": "is", "value": True},
            ),
            _worded("open.job_search_workshop", {"field": "job_search_workshop", "op": "is", "value": True}),
        ]
    }


@hookimpl(trylast=True)
def register_program_types() -> list[ProgramType]:
    return [
        ProgramType(
            key=TYPE_KEY,
            name_en="Open career mentoring",
            name_fr="Mentorat professionnel ouvert à tous",
            description_en="Open to every eligible skilled newcomer, referred by any agency "
            "or self-registered; about three months of weekly one-hour meetings.",
            description_fr="Ouvert à toute personne immigrante qualifiée admissible, "
            "dirigée par un organisme ou inscrite elle-même; environ trois mois de "
            "rencontres hebdomadaires d'une heure.",
            default_term_weeks=12,
            default_meeting_minutes_per_week=60,
            default_settings=DEFAULT_SETTINGS,
            default_rules=default_rules(),
        )
    ]


@hookimpl(trylast=True)
def register_translations() -> Path:
    return LOCALES


@hookimpl(trylast=True)
def check_mentor_eligibility(program: Program, mentor: MentorProfile) -> list[RuleResult] | None:
    if program.program_type != TYPE_KEY:
        return None
    minimum_years = int(
        program.settings.get("minimum_mentor_years", DEFAULT_SETTINGS["minimum_mentor_years"])
    )
    return [
        RuleResult(
            "open.mentor_local_experience",
            mentor.years_local_experience >= minimum_years,
            "rule.open.mentor_local_experience",
            {"years": minimum_years},
        )
    ]
