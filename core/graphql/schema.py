"""The GraphQL schema: thin resolvers over the services."""

import enum
import uuid
from datetime import date, datetime

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from core import models
from core.graphql.accounts import AccountsMutation, AccountsQuery, OperationsGranted
from core.graphql.context import GraphQLInfo
from core.graphql.errors import LocalizedErrors
from core.graphql.events import EventsMutation, EventsQuery
from core.graphql.inputs import (
    MeetingInput,
    MemberInput,
    MenteeInput,
    MenteeUpdateInput,
    MentorProfileInput,
    OutcomeInput,
    ProgramInput,
    ReferralInput,
    given,
    given_profile,
)
from core.graphql.lifecycle import LifecycleMutation, LifecycleQuery
from core.graphql.limits import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryComplexityLimiter,
    QueryDepthLimiter,
)
from core.graphql.matching import MatchingMutation, MatchingQuery
from core.graphql.privacy import PrivacyMutation, PrivacyQuery
from core.graphql.reports import ReportsMutation, ReportsQuery
from core.graphql.rules import RulesMutation, RulesQuery
from core.graphql.search import SearchQuery
from core.graphql.sign_on import SignOnMutation, SignOnQuery
from core.graphql.taxonomy import TaxonomyQuery
from core.graphql.types import (
    EligibilityReport,
    MatchProposal,
    Meeting,
    Membership,
    Mentee,
    Mentor,
    Mentorship,
    Organization,
    Outcome,
    Page,
    PluginState,
    Program,
    ProgramType,
    Referral,
    Viewer,
    eligibility_checks,
    load_mentor,
)
from core.http.sessions import cleared_session_cookies
from core.models import Language, MentorshipStatus, ProposalStatus, ReferralStatus
from core.plugins import get_plugin_host
from core.services import (
    accounts,
    mentees,
    mentors,
    mentorships,
    organizations,
    programs,
    proposals,
    referrals,
    waiting,
)
from core.services.mentorships import MeetingEntry
from core.settings import get_settings

strawberry.enum(referrals.ReferralDirection)


@strawberry.enum
class ClosureStatus(enum.StrEnum):
    COMPLETED = models.MentorshipStatus.COMPLETED.value
    ENDED_EARLY = models.MentorshipStatus.ENDED_EARLY.value


@strawberry.type
class WaitingEntry:
    referral: Referral
    waiting_since: datetime
    days_waiting: int


@strawberry.type
class ActivityKind:
    key: str
    name: str


@strawberry.type
class SignInPayload:
    token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`")
    viewer: Viewer


def _viewer(actor: "accounts.Actor") -> Viewer:
    return Viewer(
        id=strawberry.ID(str(actor.user_id)),
        display_name=actor.display_name,
        preferred_language=actor.language,
        roles=sorted(actor.roles),
        memberships=[
            Membership(role=role, organization_id=organization_id)
            for organization_id, roles in actor.memberships.items()
            for role in sorted(roles)
        ],
        organization_id=actor.organization_id,
    )


@strawberry.type
class FlowQuery:
    @strawberry.field(description="The signed-in person; null when anonymous")
    async def viewer(self, info: GraphQLInfo) -> Viewer | None:
        actor = await info.context.optional_actor()
        return _viewer(actor) if actor else None

    @strawberry.field(description="Every organization of the platform (public directory)")
    async def organizations(self, info: GraphQLInfo) -> list[Organization]:
        rows = await info.context.run(organizations.list_organizations)
        return [Organization.from_model(row) for row in rows]

    @strawberry.field(description="Program types offered by the installed plugins")
    def program_types(self) -> list[ProgramType]:
        return [
            ProgramType.from_spec(plugin, spec)
            for plugin, spec in sorted(
                get_plugin_host().program_types().values(), key=lambda item: item[1].key
            )
        ]

    @strawberry.field(description="Plugins, and whether the viewer's organization enabled each")
    async def plugins(self, info: GraphQLInfo) -> list[PluginState]:
        actor = await info.context.actor()
        states = await info.context.run(organizations.plugin_states, actor.require_organization())
        return [PluginState.from_data(state) for state in states]

    @strawberry.field(description="Programs, of one organization or of all (public)")
    async def programs(self, info: GraphQLInfo, organization_id: uuid.UUID | None = None) -> list[Program]:
        rows = await info.context.run(programs.list_programs, organization_id)
        return [Program.from_model(row) for row in rows]

    @strawberry.field
    async def program(self, info: GraphQLInfo, id: uuid.UUID) -> Program:
        return Program.from_model(await info.context.run(programs.get_program, id))

    @strawberry.field(description="Staff: clients owned by, or referred with consent to, the organization")
    async def clients(
        self, info: GraphQLInfo, search: str = "", limit: int = 50, offset: int = 0
    ) -> Page[Mentee]:
        views, total = await info.context.call(
            mentees.list_clients, search=search, limit=limit, offset=offset
        )
        return Page(items=[Mentee.from_view(view) for view in views], total_count=total)

    @strawberry.field
    async def mentee(self, info: GraphQLInfo, id: uuid.UUID) -> Mentee:
        return Mentee.from_view(await info.context.call(mentees.get_mentee, id))

    @strawberry.field(description="The shared mentor pool, as the viewer's organization may see it")
    async def mentors(
        self,
        info: GraphQLInfo,
        occupation: str = "",
        language: str = "",
        city: str = "",
        limit: int = 50,
        offset: int = 0,
    ) -> Page[Mentor]:
        rows, total = await info.context.call(
            mentors.list_visible_mentors,
            occupation_prefix=occupation,
            language=language,
            city=city,
            limit=limit,
            offset=offset,
        )
        return Page(items=[await load_mentor(info, row.id) for row in rows], total_count=total)

    @strawberry.field
    async def mentor(self, info: GraphQLInfo, id: uuid.UUID) -> Mentor:
        profile = await info.context.call(mentors.get_visible_mentor, id)
        return await load_mentor(info, profile.id)

    @strawberry.field
    async def referrals(
        self,
        info: GraphQLInfo,
        direction: referrals.ReferralDirection | None = None,
        status: ReferralStatus | None = None,
        program_id: uuid.UUID | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[Referral]:
        rows, total = await info.context.call(
            referrals.list_referrals,
            direction=direction,
            status=status,
            program_id=program_id,
            limit=limit,
            offset=offset,
        )
        return Page(items=[Referral(row=row) for row in rows], total_count=total)

    @strawberry.field
    async def referral(self, info: GraphQLInfo, id: uuid.UUID) -> Referral:
        return Referral(row=await info.context.call(referrals.get_referral, id))

    @strawberry.field(description="Program staff: every criterion checked now against the client's file")
    async def eligibility(self, info: GraphQLInfo, referral_id: uuid.UUID) -> EligibilityReport:
        check = await info.context.call(referrals.check_eligibility, referral_id)
        return EligibilityReport(
            passed=check.passed, rules_version=check.rules_version, checks=eligibility_checks(check.records)
        )

    @strawberry.field(description="Program staff: newcomers admitted and not yet matched, longest wait first")
    async def waiting_list(self, info: GraphQLInfo, program_id: uuid.UUID) -> list[WaitingEntry]:
        entries = await info.context.call(waiting.waiting_list, program_id)
        return [
            WaitingEntry(
                referral=Referral(row=entry.referral),
                waiting_since=entry.waiting_since,
                days_waiting=entry.days_waiting,
            )
            for entry in entries
        ]

    @strawberry.field(description="Activities a mentorship of this program type may log besides meetings")
    def activity_kinds(self, info: GraphQLInfo, program_type: str) -> list[ActivityKind]:
        return [
            ActivityKind(key=kind.key, name=kind.name_fr if info.context.language == "fr" else kind.name_en)
            for kind in get_plugin_host().activity_kinds(program_type).values()
        ]

    @strawberry.field
    async def proposals(
        self, info: GraphQLInfo, status: ProposalStatus | None = None, limit: int = 50, offset: int = 0
    ) -> Page[MatchProposal]:
        rows, total = await info.context.call(
            proposals.list_proposals, status=status, limit=limit, offset=offset
        )
        return Page(items=[MatchProposal(row=row) for row in rows], total_count=total)

    @strawberry.field
    async def mentorships(
        self, info: GraphQLInfo, status: MentorshipStatus | None = None, limit: int = 50, offset: int = 0
    ) -> Page[Mentorship]:
        rows, total = await info.context.call(
            mentorships.list_mentorships, status=status, limit=limit, offset=offset
        )
        return Page(items=[Mentorship(row=row) for row in rows], total_count=total)

    @strawberry.field
    async def mentorship(self, info: GraphQLInfo, id: uuid.UUID) -> Mentorship:
        return Mentorship(row=await info.context.call(mentorships.get_mentorship, id))


@strawberry.type
class FlowMutation:
    @strawberry.mutation
    async def sign_in(self, info: GraphQLInfo, email: str, password: str) -> SignInPayload:
        token, _ = await info.context.run(
            accounts.sign_in,
            email,
            password,
            throttle=info.context.throttle,
            address=info.context.client_address,
        )
        info.context.token = token
        return SignInPayload(token=token, viewer=_viewer(await info.context.actor()))

    @strawberry.mutation
    async def sign_out(self, info: GraphQLInfo) -> bool:
        await info.context.actor()
        await info.context.run(accounts.sign_out, info.context.token or "")
        request, response = info.context.request, info.context.response
        if request is not None and response is not None:  # a browser session's cookies go with it
            response.cookies.extend(cleared_session_cookies(request.app.state.settings))
        return True

    @strawberry.mutation
    async def set_language(self, info: GraphQLInfo, language: Language) -> Language:
        user = await info.context.call(accounts.set_language, language)
        return user.preferred_language

    @strawberry.mutation(description="Organization admins: add a person with a role")
    async def add_member(self, info: GraphQLInfo, input: MemberInput) -> Membership:
        membership = await info.context.call(
            accounts.add_member, input.email, input.display_name, input.role, input.password
        )
        return Membership(role=membership.role, organization_id=membership.organization_id)

    @strawberry.mutation(description="Organization admins: switch a plugin on or off")
    async def set_plugin_enabled(self, info: GraphQLInfo, name: str, enabled: bool) -> list[PluginState]:
        states = await info.context.call(organizations.set_plugin_enabled, name, enabled)
        return [PluginState.from_data(state) for state in states]

    @strawberry.mutation
    async def create_program(self, info: GraphQLInfo, input: ProgramInput) -> Program:
        data = programs.ProgramData(**given(input))
        return Program.from_model(await info.context.call(programs.create_program, data))

    @strawberry.mutation(description="Agency staff: register a client their organization will own")
    async def register_mentee(
        self, info: GraphQLInfo, input: MenteeInput, account_password: str | None = None
    ) -> Mentee:
        profile = await info.context.call(mentees.register_mentee, given_profile(input), account_password)
        return Mentee.from_view(await info.context.call(mentees.get_mentee, profile.id))

    @strawberry.mutation
    async def update_mentee(self, info: GraphQLInfo, id: uuid.UUID, input: MenteeUpdateInput) -> Mentee:
        return Mentee.from_view(await info.context.call(mentees.update_mentee, id, given_profile(input)))

    @strawberry.mutation(description="Mentors: create or update their own profile")
    async def save_my_mentor_profile(self, info: GraphQLInfo, input: MentorProfileInput) -> Mentor:
        data = mentors.MentorData(**given_profile(input))
        profile = await info.context.call(mentors.save_my_mentor_profile, data)
        return await load_mentor(info, profile.id)

    @strawberry.mutation(description="Refer a client to a program, with the client's consent")
    async def submit_referral(self, info: GraphQLInfo, input: ReferralInput) -> Referral:
        row = await info.context.call(
            referrals.submit_referral,
            input.mentee_id,
            input.program_id,
            consent=input.consent,
            note=input.note,
            details=input.details,
        )
        return Referral(row=row)

    @strawberry.mutation
    async def admit_referral(
        self, info: GraphQLInfo, id: uuid.UUID, note: str = "", override_ineligibility: bool = False
    ) -> Referral:
        row = await info.context.call(
            referrals.admit_referral, id, note=note, override_ineligibility=override_ineligibility
        )
        return Referral(row=row)

    @strawberry.mutation(description="Return a client to the referring agency with the reasons")
    async def return_referral(
        self, info: GraphQLInfo, id: uuid.UUID, reasons: list[str] | None = None, note: str = ""
    ) -> Referral:
        row = await info.context.call(referrals.return_referral, id, reasons=reasons or [], note=note)
        return Referral(row=row)

    @strawberry.mutation
    async def withdraw_referral(self, info: GraphQLInfo, id: uuid.UUID, note: str = "") -> Referral:
        return Referral(row=await info.context.call(referrals.withdraw_referral, id, note=note))

    @strawberry.mutation
    async def propose_match(
        self, info: GraphQLInfo, referral_id: uuid.UUID, mentor_id: uuid.UUID
    ) -> MatchProposal:
        return MatchProposal(row=await info.context.call(proposals.propose_match, referral_id, mentor_id))

    @strawberry.mutation(description="The mentor, or the newcomer (or their agency), accepts or declines")
    async def answer_proposal(
        self, info: GraphQLInfo, id: uuid.UUID, accept: bool, reason: str = ""
    ) -> MatchProposal:
        row = await info.context.call(proposals.answer_proposal, id, accept=accept, reason=reason)
        return MatchProposal(row=row)

    @strawberry.mutation
    async def log_meeting(self, info: GraphQLInfo, input: MeetingInput) -> Meeting:
        data = given(input)
        meeting = await info.context.call(mentorships.log_meeting, data.pop("mentorship_id"), **data)
        return Meeting.from_entry(MeetingEntry(meeting, meeting.notes))

    @strawberry.mutation
    async def extend_mentorship(
        self, info: GraphQLInfo, id: uuid.UUID, new_end: date, reason: str = ""
    ) -> Mentorship:
        row = await info.context.call(mentorships.extend_mentorship, id, new_end=new_end, reason=reason)
        return Mentorship(row=row)

    @strawberry.mutation
    async def close_mentorship(
        self,
        info: GraphQLInfo,
        id: uuid.UUID,
        status: ClosureStatus,
        reason: str = "",
        kind: models.ClosureKind | None = None,
    ) -> Mentorship:
        row = await info.context.call(
            mentorships.close_mentorship,
            id,
            status=models.MentorshipStatus(status.value),
            reason=reason,
            kind=kind,
        )
        return Mentorship(row=row)

    @strawberry.mutation(description="Employment outcome at closure, or 3, 6, 12 months after")
    async def record_outcome(self, info: GraphQLInfo, input: OutcomeInput) -> Outcome:
        data = given(input)
        outcome = await info.context.call(mentorships.record_outcome, data.pop("mentorship_id"), **data)
        return Outcome(row=outcome)


# Each feature module contributes its own root fields; the schema merges them.
QUERIES: tuple[type, ...] = (
    FlowQuery,
    LifecycleQuery,
    RulesQuery,
    MatchingQuery,
    SearchQuery,
    EventsQuery,
    TaxonomyQuery,
    PrivacyQuery,
    AccountsQuery,
    SignOnQuery,
    ReportsQuery,
)
MUTATIONS: tuple[type, ...] = (
    FlowMutation,
    LifecycleMutation,
    RulesMutation,
    MatchingMutation,
    EventsMutation,
    PrivacyMutation,
    AccountsMutation,
    SignOnMutation,
    ReportsMutation,
)


class TremplinSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors people can act on are answers, not server faults: log only the rest
        (LocalizedErrors logs those with their traceback)."""


def build_schema() -> strawberry.Schema:
    settings = get_settings()
    plugin_fields = [fields for fields in get_plugin_host().manager.hook.register_graphql() if fields]
    queries = QUERIES + tuple(fields.query for fields in plugin_fields if fields.query)
    mutations = MUTATIONS + tuple(fields.mutation for fields in plugin_fields if fields.mutation)
    return TremplinSchema(
        query=merge_types("Query", queries),
        mutation=merge_types("Mutation", mutations),
        extensions=[
            # Clients send the same few documents over and over: parse and validate each once.
            lambda: ParserCache(maxsize=256),  # the cache is shared, the extension per request
            lambda: ValidationCache(maxsize=256),
            lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
            lambda: MaxTokensLimiter(max_token_count=5000),
            lambda: MaxAliasesLimiter(max_alias_count=30),
            lambda: QueryComplexityLimiter(max_complexity=settings.graphql_max_complexity),
            LocalizedErrors,
            OperationsGranted,
        ],
    )
