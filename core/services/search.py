"""Searching the shared mentor pool, for newcomers and staff of any organization.

The engine (``core.search``) holds mentor cards only; newcomers' files stay in the
database, where staff find their clients through the sharing rules (``clients``).
Visibility is part of the engine query, so results, totals and facet counts only count
mentors the searcher's organization may see; the cards are read back from the database
through the same rule, so a card the index has not caught up with yet is left out
rather than shown.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import validation
from core.access import Actor
from core.errors import DomainError
from core.models import MentorProfile, User
from core.plugins import get_plugin_host
from core.search.port import FACETS, MAX_LIMIT, MentorQuery, SearchEngine, SearchUnavailable
from core.services.mentors import commitments
from federation.sharing import mentor_visible_to

MAX_TEXT = 200
MAX_VALUES = 20
# Each facet shows its most frequent values: a list of every city of a large pool helps
# no one choose, and costs every search.
FACET_VALUES_SHOWN = 10
MAX_OFFSET = 10_000
HAS_CAPACITY = "has_capacity"
# Facets a searcher may ask to count: the engine's, and room left (worked out here).
SEARCH_FACETS = (*FACETS, HAS_CAPACITY)


@dataclass(frozen=True)
class MentorSearch:
    text: str = ""
    occupation_groups: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    program_types: list[str] = field(default_factory=list)
    open_to_virtual: bool | None = None
    has_capacity: bool = False
    facets: list[str] | None = None  # None: every facet the engine counts (room left on request)
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class MentorSearchPage:
    mentors: list[tuple[MentorProfile, str]]  # (profile, display name), best first
    total: int
    facets: dict[str, dict[str, int]]


def _digits(value: str, field: str, length: int) -> str:
    value = value.strip()
    if not (value.isdigit() and len(value) == length):
        raise DomainError("INVALID_FILTER", field=field, value=value[:40])
    return value


def _plain(value: str, field: str) -> str:
    return validation.text(value, field, max_length=100, required=True)


def _filters(search: MentorSearch) -> dict[str, list[str]]:
    """Each filter's values checked: known codes, bounded text. Values reach the engine
    only as data (the adapters never build query syntax from them)."""
    known_types = get_plugin_host().program_types()
    checks = {
        "occupation_group": (search.occupation_groups, lambda v, f: _digits(v, f, 2)),
        "industry": (search.industries, lambda v, f: _digits(v, f, 2)),
        "languages": (search.languages, validation.language_code),
        "city": (search.cities, _plain),
        "region": (search.regions, _plain),
        "program_types": (search.program_types, _program_type(known_types)),
    }
    filters: dict[str, list[str]] = {}
    for facet, (values, check) in checks.items():
        field_name = validation.api_field(facet)
        if len(values) > MAX_VALUES:
            raise DomainError("OUT_OF_RANGE", field=field_name, min=0, max=MAX_VALUES)
        if values:
            filters[facet] = list(dict.fromkeys(check(value, field_name) for value in values))
    if search.open_to_virtual is not None:
        filters["open_to_virtual"] = [str(search.open_to_virtual).lower()]
    return filters


def _program_type(known: Mapping[str, object]) -> Callable[[str, str], str]:
    def check(value: str, field_name: str) -> str:
        if value not in known:
            raise DomainError("UNKNOWN_PROGRAM_TYPE", field=field_name, type=value[:40])
        return value

    return check


async def _full_mentors(session: AsyncSession) -> frozenset[str]:
    """Mentors with no room left: active mentorships and waiting proposals fill them."""
    taken = await commitments(session)
    if not taken:
        return frozenset()
    rows = await session.execute(
        select(MentorProfile.id, MentorProfile.capacity).where(col(MentorProfile.id).in_(list(taken)))
    )
    return frozenset(str(mentor_id) for mentor_id, capacity in rows if taken[mentor_id] >= capacity)


async def search_mentors(
    session: AsyncSession, actor: Actor, engine: SearchEngine, search: MentorSearch
) -> MentorSearchPage:
    """The mentors the actor's organization may see that match, best first, with the
    count of each filter's values among all matches."""
    organization_id = actor.require_organization()
    text = validation.text(" ".join(search.text.split()), "text", max_length=MAX_TEXT)
    limit = validation.integer(search.limit, "limit", minimum=1, maximum=MAX_LIMIT)
    offset = validation.integer(search.offset, "offset", minimum=0, maximum=MAX_OFFSET)
    # Room left costs a second count in the engine: counted only when asked for.
    facets = list(FACETS if search.facets is None else dict.fromkeys(search.facets))
    unknown = [name for name in facets if name not in SEARCH_FACETS]
    if unknown:
        raise DomainError("UNKNOWN_FACET", field="facets", facet=unknown[0][:40])
    filters = _filters(search)
    full = await _full_mentors(session) if search.has_capacity or HAS_CAPACITY in facets else frozenset()
    query = MentorQuery(
        text=text,
        organization=str(organization_id),
        filters=filters,
        exclude_ids=full if search.has_capacity else frozenset(),
        facets=tuple(name for name in facets if name != HAS_CAPACITY),
        limit=limit,
        offset=offset,
    )
    try:
        found = await engine.search(query)
        counts = dict(found.facets)
        if HAS_CAPACITY in facets:
            # Room left is not in the index (it changes with every proposal): count the
            # matches with and without the full mentors.
            every = found if not search.has_capacity else await engine.search(_count_only(query, frozenset()))
            with_room = found if search.has_capacity else await engine.search(_count_only(query, full))
            counts[HAS_CAPACITY] = {"true": with_room.total, "false": every.total - with_room.total}
    except SearchUnavailable:
        raise DomainError("SEARCH_UNAVAILABLE") from None
    shown = {name: dict(_most_frequent(values)) for name, values in counts.items()}
    return MentorSearchPage(await _visible_cards(session, organization_id, found.ids), found.total, shown)


def _most_frequent(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_VALUES_SHOWN]


def _count_only(query: MentorQuery, exclude: frozenset[str]) -> MentorQuery:
    return MentorQuery(
        text=query.text, organization=query.organization, filters=query.filters, exclude_ids=exclude,
        facets=(), limit=1, offset=0,
    )  # fmt: skip


async def _visible_cards(
    session: AsyncSession, organization_id: uuid.UUID, ids: list[str]
) -> list[tuple[MentorProfile, str]]:
    """The cards of ``ids`` the organization may see now, in that order, with the
    mentor's name: one query for the page."""
    if not ids:
        return []
    wanted = [uuid.UUID(value) for value in ids]
    rows = await session.execute(
        select(MentorProfile, User.display_name)
        .join(User, col(User.id) == MentorProfile.user_id)
        .where(
            col(MentorProfile.id).in_(wanted),
            col(MentorProfile.is_active).is_(True),
            mentor_visible_to(organization_id),
        )
    )
    found = {profile.id: (profile, name) for profile, name in rows}
    return [found[mentor_id] for mentor_id in wanted if mentor_id in found]
