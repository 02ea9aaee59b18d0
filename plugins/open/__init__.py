"""The open program type: the Career Mentoring Program of the Ottawa seed.

Open to every eligible newcomer, whoever refers them and without membership in any
organization. Eligibility, as the seed lists it: an admitted immigrant or Convention
refugee, trained abroad, Canadian Language Benchmark 5 or higher, resident of the
program's province, having attended a job-search workshop or equivalent. Mentors need
two years of local professional experience. About three months, one hour a week.

Written exactly like a third-party plugin: it only uses ``core.hookspecs``.
"""

from pathlib import Path

from core.hookspecs import ProgramType, RuleResult, hookimpl
from core.models import ImmigrationStatus, MenteeProfile, MentorProfile, Program

TYPE_KEY = "open"
ADMITTED_STATUSES = {
    ImmigrationStatus.PERMANENT_RESIDENT,
    ImmigrationStatus.CONVENTION_REFUGEE,
    ImmigrationStatus.NATURALIZED_CITIZEN,
}
DEFAULT_SETTINGS = {"minimum_clb": 5, "minimum_mentor_years": 2}


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
        )
    ]


@hookimpl(trylast=True)
def register_translations() -> Path:
    return Path(__file__).parent / "locales"


def _setting(program: Program, name: str) -> int:
    return int(program.settings.get(name, DEFAULT_SETTINGS[name]))


@hookimpl(trylast=True)
def check_eligibility(program: Program, mentee: MenteeProfile) -> list[RuleResult] | None:
    if program.program_type != TYPE_KEY:
        return None
    minimum_clb = _setting(program, "minimum_clb")
    best_official_clb = max(
        (skill["clb"] for skill in mentee.languages if skill.get("language") in ("en", "fr")),
        default=0,
    )
    return [
        RuleResult(
            "open.admitted_immigrant_or_refugee",
            mentee.immigration_status in ADMITTED_STATUSES,
            "rule.open.admitted_immigrant_or_refugee",
        ),
        RuleResult(
            "open.trained_abroad",
            bool(mentee.country_of_training) and mentee.country_of_training.upper() != "CA",
            "rule.open.trained_abroad",
        ),
        RuleResult(
            "open.language_benchmark",
            best_official_clb >= minimum_clb,
            "rule.open.language_benchmark",
            {"minimum": minimum_clb},
        ),
        RuleResult(
            "open.provincial_resident",
            mentee.province == program.province,
            "rule.open.provincial_resident",
            {"province": program.province},
        ),
        RuleResult("open.job_search_workshop", mentee.job_search_workshop, "rule.open.job_search_workshop"),
    ]


@hookimpl(trylast=True)
def check_mentor_eligibility(program: Program, mentor: MentorProfile) -> list[RuleResult] | None:
    if program.program_type != TYPE_KEY:
        return None
    minimum_years = _setting(program, "minimum_mentor_years")
    return [
        RuleResult(
            "open.mentor_local_experience",
            mentor.years_local_experience >= minimum_years,
            "rule.open.mentor_local_experience",
            {"years": minimum_years},
        )
    ]
