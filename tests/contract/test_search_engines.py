"""One contract for every search engine: the embedded one (tantivy, in memory) always, and
Meilisearch when ``TREMPLIN_MEILISEARCH_URL`` points at a real server."""

import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace

import pytest

from core.search.embedded import EmbeddedSearch
from core.search.meilisearch import MeilisearchSearch
from core.search.port import FACETS, MentorDocument, MentorQuery, SearchEngine

ORG_A = "org-a"
ORG_B = "org-b"


def mentor(id_: str, **values: object) -> MentorDocument:
    defaults: dict[str, object] = {
        "audience": ("*",),
        "occupation_code": "21231",
        "occupation_group": "21",
        "occupation_titles": "",
        "industry": "54",
        "job_title": "",
        "bio": "",
        "synonyms": "",
        "languages": ("en",),
        "city": "Ottawa",
        "region": "Ottawa - Gatineau",
        "province": "ON",
        "open_to_virtual": True,
        "program_types": ("career",),
        "capacity": 2,
    }
    return MentorDocument(id=id_, **(defaults | values))  # type: ignore[arg-type]


SOFTWARE = mentor(
    "m-software",
    occupation_titles="Software engineers and designers / Ingénieurs et concepteurs en logiciel",
    job_title="Senior software engineer",
    bio="Ten years building payment systems in Toronto and Ottawa.",
    synonyms="software logiciel engineer ingénieur",
    languages=("en",),
)
INGENIEURE = mentor(
    "m-ingenieure",
    occupation_titles="Ingénieurs et concepteurs en logiciel / Software engineers and designers",
    job_title="Ingénieure logiciel",
    bio="J'accompagne les nouvelles arrivantes vers l'emploi en TI.",
    synonyms="logiciel software ingénieur engineer",
    languages=("fr", "en"),
    city="Gatineau",
    province="QC",
    open_to_virtual=False,
    program_types=("career", "women"),
)
NURSE = mentor(  # visible to organization A only
    "m-nurse",
    audience=(ORG_A,),
    occupation_code="31301",
    occupation_group="31",
    occupation_titles="Registered nurses / Infirmières autorisées",
    industry="62",
    job_title="Registered nurse",
    bio="Nursing in Ottawa hospitals; happy to help internationally educated nurses.",
    synonyms="nurse infirmière",
    languages=("en", "es"),
    program_types=("career", "health"),
)
COMPTABLE = mentor(
    "m-comptable",
    occupation_code="11100",
    occupation_group="11",
    occupation_titles="Financial auditors and accountants / Vérificateurs et comptables",
    industry="",
    job_title="Comptable agréée",
    bio="CPA, audit et fiscalité à Montréal.",
    synonyms="accountant comptable",
    languages=("fr",),
    city="Montréal",
    region="",
    province="QC",
    program_types=("women",),
)
SCIENTIST = mentor(  # visible to organization B only
    "m-scientist",
    audience=(ORG_B,),
    occupation_titles="Data scientists / Scientifiques des données",
    job_title="Data scientist",
    bio="Machine learning for public health.",
    synonyms="data données",
    languages=("en", "fr"),
    open_to_virtual=False,
)
DOCUMENTS = (SOFTWARE, INGENIEURE, NURSE, COMPTABLE, SCIENTIST)


def visible(organization: str, documents: Iterable[MentorDocument] = DOCUMENTS) -> list[MentorDocument]:
    return [d for d in documents if "*" in d.audience or organization in d.audience]


def facet_values(document: MentorDocument, facet: str) -> tuple[str, ...]:
    value = getattr(document, facet)
    if isinstance(value, bool):
        return ("true" if value else "false",)
    return (value,) if isinstance(value, str) and value else tuple(v for v in value if v)


def expected_facets(documents: Iterable[MentorDocument]) -> dict[str, dict[str, int]]:
    documents = list(documents)
    return {
        facet: dict(Counter(value for d in documents for value in facet_values(d, facet))) for facet in FACETS
    }


@pytest.fixture(params=["embedded", "meilisearch"])
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[SearchEngine]:
    if request.param == "embedded":
        embedded = EmbeddedSearch(None)
        await embedded.configure()
        yield embedded
        return
    url = os.environ.get("TREMPLIN_MEILISEARCH_URL")
    if not url:
        pytest.skip(
            "TREMPLIN_MEILISEARCH_URL is not set: the Meilisearch half of the contract runs "
            "against a real server only"
        )
    meilisearch = MeilisearchSearch(
        url, f"tremplin_test_{uuid.uuid4().hex}", os.environ.get("TREMPLIN_MEILISEARCH_KEY")
    )
    await meilisearch.configure()
    try:
        yield meilisearch
    finally:
        await meilisearch.drop()
        await meilisearch.aclose()


@pytest.fixture
async def filled(engine: SearchEngine) -> SearchEngine:
    await engine.upsert(DOCUMENTS)
    return engine


async def ids_for(
    engine: SearchEngine, text: str = "", organization: str = ORG_A, **values: object
) -> list[str]:
    return (await engine.search(MentorQuery(text=text, organization=organization, **values))).ids  # type: ignore[arg-type]


# -- visibility --------------------------------------------------------------------------


async def test_a_mentor_is_only_seen_by_its_audience(filled: SearchEngine) -> None:
    for organization in (ORG_A, ORG_B, "org-c"):
        expected = visible(organization)
        for text in ("", "nurse", "scientist", "Ottawa"):
            result = await filled.search(MentorQuery(text=text, organization=organization, limit=100))
            matching = {d.id for d in expected}
            assert set(result.ids) <= matching
            assert result.total == len(result.ids)
        result = await filled.search(MentorQuery(text="", organization=organization, limit=100))
        assert sorted(result.ids) == sorted(d.id for d in expected)
        assert result.total == len(expected)
        assert result.facets == expected_facets(expected)
    assert "m-nurse" in await ids_for(filled, "nurse", ORG_A)
    assert await ids_for(filled, "nurse", ORG_B) == []
    assert (await filled.search(MentorQuery(text="nurse", organization=ORG_B))).facets["industry"] == {}
    assert "m-scientist" in await ids_for(filled, "scientist", ORG_B)
    assert "m-scientist" not in await ids_for(filled, "scientist", ORG_A)
    # "62" (health care) is only the hidden nurse's industry: not even counted for B.
    assert "62" not in (await filled.search(MentorQuery(text="", organization=ORG_B))).facets["industry"]


# -- text --------------------------------------------------------------------------------


async def test_typos_accents_and_both_languages(filled: SearchEngine) -> None:
    assert "m-software" in await ids_for(filled, "enginer")
    assert "m-software" in await ids_for(filled, "sofware enginer")
    assert "m-ingenieure" in await ids_for(filled, "ingenieur")
    assert "m-ingenieure" in await ids_for(filled, "INGENIEURE logiciel")
    # A French word finds the English profile through its glossary synonyms.
    assert "m-software" in await ids_for(filled, "logiciel")
    assert "m-comptable" in await ids_for(filled, "comptable")
    assert "m-comptable" in await ids_for(filled, "accountant")
    # Every word must match.
    assert await ids_for(filled, "nurse logiciel") == []
    assert await ids_for(filled, "zzzzqqq") == []


async def test_exact_matches_rank_first(filled: SearchEngine) -> None:
    ids = await ids_for(filled, "registered nurse")
    assert ids[0] == "m-nurse"
    assert (await ids_for(filled, "comptable"))[0] == "m-comptable"


# -- filters, exclusions, pagination, facets ---------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        {"languages": ["fr"]},
        {"languages": ["fr", "es"]},
        {"city": ["Ottawa"]},
        {"open_to_virtual": ["false"]},
        {"program_types": ["women"]},
        {"occupation_group": ["21"]},
        {"occupation_group": ["21", "31"], "languages": ["en"], "open_to_virtual": ["true"]},
        {"city": ["Gatineau"], "program_types": ["career"]},
        {"industry": ["62"]},
        {"region": ["Ottawa - Gatineau"], "languages": ["fr"]},
    ],
)
async def test_filters_and_facet_counts(filled: SearchEngine, filters: dict[str, list[str]]) -> None:
    for organization in (ORG_A, ORG_B):
        expected = [
            d
            for d in visible(organization)
            if all(set(facet_values(d, facet)) & set(values) for facet, values in filters.items())
        ]
        result = await filled.search(MentorQuery(text="", organization=organization, filters=filters))
        assert result.ids == sorted(d.id for d in expected)
        assert result.total == len(expected)
        # Facet counts are taken among the matches, filters included.
        assert result.facets == expected_facets(expected)


async def test_a_facet_accepting_no_value_matches_nothing(filled: SearchEngine) -> None:
    result = await filled.search(MentorQuery(text="", organization=ORG_A, filters={"city": []}))
    assert (result.ids, result.total) == ([], 0)


async def test_facet_counts_follow_the_text_and_the_requested_facets(filled: SearchEngine) -> None:
    result = await filled.search(
        MentorQuery(text="logiciel", organization=ORG_A, facets=("languages", "city"))
    )
    matches = [d for d in DOCUMENTS if d.id in result.ids]
    assert {d.id for d in matches} >= {"m-software", "m-ingenieure"}
    assert result.facets == {facet: expected_facets(matches)[facet] for facet in ("languages", "city")}
    assert (await filled.search(MentorQuery(text="", organization=ORG_A, facets=()))).facets == {}


async def test_unknown_facets_are_refused(filled: SearchEngine) -> None:
    with pytest.raises(ValueError):
        await filled.search(MentorQuery(text="", organization=ORG_A, filters={"audience": ["*"]}))
    with pytest.raises(ValueError):
        await filled.search(MentorQuery(text="", organization=ORG_A, facets=("bio",)))


async def test_excluded_ids(filled: SearchEngine) -> None:
    result = await filled.search(
        MentorQuery(text="", organization=ORG_A, exclude_ids=frozenset({"m-software", "m-nurse", "unknown"}))
    )
    assert result.ids == ["m-comptable", "m-ingenieure"]
    assert result.total == 2
    assert result.facets["languages"] == {"fr": 2, "en": 1}
    assert "m-software" not in await ids_for(filled, "software", exclude_ids=frozenset({"m-software"}))


async def test_pagination(filled: SearchEngine) -> None:
    everything = sorted(d.id for d in visible(ORG_A))
    pages = []
    for offset in range(0, 6, 2):
        result = await filled.search(MentorQuery(text="", organization=ORG_A, limit=2, offset=offset))
        assert result.total == len(everything)
        pages.extend(result.ids)
    assert pages == everything
    result = await filled.search(MentorQuery(text="", organization=ORG_A, limit=3, offset=1))
    assert result.ids == everything[1:4]
    ranked = (await filled.search(MentorQuery(text="logiciel", organization=ORG_A, limit=100))).ids
    paged = []
    for offset in range(len(ranked)):
        result = await filled.search(MentorQuery(text="logiciel", organization=ORG_A, limit=1, offset=offset))
        assert result.total == len(ranked)
        paged.extend(result.ids)
    assert paged == ranked
    assert (await filled.search(MentorQuery(text="", organization=ORG_A, offset=50))).ids == []


async def test_ties_are_ordered_by_id(engine: SearchEngine) -> None:
    twins = [replace(SOFTWARE, id=f"twin-{n:02d}") for n in (7, 3, 11, 1, 5)]
    await engine.upsert(twins)
    ids = [
        id_
        for offset in range(0, 5, 2)
        for id_ in (
            await engine.search(MentorQuery(text="software", organization=ORG_A, limit=2, offset=offset))
        ).ids
    ]
    assert ids == sorted(t.id for t in twins)


# -- writes --------------------------------------------------------------------------------


async def test_documents_round_trip(filled: SearchEngine) -> None:
    assert await filled.documents() == sorted(DOCUMENTS, key=lambda d: d.id)


async def test_upsert_replaces(filled: SearchEngine) -> None:
    moved = replace(
        SOFTWARE, job_title="Pharmacist", synonyms="", occupation_titles="Pharmacists", city="Kingston"
    )
    await filled.upsert([moved])
    await filled.upsert([moved])
    documents = await filled.documents()
    assert [d for d in documents if d.id == SOFTWARE.id] == [moved]
    assert len(documents) == len(DOCUMENTS)
    assert "m-software" in await ids_for(filled, "pharmacist")
    assert "m-software" not in await ids_for(filled, "software")
    result = await filled.search(MentorQuery(text="", organization=ORG_A))
    assert result.total == len(visible(ORG_A))
    assert result.facets["city"]["Kingston"] == 1


async def test_delete_and_clear(filled: SearchEngine) -> None:
    await filled.delete(["m-software", "unknown"])
    assert "m-software" not in await ids_for(filled)
    assert len(await filled.documents()) == len(DOCUMENTS) - 1
    await filled.delete([])
    await filled.clear()
    assert await filled.documents() == []
    result = await filled.search(MentorQuery(text="", organization=ORG_A))
    assert (result.ids, result.total) == ([], 0)
    await filled.upsert([COMPTABLE])
    assert await ids_for(filled) == ["m-comptable"]


# -- hostile input -------------------------------------------------------------------------

HOSTILE = [
    'x" OR audience = "*',
    '\\" OR 1=1',
    "\\",
    '"',
    "' OR ''='",
    "*",
    "OR",
    "NOT",
    ") OR (city EXISTS",
    "Ottawa) OR (city = Ottawa",
    'Ottawa"] OR city IN ["Ottawa',
    "a" * 5_000,
    ('"\\' * 2_500),
]


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_filter_values_match_nothing(filled: SearchEngine, value: str) -> None:
    for facet in ("city", "languages", "open_to_virtual", "occupation_group"):
        result = await filled.search(MentorQuery(text="", organization=ORG_A, filters={facet: [value]}))
        assert (result.ids, result.total) == ([], 0)
        assert all(counts == {} for counts in result.facets.values())
    # A hostile value next to a real one only keeps the real one's matches.
    result = await filled.search(
        MentorQuery(text="", organization=ORG_A, filters={"city": [value, "Gatineau"]})
    )
    assert result.ids == ["m-ingenieure"]


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_organizations_and_exclusions_widen_nothing(filled: SearchEngine, value: str) -> None:
    public = sorted(d.id for d in visible("nobody"))
    result = await filled.search(MentorQuery(text="", organization=value, limit=100))
    assert result.ids == public
    result = await filled.search(MentorQuery(text="", organization=ORG_B, exclude_ids=frozenset({value})))
    assert result.ids == sorted(d.id for d in visible(ORG_B))


@pytest.mark.parametrize(
    "text", [*HOSTILE, '" OR 1=1 --', "software OR nurse", "(software) AND -nurse", "field:value"]
)
async def test_hostile_text_is_just_text(filled: SearchEngine, text: str) -> None:
    result = await filled.search(MentorQuery(text=text, organization=ORG_B, limit=100))
    assert set(result.ids) <= {d.id for d in visible(ORG_B)}
    assert result.total == len(result.ids)
    assert "m-nurse" not in result.ids
