"""Single sign-on through a real OpenID provider (oidc-provider, started from
tests/oidc/ on loopback), browser sessions in cookies, and CSRF protection.

The provider only mints good tokens, so the refusals of bad ID tokens (wrong issuer,
another key, expired, another audience, another nonce) are checked on the validation
function with tokens minted here by joserfc.
"""

import json
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import select

from core import clock
from core.app import create_app
from core.models import AuthToken, ExternalIdentity, Membership, Role, SignOnProvider, User
from core.search.embedded import EmbeddedSearch
from core.services import sign_on
from core.services.sign_on import TokenInvalid, validate_id_token
from core.settings import Settings
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, table_contents

PROVIDER_DIR = Path(__file__).parents[1] / "oidc"
PUBLIC_URL = "https://testserver.local"
CLIENT_ID = "tremplin-hub"
CLIENT_SECRET = "hub-client-secret-0123456789"
SESSION_COOKIE = "__Host-tremplin-session"
CSRF_COOKIE = "__Host-tremplin-csrf"
STATE_COOKIE = "__Host-tremplin-sign-on"
# Who the provider knows, by login (any password).
ACCOUNTS = {
    "alice": {"email": "alice@sso.test", "email_verified": True, "name": "Alice Martin", "locale": "fr-CA"},
    # Same address as accounts of the test world:
    "hub-coordinator": {"email": "hub_coordinator@hub.test", "email_verified": True, "name": "H C"},
    "hub-admin-unverified": {"email": "hub_admin@hub.test", "email_verified": False, "name": "H A"},
    "agency-coordinator": {"email": "agency_coordinator@agency.test", "email_verified": True, "name": "A C"},
    "no-email": {"name": "Nobody"},
}

VIEWER = "{ viewer { id displayName organization { slug } roles } }"
CONFIGURE = """mutation($input: SignOnProviderInput!) {
  configureSignOn(input: $input) { issuer clientId newMemberRole enabled redirectUri } }"""
READ = "{ signOnProvider { issuer clientId newMemberRole enabled redirectUri } }"
REMOVE = "mutation { removeSignOn }"


@pytest.fixture(scope="module")
def oidc_issuer() -> Iterator[str]:
    """The provider's issuer URL, the provider running for this module's tests."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        reason = "node and npm are needed to run the OpenID provider of the sign-on tests"
        if os.environ.get("TREMPLIN_REQUIRE_OIDC") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True)
    environment = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{PUBLIC_URL}/auth/sso/callback",
        "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
    }
    process = subprocess.Popen(
        [node, "provider.js"],
        cwd=PROVIDER_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        issuer = json.loads(process.stdout.readline())["issuer"]
        for _ in range(100):  # the discovery document answers once the provider is ready
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the OpenID provider did not start")
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]


@pytest.fixture
async def browser(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """The application served at its public https address, seen from a browser."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        public_url=PUBLIC_URL,
    )
    app = create_app(settings, EmbeddedSearch(None), index_in_background=False)
    async with AsyncTestClient(app, base_url=PUBLIC_URL) as client:
        client.follow_redirects = False  # a redirect to the provider leaves this application
        yield client


@pytest.fixture
def api(browser: AsyncTestClient) -> GraphQL:  # type: ignore[type-arg]
    return GraphQL(browser)


@dataclass
class Landing:
    response: httpx.Response
    callback_url: str


async def sign_on_through_provider(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    login: str,
    *,
    organization: str = "hub",
    return_to: str = "/welcome",
) -> Landing:
    """What a browser does: go to the platform's sign-on link, follow redirects to the
    provider, fill in its login and consent pages, come back to the callback."""
    departure = await browser.get(f"/auth/sso/{organization}", params={"returnTo": return_to})
    assert departure.status_code == 302, departure.text
    location = departure.headers["location"]
    async with httpx.AsyncClient() as provider:  # the browser's cookies at the provider
        while not location.startswith(PUBLIC_URL):
            response = await provider.get(location)
            if response.status_code == 200:  # an interaction page: login, then consent
                form = (
                    {"prompt": "login", "login": login, "password": "anything"}
                    if 'name="prompt" value="login"' in response.text
                    else {"prompt": "consent"}
                )
                response = await provider.post(str(response.url), data=form)
            assert response.status_code in (302, 303), response.text
            location = urljoin(str(response.url), response.headers["location"])
    return Landing(response=await browser.get(location), callback_url=location)


async def configure(api: GraphQL, world: World, issuer: str, role: str = "COORDINATOR") -> dict[str, Any]:
    token = await api.sign_in(world.emails["hub_admin"], PASSWORD)
    variables = {
        "input": {
            "issuer": issuer,
            "clientId": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "newMemberRole": role,
        }
    }
    return (await api.execute(CONFIGURE, variables, token=token))["configureSignOn"]


async def graphql_with_cookie(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    query: str,
    csrf: str | None,
) -> httpx.Response:
    headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
    return await browser.post("/graphql", json={"query": query}, headers=headers)


# -- The whole flow, through the real provider --------------------------------------------


async def test_a_person_signs_in_through_their_organizations_provider(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    oidc_issuer: str,
) -> None:
    configured = await configure(api, world, oidc_issuer)
    assert configured["redirectUri"] == f"{PUBLIC_URL}/auth/sso/callback"
    listed = await api.execute("{ signOnOrganizations { organization { slug } signInPath } }")
    assert listed["signOnOrganizations"] == [{"organization": {"slug": "hub"}, "signInPath": "/auth/sso/hub"}]

    landing = await sign_on_through_provider(browser, "alice")

    assert landing.response.status_code == 302, landing.response.text
    assert landing.response.headers["location"] == "/welcome"
    # A member of the hub, with the configured role; a new account from the provider's claims.
    async with sessions() as session:
        user = await session.scalar(select(User).where(User.email == "alice@sso.test"))
        assert user is not None and user.display_name == "Alice Martin" and user.password_hash is None
        assert user.preferred_language == "fr"
        roles = {
            (row.organization_id, row.role)
            for row in await session.scalars(select(Membership).where(Membership.user_id == user.id))
        }
        assert roles == {(world.organizations["hub"], Role.COORDINATOR)}
        identity = await session.scalar(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
        assert identity is not None and (identity.issuer, identity.subject) == (oidc_issuer, "alice")

    # The browser session works with the CSRF header, and only with it.
    csrf = browser.cookies.get(CSRF_COOKIE)
    assert csrf
    answer = await graphql_with_cookie(browser, VIEWER, csrf)
    viewer = answer.json()["data"]["viewer"]
    assert viewer["id"] == str(user.id)
    assert viewer["organization"] == {"slug": "hub"}
    assert viewer["roles"] == ["COORDINATOR"]
    for missing_or_wrong in (None, "", csrf[:-2] + "xx"):
        refused = await graphql_with_cookie(browser, VIEWER, missing_or_wrong)
        assert refused.status_code == 403
        assert refused.json()["extra"]["code"] == "CSRF_TOKEN_INVALID"

    # Signing in again finds the same account through the linked identity.
    again = await sign_on_through_provider(browser, "alice", return_to="/")
    assert again.response.headers["location"] == "/"
    async with sessions() as session:
        assert len((await session.scalars(select(User).where(User.email == "alice@sso.test"))).all()) == 1
        assert len((await session.scalars(select(ExternalIdentity))).all()) == 1


async def test_the_same_state_cannot_be_used_twice(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    oidc_issuer: str,
) -> None:
    await configure(api, world, oidc_issuer)
    landing = await sign_on_through_provider(browser, "alice")
    assert landing.response.status_code == 302
    state = parse_qs(urlsplit(landing.callback_url).query)["state"][0]
    before = await table_contents(sessions)
    # Replayed with the state cookie put back as it was: the attempt is gone.
    browser.cookies.set(STATE_COOKIE, state, domain="testserver.local")
    replayed = await browser.get(landing.callback_url, headers={"Accept-Language": "fr"})
    assert replayed.status_code == 400
    assert "SIGN_ON_STATE_INVALID" in replayed.text
    assert replayed.text.startswith("Ce lien de connexion a expiré")  # French first, then English
    assert "This sign-in link has expired" in replayed.text
    assert await table_contents(sessions) == before


async def test_a_callback_finished_in_another_browser_is_refused(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    oidc_issuer: str,
) -> None:
    """Login CSRF: the attacker's own sign-on, finished in the victim's browser."""
    await configure(api, world, oidc_issuer)
    departure = await browser.get("/auth/sso/hub")
    state = parse_qs(urlsplit(departure.headers["location"]).query)["state"][0]
    browser.cookies.delete(STATE_COOKIE)
    refused = await browser.get("/auth/sso/callback", params={"state": state, "code": "stolen"})
    assert refused.status_code == 400 and "SIGN_ON_STATE_INVALID" in refused.text
    assert browser.cookies.get(SESSION_COOKIE) is None


async def test_a_verified_email_of_a_member_links_that_account_and_keeps_its_roles(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    oidc_issuer: str,
) -> None:
    await configure(api, world, oidc_issuer, role="VIEWER")
    landing = await sign_on_through_provider(browser, "hub-coordinator")
    assert landing.response.status_code == 302, landing.response.text
    coordinator = world.actors["hub_coordinator"].user_id
    async with sessions() as session:
        identity = await session.scalar(select(ExternalIdentity))
        assert identity is not None and identity.user_id == coordinator
        roles = await session.scalars(select(Membership.role).where(Membership.user_id == coordinator))
        assert list(roles) == [Role.COORDINATOR]  # not given the new members' VIEWER role on top


@pytest.mark.parametrize(
    ("login", "why"),
    [
        ("hub-admin-unverified", "the provider does not vouch for the address"),
        ("agency-coordinator", "the account belongs to another organization"),
    ],
)
async def test_an_existing_account_is_not_taken_over(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    oidc_issuer: str,
    login: str,
    why: str,
) -> None:
    await configure(api, world, oidc_issuer)
    landing = await sign_on_through_provider(browser, login)
    assert landing.response.status_code == 400, why
    assert "SIGN_ON_EMAIL_TAKEN" in landing.response.text
    assert browser.cookies.get(SESSION_COOKIE) is None
    async with sessions() as session:
        assert (await session.scalars(select(ExternalIdentity))).all() == []


async def test_a_provider_giving_no_email_is_refused(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    oidc_issuer: str,
) -> None:
    await configure(api, world, oidc_issuer)
    landing = await sign_on_through_provider(browser, "no-email")
    assert landing.response.status_code == 400 and "SIGN_ON_EMAIL_MISSING" in landing.response.text


async def test_rotated_provider_keys_are_fetched_again(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    oidc_issuer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cached key set holds only an old key: the token's key id is unknown, so the
    key set is fetched once more, and the sign-on succeeds."""
    await configure(api, world, oidc_issuer)
    metadata = await sign_on.provider_metadata(oidc_issuer)
    stale = KeySet([RSAKey.generate_key(2048, parameters={"kid": "retired"})]).as_dict(private=False)
    monkeypatch.setitem(sign_on._published, metadata["jwks_uri"], (clock.now() + sign_on.METADATA_TTL, stale))
    landing = await sign_on_through_provider(browser, "alice")
    assert landing.response.status_code == 302, landing.response.text


async def test_sign_on_refusals_before_the_provider(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    oidc_issuer: str,
) -> None:
    not_configured = await browser.get("/auth/sso/agency")
    assert not_configured.status_code == 404 and "SIGN_ON_NOT_CONFIGURED" in not_configured.text
    assert (await browser.get("/auth/sso/nobody")).status_code == 404
    await configure(api, world, oidc_issuer)
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "welcome"):
        refused = await browser.get("/auth/sso/hub", params={"returnTo": elsewhere})
        assert refused.status_code == 400 and "SIGN_ON_RETURN_PATH_INVALID" in refused.text, elsewhere
    # The person cancels at the provider: the attempt is used up all the same.
    departure = await browser.get("/auth/sso/hub")
    state = parse_qs(urlsplit(departure.headers["location"]).query)["state"][0]
    denied = await browser.get("/auth/sso/callback", params={"state": state, "error": "access_denied"})
    assert denied.status_code == 400 and "SIGN_ON_DENIED" in denied.text
    # An answer claiming to come from another provider (mix-up).
    departure = await browser.get("/auth/sso/hub")
    state = parse_qs(urlsplit(departure.headers["location"]).query)["state"][0]
    mixed = await browser.get(
        "/auth/sso/callback", params={"state": state, "code": "x", "iss": "https://other.example"}
    )
    assert mixed.status_code == 400 and "SIGN_ON_TOKEN_INVALID" in mixed.text
    # A made-up code: the provider refuses it.
    departure = await browser.get("/auth/sso/hub")
    state = parse_qs(urlsplit(departure.headers["location"]).query)["state"][0]
    made_up = await browser.get("/auth/sso/callback", params={"state": state, "code": "made-up"})
    assert made_up.status_code == 400 and "SIGN_ON_CODE_REFUSED" in made_up.text


async def test_an_expired_attempt_is_refused(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    oidc_issuer: str,
) -> None:
    await configure(api, world, oidc_issuer)
    departure = await browser.get("/auth/sso/hub")
    state = parse_qs(urlsplit(departure.headers["location"]).query)["state"][0]
    with clock.frozen_at(clock.now() + timedelta(minutes=11)):  # past the 10 minutes allowed
        late = await browser.get("/auth/sso/callback", params={"state": state, "code": "x"})
    assert late.status_code == 400 and "SIGN_ON_STATE_INVALID" in late.text


# -- Configuration by the organization's admin ------------------------------------------------


async def test_the_admin_configures_reads_and_removes_their_provider(
    api: GraphQL, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    token = await api.sign_in(world.emails["hub_admin"], PASSWORD)
    assert (await api.execute(READ, token=token))["signOnProvider"] is None
    variables = {
        "input": {
            "issuer": "https://id.hub.example",
            "clientId": "platform",
            "clientSecret": CLIENT_SECRET,
            "newMemberRole": "MENTOR",
        }
    }
    await api.execute(CONFIGURE, variables, token=token)
    assert (await api.execute(READ, token=token))["signOnProvider"] == {
        "issuer": "https://id.hub.example",
        "clientId": "platform",
        "newMemberRole": "MENTOR",
        "enabled": True,
        "redirectUri": f"{PUBLIC_URL}/auth/sso/callback",
    }
    # The secret is stored sealed, and opens with the platform's key only.
    async with sessions() as session:
        row = await session.scalar(select(SignOnProvider))
        assert row is not None and CLIENT_SECRET not in row.sealed_client_secret
        key = api.client.app.state.settings.derived_key(sign_on.SEALING_PURPOSE)
        assert sign_on.unseal(key, row.sealed_client_secret) == CLIENT_SECRET
        sealed_before = row.sealed_client_secret
    # Changing the role and switching it off keeps the secret when none is given.
    variables["input"] |= {"clientSecret": None, "newMemberRole": "MENTEE", "enabled": False}
    changed = (await api.execute(CONFIGURE, variables, token=token))["configureSignOn"]
    assert (changed["newMemberRole"], changed["enabled"]) == ("MENTEE", False)
    async with sessions() as session:
        assert await session.scalar(select(SignOnProvider.sealed_client_secret)) == sealed_before
    assert (await api.execute("{ signOnOrganizations { signInPath } }"))["signOnOrganizations"] == []
    assert (await api.execute(REMOVE, token=token))["removeSignOn"] is True
    assert (await api.execute(READ, token=token))["signOnProvider"] is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"issuer": "http://id.hub.example"}, "SIGN_ON_ISSUER_INVALID"),
        ({"issuer": "ftp://id.hub.example"}, "SIGN_ON_ISSUER_INVALID"),
        ({"issuer": "https://id.hub.example/?tenant=1"}, "SIGN_ON_ISSUER_INVALID"),
        ({"issuer": "https://id.hub.example:port"}, "SIGN_ON_ISSUER_INVALID"),
        ({"issuer": "   "}, "REQUIRED"),
        ({"clientId": " "}, "REQUIRED"),
        ({"clientSecret": None}, "REQUIRED"),
        ({"clientSecret": "x" * 1001}, "TOO_LONG"),
        ({"newMemberRole": "ORG_ADMIN"}, "SIGN_ON_ROLE_NOT_ALLOWED"),
    ],
)
async def test_bad_configurations_are_refused(
    api: GraphQL,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    changes: dict[str, Any],
    code: str,
) -> None:
    token = await api.sign_in(world.emails["hub_admin"], PASSWORD)
    good = {
        "issuer": "https://id.hub.example",
        "clientId": "platform",
        "clientSecret": CLIENT_SECRET,
        "newMemberRole": "COORDINATOR",
    }
    await assert_refused(api, sessions, CONFIGURE, {"input": good | changes}, code=code, token=token)


async def test_http_is_accepted_on_loopback_only(api: GraphQL, world: World) -> None:
    token = await api.sign_in(world.emails["hub_admin"], PASSWORD)
    for issuer in ("http://127.0.0.1:9000", "http://localhost:9000/realm", "http://[::1]:9000"):
        variables = {
            "input": {"issuer": issuer, "clientId": "c", "clientSecret": "s", "newMemberRole": "MENTEE"}
        }
        assert (await api.execute(CONFIGURE, variables, token=token))["configureSignOn"]["issuer"] == issuer


async def test_only_the_organizations_admin_reads_or_changes_its_provider(
    api: GraphQL, world: World, sessions: async_sessionmaker[AsyncSession], oidc_issuer: str
) -> None:
    await configure(api, world, oidc_issuer)
    variables = {
        "input": {
            "issuer": "https://attacker.example",
            "clientId": "x",
            "clientSecret": "y",
            "newMemberRole": "COORDINATOR",
        }
    }
    coordinator = await api.sign_in(world.emails["hub_coordinator"], PASSWORD)
    for query, arguments in ((READ, {}), (CONFIGURE, variables), (REMOVE, {})):
        await assert_refused(api, sessions, query, arguments, code="FORBIDDEN", token=coordinator)
    # The other organization's admin only ever reaches their own organization's.
    other_admin = await api.sign_in(world.emails["agency_admin"], PASSWORD)
    assert (await api.execute(READ, token=other_admin))["signOnProvider"] is None
    await assert_refused(api, sessions, REMOVE, {}, code="SIGN_ON_NOT_CONFIGURED", token=other_admin)
    await api.execute(CONFIGURE, variables, token=other_admin)
    async with sessions() as session:
        hub = await session.scalar(
            select(SignOnProvider).where(SignOnProvider.organization_id == world.organizations["hub"])
        )
        assert hub is not None and hub.issuer == oidc_issuer and hub.client_id == CLIENT_ID
    with pytest.raises(GraphQLError) as anonymous:
        await api.execute(READ)
    assert anonymous.value.code == "UNAUTHENTICATED"


# -- ID token validation -----------------------------------------------------------------------

ISSUER = "https://id.example"
NONCE = "nonce-of-the-attempt"
NOW = 1_800_000_000


def mint(key: RSAKey, **changes: Any) -> str:
    claims = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "person-1",
        "iat": NOW - 10,
        "exp": NOW + 300,
        "nonce": NONCE,
    } | changes
    return jwt.encode(
        {"alg": "RS256", "kid": key.kid}, {k: v for k, v in claims.items() if v is not None}, key
    )


@pytest.fixture(scope="module")
def provider_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "provider-key"})


def validate(token: str, key: RSAKey) -> dict[str, Any]:
    keys = KeySet([RSAKey.import_key(key.as_dict(private=False))])
    return validate_id_token(token, keys, issuer=ISSUER, client_id=CLIENT_ID, nonce=NONCE, now=lambda: NOW)


def test_a_good_id_token_is_accepted(provider_key: RSAKey) -> None:
    assert validate(mint(provider_key), provider_key)["sub"] == "person-1"
    # Several audiences are fine when the platform is the authorized party; a little clock skew too.
    assert validate(mint(provider_key, aud=[CLIENT_ID, "api"], azp=CLIENT_ID), provider_key)
    assert validate(mint(provider_key, exp=NOW - 30, iat=NOW + 30), provider_key)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://evil.example"}, "claim iss"),
        ({"iss": ISSUER + "/"}, "claim iss"),
        ({"aud": "another-client"}, "claim aud"),
        ({"aud": [CLIENT_ID, "api"], "azp": "api"}, "another authorized party"),
        ({"exp": NOW - 120}, "expired"),
        ({"iat": NOW + 600}, "claim iat"),
        ({"nonce": "another-attempt"}, "claim nonce"),
        ({"nonce": None}, "nonce"),
        ({"sub": None}, "sub"),
        ({"exp": None}, "exp"),
    ],
)
def test_an_id_token_failing_a_claim_is_refused(
    provider_key: RSAKey, changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(TokenInvalid) as refused:
        validate(mint(provider_key, **changes), provider_key)
    assert refused.value.code == "SIGN_ON_TOKEN_INVALID"
    assert reason in refused.value.reason
    assert reason not in str(refused.value.params)  # the reason is logged, not shown


def test_an_id_token_signed_by_another_key_is_refused(provider_key: RSAKey) -> None:
    forger = RSAKey.generate_key(2048, parameters={"kid": "provider-key"})  # same key id, other key
    with pytest.raises(TokenInvalid) as refused:
        validate(mint(forger), provider_key)
    assert refused.value.reason == "bad signature"
    unknown = RSAKey.generate_key(2048, parameters={"kid": "someone-else"})
    with pytest.raises(TokenInvalid) as refused:
        validate(mint(unknown), provider_key)
    assert "does not publish" in refused.value.reason


def test_unsigned_or_secret_signed_id_tokens_are_refused(provider_key: RSAKey) -> None:
    header, payload, _ = mint(provider_key).split(".")
    unsigned_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
    for forged in (f"{unsigned_header}.{payload}.", f"{header}.{payload}.", "not a token"):
        with pytest.raises(TokenInvalid):
            validate(forged, provider_key)


# -- Browser sessions with a password, cookies and CSRF -----------------------------------------


async def open_browser_session(browser: AsyncTestClient, email: str) -> httpx.Response:  # type: ignore[type-arg]
    return await browser.post("/auth/session", json={"email": email, "password": PASSWORD})


async def test_a_password_sign_in_sets_secure_http_only_cookies(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    response = await open_browser_session(browser, world.emails["hub_coordinator"])
    assert response.status_code == 200
    cookies = {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}
    session_cookie, csrf_cookie = cookies[SESSION_COOKIE].lower(), cookies[CSRF_COOKIE].lower()
    for attribute in ("secure", "path=/", "samesite=lax", "max-age=43200"):
        assert attribute in session_cookie and attribute in csrf_cookie, attribute
    assert "httponly" in session_cookie and "httponly" not in csrf_cookie
    assert "domain=" not in session_cookie  # __Host- cookies name no domain
    assert response.json()["csrfToken"] == browser.cookies.get(CSRF_COOKIE)


async def test_browser_sessions_need_the_csrf_header_and_api_tokens_do_not(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    api: GraphQL,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    token = await api.sign_in(world.emails["hub_admin"], PASSWORD)  # an API client's
    csrf = (await open_browser_session(browser, world.emails["hub_coordinator"])).json()["csrfToken"]
    mutation = "mutation { setLanguage(language: FR) }"
    before = await table_contents(sessions)
    for header in (None, "forged", csrf.upper()):
        refused = await graphql_with_cookie(browser, mutation, header)
        assert refused.status_code == 403 and refused.json()["extra"]["code"] == "CSRF_TOKEN_INVALID"
        assert refused.headers["X-Frame-Options"] == "DENY"
    french = await browser.post("/graphql", json={"query": mutation}, headers={"Accept-Language": "fr"})
    assert french.json()["detail"].startswith("Cette requête n'était pas accompagnée")
    assert await table_contents(sessions) == before
    assert (await graphql_with_cookie(browser, mutation, csrf)).json() == {"data": {"setLanguage": "FR"}}
    # A Bearer token needs no CSRF header, even from a browser holding a session cookie.
    viewer = await api.execute(VIEWER, token=token)
    assert viewer["viewer"]["id"] == str(world.actors["hub_admin"].user_id)
    # A session cookie of one person does not become another's with the other's CSRF token.
    browser.cookies.delete(SESSION_COOKIE)
    stolen = await graphql_with_cookie(browser, VIEWER, csrf)
    assert stolen.json() == {"data": {"viewer": None}}


async def test_signing_out_deletes_the_session_and_clears_the_cookies(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    csrf = (await open_browser_session(browser, world.emails["hub_coordinator"])).json()["csrfToken"]
    session_token = browser.cookies.get(SESSION_COOKIE)
    response = await graphql_with_cookie(browser, "mutation { signOut }", csrf)
    assert response.json() == {"data": {"signOut": True}}
    cleared = [header.lower() for header in response.headers.get_list("set-cookie")]
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        assert any(h.startswith(f'{name.lower()}="";') and "max-age=0" in h for h in cleared), name
    assert browser.cookies.get(SESSION_COOKIE) is None
    async with sessions() as session:
        assert (await session.scalars(select(AuthToken))).all() == []
    # The old cookie, put back, signs no one in.
    browser.cookies.set(SESSION_COOKIE, session_token or "", domain="testserver.local")
    with_old = await graphql_with_cookie(browser, VIEWER, csrf)
    assert with_old.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_password_sign_in_refusals(
    browser: AsyncTestClient,  # type: ignore[type-arg]
    world: World,
) -> None:
    wrong = await browser.post(
        "/auth/session",
        json={"email": world.emails["hub_coordinator"], "password": "wrong password"},
        headers={"Accept-Language": "fr"},
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "INVALID_CREDENTIALS"
    assert not wrong.json()["message"].startswith("error.")
    assert browser.cookies.get(SESSION_COOKIE) is None
    # A form on another site cannot post JSON without asking first: only JSON is taken.
    form = await browser.post(
        "/auth/session",
        content=json.dumps({"email": world.emails["hub_coordinator"], "password": PASSWORD}),
        headers={"Content-Type": "text/plain"},
    )
    assert form.status_code == 415 and form.json()["code"] == "JSON_REQUIRED"
    assert browser.cookies.get(SESSION_COOKIE) is None


def test_cookies_lose_the_host_prefix_and_secure_flag_only_in_plain_http_development(tmp_path: Path) -> None:
    from core.http.sessions import session_cookies

    secure = session_cookies(Settings(data_dir=tmp_path), "token")
    plain = session_cookies(Settings(data_dir=tmp_path, cookie_secure=False), "token")
    assert [(c.key, c.secure) for c in secure] == [(SESSION_COOKIE, True), (CSRF_COOKIE, True)]
    assert [(c.key, c.secure) for c in plain] == [("tremplin-session", False), ("tremplin-csrf", False)]
    # The secret key is generated once and kept, readable by its owner only.
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path).derived_key("x") == Settings(data_dir=tmp_path).derived_key("x")
    assert Settings(data_dir=tmp_path).derived_key("x") != Settings(data_dir=tmp_path).derived_key("y")
