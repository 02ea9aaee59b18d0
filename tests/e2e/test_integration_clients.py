"""Integration clients: an organization admin creates one, it gets tokens at
/oauth/token (client credentials), calls only the operations it was granted, for its
organization only, until the admin revokes it."""

import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from httpx import Response
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core import clock
from core.app import create_app
from core.search.embedded import EmbeddedSearch
from core.services.integrations import service_email
from core.settings import Settings
from tests.e2e.test_bad_input import assert_refused, client_input
from tests.graphql_client import GraphQL, GraphQLError
from tests.mailbox import Mailbox
from tests.world import PASSWORD, World

CREATE = """mutation($input: IntegrationClientInput!) { createIntegrationClient(input: $input) {
  clientSecret client { id name role operations revokedAt } } }"""
REVOKE = "mutation($id: UUID!) { revokeIntegrationClient(id: $id) { id revokedAt } }"
LIST = "{ integrationClients { id name operations revokedAt } }"
CLIENTS = "{ clients { totalCount items { firstName } } }"
REGISTER = "mutation($input: MenteeInput!) { registerMentee(input: $input) { firstName } }"
GRANTED = ["clients", "registerMentee", "integrationClients"]


@dataclass
class Client:
    id: str
    secret: str


async def create_client(
    graphql: GraphQL, admin: str, operations: list[str] = GRANTED, role: str = "COORDINATOR"
) -> Client:
    created = await graphql.execute(
        CREATE, {"input": {"name": "CRM sync", "role": role, "operations": operations}}, token=admin
    )
    payload = created["createIntegrationClient"]
    assert payload["client"]["operations"] == sorted(operations)
    return Client(payload["client"]["id"], payload["clientSecret"])


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


async def request_token(
    graphql: GraphQL,
    form: dict[str, str],
    headers: dict[str, str] | None = None,
) -> Response:
    return await graphql.client.post("/oauth/token", data=form, headers=headers or {})


async def access_token(graphql: GraphQL, client: Client, scope: str | None = None) -> str:
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = await request_token(graphql, form, basic(client.id, client.secret))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
async def agency_admin(graphql: GraphQL, world: World) -> str:
    return await graphql.sign_in(world.emails["agency_admin"], PASSWORD)


async def test_a_token_by_basic_or_post_calls_the_granted_operations(
    graphql: GraphQL, world: World, agency_admin: str
) -> None:
    client = await create_client(graphql, agency_admin)
    by_basic = await request_token(
        graphql, {"grant_type": "client_credentials"}, basic(client.id, client.secret)
    )
    by_post = await request_token(
        graphql,
        {"grant_type": "client_credentials", "client_id": client.id, "client_secret": client.secret},
    )
    for response in (by_basic, by_post):
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        assert body["scope"] == "clients integrationClients registerMentee"
        assert response.headers["Cache-Control"] == "no-store"
        token = body["access_token"]
        listed = await graphql.execute(CLIENTS, token=token)
        assert [item["firstName"] for item in listed["clients"]["items"]] == ["Amina"]
    registered = await graphql.execute(
        REGISTER, {"input": client_input()}, token=by_post.json()["access_token"]
    )
    assert registered["registerMentee"] == {"firstName": "Omar"}
    # The agency's staff see the file the client registered: it belongs to the agency.
    coordinator = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    assert (await graphql.execute(CLIENTS, token=coordinator))["clients"]["totalCount"] == 2


async def test_operations_outside_the_grant_are_refused_whole(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], agency_admin: str
) -> None:
    token = await access_token(graphql, await create_client(graphql, agency_admin))
    refer = 'mutation { submitReferral(input: {menteeId: "00000000-0000-0000-0000-000000000000", ' + (
        'programId: "00000000-0000-0000-0000-000000000000", consent: true}) { id } }'
    )
    await assert_refused(graphql, sessions, refer, {}, code="OPERATION_NOT_GRANTED", token=token)
    # Mixed with a granted field, or hidden in a fragment: still refused, nothing runs.
    for query in (
        "{ clients { totalCount } mentors { totalCount } }",
        "{ ...everything } fragment everything on Query { clients { totalCount } mentors { totalCount } }",
        "{ ... on Query { viewer { id } } }",
    ):
        with pytest.raises(GraphQLError) as refused:
            await graphql.execute(query, token=token, language="fr")
        assert refused.value.code == "OPERATION_NOT_GRANTED"
        assert "n’a pas reçu le droit" in refused.value.message
    assert (await graphql.execute("{ __typename clients { totalCount } }", token=token))[
        "__typename"
    ] == "Query"
    # Granted, but the client's role (coordinator) does not allow it.
    assert await code_of(graphql, LIST, token) == "FORBIDDEN"


async def code_of(graphql: GraphQL, query: str, token: str, organization: str | None = None) -> str:
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(query, token=token, organization=organization)
    return str(refused.value.code)


async def test_a_narrower_scope_and_scopes_outside_the_grant(graphql: GraphQL, agency_admin: str) -> None:
    client = await create_client(graphql, agency_admin)
    narrow = await access_token(graphql, client, scope="clients")
    assert (await graphql.execute(CLIENTS, token=narrow))["clients"]["totalCount"] == 1
    assert await code_of(graphql, "mutation { requestEmailVerification }", narrow) == "OPERATION_NOT_GRANTED"
    for scope in ("clients mentors", "nosuchthing"):
        response = await request_token(
            graphql,
            {"grant_type": "client_credentials", "scope": scope},
            {**basic(client.id, client.secret), "Accept-Language": "fr"},
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_scope"
        assert response.json()["error_description"].startswith("Opérations hors des droits")


async def test_the_token_cannot_act_for_another_organization(graphql: GraphQL, agency_admin: str) -> None:
    token = await access_token(graphql, await create_client(graphql, agency_admin))
    for organization in ("other", "hub"):
        assert await code_of(graphql, CLIENTS, token, organization) == "NOT_MEMBER"
    assert (await graphql.execute(CLIENTS, token=token, organization="agency"))["clients"]["totalCount"] == 1


async def test_token_endpoint_errors(graphql: GraphQL, agency_admin: str) -> None:
    client = await create_client(graphql, agency_admin)
    grant = {"grant_type": "client_credentials"}
    for form, headers in (
        (grant, basic(client.id, "not the secret")),
        ({**grant, "client_id": client.id, "client_secret": "not the secret"}, {}),
        (grant, basic("f2f5a8a0-1b1e-4f55-9d2d-7f1c7f0e0e0e", client.secret)),
        (grant, basic("not-a-uuid", client.secret)),
        (grant, {"Authorization": "Basic %%%"}),
        (grant, {}),
    ):
        response = await request_token(graphql, form, headers)
        assert response.status_code == 401, form
        assert response.json()["error"] == "invalid_client"
        assert response.headers["WWW-Authenticate"] == 'Basic realm="tremplin"'
    unsupported = await request_token(graphql, {"grant_type": "password"}, basic(client.id, client.secret))
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"
    assert "password" in unsupported.json()["error_description"]
    for form, headers in (
        ({}, basic(client.id, client.secret)),  # no grant_type
        ({**grant, "client_secret": client.secret}, basic(client.id, client.secret)),  # two methods
    ):
        response = await request_token(graphql, form, headers)
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    repeated = await graphql.client.post(
        "/oauth/token",
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded", **basic(client.id, client.secret)},
    )
    assert repeated.status_code == 400 and repeated.json()["error"] == "invalid_request"


async def test_revocation_takes_effect_at_once(graphql: GraphQL, world: World, agency_admin: str) -> None:
    client = await create_client(graphql, agency_admin)
    token = await access_token(graphql, client)
    revoked = await graphql.execute(REVOKE, {"id": client.id}, token=agency_admin)
    assert revoked["revokeIntegrationClient"]["revokedAt"] is not None
    assert await code_of(graphql, CLIENTS, token) == "UNAUTHENTICATED"
    response = await request_token(
        graphql, {"grant_type": "client_credentials"}, basic(client.id, client.secret)
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    [listed] = (await graphql.execute(LIST, token=agency_admin))["integrationClients"]
    assert listed["id"] == client.id and listed["revokedAt"] is not None


async def test_only_the_organizations_admin_manages_its_clients(
    graphql: GraphQL, world: World, sessions: async_sessionmaker[AsyncSession], agency_admin: str
) -> None:
    client = await create_client(graphql, agency_admin)
    hub_admin = await graphql.sign_in(world.emails["hub_admin"], PASSWORD)
    await assert_refused(graphql, sessions, REVOKE, {"id": client.id}, code="NOT_FOUND", token=hub_admin)
    assert (await graphql.execute(LIST, token=hub_admin))["integrationClients"] == []
    coordinator = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    create = {"input": {"name": "Mine", "role": "VIEWER", "operations": ["clients"]}}
    await assert_refused(graphql, sessions, CREATE, create, code="FORBIDDEN", token=coordinator)
    await assert_refused(graphql, sessions, REVOKE, {"id": client.id}, code="FORBIDDEN", token=coordinator)
    assert await code_of(graphql, LIST, coordinator) == "FORBIDDEN"
    # Still working: nobody but its admin could touch it.
    assert (await graphql.execute(CLIENTS, token=await access_token(graphql, client)))["clients"]


@pytest.mark.parametrize(
    ("client", "code"),
    [
        ({"name": "X", "role": "COORDINATOR", "operations": ["clients", "noSuchField"]}, "UNKNOWN_OPERATION"),
        ({"name": "X", "role": "ORG_ADMIN", "operations": ["clients"]}, "CLIENT_ROLE_NOT_ALLOWED"),
        ({"name": "X", "role": "MENTOR", "operations": ["clients"]}, "CLIENT_ROLE_NOT_ALLOWED"),
        ({"name": "X", "role": "VIEWER", "operations": []}, "REQUIRED"),
        ({"name": "  ", "role": "VIEWER", "operations": ["clients"]}, "REQUIRED"),
    ],
)
async def test_bad_clients_are_refused(
    graphql: GraphQL,
    sessions: async_sessionmaker[AsyncSession],
    agency_admin: str,
    client: dict[str, Any],
    code: str,
) -> None:
    await assert_refused(graphql, sessions, CREATE, {"input": client}, code=code, token=agency_admin)


async def test_the_service_account_has_no_password_and_no_mailbox(
    graphql: GraphQL, agency_admin: str, mailbox: Mailbox
) -> None:
    client = await create_client(graphql, agency_admin)
    email = service_email(uuid.UUID(client.id))
    with pytest.raises(GraphQLError) as refused:
        await graphql.sign_in(email, "")
    assert refused.value.code == "INVALID_CREDENTIALS"
    await graphql.execute("mutation($e: String!) { requestPasswordReset(email: $e) }", {"e": email})
    assert await mailbox.deliver() == []


async def test_a_token_expires(graphql: GraphQL, agency_admin: str) -> None:
    client = await create_client(graphql, agency_admin)
    issued_at = clock.now()
    with clock.frozen_at(issued_at):
        token = await access_token(graphql, client)
    with clock.frozen_at(issued_at + timedelta(minutes=61)):
        assert await code_of(graphql, CLIENTS, token) == "UNAUTHENTICATED"


@pytest.fixture
async def strict(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[GraphQL]:
    """An application allowing three token requests a minute per client and address."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        token_requests_per_minute=3,
    )
    async with AsyncTestClient(
        create_app(settings, EmbeddedSearch(None), index_in_background=False)
    ) as client:
        yield GraphQL(client)


async def test_the_token_endpoint_is_rate_limited(strict: GraphQL, world: World) -> None:
    admin = await strict.sign_in(world.emails["agency_admin"], PASSWORD)
    client = await create_client(strict, admin)
    start = clock.now()
    with clock.frozen_at(start):
        for secret in ("wrong", "wrong", client.secret):
            response = await request_token(
                strict, {"grant_type": "client_credentials"}, basic(client.id, secret)
            )
            assert response.status_code in (200, 401)
        limited = await request_token(
            strict, {"grant_type": "client_credentials"}, basic(client.id, client.secret)
        )
        assert limited.status_code == 429 and limited.json()["error"] == "slow_down"
        assert limited.headers["Retry-After"] == "60"
    with clock.frozen_at(start + timedelta(minutes=1, seconds=1)):
        assert await access_token(strict, client)


async def test_the_guard_leaves_people_alone(graphql: GraphQL, world: World, agency_admin: str) -> None:
    """A person signing in while still sending an old token gets their new session, and
    a client token is only valid whole."""
    stale = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    await graphql.execute("mutation { signOut }", token=stale)
    signed_in = await graphql.execute(
        "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { viewer { displayName } } }",
        {"e": world.emails["hub_coordinator"], "p": PASSWORD},
        token=stale,
    )
    assert signed_in["signIn"]["viewer"]["displayName"] == "Hub Coordinator"
    token = await access_token(graphql, await create_client(graphql, agency_admin))
    assert await code_of(graphql, CLIENTS, token.removeprefix("tic_")) == "UNAUTHENTICATED"
