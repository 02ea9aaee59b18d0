"""Declarative eligibility rules that staff edit without code (seed recommendations 1
and 2: standardized, reviewable criteria).

A rule set is a group: ``{"all": [...]}`` or ``{"any": [...]}``, whose items are groups or
leaves ``{"id": "...", "field": "...", "op": "...", "value": ...}`` (optional
``label_en``/``label_fr`` override the generated description). Fields come from core
and from plugins (``register_rule_fields``); each field's kind decides the operators it
supports. Checking gives every leaf's result and whether the whole set passed; a failed
leaf *blocks* only when its group failed too, so an any-of alternative that was not met
is not held against the newcomer.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from core import clock
from core.errors import DomainError
from core.i18n import LANGUAGES, catalogs, read_catalog, translate
from core.models import ImmigrationStatus, Language, MenteeProfile, MentorProfile, Program
from core.validation import PROVINCES

MAX_RULES = 100


class FieldKind(StrEnum):
    BOOLEAN = "boolean"
    NUMBER = "number"
    TEXT = "text"
    CHOICE = "choice"


OPERATORS: dict[FieldKind, frozenset[str]] = {
    FieldKind.BOOLEAN: frozenset({"is"}),
    FieldKind.NUMBER: frozenset({"eq", "ne", "gte", "lte", "gt", "lt"}),
    FieldKind.TEXT: frozenset({"eq", "ne", "in", "not_in", "starts_with", "not_empty"}),
    FieldKind.CHOICE: frozenset({"eq", "ne", "in", "not_in"}),
}


@dataclass(frozen=True)
class RuleResult:
    """One eligibility criterion checked against one person.

    ``message`` is a catalog key; ``params`` fill its placeholders. A failed rule's
    message is what a returned referral shows the referring agency.
    """

    rule: str
    passed: bool
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    # The error code a failure answers with where it refuses an action outright
    # (e.g. OUTSIDE_ORGANIZATION for a mentor of another organization).
    code: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "passed": self.passed,
            "blocking": not self.passed,
            "message": self.message,
            "params": self.params,
        }


@dataclass(frozen=True)
class Facts:
    """What a rule may look at: the newcomer's file, the program, the referral's
    details, and the organizations the newcomer belongs to."""

    mentee: MenteeProfile
    program: Program
    details: dict[str, Any] = field(default_factory=dict)
    member_of: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class RuleField:
    key: str
    kind: FieldKind
    read: Callable[[Facts], Any]
    choices: tuple[str, ...] = ()

    @property
    def operators(self) -> frozenset[str]:
        return OPERATORS[self.kind]


def _clb(facts: Facts, *languages: str) -> int:
    return max((s["clb"] for s in facts.mentee.languages if s.get("language") in languages), default=0)


def _years_in_canada(facts: Facts) -> float | None:
    arrival: date | None = facts.mentee.arrival_date
    return None if arrival is None else round((clock.now().date() - arrival).days / 365.25, 2)


CORE_FIELDS = (
    RuleField(
        "immigration_status",
        FieldKind.CHOICE,
        lambda f: str(f.mentee.immigration_status),
        tuple(status.value for status in ImmigrationStatus),
    ),
    RuleField("country_of_training", FieldKind.TEXT, lambda f: f.mentee.country_of_training),
    RuleField(
        "trained_abroad",
        FieldKind.BOOLEAN,
        lambda f: bool(f.mentee.country_of_training) and f.mentee.country_of_training != "CA",
    ),
    RuleField("official_language_clb", FieldKind.NUMBER, lambda f: _clb(f, "en", "fr")),
    RuleField("english_clb", FieldKind.NUMBER, lambda f: _clb(f, "en")),
    RuleField("french_clb", FieldKind.NUMBER, lambda f: _clb(f, "fr")),
    RuleField("province", FieldKind.CHOICE, lambda f: f.mentee.province, tuple(sorted(PROVINCES))),
    RuleField(
        "resides_in_program_province", FieldKind.BOOLEAN, lambda f: f.mentee.province == f.program.province
    ),
    RuleField("city", FieldKind.TEXT, lambda f: f.mentee.city),
    RuleField("job_search_workshop", FieldKind.BOOLEAN, lambda f: f.mentee.job_search_workshop),
    RuleField("target_noc", FieldKind.TEXT, lambda f: f.mentee.target_noc),
    RuleField("years_in_canada", FieldKind.NUMBER, _years_in_canada),
    RuleField(
        "preferred_language",
        FieldKind.CHOICE,
        lambda f: str(f.mentee.preferred_language),
        tuple(language.value for language in Language),
    ),
    RuleField(
        "member_of_program_organization",
        FieldKind.BOOLEAN,
        lambda f: f.program.organization_id in f.member_of,
    ),
)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "not_empty":
        return bool(actual)
    if actual is None:
        return False
    if op in ("is", "eq"):
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "starts_with":
        return str(actual).startswith(str(expected))
    comparisons = {
        "gte": actual >= expected,
        "lte": actual <= expected,
        "gt": actual > expected,
        "lt": actual < expected,
    }
    return bool(comparisons[op])


@dataclass(frozen=True)
class Evaluation:
    passed: bool
    # One record per leaf: {"rule", "passed", "blocking", "field", "op", "value", labels}
    records: list[dict[str, Any]]


class RuleBook:
    """The fields rules may use: core's and the installed plugins'."""

    def __init__(self, fields: list[RuleField]):
        self.fields = {rule_field.key: rule_field for rule_field in fields}

    # --- validation -----------------------------------------------------------------
    def validate(self, rules: Any) -> dict[str, Any]:
        """A rule set as stored, or a DomainError naming what is wrong and where."""
        count = [0]
        normalized = self._group(rules, "rules", count)
        if count[0] > MAX_RULES:
            raise DomainError("TOO_MANY_RULES", field="rules", max=MAX_RULES)
        return normalized

    def _group(self, node: Any, path: str, count: list[int]) -> dict[str, Any]:
        if not isinstance(node, dict) or len(node) != 1 or next(iter(node)) not in ("all", "any"):
            raise DomainError("INVALID_RULE_GROUP", field=path)
        ((mode, items),) = node.items()
        if not isinstance(items, list) or not items:
            raise DomainError("INVALID_RULE_GROUP", field=path)
        checked = []
        for index, item in enumerate(items):
            item_path = f"{path}.{mode}[{index}]"
            if isinstance(item, dict) and ("all" in item or "any" in item):
                checked.append(self._group(item, item_path, count))
            else:
                count[0] += 1
                checked.append(self._leaf(item, item_path))
        return {mode: checked}

    def _leaf(self, leaf: Any, path: str) -> dict[str, Any]:
        if not isinstance(leaf, dict):
            raise DomainError("INVALID_RULE_GROUP", field=path)
        unknown_keys = set(leaf) - {"id", "field", "op", "value", "label_en", "label_fr"}
        if unknown_keys:
            raise DomainError("INVALID_RULE_GROUP", field=f"{path}.{sorted(unknown_keys)[0]}")
        rule_field = self.fields.get(str(leaf.get("field")))
        if rule_field is None:
            raise DomainError("UNKNOWN_RULE_FIELD", field=f"{path}.field", name=str(leaf.get("field")))
        op = str(leaf.get("op"))
        if op not in rule_field.operators:
            raise DomainError(
                "OPERATOR_NOT_SUPPORTED",
                field=f"{path}.op",
                op=op,
                name=rule_field.key,
                kind=rule_field.kind.value,
            )
        value = self._value(rule_field, op, leaf.get("value"), f"{path}.value")
        labels = {key: str(leaf[key]).strip()[:300] for key in ("label_en", "label_fr") if leaf.get(key)}
        if len(labels) == 1:
            raise DomainError(
                "REQUIRED", field=f"{path}.{'label_fr' if 'label_en' in labels else 'label_en'}"
            )
        rule_id = str(leaf.get("id") or f"{rule_field.key}.{op}")[:80]
        return {"id": rule_id, "field": rule_field.key, "op": op, "value": value, **labels}

    def _value(self, rule_field: RuleField, op: str, value: Any, path: str) -> Any:
        def invalid() -> DomainError:
            return DomainError("INVALID_RULE_VALUE", field=path, name=rule_field.key)

        if op == "not_empty":
            return None
        if rule_field.kind == FieldKind.BOOLEAN:
            if not isinstance(value, bool):
                raise invalid()
            return value
        if rule_field.kind == FieldKind.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise invalid()
            return value
        values = value if op in ("in", "not_in") else [value]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise invalid()
        if rule_field.kind == FieldKind.CHOICE and not set(values) <= set(rule_field.choices):
            raise invalid()
        return values if op in ("in", "not_in") else values[0]

    # --- evaluation -----------------------------------------------------------------
    def evaluate(self, rules: dict[str, Any], facts: Facts) -> Evaluation:
        records: list[dict[str, Any]] = []
        passed = self._evaluate_group(rules, facts, records)
        return Evaluation(passed, records)

    def _evaluate_group(self, group: dict[str, Any], facts: Facts, records: list[dict[str, Any]]) -> bool:
        ((mode, items),) = group.items()
        start = len(records)
        outcomes = []
        for item in items:
            if "all" in item or "any" in item:
                outcomes.append(self._evaluate_group(item, facts, records))
            else:
                rule_field = self.fields.get(item["field"])
                actual = rule_field.read(facts) if rule_field else None
                ok = rule_field is not None and _compare(item["op"], actual, item["value"])
                records.append({**item, "rule": item["id"], "passed": ok, "blocking": not ok})
                outcomes.append(ok)
        passed = all(outcomes) if mode == "all" else any(outcomes)
        if passed:
            # A met group holds nothing against the newcomer, whatever its failed alternatives.
            for record in records[start:]:
                record["blocking"] = False
        return passed


def describe(record: dict[str, Any], language: str) -> str:
    """A checked rule in words, in ``language``: its staff-written label, or its field,
    operator and value from the catalogs."""
    if "field" not in record:
        return translate(record["message"], language, **record.get("params", {}))
    label = record.get(f"label_{language}")
    if label:
        return str(label)
    entries = catalogs()[language]

    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return translate(f"rule.bool.{str(value).lower()}", language)
        key = f"rule.choice.{record['field']}.{value}"
        return entries.get(key) or str(value)

    value = record.get("value")
    text = ", ".join(shown(v) for v in value) if isinstance(value, list) else shown(value)
    field_label = translate(f"rule.field.{record['field']}", language)
    return translate(f"rule.op.{record['op']}", language, field=field_label, value=text)


def worded(rule_id: str, leaf: dict[str, Any], catalogs_dir: Path, catalog: str) -> dict[str, Any]:
    """A plugin's default rule with its wording in both languages, read from the
    plugin's own catalog entry ``rule.<rule_id>`` (staff may reword it later)."""
    labels = {
        f"label_{language}": read_catalog(catalogs_dir / language / f"{catalog}.po")[f"rule.{rule_id}"]
        for language in LANGUAGES
    }
    return {"id": rule_id, **leaf, **labels}


def mentor_of_program_organization(program: Program, mentor: MentorProfile, rule_id: str) -> RuleResult:
    """Internal and employer-sponsored programs draw mentors from their own ranks; a
    mentor of another organization is refused outright (OUTSIDE_ORGANIZATION)."""
    return RuleResult(
        rule_id,
        mentor.organization_id == program.organization_id,
        "rule.mentor_of_program_organization",
        code="OUTSIDE_ORGANIZATION",
    )
