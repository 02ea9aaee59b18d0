"""The composition root: ``create_app()`` builds the whole HTTP application."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from litestar import Litestar, Request, get
from litestar.config.app import AppConfig
from litestar.datastructures import MutableScopeHeaders, State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins import InitPluginProtocol
from litestar.types import Message, Scope
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.litestar import make_graphql_controller

from core import mail
from core.db import create_engine, session_factory
from core.graphql.context import Context
from core.graphql.loaders import Loaders
from core.graphql.schema import build_schema
from core.http import certificates, oauth, reports, sessions, sign_on
from core.jobs.runner import job_runner, keep_working
from core.search.engines import search_engine
from core.search.outbox import run_indexer
from core.search.port import SearchEngine
from core.settings import Settings, get_settings
from core.throttle import SignInThrottle
from core.web import router as web_router
from core.web import static_files, template_config

ORGANIZATION_HEADER = "Tremplin-Organization"


async def provide_db_session(state: State) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session:
        yield session


async def graphql_context(request: Request[Any, Any, Any], db_session: AsyncSession) -> Context:
    settings: Settings = request.app.state.settings
    context = Context(
        session=db_session,
        # Bearer token, or the browser session cookie with its CSRF header (else 403).
        token=sessions.request_token(request),
        organization_slug=request.headers.get(ORGANIZATION_HEADER.lower()) or None,
        accept_language=request.headers.get("accept-language"),
        default_language=settings.default_language,
        lock=asyncio.Lock(),
        search=request.app.state.search,
        throttle=request.app.state.throttle,
        client_address=request.client.host if request.client else None,
    )
    context.loaders = Loaders(context)
    return context


# Sent with every answer: nothing here is meant to be framed, sniffed, cached by a shared
# proxy or referred onwards. GraphiQL (served in debug) loads its scripts from a CDN, so
# the content policy only forbids framing.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cache-Control": "no-store",
}


async def security_headers(message: Message, scope: Scope) -> None:
    """Adds the security headers as each answer starts: unlike an after-request hook,
    this also reaches the answers Litestar makes itself (unknown route, wrong method,
    refused body, any exception's answer)."""
    if message["type"] == "http.response.start":
        headers = MutableScopeHeaders.from_message(message)
        for name, value in SECURITY_HEADERS.items():
            # The web app's pages send a stricter content policy of their own (core/web).
            if name == "Content-Security-Policy" and name in headers:
                continue
            headers[name] = value


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


class TremplinPlugin(InitPluginProtocol):
    """Registers the database lifecycle (with the search indexer and the job worker),
    the GraphQL endpoint, the HTTP routes and the web app's pages."""

    def __init__(
        self, settings: Settings, search: SearchEngine | None = None, index_in_background: bool = True
    ):
        self.settings = settings
        self.search = search
        self.index_in_background = index_in_background

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = self.settings

        @asynccontextmanager
        async def database(app: Litestar) -> AsyncIterator[None]:
            engine = create_engine(settings)
            app.state.settings = settings
            app.state.engine = engine
            app.state.sessions = session_factory(engine)
            # Drains the search outbox every second; reads app.state.search at each round.
            indexer = (
                asyncio.create_task(run_indexer(app.state.sessions, lambda: app.state.search))
                if self.index_in_background
                else None
            )
            # Reminders and mail (core/jobs), unless `tremplin jobs work` runs them elsewhere.
            worker = (
                asyncio.create_task(
                    keep_working(job_runner(settings, app.state.sessions, mail.mailer_of(app.state)))
                )
                if settings.jobs_in_process
                else None
            )
            try:
                yield
            finally:
                if worker is not None:
                    worker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker
                if indexer is not None:
                    indexer.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await indexer
                await engine.dispose()

        graphql = make_graphql_controller(
            build_schema(),
            path="/graphql",
            graphql_ide="graphiql" if settings.debug else None,
            allow_queries_via_get=False,
            context_getter=graphql_context,
        )
        # /graphql's contract is its GraphQL schema (schemas/schema.graphql); the OpenAPI
        # document served at /schema/openapi.json describes the other HTTP routes.
        graphql.include_in_schema = False
        app_config.openapi_config = OpenAPIConfig(
            title="Tremplin", version=version("tremplin"), components=oauth.OPENAPI_COMPONENTS
        )
        app_config.state["search"] = self.search or search_engine(settings)
        app_config.state["throttle"] = SignInThrottle.of(
            settings.sign_in_failures_allowed,
            settings.sign_in_lockout_minutes,
            settings.sign_in_attempts_per_minute,
        )
        app_config.before_send.append(security_headers)
        app_config.lifespan.append(database)
        app_config.dependencies["db_session"] = Provide(provide_db_session)
        app_config.route_handlers.extend(
            [
                graphql,
                health,
                oauth.token,
                sessions.open_session,
                sign_on.begin_sign_on,
                sign_on.finish_sign_on,
                reports.export_csv,
                reports.export_xlsx,
                *certificates.ROUTES,
                # The web app's pages and their stylesheet (core/web).
                web_router(),
                static_files(),
            ]
        )
        app_config.template_config = template_config()
        return app_config


def create_app(
    settings: Settings | None = None, search: SearchEngine | None = None, *, index_in_background: bool = True
) -> Litestar:
    """``search``: the mentor search engine, by default the one ``settings`` configure.
    ``index_in_background``: drain the search outbox every second while serving (tests
    that drain it themselves turn it off)."""
    settings = settings or get_settings()
    return Litestar(
        plugins=[TremplinPlugin(settings, search, index_in_background)],
        debug=False,
        # Refused with 413 as it is read (Litestar ignores this when a plugin sets it);
        # no GraphQL document or form of ours comes near.
        request_max_body_size=settings.request_max_body_bytes,
    )
