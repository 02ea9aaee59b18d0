"""The integrated, internal, employer-sponsored and peer program types, each walked as
the seed describes it, and the test-only third-party type end to end."""

import importlib.metadata
import uuid
from datetime import timedelta

import pytest

from core import clock
from core.access import Actor
from core.errors import DomainError
from core.models import Language, Membership, MentorProfile, Role
from core.plugins import DEFAULT_PLUGINS, get_plugin_host
from core.services import accounts, mentees, mentorships, organizations, programs, proposals, referrals
from core.services.waiting import waiting_list
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL
from tests.world import PASSWORD, World, active_mentorship, eligible_client, proposal

REFER = """mutation($input: ReferralInput!) {
  submitReferral(input: $input) { id details eligibility { rule passed } } }"""
PROPOSE = "mutation($r: UUID!, $m: UUID!) { proposeMatch(referralId: $r, mentorId: $m) { id } }"


async def program_of(
    sessions, world: World, organization: str, type_key: str, **settings: object
) -> uuid.UUID:
    """Enable the type for the organization (through its admin) and create a program."""
    async with sessions() as session, session.begin():
        admin = world.actors.get(f"{organization}_admin")
        if admin is None:
            user = await accounts.create_user(session, f"admin@{organization}.test", "Admin", PASSWORD)
            organization_id = world.organizations[organization]
            session.add(Membership(user_id=user.id, organization_id=organization_id, role=Role.ORG_ADMIN))
            admin = world.actors[f"{organization}_admin"] = Actor(
                user_id=user.id,
                display_name="Admin",
                language=Language.EN,
                organization_id=organization_id,
                roles=frozenset({Role.ORG_ADMIN}),
                memberships={organization_id: frozenset({Role.ORG_ADMIN})},
            )
            await session.flush()
        await organizations.set_plugin_enabled(session, admin, type_key, True)
        data = programs.ProgramData(
            program_type=type_key, name_en=type_key, name_fr=type_key, settings=dict(settings)
        )
        return (await programs.create_program(session, admin, data)).id


async def refer(
    sessions, world: World, program_id: uuid.UUID, mentee: str = "client", **details: str
) -> uuid.UUID:
    async with sessions() as session, session.begin():
        referral = await referrals.submit_referral(
            session,
            world.actors["agency_coordinator"],
            world.mentee_ids[mentee],
            program_id,
            consent=True,
            details=details or None,
        )
        return referral.id


async def test_integrated_programs_admit_only_participants_of_a_host_program(sessions, world: World) -> None:
    program_id = await program_of(sessions, world, "hub", "integrated")
    without = await refer(sessions, world, program_id)
    async with sessions() as session:
        with pytest.raises(DomainError) as refused:
            await referrals.admit_referral(session, world.actors["hub_admin"], without)
    assert refused.value.code == "NOT_ELIGIBLE"
    async with sessions() as session, session.begin():
        await referrals.withdraw_referral(session, world.actors["agency_coordinator"], without)
    enrolled = await refer(sessions, world, program_id, host_program="Bridging to Software Engineering")
    async with sessions() as session, session.begin():
        admitted = await referrals.admit_referral(session, world.actors["hub_admin"], enrolled)
    assert admitted.details == {"host_program": "Bridging to Software Engineering"}
    assert [record["rule"] for record in admitted.eligibility] == ["integrated.enrolled"]


async def test_internal_programs_keep_mentors_and_mentees_inside_the_organization(
    graphql: GraphQL, sessions, world: World
) -> None:
    program_id = await program_of(sessions, world, "agency", "internal")
    # The agency's own client (a member through its file) is eligible; the mentors all
    # work for the employer, another organization.
    referral_id = await refer(sessions, world, program_id)
    async with sessions() as session, session.begin():
        await referrals.admit_referral(session, world.actors["agency_admin"], referral_id)
    token = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    variables = {"r": str(referral_id), "m": str(world.mentor_ids["mentor"])}
    await assert_refused(graphql, sessions, PROPOSE, variables, code="OUTSIDE_ORGANIZATION", token=token)


async def test_employer_sponsored_programs_are_run_by_employers_with_workplace_activities(
    graphql: GraphQL, sessions, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        await program_of(sessions, world, "hub", "employer_sponsored")
    assert refused.value.code == "PROGRAM_TYPE_NOT_FOR_ORGANIZATION"
    program_id = await program_of(sessions, world, "employer", "employer_sponsored")
    referral_id = await refer(sessions, world, program_id)  # an agency refers its client
    async with sessions() as session, session.begin():
        employer_admin = world.actors["employer_admin"]
        await referrals.admit_referral(session, employer_admin, referral_id)
        made = await proposals.propose_match(session, employer_admin, referral_id, world.mentor_ids["mentor"])
        await proposals.answer_proposal(session, world.actors["mentor"], made.id, accept=True)
        await proposals.answer_proposal(session, world.actors["agency_coordinator"], made.id, accept=True)
    token = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    mentorship_id = (await graphql.execute("{ mentorships { items { id } } }", token=token))["mentorships"][
        "items"
    ][0]["id"]
    kinds = await graphql.execute(
        '{ activityKinds(programType: "employer_sponsored") { key name } }', language="fr"
    )
    assert {"key": "job_shadowing", "name": "Observation au poste de travail"} in kinds["activityKinds"]
    log = "mutation($input: MeetingInput!) { logMeeting(input: $input) { activity minutes } }"
    today = clock.now().date().isoformat()
    shadowing = {"mentorshipId": mentorship_id, "occurredOn": today, "minutes": 180, "mode": "IN_PERSON"}
    logged = await graphql.execute(log, {"input": {**shadowing, "activity": "job_shadowing"}}, token=token)
    assert logged["logMeeting"] == {"activity": "job_shadowing", "minutes": 180}
    await assert_refused(
        graphql,
        sessions,
        log,
        {"input": {**shadowing, "activity": "golf"}},
        code="UNKNOWN_ACTIVITY",
        token=token,
    )


async def test_workplace_activities_belong_to_employer_sponsored_programs_only(
    graphql: GraphQL, sessions, world: World
) -> None:
    mentorship_id = await active_mentorship(sessions, world)
    async with sessions() as session:
        with pytest.raises(DomainError) as refused:
            await mentorships.log_meeting(
                session,
                world.actors["mentor"],
                mentorship_id,
                occurred_on=clock.now().date(),
                minutes=60,
                mode="in_person",  # type: ignore[arg-type]
                activity="job_shadowing",
            )
    assert refused.value.code == "UNKNOWN_ACTIVITY"


async def test_peer_mentors_are_newcomers_employed_long_enough(sessions, world: World) -> None:
    program_id = await program_of(sessions, world, "hub", "peer", minimum_months_employed=6)
    referral_id = await refer(sessions, world, program_id)
    async with sessions() as session, session.begin():
        await referrals.admit_referral(session, world.actors["hub_admin"], referral_id)
    for is_peer, months, expected in [(False, 24, "MENTOR_NOT_ELIGIBLE"), (True, 3, "MENTOR_NOT_ELIGIBLE")]:
        async with sessions() as session, session.begin():
            mentor = await session.get_one(MentorProfile, world.mentor_ids["mentor"])
            mentor.is_peer = is_peer
            mentor.employed_since = clock.now().date() - timedelta(days=31 * months)
        with pytest.raises(DomainError) as refused:
            await proposal(sessions, world, referral_id, mentor="mentor")
        assert refused.value.code == expected
    async with sessions() as session, session.begin():
        mentor = await session.get_one(MentorProfile, world.mentor_ids["mentor"])
        mentor.employed_since = clock.now().date() - timedelta(days=31 * 8)
    assert await proposal(sessions, world, referral_id, mentor="mentor")


async def test_the_waiting_list_keeps_the_order_of_admission(
    graphql: GraphQL, sessions, world: World
) -> None:
    async with sessions() as session, session.begin():
        for name in ("Early", "Late"):
            profile = await mentees.register_mentee(
                session, world.actors["agency_coordinator"], eligible_client(first_name=name)
            )
            world.mentee_ids[name] = profile.id
    for name, days_ago in (("Early", 40), ("Late", 3)):
        with clock.frozen_at(clock.now() - timedelta(days=days_ago)):
            referral_id = await refer(sessions, world, world.program_id, mentee=name)
            async with sessions() as session, session.begin():
                await referrals.admit_referral(session, world.actors["hub_coordinator"], referral_id)
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    query = (
        "query($p: UUID!) { waitingList(programId: $p) { daysWaiting referral { mentee { firstName } } } }"
    )
    listed = (await graphql.execute(query, {"p": str(world.program_id)}, token=hub))["waitingList"]
    assert [(e["referral"]["mentee"]["firstName"], e["daysWaiting"]) for e in listed] == [
        ("Early", 40),
        ("Late", 3),
    ]
    agency = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    with pytest.raises(AssertionError):
        await graphql.execute(query, {"p": str(world.program_id)}, token=agency)
    async with sessions() as session:
        assert len(await waiting_list(session, world.actors["hub_coordinator"], world.program_id)) == 2


async def test_a_third_party_program_type_runs_a_referral_without_any_change_to_core(
    graphql: GraphQL, sessions, world: World
) -> None:
    """tests/plugins/reverse_mentoring is pip-installed into the test run and found
    through the `tremplin` entry points: its type, rule field, computed criterion,
    matching criterion, translations and lifecycle hook all take part."""
    entry_points = {entry.name: entry.value for entry in importlib.metadata.entry_points(group="tremplin")}
    assert entry_points["reverse"] == "tremplin_reverse_mentoring" and "reverse" not in DEFAULT_PLUGINS
    admin = await graphql.sign_in(world.emails["hub_admin"], PASSWORD)
    await graphql.execute(
        'mutation { setPluginEnabled(name: "reverse", enabled: true) { name } }', token=admin
    )
    program = await graphql.execute(
        """mutation { createProgram(input: {programType: "reverse", nameEn: "Reverse", nameFr: "Inversé"}) {
             id } }""",
        token=admin,
    )
    agency = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    input_ = {
        "menteeId": str(world.mentee_ids["client"]),
        "programId": program["createProgram"]["id"],
        "consent": True,
    }
    referral = (await graphql.execute(REFER, {"input": input_}, token=agency, language="fr"))[
        "submitReferral"
    ]
    assert referral["details"] == {"welcome_pack": "sent"}
    assert referral["eligibility"] == [
        {"rule": "reverse.multilingual", "passed": True},
        {"rule": "reverse.has_goal", "passed": True},
    ]
    checked = await graphql.execute(
        "query($id: UUID!) { eligibility(referralId: $id) { passed rulesVersion checks { message } } }",
        {"id": referral["id"]},
        token=admin,
        language="fr",
    )
    assert checked["eligibility"] == {
        "passed": True,
        "rulesVersion": 1,
        "checks": [
            {"message": "Nombre de langues parlées : 2 ou plus"},
            {"message": "A un objectif de carrière à partager"},
        ],
    }
    admitted = await graphql.execute(
        "mutation($id: UUID!) { admitReferral(id: $id) { status } }", {"id": referral["id"]}, token=admin
    )
    assert admitted["admitReferral"]["status"] == "ADMITTED"

    # Its matching criterion (register_match_criteria) counts with its default weight,
    # explained in the reader's language; staff weigh it like a core criterion.
    settings = await graphql.execute(
        "query($p: UUID!) { matchingSettings(programId: $p) { weights { criterion name plugin share } } }",
        {"p": program["createProgram"]["id"]},
        token=admin,
        language="fr",
    )
    plugin_weight = next(
        weight
        for weight in settings["matchingSettings"]["weights"]
        if weight["criterion"] == "languages_to_share"
    )
    assert plugin_weight["plugin"] == "reverse" and plugin_weight["name"] == "Langues à faire découvrir"
    async with sessions() as session, session.begin():
        (await session.get_one(MentorProfile, world.mentor_ids["mentor"])).languages = ["fr"]
    suggestions = await graphql.execute(
        """query($r: UUID!) { suggestions(referralId: $r) { items { mentor { id }
             criteria { criterion score explanation } } } }""",
        {"r": referral["id"]},
        token=admin,
    )
    by_mentor = {
        item["mentor"]["id"]: {criterion["criterion"]: criterion for criterion in item["criteria"]}
        for item in suggestions["suggestions"]["items"]
    }
    # The client speaks French and English: English is new to mentor, not to mentor_two.
    assert by_mentor[str(world.mentor_ids["mentor"])]["languages_to_share"] == {
        "criterion": "languages_to_share",
        "score": 0.5,
        "explanation": "1 language(s) the employee does not speak yet",
    }
    assert by_mentor[str(world.mentor_ids["mentor_two"])]["languages_to_share"]["score"] == 0.0


def test_register_activity_kinds_scopes_activities_to_their_program_types() -> None:
    host = get_plugin_host()
    assert set(host.activity_kinds("employer_sponsored")) == {"site_visit", "job_shadowing", "work_meeting"}
    assert host.activity_kinds("open") == {}
