"""How fast the reports are on 100,000 mentorships in PostgreSQL.

Run from the repository's root::

    .venv/bin/python -m benchmarks.reports            # 100,000 mentorships (a minute or two)
    .venv/bin/python -m benchmarks.reports --quick    # 2,000: a smoke test

Into a fresh PostgreSQL database (``TREMPLIN_BENCHMARK_POSTGRES_URL``, by default
``postgresql+asyncpg://postgres@127.0.0.1:5432/tremplin_benchmark_reports``, created
and dropped by the run), with ``COPY`` rather than the ORM row by row:

- 10 agencies running 2 programs each, a lead organization and a funder; a mentor
  for every 5 mentorships; per mentorship, its newcomer, referral (admitted), accepted proposal, 3 to 9
  meetings and its outcomes as they fall due; one referral in five more that was
  returned (with failed criteria and staff's reasons), withdrawn or is waiting; an
  event for every 200 mentorships, with 20 registrations each; two scale questions
  per program's survey, answered (both) by 70% of mentors and newcomers at midpoint and
  60% at completion, once those fell due. Mentorships start over the three years before
  2026-01-01; 80% of those closed were completed.
- Each report (``core.services.reports.report``, every section) for the year 2025 is
  timed ``--repeat`` times per scope, as the lead organization sees them: the whole
  collaborative, one agency, one program (aggregates only, so suppression is included).
  Median and maximum are printed against the 2 s target, beside a baseline measured in
  the same run on the same connection: one ``SELECT count(*)`` over the meetings, the
  largest table. Absolute times move with the machine's load; the ratio holds.

The data is the same for a ``--seed``; the database is dropped at the end.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel

import core.models  # noqa: F401  (every table on the metadata)
from core.access import Actor
from core.db import session_factory
from core.models import (
    EmploymentStatus,
    EventKind,
    Language,
    MentorshipStatus,
    OrganizationKind,
    OutcomeStage,
    PairSide,
    QuestionKind,
    ReferralStatus,
    Role,
    SurveyStage,
)
from core.services import reports

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/tremplin_benchmark_reports"
TARGET_SECONDS = 2.0
ANCHOR = date(2026, 1, 1)
PERIOD = (date(2025, 1, 1), date(2026, 1, 1))
AGENCIES = 10
MENTORS_PER_MENTORSHIP = 0.2
EVENTS_PER_MENTORSHIP = 0.005
REGISTRATIONS_PER_EVENT = 20
TERM_DAYS = 84
SCALE_QUESTIONS_PER_PROGRAM = 2
# Who answers a survey that fell due, on each side.
SURVEY_ANSWER_RATE = {SurveyStage.MIDPOINT: 0.7, SurveyStage.COMPLETION: 0.6}
# JSON columns holding an object (the others hold lists).
OBJECT_COLUMNS = frozenset({"details", "settings", "matching", "work_style", "config"})
STAGE_DAYS = {
    OutcomeStage.CLOSURE: 0,
    OutcomeStage.MONTH_3: 91,
    OutcomeStage.MONTH_6: 182,
    OutcomeStage.MONTH_12: 365,
}


def moment(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def filler(column: sa.Column[Any]) -> Any:
    """What a required column left out of a bulk insert holds: its default."""
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        value = default.arg  # type: ignore[attr-defined]
        return value.value if hasattr(value, "value") else value
    if isinstance(column.type, sa.JSON):
        return "{}" if column.name in OBJECT_COLUMNS else "[]"
    if isinstance(column.type, sa.String | sa.Text):
        return ""
    raise ValueError(f"no filler for {column}")


async def copy(
    connection: asyncpg.Connection, table_name: str, names: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    table = SQLModel.metadata.tables[table_name]
    missing = [column for column in table.columns if column.name not in names and not column.nullable]
    rest = tuple(filler(column) for column in missing)
    records = [row + rest for row in rows]
    await connection.copy_records_to_table(
        table_name, records=records, columns=[*names, *(column.name for column in missing)]
    )
    return len(records)


@dataclass
class Scene:
    lead: uuid.UUID
    agency: uuid.UUID
    program: uuid.UUID
    staff: uuid.UUID
    counts: dict[str, int]


async def generate(url: str, mentorships: int, seed: int) -> Scene:
    """The synthetic collaborative, written with COPY."""
    rng = random.Random(seed)
    ids = (uuid.UUID(int=rng.getrandbits(128), version=4) for _ in iter(int, 1))
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    counts: dict[str, int] = {}
    created = moment(ANCHOR - timedelta(days=1500))
    mentor_count = max(int(mentorships * MENTORS_PER_MENTORSHIP), REGISTRATIONS_PER_EVENT)
    event_count = max(int(mentorships * EVENTS_PER_MENTORSHIP), len(EventKind))
    try:
        organizations: list[tuple[Any, ...]] = []
        lead, funder, employer = next(ids), next(ids), next(ids)
        agencies = [next(ids) for _ in range(AGENCIES)]
        kinds = [
            (lead, OrganizationKind.LEAD_ORGANIZATION),
            (funder, OrganizationKind.FUNDER),
            (employer, OrganizationKind.EMPLOYER),
        ] + [(agency, OrganizationKind.SETTLEMENT_AGENCY) for agency in agencies]
        for index, (organization_id, kind) in enumerate(kinds):
            organizations.append(
                (organization_id, f"org-{index}", f"Org {index}", f"Org {index}", kind.value, created)
            )
        names = ["id", "slug", "name_en", "name_fr", "kind", "created_at"]
        counts["organizations"] = await copy(connection, "organizations", names, organizations)

        staff = next(ids)
        mentor_users = [next(ids) for _ in range(mentor_count)]
        users = [(staff, "staff@bench.test", "Staff", created)] + [
            (user_id, f"mentor{index}@bench.test", f"Mentor {index}", created)
            for index, user_id in enumerate(mentor_users)
        ]
        # The newcomers' accounts, which answer their side of the surveys.
        mentee_users = [next(ids) for _ in range(mentorships)]
        users += [
            (user_id, f"newcomer{index}@bench.test", f"Newcomer {index}", created)
            for index, user_id in enumerate(mentee_users)
        ]
        counts["users"] = await copy(
            connection, "users", ["id", "email", "display_name", "created_at"], users
        )

        programs = [(next(ids), agencies[index // 2]) for index in range(2 * AGENCIES)]
        counts["programs"] = await copy(
            connection,
            "programs",
            ["id", "organization_id", "program_type", "name_en", "name_fr", "created_at"],
            ((program_id, owner, "open", "Program", "Programme", created) for program_id, owner in programs),
        )
        questions = {
            program_id: [next(ids) for _ in range(SCALE_QUESTIONS_PER_PROGRAM)] for program_id, _ in programs
        }
        counts["survey_questions"] = await copy(
            connection,
            "survey_questions",
            ["id", "program_id", "position", "kind", "text_en", "text_fr", "scale_min", "scale_max",
             "created_at"],
            ((question_id, program_id, position, QuestionKind.SCALE.value, f"Question {position}",
              f"Question {position}", 1, 5, created)
             for program_id, ids_of_program in questions.items()
             for position, question_id in enumerate(ids_of_program)),
        )  # fmt: skip
        mentors = [next(ids) for _ in range(mentor_count)]
        counts["mentor_profiles"] = await copy(
            connection,
            "mentor_profiles",
            ["id", "user_id", "organization_id", "job_title", "occupation_noc", "years_local_experience",
             "capacity", "created_at"],
            ((mentor_id, user_id, employer, "Engineer", "21231", 5, 3, created)
             for mentor_id, user_id in zip(mentors, mentor_users, strict=True)),
        )  # fmt: skip

        mentees: list[tuple[Any, ...]] = []
        referrals: list[tuple[Any, ...]] = []
        proposals: list[tuple[Any, ...]] = []
        pairs: list[tuple[Any, ...]] = []
        meetings: list[tuple[Any, ...]] = []
        outcomes: list[tuple[Any, ...]] = []
        responses: list[tuple[Any, ...]] = []
        answers: list[tuple[Any, ...]] = []
        span = 3 * 365
        returned_eligibility = json.dumps(
            [{"rule": "workshop", "id": "workshop", "message": "rule.open.job_search_workshop",
              "passed": False, "blocking": True}]
        )  # fmt: skip
        reasons = [
            json.dumps([text])
            for text in ("No recent résumé", "Language level to confirm", "Incomplete file")
        ]
        for index in range(mentorships + mentorships // 5):
            program_id, owner = programs[index % len(programs)]
            mentee_id = next(ids)
            language = Language.FR if rng.random() < 0.3 else Language.EN
            mentees.append(
                (
                    mentee_id,
                    owner,
                    "Client",
                    f"{index}",
                    "permanent_resident",
                    "MA",
                    "21231",
                    language.value,
                    created,
                )
            )
            start = ANCHOR - timedelta(days=rng.randrange(1, span))
            received = moment(start - timedelta(days=rng.randrange(10, 60)))
            decided = received + timedelta(days=rng.randrange(1, 10))
            referral_id = next(ids)
            if index >= mentorships:  # the referrals that did not lead to a mentorship
                outcome_of_referral = rng.choice(
                    [ReferralStatus.RETURNED, ReferralStatus.WITHDRAWN, ReferralStatus.SUBMITTED]
                )
                returned = outcome_of_referral == ReferralStatus.RETURNED
                referrals.append((
                    referral_id, mentee_id, program_id, owner, staff, outcome_of_referral.value, received,
                    received, decided if outcome_of_referral != ReferralStatus.SUBMITTED else None,
                    returned_eligibility if returned else "[]", rng.choice(reasons) if returned else "[]",
                ))  # fmt: skip
                continue
            referrals.append((
                referral_id, mentee_id, program_id, owner, staff, ReferralStatus.ADMITTED.value, received,
                received, decided, "[]", "[]",
            ))  # fmt: skip
            matched = moment(start, 9)
            proposal_id, mentor_index = next(ids), rng.randrange(mentor_count)
            mentor_id = mentors[mentor_index]
            proposals.append((
                proposal_id, program_id, referral_id, mentee_id, mentor_id, staff, 0.7, "accepted",
                "accepted", "accepted", matched + timedelta(days=14), matched, matched,
            ))  # fmt: skip
            end = start + timedelta(days=TERM_DAYS)
            closed = end < ANCHOR - timedelta(days=1)
            status = (
                (MentorshipStatus.COMPLETED if rng.random() < 0.8 else MentorshipStatus.ENDED_EARLY)
                if closed
                else MentorshipStatus.ACTIVE
            )
            mentorship_id = next(ids)
            pairs.append((
                mentorship_id, program_id, proposal_id, mentee_id, mentor_id, start, end, status.value,
                moment(end, 16) if closed else None, matched,
            ))  # fmt: skip
            last = min(end, ANCHOR - timedelta(days=1))
            for _ in range(rng.randrange(3, 10)):
                day = start + timedelta(days=rng.randrange(0, max((last - start).days, 1)))
                meetings.append(
                    (
                        next(ids),
                        mentorship_id,
                        day,
                        rng.choice((30, 45, 60, 90)),
                        "video",
                        staff,
                        moment(day, 20),
                    )
                )
            survey_days = {
                SurveyStage.MIDPOINT: start + timedelta(days=TERM_DAYS // 2),
                SurveyStage.COMPLETION: end,
            }
            for stage, opens in survey_days.items():
                if (stage == SurveyStage.COMPLETION and not closed) or opens >= ANCHOR - timedelta(days=3):
                    continue
                for side, answerer in (
                    (PairSide.MENTOR, mentor_users[mentor_index]),
                    (PairSide.MENTEE, mentee_users[index]),
                ):
                    if rng.random() >= SURVEY_ANSWER_RATE[stage]:
                        continue
                    response_id = next(ids)
                    responses.append(
                        (
                            response_id,
                            mentorship_id,
                            program_id,
                            side.value,
                            stage.value,
                            answerer,
                            moment(opens + timedelta(days=rng.randrange(0, 3)), 12),
                        )
                    )
                    for question_id in questions[program_id]:
                        answers.append((next(ids), response_id, question_id, rng.randint(1, 5)))
            if closed:
                for stage, days in STAGE_DAYS.items():
                    due = end + timedelta(days=days)
                    if due >= ANCHOR:
                        break
                    outcome = rng.choice(list(EmploymentStatus))
                    outcomes.append(
                        (
                            next(ids),
                            mentorship_id,
                            mentee_id,
                            stage.value,
                            outcome.value,
                            staff,
                            moment(due, 11),
                        )
                    )
        counts["mentee_profiles"] = await copy(
            connection,
            "mentee_profiles",
            ["id", "owner_organization_id", "first_name", "last_name", "immigration_status",
             "country_of_training", "target_noc", "preferred_language", "created_at"],
            mentees,
        )  # fmt: skip
        counts["referrals"] = await copy(
            connection,
            "referrals",
            ["id", "mentee_id", "program_id", "referring_organization_id", "referred_by_user_id", "status",
             "consent_given_at", "created_at", "decided_at", "eligibility", "return_reasons"],
            referrals,
        )  # fmt: skip
        counts["match_proposals"] = await copy(
            connection,
            "match_proposals",
            ["id", "program_id", "referral_id", "mentee_id", "mentor_id", "proposed_by_user_id", "score",
             "status", "mentee_answer", "mentor_answer", "expires_at", "decided_at", "created_at"],
            proposals,
        )  # fmt: skip
        counts["mentorships"] = await copy(
            connection,
            "mentorships",
            ["id", "program_id", "proposal_id", "mentee_id", "mentor_id", "agreement_date", "planned_end",
             "status", "closed_at", "created_at"],
            pairs,
        )  # fmt: skip
        counts["meetings"] = await copy(
            connection,
            "meetings",
            ["id", "mentorship_id", "occurred_on", "minutes", "mode", "logged_by_user_id", "created_at"],
            meetings,
        )
        counts["outcomes"] = await copy(
            connection,
            "outcomes",
            ["id", "mentorship_id", "mentee_id", "stage", "status", "recorded_by_user_id", "recorded_at"],
            outcomes,
        )
        counts["survey_responses"] = await copy(
            connection,
            "survey_responses",
            ["id", "mentorship_id", "program_id", "side", "stage", "answered_by_user_id", "submitted_at"],
            responses,
        )
        counts["survey_answers"] = await copy(
            connection, "survey_answers", ["id", "response_id", "question_id", "scale_value"], answers
        )
        events: list[tuple[Any, ...]] = []
        registrations: list[tuple[Any, ...]] = []
        for index in range(event_count):
            event_id = next(ids)
            starts = moment(ANCHOR - timedelta(days=rng.randrange(1, span)), 18)
            event_kind = list(EventKind)[index % len(EventKind)]
            organizer = [lead, *agencies][index % (AGENCIES + 1)]
            events.append((
                event_id, organizer, event_kind.value, "Event", "Activité", starts,
                starts + timedelta(hours=2), 100, staff, created,
            ))  # fmt: skip
            for user_id in rng.sample(mentor_users, REGISTRATIONS_PER_EVENT):
                registrations.append(
                    (next(ids), event_id, user_id, "mentor", starts - timedelta(days=3), rng.random() < 0.7)
                )
        counts["events"] = await copy(
            connection,
            "events",
            ["id", "organization_id", "kind", "title_en", "title_fr", "starts_at", "ends_at", "capacity",
             "created_by_user_id", "created_at"],
            events,
        )  # fmt: skip
        counts["event_registrations"] = await copy(
            connection,
            "event_registrations",
            ["id", "event_id", "user_id", "role", "registered_at", "attended"],
            registrations,
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return Scene(lead=lead, agency=agencies[0], program=programs[0][0], staff=staff, counts=counts)


async def timed(operation: Callable[[], Awaitable[Any]], repeat: int) -> list[float]:
    await operation()  # warm-up: connection, statement caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await operation()
        times.append(time.perf_counter() - started)
    return times


async def measure(engine: AsyncEngine, scene: Scene, repeat: int) -> dict[str, list[float]]:
    sessions = session_factory(engine)
    actor = Actor(
        user_id=scene.staff,
        display_name="Lead coordinator",
        language=Language.EN,
        organization_id=scene.lead,
        roles=frozenset({Role.COORDINATOR}),
    )
    start, end = PERIOD
    results: dict[str, list[float]] = {}
    async with sessions() as session:

        async def baseline() -> None:
            await session.scalar(sa.text("SELECT count(*) FROM meetings"))

        results["baseline"] = await timed(baseline, repeat)
        scopes: dict[str, dict[str, uuid.UUID]] = {
            "collaborative": {},
            "organization": {"organization_id": scene.agency},
            "program": {"program_id": scene.program},
        }
        for name, scope in scopes.items():

            async def run(scope: dict[str, uuid.UUID] = scope) -> None:
                await reports.report(session, actor, start=start, end=end, **scope)

            results[name] = await timed(run, repeat)
    return results


async def set_up_database(url: str) -> None:
    admin, name = url.rsplit("/", 1)
    connection = await asyncpg.connect(admin.replace("+asyncpg", "") + "/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(url: str) -> None:
    admin, name = url.rsplit("/", 1)
    connection = await asyncpg.connect(admin.replace("+asyncpg", "") + "/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await connection.close()


async def benchmark(url: str, mentorships: int, repeat: int, seed: int) -> dict[str, Any]:
    await set_up_database(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
        started = time.perf_counter()
        scene = await generate(url, mentorships, seed)
        generation = time.perf_counter() - started
        results = await measure(engine, scene, repeat)
    finally:
        await engine.dispose()
        await drop_database(url)
    return {"counts": scene.counts, "generation_seconds": generation, "times": results}


def print_summary(figures: dict[str, Any], console: Console) -> None:
    counts = figures["counts"]
    console.print(
        f"{counts['mentorships']:,} mentorships, {counts['referrals']:,} referrals, {counts['meetings']:,} "
        f"meetings, {counts['outcomes']:,} outcomes, {counts['event_registrations']:,} event registrations, "
        f"{counts['survey_answers']:,} survey answers written in {figures['generation_seconds']:.1f} s"
    )
    times = figures["times"]
    baseline = statistics.median(times["baseline"])
    table = Table(
        title=f"Report for {PERIOD[0]} to {PERIOD[1]} (every section), target ≤ {TARGET_SECONDS:.0f} s"
    )
    for column in ("scope", "median", "max", "× baseline", "target"):
        table.add_column(column)
    for scope in ("collaborative", "organization", "program"):
        median, worst = statistics.median(times[scope]), max(times[scope])
        table.add_row(
            scope,
            f"{median * 1000:.0f} ms",
            f"{worst * 1000:.0f} ms",
            f"{median / baseline:.1f}",
            "met" if worst <= TARGET_SECONDS else "NOT met",
        )
    table.add_row(
        "baseline: SELECT count(*) FROM meetings",
        f"{baseline * 1000:.0f} ms",
        f"{max(times['baseline']) * 1000:.0f} ms",
        "1.0",
        "",
    )
    console.print(table)


def main(arguments: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2,000 mentorships: a smoke test")
    parser.add_argument("--mentorships", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args(arguments)
    mentorships = 2_000 if options.quick else options.mentorships
    repeat = 2 if options.quick else options.repeat
    url = os.environ.get("TREMPLIN_BENCHMARK_POSTGRES_URL", DEFAULT_URL)
    figures = asyncio.run(benchmark(url, mentorships, repeat, options.seed))
    print_summary(figures, Console())


if __name__ == "__main__":
    main()
