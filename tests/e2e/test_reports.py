"""Reports through /graphql and the HTTP exports: a program's staff see their own
figures whole; the lead organization and a funder see the collaborative and other
organizations as aggregates, small cells suppressed; everyone else is refused."""

import csv
import io
import uuid
import xml.etree.ElementTree as ElementTree
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import openpyxl
import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import mail
from core.models import (
    Answer,
    EmploymentStatus,
    Event,
    EventKind,
    EventRegistration,
    ImmigrationStatus,
    Language,
    MatchProposal,
    Meeting,
    MeetingMode,
    Membership,
    MenteeProfile,
    Mentorship,
    MentorshipStatus,
    OrganizationKind,
    Outcome,
    OutcomeStage,
    PairSide,
    ParticipantRole,
    ProposalStatus,
    QuestionKind,
    Referral,
    ReferralStatus,
    Role,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStage,
    User,
)
from core.services import accounts, organizations
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL, GraphQLError
from tests.mailbox import Mailbox
from tests.world import PASSWORD, World

REPORT = """
query($input: ReportInput!) { report(input: $input) {
  scope scopeName aggregatesOnly start end
  sections { key title description svg rows { key label value unit suppressed } } } }
"""
START, END = date(2025, 1, 1), date(2025, 7, 1)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
SVG = "{http://www.w3.org/2000/svg}"
# The program's survey: a scale question (reported), a written one and a scale question
# retired before anyone answered it (neither reported).
USEFUL = uuid.UUID("00000000-0000-4000-8000-00000000a001")
WRITTEN = uuid.UUID("00000000-0000-4000-8000-00000000a002")
RETIRED = uuid.UUID("00000000-0000-4000-8000-00000000a003")


def at(day: int, hour: int = 10) -> datetime:
    """A moment ``day`` days into the period."""
    return datetime(2025, 1, 1, hour, tzinfo=UTC) + timedelta(days=day)


async def build_scene(sessions: async_sessionmaker[AsyncSession], world: World) -> None:
    """Ten clients of the agency referred to the hub's program in the period: 7
    admitted, 2 returned, 1 waiting; the 7 matched 1 to 7 days after admission (4 of
    them served in French); 6 closed (5 completed, 1 early), each with 2 one-hour
    meetings; closure outcomes 5 employed in field, 1 searching; one networking event
    of the hub with 6 registered, 3 attended. One referral outside the period.
    Survey ("Useful?", 1 to 5): at completion the 6 newcomers answered 5, 4, 4, 3, 5, 5
    and their one mentor 4 for each pair; at midpoint 3 newcomers answered 2, 3, 4; the
    active pair's newcomer answered at midpoint after the period."""
    program_id = world.program_id
    assert program_id is not None
    agency, hub = world.organizations["agency"], world.organizations["hub"]
    referrer = world.actors["agency_coordinator"].user_id
    staff = world.actors["hub_coordinator"].user_id
    mentor_id = world.mentor_ids["mentor"]
    mentor_user = world.actors["mentor"].user_id
    async with sessions() as session, session.begin():
        for question_id, kind, retired in (
            (USEFUL, QuestionKind.SCALE, None),
            (WRITTEN, QuestionKind.TEXT, None),
            (RETIRED, QuestionKind.SCALE, at(-60)),
        ):
            scale = (1, 5) if kind == QuestionKind.SCALE else (None, None)
            session.add(
                SurveyQuestion(
                    id=question_id,
                    program_id=program_id,
                    kind=kind,
                    text_en="Useful?" if kind == QuestionKind.SCALE else "What would you change?",
                    text_fr="Utile ?" if kind == QuestionKind.SCALE else "Que changeriez-vous ?",
                    scale_min=scale[0],
                    scale_max=scale[1],
                    retired_at=retired,
                    created_at=at(-90),
                )
            )
        await session.flush()
        for index in range(11):
            mentee = MenteeProfile(
                owner_organization_id=agency,
                first_name=f"Client {index}",
                last_name="Test",
                immigration_status=ImmigrationStatus.PERMANENT_RESIDENT,
                country_of_training="MA",
                target_noc="21231",
                preferred_language=Language.FR if index < 4 else Language.EN,
            )
            session.add(mentee)
            await session.flush()
            status = (
                ReferralStatus.ADMITTED
                if index < 7
                else ReferralStatus.RETURNED
                if index < 9
                else ReferralStatus.SUBMITTED
            )
            received = at(index) if index < 10 else at(-40)  # the last one before the period
            returned = status == ReferralStatus.RETURNED
            referral = Referral(
                mentee_id=mentee.id,
                program_id=program_id,
                referring_organization_id=agency,
                referred_by_user_id=referrer,
                status=status,
                consent_given_at=received,
                created_at=received,
                decided_at=received + timedelta(days=10) if status != ReferralStatus.SUBMITTED else None,
                eligibility=[
                    {"rule": "workshop", "id": "workshop", "message": "rule.open.job_search_workshop",
                     "passed": False, "blocking": True}
                ] if returned else [],
                return_reasons=["No recent résumé"] if returned else [],
            )  # fmt: skip
            session.add(referral)
            await session.flush()
            if index >= 7:
                continue
            assert referral.decided_at is not None
            matched = referral.decided_at + timedelta(days=index + 1)
            proposal = MatchProposal(
                program_id=program_id,
                referral_id=referral.id,
                mentee_id=mentee.id,
                mentor_id=mentor_id,
                proposed_by_user_id=staff,
                score=0.8,
                status=ProposalStatus.ACCEPTED,
                mentee_answer=Answer.ACCEPTED,
                mentor_answer=Answer.ACCEPTED,
                expires_at=matched + timedelta(days=14),
                decided_at=matched,
                created_at=matched,
            )
            session.add(proposal)
            await session.flush()
            closed = index < 6
            mentorship = Mentorship(
                program_id=program_id,
                proposal_id=proposal.id,
                mentee_id=mentee.id,
                mentor_id=mentor_id,
                agreement_date=matched.date(),
                planned_end=matched.date() + timedelta(weeks=12),
                status=(MentorshipStatus.ENDED_EARLY if index == 5 else MentorshipStatus.COMPLETED)
                if closed
                else MentorshipStatus.ACTIVE,
                closed_at=matched + timedelta(days=90) if closed else None,
                created_at=matched,
            )
            session.add(mentorship)
            await session.flush()
            for week in (1, 2):
                session.add(
                    Meeting(
                        mentorship_id=mentorship.id,
                        occurred_on=matched.date() + timedelta(weeks=week),
                        minutes=60,
                        mode=MeetingMode.VIDEO,
                        logged_by_user_id=staff,
                    )
                )
            newcomer = User(email=f"client{index}@example.org", display_name=f"Client {index}")
            session.add(newcomer)
            await session.flush()
            answers: list[tuple[PairSide, SurveyStage, uuid.UUID, int, datetime]] = []
            if closed:
                answers.append(
                    (
                        PairSide.MENTEE,
                        SurveyStage.COMPLETION,
                        newcomer.id,
                        (5, 4, 4, 3, 5, 5)[index],
                        at(index + 100),
                    )
                )
                answers.append((PairSide.MENTOR, SurveyStage.COMPLETION, mentor_user, 4, at(index + 100)))
            if index < 3:
                answers.append(
                    (PairSide.MENTEE, SurveyStage.MIDPOINT, newcomer.id, index + 2, at(index + 60))
                )
            if index == 6:  # after the period
                answers.append((PairSide.MENTEE, SurveyStage.MIDPOINT, newcomer.id, 1, at(200)))
            for side, stage, answered_by, value, submitted in answers:
                response = SurveyResponse(
                    mentorship_id=mentorship.id,
                    program_id=program_id,
                    side=side,
                    stage=stage,
                    answered_by_user_id=answered_by,
                    submitted_at=submitted,
                )
                session.add(response)
                await session.flush()
                session.add(SurveyAnswer(response_id=response.id, question_id=USEFUL, scale_value=value))
                session.add(SurveyAnswer(response_id=response.id, question_id=WRITTEN, text="More meetings"))
            if closed:
                session.add(
                    Outcome(
                        mentorship_id=mentorship.id,
                        mentee_id=mentee.id,
                        stage=OutcomeStage.CLOSURE,
                        status=EmploymentStatus.SEARCHING
                        if index == 5
                        else EmploymentStatus.EMPLOYED_IN_FIELD,
                        recorded_by_user_id=staff,
                        recorded_at=matched + timedelta(days=91),
                    )
                )
        event = Event(
            organization_id=hub,
            kind=EventKind.NETWORKING,
            title_en="Networking",
            title_fr="Réseautage",
            starts_at=at(30, 18),
            ends_at=at(30, 20),
            capacity=50,
            created_by_user_id=staff,
        )
        session.add(event)
        await session.flush()
        for index in range(6):
            user = User(email=f"guest{index}@example.org", display_name=f"Guest {index}")
            session.add(user)
            await session.flush()
            session.add(
                EventRegistration(
                    event_id=event.id, user_id=user.id, role=ParticipantRole.MENTEE, attended=index < 3
                )
            )


async def add_funder(sessions: async_sessionmaker[AsyncSession], world: World) -> None:
    async with sessions() as session, session.begin():
        funder = await organizations.create_organization(
            session, "funder", "Funder", "Bailleur de fonds", OrganizationKind.FUNDER
        )
        world.organizations["funder"] = funder.id
        user = await accounts.create_user(session, "viewer@funder.test", "Funder Viewer", PASSWORD)
        session.add(Membership(user_id=user.id, organization_id=funder.id, role=Role.VIEWER))
        world.emails["funder_viewer"] = "viewer@funder.test"


def values(report: dict[str, Any]) -> dict[str, float | None]:
    return {
        f"{section['key']}/{row['key']}": row["value"]
        for section in report["sections"]
        for row in section["rows"]
    }


def suppressed(report: dict[str, Any]) -> set[str]:
    return {
        f"{section['key']}/{row['key']}"
        for section in report["sections"]
        for row in section["rows"]
        if row["suppressed"]
    }


async def report_as(
    graphql: GraphQL, token: str, language: str = "en", **scope: str | None
) -> dict[str, Any]:
    data = await graphql.execute(
        REPORT, {"input": {"period": PERIOD, **scope}}, token=token, language=language
    )
    return data["report"]


# The scene's figures, whole.
EXPECTED = {
    "referrals/referrals.total": 10,
    "referrals/referrals.submitted": 1,
    "referrals/referrals.admitted": 7,
    "referrals/referrals.returned": 2,
    "referrals/referrals.withdrawn": 0,
    "admission/admission.decided": 9,
    "admission/admission.admitted": 7,
    "admission/admission.returned": 2,
    "admission/admission.rate": 77.8,
    "return_reasons/return_reasons.other": 0,
    "time_to_match/time_to_match.matches": 7,
    "time_to_match/time_to_match.median": 4.0,
    "time_to_match/time_to_match.average": 4.0,
    "mentorships/mentorships.active_at_end": 1,
    "mentorships/mentorships.started": 7,
    "hours/hours.logged": 14.0,
    "hours/hours.meetings": 14,
    "hours/hours.mentorships": 7,
    "completion/completion.closed": 6,
    "completion/completion.completed": 5,
    "completion/completion.ended_early": 1,
    "completion/completion.rate": 83.3,
    "outcomes/outcomes.closure": 6,
    "outcomes/outcomes.closure.employed_in_field": 5,
    "outcomes/outcomes.closure.searching": 1,
    "outcomes/outcomes.month_3": 0,
    "francophone/francophone.started": 7,
    "francophone/francophone.french": 4,
    "francophone/francophone.share": 57.1,
    "events/events.networking.registered": 6,
    "events/events.networking.attended": 3,
    f"surveys/surveys.{USEFUL}.midpoint.mentor.answers": 0,
    f"surveys/surveys.{USEFUL}.midpoint.mentor.average": None,
    f"surveys/surveys.{USEFUL}.midpoint.mentee.answers": 3,
    f"surveys/surveys.{USEFUL}.midpoint.mentee.average": 3.0,
    f"surveys/surveys.{USEFUL}.completion.mentor.answers": 6,
    f"surveys/surveys.{USEFUL}.completion.mentor.average": 4.0,
    f"surveys/surveys.{USEFUL}.completion.mentee.answers": 6,
    f"surveys/surveys.{USEFUL}.completion.mentee.average": 4.33,
}
# What an aggregate view hides: counts of 1 to 4 and what derives from them, and the
# next smallest part of a total where one hidden part could be worked out.
HIDDEN = {
    "referrals/referrals.submitted",
    "referrals/referrals.returned",
    "admission/admission.returned",
    "admission/admission.admitted",  # else decided − admitted gives the returned
    "admission/admission.rate",
    "return_reasons/criterion.workshop",
    "return_reasons/return_reasons.other",  # staff's reasons, folded and still under 5
    "mentorships/mentorships.active_at_end",
    "completion/completion.ended_early",
    "completion/completion.completed",  # else closed − completed gives the one ended early
    "completion/completion.rate",
    "outcomes/outcomes.closure.searching",
    "outcomes/outcomes.closure.employed_in_field",
    "francophone/francophone.french",
    "francophone/francophone.share",
    "events/events.networking.attended",
    f"surveys/surveys.{USEFUL}.midpoint.mentee.answers",
    f"surveys/surveys.{USEFUL}.midpoint.mentee.average",
    # Six answers, but all from the one mentor.
    f"surveys/surveys.{USEFUL}.completion.mentor.answers",
    f"surveys/surveys.{USEFUL}.completion.mentor.average",
}


async def test_program_staff_see_their_own_figures_whole(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await build_scene(sessions, world)
    token = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    report = await report_as(graphql, token, programId=str(world.program_id))
    assert report["scope"] == "PROGRAM" and report["aggregatesOnly"] is False
    assert report["scopeName"] == "Career Mentoring"
    found = values(report)
    assert {key: found[key] for key in EXPECTED} == EXPECTED
    assert not suppressed(report)
    reasons = {row["label"]: row["value"] for row in report["sections"][2]["rows"]}
    assert reasons["No recent résumé"] == 2
    assert found["return_reasons/criterion.workshop"] == 2
    # The organization's scope is the same program here.
    organization = await report_as(graphql, token, organizationId=str(world.organizations["hub"]))
    assert values(organization) == found

    french = await report_as(graphql, token, "fr", programId=str(world.program_id))
    assert values(french) == found
    assert french["scopeName"] == "Mentorat professionnel"
    titles = {section["key"]: section["title"] for section in french["sections"]}
    assert titles["completion"] == "Achèvement"
    for section in french["sections"]:
        chart = ElementTree.fromstring(section["svg"])
        assert chart.get("role") == "img" and chart.get("lang") == "fr"
        assert chart.findtext(f"{SVG}title") == section["title"]
        assert chart.findtext(f"{SVG}desc")
    hours = next(section for section in french["sections"] if section["key"] == "hours")
    assert "14 h" in hours["svg"]
    # Only the scale question answered is reported; its labels are its own French text.
    surveys = next(section for section in french["sections"] if section["key"] == "surveys")
    assert {row["key"].split(".")[1] for row in surveys["rows"]} == {str(USEFUL)}
    labels = {row["key"]: row["label"] for row in surveys["rows"]}
    assert labels[f"surveys.{USEFUL}.completion.mentee.average"] == (
        "Utile ? (1 à 5), fin du mentorat, personnes mentorées : moyenne"
    )
    chart = ElementTree.fromstring(surveys["svg"])
    assert "fin du mentorat, personnes mentorées : moyenne: 4,33" in (chart.findtext(f"{SVG}desc") or "")


async def test_the_lead_organization_sees_the_collaborative_with_small_cells_suppressed(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await build_scene(sessions, world)
    token = await graphql.sign_in(world.emails["hub_admin"], PASSWORD)
    report = await report_as(graphql, token)
    assert report["scope"] == "COLLABORATIVE" and report["aggregatesOnly"] is True
    found = values(report)
    assert suppressed(report) == HIDDEN
    assert all(found[key] is None for key in HIDDEN)
    assert {key: found[key] for key in EXPECTED if key not in HIDDEN} == {
        key: value for key, value in EXPECTED.items() if key not in HIDDEN
    }
    # Staff's own words about fewer than 5 people are not listed, only counted.
    labels = {row["label"] for row in report["sections"][2]["rows"]}
    assert "No recent résumé" not in labels
    assert found["return_reasons/return_reasons.other"] is None  # 2 reasons: suppressed
    chart = next(section["svg"] for section in report["sections"] if section["key"] == "completion")
    assert "suppressed (fewer than 5 people)" in chart
    # Several programs' questions side by side: each label names its program.
    surveys = next(section for section in report["sections"] if section["key"] == "surveys")
    assert surveys["rows"][-1]["label"] == "Career Mentoring: Useful? (1–5), completion, newcomers: average"


async def test_a_funder_sees_aggregates_of_any_organization(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await build_scene(sessions, world)
    await add_funder(sessions, world)
    token = await graphql.sign_in(world.emails["funder_viewer"], PASSWORD)
    collaborative = await report_as(graphql, token)
    assert suppressed(collaborative) == HIDDEN
    hub = await report_as(graphql, token, organizationId=str(world.organizations["hub"]))
    program = await report_as(graphql, token, programId=str(world.program_id))
    assert hub["aggregatesOnly"] and program["aggregatesOnly"]
    assert values(hub) == values(program) == values(collaborative)
    own = await report_as(graphql, token, organizationId=str(world.organizations["funder"]))
    assert own["aggregatesOnly"] is False and values(own)["referrals/referrals.total"] == 0


async def test_another_organization_and_the_pair_are_refused(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await build_scene(sessions, world)
    other = await graphql.sign_in(world.emails["other_coordinator"], PASSWORD)
    for scope in ({"programId": str(world.program_id)}, {"organizationId": str(world.organizations["hub"])}):
        variables = {"input": {"period": PERIOD, **scope}}
        await assert_refused(graphql, sessions, REPORT, variables, code="NOT_FOUND", token=other)
    unknown = {"input": {"period": PERIOD, "programId": str(uuid.uuid4())}}
    await assert_refused(graphql, sessions, REPORT, unknown, code="NOT_FOUND", token=other)
    # Only the lead organization and funders see the whole collaborative.
    await assert_refused(
        graphql, sessions, REPORT, {"input": {"period": PERIOD}}, code="FORBIDDEN", token=other
    )
    for person in ("mentor", "client"):
        token = await graphql.sign_in(world.emails[person], PASSWORD)
        variables = {"input": {"period": PERIOD, "programId": str(world.program_id)}}
        await assert_refused(graphql, sessions, REPORT, variables, code="FORBIDDEN", token=token)
    with pytest.raises(GraphQLError) as anonymous:
        await graphql.execute(REPORT, {"input": {"period": PERIOD}})
    assert anonymous.value.code == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("period", "scope", "code"),
    [
        ({"start": "2025-03-01", "end": "2025-03-01"}, {}, "REPORT_PERIOD_EMPTY"),
        ({"start": "2025-03-01", "end": "2025-02-01"}, {}, "REPORT_PERIOD_EMPTY"),
        ({"start": "2019-01-01", "end": "2025-01-01"}, {}, "REPORT_PERIOD_TOO_LONG"),
        (PERIOD, {"organizationId": "hub"}, "REPORT_SCOPE_CONFLICT"),
    ],
)
async def test_bad_periods_and_scopes_are_refused(
    graphql: GraphQL,
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    period: dict[str, str],
    scope: dict[str, str],
    code: str,
) -> None:
    token = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    if scope:
        scope = {"programId": str(world.program_id), "organizationId": str(world.organizations["hub"])}
    variables = {"input": {"period": period, **scope}}
    await assert_refused(graphql, sessions, REPORT, variables, code=code, token=token)


async def test_csv_and_xlsx_exports_carry_the_same_figures(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    await build_scene(sessions, world)
    token = await graphql.sign_in(world.emails["hub_admin"], PASSWORD)
    shown = values(await report_as(graphql, token, "fr"))
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "fr"}
    query = {**PERIOD}

    answer = await graphql.client.get("/reports/export.csv", params=query, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0] == ["Code", "Section", "Indicateur", "Valeur", "Unité", "Masqué"]
    from_csv = {row[0]: float(row[3]) if row[3] else None for row in table[1:]}
    assert from_csv == shown
    assert all(row[5] == "moins de 5 personnes" for row in table[1:] if row[0] in HIDDEN)
    assert any(row[1] == "Aiguillages reçus" for row in table)

    answer = await graphql.client.get("/reports/export.xlsx", params=query, headers=headers)
    assert answer.status_code == 200, answer.text
    workbook = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert list(sheet_rows[0]) == table[0]
    assert {row[0]: row[3] for row in sheet_rows[1:]} == shown


async def test_export_refusals_answer_json_in_the_callers_language(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    answer = await graphql.client.get("/reports/export.csv", params=PERIOD)
    assert answer.status_code == 401 and answer.json()["code"] == "UNAUTHENTICATED"
    other = await graphql.sign_in(world.emails["other_coordinator"], PASSWORD)
    for language in ("en", "fr"):
        answer = await graphql.client.get(
            "/reports/export.xlsx",
            params={**PERIOD, "programId": str(world.program_id)},
            headers={"Authorization": f"Bearer {other}", "Accept-Language": language},
        )
        assert answer.status_code == 404 and answer.json()["code"] == "NOT_FOUND"
    assert answer.json()["message"] == "Introuvable, ou non partagé avec votre organisme."
    mentor = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    answer = await graphql.client.get(
        "/reports/export.csv", params=PERIOD, headers={"Authorization": f"Bearer {mentor}"}
    )
    assert answer.status_code == 403 and answer.json()["code"] == "FORBIDDEN"
    coordinator = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    for params, code in [
        ({"start": "2025-13-01", "end": "2025-02-01"}, "INVALID_INPUT"),
        ({"start": "2025-03-01"}, "INVALID_INPUT"),
        ({**PERIOD, "programId": "not-an-id"}, "INVALID_INPUT"),
        ({"start": "2025-03-01", "end": "2025-01-01"}, "REPORT_PERIOD_EMPTY"),
    ]:
        answer = await graphql.client.get(
            "/reports/export.csv",
            params=params,
            headers={"Authorization": f"Bearer {coordinator}", "Accept-Language": "fr"},
        )
        assert answer.status_code == 400 and answer.json()["code"] == code, params
        assert not answer.json()["message"].startswith("error.")


REQUEST_EXPORT = """
mutation($input: ReportExportInput!) { requestReportExport(input: $input) { email message } }
"""


def attachment_of(message: EmailMessage) -> tuple[str, bytes]:
    """The one attachment's name and bytes, as a mail client saves it."""
    [attachment] = list(message.iter_attachments())
    content = attachment.get_payload(decode=True)
    assert isinstance(content, bytes)
    return attachment.get_filename() or "", content


async def test_a_report_asked_by_mail_arrives_once_as_the_requester_sees_it(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, mailbox: Mailbox
) -> None:
    await build_scene(sessions, world)
    token = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    variables = {"input": {"period": PERIOD, "programId": str(world.program_id), "format": "XLSX"}}
    data = await graphql.execute(REQUEST_EXPORT, variables, token=token, language="fr")
    email = world.emails["hub_coordinator"]
    assert data["requestReportExport"] == {
        "email": email,
        "message": f"Le rapport sera envoyé à {email} d'ici quelques minutes.",
    }
    [message] = await mailbox.deliver()
    assert message["To"] == email and message["Content-Language"] == "fr"
    assert (
        message["Subject"]
        == "Tremplin : Rapport : Mentorat professionnel, du 2025-01-01 au 2025-07-01 (fin exclue)"
    )
    assert "Voici le rapport que vous avez demandé" in mail.plain_text(message)
    name, content = attachment_of(message)
    assert name == "tremplin-report-program-2025-01-01-2025-07-01.xlsx"
    sheet = list(
        openpyxl.load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    )
    assert sheet[0][2] == "Indicateur"
    from_mail = {row[0]: row[3] for row in sheet[1:]}
    assert {key: from_mail[key] for key in EXPECTED} == EXPECTED
    assert from_mail == values(await report_as(graphql, token, "fr", programId=str(world.program_id)))
    # Sent once: running the jobs again mails nothing more.
    assert len(await mailbox.deliver()) == 1


async def test_an_overseer_gets_the_aggregates_by_mail_as_csv(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, mailbox: Mailbox
) -> None:
    await build_scene(sessions, world)
    token = await graphql.sign_in(world.emails["hub_admin"], PASSWORD)
    variables = {"input": {"period": PERIOD, "format": "CSV"}}
    data = await graphql.execute(REQUEST_EXPORT, variables, token=token, language="en")
    assert data["requestReportExport"]["email"] == world.emails["hub_admin"]
    [message] = await mailbox.deliver()
    assert message["Content-Language"] == "en"
    name, content = attachment_of(message)
    assert name.endswith(".csv") and content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert table[0] == ["Code", "Section", "Indicator", "Value", "Unit", "Suppressed"]
    assert {row[0] for row in table[1:] if row[5]} == HIDDEN
    from_mail = {row[0]: float(row[3]) if row[3] else None for row in table[1:]}
    assert from_mail == values(await report_as(graphql, token))


async def test_a_refused_request_queues_nothing(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, mailbox: Mailbox
) -> None:
    await build_scene(sessions, world)
    hub_program = {"programId": str(world.program_id)}
    other = await graphql.sign_in(world.emails["other_coordinator"], PASSWORD)
    for scope, code in (
        (hub_program, "NOT_FOUND"),
        ({"organizationId": str(world.organizations["hub"])}, "NOT_FOUND"),
        ({"programId": str(uuid.uuid4())}, "NOT_FOUND"),
        ({}, "FORBIDDEN"),  # the collaborative: the lead organization and funders only
    ):
        variables = {"input": {"period": PERIOD, "format": "CSV", **scope}}
        await assert_refused(graphql, sessions, REQUEST_EXPORT, variables, code=code, token=other)
    for person in ("mentor", "client"):
        token = await graphql.sign_in(world.emails[person], PASSWORD)
        variables = {"input": {"period": PERIOD, "format": "XLSX", **hub_program}}
        await assert_refused(graphql, sessions, REQUEST_EXPORT, variables, code="FORBIDDEN", token=token)
    coordinator = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    for period, code in (
        ({"start": "2025-03-01", "end": "2025-03-01"}, "REPORT_PERIOD_EMPTY"),
        ({"start": "2019-01-01", "end": "2025-01-01"}, "REPORT_PERIOD_TOO_LONG"),
    ):
        variables = {"input": {"period": period, "format": "CSV", **hub_program}}
        await assert_refused(graphql, sessions, REQUEST_EXPORT, variables, code=code, token=coordinator)
    both = {**hub_program, "organizationId": str(world.organizations["hub"])}
    variables = {"input": {"period": PERIOD, "format": "CSV", **both}}
    await assert_refused(
        graphql, sessions, REQUEST_EXPORT, variables, code="REPORT_SCOPE_CONFLICT", token=coordinator
    )
    with pytest.raises(GraphQLError) as anonymous:
        await graphql.execute(REQUEST_EXPORT, {"input": {"period": PERIOD, "format": "CSV"}})
    assert anonymous.value.code == "UNAUTHENTICATED"
    assert await mailbox.deliver() == []


async def test_a_requester_who_lost_their_role_gets_no_report(
    graphql: GraphQL, sessions: async_sessionmaker[AsyncSession], world: World, mailbox: Mailbox
) -> None:
    await build_scene(sessions, world)
    variables = {"input": {"period": PERIOD, "programId": str(world.program_id), "format": "CSV"}}
    for person in ("hub_coordinator", "hub_admin"):
        token = await graphql.sign_in(world.emails[person], PASSWORD)
        await graphql.execute(REQUEST_EXPORT, variables, token=token)
    coordinator, admin = world.actors["hub_coordinator"].user_id, world.actors["hub_admin"].user_id
    async with sessions() as session, session.begin():
        # The coordinator left the hub; the admin's account was disabled.
        await session.execute(delete(Membership).where(Membership.user_id == coordinator))
        await session.execute(update(User).where(User.id == admin).values(is_active=False))
    [notice] = await mailbox.deliver()
    assert notice["To"] == world.emails["hub_coordinator"]
    assert notice["Subject"] == "Tremplin: your report could not be sent"
    assert not list(notice.iter_attachments())
    assert "no longer had access" in mail.plain_text(notice)
