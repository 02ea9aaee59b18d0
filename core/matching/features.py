"""Profiles turned into arrays, one row per person, so that a criterion scores a
mentee against a whole pool of mentors (or a block of mentees against a block of
mentors) in a few numpy operations instead of a Python loop per pair.

The pool of mentors fixes the vocabularies (languages, cities, the words of the
career-goal model); newcomers are encoded against them, so that an index means the
same thing on both sides. A newcomer's city or language no mentor has simply matches
nobody.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from core import taxonomy
from core.matching.declared import CULTURAL_REGIONS, WORK_STYLE_ITEMS
from core.matching.places import Place, all_places, find_place
from core.matching.text import TextModel
from core.validation import DAYS, PARTS_OF_DAY

NOC_LEVELS = 5  # broad category, major, sub-major, minor, unit group: one digit each
NOC_LENGTHS = (1, 2, 3, 4, 5)
NAICS_LENGTHS = (2, 3, 4, 5, 6)  # sector, subsector, industry group, industry, Canadian industry
# NAICS sectors published as ranges: the same sector whichever number a code starts with.
_NAICS_SECTOR_ALIASES = {"32": "31", "33": "31", "45": "44", "49": "48"}
SLOTS = tuple(f"{day}_{part}" for day in DAYS for part in PARTS_OF_DAY)
_SLOT_BITS = {slot: 1 << index for index, slot in enumerate(SLOTS)}
_REGION_BITS = {region: 1 << index for index, region in enumerate(CULTURAL_REGIONS)}
UNKNOWN = -1
# A newcomer's city or province no mentor of the pool shares: never equal to anything.
UNSHARED = -2


def mentee_text(mentee: Any) -> str:
    return str(mentee.career_goal or "")


def mentor_text(mentor: Any) -> str:
    return f"{mentor.job_title}. {mentor.bio}".strip(". ")


def _spoken(person: Any) -> set[str]:
    """Languages a person speaks: a newcomer's are assessed (with a CLB level), a
    mentor's are a plain list."""
    return {entry["language"] if isinstance(entry, dict) else entry for entry in person.languages}


def _place(person: Any) -> Place | None:
    return find_place(person.city, person.province) if person.city.strip() else None


@cache
def place_index() -> dict[Place, int]:
    """Built-in places by their position in ``all_places()``."""
    return {place: index for index, place in enumerate(all_places())}


def _city_key(person: Any, place: Place | None) -> tuple[str, str] | None:
    """The same city however it was typed: the gazetteer's name when it knows the place."""
    if not person.city.strip():
        return None
    name = place.name if place else " ".join(person.city.split())
    return name.casefold(), person.province


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: instances are cached
class Classification:
    """The codes of a classification in use (NOC unit groups, NAICS entries), by index,
    with each code's prefix at every level of the hierarchy. The row after the last
    code (index -1) stands for "no code", with no prefix at any level."""

    codes: tuple[str, ...]
    index: dict[str, int]
    prefixes: np.ndarray  # (codes + 1, levels) int32, -1 where the code has no such level


@dataclass(frozen=True)
class Vocabulary:
    """What the indices of a pool's arrays stand for."""

    languages: dict[str, int]
    cities: dict[tuple[str, str], int]
    provinces: dict[str, int]
    text: TextModel

    @classmethod
    def of_pool(cls, mentors: Sequence[Any]) -> "Vocabulary":
        def index(values: Iterable[Any]) -> dict[Any, int]:
            return {value: position for position, value in enumerate(sorted(set(values)))}

        places = [_place(mentor) for mentor in mentors]
        return cls(
            languages=index({"en", "fr"}.union(*(_spoken(mentor) for mentor in mentors))),
            cities=index(
                key
                for mentor, place in zip(mentors, places, strict=True)
                if (key := _city_key(mentor, place))
            ),
            provinces=index(mentor.province for mentor in mentors),
            text=TextModel.fit([mentor_text(mentor) for mentor in mentors]),
        )


@dataclass(frozen=True)
class Side:
    """One side of a match, one row per person. Mentor-only and mentee-only columns
    are filled with neutral values on the other side."""

    profiles: Sequence[Any]
    occupation: np.ndarray  # (n,) int32: index in occupations()
    industries: Classification  # the industry codes this side gave
    industry: np.ndarray  # (n,) int32: index in ``industries``, -1 when none is given
    languages: np.ndarray  # (n, L) float32, 1 where the person speaks the language
    service_language: np.ndarray  # (n,) int32: newcomers' service language, -1 for mentors
    city: np.ndarray  # (n,) int32
    place: np.ndarray  # (n,) int32: the built-in place (all_places()), -1 when unknown
    province: np.ndarray  # (n,) int32
    virtual: np.ndarray  # (n,) bool
    availability: np.ndarray  # (n,) int32 bit set of weekly slots
    culture: np.ndarray  # (n,) int32 bit set of declared cultural regions
    work_style: np.ndarray  # (n, 4) int8, 0 where unanswered
    text: sp.csr_matrix  # (n, vocabulary) L2-normalised TF-IDF rows
    has_text: np.ndarray  # (n,) bool: a goal or an experience was written at all
    capacity: np.ndarray  # (n,) int32: mentors' capacity, 0 for newcomers

    def __len__(self) -> int:
        return len(self.profiles)

    def take(self, rows: np.ndarray) -> "Side":
        """The same side restricted to ``rows`` (in that order)."""
        return Side(
            profiles=[self.profiles[row] for row in rows.tolist()],
            occupation=self.occupation[rows],
            industries=self.industries,
            industry=self.industry[rows],
            languages=self.languages[rows],
            service_language=self.service_language[rows],
            city=self.city[rows],
            place=self.place[rows],
            province=self.province[rows],
            virtual=self.virtual[rows],
            availability=self.availability[rows],
            culture=self.culture[rows],
            work_style=self.work_style[rows],
            text=self.text[rows],
            has_text=self.has_text[rows],
            capacity=self.capacity[rows],
        )


def _prefixes(code: str, lengths: tuple[int, ...]) -> list[int]:
    # NAICS sectors published as ranges are one sector, whichever number a code starts with.
    code = _NAICS_SECTOR_ALIASES.get(code[:2], code[:2]) + code[2:] if lengths == NAICS_LENGTHS else code
    return [int(code[:length]) if len(code) >= length else UNKNOWN for length in lengths]


# Bounded: each waiting list encoded brings its own set of industry codes.
@lru_cache(maxsize=256)
def _classification(codes: tuple[str, ...], lengths: tuple[int, ...]) -> Classification:
    rows = [_prefixes(code, lengths) for code in codes] + [[UNKNOWN] * len(lengths)]
    return Classification(
        codes, {code: index for index, code in enumerate(codes)}, np.array(rows, dtype=np.int32)
    )


def occupations() -> Classification:
    """NOC 2021 unit groups of the table in use (every valid code is one of them)."""
    unit_groups = tuple(sorted(code for code in taxonomy.noc_table() if len(code) == NOC_LEVELS))
    return _classification(unit_groups, NOC_LENGTHS)


def industries(codes: Iterable[str]) -> Classification:
    """The NAICS codes people gave, as given: a code may be more specific than the
    table in use knows, and two such codes still differ."""
    return _classification(tuple(sorted(set(codes))), NAICS_LENGTHS)


def _bits(values: Iterable[str], bits: dict[str, int]) -> int:
    total = 0
    for value in values:
        total |= bits.get(value, 0)
    return total


def encode(people: Sequence[Any], vocabulary: Vocabulary, *, mentors: bool) -> Side:
    """Encode newcomers (``mentors=False``: ``MenteeProfile``-like) or mentors."""
    count = len(people)
    noc_codes = [person.occupation_noc if mentors else person.target_noc for person in people]
    naics_codes = [person.industry_naics for person in people]
    noc_table, naics_table = occupations(), industries(code for code in naics_codes if code)
    places = [_place(person) for person in people]
    texts = [mentor_text(person) if mentors else mentee_text(person) for person in people]
    languages = np.zeros((count, len(vocabulary.languages)), dtype=np.float32)
    for row, person in enumerate(people):
        for language in _spoken(person):
            column = vocabulary.languages.get(language)
            if column is not None:
                languages[row, column] = 1.0

    def indexed(key: Any, table: dict[Any, int]) -> int:
        return UNKNOWN if key is None else table.get(key, UNSHARED)

    return Side(
        profiles=list(people),
        occupation=np.array([noc_table.index.get(code, UNKNOWN) for code in noc_codes], dtype=np.int32),
        industries=naics_table,
        industry=np.array(
            [naics_table.index[code] if code else UNKNOWN for code in naics_codes], dtype=np.int32
        ),
        languages=languages,
        service_language=np.array(
            [
                UNKNOWN if mentors else vocabulary.languages[str(person.preferred_language)]
                for person in people
            ],
            dtype=np.int32,
        ),
        city=np.array(
            [
                indexed(_city_key(person, place), vocabulary.cities)
                for person, place in zip(people, places, strict=True)
            ],
            dtype=np.int32,
        ),
        place=np.array(
            [UNKNOWN if place is None else place_index()[place] for place in places], dtype=np.int32
        ),
        province=np.array(
            [indexed(person.province, vocabulary.provinces) for person in people], dtype=np.int32
        ),
        virtual=np.array([bool(person.open_to_virtual) for person in people], dtype=bool),
        availability=np.array([_bits(person.availability, _SLOT_BITS) for person in people], dtype=np.int32),
        culture=np.array(
            [_bits(person.cultural_backgrounds, _REGION_BITS) for person in people], dtype=np.int32
        ),
        work_style=np.array(
            [[person.work_style.get(item, 0) for item in WORK_STYLE_ITEMS] for person in people],
            dtype=np.int8,
        ).reshape(count, len(WORK_STYLE_ITEMS)),
        text=vocabulary.text.vectors(texts),
        has_text=np.array([bool(text.strip()) for text in texts], dtype=bool),
        capacity=np.array([person.capacity if mentors else 0 for person in people], dtype=np.int32),
    )


def slot_names(bits: int) -> list[str]:
    return [slot for slot in SLOTS if bits & _SLOT_BITS[slot]]


def region_names(bits: int) -> list[str]:
    return [region for region in CULTURAL_REGIONS if bits & _REGION_BITS[region]]
