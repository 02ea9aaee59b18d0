"""A GraphQL operation's cost is counted before it runs: too costly a one is refused
with QUERY_TOO_COMPLEX in the caller's language before any resolver (so any SQL
statement) runs, and no fragment, variable or alias hides cost. Oversized request
bodies are refused with 413."""

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from graphql import get_introspection_query, parse
from litestar import Litestar
from sqlalchemy import event

from core.graphql.limits import DEFAULT_LIST_SIZE, INTROSPECTION_MAX_COST, Cost, operation_cost
from core.graphql.schema import build_schema
from core.settings import Settings
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World

LIMIT = Settings().graphql_max_complexity
# Per mentorship: id 1, meetings 1 + 10 x 6, outcomes 1 + 10 x (5 + 1 + 2), extensions 1 + 10 x 4.
DETAIL = """id
  meetings { id occurredOn minutes mode activity notes }
  outcomes { id stage status note recordedAt jobOccupation { code title } }
  extensions { previousEnd newEnd reason createdAt }"""
PER_MENTORSHIP = 1 + 61 + 81 + 41
HEAVY = "query($n: Int!) { mentorships(limit: $n) { items { " + DETAIL + " } } }"
WITH_FRAGMENT = (
    "query($n: Int = 200) { mentorships(limit: $n) { items { ...Detail } } }\n"
    "fragment Detail on Mentorship { " + DETAIL + " }"
)
WITH_INLINE_FRAGMENT = "{ mentorships(limit: 200) { items { ... on Mentorship { " + DETAIL + " } } } }"


def aliased(count: int, page: int) -> str:
    fields = " ".join(
        f"m{index}: mentorships(limit: {page}) {{ items {{ {DETAIL} }} }}" for index in range(count)
    )
    return "{ " + fields + " }"


SCHEMA = build_schema()._schema


def cost(query: str, variables: dict[str, Any] | None = None) -> Cost | None:
    return operation_cost(SCHEMA, parse(query), None, variables, data_limit=10**9)


def test_each_field_costs_one_and_a_page_multiplies_its_items() -> None:
    assert cost("{ mentorships(limit: 7) { totalCount items { id status } } }") == Cost(1 + 1 + 1 + 7 * 2, 0)
    # No limit given: the argument's declared default (50) is the page size.
    assert cost("{ mentorships { items { id } } }") == Cost(1 + 1 + 50, 0)
    # A list without a page size counts DEFAULT_LIST_SIZE items.
    assert cost("{ organizations { id name } }") == Cost(1 + DEFAULT_LIST_SIZE * 2, 0)
    assert cost(HEAVY, {"n": 10}) == Cost(1 + 1 + 10 * PER_MENTORSHIP, 0)


def test_variables_and_their_defaults_count_like_literals() -> None:
    literal = cost(HEAVY.replace("query($n: Int!) ", "").replace("$n", "200"))
    assert cost(HEAVY, {"n": 200}) == literal
    assert cost(WITH_FRAGMENT) == literal  # the variable's default
    assert cost(WITH_FRAGMENT, {"n": 200}) == literal
    assert cost(WITH_FRAGMENT, {"n": 20}) < literal  # type: ignore[operator]


def test_fragments_and_aliases_are_counted_where_used() -> None:
    plain = cost("{ mentorships(limit: 200) { items { " + DETAIL + " } } }")
    assert cost(WITH_FRAGMENT) == cost(WITH_INLINE_FRAGMENT) == plain
    one = cost(aliased(1, 50))
    assert one is not None and cost(aliased(3, 50)) == Cost(3 * one.data, 0)


def test_a_refused_request_is_not_counted() -> None:
    # Variables that do not fit: the request is refused before execution anyway.
    assert cost(HEAVY, {"n": "many"}) is None
    assert cost(HEAVY, {}) is None


def test_introspection_has_its_own_allowance() -> None:
    standard = cost(get_introspection_query())
    assert standard is not None and standard.data == 0
    assert LIMIT < standard.introspection < INTROSPECTION_MAX_COST / 1.5
    twice = "{ a: __schema { types { name } } b: __schema { types { name } } __typename }"
    assert cost(twice) == Cost(1, 2 * (1 + 1 + DEFAULT_LIST_SIZE))


@contextmanager
def statements_run(app: Litestar) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
async def coordinator(graphql: GraphQL, world: World) -> AsyncIterator[str]:
    yield await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)


async def test_a_cheap_query_runs(app: Litestar, graphql: GraphQL, coordinator: str) -> None:
    with statements_run(app) as statements:
        data = await graphql.execute(HEAVY, {"n": 20}, token=coordinator)
    assert data == {"mentorships": {"items": []}}
    assert statements, "the query ran"


async def test_a_nested_list_query_over_the_limit_is_refused_before_anything_runs(
    app: Litestar, graphql: GraphQL, sessions, coordinator: str
) -> None:
    assert cost(HEAVY, {"n": 200}).data > LIMIT  # type: ignore[union-attr]
    with statements_run(app) as statements:
        await assert_refused(
            graphql, sessions, HEAVY, {"n": 200}, code="QUERY_TOO_COMPLEX", token=coordinator
        )
    # The table comparison of assert_refused runs on the test's own engine.
    assert statements == [], "no resolver may run"
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(HEAVY, {"n": 200}, token=coordinator, language="fr")
    assert f"{LIMIT}" in refused.value.message and "coûte au moins" in refused.value.message
    assert refused.value.errors[0]["extensions"] == {"code": "QUERY_TOO_COMPLEX"}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (WITH_FRAGMENT, {}),
        (WITH_FRAGMENT, {"n": 200}),
        (WITH_INLINE_FRAGMENT, {}),
        (aliased(3, 50), {}),
    ],
    ids=["fragment-and-variable-default", "fragment-and-variable", "inline-fragment", "aliases"],
)
async def test_fragments_variables_and_aliases_hide_no_cost(
    app: Litestar, graphql: GraphQL, coordinator: str, query: str, variables: dict[str, Any]
) -> None:
    with statements_run(app) as statements, pytest.raises(GraphQLError) as refused:
        await graphql.execute(query, variables, token=coordinator)
    assert refused.value.code == "QUERY_TOO_COMPLEX"
    assert statements == []


async def test_aliases_multiply_cost_up_to_the_limit(graphql: GraphQL, coordinator: str) -> None:
    two, three = cost(aliased(2, 50)), cost(aliased(3, 50))
    assert two is not None and three is not None and two.data <= LIMIT < three.data
    assert await graphql.execute(aliased(2, 50), token=coordinator) == {
        "m0": {"items": []},
        "m1": {"items": []},
    }
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(aliased(3, 50), token=coordinator)
    assert refused.value.code == "QUERY_TOO_COMPLEX"


async def test_the_standard_introspection_query_is_answered(graphql: GraphQL) -> None:
    data = await graphql.execute(get_introspection_query())
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_a_body_over_the_size_limit_is_refused_with_413(app: Litestar, graphql: GraphQL) -> None:
    limit = Settings().request_max_body_bytes
    padding = " " * limit  # whitespace is ignored by GraphQL: only the size is wrong
    with statements_run(app) as statements:
        response = await graphql.client.post("/graphql", json={"query": "{ __typename }" + padding})
    assert response.status_code == 413
    assert statements == []
    just_under = " " * (limit - 100)
    response = await graphql.client.post("/graphql", json={"query": "{ __typename }" + just_under})
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


# strawberry's limits, as build_schema sets them.
MAX_DEPTH = Settings().graphql_max_depth
MAX_ALIASES = 30
MAX_TOKENS = 5000


def nested(fields: int) -> str:
    """``fields`` fields, each inside the previous one. No path of the schema is that
    deep: the depth is refused before the fields are checked against the schema."""
    return "{ " + "a { " * (fields - 1) + "a" + " }" * fields


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{index}: __typename" for index in range(count)) + " }"


def tokens(count: int) -> str:
    """A document of ``count`` tokens: a field in braces, and comments (counted too;
    thousands of fields would be refused by graphql-core's validation first)."""
    return "{\n" + "# a comment\n" * (count - 3) + "__typename\n}"


@pytest.mark.parametrize(
    ("query", "code", "french"),
    [
        (nested(MAX_DEPTH + 2), "QUERY_TOO_DEEP", "imbrique ses champs trop profondément"),
        (aliases(MAX_ALIASES + 1), "QUERY_TOO_MANY_ALIASES", "trop d'alias"),
        (tokens(MAX_TOKENS + 1), "QUERY_TOO_LONG", "est trop longue"),
    ],
    ids=["depth", "aliases", "tokens"],
)
async def test_strawberry_limits_refuse_with_a_code_in_the_callers_language(
    app: Litestar, graphql: GraphQL, sessions, coordinator: str, query: str, code: str, french: str
) -> None:
    with statements_run(app) as statements:
        await assert_refused(graphql, sessions, query, {}, code=code, token=coordinator)
    assert statements == [], "no resolver may run"
    limit = {"QUERY_TOO_DEEP": MAX_DEPTH, "QUERY_TOO_MANY_ALIASES": MAX_ALIASES, "QUERY_TOO_LONG": MAX_TOKENS}
    for language, words in (("en", "at most"), ("fr", french)):
        with pytest.raises(GraphQLError) as refused:
            await graphql.execute(query, token=coordinator, language=language)
        assert words in refused.value.message and f"{limit[code]}" in refused.value.message
        assert refused.value.errors[0]["extensions"] == {"code": code}
        # Refused once, and strawberry's English refusal is not sent as well: any other
        # error is about the made-up fields of the nested document.
        others = [error for error in refused.value.errors if error["extensions"]["code"] != code]
        assert len(refused.value.errors) - len(others) == 1
        assert all(error["message"].startswith("Cannot query field 'a'") for error in others)


async def test_the_limits_are_where_they_are_said_to_be(graphql: GraphQL, coordinator: str) -> None:
    assert await graphql.execute(aliases(MAX_ALIASES), token=coordinator) == {
        f"a{index}": "Query" for index in range(MAX_ALIASES)
    }
    assert await graphql.execute(tokens(MAX_TOKENS), token=coordinator) == {"__typename": "Query"}
    # Within the depth limit, the made-up fields are what is refused.
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(nested(MAX_DEPTH + 1), token=coordinator)
    assert {error["extensions"]["code"] for error in refused.value.errors} == {"GRAPHQL_VALIDATION_FAILED"}


async def test_a_document_that_does_not_parse_is_refused_with_a_code(graphql: GraphQL) -> None:
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute("{ viewer { id ")
    assert refused.value.code == "GRAPHQL_VALIDATION_FAILED"
    assert refused.value.message.startswith("Syntax Error")
