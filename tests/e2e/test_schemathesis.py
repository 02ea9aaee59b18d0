"""schemathesis against the whole application, in-process: GraphQL queries and
mutations generated from the schema /graphql publishes, anonymously and as a
signed-in coordinator, and requests generated from the OpenAPI document of the HTTP
routes. No answer may be a server error or break the published schema.

Cases are drawn by Hypothesis (derandomized, so every run sends the same requests) and
then sent through the test client on the test's own event loop and database, one after
the other: the application and the test share one loop, so no request can race
another or the test's own reads.
"""

import json
import tempfile
import uuid
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import graphql
import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import response_schema_conformance
from schemathesis.errors import FailureGroup
from schemathesis.graphql import nodes
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.app import create_app
from core.models import MatchProposal, Mentorship
from core.search.embedded import EmbeddedSearch
from core.settings import Settings
from tests.graphql_client import GraphQL
from tests.world import PASSWORD, World, active_mentorship

# Per operation; operations without arguments give fewer distinct cases.
GRAPHQL_EXAMPLES = 5
OPENAPI_EXAMPLES = 25
BASE_URL = "http://testserver.local"

# Stand-ins for the world's records: generated documents carry these, and each test
# swaps in the ids of its own world, so generated cases reach real records too.
PLACEHOLDERS = [uuid.UUID(int=0xC0FFEE_0000 + index) for index in range(16)]


def json_value_node(value: dict[str, graphql.ValueNode]) -> graphql.ObjectValueNode:
    return nodes.Object(
        [graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=item) for key, item in value.items()]
    )


# The JSON scalar (referral details, eligibility rules): values shaped like the ones the
# services read, among arbitrary ones.
JSON_KEYS = st.sampled_from(["all", "any", "id", "field", "op", "value", "host_program"]) | st.from_regex(
    r"[a-z][a-z_]{0,10}", fullmatch=True
)
JSON_LEAVES = st.one_of(
    st.just(nodes.Null),
    st.booleans().map(nodes.Boolean),
    st.integers(-(10**6), 10**6).map(nodes.Int),
    st.text(max_size=20).map(nodes.String),
)
schemathesis.graphql.scalar(
    "JSON",
    st.recursive(
        JSON_LEAVES,
        lambda children: (
            st.lists(children, max_size=3).map(nodes.List)
            | st.dictionaries(JSON_KEYS, children, max_size=3).map(json_value_node)
        ),
        max_leaves=8,
    ),
)
# Mostly one of the world's records, sometimes one that does not exist.
schemathesis.graphql.scalar(
    "UUID",
    st.one_of(st.sampled_from(PLACEHOLDERS), st.sampled_from(PLACEHOLDERS), st.uuids())
    .map(str)
    .map(nodes.String),
)


def drawn(strategy: st.SearchStrategy[schemathesis.Case], count: int) -> list[schemathesis.Case]:
    cases: list[schemathesis.Case] = []

    # Generation only (the requests are sent afterwards): health checks about slow or
    # large generation do not apply.
    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: schemathesis.Case) -> None:
        cases.append(case)

    collect()
    return cases


def distinct(cases: Iterable[schemathesis.Case], key: Any) -> list[schemathesis.Case]:
    seen: dict[Any, schemathesis.Case] = {}
    for case in cases:
        seen.setdefault(key(case), case)
    return list(seen.values())


@cache
def graphql_cases(introspection: str) -> list[schemathesis.Case]:
    """Every root field's cases, queries first, signing out last (so a signed-in run
    keeps its session to the end)."""
    schema = schemathesis.graphql.from_dict(json.loads(introspection), config=schemathesis.Config())
    cases = [
        case
        for result in schema.get_all_operations()
        for case in distinct(drawn(result.ok().as_strategy(), GRAPHQL_EXAMPLES), lambda case: case.body)
    ]
    return sorted(
        cases,
        key=lambda case: (
            case.operation.label == "Mutation.signOut",
            case.operation.label.startswith("Mutation."),
        ),
    )


async def record_ids(sessions: async_sessionmaker[AsyncSession], world: World) -> dict[str, str]:
    """The world's records, with a mentorship under way (and its referral and
    proposal), each behind a placeholder, the likeliest targets first."""
    mentorship_id = await active_mentorship(sessions, world)
    async with sessions() as session:
        mentorship = await session.get(Mentorship, mentorship_id)
        assert mentorship is not None
        proposal = await session.get(MatchProposal, mentorship.proposal_id)
        assert proposal is not None
    ids = [
        world.program_id,
        mentorship_id,
        proposal.id,
        proposal.referral_id,
        *world.mentee_ids.values(),
        *world.mentor_ids.values(),
        *world.organizations.values(),
        *(actor.user_id for actor in world.actors.values()),
    ]
    return {str(placeholder): str(real) for placeholder, real in zip(PLACEHOLDERS, ids, strict=False)}


async def run_graphql(
    graphql_client: GraphQL, records: dict[str, str], headers: dict[str, str]
) -> tuple[int, list[str]]:
    """Sends every generated case; the number sent and what went wrong."""
    introspection = await graphql_client.execute(graphql.get_introspection_query())
    cases = graphql_cases(json.dumps(introspection, sort_keys=True))
    problems = []
    for case in cases:
        query = case.body
        for placeholder, real in records.items():
            query = query.replace(placeholder, real)
        response = await graphql_client.client.post("/graphql", json={"query": query}, headers=headers)
        problem = graphql_problem(case, response)
        if problem:
            problems.append(
                f"{case.operation.label}: {problem}\n{query}\n→ {response.status_code} {response.text}"
            )
    return len(cases), problems


def graphql_problem(case: schemathesis.Case, response: Any) -> str | None:
    if response.status_code >= 500:
        return "server error"
    try:
        body = response.json()
    except ValueError:
        return "not JSON"
    if not isinstance(body, dict) or not {"data", "errors"} & body.keys() or body.keys() - {"data", "errors"}:
        return "not a GraphQL response"
    codes = [error.get("extensions", {}).get("code") for error in body.get("errors") or []]
    if "INTERNAL_ERROR" in codes:
        return "unexpected exception (INTERNAL_ERROR)"
    try:
        # A JSON object, and no field left null against its declared type.
        case.validate_response(response, checks=[response_schema_conformance])
    except FailureGroup as failure:
        return f"schema violation: {failure}"
    return None


async def test_generated_graphql_operations_anonymously(graphql: GraphQL, sessions, world: World) -> None:
    sent, problems = await run_graphql(graphql, await record_ids(sessions, world), {})
    assert sent > 200
    assert not problems, "\n\n".join(problems)


async def test_generated_graphql_operations_as_a_coordinator(
    graphql: GraphQL, sessions, world: World
) -> None:
    token = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    headers = {"Authorization": f"Bearer {token}", "Tremplin-Organization": "hub"}
    sent, problems = await run_graphql(graphql, await record_ids(sessions, world), headers)
    assert sent > 200
    assert not problems, "\n\n".join(problems)


def openapi_document() -> dict[str, Any]:
    """The document /schema/openapi.json serves, built without serving anything, to
    give each HTTP route a test of its own."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir)), EmbeddedSearch(None), index_in_background=False)
        return app.openapi_schema.to_schema()


OPERATIONS = [
    f"{method.upper()} {path}" for path, item in openapi_document()["paths"].items() for method in item
]


# A request the document calls valid may rightly be refused with 400 where validity
# is more than the request's shape: the sign-on start refuses a returnTo that is not a
# path of this site, and the callback a state naming no sign-on attempt of this browser
# (these tests start none). Those two operations may answer 400 to schema-valid data.
OPENAPI_CONFIG = """
[[operations]]
include-name = ["GET /auth/sso/{organization_slug}", "GET /auth/sso/callback"]
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"
]
"""


@cache
def openapi_cases(document: str) -> dict[str, list[schemathesis.Case]]:
    schema = schemathesis.openapi.from_dict(
        json.loads(document), config=schemathesis.Config.from_str(OPENAPI_CONFIG)
    )
    return {
        operation.label: distinct(
            drawn(operation.as_strategy(), OPENAPI_EXAMPLES),
            lambda case: repr(case.as_transport_kwargs(base_url=BASE_URL)),
        )
        for operation in (result.ok() for result in schema.get_all_operations())
    }


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_generated_http_requests_meet_the_openapi_document(graphql: GraphQL, operation: str) -> None:
    served = await graphql.client.get("/schema/openapi.json")
    assert served.status_code == 200
    cases = openapi_cases(json.dumps(served.json(), sort_keys=True))[operation]
    assert cases
    failures: dict[tuple[str, str], str] = {}  # one example of each distinct failure
    for case in cases:
        request = case.as_transport_kwargs(base_url=BASE_URL)
        headers = dict(request.get("headers") or {})
        # A form comes as a mapping, any other body as the bytes to send.
        body = request.get("data")
        form, content = (body, None) if isinstance(body, dict) else (None, body)
        if request.get("cookies"):
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in request["cookies"].items())
        response = await graphql.client.request(
            request["method"],
            request["url"],
            params=request.get("params"),
            headers=headers,
            json=request.get("json"),
            data=form,
            content=content,
        )
        try:
            case.validate_response(response)  # schemathesis's default checks
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.setdefault(
                    (failure.title, str(response.status_code)),
                    f"{failure.message}\n{response.text[:300]}\n{case.as_curl_command()}",
                )
    assert not failures, "\n\n".join(
        f"{title} ({status}): {text}" for (title, status), text in failures.items()
    )
