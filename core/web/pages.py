"""The pages anyone reaches: home (with the demo's logins), sign-in and sign-out, the
language switch, and the start page of roles whose own pages come later."""

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import unit_of_work
from core.demo import DEMO_PASSWORD, demo_logins
from core.errors import DomainError
from core.http.sessions import SESSION_COOKIE, cleared_session_cookies, cookie_name, session_cookies
from core.i18n import LANGUAGES
from core.models import Language, Role
from core.services import accounts, sign_on
from core.web.base import LANGUAGE_COOKIE, ROLE_NAMES, Visit, long_cookie, open_visit, start_page, status_of

# Every form field the pages read is a str: a missing one reads as empty.
Form = dict[str, str]


async def read_form(request: Request[Any, Any, Any]) -> Form:
    return {name: str(value) for name, value in (await request.form()).items()}


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session, signed_in=False)
    logins = [
        {
            "email": login.email,
            "role": visit.t(ROLE_NAMES[Role(login.role)]),
            "organization": login.organization_slug,
        }
        for login in demo_logins()
    ]
    return visit.page("home.html", logins=logins, demo_password=DEMO_PASSWORD)


def _return_path(value: str) -> str | None:
    try:
        return sign_on.safe_return_path(value) if value else None
    except DomainError:
        return None


async def _sign_in_page(
    visit: Visit, *, next_path: str, email: str = "", error: str = "", status: int = 200
) -> Template:
    assert visit.db is not None
    async with unit_of_work(visit.db):
        organizations = await sign_on.sign_on_organizations(visit.db)
    return visit.page(
        "sign_in.html",
        status_code=status,
        next=next_path,
        email=email,
        error=error,
        sign_on=[
            {
                "name": organization.name_fr if visit.language == "fr" else organization.name_en,
                "href": f"/auth/sso/{organization.slug}?" + urlencode({"returnTo": next_path or "/"}),
            }
            for organization in organizations
        ],
    )


@get("/sign-in", include_in_schema=False)
async def sign_in_form(request: Request[Any, Any, Any], db_session: AsyncSession, next: str = "") -> Template:
    visit = await open_visit(request, db_session, signed_in=False)
    return await _sign_in_page(visit, next_path=_return_path(next) or "")


@post("/sign-in", include_in_schema=False)
async def sign_in(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, signed_in=False, form=form)
    next_path = _return_path(form.get("next", "")) or ""
    try:
        async with unit_of_work(db_session):
            token, _ = await accounts.sign_in(
                db_session,
                form.get("email", ""),
                form.get("password", ""),
                throttle=request.app.state.throttle,
                address=request.client.host if request.client else None,
            )
        async with unit_of_work(db_session):
            actor = await accounts.resolve_actor(db_session, token, None)
    except DomainError as error:
        return await _sign_in_page(
            visit,
            next_path=next_path,
            email=form.get("email", ""),
            error=visit.t(error.message_key, **error.params),
            status=status_of(error),
        )
    visit.cookies.extend(session_cookies(visit.settings, token))
    return visit.redirect(next_path or start_page(actor))


@post("/sign-out", include_in_schema=False)
async def sign_out(request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, signed_in=False, form=form)
    token = request.cookies.get(cookie_name(visit.settings, SESSION_COOKIE))
    if token:
        async with unit_of_work(db_session):
            await accounts.sign_out(db_session, token)
    visit.cookies.extend(cleared_session_cookies(visit.settings))
    return visit.redirect("/")


@post("/language", include_in_schema=False)
async def choose_language(request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
    """Remembered in a cookie, and as the person's preference once signed in."""
    form = await read_form(request)
    visit = await open_visit(request, db_session, signed_in=False, form=form)
    language = form.get("language", "")
    if language in LANGUAGES:
        visit.cookies.append(long_cookie(visit.settings, LANGUAGE_COOKIE, language, httponly=True))
        if visit.actor is not None:
            await visit.call(accounts.set_language, Language(language))
    return visit.redirect(_return_path(form.get("next", "")) or "/")


@get("/dashboard", include_in_schema=False)
async def dashboard(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    """The start page of staff, mentors and employer representatives."""
    visit = await open_visit(request, db_session)
    return visit.page("dashboard.html")


ROUTES = [home, sign_in_form, sign_in, sign_out, choose_language, dashboard]
