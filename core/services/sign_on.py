"""Single sign-on per organization: OpenID Connect, authorization code flow with PKCE.

An organization admin registers the platform with their identity provider and gives
the issuer, client id and secret here. A person then signs in there: the callback
consumes the attempt once, exchanges the code (with the PKCE verifier), checks the ID
token against the provider's published keys, links the identity to an account and a
membership, and opens a session like a password sign-in does.

Linking by email is deliberately narrow: an organization's provider may claim an
existing account only when the provider says the address is verified and the account
belongs to that organization and to no other. Otherwise the admin of any organization,
by pointing its configuration at a provider they control, could take over the account
of anyone on the platform.
"""

import base64
import ipaddress
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwe, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet, OctKey
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, security, validation
from core.access import Actor
from core.errors import DomainError
from core.models import (
    ExternalIdentity,
    Language,
    Membership,
    Organization,
    Role,
    SignOnAttempt,
    SignOnProvider,
    User,
)
from core.services import accounts

log = logging.getLogger("tremplin.sign_on")

SCOPE = "openid email profile"
# Never org admin: a provider that hands out administration of the organization would
# make a mistake in the provider's directory a takeover of the organization here.
GRANTABLE_ROLES = frozenset(Role) - {Role.ORG_ADMIN}
# Asymmetric signatures only: an ID token MACed with the client secret (HS256) or not
# signed at all ("none") proves nothing the platform's own secret could not forge.
SIGNING_ALGORITHMS = [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
]
CLOCK_LEEWAY_SECONDS = 60
METADATA_TTL = timedelta(minutes=15)
HTTP_TIMEOUT_SECONDS = 10.0
SEALING_PURPOSE = "sign-on client secrets"
MAX_SECRET_LENGTH = 1000


class TokenInvalid(DomainError):
    """An ID token (or the answer around it) refused. Why is logged for the operators,
    never shown: it would tell a forger which check to work on."""

    code = "SIGN_ON_TOKEN_INVALID"

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason
        log.warning("sign-on refused: %s", reason)


def seal(key: bytes, secret: str) -> str:
    """``secret`` encrypted (JWE, direct AES-256-GCM) with ``key``."""
    return jwe.encrypt_compact({"alg": "dir", "enc": "A256GCM"}, secret.encode(), OctKey.import_key(key))


def unseal(key: bytes, sealed: str) -> str:
    try:
        plaintext = jwe.decrypt_compact(sealed, OctKey.import_key(key)).plaintext
    except (JoseError, ValueError) as error:
        log.error("a sign-on client secret cannot be unsealed: was TREMPLIN_SECRET_KEY changed?")
        raise DomainError("SIGN_ON_PROVIDER_UNAVAILABLE") from error
    assert plaintext is not None
    return plaintext.decode()


# -- Organization admins ---------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _issuer(value: str) -> str:
    """An issuer URL: https, or http on this machine only (a provider under test)."""
    value = validation.text(value, "issuer", max_length=500, required=True)
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError on a port that is no number)
    except ValueError as error:
        raise DomainError("SIGN_ON_ISSUER_INVALID", field="issuer") from error
    secure = parts.scheme == "https" or (parts.scheme == "http" and host is not None and _is_loopback(host))
    if not host or not secure or parts.query or parts.fragment or parts.username or parts.password:
        raise DomainError("SIGN_ON_ISSUER_INVALID", field="issuer")
    return value


async def get_provider(session: AsyncSession, actor: Actor) -> SignOnProvider | None:
    """The provider of the admin's own organization; an admin reads no other's."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    return await session.scalar(
        select(SignOnProvider).where(SignOnProvider.organization_id == organization_id)
    )


async def configure_provider(
    session: AsyncSession,
    actor: Actor,
    key: bytes,
    *,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    new_member_role: Role,
    enabled: bool = True,
) -> SignOnProvider:
    """Set up or change the organization's provider. The secret may be left out to keep
    the stored one, unless the issuer or client id changes (it belongs to them)."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    issuer = _issuer(issuer)
    client_id = validation.text(client_id, "clientId", max_length=255, required=True)
    if new_member_role not in GRANTABLE_ROLES:
        raise DomainError("SIGN_ON_ROLE_NOT_ALLOWED", field="newMemberRole")
    if client_secret and len(client_secret) > MAX_SECRET_LENGTH:
        raise DomainError("TOO_LONG", field="clientSecret", max=MAX_SECRET_LENGTH)
    provider = await session.scalar(
        select(SignOnProvider).where(SignOnProvider.organization_id == organization_id)
    )
    same_client = provider is not None and (provider.issuer, provider.client_id) == (issuer, client_id)
    if not client_secret and not same_client:
        raise DomainError("REQUIRED", field="clientSecret")
    if provider is None:
        assert client_secret
        provider = SignOnProvider(
            organization_id=organization_id,
            issuer=issuer,
            client_id=client_id,
            sealed_client_secret=seal(key, client_secret),
            new_member_role=new_member_role,
            enabled=enabled,
        )
        session.add(provider)
    else:
        provider.issuer, provider.client_id = issuer, client_id
        provider.new_member_role, provider.enabled = new_member_role, enabled
        if client_secret:
            provider.sealed_client_secret = seal(key, client_secret)
    await session.flush()
    return provider


async def remove_provider(session: AsyncSession, actor: Actor) -> None:
    """Stop single sign-on for the organization. Linked identities stay, so people keep
    their accounts if the same provider comes back."""
    provider = await get_provider(session, actor)
    if provider is None:
        raise DomainError("SIGN_ON_NOT_CONFIGURED")
    await session.execute(
        delete(SignOnAttempt).where(col(SignOnAttempt.organization_id) == provider.organization_id)
    )
    await session.delete(provider)


async def sign_on_organizations(session: AsyncSession) -> list[Organization]:
    """Organizations whose members can sign in through their provider (public, for a
    sign-in page)."""
    rows = await session.scalars(
        select(Organization)
        .join(SignOnProvider, col(SignOnProvider.organization_id) == Organization.id)
        .where(col(SignOnProvider.enabled).is_(True))
        .order_by(col(Organization.name_en))
    )
    return list(rows)


# -- The provider's published metadata and keys -----------------------------------------

# Discovery documents and key sets by URL, with the moment they go stale. Per process:
# each server asks the provider at most every METADATA_TTL, plus once on an unknown key.
_published: dict[str, tuple[datetime, dict[str, Any]]] = {}


async def _published_json(url: str, *, refresh: bool = False) -> dict[str, Any]:
    cached = _published.get(url)
    if cached is not None and not refresh and cached[0] > clock.now():
        return cached[1]
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
            response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("identity provider unreachable at %s: %r", url, error)
        raise DomainError("SIGN_ON_PROVIDER_UNAVAILABLE") from error
    if not isinstance(body, dict):
        log.warning("identity provider answered %s with no JSON object", url)
        raise DomainError("SIGN_ON_PROVIDER_UNAVAILABLE")
    _published[url] = (clock.now() + METADATA_TTL, body)
    return body


async def provider_metadata(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, which must name the configured issuer."""
    metadata = await _published_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if metadata.get("issuer") != issuer:
        log.warning("discovery document of %s names issuer %r", issuer, metadata.get("issuer"))
        raise DomainError("SIGN_ON_PROVIDER_UNAVAILABLE")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(endpoint), str):
            log.warning("discovery document of %s has no %s", issuer, endpoint)
            raise DomainError("SIGN_ON_PROVIDER_UNAVAILABLE")
    return metadata


async def provider_keys(metadata: dict[str, Any], *, refresh: bool = False) -> KeySet:
    body = await _published_json(metadata["jwks_uri"], refresh=refresh)
    try:
        return KeySet.import_key_set(body)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as error:
        log.warning("unusable key set at %s: %r", metadata["jwks_uri"], error)
        raise DomainError("SIGN_ON_PROVIDER_UNAVAILABLE") from error


# -- The flow ---------------------------------------------------------------------------


def safe_return_path(value: str | None) -> str:
    """Where to land after signing in: a path on this site only, so the sign-on cannot
    be used to send someone elsewhere."""
    if not value:
        return "/"
    parts = urlsplit(value)
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or parts.scheme
        or parts.netloc
        or len(value) > 500
        or any(ord(character) < 0x20 or character == "\\" for character in value)
    ):
        raise DomainError("SIGN_ON_RETURN_PATH_INVALID", field="returnTo")
    return value


async def _enabled_provider(session: AsyncSession, organization_id: uuid.UUID) -> SignOnProvider:
    provider = await session.scalar(
        select(SignOnProvider).where(
            SignOnProvider.organization_id == organization_id, col(SignOnProvider.enabled).is_(True)
        )
    )
    if provider is None:
        raise DomainError("SIGN_ON_NOT_CONFIGURED")
    return provider


@dataclass(frozen=True)
class Departure:
    """Where to send the browser, and the state to bind to it."""

    authorization_url: str
    state: str


async def start_sign_on(
    session: AsyncSession,
    organization_slug: str,
    return_path: str | None,
    redirect_uri: str,
    *,
    lifetime: timedelta,
) -> Departure:
    """Record an attempt and build the provider's authorization URL (state, nonce,
    PKCE S256)."""
    return_path = safe_return_path(return_path)
    organization_id = await session.scalar(
        select(Organization.id).where(Organization.slug == organization_slug)
    )
    if organization_id is None:
        raise DomainError("SIGN_ON_NOT_CONFIGURED")
    provider = await _enabled_provider(session, organization_id)
    metadata = await provider_metadata(provider.issuer)
    state, nonce, code_verifier = generate_token(48), generate_token(48), generate_token(64)
    url = prepare_grant_uri(
        metadata["authorization_endpoint"],
        provider.client_id,
        "code",
        redirect_uri=redirect_uri,
        scope=SCOPE,
        state=state,
        nonce=nonce,
        code_challenge=create_s256_code_challenge(code_verifier),
        code_challenge_method="S256",
    )
    now = clock.now()
    # Attempts nobody came back from are only clutter once expired.
    await session.execute(delete(SignOnAttempt).where(col(SignOnAttempt.expires_at) < now))
    session.add(
        SignOnAttempt(
            state_hash=security.token_digest(state),
            nonce=nonce,
            code_verifier=code_verifier,
            organization_id=organization_id,
            return_path=return_path,
            expires_at=now + lifetime,
        )
    )
    return Departure(authorization_url=url, state=state)


@dataclass(frozen=True)
class PendingSignOn:
    """A consumed attempt with what finishing it needs, read in its own transaction so
    nothing is held open while the provider is asked."""

    organization_id: uuid.UUID
    return_path: str
    nonce: str
    code_verifier: str
    issuer: str
    client_id: str
    client_secret: str
    new_member_role: Role


async def consume_attempt(session: AsyncSession, state: str, key: bytes) -> PendingSignOn:
    """Take the attempt ``state`` names, once: its row is deleted here, so the same
    state replayed finds nothing. Commit before asking the provider anything."""
    if not state:
        raise DomainError("SIGN_ON_STATE_INVALID")
    row = (
        await session.execute(
            delete(SignOnAttempt)
            .where(col(SignOnAttempt.state_hash) == security.token_digest(state))
            .returning(
                col(SignOnAttempt.organization_id),
                col(SignOnAttempt.return_path),
                col(SignOnAttempt.nonce),
                col(SignOnAttempt.code_verifier),
                col(SignOnAttempt.expires_at),
            )
        )
    ).first()
    if row is None:
        raise DomainError("SIGN_ON_STATE_INVALID")
    organization_id, return_path, nonce, code_verifier, expires_at = row
    if expires_at <= clock.now():
        raise DomainError("SIGN_ON_STATE_INVALID")
    provider = await _enabled_provider(session, organization_id)
    return PendingSignOn(
        organization_id=organization_id,
        return_path=return_path,
        nonce=nonce,
        code_verifier=code_verifier,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=unseal(key, provider.sealed_client_secret),
        new_member_role=provider.new_member_role,
    )


def _token_auth_method(metadata: dict[str, Any]) -> str:
    """client_secret_basic, the default, unless the provider only takes the secret in
    the form body."""
    supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" not in supported and "client_secret_post" in supported:
        return "client_secret_post"
    return "client_secret_basic"


async def authenticate(
    pending: PendingSignOn, code: str, redirect_uri: str, response_issuer: str | None = None
) -> dict[str, Any]:
    """Exchange the authorization code and check the ID token: the provider's claims
    about the person (``sub``, and ``email``/``email_verified``/``name`` when given)."""
    if response_issuer is not None and response_issuer != pending.issuer:
        # RFC 9207: an answer from another provider than the one asked (mix-up attack).
        raise TokenInvalid(f"authorization response from {response_issuer!r}, not {pending.issuer!r}")
    if not code:
        raise DomainError("SIGN_ON_CODE_REFUSED")
    metadata = await provider_metadata(pending.issuer)
    tokens = await _exchange_code(pending, metadata, code, redirect_uri)
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise TokenInvalid("no ID token in the token response")
    claims = await verify_id_token(
        id_token, metadata, issuer=pending.issuer, client_id=pending.client_id, nonce=pending.nonce
    )
    access_token = tokens.get("access_token")
    if "email" not in claims and metadata.get("userinfo_endpoint") and isinstance(access_token, str):
        # Providers may keep profile claims out of the ID token (oidc-provider does when
        # an access token is issued): ask the userinfo endpoint, about the same subject.
        claims = {**await _userinfo(metadata["userinfo_endpoint"], access_token, claims["sub"]), **claims}
    return claims


async def _exchange_code(
    pending: PendingSignOn, metadata: dict[str, Any], code: str, redirect_uri: str
) -> dict[str, Any]:
    """The token endpoint's answer to the code and the PKCE verifier. Built with
    Authlib's protocol helpers and sent with httpx: Authlib's own httpx client is being
    moved to another HTTP library."""
    body = prepare_token_request(
        "authorization_code", redirect_uri=redirect_uri, code=code, code_verifier=pending.code_verifier
    )
    authentication = ClientAuth(pending.client_id, pending.client_secret, _token_auth_method(metadata))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    url, headers, body = authentication.prepare("POST", metadata["token_endpoint"], headers, body)
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
            response = await client.post(url, content=body, headers=headers)
        answer = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("token endpoint of %s failed: %r", pending.issuer, error)
        raise DomainError("SIGN_ON_PROVIDER_UNAVAILABLE") from error
    if response.status_code >= 500 or not isinstance(answer, dict):
        log.warning("token endpoint of %s answered %s", pending.issuer, response.status_code)
        raise DomainError("SIGN_ON_PROVIDER_UNAVAILABLE")
    if response.status_code != 200 or "error" in answer:
        log.warning("the provider %s refused the code: %s", pending.issuer, answer.get("error"))
        raise DomainError("SIGN_ON_CODE_REFUSED")
    return answer


async def _userinfo(url: str, access_token: str, subject: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
            response = await client.get(url, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
            info = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("userinfo endpoint %s failed: %r", url, error)
        raise DomainError("SIGN_ON_PROVIDER_UNAVAILABLE") from error
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise TokenInvalid("userinfo is about another subject than the ID token")
    return {name: info[name] for name in ("email", "email_verified", "name", "locale") if name in info}


def _key_id(id_token: str) -> str | None:
    try:
        encoded = id_token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except ValueError as error:
        raise TokenInvalid("malformed ID token") from error
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


async def verify_id_token(
    id_token: str, metadata: dict[str, Any], *, issuer: str, client_id: str, nonce: str
) -> dict[str, Any]:
    """``validate_id_token`` against the provider's key set, fetched again once when
    the token names a key not in it (the provider rotated its keys)."""
    keys = await provider_keys(metadata)
    kid = _key_id(id_token)
    if kid is not None and kid not in {key.kid for key in keys.keys}:
        keys = await provider_keys(metadata, refresh=True)
    return validate_id_token(id_token, keys, issuer=issuer, client_id=client_id, nonce=nonce)


def validate_id_token(
    id_token: str,
    keys: KeySet,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    now: Callable[[], int] | None = None,
) -> dict[str, Any]:
    """The ID token's claims once its signature verifies against ``keys`` and its
    claims hold: ``iss`` exactly ``issuer``, ``aud`` naming ``client_id``, not expired
    nor issued in the future (a minute of leeway), the attempt's ``nonce``, a subject."""
    try:
        token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
    except BadSignatureError as error:
        raise TokenInvalid("bad signature") from error
    except InvalidKeyIdError as error:
        raise TokenInvalid("signed with a key the provider does not publish") from error
    except (JoseError, ValueError) as error:
        raise TokenInvalid(f"unreadable ID token: {error!r}") from error
    registry = jwt.JWTClaimsRegistry(
        now=now or (lambda: int(clock.now().timestamp())),
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    claims = dict(token.claims)
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise TokenInvalid("expired") from error
    except ClaimError as error:
        raise TokenInvalid(f"claim {error.claim}: {error.description}") from error
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise TokenInvalid("several audiences and another authorized party")
    if not isinstance(claims["sub"], str) or len(claims["sub"]) > 255:
        raise TokenInvalid("unusable subject")
    return claims


def _verified(claims: dict[str, Any]) -> bool:
    # Some providers send the boolean as a string.
    return claims.get("email_verified") in (True, "true")


async def _account_for_new_identity(
    session: AsyncSession, organization_id: uuid.UUID, claims: dict[str, Any]
) -> User:
    """The account a subject seen for the first time gets: a new one, or an existing
    one its organization's provider may vouch for (see the module's docstring)."""
    given = claims.get("email")
    try:
        address = validation.email(given if isinstance(given, str) else None)
    except DomainError:
        address = None
    if address is None:
        raise DomainError("SIGN_ON_EMAIL_MISSING")
    existing = await session.scalar(select(User).where(User.email == address))
    if existing is None:
        name = claims.get("name")
        display_name = name.strip()[:200] if isinstance(name, str) and name.strip() else address.split("@")[0]
        locale = claims.get("locale")
        language = Language.FR if isinstance(locale, str) and locale.lower().startswith("fr") else Language.EN
        return await accounts.create_user(session, address, display_name, None, language)
    belongs_to = set(
        await session.scalars(select(Membership.organization_id).where(Membership.user_id == existing.id))
    )
    if _verified(claims) and belongs_to == {organization_id}:
        return existing
    raise DomainError("SIGN_ON_EMAIL_TAKEN")


async def admit(session: AsyncSession, pending: PendingSignOn, claims: dict[str, Any]) -> tuple[str, User]:
    """Find or create the person, make them a member with the configured role when
    they are not one yet (a member keeps the roles they have), and open a session."""
    subject = claims["sub"]
    identity = await session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.issuer == pending.issuer, ExternalIdentity.subject == subject
        )
    )
    if identity is not None:
        user = await session.get_one(User, identity.user_id)
    else:
        user = await _account_for_new_identity(session, pending.organization_id, claims)
        session.add(ExternalIdentity(user_id=user.id, issuer=pending.issuer, subject=subject))
    if not user.is_active:
        raise DomainError("SIGN_ON_ACCOUNT_DISABLED")
    member = await session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.organization_id == pending.organization_id
        )
    )
    if member is None:
        session.add(
            Membership(user_id=user.id, organization_id=pending.organization_id, role=pending.new_member_role)
        )
    token = await accounts.start_session(session, user)
    await session.flush()
    return token, user
