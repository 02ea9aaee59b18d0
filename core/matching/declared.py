"""What people choose to declare about themselves for matching, and nothing else.

Cultural background and work style count in a match only where a program gives them a
weight, and only from these answers: the platform never infers them from a name, a
country of training or a language. Both are optional; an unanswered question counts as
nothing shared, so declining to answer never costs more than not sharing.
"""

from collections.abc import Mapping

from core.errors import DomainError

# Broad world regions someone may say they have roots or lived experience in.
CULTURAL_REGIONS = (
    "north_america", "latin_america", "caribbean", "western_europe", "eastern_europe",
    "north_africa", "west_africa", "central_africa", "east_africa", "southern_africa",
    "middle_east", "central_asia", "south_asia", "east_asia", "southeast_asia", "oceania",
)  # fmt: skip
# A short questionnaire, each answered from 1 to 5 (its two ends are worded in the
# catalogs as ``declared.work_style.<item>.low`` / ``.high``).
WORK_STYLE_ITEMS = ("structure", "feedback", "contact", "focus")
WORK_STYLE_MIN, WORK_STYLE_MAX = 1, 5


def cultural_backgrounds(values: list[str], field: str = "culturalBackgrounds") -> list[str]:
    chosen = set(values)
    unknown = sorted(chosen - set(CULTURAL_REGIONS))
    if unknown:
        raise DomainError("UNKNOWN_CULTURAL_REGION", field=field, region=unknown[0])
    return [region for region in CULTURAL_REGIONS if region in chosen]


def work_style(answers: Mapping[str, int], field: str = "workStyle") -> dict[str, int]:
    unknown = sorted(set(answers) - set(WORK_STYLE_ITEMS))
    if unknown:
        raise DomainError("UNKNOWN_WORK_STYLE_ITEM", field=field, item=unknown[0])
    for item, answer in answers.items():
        if not WORK_STYLE_MIN <= answer <= WORK_STYLE_MAX:
            raise DomainError("OUT_OF_RANGE", field=f"{field}.{item}", min=WORK_STYLE_MIN, max=WORK_STYLE_MAX)
    return {item: answers[item] for item in WORK_STYLE_ITEMS if item in answers}
