"""Matching in the API: suggestions on either side with their explanations, the
program's weights, cohort runs with their draft proposals, conflicts of interest."""

import uuid
from datetime import datetime

import strawberry

from core import models
from core.graphql.context import GraphQLInfo
from core.graphql.types import (
    MatchProposal,
    Mentor,
    Page,
    Program,
    Referral,
    ScoreCriterion,
    load_mentor,
    load_program,
    score_criteria,
)
from core.i18n import translate
from core.matching import explain
from core.matching.declared import CULTURAL_REGIONS, WORK_STYLE_ITEMS
from core.services import cohorts, conflicts, matching

for _enum in (models.CohortMode, models.DraftStatus, models.ConflictKind):
    strawberry.enum(_enum)


@strawberry.type(description="A scored pair: a mentor for a newcomer's referral, with the reasons")
class Suggestion:
    data: strawberry.Private[matching.Suggestion]

    @strawberry.field(description="Position among the eligible (0 for an excluded pair)")
    def rank(self) -> int:
        return self.data.rank

    @strawberry.field
    async def mentor(self, info: GraphQLInfo) -> Mentor:
        return await load_mentor(info, self.data.mentor.id)

    @strawberry.field
    def referral(self) -> Referral:
        return Referral(row=self.data.referral)

    @strawberry.field(description="0 to 1: the criteria's scores weighted by the program")
    def score(self) -> float:
        return self.data.score

    @strawberry.field(description="Whether the score reaches the program's minimum for cohort runs")
    def meets_minimum(self) -> bool:
        return self.data.meets_minimum

    @strawberry.field(description="Each criterion's score and why, largest contribution first")
    def criteria(self) -> list[ScoreCriterion]:
        records = [criterion.as_record() for criterion in self.data.candidate.criteria]
        return score_criteria(sorted(records, key=lambda record: -record["weight"] * record["score"]))

    @strawberry.field(description="Hard constraints that rule the pair out (empty when eligible)")
    def exclusion_codes(self) -> list[str]:
        return self.data.exclusion_reasons

    @strawberry.field(description="Why the pair is ruled out, in the viewer's language")
    def exclusion_reasons(self, info: GraphQLInfo) -> list[str]:
        failed = [rule.as_record() for rule in self.data.failed_rules]
        return explain.exclusion_reasons(self.data.exclusion_reasons, failed, info.context.language)


@strawberry.type
class Suggestions:
    items: list[Suggestion] = strawberry.field(description="Eligible pairs, best first")
    excluded: list[Suggestion] = strawberry.field(
        description="The best pairs a hard constraint rules out, with the reasons"
    )

    @classmethod
    def of(cls, found: matching.Suggestions) -> "Suggestions":
        return cls(
            items=[Suggestion(data=item) for item in found.items],
            excluded=[Suggestion(data=item) for item in found.excluded],
        )


@strawberry.type
class MatchingWeight:
    criterion: str
    weight: float = strawberry.field(description="As staff set it (any scale); shares are what counts")
    default_weight: float
    share: float = strawberry.field(description="Share of the total score: weight / sum of weights")
    plugin: str | None = strawberry.field(description="The plugin adding the criterion; null for core ones")

    @strawberry.field
    def name(self, info: GraphQLInfo) -> str:
        return explain.criterion_name(self.criterion, info.context.language)


@strawberry.type
class MatchingSettings:
    minimum_score: float = strawberry.field(description="Cohort runs propose no pair scoring less")
    require_service_language: bool = strawberry.field(
        description="Mentors must speak the newcomer's service language (French or English)"
    )
    weights: list[MatchingWeight]
    program_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def program(self, info: GraphQLInfo) -> Program:
        return await load_program(info, self.program_id)

    @classmethod
    def of(cls, settings: matching.MatchingSettings) -> "MatchingSettings":
        total = sum(settings.weights.values())
        return cls(
            minimum_score=settings.minimum_score,
            require_service_language=settings.require_service_language,
            program_id=settings.program.id,
            weights=[
                MatchingWeight(
                    criterion=key,
                    weight=weight,
                    default_weight=settings.default_weights[key],
                    share=round(weight / total, 4),
                    plugin=settings.plugin_criteria[key][0] if key in settings.plugin_criteria else None,
                )
                for key, weight in settings.weights.items()
            ],
        )


@strawberry.input
class WeightInput:
    criterion: str
    weight: float


@strawberry.input(description="Only what is given changes")
class MatchingSettingsInput:
    weights: list[WeightInput] | None = strawberry.field(
        default=None, description="Criteria not listed keep their weight"
    )
    minimum_score: float | None = None
    require_service_language: bool | None = None


@strawberry.type
class CohortDraft:
    row: strawberry.Private[models.CohortDraft]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    async def referral(self, info: GraphQLInfo) -> Referral:
        return Referral(row=await info.context.loaders.referral.load(self.row.referral_id))

    @strawberry.field
    async def mentor(self, info: GraphQLInfo) -> Mentor:
        return await load_mentor(info, self.row.mentor_id)

    @strawberry.field
    def score(self) -> float:
        return self.row.score

    @strawberry.field
    def criteria(self) -> list[ScoreCriterion]:
        return score_criteria(self.row.explanation)

    @strawberry.field
    def status(self) -> models.DraftStatus:
        return self.row.status

    @strawberry.field(description="The proposal sent from this draft")
    def proposal_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.proposal_id)) if self.row.proposal_id else None


@strawberry.type
class UnmatchedEntry:
    referral_id: strawberry.Private[uuid.UUID]
    reason_code: str

    @strawberry.field
    async def referral(self, info: GraphQLInfo) -> Referral:
        return Referral(row=await info.context.loaders.referral.load(self.referral_id))

    @strawberry.field(description="Why they were left unmatched, in the viewer's language")
    def reason(self, info: GraphQLInfo) -> str:
        return translate(f"match.unmatched.{self.reason_code}", info.context.language)


@strawberry.type(description="An optimal assignment of a waiting list, compared with the greedy baseline")
class CohortRun:
    row: strawberry.Private[models.CohortRun]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    async def program(self, info: GraphQLInfo) -> Program:
        return await load_program(info, self.row.program_id)

    @strawberry.field
    def mode(self) -> models.CohortMode:
        return self.row.mode

    @strawberry.field
    def minimum_score(self) -> float:
        return self.row.minimum_score

    @strawberry.field(description="People on the waiting list without a proposal under way")
    def waiting_count(self) -> int:
        return self.row.waiting_count

    @strawberry.field(description="Mentors with room who meet the program's mentor criteria")
    def mentor_count(self) -> int:
        return self.row.mentor_count

    @strawberry.field
    def matched_count(self) -> int:
        return self.row.matched_count

    @strawberry.field(description="Sum of the assigned pairs' scores")
    def total_score(self) -> float:
        return self.row.total_score

    @strawberry.field(description="People matched by taking the best remaining pair first")
    def greedy_matched_count(self) -> int:
        return self.row.greedy_matched_count

    @strawberry.field
    def greedy_total_score(self) -> float:
        return self.row.greedy_total_score

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="Draft proposals, best score first")
    async def drafts(self, info: GraphQLInfo) -> list[CohortDraft]:
        return [CohortDraft(row=row) for row in await info.context.run(cohorts.drafts, self.row)]

    @strawberry.field
    def unmatched(self) -> list[UnmatchedEntry]:
        return [
            UnmatchedEntry(referral_id=uuid.UUID(entry["referral_id"]), reason_code=entry["reason"])
            for entry in self.row.unmatched
        ]


@strawberry.type
class ConflictOfInterest:
    row: strawberry.Private[models.ConflictOfInterest]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    async def mentor(self, info: GraphQLInfo) -> Mentor:
        return await load_mentor(info, self.row.mentor_id)

    @strawberry.field
    def kind(self) -> models.ConflictKind:
        return self.row.kind

    @strawberry.field
    def note(self) -> str:
        return self.row.note

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at


@strawberry.type
class Choice:
    key: str
    name: str


@strawberry.type
class WorkStyleQuestion:
    key: str
    name: str
    low: str = strawberry.field(description="What answering 1 means")
    high: str = strawberry.field(description="What answering 5 means")


@strawberry.type
class MatchingQuery:
    @strawberry.field(description="Program staff: the best mentors for an admitted referral, explained")
    async def suggestions(self, info: GraphQLInfo, referral_id: uuid.UUID, limit: int = 10) -> Suggestions:
        return Suggestions.of(await info.context.call(matching.suggest_mentors, referral_id, limit=limit))

    @strawberry.field(description="Program staff: the newcomers of the waiting list who fit a mentor best")
    async def mentee_suggestions(
        self, info: GraphQLInfo, program_id: uuid.UUID, mentor_id: uuid.UUID, limit: int = 10
    ) -> Suggestions:
        found = await info.context.call(matching.suggest_mentees, program_id, mentor_id, limit=limit)
        return Suggestions.of(found)

    @strawberry.field(description="Program staff: the criteria, their weights and the minimum score")
    async def matching_settings(self, info: GraphQLInfo, program_id: uuid.UUID) -> MatchingSettings:
        return MatchingSettings.of(await info.context.call(matching.get_matching_settings, program_id))

    @strawberry.field
    async def cohort_run(self, info: GraphQLInfo, id: uuid.UUID) -> CohortRun:
        return CohortRun(row=await info.context.call(cohorts.get_cohort_run, id))

    @strawberry.field(description="Program staff: the program's cohort runs, newest first")
    async def cohort_runs(
        self, info: GraphQLInfo, program_id: uuid.UUID, limit: int = 20, offset: int = 0
    ) -> Page[CohortRun]:
        rows, total = await info.context.call(
            cohorts.list_cohort_runs, program_id, limit=limit, offset=offset
        )
        return Page(items=[CohortRun(row=row) for row in rows], total_count=total)

    @strawberry.field(description="Mentors who must never be proposed to this newcomer")
    async def conflicts_of_interest(
        self, info: GraphQLInfo, mentee_id: uuid.UUID
    ) -> list[ConflictOfInterest]:
        rows = await info.context.call(conflicts.list_conflicts, mentee_id)
        return [ConflictOfInterest(row=row) for row in rows]

    @strawberry.field(description="Cultural regions people may declare, for forms")
    def cultural_regions(self, info: GraphQLInfo) -> list[Choice]:
        language = info.context.language
        return [
            Choice(key=key, name=translate(f"declared.region.{key}", language)) for key in CULTURAL_REGIONS
        ]

    @strawberry.field(description="The work-style questionnaire, for forms")
    def work_style_questions(self, info: GraphQLInfo) -> list[WorkStyleQuestion]:
        language = info.context.language
        return [
            WorkStyleQuestion(
                key=key,
                name=translate(f"declared.work_style.{key}", language),
                low=translate(f"declared.work_style.{key}.low", language),
                high=translate(f"declared.work_style.{key}.high", language),
            )
            for key in WORK_STYLE_ITEMS
        ]


@strawberry.type
class MatchingMutation:
    @strawberry.mutation(description="Program staff: weights, minimum score, language requirement")
    async def update_matching_settings(
        self, info: GraphQLInfo, program_id: uuid.UUID, input: MatchingSettingsInput
    ) -> MatchingSettings:
        weights = (
            None if input.weights is None else [(entry.criterion, entry.weight) for entry in input.weights]
        )
        settings = await info.context.call(
            matching.update_matching_settings,
            program_id,
            weights=weights,
            minimum=input.minimum_score,
            require_service_language=input.require_service_language,
        )
        return MatchingSettings.of(settings)

    @strawberry.mutation(description="Program staff: assign the waiting list optimally, as draft proposals")
    async def run_cohort_matching(
        self,
        info: GraphQLInfo,
        program_id: uuid.UUID,
        mode: models.CohortMode = models.CohortMode.MOST_MATCHED,
        minimum_score: float | None = None,
    ) -> CohortRun:
        run = await info.context.call(cohorts.run_cohort, program_id, mode=mode, minimum_score=minimum_score)
        return CohortRun(row=run)

    @strawberry.mutation(description="Program staff: send drafts as proposals, all or none")
    async def send_cohort_drafts(
        self, info: GraphQLInfo, run_id: uuid.UUID, draft_ids: list[uuid.UUID]
    ) -> list[MatchProposal]:
        sent = await info.context.call(cohorts.send_drafts, run_id, draft_ids)
        return [MatchProposal(row=row) for row in sent]

    @strawberry.mutation(description="Program staff: set drafts aside")
    async def discard_cohort_drafts(
        self, info: GraphQLInfo, run_id: uuid.UUID, draft_ids: list[uuid.UUID]
    ) -> CohortRun:
        return CohortRun(row=await info.context.call(cohorts.discard_drafts, run_id, draft_ids))

    @strawberry.mutation(description="Staff holding the file, or the newcomer: a mentor never to propose")
    async def declare_conflict_of_interest(
        self,
        info: GraphQLInfo,
        mentee_id: uuid.UUID,
        mentor_id: uuid.UUID,
        kind: models.ConflictKind,
        note: str = "",
    ) -> ConflictOfInterest:
        row = await info.context.call(conflicts.declare_conflict, mentee_id, mentor_id, kind, note)
        return ConflictOfInterest(row=row)

    @strawberry.mutation
    async def withdraw_conflict_of_interest(self, info: GraphQLInfo, id: uuid.UUID) -> bool:
        await info.context.call(conflicts.withdraw_conflict, id)
        return True
