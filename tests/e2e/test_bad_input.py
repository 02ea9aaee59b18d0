"""Every refused mutation answers with a stable code and a message in the caller's
language, and leaves the database exactly as it was."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import clock
from core.models import MentorshipStatus
from core.services import mentees, mentorships, proposals
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import (
    PASSWORD,
    World,
    active_mentorship,
    admitted_referral,
    eligible_client,
    proposal,
    table_contents,
)

REGISTER = "mutation($input: MenteeInput!) { registerMentee(input: $input) { id } }"
REFER = "mutation($input: ReferralInput!) { submitReferral(input: $input) { id } }"
ANSWER = "mutation($id: UUID!) { answerProposal(id: $id, accept: true) { status } }"
PROPOSE = "mutation($r: UUID!, $m: UUID!) { proposeMatch(referralId: $r, mentorId: $m) { id } }"
LOG = "mutation($input: MeetingInput!) { logMeeting(input: $input) { id } }"


def client_input(**overrides: Any) -> dict[str, Any]:
    return {
        "firstName": "Omar",
        "lastName": "Farouk",
        "immigrationStatus": "PERMANENT_RESIDENT",
        "countryOfTraining": "EG",
        "targetNoc": "21300",
        "languages": [{"language": "en", "clb": 7}],
        **overrides,
    }


async def assert_refused(
    graphql: GraphQL,
    sessions: async_sessionmaker[AsyncSession],
    query: str,
    variables: dict[str, Any],
    *,
    code: str,
    token: str,
    organization: str | None = None,
) -> None:
    """Refused in English and in French with the same code; nothing written."""
    before = await table_contents(sessions)
    messages = {}
    for language in ("en", "fr"):
        with pytest.raises(GraphQLError) as refused:
            await graphql.execute(query, variables, token=token, organization=organization, language=language)
        assert refused.value.code == code
        messages[language] = refused.value.message
    assert messages["en"] != messages["fr"], "the message must be translated"
    assert not messages["en"].startswith("error."), "the message must come from the catalog"
    assert await table_contents(sessions) == before


async def test_unknown_noc_code(graphql: GraphQL, sessions, world: World) -> None:
    token = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    await assert_refused(
        graphql,
        sessions,
        REGISTER,
        {"input": client_input(targetNoc="99999")},
        code="UNKNOWN_NOC",
        token=token,
    )


@pytest.mark.parametrize("level", [0, 13, -2])
async def test_language_level_outside_1_to_12(graphql: GraphQL, sessions, world: World, level: int) -> None:
    token = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    variables = {"input": client_input(languages=[{"language": "fr", "clb": level}])}
    await assert_refused(graphql, sessions, REGISTER, variables, code="INVALID_CLB", token=token)


async def test_second_active_referral_to_the_same_program(graphql: GraphQL, sessions, world: World) -> None:
    await admitted_referral(sessions, world)
    token = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    variables = {
        "input": {
            "menteeId": str(world.mentee_ids["client"]),
            "programId": str(world.program_id),
            "consent": True,
        }
    }
    await assert_refused(graphql, sessions, REFER, variables, code="DUPLICATE_REFERRAL", token=token)


async def test_referral_without_consent(graphql: GraphQL, sessions, world: World) -> None:
    token = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    variables = {
        "input": {
            "menteeId": str(world.mentee_ids["client"]),
            "programId": str(world.program_id),
            "consent": False,
        }
    }
    await assert_refused(graphql, sessions, REFER, variables, code="CONSENT_REQUIRED", token=token)


async def test_answering_an_expired_proposal(graphql: GraphQL, sessions, world: World) -> None:
    referral_id = await admitted_referral(sessions, world)
    with clock.frozen_at(clock.now() - timedelta(days=30)):
        proposal_id = await proposal(sessions, world, referral_id)
    token = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    await assert_refused(
        graphql, sessions, ANSWER, {"id": str(proposal_id)}, code="PROPOSAL_EXPIRED", token=token
    )


async def test_answering_an_already_answered_proposal(graphql: GraphQL, sessions, world: World) -> None:
    proposal_id = await proposal(sessions, world, await admitted_referral(sessions, world))
    async with sessions() as session, session.begin():
        await proposals.answer_proposal(session, world.actors["mentor"], proposal_id, accept=False)
    for person in ("mentor", "client"):
        token = await graphql.sign_in(world.emails[person], PASSWORD)
        await assert_refused(
            graphql, sessions, ANSWER, {"id": str(proposal_id)}, code="PROPOSAL_ALREADY_ANSWERED", token=token
        )


async def test_logging_a_meeting_on_a_closed_mentorship(graphql: GraphQL, sessions, world: World) -> None:
    mentorship_id = await active_mentorship(sessions, world)
    async with sessions() as session, session.begin():
        await mentorships.close_mentorship(
            session, world.actors["hub_coordinator"], mentorship_id, status=MentorshipStatus.COMPLETED
        )
    token = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    meeting = {
        "mentorshipId": str(mentorship_id),
        "occurredOn": clock.now().date().isoformat(),
        "minutes": 60,
    }
    await assert_refused(
        graphql, sessions, LOG, {"input": {**meeting, "mode": "PHONE"}}, code="MENTORSHIP_CLOSED", token=token
    )


async def test_proposing_a_mentor_at_capacity(graphql: GraphQL, sessions, world: World) -> None:
    # The mentor (capacity 1) is taken by the client's mentorship; another newcomer
    # admitted to the program cannot be proposed to them.
    await active_mentorship(sessions, world)
    async with sessions() as session, session.begin():
        second = await mentees.register_mentee(
            session, world.actors["agency_coordinator"], eligible_client(first_name="Li")
        )
        world.mentee_ids["second"] = second.id
    referral_id = await admitted_referral(sessions, world, "second")
    token = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    variables = {"r": str(referral_id), "m": str(world.mentor_ids["mentor"])}
    await assert_refused(graphql, sessions, PROPOSE, variables, code="CAPACITY_FULL", token=token)


async def test_acting_in_an_organization_one_is_not_a_member_of(
    graphql: GraphQL, sessions, world: World
) -> None:
    token = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    await assert_refused(
        graphql,
        sessions,
        REGISTER,
        {"input": client_input()},
        code="NOT_MEMBER",
        token=token,
        organization="hub",
    )


async def test_signing_in_with_a_wrong_password(graphql: GraphQL, sessions, world: World) -> None:
    query = 'mutation($e: String!) { signIn(email: $e, password: "not the password") { token } }'
    before = await table_contents(sessions)
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(query, {"e": world.emails["mentor"]}, language="fr")
    assert (refused.value.code, refused.value.message) == (
        "INVALID_CREDENTIALS",
        "Le courriel ou le mot de passe est incorrect.",
    )
    assert await table_contents(sessions) == before


async def test_unexpected_failures_reveal_nothing(graphql: GraphQL, world: World, monkeypatch) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("connection string postgres://secret@db")

    monkeypatch.setattr("core.services.organizations.list_organizations", broken)
    with pytest.raises(GraphQLError) as failed:
        await graphql.execute("{ organizations { slug } }", language="fr")
    assert failed.value.code == "INTERNAL_ERROR"
    assert "secret" not in str(failed.value.errors)
    assert "rien n'a été modifié" in failed.value.message


@pytest.mark.parametrize(
    "details", [["not", "an", "object"], {"host program": "spaces are not keys"}, {"host_program": 42}]
)
async def test_referral_details_that_are_not_short_texts(
    graphql: GraphQL, sessions, world: World, details
) -> None:
    token = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    variables = {
        "input": {
            "menteeId": str(world.mentee_ids["client"]),
            "programId": str(world.program_id),
            "consent": True,
            "details": details,
        }
    }
    await assert_refused(graphql, sessions, REFER, variables, code="INVALID_INPUT", token=token)


async def test_a_peer_mentor_employed_since_a_future_date(graphql: GraphQL, sessions, world: World) -> None:
    token = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    tomorrow = (clock.now().date() + timedelta(days=1)).isoformat()
    profile = {"occupationNoc": "21231", "isPeer": True, "employedSince": tomorrow}
    query = "mutation($input: MentorProfileInput!) { saveMyMentorProfile(input: $input) { id } }"
    await assert_refused(graphql, sessions, query, {"input": profile}, code="DATE_IN_FUTURE", token=token)


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        ({"culturalBackgrounds": ["atlantis"]}, "UNKNOWN_CULTURAL_REGION"),
        ({"workStyle": {"structure": 7}}, "OUT_OF_RANGE"),
        ({"workStyle": {"feedback": 0}}, "OUT_OF_RANGE"),
    ],
)
async def test_declared_traits_outside_the_questionnaire(
    graphql: GraphQL, sessions, world: World, declared: dict[str, Any], code: str
) -> None:
    mentor = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    profile = {"occupationNoc": "21231", **declared}
    query = "mutation($input: MentorProfileInput!) { saveMyMentorProfile(input: $input) { id } }"
    await assert_refused(graphql, sessions, query, {"input": profile}, code=code, token=mentor)
    # The newcomer declares for themself, through the same checks.
    newcomer = await graphql.sign_in(world.emails["client"], PASSWORD)
    update = (
        "mutation($id: UUID!, $input: MenteeUpdateInput!) { updateMentee(id: $id, input: $input) { id } }"
    )
    variables = {"id": str(world.mentee_ids["client"]), "input": declared}
    await assert_refused(graphql, sessions, update, variables, code=code, token=newcomer)
