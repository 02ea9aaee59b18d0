"""The translation layer: every message a person reads is a catalog key looked up here.

Catalogs are gettext ``.po`` files: every ``*.po`` under ``core/locales/<language>/``
(one file per feature) and under the directories plugins register.
``tests/core/test_i18n.py`` fails when a key used in the code is missing from either
language. Keys rather than English source strings are used as
msgids because the French text is written for francophones, not translated word for
word from the English.
"""

import logging
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
CORE_LOCALES = Path(__file__).parent / "locales"

log = logging.getLogger(__name__)


def read_catalog(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {str(message.id): str(message.string) for message in catalog if message.id}


def catalog_dirs() -> list[Path]:
    from core.plugins import get_plugin_host  # the host imports plugins, which import us

    plugin_dirs = get_plugin_host().manager.hook.register_translations()
    return [CORE_LOCALES, *(Path(directory) for directory in plugin_dirs if directory)]


@cache
def catalogs() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for directory in catalog_dirs():
        for language in LANGUAGES:
            for path in sorted((directory / language).glob("*.po")):
                merged[language].update(read_catalog(path))
    return merged


def translate(key: str, language: str, /, **params: Any) -> str:
    """The message ``key`` in ``language``, placeholders filled from ``params``.

    A missing entry falls back to the other language, then to the key itself, so a
    person never sees an error page because of a catalog gap (the tests catch gaps)."""
    entries = catalogs()
    text = entries.get(language, {}).get(key)
    if not text:
        log.warning("missing %s translation for %r", language, key)
        text = next((entries[other][key] for other in LANGUAGES if entries[other].get(key)), key)
    try:
        return text.format_map(params)
    except (KeyError, IndexError, ValueError):
        log.warning("bad placeholders in %r for %s", key, language)
        return text


def negotiate(accept_language: str | None) -> str | None:
    """The first supported language in an Accept-Language header, by quality."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, quality = part.strip().partition(";q=")
        language = tag.strip().split("-")[0].lower()
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if language in LANGUAGES and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else None
