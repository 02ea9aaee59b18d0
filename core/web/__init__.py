"""The web app: server-rendered, bilingual pages on the same services as the API.

``core.app`` registers ``router()`` (the pages, with their refusal handling),
``static_files()`` and ``template_config()``. Templates translate through ``t(key)``,
so every word a person reads is a catalog key (``core/locales/*/web.po``).
"""

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response, Router
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from core.errors import DomainError
from core.web import admin, coordinator, employer, mentor, newcomer, pages, reports
from core.web.base import CsrfRefused, SignInNeeded, refused_page, sign_in_path, status_of

HERE = Path(__file__).parent


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def static_files() -> ControllerRouterHandler:
    return create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False)


def _sign_in_first(request: Request[Any, Any, Any], needed: SignInNeeded) -> Response[Any]:
    """A page asked without a live session: sign in, then come back to it (after a
    form, to the page the form was on)."""
    path = needed.back or request.url.path
    if needed.back is None and request.url.query:
        path += "?" + request.url.query
    return Redirect(sign_in_path(path), status_code=303)


def _csrf_refused(request: Request[Any, Any, Any], _: CsrfRefused) -> Response[Any]:
    return refused_page(request, 403, "error.CSRF_TOKEN_INVALID")


def _domain_refused(request: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    if error.code == "UNAUTHENTICATED":
        return _sign_in_first(request, SignInNeeded())
    return refused_page(request, status_of(error), error.message_key, **error.params)


def router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            *pages.ROUTES,
            *newcomer.ROUTES,
            *coordinator.ROUTES,
            *mentor.ROUTES,
            *reports.ROUTES,
            *admin.ROUTES,
            *employer.ROUTES,
        ],
        exception_handlers={
            SignInNeeded: _sign_in_first,
            CsrfRefused: _csrf_refused,
            DomainError: _domain_refused,
        },
    )
