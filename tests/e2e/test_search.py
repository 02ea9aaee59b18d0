"""Mentor search through /graphql on the embedded engine: visibility inside the query
(results, totals and facets), typos, accents and both languages, filters, room left,
and bad input answered with a clear error."""

from typing import Any

import pytest
from litestar import Litestar

from core.models import MentorProfile, MentorSharedWith, MentorVisibility
from core.search.outbox import drain, record
from core.search.port import SearchUnavailable
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, active_mentorship

SEARCH = """
query($text: String!, $filters: MentorFilters, $facets: [String!], $limit: Int!, $offset: Int!) {
  mentorSearch(text: $text, filters: $filters, facets: $facets, limit: $limit, offset: $offset) {
    totalCount items { id displayName } facets { name values { value count label } } } }"""


async def search(
    graphql: GraphQL,
    token: str,
    text: str = "",
    *,
    filters: dict[str, Any] | None = None,
    facets: list[str] | None = None,
    limit: int = 20,
    offset: int = 0,
    language: str | None = None,
) -> dict[str, Any]:
    variables = {"text": text, "filters": filters, "facets": facets, "limit": limit, "offset": offset}
    return (await graphql.execute(SEARCH, variables, token=token, language=language))["mentorSearch"]


def ids(found: dict[str, Any]) -> set[str]:
    return {item["id"] for item in found["items"]}


def facet(found: dict[str, Any], name: str) -> dict[str, int]:
    return next(
        {value["value"]: value["count"] for value in f["values"]}
        for f in found["facets"]
        if f["name"] == name
    )


@pytest.fixture
async def indexed(sessions, world: World, app: Litestar) -> World:
    """The world's mentors, in the app's engine."""
    await drain(sessions, app.state.search)
    return world


async def test_a_mentor_seen_only_by_its_organization_never_reaches_another(
    graphql: GraphQL, sessions, indexed: World, app: Litestar
) -> None:
    world = indexed
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    colleague = await graphql.sign_in(world.emails["mentor"], PASSWORD)  # works at the employer
    private = str(world.mentor_ids["mentor_private"])

    from_hub = await search(graphql, hub)
    assert private not in ids(from_hub) and from_hub["totalCount"] == 2
    assert sum(facet(from_hub, "occupation_group").values()) == 2
    assert facet(from_hub, "languages") == {"en": 2, "fr": 2}
    from_employer = await search(graphql, colleague)
    assert private in ids(from_employer) and from_employer["totalCount"] == 3
    assert facet(from_employer, "languages") == {"en": 2, "fr": 3}
    # Even a query that only the private mentor would match counts nothing for the hub.
    narrowed = await search(graphql, hub, filters={"languages": ["fr"], "cities": ["Ottawa"]}, limit=1)
    assert narrowed["totalCount"] == 2 and private not in ids(narrowed)

    # Shared with the agency only: the agency sees mentor_two, another agency does not.
    async with sessions() as session, session.begin():
        mentor = await session.get_one(MentorProfile, world.mentor_ids["mentor_two"])
        mentor.visibility = MentorVisibility.CHOSEN_ORGANIZATIONS
        session.add(MentorSharedWith(mentor_id=mentor.id, organization_id=world.organizations["agency"]))
        record(session, [mentor.id])
    await drain(sessions, app.state.search)
    mentor_two = str(world.mentor_ids["mentor_two"])
    agency = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    other = await graphql.sign_in(world.emails["other_coordinator"], PASSWORD)
    assert mentor_two in ids(await search(graphql, agency))
    hidden = await search(graphql, other)
    assert mentor_two not in ids(hidden) and hidden["totalCount"] == 1
    assert sum(facet(hidden, "city").values()) == 1


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("enginer", "en"),  # a typo
        ("ingenieur logiciel", "fr"),  # accents left out, French titles of an English profile
        ("logiciel", "fr"),  # French for "software"
        ("concepteurs en logiciel", "fr"),
    ],
)
async def test_typos_accents_and_french_find_an_english_profile(
    graphql: GraphQL, indexed: World, text: str, language: str
) -> None:
    hub = await graphql.sign_in(indexed.emails["hub_coordinator"], PASSWORD)
    found = await search(graphql, hub, text, language=language)
    assert str(indexed.mentor_ids["mentor"]) in ids(found)
    assert str(indexed.mentor_ids["mentor_private"]) not in ids(found)


async def test_filters_pagination_room_left_and_labels(graphql: GraphQL, sessions, indexed: World) -> None:
    world = indexed
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    first = await search(graphql, hub, limit=1)
    second = await search(graphql, hub, limit=1, offset=1)
    assert first["totalCount"] == second["totalCount"] == 2
    assert len(ids(first) | ids(second)) == 2
    assert ids(await search(graphql, hub, filters={"openToVirtual": False})) == set()
    assert ids(await search(graphql, hub, filters={"programTypes": ["open"]})) == {
        str(world.mentor_ids["mentor"]),
        str(world.mentor_ids["mentor_two"]),
    }
    labelled = await search(graphql, hub, facets=["occupation_group", "has_capacity"], language="fr")
    groups = next(f for f in labelled["facets"] if f["name"] == "occupation_group")["values"]
    assert groups[0]["value"] == "21" and groups[0]["label"].startswith(
        "Personnel professionnel des sciences"
    )
    assert facet(labelled, "has_capacity") == {"true": 2, "false": 0}

    # A mentorship fills mentor's only place: "room left" leaves them out.
    await active_mentorship(sessions, world)
    with_room = await search(graphql, hub, filters={"hasCapacity": True}, facets=["has_capacity"])
    assert ids(with_room) == {str(world.mentor_ids["mentor_two"])}
    assert facet(with_room, "has_capacity") == {"true": 1, "false": 1}


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"text": "x" * 201}, "TOO_LONG"),
        ({"limit": 0}, "OUT_OF_RANGE"),
        ({"limit": 101}, "OUT_OF_RANGE"),
        ({"offset": -1}, "OUT_OF_RANGE"),
        ({"facets": ["salary"]}, "UNKNOWN_FACET"),
        ({"filters": {"occupationGroups": ['21" OR audience = "*']}}, "INVALID_FILTER"),
        ({"filters": {"languages": ["fr') OR 1=1"]}}, "INVALID_LANGUAGE"),
        ({"filters": {"programTypes": ["*"]}}, "UNKNOWN_PROGRAM_TYPE"),
        ({"filters": {"cities": ["Ottawa"] * 21}}, "OUT_OF_RANGE"),
    ],
)
async def test_bad_searches_get_a_clear_error_in_both_languages(
    graphql: GraphQL, indexed: World, arguments: dict[str, Any], code: str
) -> None:
    hub = await graphql.sign_in(indexed.emails["hub_coordinator"], PASSWORD)
    messages = set()
    for language in ("en", "fr"):
        with pytest.raises(GraphQLError) as refused:
            await search(graphql, hub, **arguments, language=language)
        assert refused.value.code == code
        messages.add(refused.value.message)
    assert len(messages) == 2


async def test_hostile_text_and_values_are_data_not_syntax(graphql: GraphQL, indexed: World) -> None:
    hub = await graphql.sign_in(indexed.emails["hub_coordinator"], PASSWORD)
    for text in ['" OR 1=1 --', "audience:*", "(engineer) AND NOT x", "\\", "*"]:
        found = await search(graphql, hub, text)
        assert str(indexed.mentor_ids["mentor_private"]) not in ids(found)
    quoted = await search(graphql, hub, filters={"cities": ['Ottawa" OR city = "Toronto']})
    assert quoted["totalCount"] == 0
    assert (await search(graphql, hub, ""))["totalCount"] == 2


async def test_an_engine_that_is_down_answers_search_unavailable(
    graphql: GraphQL, indexed: World, app: Litestar
) -> None:
    class Down:
        name = "down"

        async def search(self, query: object) -> None:
            raise SearchUnavailable("connection refused")

    hub = await graphql.sign_in(indexed.emails["hub_coordinator"], PASSWORD)
    app.state.search = Down()
    with pytest.raises(GraphQLError) as refused:
        await search(graphql, hub, "engineer", language="fr")
    assert refused.value.code == "SEARCH_UNAVAILABLE"
    assert "connection" not in refused.value.message


async def test_search_needs_a_signed_in_member(graphql: GraphQL, indexed: World) -> None:
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(SEARCH, {"text": "", "limit": 5, "offset": 0})
    assert refused.value.code == "UNAUTHENTICATED"
