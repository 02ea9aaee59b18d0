"""Organizations, people and who belongs where."""

import enum
import uuid
from datetime import datetime
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
)


class OrganizationKind(enum.StrEnum):
    SETTLEMENT_AGENCY = "settlement_agency"
    EMPLOYMENT_SERVICE = "employment_service"
    LEAD_ORGANIZATION = "lead_organization"
    EMPLOYER = "employer"
    ASSOCIATION = "association"
    POST_SECONDARY = "post_secondary"
    FUNDER = "funder"


class Role(enum.StrEnum):
    ORG_ADMIN = "org_admin"
    COORDINATOR = "coordinator"
    MENTOR = "mentor"
    MENTEE = "mentee"
    EMPLOYER_REP = "employer_rep"
    VIEWER = "viewer"


class Language(enum.StrEnum):
    EN = "en"
    FR = "fr"


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: uuid.UUID = id_field()
    slug: str = Field(max_length=60, unique=True, index=True)
    name_en: str = Field(max_length=200)
    name_fr: str = Field(max_length=200)
    kind: OrganizationKind = enum_field(OrganizationKind)
    province: str = Field(default="ON", max_length=2)
    city: str = Field(default="", max_length=100)
    created_at: datetime = created_at_field()


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = id_field()
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=200)
    preferred_language: Language = enum_field(Language, Language.EN)
    is_active: bool = True
    created_at: datetime = created_at_field()
    # Set when the person proved they read mail at ``email`` (a verification or reset link).
    email_verified_at: datetime | None = timestamp_field()


class Membership(SQLModel, table=True):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "organization_id", "role"),)

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = fk("users.id")
    organization_id: uuid.UUID = fk("organizations.id")
    role: Role = enum_field(Role)
    created_at: datetime = created_at_field()


class OrganizationPlugin(SQLModel, table=True):
    """A plugin an organization switched on or off. Hooks are only asked of the plugins
    the organization in scope has enabled."""

    __tablename__ = "organization_plugins"
    __table_args__ = (sa.UniqueConstraint("organization_id", "plugin_name"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = fk("organizations.id")
    plugin_name: str = Field(max_length=80)
    enabled: bool = True
    config: dict[str, Any] = json_field(dict)
    created_at: datetime = created_at_field()


class AuthToken(SQLModel, table=True):
    """A sign-in token. Only its SHA-256 is stored, so a database leak yields no usable
    token; deleting the row signs the person out."""

    __tablename__ = "auth_tokens"

    id: uuid.UUID = id_field()
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: uuid.UUID = fk("users.id")
    created_at: datetime = created_at_field()
    expires_at: datetime = timestamp_field(nullable=False)
    # An integration client's access token: the client, and the GraphQL root fields it
    # may call (None for a person's sign-in, which is not limited that way).
    integration_client_id: uuid.UUID | None = fk("integration_clients.id", nullable=True)
    operations: list[str] | None = Field(default=None, sa_type=sa.JSON(none_as_null=True), nullable=True)
