"""The Meilisearch search engine, over its REST API with ``httpx.AsyncClient``.

No Meilisearch client library: the official one is synchronous and the asynchronous one
brings a second HTTP stack. Every write waits for its Meilisearch task, so that it is
visible when the method returns.

Filters are expressions in Meilisearch's filter language: every value put into one goes
through ``quote`` (a double-quoted string literal, backslashes and double quotes escaped)
and field names only ever come from ``FACETS``, so no value can change an expression.
Any transport error, timeout or non-2xx answer becomes ``SearchUnavailable``, whose
message holds at most the status code (never a response body).
"""

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from functools import cache
from typing import Any
from urllib.parse import quote as url_quote

import httpx

from core.matching.text import glossary
from core.search.documents import SYNONYMS_PER_LANGUAGE
from core.search.port import (
    EVERYONE,
    FACETS,
    MentorDocument,
    MentorQuery,
    SearchResult,
    SearchUnavailable,
)

SEARCHABLE = ("occupation_titles", "job_title", "synonyms", "bio")
# Words, typos, proximity, attribute and exactness decide; the id breaks ties, so pages
# are deterministic (and an empty query lists mentors by id, as the embedded engine does).
RANKING_RULES = ("words", "typo", "proximity", "attribute", "exactness", "sort")
MAX_TOTAL_HITS = 1_000_000  # totals are exact up to this many matches (default: 1,000)
MAX_FACET_VALUES = 1_000
UPSERT_BATCH = 10_000
PAGE = 1_000
TASK_TIMEOUT = 120.0  # seconds a write may take before the engine is deemed unavailable
_LIST_FIELDS = ("audience", "languages", "program_types")
# Empty strings are sent as null: "" is not a facet value.
_OPTIONAL_STRINGS = ("industry", "region", "city", "province", "occupation_group", "occupation_code")


def quote(value: str) -> str:
    """``value`` as a double-quoted Meilisearch filter string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filters_for(query: MentorQuery) -> list[str]:
    """The query's filter expressions, AND-ed by Meilisearch: visibility, then every facet
    (any of its values), then exclusions."""
    unknown = set(query.filters) - set(FACETS)
    if unknown:
        raise ValueError(f"unknown facets: {sorted(unknown)}")
    clauses = [f"audience IN [{quote(EVERYONE)}, {quote(query.organization)}]"]
    for facet in FACETS:  # field names come from FACETS only, never from the query
        if facet in query.filters:
            values = ", ".join(quote(value) for value in query.filters[facet])
            clauses.append(f"{facet} IN [{values}]")
    if query.exclude_ids:
        clauses.append(f"id NOT IN [{', '.join(quote(id_) for id_ in sorted(query.exclude_ids))}]")
    return clauses


@cache
def glossary_synonyms() -> dict[str, list[str]]:
    """French↔English synonyms from the career glossary: each concept's first entries in
    each language (those the embedded engine's documents carry) are mutual synonyms."""
    synonyms: dict[str, list[str]] = {}
    for concept in glossary().values():
        entries = [*concept.en[:SYNONYMS_PER_LANGUAGE], *concept.fr[:SYNONYMS_PER_LANGUAGE]]
        entries = list(dict.fromkeys(entry.lower() for entry in entries))
        for entry in entries:
            known = synonyms.setdefault(entry, [])
            known.extend(other for other in entries if other != entry and other not in known)
    return {entry: others for entry, others in synonyms.items() if others}


def settings() -> dict[str, Any]:
    return {
        "searchableAttributes": list(SEARCHABLE),
        "filterableAttributes": ["audience", "id", *FACETS],
        "sortableAttributes": ["id"],
        "rankingRules": list(RANKING_RULES),
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8}},
        "synonyms": glossary_synonyms(),
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "faceting": {"maxValuesPerFacet": MAX_FACET_VALUES},
    }


def _to_meilisearch(document: MentorDocument) -> dict[str, Any]:
    values = asdict(document)
    values["open_to_virtual"] = "true" if document.open_to_virtual else "false"
    for name in _OPTIONAL_STRINGS:
        values[name] = values[name] or None
    for name in _LIST_FIELDS:
        values[name] = list(values[name])
    return values


def _from_meilisearch(values: Mapping[str, Any]) -> MentorDocument:
    return MentorDocument(
        id=values["id"],
        audience=tuple(values["audience"]),
        occupation_code=values["occupation_code"] or "",
        occupation_group=values["occupation_group"] or "",
        occupation_titles=values["occupation_titles"],
        industry=values["industry"] or "",
        job_title=values["job_title"],
        bio=values["bio"],
        synonyms=values["synonyms"],
        languages=tuple(values["languages"]),
        city=values["city"] or "",
        region=values["region"] or "",
        province=values["province"] or "",
        open_to_virtual=values["open_to_virtual"] == "true",
        program_types=tuple(values["program_types"]),
        capacity=values["capacity"],
    )


class MeilisearchSearch:
    name = "meilisearch"

    def __init__(
        self,
        url: str,
        index: str,
        api_key: str | None,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self._index = index
        self._path = f"/indexes/{url_quote(index, safe='')}"

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- HTTP -------------------------------------------------------------------------

    async def _request(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            response = await self._client.request(method, path, json=json, params=params)
        except httpx.HTTPError as error:
            raise SearchUnavailable(f"Meilisearch unreachable ({type(error).__name__})") from None
        if not response.is_success:
            raise SearchUnavailable(f"Meilisearch answered {response.status_code}")
        try:
            return response.json() if response.content else None
        except ValueError:
            raise SearchUnavailable("Meilisearch answered something else than JSON") from None

    async def _wait(self, task: Any) -> None:
        uid = task["taskUid"]
        deadline = time.monotonic() + TASK_TIMEOUT
        delay = 0.01
        while True:
            state = await self._request("GET", f"/tasks/{int(uid)}")
            status = state["status"]
            if status == "succeeded":
                return
            if status in ("failed", "canceled"):
                raise SearchUnavailable(f"Meilisearch task {int(uid)} {status}")
            if time.monotonic() > deadline:
                raise SearchUnavailable(f"Meilisearch task {int(uid)} still {status}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    # -- the port -----------------------------------------------------------------------

    async def configure(self) -> None:
        if not await self._exists():
            await self._wait(
                await self._request("POST", "/indexes", json={"uid": self._index, "primaryKey": "id"})
            )
        await self._wait(await self._request("PATCH", f"{self._path}/settings", json=settings()))

    async def _exists(self) -> bool:
        try:
            response = await self._client.get(self._path)
        except httpx.HTTPError as error:
            raise SearchUnavailable(f"Meilisearch unreachable ({type(error).__name__})") from None
        if response.status_code == 404:
            return False
        if not response.is_success:
            raise SearchUnavailable(f"Meilisearch answered {response.status_code}")
        return True

    async def drop(self) -> None:
        """Delete the whole index (tests)."""
        if await self._exists():
            await self._wait(await self._request("DELETE", self._path))

    async def upsert(self, documents: Sequence[MentorDocument]) -> None:
        latest = list({document.id: document for document in documents}.values())
        for start in range(0, len(latest), UPSERT_BATCH):
            batch = [_to_meilisearch(document) for document in latest[start : start + UPSERT_BATCH]]
            task = await self._request(
                "POST", f"{self._path}/documents", json=batch, params={"primaryKey": "id"}
            )
            await self._wait(task)

    async def delete(self, ids: Sequence[str]) -> None:
        if ids:
            await self._wait(
                await self._request("POST", f"{self._path}/documents/delete-batch", json=list(ids))
            )

    async def clear(self) -> None:
        await self._wait(await self._request("DELETE", f"{self._path}/documents"))

    async def search(self, query: MentorQuery) -> SearchResult:
        if query.limit < 0 or query.offset < 0:
            raise ValueError("limit and offset must not be negative")
        unknown = set(query.facets) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facets: {sorted(unknown)}")
        filters = filters_for(query)
        if any(not values for values in query.filters.values()):  # a facet accepting nothing
            return SearchResult(ids=[], total=0, facets={facet: {} for facet in query.facets})
        body: dict[str, Any] = {
            "q": query.text,
            "filter": filters,
            "facets": list(query.facets),
            "sort": ["id:asc"],
            "attributesToRetrieve": ["id"],
        }
        # Page mode ("page"/"hitsPerPage") gives an exact "totalHits" (limit/offset mode only
        # an estimate). An offset that is not a multiple of the limit reads from page 1.
        skip = 0
        if query.limit and query.offset % query.limit == 0:
            body |= {"page": query.offset // query.limit + 1, "hitsPerPage": query.limit}
        else:
            body |= {"page": 1, "hitsPerPage": query.offset + query.limit}
            skip = query.offset
        answer = await self._request("POST", f"{self._path}/search", json=body)
        distribution: Mapping[str, Mapping[str, int]] = answer.get("facetDistribution") or {}
        return SearchResult(
            ids=[hit["id"] for hit in answer["hits"][skip:]],
            total=int(answer["totalHits"]),
            facets={facet: dict(distribution.get(facet, {})) for facet in query.facets},
        )

    async def documents(self) -> list[MentorDocument]:
        documents: list[MentorDocument] = []
        offset = 0
        while True:
            answer = await self._request(
                "GET", f"{self._path}/documents", params={"limit": PAGE, "offset": offset}
            )
            documents.extend(_from_meilisearch(values) for values in answer["results"])
            offset += PAGE
            if offset >= answer["total"] or not answer["results"]:
                return sorted(documents, key=lambda document: document.id)
