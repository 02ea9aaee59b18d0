"""Ownership, tested from the refused side: each denial is proven through the API,
next to the success it must not be confused with."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import AuditEvent
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, active_mentorship, admitted_referral

MENTEE = "query($id: UUID!) { mentee(id: $id) { firstName accessGrounds immigrationStatus caseNotes } }"
MENTORSHIP = "query($id: UUID!) { mentorship(id: $id) { id mentee { firstName } } }"


async def audit_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(AuditEvent)) or 0


async def refused(graphql: GraphQL, query: str, variables: dict, token: str) -> str:
    with pytest.raises(GraphQLError) as error:
        await graphql.execute(query, variables, token=token)
    return str(error.value.code)


async def test_another_organization_cannot_read_or_list_a_client(graphql: GraphQL, world: World) -> None:
    other = await graphql.sign_in(world.emails["other_coordinator"], PASSWORD)
    owner = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    client = {"id": str(world.mentee_ids["client"])}

    assert await refused(graphql, MENTEE, client, other) == "NOT_FOUND"
    listed = await graphql.execute("{ clients { totalCount items { id } } }", token=other)
    assert listed["clients"] == {"totalCount": 1, "items": [{"id": str(world.mentee_ids["other_client"])}]}
    # The owner reads it whole, case notes included.
    assert (await graphql.execute(MENTEE, client, token=owner))["mentee"]["accessGrounds"] == "OWNER"


async def test_a_consented_referral_grants_a_read_that_is_audited_until_withdrawn(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    client = {"id": str(world.mentee_ids["client"])}
    assert await refused(graphql, MENTEE, client, hub) == "NOT_FOUND"

    referral_id = await admitted_referral(sessions, world)
    before = await audit_count(sessions)
    read = (await graphql.execute(MENTEE, client, token=hub))["mentee"]
    assert read == {
        "firstName": "Amina",
        "accessGrounds": "REFERRAL",
        "immigrationStatus": "PERMANENT_RESIDENT",
        "caseNotes": None,
    }
    assert await audit_count(sessions) == before + 1
    async with sessions() as session:
        event = await session.scalar(select(AuditEvent).order_by(AuditEvent.created_at.desc()))
    assert (event.actor_user_id, event.actor_organization_id, event.owner_organization_id, event.grounds) == (
        world.actors["hub_coordinator"].user_id,
        world.organizations["hub"],
        world.organizations["agency"],
        "referral",
    )
    # The owner's own reads are not cross-organization: not audited.
    owner = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    await graphql.execute(MENTEE, client, token=owner)
    assert await audit_count(sessions) == before + 1

    # Withdrawing the referral ends the program's access at once.
    await graphql.execute(
        "mutation($id: UUID!) { withdrawReferral(id: $id) { status } }", {"id": str(referral_id)}, token=owner
    )
    assert await refused(graphql, MENTEE, client, hub) == "NOT_FOUND"
    assert await audit_count(sessions) == before + 1


async def test_a_mentor_sees_only_their_own_mentees(graphql: GraphQL, sessions, world: World) -> None:
    mentorship_id = await active_mentorship(sessions, world)
    own = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    stranger = await graphql.sign_in(world.emails["mentor_two"], PASSWORD)
    variables = {"id": str(mentorship_id)}

    assert (await graphql.execute(MENTORSHIP, variables, token=own))["mentorship"]["mentee"] == {
        "firstName": "Amina"
    }
    assert await refused(graphql, MENTORSHIP, variables, stranger) == "NOT_FOUND"
    assert await refused(graphql, MENTEE, {"id": str(world.mentee_ids["client"])}, stranger) == "NOT_FOUND"
    assert (await graphql.execute("{ mentorships { totalCount } }", token=stranger))["mentorships"][
        "totalCount"
    ] == 0


async def test_a_mentee_sees_only_their_own_records(graphql: GraphQL, sessions, world: World) -> None:
    await active_mentorship(sessions, world)
    newcomer = await graphql.sign_in(world.emails["client"], PASSWORD)
    own = (await graphql.execute(MENTEE, {"id": str(world.mentee_ids["client"])}, token=newcomer))["mentee"]
    assert (own["accessGrounds"], own["caseNotes"]) == ("SELF", None)
    assert (
        await refused(graphql, MENTEE, {"id": str(world.mentee_ids["other_client"])}, newcomer) == "NOT_FOUND"
    )
    listed = await graphql.execute("{ mentorships { totalCount } referrals { totalCount } }", token=newcomer)
    assert listed == {"mentorships": {"totalCount": 1}, "referrals": {"totalCount": 1}}
    assert await refused(graphql, "{ clients { totalCount } }", {}, newcomer) == "FORBIDDEN"


async def test_a_mentor_kept_to_their_organization_is_invisible_to_others(
    graphql: GraphQL, sessions, world: World
) -> None:
    hidden = {"id": str(world.mentor_ids["mentor_private"])}
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    pool = await graphql.execute('{ mentors(occupation: "2123") { totalCount items { id } } }', token=hub)
    assert hidden["id"] not in {item["id"] for item in pool["mentors"]["items"]}
    assert pool["mentors"]["totalCount"] == 2
    assert await refused(graphql, "query($id: UUID!) { mentor(id: $id) { id } }", hidden, hub) == "NOT_FOUND"
    referral_id = await admitted_referral(sessions, world)
    propose = "mutation($r: UUID!, $m: UUID!) { proposeMatch(referralId: $r, mentorId: $m) { id } }"
    assert await refused(graphql, propose, {"r": str(referral_id), "m": hidden["id"]}, hub) == "NOT_FOUND"
    # A colleague of the same employer sees them.
    colleague = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    seen = await graphql.execute("query($id: UUID!) { mentor(id: $id) { id } }", hidden, token=colleague)
    assert seen["mentor"]["id"] == hidden["id"]


async def test_only_the_program_organization_decides_its_referrals(
    graphql: GraphQL, sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        from core.services import referrals

        referral = await referrals.submit_referral(
            session,
            world.actors["agency_coordinator"],
            world.mentee_ids["client"],
            world.program_id,
            consent=True,
        )
    admit = "mutation($id: UUID!) { admitReferral(id: $id) { status } }"
    for person in ("agency_coordinator", "other_coordinator", "mentor"):
        token = await graphql.sign_in(world.emails[person], PASSWORD)
        assert await refused(graphql, admit, {"id": str(referral.id)}, token) == "NOT_FOUND"
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    assert (await graphql.execute(admit, {"id": str(referral.id)}, token=hub))["admitReferral"][
        "status"
    ] == "ADMITTED"


async def test_only_program_staff_close_a_mentorship(graphql: GraphQL, sessions, world: World) -> None:
    mentorship_id = await active_mentorship(sessions, world)
    close = "mutation($id: UUID!) { closeMentorship(id: $id, status: COMPLETED) { status } }"
    variables = {"id": str(mentorship_id)}
    for person, code in [
        ("agency_coordinator", "FORBIDDEN"),
        ("mentor", "FORBIDDEN"),
        ("other_coordinator", "NOT_FOUND"),
    ]:
        token = await graphql.sign_in(world.emails[person], PASSWORD)
        assert await refused(graphql, close, variables, token) == code
