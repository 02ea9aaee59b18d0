"""Organizations running themselves through the API: members, plugins, programs,
profiles, extensions, staged outcomes, sessions and languages."""

import uuid
from datetime import timedelta

import pytest

from core import clock
from core.models import MentorshipStatus
from core.services import mentorships
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, active_mentorship, admitted_referral

PROGRAM = """mutation($input: ProgramInput!) { createProgram(input: $input) {
  name termWeeks meetingMinutesPerWeek openToAllReferrers organization { slug } } }"""
ADD_MEMBER = "mutation($input: MemberInput!) { addMember(input: $input) { role organization { slug } } }"
UPDATE = """mutation($id: UUID!, $input: MenteeUpdateInput!) {
  updateMentee(id: $id, input: $input) { careerGoal city } }"""
PROFILE = """mutation($input: MentorProfileInput!) {
  saveMyMentorProfile(input: $input) { id capacity remainingCapacity } }"""
OUTCOME = "mutation($input: OutcomeInput!) { recordOutcome(input: $input) { stage status } }"


async def code_of(graphql: GraphQL, query: str, variables: dict, token: str, **headers: str) -> str:
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(query, variables, token=token, **headers)
    return str(refused.value.code)


async def test_programs_come_from_enabled_types_with_the_type_defaults(
    graphql: GraphQL, world: World
) -> None:
    program = {"programType": "open", "nameEn": "Tech mentoring", "nameFr": "Mentorat techno"}
    other_admin_token = await graphql.sign_in(world.emails["other_coordinator"], PASSWORD)
    assert await code_of(graphql, PROGRAM, {"input": program}, other_admin_token) == "PROGRAM_TYPE_DISABLED"
    mentor = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    assert await code_of(graphql, PROGRAM, {"input": program}, mentor) == "FORBIDDEN"
    unknown = {**program, "programType": "astrology"}
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    assert await code_of(graphql, PROGRAM, {"input": unknown}, hub) == "UNKNOWN_PROGRAM_TYPE"

    created = (await graphql.execute(PROGRAM, {"input": program}, token=hub, language="fr"))["createProgram"]
    assert created == {
        "name": "Mentorat techno",
        "termWeeks": 12,
        "meetingMinutesPerWeek": 60,
        "openToAllReferrers": True,
        "organization": {"slug": "hub"},
    }
    types = await graphql.execute("{ programTypes { key plugin name } plugins { name enabled } }", token=hub)
    assert {"key": "open", "plugin": "open", "name": "Open career mentoring"} in types["programTypes"]
    assert {"name": "open", "enabled": True} in types["plugins"]


async def test_a_program_can_restrict_who_refers_to_it(graphql: GraphQL, world: World) -> None:
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    restricted = {
        "programType": "open",
        "nameEn": "Partners only",
        "nameFr": "Partenaires seulement",
        "referrerOrganizationIds": [str(world.organizations["other"])],
    }
    program_id = (
        await graphql.execute(
            "mutation($input: ProgramInput!) { createProgram(input: $input) { id } }",
            {"input": restricted},
            token=hub,
        )
    )["createProgram"]["id"]
    refer = "mutation($input: ReferralInput!) { submitReferral(input: $input) { status } }"
    agency = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    variables = {
        "input": {"menteeId": str(world.mentee_ids["client"]), "programId": program_id, "consent": True}
    }
    assert await code_of(graphql, refer, variables, agency) == "REFERRER_NOT_ALLOWED"
    other = await graphql.sign_in(world.emails["other_coordinator"], PASSWORD)
    allowed = {
        "input": {"menteeId": str(world.mentee_ids["other_client"]), "programId": program_id, "consent": True}
    }
    assert (await graphql.execute(refer, allowed, token=other))["submitReferral"]["status"] == "SUBMITTED"


async def test_an_admin_adds_members_who_can_then_sign_in(graphql: GraphQL, world: World) -> None:
    admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    newcomer_staff = {
        "email": "Nora@Agency.test",
        "displayName": "Nora",
        "role": "COORDINATOR",
        "password": "short",
    }
    assert await code_of(graphql, ADD_MEMBER, {"input": newcomer_staff}, admin) == "PASSWORD_TOO_SHORT"
    newcomer_staff["password"] = "a long enough secret"
    added = await graphql.execute(ADD_MEMBER, {"input": newcomer_staff}, token=admin)
    assert added["addMember"] == {"role": "COORDINATOR", "organization": {"slug": "agency"}}
    assert await code_of(graphql, ADD_MEMBER, {"input": newcomer_staff}, admin) == "ALREADY_MEMBER"
    nora = await graphql.sign_in("nora@agency.test", "a long enough secret")
    viewer = await graphql.execute("{ viewer { displayName roles organization { slug } } }", token=nora)
    assert viewer["viewer"] == {
        "displayName": "Nora",
        "roles": ["COORDINATOR"],
        "organization": {"slug": "agency"},
    }
    coordinator = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    assert await code_of(graphql, ADD_MEMBER, {"input": newcomer_staff}, coordinator) == "FORBIDDEN"


async def test_a_file_is_edited_by_its_owner_and_partly_by_the_newcomer(
    graphql: GraphQL, sessions, world: World
) -> None:
    client = str(world.mentee_ids["client"])
    owner = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    updated = await graphql.execute(UPDATE, {"id": client, "input": {"city": "Gatineau"}}, token=owner)
    assert updated["updateMentee"] == {
        "careerGoal": "Travailler comme ingénieure logiciel à Ottawa",
        "city": "Gatineau",
    }
    assert await code_of(graphql, UPDATE, {"id": client, "input": {"firstName": None}}, owner) == "REQUIRED"
    assert (
        await code_of(graphql, UPDATE, {"id": client, "input": {"targetNoc": "12345"}}, owner)
        == "UNKNOWN_NOC"
    )

    newcomer = await graphql.sign_in(world.emails["client"], PASSWORD)
    goal = {"careerGoal": "Architecte logiciel"}
    assert (await graphql.execute(UPDATE, {"id": client, "input": goal}, token=newcomer))["updateMentee"][
        "careerGoal"
    ] == "Architecte logiciel"
    status = {"immigrationStatus": "CONVENTION_REFUGEE"}
    assert await code_of(graphql, UPDATE, {"id": client, "input": status}, newcomer) == "FORBIDDEN"

    await admitted_referral(sessions, world)
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    assert await code_of(graphql, UPDATE, {"id": client, "input": goal}, hub) == "FORBIDDEN"


async def test_a_mentor_shares_their_profile_with_chosen_organizations(
    graphql: GraphQL, world: World
) -> None:
    mentor = await graphql.sign_in(world.emails["mentor_two"], PASSWORD)
    profile = {
        "occupationNoc": "21232",
        "languages": ["en", "es"],
        "capacity": 2,
        "visibility": "CHOSEN_ORGANIZATIONS",
        "sharedWithOrganizationIds": [str(world.organizations["other"])],
    }
    assert await code_of(graphql, PROFILE, {"input": {**profile, "capacity": 0}}, mentor) == "OUT_OF_RANGE"
    assert (
        await code_of(graphql, PROFILE, {"input": {**profile, "sharedWithOrganizationIds": []}}, mentor)
        == "REQUIRED"
    )
    saved = (await graphql.execute(PROFILE, {"input": profile}, token=mentor))["saveMyMentorProfile"]
    assert saved == {"id": str(world.mentor_ids["mentor_two"]), "capacity": 2, "remainingCapacity": 2}

    query = "query($id: UUID!) { mentor(id: $id) { id languages } }"
    other = await graphql.sign_in(world.emails["other_coordinator"], PASSWORD)
    assert (await graphql.execute(query, {"id": saved["id"]}, token=other))["mentor"]["languages"] == [
        "en",
        "es",
    ]
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    assert await code_of(graphql, query, {"id": saved["id"]}, hub) == "NOT_FOUND"
    coordinator = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    assert await code_of(graphql, PROFILE, {"input": profile}, coordinator) == "FORBIDDEN"


async def test_extensions_and_outcomes_follow_the_calendar(graphql: GraphQL, sessions, world: World) -> None:
    mentorship_id = str(await active_mentorship(sessions, world))
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    extend = """mutation($id: UUID!, $end: Date!) {
      extendMentorship(id: $id, newEnd: $end, reason: "Interviews coming") {
        plannedEnd extensions { newEnd } } }"""
    too_early = clock.now().date().isoformat()
    assert await code_of(graphql, extend, {"id": mentorship_id, "end": too_early}, hub) == "INVALID_EXTENSION"
    later = (clock.now().date() + timedelta(weeks=16)).isoformat()
    extended = (await graphql.execute(extend, {"id": mentorship_id, "end": later}, token=hub))[
        "extendMentorship"
    ]
    assert extended == {"plannedEnd": later, "extensions": [{"newEnd": later}]}

    closure = {"mentorshipId": mentorship_id, "stage": "CLOSURE", "status": "SEARCHING"}
    assert await code_of(graphql, OUTCOME, {"input": closure}, hub) == "OUTCOME_NOT_DUE"
    async with sessions() as session, session.begin():
        await mentorships.close_mentorship(
            session,
            world.actors["hub_coordinator"],
            uuid.UUID(mentorship_id),
            status=MentorshipStatus.COMPLETED,
        )
    assert (await graphql.execute(OUTCOME, {"input": closure}, token=hub))["recordOutcome"][
        "stage"
    ] == "CLOSURE"
    assert await code_of(graphql, OUTCOME, {"input": closure}, hub) == "OUTCOME_ALREADY_RECORDED"
    three_months = {**closure, "stage": "MONTH_3", "status": "EMPLOYED_RELATED_FIELD", "jobNoc": "21232"}
    assert await code_of(graphql, OUTCOME, {"input": three_months}, hub) == "OUTCOME_NOT_DUE"
    searching_with_job = {**closure, "stage": "MONTH_6", "jobNoc": "21232"}
    with clock.frozen_at(clock.now() + timedelta(days=200)):
        # The newcomer reports it themself, months later.
        newcomer = await graphql.sign_in(world.emails["client"], PASSWORD)
        recorded = await graphql.execute(OUTCOME, {"input": three_months}, token=newcomer)
        assert recorded["recordOutcome"] == {"stage": "MONTH_3", "status": "EMPLOYED_RELATED_FIELD"}
        assert await code_of(graphql, OUTCOME, {"input": searching_with_job}, newcomer) == "INVALID_INPUT"


async def test_signing_out_ends_the_session(graphql: GraphQL, world: World) -> None:
    token = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    assert (await graphql.execute("mutation { signOut }", token=token))["signOut"] is True
    assert await code_of(graphql, "{ viewer { id } }", {}, token) == "UNAUTHENTICATED"
    assert (await graphql.execute("{ viewer { id } }"))["viewer"] is None


async def test_messages_follow_the_saved_language_unless_the_request_asks_otherwise(
    graphql: GraphQL, world: World
) -> None:
    token = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    assert (await graphql.execute("mutation { setLanguage(language: FR) }", token=token))[
        "setLanguage"
    ] == "FR"
    query = "query($id: UUID!) { mentee(id: $id) { id } }"
    variables = {"id": str(world.mentee_ids["client"])}
    with pytest.raises(GraphQLError) as french:
        await graphql.execute(query, variables, token=token)
    assert french.value.message == "Introuvable, ou non partagé avec votre organisme."
    with pytest.raises(GraphQLError) as english:
        await graphql.execute(query, variables, token=token, language="en")
    assert english.value.message == "Not found, or not shared with your organization."


async def test_people_in_several_organizations_say_which_one_they_act_for(
    graphql: GraphQL, world: World
) -> None:
    admin = await graphql.sign_in(world.emails["hub_admin"], PASSWORD)
    await graphql.execute(
        ADD_MEMBER,
        {"input": {"email": world.emails["agency_coordinator"], "displayName": "x", "role": "VIEWER"}},
        token=admin,
    )
    token = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    assert await code_of(graphql, "{ clients { totalCount } }", {}, token) == "ORGANIZATION_REQUIRED"
    as_agency = await graphql.execute("{ clients { totalCount } }", token=token, organization="agency")
    as_hub = await graphql.execute("{ clients { totalCount } }", token=token, organization="hub")
    assert (as_agency["clients"]["totalCount"], as_hub["clients"]["totalCount"]) == (1, 0)
