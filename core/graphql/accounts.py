"""Local accounts' mailed links and integration clients in the API, and the guard that
keeps an integration client to its granted operations."""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, TypeVar

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.base import StrawberryObjectDefinition

from core import models
from core.errors import DomainError
from core.graphql.context import Context, GraphQLInfo
from core.services import integrations, local_accounts

T = TypeVar("T")


def app_state(context: Context) -> Any:
    """The application's state (settings, request limits), through the request."""
    assert context.request is not None, "the API is served over HTTP"
    return context.request.app.state


def _per_app(info: GraphQLInfo, key: str, build: Callable[[Any], T]) -> T:
    state = app_state(info.context)
    if key not in state:
        state[key] = build(state["settings"])
    built: T = state[key]
    return built


def _reset_limits(info: GraphQLInfo) -> local_accounts.RequestLimits:
    return _per_app(info, "password_reset_limits", local_accounts.password_reset_limits)


def root_operations(schema: strawberry.Schema) -> set[str]:
    """Every root field of the API (queries and mutations, plugins' included)."""
    names: set[str] = set()
    for type_name in ("Query", "Mutation"):
        definition = schema.get_type_by_name(type_name)
        if isinstance(definition, StrawberryObjectDefinition):
            names.update(schema.config.name_converter.get_graphql_name(field) for field in definition.fields)
    return names


@strawberry.type
class IntegrationClient:
    id: uuid.UUID = strawberry.field(description="The OAuth2 client_id")
    name: str
    role: models.Role
    operations: list[str] = strawberry.field(description="Root fields its tokens may call")
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_model(cls, row: models.IntegrationClient) -> "IntegrationClient":
        return cls(
            id=row.id,
            name=row.name,
            role=row.role,
            operations=list(row.operations),
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type
class CreatedIntegrationClient:
    client: IntegrationClient
    client_secret: str = strawberry.field(
        description="Shown this once (only a digest is kept): POST it with the client id to /oauth/token"
    )


@strawberry.input
class IntegrationClientInput:
    name: str
    role: models.Role = strawberry.field(description="COORDINATOR or VIEWER")
    operations: list[str] = strawberry.field(description="Root field names, e.g. clients, referClient")


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="Organization admins: the organization's integration clients")
    async def integration_clients(self, info: GraphQLInfo) -> list[IntegrationClient]:
        rows = await info.context.call(integrations.list_integration_clients)
        return [IntegrationClient.from_model(row) for row in rows]


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Mail the signed-in person a link to verify their address")
    async def request_email_verification(self, info: GraphQLInfo) -> bool:
        await info.context.call(local_accounts.request_email_verification, limits=_reset_limits(info))
        return True

    @strawberry.mutation(description="The token of a verification link")
    async def verify_email(self, info: GraphQLInfo, token: str) -> bool:
        await info.context.run(local_accounts.verify_email, token)
        return True

    @strawberry.mutation(
        description="Mail a password reset link if the address is an account's (same answer either way)"
    )
    async def request_password_reset(self, info: GraphQLInfo, email: str) -> bool:
        await info.context.run(
            local_accounts.request_password_reset,
            email,
            limits=_reset_limits(info),
            address=info.context.client_address,
        )
        return True

    @strawberry.mutation(
        description="Set a new password with the token of a reset link; signs out everywhere"
    )
    async def reset_password(self, info: GraphQLInfo, token: str, new_password: str) -> bool:
        await info.context.run(
            local_accounts.reset_password, token, new_password, throttle=info.context.throttle
        )
        return True

    @strawberry.mutation(description="Organization admins: let another system act for the organization")
    async def create_integration_client(
        self, info: GraphQLInfo, input: IntegrationClientInput
    ) -> CreatedIntegrationClient:
        client, secret = await info.context.call(
            integrations.create_integration_client,
            input.name,
            input.role,
            input.operations,
            root_operations(info.schema),
        )
        return CreatedIntegrationClient(client=IntegrationClient.from_model(client), client_secret=secret)

    @strawberry.mutation(description="Organization admins: its tokens stop working at once")
    async def revoke_integration_client(self, info: GraphQLInfo, id: uuid.UUID) -> IntegrationClient:
        return IntegrationClient.from_model(
            await info.context.call(integrations.revoke_integration_client, id)
        )


def requested_root_fields(document: DocumentNode, operation_name: str | None) -> set[str]:
    """The root fields an operation selects, through fragments too (validation has
    already refused unknown fragments and cycles)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return set()
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    names: set[str] = set()
    spread: set[str] = set()

    def collect(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                collect(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                spread.add(selection.name.value)
                collect(fragments[selection.name.value].selection_set)

    collect(operation.selection_set)
    return names


class OperationsGranted(SchemaExtension):
    """An integration client's token runs only the root fields it was granted: an
    operation asking for any other is refused whole, before anything runs. A person's
    token is left to the resolvers (resolving it here would fix the actor before a
    ``signIn`` in the same request replaces it)."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context: Context = execution.context
        actor = None
        token = context.token or ""
        if token.startswith(integrations.CLIENT_TOKEN_PREFIX) and execution.graphql_document is not None:
            try:
                actor = await context.actor()
            except DomainError:
                actor = None  # the resolvers answer it, as for anyone
        if actor is not None and actor.operations is not None:
            assert execution.graphql_document is not None
            asked = requested_root_fields(execution.graphql_document, execution.operation_name)
            refused = sorted(asked - actor.operations - {"__typename"})
            if refused:
                error = DomainError("OPERATION_NOT_GRANTED", operation=refused[0])
                execution.result = ExecutionResult(
                    data=None, errors=[GraphQLError(str(error), original_error=error)]
                )
        yield
