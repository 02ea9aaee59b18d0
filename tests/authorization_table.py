"""The authorization matrix: every GraphQL root field, every kind of caller, and the
outcome the platform should give each (``EXPECTED``).

Callers are named by their relation to the operation's target, not by person:

- ``owner_admin``, ``owner_coordinator``, ``owner_viewer``: staff of the organization
  that owns the target (``Operation.owner``: the agency for a newcomer's file, the hub
  for its programs and what happens in them, the employer for its mentors; for an
  operation without a target, the caller's own organization, taken as the hub);
- ``other_admin``, ``other_coordinator``: staff of another agency, with no part in it;
- ``mentor``: a mentor of the shared pool, either the one the target concerns (the
  mentor of the proposal, mentorship, connector meeting or cohort; a colleague of the
  employer for the employer's mentors) or one with no part in it (``Operation.mentor``);
- ``mentee``: the newcomer with an account, whose file or records the target is;
- ``anonymous``: no token.

Each operation's ``prepare`` builds the target through the services: a FRESH one per
call for mutations whose success would change what the next caller meets (a referral
decided, a proposal answered, a meeting held...); reads, and changes that leave their
target as it was for the next caller (a file's city, a program's rules), share one per
test. A fresh newcomer's file is registered by the agency for each call, except the
``mentee`` caller's, which is their own file.

Outcomes: ``ok``; ``hidden`` (the call succeeds but the target is not in the answer:
list queries filter by what the caller may see); or the error code.
"""

import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from core import clock, security
from core.access import Actor
from core.models import (
    AccountToken,
    AccountTokenPurpose,
    ConflictKind,
    ConsentPurpose,
    Event,
    EventAudience,
    EventKind,
    Language,
    Mentorship,
    MentorshipStatus,
    Program,
    QuestionKind,
    Role,
)
from core.search.outbox import drain
from core.services import (
    accounts,
    cohorts,
    conflicts,
    consents,
    events,
    integrations,
    lifecycle,
    mentees,
    mentorships,
    organizations,
    programs,
    proposals,
    referrals,
    sign_on,
)
from plugins.connector import service as connector
from plugins.group import service as group
from tests.world import PASSWORD, World, eligible_client

CALLERS = (
    "owner_admin",
    "owner_coordinator",
    "owner_viewer",
    "other_admin",
    "other_coordinator",
    "mentor",
    "mentee",
    "anonymous",
)
OK = "ok"
HIDDEN = "hidden"
NOT_FOUND = "NOT_FOUND"
FORBIDDEN = "FORBIDDEN"
UNAUTHENTICATED = "UNAUTHENTICATED"

# (operation, caller) → (what the platform answers today, why it is wrong). The walk
# expects that answer for the cell and fails once it changes, so that a fix comes with
# its removal from here. Empty: every defect the walk revealed was fixed.
KNOWN_DEFECTS: dict[tuple[str, str], tuple[str, str]] = {}


@dataclass(frozen=True)
class Call:
    variables: dict[str, Any] = field(default_factory=dict)
    # The id a list query's answer must hold for the outcome to be "ok" (else "hidden").
    target: str | None = None


class Scene:
    """The test world, its people's tokens and actors, and the targets built so far."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        world: World,
        actors: dict[str, Actor],
        tokens: dict[str, str],
        search: Any,
    ):
        self.sessions = sessions
        self.world = world
        self.actors = actors
        self.tokens = tokens
        self.search = search
        self._shared: dict[str, Any] = {}
        self._numbers = itertools.count(1)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session

    def number(self) -> int:
        return next(self._numbers)

    async def shared(self, key: str, build: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self._shared:
            self._shared[key] = await build()
        return self._shared[key]

    @property
    def program_id(self) -> uuid.UUID:
        assert self.world.program_id is not None
        return self.world.program_id

    def mentor_id(self, key: str) -> uuid.UUID:
        return self.world.mentor_ids[key]


@dataclass(frozen=True)
class Operation:
    field: str
    document: str
    prepare: Callable[[Scene, str], Awaitable[Call]]
    owner: str  # the organization whose staff are the owner_* callers
    mentor: str  # "mentor" (concerned by the target) or "mentor_two" (not concerned)
    listed: tuple[str, ...] | None  # path to the ids of a list query's answer


OPERATIONS: dict[str, Operation] = {}


def operation(
    field: str,
    document: str,
    *,
    owner: str = "hub",
    mentor: str = "mentor_two",
    listed: tuple[str, ...] | None = None,
) -> Callable[[Callable[[Scene, str], Awaitable[Call]]], Callable[[Scene, str], Awaitable[Call]]]:
    def register(prepare: Callable[[Scene, str], Awaitable[Call]]) -> Callable[[Scene, str], Awaitable[Call]]:
        OPERATIONS[field] = Operation(field, document, prepare, owner, mentor, listed)
        return prepare

    return register


def public(field: str, document: str, variables: Callable[[Scene], dict[str, Any]] | None = None) -> None:
    async def prepare(scene: Scene, caller: str) -> Call:
        return Call(variables(scene) if variables else {})

    operation(field, document)(prepare)


def no_target(field: str, document: str, *, owner: str = "hub", mentor: str = "mentor_two") -> None:
    async def prepare(scene: Scene, caller: str) -> Call:
        return Call()

    operation(field, document, owner=owner, mentor=mentor)(prepare)


def person_id(scene: Scene, key: str) -> str:
    return str(scene.actors[key].user_id)


# --- Building targets through the services ---------------------------------------------


def target_mentor(caller: str) -> str:
    """The mentor a fresh pair is made with: the mentor caller's own in their cell, so
    that an operation "concerning" the mentor concerns them; mentor_two otherwise."""
    return "mentor" if caller == "mentor" else "mentor_two"


async def newcomer_for(scene: Scene, caller: str, *, account: bool = False) -> uuid.UUID:
    """The newcomer's own file in the mentee caller's cell; else a fresh file the agency
    registers, so that no two cells share a target."""
    if caller == "mentee":
        return scene.world.mentee_ids["client"]
    number = scene.number()
    staff = scene.actors["agency_coordinator"]
    async with scene.transaction() as session:
        profile = await mentees.register_mentee(
            session,
            staff,
            eligible_client(
                first_name=f"Newcomer {number}", email=f"newcomer{number}@example.org" if account else None
            ),
            account_password=PASSWORD if account else None,
        )
    if account:
        assert profile.user_id is not None and staff.organization_id is not None
        scene.actors[f"mentee:{profile.id}"] = Actor(
            user_id=profile.user_id,
            display_name=profile.first_name,
            language=Language.EN,
            organization_id=staff.organization_id,
            roles=frozenset({Role.MENTEE}),
            memberships={staff.organization_id: frozenset({Role.MENTEE})},
        )
    return profile.id


def newcomer_actor(scene: Scene, mentee_id: uuid.UUID) -> Actor:
    if mentee_id == scene.world.mentee_ids["client"]:
        return scene.actors["client"]
    return scene.actors[f"mentee:{mentee_id}"]


async def submitted(scene: Scene, mentee_id: uuid.UUID, program_id: uuid.UUID | None = None) -> uuid.UUID:
    async with scene.transaction() as session:
        referral = await referrals.submit_referral(
            session,
            scene.actors["agency_coordinator"],
            mentee_id,
            program_id or scene.program_id,
            consent=True,
        )
        return referral.id


async def admitted(scene: Scene, mentee_id: uuid.UUID, program_id: uuid.UUID | None = None) -> uuid.UUID:
    referral_id = await submitted(scene, mentee_id, program_id)
    async with scene.transaction() as session:
        await referrals.admit_referral(session, scene.actors["hub_coordinator"], referral_id)
    return referral_id


async def pending_proposal(scene: Scene, caller: str) -> uuid.UUID:
    referral_id = await admitted(scene, await newcomer_for(scene, caller))
    async with scene.transaction() as session:
        proposal = await proposals.propose_match(
            session, scene.actors["hub_coordinator"], referral_id, scene.mentor_id(target_mentor(caller))
        )
        return proposal.id


async def active_mentorship(scene: Scene, caller: str) -> uuid.UUID:
    proposal_id = await pending_proposal(scene, caller)
    async with scene.transaction() as session:
        await proposals.answer_proposal(
            session, scene.actors[target_mentor(caller)], proposal_id, accept=True
        )
        accepted = await proposals.answer_proposal(
            session, scene.actors["agency_coordinator"], proposal_id, accept=True
        )
        assert accepted.status == "accepted"
    async with scene.transaction() as session:
        return await mentorship_of(session, proposal_id)


async def mentorship_of(session: AsyncSession, proposal_id: uuid.UUID) -> uuid.UUID:
    mentorship_id = await session.scalar(select(Mentorship.id).where(Mentorship.proposal_id == proposal_id))
    assert mentorship_id is not None
    return mentorship_id


async def closed_mentorship(scene: Scene, caller: str) -> uuid.UUID:
    mentorship_id = await active_mentorship(scene, caller)
    async with scene.transaction() as session:
        await mentorships.close_mentorship(
            session, scene.actors["hub_coordinator"], mentorship_id, status=MentorshipStatus.COMPLETED
        )
    return mentorship_id


async def shared_referral(scene: Scene) -> uuid.UUID:
    """The client admitted to the hub's program, read by the hub once (an audited read)."""

    async def build() -> uuid.UUID:
        referral_id = await admitted(scene, scene.world.mentee_ids["client"])
        async with scene.transaction() as session:
            await mentees.get_mentee(
                session, scene.actors["hub_coordinator"], scene.world.mentee_ids["client"]
            )
        return referral_id

    return await scene.shared("referral", build)


async def shared_mentorship(scene: Scene) -> tuple[uuid.UUID, uuid.UUID]:
    """The client and the mentor in an active mentorship: (proposal, mentorship)."""

    async def build() -> tuple[uuid.UUID, uuid.UUID]:
        referral_id = await shared_referral(scene)
        async with scene.transaction() as session:
            proposal = await proposals.propose_match(
                session, scene.actors["hub_coordinator"], referral_id, scene.mentor_id("mentor")
            )
            await proposals.answer_proposal(session, scene.actors["mentor"], proposal.id, accept=True)
            await proposals.answer_proposal(session, scene.actors["client"], proposal.id, accept=True)
            proposal_id = proposal.id
        async with scene.transaction() as session:
            return proposal_id, await mentorship_of(session, proposal_id)

    return await scene.shared("mentorship", build)


def event_data(audience: EventAudience) -> events.EventData:
    starts = clock.now().replace(microsecond=0) + timedelta(days=7)
    return events.EventData(
        kind=EventKind.NETWORKING,
        title_en="Meet employers",
        title_fr="Rencontre avec des employeurs",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=20,
        languages=[Language.FR, Language.EN],
        location="Ottawa",
        audience=audience,
    )


async def hub_event(scene: Scene, audience: EventAudience = EventAudience.ORGANIZATION) -> uuid.UUID:
    async with scene.transaction() as session:
        view = await events.create_event(session, scene.actors["hub_coordinator"], event_data(audience))
        return view.event.id


async def connector_program(scene: Scene) -> uuid.UUID:
    async def build() -> uuid.UUID:
        async with scene.transaction() as session:
            await organizations.set_plugin_enabled(session, scene.actors["hub_admin"], "connector", True)
            program = await programs.create_program(
                session,
                scene.actors["hub_coordinator"],
                programs.ProgramData(program_type="connector", name_en="Connectors", name_fr="Connecteurs"),
            )
            return program.id

    return await scene.shared("connector_program", build)


async def connector_meeting(
    scene: Scene,
    caller: str,
    *,
    held: bool = False,
    introductions: int = 0,
    agreed: bool = False,
    in_open_program: bool = False,
    newcomer: uuid.UUID | None = None,
) -> uuid.UUID:
    """A fresh meeting of a newcomer admitted to the hub's connector program with the
    caller's target mentor as connector, taken as far as asked."""
    program_id = await connector_program(scene)
    mentee_id = newcomer or await newcomer_for(scene, caller, account=agreed)
    referral_id = await admitted(scene, mentee_id, program_id)
    if in_open_program:
        await admitted(scene, mentee_id)
    staff = scene.actors["hub_coordinator"]
    connector_actor = scene.actors[target_mentor(caller)]
    async with scene.transaction() as session:
        meeting = await connector.schedule_meeting(
            session,
            staff,
            referral_id,
            scene.mentor_id(target_mentor(caller)),
            scheduled_on=clock.now().date(),
        )
        if held:
            await connector.mark_held(session, connector_actor, meeting.id)
            await connector.record_introduction_consent(session, staff, meeting.id, consent=True)
        for number in range(introductions):
            await connector.record_introduction(
                session,
                connector_actor,
                meeting.id,
                connector.IntroductionData(
                    contact_name=f"Contact {number}", contact_email=f"contact{number}@example.org"
                ),
            )
        if agreed:
            await connector.agree_to_continue(session, connector_actor, meeting.id, agree=True)
            await connector.agree_to_continue(
                session, newcomer_actor(scene, mentee_id), meeting.id, agree=True
            )
        return meeting.id


async def shared_meeting(scene: Scene) -> uuid.UUID:
    """The client's meeting with the mentor as connector, scheduled."""
    return await connector_meeting(scene, "mentor", newcomer=scene.world.mentee_ids["client"])


async def group_program(scene: Scene) -> tuple[uuid.UUID, uuid.UUID]:
    """The hub's group program, the client admitted to it, and a second newcomer
    admitted to it (who joins no cohort): (program, second newcomer)."""

    async def build() -> tuple[uuid.UUID, uuid.UUID]:
        async with scene.transaction() as session:
            await organizations.set_plugin_enabled(session, scene.actors["hub_admin"], "group", True)
            program = await programs.create_program(
                session,
                scene.actors["hub_coordinator"],
                programs.ProgramData(program_type="group", name_en="Groups", name_fr="Groupes"),
            )
        await admitted(scene, scene.world.mentee_ids["client"], program.id)
        second = await newcomer_for(scene, "owner_coordinator")
        await admitted(scene, second, program.id)
        return program.id, second

    return await scene.shared("group_program", build)


async def fresh_cohort(scene: Scene) -> uuid.UUID:
    """A cohort the mentor mentors and the client attends."""
    program_id, _ = await group_program(scene)
    staff = scene.actors["hub_coordinator"]
    async with scene.transaction() as session:
        view = await group.create_cohort(
            session,
            staff,
            program_id,
            name="Cohorte TI",
            sector="21",
            language=Language.FR,
            starts_on=clock.now().date() - timedelta(days=14),
        )
        await group.add_mentor(session, staff, view.cohort.id, scene.mentor_id("mentor"))
        await group.add_mentee(session, staff, view.cohort.id, scene.world.mentee_ids["client"])
        return view.cohort.id


async def cohort_run(scene: Scene) -> tuple[uuid.UUID, uuid.UUID]:
    """A fresh program whose waiting list is one fresh newcomer, assigned by a run:
    (run, its draft)."""
    async with scene.transaction() as session:
        program = await programs.create_program(
            session,
            scene.actors["hub_coordinator"],
            programs.ProgramData(program_type="open", name_en="Cohort", name_fr="Cohorte"),
        )
    await admitted(scene, await newcomer_for(scene, "owner_coordinator"), program.id)
    async with scene.transaction() as session:
        run = await cohorts.run_cohort(session, scene.actors["hub_coordinator"], program.id)
        (draft,) = await cohorts.drafts(session, run)
        return run.id, draft.id


# --- Public operations -----------------------------------------------------------------

public("viewer", "{ viewer { id } }")
public("organizations", "{ organizations { id } }")
public("programTypes", "{ programTypes { key } }")
public("programs", "{ programs { id } }")
public("program", "query($id: UUID!) { program(id: $id) { id } }", lambda s: {"id": str(s.program_id)})
public("activityKinds", '{ activityKinds(programType: "open") { key } }')
public("ruleFields", "{ ruleFields { key } }")
public(
    "programRules",
    "query($id: UUID!) { programRules(programId: $id) { version } }",
    lambda s: {"id": str(s.program_id)},
)
public("culturalRegions", "{ culturalRegions { key } }")
public("workStyleQuestions", "{ workStyleQuestions { key } }")
public("occupations", '{ occupations(search: "engineer") { code } }')
public("industries", '{ industries(search: "software") { code } }')


@operation("signIn", "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }")
async def _sign_in(scene: Scene, caller: str) -> Call:
    return Call({"e": scene.world.emails["hub_coordinator"], "p": PASSWORD})


# --- Signed-in people, about themselves or their own organization ----------------------

no_target("plugins", "{ plugins { name enabled } }")
no_target("myEvents", "{ myEvents { totalCount } }")
no_target("signOut", "mutation { signOut }")
no_target("setLanguage", "mutation { setLanguage(language: FR) }")
no_target("setPluginEnabled", 'mutation { setPluginEnabled(name: "peer", enabled: true) { name } }')
no_target(
    "saveMyMentorProfile",
    'mutation { saveMyMentorProfile(input: {occupationNoc: "21231", languages: ["en", "fr"], '
    'city: "Ottawa", capacity: 1}) { id } }',
    mentor="mentor",
)


@operation("addMember", "mutation($input: MemberInput!) { addMember(input: $input) { role } }")
async def _add_member(scene: Scene, caller: str) -> Call:
    number = scene.number()
    member = {"email": f"member{number}@example.org", "displayName": "New member", "role": "COORDINATOR"}
    return Call({"input": {**member, "password": PASSWORD}})


@operation("createProgram", "mutation($input: ProgramInput!) { createProgram(input: $input) { id } }")
async def _create_program(scene: Scene, caller: str) -> Call:
    return Call({"input": {"programType": "open", "nameEn": "Careers", "nameFr": "Carrières"}})


@operation("registerMentee", "mutation($input: MenteeInput!) { registerMentee(input: $input) { id } }")
async def _register_mentee(scene: Scene, caller: str) -> Call:
    newcomer = {"firstName": "Omar", "lastName": "Farouk", "immigrationStatus": "PERMANENT_RESIDENT"}
    return Call({"input": {**newcomer, "countryOfTraining": "EG", "targetNoc": "21300"}})


@operation("createEvent", "mutation($input: EventInput!) { createEvent(input: $input) { id } }")
async def _create_event(scene: Scene, caller: str) -> Call:
    starts = clock.now().replace(microsecond=0) + timedelta(days=7)
    return Call(
        {
            "input": {
                "kind": "NETWORKING",
                "titleEn": "Meet employers",
                "titleFr": "Rencontre avec des employeurs",
                "startsAt": starts.isoformat(),
                "endsAt": (starts + timedelta(hours=2)).isoformat(),
                "capacity": 20,
                "languages": ["FR", "EN"],
                "location": "Ottawa",
            }
        }
    )


# --- A newcomer's file: owned by the agency --------------------------------------------


def client(scene: Scene) -> str:
    return str(scene.world.mentee_ids["client"])


@operation("clients", "{ clients { items { id } } }", owner="agency", listed=("clients", "items", "id"))
async def _clients(scene: Scene, caller: str) -> Call:
    return Call(target=client(scene))


@operation("mentee", "query($id: UUID!) { mentee(id: $id) { id } }", owner="agency")
async def _mentee(scene: Scene, caller: str) -> Call:
    return Call({"id": client(scene)})


@operation(
    "updateMentee",
    'mutation($id: UUID!) { updateMentee(id: $id, input: {city: "Gatineau"}) { id } }',
    owner="agency",
)
async def _update_mentee(scene: Scene, caller: str) -> Call:
    return Call({"id": client(scene)})


@operation(
    "conflictsOfInterest", "query($id: UUID!) { conflictsOfInterest(menteeId: $id) { id } }", owner="agency"
)
async def _conflicts(scene: Scene, caller: str) -> Call:
    return Call({"id": client(scene)})


@operation(
    "attendanceSummary", "query($id: UUID!) { attendanceSummary(menteeId: $id) { total } }", owner="agency"
)
async def _attendance_summary(scene: Scene, caller: str) -> Call:
    return Call({"id": client(scene)})


@operation(
    "auditEvents",
    "{ auditEvents { items { menteeId } } }",
    owner="agency",
    listed=("auditEvents", "items", "menteeId"),
)
async def _audit_events(scene: Scene, caller: str) -> Call:
    await shared_referral(scene)  # the hub's read of the client's file is on the trail
    return Call(target=client(scene))


@operation(
    "submitReferral",
    "mutation($input: ReferralInput!) { submitReferral(input: $input) { id } }",
    owner="agency",
)
async def _submit_referral(scene: Scene, caller: str) -> Call:
    mentee_id = await newcomer_for(scene, caller)
    return Call({"input": {"menteeId": str(mentee_id), "programId": str(scene.program_id), "consent": True}})


@operation(
    "withdrawReferral", "mutation($id: UUID!) { withdrawReferral(id: $id) { status } }", owner="agency"
)
async def _withdraw_referral(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await submitted(scene, await newcomer_for(scene, caller)))})


@operation(
    "answerProposal", "mutation($id: UUID!) { answerProposal(id: $id, accept: true) { status } }",
    owner="agency", mentor="mentor",
)  # fmt: skip
async def _answer_proposal(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await pending_proposal(scene, caller))})


DECLARE = """mutation($mentee: UUID!, $mentor: UUID!) {
    declareConflictOfInterest(menteeId: $mentee, mentorId: $mentor, kind: FAMILY) { id } }"""


@operation("declareConflictOfInterest", DECLARE, owner="agency")
async def _declare_conflict(scene: Scene, caller: str) -> Call:
    mentee_id = await newcomer_for(scene, caller)
    return Call({"mentee": str(mentee_id), "mentor": str(scene.mentor_id("mentor_two"))})


@operation(
    "withdrawConflictOfInterest",
    "mutation($id: UUID!) { withdrawConflictOfInterest(id: $id) }",
    owner="agency",
)
async def _withdraw_conflict(scene: Scene, caller: str) -> Call:
    mentee_id = await newcomer_for(scene, caller)
    async with scene.transaction() as session:
        conflict = await conflicts.declare_conflict(
            session,
            scene.actors["agency_coordinator"],
            mentee_id,
            scene.mentor_id("mentor_two"),
            ConflictKind.FAMILY,
        )
        return Call({"id": str(conflict.id)})


# --- The employer's mentors, seen according to their visibility -------------------------
# Target: mentor_private, visible to the employer's own members only. The mentor
# caller is a colleague of the same employer.


def hidden_mentor(scene: Scene) -> str:
    return str(scene.mentor_id("mentor_private"))


@operation(
    "mentors",
    "{ mentors { items { id } } }",
    owner="employer",
    mentor="mentor",
    listed=("mentors", "items", "id"),
)
async def _mentors(scene: Scene, caller: str) -> Call:
    return Call(target=hidden_mentor(scene))


@operation("mentor", "query($id: UUID!) { mentor(id: $id) { id } }", owner="employer", mentor="mentor")
async def _mentor(scene: Scene, caller: str) -> Call:
    return Call({"id": hidden_mentor(scene)})


@operation(
    "mentorSearch", "{ mentorSearch { items { id } } }",
    owner="employer", mentor="mentor", listed=("mentorSearch", "items", "id"),
)  # fmt: skip
async def _mentor_search(scene: Scene, caller: str) -> Call:
    await scene.shared("indexed", lambda: drain(scene.sessions, scene.search))
    return Call(target=hidden_mentor(scene))


# --- The hub's program and what happens in it -----------------------------------------


def program(scene: Scene) -> str:
    return str(scene.program_id)


@operation("referrals", "{ referrals { items { id } } }", listed=("referrals", "items", "id"))
async def _referrals(scene: Scene, caller: str) -> Call:
    return Call(target=str(await shared_referral(scene)))


@operation("referral", "query($id: UUID!) { referral(id: $id) { id } }")
async def _referral(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await shared_referral(scene))})


@operation("eligibility", "query($id: UUID!) { eligibility(referralId: $id) { passed } }")
async def _eligibility(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await shared_referral(scene))})


@operation("suggestions", "query($id: UUID!) { suggestions(referralId: $id) { items { rank } } }")
async def _suggestions(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await shared_referral(scene))})


@operation(
    "menteeSuggestions",
    "query($p: UUID!, $m: UUID!) { menteeSuggestions(programId: $p, mentorId: $m) { items { rank } } }",
)
async def _mentee_suggestions(scene: Scene, caller: str) -> Call:
    await shared_referral(scene)
    return Call({"p": program(scene), "m": str(scene.mentor_id("mentor"))})


@operation("waitingList", "query($id: UUID!) { waitingList(programId: $id) { daysWaiting } }")
async def _waiting_list(scene: Scene, caller: str) -> Call:
    await shared_referral(scene)
    return Call({"id": program(scene)})


@operation("matchingSettings", "query($id: UUID!) { matchingSettings(programId: $id) { minimumScore } }")
async def _matching_settings(scene: Scene, caller: str) -> Call:
    return Call({"id": program(scene)})


@operation("cohortRuns", "query($id: UUID!) { cohortRuns(programId: $id) { items { id } } }")
async def _cohort_runs(scene: Scene, caller: str) -> Call:
    return Call({"id": program(scene)})


@operation("cohortRun", "query($id: UUID!) { cohortRun(id: $id) { id } }")
async def _cohort_run(scene: Scene, caller: str) -> Call:
    run_id, _ = await scene.shared("run", lambda: cohort_run(scene))
    return Call({"id": str(run_id)})


@operation(
    "proposals", "{ proposals { items { id } } }", mentor="mentor", listed=("proposals", "items", "id")
)
async def _proposals(scene: Scene, caller: str) -> Call:
    proposal_id, _ = await shared_mentorship(scene)
    return Call(target=str(proposal_id))


@operation(
    "mentorships", "{ mentorships { items { id } } }", mentor="mentor", listed=("mentorships", "items", "id")
)
async def _mentorships(scene: Scene, caller: str) -> Call:
    _, mentorship_id = await shared_mentorship(scene)
    return Call(target=str(mentorship_id))


@operation("mentorship", "query($id: UUID!) { mentorship(id: $id) { id } }", mentor="mentor")
async def _mentorship(scene: Scene, caller: str) -> Call:
    _, mentorship_id = await shared_mentorship(scene)
    return Call({"id": str(mentorship_id)})


@operation("admitReferral", "mutation($id: UUID!) { admitReferral(id: $id) { status } }")
async def _admit_referral(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await submitted(scene, await newcomer_for(scene, caller)))})


@operation(
    "returnReferral", 'mutation($id: UUID!) { returnReferral(id: $id, reasons: ["No places"]) { status } }'
)
async def _return_referral(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await submitted(scene, await newcomer_for(scene, caller)))})


@operation(
    "proposeMatch", "mutation($r: UUID!, $m: UUID!) { proposeMatch(referralId: $r, mentorId: $m) { id } }"
)
async def _propose_match(scene: Scene, caller: str) -> Call:
    referral_id = await admitted(scene, await newcomer_for(scene, caller))
    return Call({"r": str(referral_id), "m": str(scene.mentor_id(target_mentor(caller)))})


LOG_MEETING = """mutation($id: UUID!, $on: Date!) {
    logMeeting(input: {mentorshipId: $id, occurredOn: $on, minutes: 60, mode: VIDEO}) { id } }"""


@operation("logMeeting", LOG_MEETING, mentor="mentor")
async def _log_meeting(scene: Scene, caller: str) -> Call:
    mentorship_id = await active_mentorship(scene, caller)
    return Call({"id": str(mentorship_id), "on": clock.now().date().isoformat()})


@operation(
    "extendMentorship",
    "mutation($id: UUID!, $end: Date!) { extendMentorship(id: $id, newEnd: $end) { id } }",
    mentor="mentor",
)
async def _extend_mentorship(scene: Scene, caller: str) -> Call:
    mentorship_id = await active_mentorship(scene, caller)
    return Call({"id": str(mentorship_id), "end": (clock.now().date() + timedelta(days=400)).isoformat()})


@operation(
    "closeMentorship",
    "mutation($id: UUID!) { closeMentorship(id: $id, status: COMPLETED) { status } }",
    mentor="mentor",
)
async def _close_mentorship(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await active_mentorship(scene, caller))})


RECORD_OUTCOME = """mutation($id: UUID!) {
    recordOutcome(input: {mentorshipId: $id, stage: CLOSURE, status: EMPLOYED_IN_FIELD}) { id } }"""


@operation("recordOutcome", RECORD_OUTCOME, mentor="mentor")
async def _record_outcome(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await closed_mentorship(scene, caller))})


@operation(
    "updateProgramRules",
    "mutation($id: UUID!, $rules: JSON!) { updateProgramRules(programId: $id, rules: $rules) { version } }",
)
async def _update_program_rules(scene: Scene, caller: str) -> Call:
    async with scene.transaction() as session:
        rules = (await programs.current_rules(session, scene.program_id)).rules
    return Call({"id": program(scene), "rules": rules})


@operation(
    "updateMatchingSettings",
    """mutation($id: UUID!) {
    updateMatchingSettings(programId: $id, input: {minimumScore: 0.5}) { minimumScore } }""",
)
async def _update_matching_settings(scene: Scene, caller: str) -> Call:
    return Call({"id": program(scene)})


@operation("runCohortMatching", "mutation($id: UUID!) { runCohortMatching(programId: $id) { id } }")
async def _run_cohort_matching(scene: Scene, caller: str) -> Call:
    await shared_referral(scene)  # a run reserves nothing: the waiting list stays as it is
    return Call({"id": program(scene)})


@operation(
    "sendCohortDrafts",
    "mutation($r: UUID!, $d: [UUID!]!) { sendCohortDrafts(runId: $r, draftIds: $d) { id } }",
)
async def _send_cohort_drafts(scene: Scene, caller: str) -> Call:
    run_id, draft_id = await cohort_run(scene)
    return Call({"r": str(run_id), "d": [str(draft_id)]})


@operation(
    "discardCohortDrafts",
    "mutation($r: UUID!, $d: [UUID!]!) { discardCohortDrafts(runId: $r, draftIds: $d) { id } }",
)
async def _discard_cohort_drafts(scene: Scene, caller: str) -> Call:
    run_id, draft_id = await cohort_run(scene)
    return Call({"r": str(run_id), "d": [str(draft_id)]})


# --- The hub's events -----------------------------------------------------------------
# Reads and the organizers' changes target an event for the hub's members only; taking
# a place targets a platform-wide one, which newcomers and mentors may see.


@operation("events", "{ events { items { id } } }", listed=("events", "items", "id"))
async def _events(scene: Scene, caller: str) -> Call:
    return Call(target=str(await scene.shared("event", lambda: hub_event(scene))))


@operation("event", "query($id: UUID!) { event(id: $id) { id } }")
async def _event(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await scene.shared("event", lambda: hub_event(scene)))})


@operation("updateEvent", "mutation($id: UUID!) { updateEvent(id: $id, input: {capacity: 30}) { id } }")
async def _update_event(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await hub_event(scene))})


@operation("cancelEvent", "mutation($id: UUID!) { cancelEvent(id: $id) { id } }")
async def _cancel_event(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await hub_event(scene))})


@operation("registerForEvent", "mutation($id: UUID!) { registerForEvent(id: $id) { id } }", mentor="mentor")
async def _register_for_event(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await hub_event(scene, EventAudience.PLATFORM))})


@operation(
    "cancelRegistration", "mutation($id: UUID!) { cancelRegistration(id: $id) { id } }", mentor="mentor"
)
async def _cancel_registration(scene: Scene, caller: str) -> Call:
    """Each caller who can take a place holds one; the others hold none."""
    event_id = await hub_event(scene, EventAudience.PLATFORM)
    holder = {"mentor": "mentor", "mentee": "client"}.get(caller)
    if holder is not None:
        async with scene.transaction() as session:
            await events.register(session, scene.actors[holder], event_id)
    return Call({"id": str(event_id)})


@operation(
    "recordAttendance",
    """mutation($id: UUID!, $u: UUID!) {
    recordAttendance(id: $id, attendance: [{userId: $u, attended: true}]) { id } }""",
)
async def _record_attendance(scene: Scene, caller: str) -> Call:
    """A platform-wide event the client registered for, which has started."""
    event_id = await hub_event(scene, EventAudience.PLATFORM)
    async with scene.transaction() as session:
        await events.register(session, scene.actors["client"], event_id)
        await session.execute(
            update(Event).where(col(Event.id) == event_id).values(starts_at=clock.now() - timedelta(hours=1))
        )
    return Call({"id": str(event_id), "u": person_id(scene, "client")})


# --- The hub's connector program (plugin) ----------------------------------------------


@operation(
    "connectorMeetings", "{ connectorMeetings { items { id } } }",
    mentor="mentor", listed=("connectorMeetings", "items", "id"),
)  # fmt: skip
async def _connector_meetings(scene: Scene, caller: str) -> Call:
    meeting_id = await scene.shared("meeting", lambda: shared_meeting(scene))
    return Call(target=str(meeting_id))


@operation("connectorMeeting", "query($id: UUID!) { connectorMeeting(id: $id) { id } }", mentor="mentor")
async def _connector_meeting(scene: Scene, caller: str) -> Call:
    meeting_id = await scene.shared("meeting", lambda: shared_meeting(scene))
    return Call({"id": str(meeting_id)})


@operation(
    "introductionChain", "query($id: UUID!) { introductionChain(menteeId: $id) { step } }", mentor="mentor"
)
async def _introduction_chain(scene: Scene, caller: str) -> Call:
    await scene.shared("meeting", lambda: shared_meeting(scene))
    return Call({"id": client(scene)})


SCHEDULE = """mutation($r: UUID!, $c: UUID!, $on: Date!) {
    scheduleConnectorMeeting(input: {referralId: $r, connectorId: $c, scheduledOn: $on}) { id } }"""


@operation("scheduleConnectorMeeting", SCHEDULE)
async def _schedule_connector_meeting(scene: Scene, caller: str) -> Call:
    program_id = await connector_program(scene)
    referral_id = await admitted(scene, await newcomer_for(scene, caller), program_id)
    return Call(
        {"r": str(referral_id), "c": str(scene.mentor_id("mentor_two")), "on": clock.now().date().isoformat()}
    )


@operation(
    "recordIntroductionConsent",
    "mutation($id: UUID!) { recordIntroductionConsent(meetingId: $id, consent: true) { id } }",
    mentor="mentor",
)
async def _record_introduction_consent(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await connector_meeting(scene, caller))})


@operation(
    "markConnectorMeetingHeld",
    "mutation($id: UUID!) { markConnectorMeetingHeld(id: $id) { id } }",
    mentor="mentor",
)
async def _mark_held(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await connector_meeting(scene, caller))})


INTRODUCE = """mutation($id: UUID!) { recordIntroduction(input: {meetingId: $id, contactName: "Dana",
    contactEmail: "dana@example.org"}) { id } }"""


@operation("recordIntroduction", INTRODUCE, mentor="mentor")
async def _record_introduction(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await connector_meeting(scene, caller, held=True))})


@operation(
    "completeConnectorMeeting",
    "mutation($id: UUID!) { completeConnectorMeeting(id: $id) { id } }",
    mentor="mentor",
)
async def _complete_meeting(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await connector_meeting(scene, caller, held=True, introductions=3))})


FOLLOW_UP = """mutation($id: UUID!, $on: Date!) {
    recordIntroductionFollowUp(input: {introductionId: $id, occurredOn: $on, outcome: MET}) { id } }"""


@operation("recordIntroductionFollowUp", FOLLOW_UP, mentor="mentor")
async def _record_follow_up(scene: Scene, caller: str) -> Call:
    meeting_id = await connector_meeting(scene, caller, held=True, introductions=1)
    async with scene.transaction() as session:
        (introduction,) = await connector.introductions(session, meeting_id)
    return Call({"id": str(introduction.id), "on": clock.now().date().isoformat()})


@operation(
    "agreeToContinue",
    "mutation($id: UUID!) { agreeToContinue(meetingId: $id, agree: true) { id } }",
    mentor="mentor",
)
async def _agree_to_continue(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await connector_meeting(scene, caller, held=True))})


@operation(
    "upgradeConnectionToMentorship",
    "mutation($id: UUID!, $p: UUID!) { upgradeConnectionToMentorship(meetingId: $id, programId: $p) { id } }",
    mentor="mentor",
)
async def _upgrade_connection(scene: Scene, caller: str) -> Call:
    meeting_id = await connector_meeting(scene, caller, held=True, agreed=True, in_open_program=True)
    return Call({"id": str(meeting_id), "p": program(scene)})


# --- The hub's group program (plugin) --------------------------------------------------
# Cohorts the mentor mentors and the client attends.


@operation("cohorts", "{ cohorts { items { id } } }", mentor="mentor", listed=("cohorts", "items", "id"))
async def _cohorts(scene: Scene, caller: str) -> Call:
    return Call(target=str(await scene.shared("cohort", lambda: fresh_cohort(scene))))


@operation("cohort", "query($id: UUID!) { cohort(id: $id) { id } }", mentor="mentor")
async def _cohort(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await scene.shared("cohort", lambda: fresh_cohort(scene)))})


@operation(
    "createCohort", "mutation($input: CohortInput!) { createCohort(input: $input) { id } }", mentor="mentor"
)
async def _create_cohort(scene: Scene, caller: str) -> Call:
    program_id, _ = await group_program(scene)
    starts = (clock.now().date() - timedelta(days=14)).isoformat()
    return Call(
        {
            "input": {
                "programId": str(program_id),
                "name": "Cohorte",
                "sector": "21",
                "language": "FR",
                "startsOn": starts,
            }
        }
    )


@operation("closeCohort", "mutation($id: UUID!) { closeCohort(id: $id) { id } }", mentor="mentor")
async def _close_cohort(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await fresh_cohort(scene))})


@operation(
    "addCohortMentor",
    "mutation($id: UUID!, $m: UUID!) { addCohortMentor(cohortId: $id, mentorId: $m) { id } }",
    mentor="mentor",
)
async def _add_cohort_mentor(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await fresh_cohort(scene)), "m": str(scene.mentor_id("mentor_two"))})


@operation(
    "addCohortMentee",
    "mutation($id: UUID!, $m: UUID!) { addCohortMentee(cohortId: $id, menteeId: $m) { id } }",
    mentor="mentor",
)
async def _add_cohort_mentee(scene: Scene, caller: str) -> Call:
    _, second = await group_program(scene)
    return Call({"id": str(await fresh_cohort(scene)), "m": str(second)})


@operation(
    "removeCohortMember",
    "mutation($id: UUID!, $m: UUID!) { removeCohortMember(cohortId: $id, mentorId: $m) { id } }",
    mentor="mentor",
)
async def _remove_cohort_member(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await fresh_cohort(scene)), "m": str(scene.mentor_id("mentor"))})


SCHEDULE_SESSION = """mutation($id: UUID!, $on: Date!) {
    scheduleGroupSession(input: {cohortId: $id, heldOn: $on, minutes: 90, topic: "Réseautage"}) { id } }"""


@operation("scheduleGroupSession", SCHEDULE_SESSION, mentor="mentor")
async def _schedule_group_session(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await fresh_cohort(scene)), "on": clock.now().date().isoformat()})


@operation(
    "recordGroupAttendance",
    """mutation($id: UUID!, $m: UUID!) {
    recordGroupAttendance(sessionId: $id, presentMenteeIds: [$m], presentMentorIds: []) { id } }""",
    mentor="mentor",
)
async def _record_group_attendance(scene: Scene, caller: str) -> Call:
    cohort_id = await fresh_cohort(scene)
    async with scene.transaction() as session:
        entry = await group.schedule_session(
            session,
            scene.actors["hub_coordinator"],
            cohort_id,
            held_on=clock.now().date() - timedelta(days=7),
            minutes=90,
            topic="Réseautage",
        )
    return Call({"id": str(entry.session.id), "m": client(scene)})


# --- Identity: sign-on, local accounts, integration clients ----------------------------

SIGN_ON = {
    "issuer": "https://login.example.org",
    "clientId": "tremplin",
    "clientSecret": "a-secret-long-enough-for-the-provider",
    "newMemberRole": "COORDINATOR",
}

no_target("signOnProvider", "{ signOnProvider { issuer } }")
public("signOnOrganizations", "{ signOnOrganizations { signInPath } }")


@operation(
    "configureSignOn", "mutation($input: SignOnProviderInput!) { configureSignOn(input: $input) { issuer } }"
)
async def _configure_sign_on(scene: Scene, caller: str) -> Call:
    return Call({"input": SIGN_ON})


@operation("removeSignOn", "mutation { removeSignOn }")
async def _remove_sign_on(scene: Scene, caller: str) -> Call:
    """The hub's sign-on, set up afresh for each caller (removing it is the change)."""
    async with scene.transaction() as session:
        if await sign_on.get_provider(session, scene.actors["hub_admin"]) is None:
            await sign_on.configure_provider(
                session,
                scene.actors["hub_admin"],
                bytes(32),  # the sealing key: this secret is never unsealed here
                issuer=SIGN_ON["issuer"],
                client_id=SIGN_ON["clientId"],
                client_secret=SIGN_ON["clientSecret"],
                new_member_role=Role.COORDINATOR,
            )
    return Call()


no_target("requestEmailVerification", "mutation { requestEmailVerification }")


async def account_token(scene: Scene, purpose: AccountTokenPurpose) -> str:
    """A fresh link's token for a fresh account: the token is the credential, so the
    caller's own identity does not matter."""
    number = scene.number()
    token = security.new_token()
    async with scene.transaction() as session:
        user = await accounts.create_user(session, f"link{number}@example.org", "Link", PASSWORD)
        session.add(
            AccountToken(
                token_hash=security.token_digest(token),
                user_id=user.id,
                purpose=purpose,
                expires_at=clock.now() + timedelta(hours=1),
            )
        )
    return token


@operation("verifyEmail", "mutation($t: String!) { verifyEmail(token: $t) }")
async def _verify_email(scene: Scene, caller: str) -> Call:
    return Call({"t": await account_token(scene, AccountTokenPurpose.VERIFY_EMAIL)})


@operation(
    "resetPassword", 'mutation($t: String!) { resetPassword(token: $t, newPassword: "a new long password") }'
)
async def _reset_password(scene: Scene, caller: str) -> Call:
    return Call({"t": await account_token(scene, AccountTokenPurpose.RESET_PASSWORD)})


@operation("requestPasswordReset", "mutation($e: String!) { requestPasswordReset(email: $e) }")
async def _request_password_reset(scene: Scene, caller: str) -> Call:
    # A fresh address each time: requests are limited per address.
    return Call({"e": f"forgot{scene.number()}@example.org"})


async def hub_client(scene: Scene) -> uuid.UUID:
    async with scene.transaction() as session:
        client, _ = await integrations.create_integration_client(
            session, scene.actors["hub_admin"], "Case system", Role.VIEWER, ["clients"], {"clients"}
        )
        return client.id


@operation("integrationClients", "{ integrationClients { id } }", listed=("integrationClients", "id"))
async def _integration_clients(scene: Scene, caller: str) -> Call:
    return Call(target=str(await scene.shared("integration_client", lambda: hub_client(scene))))


@operation(
    "createIntegrationClient",
    "mutation($input: IntegrationClientInput!) { createIntegrationClient(input: $input) { clientSecret } }",
)
async def _create_integration_client(scene: Scene, caller: str) -> Call:
    return Call({"input": {"name": "Case system", "role": "VIEWER", "operations": ["clients"]}})


@operation(
    "revokeIntegrationClient", "mutation($id: UUID!) { revokeIntegrationClient(id: $id) { revokedAt } }"
)
async def _revoke_integration_client(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await hub_client(scene))})


# --- Consent, the audit trail and data rights (owner: the agency) -----------------------


@operation("consents", "query($id: UUID!) { consents(menteeId: $id) { id } }", owner="agency")
async def _consents(scene: Scene, caller: str) -> Call:
    return Call({"id": client(scene)})


GRANT_CONSENT = """mutation($id: UUID!) {
    grantConsent(input: {menteeId: $id, purpose: FEDERATION}) { id } }"""


@operation("grantConsent", GRANT_CONSENT, owner="agency")
async def _grant_consent(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await newcomer_for(scene, caller))})


@operation("revokeConsent", "mutation($id: UUID!) { revokeConsent(consentId: $id) { live } }", owner="agency")
async def _revoke_consent(scene: Scene, caller: str) -> Call:
    mentee_id = await newcomer_for(scene, caller)
    async with scene.transaction() as session:
        consent = await consents.grant_consent(
            session, scene.actors["agency_coordinator"], mentee_id, ConsentPurpose.FEDERATION
        )
        return Call({"id": str(consent.id)})


no_target("verifyAuditTrail", "{ verifyAuditTrail { valid } }", owner="agency")


@operation("personalData", "query($id: UUID!) { personalData(menteeId: $id) }", owner="agency")
async def _personal_data(scene: Scene, caller: str) -> Call:
    return Call({"id": client(scene)})


@operation(
    "anonymizePerson",
    "mutation($id: UUID!) { anonymizePerson(menteeId: $id) { menteeFiles } }",
    owner="agency",
)
async def _anonymize_person(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await newcomer_for(scene, caller))})


# --- Reports (owner: the hub, whose program it is) ----------------------------------------

REPORT = """query($id: UUID!) {
    report(input: {programId: $id, period: {start: "2025-01-01", end: "2026-01-01"}}) { aggregatesOnly } }"""


@operation("report", REPORT)
async def _report(scene: Scene, caller: str) -> Call:
    return Call({"id": program(scene)})


@operation(
    "requestReportExport",
    """mutation($id: UUID!) { requestReportExport(input: {programId: $id, format: CSV,
        period: {start: "2025-01-01", end: "2026-01-01"}}) { email } }""",
)
async def _request_report_export(scene: Scene, caller: str) -> Call:
    return Call({"id": program(scene)})


# --- The mentoring lifecycle (owner: the hub, whose program it is) ----------------------
# A program's settings and survey; a mentorship's agreement, goals, check-ins, surveys
# and certificate (the mentor: the one of the mentorship). A newcomer's orientation is
# their file's, so the agency owns it.

SCALE_QUESTION = {"kind": "SCALE", "textEn": "Useful?", "textFr": "Utile ?", "scaleMin": 1, "scaleMax": 5}


async def survey_question(scene: Scene) -> uuid.UUID:
    """A fresh scale question of the hub's program's survey."""
    async with scene.transaction() as session:
        question = await lifecycle.add_survey_question(
            session,
            scene.actors["hub_coordinator"],
            scene.program_id,
            lifecycle.QuestionData(
                kind=QuestionKind.SCALE, text_en="Useful?", text_fr="Utile ?", scale_min=1, scale_max=5
            ),
        )
        return question.id


async def midway_mentorship(scene: Scene, caller: str) -> uuid.UUID:
    """A fresh active mentorship agreed just over half its term ago, so that its midpoint
    survey is open and its first check-in due: built through the services with the clock
    set back, as only time opens a survey."""
    async with scene.transaction() as session:
        term_days = (await session.get_one(Program, scene.program_id)).term_weeks * 7
    with clock.frozen_at(clock.now() - timedelta(days=term_days // 2 + 1)):
        return await active_mentorship(scene, caller)


async def first_check_in(scene: Scene, mentorship_id: uuid.UUID) -> uuid.UUID:
    async with scene.transaction() as session:
        planned = await lifecycle.check_ins(session, scene.actors["hub_coordinator"], mentorship_id)
        return planned[0].id


async def shared_certificate(scene: Scene) -> uuid.UUID:
    """The shared mentorship, completed, with its certificate issued: the mentorship."""

    async def build() -> uuid.UUID:
        _, mentorship_id = await shared_mentorship(scene)
        staff = scene.actors["hub_coordinator"]
        async with scene.transaction() as session:
            await mentorships.close_mentorship(
                session, staff, mentorship_id, status=MentorshipStatus.COMPLETED
            )
        async with scene.transaction() as session:
            await lifecycle.issue_certificate(session, staff, mentorship_id)
        return mentorship_id

    return await scene.shared("certificate", build)


@operation(
    "lifecycleSettings",
    "query($id: UUID!) { lifecycleSettings(programId: $id) { meetingTargetHours } }",
)
async def _lifecycle_settings(scene: Scene, caller: str) -> Call:
    return Call({"id": program(scene)})


@operation(
    "updateLifecycleSettings",
    """mutation($id: UUID!) {
    updateLifecycleSettings(programId: $id, input: {meetingTargetHours: 30}) { meetingTargetHours } }""",
)
async def _update_lifecycle_settings(scene: Scene, caller: str) -> Call:
    return Call({"id": program(scene)})


@operation(
    "orientation",
    "query($id: UUID!) { orientation(menteeId: $id) { step done } }",
    owner="agency",
)
async def _orientation(scene: Scene, caller: str) -> Call:
    return Call({"id": client(scene)})


ORIENT = """mutation($id: UUID!, $on: Date!) {
    recordOrientationStep(input: {menteeId: $id, step: NEEDS_ASSESSMENT, completedOn: $on}) { step } }"""


@operation("recordOrientationStep", ORIENT, owner="agency")
async def _record_orientation_step(scene: Scene, caller: str) -> Call:
    mentee_id = await newcomer_for(scene, caller)
    return Call({"id": str(mentee_id), "on": clock.now().date().isoformat()})


@operation("agreement", "query($id: UUID!) { agreement(mentorshipId: $id) { accepted } }", mentor="mentor")
async def _agreement(scene: Scene, caller: str) -> Call:
    _, mentorship_id = await shared_mentorship(scene)
    return Call({"id": str(mentorship_id)})


@operation(
    "acceptAgreement",
    "mutation($id: UUID!) { acceptAgreement(mentorshipId: $id) { accepted } }",
    owner="agency",
    mentor="mentor",
)
async def _accept_agreement(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await active_mentorship(scene, caller))})


@operation(
    "mentorshipGoals", "query($id: UUID!) { mentorshipGoals(mentorshipId: $id) { id } }", mentor="mentor"
)
async def _mentorship_goals(scene: Scene, caller: str) -> Call:
    _, mentorship_id = await shared_mentorship(scene)
    return Call({"id": str(mentorship_id)})


@operation(
    "addGoal",
    'mutation($id: UUID!) { addGoal(mentorshipId: $id, text: "Five new contacts") { id } }',
    mentor="mentor",
)
async def _add_goal(scene: Scene, caller: str) -> Call:
    _, mentorship_id = await shared_mentorship(scene)
    return Call({"id": str(mentorship_id)})


@operation(
    "updateGoal",
    "mutation($id: UUID!) { updateGoal(id: $id, input: {progress: 40}) { progress } }",
    mentor="mentor",
)
async def _update_goal(scene: Scene, caller: str) -> Call:
    async def build() -> uuid.UUID:
        _, mentorship_id = await shared_mentorship(scene)
        async with scene.transaction() as session:
            goal = await lifecycle.add_goal(
                session, scene.actors["hub_coordinator"], mentorship_id, text="Five new contacts"
            )
            return goal.id

    return Call({"id": str(await scene.shared("goal", build))})


@operation("checkIns", "query($id: UUID!) { checkIns(mentorshipId: $id) { id } }", mentor="mentor")
async def _check_ins(scene: Scene, caller: str) -> Call:
    _, mentorship_id = await shared_mentorship(scene)
    return Call({"id": str(mentorship_id)})


@operation("dueCheckIns", "{ dueCheckIns { id } }", listed=("dueCheckIns", "id"))
async def _due_check_ins(scene: Scene, caller: str) -> Call:
    async def build() -> uuid.UUID:
        return await first_check_in(scene, await midway_mentorship(scene, "owner_coordinator"))

    return Call(target=str(await scene.shared("due_check_in", build)))


@operation(
    "recordCheckIn",
    "mutation($id: UUID!) { recordCheckIn(id: $id, pairStatus: ON_TRACK) { doneAt } }",
    mentor="mentor",
)
async def _record_check_in(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await first_check_in(scene, await active_mentorship(scene, caller)))})


@operation(
    "surveyQuestions",
    "query($id: UUID!) { surveyQuestions(programId: $id) { id } }",
    listed=("surveyQuestions", "id"),
)
async def _survey_questions(scene: Scene, caller: str) -> Call:
    question_id = await scene.shared("question", lambda: survey_question(scene))
    return Call({"id": program(scene)}, target=str(question_id))


ADD_QUESTION = """mutation($id: UUID!, $input: SurveyQuestionInput!) {
    addSurveyQuestion(programId: $id, input: $input) { id } }"""


@operation("addSurveyQuestion", ADD_QUESTION)
async def _add_survey_question(scene: Scene, caller: str) -> Call:
    return Call({"id": program(scene), "input": SCALE_QUESTION})


UPDATE_QUESTION = """mutation($id: UUID!, $input: SurveyQuestionInput!) {
    updateSurveyQuestion(id: $id, input: $input) { id } }"""


@operation("updateSurveyQuestion", UPDATE_QUESTION)
async def _update_survey_question(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await survey_question(scene)), "input": {**SCALE_QUESTION, "scaleMax": 7}})


@operation("retireSurveyQuestion", "mutation($id: UUID!) { retireSurveyQuestion(id: $id) { retiredAt } }")
async def _retire_survey_question(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await survey_question(scene))})


@operation("surveys", "query($id: UUID!) { surveys(mentorshipId: $id) { stage side } }", mentor="mentor")
async def _surveys(scene: Scene, caller: str) -> Call:
    _, mentorship_id = await shared_mentorship(scene)
    return Call({"id": str(mentorship_id)})


ANSWER_SURVEY = """mutation($id: UUID!, $q: UUID!) {
    answerSurvey(mentorshipId: $id, stage: MIDPOINT, answers: [{questionId: $q, scaleValue: 4}]) {
        stage } }"""


@operation("answerSurvey", ANSWER_SURVEY, mentor="mentor")
async def _answer_survey(scene: Scene, caller: str) -> Call:
    question_id = await scene.shared("question", lambda: survey_question(scene))
    return Call({"id": str(await midway_mentorship(scene, caller)), "q": str(question_id)})


@operation("surveyResults", "query($id: UUID!) { surveyResults(programId: $id) { answers } }")
async def _survey_results(scene: Scene, caller: str) -> Call:
    await scene.shared("question", lambda: survey_question(scene))
    return Call({"id": program(scene)})


@operation("certificate", "query($id: UUID!) { certificate(mentorshipId: $id) { id } }", mentor="mentor")
async def _certificate(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await shared_certificate(scene))})


@operation(
    "issueCertificate", "mutation($id: UUID!) { issueCertificate(mentorshipId: $id) { id } }", mentor="mentor"
)
async def _issue_certificate(scene: Scene, caller: str) -> Call:
    return Call({"id": str(await closed_mentorship(scene, caller))})


# --- What each caller should get --------------------------------------------------------

OK_FOR_ALL = (OK,) * 8
ALL_SIGNED_IN = (OK,) * 7 + (UNAUTHENTICATED,)


def row(*outcomes: str) -> dict[str, str]:
    assert len(outcomes) == len(CALLERS)
    return dict(zip(CALLERS, outcomes, strict=True))


# Short names, so that each row reads as a line of the table.
HID, NF, FB, UN = HIDDEN, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED

# Columns: owner_admin owner_coordinator owner_viewer | other_admin other_coordinator |
#          mentor mentee | anonymous
EXPECTED: dict[str, dict[str, str]] = {
    # Public: forms and the directory work before anyone signs in.
    "viewer": row(*OK_FOR_ALL),
    "organizations": row(*OK_FOR_ALL),
    "programTypes": row(*OK_FOR_ALL),
    "programs": row(*OK_FOR_ALL),
    "program": row(*OK_FOR_ALL),
    "activityKinds": row(*OK_FOR_ALL),
    "ruleFields": row(*OK_FOR_ALL),
    "programRules": row(*OK_FOR_ALL),
    "culturalRegions": row(*OK_FOR_ALL),
    "workStyleQuestions": row(*OK_FOR_ALL),
    "occupations": row(*OK_FOR_ALL),
    "industries": row(*OK_FOR_ALL),
    "signIn": row(*OK_FOR_ALL),
    # About oneself, or one's own organization.
    "plugins": row(*ALL_SIGNED_IN),
    "myEvents": row(*ALL_SIGNED_IN),
    "signOut": row(*ALL_SIGNED_IN),
    "setLanguage": row(*ALL_SIGNED_IN),
    "setPluginEnabled": row(OK, FB, FB, OK, FB, FB, FB, UN),
    "addMember": row(OK, FB, FB, OK, FB, FB, FB, UN),
    "createProgram": row(OK, OK, FB, OK, OK, FB, FB, UN),
    "registerMentee": row(OK, OK, FB, OK, OK, FB, FB, UN),
    "createEvent": row(OK, OK, FB, OK, OK, FB, FB, UN),
    "saveMyMentorProfile": row(FB, FB, FB, FB, FB, OK, FB, UN),
    # A newcomer's file (owner: the agency; the mentor has no part in it).
    "clients": row(OK, OK, OK, HID, HID, FB, FB, UN),
    "mentee": row(OK, OK, OK, NF, NF, NF, OK, UN),
    "updateMentee": row(OK, OK, FB, NF, NF, NF, OK, UN),
    "conflictsOfInterest": row(OK, OK, OK, NF, NF, NF, OK, UN),
    "attendanceSummary": row(OK, OK, OK, NF, NF, NF, OK, UN),
    "auditEvents": row(OK, FB, FB, HID, FB, FB, FB, UN),
    "submitReferral": row(OK, OK, FB, NF, NF, NF, OK, UN),
    "withdrawReferral": row(OK, OK, FB, NF, NF, NF, OK, UN),
    "declareConflictOfInterest": row(OK, OK, FB, NF, NF, NF, OK, UN),
    "withdrawConflictOfInterest": row(OK, OK, FB, NF, NF, NF, OK, UN),
    # The agency answers a proposal on its client's behalf; the mentor is the proposed one.
    "answerProposal": row(OK, OK, FB, NF, NF, OK, OK, UN),
    # The employer's mentor kept to its own organization (the mentor: a colleague).
    "mentors": row(OK, OK, OK, HID, HID, OK, HID, UN),
    "mentor": row(OK, OK, OK, NF, NF, OK, NF, UN),
    "mentorSearch": row(OK, OK, OK, HID, HID, OK, HID, UN),
    # The hub's program: its referrals, and its staff's workspace (a decision on a
    # referral, the waiting list, matching, cohort runs, rules), which nobody outside
    # the hub may reach: NOT_FOUND, the referring agency and the newcomer included.
    "referrals": row(OK, OK, OK, HID, HID, HID, OK, UN),
    "referral": row(OK, OK, OK, NF, NF, NF, OK, UN),
    "eligibility": row(OK, OK, OK, NF, NF, NF, NF, UN),
    "suggestions": row(OK, OK, OK, NF, NF, NF, NF, UN),
    "menteeSuggestions": row(OK, OK, OK, NF, NF, NF, NF, UN),
    "waitingList": row(OK, OK, OK, NF, NF, NF, NF, UN),
    "matchingSettings": row(OK, OK, OK, NF, NF, NF, NF, UN),
    "cohortRuns": row(OK, OK, OK, NF, NF, NF, NF, UN),
    "cohortRun": row(OK, OK, OK, NF, NF, NF, NF, UN),
    "admitReferral": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "returnReferral": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "proposeMatch": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "updateProgramRules": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "updateMatchingSettings": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "runCohortMatching": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "sendCohortDrafts": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "discardCohortDrafts": row(OK, OK, FB, NF, NF, NF, NF, UN),
    # The hub's mentorships: the pair (the mentor: the one of the mentorship) see them.
    "proposals": row(OK, OK, OK, HID, HID, OK, OK, UN),
    "mentorships": row(OK, OK, OK, HID, HID, OK, OK, UN),
    "mentorship": row(OK, OK, OK, NF, NF, OK, OK, UN),
    "logMeeting": row(FB, FB, FB, NF, NF, OK, OK, UN),
    "extendMentorship": row(OK, OK, FB, NF, NF, FB, FB, UN),
    "closeMentorship": row(OK, OK, FB, NF, NF, FB, FB, UN),
    "recordOutcome": row(OK, OK, FB, NF, NF, FB, OK, UN),
    # The hub's events: for its members (reads, changes), platform-wide (places).
    "events": row(OK, OK, OK, HID, HID, HID, HID, UN),
    "event": row(OK, OK, OK, NF, NF, NF, NF, UN),
    "updateEvent": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "cancelEvent": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "recordAttendance": row(OK, OK, FB, FB, FB, FB, FB, UN),
    "registerForEvent": row(FB, FB, FB, FB, FB, OK, OK, UN),
    "cancelRegistration": row(*(["NOT_REGISTERED"] * 5), OK, OK, UN),
    # The hub's connector program (the mentor: the meeting's connector).
    "connectorMeetings": row(OK, OK, OK, HID, HID, OK, OK, UN),
    "connectorMeeting": row(OK, OK, OK, NF, NF, OK, OK, UN),
    "introductionChain": row(OK, OK, OK, NF, NF, OK, OK, UN),
    "scheduleConnectorMeeting": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "recordIntroductionConsent": row(OK, OK, FB, NF, NF, FB, OK, UN),
    "markConnectorMeetingHeld": row(FB, FB, FB, NF, NF, OK, FB, UN),
    "recordIntroduction": row(FB, FB, FB, NF, NF, OK, FB, UN),
    "completeConnectorMeeting": row(OK, OK, FB, NF, NF, OK, FB, UN),
    "recordIntroductionFollowUp": row(FB, FB, FB, NF, NF, FB, OK, UN),
    "agreeToContinue": row(FB, FB, FB, NF, NF, OK, OK, UN),
    "upgradeConnectionToMentorship": row(OK, OK, FB, NF, NF, FB, FB, UN),
    # The hub's group program (the mentor mentors the cohort, the newcomer attends it).
    # Programs are public, so creating a cohort in another's is FORBIDDEN.
    "cohorts": row(OK, OK, OK, HID, HID, OK, OK, UN),
    "cohort": row(OK, OK, OK, NF, NF, OK, OK, UN),
    "createCohort": row(OK, OK, FB, FB, FB, FB, FB, UN),
    "closeCohort": row(OK, OK, FB, NF, NF, FB, FB, UN),
    "addCohortMentor": row(OK, OK, FB, NF, NF, FB, FB, UN),
    "addCohortMentee": row(OK, OK, FB, NF, NF, FB, FB, UN),
    "removeCohortMember": row(OK, OK, FB, NF, NF, FB, FB, UN),
    "scheduleGroupSession": row(OK, OK, FB, NF, NF, FB, FB, UN),
    "recordGroupAttendance": row(OK, OK, FB, NF, NF, FB, FB, UN),
    # Identity: each organization's admin manages its own sign-on and integration
    # clients (another organization's admin gets theirs: empty, or nothing to remove).
    "signOnProvider": row(OK, FB, FB, OK, FB, FB, FB, UN),
    "signOnOrganizations": row(*OK_FOR_ALL),
    "configureSignOn": row(OK, FB, FB, OK, FB, FB, FB, UN),
    "removeSignOn": row(OK, FB, FB, "SIGN_ON_NOT_CONFIGURED", FB, FB, FB, UN),
    "integrationClients": row(OK, FB, FB, HID, FB, FB, FB, UN),
    "createIntegrationClient": row(OK, FB, FB, OK, FB, FB, FB, UN),
    "revokeIntegrationClient": row(OK, FB, FB, NF, FB, FB, FB, UN),
    # Local accounts: one's own address; a link's token is its own credential.
    "requestEmailVerification": row(*ALL_SIGNED_IN),
    "verifyEmail": row(*OK_FOR_ALL),
    "requestPasswordReset": row(*OK_FOR_ALL),
    "resetPassword": row(*OK_FOR_ALL),
    # Consent: the newcomer's, recorded by the agency owning the file; the trail and
    # data rights are the owning admin's (and the person's own).
    "consents": row(OK, OK, OK, NF, NF, NF, OK, UN),
    "grantConsent": row(OK, OK, FB, NF, NF, NF, OK, UN),
    "revokeConsent": row(OK, OK, FB, NF, NF, NF, OK, UN),
    "verifyAuditTrail": row(OK, FB, FB, OK, FB, FB, FB, UN),
    "personalData": row(OK, FB, FB, NF, NF, NF, OK, UN),
    "anonymizePerson": row(OK, FB, FB, NF, FB, FB, FB, UN),
    # A program's report: its organization's staff; another agency is not told it exists.
    "report": row(OK, OK, OK, NF, NF, FB, FB, UN),
    # Mailing it is reading it: the same people, refused with the same codes.
    "requestReportExport": row(OK, OK, OK, NF, NF, FB, FB, UN),
    # The mentoring lifecycle. A program's settings and survey questions are terms of
    # taking part that the pair and the referring agencies need to know: any signed-in
    # person reads them; only the program's staff change them or read the answers.
    "lifecycleSettings": row(*ALL_SIGNED_IN),
    "surveyQuestions": row(*ALL_SIGNED_IN),
    "updateLifecycleSettings": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "addSurveyQuestion": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "updateSurveyQuestion": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "retireSurveyQuestion": row(OK, OK, FB, NF, NF, NF, NF, UN),
    "surveyResults": row(OK, OK, OK, NF, NF, NF, NF, UN),
    # A newcomer's orientation is part of their file (owner: the agency): the newcomer
    # reads their own steps; staff record them.
    "orientation": row(OK, OK, OK, NF, NF, NF, OK, UN),
    "recordOrientationStep": row(OK, OK, FB, NF, NF, NF, FB, UN),
    # A mentorship's agreement, goals, surveys and certificate: whoever sees the
    # mentorship reads them; the pair accept (the agency on its client's behalf), work
    # on the goals and answer the surveys for themselves.
    "agreement": row(OK, OK, OK, NF, NF, OK, OK, UN),
    "acceptAgreement": row(OK, OK, FB, NF, NF, OK, OK, UN),
    "mentorshipGoals": row(OK, OK, OK, NF, NF, OK, OK, UN),
    "addGoal": row(OK, OK, FB, NF, NF, OK, OK, UN),
    "updateGoal": row(OK, OK, FB, NF, NF, OK, OK, UN),
    "surveys": row(OK, OK, OK, NF, NF, OK, OK, UN),
    "answerSurvey": row(FB, FB, FB, NF, NF, OK, OK, UN),
    "certificate": row(OK, OK, OK, NF, NF, OK, OK, UN),
    # The facilitator's follow-up and the certificate's issue are the program staff's:
    # the pair see the mentorship but not the check-ins.
    "checkIns": row(OK, OK, OK, NF, NF, FB, FB, UN),
    "dueCheckIns": row(OK, OK, OK, HID, HID, FB, FB, UN),
    "recordCheckIn": row(OK, OK, FB, NF, NF, FB, FB, UN),
    "issueCertificate": row(OK, OK, FB, NF, NF, FB, FB, UN),
}


def caller_person(operation: Operation, caller: str) -> str | None:
    """The person acting as ``caller`` for ``operation`` (None: anonymous)."""
    if caller.startswith("owner_"):
        return f"{operation.owner}_{caller.removeprefix('owner_')}"
    if caller.startswith("other_"):
        return caller
    return {"mentor": operation.mentor, "mentee": "client", "anonymous": None}[caller]
