"""A mentorship's life around the meetings: program lifecycle settings, orientation
before matching, the agreement, goals, the meeting target, check-ins, surveys and the
certificate of completion."""

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.i18n import translate
from core.models import (
    Certificate,
    CheckIn,
    Meeting,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    MentorshipAgreement,
    MentorshipGoal,
    MentorshipStatus,
    OrientationStep,
    OrientationStepKind,
    PairSide,
    PairStatus,
    Program,
    ProgramLifecycleSettings,
    QuestionKind,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStage,
    User,
)
from core.models.lifecycle import (
    DEFAULT_CHECK_IN_INTERVAL_DAYS,
    DEFAULT_MEETING_TARGET_HOURS,
    MENTEE_STEPS,
    MENTOR_STEPS,
)
from core.services import mentorships as mentorship_service
from core.settings import get_settings
from federation.sharing import mentor_visible_to, staff_client_clause

# A pair is behind schedule below this share of the hours expected by now.
BEHIND_SCHEDULE_SHARE = 0.75
CERTIFICATE_KEY_PURPOSE = "certificate"


# --- Program lifecycle settings -------------------------------------------------------


@dataclass(frozen=True)
class LifecycleSettings:
    orientation_required: bool = False
    meeting_target_hours: int = DEFAULT_MEETING_TARGET_HOURS
    check_in_interval_days: int = DEFAULT_CHECK_IN_INTERVAL_DAYS

    @classmethod
    def of(cls, row: ProgramLifecycleSettings | None) -> "LifecycleSettings":
        if row is None:
            return cls()
        return cls(row.orientation_required, row.meeting_target_hours, row.check_in_interval_days)


async def settings_by_program(
    session: AsyncSession, program_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, LifecycleSettings]:
    rows = {
        row.program_id: row
        for row in await session.scalars(
            select(ProgramLifecycleSettings).where(col(ProgramLifecycleSettings.program_id).in_(program_ids))
        )
    }
    return {program_id: LifecycleSettings.of(rows.get(program_id)) for program_id in program_ids}


async def program_settings(session: AsyncSession, program_id: uuid.UUID) -> LifecycleSettings:
    return LifecycleSettings.of(await session.get(ProgramLifecycleSettings, program_id))


async def _program_for_staff(
    session: AsyncSession, actor: Actor, program_id: uuid.UUID, *, write: bool
) -> Program:
    """A program of the actor's organization; another organization's is not found."""
    program = await session.get(Program, program_id)
    if program is None or not actor.is_reading_staff_of(program.organization_id):
        raise NotFound()
    if write and not actor.is_staff_of(program.organization_id):
        raise Forbidden()
    return program


async def update_lifecycle_settings(
    session: AsyncSession,
    actor: Actor,
    program_id: uuid.UUID,
    *,
    orientation_required: bool | None = None,
    meeting_target_hours: int | None = None,
    check_in_interval_days: int | None = None,
) -> LifecycleSettings:
    """Staff of the program's organization change what they give; the rest stays.
    Check-ins already planned keep their dates; a new interval plans the next ones."""
    program = await _program_for_staff(session, actor, program_id, write=True)
    row = await session.get(ProgramLifecycleSettings, program.id)
    if row is None:
        row = ProgramLifecycleSettings(program_id=program.id, updated_by_user_id=actor.user_id)
        session.add(row)
    if orientation_required is not None:
        row.orientation_required = orientation_required
    if meeting_target_hours is not None:
        row.meeting_target_hours = validation.integer(
            meeting_target_hours, "meetingTargetHours", minimum=1, maximum=500
        )
    if check_in_interval_days is not None:
        row.check_in_interval_days = validation.integer(
            check_in_interval_days, "checkInIntervalDays", minimum=7, maximum=180
        )
    row.updated_by_user_id = actor.user_id
    row.updated_at = clock.now()
    await session.flush()
    return LifecycleSettings.of(row)


# --- Orientation ----------------------------------------------------------------------


async def _mentee_for(
    session: AsyncSession, actor: Actor, mentee_id: uuid.UUID, *, write: bool
) -> MenteeProfile:
    """Staff who may see the newcomer's file (the owning agency, or a program's staff
    through a live referral). The newcomer reads their own steps but does not record
    them: refused, not "not found", since their own file is no secret to them."""
    mentee = await session.scalar(select(MenteeProfile).where(MenteeProfile.id == mentee_id))
    if mentee is None:
        raise NotFound()
    if mentee.user_id == actor.user_id:
        if not write:
            return mentee
        if not actor.is_staff:
            raise Forbidden()
    visible = await session.scalar(
        select(MenteeProfile.id).where(MenteeProfile.id == mentee_id, staff_client_clause(actor))
    )
    if visible is None:
        raise NotFound()
    if write and not actor.is_staff:
        raise Forbidden()
    return mentee


async def _mentor_for(
    session: AsyncSession, actor: Actor, mentor_id: uuid.UUID, *, write: bool
) -> MentorProfile:
    """Staff of any organization that may see the mentor in its pool: a program orients
    and trains the mentors it may propose. The mentor reads their own steps but does not
    record them (refused, not "not found")."""
    mentor = await session.get(MentorProfile, mentor_id)
    if mentor is None:
        raise NotFound()
    if mentor.user_id == actor.user_id:
        if not write:
            return mentor
        if not actor.is_staff:
            raise Forbidden()
    if not actor.is_reading_staff:
        raise NotFound()
    visible = await session.scalar(
        select(MentorProfile.id).where(
            MentorProfile.id == mentor_id, mentor_visible_to(actor.organization_id)
        )
    )
    if visible is None:
        raise NotFound()
    if write and not actor.is_staff:
        raise Forbidden()
    return mentor


def _one_person(mentee_id: uuid.UUID | None, mentor_id: uuid.UUID | None) -> None:
    if (mentee_id is None) == (mentor_id is None):
        raise DomainError("MENTEE_OR_MENTOR_REQUIRED", field="menteeId")


async def record_orientation_step(
    session: AsyncSession,
    actor: Actor,
    *,
    step: OrientationStepKind,
    completed_on: date,
    mentee_id: uuid.UUID | None = None,
    mentor_id: uuid.UUID | None = None,
    note: str = "",
) -> OrientationStep:
    _one_person(mentee_id, mentor_id)
    if mentee_id is not None:
        await _mentee_for(session, actor, mentee_id, write=True)
        steps, person = MENTEE_STEPS, col(OrientationStep.mentee_id) == mentee_id
    else:
        assert mentor_id is not None
        await _mentor_for(session, actor, mentor_id, write=True)
        steps, person = MENTOR_STEPS, col(OrientationStep.mentor_id) == mentor_id
    if step not in steps:
        raise DomainError("ORIENTATION_STEP_NOT_FOR_ROLE", field="step")
    validation.not_in_future(completed_on, "completedOn")
    if await session.scalar(select(OrientationStep.id).where(person, OrientationStep.step == step)):
        raise DomainError("ORIENTATION_STEP_ALREADY_RECORDED", field="step")
    row = OrientationStep(
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        step=step,
        completed_on=completed_on,
        note=validation.text(note, "note", max_length=2000),
        recorded_by_user_id=actor.user_id,
        recorded_by_organization_id=actor.require_organization(),
    )
    session.add(row)
    await session.flush()
    return row


@dataclass(frozen=True)
class OrientationEntry:
    step: OrientationStepKind
    record: OrientationStep | None


async def orientation(
    session: AsyncSession,
    actor: Actor,
    *,
    mentee_id: uuid.UUID | None = None,
    mentor_id: uuid.UUID | None = None,
) -> list[OrientationEntry]:
    """Every step of the person's role, with the record of those done."""
    _one_person(mentee_id, mentor_id)
    if mentee_id is not None:
        await _mentee_for(session, actor, mentee_id, write=False)
        steps, person = MENTEE_STEPS, col(OrientationStep.mentee_id) == mentee_id
    else:
        assert mentor_id is not None
        await _mentor_for(session, actor, mentor_id, write=False)
        steps, person = MENTOR_STEPS, col(OrientationStep.mentor_id) == mentor_id
    done = {
        OrientationStepKind(row.step): row
        for row in await session.scalars(select(OrientationStep).where(person))
    }
    return [OrientationEntry(step, done.get(step)) for step in steps]


class OrientationIncomplete(DomainError):
    """Names the side still to orient, in the message and in ``field``."""

    code = "ORIENTATION_INCOMPLETE"

    def __init__(self, side: PairSide):
        super().__init__(field="referralId" if side == PairSide.MENTEE else "mentorId")
        self.side = side

    @property
    def message_key(self) -> str:
        return f"error.{self.code}.{self.side.value}"


async def require_orientation(
    session: AsyncSession, program: Program, mentee_id: uuid.UUID, mentor_id: uuid.UUID
) -> None:
    """Before a match, where the program requires both sides' orientation."""
    if not (await program_settings(session, program.id)).orientation_required:
        return
    for side, steps, person in (
        (PairSide.MENTEE, MENTEE_STEPS, col(OrientationStep.mentee_id) == mentee_id),
        (PairSide.MENTOR, MENTOR_STEPS, col(OrientationStep.mentor_id) == mentor_id),
    ):
        done = set(await session.scalars(select(OrientationStep.step).where(person)))
        if not set(steps) <= done:
            raise OrientationIncomplete(side)


# --- The agreement ----------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s*")


def action_plan_goals(mentee: MenteeProfile) -> list[str]:
    """The career goal, then each line of the action plan (bullets and numbers dropped)."""
    goals = [mentee.career_goal.strip()] if mentee.career_goal.strip() else []
    for line in mentee.action_plan.splitlines():
        goal = _BULLET.sub("", line).strip()
        if goal and goal not in goals:
            goals.append(goal[:500])
    return goals


def _agreement_text(
    language: str,
    *,
    mentee_name: str,
    mentor_name: str,
    program: Program,
    agreement: MentorshipAgreement,
) -> str:
    def say(key: str, **params: Any) -> str:
        return translate(f"lifecycle.agreement.{key}", language, **params)

    goals = agreement.goals or [say("no_goals")]
    return "\n\n".join(
        [
            say("title"),
            say(
                "parties",
                mentee=mentee_name,
                mentor=mentor_name,
                program=program.name_fr if language == "fr" else program.name_en,
            ),
            say(
                "term",
                start=format_date(agreement.agreement_date, "long", locale=language),
                end=format_date(agreement.planned_end, "long", locale=language),
            ),
            say(
                "cadence",
                minutes=agreement.meeting_minutes_per_week,
                hours=agreement.meeting_target_hours,
            ),
            say("goals") + "\n" + "\n".join(f"- {goal}" for goal in goals),
            say("commitments"),
        ]
    )


async def _mentor_name(session: AsyncSession, mentor_id: uuid.UUID) -> str:
    name = await session.scalar(
        select(User.display_name)
        .join(MentorProfile, col(MentorProfile.user_id) == User.id)
        .where(MentorProfile.id == mentor_id)
    )
    return name or ""


def _mentee_name(mentee: MenteeProfile) -> str:
    return f"{mentee.first_name} {mentee.last_name}".strip()


def check_in_dates(agreement_date: date, planned_end: date, interval_days: int) -> list[date]:
    dates, step = [], 1
    while (due := agreement_date + timedelta(days=step * interval_days)) <= planned_end:
        dates.append(due)
        step += 1
    return dates


async def plan_check_ins(session: AsyncSession, mentorship: Mentorship) -> None:
    """(Re)plan the check-ins still to do from the agreement date to the planned end;
    those done stay as they were."""
    interval = (await program_settings(session, mentorship.program_id)).check_in_interval_days
    wanted = set(check_in_dates(mentorship.agreement_date, mentorship.planned_end, interval))
    existing = list(await session.scalars(select(CheckIn).where(CheckIn.mentorship_id == mentorship.id)))
    for row in existing:
        if row.done_at is None and row.due_on not in wanted:
            await session.delete(row)
    have = {row.due_on for row in existing}
    session.add_all(CheckIn(mentorship_id=mentorship.id, due_on=due) for due in sorted(wanted - have))
    await session.flush()


async def start_mentorship(
    session: AsyncSession, mentorship: Mentorship, program: Program, mentee: MenteeProfile
) -> None:
    """With a new mentorship: its agreement (frozen, both languages), the goals of the
    newcomer's action plan, and the check-ins to come."""
    # No ORM relationships order the inserts: the mentorship goes in first.
    await session.flush()
    settings = await program_settings(session, program.id)
    goals = action_plan_goals(mentee)
    agreement = MentorshipAgreement(
        mentorship_id=mentorship.id,
        goals=goals,
        agreement_date=mentorship.agreement_date,
        planned_end=mentorship.planned_end,
        meeting_minutes_per_week=program.meeting_minutes_per_week,
        meeting_target_hours=settings.meeting_target_hours,
        document_en="",
        document_fr="",
    )
    names = {
        "mentee_name": _mentee_name(mentee),
        "mentor_name": await _mentor_name(session, mentorship.mentor_id),
    }
    agreement.document_en = _agreement_text("en", program=program, agreement=agreement, **names)
    agreement.document_fr = _agreement_text("fr", program=program, agreement=agreement, **names)
    session.add(agreement)
    session.add_all(MentorshipGoal(mentorship_id=mentorship.id, text=goal) for goal in goals)
    await plan_check_ins(session, mentorship)


async def _pair_side(session: AsyncSession, actor: Actor, mentorship: Mentorship) -> PairSide | None:
    side = await mentorship_service._side(session, actor, mentorship)
    return PairSide(side) if side else None


async def get_agreement(
    session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID
) -> MentorshipAgreement | None:
    mentorship = await mentorship_service.get_mentorship(session, actor, mentorship_id)
    return await session.get(MentorshipAgreement, mentorship.id)


async def accept_agreement(
    session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID
) -> MentorshipAgreement:
    """The mentor accepts for themself; the newcomer, or their agency's staff on their
    behalf, for the newcomer."""
    mentorship = await mentorship_service.get_mentorship(session, actor, mentorship_id)
    agreement = await session.get(MentorshipAgreement, mentorship.id)
    if agreement is None:
        raise NotFound()
    side = await _pair_side(session, actor, mentorship)
    if side is None:
        mentee = await session.get_one(MenteeProfile, mentorship.mentee_id)
        if not actor.is_staff_of(mentee.owner_organization_id):
            raise Forbidden()
        side = PairSide.MENTEE
    mentorship_service._require_active(mentorship)
    now = clock.now()
    if side == PairSide.MENTOR:
        if agreement.mentor_accepted_at is not None:
            raise DomainError("AGREEMENT_ALREADY_ACCEPTED")
        agreement.mentor_accepted_at = now
    else:
        if agreement.mentee_accepted_at is not None:
            raise DomainError("AGREEMENT_ALREADY_ACCEPTED")
        agreement.mentee_accepted_at = now
        agreement.mentee_accepted_by_user_id = actor.user_id
    await session.flush()
    return agreement


# --- Goals ------------------------------------------------------------------------------


async def _for_pair_or_staff(session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID) -> Mentorship:
    """The pair, the program's staff and the newcomer's agency's staff change goals."""
    mentorship = await mentorship_service.get_mentorship(session, actor, mentorship_id)
    if await _pair_side(session, actor, mentorship) is None:
        program = await session.get_one(Program, mentorship.program_id)
        mentee = await session.get_one(MenteeProfile, mentorship.mentee_id)
        if not (
            actor.is_staff_of(program.organization_id) or actor.is_staff_of(mentee.owner_organization_id)
        ):
            raise Forbidden()
    mentorship_service._require_active(mentorship)
    return mentorship


def _goal_text(text: str) -> str:
    return validation.text(text, "text", max_length=500, required=True)


async def add_goal(
    session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID, *, text: str
) -> MentorshipGoal:
    mentorship = await _for_pair_or_staff(session, actor, mentorship_id)
    goal = MentorshipGoal(
        mentorship_id=mentorship.id, text=_goal_text(text), created_by_user_id=actor.user_id
    )
    session.add(goal)
    await session.flush()
    return goal


async def update_goal(
    session: AsyncSession,
    actor: Actor,
    goal_id: uuid.UUID,
    *,
    text: str | None = None,
    progress: int | None = None,
    done: bool | None = None,
) -> MentorshipGoal:
    goal = await session.get(MentorshipGoal, goal_id)
    if goal is None:
        raise NotFound()
    await _for_pair_or_staff(session, actor, goal.mentorship_id)
    if text is not None:
        goal.text = _goal_text(text)
    if progress is not None:
        goal.progress = validation.integer(progress, "progress", minimum=0, maximum=100)
    if done is not None:
        goal.done = done
        if done:
            goal.progress = 100
    goal.updated_at = clock.now()
    await session.flush()
    return goal


async def goals(session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID) -> list[MentorshipGoal]:
    """Whoever may see the mentorship sees its goals."""
    mentorship = await mentorship_service.get_mentorship(session, actor, mentorship_id)
    return list(
        await session.scalars(
            select(MentorshipGoal)
            .where(MentorshipGoal.mentorship_id == mentorship.id)
            .order_by(col(MentorshipGoal.created_at), col(MentorshipGoal.id))
        )
    )


# --- The meeting target -----------------------------------------------------------------


def expected_hours(settings: LifecycleSettings, mentorship: Mentorship, today: date) -> float:
    """The program's target pro rata over the term elapsed (up to closure, if closed)."""
    term = (mentorship.planned_end - mentorship.agreement_date).days
    if term <= 0:
        return float(settings.meeting_target_hours)
    until = mentorship.closed_at.date() if mentorship.closed_at else today
    elapsed = min(max((until - mentorship.agreement_date).days, 0), term)
    return round(settings.meeting_target_hours * elapsed / term, 1)


def behind_schedule(
    settings: LifecycleSettings, mentorship: Mentorship, minutes_logged: int, today: date
) -> bool:
    """Only an active mentorship can fall behind."""
    if mentorship.status != MentorshipStatus.ACTIVE:
        return False
    return minutes_logged / 60 < BEHIND_SCHEDULE_SHARE * expected_hours(settings, mentorship, today)


# --- Check-ins ------------------------------------------------------------------------


async def _program_staff_mentorship(
    session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID, *, write: bool
) -> Mentorship:
    mentorship = await mentorship_service.get_mentorship(session, actor, mentorship_id)
    program = await session.get_one(Program, mentorship.program_id)
    allowed = actor.is_staff_of if write else actor.is_reading_staff_of
    if not allowed(program.organization_id):
        raise Forbidden()
    return mentorship


async def check_ins(session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID) -> list[CheckIn]:
    """The facilitator's follow-up: for the program's staff."""
    mentorship = await _program_staff_mentorship(session, actor, mentorship_id, write=False)
    return list(
        await session.scalars(
            select(CheckIn).where(CheckIn.mentorship_id == mentorship.id).order_by(col(CheckIn.due_on))
        )
    )


async def record_check_in(
    session: AsyncSession, actor: Actor, check_in_id: uuid.UUID, *, pair_status: PairStatus, notes: str = ""
) -> CheckIn:
    check_in = await session.get(CheckIn, check_in_id)
    if check_in is None:
        raise NotFound()
    mentorship = await _program_staff_mentorship(session, actor, check_in.mentorship_id, write=True)
    mentorship_service._require_active(mentorship)
    if check_in.done_at is not None:
        raise DomainError("CHECK_IN_ALREADY_RECORDED")
    check_in.pair_status = pair_status
    check_in.notes = validation.text(notes, "notes", max_length=8000)
    check_in.done_at = clock.now()
    check_in.recorded_by_user_id = actor.user_id
    await session.flush()
    return check_in


async def due_check_ins(session: AsyncSession, actor: Actor, *, within_days: int = 0) -> list[CheckIn]:
    """Check-ins of the actor's organization's programs still to do, due by today (or
    within ``within_days``), the oldest first."""
    organization_id = actor.require_organization()
    if not actor.is_reading_staff:
        raise Forbidden()
    horizon = clock.now().date() + timedelta(
        days=validation.integer(within_days, "withinDays", minimum=0, maximum=90)
    )
    return list(
        await session.scalars(
            select(CheckIn)
            .join(Mentorship, col(Mentorship.id) == CheckIn.mentorship_id)
            .join(Program, col(Program.id) == Mentorship.program_id)
            .where(
                Program.organization_id == organization_id,
                Mentorship.status == MentorshipStatus.ACTIVE,
                col(CheckIn.done_at).is_(None),
                col(CheckIn.due_on) <= horizon,
            )
            .order_by(col(CheckIn.due_on), col(CheckIn.id))
        )
    )


async def mentorship_closed(session: AsyncSession, mentorship: Mentorship) -> None:
    """Check-ins still to do no longer apply once a mentorship is closed."""
    await session.execute(
        delete(CheckIn).where(col(CheckIn.mentorship_id) == mentorship.id, col(CheckIn.done_at).is_(None))
    )


async def forget_person(session: AsyncSession, side: str, person_id: uuid.UUID) -> None:
    """On anonymization (``side``: ``mentee_id`` or ``mentor_id``): the free text of the
    person's orientation and mentorships goes, and so do their certificates, which
    state their name; the rest stays for the statistics."""
    for step in await session.scalars(
        select(OrientationStep).where(getattr(OrientationStep, side) == person_id)
    ):
        step.note = ""
    mentorship_ids = select(Mentorship.id).where(getattr(Mentorship, side) == person_id)
    for agreement in await session.scalars(
        select(MentorshipAgreement).where(col(MentorshipAgreement.mentorship_id).in_(mentorship_ids))
    ):
        agreement.goals, agreement.document_en, agreement.document_fr = [], "", ""
    for goal in await session.scalars(
        select(MentorshipGoal).where(col(MentorshipGoal.mentorship_id).in_(mentorship_ids))
    ):
        goal.text = ""
    for check_in in await session.scalars(
        select(CheckIn).where(col(CheckIn.mentorship_id).in_(mentorship_ids))
    ):
        check_in.notes = ""
    responses = select(SurveyResponse.id).where(col(SurveyResponse.mentorship_id).in_(mentorship_ids))
    for answer in await session.scalars(
        select(SurveyAnswer).where(col(SurveyAnswer.response_id).in_(responses))
    ):
        answer.text = ""
    await session.execute(delete(Certificate).where(col(Certificate.mentorship_id).in_(mentorship_ids)))


# --- Surveys --------------------------------------------------------------------------


@dataclass
class QuestionData:
    kind: QuestionKind
    text_en: str
    text_fr: str
    scale_min: int | None = None
    scale_max: int | None = None
    min_label_en: str = ""
    min_label_fr: str = ""
    max_label_en: str = ""
    max_label_fr: str = ""
    position: int = 0


def _apply_question(question: SurveyQuestion, data: QuestionData) -> None:
    question.kind = data.kind
    question.text_en = validation.text(data.text_en, "textEn", max_length=1000, required=True)
    question.text_fr = validation.text(data.text_fr, "textFr", max_length=1000, required=True)
    question.position = validation.integer(data.position, "position", minimum=0, maximum=1000)
    if data.kind == QuestionKind.SCALE:
        if data.scale_min is None or data.scale_max is None:
            raise DomainError("REQUIRED", field="scaleMax" if data.scale_min is not None else "scaleMin")
        question.scale_min = validation.integer(data.scale_min, "scaleMin", minimum=0, maximum=10)
        question.scale_max = validation.integer(data.scale_max, "scaleMax", minimum=1, maximum=10)
        if question.scale_max <= question.scale_min:
            raise DomainError("INVALID_SCALE", field="scaleMax")
        labels = {
            "min_label_en": data.min_label_en,
            "min_label_fr": data.min_label_fr,
            "max_label_en": data.max_label_en,
            "max_label_fr": data.max_label_fr,
        }
        for name, value in labels.items():
            setattr(question, name, validation.text(value, validation.api_field(name), max_length=200))
    else:
        question.scale_min = question.scale_max = None
        question.min_label_en = question.min_label_fr = question.max_label_en = question.max_label_fr = ""


async def add_survey_question(
    session: AsyncSession, actor: Actor, program_id: uuid.UUID, data: QuestionData
) -> SurveyQuestion:
    program = await _program_for_staff(session, actor, program_id, write=True)
    question = SurveyQuestion(program_id=program.id, kind=data.kind, text_en="", text_fr="")
    _apply_question(question, data)
    session.add(question)
    await session.flush()
    return question


async def _question_for_staff(session: AsyncSession, actor: Actor, question_id: uuid.UUID) -> SurveyQuestion:
    question = await session.get(SurveyQuestion, question_id)
    if question is None:
        raise NotFound()
    await _program_for_staff(session, actor, question.program_id, write=True)
    if question.retired_at is not None:
        raise DomainError("SURVEY_QUESTION_RETIRED")
    return question


async def update_survey_question(
    session: AsyncSession, actor: Actor, question_id: uuid.UUID, data: QuestionData
) -> SurveyQuestion:
    """Only a question nobody answered yet: answers keep the meaning they were given."""
    question = await _question_for_staff(session, actor, question_id)
    if await session.scalar(select(SurveyAnswer.id).where(SurveyAnswer.question_id == question.id).limit(1)):
        raise DomainError("SURVEY_QUESTION_ANSWERED")
    _apply_question(question, data)
    await session.flush()
    return question


async def retire_survey_question(
    session: AsyncSession, actor: Actor, question_id: uuid.UUID
) -> SurveyQuestion:
    question = await _question_for_staff(session, actor, question_id)
    question.retired_at = clock.now()
    await session.flush()
    return question


async def survey_questions(
    session: AsyncSession, program_id: uuid.UUID, *, include_retired: bool = False
) -> list[SurveyQuestion]:
    query = select(SurveyQuestion).where(SurveyQuestion.program_id == program_id)
    if not include_retired:
        query = query.where(col(SurveyQuestion.retired_at).is_(None))
    return list(
        await session.scalars(query.order_by(col(SurveyQuestion.position), col(SurveyQuestion.created_at)))
    )


def survey_opens_on(mentorship: Mentorship, stage: SurveyStage) -> date:
    """Midway through the planned term; at completion, the planned end or the closure,
    whichever comes first."""
    if stage == SurveyStage.MIDPOINT:
        return mentorship.agreement_date + timedelta(
            days=(mentorship.planned_end - mentorship.agreement_date).days // 2
        )
    if mentorship.closed_at is not None:
        return min(mentorship.planned_end, mentorship.closed_at.date())
    return mentorship.planned_end


@dataclass
class AnswerData:
    question_id: uuid.UUID
    scale_value: int | None = None
    text: str = ""


def _validated_answers(questions: list[SurveyQuestion], answers: list[AnswerData]) -> list[AnswerData]:
    by_id = {question.id: question for question in questions}
    rows: list[AnswerData] = []
    seen: set[uuid.UUID] = set()
    for index, answer in enumerate(answers):
        field = f"answers[{index}]"
        question = by_id.get(answer.question_id)
        if question is None or answer.question_id in seen:
            raise DomainError("INVALID_INPUT", field=f"{field}.questionId")
        seen.add(question.id)
        if question.kind == QuestionKind.SCALE:
            assert question.scale_min is not None and question.scale_max is not None
            if answer.scale_value is None:
                raise DomainError("REQUIRED", field=f"{field}.scaleValue")
            if not question.scale_min <= answer.scale_value <= question.scale_max:
                raise DomainError(
                    "ANSWER_OUT_OF_RANGE",
                    field=f"{field}.scaleValue",
                    min=question.scale_min,
                    max=question.scale_max,
                )
            rows.append(AnswerData(question.id, scale_value=answer.scale_value))
        else:
            if answer.scale_value is not None:
                raise DomainError("INVALID_INPUT", field=f"{field}.scaleValue")
            text = validation.text(answer.text, f"{field}.text", max_length=4000)
            rows.append(AnswerData(question.id, text=text))
    unanswered = [q for q in questions if q.kind == QuestionKind.SCALE and q.id not in seen]
    if unanswered:
        raise DomainError("SURVEY_INCOMPLETE", field="answers")
    return rows


async def answer_survey(
    session: AsyncSession,
    actor: Actor,
    mentorship_id: uuid.UUID,
    *,
    stage: SurveyStage,
    answers: list[AnswerData],
) -> SurveyResponse:
    """The mentor and the newcomer each answer once per stage, for themselves."""
    mentorship = await mentorship_service.get_mentorship(session, actor, mentorship_id)
    side = await _pair_side(session, actor, mentorship)
    if side is None:
        raise Forbidden()
    opens_on = survey_opens_on(mentorship, stage)
    if opens_on > clock.now().date():
        raise DomainError("SURVEY_NOT_OPEN", field="stage", opens=opens_on.isoformat())
    answered = await session.scalar(
        select(SurveyResponse.id).where(
            SurveyResponse.mentorship_id == mentorship.id,
            SurveyResponse.side == side,
            SurveyResponse.stage == stage,
        )
    )
    if answered is not None:
        raise DomainError("SURVEY_ALREADY_ANSWERED", field="stage")
    questions = await survey_questions(session, mentorship.program_id)
    if not questions:
        raise DomainError("NO_SURVEY")
    rows = _validated_answers(questions, answers)
    response = SurveyResponse(
        mentorship_id=mentorship.id,
        program_id=mentorship.program_id,
        side=side,
        stage=stage,
        answered_by_user_id=actor.user_id,
    )
    session.add(response)
    await session.flush()
    session.add_all(
        SurveyAnswer(
            response_id=response.id, question_id=row.question_id, scale_value=row.scale_value, text=row.text
        )
        for row in rows
    )
    await session.flush()
    return response


@dataclass(frozen=True)
class SurveyState:
    stage: SurveyStage
    side: PairSide
    opens_on: date
    response: SurveyResponse | None
    # The answers, for the person who gave them only; staff read aggregates.
    answers: list[SurveyAnswer] | None


async def surveys(session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID) -> list[SurveyState]:
    """Where each side stands with each survey: the pair see their own answers, the
    program's staff whether each was answered."""
    mentorship = await mentorship_service.get_mentorship(session, actor, mentorship_id)
    side = await _pair_side(session, actor, mentorship)
    if side is None:
        program = await session.get_one(Program, mentorship.program_id)
        if not actor.is_reading_staff_of(program.organization_id):
            raise Forbidden()
    responses = {
        (PairSide(row.side), SurveyStage(row.stage)): row
        for row in await session.scalars(
            select(SurveyResponse).where(SurveyResponse.mentorship_id == mentorship.id)
        )
    }
    own_ids = [row.id for (row_side, _), row in responses.items() if row_side == side]
    own_answers: dict[uuid.UUID, list[SurveyAnswer]] = {response_id: [] for response_id in own_ids}
    if own_ids:
        for answer in await session.scalars(
            select(SurveyAnswer).where(col(SurveyAnswer.response_id).in_(own_ids))
        ):
            own_answers[answer.response_id].append(answer)
    states = []
    for stage in SurveyStage:
        for each_side in (side,) if side else tuple(PairSide):
            response = responses.get((each_side, stage))
            states.append(
                SurveyState(
                    stage=stage,
                    side=each_side,
                    opens_on=survey_opens_on(mentorship, stage),
                    response=response,
                    answers=own_answers.get(response.id) if response and each_side == side else None,
                )
            )
    return states


@dataclass(frozen=True)
class QuestionResult:
    question: SurveyQuestion
    answers: int
    average: float | None
    # {value: how many chose it} for a scale; the texts given for a free-text question.
    distribution: dict[int, int]
    texts: list[str]


async def survey_results(
    session: AsyncSession,
    actor: Actor,
    program_id: uuid.UUID,
    *,
    stage: SurveyStage | None = None,
    side: PairSide | None = None,
) -> list[QuestionResult]:
    """Aggregates of every question answered in the program, for its staff."""
    program = await _program_for_staff(session, actor, program_id, write=False)
    filters = [SurveyResponse.program_id == program.id]
    if stage is not None:
        filters.append(SurveyResponse.stage == stage)
    if side is not None:
        filters.append(SurveyResponse.side == side)
    rows = await session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.scale_value, func.count())
        .join(SurveyResponse, col(SurveyResponse.id) == SurveyAnswer.response_id)
        .where(*filters, col(SurveyAnswer.scale_value).is_not(None))
        .group_by(col(SurveyAnswer.question_id), col(SurveyAnswer.scale_value))
    )
    distributions: dict[uuid.UUID, dict[int, int]] = {}
    for question_id, value, count in rows:
        distributions.setdefault(question_id, {})[int(value)] = int(count)
    texts: dict[uuid.UUID, list[str]] = {}
    for question_id, text in await session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.text)
        .join(SurveyResponse, col(SurveyResponse.id) == SurveyAnswer.response_id)
        .where(*filters, col(SurveyAnswer.text) != "")
        .order_by(col(SurveyResponse.submitted_at), col(SurveyAnswer.id))
    ):
        texts.setdefault(question_id, []).append(text)
    results = []
    for question in await survey_questions(session, program.id, include_retired=True):
        distribution = distributions.get(question.id, {})
        count = (
            sum(distribution.values())
            if question.kind == QuestionKind.SCALE
            else len(texts.get(question.id, []))
        )
        if question.retired_at is not None and not count:
            continue
        average = (
            round(sum(value * n for value, n in distribution.items()) / count, 2)
            if distribution and count
            else None
        )
        results.append(
            QuestionResult(
                question, count, average, dict(sorted(distribution.items())), texts.get(question.id, [])
            )
        )
    return results


# --- The certificate of completion ---------------------------------------------------


def sign_certificate(certificate_id: uuid.UUID, mentorship_id: uuid.UUID, content: dict[str, Any]) -> str:
    """HMAC-SHA256 over the certificate's identity and content in canonical JSON."""
    payload = json.dumps(
        {"id": str(certificate_id), "mentorship": str(mentorship_id), "content": content},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    digest = hmac.new(get_settings().derived_key(CERTIFICATE_KEY_PURPOSE), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verification_url(certificate: Certificate) -> str:
    base = get_settings().public_url.rstrip("/")
    return f"{base}/certificates/{certificate.id}/verify?signature={certificate.signature}"


def download_path(certificate: Certificate) -> str:
    return f"/certificates/{certificate.id}.pdf"


async def issue_certificate(session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID) -> Certificate:
    """Program staff issue the certificate of a completed mentorship, once: asking again
    answers the one issued."""
    mentorship = await _program_staff_mentorship(session, actor, mentorship_id, write=True)
    if mentorship.status != MentorshipStatus.COMPLETED or mentorship.closed_at is None:
        raise DomainError("CERTIFICATE_NOT_AVAILABLE")
    existing = await session.scalar(select(Certificate).where(Certificate.mentorship_id == mentorship.id))
    if existing is not None:
        return existing
    program = await session.get_one(Program, mentorship.program_id)
    mentee = await session.get_one(MenteeProfile, mentorship.mentee_id)
    minutes = await session.scalar(
        select(func.coalesce(func.sum(Meeting.minutes), 0)).where(Meeting.mentorship_id == mentorship.id)
    )
    issued_at = clock.now()
    content = {
        "mentee": _mentee_name(mentee),
        "mentor": await _mentor_name(session, mentorship.mentor_id),
        "program_en": program.name_en,
        "program_fr": program.name_fr,
        "started_on": mentorship.agreement_date.isoformat(),
        "completed_on": mentorship.closed_at.date().isoformat(),
        "hours": round(int(minutes or 0) / 60, 1),
        "issued_on": issued_at.date().isoformat(),
    }
    certificate = Certificate(
        mentorship_id=mentorship.id,
        content=content,
        signature="",
        issued_by_user_id=actor.user_id,
        issued_at=issued_at,
    )
    certificate.signature = sign_certificate(certificate.id, mentorship.id, content)
    session.add(certificate)
    await session.flush()
    return certificate


async def get_certificate(
    session: AsyncSession, actor: Actor, mentorship_id: uuid.UUID
) -> Certificate | None:
    mentorship = await mentorship_service.get_mentorship(session, actor, mentorship_id)
    return await session.scalar(select(Certificate).where(Certificate.mentorship_id == mentorship.id))


async def certificate_for_download(
    session: AsyncSession, actor: Actor, certificate_id: uuid.UUID
) -> Certificate:
    """The newcomer, the mentor and the program's staff; anyone else: not found."""
    certificate = await session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound()
    mentorship = await session.get_one(Mentorship, certificate.mentorship_id)
    program = await session.get_one(Program, mentorship.program_id)
    if not (
        actor.is_reading_staff_of(program.organization_id)
        or await _pair_side(session, actor, mentorship) is not None
    ):
        raise NotFound()
    return certificate


async def verify_certificate(session: AsyncSession, certificate_id: uuid.UUID, signature: str) -> Certificate:
    """A genuine certificate: the signature given is the one issued, and the stored
    content still matches it. Otherwise ``CERTIFICATE_INVALID``."""
    certificate = await session.get(Certificate, certificate_id)
    if certificate is None:
        raise DomainError("CERTIFICATE_NOT_FOUND")
    expected = sign_certificate(certificate.id, certificate.mentorship_id, certificate.content)
    genuine = hmac.compare_digest(expected.encode(), certificate.signature.encode())
    matches = hmac.compare_digest(expected.encode(), signature.encode())
    if not (genuine and matches):
        raise DomainError("CERTIFICATE_INVALID")
    return certificate
