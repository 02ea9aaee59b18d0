"""Single sign-on: each organization's OpenID provider, the identities it vouched for,
and sign-ons under way."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import created_at_field, enum_field, fk, id_field, timestamp_field, updated_at_field
from core.models.organizations import Role


class SignOnProvider(SQLModel, table=True):
    """An organization's OpenID Connect provider. The client secret is kept sealed (JWE
    with a key derived from the platform's secret key): a copy of the database alone does
    not let anyone act as the platform towards the provider."""

    __tablename__ = "sign_on_providers"

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", unique=True, index=True)
    issuer: str = Field(max_length=500)
    client_id: str = Field(max_length=255)
    sealed_client_secret: str = Field(sa_type=sa.Text)
    # Granted to a person signing in who is not yet a member of the organization.
    new_member_role: Role = enum_field(Role)
    enabled: bool = True
    created_at: datetime = created_at_field()
    updated_at: datetime | None = updated_at_field()


class ExternalIdentity(SQLModel, table=True):
    """A person as a provider knows them: ``subject`` is unique within ``issuer``."""

    __tablename__ = "external_identities"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = fk("users.id")
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    created_at: datetime = created_at_field()


class SignOnAttempt(SQLModel, table=True):
    """A sign-on sent to the provider and not back yet. Used once: the callback deletes
    it before anything else, so a replayed ``state`` finds nothing. Only the state's
    SHA-256 is stored; the nonce and PKCE verifier must be kept as they are."""

    __tablename__ = "sign_on_attempts"

    id: uuid.UUID = id_field()
    state_hash: str = Field(max_length=64, unique=True, index=True)
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    organization_id: uuid.UUID = fk("organizations.id")
    return_path: str = Field(max_length=500)
    created_at: datetime = created_at_field()
    expires_at: datetime = timestamp_field(nullable=False)
