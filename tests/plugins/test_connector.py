"""The connector program (Halifax model), through /graphql: a 30-minute meeting, at
least three introductions with the newcomer's consent, follow-ups, the chain of
introductions, and upgrading the connection to a full mentorship; every refusal
leaves the database as it was."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import plugins.connector as connector_plugin
from core import clock
from core.plugins import get_plugin_host
from core.services import organizations, programs, referrals
from plugins.connector.graphql import ConnectorMutation, ConnectorQuery
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL
from tests.world import PASSWORD, World, admitted_referral, eligible_client

MEETING_FIELDS = """id status minutes scheduledOn heldOn introductionsRequired introductionConsentAt
    menteeWantsToContinue connectorWantsToContinue upgradeProposalId
    mentee { firstName } connector { id }
    introductions { id contactName contactOrganization contactEmail contactMentor { id } introducedBy { id }
        followUps { outcome occurredOn note } }"""
SCHEDULE = f"""mutation($input: ConnectorMeetingInput!) {{
    scheduleConnectorMeeting(input: $input) {{ {MEETING_FIELDS} }} }}"""
HELD = "mutation($id: UUID!) { markConnectorMeetingHeld(id: $id) { status heldOn } }"
CONSENT = """mutation($id: UUID!) {
    recordIntroductionConsent(meetingId: $id, consent: true) { introductionConsentAt } }"""
INTRODUCE = """mutation($input: IntroductionInput!) {
    recordIntroduction(input: $input) { id contactName contactEmail contactMentor { id } } }"""
COMPLETE = "mutation($id: UUID!) { completeConnectorMeeting(id: $id) { status completedAt } }"
FOLLOW_UP = """mutation($input: IntroductionFollowUpInput!) {
    recordIntroductionFollowUp(input: $input) { outcome occurredOn } }"""
AGREE = """mutation($id: UUID!, $agree: Boolean!) {
    agreeToContinue(meetingId: $id, agree: $agree) { menteeWantsToContinue connectorWantsToContinue } }"""
UPGRADE = """mutation($id: UUID!, $program: UUID!) {
    upgradeConnectionToMentorship(meetingId: $id, programId: $program) {
        id status program { programType } mentor { id } } }"""
ANSWER = "mutation($id: UUID!) { answerProposal(id: $id, accept: true) { status } }"
MENTEE_CARD = "query($id: UUID!) { mentee(id: $id) { firstName lastName careerGoal accessGrounds } }"
MEETING = f"query($id: UUID!) {{ connectorMeeting(id: $id) {{ {MEETING_FIELDS} }} }}"
MEETINGS = "{ connectorMeetings { totalCount items { id } } }"
CHAIN = """query($mentee: UUID, $connector: UUID) {
    introductionChain(menteeId: $mentee, connectorId: $connector) {
        step meeting { id connector { id } } continuedIn { id }
        introduction { contactName introducedBy { id } contactMentor { id } } } }"""


def test_register_program_types_offers_the_halifax_defaults() -> None:
    plugin_name, program_type = get_plugin_host().program_type("connector")
    assert plugin_name == "connector"
    assert program_type.default_settings == {"meeting_minutes": 30, "minimum_introductions": 3}
    assert (program_type.name_en, program_type.name_fr) == ("Connector program", "Programme de connecteurs")
    # The default rules are declarative rules staff can edit: the rule book accepts them as they are.
    assert get_plugin_host().rule_book().validate(program_type.default_rules) == program_type.default_rules


def test_register_graphql_and_register_translations_bring_the_api_and_its_messages() -> None:
    fields = connector_plugin.register_graphql()
    assert (fields.query, fields.mutation) == (ConnectorQuery, ConnectorMutation)
    assert (connector_plugin.register_translations() / "fr" / "connector.po").exists()


async def connector_referral(sessions: async_sessionmaker[AsyncSession], world: World) -> uuid.UUID:
    """The hub enables the connector plugin and runs a connector program, to which the
    agency refers its client, who is admitted."""
    async with sessions() as session, session.begin():
        await organizations.set_plugin_enabled(session, world.actors["hub_admin"], "connector", True)
        program = await programs.create_program(
            session,
            world.actors["hub_coordinator"],
            programs.ProgramData(
                program_type="connector", name_en="Connector Program", name_fr="Programme de connecteurs"
            ),
        )
        referral = await referrals.submit_referral(
            session, world.actors["agency_coordinator"], world.mentee_ids["client"], program.id, consent=True
        )
        await referrals.admit_referral(session, world.actors["hub_coordinator"], referral.id)
        return referral.id


class People:
    """Signed-in tokens of the world's people, to act as each of them over /graphql."""

    def __init__(self, graphql: GraphQL, world: World):
        self.graphql = graphql
        self.world = world
        self.tokens: dict[str, str] = {}

    async def token(self, person: str) -> str:
        if person not in self.tokens:
            self.tokens[person] = await self.graphql.sign_in(self.world.emails[person], PASSWORD)
        return self.tokens[person]

    async def run(self, person: str, query: str, **variables: Any) -> dict[str, Any]:
        return await self.graphql.execute(query, variables, token=await self.token(person))


async def schedule(people: People, referral_id: uuid.UUID, connector: str) -> dict[str, Any]:
    data = await people.run(
        "hub_coordinator",
        SCHEDULE,
        input={
            "referralId": str(referral_id),
            "connectorId": str(people.world.mentor_ids[connector]),
            "scheduledOn": clock.now().date().isoformat(),
        },
    )
    return data["scheduleConnectorMeeting"]


def contact(meeting_id: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"input": {"meetingId": meeting_id, "contactName": name, **fields}}


async def test_a_connector_meeting_from_booking_to_mentorship(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    people = People(graphql, world)
    referral_id = await connector_referral(sessions, world)
    mentor_id, contact_mentor_id = (str(world.mentor_ids[key]) for key in ("mentor", "mentor_two"))

    # Staff book a 30-minute meeting (the program's default) with a connector of the pool.
    meeting = await schedule(people, referral_id, "mentor")
    assert (meeting["status"], meeting["minutes"], meeting["introductionsRequired"]) == ("SCHEDULED", 30, 3)
    assert meeting["mentee"]["firstName"] == "Amina", "the program's staff read the file on the referral"
    meeting_id = meeting["id"]
    # The connector sees the newcomer's card (grant_mentee_access), never the whole file.
    card = (await people.run("mentor", MENTEE_CARD, id=str(world.mentee_ids["client"])))["mentee"]
    assert card == {
        "firstName": "Amina",
        "lastName": None,
        "careerGoal": eligible_client()["career_goal"],
        "accessGrounds": "CONNECTION",
    }
    held = await people.run("mentor", HELD, id=meeting_id)
    assert held["markConnectorMeetingHeld"] == {"status": "HELD", "heldOn": clock.now().date().isoformat()}

    # No introduction before the newcomer consents to their name and goal being passed on.
    outside = contact(
        meeting_id, "Claire Tremblay", contactOrganization="Ciena", contactEmail="claire@ciena.test"
    )
    await assert_refused(
        graphql, sessions, INTRODUCE, outside, code="CONSENT_REQUIRED", token=await people.token("mentor")
    )
    consent = await people.run("client", CONSENT, id=meeting_id)
    assert consent["recordIntroductionConsent"]["introductionConsentAt"] is not None

    # Three introductions: two people outside the platform, one mentor of the pool.
    first = (await people.run("mentor", INTRODUCE, **outside))["recordIntroduction"]
    assert first["contactEmail"] == "claire@ciena.test" and first["contactMentor"] is None
    on_platform = contact(meeting_id, "Mentor Two", contactMentorId=contact_mentor_id)
    second = (await people.run("mentor", INTRODUCE, **on_platform))["recordIntroduction"]
    assert second["contactMentor"] == {"id": contact_mentor_id}
    await assert_refused(
        graphql,
        sessions,
        COMPLETE,
        {"id": meeting_id},
        code="INTRODUCTIONS_REQUIRED",
        token=await people.token("mentor"),
    )
    third = contact(meeting_id, "Jean Roy", contactOrganization="Shopify", contactEmail="jean@shopify.test")
    await people.run("mentor", INTRODUCE, **third)
    assert (await people.run("mentor", COMPLETE, id=meeting_id))["completeConnectorMeeting"][
        "status"
    ] == "COMPLETED"

    # The newcomer records the follow-ups of their own introductions, and only they may.
    follow_up = {
        "input": {
            "introductionId": first["id"],
            "occurredOn": clock.now().date().isoformat(),
            "outcome": "JOB_LEAD",
            "note": "Coffee with Claire; she forwarded my résumé",
        }
    }
    await people.run("client", FOLLOW_UP, **follow_up)
    met = {"introductionId": second["id"], "occurredOn": clock.now().date().isoformat(), "outcome": "MET"}
    await people.run("client", FOLLOW_UP, input=met)
    for person, code in (
        ("mentor", "FORBIDDEN"),
        ("hub_coordinator", "FORBIDDEN"),
        ("other_coordinator", "NOT_FOUND"),
    ):
        await assert_refused(
            graphql, sessions, FOLLOW_UP, follow_up, code=code, token=await people.token(person)
        )

    # Nothing continues unless both want to; then staff turn the connection into a
    # mentorship in the hub's one-to-one program the newcomer is admitted to.
    await admitted_referral(sessions, world)
    upgrade = {"id": meeting_id, "program": str(world.program_id)}
    await people.run("client", AGREE, id=meeting_id, agree=True)
    await assert_refused(
        graphql,
        sessions,
        UPGRADE,
        upgrade,
        code="CONTINUATION_NOT_AGREED",
        token=await people.token("hub_coordinator"),
    )
    agreed = await people.run("mentor", AGREE, id=meeting_id, agree=True)
    assert agreed["agreeToContinue"] == {"menteeWantsToContinue": True, "connectorWantsToContinue": True}
    proposal = (await people.run("hub_coordinator", UPGRADE, **upgrade))["upgradeConnectionToMentorship"]
    assert proposal["status"] == "PENDING" and proposal["program"]["programType"] == "open"
    assert proposal["mentor"]["id"] == mentor_id
    await people.run("mentor", ANSWER, id=proposal["id"])
    assert (await people.run("client", ANSWER, id=proposal["id"]))["answerProposal"]["status"] == "ACCEPTED"
    mentorships = await people.run("hub_coordinator", "{ mentorships { items { status mentor { id } } } }")
    assert mentorships["mentorships"]["items"] == [{"status": "ACTIVE", "mentor": {"id": mentor_id}}]

    # The newcomer sees the whole meeting, contacts and follow-ups included.
    seen = (await people.run("client", MEETING, id=meeting_id))["connectorMeeting"]
    assert seen["upgradeProposalId"] == proposal["id"]
    assert [intro["contactName"] for intro in seen["introductions"]] == [
        "Claire Tremblay",
        "Mentor Two",
        "Jean Roy",
    ]
    assert [[follow["outcome"] for follow in intro["followUps"]] for intro in seen["introductions"]] == [
        ["JOB_LEAD"],
        ["MET"],
        [],
    ]

    # The contact on the platform becomes the newcomer's next connector: the chain continues.
    next_meeting = await schedule(people, referral_id, "mentor_two")
    await people.run("mentor_two", HELD, id=next_meeting["id"])
    await people.run("client", CONSENT, id=next_meeting["id"])
    for name in ("Ana Costa", "Raj Patel", "Li Wei"):
        email = f"{name.split()[0].lower()}@example.test"
        await people.run("mentor_two", INTRODUCE, **contact(next_meeting["id"], name, contactEmail=email))

    chain = (await people.run("hub_coordinator", CHAIN, mentee=str(world.mentee_ids["client"])))[
        "introductionChain"
    ]
    assert [(link["step"], link["introduction"]["contactName"]) for link in chain] == [
        (1, "Claire Tremblay"),
        (1, "Mentor Two"),
        (1, "Jean Roy"),
        (2, "Ana Costa"),
        (2, "Raj Patel"),
        (2, "Li Wei"),
    ]
    assert chain[1]["continuedIn"] == {"id": next_meeting["id"]}
    assert {link["introduction"]["introducedBy"]["id"] for link in chain[3:]} == {contact_mentor_id}
    own = await people.run("client", CHAIN, mentee=str(world.mentee_ids["client"]))
    assert own["introductionChain"] == chain

    # A connector's chain shows their own introductions; the next meeting is not theirs to see.
    first_connector = (await people.run("mentor", CHAIN, connector=mentor_id))["introductionChain"]
    assert [link["introduction"]["contactName"] for link in first_connector] == [
        "Claire Tremblay",
        "Mentor Two",
        "Jean Roy",
    ]
    assert all(link["continuedIn"] is None for link in first_connector)
    second_connector = (await people.run("hub_coordinator", CHAIN, connector=contact_mentor_id))[
        "introductionChain"
    ]
    assert [link["step"] for link in second_connector] == [2, 2, 2]

    # Another organization sees nothing of it.
    other = await people.token("other_coordinator")
    await assert_refused(graphql, sessions, MEETING, {"id": meeting_id}, code="NOT_FOUND", token=other)
    await assert_refused(
        graphql, sessions, CHAIN, {"mentee": str(world.mentee_ids["client"])}, code="NOT_FOUND", token=other
    )
    assert (await people.run("other_coordinator", MEETINGS))["connectorMeetings"]["totalCount"] == 0
    assert (await people.run("mentor", MEETINGS))["connectorMeetings"]["totalCount"] == 1
    assert (await people.run("hub_coordinator", MEETINGS))["connectorMeetings"]["totalCount"] == 2


async def test_nothing_changes_once_the_organization_disables_the_connector_plugin(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    people = People(graphql, world)
    referral_id = await connector_referral(sessions, world)
    meeting = await schedule(people, referral_id, "mentor")
    async with sessions() as session, session.begin():
        await organizations.set_plugin_enabled(session, world.actors["hub_admin"], "connector", False)
    schedule_again = {
        "input": {
            "referralId": str(referral_id),
            "connectorId": str(world.mentor_ids["mentor_two"]),
            "scheduledOn": (clock.now().date() + timedelta(days=7)).isoformat(),
        }
    }
    await assert_refused(
        graphql,
        sessions,
        SCHEDULE,
        schedule_again,
        code="PROGRAM_TYPE_DISABLED",
        token=await people.token("hub_coordinator"),
    )
    await assert_refused(
        graphql,
        sessions,
        HELD,
        {"id": meeting["id"]},
        code="PROGRAM_TYPE_DISABLED",
        token=await people.token("mentor"),
    )
    # What exists stays readable.
    read = await people.run("mentor", MEETING, id=meeting["id"])
    assert read["connectorMeeting"]["status"] == "SCHEDULED"
