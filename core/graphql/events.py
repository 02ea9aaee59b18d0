"""GraphQL for events beside mentoring: thin resolvers over ``core.services.events``."""

import uuid
from datetime import datetime

import strawberry

from core import i18n, models
from core.graphql.context import GraphQLInfo
from core.graphql.inputs import given
from core.graphql.types import Organization, Page, load_organization, localized
from core.models import EventAudience, EventKind, Language, ParticipantRole
from core.services import events as event_service
from core.services.events import EventPeriod, EventView

strawberry.enum(EventKind)
strawberry.enum(
    EventAudience, description="Who may see and register: the platform, or the organizer's members"
)
strawberry.enum(ParticipantRole, description="Registered as a newcomer (mentee) or as a mentor")
strawberry.enum(EventPeriod)


def _kind_name(info: GraphQLInfo, kind: EventKind) -> str:
    return i18n.translate(f"event.kind.{kind.value}", info.context.language)


@strawberry.type
class EventRegistration:
    row: strawberry.Private[models.EventRegistration]
    name: strawberry.Private[str | None] = None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="The registered person's account (to record their attendance)")
    def user_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.user_id))

    @strawberry.field(description="The person's name, for the organizers; null in one's own registration")
    def display_name(self) -> str | None:
        return self.name

    @strawberry.field
    def role(self) -> ParticipantRole:
        return self.row.role

    @strawberry.field
    def registered_at(self) -> datetime:
        return self.row.registered_at

    @strawberry.field(description="Null until the organizers record it")
    def attended(self) -> bool | None:
        return self.row.attended

    @strawberry.field
    def attendance_recorded_at(self) -> datetime | None:
        return self.row.attendance_recorded_at


@strawberry.type
class Event:
    view: strawberry.Private[EventView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.view.event.id))

    @strawberry.field
    def kind(self) -> EventKind:
        return self.view.event.kind

    @strawberry.field(description="The kind of event, in the viewer's language")
    def kind_name(self, info: GraphQLInfo) -> str:
        return _kind_name(info, self.view.event.kind)

    @strawberry.field
    def title_en(self) -> str:
        return self.view.event.title_en

    @strawberry.field
    def title_fr(self) -> str:
        return self.view.event.title_fr

    @strawberry.field(description="Title in the viewer's language")
    def title(self, info: GraphQLInfo) -> str:
        return localized(info, self.view.event.title_en, self.view.event.title_fr)

    @strawberry.field
    def description_en(self) -> str:
        return self.view.event.description_en

    @strawberry.field
    def description_fr(self) -> str:
        return self.view.event.description_fr

    @strawberry.field(description="Description in the viewer's language")
    def description(self, info: GraphQLInfo) -> str:
        return localized(info, self.view.event.description_en, self.view.event.description_fr)

    @strawberry.field
    def starts_at(self) -> datetime:
        return self.view.event.starts_at

    @strawberry.field
    def ends_at(self) -> datetime:
        return self.view.event.ends_at

    @strawberry.field(description="Address or room; empty for an online-only event")
    def location(self) -> str:
        return self.view.event.location

    @strawberry.field
    def online(self) -> bool:
        return self.view.event.online_url is not None

    @strawberry.field(description="The link to join: for the registered and the organizers only")
    def online_url(self) -> str | None:
        return self.view.online_url

    @strawberry.field(description="Languages the event is held in")
    def languages(self) -> list[Language]:
        return [Language(language) for language in self.view.event.languages]

    @strawberry.field
    def capacity(self) -> int:
        return self.view.event.capacity

    @strawberry.field
    def registered_count(self) -> int:
        return self.view.registered

    @strawberry.field
    def places_left(self) -> int:
        return self.view.places_left

    @strawberry.field
    def audience(self) -> EventAudience:
        return self.view.event.audience

    @strawberry.field(description="The organization running the event")
    async def organization(self, info: GraphQLInfo) -> Organization:
        return await load_organization(info, self.view.event.organization_id)

    @strawberry.field
    def cancelled_at(self) -> datetime | None:
        return self.view.event.cancelled_at

    @strawberry.field(description="The viewer's own registration, if any")
    def my_registration(self) -> EventRegistration | None:
        return EventRegistration(row=self.view.mine) if self.view.mine else None

    @strawberry.field(description="Who registered: for the organizers' staff only, null for anyone else")
    async def registrations(self, info: GraphQLInfo) -> list[EventRegistration] | None:
        found = await info.context.call(event_service.registrants, self.view.event)
        if found is None:
            return None
        return [EventRegistration(row=entry.registration, name=entry.display_name) for entry in found]


@strawberry.type
class AttendanceByKind:
    kind: EventKind
    count: int

    @strawberry.field(description="The kind of event, in the viewer's language")
    def kind_name(self, info: GraphQLInfo) -> str:
        return _kind_name(info, self.kind)


@strawberry.type(description="Events a person attended")
class AttendanceSummary:
    summary: strawberry.Private[event_service.AttendanceSummary]

    @strawberry.field
    def total(self) -> int:
        return self.summary.total

    @strawberry.field(description="Every kind of event, with how many the person attended")
    def by_kind(self) -> list[AttendanceByKind]:
        return [AttendanceByKind(kind=kind, count=count) for kind, count in self.summary.by_kind.items()]

    @strawberry.field(description="Set when only this organization's events are counted (the viewer's)")
    async def counted_for(self, info: GraphQLInfo) -> Organization | None:
        if self.summary.organization_id is None:
            return None
        return await load_organization(info, self.summary.organization_id)


@strawberry.input
class EventInput:
    kind: EventKind
    title_en: str
    title_fr: str
    starts_at: datetime = strawberry.field(description="With its UTC offset")
    ends_at: datetime
    capacity: int
    languages: list[Language]
    description_en: str = ""
    description_fr: str = ""
    location: str = ""
    online_url: str | None = strawberry.field(default=None, description="https:// link for online events")
    audience: EventAudience = EventAudience.PLATFORM


@strawberry.input(description="Only the fields given are changed")
class EventUpdateInput:
    kind: EventKind | None = strawberry.UNSET
    title_en: str | None = strawberry.UNSET
    title_fr: str | None = strawberry.UNSET
    starts_at: datetime | None = strawberry.UNSET
    ends_at: datetime | None = strawberry.UNSET
    capacity: int | None = strawberry.UNSET
    languages: list[Language] | None = strawberry.UNSET
    description_en: str | None = strawberry.UNSET
    description_fr: str | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    online_url: str | None = strawberry.UNSET
    audience: EventAudience | None = strawberry.UNSET


@strawberry.input
class AttendanceInput:
    user_id: uuid.UUID
    attended: bool


def _page(found: tuple[list[EventView], int]) -> Page[Event]:
    views, total = found
    return Page(items=[Event(view=view) for view in views], total_count=total)


@strawberry.type
class EventsQuery:
    @strawberry.field(
        description="Events the viewer may see: platform-wide ones, and their organizations' own"
    )
    async def events(
        self,
        info: GraphQLInfo,
        period: EventPeriod = EventPeriod.UPCOMING,
        kind: EventKind | None = None,
        organization_id: uuid.UUID | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[Event]:
        return _page(
            await info.context.call(
                event_service.list_events,
                period=period,
                kind=kind,
                organization_id=organization_id,
                limit=limit,
                offset=offset,
            )
        )

    @strawberry.field
    async def event(self, info: GraphQLInfo, id: uuid.UUID) -> Event:
        return Event(view=await info.context.call(event_service.get_event, id))

    @strawberry.field(description="Events the viewer registered for (all periods unless one is given)")
    async def my_events(
        self, info: GraphQLInfo, period: EventPeriod | None = None, limit: int = 50, offset: int = 0
    ) -> Page[Event]:
        return _page(
            await info.context.call(event_service.my_events, period=period, limit=limit, offset=offset)
        )

    @strawberry.field(
        description="Events a person attended: the viewer's own by default, or a person's by account "
        "(userId) or newcomer's file (menteeId), for the staff who may see it"
    )
    async def attendance_summary(
        self, info: GraphQLInfo, user_id: uuid.UUID | None = None, mentee_id: uuid.UUID | None = None
    ) -> AttendanceSummary:
        summary = await info.context.call(
            event_service.attendance_summary, user_id=user_id, mentee_id=mentee_id
        )
        return AttendanceSummary(summary=summary)


@strawberry.type
class EventsMutation:
    @strawberry.mutation(description="Staff: an event run by their organization")
    async def create_event(self, info: GraphQLInfo, input: EventInput) -> Event:
        data = event_service.EventData(**given(input))
        return Event(view=await info.context.call(event_service.create_event, data))

    @strawberry.mutation(description="The organizers' staff: change an event until it starts")
    async def update_event(self, info: GraphQLInfo, id: uuid.UUID, input: EventUpdateInput) -> Event:
        return Event(view=await info.context.call(event_service.update_event, id, given(input)))

    @strawberry.mutation(description="The organizers' staff: cancel an event that has not started")
    async def cancel_event(self, info: GraphQLInfo, id: uuid.UUID) -> Event:
        return Event(view=await info.context.call(event_service.cancel_event, id))

    @strawberry.mutation(
        description="Newcomers and mentors: take a place. Someone who is both says in which role."
    )
    async def register_for_event(
        self, info: GraphQLInfo, id: uuid.UUID, role: ParticipantRole | None = None
    ) -> Event:
        return Event(view=await info.context.call(event_service.register, id, role=role))

    @strawberry.mutation(description="Give one's place back, until the event starts")
    async def cancel_registration(self, info: GraphQLInfo, id: uuid.UUID) -> Event:
        return Event(view=await info.context.call(event_service.cancel_registration, id))

    @strawberry.mutation(description="The organizers' staff: who came, once the event has started")
    async def record_attendance(
        self, info: GraphQLInfo, id: uuid.UUID, attendance: list[AttendanceInput]
    ) -> Event:
        return Event(view=await info.context.call(event_service.record_attendance, id, attendance))
