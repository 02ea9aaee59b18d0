"""Turning service errors into GraphQL errors a person can act on.

A ``DomainError`` becomes an error whose message is in the caller's language and whose
``extensions`` carry its stable ``code`` (and the ``field`` at fault, when known).
Anything else is logged and reaches the client only as ``INTERNAL_ERROR``: no stack
trace or driver message ever leaves the server.
"""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from core.errors import DomainError
from core.i18n import translate

log = logging.getLogger("tremplin.graphql")


def _localize(error: GraphQLError, language: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        extensions = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        message = translate(original.message_key, language, **original.params)
    elif original is None:
        # Parsing and validation errors: the client's query itself is at fault.
        extensions = {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
        message = error.message
    else:
        log.error("unexpected error", exc_info=original)
        extensions = {"code": "INTERNAL_ERROR"}
        message = translate("error.INTERNAL_ERROR", language)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


class LocalizedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        context = self.execution_context.context
        if result is not None and result.errors:
            language = getattr(context, "language", "en")
            result.errors = [_localize(error, language) for error in result.errors]
