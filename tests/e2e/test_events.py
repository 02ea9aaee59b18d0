"""Events beside mentoring, through the API: organizations create them, newcomers and
mentors register, organizers record attendance, and attendance is counted per person
for those with grounds to see it."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from core import clock, i18n
from core.models import EventKind, MentorProfile
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World

FIELDS = """id kind kindName title description startsAt online onlineUrl languages capacity
  registeredCount placesLeft audience cancelledAt organization { slug } myRegistration { role attended }"""
CREATE = f"mutation($input: EventInput!) {{ createEvent(input: $input) {{ {FIELDS} }} }}"
UPDATE = f"""mutation($id: UUID!, $input: EventUpdateInput!) {{
  updateEvent(id: $id, input: $input) {{ {FIELDS} }} }}"""
CANCEL = "mutation($id: UUID!) { cancelEvent(id: $id) { cancelledAt } }"
REGISTER = f"mutation($id: UUID!) {{ registerForEvent(id: $id) {{ {FIELDS} }} }}"
REGISTER_AS = (
    "mutation($id: UUID!, $role: ParticipantRole!) { registerForEvent(id: $id, role: $role) { id } }"
)
UNREGISTER = f"mutation($id: UUID!) {{ cancelRegistration(id: $id) {{ {FIELDS} }} }}"
RECORD = """mutation($id: UUID!, $attendance: [AttendanceInput!]!) {
  recordAttendance(id: $id, attendance: $attendance) { registrations { displayName attended } } }"""
EVENT = f"""query($id: UUID!) {{ event(id: $id) {{ {FIELDS}
  registrations {{ userId displayName role attended }} }} }}"""
EVENTS = f"query($period: EventPeriod!) {{ events(period: $period) {{ totalCount items {{ {FIELDS} }} }} }}"
MY_EVENTS = f"{{ myEvents {{ totalCount items {{ {FIELDS} }} }} }}"
SUMMARY = """query($userId: UUID, $menteeId: UUID) { attendanceSummary(userId: $userId, menteeId: $menteeId) {
  total byKind { kind kindName count } countedFor { slug } } }"""


def starts() -> datetime:
    """Events of these tests start a week from now, for two hours."""
    return clock.now().replace(microsecond=0) + timedelta(days=7)


def event_input(**overrides: Any) -> dict[str, Any]:
    start = starts()
    return {
        "kind": "MOCK_INTERVIEWS",
        "titleEn": "Mock interviews for engineers",
        "titleFr": "Simulations d'entrevue pour ingénieures et ingénieurs",
        "descriptionEn": "Practise with local hiring managers.",
        "descriptionFr": "Exercez-vous avec des gestionnaires d'embauche d'ici.",
        "startsAt": start.isoformat(),
        "endsAt": (start + timedelta(hours=2)).isoformat(),
        "capacity": 10,
        "languages": ["FR", "EN"],
        "location": "Bibliothèque publique d'Ottawa, succursale principale",
        **overrides,
    }


async def sign_in(graphql: GraphQL, world: World, person: str) -> str:
    return await graphql.sign_in(world.emails[person], PASSWORD)


async def create_event(graphql: GraphQL, world: World, by: str = "hub_coordinator", **overrides: Any) -> str:
    token = await sign_in(graphql, world, by)
    created = await graphql.execute(CREATE, {"input": event_input(**overrides)}, token=token)
    return str(created["createEvent"]["id"])


async def register(graphql: GraphQL, world: World, event_id: str, *people: str) -> None:
    for person in people:
        await graphql.execute(REGISTER, {"id": event_id}, token=await sign_in(graphql, world, person))


async def user_id(graphql: GraphQL, world: World, person: str) -> str:
    viewer = await graphql.execute("{ viewer { id } }", token=await sign_in(graphql, world, person))
    return str(viewer["viewer"]["id"])


def attended(summary: dict[str, Any]) -> dict[str, int]:
    return {entry["kind"]: entry["count"] for entry in summary["byKind"] if entry["count"]}


async def test_an_event_from_creation_to_counted_attendance(graphql: GraphQL, world: World) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    link = "https://meet.example.org/simulations"
    created = (
        await graphql.execute(CREATE, {"input": event_input(onlineUrl=link)}, token=hub, language="fr")
    )["createEvent"]
    assert {
        key: created[key] for key in ("title", "kindName", "onlineUrl", "placesLeft", "organization")
    } == {
        "title": "Simulations d'entrevue pour ingénieures et ingénieurs",
        "kindName": "Simulations d'entrevue",
        "onlineUrl": link,
        "placesLeft": 10,
        "organization": {"slug": "hub"},
    }
    event_id = created["id"]

    # Everyone signed in sees a platform-wide event; the link only once registered.
    newcomer = await sign_in(graphql, world, "client")
    listed = (await graphql.execute(EVENTS, {"period": "UPCOMING"}, token=newcomer))["events"]
    assert listed["totalCount"] == 1
    assert (listed["items"][0]["online"], listed["items"][0]["onlineUrl"]) == (True, None)
    taken = (await graphql.execute(REGISTER, {"id": event_id}, token=newcomer))["registerForEvent"]
    assert (taken["myRegistration"], taken["placesLeft"], taken["onlineUrl"]) == (
        {"role": "MENTEE", "attended": None},
        9,
        link,
    )
    await register(graphql, world, event_id, "mentor", "mentor_two")
    mentor_two = await sign_in(graphql, world, "mentor_two")
    assert (await graphql.execute(UNREGISTER, {"id": event_id}, token=mentor_two))["cancelRegistration"][
        "myRegistration"
    ] is None

    seen_by_staff = (await graphql.execute(EVENT, {"id": event_id}, token=hub))["event"]
    assert seen_by_staff["registeredCount"] == 2
    registrations = seen_by_staff["registrations"]
    assert [(entry["displayName"], entry["role"]) for entry in registrations] == [
        ("Amina Haddad", "MENTEE"),
        ("Mentor", "MENTOR"),
    ]
    assert (await graphql.execute(EVENT, {"id": event_id}, token=newcomer))["event"]["registrations"] is None

    newcomer_id, mentor_id = (entry["userId"] for entry in registrations)
    with clock.frozen_at(starts() + timedelta(hours=1)):
        hub = await sign_in(graphql, world, "hub_coordinator")
        answers = [{"userId": newcomer_id, "attended": True}, {"userId": mentor_id, "attended": False}]
        recorded = await graphql.execute(RECORD, {"id": event_id, "attendance": answers}, token=hub)
        assert recorded["recordAttendance"]["registrations"] == [
            {"displayName": "Amina Haddad", "attended": True},
            {"displayName": "Mentor", "attended": False},
        ]

    with clock.frozen_at(starts() + timedelta(days=1)):
        newcomer = await sign_in(graphql, world, "client")
        assert (await graphql.execute(EVENTS, {"period": "UPCOMING"}, token=newcomer))["events"][
            "totalCount"
        ] == 0
        past = (await graphql.execute(EVENTS, {"period": "PAST"}, token=newcomer))["events"]["items"]
        assert [event["id"] for event in past] == [event_id]
        mine = (await graphql.execute(MY_EVENTS, token=newcomer))["myEvents"]["items"]
        assert mine[0]["myRegistration"] == {"role": "MENTEE", "attended": True}

        own = (await graphql.execute(SUMMARY, token=newcomer, language="fr"))["attendanceSummary"]
        assert (own["total"], attended(own), own["countedFor"]) == (1, {"MOCK_INTERVIEWS": 1}, None)
        assert {"kind": "MOCK_INTERVIEWS", "kindName": "Simulations d'entrevue", "count": 1} in own["byKind"]
        mentor = await sign_in(graphql, world, "mentor")
        assert (await graphql.execute(SUMMARY, token=mentor))["attendanceSummary"]["total"] == 0

        # The agency owning the newcomer's file counts every event; the organizer, its own.
        agency = await sign_in(graphql, world, "agency_coordinator")
        by_file = {"menteeId": str(world.mentee_ids["client"])}
        owner_view = (await graphql.execute(SUMMARY, by_file, token=agency))["attendanceSummary"]
        assert (owner_view["total"], owner_view["countedFor"]) == (1, None)
        hub = await sign_in(graphql, world, "hub_coordinator")
        organizer_view = (await graphql.execute(SUMMARY, {"userId": newcomer_id}, token=hub))[
            "attendanceSummary"
        ]
        assert (organizer_view["total"], organizer_view["countedFor"]) == (1, {"slug": "hub"})


async def test_the_organizers_change_an_event_until_it_starts(
    graphql: GraphQL, sessions, world: World
) -> None:
    event_id = await create_event(graphql, world, capacity=3)
    await register(graphql, world, event_id, "client", "mentor")
    hub = await sign_in(graphql, world, "hub_coordinator")
    changes = {
        "titleEn": "Mock interviews: software",
        "capacity": 2,
        "onlineUrl": "https://meet.example.org/x",
    }
    updated = (await graphql.execute(UPDATE, {"id": event_id, "input": changes}, token=hub))["updateEvent"]
    assert (updated["title"], updated["capacity"], updated["placesLeft"]) == (
        "Mock interviews: software",
        2,
        0,
    )
    # The registered keep their places.
    await assert_refused(
        graphql, sessions, UPDATE, {"id": event_id, "input": {"capacity": 1}}, code="OUT_OF_RANGE", token=hub
    )
    cleared = {"id": event_id, "input": {"titleFr": None}}
    await assert_refused(graphql, sessions, UPDATE, cleared, code="REQUIRED", token=hub)

    assert (await graphql.execute(CANCEL, {"id": event_id}, token=hub))["cancelEvent"]["cancelledAt"]
    newcomer = await sign_in(graphql, world, "client")
    still_listed = (await graphql.execute(EVENTS, {"period": "UPCOMING"}, token=newcomer))["events"]["items"]
    assert still_listed[0]["cancelledAt"] and still_listed[0]["myRegistration"]["role"] == "MENTEE"
    await assert_refused(graphql, sessions, CANCEL, {"id": event_id}, code="EVENT_CLOSED", token=hub)
    await assert_refused(
        graphql, sessions, UPDATE, {"id": event_id, "input": {"capacity": 5}}, code="EVENT_CLOSED", token=hub
    )


async def test_an_organization_only_event_stays_with_its_members(
    graphql: GraphQL, sessions, world: World
) -> None:
    event_id = await create_event(
        graphql, world, by="agency_coordinator", audience="ORGANIZATION", kind="INFORMATION_SESSION"
    )
    # The agency's client is one of its members.
    newcomer = await sign_in(graphql, world, "client")
    assert (await graphql.execute(EVENTS, {"period": "UPCOMING"}, token=newcomer))["events"][
        "totalCount"
    ] == 1
    await register(graphql, world, event_id, "client")

    mentor = await sign_in(graphql, world, "mentor")
    assert (await graphql.execute(EVENTS, {"period": "UPCOMING"}, token=mentor))["events"]["totalCount"] == 0
    await assert_refused(graphql, sessions, EVENT, {"id": event_id}, code="NOT_FOUND", token=mentor)
    await assert_refused(graphql, sessions, REGISTER, {"id": event_id}, code="NOT_FOUND", token=mentor)
    hub = await sign_in(graphql, world, "hub_coordinator")
    edit = {"id": event_id, "input": {"titleEn": "Ours now"}}
    await assert_refused(graphql, sessions, UPDATE, edit, code="NOT_FOUND", token=hub)
    await assert_refused(graphql, sessions, CANCEL, {"id": event_id}, code="NOT_FOUND", token=hub)


async def test_another_organization_cannot_run_a_platform_event(
    graphql: GraphQL, sessions, world: World
) -> None:
    event_id = await create_event(graphql, world)
    await register(graphql, world, event_id, "client")
    other = await sign_in(graphql, world, "other_coordinator")
    edit = {"id": event_id, "input": {"titleEn": "Ours now"}}
    await assert_refused(graphql, sessions, UPDATE, edit, code="FORBIDDEN", token=other)
    await assert_refused(graphql, sessions, CANCEL, {"id": event_id}, code="FORBIDDEN", token=other)
    assert (await graphql.execute(EVENT, {"id": event_id}, token=other))["event"]["registrations"] is None


@pytest.mark.parametrize("person", ["mentor", "client"])
async def test_only_staff_create_events(graphql: GraphQL, sessions, world: World, person: str) -> None:
    token = await sign_in(graphql, world, person)
    await assert_refused(graphql, sessions, CREATE, {"input": event_input()}, code="FORBIDDEN", token=token)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"endsAt": (starts() - timedelta(hours=1)).isoformat()}, "INVALID_INPUT"),
        ({"capacity": 0}, "OUT_OF_RANGE"),
        ({"titleEn": "   "}, "REQUIRED"),
        ({"titleFr": ""}, "REQUIRED"),
        ({"languages": []}, "REQUIRED"),
        ({"location": "", "onlineUrl": None}, "REQUIRED"),
        ({"onlineUrl": "javascript:alert(1)"}, "INVALID_URL"),
        ({"startsAt": (clock.now() - timedelta(days=1)).isoformat()}, "DATE_IN_PAST"),
        ({"startsAt": starts().replace(tzinfo=None).isoformat()}, "TIMEZONE_REQUIRED"),
    ],
)
async def test_bad_event_input(
    graphql: GraphQL, sessions, world: World, overrides: dict[str, Any], code: str
) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    await assert_refused(graphql, sessions, CREATE, {"input": event_input(**overrides)}, code=code, token=hub)


async def test_registering_for_a_full_event(graphql: GraphQL, sessions, world: World) -> None:
    event_id = await create_event(graphql, world, capacity=1)
    await register(graphql, world, event_id, "mentor")
    newcomer = await sign_in(graphql, world, "client")
    await assert_refused(graphql, sessions, REGISTER, {"id": event_id}, code="EVENT_FULL", token=newcomer)
    # A place given back can be taken.
    await graphql.execute(UNREGISTER, {"id": event_id}, token=await sign_in(graphql, world, "mentor"))
    assert (await graphql.execute(REGISTER, {"id": event_id}, token=newcomer))["registerForEvent"][
        "placesLeft"
    ] == 0


async def test_registering_twice(graphql: GraphQL, sessions, world: World) -> None:
    event_id = await create_event(graphql, world)
    await register(graphql, world, event_id, "client")
    newcomer = await sign_in(graphql, world, "client")
    await assert_refused(
        graphql, sessions, REGISTER, {"id": event_id}, code="ALREADY_REGISTERED", token=newcomer
    )


async def test_registering_for_a_cancelled_event(graphql: GraphQL, sessions, world: World) -> None:
    event_id = await create_event(graphql, world)
    await graphql.execute(CANCEL, {"id": event_id}, token=await sign_in(graphql, world, "hub_coordinator"))
    newcomer = await sign_in(graphql, world, "client")
    await assert_refused(graphql, sessions, REGISTER, {"id": event_id}, code="EVENT_CLOSED", token=newcomer)


async def test_registering_or_cancelling_once_the_event_started(
    graphql: GraphQL, sessions, world: World
) -> None:
    event_id = await create_event(graphql, world)
    await register(graphql, world, event_id, "client")
    with clock.frozen_at(starts() + timedelta(days=1)):
        mentor = await sign_in(graphql, world, "mentor")
        await assert_refused(graphql, sessions, REGISTER, {"id": event_id}, code="EVENT_CLOSED", token=mentor)
        newcomer = await sign_in(graphql, world, "client")
        await assert_refused(
            graphql, sessions, UNREGISTER, {"id": event_id}, code="EVENT_CLOSED", token=newcomer
        )


async def test_people_without_a_newcomer_file_or_mentor_profile_cannot_register(
    graphql: GraphQL, sessions, world: World
) -> None:
    event_id = await create_event(graphql, world)
    staff = await sign_in(graphql, world, "agency_coordinator")
    await assert_refused(graphql, sessions, REGISTER, {"id": event_id}, code="FORBIDDEN", token=staff)
    mentor = await sign_in(graphql, world, "mentor")
    as_newcomer = {"id": event_id, "role": "MENTEE"}
    await assert_refused(graphql, sessions, REGISTER_AS, as_newcomer, code="FORBIDDEN", token=mentor)


async def test_someone_both_newcomer_and_mentor_says_which(graphql: GraphQL, sessions, world: World) -> None:
    # A newcomer who found work in their field mentors others (peer mentoring).
    newcomer_id = await user_id(graphql, world, "client")
    async with sessions() as session, session.begin():
        session.add(
            MentorProfile(
                user_id=uuid.UUID(newcomer_id),
                organization_id=world.organizations["employer"],
                occupation_noc="21231",
            )
        )
    event_id = await create_event(graphql, world)
    newcomer = await sign_in(graphql, world, "client")
    await assert_refused(graphql, sessions, REGISTER, {"id": event_id}, code="REQUIRED", token=newcomer)
    await graphql.execute(REGISTER_AS, {"id": event_id, "role": "MENTOR"}, token=newcomer)
    mine = (await graphql.execute(EVENT, {"id": event_id}, token=newcomer))["event"]["myRegistration"]
    assert mine == {"role": "MENTOR", "attended": None}


async def test_cancelling_a_registration_one_does_not_have(graphql: GraphQL, sessions, world: World) -> None:
    event_id = await create_event(graphql, world)
    newcomer = await sign_in(graphql, world, "client")
    await assert_refused(
        graphql, sessions, UNREGISTER, {"id": event_id}, code="NOT_REGISTERED", token=newcomer
    )


async def test_recording_attendance_before_the_event_started(
    graphql: GraphQL, sessions, world: World
) -> None:
    event_id = await create_event(graphql, world)
    await register(graphql, world, event_id, "client")
    hub = await sign_in(graphql, world, "hub_coordinator")
    newcomer_id = await user_id(graphql, world, "client")
    variables = {"id": event_id, "attendance": [{"userId": newcomer_id, "attended": True}]}
    await assert_refused(graphql, sessions, RECORD, variables, code="EVENT_NOT_STARTED", token=hub)


async def test_recording_attendance_of_someone_not_registered_or_twice(
    graphql: GraphQL, sessions, world: World
) -> None:
    event_id = await create_event(graphql, world)
    await register(graphql, world, event_id, "client", "mentor_two")
    await graphql.execute(UNREGISTER, {"id": event_id}, token=await sign_in(graphql, world, "mentor_two"))
    newcomer_id = await user_id(graphql, world, "client")
    with clock.frozen_at(starts() + timedelta(hours=1)):
        hub = await sign_in(graphql, world, "hub_coordinator")
        for absent in ("mentor", "mentor_two"):  # never registered; gave their place back
            variables = {
                "id": event_id,
                "attendance": [
                    {"userId": newcomer_id, "attended": True},
                    {"userId": str(world.actors[absent].user_id), "attended": True},
                ],
            }
            await assert_refused(graphql, sessions, RECORD, variables, code="NOT_REGISTERED", token=hub)
        twice = [{"userId": newcomer_id, "attended": True}, {"userId": newcomer_id, "attended": False}]
        variables = {"id": event_id, "attendance": twice}
        await assert_refused(graphql, sessions, RECORD, variables, code="INVALID_INPUT", token=hub)
        other = await sign_in(graphql, world, "other_coordinator")
        only_newcomer = {"id": event_id, "attendance": [{"userId": newcomer_id, "attended": True}]}
        await assert_refused(graphql, sessions, RECORD, only_newcomer, code="FORBIDDEN", token=other)


async def test_attendance_counts_are_not_shown_without_grounds(
    graphql: GraphQL, sessions, world: World
) -> None:
    event_id = await create_event(graphql, world)
    await register(graphql, world, event_id, "client")
    newcomer_id = await user_id(graphql, world, "client")
    by_account, by_file = {"userId": newcomer_id}, {"menteeId": str(world.mentee_ids["client"])}
    other = await sign_in(graphql, world, "other_coordinator")
    for variables in (by_account, by_file):
        await assert_refused(graphql, sessions, SUMMARY, variables, code="NOT_FOUND", token=other)
    # An organizer sees only people who registered for one of its events.
    hub = await sign_in(graphql, world, "hub_coordinator")
    await assert_refused(graphql, sessions, SUMMARY, by_file, code="NOT_FOUND", token=hub)
    stranger = {"userId": str(world.actors["mentor_two"].user_id)}
    await assert_refused(graphql, sessions, SUMMARY, stranger, code="NOT_FOUND", token=hub)
    mentor = await sign_in(graphql, world, "mentor")
    await assert_refused(graphql, sessions, SUMMARY, by_account, code="NOT_FOUND", token=mentor)


async def test_anonymous_visitors_see_no_events(graphql: GraphQL, world: World) -> None:
    await create_event(graphql, world)
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(EVENTS, {"period": "UPCOMING"})
    assert refused.value.code == "UNAUTHENTICATED"


def test_every_kind_of_event_has_a_name_in_both_languages() -> None:
    for language in i18n.LANGUAGES:
        assert all(i18n.catalogs()[language].get(f"event.kind.{kind.value}") for kind in EventKind)
