"""GraphQL for the mentoring lifecycle: thin resolvers over ``core.services.lifecycle``."""

import uuid
from datetime import date, datetime

import strawberry

from core import clock, i18n, models
from core.graphql.context import GraphQLInfo
from core.graphql.inputs import given
from core.graphql.types import localized
from core.models import OrientationStepKind, PairSide, PairStatus, QuestionKind, SurveyStage
from core.services import lifecycle
from core.services.lifecycle import AnswerData, QuestionData

strawberry.enum(OrientationStepKind, name="OrientationStep")
strawberry.enum(PairSide, description="The mentor's side or the newcomer's")
strawberry.enum(PairStatus, description="How the facilitator finds the pair doing")
strawberry.enum(QuestionKind, name="SurveyQuestionKind")
strawberry.enum(SurveyStage)


@strawberry.type
class LifecycleSettings:
    orientation_required: bool = strawberry.field(description="Both sides oriented before any match")
    meeting_target_hours: int = strawberry.field(description="Hours of mentoring over the term")
    check_in_interval_days: int = strawberry.field(description="Days between the facilitator's check-ins")
    behind_schedule_share: float = strawberry.field(
        description="A pair below this share of the hours expected by now is behind schedule"
    )

    @classmethod
    def of(cls, settings: lifecycle.LifecycleSettings) -> "LifecycleSettings":
        return cls(
            orientation_required=settings.orientation_required,
            meeting_target_hours=settings.meeting_target_hours,
            check_in_interval_days=settings.check_in_interval_days,
            behind_schedule_share=lifecycle.BEHIND_SCHEDULE_SHARE,
        )


@strawberry.input
class LifecycleSettingsInput:
    orientation_required: bool | None = strawberry.UNSET
    meeting_target_hours: int | None = strawberry.UNSET
    check_in_interval_days: int | None = strawberry.UNSET


@strawberry.type
class OrientationEntry:
    step: OrientationStepKind
    entry: strawberry.Private[lifecycle.OrientationEntry]

    @strawberry.field(description="The step, in the viewer's language")
    def name(self, info: GraphQLInfo) -> str:
        return i18n.translate(f"lifecycle.step.{self.step.value}", info.context.language)

    @strawberry.field
    def done(self) -> bool:
        return self.entry.record is not None

    @strawberry.field
    def completed_on(self) -> date | None:
        return self.entry.record.completed_on if self.entry.record else None

    @strawberry.field
    def note(self) -> str | None:
        return self.entry.record.note if self.entry.record else None


@strawberry.input
class OrientationStepInput:
    step: OrientationStepKind
    completed_on: date
    mentee_id: uuid.UUID | None = None
    mentor_id: uuid.UUID | None = None
    note: str = ""


@strawberry.type
class Agreement:
    row: strawberry.Private[models.MentorshipAgreement]

    @strawberry.field
    def goals(self) -> list[str]:
        return list(self.row.goals)

    @strawberry.field
    def agreement_date(self) -> date:
        return self.row.agreement_date

    @strawberry.field(description="The end of the term agreed (extensions are recorded on the mentorship)")
    def planned_end(self) -> date:
        return self.row.planned_end

    @strawberry.field
    def meeting_minutes_per_week(self) -> int:
        return self.row.meeting_minutes_per_week

    @strawberry.field
    def meeting_target_hours(self) -> int:
        return self.row.meeting_target_hours

    @strawberry.field
    def text_en(self) -> str:
        return self.row.document_en

    @strawberry.field
    def text_fr(self) -> str:
        return self.row.document_fr

    @strawberry.field(description="The text in the viewer's language")
    def text(self, info: GraphQLInfo) -> str:
        return localized(info, self.row.document_en, self.row.document_fr)

    @strawberry.field
    def mentor_accepted_at(self) -> datetime | None:
        return self.row.mentor_accepted_at

    @strawberry.field
    def mentee_accepted_at(self) -> datetime | None:
        return self.row.mentee_accepted_at

    @strawberry.field(description="Accepted by both sides")
    def accepted(self) -> bool:
        return self.row.mentor_accepted_at is not None and self.row.mentee_accepted_at is not None


@strawberry.type
class Goal:
    row: strawberry.Private[models.MentorshipGoal]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def text(self) -> str:
        return self.row.text

    @strawberry.field(description="0 to 100")
    def progress(self) -> int:
        return self.row.progress

    @strawberry.field
    def done(self) -> bool:
        return self.row.done


@strawberry.input
class GoalUpdateInput:
    text: str | None = strawberry.UNSET
    progress: int | None = strawberry.UNSET
    done: bool | None = strawberry.UNSET


@strawberry.type
class CheckIn:
    row: strawberry.Private[models.CheckIn]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def mentorship_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.mentorship_id))

    @strawberry.field
    def due_on(self) -> date:
        return self.row.due_on

    @strawberry.field(description="When the facilitator recorded it; null while still to do")
    def done_at(self) -> datetime | None:
        return self.row.done_at

    @strawberry.field(description="Still to do and past its date")
    def overdue(self) -> bool:
        return self.row.done_at is None and self.row.due_on < clock.now().date()

    @strawberry.field
    def pair_status(self) -> PairStatus | None:
        return self.row.pair_status

    @strawberry.field
    def notes(self) -> str:
        return self.row.notes


@strawberry.type
class SurveyQuestion:
    row: strawberry.Private[models.SurveyQuestion]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def kind(self) -> QuestionKind:
        return self.row.kind

    @strawberry.field
    def position(self) -> int:
        return self.row.position

    @strawberry.field
    def text_en(self) -> str:
        return self.row.text_en

    @strawberry.field
    def text_fr(self) -> str:
        return self.row.text_fr

    @strawberry.field(description="The question in the viewer's language")
    def text(self, info: GraphQLInfo) -> str:
        return localized(info, self.row.text_en, self.row.text_fr)

    @strawberry.field
    def scale_min(self) -> int | None:
        return self.row.scale_min

    @strawberry.field
    def scale_max(self) -> int | None:
        return self.row.scale_max

    @strawberry.field(description="What the bottom of the scale means, in the viewer's language")
    def min_label(self, info: GraphQLInfo) -> str:
        return localized(info, self.row.min_label_en, self.row.min_label_fr)

    @strawberry.field(description="What the top of the scale means, in the viewer's language")
    def max_label(self, info: GraphQLInfo) -> str:
        return localized(info, self.row.max_label_en, self.row.max_label_fr)

    @strawberry.field
    def retired_at(self) -> datetime | None:
        return self.row.retired_at


@strawberry.input
class SurveyQuestionInput:
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

    def data(self) -> QuestionData:
        return QuestionData(**given(self))


@strawberry.input
class SurveyAnswerInput:
    question_id: uuid.UUID
    scale_value: int | None = None
    text: str = ""


@strawberry.type
class SurveyAnswer:
    question_id: strawberry.ID
    scale_value: int | None
    text: str


@strawberry.type
class SurveyState:
    state: strawberry.Private[lifecycle.SurveyState]

    @strawberry.field
    def stage(self) -> SurveyStage:
        return self.state.stage

    @strawberry.field
    def side(self) -> PairSide:
        return self.state.side

    @strawberry.field
    def opens_on(self) -> date:
        return self.state.opens_on

    @strawberry.field
    def open(self) -> bool:
        return self.state.opens_on <= clock.now().date()

    @strawberry.field
    def submitted_at(self) -> datetime | None:
        return self.state.response.submitted_at if self.state.response else None

    @strawberry.field(description="The answers, for the person who gave them; null for anyone else")
    def answers(self) -> list[SurveyAnswer] | None:
        if self.state.answers is None:
            return None
        return [
            SurveyAnswer(
                question_id=strawberry.ID(str(answer.question_id)),
                scale_value=answer.scale_value,
                text=answer.text,
            )
            for answer in self.state.answers
        ]


@strawberry.type
class ScaleCount:
    value: int
    count: int


@strawberry.type
class SurveyQuestionResult:
    result: strawberry.Private[lifecycle.QuestionResult]

    @strawberry.field
    def question(self) -> SurveyQuestion:
        return SurveyQuestion(row=self.result.question)

    @strawberry.field
    def answers(self) -> int:
        return self.result.answers

    @strawberry.field(description="The mean of a scale question's answers")
    def average(self) -> float | None:
        return self.result.average

    @strawberry.field
    def distribution(self) -> list[ScaleCount]:
        return [ScaleCount(value=value, count=count) for value, count in self.result.distribution.items()]

    @strawberry.field(description="What was written to a free-text question, without names")
    def texts(self) -> list[str]:
        return self.result.texts


@strawberry.type
class Certificate:
    row: strawberry.Private[models.Certificate]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def mentee(self) -> str:
        return str(self.row.content["mentee"])

    @strawberry.field
    def mentor(self) -> str:
        return str(self.row.content["mentor"])

    @strawberry.field(description="The program's name in the viewer's language")
    def program(self, info: GraphQLInfo) -> str:
        return localized(info, self.row.content["program_en"], self.row.content["program_fr"])

    @strawberry.field
    def started_on(self) -> date:
        return date.fromisoformat(self.row.content["started_on"])

    @strawberry.field
    def completed_on(self) -> date:
        return date.fromisoformat(self.row.content["completed_on"])

    @strawberry.field
    def hours(self) -> float:
        return float(self.row.content["hours"])

    @strawberry.field
    def issued_at(self) -> datetime:
        return self.row.issued_at

    @strawberry.field(description="GET it, signed in, for the PDF")
    def download_path(self) -> str:
        return lifecycle.download_path(self.row)

    @strawberry.field(description="The public link that confirms the certificate is genuine")
    def verification_url(self) -> str:
        return lifecycle.verification_url(self.row)


@strawberry.type
class LifecycleQuery:
    @strawberry.field(description="A program's lifecycle settings (defaults where never set)")
    async def lifecycle_settings(self, info: GraphQLInfo, program_id: uuid.UUID) -> LifecycleSettings:
        await info.context.actor()
        return LifecycleSettings.of(await info.context.run(lifecycle.program_settings, program_id))

    @strawberry.field(description="A newcomer's or a mentor's orientation steps (name exactly one)")
    async def orientation(
        self, info: GraphQLInfo, mentee_id: uuid.UUID | None = None, mentor_id: uuid.UUID | None = None
    ) -> list[OrientationEntry]:
        entries = await info.context.call(lifecycle.orientation, mentee_id=mentee_id, mentor_id=mentor_id)
        return [OrientationEntry(step=entry.step, entry=entry) for entry in entries]

    @strawberry.field(description="The mentorship's agreement")
    async def agreement(self, info: GraphQLInfo, mentorship_id: uuid.UUID) -> Agreement | None:
        row = await info.context.call(lifecycle.get_agreement, mentorship_id)
        return Agreement(row=row) if row else None

    @strawberry.field
    async def mentorship_goals(self, info: GraphQLInfo, mentorship_id: uuid.UUID) -> list[Goal]:
        return [Goal(row=row) for row in await info.context.call(lifecycle.goals, mentorship_id)]

    @strawberry.field(description="The facilitator's check-ins with the pair, for the program's staff")
    async def check_ins(self, info: GraphQLInfo, mentorship_id: uuid.UUID) -> list[CheckIn]:
        return [CheckIn(row=row) for row in await info.context.call(lifecycle.check_ins, mentorship_id)]

    @strawberry.field(description="Check-ins of the organization's programs due by today (or within days)")
    async def due_check_ins(self, info: GraphQLInfo, within_days: int = 0) -> list[CheckIn]:
        rows = await info.context.call(lifecycle.due_check_ins, within_days=within_days)
        return [CheckIn(row=row) for row in rows]

    @strawberry.field
    async def survey_questions(
        self, info: GraphQLInfo, program_id: uuid.UUID, include_retired: bool = False
    ) -> list[SurveyQuestion]:
        await info.context.actor()
        rows = await info.context.run(lifecycle.survey_questions, program_id, include_retired=include_retired)
        return [SurveyQuestion(row=row) for row in rows]

    @strawberry.field(description="Where each side stands with the midpoint and completion surveys")
    async def surveys(self, info: GraphQLInfo, mentorship_id: uuid.UUID) -> list[SurveyState]:
        return [
            SurveyState(state=state) for state in await info.context.call(lifecycle.surveys, mentorship_id)
        ]

    @strawberry.field(description="Aggregated answers of a program's surveys, for its staff")
    async def survey_results(
        self,
        info: GraphQLInfo,
        program_id: uuid.UUID,
        stage: SurveyStage | None = None,
        side: PairSide | None = None,
    ) -> list[SurveyQuestionResult]:
        results = await info.context.call(lifecycle.survey_results, program_id, stage=stage, side=side)
        return [SurveyQuestionResult(result=result) for result in results]

    @strawberry.field(description="The certificate of completion, once issued")
    async def certificate(self, info: GraphQLInfo, mentorship_id: uuid.UUID) -> Certificate | None:
        row = await info.context.call(lifecycle.get_certificate, mentorship_id)
        return Certificate(row=row) if row else None


@strawberry.type
class LifecycleMutation:
    @strawberry.mutation
    async def update_lifecycle_settings(
        self, info: GraphQLInfo, program_id: uuid.UUID, input: LifecycleSettingsInput
    ) -> LifecycleSettings:
        settings = await info.context.call(lifecycle.update_lifecycle_settings, program_id, **given(input))
        return LifecycleSettings.of(settings)

    @strawberry.mutation
    async def record_orientation_step(
        self, info: GraphQLInfo, input: OrientationStepInput
    ) -> list[OrientationEntry]:
        data = given(input)
        await info.context.call(lifecycle.record_orientation_step, **data)
        entries = await info.context.call(
            lifecycle.orientation, mentee_id=data.get("mentee_id"), mentor_id=data.get("mentor_id")
        )
        return [OrientationEntry(step=entry.step, entry=entry) for entry in entries]

    @strawberry.mutation(description="The mentor, or the newcomer (or their agency for them), accepts")
    async def accept_agreement(self, info: GraphQLInfo, mentorship_id: uuid.UUID) -> Agreement:
        return Agreement(row=await info.context.call(lifecycle.accept_agreement, mentorship_id))

    @strawberry.mutation
    async def add_goal(self, info: GraphQLInfo, mentorship_id: uuid.UUID, text: str) -> Goal:
        return Goal(row=await info.context.call(lifecycle.add_goal, mentorship_id, text=text))

    @strawberry.mutation
    async def update_goal(self, info: GraphQLInfo, id: uuid.UUID, input: GoalUpdateInput) -> Goal:
        return Goal(row=await info.context.call(lifecycle.update_goal, id, **given(input)))

    @strawberry.mutation
    async def record_check_in(
        self, info: GraphQLInfo, id: uuid.UUID, pair_status: PairStatus, notes: str = ""
    ) -> CheckIn:
        row = await info.context.call(lifecycle.record_check_in, id, pair_status=pair_status, notes=notes)
        return CheckIn(row=row)

    @strawberry.mutation
    async def add_survey_question(
        self, info: GraphQLInfo, program_id: uuid.UUID, input: SurveyQuestionInput
    ) -> SurveyQuestion:
        row = await info.context.call(lifecycle.add_survey_question, program_id, input.data())
        return SurveyQuestion(row=row)

    @strawberry.mutation(description="Only a question nobody has answered yet")
    async def update_survey_question(
        self, info: GraphQLInfo, id: uuid.UUID, input: SurveyQuestionInput
    ) -> SurveyQuestion:
        return SurveyQuestion(row=await info.context.call(lifecycle.update_survey_question, id, input.data()))

    @strawberry.mutation(description="No longer asked; its answers stay in the results")
    async def retire_survey_question(self, info: GraphQLInfo, id: uuid.UUID) -> SurveyQuestion:
        return SurveyQuestion(row=await info.context.call(lifecycle.retire_survey_question, id))

    @strawberry.mutation(description="The mentor or the newcomer answers, once per stage")
    async def answer_survey(
        self,
        info: GraphQLInfo,
        mentorship_id: uuid.UUID,
        stage: SurveyStage,
        answers: list[SurveyAnswerInput],
    ) -> list[SurveyState]:
        data = [AnswerData(answer.question_id, answer.scale_value, answer.text) for answer in answers]
        await info.context.call(lifecycle.answer_survey, mentorship_id, stage=stage, answers=data)
        return [
            SurveyState(state=state) for state in await info.context.call(lifecycle.surveys, mentorship_id)
        ]

    @strawberry.mutation(description="Program staff issue a completed mentorship's certificate (once)")
    async def issue_certificate(self, info: GraphQLInfo, mentorship_id: uuid.UUID) -> Certificate:
        return Certificate(row=await info.context.call(lifecycle.issue_certificate, mentorship_id))
