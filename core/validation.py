"""Checks shared by every service that takes people's input. Each failure is a
``DomainError`` naming the offending field, so the API can point at it."""

import re
from datetime import date
from typing import Any

from core import clock, taxonomy
from core.errors import DomainError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS_OF_DAY = ("morning", "afternoon", "evening")
# Weekly availability is a set of slots such as "tue_evening".
AVAILABILITY_SLOTS = frozenset(f"{day}_{part}" for day in DAYS for part in PARTS_OF_DAY)
PROVINCES = frozenset({"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"})
MIN_CLB, MAX_CLB = 1, 12


def api_field(name: str) -> str:
    """The API's name for a model field (camelCase), for errors that point at it."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def text(value: str, field: str, *, max_length: int, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise DomainError("REQUIRED", field=field)
    if len(value) > max_length:
        raise DomainError("TOO_LONG", field=field, max=max_length)
    return value


def email(value: str | None, field: str = "email") -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().lower()
    if len(value) > 254 or not EMAIL.match(value):
        raise DomainError("INVALID_EMAIL", field=field)
    return value


def noc(code: str, field: str) -> str:
    code = code.strip()
    if taxonomy.noc_unit_group(code) is None:
        raise DomainError("UNKNOWN_NOC", field=field, code=code)
    return code


def naics(code: str | None, field: str) -> str | None:
    if code is None or not code.strip():
        return None
    code = code.strip()
    if taxonomy.naics_industry(code) is None:
        raise DomainError("UNKNOWN_NAICS", field=field, code=code)
    return code


def country(code: str, field: str) -> str:
    code = code.strip().upper()
    if not COUNTRY.match(code):
        raise DomainError("INVALID_COUNTRY", field=field, code=code)
    return code


def province(code: str, field: str) -> str:
    code = code.strip().upper()
    if code not in PROVINCES:
        raise DomainError("INVALID_PROVINCE", field=field, code=code)
    return code


def language_code(code: str, field: str) -> str:
    code = code.strip().lower()
    if not LANGUAGE_CODE.match(code):
        raise DomainError("INVALID_LANGUAGE", field=field, code=code)
    return code


def language_skills(skills: list[tuple[str, int]], field: str = "languages") -> list[dict[str, Any]]:
    """[(language, CLB level)] → stored form, one entry per language."""
    result: dict[str, int] = {}
    for index, (language, level) in enumerate(skills):
        code = language_code(language, f"{field}[{index}].language")
        if not MIN_CLB <= level <= MAX_CLB:
            raise DomainError("INVALID_CLB", field=f"{field}[{index}].clb", level=level)
        result[code] = level
    return [{"language": code, "clb": level} for code, level in result.items()]


def spoken_languages(codes: list[str], field: str = "languages") -> list[str]:
    result = list(dict.fromkeys(language_code(code, f"{field}[{i}]") for i, code in enumerate(codes)))
    if not result:
        raise DomainError("REQUIRED", field=field)
    return result


def availability(slots: list[str], field: str = "availability") -> list[str]:
    unknown = [slot for slot in slots if slot not in AVAILABILITY_SLOTS]
    if unknown:
        raise DomainError("INVALID_AVAILABILITY", field=field, slot=unknown[0])
    return sorted(set(slots), key=lambda slot: (DAYS.index(slot[:3]), slot))


def integer(value: int, field: str, *, minimum: int, maximum: int) -> int:
    if not minimum <= value <= maximum:
        raise DomainError("OUT_OF_RANGE", field=field, min=minimum, max=maximum)
    return value


def not_in_future(value: date, field: str) -> date:
    if value > clock.now().date():
        raise DomainError("DATE_IN_FUTURE", field=field)
    return value
