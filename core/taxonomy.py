"""Occupation (NOC 2021) and industry (NAICS 2022) classifications, French and English.

The built-in tables (``core/data``) hold every NOC broad category and major group, the
unit groups the demo and the common newcomer professions use, and the NAICS sectors with
a few subsectors. ``tremplin taxonomy import`` turns Statistics Canada's published
structure files (one per language) into a full table under the data directory, which
then replaces the built-in one: a code is known when it is in the table in use.
"""

import csv
import io
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from core.errors import DomainError
from core.settings import get_settings

DATA_DIR = Path(__file__).parent / "data"
FILES = {"noc": "noc2021.csv", "naics": "naics2022.csv"}
Kind = Literal["noc", "naics"]


@dataclass(frozen=True, slots=True)
class Classification:
    code: str
    title_en: str
    title_fr: str

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en


def imported_path(kind: Kind) -> Path:
    """Where ``tremplin taxonomy import`` writes the full table of ``kind``."""
    return get_settings().data_dir / "taxonomy" / FILES[kind]


def _load(kind: Kind) -> dict[str, Classification]:
    path = imported_path(kind)
    if not path.exists():
        path = DATA_DIR / FILES[kind]
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: Classification(**row) for row in csv.DictReader(handle)}


@cache
def noc_table() -> dict[str, Classification]:
    return _load("noc")


@cache
def naics_table() -> dict[str, Classification]:
    return _load("naics")


def reload() -> None:
    """Forget the tables read so far, so the next look-up reads an import (or a changed
    data directory) at once."""
    noc_table.cache_clear()
    naics_table.cache_clear()
    _index.cache_clear()


def noc_unit_group(code: str) -> Classification | None:
    """The NOC 2021 unit group (five digits) with this code, if known."""
    if len(code) != 5 or not code.isdigit():
        return None
    return noc_table().get(code)


def naics_industry(code: str) -> Classification | None:
    """The most specific known NAICS entry that ``code`` falls under (its own code or a
    prefix), or None when its sector does not exist."""
    if not (2 <= len(code) <= 6 and code.isdigit()):
        return None
    table = naics_table()
    for length in range(len(code), 1, -1):
        if code[:length] in table:
            return table[code[:length]]
    return None


def teer(code: str) -> int | None:
    """The TEER category (training, education, experience and responsibilities) of a NOC
    2021 code: its second digit; broad category 0 (management) is TEER 0 throughout.
    None for a broad category other than 0, which spans several TEERs, or a non-code."""
    if not (1 <= len(code) <= 5 and code.isdigit()):
        return None
    if code[0] == "0":
        return 0
    return int(code[1]) if len(code) >= 2 else None


# --- Look-up for forms ------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents, so "ingenieur" finds "Ingénieurs" and "oeuvre" finds
    "œuvre" (which Unicode does not decompose)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("œ", "oe").replace("æ", "ae"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9]+", _fold(text)))


@dataclass(frozen=True, slots=True)
class _Entry:
    classification: Classification
    titles: tuple[tuple[str, ...], tuple[str, ...]]  # folded words, English then French


@cache
def _index(kind: Kind) -> tuple[_Entry, ...]:
    table = noc_table() if kind == "noc" else naics_table()
    return tuple(
        _Entry(entry, (_words(entry.title_en), _words(entry.title_fr)))
        for entry in sorted(table.values(), key=lambda entry: entry.code)
    )


def _rank(entry: _Entry, query: str, words: tuple[str, ...]) -> int | None:
    """0 when the code starts with the query, 1 when a title starts with its words, 2
    when every word starts a word of one title, None when it does not match."""
    if query.isdigit():
        return 0 if entry.classification.code.startswith(query) else None
    if not words:
        return None
    if any(_starts_with(title, words) for title in entry.titles):
        return 1
    if any(all(any(word.startswith(w) for word in title) for w in words) for title in entry.titles):
        return 2
    return None


def _starts_with(title: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Each of the title's first words starts with the query's word at its place, so that
    unfinished words and singulars match ("ingenieur civil": "Ingénieurs civils")."""
    return len(title) >= len(words) and all(
        title_word.startswith(word) for title_word, word in zip(title, words, strict=False)
    )


def search(kind: Kind, text: str, *, limit: int, unit_groups_only: bool = False) -> list[Classification]:
    """Entries whose code starts with ``text``, or whose English or French title holds its
    words (accents and case ignored): code matches first, then titles starting with the
    words, then the rest; by code within each rank, so answers are stable."""
    query = "".join(text.split())
    words = _words(text)
    found: list[tuple[int, str, Classification]] = []
    for entry in _index(kind):
        code = entry.classification.code
        if unit_groups_only and len(code) != 5:
            continue
        rank = _rank(entry, query, words)
        if rank is not None:
            found.append((rank, code, entry.classification))
    return [classification for _, _, classification in sorted(found)[:limit]]


# --- Statistics Canada structure files --------------------------------------------------

# Column names of the published CSV files, per classification and language: code, title.
_COLUMNS: dict[tuple[Kind, str], tuple[str, str, frozenset[str]]] = {
    ("noc", "en"): (
        "Code - NOC 2021 V1.0",
        "Class title",
        frozenset({"Level", "Hierarchical structure", "Class definition"}),
    ),
    ("noc", "fr"): (
        "Code - CNP 2021 V1.0",
        "Titre de la classe",
        frozenset({"Niveau", "Structure hiérarchique", "Définition de la classe"}),
    ),
    ("naics", "en"): (
        "Code",
        "Class title",
        frozenset({"Level", "Hierarchical structure", "Parent", "Superscript", "Class definition"}),
    ),
    ("naics", "fr"): (
        "Code",
        "Titre de la classe",
        frozenset({"Niveau", "Structure hiérarchique", "Parent", "Exposant", "Définition de la classe"}),
    ),
}
# NOC codes have one digit per level (broad category 1 … unit group 5); NAICS codes two
# for a sector, then one per level down to the six-digit Canadian industry.
LEVEL_LENGTHS: dict[Kind, tuple[int, ...]] = {"noc": (1, 2, 3, 4, 5), "naics": (2, 3, 4, 5, 6)}
_RANGE = re.compile(r"^(\d+)-(\d+)$")


def _decode(raw: bytes) -> str:
    """Statistics Canada publishes UTF-8 with a byte-order mark; files re-saved on Windows
    come in cp1252. Text in one is almost never valid in the other, so trying UTF-8 first
    is safe. Latin-1 decodes anything: a file in neither then fails on its columns."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _codes(raw: str, length_hint: str, kind: Kind) -> list[str]:
    """The codes a cell stands for: quotes and spreadsheet ``="..."`` wrappers removed,
    sector ranges such as ``31-33`` expanded, and NOC leading zeros a spreadsheet dropped
    put back from the row's level."""
    code = raw.strip().lstrip("=").strip("\"' ")
    ranged = _RANGE.match(code)
    if ranged:
        first, last = ranged.groups()
        return [str(number) for number in range(int(first), int(last) + 1)]
    if kind == "noc" and code.isdigit() and length_hint.strip().isdigit():
        code = code.zfill(int(length_hint.strip()))
    return [code]


def read_structure(path: Path, kind: Kind, language: str, field: str) -> dict[str, str]:
    """Code → title from one Statistics Canada structure file, refusing a file that is not
    one (``field`` names the option that gave it, for the error)."""
    code_column, title_column, others = _COLUMNS[kind, language]
    reader = csv.DictReader(io.StringIO(_decode(path.read_bytes()), newline=""))
    header = {name.strip() for name in reader.fieldnames or ()}
    if not {code_column, title_column} | others <= header:
        raise DomainError(
            "TAXONOMY_COLUMNS",
            field=field,
            file=path.name,
            columns=", ".join(sorted({code_column, title_column} | others)),
        )
    level_column = "Level" if language == "en" else "Niveau"
    titles: dict[str, str] = {}
    for row in reader:
        cells = {(name or "").strip(): (value or "") for name, value in row.items()}
        if not cells[code_column].strip():
            continue  # blank lines and notes at the end of the file
        title = " ".join(cells[title_column].split())
        for code in _codes(cells[code_column], cells[level_column], kind):
            if not code.isdigit() or len(code) not in LEVEL_LENGTHS[kind] or not title or code in titles:
                raise DomainError(
                    "TAXONOMY_BAD_ROW", field=field, file=path.name, line=reader.line_num, code=code
                )
            titles[code] = title
    if not titles:
        raise DomainError("TAXONOMY_EMPTY", field=field, file=path.name)
    return titles


def merge(english: dict[str, str], french: dict[str, str]) -> list[Classification]:
    """One bilingual entry per code, broad levels first; both files must hold the same codes."""
    only = sorted(english.keys() ^ french.keys(), key=lambda code: (len(code), code))
    if only:
        raise DomainError("TAXONOMY_CODES_DIFFER", code=only[0], count=len(only))
    return [
        Classification(code, english[code], french[code])
        for code in sorted(english, key=lambda code: (len(code), code))
    ]


def write_table(kind: Kind, entries: Iterable[Classification]) -> Path:
    """Write the table where the loader looks first, atomically: readers see the old file
    or the new one, never half of it."""
    target = imported_path(kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("code", "title_en", "title_fr"))
            writer.writerows((entry.code, entry.title_en, entry.title_fr) for entry in entries)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    reload()
    return target


def count_by_level(kind: Kind, entries: Iterable[Classification]) -> list[int]:
    """How many entries each level holds, broadest first."""
    lengths = Counter(len(entry.code) for entry in entries)
    return [lengths[length] for length in LEVEL_LENGTHS[kind]]
