"""Single-use links mailed to a person: verifying their email address, resetting (or,
for a person added without one, setting) their password."""

import enum
import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from core.models.base import created_at_field, enum_field, fk, id_field, timestamp_field


class AccountTokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


class AccountToken(SQLModel, table=True):
    """Only the token's SHA-256 is stored, like a sign-in token's: the mailed link is the
    one copy. A token serves one purpose, once, until ``expires_at``."""

    __tablename__ = "account_tokens"

    id: uuid.UUID = id_field()
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: uuid.UUID = fk("users.id")
    purpose: AccountTokenPurpose = enum_field(AccountTokenPurpose)
    created_at: datetime = created_at_field()
    expires_at: datetime = timestamp_field(nullable=False)
    used_at: datetime | None = timestamp_field()
