"""``POST /oauth/token``: OAuth2 client credentials (RFC 6749 §4.4) for integration
clients.

A small explicit handler rather than Authlib's ``AuthorizationServer``: that server
needs a framework integration (request and response adapters) which exists for Flask,
Django and Starlette but not Litestar, and its grant classes call a synchronous client
and token store while ours is async SQLAlchemy. The grant itself is a handful of
checks, all here: client authentication by HTTP Basic (client_secret_basic) or form
fields (client_secret_post) — not both —, ``grant_type``, and an optional ``scope``
that must stay within the client's operations. Errors are RFC 6749 §5.2 JSON with an
``error_description`` in the caller's language; too many requests answer 429 with
``slow_down`` (the registered OAuth error for "ask less often", RFC 8628).
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, TypedDict
from urllib.parse import unquote_plus

from litestar import Request, Response, post
from litestar.datastructures import FormMultiDict
from litestar.enums import RequestEncodingType
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
    SecurityScheme,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import unit_of_work
from core.errors import DomainError
from core.i18n import negotiate, translate
from core.services import integrations
from core.services.local_accounts import RequestLimits
from core.settings import Settings
from core.throttle import SlidingWindow

OAuthErrorName = Literal[
    "invalid_request", "unsupported_grant_type", "invalid_client", "invalid_scope", "slow_down"
]
# Our error codes (catalog keys ``error.<code>``) and the RFC 6749 error each answers.
OAUTH_ERRORS: dict[str, tuple[OAuthErrorName, int]] = {
    "OAUTH_INVALID_REQUEST": ("invalid_request", 400),
    "OAUTH_UNSUPPORTED_GRANT_TYPE": ("unsupported_grant_type", 400),
    "INVALID_CLIENT": ("invalid_client", 401),
    "INVALID_SCOPE": ("invalid_scope", 400),
    "TOO_MANY_REQUESTS": ("slow_down", 429),
}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
SINGLE_VALUED = ("grant_type", "scope", "client_id", "client_secret")


class OAuthError(TypedDict):
    error: OAuthErrorName
    error_description: str


class IssuedToken(TypedDict):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


BASIC_REALM = "tremplin"
# The OpenAPI description of what the handler reads itself: it parses the form by hand
# to answer every mistake in RFC 6749's terms, where a declared ``data`` would have
# Litestar answer its own 400 first.
CLIENT_SECRET_BASIC = "clientSecretBasic"
OPENAPI_COMPONENTS = Components(
    security_schemes={
        CLIENT_SECRET_BASIC: SecurityScheme(
            type="http",
            scheme="basic",
            description="Integration client id and secret, each form-encoded (RFC 6749 §2.3.1).",
        )
    }
)
TOKEN_REQUEST = RequestBody(
    required=True,
    description="The client credentials grant; the client authenticates with HTTP Basic or with "
    "client_id and client_secret here, not both.",
    content={
        RequestEncodingType.URL_ENCODED.value: OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                required=["grant_type"],
                properties={
                    "grant_type": Schema(type=OpenAPIType.STRING, enum=["client_credentials"]),
                    "scope": Schema(
                        type=OpenAPIType.STRING,
                        description="Operations asked for, space-separated, within the client's "
                        "(all of them when absent).",
                    ),
                    "client_id": Schema(type=OpenAPIType.STRING, description="Without HTTP Basic."),
                    "client_secret": Schema(type=OpenAPIType.STRING, description="Without HTTP Basic."),
                },
            )
        )
    },
)


@dataclass
class TokenOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = TOKEN_REQUEST
        # HTTP Basic, or the credentials in the form.
        self.security = [{CLIENT_SECRET_BASIC: []}, {}]


def token_limits(settings: Settings) -> RequestLimits:
    per_minute = settings.token_requests_per_minute
    return RequestLimits(
        {
            "client": SlidingWindow(per_minute, timedelta(minutes=1)),
            "address": SlidingWindow(per_minute, timedelta(minutes=1)),
        }
    )


def _limits(request: Request[Any, Any, Any]) -> RequestLimits:
    state = request.app.state
    if "token_limits" not in state:
        state["token_limits"] = token_limits(state["settings"])
    limits: RequestLimits = state["token_limits"]
    return limits


def _basic_credentials(authorization: str) -> tuple[str, str] | None:
    """client_secret_basic: both parts form-encoded, then base64 (RFC 6749 §2.3.1)."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise DomainError("INVALID_CLIENT") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise DomainError("INVALID_CLIENT")
    return unquote_plus(client_id), unquote_plus(secret)


def _credentials(request: Request[Any, Any, Any], form: FormMultiDict) -> tuple[str, str]:
    basic = _basic_credentials(request.headers.get("authorization", ""))
    if basic is not None:
        if form.get("client_secret") is not None:
            raise DomainError("OAUTH_INVALID_REQUEST")  # one authentication method only
        return basic
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if not client_id or secret is None:
        raise DomainError("INVALID_CLIENT")
    return str(client_id), str(secret)


def _error(error: DomainError, language: str) -> Response[Any]:
    name, status = OAUTH_ERRORS[error.code]
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = f'Basic realm="{BASIC_REALM}"'
    if status == 429:
        headers["Retry-After"] = str(60 * int(error.params.get("minutes", 1)))
    description = translate(error.message_key, language, **error.params)
    return Response(
        OAuthError(error=name, error_description=description), status_code=status, headers=headers
    )


def oauth_error_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        OAuthError,
        description=description + " error_description is in the caller's language.",
        generate_examples=False,
    )


@post(
    "/oauth/token",
    status_code=200,
    operation_class=TokenOperation,
    response_description="An access token to send as Authorization: Bearer.",
    responses={
        400: oauth_error_spec("invalid_request, unsupported_grant_type or invalid_scope."),
        401: oauth_error_spec(f'invalid_client, with WWW-Authenticate: Basic realm="{BASIC_REALM}".'),
        429: oauth_error_spec(
            "slow_down: too many requests for this client or from this address; "
            "Retry-After gives the seconds to wait."
        ),
    },
)
async def token(request: Request[Any, Any, Any], db_session: AsyncSession) -> Response[IssuedToken]:
    """An access token for an integration client (client credentials grant)."""
    settings: Settings = request.app.state.settings
    language = negotiate(request.headers.get("accept-language")) or settings.default_language
    try:
        form = await request.form()
        if any(len(form.getall(name)) > 1 for name in SINGLE_VALUED if name in form):
            raise DomainError("OAUTH_INVALID_REQUEST")
        grant_type = form.get("grant_type")
        if not grant_type:
            raise DomainError("OAUTH_INVALID_REQUEST")
        client_id, secret = _credentials(request, form)
        _limits(request).admit(client=client_id, address=request.client.host if request.client else None)
        if grant_type != "client_credentials":
            raise DomainError("OAUTH_UNSUPPORTED_GRANT_TYPE", grant_type=str(grant_type)[:40])
        scope = form.get("scope")
        async with unit_of_work(db_session):
            issued = await integrations.issue_token(
                db_session, client_id, secret, str(scope) if scope is not None else None
            )
    except DomainError as error:
        if error.code not in OAUTH_ERRORS:
            raise
        return _error(error, language)
    return Response(
        IssuedToken(
            access_token=issued.access_token,
            token_type="Bearer",
            expires_in=issued.expires_in,
            scope=" ".join(issued.operations),
        ),
        headers=NO_STORE,
    )
