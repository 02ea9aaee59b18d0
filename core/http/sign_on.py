"""Single sign-on in the browser: ``GET /auth/sso/{organization}`` sends the person to
their organization's provider, ``GET /auth/sso/callback`` brings them back signed in.

The attempt's state also rides in a short-lived HttpOnly cookie, and the callback
wants both to agree: a callback URL made in someone else's browser (login CSRF, where
an attacker has a victim finish the attacker's sign-on) finds no matching cookie.

A refusal is a small plain-text page (these are browser navigations, not API calls):
the message in the person's language, then in the other, and the stable code.
"""

import hmac
from datetime import timedelta
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.datastructures import Cookie
from litestar.enums import MediaType
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import unit_of_work
from core.errors import DomainError
from core.http.sessions import cookie_name, request_language, session_cookies
from core.i18n import LANGUAGES, translate
from core.services import sign_on
from core.settings import Settings

STATE_COOKIE = "tremplin-sign-on"
CALLBACK_PATH = "/auth/sso/callback"
STATUS = {"SIGN_ON_NOT_CONFIGURED": 404, "SIGN_ON_PROVIDER_UNAVAILABLE": 502}


def callback_url(settings: Settings) -> str:
    """The redirect URI to register with the provider."""
    return settings.public_url.rstrip("/") + CALLBACK_PATH


def _state_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=cookie_name(settings, STATE_COOKIE),
        value=value,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def _refusal(request: Request[Any, Any, Any], error: DomainError) -> Response[str]:
    settings: Settings = request.app.state.settings
    first = request_language(request, settings)
    languages = [first, *(language for language in LANGUAGES if language != first)]
    text = "\n\n".join(
        f"{translate(error.message_key, language, **error.params)} ({error.code})" for language in languages
    )
    return Response(
        text + "\n",
        status_code=STATUS.get(error.code, 400),
        media_type=MediaType.TEXT,  # Litestar adds the charset (UTF-8)
        cookies=[_state_cookie(settings, "", 0)],
    )


def refusal_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        str,
        description=description + " A plain-text page: the message in the person's language, then "
        "in the other, each with the code.",
        media_type=MediaType.TEXT,
        generate_examples=False,
    )


def redirect_spec(description: str) -> ResponseSpec:
    return ResponseSpec(None, description=description + " (Location header).")


@get(
    "/auth/sso/{organization_slug:str}",
    status_code=302,
    responses={
        302: redirect_spec("To the organization's identity provider, with the attempt's state cookie set"),
        400: refusal_spec("SIGN_ON_RETURN_PATH_INVALID: returnTo is not a path of this site."),
        404: refusal_spec("SIGN_ON_NOT_CONFIGURED: no single sign-on for this organization."),
        502: refusal_spec("SIGN_ON_PROVIDER_UNAVAILABLE: the identity provider did not answer as expected."),
    },
)
async def begin_sign_on(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    organization_slug: str,
    return_to: Annotated[
        str | None,
        QueryParameter(name="returnTo", description="Where to land once signed in: a path of this site."),
    ] = None,
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    lifetime = timedelta(minutes=settings.sign_on_attempt_minutes)
    try:
        async with unit_of_work(db_session):
            departure = await sign_on.start_sign_on(
                db_session, organization_slug, return_to, callback_url(settings), lifetime=lifetime
            )
    except DomainError as error:
        return _refusal(request, error)
    return Redirect(
        departure.authorization_url,
        status_code=302,
        cookies=[_state_cookie(settings, departure.state, int(lifetime.total_seconds()))],
    )


@get(
    CALLBACK_PATH,
    status_code=302,
    responses={
        302: redirect_spec("Signed in: to the page asked for, with the session cookies set"),
        400: refusal_spec(
            "SIGN_ON_STATE_INVALID (no attempt of this browser), SIGN_ON_DENIED, SIGN_ON_CODE_REFUSED, "
            "SIGN_ON_TOKEN_INVALID, SIGN_ON_EMAIL_MISSING…: the sign-on did not go through."
        ),
        404: refusal_spec("SIGN_ON_NOT_CONFIGURED: the organization's single sign-on was removed meanwhile."),
        502: refusal_spec("SIGN_ON_PROVIDER_UNAVAILABLE: the identity provider did not answer as expected."),
    },
)
async def finish_sign_on(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    # "state" is a name Litestar keeps for the application state. Required, but checked
    # here (an absent one is refused like a wrong one) so the refusal is the bilingual page.
    returned_state: Annotated[
        str,
        QueryParameter(
            name="state", required=True, description="The attempt's state, as the provider returns it."
        ),
    ] = "",
    code: Annotated[
        str, QueryParameter(description="The authorization code, unless the provider refused.")
    ] = "",
    error: Annotated[str, QueryParameter(description="The provider's refusal (RFC 6749 §4.1.2.1).")] = "",
    iss: Annotated[
        str | None, QueryParameter(description="The provider's issuer identifier (RFC 9207).")
    ] = None,
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    bound_state = request.cookies.get(cookie_name(settings, STATE_COOKIE), "")
    try:
        if not returned_state or not hmac.compare_digest(bound_state.encode(), returned_state.encode()):
            raise DomainError("SIGN_ON_STATE_INVALID")
        async with unit_of_work(db_session):
            pending = await sign_on.consume_attempt(
                db_session, returned_state, settings.derived_key(sign_on.SEALING_PURPOSE)
            )
        if error:
            raise DomainError("SIGN_ON_DENIED")
        claims = await sign_on.authenticate(pending, code, callback_url(settings), iss)
        async with unit_of_work(db_session):
            token, _ = await sign_on.admit(db_session, pending, claims)
    except DomainError as refused:
        return _refusal(request, refused)
    return Redirect(
        pending.return_path,
        status_code=302,
        cookies=[*session_cookies(settings, token), _state_cookie(settings, "", 0)],
    )
