"""Programs: created by an organization from a program type it enabled."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from core import validation
from core.access import Actor
from core.errors import DomainError, NotFound
from core.models import Organization, Program, ProgramReferrer
from core.plugins import enabled_plugins, get_plugin_host


@dataclass
class ProgramData:
    program_type: str
    name_en: str
    name_fr: str
    description_en: str = ""
    description_fr: str = ""
    capacity: int = 50
    term_weeks: int | None = None
    meeting_minutes_per_week: int | None = None
    languages: list[str] = field(default_factory=lambda: ["en", "fr"])
    province: str | None = None
    referrer_organization_ids: list[uuid.UUID] | None = None
    settings: dict[str, Any] = field(default_factory=dict)


async def require_type_enabled(session: AsyncSession, organization_id: uuid.UUID, type_key: str) -> None:
    plugin_name, _ = get_plugin_host().program_type(type_key)
    if plugin_name not in await enabled_plugins(session, organization_id):
        raise DomainError("PROGRAM_TYPE_DISABLED", type=type_key)


async def create_program(session: AsyncSession, actor: Actor, data: ProgramData) -> Program:
    organization_id = actor.require_staff()
    _, program_type = get_plugin_host().program_type(data.program_type)
    await require_type_enabled(session, organization_id, data.program_type)
    organization = await session.get_one(Organization, organization_id)
    languages = validation.spoken_languages(data.languages)
    if not set(languages) <= {"en", "fr"}:
        raise DomainError("INVALID_SERVICE_LANGUAGE", field="languages")
    program = Program(
        organization_id=organization_id,
        program_type=data.program_type,
        name_en=validation.text(data.name_en, "nameEn", max_length=200, required=True),
        name_fr=validation.text(data.name_fr, "nameFr", max_length=200, required=True),
        description_en=validation.text(data.description_en, "descriptionEn", max_length=4000),
        description_fr=validation.text(data.description_fr, "descriptionFr", max_length=4000),
        capacity=validation.integer(data.capacity, "capacity", minimum=1, maximum=100_000),
        term_weeks=validation.integer(
            data.term_weeks or program_type.default_term_weeks, "termWeeks", minimum=1, maximum=104
        ),
        meeting_minutes_per_week=validation.integer(
            data.meeting_minutes_per_week or program_type.default_meeting_minutes_per_week,
            "meetingMinutesPerWeek",
            minimum=15,
            maximum=600,
        ),
        languages=languages,
        province=validation.province(data.province or organization.province, "province"),
        open_to_all_referrers=data.referrer_organization_ids is None,
        settings={**program_type.default_settings, **data.settings},
    )
    session.add(program)
    await session.flush()
    for referrer_id in dict.fromkeys(data.referrer_organization_ids or []):
        if await session.get(Organization, referrer_id) is None:
            raise DomainError("NOT_FOUND", field="referrerOrganizationIds")
        session.add(ProgramReferrer(program_id=program.id, organization_id=referrer_id))
    await session.flush()
    return program


async def list_programs(session: AsyncSession, organization_id: uuid.UUID | None = None) -> list[Program]:
    """Programs are public, so that agencies know where they can refer."""
    query = select(Program).order_by(Program.name_en)
    if organization_id is not None:
        query = query.where(Program.organization_id == organization_id)
    return list(await session.scalars(query))


async def get_program(session: AsyncSession, program_id: uuid.UUID) -> Program:
    program = await session.get(Program, program_id)
    if program is None:
        raise NotFound()
    return program


async def may_refer(session: AsyncSession, program: Program, organization_id: uuid.UUID) -> bool:
    if program.open_to_all_referrers or program.organization_id == organization_id:
        return True
    return await session.get(ProgramReferrer, (program.id, organization_id)) is not None
