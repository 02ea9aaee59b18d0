"""What every page of the web app shares: who is visiting, in which language, the
CSRF token of its forms, rendering, and the one mapping of refusals to HTTP statuses.

Pages are signed in by the browser session of ``core.http.sessions`` (the cookie
``POST /auth/session`` sets). Reading a page needs only the cookie; every POST also
carries, as a hidden form field, the same CSRF token the API takes in ``X-CSRF-Token``
(an HMAC of the session token, ``sessions.csrf_token``). Before signing in, the token
is tied the same way to a random visitor cookie, so the sign-in and language forms are
protected too.
"""

import hmac
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.access import Actor
from core.db import unit_of_work
from core.errors import DomainError, NotFound
from core.http.sessions import SESSION_COOKIE, cookie_name, csrf_token
from core.i18n import LANGUAGES, negotiate, translate
from core.models import MentorProfile, Organization, Program, Role, User
from core.services import accounts
from core.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")

LANGUAGE_COOKIE = "tremplin-language"
VISITOR_COOKIE = "tremplin-visitor"
CSRF_FIELD = "csrf_token"
YEAR = 365 * 24 * 3600
# The pages load nothing but their own stylesheet and run no script; forms post only
# here. Stricter than the platform-wide policy, which leaves room for GraphiQL's CDN.
PAGE_CONTENT_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

# The one place a refusal becomes a status. A record the person may not see is "not
# found" in the services already, so its existence does not leak here either.
STATUS = {
    "NOT_FOUND": 404,
    "FORBIDDEN": 403,
    "CSRF_TOKEN_INVALID": 403,
    "INVALID_CREDENTIALS": 401,
    "TOO_MANY_ATTEMPTS": 429,
    "SEARCH_UNAVAILABLE": 503,
}

ROLE_NAMES = {
    Role.ORG_ADMIN: "web.role.org_admin",
    Role.COORDINATOR: "web.role.coordinator",
    Role.MENTOR: "web.role.mentor",
    Role.MENTEE: "web.role.mentee",
    Role.EMPLOYER_REP: "web.role.employer_rep",
    Role.VIEWER: "web.role.viewer",
}


def status_of(error: DomainError) -> int:
    return STATUS.get(error.code, 400)


class SignInNeeded(Exception):
    """No session, or one that expired: the page sends the person to sign in and back
    to ``back`` (for a form, the page it was on)."""

    def __init__(self, back: str | None = None):
        super().__init__(back)
        self.back = back


class CsrfRefused(Exception):
    """A form posted without the token of this browser's session."""


def start_page(actor: Actor) -> str:
    """Where each role lands after signing in."""
    if actor.has_role(Role.MENTEE):
        return "/me/profile"
    if actor.has_role(Role.COORDINATOR):
        return "/coordinator"
    if actor.has_role(Role.MENTOR):
        return "/mentor/proposals"
    if actor.has_role(Role.ORG_ADMIN):
        return "/admin"
    if actor.has_role(Role.EMPLOYER_REP):
        return "/employer"
    if actor.has_role(Role.VIEWER):
        return "/reports"
    return "/dashboard"


@dataclass
class Visit:
    """One request to a page: the person (if signed in), the language, the CSRF token."""

    request: Request[Any, Any, Any]
    db: AsyncSession | None  # None on a refusal page, which reads nothing
    settings: Settings
    language: str
    actor: Actor | None
    csrf: str
    cookies: list[Cookie] = field(default_factory=list)

    def t(self, key: str, /, **params: Any) -> str:
        return translate(key, self.language, **params)

    @property
    def me(self) -> Actor:
        if self.actor is None:
            raise SignInNeeded()
        return self.actor

    async def call(
        self,
        operation: Callable[Concatenate[AsyncSession, Actor, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run one use case as the signed-in person, in its own transaction (as the
        GraphQL resolvers do through ``Context.call``)."""
        actor = self.me
        assert self.db is not None
        async with unit_of_work(self.db):
            return await operation(self.db, actor, *args, **kwargs)

    def page(self, template: str, status_code: int = 200, **context: Any) -> Template:
        return Template(
            template_name=template,
            context={**self.context(), **context},
            status_code=status_code,
            cookies=self.cookies,
            media_type="text/html",
            headers={"Content-Security-Policy": PAGE_CONTENT_POLICY},
        )

    def redirect(self, path: str) -> Redirect:
        # 303: after a form, the browser asks for the next page with GET.
        return Redirect(path, status_code=303, cookies=self.cookies)

    def context(self) -> dict[str, Any]:
        request = self.request
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return {
            "t": self.t,
            "lang": self.language,
            "other_languages": [language for language in LANGUAGES if language != self.language],
            "actor": self.actor,
            "role_names": [self.t(ROLE_NAMES[role]) for role in sorted(self.actor.roles)]
            if self.actor
            else [],
            "organization": request.state.get("organization_name"),
            "csrf_field": CSRF_FIELD,
            "csrf": self.csrf,
            "here": here,
            "path": request.url.path,
            "demo": self.settings.demo,
        }


def _session_cookie(request: Request[Any, Any, Any], settings: Settings) -> str | None:
    return request.cookies.get(cookie_name(settings, SESSION_COOKIE)) or None


def _csrf_key(request: Request[Any, Any, Any], settings: Settings) -> tuple[str, list[Cookie]]:
    """The secret the page's CSRF token is tied to: the session token, else this
    browser's visitor cookie (made on its first visit)."""
    session = _session_cookie(request, settings)
    if session:
        return session, []
    visitor = request.cookies.get(cookie_name(settings, VISITOR_COOKIE))
    if visitor:
        return visitor, []
    visitor = secrets.token_urlsafe(32)
    return visitor, [long_cookie(settings, VISITOR_COOKIE, visitor, httponly=True)]


def long_cookie(settings: Settings, name: str, value: str, *, httponly: bool, max_age: int = YEAR) -> Cookie:
    return Cookie(
        key=cookie_name(settings, name),
        value=value,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=httponly,
        samesite="lax",
    )


def visitor_language(request: Request[Any, Any, Any], settings: Settings) -> str:
    """An anonymous visitor's language: the one they chose here, else their browser's."""
    chosen = request.cookies.get(cookie_name(settings, LANGUAGE_COOKIE))
    if chosen in LANGUAGES:
        return str(chosen)
    return negotiate(request.headers.get("accept-language")) or settings.default_language


async def open_visit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    *,
    signed_in: bool = True,
    form: Mapping[str, Any] | None = None,
    back: str | None = None,
) -> Visit:
    """The visit of a page. ``signed_in``: the page needs a live session (else
    ``SignInNeeded``, to come back to ``back`` or this page). ``form``: a POST's fields,
    whose CSRF token is checked first."""
    settings: Settings = request.app.state.settings
    key, cookies = _csrf_key(request, settings)
    expected = csrf_token(settings, key)
    if form is not None:
        sent = str(form.get(CSRF_FIELD, ""))
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise CsrfRefused()
    actor = None
    token = _session_cookie(request, settings)
    if token:
        try:
            async with unit_of_work(db):
                actor = await accounts.resolve_actor(db, token, None)
        except DomainError:
            actor = None
    if actor is None and signed_in:
        raise SignInNeeded(back)
    language = str(actor.language) if actor else visitor_language(request, settings)
    if actor is not None and actor.organization_id is not None:
        request.state["organization_name"] = await organization_name(db, actor, language)
    visit = Visit(request, db, settings, language, actor, expected, cookies)
    request.state["visit"] = visit
    return visit


async def organization_name(db: AsyncSession, actor: Actor, language: str) -> str:
    organization = await db.get(Organization, actor.organization_id)
    if organization is None:
        return ""
    return organization.name_fr if language == "fr" else organization.name_en


def sign_in_path(next_path: str) -> str:
    return "/sign-in?" + urlencode({"next": next_path})


def refused_page(
    request: Request[Any, Any, Any], status_code: int, message_key: str, **params: Any
) -> Response[Any]:
    """A page for a refusal, in the visit's language when the visit got that far."""
    visit: Visit | None = request.state.get("visit")
    settings: Settings = request.app.state.settings
    if visit is None:
        language = visitor_language(request, settings)
        key, cookies = _csrf_key(request, settings)
        visit = Visit(request, None, settings, language, None, csrf_token(settings, key), cookies)
    return visit.page(
        "refused.html", status_code=status_code, message=visit.t(message_key, **params), status=status_code
    )


def record_id(value: str) -> uuid.UUID:
    """An id from a URL; a malformed one is a page that does not exist."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound() from None


async def display_names(
    db: AsyncSession, model: type[Program] | type[MentorProfile], ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Programs' names (English and French, kept together) or mentors' display names."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    if model is Program:
        rows = await db.execute(
            select(Program.id, Program.name_en, Program.name_fr).where(col(Program.id).in_(wanted))
        )
        return {row[0]: f"{row[1]}\x00{row[2]}" for row in rows}
    rows = await db.execute(
        select(MentorProfile.id, User.display_name)
        .join(User, col(User.id) == MentorProfile.user_id)
        .where(col(MentorProfile.id).in_(wanted))
    )
    return {row[0]: row[1] for row in rows}


def program_name(names: dict[uuid.UUID, str], program_id: uuid.UUID, language: str) -> str:
    english, _, french = names.get(program_id, "").partition("\x00")
    return french if language == "fr" else english
