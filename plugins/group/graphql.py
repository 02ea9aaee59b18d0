"""The group program's GraphQL fields: cohorts, their members, sessions and attendance.

Thin, like core's resolvers: every rule is in ``plugins.group.service``. Newcomers are
shown through core's ``Mentee`` type and the request's loaders, so the sharing rules
decide what each viewer reads of them (nothing, where the viewer has no grounds) and
reads by another organization are audited.
"""

import enum
import uuid
from datetime import date, datetime

import strawberry

from core import taxonomy
from core.graphql.context import GraphQLInfo
from core.graphql.inputs import given
from core.graphql.types import (
    Classification,
    Mentee,
    Mentor,
    Page,
    Program,
    load_mentee,
    load_mentor,
    load_program,
)
from core.models import Language
from plugins.group import models, service

strawberry.enum(models.CohortStatus)


@strawberry.enum
class CohortRole(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


@strawberry.type
class CohortMentor:
    row: strawberry.Private[models.CohortMentor]

    @strawberry.field
    async def mentor(self, info: GraphQLInfo) -> Mentor:
        return await load_mentor(info, self.row.mentor_id)

    @strawberry.field
    def joined_at(self) -> datetime:
        return self.row.created_at


@strawberry.type
class CohortMentee:
    row: strawberry.Private[models.CohortMentee]

    @strawberry.field(description="Null where the viewer has no grounds to read the newcomer's file")
    async def mentee(self, info: GraphQLInfo) -> Mentee | None:
        return await load_mentee(info, self.row.mentee_id)

    @strawberry.field
    def joined_at(self) -> datetime:
        return self.row.created_at


@strawberry.type
class GroupAttendance:
    row: strawberry.Private[models.GroupAttendance]

    @strawberry.field
    def role(self) -> CohortRole:
        return CohortRole.MENTOR if self.row.mentor_id else CohortRole.MENTEE

    @strawberry.field
    async def mentor(self, info: GraphQLInfo) -> Mentor | None:
        return await load_mentor(info, self.row.mentor_id) if self.row.mentor_id else None

    @strawberry.field(description="Null for a mentor, or where the viewer has no grounds to read the file")
    async def mentee(self, info: GraphQLInfo) -> Mentee | None:
        return await load_mentee(info, self.row.mentee_id) if self.row.mentee_id else None

    @strawberry.field
    def present(self) -> bool:
        return self.row.present


@strawberry.type
class GroupSession:
    entry: strawberry.Private[service.SessionEntry]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.entry.session.id))

    @strawberry.field
    def held_on(self) -> date:
        return self.entry.session.held_on

    @strawberry.field
    def minutes(self) -> int:
        return self.entry.session.minutes

    @strawberry.field
    def topic(self) -> str:
        return self.entry.session.topic

    @strawberry.field(description="One line per member at the roll call; empty until it is recorded")
    def attendance(self) -> list[GroupAttendance]:
        return [GroupAttendance(row=row) for row in self.entry.attendance]


@strawberry.type(description="A group of newcomers with a few mentors of one sector (group programs)")
class Cohort:
    view: strawberry.Private[service.CohortView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.view.cohort.id))

    @strawberry.field
    async def program(self, info: GraphQLInfo) -> Program:
        return await load_program(info, self.view.cohort.program_id)

    @strawberry.field
    def name(self) -> str:
        return self.view.cohort.name

    @strawberry.field(description="A NOC 2021 major group")
    def sector(self) -> Classification | None:
        return Classification.of(taxonomy.noc_table().get(self.view.cohort.sector))

    @strawberry.field
    def language(self) -> Language:
        return self.view.cohort.language

    @strawberry.field
    def starts_on(self) -> date:
        return self.view.cohort.starts_on

    @strawberry.field
    def status(self) -> models.CohortStatus:
        return self.view.cohort.status

    @strawberry.field
    def min_mentees(self) -> int:
        return self.view.limits.min_mentees

    @strawberry.field
    def max_mentees(self) -> int:
        return self.view.limits.max_mentees

    @strawberry.field
    def min_mentors(self) -> int:
        return self.view.limits.min_mentors

    @strawberry.field
    def max_mentors(self) -> int:
        return self.view.limits.max_mentors

    @strawberry.field(
        description="At least the program's minimum of mentees and mentors. A cohort below it "
        "may still start: staff decide"
    )
    def ready(self) -> bool:
        return self.view.ready

    @strawberry.field(description="Mentees still needed to reach the minimum")
    def missing_mentees(self) -> int:
        return self.view.missing_mentees

    @strawberry.field(description="Mentors still needed to reach the minimum")
    def missing_mentors(self) -> int:
        return self.view.missing_mentors

    @strawberry.field
    def mentors(self) -> list[CohortMentor]:
        return [CohortMentor(row=row) for row in self.view.mentors]

    @strawberry.field
    def mentees(self) -> list[CohortMentee]:
        return [CohortMentee(row=row) for row in self.view.mentees]

    @strawberry.field
    async def sessions(self, info: GraphQLInfo) -> list[GroupSession]:
        entries = await info.context.run(service.cohort_sessions, self.view.cohort.id)
        return [GroupSession(entry=entry) for entry in entries]


@strawberry.input
class CohortInput:
    program_id: uuid.UUID
    name: str
    sector: str = strawberry.field(description="NOC 2021 major group, two digits")
    language: Language
    starts_on: date


@strawberry.input
class GroupSessionInput:
    cohort_id: uuid.UUID
    held_on: date
    minutes: int
    topic: str


@strawberry.type
class GroupQuery:
    @strawberry.field(
        description="Cohorts the viewer may see: their programs' (staff), those they mentor or "
        "attend, and those their organization's clients attend"
    )
    async def cohorts(
        self,
        info: GraphQLInfo,
        program_id: uuid.UUID | None = None,
        status: models.CohortStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[Cohort]:
        views, total = await info.context.call(
            service.list_cohorts, program_id=program_id, status=status, limit=limit, offset=offset
        )
        return Page(items=[Cohort(view=view) for view in views], total_count=total)

    @strawberry.field
    async def cohort(self, info: GraphQLInfo, id: uuid.UUID) -> Cohort:
        return Cohort(view=await info.context.call(service.get_cohort, id))


@strawberry.type
class GroupMutation:
    @strawberry.mutation(description="Program staff: a new cohort in a group program")
    async def create_cohort(self, info: GraphQLInfo, input: CohortInput) -> Cohort:
        data = given(input)
        return Cohort(view=await info.context.call(service.create_cohort, data.pop("program_id"), **data))

    @strawberry.mutation(description="Program staff: no more members or sessions")
    async def close_cohort(self, info: GraphQLInfo, id: uuid.UUID) -> Cohort:
        return Cohort(view=await info.context.call(service.close_cohort, id))

    @strawberry.mutation(description="Program staff: a mentor of the cohort's sector")
    async def add_cohort_mentor(
        self, info: GraphQLInfo, cohort_id: uuid.UUID, mentor_id: uuid.UUID
    ) -> Cohort:
        return Cohort(view=await info.context.call(service.add_mentor, cohort_id, mentor_id))

    @strawberry.mutation(
        description="Program staff: a newcomer admitted to the program; their other referrals "
        "(and their place on a waiting list) are untouched"
    )
    async def add_cohort_mentee(
        self, info: GraphQLInfo, cohort_id: uuid.UUID, mentee_id: uuid.UUID
    ) -> Cohort:
        return Cohort(view=await info.context.call(service.add_mentee, cohort_id, mentee_id))

    @strawberry.mutation(description="Program staff: take out one mentor or one mentee (give exactly one)")
    async def remove_cohort_member(
        self,
        info: GraphQLInfo,
        cohort_id: uuid.UUID,
        mentor_id: uuid.UUID | None = None,
        mentee_id: uuid.UUID | None = None,
    ) -> Cohort:
        view = await info.context.call(
            service.remove_member, cohort_id, mentor_id=mentor_id, mentee_id=mentee_id
        )
        return Cohort(view=view)

    @strawberry.mutation(description="Program staff: a group session of an open cohort")
    async def schedule_group_session(self, info: GraphQLInfo, input: GroupSessionInput) -> GroupSession:
        data = given(input)
        return GroupSession(
            entry=await info.context.call(service.schedule_session, data.pop("cohort_id"), **data)
        )

    @strawberry.mutation(
        description="Program staff: the roll call of a session held; members not listed were absent"
    )
    async def record_group_attendance(
        self,
        info: GraphQLInfo,
        session_id: uuid.UUID,
        present_mentee_ids: list[uuid.UUID],
        present_mentor_ids: list[uuid.UUID],
    ) -> GroupSession:
        entry = await info.context.call(
            service.record_attendance,
            session_id,
            present_mentee_ids=present_mentee_ids,
            present_mentor_ids=present_mentor_ids,
        )
        return GroupSession(entry=entry)
