"""Eligibility rules in the API: the fields staff may use, each program's versions,
and editing them."""

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core import models, rules
from core.graphql.context import GraphQLInfo
from core.i18n import catalogs, translate
from core.plugins import get_plugin_host
from core.services import programs


@strawberry.type
class RuleChoice:
    value: str
    label: str


@strawberry.type(description="A field eligibility rules may test, with the operators its kind supports")
class RuleFieldInfo:
    key: str
    kind: str
    operators: list[str]
    label: str
    choices: list[RuleChoice]


@strawberry.type
class RuleSet:
    row: strawberry.Private[models.ProgramRuleSet]

    @strawberry.field
    def version(self) -> int:
        return self.row.version

    @strawberry.field(description='The rules as stored: {"all"|"any": [groups or {id, field, op, value}]}')
    def rules(self) -> JSON:
        return JSON(self.row.rules)

    @strawberry.field(description="Each criterion in words, in the viewer's language")
    def criteria(self, info: GraphQLInfo) -> list[str]:
        return [rules.describe(leaf, info.context.language) for leaf in leaves(self.row.rules)]

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at


def leaves(group: dict[str, Any]) -> list[dict[str, Any]]:
    (items,) = group.values()
    found: list[dict[str, Any]] = []
    for item in items:
        found.extend(leaves(item) if ("all" in item or "any" in item) else [item])
    return found


@strawberry.type
class RulesQuery:
    @strawberry.field(description="Fields eligibility rules may use (core's and the plugins')")
    def rule_fields(self, info: GraphQLInfo) -> list[RuleFieldInfo]:
        language = info.context.language
        entries = catalogs()[language]
        return [
            RuleFieldInfo(
                key=rule_field.key,
                kind=rule_field.kind.value,
                operators=sorted(rule_field.operators),
                label=translate(f"rule.field.{rule_field.key}", language),
                choices=[
                    RuleChoice(
                        value=choice, label=entries.get(f"rule.choice.{rule_field.key}.{choice}") or choice
                    )
                    for choice in rule_field.choices
                ],
            )
            for rule_field in sorted(get_plugin_host().rule_book().fields.values(), key=lambda f: f.key)
        ]

    @strawberry.field(description="A program's eligibility rules, newest version first (public)")
    async def program_rules(self, info: GraphQLInfo, program_id: uuid.UUID) -> list[RuleSet]:
        rows = await info.context.run(programs.rule_history, program_id)
        return [RuleSet(row=row) for row in rows]


@strawberry.type
class RulesMutation:
    @strawberry.mutation(description="Program staff: save the program's rules as a new version")
    async def update_program_rules(self, info: GraphQLInfo, program_id: uuid.UUID, rules: JSON) -> RuleSet:
        return RuleSet(row=await info.context.call(programs.update_rules, program_id, rules))
