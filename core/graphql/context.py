"""The per-request GraphQL context: who is asking, in which language, and the one
database session and DataLoaders of this request."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.litestar import BaseContext
from strawberry.types import Info

from core.access import Actor
from core.db import unit_of_work
from core.errors import DomainError
from core.i18n import DEFAULT_LANGUAGE, negotiate
from core.services import accounts

P = ParamSpec("P")
T = TypeVar("T")


class Context(BaseContext, kw_only=True):
    session: AsyncSession
    token: str | None = None
    organization_slug: str | None = None
    accept_language: str | None = None
    default_language: str = DEFAULT_LANGUAGE
    # GraphQL resolves sibling fields concurrently, but an AsyncSession serves one
    # statement at a time: every database use in a request takes this lock.
    lock: asyncio.Lock
    loaders: Any = None
    search: Any = None  # the search engine (core.search.port.SearchEngine) of this app
    throttle: Any = None  # the app's sign-in throttle (core.throttle.SignInThrottle)
    client_address: str | None = None
    _actor: Actor | None = None
    _actor_error: DomainError | None = None

    @property
    def language(self) -> str:
        """An explicit Accept-Language wins, then the person's saved preference, then
        the platform's default."""
        chosen = negotiate(self.accept_language)
        if chosen:
            return chosen
        return str(self._actor.language) if self._actor else self.default_language

    async def actor(self) -> Actor:
        if self._actor is None and self._actor_error is None:
            async with self.lock:
                try:
                    self._actor = await accounts.resolve_actor(
                        self.session, self.token, self.organization_slug
                    )
                    await self.session.commit()
                except DomainError as error:
                    await self.session.rollback()
                    self._actor_error = error
        if self._actor_error is not None:
            raise self._actor_error
        assert self._actor is not None
        return self._actor

    async def optional_actor(self) -> Actor | None:
        if self.token is None:
            return None
        return await self.actor()

    async def run(
        self,
        operation: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run one use case in its own transaction."""
        async with self.lock, unit_of_work(self.session):
            return await operation(self.session, *args, **kwargs)

    async def call(
        self,
        operation: Callable[Concatenate[AsyncSession, Actor, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run one use case as the signed-in actor, in its own transaction."""
        actor = await self.actor()
        async with self.lock, unit_of_work(self.session):
            return await operation(self.session, actor, *args, **kwargs)


GraphQLInfo = Info[Context, None]
