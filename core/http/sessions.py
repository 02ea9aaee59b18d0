"""Browser sessions: the sign-in token in an HttpOnly cookie, and CSRF protection for
whatever that cookie authenticates.

Two cookies, ``__Host-`` prefixed (so no subdomain can plant or widen them) and Secure
unless ``TREMPLIN_COOKIE_SECURE=false`` (development over plain http, where the prefix
cannot be used):

- ``__Host-tremplin-session``: the same opaque token ``signIn`` returns, HttpOnly, so no
  script can read it;
- ``__Host-tremplin-csrf``: an HMAC of that token under a key derived from the secret
  key, readable by the platform's own scripts, which echo it in ``X-CSRF-Token``.

A request authenticated by the session cookie is accepted only with that header, and
the check recomputes the HMAC (compared in constant time), so the token is tied to the
session and cannot be minted by anyone without the key. Both cookies are SameSite=Lax.
Requests with ``Authorization: Bearer`` are API calls a page of another site cannot
make with the person's credentials: they need no CSRF token. Litestar's CSRF middleware
is not used because it guards every unsafe request, Bearer-authenticated or not.

``POST /auth/session`` signs in with a password and sets the cookies (JSON only: a
form on another site cannot post JSON without the browser asking first); the
``signOut`` mutation deletes the session and clears them; the single sign-on callback
sets them too.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, TypedDict

from litestar import MediaType, Request, Response, post
from litestar.datastructures import Cookie, ResponseHeader
from litestar.exceptions import PermissionDeniedException
from litestar.openapi import ResponseSpec
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import unit_of_work
from core.errors import DomainError
from core.i18n import negotiate, translate
from core.services import accounts
from core.settings import Settings

SESSION_COOKIE = "tremplin-session"
CSRF_COOKIE = "tremplin-csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_PURPOSE = "csrf tokens"


def cookie_name(settings: Settings, name: str) -> str:
    return f"__Host-{name}" if settings.cookie_secure else name


def csrf_token(settings: Settings, session_token: str) -> str:
    digest = hmac.new(settings.derived_key(CSRF_PURPOSE), session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _cookie(settings: Settings, name: str, value: str, max_age: int, *, httponly: bool) -> Cookie:
    return Cookie(
        key=cookie_name(settings, name),
        value=value,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=httponly,
        samesite="lax",
    )


def session_cookies(settings: Settings, session_token: str) -> list[Cookie]:
    """The cookies of a new browser session, living as long as its token."""
    lifetime = settings.session_ttl_hours * 3600
    return [
        _cookie(settings, SESSION_COOKIE, session_token, lifetime, httponly=True),
        _cookie(settings, CSRF_COOKIE, csrf_token(settings, session_token), lifetime, httponly=False),
    ]


def cleared_session_cookies(settings: Settings) -> list[Cookie]:
    return [
        _cookie(settings, SESSION_COOKIE, "", 0, httponly=True),
        _cookie(settings, CSRF_COOKIE, "", 0, httponly=False),
    ]


def request_language(request: Request[Any, Any, Any], settings: Settings) -> str:
    return negotiate(request.headers.get("accept-language")) or settings.default_language


# Requests that change nothing (downloads a page links to) need no CSRF token: another
# site can make the browser send them, but cannot read the answer, and the SameSite=Lax
# cookie already stays home on its other requests. GraphQL is served over POST only.
SAFE_METHODS = frozenset({"GET", "HEAD"})


def request_token(request: Request[Any, Any, Any]) -> str | None:
    """The token a request signs in with: the Bearer token, else the session cookie's —
    for a request that may change something, once the CSRF header proves it comes from
    the platform's own pages."""
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and bearer.strip():
        return bearer.strip()
    settings: Settings = request.app.state.settings
    cookie = request.cookies.get(cookie_name(settings, SESSION_COOKIE))
    if not cookie or request.method in SAFE_METHODS:
        return cookie or None
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), csrf_token(settings, cookie).encode()):
        raise PermissionDeniedException(
            detail=translate("error.CSRF_TOKEN_INVALID", request_language(request, settings)),
            extra={"code": "CSRF_TOKEN_INVALID"},
        )
    return cookie


class Refusal(TypedDict):
    code: str
    message: str


def error_json(request: Request[Any, Any, Any], error: DomainError, status_code: int) -> Response[Any]:
    settings: Settings = request.app.state.settings
    message = translate(error.message_key, request_language(request, settings), **error.params)
    # JSON whatever the route's own media type (a PDF route's refusals, for one).
    return Response(
        Refusal(code=error.code, message=message), status_code=status_code, media_type=MediaType.JSON
    )


SIGN_IN_STATUS = {"INVALID_CREDENTIALS": 401, "TOO_MANY_ATTEMPTS": 429}


def refusal_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        Refusal,
        description=description + " The message is in the caller's language.",
        generate_examples=False,
    )


@dataclass
class PasswordSignIn:
    email: str
    password: str


class OpenedSession(TypedDict):
    csrfToken: str


@post(
    "/auth/session",
    status_code=200,
    response_description="Signed in: the CSRF token to send as X-CSRF-Token.",
    response_headers=[
        ResponseHeader(
            name="Set-Cookie",
            description="The session cookie (HttpOnly) and the CSRF cookie, __Host- prefixed where "
            "cookies are Secure.",
            documentation_only=True,
        )
    ],
    responses={
        401: refusal_spec("INVALID_CREDENTIALS: wrong email or password."),
        415: refusal_spec("JSON_REQUIRED: the body was not sent as application/json."),
        429: refusal_spec("TOO_MANY_ATTEMPTS: too many sign-ins for this account or from this address."),
    },
)
async def open_session(
    request: Request[Any, Any, Any], db_session: AsyncSession, data: PasswordSignIn
) -> Response[OpenedSession]:
    """Sign in with a password into a browser session: sets the cookies and answers the
    CSRF token to send as ``X-CSRF-Token``."""
    settings: Settings = request.app.state.settings
    if request.content_type[0] != "application/json":
        return error_json(request, DomainError("JSON_REQUIRED"), 415)
    try:
        async with unit_of_work(db_session):
            token, _ = await accounts.sign_in(
                db_session,
                data.email,
                data.password,
                throttle=request.app.state.throttle,
                address=request.client.host if request.client else None,
            )
    except DomainError as error:
        return error_json(request, error, SIGN_IN_STATUS.get(error.code, 400))
    return Response(
        OpenedSession(csrfToken=csrf_token(settings, token)), cookies=session_cookies(settings, token)
    )
