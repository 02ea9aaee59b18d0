"""The demo seeder: every stage of the flow and every role, the same rows for the same
seed on every backend, and nothing written on a platform already in use."""

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel

from core import clock
from core.access import Actor
from core.db import UTCDateTime, _sqlite_pragmas, session_factory
from core.demo import DEMO_PASSWORD, demo_logins, seed_demo
from core.matching import explain
from core.models import (
    AuditEvent,
    CohortMode,
    Language,
    MatchProposal,
    Meeting,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    MentorshipExtension,
    MentorshipStatus,
    MentorVisibility,
    Organization,
    OrganizationKind,
    Outcome,
    OutcomeStage,
    Program,
    ProposalStatus,
    Referral,
    ReferralStatus,
    Role,
    SurveyAnswer,
    SurveyResponse,
    User,
)
from core.search.documents import mentor_documents
from core.search.embedded import EmbeddedSearch
from core.security import MIN_PASSWORD_LENGTH
from core.services import (
    accounts,
    audit,
    cohorts,
    matching,
    mentorships,
    organizations,
    proposals,
    reports,
    search,
)
from core.services.mentors import commitments
from core.services.waiting import unproposed_referrals

Snapshot = dict[str, list[tuple[Any, ...]]]
# Texts that quote dates (agreements, certificates) and what signs them vary too.
VARYING = {
    "password_hash",
    "entry_hash",
    "previous_hash",
    "document_en",
    "document_fr",
    "content",
    "signature",
}
# Dates allowed after the day of seeding: ends still planned, proposals still waiting.
FUTURE_ALLOWED = {"expires_at", "planned_end", "new_end", "previous_end", "due_on"}


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> Snapshot:
    """Every row of every table, without what two runs may not share: dates (relative to
    the day of seeding), password hashes (salted) and the audit chain's hashes (they
    cover the entries' times)."""
    rows: Snapshot = {}
    async with sessions() as session:
        for table in SQLModel.metadata.sorted_tables:
            columns = [
                column
                for column in table.columns
                if not isinstance(column.type, UTCDateTime | sa.Date) and column.name not in VARYING
            ]
            names = [column.name for column in columns]
            key = itemgetter(*(names.index(column.name) for column in table.primary_key.columns))
            found = [tuple(row) for row in await session.execute(sa.select(*columns))]
            rows[table.name] = sorted(found, key=key)
    return rows


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def reference(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Snapshot]:
    """The demo seeded into a fresh SQLite database as if it were six weeks ago: the day
    of seeding must change nothing but dates."""
    path: Path = tmp_path_factory.mktemp("demo") / "reference.db"
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    sessions = session_factory(engine)
    with clock.frozen_at(datetime.now(UTC) - timedelta(days=42, hours=5)):
        await seed_demo(sessions)
    yield await snapshot(sessions)
    await engine.dispose()


async def count(session: AsyncSession, query: sa.Select[Any]) -> int:
    return await session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


async def test_the_demo_covers_the_whole_flow_the_same_way_on_every_backend(
    sessions: async_sessionmaker[AsyncSession], reference: Snapshot
) -> None:
    # One seed per backend serves every check: seeding takes a while.
    assert await seed_demo(sessions) == demo_logins()

    seeded = await snapshot(sessions)
    for table, rows in reference.items():
        assert seeded[table] == rows, f"{table} differs from the reference seed"
    async with sessions() as session:  # not committed: the sign-ins leave no tokens behind
        await check_every_stage_is_there(session)
        await check_nothing_happened_after_today(session)
        await check_logins(session)
        await check_matching(session)
        await check_search(session)
        await check_audit_trails(session)
        await check_reports(session)

    assert await seed_demo(sessions) is None
    assert await snapshot(sessions) == seeded


async def check_every_stage_is_there(session: AsyncSession) -> None:
    assert await count(session, sa.select(MentorProfile)) == 200
    assert await count(session, sa.select(MenteeProfile)) == 300
    kinds = set(await session.scalars(sa.select(Organization.kind)))
    assert {OrganizationKind.LEAD_ORGANIZATION, OrganizationKind.EMPLOYER} < kinds
    assert set(await session.scalars(sa.select(Referral.status))) == set(ReferralStatus)
    assert set(await session.scalars(sa.select(Mentorship.status))) == set(MentorshipStatus)
    assert set(await session.scalars(sa.select(Outcome.stage))) == set(OutcomeStage)
    assert set(await session.scalars(sa.select(MentorProfile.visibility))) == set(MentorVisibility)
    assert set(await session.scalars(sa.select(MenteeProfile.preferred_language))) == {"en", "fr"}
    now = datetime.now(UTC)
    waiting = sa.select(MatchProposal).where(MatchProposal.status == ProposalStatus.PENDING)
    assert await count(session, waiting.where(MatchProposal.expires_at <= now)) >= 1
    assert await count(session, waiting.where(MatchProposal.expires_at > now)) >= 1
    declined = sa.select(MatchProposal).where(MatchProposal.status == ProposalStatus.DECLINED)
    assert await count(session, declined) >= 1
    assert await count(session, sa.select(MentorshipExtension)) >= 1
    # Returned referrals say why; meetings are logged by mentors and by newcomers.
    returned = sa.select(Referral).where(Referral.status == ReferralStatus.RETURNED)
    assert all(referral.return_reasons for referral in await session.scalars(returned))
    by_newcomers = sa.select(Meeting).join(MenteeProfile, MenteeProfile.user_id == Meeting.logged_by_user_id)
    assert 0 < await count(session, by_newcomers) < await count(session, sa.select(Meeting))
    # Mentors without two years of local experience exist, and the open program's rules
    # kept them out of every proposal.
    inexperienced = sa.select(MentorProfile.id).where(MentorProfile.years_local_experience < 2)
    assert await count(session, inexperienced) >= 1
    proposed = sa.select(MatchProposal).where(MatchProposal.mentor_id.in_(inexperienced))
    assert await count(session, proposed) == 0


async def check_nothing_happened_after_today(session: AsyncSession) -> None:
    """History is replayed in the past, relative to the day of seeding."""
    now = datetime.now(UTC)
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if column.name in FUTURE_ALLOWED or not isinstance(column.type, UTCDateTime | sa.Date):
                continue
            latest = await session.scalar(sa.select(sa.func.max(column)))
            if latest is not None:
                assert latest <= (now if isinstance(column.type, UTCDateTime) else now.date()), column


async def check_logins(session: AsyncSession) -> None:
    actors = {}
    for login in demo_logins():
        token, _ = await accounts.sign_in(session, login.email, DEMO_PASSWORD)
        actor = await accounts.resolve_actor(session, token, login.organization_slug)
        assert Role(login.role) in actor.roles, login
        actors[login.role] = actor
    mentor, mentee = actors[Role.MENTOR], actors[Role.MENTEE]
    _, active = await mentorships.list_mentorships(session, mentor, status=MentorshipStatus.ACTIVE)
    _, waiting = await proposals.list_proposals(session, mentor, status=ProposalStatus.PENDING)
    assert active >= 1 and waiting >= 1
    _, active = await mentorships.list_mentorships(session, mentee, status=MentorshipStatus.ACTIVE)
    assert active == 1


async def check_matching(session: AsyncSession) -> None:
    """The hub's coordinator gets explained suggestions for someone waiting, in both
    languages, and a cohort run over the waiting list that breaks no constraint."""
    token, _ = await accounts.sign_in(session, "coordinator@hub.demo.tremplin.ca", DEMO_PASSWORD)
    coordinator = await accounts.resolve_actor(session, token, "hub")
    program = await session.scalar(sa.select(Program))
    assert program is not None
    waiting = await unproposed_referrals(session, program.id)
    assert len(waiting) >= 10

    found = await matching.suggest_mentors(session, coordinator, waiting[0].id, limit=5)
    assert [item.rank for item in found.items] == [1, 2, 3, 4, 5]
    scores = [item.score for item in found.items]
    assert scores == sorted(scores, reverse=True)
    for item in found.items:
        assert {criterion.criterion for criterion in item.candidate.criteria} >= {
            "occupation",
            "goal",
            "culture",
        }
        for criterion in item.candidate.criteria:
            english, french = (explain.describe(criterion.as_record(), language) for language in ("en", "fr"))
            assert english and french and english != french, criterion

    run = await cohorts.run_cohort(session, coordinator, program.id, mode=CohortMode.MOST_MATCHED)
    drafts = await cohorts.drafts(session, run)
    assert run.waiting_count == len(waiting)
    assert 0 < run.matched_count == len(drafts) and run.matched_count >= run.greedy_matched_count
    assert run.matched_count + len(run.unmatched) == len(waiting)
    assert len({draft.referral_id for draft in drafts}) == len(drafts)
    taken = await commitments(session)
    per_mentor = Counter(draft.mentor_id for draft in drafts)
    for draft in drafts:
        mentor = await session.get_one(MentorProfile, draft.mentor_id)
        mentee = await session.get_one(MenteeProfile, draft.mentee_id)
        assert per_mentor[mentor.id] <= mentor.capacity - taken.get(mentor.id, 0)
        assessment = await matching.assess_pair(session, program, mentee, mentor)
        assert assessment is not None and not assessment.candidate.exclusions
        assert (
            draft.score == pytest.approx(assessment.candidate.score, abs=1e-4)
            and draft.score >= run.minimum_score
        )


async def check_audit_trails(session: AsyncSession) -> None:
    """The demo's cross-organization reads are on each owning agency's chain, intact."""
    owners = set(await session.scalars(sa.select(AuditEvent.owner_organization_id).distinct()))
    assert owners, "the demo must show audited reads"
    for organization_id in owners:
        admin = Actor(
            user_id=uuid.uuid4(),
            display_name="Admin",
            language=Language.EN,
            organization_id=organization_id,
            roles=frozenset({Role.ORG_ADMIN}),
        )
        check = await audit.verify_audit_trail(session, admin)
        assert check.valid and check.checked > 0


async def check_reports(session: AsyncSession) -> None:
    """The hub's report over the last six months (its surveys over the demo's whole
    history) matches counts made here, row by row in Python, from plain selects of the
    seeded tables."""
    token, _ = await accounts.sign_in(session, "coordinator@hub.demo.tremplin.ca", DEMO_PASSWORD)
    coordinator = await accounts.resolve_actor(session, token, "hub")
    program = await session.scalar(sa.select(Program))
    assert program is not None
    end = datetime.now(UTC).date() + timedelta(days=1)
    start = end - timedelta(days=183)
    found = await reports.report(session, coordinator, start=start, end=end, program_id=program.id)
    assert not found.aggregates_only
    shown = {f"{section.key}/{row.key}": row.value for section in found.sections for row in section.rows}

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment.date() < end

    referrals = list(await session.scalars(sa.select(Referral).where(Referral.program_id == program.id)))
    received = Counter(referral.status for referral in referrals if within(referral.created_at))
    expected: dict[str, float | None] = {"referrals/referrals.total": sum(received.values())}
    expected |= {f"referrals/referrals.{status.value}": received[status] for status in ReferralStatus}
    decided = Counter(referral.status for referral in referrals if within(referral.decided_at))
    expected["admission/admission.admitted"] = decided[ReferralStatus.ADMITTED]
    expected["admission/admission.returned"] = decided[ReferralStatus.RETURNED]

    pairs = list(await session.scalars(sa.select(Mentorship).where(Mentorship.program_id == program.id)))
    end_at = datetime(end.year, end.month, end.day, tzinfo=UTC)
    expected["mentorships/mentorships.active_at_end"] = sum(
        pair.agreement_date < end and (pair.closed_at is None or pair.closed_at >= end_at) for pair in pairs
    )
    started = [pair for pair in pairs if start <= pair.agreement_date < end]
    expected["mentorships/mentorships.started"] = len(started)
    closed = Counter(pair.status for pair in pairs if within(pair.closed_at))
    expected["completion/completion.completed"] = closed[MentorshipStatus.COMPLETED]
    expected["completion/completion.ended_early"] = closed[MentorshipStatus.ENDED_EARLY]

    meetings = [
        meeting
        for meeting in await session.scalars(sa.select(Meeting))
        if start <= meeting.occurred_on < end and meeting.mentorship_id in {pair.id for pair in pairs}
    ]
    expected["hours/hours.meetings"] = len(meetings)
    expected["hours/hours.logged"] = round(sum(meeting.minutes for meeting in meetings) / 60, 1)
    expected["hours/hours.mentorships"] = len({meeting.mentorship_id for meeting in meetings})

    outcomes = Counter(
        (outcome.stage, outcome.status)
        for outcome in await session.scalars(sa.select(Outcome))
        if within(outcome.recorded_at)
    )
    for (stage, status), number in outcomes.items():
        expected[f"outcomes/outcomes.{stage}.{status}"] = number

    french = {
        mentee.id
        for mentee in await session.scalars(sa.select(MenteeProfile))
        if mentee.preferred_language == "fr"
    }
    expected["francophone/francophone.started"] = len(started)
    expected["francophone/francophone.french"] = sum(pair.mentee_id in french for pair in started)

    by_referral = {referral.id: referral for referral in referrals}
    proposals_by_id = {proposal.id: proposal for proposal in await session.scalars(sa.select(MatchProposal))}
    waits = sorted(
        (pair.created_at - decided_at).total_seconds() / 86400
        for pair in pairs
        if within(pair.created_at)
        and (decided_at := by_referral[proposals_by_id[pair.proposal_id].referral_id].decided_at) is not None
        and decided_at <= pair.created_at
    )
    assert waits, "the demo matches people in the last six months"
    expected["time_to_match/time_to_match.matches"] = len(waits)
    expected["time_to_match/time_to_match.average"] = round(sum(waits) / len(waits), 1)
    middle = waits[(len(waits) - 1) // 2 : len(waits) // 2 + 1]
    expected["time_to_match/time_to_match.median"] = round(sum(middle) / len(middle), 1)

    assert {key: shown[key] for key in expected} == pytest.approx(expected, abs=0.051)
    assert expected["referrals/referrals.total"] and expected["hours/hours.meetings"]
    assert sum(outcomes.values()) > 0 and expected["francophone/francophone.french"]

    # Surveys: the demo's newcomers with an account answered at completion, over its
    # whole history; each scale answer given in the period, by question, stage and side.
    start = end - timedelta(days=500)  # within() now tests this period
    found = await reports.report(session, coordinator, start=start, end=end, program_id=program.id)
    [surveys] = [section for section in found.sections if section.key == "surveys"]
    shown = {f"surveys/{row.key}": row.value for row in surveys.rows}
    responses = {
        response.id: response
        for response in await session.scalars(
            sa.select(SurveyResponse).where(SurveyResponse.program_id == program.id)
        )
        if within(response.submitted_at)
    }
    scores: dict[str, list[int]] = {}
    for answer in await session.scalars(sa.select(SurveyAnswer)):
        response = responses.get(answer.response_id)
        if response is not None and answer.scale_value is not None:
            cell = f"surveys/surveys.{answer.question_id}.{response.stage}.{response.side}"
            scores.setdefault(cell, []).append(answer.scale_value)
    assert scores, "the demo's newcomers answer the completion survey"
    expected = {}
    for cell, given in scores.items():
        expected[f"{cell}.answers"] = len(given)
        expected[f"{cell}.average"] = round(sum(given) / len(given), 2)
    assert {key: shown[key] for key in expected} == pytest.approx(expected, abs=0.001)
    # Every other cell of the scale question counts no answer.
    assert {shown[key] for key in shown if key.endswith(".answers") and key not in expected} == {0}


async def check_search(session: AsyncSession) -> None:
    """Typos, missing accents and the other language find the demo mentors meant."""
    token, _ = await accounts.sign_in(session, "coordinator@rideau.demo.tremplin.ca", DEMO_PASSWORD)
    coordinator = await accounts.resolve_actor(session, token, "rideau")
    engine = EmbeddedSearch(None)
    documents, _ = await mentor_documents(session, None)
    await engine.upsert(documents)

    async def titles(text: str) -> list[str]:
        page = await search.search_mentors(
            session, coordinator, engine, search.MentorSearch(text=text, limit=50)
        )
        assert page.total > 0, text
        return [profile.job_title for profile, _ in page.mentors]

    typo = await titles("enginer")
    assert all("engineer" in title.lower() for title in typo[:10])
    assert any(title.startswith("Ingénieur") for title in typo)  # through the French synonyms
    # French query, accents left out: French and English software engineers alike.
    found = await titles("ingenieur logiciel")
    assert any(title.startswith("Ingénieur") for title in found)
    assert any("Software Engineer" in title for title in found)
    # "comptable" is French for accountant: English profiles come up too.
    assert any("Accountant" in title for title in await titles("comptable"))


async def test_the_demo_leaves_a_platform_in_use_alone(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await organizations.create_organization(
            session, "agency", "Agency", "Organisme", OrganizationKind.SETTLEMENT_AGENCY
        )
        await session.commit()

    assert await seed_demo(sessions) is None

    async with sessions() as session:
        assert await count(session, sa.select(Organization)) == 1
        assert await count(session, sa.select(User)) == 0


def test_demo_logins_cover_every_role() -> None:
    logins = demo_logins()
    assert {Role(login.role) for login in logins} == set(Role)
    assert len({login.email for login in logins}) == len(logins)
    assert len(DEMO_PASSWORD) >= MIN_PASSWORD_LENGTH
