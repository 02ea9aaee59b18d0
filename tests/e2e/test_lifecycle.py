"""The mentoring lifecycle through /graphql: orientation before matching, the agreement,
goals, the meeting target, check-ins, surveys, closure — and what is refused."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import event, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from core import clock
from core.models import CheckIn, MenteeProfile, MentorshipStatus, OrientationStepKind, QuestionKind
from core.services import lifecycle, mentorships
from tests.e2e.test_bad_input import assert_refused
from tests.e2e.test_query_count import add_mentorships
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, active_mentorship, admitted_referral

AGREEMENT = """query($id: UUID!) { agreement(mentorshipId: $id) {
  goals agreementDate plannedEnd meetingTargetHours text textEn textFr
  mentorAcceptedAt menteeAcceptedAt accepted } }"""
ACCEPT = """mutation($id: UUID!) {
  acceptAgreement(mentorshipId: $id) { accepted mentorAcceptedAt menteeAcceptedAt } }"""
GOALS = "query($id: UUID!) { mentorshipGoals(mentorshipId: $id) { id text progress done } }"
ADD_GOAL = (
    "mutation($id: UUID!, $text: String!) { addGoal(mentorshipId: $id, text: $text) { id text progress } }"
)
UPDATE_GOAL = """mutation($id: UUID!, $input: GoalUpdateInput!) {
  updateGoal(id: $id, input: $input) { text progress done } }"""
TARGET = """query($id: UUID!) { mentorship(id: $id) {
  hoursLogged meetingTargetHours hoursExpected behindSchedule status closureKind } }"""
CHECK_INS = "query($id: UUID!) { checkIns(mentorshipId: $id) { id dueOn doneAt overdue pairStatus notes } }"
DUE = "query($days: Int!) { dueCheckIns(withinDays: $days) { id mentorshipId dueOn overdue } }"
RECORD_CHECK_IN = """mutation($id: UUID!) {
  recordCheckIn(id: $id, pairStatus: ON_TRACK, notes: "Good rhythm") { doneAt pairStatus notes } }"""
SETTINGS = """mutation($program: UUID!, $input: LifecycleSettingsInput!) {
  updateLifecycleSettings(programId: $program, input: $input) {
    orientationRequired meetingTargetHours checkInIntervalDays behindScheduleShare } }"""
ADD_QUESTION = """mutation($program: UUID!, $input: SurveyQuestionInput!) {
  addSurveyQuestion(programId: $program, input: $input) {
    id kind text scaleMin scaleMax minLabel maxLabel } }"""
UPDATE_QUESTION = """mutation($id: UUID!, $input: SurveyQuestionInput!) {
  updateSurveyQuestion(id: $id, input: $input) { id } }"""
ANSWER_SURVEY = """mutation($id: UUID!, $stage: SurveyStage!, $answers: [SurveyAnswerInput!]!) {
  answerSurvey(mentorshipId: $id, stage: $stage, answers: $answers) {
    stage side open submittedAt answers { questionId scaleValue text } } }"""
SURVEYS = """query($id: UUID!) { surveys(mentorshipId: $id) {
  stage side opensOn open submittedAt answers { scaleValue } } }"""
RESULTS = """query($program: UUID!) { surveyResults(programId: $program) {
  question { text } answers average distribution { value count } texts } }"""
CLOSE = """mutation($id: UUID!, $status: ClosureStatus!, $kind: ClosureKind, $reason: String!) {
  closeMentorship(id: $id, status: $status, kind: $kind, reason: $reason) { status closureKind } }"""
EXTEND = """mutation($id: UUID!, $end: Date!) { extendMentorship(id: $id, newEnd: $end) { plannedEnd } }"""
OUTCOME = """mutation($input: OutcomeInput!) { recordOutcome(input: $input) { stage } }"""
ISSUE = "mutation($id: UUID!) { issueCertificate(mentorshipId: $id) { id mentee mentor hours program } }"
PROPOSE = """mutation($referral: UUID!, $mentor: UUID!) {
  proposeMatch(referralId: $referral, mentorId: $mentor) { id status } }"""
ORIENT = """mutation($input: OrientationStepInput!) {
  recordOrientationStep(input: $input) { step name done completedOn } }"""
ORIENTATION = """query($mentee: UUID, $mentor: UUID) {
  orientation(menteeId: $mentee, mentorId: $mentor) { step name done completedOn } }"""
LOG = """mutation($input: MeetingInput!) { logMeeting(input: $input) { id } }"""

SCALE_QUESTION = {
    "kind": "SCALE",
    "textEn": "How useful were the meetings?",
    "textFr": "Les rencontres vous ont-elles été utiles ?",
    "scaleMin": 1,
    "scaleMax": 5,
    "minLabelEn": "Not at all",
    "minLabelFr": "Pas du tout",
    "maxLabelEn": "Very",
    "maxLabelFr": "Beaucoup",
}
TEXT_QUESTION = {"kind": "TEXT", "textEn": "What would you change?", "textFr": "Que changeriez-vous ?"}


async def started_days_ago(sessions: async_sessionmaker[AsyncSession], world: World, days: int) -> uuid.UUID:
    """An active mentorship (client with ``mentor``) whose agreement is ``days`` old."""
    with clock.frozen_at(clock.now() - timedelta(days=days)):
        return await active_mentorship(sessions, world)


async def add_questions(graphql: GraphQL, world: World, hub: str) -> tuple[str, str]:
    scale = await graphql.execute(
        ADD_QUESTION, {"program": str(world.program_id), "input": SCALE_QUESTION}, token=hub
    )
    text = await graphql.execute(
        ADD_QUESTION, {"program": str(world.program_id), "input": {**TEXT_QUESTION, "position": 1}}, token=hub
    )
    return scale["addSurveyQuestion"]["id"], text["addSurveyQuestion"]["id"]


async def tokens(graphql: GraphQL, world: World, *names: str) -> list[str]:
    return [await graphql.sign_in(world.emails[name], PASSWORD) for name in names]


async def test_from_agreement_to_certificate(graphql: GraphQL, sessions, world: World) -> None:
    hub, agency, mentor, client = await tokens(
        graphql, world, "hub_coordinator", "agency_coordinator", "mentor", "client"
    )
    program = str(world.program_id)
    settings = await graphql.execute(
        SETTINGS,
        {"program": program, "input": {"meetingTargetHours": 24, "checkInIntervalDays": 30}},
        token=hub,
    )
    assert settings["updateLifecycleSettings"] == {
        "orientationRequired": False,
        "meetingTargetHours": 24,
        "checkInIntervalDays": 30,
        "behindScheduleShare": 0.75,
    }
    scale_id, text_id = await add_questions(graphql, world, hub)
    mentorship_id = str(await started_days_ago(sessions, world, 50))
    variables = {"id": mentorship_id}

    # The agreement: generated at the start, in both languages, frozen.
    agreement = (await graphql.execute(AGREEMENT, variables, token=mentor, language="fr"))["agreement"]
    assert agreement["goals"] == ["Travailler comme ingénieure logiciel à Ottawa"]
    assert agreement["meetingTargetHours"] == 24
    assert agreement["text"] == agreement["textFr"]
    assert "ENTENTE DE MENTORAT" in agreement["textFr"] and "MENTORING AGREEMENT" in agreement["textEn"]
    for text in (agreement["textFr"], agreement["textEn"]):
        assert "Amina Haddad" in text and "Mentor" in text
        assert "- Travailler comme ingénieure logiciel à Ottawa" in text
    assert "Mentorat professionnel" in agreement["textFr"]
    assert "Career Mentoring" in agreement["textEn"]
    assert not agreement["accepted"]
    # The mentor accepts; the agency accepts on the newcomer's behalf.
    assert (await graphql.execute(ACCEPT, variables, token=mentor))["acceptAgreement"]["accepted"] is False
    accepted = (await graphql.execute(ACCEPT, variables, token=agency))["acceptAgreement"]
    assert accepted["accepted"] and accepted["menteeAcceptedAt"]
    assert (await graphql.execute(AGREEMENT, variables, token=hub))["agreement"]["accepted"]

    # Goals: from the action plan, then the pair's own.
    goals = (await graphql.execute(GOALS, variables, token=client))["mentorshipGoals"]
    assert [(goal["text"], goal["progress"]) for goal in goals] == [
        ("Travailler comme ingénieure logiciel à Ottawa", 0)
    ]
    added = (await graphql.execute(ADD_GOAL, {**variables, "text": "Réseau : 5 contacts"}, token=client))[
        "addGoal"
    ]
    updated = await graphql.execute(UPDATE_GOAL, {"id": added["id"], "input": {"progress": 40}}, token=mentor)
    assert updated["updateGoal"] == {"text": "Réseau : 5 contacts", "progress": 40, "done": False}
    done = await graphql.execute(UPDATE_GOAL, {"id": goals[0]["id"], "input": {"done": True}}, token=hub)
    assert done["updateGoal"]["progress"] == 100

    # The meeting target: 24 h over 84 days, 50 days in: 14.3 h expected; 2 h logged is behind.
    meeting = {"mentorshipId": mentorship_id, "occurredOn": clock.now().date().isoformat(), "mode": "VIDEO"}
    await graphql.execute(LOG, {"input": {**meeting, "minutes": 120}}, token=mentor)
    target = (await graphql.execute(TARGET, variables, token=hub))["mentorship"]
    assert target == {
        "hoursLogged": 2.0,
        "meetingTargetHours": 24,
        "hoursExpected": 14.3,
        "behindSchedule": True,
        "status": "ACTIVE",
        "closureKind": None,
    }
    await graphql.execute(LOG, {"input": {**meeting, "minutes": 540}}, token=client)
    assert (await graphql.execute(TARGET, variables, token=mentor))["mentorship"]["behindSchedule"] is False

    # Check-ins every 30 days of the 84-day term; the first is overdue.
    check_ins = (await graphql.execute(CHECK_INS, variables, token=hub))["checkIns"]
    start = clock.now().date() - timedelta(days=50)
    assert [c["dueOn"] for c in check_ins] == [(start + timedelta(days=d)).isoformat() for d in (30, 60)]
    assert [c["overdue"] for c in check_ins] == [True, False]
    due = (await graphql.execute(DUE, {"days": 0}, token=hub))["dueCheckIns"]
    assert [c["id"] for c in due] == [check_ins[0]["id"]]
    assert len((await graphql.execute(DUE, {"days": 10}, token=hub))["dueCheckIns"]) == 2
    recorded = (await graphql.execute(RECORD_CHECK_IN, {"id": check_ins[0]["id"]}, token=hub))[
        "recordCheckIn"
    ]
    assert recorded["pairStatus"] == "ON_TRACK" and recorded["doneAt"]
    assert (await graphql.execute(DUE, {"days": 0}, token=hub))["dueCheckIns"] == []

    # The midpoint survey is open (day 42); each side answers for themself.
    answers = [
        {"questionId": scale_id, "scaleValue": 4},
        {"questionId": text_id, "text": "Plus de réseautage"},
    ]
    answered = await graphql.execute(
        ANSWER_SURVEY, {**variables, "stage": "MIDPOINT", "answers": answers}, token=mentor
    )
    assert [(s["stage"], s["side"], bool(s["submittedAt"])) for s in answered["answerSurvey"]] == [
        ("MIDPOINT", "MENTOR", True),
        ("COMPLETION", "MENTOR", False),
    ]
    await graphql.execute(
        ANSWER_SURVEY,
        {**variables, "stage": "MIDPOINT", "answers": [{"questionId": scale_id, "scaleValue": 2}]},
        token=client,
    )
    own = (await graphql.execute(SURVEYS, variables, token=client))["surveys"]
    assert own[0]["side"] == "MENTEE" and own[0]["answers"] == [{"scaleValue": 2}]
    staff_view = (await graphql.execute(SURVEYS, variables, token=hub))["surveys"]
    assert len(staff_view) == 4 and all(state["answers"] is None for state in staff_view)
    results = (await graphql.execute(RESULTS, {"program": program}, token=hub, language="fr"))[
        "surveyResults"
    ]
    assert results == [
        {
            "question": {"text": "Les rencontres vous ont-elles été utiles ?"},
            "answers": 2,
            "average": 3.0,
            "distribution": [{"value": 2, "count": 1}, {"value": 4, "count": 1}],
            "texts": [],
        },
        {
            "question": {"text": "Que changeriez-vous ?"},
            "answers": 1,
            "average": None,
            "distribution": [],
            "texts": ["Plus de réseautage"],
        },
    ]
    # An answered question is frozen.
    await assert_refused(
        graphql,
        sessions,
        UPDATE_QUESTION,
        {"id": scale_id, "input": SCALE_QUESTION},
        code="SURVEY_QUESTION_ANSWERED",
        token=hub,
    )

    # Closure by mutual agreement: completed; the check-ins still to do are dropped.
    closed = await graphql.execute(
        CLOSE,
        {**variables, "status": "COMPLETED", "kind": "MUTUAL_AGREEMENT", "reason": "Goals met"},
        token=hub,
    )
    assert closed["closeMentorship"] == {"status": "COMPLETED", "closureKind": "MUTUAL_AGREEMENT"}
    assert [
        c["doneAt"] is not None for c in (await graphql.execute(CHECK_INS, variables, token=hub))["checkIns"]
    ] == [True]
    # The completion survey opens at closure.
    await graphql.execute(
        ANSWER_SURVEY,
        {**variables, "stage": "COMPLETION", "answers": [{"questionId": scale_id, "scaleValue": 5}]},
        token=client,
    )
    certificate = (await graphql.execute(ISSUE, variables, token=hub, language="fr"))["issueCertificate"]
    assert certificate["mentee"] == "Amina Haddad" and certificate["mentor"] == "Mentor"
    assert certificate["hours"] == 11.0 and certificate["program"] == "Mentorat professionnel"
    again = (await graphql.execute(ISSUE, variables, token=hub))["issueCertificate"]
    assert again["id"] == certificate["id"], "issued once"


async def test_orientation_is_required_before_matching_when_the_program_says_so(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub, agency, employer_mentor = await tokens(
        graphql, world, "hub_coordinator", "agency_coordinator", "mentor"
    )
    await graphql.execute(
        SETTINGS, {"program": str(world.program_id), "input": {"orientationRequired": True}}, token=hub
    )
    referral_id = await admitted_referral(sessions, world)
    variables = {"referral": str(referral_id), "mentor": str(world.mentor_ids["mentor"])}
    await assert_refused(graphql, sessions, PROPOSE, variables, code="ORIENTATION_INCOMPLETE", token=hub)
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(PROPOSE, variables, token=hub, language="fr")
    assert "personne nouvellement arrivée" in refused.value.message
    assert refused.value.errors[0]["extensions"]["field"] == "referralId"

    today = clock.now().date().isoformat()
    mentee = str(world.mentee_ids["client"])
    # The agency records one step; the program, through the live referral, the other.
    await graphql.execute(
        ORIENT,
        {"input": {"menteeId": mentee, "step": "NEEDS_ASSESSMENT", "completedOn": today}},
        token=agency,
    )
    steps = await graphql.execute(
        ORIENT,
        {"input": {"menteeId": mentee, "step": "ORIENTATION_SESSION", "completedOn": today}},
        token=hub,
    )
    assert [step["done"] for step in steps["recordOrientationStep"]] == [True, True]
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(PROPOSE, variables, token=hub)
    assert refused.value.code == "ORIENTATION_INCOMPLETE"
    assert refused.value.errors[0]["extensions"]["field"] == "mentorId"
    assert "mentor has not" in refused.value.message

    mentor = str(world.mentor_ids["mentor"])
    for step in ("ONE_TO_ONE_MEETING", "ORIENTATION", "TRAINING_WORKSHOP_DAY_1", "TRAINING_WORKSHOP_DAY_2"):
        await graphql.execute(
            ORIENT, {"input": {"mentorId": mentor, "step": step, "completedOn": today}}, token=hub
        )
    own = await graphql.execute(ORIENTATION, {"mentor": mentor}, token=employer_mentor, language="fr")
    assert [(s["name"], s["done"]) for s in own["orientation"]][2] == (
        "Atelier de formation, première demi-journée",
        True,
    )
    assert (await graphql.execute(PROPOSE, variables, token=hub))["proposeMatch"]["status"] == "PENDING"


async def test_orientation_bad_input_and_the_other_organization(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub, agency, other = await tokens(
        graphql, world, "hub_coordinator", "agency_coordinator", "other_coordinator"
    )
    today = clock.now().date()
    mentee = str(world.mentee_ids["client"])
    step = {"menteeId": mentee, "step": "NEEDS_ASSESSMENT", "completedOn": today.isoformat()}
    # The other agency has no grounds to see the client; the hub none before a referral.
    for token in (other, hub):
        await assert_refused(graphql, sessions, ORIENT, {"input": step}, code="NOT_FOUND", token=token)
        await assert_refused(
            graphql, sessions, ORIENTATION, {"mentee": mentee}, code="NOT_FOUND", token=token
        )
    # A mentor who only shows to their own organization is not found by the hub.
    private = {
        "mentorId": str(world.mentor_ids["mentor_private"]),
        "step": "ORIENTATION",
        "completedOn": str(today),
    }
    await assert_refused(graphql, sessions, ORIENT, {"input": private}, code="NOT_FOUND", token=hub)
    cases = [
        ({**step, "step": "TRAINING_WORKSHOP_DAY_1"}, "ORIENTATION_STEP_NOT_FOR_ROLE"),
        ({**step, "completedOn": (today + timedelta(days=1)).isoformat()}, "DATE_IN_FUTURE"),
        ({**step, "mentorId": str(world.mentor_ids["mentor"])}, "MENTEE_OR_MENTOR_REQUIRED"),
    ]
    for data, code in cases:
        await assert_refused(graphql, sessions, ORIENT, {"input": data}, code=code, token=agency)
    await graphql.execute(ORIENT, {"input": step}, token=agency)
    await assert_refused(
        graphql, sessions, ORIENT, {"input": step}, code="ORIENTATION_STEP_ALREADY_RECORDED", token=agency
    )


async def test_settings_questions_and_the_other_organization(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub, other, mentor = await tokens(graphql, world, "hub_coordinator", "other_coordinator", "mentor")
    program = str(world.program_id)
    for data in ({"checkInIntervalDays": 3}, {"meetingTargetHours": 0}):
        await assert_refused(
            graphql, sessions, SETTINGS, {"program": program, "input": data}, code="OUT_OF_RANGE", token=hub
        )
    await assert_refused(
        graphql,
        sessions,
        SETTINGS,
        {"program": program, "input": {"orientationRequired": True}},
        code="NOT_FOUND",
        token=other,
    )
    await assert_refused(
        graphql,
        sessions,
        SETTINGS,
        {"program": program, "input": {"orientationRequired": True}},
        code="NOT_FOUND",
        token=mentor,
    )
    bad_scale = {**SCALE_QUESTION, "scaleMin": 5, "scaleMax": 5}
    await assert_refused(
        graphql,
        sessions,
        ADD_QUESTION,
        {"program": program, "input": bad_scale},
        code="INVALID_SCALE",
        token=hub,
    )
    await assert_refused(
        graphql,
        sessions,
        ADD_QUESTION,
        {"program": program, "input": SCALE_QUESTION},
        code="NOT_FOUND",
        token=other,
    )
    await assert_refused(graphql, sessions, RESULTS, {"program": program}, code="NOT_FOUND", token=other)


async def test_the_other_organization_sees_none_of_a_mentorship(
    graphql: GraphQL, sessions, world: World
) -> None:
    mentorship_id = str(await started_days_ago(sessions, world, 50))
    (other,) = await tokens(graphql, world, "other_coordinator")
    variables = {"id": mentorship_id}
    for query in (AGREEMENT, ACCEPT, GOALS, CHECK_INS, SURVEYS, ISSUE):
        await assert_refused(graphql, sessions, query, variables, code="NOT_FOUND", token=other)
    await assert_refused(
        graphql, sessions, ADD_GOAL, {**variables, "text": "x"}, code="NOT_FOUND", token=other
    )
    assert (await graphql.execute(DUE, {"days": 90}, token=other))["dueCheckIns"] == []


async def test_refused_lifecycle_inputs(graphql: GraphQL, sessions, world: World) -> None:
    hub, mentor, client = await tokens(graphql, world, "hub_coordinator", "mentor", "client")
    scale_id, _ = await add_questions(graphql, world, hub)
    mentorship_id = str(await started_days_ago(sessions, world, 20))
    variables = {"id": mentorship_id}
    answers = [{"questionId": scale_id, "scaleValue": 3}]

    async def refused(query: str, extra: dict[str, Any], code: str, token: str) -> None:
        await assert_refused(graphql, sessions, query, {**variables, **extra}, code=code, token=token)

    # The midpoint (day 42) is not reached; a certificate waits for completion.
    await refused(ANSWER_SURVEY, {"stage": "MIDPOINT", "answers": answers}, "SURVEY_NOT_OPEN", mentor)
    await refused(ISSUE, {}, "CERTIFICATE_NOT_AVAILABLE", hub)

    # Goals, agreement, check-ins.
    goal_id = (await graphql.execute(GOALS, variables, token=mentor))["mentorshipGoals"][0]["id"]
    for progress in (-1, 101):
        await refused(UPDATE_GOAL, {"id": goal_id, "input": {"progress": progress}}, "OUT_OF_RANGE", mentor)
    await refused(ADD_GOAL, {"text": "  "}, "REQUIRED", client)
    await graphql.execute(ACCEPT, variables, token=mentor)
    await refused(ACCEPT, {}, "AGREEMENT_ALREADY_ACCEPTED", mentor)
    check_in = (await graphql.execute(CHECK_INS, variables, token=hub))["checkIns"][0]["id"]
    await refused(RECORD_CHECK_IN, {"id": check_in}, "FORBIDDEN", mentor)
    await graphql.execute(RECORD_CHECK_IN, {"id": check_in}, token=hub)
    await refused(RECORD_CHECK_IN, {"id": check_in}, "CHECK_IN_ALREADY_RECORDED", hub)

    # Extensions end after the current end.
    planned_end = date.fromisoformat(
        (await graphql.execute(AGREEMENT, variables, token=hub))["agreement"]["plannedEnd"]
    )
    for end in (planned_end, planned_end - timedelta(days=1)):
        await refused(EXTEND, {"end": end.isoformat()}, "INVALID_EXTENSION", hub)

    # Closure: the kind must fit; the end of the term is not before the planned end.
    await refused(CLOSE, {"status": "COMPLETED", "kind": "EARLY", "reason": ""}, "CLOSURE_KIND_MISMATCH", hub)
    await refused(CLOSE, {"status": "COMPLETED", "kind": "END_OF_TERM", "reason": ""}, "TERM_NOT_OVER", hub)
    await refused(CLOSE, {"status": "ENDED_EARLY", "kind": None, "reason": ""}, "REQUIRED", hub)
    closed = await graphql.execute(
        CLOSE, {**variables, "status": "COMPLETED", "kind": None, "reason": "Goals met"}, token=hub
    )
    assert closed["closeMentorship"]["closureKind"] == "MUTUAL_AGREEMENT"
    await refused(CLOSE, {"status": "COMPLETED", "kind": None, "reason": ""}, "MENTORSHIP_CLOSED", hub)
    await refused(ACCEPT, {}, "MENTORSHIP_CLOSED", client)

    # The completion survey opened at closure: answers within the scale, once.
    for value in (0, 6):
        answer = [{"questionId": scale_id, "scaleValue": value}]
        await refused(
            ANSWER_SURVEY, {"stage": "COMPLETION", "answers": answer}, "ANSWER_OUT_OF_RANGE", client
        )
    await refused(ANSWER_SURVEY, {"stage": "COMPLETION", "answers": []}, "SURVEY_INCOMPLETE", client)
    await refused(ANSWER_SURVEY, {"stage": "COMPLETION", "answers": answers}, "FORBIDDEN", hub)
    await graphql.execute(
        ANSWER_SURVEY, {**variables, "stage": "COMPLETION", "answers": answers}, token=client
    )
    await refused(
        ANSWER_SURVEY, {"stage": "COMPLETION", "answers": answers}, "SURVEY_ALREADY_ANSWERED", client
    )

    # Outcomes: a stage not yet due, then the closure stage twice.
    outcome = {"mentorshipId": mentorship_id, "stage": "MONTH_3", "status": "SEARCHING"}
    await assert_refused(graphql, sessions, OUTCOME, {"input": outcome}, code="OUTCOME_NOT_DUE", token=hub)
    await graphql.execute(OUTCOME, {"input": {**outcome, "stage": "CLOSURE"}}, token=hub)
    await assert_refused(
        graphql,
        sessions,
        OUTCOME,
        {"input": {**outcome, "stage": "CLOSURE"}},
        code="OUTCOME_ALREADY_RECORDED",
        token=hub,
    )


async def test_no_certificate_for_a_mentorship_ended_early(graphql: GraphQL, sessions, world: World) -> None:
    (hub,) = await tokens(graphql, world, "hub_coordinator")
    mentorship_id = await started_days_ago(sessions, world, 20)
    async with sessions() as session, session.begin():
        await mentorships.close_mentorship(
            session,
            world.actors["hub_coordinator"],
            mentorship_id,
            status=MentorshipStatus.ENDED_EARLY,
            reason="Moved away",
        )
    await assert_refused(
        graphql, sessions, ISSUE, {"id": str(mentorship_id)}, code="CERTIFICATE_NOT_AVAILABLE", token=hub
    )
    closed = (await graphql.execute(TARGET, {"id": str(mentorship_id)}, token=hub))["mentorship"]
    assert (closed["status"], closed["closureKind"]) == ("ENDED_EARLY", "EARLY")


async def test_end_of_term_and_extension_replan_check_ins(graphql: GraphQL, sessions, world: World) -> None:
    (hub,) = await tokens(graphql, world, "hub_coordinator")
    mentorship_id = await started_days_ago(sessions, world, 100)
    variables = {"id": str(mentorship_id)}
    before = (await graphql.execute(CHECK_INS, variables, token=hub))["checkIns"]
    assert len(before) == 2  # days 30 and 60 of 84
    planned_end = date.fromisoformat(
        (await graphql.execute(AGREEMENT, variables, token=hub))["agreement"]["plannedEnd"]
    )
    await graphql.execute(
        EXTEND, {**variables, "end": (planned_end + timedelta(days=40)).isoformat()}, token=hub
    )
    after = (await graphql.execute(CHECK_INS, variables, token=hub))["checkIns"]
    assert [c["id"] for c in after[:2]] == [c["id"] for c in before]
    assert len(after) == 4  # and days 90 and 120
    # The agreement keeps the term that was agreed.
    assert (await graphql.execute(AGREEMENT, variables, token=hub))["agreement"]["plannedEnd"] == str(
        planned_end
    )
    closed = await graphql.execute(
        CLOSE, {**variables, "status": "COMPLETED", "kind": None, "reason": ""}, token=hub
    )
    assert closed["closeMentorship"]["closureKind"] == "MUTUAL_AGREEMENT"  # the extended term is not over
    async with sessions() as session:
        assert await session.scalar(select(func.count()).where(CheckIn.mentorship_id == mentorship_id)) == 0


async def test_closing_at_the_end_of_the_term(graphql: GraphQL, sessions, world: World) -> None:
    (hub,) = await tokens(graphql, world, "hub_coordinator")
    variables = {"id": str(await started_days_ago(sessions, world, 90))}
    closed = await graphql.execute(
        CLOSE, {**variables, "status": "COMPLETED", "kind": None, "reason": ""}, token=hub
    )
    assert closed["closeMentorship"] == {"status": "COMPLETED", "closureKind": "END_OF_TERM"}
    target = (await graphql.execute(TARGET, variables, token=hub))["mentorship"]
    # Closed: expected hours stop at the term, and nobody is behind any more.
    assert (target["hoursExpected"], target["behindSchedule"]) == (24.0, False)


async def test_behind_schedule_in_lists_costs_a_bounded_number_of_statements(
    app: Litestar, graphql: GraphQL, sessions, world: World
) -> None:
    (hub,) = await tokens(graphql, world, "hub_coordinator")
    listing = """{ mentorships(limit: 200) { items {
      id hoursLogged hoursExpected behindSchedule meetingTargetHours } } }"""

    async def statements() -> tuple[int, int]:
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            seen.append(statement)

        engine = app.state.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            items = (await graphql.execute(listing, token=hub))["mentorships"]["items"]
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(items), len(seen)

    await add_mentorships(sessions, world, 5)
    small = await statements()
    await add_mentorships(sessions, world, 20)
    large = await statements()
    assert (small[0], large[0]) == (5, 25)
    assert small[1] == large[1]


def test_goals_come_from_the_career_goal_and_the_action_plan_lines() -> None:
    mentee = MenteeProfile(
        career_goal="Analyste de données",
        action_plan="1. Refaire le CV\n- Réseauter (5 contacts)\n\n• Refaire le CV\n",
    )
    assert lifecycle.action_plan_goals(mentee) == [
        "Analyste de données",
        "Refaire le CV",
        "Réseauter (5 contacts)",
    ]


def test_check_ins_fall_every_interval_until_the_planned_end() -> None:
    start = date(2026, 1, 1)
    assert lifecycle.check_in_dates(start, date(2026, 4, 1), 30) == [
        date(2026, 1, 31),
        date(2026, 3, 2),
        date(2026, 4, 1),
    ]
    assert lifecycle.check_in_dates(start, date(2026, 1, 20), 30) == []
    assert OrientationStepKind.NEEDS_ASSESSMENT in lifecycle.MENTEE_STEPS
    assert QuestionKind.SCALE.value == "scale"
