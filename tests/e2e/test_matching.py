"""Matching through /graphql: weights staff edit, suggestions explained on both sides,
hard constraints listed with their reasons, cohort runs as drafts, conflicts of
interest — with bad input refused and other organizations kept out."""

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.services import mentees
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, admitted_referral, eligible_client

SETTINGS = """
query($p: UUID!) { matchingSettings(programId: $p) {
  minimumScore requireServiceLanguage weights { criterion name weight share plugin } } }"""
UPDATE = """
mutation($p: UUID!, $input: MatchingSettingsInput!) { updateMatchingSettings(programId: $p, input: $input) {
  minimumScore requireServiceLanguage weights { criterion weight share } } }"""
SUGGEST = """
query($r: UUID!) { suggestions(referralId: $r, limit: 5) {
  items { rank score meetsMinimum mentor { id }
    criteria { criterion name weight score contribution explanation } }
  excluded { score mentor { id } exclusionCodes exclusionReasons } } }"""
MENTEES_FOR = """
query($p: UUID!, $m: UUID!) { menteeSuggestions(programId: $p, mentorId: $m) {
  items { rank score referral { id } criteria { criterion explanation } }
  excluded { referral { id } exclusionCodes } } }"""
SAVE_PROFILE = """
mutation($input: MentorProfileInput!) { saveMyMentorProfile(input: $input) { id languages } }"""
DECLARE = """
mutation($mentee: UUID!, $mentor: UUID!) {
  declareConflictOfInterest(menteeId: $mentee, mentorId: $mentor, kind: SUPERVISOR, note: "Her manager") {
    id kind mentor { id } } }"""
WITHDRAW = "mutation($id: UUID!) { withdrawConflictOfInterest(id: $id) }"
PROPOSE = "mutation($r: UUID!, $m: UUID!) { proposeMatch(referralId: $r, mentorId: $m) { id status } }"
RUN = """
mutation($p: UUID!, $mode: CohortMode!, $minimum: Float) {
  runCohortMatching(programId: $p, mode: $mode, minimumScore: $minimum) {
    id mode minimumScore waitingCount mentorCount matchedCount totalScore greedyMatchedCount greedyTotalScore
    drafts { id score status mentor { id } referral { id } criteria { criterion explanation } }
    unmatched { referral { id } reasonCode reason } } }"""
SEND = """
mutation($run: UUID!, $drafts: [UUID!]!) { sendCohortDrafts(runId: $run, draftIds: $drafts) {
  id status mentor { id } } }"""
DISCARD = """
mutation($run: UUID!, $drafts: [UUID!]!) { discardCohortDrafts(runId: $run, draftIds: $drafts) {
  drafts { id status } } }"""


def mentor_profile(**overrides: Any) -> dict[str, Any]:
    return {
        "occupationNoc": "21232",
        "jobTitle": "Senior engineer",
        "yearsLocalExperience": 8,
        "languages": ["en", "fr"],
        "city": "Ottawa",
        "capacity": 1,
        **overrides,
    }


async def sign_in(graphql: GraphQL, world: World, who: str) -> str:
    return await graphql.sign_in(world.emails[who], PASSWORD)


async def test_coordinators_weigh_the_criteria_and_the_suggestions_follow(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    referral = str(await admitted_referral(sessions, world))
    program = {"p": str(world.program_id)}
    settings = (await graphql.execute(SETTINGS, program, token=hub, language="fr"))["matchingSettings"]
    names = {weight["criterion"]: weight["name"] for weight in settings["weights"]}
    assert names["goal"] == "Objectif professionnel" and names["culture"] == "Origines culturelles"
    assert settings["requireServiceLanguage"] is True
    assert sum(weight["share"] for weight in settings["weights"]) == pytest.approx(1.0, abs=1e-3)

    first = (await graphql.execute(SUGGEST, {"r": referral}, token=hub))["suggestions"]["items"]
    assert first[0]["mentor"]["id"] == str(world.mentor_ids["mentor"])  # same unit group
    assert {criterion["criterion"] for criterion in first[0]["criteria"]} == {
        "occupation", "industry", "goal", "language", "geography", "availability", "capacity",
    }  # fmt: skip

    # mentor_two offers the client's evenings; staff now weigh availability only.
    two = await sign_in(graphql, world, "mentor_two")
    await graphql.execute(
        SAVE_PROFILE, {"input": mentor_profile(availability=["tue_evening", "sat_morning"])}, token=two
    )
    updated = await graphql.execute(
        UPDATE,
        {
            **program,
            "input": {
                "weights": [{"criterion": key, "weight": 0} for key in names if key != "availability"],
                "minimumScore": 0.9,
            },
        },
        token=hub,
    )
    shares = {weight["criterion"]: weight["share"] for weight in updated["updateMatchingSettings"]["weights"]}
    assert shares["availability"] == 1.0 and updated["updateMatchingSettings"]["minimumScore"] == 0.9
    after = (await graphql.execute(SUGGEST, {"r": referral}, token=hub, language="en"))["suggestions"][
        "items"
    ]
    assert after[0]["mentor"]["id"] == str(world.mentor_ids["mentor_two"])
    assert after[0]["meetsMinimum"] is True and after[1]["meetsMinimum"] is False
    assert after[0]["criteria"] == [
        {
            "criterion": "availability",
            "name": "Availability",
            "weight": 1.0,
            "score": 1.0,
            "contribution": 1.0,
            "explanation": "Both available: Tuesday evening and Saturday morning",
        }
    ]


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"weights": [{"criterion": "occupation", "weight": -1}]}, "NEGATIVE_WEIGHT"),
        ({"weights": [{"criterion": "charisma", "weight": 1}]}, "UNKNOWN_CRITERION"),
        (
            {"weights": [{"criterion": "goal", "weight": 1}, {"criterion": "goal", "weight": 2}]},
            "DUPLICATE_CRITERION",
        ),
        ({"weights": [{"criterion": "goal", "weight": 1000}]}, "OUT_OF_RANGE"),
        ({"minimumScore": 1.5}, "OUT_OF_RANGE"),
        ({"minimumScore": -0.1}, "OUT_OF_RANGE"),
    ],
)
async def test_bad_matching_settings_are_refused(
    graphql: GraphQL, sessions, world: World, given: dict[str, Any], code: str
) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    variables = {"p": str(world.program_id), "input": given}
    await assert_refused(graphql, sessions, UPDATE, variables, code=code, token=hub)


async def test_weights_cannot_all_be_zero(graphql: GraphQL, sessions, world: World) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    settings = (await graphql.execute(SETTINGS, {"p": str(world.program_id)}, token=hub))["matchingSettings"]
    zero = [{"criterion": weight["criterion"], "weight": 0} for weight in settings["weights"]]
    variables = {"p": str(world.program_id), "input": {"weights": zero}}
    await assert_refused(graphql, sessions, UPDATE, variables, code="WEIGHTS_ALL_ZERO", token=hub)


@pytest.mark.parametrize("who", ["other_coordinator", "agency_coordinator", "mentor"])
async def test_other_organizations_neither_read_nor_change_a_programs_matching(
    graphql: GraphQL, sessions, world: World, who: str
) -> None:
    token = await sign_in(graphql, world, who)
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(SETTINGS, {"p": str(world.program_id)}, token=token)
    assert refused.value.code == "NOT_FOUND"
    variables = {"p": str(world.program_id), "input": {"minimumScore": 0.1}}
    await assert_refused(graphql, sessions, UPDATE, variables, code="NOT_FOUND", token=token)
    referral = str(await admitted_referral(sessions, world))
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(SUGGEST, {"r": referral}, token=token)
    assert refused.value.code == "NOT_FOUND"


async def test_hard_constraints_list_the_mentors_they_rule_out_with_the_reasons(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    agency = await sign_in(graphql, world, "agency_coordinator")
    referral = str(await admitted_referral(sessions, world))
    client, mentor_two = str(world.mentee_ids["client"]), str(world.mentor_ids["mentor_two"])

    # The agency that holds the file records that mentor_two supervises the client.
    conflict = (await graphql.execute(DECLARE, {"mentee": client, "mentor": mentor_two}, token=agency))[
        "declareConflictOfInterest"
    ]
    assert conflict["kind"] == "SUPERVISOR"
    pair = {"mentee": client, "mentor": mentor_two}
    await assert_refused(graphql, sessions, DECLARE, pair, code="CONFLICT_ALREADY_DECLARED", token=agency)
    found = (await graphql.execute(SUGGEST, {"r": referral}, token=hub, language="fr"))["suggestions"]
    assert mentor_two not in {item["mentor"]["id"] for item in found["items"]}
    excluded = {item["mentor"]["id"]: item for item in found["excluded"]}
    assert excluded[mentor_two]["exclusionCodes"] == ["conflict_of_interest"]
    assert excluded[mentor_two]["exclusionReasons"][0].startswith("Conflit d'intérêts")
    # A mentor the program's organization may not see is not even listed as excluded.
    assert str(world.mentor_ids["mentor_private"]) not in excluded
    await assert_refused(
        graphql, sessions, PROPOSE, {"r": referral, "m": mentor_two}, code="CONFLICT_OF_INTEREST", token=hub
    )

    # Another organization cannot declare anything about this client.
    other = await sign_in(graphql, world, "other_coordinator")
    await assert_refused(
        graphql, sessions, DECLARE, {"mentee": client, "mentor": mentor_two}, code="NOT_FOUND", token=other
    )
    await assert_refused(graphql, sessions, WITHDRAW, {"id": conflict["id"]}, code="NOT_FOUND", token=other)
    assert (await graphql.execute(WITHDRAW, {"id": conflict["id"]}, token=agency))[
        "withdrawConflictOfInterest"
    ]
    found = (await graphql.execute(SUGGEST, {"r": referral}, token=hub))["suggestions"]
    assert mentor_two in {item["mentor"]["id"] for item in found["items"]}


async def test_the_service_language_is_required_unless_the_program_relaxes_it(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    referral = str(await admitted_referral(sessions, world))  # the client is served in French
    two = await sign_in(graphql, world, "mentor_two")
    await graphql.execute(SAVE_PROFILE, {"input": mentor_profile(languages=["en"])}, token=two)
    mentor_two = str(world.mentor_ids["mentor_two"])

    found = (await graphql.execute(SUGGEST, {"r": referral}, token=hub))["suggestions"]
    excluded = {item["mentor"]["id"]: item["exclusionCodes"] for item in found["excluded"]}
    assert excluded[mentor_two] == ["service_language"]
    await assert_refused(
        graphql,
        sessions,
        PROPOSE,
        {"r": referral, "m": mentor_two},
        code="SERVICE_LANGUAGE_NOT_SPOKEN",
        token=hub,
    )

    relaxed = {"p": str(world.program_id), "input": {"requireServiceLanguage": False}}
    await graphql.execute(UPDATE, relaxed, token=hub)
    found = (await graphql.execute(SUGGEST, {"r": referral}, token=hub))["suggestions"]
    assert mentor_two in {item["mentor"]["id"] for item in found["items"]}
    assert (await graphql.execute(PROPOSE, {"r": referral, "m": mentor_two}, token=hub))["proposeMatch"]["id"]


async def clients_waiting(sessions: async_sessionmaker[AsyncSession], world: World, count: int) -> list[str]:
    """``count`` more clients of the agency, referred and admitted (plus the world's)."""
    async with sessions() as session, session.begin():
        for index in range(count):
            registered = await mentees.register_mentee(
                session, world.actors["agency_coordinator"], eligible_client(first_name=f"Client{index}")
            )
            world.mentee_ids[f"waiting{index}"] = registered.id
    referrals = [str(await admitted_referral(sessions, world))]
    for index in range(count):
        referrals.append(str(await admitted_referral(sessions, world, f"waiting{index}")))
    return referrals


async def test_a_cohort_run_drafts_an_optimal_assignment_that_staff_send_or_discard(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    waiting = await clients_waiting(sessions, world, 3)
    variables = {"p": str(world.program_id), "mode": "MOST_MATCHED", "minimum": 0.2}
    run = (await graphql.execute(RUN, variables, token=hub, language="fr"))["runCohortMatching"]
    # Two mentors with one place each can be seen by the hub: two pairs, two left over.
    assert run["waitingCount"] == 4 and run["mentorCount"] == 2
    assert run["matchedCount"] == 2 == len(run["drafts"])
    assert run["matchedCount"] >= run["greedyMatchedCount"]
    assert run["totalScore"] == pytest.approx(sum(draft["score"] for draft in run["drafts"]), abs=1e-3)
    assert len({draft["mentor"]["id"] for draft in run["drafts"]}) == 2
    assert {draft["referral"]["id"] for draft in run["drafts"]} <= set(waiting)
    assert all(draft["score"] >= 0.2 and draft["criteria"] for draft in run["drafts"])
    assert {entry["reasonCode"] for entry in run["unmatched"]} == {"no_capacity"}
    assert run["unmatched"][0]["reason"].startswith("Les mentors qui convenaient")

    first, second = (draft["id"] for draft in run["drafts"])
    sent = (await graphql.execute(SEND, {"run": run["id"], "drafts": [first]}, token=hub))["sendCohortDrafts"]
    assert sent[0]["status"] == "PENDING"
    await assert_refused(
        graphql,
        sessions,
        SEND,
        {"run": run["id"], "drafts": [first]},
        code="DRAFT_ALREADY_DECIDED",
        token=hub,
    )
    discarded = (await graphql.execute(DISCARD, {"run": run["id"], "drafts": [second]}, token=hub))[
        "discardCohortDrafts"
    ]
    assert {draft["id"]: draft["status"] for draft in discarded["drafts"]} == {
        first: "SENT",
        second: "DISCARDED",
    }

    # The sent proposal holds its mentor's only place; the next run says so.
    again = (await graphql.execute(RUN, variables, token=hub))["runCohortMatching"]
    assert again["waitingCount"] == 3 and again["mentorCount"] == 1 and again["matchedCount"] == 1


async def test_a_stale_draft_is_refused_and_nothing_is_sent(graphql: GraphQL, sessions, world: World) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    await clients_waiting(sessions, world, 2)
    variables = {"p": str(world.program_id), "mode": "BEST_TOTAL", "minimum": 0.0}
    run = (await graphql.execute(RUN, variables, token=hub))["runCohortMatching"]
    drafts = run["drafts"]
    # Meanwhile a coordinator proposes one draft's mentor by hand to someone left out.
    taken = drafts[0]["mentor"]["id"]
    left_out = next(entry["referral"]["id"] for entry in run["unmatched"])
    await graphql.execute(PROPOSE, {"r": left_out, "m": taken}, token=hub)
    await assert_refused(
        graphql,
        sessions,
        SEND,
        {"run": run["id"], "drafts": [draft["id"] for draft in drafts]},
        code="CAPACITY_FULL",
        token=hub,
    )


async def test_cohort_runs_refuse_bad_input_and_other_organizations(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    nobody_waiting = {"p": str(world.program_id), "mode": "BEST_TOTAL"}
    await assert_refused(graphql, sessions, RUN, nobody_waiting, code="EMPTY_WAITING_LIST", token=hub)
    await admitted_referral(sessions, world)
    await assert_refused(
        graphql, sessions, RUN, {**nobody_waiting, "minimum": 2.0}, code="OUT_OF_RANGE", token=hub
    )
    other = await sign_in(graphql, world, "other_coordinator")
    await assert_refused(graphql, sessions, RUN, nobody_waiting, code="NOT_FOUND", token=other)
    run = (await graphql.execute(RUN, nobody_waiting, token=hub))["runCohortMatching"]
    draft = run["drafts"][0]["id"]
    await assert_refused(
        graphql, sessions, SEND, {"run": run["id"], "drafts": [draft]}, code="NOT_FOUND", token=other
    )
    await assert_refused(
        graphql, sessions, SEND, {"run": run["id"], "drafts": []}, code="REQUIRED", token=hub
    )
    await assert_refused(
        graphql,
        sessions,
        SEND,
        {"run": run["id"], "drafts": [str(uuid.uuid4())]},
        code="NOT_FOUND",
        token=hub,
    )
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(
            "query($id: UUID!) { cohortRun(id: $id) { id } }", {"id": run["id"]}, token=other
        )
    assert refused.value.code == "NOT_FOUND"


async def test_the_best_newcomers_for_a_mentor(graphql: GraphQL, sessions, world: World) -> None:
    hub = await sign_in(graphql, world, "hub_coordinator")
    async with sessions() as session, session.begin():
        nurse = await mentees.register_mentee(
            session,
            world.actors["agency_coordinator"],
            eligible_client(first_name="Ines", target_noc="31301"),
        )
        world.mentee_ids["nurse"] = nurse.id
    engineer_referral = str(await admitted_referral(sessions, world))
    nurse_referral = str(await admitted_referral(sessions, world, "nurse"))
    variables = {"p": str(world.program_id), "m": str(world.mentor_ids["mentor"])}
    found = (await graphql.execute(MENTEES_FOR, variables, token=hub))["menteeSuggestions"]
    assert [item["referral"]["id"] for item in found["items"]] == [engineer_referral, nurse_referral]
    assert [item["rank"] for item in found["items"]] == [1, 2]
    # A mentor the hub may not see is "not found", as is a program of another organization.
    hidden = {**variables, "m": str(world.mentor_ids["mentor_private"])}
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(MENTEES_FOR, hidden, token=hub)
    assert refused.value.code == "NOT_FOUND"
