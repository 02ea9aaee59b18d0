"""Who is acting, for which organization, and the role checks every service starts with.

Ownership (which records an actor may see) is decided in the services and in
``federation.sharing``; this module only answers "may this person do this kind of
thing in the organization they act for".
"""

import uuid
from dataclasses import dataclass, field

from core.errors import DomainError, Forbidden
from core.models import Language, Role

STAFF_ROLES = frozenset({Role.ORG_ADMIN, Role.COORDINATOR})
# Read-only staff see what staff see but change nothing.
READING_STAFF_ROLES = STAFF_ROLES | {Role.VIEWER}


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID
    display_name: str
    language: Language
    organization_id: uuid.UUID | None
    roles: frozenset[Role] = field(default_factory=frozenset)
    # Every organization the person belongs to, with their roles there.
    memberships: dict[uuid.UUID, frozenset[Role]] = field(default_factory=dict)
    # An integration client may only call these GraphQL root fields; None for a person.
    operations: frozenset[str] | None = None

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return self.has_role(*STAFF_ROLES)

    @property
    def is_reading_staff(self) -> bool:
        return self.has_role(*READING_STAFF_ROLES)

    def require_organization(self) -> uuid.UUID:
        if self.organization_id is None:
            raise DomainError("ORGANIZATION_REQUIRED")
        return self.organization_id

    def require_role(self, *roles: Role) -> uuid.UUID:
        """The organization in scope, once the actor holds one of ``roles`` there."""
        organization_id = self.require_organization()
        if not self.has_role(*roles):
            raise Forbidden()
        return organization_id

    def require_staff(self) -> uuid.UUID:
        return self.require_role(*STAFF_ROLES)

    def is_staff_of(self, organization_id: uuid.UUID) -> bool:
        return self.organization_id == organization_id and self.is_staff

    def is_reading_staff_of(self, organization_id: uuid.UUID) -> bool:
        return self.organization_id == organization_id and self.is_reading_staff
