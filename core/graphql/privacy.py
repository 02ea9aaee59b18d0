"""Consent, the audit trail and data rights in the API."""

import uuid
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from core import models
from core.graphql.context import GraphQLInfo
from core.graphql.types import AuditEvent, Organization, Page, load_organization
from core.services import audit, consents, privacy


@strawberry.type
class Consent:
    row: strawberry.Private[models.Consent]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def purpose(self) -> models.ConsentPurpose:
        return self.row.purpose

    @strawberry.field(description="The organization a per-organization purpose is given to")
    async def organization(self, info: GraphQLInfo) -> Organization | None:
        if self.row.organization_id is None:
            return None
        return await load_organization(info, self.row.organization_id)

    @strawberry.field
    def granted_at(self) -> datetime:
        return self.row.granted_at

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return self.row.revoked_at

    @strawberry.field(description="Given and not revoked")
    def live(self) -> bool:
        return self.row.revoked_at is None


@strawberry.input
class GrantConsentInput:
    mentee_id: uuid.UUID
    purpose: models.ConsentPurpose
    organization_id: uuid.UUID | None = strawberry.field(
        default=None, description="Required for referral and mentor_proposal, refused for federation"
    )


@strawberry.input
class AuditFilter:
    mentee_id: uuid.UUID | None = None
    actor_organization_id: uuid.UUID | None = None
    action: models.AuditAction | None = None
    since: datetime | None = None
    until: datetime | None = strawberry.field(default=None, description="Exclusive")


@strawberry.type
class AuditTrailCheck:
    valid: bool
    checked_count: int
    broken_at: int | None = strawberry.field(
        description="Sequence number of the first entry that does not hold, when not valid"
    )


@strawberry.type
class Anonymization:
    mentee_files: int
    accounts: int
    mentor_profiles: int


@strawberry.type
class PrivacyQuery:
    @strawberry.field(description="For the newcomer or the agency owning the file: every consent")
    async def consents(self, info: GraphQLInfo, mentee_id: uuid.UUID) -> list[Consent]:
        rows = await info.context.call(consents.list_consents, mentee_id)
        return [Consent(row=row) for row in rows]

    @strawberry.field(description="Organization admins: reads and changes of their clients' data by others")
    async def audit_events(
        self, info: GraphQLInfo, filters: AuditFilter | None = None, limit: int = 50, offset: int = 0
    ) -> Page[AuditEvent]:
        chosen = audit.AuditFilter(**vars(filters)) if filters else None
        rows, total = await info.context.call(
            audit.list_audit_events, filters=chosen, limit=limit, offset=offset
        )
        return Page(items=[AuditEvent(row=row) for row in rows], total_count=total)

    @strawberry.field(description="Organization admins: recompute the audit trail's hash chain")
    async def verify_audit_trail(self, info: GraphQLInfo) -> AuditTrailCheck:
        check = await info.context.call(audit.verify_audit_trail)
        return AuditTrailCheck(valid=check.valid, checked_count=check.checked, broken_at=check.broken_at)

    @strawberry.field(
        description="Everything held about a person, as JSON: asked by the person, or by an admin "
        "of the organization that owns the file or that the account belongs to"
    )
    async def personal_data(
        self, info: GraphQLInfo, user_id: uuid.UUID | None = None, mentee_id: uuid.UUID | None = None
    ) -> JSON:
        return JSON(
            await info.context.call(privacy.export_personal_data, user_id=user_id, mentee_id=mentee_id)
        )


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(description="Record the newcomer's consent for a purpose")
    async def grant_consent(self, info: GraphQLInfo, input: GrantConsentInput) -> Consent:
        row = await info.context.call(
            consents.grant_consent, input.mentee_id, input.purpose, input.organization_id
        )
        return Consent(row=row)

    @strawberry.mutation(description="Revoke a consent; what it allowed stops at once")
    async def revoke_consent(self, info: GraphQLInfo, consent_id: uuid.UUID) -> Consent:
        return Consent(row=await info.context.call(consents.revoke_consent, consent_id))

    @strawberry.mutation(
        description="Organization admins, on the person's request: remove what identifies them, "
        "keeping what the statistics count"
    )
    async def anonymize_person(
        self, info: GraphQLInfo, user_id: uuid.UUID | None = None, mentee_id: uuid.UUID | None = None
    ) -> Anonymization:
        done = await info.context.call(privacy.anonymize_person, user_id=user_id, mentee_id=mentee_id)
        return Anonymization(
            mentee_files=done.mentee_files, accounts=done.accounts, mentor_profiles=done.mentor_profiles
        )
