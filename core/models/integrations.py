"""Integration clients: another system acting for one organization through OAuth2
client credentials, limited to the operations it was granted."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from core.models.base import created_at_field, enum_field, fk, id_field, json_field, timestamp_field
from core.models.organizations import Role


class IntegrationClient(SQLModel, table=True):
    """The client acts as its service user (``user_id``): a person-less account holding
    one membership with ``role``, so every record it writes has an author and every rule
    of that role applies. Its id is the OAuth ``client_id``; only the secret's SHA-256 is
    stored (the secret is 32 random bytes, so a slow hash would add nothing)."""

    __tablename__ = "integration_clients"

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = fk("organizations.id")
    user_id: uuid.UUID = fk("users.id")
    name: str = Field(max_length=200)
    role: Role = enum_field(Role)
    # GraphQL root field names the client may call.
    operations: list[str] = json_field(list)
    secret_hash: str = Field(max_length=64)
    created_by: uuid.UUID = fk("users.id")
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = timestamp_field()
