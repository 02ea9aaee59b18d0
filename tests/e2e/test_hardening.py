"""Hardening of the HTTP API: security headers on every answer, and sign-in throttled
per account and per client address."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from core import clock
from core.app import SECURITY_HEADERS, create_app
from core.errors import DomainError
from core.http.sessions import SESSION_COOKIE, cookie_name
from core.search.embedded import EmbeddedSearch
from core.settings import Settings
from core.throttle import SignInThrottle, SlidingWindow
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World


async def test_every_answer_carries_the_security_headers(graphql: GraphQL) -> None:
    client = graphql.client
    settings: Settings = client.app.state.settings
    session_cookie = f"{cookie_name(settings, SESSION_COOKIE)}=some-session"
    answers = {
        "health": (200, await client.get("/health")),
        "query": (200, await client.post("/graphql", json={"query": "{ programTypes { key } }"})),
        "invalid query": (200, await client.post("/graphql", json={"query": "{ nope }"})),
        # Litestar's own answers, made before or around any handler of ours.
        "unknown route": (404, await client.get("/nowhere")),
        "wrong method": (405, await client.delete("/health")),
        "invalid body": (400, await client.post("/auth/session", json={"email": "a@b.c"})),
        "oversized body": (
            413,
            await client.post(
                "/graphql",
                content=b"{" + b" " * settings.request_max_body_bytes + b"}",
                headers={"Content-Type": "application/json"},
            ),
        ),
        # An exception raised while serving: a session cookie without its CSRF header.
        "csrf refusal": (
            403,
            await client.post(
                "/graphql", json={"query": "{ viewer { id } }"}, headers={"Cookie": session_cookie}
            ),
        ),
        "sign-on refusal page": (404, await client.get("/auth/sso/nobody")),
    }
    for answer, (status, response) in answers.items():
        assert response.status_code == status, (answer, response.text)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (answer, name)
    assert answers["csrf refusal"][1].json()["extra"] == {"code": "CSRF_TOKEN_INVALID"}
    # One charset, as Litestar adds it to text answers.
    assert answers["sign-on refusal page"][1].headers["content-type"] == "text/plain; charset=utf-8"


async def refused_sign_in(graphql: GraphQL, email: str, password: str, language: str = "en") -> GraphQLError:
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
            {"e": email, "p": password},
            language=language,
        )
    return refused.value


async def test_repeated_failures_lock_the_account_not_the_others(graphql: GraphQL, world: World) -> None:
    target = world.emails["agency_coordinator"]
    for _ in range(5):
        assert (await refused_sign_in(graphql, target, "wrong password")).code == "INVALID_CREDENTIALS"
    # Locked: even the right password is refused, in the caller's language.
    english = await refused_sign_in(graphql, target, PASSWORD)
    french = await refused_sign_in(graphql, target, PASSWORD, "fr")
    assert english.code == french.code == "TOO_MANY_ATTEMPTS"
    assert "15 minute" in english.message and french.message.startswith("Trop de tentatives")
    assert await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)


@pytest.fixture
async def strict(engine: AsyncEngine, tmp_path) -> AsyncIterator[GraphQL]:
    """An application allowing three sign-in attempts a minute per address."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        sign_in_attempts_per_minute=3,
    )
    app = create_app(settings, EmbeddedSearch(None), index_in_background=False)
    async with AsyncTestClient(app) as client:
        yield GraphQL(client)


async def test_one_address_may_only_try_so_often(strict: GraphQL, world: World) -> None:
    emails = [world.emails[key] for key in ("hub_coordinator", "agency_coordinator", "other_coordinator")]
    for email in emails:  # three different accounts, each with the right password
        assert await strict.sign_in(email, PASSWORD)
    assert (await refused_sign_in(strict, world.emails["hub_admin"], PASSWORD)).code == "TOO_MANY_ATTEMPTS"


def test_a_lock_lasts_from_the_oldest_failure_and_then_lifts() -> None:
    throttle = SignInThrottle.of(failures=2, lockout_minutes=10, per_address=100)
    start = clock.now()
    with clock.frozen_at(start):
        throttle.failed("a@example.org")
    with clock.frozen_at(start + timedelta(minutes=4)):
        throttle.failed("a@example.org")
        with pytest.raises(DomainError) as refused:
            throttle.check("a@example.org", None)
        assert refused.value.params == {"minutes": 6}
        throttle.check("b@example.org", None)  # another account is not concerned
    with clock.frozen_at(start + timedelta(minutes=10, seconds=1)):
        throttle.check("a@example.org", None)  # the oldest failure has aged out
    throttle.succeeded("a@example.org")


def test_the_window_forgets_the_stalest_keys_first() -> None:
    window = SlidingWindow(limit=1, span=timedelta(minutes=1))
    for index in range(5):
        window.hit(f"key{index}")
    assert window.wait("key4") is not None and window.wait("key9") is None
