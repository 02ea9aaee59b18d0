"""Mentees (owned by the organization that registered them) and mentors (a shared pool)."""

import enum
import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import (
    created_at_field,
    enum_field,
    fk,
    id_field,
    json_field,
    timestamp_field,
    updated_at_field,
)
from core.models.organizations import Language


class ImmigrationStatus(enum.StrEnum):
    PERMANENT_RESIDENT = "permanent_resident"
    CONVENTION_REFUGEE = "convention_refugee"
    NATURALIZED_CITIZEN = "naturalized_citizen"
    TEMPORARY_RESIDENT = "temporary_resident"
    REFUGEE_CLAIMANT = "refugee_claimant"


class MentorAffiliation(enum.StrEnum):
    INDIVIDUAL = "individual"
    EMPLOYER = "employer"
    ASSOCIATION = "association"


class MentorVisibility(enum.StrEnum):
    PLATFORM = "platform"
    CHOSEN_ORGANIZATIONS = "chosen_organizations"
    OWN_ORGANIZATION = "own_organization"


class MenteeProfile(SQLModel, table=True):
    """A newcomer's file. Owned by ``owner_organization_id``; any other organization
    reads it only through a referral the newcomer consented to, and every such read is
    audited (see ``federation.sharing``)."""

    __tablename__ = "mentee_profiles"

    id: uuid.UUID = id_field()
    owner_organization_id: uuid.UUID = fk("organizations.id")
    user_id: uuid.UUID | None = fk("users.id", nullable=True)
    registered_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    immigration_status: ImmigrationStatus = enum_field(ImmigrationStatus)
    arrival_date: date | None = None
    country_of_training: str = Field(max_length=2, description="ISO 3166-1 alpha-2")
    credentials: list[str] = json_field()
    target_noc: str = Field(max_length=5, index=True, description="NOC 2021 unit group")
    industry_naics: str | None = Field(default=None, max_length=6)
    # [{"language": "en", "clb": 7}]: Canadian Language Benchmarks (NCLC in French), 1-12.
    languages: list[dict[str, Any]] = json_field()
    preferred_language: Language = enum_field(Language, Language.EN)
    city: str = Field(default="", max_length=100)
    province: str = Field(default="ON", max_length=2)
    career_goal: str = Field(default="", sa_type=sa.Text)
    availability: list[str] = json_field()
    action_plan: str = Field(default="", sa_type=sa.Text)
    job_search_workshop: bool = False
    open_to_virtual: bool = True
    # Declared by the newcomer for matching, never inferred (core.matching.declared).
    cultural_backgrounds: list[str] = json_field()
    work_style: dict[str, int] = json_field(dict)
    case_notes: str = Field(default="", sa_type=sa.Text, description="Owner organization only.")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = timestamp_field()
    # Set when the file was anonymized on request (core.services.privacy): what
    # identified the person is gone, what counts in the statistics stays.
    anonymized_at: datetime | None = timestamp_field()


class MentorProfile(SQLModel, table=True):
    __tablename__ = "mentor_profiles"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", unique=True)
    organization_id: uuid.UUID = fk("organizations.id")
    affiliation: MentorAffiliation = enum_field(MentorAffiliation, MentorAffiliation.INDIVIDUAL)
    visibility: MentorVisibility = enum_field(MentorVisibility, MentorVisibility.PLATFORM)
    job_title: str = Field(default="", max_length=200)
    occupation_noc: str = Field(max_length=5, index=True)
    industry_naics: str | None = Field(default=None, max_length=6)
    years_local_experience: int = 0
    languages: list[str] = json_field()
    city: str = Field(default="", max_length=100)
    province: str = Field(default="ON", max_length=2)
    open_to_virtual: bool = True
    capacity: int = 1
    availability: list[str] = json_field()
    bio: str = Field(default="", sa_type=sa.Text)
    cultural_backgrounds: list[str] = json_field()
    work_style: dict[str, int] = json_field(dict)
    # Peer mentors are newcomers who found and kept a job (London model).
    is_peer: bool = False
    employed_since: date | None = None
    is_active: bool = True
    created_at: datetime = created_at_field()
    # The matching engine's encoded pool is rebuilt when this changes.
    updated_at: datetime | None = updated_at_field()


class MentorSharedWith(SQLModel, table=True):
    """Organizations a mentor with ``chosen_organizations`` visibility is shown to."""

    __tablename__ = "mentor_shared_with"

    mentor_id: uuid.UUID = Field(foreign_key="mentor_profiles.id", primary_key=True)
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", primary_key=True)
