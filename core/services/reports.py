"""Reports people can act on: for a program, an organization's programs or the whole
collaborative, over a period [start, end).

Every figure is an SQL aggregate computed in the database (GROUP BY, never row by row
here), so a report over 100,000 mentorships stays fast (``benchmarks/reports.py``).

Who sees what:

- staff of a program's organization (admin, coordinator, viewer) see their programs and
  their organization whole: the people counted are their own clients;
- staff of the lead organization and of funders see any organization and the whole
  collaborative as aggregates only: every count of 1 to 4 people, and every figure
  derived from fewer than 5 people (a rate, a median, hours), is suppressed (null and
  flagged), and when a total would let a suppressed count be worked out by subtraction,
  the next smallest count of that total is suppressed too;
- another organization's program or organization answers NOT_FOUND; anyone else
  (mentors, newcomers, staff of other kinds asking for the collaborative) FORBIDDEN.

A report can also be asked for by mail (``request_export``): the same checks at once,
then a job (``core.reports.mailing``) builds it as the person may see it when it runs,
checking again, and mails it as a CSV or XLSX attachment.
"""

import enum
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import rules
from core.access import READING_STAFF_ROLES, Actor
from core.errors import DomainError, Forbidden, NotFound
from core.i18n import LANGUAGES, translate
from core.jobs.queue import enqueue
from core.models import (
    EmploymentStatus,
    Event,
    EventKind,
    EventRegistration,
    Language,
    MatchProposal,
    Meeting,
    Membership,
    MenteeProfile,
    Mentorship,
    MentorshipStatus,
    Organization,
    OrganizationKind,
    Outcome,
    OutcomeStage,
    PairSide,
    Program,
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

# A cell counting fewer people than this (but some) is suppressed in aggregate views.
MINIMUM_CELL = 5
MAX_PERIOD_DAYS = 5 * 366
# The most frequent return reasons listed one by one; the rest are counted together.
TOP_REASONS = 10
# Organizations that oversee the collaborative and see its aggregates.
OVERSEERS = frozenset({OrganizationKind.LEAD_ORGANIZATION, OrganizationKind.FUNDER})


class ReportScope(enum.StrEnum):
    PROGRAM = "program"
    ORGANIZATION = "organization"
    COLLABORATIVE = "collaborative"


class ReportUnit(enum.StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    DAYS = "days"
    HOURS = "hours"
    SCORE = "score"  # an average on a survey question's scale


@dataclass(frozen=True)
class ReportRow:
    key: str
    labels: Mapping[str, str]  # by language
    unit: ReportUnit
    value: float | None
    suppressed: bool = False

    def label(self, language: str) -> str:
        return self.labels[language]


@dataclass(frozen=True)
class ReportSection:
    key: str
    rows: list[ReportRow]
    # The rows the section's chart draws: those in this unit.
    chart_unit: ReportUnit

    def title(self, language: str) -> str:
        return translate(f"report.section.{self.key}", language)

    def description(self, language: str) -> str:
        return translate(f"report.section.{self.key}.description", language)


@dataclass(frozen=True)
class Report:
    scope: ReportScope
    program_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    start: date
    end: date
    # True when small cells are suppressed (a lead organization's or a funder's view).
    aggregates_only: bool
    sections: list[ReportSection]
    # The scope's name in each language (the collaborative's is a catalog entry).
    scope_names: Mapping[str, str]


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time(), UTC)


def check_period(start: date, end: date) -> Period:
    if end <= start:
        raise DomainError("REPORT_PERIOD_EMPTY", field="period.end")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise DomainError("REPORT_PERIOD_TOO_LONG", field="period.end", years=MAX_PERIOD_DAYS // 366)
    return Period(start, end)


# --- Who may see what -------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    kind: ReportScope
    program: Program | None = None
    organization: Organization | None = None
    aggregates_only: bool = False

    def programs(self, column: Any) -> ColumnElement[bool]:
        """Rows of the scope's programs, through their ``program_id`` column."""
        if self.program is not None:
            return col(column) == self.program.id
        if self.organization is not None:
            return col(column).in_(select(Program.id).where(Program.organization_id == self.organization.id))
        return sa.true()

    def organizations(self, column: Any) -> ColumnElement[bool]:
        """Rows of the scope's organization(s), through an ``organization_id`` column."""
        if self.program is not None:
            return col(column) == self.program.organization_id
        if self.organization is not None:
            return col(column) == self.organization.id
        return sa.true()

    def names(self) -> dict[str, str]:
        named = self.program or self.organization
        if named is None:
            return {language: translate("report.scope.collaborative", language) for language in LANGUAGES}
        return {"en": named.name_en, "fr": named.name_fr}


async def _scope(
    session: AsyncSession, actor: Actor, program_id: uuid.UUID | None, organization_id: uuid.UUID | None
) -> _Scope:
    own = actor.require_role(*READING_STAFF_ROLES)
    mine = await session.get_one(Organization, own)
    overseer = mine.kind in OVERSEERS
    if program_id is not None and organization_id is not None:
        raise DomainError("REPORT_SCOPE_CONFLICT", field="organizationId")
    if program_id is not None:
        program = await session.get(Program, program_id)
        if program is None or not (program.organization_id == own or overseer):
            raise NotFound()
        return _Scope(ReportScope.PROGRAM, program=program, aggregates_only=program.organization_id != own)
    if organization_id is not None:
        organization = await session.get(Organization, organization_id)
        if organization is None or not (organization.id == own or overseer):
            raise NotFound()
        return _Scope(
            ReportScope.ORGANIZATION, organization=organization, aggregates_only=organization.id != own
        )
    if not overseer:
        raise Forbidden()
    return _Scope(ReportScope.COLLABORATIVE, aggregates_only=True)


# --- Figures before suppression -----------------------------------------------------------


@dataclass
class _Figure:
    key: str
    labels: dict[str, str]
    unit: ReportUnit
    value: float | None
    # The counts of people the figure reveals: any of 1 to 4 suppresses it.
    people: tuple[int, ...] = ()
    hidden: bool = False

    def row(self) -> ReportRow:
        return ReportRow(self.key, self.labels, self.unit, None if self.hidden else self.value, self.hidden)


def _labels(key: str, **params: Any) -> dict[str, str]:
    return {language: translate(key, language, **params) for language in LANGUAGES}


def _count(key: str, value: int, label_key: str | None = None, **params: Any) -> _Figure:
    return _Figure(
        key, _labels(label_key or f"report.row.{key}", **params), ReportUnit.COUNT, value, (value,)
    )


def _rate(key: str, part: int, whole: int) -> _Figure:
    value = round(100 * part / whole, 1) if whole else None
    return _Figure(key, _labels(f"report.row.{key}"), ReportUnit.PERCENT, value, (part, whole - part, whole))


def _small(count: int) -> bool:
    return 0 < count < MINIMUM_CELL


@dataclass
class _Group:
    """A total and the counts it adds up from; what the parts leave out of the total is
    a count too (its residual), which a reader works out by subtraction."""

    total: str
    parts: list[str]


def _suppress(figures: list[_Figure], groups: Iterable[_Group]) -> None:
    by_key = {figure.key: figure for figure in figures}
    for figure in figures:
        figure.hidden = any(_small(count) for count in figure.people)
    for group in groups:
        total = by_key[group.total]
        parts = [by_key[key] for key in group.parts]
        if total.hidden:
            continue
        residual = int(total.value or 0) - sum(int(part.value or 0) for part in parts)
        hidden = sum(part.hidden for part in parts) + _small(residual)
        if hidden != 1:
            continue
        shown = [part for part in parts if not part.hidden and part.value]
        if shown:
            min(shown, key=lambda part: part.value or 0).hidden = True
        else:
            total.hidden = True


@dataclass
class _Section:
    key: str
    chart_unit: ReportUnit = ReportUnit.COUNT
    figures: list[_Figure] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)

    def done(self, aggregates_only: bool) -> ReportSection:
        if aggregates_only:
            _suppress(self.figures, self.groups)
        return ReportSection(self.key, [figure.row() for figure in self.figures], self.chart_unit)


# --- The sections -------------------------------------------------------------------------


def _within(column: Any, period: Period) -> ColumnElement[bool]:
    return sa.and_(col(column) >= period.start_at, col(column) < period.end_at)


def _days_within(column: Any, period: Period) -> ColumnElement[bool]:
    return sa.and_(col(column) >= period.start, col(column) < period.end)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def _referrals(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    received = dict(
        (
            await session.execute(
                select(Referral.status, func.count())
                .where(scope.programs(Referral.program_id), _within(Referral.created_at, period))
                .group_by(Referral.status)
            )
        ).all()
    )
    section = _Section("referrals")
    section.figures = [_count("referrals.total", sum(received.values()))] + [
        _count(f"referrals.{status.value}", received.get(status, 0)) for status in ReferralStatus
    ]
    section.groups = [_Group("referrals.total", [f"referrals.{status.value}" for status in ReferralStatus])]
    return section


async def _admission(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    decided = dict(
        (
            await session.execute(
                select(Referral.status, func.count())
                .where(
                    scope.programs(Referral.program_id),
                    _within(Referral.decided_at, period),
                    col(Referral.status).in_([ReferralStatus.ADMITTED, ReferralStatus.RETURNED]),
                )
                .group_by(Referral.status)
            )
        ).all()
    )
    admitted, returned = decided.get(ReferralStatus.ADMITTED, 0), decided.get(ReferralStatus.RETURNED, 0)
    section = _Section("admission")
    section.figures = [
        _count("admission.decided", admitted + returned),
        _count("admission.admitted", admitted),
        _count("admission.returned", returned),
        _rate("admission.rate", admitted, admitted + returned),
    ]
    section.groups = [_Group("admission.decided", ["admission.admitted", "admission.returned"])]
    return section


def _json_elements(session: AsyncSession, column: Any, name: str, *, text: bool = False) -> Any:
    """The elements of a JSON array column (as text when ``text``), as a table joined
    to its row."""
    if _dialect(session) == "postgresql":
        function = func.json_array_elements_text if text else func.json_array_elements
        return function(column).table_valued("value").alias(name)
    return func.json_each(column).table_valued("value").alias(name)


async def _return_reasons(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    """Why referrals decided in the period were returned: the criteria that failed, then
    the reasons staff wrote, the most frequent first."""
    returned = sa.and_(
        scope.programs(Referral.program_id),
        col(Referral.status) == ReferralStatus.RETURNED,
        _within(Referral.decided_at, period),
    )
    postgresql = _dialect(session) == "postgresql"
    criteria = _json_elements(session, Referral.eligibility, "criterion")
    if postgresql:
        rule = criteria.c.value.op("->>")("rule")
        blocking = criteria.c.value.op("->>")("blocking") == "true"
        sample = func.min(sa.cast(criteria.c.value, sa.Text))
    else:
        rule = func.json_extract(criteria.c.value, "$.rule")
        blocking = func.json_extract(criteria.c.value, "$.blocking") == 1
        sample = func.min(criteria.c.value)
    failed = (
        await session.execute(
            select(rule, func.count(), sample)
            .select_from(Referral)
            .join(criteria, sa.true())
            .where(returned, blocking)
            .group_by(rule)
        )
    ).all()
    written = _json_elements(session, Referral.return_reasons, "reason", text=True)
    text = written.c.value
    staff = (
        await session.execute(
            select(text, func.count())
            .select_from(Referral)
            .join(written, sa.true())
            .where(returned)
            .group_by(text)
        )
    ).all()

    figures: list[tuple[int, str, _Figure]] = []
    for rule_id, count, record in failed:
        described = json.loads(record)
        labels = {language: rules.describe(described, language) for language in LANGUAGES}
        figures.append(
            (count, f"0{rule_id}", _Figure(f"criterion.{rule_id}", labels, ReportUnit.COUNT, count, (count,)))
        )
    other = 0
    for reason, count in staff:
        if scope.aggregates_only and count < MINIMUM_CELL:
            # Words staff wrote about one or a few people may name or describe them.
            other += count
            continue
        labels = {language: str(reason) for language in LANGUAGES}
        figures.append(
            (
                count,
                f"1{reason}",
                _Figure(f"reason.{len(figures)}", labels, ReportUnit.COUNT, count, (count,)),
            )
        )
    figures.sort(key=lambda entry: (-entry[0], entry[1]))
    other += sum(count for count, _, _ in figures[TOP_REASONS:])
    section = _Section("return_reasons")
    section.figures = [figure for _, _, figure in figures[:TOP_REASONS]]
    for position, figure in enumerate(section.figures):
        if figure.key.startswith("reason."):
            figure.key = f"reason.{position + 1}"
    section.figures.append(_count("return_reasons.other", other))
    return section


def _days_between(session: AsyncSession, later: Any, earlier: Any) -> ColumnElement[Any]:
    if _dialect(session) == "postgresql":
        return func.extract("epoch", col(later) - col(earlier)) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


async def _time_to_match(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    """From admission (the referral's decision) to the match (the mentorship's creation),
    for matches made in the period. A referral withdrawn after its mentorship carries
    the withdrawal's date instead of the admission's: such pairs are left out."""
    days = _days_between(session, Mentorship.created_at, Referral.decided_at).label("days")
    matched = (
        select(days)
        .select_from(Mentorship)
        .join(MatchProposal, col(MatchProposal.id) == Mentorship.proposal_id)
        .join(Referral, col(Referral.id) == MatchProposal.referral_id)
        .where(
            scope.programs(Mentorship.program_id),
            _within(Mentorship.created_at, period),
            col(Referral.decided_at) <= col(Mentorship.created_at),
        )
    )
    durations = matched.subquery()
    if _dialect(session) == "postgresql":
        count, average, median = (
            await session.execute(
                select(
                    func.count(),
                    func.avg(durations.c.days),
                    func.percentile_cont(0.5).within_group(durations.c.days),
                )
            )
        ).one()
    else:
        count, average = (await session.execute(select(func.count(), func.avg(durations.c.days)))).one()
        median = None
        if count:
            # SQLite has no percentile: the middle value (or the two middle ones) of
            # the durations, sorted in SQL.
            middle = list(
                await session.scalars(matched.order_by(days).limit(2 - count % 2).offset((count - 1) // 2))
            )
            median = sum(middle) / len(middle)
    section = _Section("time_to_match", chart_unit=ReportUnit.DAYS)
    section.figures = [
        _count("time_to_match.matches", count),
        _Figure(
            "time_to_match.median",
            _labels("report.row.time_to_match.median"),
            ReportUnit.DAYS,
            round(float(median), 1) if median is not None else None,
            (count,),
        ),
        _Figure(
            "time_to_match.average",
            _labels("report.row.time_to_match.average"),
            ReportUnit.DAYS,
            round(float(average), 1) if average is not None else None,
            (count,),
        ),
    ]
    return section


async def _mentorships(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    started = sa.and_(
        col(Mentorship.agreement_date) >= period.start, col(Mentorship.agreement_date) < period.end
    )
    running_at_end = sa.and_(
        col(Mentorship.agreement_date) < period.end,
        sa.or_(col(Mentorship.closed_at).is_(None), col(Mentorship.closed_at) >= period.end_at),
    )
    active, begun = (
        await session.execute(
            select(
                func.count().filter(running_at_end),
                func.count().filter(started),
            ).where(scope.programs(Mentorship.program_id))
        )
    ).one()
    section = _Section("mentorships")
    section.figures = [_count("mentorships.active_at_end", active), _count("mentorships.started", begun)]
    return section


async def _hours(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    # Per mentorship first (a hash aggregate), then totals: cheaper than counting
    # distinct mentorships over every meeting.
    per_pair = (
        select(
            col(Meeting.mentorship_id),
            func.count().label("meetings"),
            func.sum(Meeting.minutes).label("minutes"),
        )
        .where(_days_within(Meeting.occurred_on, period))
        .group_by(col(Meeting.mentorship_id))
    )
    if scope.kind != ReportScope.COLLABORATIVE:
        per_pair = per_pair.where(
            col(Meeting.mentorship_id).in_(select(Mentorship.id).where(scope.programs(Mentorship.program_id)))
        )
    pairs_met = per_pair.subquery()
    meetings, minutes, pairs = (
        await session.execute(
            select(
                func.coalesce(func.sum(pairs_met.c.meetings), 0),
                func.coalesce(func.sum(pairs_met.c.minutes), 0),
                func.count(),
            )
        )
    ).one()
    section = _Section("hours", chart_unit=ReportUnit.HOURS)
    section.figures = [
        _Figure(
            "hours.logged",
            _labels("report.row.hours.logged"),
            ReportUnit.HOURS,
            round(int(minutes) / 60, 1),
            (pairs,),
        ),
        _Figure(
            "hours.meetings", _labels("report.row.hours.meetings"), ReportUnit.COUNT, int(meetings), (pairs,)
        ),
        _count("hours.mentorships", pairs),
    ]
    return section


async def _completion(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    closed = dict(
        (
            await session.execute(
                select(Mentorship.status, func.count())
                .where(scope.programs(Mentorship.program_id), _within(Mentorship.closed_at, period))
                .group_by(Mentorship.status)
            )
        ).all()
    )
    completed = closed.get(MentorshipStatus.COMPLETED, 0)
    ended_early = closed.get(MentorshipStatus.ENDED_EARLY, 0)
    section = _Section("completion")
    section.figures = [
        _count("completion.closed", completed + ended_early),
        _count("completion.completed", completed),
        _count("completion.ended_early", ended_early),
        _rate("completion.rate", completed, completed + ended_early),
    ]
    section.groups = [_Group("completion.closed", ["completion.completed", "completion.ended_early"])]
    return section


async def _outcomes(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    counts: dict[tuple[str, str], int] = {
        (str(stage), str(status)): count
        for stage, status, count in (
            await session.execute(
                select(Outcome.stage, Outcome.status, func.count())
                .join(Mentorship, col(Mentorship.id) == Outcome.mentorship_id)
                .where(scope.programs(Mentorship.program_id), _within(Outcome.recorded_at, period))
                .group_by(Outcome.stage, Outcome.status)
            )
        ).all()
    }
    section = _Section("outcomes")
    for stage in OutcomeStage:
        recorded = sum(count for (at, _), count in counts.items() if at == stage.value)
        total_key = f"outcomes.{stage.value}"
        section.figures.append(
            _Figure(total_key, _stage_labels(stage, None), ReportUnit.COUNT, recorded, (recorded,))
        )
        parts = []
        for status in EmploymentStatus:
            count = counts.get((stage.value, status.value), 0)
            key = f"outcomes.{stage.value}.{status.value}"
            section.figures.append(
                _Figure(key, _stage_labels(stage, status), ReportUnit.COUNT, count, (count,))
            )
            parts.append(key)
        section.groups.append(_Group(total_key, parts))
    return section


def _stage_labels(stage: OutcomeStage, status: EmploymentStatus | None) -> dict[str, str]:
    labels = {}
    for language in LANGUAGES:
        stage_name = translate(f"report.stage.{stage.value}", language)
        if status is None:
            labels[language] = translate("report.row.outcomes.recorded", language, stage=stage_name)
        else:
            status_name = translate(f"report.employment.{status.value}", language)
            labels[language] = translate(
                "report.row.outcomes.status", language, stage=stage_name, status=status_name
            )
    return labels


async def _francophone(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    started, french = (
        await session.execute(
            select(func.count(), func.count().filter(col(MenteeProfile.preferred_language) == Language.FR))
            .select_from(Mentorship)
            .join(MenteeProfile, col(MenteeProfile.id) == Mentorship.mentee_id)
            .where(scope.programs(Mentorship.program_id), _days_within(Mentorship.agreement_date, period))
        )
    ).one()
    section = _Section("francophone")
    section.figures = [
        _count("francophone.started", started),
        _count("francophone.french", french),
        _rate("francophone.share", french, started),
    ]
    section.groups = [_Group("francophone.started", ["francophone.french"])]
    return section


async def _events(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    found = {
        kind: (registered, attended)
        for kind, registered, attended in (
            await session.execute(
                select(
                    Event.kind, func.count(), func.count().filter(col(EventRegistration.attended).is_(True))
                )
                .select_from(Event)
                .join(EventRegistration, col(EventRegistration.event_id) == Event.id)
                .where(
                    scope.organizations(Event.organization_id),
                    col(Event.cancelled_at).is_(None),
                    col(EventRegistration.cancelled_at).is_(None),
                    _within(Event.starts_at, period),
                )
                .group_by(Event.kind)
            )
        ).all()
    }
    section = _Section("events")
    for kind in EventKind:
        registered, attended = found.get(kind, (0, 0))
        kind_labels = {language: translate(f"event.kind.{kind.value}", language) for language in LANGUAGES}
        for figure_key, count in (("registered", registered), ("attended", attended)):
            labels = {
                language: translate(f"report.row.events.{figure_key}", language, kind=kind_labels[language])
                for language in LANGUAGES
            }
            section.figures.append(
                _Figure(f"events.{kind.value}.{figure_key}", labels, ReportUnit.COUNT, count, (count,))
            )
        section.groups.append(_Group(f"events.{kind.value}.registered", [f"events.{kind.value}.attended"]))
    return section


async def _surveys(session: AsyncSession, scope: _Scope, period: Period) -> _Section:
    """Answers given in the period to the scale questions of the scope's programs: how
    many, and their average, per stage (midpoint, completion) and side (mentors,
    newcomers). Free-text answers stay out: words about one person may name them. A
    cell's people are the distinct persons who answered (a mentor of two pairs answers
    twice), which is what suppression counts."""
    cells = {
        (question_id, SurveyStage(stage), PairSide(side)): (int(answers), float(average), int(people))
        for question_id, stage, side, answers, average, people in (
            await session.execute(
                # SQLAlchemy's own select: SQLModel's is typed for up to four columns.
                sa.select(
                    col(SurveyAnswer.question_id),
                    col(SurveyResponse.stage),
                    col(SurveyResponse.side),
                    func.count(),
                    func.avg(SurveyAnswer.scale_value),
                    func.count(sa.distinct(col(SurveyResponse.answered_by_user_id))),
                )
                .join(SurveyResponse, col(SurveyResponse.id) == SurveyAnswer.response_id)
                .where(
                    scope.programs(SurveyResponse.program_id),
                    _within(SurveyResponse.submitted_at, period),
                    col(SurveyAnswer.scale_value).is_not(None),
                )
                .group_by(col(SurveyAnswer.question_id), col(SurveyResponse.stage), col(SurveyResponse.side))
            )
        ).all()
    }
    answered = {question_id for question_id, _, _ in cells}
    questions = (
        await session.execute(
            select(SurveyQuestion, Program.name_en, Program.name_fr)
            .join(Program, col(Program.id) == SurveyQuestion.program_id)
            .where(
                scope.programs(SurveyQuestion.program_id),
                col(SurveyQuestion.kind) == QuestionKind.SCALE,
                # A retired question stays in the reports of the periods it was answered in.
                sa.or_(col(SurveyQuestion.retired_at).is_(None), col(SurveyQuestion.id).in_(answered)),
            )
            .order_by(
                col(Program.created_at),
                col(Program.id),
                col(SurveyQuestion.position),
                col(SurveyQuestion.created_at),
            )
        )
    ).all()
    section = _Section("surveys", chart_unit=ReportUnit.SCORE)
    for question, program_en, program_fr in questions:
        named = {}
        for language in LANGUAGES:
            params = {
                "question": question.text_fr if language == "fr" else question.text_en,
                "min": question.scale_min,
                "max": question.scale_max,
                "program": program_fr if language == "fr" else program_en,
            }
            # Several programs' questions side by side: each says whose it is.
            key = "report.survey.question" if scope.program else "report.survey.question_in_program"
            named[language] = translate(key, language, **params)
        for stage in SurveyStage:
            for side in PairSide:
                answers, average, people = cells.get((question.id, stage, side), (0, None, 0))
                prefix = f"surveys.{question.id}.{stage.value}.{side.value}"
                for figure, unit, value in (
                    ("answers", ReportUnit.COUNT, answers),
                    ("average", ReportUnit.SCORE, round(average, 2) if average is not None else None),
                ):
                    labels = {
                        language: translate(
                            f"report.row.surveys.{figure}",
                            language,
                            question=named[language],
                            stage=translate(f"report.survey.stage.{stage.value}", language),
                            side=translate(f"report.survey.side.{side.value}", language),
                        )
                        for language in LANGUAGES
                    }
                    section.figures.append(_Figure(f"{prefix}.{figure}", labels, unit, value, (people,)))
    return section


SECTIONS = (
    _referrals,
    _admission,
    _return_reasons,
    _time_to_match,
    _mentorships,
    _hours,
    _completion,
    _outcomes,
    _francophone,
    _events,
    _surveys,
)


async def report(
    session: AsyncSession,
    actor: Actor,
    *,
    start: date,
    end: date,
    program_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> Report:
    """The report of a scope over [start, end), as the actor may see it."""
    period = check_period(start, end)
    scope = await _scope(session, actor, program_id, organization_id)
    sections = [(await build(session, scope, period)).done(scope.aggregates_only) for build in SECTIONS]
    return Report(
        scope=scope.kind,
        program_id=scope.program.id if scope.program else None,
        organization_id=scope.organization.id if scope.organization else None,
        start=period.start,
        end=period.end,
        aggregates_only=scope.aggregates_only,
        sections=sections,
        scope_names=scope.names(),
    )


# --- By mail ------------------------------------------------------------------------------

# The job that builds a requested report and mails it (``core.reports.mailing``).
MAIL_REPORT_EXPORT = "mail_report_export"


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


async def request_export(
    session: AsyncSession,
    actor: Actor,
    *,
    start: date,
    end: date,
    export_format: ExportFormat,
    language: str,
    program_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> str:
    """Queue the report for mailing to the actor in ``language`` once this transaction
    commits, after the checks ``report`` makes; the address it goes to. The job checks
    again when it runs."""
    period = check_period(start, end)
    await _scope(session, actor, program_id, organization_id)
    if actor.operations is not None:
        # An integration client's service account reads no mail: it downloads the export.
        raise DomainError("REPORT_EXPORT_NO_MAILBOX")
    user = await session.get_one(User, actor.user_id)
    await enqueue(
        session,
        MAIL_REPORT_EXPORT,
        user_id=str(actor.user_id),
        acting_for=str(actor.organization_id),
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        program_id=str(program_id) if program_id else None,
        organization_id=str(organization_id) if organization_id else None,
        export_format=export_format.value,
        language=language,
    )
    return user.email


async def actor_of(session: AsyncSession, user_id: uuid.UUID, organization_id: uuid.UUID) -> Actor | None:
    """The person as they act for ``organization_id`` now, with the roles they hold
    there today (none when they left it); None once their account is disabled."""
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    roles = frozenset(
        Role(role)
        for role in await session.scalars(
            select(Membership.role).where(
                Membership.user_id == user_id, Membership.organization_id == organization_id
            )
        )
    )
    return Actor(
        user_id=user.id,
        display_name=user.display_name,
        language=user.preferred_language,
        organization_id=organization_id,
        roles=roles,
        memberships={organization_id: roles} if roles else {},
    )
