"""GraphQL input types. Field names match the service parameters they feed."""

import uuid
from dataclasses import fields
from datetime import date
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.models import (
    EmploymentStatus,
    ImmigrationStatus,
    Language,
    MeetingMode,
    MentorAffiliation,
    MentorVisibility,
    NotesVisibility,
    OutcomeStage,
    Role,
)


def given(input_object: object) -> dict[str, Any]:
    """The fields the client actually sent (partial updates leave the rest alone)."""
    return {
        field.name: getattr(input_object, field.name)
        for field in fields(input_object)  # type: ignore[arg-type]
        if getattr(input_object, field.name) is not strawberry.UNSET
    }


@strawberry.input
class LanguageSkillInput:
    language: str
    clb: int = strawberry.field(description="Canadian Language Benchmark / NCLC, 1-12")


@strawberry.input(description="The work-style questionnaire, each answer 1 to 5; leave out what you skip")
class WorkStyleInput:
    structure: int | None = None
    feedback: int | None = None
    contact: int | None = None
    focus: int | None = None

    def answers(self) -> dict[str, int]:
        return {item: answer for item, answer in vars(self).items() if answer is not None}


def given_profile(input_object: object) -> dict[str, Any]:
    """``given`` for a profile: the work-style questionnaire as the services take it
    (null clears every answer)."""
    data = given(input_object)
    if "work_style" in data:
        data["work_style"] = data["work_style"].answers() if data["work_style"] else {}
    return data


@strawberry.input
class MenteeInput:
    first_name: str
    last_name: str
    immigration_status: ImmigrationStatus
    country_of_training: str = strawberry.field(description="ISO 3166-1 alpha-2 code")
    target_noc: str = strawberry.field(description="NOC 2021 unit group, five digits")
    email: str | None = None
    phone: str | None = None
    arrival_date: date | None = None
    credentials: list[str] = strawberry.field(default_factory=list)
    industry_naics: str | None = None
    languages: list[LanguageSkillInput] = strawberry.field(default_factory=list)
    preferred_language: Language = Language.EN
    city: str = ""
    province: str = "ON"
    career_goal: str = ""
    availability: list[str] = strawberry.field(
        default_factory=list, description='Weekly slots such as "tue_evening"'
    )
    action_plan: str = ""
    job_search_workshop: bool = False
    open_to_virtual: bool = True
    cultural_backgrounds: list[str] = strawberry.field(
        default_factory=list, description="Declared by the newcomer, never inferred (see culturalRegions)"
    )
    work_style: WorkStyleInput | None = None
    case_notes: str = ""


@strawberry.input(description="Only the fields given are changed")
class MenteeUpdateInput:
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    immigration_status: ImmigrationStatus | None = strawberry.UNSET
    country_of_training: str | None = strawberry.UNSET
    target_noc: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    arrival_date: date | None = strawberry.UNSET
    credentials: list[str] | None = strawberry.UNSET
    industry_naics: str | None = strawberry.UNSET
    languages: list[LanguageSkillInput] | None = strawberry.UNSET
    preferred_language: Language | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    province: str | None = strawberry.UNSET
    career_goal: str | None = strawberry.UNSET
    availability: list[str] | None = strawberry.UNSET
    action_plan: str | None = strawberry.UNSET
    job_search_workshop: bool | None = strawberry.UNSET
    open_to_virtual: bool | None = strawberry.UNSET
    cultural_backgrounds: list[str] | None = strawberry.UNSET
    work_style: WorkStyleInput | None = strawberry.UNSET
    case_notes: str | None = strawberry.UNSET


@strawberry.input
class MentorProfileInput:
    occupation_noc: str
    job_title: str = ""
    industry_naics: str | None = None
    years_local_experience: int = 0
    languages: list[str] = strawberry.field(default_factory=lambda: ["en"])
    city: str = ""
    province: str = "ON"
    open_to_virtual: bool = True
    capacity: int = 1
    availability: list[str] = strawberry.field(default_factory=list)
    bio: str = ""
    affiliation: MentorAffiliation = MentorAffiliation.INDIVIDUAL
    visibility: MentorVisibility = MentorVisibility.PLATFORM
    shared_with_organization_ids: list[uuid.UUID] = strawberry.field(default_factory=list)
    is_peer: bool = strawberry.field(default=False, description="A newcomer who found and kept a job")
    employed_since: date | None = None
    cultural_backgrounds: list[str] = strawberry.field(
        default_factory=list, description="Declared, never inferred"
    )
    work_style: WorkStyleInput | None = None


@strawberry.input
class ProgramInput:
    program_type: str
    name_en: str
    name_fr: str
    description_en: str = ""
    description_fr: str = ""
    capacity: int = 50
    term_weeks: int | None = None
    meeting_minutes_per_week: int | None = None
    languages: list[str] = strawberry.field(default_factory=lambda: ["en", "fr"])
    province: str | None = None
    referrer_organization_ids: list[uuid.UUID] | None = strawberry.field(
        default=None, description="Null: any organization may refer"
    )


@strawberry.input
class MemberInput:
    email: str
    display_name: str
    role: Role
    password: str | None = strawberry.field(default=None, description="Needed for a new person")


@strawberry.input
class ReferralInput:
    mentee_id: uuid.UUID
    program_id: uuid.UUID
    consent: bool = strawberry.field(
        description="The client agreed to share their file with the program's organization"
    )
    note: str = ""
    details: JSON | None = strawberry.field(
        default=None, description='What the program type asks, e.g. {"host_program": "Bridging to IT"}'
    )


@strawberry.input
class MeetingInput:
    mentorship_id: uuid.UUID
    occurred_on: date
    minutes: int
    mode: MeetingMode
    notes: str = ""
    notes_visibility: NotesVisibility = NotesVisibility.PAIR
    activity: str = strawberry.field(
        default="meeting", description="meeting, or an activity kind of the program type (see activityKinds)"
    )


@strawberry.input
class OutcomeInput:
    mentorship_id: uuid.UUID
    stage: OutcomeStage
    status: EmploymentStatus
    job_noc: str | None = None
    note: str = ""
