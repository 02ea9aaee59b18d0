"""Organizations and the plugins each one enables."""

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from core import validation
from core.access import Actor
from core.errors import DomainError
from core.models import Organization, OrganizationKind, OrganizationPlugin, Role
from core.plugins import enabled_plugins, get_plugin_host


async def create_organization(
    session: AsyncSession,
    slug: str,
    name_en: str,
    name_fr: str,
    kind: OrganizationKind,
    province: str = "ON",
    city: str = "",
) -> Organization:
    """Platform operators create organizations (``tremplin org create``)."""
    slug = validation.text(slug, "slug", max_length=60, required=True).lower()
    if not slug.replace("-", "").isalnum():
        raise DomainError("INVALID_SLUG", field="slug")
    if await session.scalar(select(Organization.id).where(Organization.slug == slug)):
        raise DomainError("SLUG_TAKEN", field="slug")
    organization = Organization(
        slug=slug,
        name_en=validation.text(name_en, "nameEn", max_length=200, required=True),
        name_fr=validation.text(name_fr, "nameFr", max_length=200, required=True),
        kind=kind,
        province=validation.province(province, "province"),
        city=validation.text(city, "city", max_length=100),
    )
    session.add(organization)
    await session.flush()
    return organization


async def list_organizations(session: AsyncSession) -> list[Organization]:
    """The platform's directory: every organization is public, their people are not."""
    return list(await session.scalars(select(Organization).order_by(Organization.slug)))


@dataclass(frozen=True)
class PluginState:
    name: str
    enabled: bool
    program_types: list[str]


async def plugin_states(session: AsyncSession, organization_id: uuid.UUID) -> list[PluginState]:
    host = get_plugin_host()
    enabled = await enabled_plugins(session, organization_id)
    types_by_plugin: dict[str, list[str]] = {}
    for key, (plugin_name, _) in host.program_types().items():
        types_by_plugin.setdefault(plugin_name, []).append(key)
    return [
        PluginState(name, name in enabled, sorted(types_by_plugin.get(name, [])))
        for name in host.plugin_names
    ]


async def set_plugin_enabled(
    session: AsyncSession, actor: Actor, plugin_name: str, enabled: bool
) -> list[PluginState]:
    """An organization admin switches a plugin on or off for their organization."""
    organization_id = actor.require_role(Role.ORG_ADMIN)
    if plugin_name not in get_plugin_host().plugin_names:
        raise DomainError("UNKNOWN_PLUGIN", field="name", name=plugin_name)
    row = await session.scalar(
        select(OrganizationPlugin).where(
            OrganizationPlugin.organization_id == organization_id,
            OrganizationPlugin.plugin_name == plugin_name,
        )
    )
    if row is None:
        session.add(
            OrganizationPlugin(organization_id=organization_id, plugin_name=plugin_name, enabled=enabled)
        )
    else:
        row.enabled = enabled
    await session.flush()
    return await plugin_states(session, organization_id)
