"""The group program type (London model of the seed): cohorts of 8 to 10 newcomers with
2 or 3 mentors of one sector, group sessions and attendance, through /graphql."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import clock
from core.access import Actor
from core.models import Language, Membership, MentorProfile, Program, Role
from core.plugins import get_plugin_host
from core.services import accounts, mentees, mentors, organizations, programs, referrals, waiting
from plugins import group as group_plugin
from plugins.group import service
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, eligible_client

CREATE = """mutation($input: CohortInput!) { createCohort(input: $input) {
  id status ready missingMentees missingMentors minMentees maxMentees minMentors maxMentors
  sector { code title } language } }"""
CLOSE = "mutation($id: UUID!) { closeCohort(id: $id) { status } }"
ADD_MENTOR = """mutation($c: UUID!, $m: UUID!) { addCohortMentor(cohortId: $c, mentorId: $m) {
  ready missingMentors mentors { mentor { id } } } }"""
ADD_MENTEE = """mutation($c: UUID!, $m: UUID!) { addCohortMentee(cohortId: $c, menteeId: $m) {
  ready missingMentees mentees { mentee { id } } } }"""
REMOVE = """mutation($c: UUID!, $mentor: UUID, $mentee: UUID) {
  removeCohortMember(cohortId: $c, mentorId: $mentor, menteeId: $mentee) {
  ready missingMentees mentees { mentee { id } } mentors { mentor { id } } } }"""
SCHEDULE = """mutation($input: GroupSessionInput!) { scheduleGroupSession(input: $input) {
  id heldOn minutes topic attendance { present } } }"""
ATTEND = """mutation($s: UUID!, $mentees: [UUID!]!, $mentors: [UUID!]!) {
  recordGroupAttendance(sessionId: $s, presentMenteeIds: $mentees, presentMentorIds: $mentors) {
  attendance { role present mentor { id } mentee { id } } } }"""
COHORTS = "query($p: UUID) { cohorts(programId: $p) { totalCount items { id name } } }"
COHORT = """query($id: UUID!) { cohort(id: $id) { name status ready
  mentors { mentor { id displayName } }
  mentees { mentee { id firstName accessGrounds } }
  sessions { heldOn topic attendance { role present mentor { id } mentee { id firstName } } } } }"""


@dataclass
class Group:
    """The hub's group program, mentors of sector 21 and one accountant, and eleven
    newcomers admitted to the program: the agency's client (who has an account), the
    other agency's client, then nine more of the agency's clients."""

    program_id: uuid.UUID
    mentors: dict[str, uuid.UUID]
    admitted: list[uuid.UUID]
    referrals: dict[uuid.UUID, uuid.UUID]


async def _mentor(session: AsyncSession, world: World, key: str, noc: str) -> uuid.UUID:
    employer = world.organizations["employer"]
    user = await accounts.create_user(session, f"{key}@employer.test", key.replace("_", " ").title(), None)
    session.add(Membership(user_id=user.id, organization_id=employer, role=Role.MENTOR))
    actor = Actor(
        user_id=user.id,
        display_name=user.display_name,
        language=Language.EN,
        organization_id=employer,
        roles=frozenset({Role.MENTOR}),
        memberships={employer: frozenset({Role.MENTOR})},
    )
    profile = await mentors.save_my_mentor_profile(
        session,
        actor,
        mentors.MentorData(occupation_noc=noc, years_local_experience=6, languages=["fr", "en"]),
    )
    return profile.id


async def _admit(
    session: AsyncSession, world: World, referrer: str, mentee_id: uuid.UUID, program_id: uuid.UUID
) -> uuid.UUID:
    referral = await referrals.submit_referral(
        session, world.actors[referrer], mentee_id, program_id, consent=True
    )
    await referrals.admit_referral(session, world.actors["hub_coordinator"], referral.id)
    return referral.id


@pytest.fixture
async def group(sessions: async_sessionmaker[AsyncSession], world: World) -> Group:
    async with sessions() as session, session.begin():
        await organizations.set_plugin_enabled(session, world.actors["hub_admin"], "group", True)
        program = await programs.create_program(
            session,
            world.actors["hub_coordinator"],
            programs.ProgramData(
                program_type="group", name_en="Group mentoring", name_fr="Mentorat de groupe"
            ),
        )
        mentor_ids = {key: world.mentor_ids[key] for key in ("mentor", "mentor_two")}
        mentor_ids["mentor_three"] = await _mentor(session, world, "mentor_three", "21211")
        mentor_ids["mentor_four"] = await _mentor(session, world, "mentor_four", "21300")
        mentor_ids["accountant"] = await _mentor(session, world, "accountant", "11100")
        referral_ids = {
            world.mentee_ids["client"]: await _admit(
                session, world, "agency_coordinator", world.mentee_ids["client"], program.id
            ),
            world.mentee_ids["other_client"]: await _admit(
                session, world, "other_coordinator", world.mentee_ids["other_client"], program.id
            ),
        }
        for index in range(9):
            client = await mentees.register_mentee(
                session,
                world.actors["agency_coordinator"],
                eligible_client(first_name=f"Newcomer {index}", target_noc="21232"),
            )
            referral_ids[client.id] = await _admit(
                session, world, "agency_coordinator", client.id, program.id
            )
    return Group(program.id, mentor_ids, list(referral_ids), referral_ids)


def cohort_input(group: Group, **overrides: Any) -> dict[str, Any]:
    return {
        "programId": str(group.program_id),
        "name": "Cohorte TI automne",
        "sector": "21",
        "language": "FR",
        "startsOn": (clock.now().date() - timedelta(days=14)).isoformat(),
        **overrides,
    }


async def cohort_with(
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    group: Group,
    *,
    mentors: tuple[str, ...] = (),
    mentees: int = 0,
    closed: bool = False,
) -> uuid.UUID:
    """A cohort set up through the service, for the tests that are about what follows."""
    staff = world.actors["hub_coordinator"]
    async with sessions() as session, session.begin():
        view = await service.create_cohort(
            session,
            staff,
            group.program_id,
            name="Cohorte TI",
            sector="21",
            language=Language.FR,
            starts_on=clock.now().date() - timedelta(days=14),
        )
        for key in mentors:
            await service.add_mentor(session, staff, view.cohort.id, group.mentors[key])
        for mentee_id in group.admitted[:mentees]:
            await service.add_mentee(session, staff, view.cohort.id, mentee_id)
        if closed:
            await service.close_cohort(session, staff, view.cohort.id)
        return view.cohort.id


async def session_of(
    sessions: async_sessionmaker[AsyncSession], world: World, cohort_id: uuid.UUID, held_on: date
) -> uuid.UUID:
    async with sessions() as session, session.begin():
        entry = await service.schedule_session(
            session,
            world.actors["hub_coordinator"],
            cohort_id,
            held_on=held_on,
            minutes=90,
            topic="Réseautage",
        )
        return entry.session.id


async def staff_token(graphql: GraphQL, world: World) -> str:
    return await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)


# --- the plugin ------------------------------------------------------------------------


def test_register_program_types_offers_group_with_the_london_sizes() -> None:
    plugin_name, program_type = get_plugin_host().program_type("group")
    assert plugin_name == "group"
    assert program_type.default_settings == {
        "min_mentees": 8,
        "max_mentees": 10,
        "min_mentors": 2,
        "max_mentors": 3,
    }
    assert (program_type.name_en, program_type.name_fr) == ("Group mentoring", "Mentorat de groupe")
    rules = get_plugin_host().rule_book().validate(program_type.default_rules)
    # The open program's criteria, minus the job-search workshop the group itself provides.
    assert {leaf["field"] for leaf in rules["all"]} == {
        "immigration_status",
        "trained_abroad",
        "official_language_clb",
        "resides_in_program_province",
    }
    assert all(leaf["label_en"] and leaf["label_fr"] for leaf in rules["all"])


def test_register_translations_and_register_graphql() -> None:
    assert (group_plugin.register_translations() / "fr" / "group.po").exists()
    fields = group_plugin.register_graphql()
    assert fields.query is not None and fields.mutation is not None


def test_a_program_may_set_its_own_cohort_sizes() -> None:
    program = Program(
        organization_id=uuid.uuid4(),
        program_type="group",
        name_en="P",
        name_fr="P",
        settings={"max_mentees": 12, "min_mentees": 6, "unrelated": "x"},
    )
    assert service.cohort_limits(program) == service.Limits(
        min_mentees=6, max_mentees=12, min_mentors=2, max_mentors=3
    )


# --- the seed's flow ---------------------------------------------------------------------


async def test_a_cohort_from_creation_to_attendance_and_who_sees_it(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    staff = await staff_token(graphql, world)
    starts_on = clock.now().date() - timedelta(days=14)
    created = (
        await graphql.execute(
            CREATE, {"input": cohort_input(group, startsOn=starts_on.isoformat())}, token=staff
        )
    )["createCohort"]
    assert created["status"] == "OPEN" and created["language"] == "FR"
    assert created["sector"]["code"] == "21"
    assert [created[key] for key in ("minMentees", "maxMentees", "minMentors", "maxMentors")] == [8, 10, 2, 3]
    assert (created["ready"], created["missingMentees"], created["missingMentors"]) == (False, 8, 2)
    cohort_id = created["id"]

    for key in ("mentor", "mentor_two", "mentor_three"):
        added = (
            await graphql.execute(ADD_MENTOR, {"c": cohort_id, "m": str(group.mentors[key])}, token=staff)
        )["addCohortMentor"]
    assert added["missingMentors"] == 0 and len(added["mentors"]) == 3
    members = group.admitted[:10]
    for count, mentee_id in enumerate(members, start=1):
        added = (await graphql.execute(ADD_MENTEE, {"c": cohort_id, "m": str(mentee_id)}, token=staff))[
            "addCohortMentee"
        ]
        # Below the minimum the cohort says what it lacks rather than refusing anything.
        assert (added["ready"], added["missingMentees"]) == (count >= 8, max(8 - count, 0))
    assert [entry["mentee"]["id"] for entry in added["mentees"]] == [str(mentee_id) for mentee_id in members]

    held = (
        await graphql.execute(
            SCHEDULE,
            {
                "input": {
                    "cohortId": cohort_id,
                    "heldOn": (starts_on + timedelta(days=7)).isoformat(),
                    "minutes": 120,
                    "topic": "Le marché du travail en TI à Ottawa",
                }
            },
            token=staff,
        )
    )["scheduleGroupSession"]
    assert held["attendance"] == []
    await graphql.execute(
        SCHEDULE,
        {
            "input": {
                "cohortId": cohort_id,
                "heldOn": (clock.now().date() + timedelta(days=7)).isoformat(),
                "minutes": 90,
                "topic": "Simulations d'entrevue",
            }
        },
        token=staff,
    )
    absent = members[3]
    variables = {
        "s": held["id"],
        "mentees": [str(mentee_id) for mentee_id in members if mentee_id != absent],
        "mentors": [str(group.mentors["mentor"]), str(group.mentors["mentor_two"])],
    }
    await graphql.execute(ATTEND, {**variables, "mentees": []}, token=staff)
    # Recording the roll call again corrects it.
    roll_call = (await graphql.execute(ATTEND, variables, token=staff))["recordGroupAttendance"]["attendance"]
    assert [line["role"] for line in roll_call] == ["MENTOR"] * 3 + ["MENTEE"] * 10
    assert {line["mentor"]["id"]: line["present"] for line in roll_call[:3]} == {
        str(group.mentors["mentor"]): True,
        str(group.mentors["mentor_two"]): True,
        str(group.mentors["mentor_three"]): False,
    }
    assert {line["mentee"]["id"]: line["present"] for line in roll_call[3:]} == {
        str(mentee_id): mentee_id != absent for mentee_id in members
    }

    # The newcomer sees their cohort and its sessions, and only their own file in it.
    client = await graphql.sign_in(world.emails["client"], PASSWORD)
    assert (await graphql.execute(COHORTS, {}, token=client))["cohorts"]["items"] == [
        {"id": cohort_id, "name": "Cohorte TI automne"}
    ]
    seen = (await graphql.execute(COHORT, {"id": cohort_id}, token=client))["cohort"]
    assert [entry["mentee"] for entry in seen["mentees"] if entry["mentee"]] == [
        {"id": str(world.mentee_ids["client"]), "firstName": "Amina", "accessGrounds": "SELF"}
    ]
    assert [session["topic"] for session in seen["sessions"]] == [
        "Le marché du travail en TI à Ottawa",
        "Simulations d'entrevue",
    ]
    assert {
        "role": "MENTEE",
        "present": True,
        "mentor": None,
        "mentee": {"id": str(members[0]), "firstName": "Amina"},
    } in seen["sessions"][0]["attendance"]

    # A mentor of the cohort sees it, and its mentees' cards (grant_mentee_access): the
    # "connection" grounds, audited like any read by another organization.
    mentor = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    assert (await graphql.execute(COHORTS, {}, token=mentor))["cohorts"]["totalCount"] == 1
    seen = (await graphql.execute(COHORT, {"id": cohort_id}, token=mentor))["cohort"]
    assert len(seen["mentors"]) == 3
    assert {entry["mentee"]["accessGrounds"] for entry in seen["mentees"]} == {"CONNECTION"}

    # Each agency sees that its clients are in the cohort, and none of the other's files.
    for referrer, own in (
        ("agency_coordinator", set(members) - {world.mentee_ids["other_client"]}),
        ("other_coordinator", {world.mentee_ids["other_client"]}),
    ):
        token = await graphql.sign_in(world.emails[referrer], PASSWORD)
        assert (await graphql.execute(COHORTS, {}, token=token))["cohorts"]["totalCount"] == 1
        seen = (await graphql.execute(COHORT, {"id": cohort_id}, token=token))["cohort"]
        visible = [entry["mentee"] for entry in seen["mentees"] if entry["mentee"]]
        assert {mentee["id"] for mentee in visible} == {str(mentee_id) for mentee_id in own}
        assert {mentee["accessGrounds"] for mentee in visible} == {"OWNER"}

    # Someone with no part in it does not learn it exists.
    outsider = await graphql.sign_in(world.emails["mentor_private"], PASSWORD)
    assert (await graphql.execute(COHORTS, {}, token=outsider))["cohorts"]["totalCount"] == 0
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(COHORT, {"id": cohort_id}, token=outsider)
    assert refused.value.code == "NOT_FOUND"

    # The program's staff read the roster on the grounds of the referrals, audited for
    # the organizations that own the files.
    seen = (await graphql.execute(COHORT, {"id": cohort_id}, token=staff))["cohort"]
    assert all(entry["mentee"]["accessGrounds"] == "REFERRAL" for entry in seen["mentees"])
    agency_admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    events = (
        await graphql.execute(
            "{ auditEvents(limit: 200) { items { grounds actorOrganization { slug } } } }", token=agency_admin
        )
    )["auditEvents"]["items"]
    assert {"grounds": "referral", "actorOrganization": {"slug": "hub"}} in events


async def test_a_member_taken_out_keeps_their_attendance(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentors=("mentor", "mentor_two"), mentees=8)
    held = await session_of(sessions, world, cohort_id, clock.now().date() - timedelta(days=1))
    staff = await staff_token(graphql, world)
    leaving = group.admitted[7]
    await graphql.execute(ATTEND, {"s": str(held), "mentees": [str(leaving)], "mentors": []}, token=staff)
    removed = (await graphql.execute(REMOVE, {"c": str(cohort_id), "mentee": str(leaving)}, token=staff))[
        "removeCohortMember"
    ]
    assert (removed["ready"], removed["missingMentees"], len(removed["mentees"])) == (False, 1, 7)
    removed = (
        await graphql.execute(
            REMOVE, {"c": str(cohort_id), "mentor": str(group.mentors["mentor_two"])}, token=staff
        )
    )["removeCohortMember"]
    assert removed["mentors"] == [{"mentor": {"id": str(group.mentors["mentor"])}}]
    attendance = (await graphql.execute(COHORT, {"id": str(cohort_id)}, token=staff))["cohort"]["sessions"][
        0
    ]["attendance"]
    assert {
        "role": "MENTEE",
        "present": True,
        "mentor": None,
        "mentee": {"id": str(leaving), "firstName": "Newcomer 5"},
    } in attendance


async def test_joining_a_cohort_keeps_the_place_on_the_open_waiting_list(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    """The London model: newcomers waiting for a one-to-one match join a group
    meanwhile, and stay where they were in line."""
    now = clock.now()
    waiting_ids = []
    for days_ago, mentee_id in (
        (30, group.admitted[2]),
        (20, world.mentee_ids["client"]),
        (10, group.admitted[3]),
    ):
        with clock.frozen_at(now - timedelta(days=days_ago)):
            async with sessions() as session, session.begin():
                waiting_ids.append(
                    await _admit(session, world, "agency_coordinator", mentee_id, world.program_id)
                )

    async def open_waiting_list() -> list[tuple[uuid.UUID, str, Any]]:
        async with sessions() as session:
            entries = await waiting.waiting_list(session, world.actors["hub_coordinator"], world.program_id)
        return [(entry.referral.id, entry.referral.status, entry.waiting_since) for entry in entries]

    before = await open_waiting_list()
    assert [referral_id for referral_id, _, _ in before] == waiting_ids

    cohort_id = await cohort_with(sessions, world, group)
    staff = await staff_token(graphql, world)
    for mentee_id in (world.mentee_ids["client"], group.admitted[2], group.admitted[3]):
        await graphql.execute(ADD_MENTEE, {"c": str(cohort_id), "m": str(mentee_id)}, token=staff)

    assert await open_waiting_list() == before


async def test_withdrawing_the_group_referral_takes_the_newcomer_out_of_open_cohorts(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    """Closed cohorts keep them: their roster records who took part."""
    finished = await cohort_with(sessions, world, group, mentees=1, closed=True)
    current = await cohort_with(sessions, world, group, mentees=2)
    owner = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    await graphql.execute(
        "mutation($id: UUID!) { withdrawReferral(id: $id) { status } }",
        {"id": str(group.referrals[world.mentee_ids["client"]])},
        token=owner,
    )
    async with sessions() as session:
        staff = world.actors["hub_coordinator"]
        remaining = await service.get_cohort(session, staff, current)
        kept = await service.get_cohort(session, staff, finished)
    assert [member.mentee_id for member in remaining.mentees] == [group.admitted[1]]
    assert [member.mentee_id for member in kept.mentees] == [world.mentee_ids["client"]]


# --- refusals: a stable code, a message in both languages, nothing written ---------------


async def test_an_eleventh_mentee_is_refused(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentees=10)
    variables = {"c": str(cohort_id), "m": str(group.admitted[10])}
    token = await staff_token(graphql, world)
    await assert_refused(graphql, sessions, ADD_MENTEE, variables, code="GROUP_FULL", token=token)


async def test_a_fourth_mentor_is_refused(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentors=("mentor", "mentor_two", "mentor_three"))
    variables = {"c": str(cohort_id), "m": str(group.mentors["mentor_four"])}
    token = await staff_token(graphql, world)
    await assert_refused(graphql, sessions, ADD_MENTOR, variables, code="GROUP_MENTORS_FULL", token=token)


@pytest.mark.parametrize(
    ("mentor", "code"),
    [
        ("accountant", "MENTOR_OUTSIDE_SECTOR"),
        ("mentor_private", "NOT_FOUND"),  # visible to its own organization only
        ("mentor", "COHORT_MEMBER_ALREADY"),
    ],
)
async def test_a_mentor_who_cannot_join_is_refused(
    graphql: GraphQL,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    group: Group,
    mentor: str,
    code: str,
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentors=("mentor",))
    mentor_id = group.mentors.get(mentor) or world.mentor_ids[mentor]
    token = await staff_token(graphql, world)
    variables = {"c": str(cohort_id), "m": str(mentor_id)}
    await assert_refused(graphql, sessions, ADD_MENTOR, variables, code=code, token=token)


async def test_a_mentor_who_paused_is_refused(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    cohort_id = await cohort_with(sessions, world, group)
    async with sessions() as session, session.begin():
        await session.execute(
            update(MentorProfile)
            .where(MentorProfile.id == group.mentors["mentor_three"])
            .values(is_active=False)
        )
    variables = {"c": str(cohort_id), "m": str(group.mentors["mentor_three"])}
    token = await staff_token(graphql, world)
    await assert_refused(graphql, sessions, ADD_MENTOR, variables, code="MENTOR_UNAVAILABLE", token=token)


@pytest.mark.parametrize(
    ("situation", "code"),
    [
        ("referral_submitted", "MENTEE_NOT_ADMITTED"),
        ("admitted_to_open_program_only", "MENTEE_NOT_ADMITTED"),
        ("not_referred_to_the_hub", "NOT_FOUND"),  # the hub may not know the newcomer exists
        ("already_in_the_cohort", "COHORT_MEMBER_ALREADY"),
    ],
)
async def test_a_newcomer_who_cannot_join_is_refused(
    graphql: GraphQL,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    group: Group,
    situation: str,
    code: str,
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentees=1)
    mentee_id = group.admitted[0]
    if situation != "already_in_the_cohort":
        async with sessions() as session, session.begin():
            newcomer = await mentees.register_mentee(
                session, world.actors["agency_coordinator"], eligible_client(first_name="Nadia")
            )
            mentee_id = newcomer.id
            if situation == "referral_submitted":
                await referrals.submit_referral(
                    session, world.actors["agency_coordinator"], mentee_id, group.program_id, consent=True
                )
            if situation == "admitted_to_open_program_only":
                await _admit(session, world, "agency_coordinator", mentee_id, world.program_id)
    token = await staff_token(graphql, world)
    variables = {"c": str(cohort_id), "m": str(mentee_id)}
    await assert_refused(graphql, sessions, ADD_MENTEE, variables, code=code, token=token)


@pytest.mark.parametrize("member", ["mentee", "mentor"])
async def test_attendance_for_someone_outside_the_cohort_is_refused(
    graphql: GraphQL,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    group: Group,
    member: str,
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentors=("mentor",), mentees=2)
    held = await session_of(sessions, world, cohort_id, clock.now().date())
    # Admitted to the program and a mentor of the sector, but not in this cohort.
    outsiders = {"mentees": [str(group.admitted[0]), str(group.admitted[5])], "mentors": []}
    if member == "mentor":
        outsiders = {
            "mentees": [],
            "mentors": [str(group.mentors["mentor"]), str(group.mentors["mentor_two"])],
        }
    token = await staff_token(graphql, world)
    await assert_refused(
        graphql, sessions, ATTEND, {"s": str(held), **outsiders}, code="NOT_A_MEMBER", token=token
    )
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(ATTEND, {"s": str(held), **outsiders}, token=token)
    assert refused.value.errors[0]["extensions"]["field"] == f"present{member.title()}Ids[1]"


async def test_taking_out_someone_outside_the_cohort_is_refused(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentees=1)
    token = await staff_token(graphql, world)
    variables = {"c": str(cohort_id), "mentee": str(group.admitted[1])}
    await assert_refused(graphql, sessions, REMOVE, variables, code="NOT_A_MEMBER", token=token)
    both = {"c": str(cohort_id), "mentee": str(group.admitted[0]), "mentor": str(group.mentors["mentor"])}
    await assert_refused(graphql, sessions, REMOVE, both, code="INVALID_INPUT", token=token)


async def test_a_closed_cohort_takes_no_sessions_or_members(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentors=("mentor",), mentees=1, closed=True)
    token = await staff_token(graphql, world)
    session_input = {
        "input": {
            "cohortId": str(cohort_id),
            "heldOn": clock.now().date().isoformat(),
            "minutes": 90,
            "topic": "Bilan",
        }
    }
    for query, variables in (
        (SCHEDULE, session_input),
        (ADD_MENTEE, {"c": str(cohort_id), "m": str(group.admitted[1])}),
        (ADD_MENTOR, {"c": str(cohort_id), "m": str(group.mentors["mentor_two"])}),
        (REMOVE, {"c": str(cohort_id), "mentee": str(group.admitted[0])}),
        (CLOSE, {"id": str(cohort_id)}),
    ):
        await assert_refused(graphql, sessions, query, variables, code="COHORT_CLOSED", token=token)


async def test_a_closed_cohort_still_takes_its_last_roll_call(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentees=1)
    held = await session_of(sessions, world, cohort_id, clock.now().date() - timedelta(days=2))
    token = await staff_token(graphql, world)
    assert (await graphql.execute(CLOSE, {"id": str(cohort_id)}, token=token))["closeCohort"][
        "status"
    ] == "CLOSED"
    roll_call = await graphql.execute(
        ATTEND, {"s": str(held), "mentees": [str(group.admitted[0])], "mentors": []}, token=token
    )
    assert [line["present"] for line in roll_call["recordGroupAttendance"]["attendance"]] == [True]


async def test_an_unknown_sector_is_refused(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    """A sector is a NOC 2021 major group: two digits, in the classification."""
    token = await staff_token(graphql, world)
    for sector in ("99", "2", "212", "2a", ""):
        variables = {"input": cohort_input(group, sector=sector)}
        await assert_refused(graphql, sessions, CREATE, variables, code="UNKNOWN_NOC", token=token)


async def test_a_cohort_belongs_to_a_group_program_in_one_of_its_languages(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    async with sessions() as session, session.begin():
        english_only = await programs.create_program(
            session,
            world.actors["hub_coordinator"],
            programs.ProgramData(program_type="group", name_en="Groups", name_fr="Groupes", languages=["en"]),
        )
    token = await staff_token(graphql, world)
    for variables, code in (
        ({"input": cohort_input(group, programId=str(world.program_id))}, "PROGRAM_NOT_GROUP"),
        ({"input": cohort_input(group, programId=str(english_only.id))}, "COHORT_LANGUAGE_NOT_OFFERED"),
        ({"input": cohort_input(group, name="  ")}, "REQUIRED"),
    ):
        await assert_refused(graphql, sessions, CREATE, variables, code=code, token=token)


async def test_session_dates(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    """No session before the cohort starts; no roll call before the session is held."""
    cohort_id = await cohort_with(sessions, world, group, mentees=1)
    starts_on = clock.now().date() - timedelta(days=14)
    token = await staff_token(graphql, world)
    too_early = {
        "input": {
            "cohortId": str(cohort_id),
            "heldOn": (starts_on - timedelta(days=1)).isoformat(),
            "minutes": 90,
            "topic": "Accueil",
        }
    }
    await assert_refused(
        graphql, sessions, SCHEDULE, too_early, code="SESSION_BEFORE_COHORT_START", token=token
    )
    coming = await session_of(sessions, world, cohort_id, clock.now().date() + timedelta(days=1))
    variables = {"s": str(coming), "mentees": [str(group.admitted[0])], "mentors": []}
    await assert_refused(graphql, sessions, ATTEND, variables, code="SESSION_NOT_HELD", token=token)


async def test_only_the_program_staff_run_cohorts(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentors=("mentor",), mentees=2)
    add = {"c": str(cohort_id), "m": str(group.admitted[2])}
    for person, code in (
        ("agency_coordinator", "FORBIDDEN"),  # sees the cohort: its clients attend
        ("mentor", "FORBIDDEN"),  # mentors it
        ("mentor_private", "NOT_FOUND"),  # has no part in it
    ):
        token = await graphql.sign_in(world.emails[person], PASSWORD)
        await assert_refused(graphql, sessions, ADD_MENTEE, add, code=code, token=token)
    agency = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    await assert_refused(
        graphql, sessions, CREATE, {"input": cohort_input(group)}, code="FORBIDDEN", token=agency
    )


async def test_a_disabled_group_plugin_runs_no_cohorts_but_keeps_them_readable(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, group: Group
) -> None:
    cohort_id = await cohort_with(sessions, world, group, mentees=1)
    async with sessions() as session, session.begin():
        await organizations.set_plugin_enabled(session, world.actors["hub_admin"], "group", False)
    token = await staff_token(graphql, world)
    for query, variables in (
        (CREATE, {"input": cohort_input(group)}),
        (ADD_MENTEE, {"c": str(cohort_id), "m": str(group.admitted[1])}),
    ):
        await assert_refused(graphql, sessions, query, variables, code="PROGRAM_TYPE_DISABLED", token=token)
    cohorts = await graphql.execute(COHORTS, {"p": str(group.program_id)}, token=token)
    assert cohorts["cohorts"]["totalCount"] == 1
