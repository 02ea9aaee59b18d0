"""NOC 2021 and NAICS 2022: the importer of Statistics Canada's structure files, TEER
categories, and the bilingual look-up forms use.

The fixtures are small extracts in both published layouts: English in UTF-8 with a
byte-order mark, French in cp1252 as a spreadsheet re-saves it, with CRLF line ends, a
definition over two lines, codes quoted, a NOC code whose leading zeros a spreadsheet
dropped and a NAICS sector range (31-33).
"""

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from core import taxonomy, validation
from core.cli import main
from core.errors import DomainError
from tests.graphql_client import GraphQL, GraphQLError

FIXTURES = Path(__file__).parent / "fixtures"
NOC_EN, NOC_FR = FIXTURES / "noc2021_en.csv", FIXTURES / "noc2021_fr.csv"
NAICS_EN, NAICS_FR = FIXTURES / "naics2022_en.csv", FIXTURES / "naics2022_fr.csv"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data directory of the test's own; the built-in tables are back afterwards."""
    from core.settings import get_settings

    monkeypatch.setenv("TREMPLIN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    taxonomy.reload()
    yield tmp_path
    monkeypatch.undo()
    get_settings.cache_clear()
    taxonomy.reload()


def run_import(kind: str, english: Path, french: Path) -> Result:
    return CliRunner().invoke(main, ["taxonomy", "import", kind, "--en", str(english), "--fr", str(french)])


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_noc_import_replaces_the_built_in_table_for_validation(data_dir: Path) -> None:
    with pytest.raises(DomainError) as unknown:
        validation.noc("21120", "targetNoc")
    assert unknown.value.code == "UNKNOWN_NOC"

    imported = run_import("noc", NOC_EN, NOC_FR)

    assert imported.exit_code == 0, imported.output
    assert "Unit groups: 3" in imported.output
    assert "Broad categories: 2" in imported.output
    written = rows(data_dir / "taxonomy" / "noc2021.csv")
    assert [row["code"] for row in written] == [
        "0", "2", "00", "21", "000", "211", "213", "0001", "2112", "2130", "00010", "21120", "21300",
    ]  # fmt: skip
    assert {
        "code": "21300",
        "title_en": "Civil engineers",
        "title_fr": "Ingénieurs civils/ingénieures civiles",
    } in written
    assert not list((data_dir / "taxonomy").glob("*.tmp"))
    # Validation uses the import at once, and only it: the built-in 21231 is not in the extract.
    assert validation.noc("21120", "targetNoc") == "21120"
    assert taxonomy.noc_unit_group("00010") == taxonomy.Classification(
        "00010", "Legislators", "Membres des corps législatifs"
    )
    assert taxonomy.noc_unit_group("21231") is None


def test_the_naics_import_expands_sector_ranges(data_dir: Path) -> None:
    imported = run_import("naics", NAICS_EN, NAICS_FR)

    assert imported.exit_code == 0, imported.output
    assert "Sectors: 4" in imported.output
    assert "Canadian industries: 1" in imported.output
    assert [row["code"] for row in rows(data_dir / "taxonomy" / "naics2022.csv")] == [
        "31", "32", "33", "54", "334", "541", "3341", "33411", "334110",
    ]  # fmt: skip
    assert taxonomy.naics_table()["32"].title_fr == "Fabrication"
    assert validation.naics("334110", "industry") == "334110"
    with pytest.raises(DomainError):
        validation.naics("6211", "industry")  # a sector the extract does not hold


def test_the_built_in_tables_are_back_after_an_import_test() -> None:
    assert taxonomy.noc_unit_group("21231") is not None
    assert taxonomy.noc_unit_group("21120") is None


def test_the_built_in_noc_table_holds_every_broad_category_and_major_group() -> None:
    codes = set(taxonomy.noc_table())
    assert {str(digit) for digit in range(10)} <= codes
    assert len([code for code in codes if len(code) == 2]) == 45  # NOC 2021's major groups
    assert all(code[:2] in codes for code in codes if len(code) == 5)


@pytest.mark.parametrize(
    ("english", "french", "code", "field"),
    [
        (NOC_FR, NOC_FR, "TAXONOMY_COLUMNS", "--en"),  # French columns given as English
        (NAICS_EN, NAICS_FR, "TAXONOMY_COLUMNS", "--en"),  # another classification
    ],
)
def test_a_file_of_another_layout_is_refused(
    data_dir: Path, english: Path, french: Path, code: str, field: str
) -> None:
    refused = run_import("noc", english, french)

    assert refused.exit_code == 1
    assert f"{code} ({field})" in refused.output
    assert "not a Statistics Canada structure file" in refused.output
    assert "n'est pas un fichier de structure" in refused.output
    assert not (data_dir / "taxonomy").exists()


def test_files_with_different_codes_are_refused_and_nothing_is_written(data_dir: Path) -> None:
    assert run_import("noc", NOC_EN, NOC_FR).exit_code == 0
    before = (data_dir / "taxonomy" / "noc2021.csv").read_bytes()
    short = data_dir / "short_fr.csv"
    short.write_bytes(b"".join(NOC_FR.read_bytes().splitlines(keepends=True)[:-1]))

    refused = run_import("noc", NOC_EN, short)

    assert refused.exit_code == 1
    assert "TAXONOMY_CODES_DIFFER" in refused.output
    assert "21300" in refused.output
    assert "do not hold the same codes" in refused.output
    assert "ne contiennent pas les mêmes codes" in refused.output
    assert (data_dir / "taxonomy" / "noc2021.csv").read_bytes() == before


def test_a_row_without_a_proper_code_is_refused(data_dir: Path) -> None:
    broken = data_dir / "broken_en.csv"
    broken.write_text(
        "Level,Hierarchical structure,Code - NOC 2021 V1.0,Class title,Class definition\n"
        "5,Unit group,2130A,Civil engineers,\n",
        encoding="utf-8",
    )

    refused = run_import("noc", broken, NOC_FR)

    assert refused.exit_code == 1
    assert "TAXONOMY_BAD_ROW (--en)" in refused.output
    assert "line 2" in refused.output
    assert not (data_dir / "taxonomy").exists()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0", 0),
        ("00", 0),
        ("00010", 0),
        ("2", None),
        ("21", 1),
        ("21231", 1),
        ("22220", 2),
        ("33102", 3),
        ("44101", 4),
        ("75101", 5),
        ("2123X", None),
        ("", None),
    ],
)
def test_teer_is_the_second_digit_and_management_is_teer_0(code: str, expected: int | None) -> None:
    assert taxonomy.teer(code) == expected


OCCUPATIONS = """query($search: String!, $limit: Int, $all: Boolean) {
  occupations(search: $search, limit: $limit, unitGroupsOnly: $all) { code title titleEn titleFr } }"""
INDUSTRIES = "query($search: String!) { industries(search: $search) { code title } }"


async def occupations(graphql: GraphQL, search: str, language: str = "en", **variables: object) -> list[dict]:
    data = await graphql.execute(OCCUPATIONS, {"search": search, **variables}, language=language)
    return list(data["occupations"])


async def test_occupations_are_found_by_code_prefix_first(graphql: GraphQL) -> None:
    found = await occupations(graphql, "2123")
    assert [row["code"] for row in found] == ["21230", "21231", "21232", "21233", "21234"]

    broader = await occupations(graphql, "21", limit=2, all=False)
    assert [row["code"] for row in broader] == ["21", "21100"]


async def test_occupations_are_found_by_words_in_either_language_without_accents(graphql: GraphQL) -> None:
    for search in ("software", "LOGICIEL", "ingenieurs et concepteurs"):
        assert "21231" in [row["code"] for row in await occupations(graphql, search)], search

    french = await occupations(graphql, "ingenieur civil", language="fr")
    assert french[0] == {
        "code": "21300",
        "title": "Ingénieurs civils/ingénieures civiles",
        "titleEn": "Civil engineers",
        "titleFr": "Ingénieurs civils/ingénieures civiles",
    }
    english = await occupations(graphql, "Ingénieurs civils", language="en")
    assert english[0]["title"] == "Civil engineers"


async def test_titles_starting_with_the_words_come_before_the_rest(graphql: GraphQL) -> None:
    found = [row["code"] for row in await occupations(graphql, "nurse")]
    # "Nurse practitioners" and "Nurse aides..." start with the word; then by code.
    assert found == ["31302", "33102", "31301", "32101"]
    assert [row["code"] for row in await occupations(graphql, "nurse", limit=1)] == ["31302"]


async def test_industries_are_found_in_both_languages(graphql: GraphQL) -> None:
    english = await graphql.execute(INDUSTRIES, {"search": "software"})
    french = await graphql.execute(INDUSTRIES, {"search": "editeurs de log"}, language="fr")
    assert english["industries"] == [{"code": "5132", "title": "Software publishers"}]
    assert french["industries"] == [{"code": "5132", "title": "Éditeurs de logiciels"}]
    codes = [row["code"] for row in (await graphql.execute(INDUSTRIES, {"search": "54"}))["industries"]]
    assert codes == ["54", "5412", "5413", "5415", "5416"]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"search": ""}, "REQUIRED", "search"),
        ({"search": "   "}, "REQUIRED", "search"),
        ({"search": "x" * 101}, "TOO_LONG", "search"),
        ({"search": "nurse", "limit": 0}, "OUT_OF_RANGE", "limit"),
        ({"search": "nurse", "limit": 101}, "OUT_OF_RANGE", "limit"),
    ],
)
async def test_bad_look_ups_are_refused_in_the_callers_language(
    graphql: GraphQL, variables: dict[str, object], code: str, field: str
) -> None:
    messages = set()
    for language in ("en", "fr"):
        with pytest.raises(GraphQLError) as refused:
            await graphql.execute(OCCUPATIONS, variables, language=language)
        assert refused.value.code == code
        assert refused.value.errors[0]["extensions"]["field"] == field
        messages.add(refused.value.message)
    assert len(messages) == 2
