"""Consent per purpose: recorded with the referral, listed, revoked by the newcomer or
the agency that owns the file, and obeyed at once by every view of the other
organization."""

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import Consent, ConsentPurpose, Referral, ReferralStatus
from core.services import waiting
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, admitted_referral, proposal

MENTEE = "query($id: UUID!) { mentee(id: $id) { firstName accessGrounds } }"
CLIENTS = "{ clients { items { id } } }"
WAITING = "query($p: UUID!) { waitingList(programId: $p) { referral { id } } }"
CONSENTS = "query($m: UUID!) { consents(menteeId: $m) { id purpose live revokedAt organization { slug } } }"
REVOKE = "mutation($id: UUID!) { revokeConsent(consentId: $id) { live revokedAt } }"
GRANT = """mutation($input: GrantConsentInput!) {
  grantConsent(input: $input) { id purpose live organization { slug } }
}"""
PROPOSE = "mutation($r: UUID!, $m: UUID!) { proposeMatch(referralId: $r, mentorId: $m) { id } }"


async def consent_id(graphql: GraphQL, token: str, mentee_id: uuid.UUID, purpose: str) -> str:
    listed = (await graphql.execute(CONSENTS, {"m": str(mentee_id)}, token=token))["consents"]
    return next(row["id"] for row in listed if row["purpose"] == purpose and row["live"])


async def test_a_referral_records_both_consents_to_the_program_organization(
    graphql: GraphQL, sessions, world: World
) -> None:
    await admitted_referral(sessions, world)
    newcomer = await graphql.sign_in(world.emails["client"], PASSWORD)
    listed = (await graphql.execute(CONSENTS, {"m": str(world.mentee_ids["client"])}, token=newcomer))[
        "consents"
    ]
    assert sorted((row["purpose"], row["organization"]["slug"], row["live"]) for row in listed) == [
        ("MENTOR_PROPOSAL", "hub", True),
        ("REFERRAL", "hub", True),
    ]


async def test_revoking_referral_consent_removes_the_newcomer_from_the_other_organization_at_once(
    graphql: GraphQL, sessions, world: World
) -> None:
    referral_id = await admitted_referral(sessions, world)
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    client = str(world.mentee_ids["client"])
    program = {"p": str(world.program_id)}
    assert (await graphql.execute(MENTEE, {"id": client}, token=hub))["mentee"]["accessGrounds"] == "REFERRAL"
    assert {"id": client} in (await graphql.execute(CLIENTS, token=hub))["clients"]["items"]
    assert (await graphql.execute(WAITING, program, token=hub))["waitingList"] == [
        {"referral": {"id": str(referral_id)}}
    ]

    newcomer = await graphql.sign_in(world.emails["client"], PASSWORD)
    revoked = await graphql.execute(
        REVOKE,
        {"id": await consent_id(graphql, newcomer, world.mentee_ids["client"], "REFERRAL")},
        token=newcomer,
    )
    assert revoked["revokeConsent"]["live"] is False

    # The very next requests: no file, no list entry, no waiting-list place.
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(MENTEE, {"id": client}, token=hub)
    assert refused.value.code == "NOT_FOUND"
    assert {"id": client} not in (await graphql.execute(CLIENTS, token=hub))["clients"]["items"]
    assert (await graphql.execute(WAITING, program, token=hub))["waitingList"] == []
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(
            "query($r: UUID!) { suggestions(referralId: $r) { items { score } } }",
            {"r": str(referral_id)},
            token=hub,
        )
    assert refused.value.code == "MENTEE_NOT_ADMITTED"
    async with sessions() as session:
        referral = await session.get_one(Referral, referral_id)
        assert referral.status == ReferralStatus.WITHDRAWN
    # The agency still reads its own client's file.
    owner = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    assert (await graphql.execute(MENTEE, {"id": client}, token=owner))["mentee"]["accessGrounds"] == "OWNER"


async def test_revoking_the_proposal_consent_ends_the_mentors_view_and_further_proposals(
    graphql: GraphQL, sessions, world: World
) -> None:
    referral_id = await admitted_referral(sessions, world)
    proposal_id = await proposal(sessions, world, referral_id)
    mentor = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    client = {"id": str(world.mentee_ids["client"])}
    assert (await graphql.execute(MENTEE, client, token=mentor))["mentee"]["accessGrounds"] == "PROPOSAL"

    owner = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    await graphql.execute(
        REVOKE,
        {"id": await consent_id(graphql, owner, world.mentee_ids["client"], "MENTOR_PROPOSAL")},
        token=owner,
    )
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(MENTEE, client, token=mentor)
    assert refused.value.code == "NOT_FOUND"
    proposals = await graphql.execute(
        "{ proposals { items { id status } } }",
        token=await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD),
    )
    assert {"id": str(proposal_id), "status": "DECLINED"} in proposals["proposals"]["items"]

    # The program still holds the referral, but may not propose a mentor any more,
    # and cohort matching leaves the newcomer out.
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    await assert_refused(
        graphql,
        sessions,
        PROPOSE,
        {"r": str(referral_id), "m": str(world.mentor_ids["mentor_two"])},
        code="NO_PROPOSAL_CONSENT",
        token=hub,
    )
    async with sessions() as session:
        assert world.program_id is not None
        assert await waiting.unproposed_referrals(session, world.program_id) == []

    # Given again, proposals are possible again.
    await graphql.execute(
        GRANT,
        {
            "input": {
                "menteeId": client["id"],
                "purpose": "MENTOR_PROPOSAL",
                "organizationId": str(world.organizations["hub"]),
            }
        },
        token=owner,
    )
    await graphql.execute(
        PROPOSE, {"r": str(referral_id), "m": str(world.mentor_ids["mentor_two"])}, token=hub
    )


async def test_only_the_newcomer_and_the_owning_agency_manage_consent(
    graphql: GraphQL, sessions, world: World
) -> None:
    await admitted_referral(sessions, world)
    owner = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    referral_consent = await consent_id(graphql, owner, world.mentee_ids["client"], "REFERRAL")
    client = {"m": str(world.mentee_ids["client"])}
    for outsider in ("hub_coordinator", "other_coordinator", "mentor"):
        token = await graphql.sign_in(world.emails[outsider], PASSWORD)
        for query, variables in ((CONSENTS, client), (REVOKE, {"id": referral_consent})):
            with pytest.raises(GraphQLError) as refused:
                await graphql.execute(query, variables, token=token)
            assert refused.value.code == "NOT_FOUND", outsider
        await assert_refused(
            graphql,
            sessions,
            GRANT,
            {"input": {"menteeId": client["m"], "purpose": "FEDERATION"}},
            code="NOT_FOUND",
            token=token,
        )


async def test_bad_consent_requests_are_refused_and_change_nothing(
    graphql: GraphQL, sessions, world: World
) -> None:
    await admitted_referral(sessions, world)
    owner = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    client = str(world.mentee_ids["client"])
    for variables, code in [
        ({"input": {"menteeId": client, "purpose": "REFERRAL"}}, "REQUIRED"),
        (
            {
                "input": {
                    "menteeId": client,
                    "purpose": "FEDERATION",
                    "organizationId": str(world.organizations["hub"]),
                }
            },
            "CONSENT_NOT_PER_ORGANIZATION",
        ),
        (
            {"input": {"menteeId": client, "purpose": "REFERRAL", "organizationId": str(uuid.uuid4())}},
            "NOT_FOUND",
        ),
        ({"input": {"menteeId": str(uuid.uuid4()), "purpose": "FEDERATION"}}, "NOT_FOUND"),
    ]:
        await assert_refused(graphql, sessions, GRANT, variables, code=code, token=owner)
    consent = await consent_id(graphql, owner, world.mentee_ids["client"], "REFERRAL")
    await graphql.execute(REVOKE, {"id": consent}, token=owner)
    await assert_refused(
        graphql, sessions, REVOKE, {"id": consent}, code="CONSENT_ALREADY_REVOKED", token=owner
    )


async def test_federation_consent_is_given_once_and_kept_as_history(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    newcomer = await graphql.sign_in(world.emails["client"], PASSWORD)
    grant = {"input": {"menteeId": str(world.mentee_ids["client"]), "purpose": "FEDERATION"}}
    first = (await graphql.execute(GRANT, grant, token=newcomer))["grantConsent"]
    # Giving a live consent again is the same consent.
    assert (await graphql.execute(GRANT, grant, token=newcomer))["grantConsent"]["id"] == first["id"]
    await graphql.execute(REVOKE, {"id": first["id"]}, token=newcomer)
    second = (await graphql.execute(GRANT, grant, token=newcomer))["grantConsent"]
    assert second["id"] != first["id"] and second["organization"] is None
    async with sessions() as session:
        rows = list(
            await session.scalars(
                select(Consent).where(
                    Consent.mentee_id == world.mentee_ids["client"],
                    Consent.purpose == ConsentPurpose.FEDERATION,
                )
            )
        )
    assert sorted(row.revoked_at is None for row in rows) == [False, True]
