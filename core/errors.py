"""Errors a person can act on.

Services raise ``DomainError`` with a stable ``code``; the API turns it into a GraphQL
error whose ``extensions.code`` is that code and whose message is the catalog entry
``error.<code>`` in the caller's language.
"""

from typing import Any


class DomainError(Exception):
    code: str = "INVALID_INPUT"

    def __init__(self, code: str | None = None, /, *, field: str | None = None, **params: Any):
        self.code = code or self.code
        self.field = field
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)

    @property
    def message_key(self) -> str:
        return f"error.{self.code}"


class NotFound(DomainError):
    """Also used when a record exists but belongs to someone the actor may not see, so
    that its existence does not leak."""

    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
