"""The gazetteer behind the geography criterion: finding the place a person typed, the
distance between two places, and the built-in table itself."""

import csv
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from core.matching.places import (
    HEADER,
    LATITUDES,
    LONGITUDES,
    PLACES_CSV,
    PROVINCES,
    Place,
    find_place,
    haversine_km,
    load_places,
)

DEMO_CITIES = [
    ("Ottawa", "ON"),
    ("Kanata", "ON"),
    ("Orléans", "ON"),
    ("Nepean", "ON"),
    ("Barrhaven", "ON"),
    ("Gatineau", "QC"),
    ("Vanier", "ON"),
    ("Stittsville", "ON"),
    ("Gloucester", "ON"),
    ("Rockland", "ON"),
]


def place(city: str, province: str) -> Place:
    found = find_place(city, province)
    assert found is not None, f"{city}, {province} is not in the gazetteer"
    return found


def distance(a: Place, b: Place) -> float:
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def csv_rows() -> list[dict[str, str]]:
    with PLACES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- Look-up ------------------------------------------------------------------------------


@pytest.mark.parametrize(("city", "province"), DEMO_CITIES)
def test_every_demo_city_is_in_the_ottawa_gatineau_region(city: str, province: str) -> None:
    found = place(city, province)
    assert found.province == province
    assert found.region == place("Gatineau", "QC").region == "Ottawa–Gatineau"


@pytest.mark.parametrize(
    ("typed", "province", "name"),
    [
        ("orleans", "ON", "Orléans"),
        ("ORLÉANS", "ON", "Orléans"),
        ("  Orléans (Ottawa) ", "ON", "Orléans"),
        ("Montreal", "QC", "Montréal"),
        ("montréal", "qc", "Montréal"),
        ("Quebec City", "QC", "Québec"),
        ("trois rivieres", "QC", "Trois-Rivières"),
        ("Saint Catharines", "ON", "St. Catharines"),
        ("st catharines", "ON", "St. Catharines"),
        ("St-Jean-sur-Richelieu", "QC", "Saint-Jean-sur-Richelieu"),
        ("Ste-Foy", "QC", "Sainte-Foy"),
        ("Sault Saint Marie", "ON", "Sault Ste. Marie"),
        ("St Johns", "NL", "St. John's"),
        ("Val d’Or", "QC", "Val-d'Or"),
        ("Clarence Rockland", "ON", "Clarence-Rockland"),
        ("Sept Iles", "QC", "Sept-Îles"),
    ],
)
def test_case_accents_punctuation_and_saints_are_ignored(typed: str, province: str, name: str) -> None:
    assert place(typed, province).name == name


def test_an_alias_finds_its_place() -> None:
    assert place("Greater Sudbury", "ON").name == "Sudbury"
    assert place("Chicoutimi", "QC").name == "Saguenay"


def test_a_name_is_only_found_in_its_own_province() -> None:
    assert find_place("Gatineau", "ON") is None
    assert find_place("Kanata", "QC") is None
    assert find_place("Saint John", "NL") is None
    assert place("Saint John", "NB").name == "Saint John"
    assert place("St. John's", "NL").name == "St. John's"


def test_a_name_several_provinces_share_finds_each_province_its_own() -> None:
    on, pe = place("Cornwall", "ON"), place("Cornwall", "PE")
    assert (on.province, pe.province) == ("ON", "PE")
    assert distance(on, pe) > 900


@pytest.mark.parametrize("city", ["", "   ", "-.-", "Atlantis", "Gotham City"])
def test_unknown_and_empty_names_are_not_found(city: str) -> None:
    assert find_place(city, "ON") is None


# --- Distances ----------------------------------------------------------------------------


def test_distances_between_known_cities() -> None:
    assert distance(place("Ottawa", "ON"), place("Gatineau", "QC")) < 10
    assert 340 < distance(place("Ottawa", "ON"), place("Toronto", "ON")) < 370
    assert 4400 < distance(place("Vancouver", "BC"), place("Halifax", "NS")) < 4600


def test_a_place_is_at_no_distance_from_itself() -> None:
    ottawa = place("Ottawa", "ON")
    assert distance(ottawa, ottawa) == 0


def test_haversine_on_arrays_equals_the_element_wise_results() -> None:
    origin = place("Ottawa", "ON")
    pool = [place(city, province) for city, province in DEMO_CITIES] + [place("Vancouver", "BC")]
    latitudes = np.array([p.latitude for p in pool])
    longitudes = np.array([p.longitude for p in pool])

    together = haversine_km(origin.latitude, origin.longitude, latitudes, longitudes)

    assert isinstance(together, np.ndarray)
    assert together.shape == (len(pool),)
    np.testing.assert_allclose(together, [distance(origin, p) for p in pool], rtol=1e-12)


def test_haversine_broadcasts_a_column_against_a_row() -> None:
    latitudes = np.array([45.4215, 43.6532, 49.2827])
    longitudes = np.array([-75.6972, -79.3832, -123.1207])

    matrix = haversine_km(latitudes[:, None], longitudes[:, None], latitudes[None, :], longitudes[None, :])

    assert matrix.shape == (3, 3)
    np.testing.assert_allclose(matrix, matrix.T)
    np.testing.assert_allclose(np.diag(matrix), 0, atol=1e-9)


def test_haversine_survives_antipodes() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(np.pi * 6371.0088)


# --- The built-in table -------------------------------------------------------------------


def test_every_row_of_the_builtin_table_loads_inside_canada() -> None:
    rows = csv_rows()
    loaded = set(load_places(PLACES_CSV).values())

    assert len(loaded) == len(rows)
    for row in rows:
        assert LATITUDES[0] <= float(row["latitude"]) <= LATITUDES[1], row
        assert LONGITUDES[0] <= float(row["longitude"]) <= LONGITUDES[1], row
        assert place(row["name"], row["province"]).name == row["name"]


def test_the_builtin_table_covers_every_province_and_territory() -> None:
    rows = csv_rows()
    assert len(rows) >= 180
    assert {row["province"] for row in rows} == PROVINCES


def test_the_builtin_table_is_sorted_by_province_then_name() -> None:
    def key(row: dict[str, str]) -> tuple[str, str]:
        decomposed = unicodedata.normalize("NFKD", row["name"].casefold())
        return row["province"], "".join(char for char in decomposed if not unicodedata.combining(char))

    rows = csv_rows()
    assert rows == sorted(rows, key=key)


def test_coordinates_have_four_decimals() -> None:
    for row in csv_rows():
        for field in ("latitude", "longitude"):
            assert len(row[field].split(".")[1]) == 4, row


# --- Malformed tables ---------------------------------------------------------------------

GOOD_ROW = "Ottawa,ON,Ottawa–Gatineau,45.4215,-75.6972,"


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ("Ottawa,ZZ,Ottawa–Gatineau,45.4215,-75.6972,", "unknown province"),
        ("Paris,ON,Paris,48.8566,2.3522,", "longitude"),
        ("Quito,ON,Quito,-0.1807,-78.4678,", "latitude"),
        ("Kanata,ON,Ottawa–Gatineau,north,-75.8987,", "could not convert"),
        ("Kanata,ON,Ottawa–Gatineau,45.3088", "expected 6 fields"),
        (",ON,Ottawa–Gatineau,45.3088,-75.8987,", "name and the region"),
        ("Kanata,ON,Ottawa–Gatineau,45.3088,-75.8987,OTTAWA", "already names Ottawa"),
        ("Ottawa,ON,Ottawa–Gatineau,45.4215,-75.6972,", "already names Ottawa"),
        ("Kanata,ON,Ottawa–Gatineau,45.3088,-75.8987,--", "no letter or digit"),
    ],
)
def test_a_malformed_row_is_refused_with_its_line(tmp_path: Path, bad_row: str, problem: str) -> None:
    path = tmp_path / "places.csv"
    path.write_text("\n".join([",".join(HEADER), GOOD_ROW, "", bad_row]) + "\n", encoding="utf-8")

    with pytest.raises(ValueError, match=rf"line 4: .*{problem}"):
        load_places(path)


def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text("city,province,lat,lon\n" + GOOD_ROW + "\n", encoding="utf-8")

    with pytest.raises(ValueError, match="line 1: the header"):
        load_places(path)


def test_the_same_name_in_two_provinces_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    rows = [
        ",".join(HEADER),
        "Cornwall,ON,Cornwall,45.0213,-74.7303,",
        "Cornwall,PE,Cornwall,46.2267,-63.2181,",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    places = load_places(path)

    assert places["cornwall", "ON"].latitude == 45.0213
    assert places["cornwall", "PE"].longitude == -63.2181
