"""Explanations in the reader's language.

A pair's explanation is stored as records (criterion, weight, score, catalog key,
parameters) whose parameters are codes, not words: an occupation code, language codes,
weekly slots, shared terms in both languages. They become sentences only when someone
reads them, in that person's language, so a proposal made in English reads in French.
"""

from typing import Any

from babel import Locale
from babel.lists import format_list

from core import taxonomy
from core.i18n import translate
from core.rules import describe as describe_rule
from core.validation import DAYS


def criterion_name(key: str, language: str) -> str:
    return translate(f"match.criterion.{key}", language)


def _names(codes: list[str], language: str) -> str:
    languages = Locale.parse(language).languages
    return format_list([languages.get(code, code) for code in codes], locale=language)


def slot_label(slot: str, language: str) -> str:
    day, part = slot.split("_")
    day_name = Locale.parse(language).days["format"]["wide"][DAYS.index(day)]
    return translate(
        "match.slot", language, day=day_name, part=translate(f"match.part_of_day.{part}", language)
    )


def _localized(params: dict[str, Any], language: str) -> dict[str, Any]:
    """Parameters as words of ``language``: codes become names and titles."""
    shown = dict(params)
    if "noc" in params:
        # The built-in table lacks some intermediate levels: name those by their code.
        entry = taxonomy.noc_table().get(params["noc"])
        shown["noc_title"] = (
            entry.title(language) if entry else translate("match.noc_code", language, code=params["noc"])
        )
    if "naics" in params:
        industry = taxonomy.naics_industry(params["naics"])
        shown["naics_title"] = industry.title(language) if industry else params["naics"]
    for name in ("service", "languages"):
        if name in params:
            shown[name] = _names(params[name], language)
    if "slots" in params:
        shown["slots"] = format_list(
            [slot_label(slot, language) for slot in params["slots"]], locale=language
        )
    if "regions" in params:
        regions = [translate(f"declared.region.{region}", language) for region in params["regions"]]
        shown["regions"] = format_list(regions, locale=language)
    if "items" in params:
        items = [translate(f"declared.work_style.{item}", language) for item in params["items"]]
        shown["items"] = format_list(items, locale=language)
    if "terms" in params:
        shown["terms"] = format_list([term[language] for term in params["terms"]], locale=language)
    return shown


def describe(record: dict[str, Any], language: str) -> str:
    """One criterion of a pair's explanation, as a sentence in ``language``."""
    params = _localized(record.get("params", {}), language)
    sentence = translate(record["reason"], language, **params)
    if params.get("teer_gap"):
        sentence = translate("match.occupation.teer_gap", language, sentence=sentence, gap=params["teer_gap"])
    return sentence


def exclusion_reasons(reasons: list[str], failed_rules: list[dict[str, Any]], language: str) -> list[str]:
    """Why a pair may not be proposed: each hard constraint, and for the program's mentor
    criteria the criteria themselves."""

    sentences: list[str] = []
    for reason in reasons:
        if reason == "program_rule" and failed_rules:
            sentences.extend(describe_rule(rule, language) for rule in failed_rules)
        else:
            sentences.append(translate(f"match.excluded.{reason}", language))
    return sentences
