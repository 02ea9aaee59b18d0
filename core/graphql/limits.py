"""What one GraphQL request may ask for: its cost, counted before anything runs.

Each field costs 1. A field returning a list multiplies the cost of its selection by
the page size the client asked for (its ``limit`` or ``first`` argument, variables and
declared defaults resolved) or, for lists without a page size, by
``DEFAULT_LIST_SIZE``. A paged field returning one object (a ``Page`` with ``items``
and ``totalCount``) hands its page size down to the lists it holds. Fragments, inline
fragments and aliases are counted where they are spread, so none of them can hide
cost. Introspection is costed the same way, against an allowance of its own.

The count runs once the document passed validation (so every field is known) and
refuses the operation with ``QUERY_TOO_COMPLEX`` before any resolver, hence any
database statement, runs.

strawberry's own limits (depth, aliases, tokens) are used through subclasses that
refuse with a stable code too (``QUERY_TOO_DEEP``, ``QUERY_TOO_MANY_ALIASES``,
``QUERY_TOO_LONG``), so ``LocalizedErrors`` answers them in the caller's language
instead of strawberry's English message.
"""

import contextlib
from collections.abc import Iterator
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeInfo,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef
from graphql.utilities import get_operation_ast
from graphql.validation import ASTValidationRule, ValidationContext, ValidationRule, validate
from strawberry import extensions
from strawberry.extensions import SchemaExtension

from core.errors import DomainError

PAGE_SIZE_ARGUMENTS = ("limit", "first")
# Lists without a page size: organizations, a mentor's languages, a check's criteria…
# rarely longer than this; the estimate only needs to keep nesting from multiplying
# unnoticed.
DEFAULT_LIST_SIZE = 10
# Introspection reads the schema in memory, not the database, and graphql-core's own
# validation already refuses it nested deeper than the standard introspection query
# (GraphiQL's, code generators', schemathesis's), which costs about 52,000 by the rules
# above whatever the schema. So it has an allowance of its own: twice that, enough for
# any tool, not for the same introspection repeated under many aliases.
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
INTROSPECTION_MAX_COST = 100_000
META_FIELDS = {
    "__schema": SchemaMetaFieldDef,
    "__type": TypeMetaFieldDef,
    "__typename": TypeNameMetaFieldDef,
}


class Cost(NamedTuple):
    data: int
    introspection: int


class QueryCost:
    """The cost of one operation of a validated document."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
    ):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def of_operation(self, operation: OperationDefinitionNode, data_limit: int) -> Cost:
        root = self.schema.get_root_type(operation.operation)
        assert root is not None  # validation refused operations the schema does not serve
        data = introspection = 0
        for field, parent in self._fields(operation.selection_set, root):
            if field.name.value in INTROSPECTION_ROOTS:
                introspection += self.of_field(field, parent, None, INTROSPECTION_MAX_COST)
            else:
                data += self.of_field(field, parent, None, data_limit)
        return Cost(data, introspection)

    def of_field(
        self, node: FieldNode, parent: GraphQLNamedType, inherited_page: int | None, stop_above: int
    ) -> int:
        definition = self._definition(node, parent)
        if node.selection_set is None:
            return 1
        page = self._page_size(node, definition)
        returns_list = is_list_type(get_nullable_type(definition.type))
        multiplier = (page or inherited_page or DEFAULT_LIST_SIZE) if returns_list else 1
        # A paged object (a Page, suggestions…) passes its page size to the lists inside it.
        handed_down = page if not returns_list else None
        inner = 0
        for field, field_parent in self._fields(node.selection_set, get_named_type(definition.type)):
            inner += self.of_field(field, field_parent, handed_down, stop_above)
            if inner * multiplier > stop_above:
                break  # already refused: stop before a hostile document makes counting costly
        return 1 + multiplier * inner

    def _fields(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
        """Every field of the selection, fragments spread in place with their type."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                assert inner is not None
                yield from self._fields(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                inner = self.schema.get_type(fragment.type_condition.name.value)
                assert inner is not None
                yield from self._fields(fragment.selection_set, inner)

    @staticmethod
    def _definition(node: FieldNode, parent: GraphQLNamedType) -> GraphQLField:
        name = node.name.value
        if name in META_FIELDS:
            return META_FIELDS[name]
        # Validation allows no other field on a union (only __typename, above).
        assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        return parent.fields[name]

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        if not any(name in definition.args for name in PAGE_SIZE_ARGUMENTS):
            return None
        try:
            arguments = get_argument_values(definition, node, self.variables)
        except GraphQLError:
            return None  # refused when the field runs; until then an unpaged list
        for name in PAGE_SIZE_ARGUMENTS:
            value = arguments.get(name)
            # A page size that is not positive is refused when the field runs.
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
        return None


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
    data_limit: int,
) -> Cost | None:
    """The cost of the operation of ``document`` that runs, or None when the request
    is refused anyway (no such operation, variables that do not fit their types).
    Counting stops once past ``data_limit``."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    variables = get_variable_values(schema, operation.variable_definitions or (), raw_variables or {})
    if not isinstance(variables, VariableValues):
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    return QueryCost(schema, fragments, variables).of_operation(operation, data_limit)


class QueryComplexityLimiter(SchemaExtension):
    """Refuses, with ``QUERY_TOO_COMPLEX``, an operation costing more than
    ``max_complexity`` (or, for introspection, ``INTROSPECTION_MAX_COST``)."""

    def __init__(self, max_complexity: int):
        self.max_complexity = max_complexity

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        schema = context.schema._schema
        assert context.graphql_document is not None
        if context.pre_execution_errors is None:
            # Validate first (an extension before this one may already have): the count
            # needs every field to exist.
            context.pre_execution_errors = validate(
                schema, context.graphql_document, context.validation_rules
            )
        if not context.pre_execution_errors:
            cost = operation_cost(
                schema,
                context.graphql_document,
                context.operation_name,
                context.variables,
                self.max_complexity,
            )
            refusal = None
            if cost is not None and cost.data > self.max_complexity:
                refusal = DomainError("QUERY_TOO_COMPLEX", cost=cost.data, limit=self.max_complexity)
            elif cost is not None and cost.introspection > INTROSPECTION_MAX_COST:
                refusal = DomainError(
                    "QUERY_TOO_COMPLEX", cost=cost.introspection, limit=INTROSPECTION_MAX_COST
                )
            if refusal is not None:
                context.pre_execution_errors = [GraphQLError(str(refusal), original_error=refusal)]
        yield


def refusing_with(rule: type[ASTValidationRule], refusal: DomainError) -> type[ValidationRule]:
    """``rule``, objecting with ``refusal`` (once, where it first objects) instead of
    its own messages. For rules that judge the whole document as they are made, as
    strawberry's depth and alias limits do."""

    class Refusing(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            objections: list[GraphQLError] = []
            rule(
                ValidationContext(
                    context.schema, context.document, TypeInfo(context.schema), objections.append
                )
            )
            if objections:
                context.report_error(GraphQLError(str(refusal), objections[0].nodes, original_error=refusal))

    return Refusing


class QueryDepthLimiter(extensions.QueryDepthLimiter):
    """Refuses, with ``QUERY_TOO_DEEP``, an operation nesting fields deeper than
    ``max_depth``."""

    def __init__(self, max_depth: int):
        super().__init__(max_depth=max_depth)
        refusal = DomainError("QUERY_TOO_DEEP", limit=max_depth)
        self.validation_rules = [refusing_with(rule, refusal) for rule in self.validation_rules]


class MaxAliasesLimiter(extensions.MaxAliasesLimiter):
    """Refuses, with ``QUERY_TOO_MANY_ALIASES``, a document with more than
    ``max_alias_count`` aliases."""

    def __init__(self, max_alias_count: int):
        super().__init__(max_alias_count=max_alias_count)
        refusal = DomainError("QUERY_TOO_MANY_ALIASES", limit=max_alias_count)
        self.validation_rules = [refusing_with(rule, refusal) for rule in self.validation_rules]


class MaxTokensLimiter(extensions.MaxTokensLimiter):
    """Refuses, with ``QUERY_TOO_LONG``, a document of more than ``max_token_count``
    tokens: the parser stops there."""

    def on_parse(self) -> Iterator[None]:
        yield
        # The parser stops with a syntax error of its own (graphql-core's message), and
        # strawberry answers that very error object: given a DomainError as its cause,
        # it is answered with a code, in the caller's language, by LocalizedErrors.
        too_long = f"Document contains more than {self.max_token_count} tokens."
        for error in self.execution_context.pre_execution_errors or ():
            if isinstance(error, GraphQLSyntaxError) and too_long in error.message:
                error.original_error = DomainError("QUERY_TOO_LONG", limit=self.max_token_count)


class ParserCache(extensions.ParserCache):
    """strawberry's parser cache, except that a document that does not parse is left
    to strawberry's own parse, whose error is answered like any refused document
    (``LocalizedErrors`` gives it a code): the cache's error would escape the
    extensions and answer without one."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield
