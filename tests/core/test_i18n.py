"""Bilingual from the first string: every message key the code uses exists, filled, in
French and in English, with the same placeholders."""

import ast
import re
import string
from pathlib import Path

import pytest

from core import i18n
from core.errors import DomainError
from core.graphql.rules import leaves
from core.matching.cohort import Unmatched
from core.matching.criteria import CRITERIA
from core.matching.declared import CULTURAL_REGIONS, WORK_STYLE_ITEMS
from core.matching.engine import UNLISTED, Exclusion
from core.plugins import get_plugin_host
from core.rules import OPERATORS, describe
from core.validation import PARTS_OF_DAY

ROOT = Path(__file__).parents[2]
SOURCES = [path for folder in ("core", "plugins", "federation") for path in (ROOT / folder).rglob("*.py")]
KEY = re.compile(r"^(error|match|rule|web)\.[A-Za-z_.]*[A-Za-z_]$")
TEMPLATES = list((ROOT / "core" / "web" / "templates").rglob("*.html"))
# t("web.home.title") in the web app's templates.
TEMPLATE_KEY = re.compile(r"""\bt\(\s*["']([A-Za-z_.]+)["']""")


def composed_matching_keys() -> set[str]:
    """Keys matching composes at run time from its criteria, reasons and questionnaire,
    which the scan of literals cannot see."""
    plugin_criteria = [
        criterion for found in get_plugin_host().manager.hook.register_match_criteria() for criterion in found
    ]
    keys = {
        criterion.reason_key(code)
        for criterion in CRITERIA.values()
        for code in range(len(criterion.reasons))
    }
    keys |= {
        f"match.criterion.{key}" for key in [*CRITERIA, *(criterion.key for criterion in plugin_criteria)]
    }
    keys |= {f"match.excluded.{reason}" for reason in (Exclusion(sum(Exclusion)) & ~UNLISTED).reasons}
    keys |= {f"match.unmatched.{reason.value}" for reason in Unmatched}
    keys |= {f"match.part_of_day.{part}" for part in PARTS_OF_DAY}
    keys |= {f"declared.region.{region}" for region in CULTURAL_REGIONS}
    for item in WORK_STYLE_ITEMS:
        keys |= {f"declared.work_style.{item}{end}" for end in ("", ".low", ".high")}
    # Mentor search's yes/no facet values.
    keys |= {
        f"search.{facet}.{value}"
        for facet in ("open_to_virtual", "has_capacity")
        for value in ("true", "false")
    }
    return keys


def used_keys() -> set[str]:
    """Catalog keys written in the code, and the error codes raised in it."""
    keys = composed_matching_keys()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value):
                keys.add(node.value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DomainError" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    keys.add(f"error.{first.value}")
            # Class-level codes of DomainError subclasses (NotFound, Forbidden...).
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if (
                        isinstance(statement, ast.Assign)
                        and getattr(statement.targets[0], "id", None) == "code"
                        and isinstance(statement.value, ast.Constant)
                    ):
                        keys.add(f"error.{statement.value.value}")
    for path in TEMPLATES:
        keys.update(TEMPLATE_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_finds_the_keys_it_should() -> None:
    keys = used_keys()
    assert {
        "error.UNKNOWN_NOC",
        "error.NOT_FOUND",
        "match.language.none",
        "match.excluded.service_language",
        "match.criterion.work_style",
        "rule.open.mentor_local_experience",
        "web.home.title",
    } <= keys
    assert "error.INTERNAL_ERROR" in keys


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_key_used_in_the_code_is_translated(language: str) -> None:
    catalog = i18n.catalogs()[language]
    missing = sorted(key for key in used_keys() if not catalog.get(key))
    assert not missing, f"missing {language} translations: {missing}"


def test_both_catalogs_hold_the_same_keys_and_placeholders() -> None:
    english, french = i18n.catalogs()["en"], i18n.catalogs()["fr"]
    assert set(english) == set(french)
    for key in english:
        assert english[key] and french[key], key
        assert placeholders(english[key]) == placeholders(french[key]), key


def test_a_domain_error_is_translated_with_its_parameters() -> None:
    error = DomainError("INVALID_CLB", field="languages[0].clb", level=14)
    assert i18n.translate(error.message_key, "fr", **error.params).startswith(
        "Les niveaux de langue vont de 1 à 12"
    )
    assert "14" in i18n.translate(error.message_key, "en", **error.params)


def test_a_missing_key_falls_back_rather_than_failing() -> None:
    assert i18n.translate("error.NO_SUCH_KEY", "fr") == "error.NO_SUCH_KEY"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,en;q=0.5,fr;q=0.7", "fr"),
        ("de-DE", None),
        ("fr;q=0", None),
        (None, None),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str | None) -> None:
    assert i18n.negotiate(header) == expected


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_rule_field_operator_and_choice_is_named(language: str) -> None:
    """Rule descriptions are composed from these keys at run time, so the scan above
    cannot see them."""
    catalog = i18n.catalogs()[language]
    book = get_plugin_host().rule_book()
    keys = {f"rule.op.{op}" for ops in OPERATORS.values() for op in ops} | {
        "rule.bool.true",
        "rule.bool.false",
    }
    for rule_field in book.fields.values():
        keys.add(f"rule.field.{rule_field.key}")
        keys.update(f"rule.choice.{rule_field.key}.{choice}" for choice in rule_field.choices)
    assert sorted(key for key in keys if not catalog.get(key)) == []


def test_plugin_default_rules_are_worded_in_both_languages() -> None:
    for _, program_type in get_plugin_host().program_types().values():
        for leaf in leaves(program_type.default_rules):
            assert ("label_en" in leaf) == ("label_fr" in leaf), leaf
            for language in i18n.LANGUAGES:
                assert describe(leaf, language), leaf
