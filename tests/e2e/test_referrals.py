"""Referral decisions: returned with the reasons the agency needs, or admitted."""

import pytest

from core.services import mentees
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, eligible_client

REFER = "mutation($input: ReferralInput!) { submitReferral(input: $input) { id } }"
RETURN = """mutation($id: UUID!, $reasons: [String!]) {
  returnReferral(id: $id, reasons: $reasons) { status returnReasons } }"""
OUTGOING = "{ referrals(direction: OUTGOING) { items { status returnReasons mentee { firstName } } } }"


async def refer_ineligible_client(graphql: GraphQL, sessions, world: World) -> tuple[str, str]:
    async with sessions() as session, session.begin():
        client = await mentees.register_mentee(
            session,
            world.actors["agency_coordinator"],
            eligible_client(job_search_workshop=False, country_of_training="CA"),
        )
    agency = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    variables = {"input": {"menteeId": str(client.id), "programId": str(world.program_id), "consent": True}}
    return (await graphql.execute(REFER, variables, token=agency))["submitReferral"]["id"], agency


async def test_a_returned_referral_tells_the_agency_what_to_prepare_in_its_language(
    graphql: GraphQL, sessions, world: World
) -> None:
    referral_id, agency = await refer_ineligible_client(graphql, sessions, world)
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(
            "mutation($id: UUID!) { admitReferral(id: $id) { status } }", {"id": referral_id}, token=hub
        )
    assert refused.value.code == "NOT_ELIGIBLE"
    assert "open.job_search_workshop" in refused.value.message

    returned = await graphql.execute(
        RETURN, {"id": referral_id, "reasons": ["Résumé needs a Canadian format"]}, token=hub
    )
    assert returned["returnReferral"]["status"] == "RETURNED"

    english = (await graphql.execute(OUTGOING, token=agency, language="en"))["referrals"]["items"][0]
    french = (await graphql.execute(OUTGOING, token=agency, language="fr"))["referrals"]["items"][0]
    assert english["returnReasons"] == [
        "Education or professional training completed outside Canada",
        "Attended a job-search workshop or equivalent",
        "Résumé needs a Canadian format",
    ]
    assert french["returnReasons"][:2] == [
        "Avoir obtenu son diplôme ou sa formation professionnelle à l'étranger",
        "Avoir suivi un atelier de recherche d'emploi ou l'équivalent",
    ]
    # Returned: the agency still owns and sees its client; the program no longer does.
    assert english["mentee"] == {"firstName": "Amina"}
    incoming = await graphql.execute(
        "{ referrals(direction: INCOMING) { items { status mentee { firstName } } } }", token=hub
    )
    assert incoming["referrals"]["items"] == [{"status": "RETURNED", "mentee": None}]


async def test_admitting_despite_a_failed_criterion_is_a_noted_staff_decision(
    graphql: GraphQL, sessions, world: World
) -> None:
    referral_id, _ = await refer_ineligible_client(graphql, sessions, world)
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    admit = """mutation($id: UUID!, $note: String!) {
      admitReferral(id: $id, note: $note, overrideIneligibility: true) { status decisionNote } }"""
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(admit, {"id": referral_id, "note": ""}, token=hub)
    assert (refused.value.code, refused.value.errors[0]["extensions"]["field"]) == ("REQUIRED", "note")
    note = "Equivalent workshop at the college"
    admitted = await graphql.execute(admit, {"id": referral_id, "note": note}, token=hub)
    assert admitted["admitReferral"] == {"status": "ADMITTED", "decisionNote": note}


async def test_a_return_without_any_reason_is_refused(graphql: GraphQL, sessions, world: World) -> None:
    agency = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    variables = {
        "input": {
            "menteeId": str(world.mentee_ids["client"]),
            "programId": str(world.program_id),
            "consent": True,
        }
    }
    referral_id = (await graphql.execute(REFER, variables, token=agency))["submitReferral"]["id"]
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(RETURN, {"id": referral_id, "reasons": ["  "]}, token=hub)
    assert refused.value.code == "REQUIRED"
