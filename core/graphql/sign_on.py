"""GraphQL for single sign-on: thin resolvers over ``core.services.sign_on``. The
browser side of the flow is plain HTTP (``core.http.sign_on``)."""

from datetime import datetime

import strawberry

from core import models
from core.graphql.context import GraphQLInfo
from core.graphql.types import Organization
from core.http.sign_on import callback_url
from core.models import Role
from core.services import sign_on
from core.settings import Settings


def _settings(info: GraphQLInfo) -> Settings:
    """The serving application's settings (tests run several applications at once)."""
    request = info.context.request
    assert request is not None
    settings: Settings = request.app.state.settings
    return settings


@strawberry.type(description="An organization's OpenID Connect provider; the client secret is never shown")
class SignOnProvider:
    row: strawberry.Private[models.SignOnProvider]
    callback: strawberry.Private[str]

    @strawberry.field
    def issuer(self) -> str:
        return self.row.issuer

    @strawberry.field
    def client_id(self) -> str:
        return self.row.client_id

    @strawberry.field(description="Role given to a person who signs in and is not yet a member")
    def new_member_role(self) -> Role:
        return self.row.new_member_role

    @strawberry.field
    def enabled(self) -> bool:
        return self.row.enabled

    @strawberry.field(description="The redirect URI to register with the provider")
    def redirect_uri(self) -> str:
        return self.callback

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.row.updated_at or self.row.created_at


@strawberry.type
class SignOnOrganization:
    organization: Organization
    sign_in_path: str = strawberry.field(description="Where the browser goes to sign in through the provider")


@strawberry.input
class SignOnProviderInput:
    issuer: str = strawberry.field(description="https (http only on this machine's loopback)")
    client_id: str
    client_secret: str | None = strawberry.field(
        default=None, description="Omit to keep the stored one (required for a new issuer or client id)"
    )
    new_member_role: Role = strawberry.field(description="Any role but org admin")
    enabled: bool = True


@strawberry.type
class SignOnQuery:
    @strawberry.field(description="Organization admins: their organization's single sign-on, if any")
    async def sign_on_provider(self, info: GraphQLInfo) -> SignOnProvider | None:
        row = await info.context.call(sign_on.get_provider)
        return SignOnProvider(row=row, callback=callback_url(_settings(info))) if row else None

    @strawberry.field(description="Organizations whose members can sign in through their provider (public)")
    async def sign_on_organizations(self, info: GraphQLInfo) -> list[SignOnOrganization]:
        rows = await info.context.run(sign_on.sign_on_organizations)
        return [
            SignOnOrganization(
                organization=Organization.from_model(row), sign_in_path=f"/auth/sso/{row.slug}"
            )
            for row in rows
        ]


@strawberry.type
class SignOnMutation:
    @strawberry.mutation(description="Organization admins: set up or change their single sign-on")
    async def configure_sign_on(self, info: GraphQLInfo, input: SignOnProviderInput) -> SignOnProvider:
        settings = _settings(info)
        row = await info.context.call(
            sign_on.configure_provider,
            settings.derived_key(sign_on.SEALING_PURPOSE),
            issuer=input.issuer,
            client_id=input.client_id,
            client_secret=input.client_secret,
            new_member_role=input.new_member_role,
            enabled=input.enabled,
        )
        return SignOnProvider(row=row, callback=callback_url(settings))

    @strawberry.mutation(description="Organization admins: stop single sign-on (linked identities are kept)")
    async def remove_sign_on(self, info: GraphQLInfo) -> bool:
        await info.context.call(sign_on.remove_provider)
        return True
