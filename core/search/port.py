"""The search port: what the platform asks of a search engine, whichever it is.

Two adapters implement it: an embedded one (tantivy, in-process, the default: nothing
to install) and Meilisearch (production). One contract test suite runs against both
(``tests/contract/test_search_engines.py``). The engine only ever holds the shared
mentor pool, never a newcomer's file: what a mentor card shows, and who may see it.

Visibility is part of every query: a document lists its ``audience`` (``"*"`` for the
whole platform, else the ids of the organizations that may see the mentor) and a query
names the searcher's organization, so results, totals and facet counts only ever count
mentors that organization may see.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

EVERYONE = "*"
# Filterable and countable fields of a mentor document.
FACETS = ("occupation_group", "industry", "languages", "city", "region", "open_to_virtual", "program_types")
MAX_LIMIT = 100


class SearchUnavailable(Exception):
    """The engine could not be reached or refused the request: callers keep going (the
    outbox retries later) or answer that search is unavailable, never with its details."""


@dataclass(frozen=True)
class MentorDocument:
    """A mentor as the search engine holds it: no contact details, nothing private."""

    id: str
    audience: tuple[str, ...]  # EVERYONE, or the organization ids that may see the mentor
    occupation_code: str  # NOC 2021 unit group
    occupation_group: str  # its NOC major group (two digits), a facet
    occupation_titles: str  # the unit group's and its parents' titles, English and French
    industry: str  # NAICS sector (two digits), "" when not given
    job_title: str
    bio: str
    # Glossary concepts found in the title and bio, in both languages, so that a French
    # query finds an English profile and the other way round.
    synonyms: str
    languages: tuple[str, ...]
    city: str
    region: str  # census metropolitan area, "" when the place is not known
    province: str
    open_to_virtual: bool
    program_types: tuple[str, ...]  # program types the mentor may take part in
    capacity: int


@dataclass(frozen=True)
class MentorQuery:
    text: str  # free text, already checked for length; "" for everything
    organization: str  # the searcher's organization id: only its audience is searched
    # Facet → accepted values: any of a facet's values, all facets given.
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    exclude_ids: frozenset[str] = frozenset()  # e.g. mentors with no room left
    facets: tuple[str, ...] = FACETS  # which facets to count
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class SearchResult:
    ids: list[str]  # best first
    total: int
    facets: dict[str, dict[str, int]]  # facet → value → count, among all matches


class SearchEngine(Protocol):
    """Every method may raise ``SearchUnavailable``."""

    name: str

    async def configure(self) -> None:
        """Create the index and apply its settings (idempotent)."""

    async def upsert(self, documents: Sequence[MentorDocument]) -> None:
        """Add or replace documents by id; visible to searches when it returns."""

    async def delete(self, ids: Sequence[str]) -> None: ...

    async def clear(self) -> None:
        """Remove every document."""

    async def search(self, query: MentorQuery) -> SearchResult: ...

    async def documents(self) -> list[MentorDocument]:
        """Every document held (to compare the index with the database)."""
