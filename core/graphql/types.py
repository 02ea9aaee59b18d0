"""GraphQL object types. Thin: each reads a model (or a service's view of one) and
resolves related records through the request's DataLoaders."""

import uuid
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.scalars import JSON

from core import clock, models, rules, taxonomy
from core.graphql.context import GraphQLInfo
from core.graphql.loaders import MentorCard
from core.hookspecs import ProgramType as ProgramTypeSpec
from core.matching import explain
from core.matching.declared import WORK_STYLE_ITEMS
from core.services import lifecycle as lifecycle_service
from core.services import mentorships as mentorship_service
from core.services.organizations import PluginState as PluginStateData
from core.services.proposals import effective_status
from federation.sharing import Grounds, MenteeView

# Model enums are the GraphQL enums: registering them once keeps one definition.
for _enum in (
    models.Role,
    models.Language,
    models.OrganizationKind,
    models.ImmigrationStatus,
    models.MentorAffiliation,
    models.MentorVisibility,
    models.ReferralStatus,
    models.ProposalStatus,
    models.Answer,
    models.MentorshipStatus,
    models.ClosureKind,
    models.MeetingMode,
    models.NotesVisibility,
    models.OutcomeStage,
    models.EmploymentStatus,
    models.AuditAction,
):
    strawberry.enum(_enum)
strawberry.enum(Grounds, name="AccessGrounds", description="Why the viewer may read a newcomer's file")

T = TypeVar("T")


def _language(info: GraphQLInfo) -> str:
    return info.context.language


def localized(info: GraphQLInfo, english: str, french: str) -> str:
    return french if _language(info) == "fr" else english


@strawberry.type
class Page(Generic[T]):
    items: list[T]
    total_count: int


@strawberry.type
class Classification:
    """An occupation (NOC 2021) or industry (NAICS 2022)."""

    code: str
    title_en: str
    title_fr: str

    @strawberry.field(description="Title in the viewer's language")
    def title(self, info: GraphQLInfo) -> str:
        return localized(info, self.title_en, self.title_fr)

    @classmethod
    def of(cls, entry: taxonomy.Classification | None) -> "Classification | None":
        return cls(code=entry.code, title_en=entry.title_en, title_fr=entry.title_fr) if entry else None


def occupation(code: str | None) -> Classification | None:
    return Classification.of(taxonomy.noc_unit_group(code)) if code else None


def industry(code: str | None) -> Classification | None:
    return Classification.of(taxonomy.naics_industry(code)) if code else None


@strawberry.type
class Organization:
    id: strawberry.ID
    slug: str
    name_en: str
    name_fr: str
    kind: models.OrganizationKind
    province: str
    city: str

    @strawberry.field
    def name(self, info: GraphQLInfo) -> str:
        return localized(info, self.name_en, self.name_fr)

    @classmethod
    def from_model(cls, row: models.Organization) -> "Organization":
        return cls(
            id=strawberry.ID(str(row.id)),
            slug=row.slug,
            name_en=row.name_en,
            name_fr=row.name_fr,
            kind=row.kind,
            province=row.province,
            city=row.city,
        )


async def load_organization(info: GraphQLInfo, organization_id: uuid.UUID) -> Organization:
    row = await info.context.loaders.organization.load(organization_id)
    return Organization.from_model(row)


@strawberry.type
class ProgramType:
    key: str
    plugin: str
    name_en: str
    name_fr: str
    description_en: str
    description_fr: str
    default_term_weeks: int
    default_meeting_minutes_per_week: int

    @strawberry.field
    def name(self, info: GraphQLInfo) -> str:
        return localized(info, self.name_en, self.name_fr)

    @strawberry.field
    def description(self, info: GraphQLInfo) -> str:
        return localized(info, self.description_en, self.description_fr)

    @classmethod
    def from_spec(cls, plugin: str, spec: ProgramTypeSpec) -> "ProgramType":
        return cls(
            key=spec.key,
            plugin=plugin,
            name_en=spec.name_en,
            name_fr=spec.name_fr,
            description_en=spec.description_en,
            description_fr=spec.description_fr,
            default_term_weeks=spec.default_term_weeks,
            default_meeting_minutes_per_week=spec.default_meeting_minutes_per_week,
        )


@strawberry.type
class PluginState:
    name: str
    enabled: bool
    program_types: list[str]

    @classmethod
    def from_data(cls, state: PluginStateData) -> "PluginState":
        return cls(name=state.name, enabled=state.enabled, program_types=state.program_types)


@strawberry.type
class Program:
    id: strawberry.ID
    program_type: str
    name_en: str
    name_fr: str
    description_en: str
    description_fr: str
    capacity: int
    term_weeks: int
    meeting_minutes_per_week: int
    languages: list[str]
    province: str
    open_to_all_referrers: bool
    accepting_referrals: bool
    organization_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    def name(self, info: GraphQLInfo) -> str:
        return localized(info, self.name_en, self.name_fr)

    @strawberry.field
    def description(self, info: GraphQLInfo) -> str:
        return localized(info, self.description_en, self.description_fr)

    @strawberry.field
    async def organization(self, info: GraphQLInfo) -> Organization:
        return await load_organization(info, self.organization_id)

    @classmethod
    def from_model(cls, row: models.Program) -> "Program":
        return cls(
            id=strawberry.ID(str(row.id)),
            program_type=row.program_type,
            name_en=row.name_en,
            name_fr=row.name_fr,
            description_en=row.description_en,
            description_fr=row.description_fr,
            capacity=row.capacity,
            term_weeks=row.term_weeks,
            meeting_minutes_per_week=row.meeting_minutes_per_week,
            languages=list(row.languages),
            province=row.province,
            open_to_all_referrers=row.open_to_all_referrers,
            accepting_referrals=row.accepting_referrals,
            organization_id=row.organization_id,
        )


async def load_program(info: GraphQLInfo, program_id: uuid.UUID) -> Program:
    return Program.from_model(await info.context.loaders.program.load(program_id))


@strawberry.type(description="Answers to the work-style questionnaire, 1 to 5 (null: not answered)")
class WorkStyle:
    structure: int | None
    feedback: int | None
    contact: int | None
    focus: int | None

    @classmethod
    def of(cls, answers: dict[str, int]) -> "WorkStyle":
        return cls(**{item: answers.get(item) for item in WORK_STYLE_ITEMS})


@strawberry.type
class LanguageSkill:
    language: str
    clb: int = strawberry.field(description="Canadian Language Benchmark (NCLC in French), 1-12")


@strawberry.type(
    description="A newcomer's file as the viewer may see it: fields the viewer's grounds "
    "do not cover are null."
)
class Mentee:
    id: strawberry.ID
    access_grounds: Grounds
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    immigration_status: models.ImmigrationStatus | None
    arrival_date: date | None
    country_of_training: str | None
    credentials: list[str] | None
    target_occupation: Classification | None
    industry: Classification | None
    languages: list[LanguageSkill] | None
    preferred_language: models.Language | None
    city: str | None
    province: str | None
    career_goal: str | None
    availability: list[str] | None
    action_plan: str | None
    job_search_workshop: bool | None
    open_to_virtual: bool | None
    cultural_backgrounds: list[str] | None = strawberry.field(
        description="Declared by the newcomer for matching (see culturalRegions)"
    )
    work_style: WorkStyle | None
    case_notes: str | None = strawberry.field(
        description="The owning agency's working notes; only its staff see them"
    )
    owner_organization_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def owner(self, info: GraphQLInfo) -> Organization:
        return await load_organization(info, self.owner_organization_id)

    @classmethod
    def from_view(cls, view: MenteeView) -> "Mentee":
        """Every field the viewer's grounds do not cover is null (see federation.sharing)."""
        skills: list[dict[str, Any]] | None = view.get("languages")
        return cls(
            id=strawberry.ID(str(view.profile.id)),
            access_grounds=view.grounds,
            owner_organization_id=view.profile.owner_organization_id,
            target_occupation=occupation(view.get("target_noc")),
            industry=industry(view.get("industry_naics")),
            languages=None if skills is None else [LanguageSkill(**skill) for skill in skills],
            work_style=None if view.get("work_style") is None else WorkStyle.of(view.get("work_style")),
            **{name: view.get(name) for name in _PLAIN_MENTEE_FIELDS},
        )


_PLAIN_MENTEE_FIELDS = (
    "first_name", "last_name", "email", "phone", "immigration_status", "arrival_date",
    "country_of_training", "credentials", "preferred_language", "city", "province",
    "career_goal", "availability", "action_plan", "job_search_workshop", "open_to_virtual",
    "cultural_backgrounds", "case_notes",
)  # fmt: skip


async def load_mentee(info: GraphQLInfo, mentee_id: uuid.UUID) -> Mentee | None:
    view = await info.context.loaders.mentee.load(mentee_id)
    return Mentee.from_view(view) if view else None


@strawberry.type(
    description="A mentor of the shared pool. No contact details: introductions go through a program."
)
class Mentor:
    id: strawberry.ID
    display_name: str
    affiliation: models.MentorAffiliation
    job_title: str
    occupation: Classification | None
    industry: Classification | None
    years_local_experience: int
    languages: list[str]
    city: str
    province: str
    open_to_virtual: bool
    capacity: int
    availability: list[str]
    bio: str
    is_active: bool
    is_peer: bool = strawberry.field(description="A newcomer who found and kept a job, mentoring peers")
    cultural_backgrounds: list[str] = strawberry.field(description="Declared for matching")
    work_style: WorkStyle
    profile: strawberry.Private[models.MentorProfile]

    @strawberry.field
    async def organization(self, info: GraphQLInfo) -> Organization:
        return await load_organization(info, self.profile.organization_id)

    @strawberry.field(description="Places left: capacity minus active mentorships and open proposals")
    async def remaining_capacity(self, info: GraphQLInfo) -> int:
        taken = await info.context.loaders.commitments.load(self.profile.id)
        return max(self.profile.capacity - (taken or 0), 0)

    @classmethod
    def from_card(cls, card: MentorCard) -> "Mentor":
        profile = card.profile
        return cls(
            id=strawberry.ID(str(profile.id)),
            display_name=card.display_name,
            occupation=occupation(profile.occupation_noc),
            industry=industry(profile.industry_naics),
            languages=list(profile.languages),
            availability=list(profile.availability),
            cultural_backgrounds=list(profile.cultural_backgrounds),
            work_style=WorkStyle.of(profile.work_style),
            profile=profile,
            **{name: getattr(profile, name) for name in _PLAIN_MENTOR_FIELDS},
        )


_PLAIN_MENTOR_FIELDS = (
    "affiliation", "job_title", "years_local_experience", "city", "province", "open_to_virtual",
    "capacity", "bio", "is_active", "is_peer",
)  # fmt: skip


async def load_mentor(info: GraphQLInfo, mentor_id: uuid.UUID) -> Mentor:
    return Mentor.from_card(await info.context.loaders.mentor.load(mentor_id))


@strawberry.type
class EligibilityCheck:
    record: strawberry.Private[dict[str, Any]]

    @strawberry.field
    def rule(self) -> str:
        return str(self.record["rule"])

    @strawberry.field
    def passed(self) -> bool:
        return bool(self.record["passed"])

    @strawberry.field(description="Failed and not made up for by a met alternative (any-of group)")
    def blocking(self) -> bool:
        return bool(self.record.get("blocking", not self.record["passed"]))

    @strawberry.field(description="The criterion, in the viewer's language")
    def message(self, info: GraphQLInfo) -> str:
        return rules.describe(self.record, _language(info))


def eligibility_checks(records: list[dict[str, Any]]) -> list[EligibilityCheck]:
    return [EligibilityCheck(record=record) for record in records]


@strawberry.type
class EligibilityReport:
    passed: bool
    rules_version: int
    checks: list[EligibilityCheck]


@strawberry.type
class Referral:
    row: strawberry.Private[models.Referral]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="Null once the viewer no longer has grounds to read the file")
    async def mentee(self, info: GraphQLInfo) -> Mentee | None:
        return await load_mentee(info, self.row.mentee_id)

    @strawberry.field
    async def program(self, info: GraphQLInfo) -> Program:
        return await load_program(info, self.row.program_id)

    @strawberry.field
    async def referring_organization(self, info: GraphQLInfo) -> Organization:
        return await load_organization(info, self.row.referring_organization_id)

    @strawberry.field
    def status(self) -> models.ReferralStatus:
        return self.row.status

    @strawberry.field
    def consent_given_at(self) -> datetime:
        return self.row.consent_given_at

    @strawberry.field
    def note(self) -> str:
        return self.row.note

    @strawberry.field(description="Criteria as checked at submission, then at the decision")
    def eligibility(self) -> list[EligibilityCheck]:
        return eligibility_checks(self.row.eligibility)

    @strawberry.field(description="Version of the program's rules the eligibility was checked against")
    def rules_version(self) -> int | None:
        return self.row.rules_version

    @strawberry.field(description="What the program type asks of a referral (e.g. host_program)")
    def details(self) -> JSON:
        return JSON(dict(self.row.details))

    @strawberry.field(description="Why it was returned: failed criteria, then staff's reasons")
    def return_reasons(self, info: GraphQLInfo) -> list[str]:
        if self.row.status != models.ReferralStatus.RETURNED:
            return []
        failed = [
            rules.describe(record, _language(info))
            for record in self.row.eligibility
            if record.get("blocking", not record["passed"])
        ]
        return failed + list(self.row.return_reasons)

    @strawberry.field
    def decision_note(self) -> str:
        return self.row.decision_note

    @strawberry.field
    def decided_at(self) -> datetime | None:
        return self.row.decided_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at


@strawberry.type(description="One criterion of a pair's score, and why it scored what it did")
class ScoreCriterion:
    record: strawberry.Private[dict[str, Any]]

    @strawberry.field
    def criterion(self) -> str:
        return str(self.record["criterion"])

    @strawberry.field(description="The criterion's name, in the viewer's language")
    def name(self, info: GraphQLInfo) -> str:
        return explain.criterion_name(self.record["criterion"], _language(info))

    @strawberry.field(description="Its share of the total score (the program's weights, summing to 1)")
    def weight(self) -> float:
        return float(self.record["weight"])

    @strawberry.field(description="0 to 1")
    def score(self) -> float:
        return float(self.record["score"])

    @strawberry.field(description="What it adds to the total: weight × score")
    def contribution(self) -> float:
        return round(float(self.record["weight"]) * float(self.record["score"]), 4)

    @strawberry.field(description="Why this criterion scored what it did, in the viewer's language")
    def explanation(self, info: GraphQLInfo) -> str:
        return explain.describe(self.record, _language(info))


def score_criteria(records: list[dict[str, Any]]) -> list[ScoreCriterion]:
    return [ScoreCriterion(record=record) for record in records]


@strawberry.type
class MatchProposal:
    row: strawberry.Private[models.MatchProposal]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    async def program(self, info: GraphQLInfo) -> Program:
        return await load_program(info, self.row.program_id)

    @strawberry.field
    def referral_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.referral_id))

    @strawberry.field
    async def mentee(self, info: GraphQLInfo) -> Mentee | None:
        return await load_mentee(info, self.row.mentee_id)

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
    def status(self) -> models.ProposalStatus:
        return effective_status(self.row)

    @strawberry.field
    def mentee_answer(self) -> models.Answer:
        return self.row.mentee_answer

    @strawberry.field
    def mentor_answer(self) -> models.Answer:
        return self.row.mentor_answer

    @strawberry.field
    def decline_reason(self) -> str:
        return self.row.decline_reason

    @strawberry.field
    def expires_at(self) -> datetime:
        return self.row.expires_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at


@strawberry.type
class Meeting:
    id: strawberry.ID
    occurred_on: date
    minutes: int
    mode: models.MeetingMode
    activity: str
    notes_visibility: models.NotesVisibility
    notes: str | None = strawberry.field(description="Null for staff when the pair kept notes private")

    @classmethod
    def from_entry(cls, entry: mentorship_service.MeetingEntry) -> "Meeting":
        meeting = entry.meeting
        return cls(
            id=strawberry.ID(str(meeting.id)),
            occurred_on=meeting.occurred_on,
            minutes=meeting.minutes,
            mode=meeting.mode,
            activity=meeting.activity,
            notes_visibility=meeting.notes_visibility,
            notes=entry.notes,
        )


@strawberry.type
class Extension:
    previous_end: date
    new_end: date
    reason: str
    created_at: datetime


@strawberry.type
class Outcome:
    row: strawberry.Private[models.Outcome]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def stage(self) -> models.OutcomeStage:
        return self.row.stage

    @strawberry.field
    def status(self) -> models.EmploymentStatus:
        return self.row.status

    @strawberry.field
    def job_occupation(self) -> Classification | None:
        return occupation(self.row.job_noc)

    @strawberry.field
    def note(self) -> str:
        return self.row.note

    @strawberry.field
    def recorded_at(self) -> datetime:
        return self.row.recorded_at


@strawberry.type
class Mentorship:
    row: strawberry.Private[models.Mentorship]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    async def program(self, info: GraphQLInfo) -> Program:
        return await load_program(info, self.row.program_id)

    @strawberry.field
    async def mentee(self, info: GraphQLInfo) -> Mentee | None:
        return await load_mentee(info, self.row.mentee_id)

    @strawberry.field
    async def mentor(self, info: GraphQLInfo) -> Mentor:
        return await load_mentor(info, self.row.mentor_id)

    @strawberry.field
    def agreement_date(self) -> date:
        return self.row.agreement_date

    @strawberry.field
    def planned_end(self) -> date:
        return self.row.planned_end

    @strawberry.field
    def goals(self) -> str:
        return self.row.goals

    @strawberry.field
    def status(self) -> models.MentorshipStatus:
        return self.row.status

    @strawberry.field
    def closed_at(self) -> datetime | None:
        return self.row.closed_at

    @strawberry.field
    def closure_reason(self) -> str:
        return self.row.closure_reason

    @strawberry.field(description="How it ended: by mutual agreement, at the end of the term, or early")
    def closure_kind(self) -> models.ClosureKind | None:
        return self.row.closure_kind

    @strawberry.field(description="The program's target of mentoring hours over the term")
    async def meeting_target_hours(self, info: GraphQLInfo) -> int:
        settings = await info.context.loaders.lifecycle_settings.load(self.row.program_id)
        return settings.meeting_target_hours

    @strawberry.field(description="The target pro rata over the term elapsed (until closure if closed)")
    async def hours_expected(self, info: GraphQLInfo) -> float:
        settings = await info.context.loaders.lifecycle_settings.load(self.row.program_id)
        return lifecycle_service.expected_hours(settings, self.row, clock.now().date())

    @strawberry.field(description="Active, and below 75% of the hours expected by now")
    async def behind_schedule(self, info: GraphQLInfo) -> bool:
        settings = await info.context.loaders.lifecycle_settings.load(self.row.program_id)
        minutes = await info.context.loaders.minutes_logged.load(self.row.id)
        return lifecycle_service.behind_schedule(settings, self.row, minutes or 0, clock.now().date())

    @strawberry.field
    async def hours_logged(self, info: GraphQLInfo) -> float:
        minutes = await info.context.loaders.minutes_logged.load(self.row.id)
        return round((minutes or 0) / 60, 1)

    @strawberry.field(description="Hours the program's cadence plans over the whole term")
    async def planned_hours(self, info: GraphQLInfo) -> float:
        program = await info.context.loaders.program.load(self.row.program_id)
        return mentorship_service.planned_hours(program, self.row)

    @strawberry.field
    async def meetings(self, info: GraphQLInfo) -> list[Meeting]:
        entries = await info.context.call(mentorship_service.meetings, self.row)
        return [Meeting.from_entry(entry) for entry in entries]

    @strawberry.field
    async def extensions(self, info: GraphQLInfo) -> list[Extension]:
        rows = await info.context.run(mentorship_service.extensions, self.row.id)
        return [
            Extension(
                previous_end=row.previous_end,
                new_end=row.new_end,
                reason=row.reason,
                created_at=row.created_at,
            )
            for row in rows
        ]

    @strawberry.field
    async def outcomes(self, info: GraphQLInfo) -> list[Outcome]:
        rows = await info.context.run(mentorship_service.outcomes, self.row.id)
        return [Outcome(row=row) for row in rows]


@strawberry.type
class AuditEvent:
    row: strawberry.Private[models.AuditEvent]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def action(self) -> models.AuditAction:
        return self.row.action

    @strawberry.field(description="Why access was granted: referral, mentorship or proposal")
    def grounds(self) -> str:
        return self.row.grounds

    @strawberry.field
    def subject(self) -> str:
        return self.row.subject

    @strawberry.field
    def mentee_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.mentee_id))

    @strawberry.field
    def actor_user_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.actor_user_id))

    @strawberry.field
    async def actor_organization(self, info: GraphQLInfo) -> Organization | None:
        if self.row.actor_organization_id is None:
            return None
        return await load_organization(info, self.row.actor_organization_id)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at


@strawberry.type
class Membership:
    role: models.Role
    organization_id: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def organization(self, info: GraphQLInfo) -> Organization:
        return await load_organization(info, self.organization_id)


@strawberry.type
class Viewer:
    id: strawberry.ID
    display_name: str
    preferred_language: models.Language
    roles: list[models.Role] = strawberry.field(description="Roles in the organization in scope")
    memberships: list[Membership]
    organization_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The organization this request acts for")
    async def organization(self, info: GraphQLInfo) -> Organization | None:
        if self.organization_id is None:
            return None
        return await load_organization(info, self.organization_id)
