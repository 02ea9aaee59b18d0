"""How fast the matching engine is on synthetic data the size of a large region.

Run from the repository's root::

    .venv/bin/python -m benchmarks.matching            # the issue's sizes (about a minute)
    .venv/bin/python -m benchmarks.matching --quick    # tiny sizes: a smoke test, seconds
    .venv/bin/python -m benchmarks.matching --mentees 5000 --mentors 2500 --pool 20000 --queries 50

Two scenarios, each in a fresh Python process so that its peak memory is its own:

- **cohort**: a waiting list of ``--mentees`` newcomers (20,000) assigned to ``--mentors``
  mentors (10,000, capacity 1–3) with ``core.matching.cohort.assign`` in the
  ``most_matched`` mode and a minimum score of 0.3. The time of ``assign`` is the
  figure the target is about: candidate generation, scoring and the optimal min-cost
  flow, from encoded profiles. It excludes the greedy baseline (timed on its own, on
  the same edges, for the comparison), reading profiles from the
  database and encoding them (shown on their own lines: the service keeps the encoded
  pool between requests, the waiting list is encoded on each run), and writing the
  drafts with their explanations. The optimal assignment and the greedy baseline (best
  pair first) run on the same candidate edges, so their matched counts and total scores
  compare as ratios; so do their times. The ``best_total`` mode runs once more for its
  figures.
- **top-k**: a pool of ``--pool`` mentors (100,000) encoded once (profiles per second),
  then ``--queries`` newcomers each get their 10 best mentors with their explanations:
  ``score_block`` against the whole pool plus ``rank(limit=10)``, timed per query
  (median, 95th percentile, maximum; one warm-up query is not counted). Next to it, in
  the same run and on the same queries, a floor any full-pool scorer pays (the goal's
  sparse product with the pool's text matrix, one multiply-add into a float32 total and
  the selection of 10): their ratio says how far above the bare arithmetic the engine
  is, and holds on a noisy machine where absolute times do not.

Memory is the peak resident set size of the scenario's process
(``getrusage(RUSAGE_SELF).ru_maxrss``): it includes the interpreter, the libraries
(shown as the baseline measured before any data exists) and the synthetic profiles
themselves. Sizes are in MB of 10^6 bytes.

The profiles are synthetic but shaped like the platform's (see ``synthetic_mentors`` and
``synthetic_mentees``) and deterministic for a ``--seed``: the same seed gives the same
data, hence the same scores and counts, on any machine. Absolute times depend on the
machine and its load (the targets are for a 2-core machine); the summary compares them
with the targets as measured, not as hoped.
"""

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from core import taxonomy
from core.matching.assignment import greedy, optimal
from core.matching.cohort import assign
from core.matching.criteria import DEFAULT_WEIGHTS
from core.matching.declared import CULTURAL_REGIONS, WORK_STYLE_ITEMS
from core.matching.engine import Constraints, Pool, Scoring, rank, score_block
from core.matching.features import SLOTS
from core.matching.places import PLACES_CSV, find_place
from core.matching.text import GLOSSARY_PATH
from core.models import CohortMode, Language

# --- Targets (the issue's, on a 2-core machine) ---------------------------------------------

COHORT_SECONDS = 3.0
COHORT_PEAK_MB = 2_000.0
TOPK_MEDIAN_MS = 50.0
MINIMUM_SCORE = 0.3
TOP = 10

DEFAULTS = {"mentees": 20_000, "mentors": 10_000, "pool": 100_000, "queries": 200}
QUICK = {"mentees": 60, "mentors": 30, "pool": 200, "queries": 5}
RESULT_PREFIX = "BENCHMARK-RESULT "

# Independent random streams per population, so that the mentees drawn do not depend on
# how many mentors were drawn before them (and the other way round).
_SHARED, _COHORT_MENTORS, _COHORT_MENTEES, _POOL_MENTORS, _QUERIES = range(5)


# --- Synthetic profiles ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyntheticMentor:
    """The attributes of ``MentorProfile`` the engine reads, without SQLModel."""

    id: uuid.UUID
    user_id: uuid.UUID
    occupation_noc: str
    industry_naics: str | None
    languages: list[str]
    city: str
    province: str
    open_to_virtual: bool
    capacity: int
    availability: list[str]
    job_title: str
    bio: str
    cultural_backgrounds: list[str]
    work_style: dict[str, int]


@dataclass(frozen=True, slots=True)
class SyntheticMentee:
    """The attributes of ``MenteeProfile`` the engine reads, without SQLModel."""

    id: uuid.UUID
    user_id: uuid.UUID
    target_noc: str
    industry_naics: str | None
    languages: list[dict[str, Any]]
    preferred_language: Language
    city: str
    province: str
    open_to_virtual: bool
    availability: list[str]
    career_goal: str
    cultural_backgrounds: list[str]
    work_style: dict[str, int]


# NOC major groups in the order newcomers' target occupations favour them (professional
# occupations in sciences, business and health first), for a Zipf-like skew.
_MAJOR_GROUPS_BY_DEMAND = ("21", "11", "31", "22", "12", "13", "41", "10", "20", "72", "32", "33",
                           "14", "42", "52", "73", "30")  # fmt: skip
# Industries (NAICS) people of a NOC broad category tend to work in.
_NAICS_BY_BROAD_CATEGORY = {
    "1": ("52", "5221", "5241", "5412", "5416", "91", "9111", "44"),
    "2": ("54", "5415", "5413", "51", "5132", "5182", "3341", "3342", "2211", "21", "33"),
    "3": ("62", "6211", "6221", "6241"),
    "4": ("61", "6112", "6113", "91", "9112", "6241", "54"),
    "5": ("71", "51", "5132"),
    "7": ("23", "31", "32", "48", "22", "81"),
}
# Regions where most newcomers settle, with their share; the others share the rest.
_BIG_REGIONS = {"Toronto": 0.30, "Montréal": 0.19, "Vancouver": 0.12, "Ottawa–Gatineau": 0.07,
                "Calgary": 0.07, "Edmonton": 0.05}  # fmt: skip
_OTHER_REGIONS_SHARE = 0.20
# Chance of speaking French, by where one lives.
_FRENCH_BY_PROVINCE = {"QC": 0.80, "NB": 0.40}
_FRENCH_IN_OTTAWA_GATINEAU = 0.35
_FRENCH_ELSEWHERE = 0.07
# Mother tongues other than English and French, with the world region people declaring a
# cultural background from them most often name.
_MOTHER_TONGUES = {"hi": "south_asia", "pa": "south_asia", "ur": "south_asia", "ar": "middle_east",
                   "zh": "east_asia", "es": "latin_america", "pt": "latin_america", "tl": "southeast_asia",
                   "uk": "eastern_europe", "fa": "middle_east", "ko": "east_asia", "vi": "southeast_asia",
                   "ru": "eastern_europe", "yo": "west_africa", "sw": "east_africa", "ht": "caribbean",
                   "so": "east_africa", "ta": "south_asia"}  # fmt: skip
_TONGUE_WEIGHTS = np.array([8, 6, 4, 8, 9, 6, 3, 6, 3, 4, 2, 2, 2, 2, 1, 2, 1, 2], dtype=np.float64)

_MENTOR_BIOS = {
    "en": (
        "{years} years in {title}, mostly {t1} and {t2}. Happy to help newcomers with {t3}.",
        "I have worked in {title} in {city} since {year}; my day-to-day is {t1}, {t2} and some {t3}.",
        "Former newcomer myself. Background in {title}, with a focus on {t1} and {t2}.",
        "Team lead in {title}. I can help with {t1}, {t2} and the Canadian job search.",
        "Experienced in {t1} and {t2}; I review résumés and run mock interviews for people in {title}.",
        "{title}: {years} years, including {t1} projects. I enjoy mentoring on {t2}.",
    ),
    "fr": (
        "{years} ans dans le domaine : {title}. Surtout {t1} et {t2}. Heureuse d'aider en {t3}.",
        "Je travaille à {city} depuis {year} ({title}) ; au quotidien, {t1}, {t2} et un peu de {t3}.",
        "Ancienne nouvelle arrivante. Parcours : {title}, surtout {t1} et {t2}.",
        "Chef d'équipe ({title}). Je peux aider pour {t1}, {t2} et la recherche d'emploi au Canada.",
        "Expérience en {t1} et en {t2} ; je relis des CV et fais des simulations d'entrevue ({title}).",
        "{title} : {years} ans, dont des projets de {t1}. J'aime accompagner en {t2}.",
    ),
}
_MENTEE_GOALS = {
    "en": (
        "Find a job in {title} and get Canadian experience in {t1}.",
        "Return to my career in {title}; I have {years} years of {t1} and {t2} back home.",
        "Get my credentials recognized and work in {title}, ideally in {t1}.",
        "Move from a survival job to {title}, with {t1} and {t2}.",
        "Learn how hiring works for {title} in Canada: résumé, interviews, {t1}.",
        "Network with people in {title} and find a position using {t1} and {t2}.",
    ),
    "fr": (
        "Trouver un emploi en {title} et obtenir une expérience canadienne en {t1}.",
        "Reprendre ma carrière : {title} ; j'ai {years} ans en {t1} et {t2} dans mon pays.",
        "Faire reconnaître mes diplômes et travailler en {title}, idéalement en {t1}.",
        "Passer d'un emploi de survie à un poste en {title}, avec {t1} et {t2}.",
        "Comprendre l'embauche au Canada pour {title} : CV, entrevues, {t1}.",
        "Élargir mon réseau en {title} et trouver un poste en {t1} et {t2}.",
    ),
}
_TITLE_PREFIXES_EN = ("", "", "Senior ", "Lead ")
_TITLE_SUFFIXES_FR = ("", "", " (poste principal)", " (chef d'équipe)")


@dataclass(frozen=True)
class _World:
    """The built-in tables the synthetic profiles are drawn from, and the seed's skews."""

    noc_codes: tuple[str, ...]  # five-digit unit groups
    noc_titles: dict[str, tuple[str, str]]  # code → (English, French)
    mentee_noc_weights: np.ndarray
    mentor_noc_weights: np.ndarray
    naics_codes: tuple[str, ...]
    places: tuple[tuple[str, str, str], ...]  # name, province, region
    place_weights: np.ndarray
    terms: tuple[tuple[str, str], ...]  # glossary concept labels (English, French)
    term_weights: np.ndarray


def _zipf(count: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, count + 1) ** exponent
    return weights / weights.sum()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def _world(seed: int) -> _World:
    """Occupations, industries, places and glossary terms, with the popularity skews the
    seed draws (which unit groups and terms are common): shared by mentors and
    newcomers, so that both sides crowd into the same major groups."""
    rng = np.random.default_rng([seed, _SHARED])
    # The built-in tables, not an imported one, so that a seed gives the same data everywhere.
    noc = [row for row in _read_csv(taxonomy.DATA_DIR / taxonomy.FILES["noc"]) if len(row["code"]) == 5]
    codes = tuple(row["code"] for row in noc)
    group_weight = dict(zip(_MAJOR_GROUPS_BY_DEMAND, _zipf(len(_MAJOR_GROUPS_BY_DEMAND), 1.0), strict=True))
    mentee_weights = np.zeros(len(codes))
    for group in sorted({code[:2] for code in codes}):
        members = [index for index, code in enumerate(codes) if code[:2] == group]
        within = _zipf(len(members), 1.2)[rng.permutation(len(members))]
        mentee_weights[members] = group_weight.get(group, group_weight[_MAJOR_GROUPS_BY_DEMAND[-1]]) * within
    mentee_weights /= mentee_weights.sum()
    # Mentors crowd into the same groups, with a broader spread of occupations.
    mentor_weights = 0.7 * mentee_weights + 0.3 / len(codes)

    places = tuple((row["name"], row["province"], row["region"]) for row in _read_csv(PLACES_CSV))
    others = {region for _, _, region in places} - set(_BIG_REGIONS)
    region_share = {region: _OTHER_REGIONS_SHARE / len(others) for region in others} | _BIG_REGIONS
    # Within a region, its core cities (those naming it) draw four times as many people.
    affinity = np.array([4.0 if name in region.split("–") else 1.0 for name, _, region in places])
    region_affinity = Counter[str]()
    for (_, _, region), weight in zip(places, affinity, strict=True):
        region_affinity[region] += weight
    place_weights = np.array(
        [region_share[region] * weight / region_affinity[region]
         for (_, _, region), weight in zip(places, affinity, strict=True)]
    )  # fmt: skip
    place_weights /= place_weights.sum()

    glossary = _read_csv(GLOSSARY_PATH)
    terms = tuple((row["en"].split("|")[0], row["fr"].split("|")[0]) for row in glossary)
    term_weights = _zipf(len(terms), 0.8)[rng.permutation(len(terms))]
    return _World(
        noc_codes=codes,
        noc_titles={row["code"]: (row["title_en"], row["title_fr"]) for row in noc},
        mentee_noc_weights=mentee_weights,
        mentor_noc_weights=mentor_weights,
        naics_codes=tuple(row["code"] for row in _read_csv(taxonomy.DATA_DIR / taxonomy.FILES["naics"])),
        places=places,
        place_weights=place_weights,
        terms=terms,
        term_weights=term_weights / term_weights.sum(),
    )


def _uuids(rng: np.random.Generator, count: int) -> list[uuid.UUID]:
    halves = rng.integers(0, 2**64, size=(count, 2), dtype=np.uint64).tolist()
    return [uuid.UUID(int=(high << 64) | low, version=4) for high, low in halves]


def _lower_first(title: str) -> str:
    return title[:1].lower() + title[1:]


@dataclass(frozen=True)
class _Common:
    """What both sides draw the same way, one entry per person."""

    ids: list[uuid.UUID]
    user_ids: list[uuid.UUID]
    noc: list[str]
    naics: list[str | None]
    place: list[tuple[str, str, str]]
    city: list[str]
    french: np.ndarray  # bool
    tongue: list[str | None]
    virtual: list[bool]
    availability: list[list[str]]
    cultural: list[list[str]]
    work_style: list[dict[str, int]]
    template: list[int]
    terms: np.ndarray  # (n, 3) term indices
    years: list[int]


def _common(rng: np.random.Generator, world: _World, count: int, *, mentors: bool) -> _Common:
    ids, user_ids = _uuids(rng, count), _uuids(rng, count)
    weights = world.mentor_noc_weights if mentors else world.mentee_noc_weights
    noc = [
        world.noc_codes[index] for index in rng.choice(len(world.noc_codes), size=count, p=weights).tolist()
    ]
    # About 60% name an industry, most often one their occupation's category works in.
    has_naics, typical = rng.random(count) < 0.6, rng.random(count) < 0.7
    any_naics = rng.integers(0, len(world.naics_codes), count).tolist()
    pick = rng.random(count).tolist()
    naics: list[str | None] = []
    for row, code in enumerate(noc):
        usual = _NAICS_BY_BROAD_CATEGORY.get(code[0])
        if not has_naics[row]:
            naics.append(None)
        elif usual and typical[row]:
            naics.append(usual[int(pick[row] * len(usual))])
        else:
            naics.append(world.naics_codes[any_naics[row]])

    place = [
        world.places[index] for index in rng.choice(len(world.places), size=count, p=world.place_weights)
    ]
    # People type their city with or without accents, sometimes in lower case.
    spelling = rng.random(count).tolist()
    city = [
        taxonomy._fold(name) if chance < 0.1 else name.lower() if chance < 0.15 else name
        for (name, _, _), chance in zip(place, spelling, strict=True)
    ]
    french_chance = np.array(
        [_FRENCH_IN_OTTAWA_GATINEAU if region == "Ottawa–Gatineau"
         else _FRENCH_BY_PROVINCE.get(province, _FRENCH_ELSEWHERE)
         for _, province, region in place]
    )  # fmt: skip
    french = rng.random(count) < french_chance
    tongues = list(_MOTHER_TONGUES)
    tongue_index = rng.choice(len(tongues), size=count, p=_TONGUE_WEIGHTS / _TONGUE_WEIGHTS.sum()).tolist()
    has_tongue = rng.random(count) < (0.4 if mentors else 0.85)
    tongue = [tongues[index] if has else None for index, has in zip(tongue_index, has_tongue, strict=True)]
    virtual = (rng.random(count) < 0.85).tolist()

    # 2 to 5 weekly slots, evenings and weekends more often (weighted sampling without
    # replacement: the largest keys u ** (1 / weight)).
    slot_weights = np.array([3.0 if slot.endswith("evening") else 2.0 if slot[:3] in ("sat", "sun") else 1.0
                             for slot in SLOTS])  # fmt: skip
    keys = rng.random((count, len(SLOTS))) ** (1.0 / slot_weights)
    order = np.argsort(-keys, axis=1)
    slot_counts = rng.integers(2, 6, count)
    availability = [
        [SLOTS[index] for index in sorted(order[row, : slot_counts[row]].tolist())] for row in range(count)
    ]

    # About half declare a cultural background (that of their mother tongue when they have
    # one), a quarter of those a second one; about 40% answer the work-style questions.
    declares, second = rng.random(count) < 0.5, rng.random(count) < 0.25
    region_draws = rng.integers(0, len(CULTURAL_REGIONS), (count, 2)).tolist()
    cultural: list[list[str]] = []
    for row in range(count):
        if not declares[row]:
            cultural.append([])
            continue
        mother_tongue = tongue[row]
        first = _MOTHER_TONGUES[mother_tongue] if mother_tongue else CULTURAL_REGIONS[region_draws[row][0]]
        chosen = {first, CULTURAL_REGIONS[region_draws[row][1]]} if second[row] else {first}
        cultural.append([region for region in CULTURAL_REGIONS if region in chosen])
    answers = rng.random(count) < 0.4
    values = rng.integers(1, 6, (count, len(WORK_STYLE_ITEMS))).tolist()
    items = (rng.random((count, len(WORK_STYLE_ITEMS))) < 0.9).tolist()
    work_style = [
        {
            item: value
            for item, value, given in zip(WORK_STYLE_ITEMS, values[row], items[row], strict=True)
            if given
        }
        if answers[row]
        else {}
        for row in range(count)
    ]
    return _Common(
        ids=ids,
        user_ids=user_ids,
        noc=noc,
        naics=naics,
        place=place,
        city=city,
        french=french,
        tongue=tongue,
        virtual=virtual,
        availability=availability,
        cultural=cultural,
        work_style=work_style,
        template=rng.integers(0, len(_MENTOR_BIOS["en"]), count).tolist(),
        terms=rng.choice(len(world.terms), size=(count, 3), p=world.term_weights),
        years=rng.integers(2, 26, count).tolist(),
    )


def _fill(template: str, world: _World, common: _Common, row: int, language: str, **extra: Any) -> str:
    side = 0 if language == "en" else 1
    t1, t2, t3 = (world.terms[index][side] for index in common.terms[row].tolist())
    title = _lower_first(world.noc_titles[common.noc[row]][side])
    text = template.format(title=title, t1=t1, t2=t2, t3=t3, years=common.years[row], **extra)
    return text[:1].upper() + text[1:]


def synthetic_mentors(count: int, seed: int, *, stream: int = _COHORT_MENTORS) -> list[SyntheticMentor]:
    """``count`` mentors, sorted by id as the service keeps its pool."""
    world = _world(seed)
    rng = np.random.default_rng([seed, stream])
    common = _common(rng, world, count, mentors=True)
    english = (~common.french) | (rng.random(count) < 0.8)
    # French speakers write in French most of the time in Quebec, less often elsewhere.
    writes_french = common.french & (
        rng.random(count) < np.array([0.8 if p == "QC" else 0.3 for _, p, _ in common.place])
    )
    capacity = rng.choice([1, 2, 3], size=count, p=[0.5, 0.3, 0.2]).tolist()
    has_bio = (rng.random(count) < 0.95).tolist()
    title_variant = rng.integers(0, len(_TITLE_PREFIXES_EN), count).tolist()
    since = rng.integers(1995, 2023, count).tolist()
    mentors = []
    for row in range(count):
        language = "fr" if writes_french[row] else "en"
        english_title, french_title = world.noc_titles[common.noc[row]]
        job_title = (
            french_title + _TITLE_SUFFIXES_FR[title_variant[row]]
            if language == "fr"
            else _TITLE_PREFIXES_EN[title_variant[row]] + english_title
        )
        template = _MENTOR_BIOS[language][common.template[row]]
        bio = _fill(template, world, common, row, language, city=common.place[row][0], year=since[row])
        spoken = [code for code, speaks in (("en", english[row]), ("fr", common.french[row])) if speaks]
        tongue = common.tongue[row]
        mentors.append(
            SyntheticMentor(
                id=common.ids[row],
                user_id=common.user_ids[row],
                occupation_noc=common.noc[row],
                industry_naics=common.naics[row],
                languages=[*spoken, tongue] if tongue else spoken,
                city=common.city[row],
                province=common.place[row][1],
                open_to_virtual=common.virtual[row],
                capacity=capacity[row],
                availability=common.availability[row],
                job_title=job_title,
                bio=bio if has_bio[row] else "",
                cultural_backgrounds=common.cultural[row],
                work_style=common.work_style[row],
            )
        )
    return sorted(mentors, key=lambda mentor: mentor.id)


def synthetic_mentees(count: int, seed: int, *, stream: int = _COHORT_MENTEES) -> list[SyntheticMentee]:
    """``count`` newcomers, in the order they were drawn."""
    world = _world(seed)
    rng = np.random.default_rng([seed, stream])
    common = _common(rng, world, count, mentors=False)
    # French service for most French speakers in Quebec, a third of them elsewhere; whoever
    # is served in English speaks it, and most of the others do too.
    french_service = common.french & (
        rng.random(count) < np.array([0.9 if p == "QC" else 0.35 for _, p, _ in common.place])
    )
    english = (~french_service) | (rng.random(count) < 0.6)
    english_clb = np.clip(np.rint(rng.normal(7.0, 1.5, count)), 4, 10).astype(int).tolist()
    french_clb = np.clip(np.rint(rng.normal(7.5, 1.5, count)), 4, 10).astype(int).tolist()
    writes_french = french_service & (rng.random(count) < 0.9)
    has_goal = (rng.random(count) < 0.95).tolist()
    mentees = []
    for row in range(count):
        language = "fr" if writes_french[row] else "en"
        goal = _fill(_MENTEE_GOALS[language][common.template[row]], world, common, row, language)
        spoken: list[dict[str, Any]] = []
        if english[row]:
            spoken.append({"language": "en", "clb": english_clb[row]})
        if common.french[row]:
            spoken.append({"language": "fr", "clb": french_clb[row]})
        tongue = common.tongue[row]
        if tongue:
            spoken.append({"language": tongue, "clb": 12})
        mentees.append(
            SyntheticMentee(
                id=common.ids[row],
                user_id=common.user_ids[row],
                target_noc=common.noc[row],
                industry_naics=common.naics[row],
                languages=spoken,
                preferred_language=Language.FR if french_service[row] else Language.EN,
                city=common.city[row],
                province=common.place[row][1],
                open_to_virtual=common.virtual[row],
                availability=common.availability[row],
                career_goal=goal if has_goal[row] else "",
                cultural_backgrounds=common.cultural[row],
                work_style=common.work_style[row],
            )
        )
    return mentees


def describe(mentors: Sequence[SyntheticMentor], mentees: Sequence[SyntheticMentee]) -> dict[str, float]:
    """Shares of the synthetic data, to check it looks like the platform's."""

    def share(values: Sequence[bool]) -> float:
        return round(sum(values) / max(len(values), 1), 3)

    def region(person: SyntheticMentor | SyntheticMentee) -> str | None:
        place = find_place(person.city, person.province)
        return place.region if place else None

    people: list[SyntheticMentor | SyntheticMentee] = [*mentors, *mentees]
    return {
        "mentors_french": share(["fr" in mentor.languages for mentor in mentors]),
        "mentees_french_service": share([mentee.preferred_language == Language.FR for mentee in mentees]),
        "mentees_french": share(
            [any(entry["language"] == "fr" for entry in mentee.languages) for mentee in mentees]
        ),
        "mentees_mother_tongue": share(
            [any(entry["language"] not in ("en", "fr") for entry in mentee.languages) for mentee in mentees]
        ),
        "naics_given": share([person.industry_naics is not None for person in people]),
        "in_big_regions": share([region(person) in _BIG_REGIONS for person in people]),
        "open_to_virtual": share([person.open_to_virtual for person in people]),
        "cultural_declared": share([bool(person.cultural_backgrounds) for person in people]),
        "work_style_answered": share([bool(person.work_style) for person in people]),
    }


# --- Measuring ------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6  # bytes on macOS, KiB on Linux


def _current_rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return _peak_rss_mb()


def _scoring() -> Scoring:
    positive = {key: weight for key, weight in DEFAULT_WEIGHTS.items() if weight > 0}
    total = sum(positive.values())
    return Scoring(weights={key: weight / total for key, weight in positive.items()})


def cohort_scenario(mentees: int, mentors: int, seed: int) -> dict[str, Any]:
    """The waiting list assigned in one go; figures as a JSON-ready dict."""
    baseline_mb = _current_rss_mb()
    started = time.perf_counter()
    mentor_profiles = synthetic_mentors(mentors, seed)
    mentee_profiles = synthetic_mentees(mentees, seed)
    generate_s = time.perf_counter() - started
    inputs_mb = _current_rss_mb()

    started = time.perf_counter()
    pool = Pool(mentor_profiles)
    encode_pool_s = time.perf_counter() - started
    started = time.perf_counter()
    side = pool.encode_mentees(mentee_profiles)
    encode_mentees_s = time.perf_counter() - started

    scoring = _scoring()
    remaining = pool.side.capacity.copy()
    constraints = Constraints(remaining=remaining, require_service_language=True)
    started = time.perf_counter()
    result = assign(
        pool, side, scoring, constraints, minimum_score=MINIMUM_SCORE, mode=CohortMode.MOST_MATCHED
    )
    assign_s = time.perf_counter() - started

    # The two halves of the optimization, alone on the same edges.
    capacity = remaining.clip(0)
    started = time.perf_counter()
    greedy_chosen = greedy(result.edges, capacity, len(side))
    greedy_s = time.perf_counter() - started
    started = time.perf_counter()
    optimal_chosen = optimal(result.edges, capacity, len(side), CohortMode.MOST_MATCHED)
    optimal_s = time.perf_counter() - started

    started = time.perf_counter()
    best_total = assign(
        pool, side, scoring, constraints, minimum_score=MINIMUM_SCORE, mode=CohortMode.BEST_TOTAL
    )
    best_total_s = time.perf_counter() - started

    return {
        "scenario": "cohort",
        "seed": seed,
        "mentees": len(side),
        "mentors": len(pool),
        "capacity": int(capacity.sum()),
        "edges": len(result.edges),
        "data": describe(mentor_profiles, mentee_profiles),
        "optimal_matched": result.matched,
        "optimal_total": result.total_score,
        "greedy_matched": result.greedy_matched,
        "greedy_total": result.greedy_total_score,
        "alone_optimal_matched": int(optimal_chosen.sum()),
        "alone_optimal_total": round(result.edges.total(optimal_chosen), 4),
        "alone_greedy_matched": int(greedy_chosen.sum()),
        "alone_greedy_total": round(result.edges.total(greedy_chosen), 4),
        "best_total_matched": best_total.matched,
        "best_total_total": best_total.total_score,
        "best_total_greedy_matched": best_total.greedy_matched,
        "best_total_greedy_total": best_total.greedy_total_score,
        "unmatched": dict(sorted(Counter(reason.value for reason in result.unmatched.values()).items())),
        "generate_s": generate_s,
        "encode_pool_s": encode_pool_s,
        "encode_mentees_s": encode_mentees_s,
        "assign_s": assign_s,
        "optimal_s": optimal_s,
        "greedy_s": greedy_s,
        "best_total_s": best_total_s,
        "baseline_mb": baseline_mb,
        "inputs_mb": inputs_mb,
        "peak_mb": _peak_rss_mb(),
    }


def topk_scenario(pool_size: int, queries: int, seed: int) -> dict[str, Any]:
    """Top-10 suggestions for one newcomer at a time; figures as a JSON-ready dict."""
    baseline_mb = _current_rss_mb()
    started = time.perf_counter()
    mentor_profiles = synthetic_mentors(pool_size, seed, stream=_POOL_MENTORS)
    newcomers = synthetic_mentees(queries, seed, stream=_QUERIES)
    generate_s = time.perf_counter() - started
    inputs_mb = _current_rss_mb()

    started = time.perf_counter()
    pool = Pool(mentor_profiles)
    encode_pool_s = time.perf_counter() - started
    side = pool.encode_mentees(newcomers)

    scoring = _scoring()
    # A pool in use: some places are taken, some mentors are full.
    rng = np.random.default_rng([seed, _POOL_MENTORS, 1])
    taken = rng.binomial(pool.side.capacity, 0.35).astype(np.int32)
    remaining = pool.side.capacity - taken
    constraints = Constraints(remaining=remaining, require_service_language=True)
    everyone = np.arange(len(pool))
    goal_weight = np.float32(scoring.weights.get("goal", 0.15))
    prior = (np.float32(0.05) * remaining / np.maximum(pool.side.capacity, 1)).astype(np.float32)

    def suggestions(row: int) -> tuple[float, float, float, int]:
        started = time.perf_counter()
        scored = score_block(pool, side, np.array([row]), everyone, scoring, constraints)
        scored_at = time.perf_counter()
        ranking = rank(scored, scoring, limit=TOP)
        ranked_at = time.perf_counter()
        # What the service asks for: the 10 best and the 10 best ruled out, with reasons.
        rank(scored, scoring, limit=TOP, excluded_limit=TOP)
        service_at = time.perf_counter()
        return scored_at - started, ranked_at - scored_at, service_at - ranked_at, len(ranking.candidates)

    def floor(row: int) -> float:
        # The least any scorer of the whole pool pays per newcomer, whatever its criteria:
        # the goal's sparse product with the pool's text matrix (the one criterion that
        # cannot be a table look-up), made dense, one float32 multiply-add into a total,
        # and the selection of the 10 best. Every engine that scores the pool does at
        # least this; the ratio says how much more the real one does.
        started = time.perf_counter()
        similarity = (pool.side.text @ side.text[row].T).toarray().ravel()
        total = goal_weight * similarity + prior
        np.argpartition(-total, min(TOP, len(total) - 1))[:TOP]
        return time.perf_counter() - started

    suggestions(0)  # warm-up: first calls fill caches (glossary look-ups, numpy dispatch)
    floor(0)
    score_times, rank_times, service_rank_times, floor_times, encode_times, shown = [], [], [], [], [], []
    for row in range(queries):
        started = time.perf_counter()
        pool.encode_mentees([newcomers[row]])
        encode_times.append(time.perf_counter() - started)
        score_s, rank_s, service_s, count = suggestions(row)
        score_times.append(score_s)
        rank_times.append(rank_s)
        service_rank_times.append(service_s)
        shown.append(count)
        floor_times.append(floor(row))
    topk = [score + ranked for score, ranked in zip(score_times, rank_times, strict=True)]
    service = [score + ranked for score, ranked in zip(score_times, service_rank_times, strict=True)]

    def milliseconds(values: Sequence[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "median": 1e3 * statistics.median(ordered),
            "p95": 1e3 * ordered[min(len(ordered) - 1, int(np.ceil(0.95 * len(ordered))) - 1)],
            "max": 1e3 * ordered[-1],
        }

    return {
        "scenario": "topk",
        "seed": seed,
        "pool": len(pool),
        "queries": queries,
        "data": describe(mentor_profiles, newcomers),
        "generate_s": generate_s,
        "encode_pool_s": encode_pool_s,
        "profiles_per_s": len(pool) / encode_pool_s,
        "topk_ms": milliseconds(topk),
        "score_ms": milliseconds(score_times),
        "rank_ms": milliseconds(rank_times),
        "service_ms": milliseconds(service),
        "encode_one_ms": milliseconds(encode_times),
        "floor_ms": milliseconds(floor_times),
        "ratio_median": statistics.median(a / b for a, b in zip(topk, floor_times, strict=True)),
        "shown_min": min(shown),
        "baseline_mb": baseline_mb,
        "inputs_mb": inputs_mb,
        "peak_mb": _peak_rss_mb(),
    }


# --- Running and reporting ------------------------------------------------------------------


def _run_in_subprocess(arguments: list[str]) -> dict[str, Any]:
    """A scenario in a fresh interpreter: its peak memory is then its own."""
    command = [sys.executable, "-m", "benchmarks.matching", *arguments]
    root = Path(__file__).resolve().parents[1]
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    finished = subprocess.run(
        command, cwd=root, env=environment, stdout=subprocess.PIPE, text=True, check=False
    )
    for line in reversed(finished.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return result
    raise RuntimeError(f"scenario {' '.join(arguments)} failed (exit status {finished.returncode})")


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.3f}" if denominator else "—"


def _verdict(met: bool) -> str:
    return "[green]met[/green]" if met else "[bold red]NOT met[/bold red]"


def _memory_row(table: Table, result: dict[str, Any]) -> None:
    table.add_row(
        "memory (RSS)",
        f"baseline {result['baseline_mb']:,.0f} MB (interpreter + libraries), "
        f"{result['inputs_mb']:,.0f} MB with the synthetic profiles, peak {result['peak_mb']:,.0f} MB",
    )


def report_cohort(console: Console, result: dict[str, Any]) -> None:
    table = Table(
        title=f"Cohort: {result['mentees']:,} newcomers × {result['mentors']:,} mentors", show_header=False
    )
    table.add_column("figure", style="bold")
    table.add_column("value")
    table.add_row(
        "mentees / mentors / total capacity",
        f"{result['mentees']:,} / {result['mentors']:,} / {result['capacity']:,} places",
    )
    table.add_row("candidate edges", f"{result['edges']:,} (minimum score {MINIMUM_SCORE})")
    table.add_row("synthetic data", ", ".join(f"{key} {value:.0%}" for key, value in result["data"].items()))
    table.add_row("generate synthetic data", f"{result['generate_s']:.2f} s (not part of any figure below)")
    table.add_row("encode the pool (kept between runs)", f"{result['encode_pool_s']:.2f} s")
    table.add_row("encode the waiting list", f"{result['encode_mentees_s']:.2f} s")
    table.add_row(
        "assign() end to end (most matched)",
        f"{result['assign_s']:.2f} s = candidates + scoring "
        f"{result['assign_s'] - result['optimal_s']:.2f} s (by difference) "
        f"+ optimal {result['optimal_s']:.2f} s",
    )
    table.add_row("greedy baseline on the same edges", f"{result['greedy_s']:.3f} s (not in assign())")
    table.add_row(
        "  with encoding the waiting list", f"{result['assign_s'] + result['encode_mentees_s']:.2f} s"
    )
    table.add_row("optimal / greedy time", f"{_ratio(result['optimal_s'], result['greedy_s'])}×")
    table.add_row("assign() in best-total mode", f"{result['best_total_s']:.2f} s")
    _memory_row(table, result)
    unmatched = ", ".join(f"{reason} {count:,}" for reason, count in result["unmatched"].items()) or "nobody"
    table.add_row("left unmatched (most matched), why", unmatched)
    console.print(table)

    outcomes = Table(title="Assignments on the same candidate edges")
    for column in (
        "assignment",
        "matched",
        "total score",
        "mean score",
        "matched vs greedy",
        "total vs greedy",
    ):
        outcomes.add_column(column, justify="left" if column == "assignment" else "right")
    greedy_matched, greedy_total = result["greedy_matched"], result["greedy_total"]
    for name, matched, total in (
        ("optimal, most matched", result["optimal_matched"], result["optimal_total"]),
        ("optimal, best total", result["best_total_matched"], result["best_total_total"]),
        ("greedy (best pair first)", greedy_matched, greedy_total),
    ):
        outcomes.add_row(
            name,
            f"{matched:,}",
            f"{total:,.2f}",
            f"{total / matched:.4f}" if matched else "—",
            _ratio(matched, greedy_matched),
            _ratio(total, greedy_total),
        )
    console.print(outcomes)


def report_topk(console: Console, result: dict[str, Any]) -> None:
    table = Table(
        title=f"Top-{TOP}: one newcomer among {result['pool']:,} mentors, {result['queries']} queries"
    )
    for column in ("per query", "median ms", "p95 ms", "max ms"):
        table.add_column(column, justify="left" if column == "per query" else "right")
    for name, key in (
        ("score_block + rank(limit=10)", "topk_ms"),
        ("  score_block", "score_ms"),
        ("  rank(limit=10), with explanations", "rank_ms"),
        ("score_block + rank(10, excluded 10), as the service", "service_ms"),
        ("floor: text product + multiply-add + top 10", "floor_ms"),
        ("encode the newcomer (not in the figures above)", "encode_one_ms"),
    ):
        figures = result[key]
        table.add_row(name, f"{figures['median']:.2f}", f"{figures['p95']:.2f}", f"{figures['max']:.2f}")
    console.print(table)
    details = Table(show_header=False)
    details.add_column("figure", style="bold")
    details.add_column("value")
    details.add_row("top-k / floor (median of per-query ratios)", f"{result['ratio_median']:.1f}×")
    details.add_row(
        "encode the pool",
        f"{result['encode_pool_s']:.2f} s, {result['profiles_per_s']:,.0f} profiles/s "
        f"(synthetic data generated in {result['generate_s']:.2f} s, not counted)",
    )
    details.add_row("fewest suggestions shown", str(result["shown_min"]))
    details.add_row(
        "synthetic data", ", ".join(f"{key} {value:.0%}" for key, value in result["data"].items())
    )
    _memory_row(details, result)
    console.print(details)


def summary_rows(cohort: dict[str, Any], topk: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, required, measured, met) for each of the issue's targets."""
    sizes = f"{cohort['mentees']:,} × {cohort['mentors']:,}"
    return [
        (
            f"cohort {sizes}: candidates + scoring + optimization",
            f"≤ {COHORT_SECONDS:g} s",
            f"{cohort['assign_s']:.2f} s",
            cohort["assign_s"] <= COHORT_SECONDS,
        ),
        (
            f"cohort {sizes}: peak memory",
            f"≤ {COHORT_PEAK_MB:,.0f} MB",
            f"{cohort['peak_mb']:,.0f} MB",
            cohort["peak_mb"] <= COHORT_PEAK_MB,
        ),
        (
            f"top-{TOP} among {topk['pool']:,} mentors: median",
            f"≤ {TOPK_MEDIAN_MS:g} ms",
            f"{topk['topk_ms']['median']:.1f} ms",
            topk["topk_ms"]["median"] <= TOPK_MEDIAN_MS,
        ),
        (
            "optimal vs greedy (most matched): matched, total",
            "≥ 1, —",
            f"{_ratio(cohort['optimal_matched'], cohort['greedy_matched'])}×, "
            f"{_ratio(cohort['optimal_total'], cohort['greedy_total'])}×",
            cohort["optimal_matched"] >= cohort["greedy_matched"],
        ),
    ]


def report_summary(console: Console, cohort: dict[str, Any], topk: dict[str, Any]) -> None:
    table = Table(title=f"Summary (seed {cohort['seed']}, {os.cpu_count()} CPUs)")
    for column in ("target", "required", "measured", "verdict"):
        table.add_column(column)
    for target, required, measured, met in summary_rows(cohort, topk):
        table.add_row(target, required, measured, _verdict(met))
    console.print(table)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.matching",
        description="Time the matching engine on synthetic data: a cohort assignment and top-10 suggestions.",
    )
    parser.add_argument("--mentees", type=int, help=f"cohort newcomers (default {DEFAULTS['mentees']:,})")
    parser.add_argument("--mentors", type=int, help=f"cohort mentors (default {DEFAULTS['mentors']:,})")
    parser.add_argument("--pool", type=int, help=f"top-k pool size (default {DEFAULTS['pool']:,})")
    parser.add_argument("--queries", type=int, help=f"top-k queries (default {DEFAULTS['queries']})")
    parser.add_argument("--seed", type=int, default=2026, help="synthetic data seed (default 2026)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    parser.add_argument("--scenario", choices=("cohort", "topk"), help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    sizes = {
        key: getattr(options, key)
        if getattr(options, key) is not None
        else (QUICK if options.quick else DEFAULTS)[key]
        for key in DEFAULTS
    }
    if min(sizes.values()) < 1:
        _parser().error("sizes must be positive")
    if options.scenario:
        result = (
            cohort_scenario(sizes["mentees"], sizes["mentors"], options.seed)
            if options.scenario == "cohort"
            else topk_scenario(sizes["pool"], sizes["queries"], options.seed)
        )
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return 0

    console = Console(width=None if sys.stdout.isatty() else 130)
    seed = ["--seed", str(options.seed)]
    console.print(
        f"[dim]cohort scenario ({sizes['mentees']:,} × {sizes['mentors']:,}) in a fresh process…[/dim]"
    )
    cohort = _run_in_subprocess(
        [
            "--scenario",
            "cohort",
            "--mentees",
            str(sizes["mentees"]),
            "--mentors",
            str(sizes["mentors"]),
            *seed,
        ]
    )
    report_cohort(console, cohort)
    console.print(
        f"[dim]top-k scenario (pool {sizes['pool']:,}, {sizes['queries']} queries) in a fresh process…[/dim]"
    )
    topk = _run_in_subprocess(
        ["--scenario", "topk", "--pool", str(sizes["pool"]), "--queries", str(sizes["queries"]), *seed]
    )
    report_topk(console, topk)
    report_summary(console, cohort, topk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
