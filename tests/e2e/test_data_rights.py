"""Data rights: a person's data exported as JSON on their request or their
organization admin's, and anonymization that keeps the statistics intact."""

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import clock
from core.models import (
    EmploymentStatus,
    Meeting,
    MeetingMode,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    MentorshipStatus,
    Outcome,
    OutcomeStage,
    Referral,
    User,
)
from core.services import mentorships
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, active_mentorship

EXPORT = "query($u: UUID, $m: UUID) { personalData(userId: $u, menteeId: $m) }"
ANONYMIZE = """mutation($u: UUID, $m: UUID) {
  anonymizePerson(userId: $u, menteeId: $m) { menteeFiles accounts mentorProfiles }
}"""


async def history(sessions: async_sessionmaker[AsyncSession], world: World) -> None:
    """A completed mentorship with a meeting, notes and a closure outcome; case notes."""
    mentorship_id = await active_mentorship(sessions, world)
    async with sessions() as session, session.begin():
        await mentorships.log_meeting(
            session,
            world.actors["mentor"],
            mentorship_id,
            occurred_on=clock.now().date(),
            minutes=90,
            mode=MeetingMode.VIDEO,
            notes="Talked about Amina's interview at Shopify",
        )
        await mentorships.close_mentorship(
            session, world.actors["hub_coordinator"], mentorship_id, status=MentorshipStatus.COMPLETED
        )
        await mentorships.record_outcome(
            session,
            world.actors["hub_coordinator"],
            mentorship_id,
            stage=OutcomeStage.CLOSURE,
            status=EmploymentStatus.EMPLOYED_IN_FIELD,
            note="Hired by Shopify",
        )
        mentee = await session.get_one(MenteeProfile, world.mentee_ids["client"])
        mentee.case_notes = "Struggles with housing"


async def statistics(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[tuple[str, ...]]]:
    """What the reports count, independent of who the people are."""
    async with sessions() as session:
        return {
            "referrals": sorted(
                (str(r.program_id), str(r.status)) for r in await session.scalars(sa.select(Referral))
            ),
            "mentorships": sorted(
                (str(m.program_id), str(m.status), str(m.agreement_date))
                for m in await session.scalars(sa.select(Mentorship))
            ),
            "outcomes": sorted(
                (str(o.stage), str(o.status)) for o in await session.scalars(sa.select(Outcome))
            ),
            "mentees": sorted(
                (
                    str(m.owner_organization_id),
                    m.target_noc,
                    str(m.immigration_status),
                    str(m.preferred_language),
                )
                for m in await session.scalars(sa.select(MenteeProfile))
            ),
        }


async def test_a_newcomer_exports_everything_held_about_them(
    graphql: GraphQL, sessions, world: World
) -> None:
    await history(sessions, world)
    newcomer = await graphql.sign_in(world.emails["client"], PASSWORD)
    me = (await graphql.execute("{ viewer { id } }", token=newcomer))["viewer"]["id"]
    exported = (await graphql.execute(EXPORT, {"u": me}, token=newcomer))["personalData"]
    tables = exported["tables"]
    assert tables["users"][0]["email"] == "amina@example.org"
    assert tables["mentee_profiles"][0]["first_name"] == "Amina"
    for table in (
        "referrals",
        "consents",
        "match_proposals",
        "mentorships",
        "meetings",
        "outcomes",
        "audit_events",
        # The lifecycle's records hang off the mentorship: its agreement and goals.
        "mentorship_agreements",
        "mentorship_goals",
    ):
        assert tables.get(table), table
    assert tables["meetings"][0]["notes"] == "Talked about Amina's interview at Shopify"
    # Who outside the agency read the file is part of what the person may know.
    assert "referral" in {row["grounds"] for row in tables["audit_events"]}
    text = json.dumps(exported)
    # No credentials, and the agency's working notes stay with the agency.
    assert "password_hash" not in text and "token_hash" not in text and "entry_hash" not in text
    assert "case_notes" not in tables["mentee_profiles"][0]
    assert "Struggles with housing" not in text


async def test_the_owning_admin_exports_the_file_with_case_notes(
    graphql: GraphQL, sessions, world: World
) -> None:
    await history(sessions, world)
    admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    exported = (await graphql.execute(EXPORT, {"m": str(world.mentee_ids["client"])}, token=admin))[
        "personalData"
    ]
    assert exported["tables"]["mentee_profiles"][0]["case_notes"] == "Struggles with housing"
    assert exported["tables"]["outcomes"][0]["status"] == "employed_in_field"


async def test_no_one_else_may_export(graphql: GraphQL, sessions, world: World) -> None:
    await history(sessions, world)
    newcomer_user = world.actors["mentor"].user_id  # any account outside the caller's reach
    for caller, variables in [
        ("other_coordinator", {"m": str(world.mentee_ids["client"])}),
        ("hub_admin", {"m": str(world.mentee_ids["client"])}),  # the program's org, not the owner
        ("mentor", {"m": str(world.mentee_ids["client"])}),  # their mentee, still not theirs to export
        ("agency_admin", {"u": str(newcomer_user)}),  # not a member of the agency
    ]:
        token = await graphql.sign_in(world.emails[caller], PASSWORD)
        with pytest.raises(GraphQLError) as refused:
            await graphql.execute(EXPORT, variables, token=token)
        assert refused.value.code == "NOT_FOUND", caller
    # The agency's coordinator sees the file, but exporting it is the admin's to do.
    coordinator = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(EXPORT, {"m": str(world.mentee_ids["client"])}, token=coordinator)
    assert refused.value.code == "FORBIDDEN"
    admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    for variables in ({}, {"m": str(world.mentee_ids["client"]), "u": str(newcomer_user)}):
        with pytest.raises(GraphQLError) as refused:
            await graphql.execute(EXPORT, variables, token=admin)
        assert refused.value.code == "ONE_PERSON_REQUIRED"


async def test_anonymizing_a_newcomer_keeps_the_statistics_and_nothing_that_identifies_them(
    graphql: GraphQL, sessions, world: World
) -> None:
    await history(sessions, world)
    before = await statistics(sessions)
    admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    done = await graphql.execute(ANONYMIZE, {"m": str(world.mentee_ids["client"])}, token=admin)
    assert done["anonymizePerson"] == {"menteeFiles": 1, "accounts": 1, "mentorProfiles": 0}
    assert await statistics(sessions) == before

    async with sessions() as session:
        mentee = await session.get_one(MenteeProfile, world.mentee_ids["client"])
        assert (mentee.first_name, mentee.last_name, mentee.email, mentee.case_notes, mentee.career_goal) == (
            "—",
            "",
            None,
            "",
            "",
        )
        assert mentee.anonymized_at is not None
        assert [m.notes for m in await session.scalars(sa.select(Meeting))] == [""]
        assert [o.note for o in await session.scalars(sa.select(Outcome))] == [""]
        user = await session.scalar(sa.select(User).where(User.id == mentee.user_id))
        assert user is not None and not user.is_active and user.password_hash is None
    exported = (await graphql.execute(EXPORT, {"m": str(world.mentee_ids["client"])}, token=admin))[
        "personalData"
    ]
    assert "Amina" not in json.dumps(exported) and "Shopify" not in json.dumps(exported)
    # The person can no longer sign in, and the file can no longer be referred.
    with pytest.raises(GraphQLError) as refused:
        await graphql.sign_in("amina@example.org", PASSWORD)
    assert refused.value.code == "INVALID_CREDENTIALS"
    coordinator = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    await assert_refused(
        graphql,
        sessions,
        """mutation($m: UUID!, $p: UUID!) {
          submitReferral(input: {menteeId: $m, programId: $p, consent: true}) { id } }""",
        {"m": str(world.mentee_ids["client"]), "p": str(world.program_id)},
        code="PERSON_ANONYMIZED",
        token=coordinator,
    )
    await assert_refused(
        graphql,
        sessions,
        ANONYMIZE,
        {"m": str(world.mentee_ids["client"])},
        code="ALREADY_ANONYMIZED",
        token=admin,
    )


async def test_anonymizing_a_mentor_takes_them_out_of_the_pool(
    graphql: GraphQL, sessions, world: World
) -> None:
    employer_admin_email = "boss@employer.test"
    await graphql_member(sessions, world, employer_admin_email)
    admin = await graphql.sign_in(employer_admin_email, PASSWORD)
    done = await graphql.execute(ANONYMIZE, {"u": str(world.actors["mentor_two"].user_id)}, token=admin)
    assert done["anonymizePerson"] == {"menteeFiles": 0, "accounts": 1, "mentorProfiles": 1}
    async with sessions() as session:
        mentor = await session.get_one(MentorProfile, world.mentor_ids["mentor_two"])
        assert not mentor.is_active and mentor.job_title == ""
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    listed = await graphql.execute("{ mentors { items { id } } }", token=hub)
    assert {"id": str(world.mentor_ids["mentor_two"])} not in listed["mentors"]["items"]


async def test_only_an_admin_of_the_persons_organization_anonymizes(
    graphql: GraphQL, sessions, world: World
) -> None:
    await history(sessions, world)
    for caller, code in [("agency_coordinator", "FORBIDDEN"), ("hub_admin", "NOT_FOUND")]:
        token = await graphql.sign_in(world.emails[caller], PASSWORD)
        await assert_refused(
            graphql, sessions, ANONYMIZE, {"m": str(world.mentee_ids["client"])}, code=code, token=token
        )


async def graphql_member(sessions: async_sessionmaker[AsyncSession], world: World, email: str) -> None:
    """An admin for the employer, where the mentors belong."""
    from core.models import Membership, Role
    from core.services import accounts

    async with sessions() as session, session.begin():
        user = await accounts.create_user(session, email, "Employer Admin", PASSWORD)
        session.add(
            Membership(user_id=user.id, organization_id=world.organizations["employer"], role=Role.ORG_ADMIN)
        )
