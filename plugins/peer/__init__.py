"""The peer program type (the seed's London model).

Peer mentors are newcomers who found and kept a job; they mentor job-seeking
newcomers. A mentor is proposed in a peer program only when marked as a peer and
employed for at least the program's ``minimum_months_employed`` (6 by default).
"""

from datetime import date
from pathlib import Path
from typing import Any

from core import clock
from core.hookspecs import ProgramType, RuleResult, hookimpl
from core.models import ImmigrationStatus, MentorProfile, Program
from core.rules import worded

TYPE_KEY = "peer"
LOCALES = Path(__file__).parent / "locales"
DEFAULT_SETTINGS = {"minimum_months_employed": 6}


def default_rules() -> dict[str, Any]:
    admitted = [
        ImmigrationStatus.PERMANENT_RESIDENT.value,
        ImmigrationStatus.CONVENTION_REFUGEE.value,
        ImmigrationStatus.NATURALIZED_CITIZEN.value,
    ]
    leaf = {"field": "immigration_status", "op": "in", "value": admitted}
    return {"all": [worded("peer.job_seeker", leaf, LOCALES, "peer")]}


@hookimpl
def register_program_types() -> list[ProgramType]:
    return [
        ProgramType(
            key=TYPE_KEY,
            name_en="Peer mentoring",
            name_fr="Mentorat par les pairs",
            description_en="Newcomers who found and kept a job mentor job-seeking newcomers.",
            description_fr="Des personnes immigrantes en emploi encadrent d'autres personnes "
            "immigrantes en recherche d'emploi.",
            default_settings=DEFAULT_SETTINGS,
            default_rules=default_rules(),
        )
    ]


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


@hookimpl
def check_mentor_eligibility(program: Program, mentor: MentorProfile) -> list[RuleResult] | None:
    if program.program_type != TYPE_KEY:
        return None
    months = int(program.settings.get("minimum_months_employed", DEFAULT_SETTINGS["minimum_months_employed"]))
    employed = (
        mentor.employed_since is not None
        and months_between(mentor.employed_since, clock.now().date()) >= months
    )
    return [
        RuleResult(
            "peer.employed_long_enough",
            mentor.is_peer and employed,
            "rule.peer.employed_long_enough",
            {"months": months},
        )
    ]


@hookimpl
def register_translations() -> Path:
    return LOCALES
