"""The Meilisearch adapter without a server: filter escaping, request shapes, and errors
turned into ``SearchUnavailable`` (with ``httpx.MockTransport``)."""

import json
import re

import httpx
import pytest

from core.search.meilisearch import MeilisearchSearch, filters_for, glossary_synonyms, quote
from core.search.port import MentorQuery, SearchUnavailable

HOSTILE = [
    "",
    "plain",
    'x" OR audience = "*',
    '\\" OR 1=1',
    "\\",
    "\\\\",
    '"',
    '\\"',
    "a\\nb",
    "' OR ''='",
    ") OR (city EXISTS",
    'Ottawa"] OR city IN ["Ottawa',
    "line\nbreak\ttab",
    "Montréal 🦀",
    '"\\' * 2_500,
]


def meilisearch_literal(expression: str, start: int) -> tuple[str, int]:
    """Read the double-quoted literal at ``start`` as Meilisearch's filter parser does
    (``filter-parser/src/value.rs``): a backslash skips the next character, the first
    unescaped quote ends the literal; then ``\\"`` becomes ``"`` and ``\\\\`` becomes ``\\``.
    Returns the value and the index after the closing quote."""
    assert expression[start] == '"'
    index = start + 1
    while expression[index] != '"':
        index += 2 if expression[index] == "\\" else 1
    raw = expression[start + 1 : index]
    value = re.sub(r"\\(.)", lambda match: match.group(1), raw.replace('\\"', '"'), flags=re.S)
    return value, index + 1


def literals(expression: str) -> list[str]:
    """The values of ``field IN [<literal>, ...]``, checking that nothing else is there."""
    match = re.match(r"(\w+) (NOT )?IN \[", expression)
    assert match, expression
    values, index = [], match.end()
    while True:
        value, index = meilisearch_literal(expression, index)
        values.append(value)
        if expression[index:] == "]":
            return values
        assert expression[index : index + 2] == ", ", expression[index:]
        index += 2


@pytest.mark.parametrize("value", HOSTILE)
def test_quote_round_trips_through_the_parser(value: str) -> None:
    literal = quote(value)
    assert literal.startswith('"') and literal.endswith('"')
    assert meilisearch_literal(literal, 0) == (value, len(literal))


def test_quote_escapes_backslashes_and_quotes() -> None:
    assert quote("a") == '"a"'
    assert quote('say "hi"') == '"say \\"hi\\""'
    assert quote("C:\\dir") == '"C:\\\\dir"'
    assert quote('\\"') == '"\\\\\\""'


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_values(value: str) -> None:
    query = MentorQuery(
        text=value,
        organization=value,
        filters={"city": [value, "Ottawa"], "languages": [value]},
        exclude_ids=frozenset({value}),
    )
    audience, languages, city, excluded = filters_for(query)  # in FACETS order
    assert audience.startswith("audience IN [")
    assert literals(audience) == ["*", value]
    assert city.startswith("city IN [")
    assert literals(city) == [value, "Ottawa"]
    assert literals(languages) == [value]
    assert excluded.startswith("id NOT IN [")
    assert literals(excluded) == [value]


def test_filters_for_a_plain_query() -> None:
    assert filters_for(MentorQuery(text="", organization="org-1")) == ['audience IN ["*", "org-1"]']
    assert filters_for(
        MentorQuery(
            text="",
            organization="org-1",
            filters={"open_to_virtual": ["true"], "languages": ["fr", "en"]},
            exclude_ids=frozenset({"b", "a"}),
        )
    ) == [
        'audience IN ["*", "org-1"]',
        'languages IN ["fr", "en"]',
        'open_to_virtual IN ["true"]',
        'id NOT IN ["a", "b"]',
    ]


def test_unknown_filter_fields_are_refused() -> None:
    with pytest.raises(ValueError):
        filters_for(MentorQuery(text="", organization="o", filters={"audience = * OR city": ["x"]}))


def test_glossary_synonyms_are_mutual_and_bounded() -> None:
    synonyms = glossary_synonyms()
    assert "logiciel" in synonyms["software"]
    assert "software" in synonyms["logiciel"]
    assert all(entry not in others for entry, others in synonyms.items())


# -- HTTP ----------------------------------------------------------------------------------


def engine(handler: httpx.MockTransport) -> MeilisearchSearch:
    return MeilisearchSearch("http://meili.test:7700", "mentors", "secret-key", transport=handler)


async def test_transport_errors_become_search_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused to secret-host", request=request)

    with pytest.raises(SearchUnavailable) as caught:
        await engine(httpx.MockTransport(refuse)).search(MentorQuery(text="x", organization="o"))
    assert "secret-host" not in str(caught.value)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(SearchUnavailable):
        await engine(httpx.MockTransport(slow)).clear()
    with pytest.raises(SearchUnavailable):
        await engine(httpx.MockTransport(slow)).configure()


@pytest.mark.parametrize("status", [400, 401, 404, 500, 503])
async def test_error_answers_become_search_unavailable_without_their_body(status: int) -> None:
    body = {"message": "index `mentors` secret detail", "code": "internal"}
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    with pytest.raises(SearchUnavailable) as caught:
        await engine(transport).search(MentorQuery(text="x", organization="o"))
    assert str(status) in str(caught.value)
    assert "secret" not in str(caught.value)
    assert "mentors" not in str(caught.value)


async def test_search_request_and_answer() -> None:
    sent: list[dict[str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/indexes/mentors/search"
        assert request.headers["Authorization"] == "Bearer secret-key"
        sent.append(json.loads(request.content))
        return httpx.Response(
            200,
            json={
                "hits": [{"id": "b"}, {"id": "c"}, {"id": "d"}],
                "totalHits": 42,
                "facetDistribution": {"city": {"Ottawa": 40, "Gatineau": 2}},
            },
        )

    meilisearch = engine(httpx.MockTransport(answer))
    query = MentorQuery(
        text='" OR 1=1 --', organization="o", filters={"city": ["Ottawa"]}, facets=("city", "languages")
    )
    result = await meilisearch.search(query)
    assert result.ids == ["b", "c", "d"]
    assert result.total == 42
    assert result.facets == {"city": {"Ottawa": 40, "Gatineau": 2}, "languages": {}}
    assert sent[0]["q"] == '" OR 1=1 --'  # the text is sent as text, never as an expression
    assert sent[0]["filter"] == ['audience IN ["*", "o"]', 'city IN ["Ottawa"]']
    assert (sent[0]["page"], sent[0]["hitsPerPage"]) == (1, 20)
    # An offset that is not a multiple of the limit reads from the first page and skips.
    result = await meilisearch.search(MentorQuery(text="", organization="o", limit=2, offset=1))
    assert (sent[1]["page"], sent[1]["hitsPerPage"]) == (1, 3)
    assert result.ids == ["c", "d"]


async def test_configure_creates_the_index_and_waits_for_its_tasks() -> None:
    calls: list[str] = []
    polls = {"count": 0}

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.method == "GET" and request.url.path == "/indexes/mentors":
            return httpx.Response(404, json={"code": "index_not_found"})
        if request.url.path.startswith("/tasks/"):
            polls["count"] += 1
            return httpx.Response(200, json={"status": "processing" if polls["count"] % 2 else "succeeded"})
        if request.method == "PATCH":
            settings = json.loads(request.content)
            assert settings["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 4, "twoTypos": 8}
            assert "audience" in settings["filterableAttributes"]
        return httpx.Response(202, json={"taskUid": len(calls)})

    await engine(httpx.MockTransport(server)).configure()
    assert [call for call in calls if not call.startswith("GET /tasks")] == [
        "GET /indexes/mentors",
        "POST /indexes",
        "PATCH /indexes/mentors/settings",
    ]
    assert polls["count"] == 4


async def test_a_failed_task_is_unavailable() -> None:
    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/tasks/"):
            return httpx.Response(200, json={"status": "failed", "error": {"message": "secret detail"}})
        return httpx.Response(202, json={"taskUid": 7})

    with pytest.raises(SearchUnavailable) as caught:
        await engine(httpx.MockTransport(server)).delete(["a"])
    assert "secret" not in str(caught.value)
