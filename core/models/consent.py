"""A newcomer's consent, recorded per purpose and revocable."""

import enum
import uuid
from datetime import datetime

from sqlmodel import SQLModel

from core.models.base import created_at_field, enum_field, fk, id_field, timestamp_field


class ConsentPurpose(enum.StrEnum):
    # Share the file with one organization, for the programs it was referred to.
    REFERRAL = "referral"
    # Show the newcomer's card to the mentors one organization proposes.
    MENTOR_PROPOSAL = "mentor_proposal"
    # Include the file in exchanges with federated deployments.
    FEDERATION = "federation"


# Purposes given to one organization; the others concern the whole platform.
PER_ORGANIZATION = frozenset({ConsentPurpose.REFERRAL, ConsentPurpose.MENTOR_PROPOSAL})


class Consent(SQLModel, table=True):
    """Live while ``revoked_at`` is empty. A revoked consent is kept as history; giving
    it again adds a new row."""

    __tablename__ = "consents"

    id: uuid.UUID = id_field()
    mentee_id: uuid.UUID = fk("mentee_profiles.id")
    purpose: ConsentPurpose = enum_field(ConsentPurpose)
    organization_id: uuid.UUID | None = fk("organizations.id", nullable=True)
    granted_at: datetime = created_at_field()
    granted_by_user_id: uuid.UUID = fk("users.id", index=False)
    revoked_at: datetime | None = timestamp_field()
    revoked_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
