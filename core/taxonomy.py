"""Occupation (NOC 2021) and industry (NAICS 2022) classifications, French and English.

The built-in tables hold every NOC broad category and major group, the unit groups the
demo and the common newcomer professions use, and the NAICS sectors with a few
subsectors. An importer for Statistics Canada's full structure files comes with the
matching engine (issue 4); until then a NOC code is known when it is in these tables.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Classification:
    code: str
    title_en: str
    title_fr: str

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en


def _load(name: str) -> dict[str, Classification]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return {row["code"]: Classification(**row) for row in csv.DictReader(handle)}


@cache
def noc_table() -> dict[str, Classification]:
    return _load("noc2021.csv")


@cache
def naics_table() -> dict[str, Classification]:
    return _load("naics2022.csv")


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
