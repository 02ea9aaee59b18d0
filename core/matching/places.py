"""Where people are: a built-in gazetteer of Canadian places and great-circle distances.

The geography criterion of the matching engine needs coordinates for the free-text city a
person typed on their profile, without calling an outside geocoding service: profiles stay
on the platform's own servers, and matching must work offline and give the same answer
every time. ``core/data/places.csv`` holds every census metropolitan area's core city, the
municipalities and former municipalities people name as their city inside the large ones
(Kanata, Orléans, Laval, Surrey…), every capital and the towns newcomers often settle in.
Each place carries its region (census metropolitan area or agglomeration), so that Orléans
and Gatineau count as the same labour market even where the distance alone would not say so.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias, overload

import numpy as np
from numpy.typing import NDArray

PLACES_CSV = Path(__file__).parents[1] / "data" / "places.csv"
HEADER = ("name", "province", "region", "latitude", "longitude", "aliases")
PROVINCES = frozenset({"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"})
# Canada's bounding box, with a margin: a coordinate outside it is a typo, most often a
# longitude whose minus sign was lost or latitude and longitude swapped.
LATITUDES = (41.0, 84.0)
LONGITUDES = (-142.0, -52.0)
EARTH_RADIUS_KM = 6371.0088  # mean radius of the WGS 84 ellipsoid (IUGG)

Degrees: TypeAlias = float | NDArray[Any]

# "St", "Ste", "Saint" and "Sainte" all become "saint": people abbreviate either way and
# mix up the gender ("St-Foy"); no two places of a province differ only by it, and the
# loader would refuse a table where two did.
_SAINTS = {"st": "saint", "ste": "saint", "sainte": "saint"}
# Dropped rather than turned into a space, so "St. John's" and "St Johns" agree.
_APOSTROPHES = re.compile(r"['’ʼ`]")
_SEPARATORS = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    province: str
    region: str
    latitude: float
    longitude: float


def _fold(name: str) -> str:
    """The form under which names are compared: case, accents and punctuation ignored,
    words separated by single spaces, every "St"/"Ste"/"Sainte" spelled "saint"."""
    # Unicode does not decompose "œ" and "æ", which French writes and keyboards lack.
    decomposed = unicodedata.normalize("NFKD", name.casefold().replace("œ", "oe").replace("æ", "ae"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = _SEPARATORS.sub(" ", _APOSTROPHES.sub("", bare)).split()
    return " ".join(_SAINTS.get(word, word) for word in words)


def _coordinate(text: str, field: str, bounds: tuple[float, float]) -> float:
    value = float(text)
    if not bounds[0] <= value <= bounds[1]:  # also refuses NaN
        raise ValueError(f"{field} {text} is outside Canada ({bounds[0]} to {bounds[1]})")
    return value


def _parse(row: list[str]) -> tuple[Place, list[str]]:
    """The place a CSV row describes, and every name it may be looked up by."""
    if len(row) != len(HEADER):
        raise ValueError(f"expected {len(HEADER)} fields, found {len(row)}")
    name, province, region, latitude, longitude, aliases = (field.strip() for field in row)
    if not name or not region:
        raise ValueError("the name and the region are required")
    if province not in PROVINCES:
        raise ValueError(f"unknown province {province!r}")
    place = Place(
        name,
        province,
        region,
        _coordinate(latitude, "latitude", LATITUDES),
        _coordinate(longitude, "longitude", LONGITUDES),
    )
    names = [name, *(alias.strip() for alias in aliases.split("|") if alias.strip())]
    return place, names


def load_places(path: Path) -> dict[tuple[str, str], Place]:
    """The places of a gazetteer CSV, by (folded name or alias, province).

    A malformed row raises ValueError naming its line, at load time rather than at the
    first look-up that happens to reach it; so does a name that two rows of the same
    province would share, since a look-up could not tell them apart."""
    places: dict[tuple[str, str], Place] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        if tuple(next(reader, ())) != HEADER:
            raise ValueError(f"{path}, line 1: the header must be {','.join(HEADER)}")
        for row in reader:
            if not row:
                continue
            where = f"{path}, line {reader.line_num}"
            try:
                place, names = _parse(row)
            except ValueError as error:
                raise ValueError(f"{where}: {error}") from None
            for name in names:
                key = (_fold(name), place.province)
                if not key[0]:
                    raise ValueError(f"{where}: {name!r} holds no letter or digit")
                # A row may repeat a name under another spelling ("Orleans" for "Orléans").
                other = places.setdefault(key, place)
                if other is not place:
                    raise ValueError(f"{where}: {name!r} already names {other.name}, {other.province}")
    return places


@cache
def _builtin_places() -> dict[tuple[str, str], Place]:
    return load_places(PLACES_CSV)


@cache
def all_places() -> tuple[Place, ...]:
    """Every built-in place once (aliases fold onto their place), by province and name."""
    return tuple(sorted(set(_builtin_places().values()), key=lambda place: (place.province, place.name)))


def find_place(city: str, province: str) -> Place | None:
    """The built-in place a person means by ``city`` in ``province``: case, accents,
    punctuation, hyphens/spaces, "St."/"Saint"/"Ste."/"Sainte" differences ignored; aliases
    honoured. None when unknown or when the name exists only in another province. Empty
    city -> None."""
    folded = _fold(city)
    if not folded:
        return None
    return _builtin_places().get((folded, province.strip().upper()))


# Overload order settles the overlap mypy warns about: all floats give a float, and any
# array among the arguments an array of the broadcast shape.
@overload
def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float: ...  # type: ignore[overload-overlap]


@overload
def haversine_km(lat1: Degrees, lon1: Degrees, lat2: Degrees, lon2: Degrees) -> NDArray[np.float64]: ...


def haversine_km(lat1: Degrees, lon1: Degrees, lat2: Degrees, lon2: Degrees) -> float | NDArray[np.float64]:
    """Great-circle distance in km; works on floats and on numpy arrays (broadcasting), so
    the engine can compute a whole pool at once."""
    phi1, lambda1, phi2, lambda2 = np.radians(lat1), np.radians(lon1), np.radians(lat2), np.radians(lon2)
    a = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lambda2 - lambda1) / 2) ** 2
    # Rounding can push ``a`` a hair above 1 for nearly antipodal points, where arcsin fails.
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
