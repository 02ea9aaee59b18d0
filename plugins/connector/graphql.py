"""The connector program in the API: meetings, introductions, follow-ups, the chain of
introductions, and turning a connection into a mentorship. Thin resolvers over
``plugins.connector.service``; newcomers' files through the request's loaders, so
the sharing rules and the audit apply."""

import uuid
from datetime import date, datetime

import strawberry

from core.graphql.context import GraphQLInfo
from core.graphql.inputs import given
from core.graphql.types import (
    MatchProposal,
    Mentee,
    Mentor,
    Page,
    Program,
    load_mentee,
    load_mentor,
    load_program,
)
from plugins.connector import models, service

strawberry.enum(models.ConnectorMeetingStatus)
strawberry.enum(
    models.FollowUpOutcome, name="IntroductionFollowUpOutcome", description="What came of an introduction"
)


@strawberry.type
class IntroductionFollowUp:
    row: strawberry.Private[models.IntroductionFollowUp]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def occurred_on(self) -> date:
        return self.row.occurred_on

    @strawberry.field
    def outcome(self) -> models.FollowUpOutcome:
        return self.row.outcome

    @strawberry.field
    def note(self) -> str:
        return self.row.note

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at


@strawberry.type(description="A connector referred the newcomer to someone of their network")
class ConnectorIntroduction:
    row: strawberry.Private[models.Introduction]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def meeting_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.meeting_id))

    @strawberry.field(description="The connector who made the introduction")
    async def introduced_by(self, info: GraphQLInfo) -> Mentor:
        return await load_mentor(info, self.row.introduced_by_mentor_id)

    @strawberry.field
    def contact_name(self) -> str:
        return self.row.contact_name

    @strawberry.field
    def contact_organization(self) -> str:
        return self.row.contact_organization

    @strawberry.field
    def contact_email(self) -> str | None:
        return self.row.contact_email

    @strawberry.field(description="The contact's mentor profile, when they are on the platform")
    async def contact_mentor(self, info: GraphQLInfo) -> Mentor | None:
        if self.row.contact_mentor_id is None:
            return None
        return await load_mentor(info, self.row.contact_mentor_id)

    @strawberry.field
    def note(self) -> str:
        return self.row.note

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="What came of it, as the newcomer recorded it")
    async def follow_ups(self, info: GraphQLInfo) -> list[IntroductionFollowUp]:
        rows = await info.context.run(service.follow_ups, self.row.id)
        return [IntroductionFollowUp(row=row) for row in rows]


@strawberry.type(description="A short meeting between a newcomer and a connector (Halifax model)")
class ConnectorMeeting:
    row: strawberry.Private[models.ConnectorMeeting]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    async def program(self, info: GraphQLInfo) -> Program:
        return await load_program(info, self.row.program_id)

    @strawberry.field
    def referral_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.referral_id))

    @strawberry.field(description="Null where the viewer has no grounds to read the newcomer's file")
    async def mentee(self, info: GraphQLInfo) -> Mentee | None:
        return await load_mentee(info, self.row.mentee_id)

    @strawberry.field
    async def connector(self, info: GraphQLInfo) -> Mentor:
        return await load_mentor(info, self.row.connector_id)

    @strawberry.field
    def scheduled_on(self) -> date:
        return self.row.scheduled_on

    @strawberry.field
    def held_on(self) -> date | None:
        return self.row.held_on

    @strawberry.field
    def minutes(self) -> int:
        return self.row.minutes

    @strawberry.field
    def status(self) -> models.ConnectorMeetingStatus:
        return self.row.status

    @strawberry.field(description="When the newcomer consented to their name and goal going to the contacts")
    def introduction_consent_at(self) -> datetime | None:
        return self.row.introduction_consent_at

    @strawberry.field(description="Introductions the program asks for before the meeting is completed")
    async def introductions_required(self, info: GraphQLInfo) -> int:
        program = await info.context.loaders.program.load(self.row.program_id)
        return service.setting(program, "minimum_introductions")

    @strawberry.field
    async def introductions(self, info: GraphQLInfo) -> list[ConnectorIntroduction]:
        rows = await info.context.run(service.introductions, self.row.id)
        return [ConnectorIntroduction(row=row) for row in rows]

    @strawberry.field(description="Null until the newcomer said")
    def mentee_wants_to_continue(self) -> bool | None:
        return self.row.mentee_wants_to_continue

    @strawberry.field(description="Null until the connector said")
    def connector_wants_to_continue(self) -> bool | None:
        return self.row.connector_wants_to_continue

    @strawberry.field(description="The match proposal that turned the connection into a mentorship")
    def upgrade_proposal_id(self) -> strawberry.ID | None:
        if self.row.upgrade_proposal_id is None:
            return None
        return strawberry.ID(str(self.row.upgrade_proposal_id))

    @strawberry.field
    def completed_at(self) -> datetime | None:
        return self.row.completed_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at


@strawberry.type(
    description="One link of the chain: the meeting's connector introduced its newcomer to a contact"
)
class IntroductionLink:
    step: int = strawberry.field(
        description="1 for the newcomer's first connectors, 2 for their contacts who then became "
        "the newcomer's connectors, and so on"
    )
    meeting: ConnectorMeeting
    introduction: ConnectorIntroduction
    continued_in: ConnectorMeeting | None = strawberry.field(
        description="The later meeting in which the contact became the newcomer's connector, if visible"
    )

    @classmethod
    def from_link(cls, link: service.ChainLink) -> "IntroductionLink":
        return cls(
            step=link.step,
            meeting=ConnectorMeeting(row=link.meeting),
            introduction=ConnectorIntroduction(row=link.introduction),
            continued_in=ConnectorMeeting(row=link.continued_in) if link.continued_in else None,
        )


@strawberry.input
class ConnectorMeetingInput:
    referral_id: uuid.UUID = strawberry.field(
        description="The newcomer's admitted referral to the connector program"
    )
    connector_id: uuid.UUID = strawberry.field(description="A mentor of the pool the organization may see")
    scheduled_on: date
    minutes: int | None = strawberry.field(default=None, description="Default: the program's meeting_minutes")


@strawberry.input
class IntroductionInput:
    meeting_id: uuid.UUID
    contact_name: str
    contact_organization: str = ""
    contact_email: str | None = strawberry.field(
        default=None, description="Needed unless contactMentorId is given"
    )
    contact_mentor_id: uuid.UUID | None = strawberry.field(
        default=None, description="The contact's mentor profile, when they are on the platform"
    )
    note: str = ""


@strawberry.input
class IntroductionFollowUpInput:
    introduction_id: uuid.UUID
    occurred_on: date
    outcome: models.FollowUpOutcome
    note: str = ""


@strawberry.type
class ConnectorQuery:
    @strawberry.field(description="Connector meetings: the viewer's own, or staff's programs'")
    async def connector_meetings(
        self,
        info: GraphQLInfo,
        program_id: uuid.UUID | None = None,
        status: models.ConnectorMeetingStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[ConnectorMeeting]:
        rows, total = await info.context.call(
            service.list_meetings, program_id=program_id, status=status, limit=limit, offset=offset
        )
        return Page(items=[ConnectorMeeting(row=row) for row in rows], total_count=total)

    @strawberry.field
    async def connector_meeting(self, info: GraphQLInfo, id: uuid.UUID) -> ConnectorMeeting:
        return ConnectorMeeting(row=await info.context.call(service.get_meeting, id))

    @strawberry.field(description="Who introduced whom, for a newcomer or for a connector (give one)")
    async def introduction_chain(
        self, info: GraphQLInfo, mentee_id: uuid.UUID | None = None, connector_id: uuid.UUID | None = None
    ) -> list[IntroductionLink]:
        links = await info.context.call(
            service.introduction_chain, mentee_id=mentee_id, connector_id=connector_id
        )
        return [IntroductionLink.from_link(link) for link in links]


@strawberry.type
class ConnectorMutation:
    @strawberry.mutation(description="Program staff: book a connector for an admitted newcomer")
    async def schedule_connector_meeting(
        self, info: GraphQLInfo, input: ConnectorMeetingInput
    ) -> ConnectorMeeting:
        data = given(input)
        row = await info.context.call(
            service.schedule_meeting, data.pop("referral_id"), data.pop("connector_id"), **data
        )
        return ConnectorMeeting(row=row)

    @strawberry.mutation(
        description="The newcomer (or program staff for them) consents to their name and goal "
        "going to the contacts"
    )
    async def record_introduction_consent(
        self, info: GraphQLInfo, meeting_id: uuid.UUID, consent: bool
    ) -> ConnectorMeeting:
        row = await info.context.call(service.record_introduction_consent, meeting_id, consent=consent)
        return ConnectorMeeting(row=row)

    @strawberry.mutation(description="The connector: the meeting took place")
    async def mark_connector_meeting_held(
        self, info: GraphQLInfo, id: uuid.UUID, held_on: date | None = None, minutes: int | None = None
    ) -> ConnectorMeeting:
        row = await info.context.call(service.mark_held, id, held_on=held_on, minutes=minutes)
        return ConnectorMeeting(row=row)

    @strawberry.mutation(description="The connector: refer the newcomer to a contact of their network")
    async def record_introduction(self, info: GraphQLInfo, input: IntroductionInput) -> ConnectorIntroduction:
        data = given(input)
        meeting_id = data.pop("meeting_id")
        row = await info.context.call(
            service.record_introduction, meeting_id, service.IntroductionData(**data)
        )
        return ConnectorIntroduction(row=row)

    @strawberry.mutation(
        description="The connector or staff: close the meeting once the introductions are made"
    )
    async def complete_connector_meeting(self, info: GraphQLInfo, id: uuid.UUID) -> ConnectorMeeting:
        return ConnectorMeeting(row=await info.context.call(service.complete_meeting, id))

    @strawberry.mutation(description="The newcomer: what came of one of their introductions")
    async def record_introduction_follow_up(
        self, info: GraphQLInfo, input: IntroductionFollowUpInput
    ) -> IntroductionFollowUp:
        data = given(input)
        row = await info.context.call(service.record_follow_up, data.pop("introduction_id"), **data)
        return IntroductionFollowUp(row=row)

    @strawberry.mutation(description="The connector or the newcomer: whether they want to keep in touch")
    async def agree_to_continue(
        self, info: GraphQLInfo, meeting_id: uuid.UUID, agree: bool
    ) -> ConnectorMeeting:
        return ConnectorMeeting(
            row=await info.context.call(service.agree_to_continue, meeting_id, agree=agree)
        )

    @strawberry.mutation(
        description="Program staff, once both agreed: propose the connector as the newcomer's mentor in a "
        "one-to-one program of the organization the newcomer is admitted to"
    )
    async def upgrade_connection_to_mentorship(
        self, info: GraphQLInfo, meeting_id: uuid.UUID, program_id: uuid.UUID
    ) -> MatchProposal:
        row = await info.context.call(service.upgrade_to_mentorship, meeting_id, program_id)
        return MatchProposal(row=row)
