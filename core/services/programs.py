"""Programs: created by an organization from a program type it enabled."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.models import Organization, Program, ProgramReferrer, ProgramRuleSet
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
    """A program of a type the organization enabled, starting from the type's defaults
    and its default eligibility rules (version 1)."""
    organization_id = actor.require_staff()
    host = get_plugin_host()
    _, program_type = host.program_type(data.program_type)
    await require_type_enabled(session, organization_id, data.program_type)
    organization = await session.get_one(Organization, organization_id)
    if (
        program_type.organization_kinds is not None
        and organization.kind not in program_type.organization_kinds
    ):
        raise DomainError("PROGRAM_TYPE_NOT_FOR_ORGANIZATION", type=data.program_type)
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
    session.add(
        ProgramRuleSet(
            program_id=program.id,
            version=1,
            rules=host.rule_book().validate(program_type.default_rules),
            created_by_user_id=actor.user_id,
        )
    )
    await session.flush()
    return program


async def current_rules(session: AsyncSession, program_id: uuid.UUID) -> ProgramRuleSet:
    rule_set = await session.scalar(
        select(ProgramRuleSet)
        .where(ProgramRuleSet.program_id == program_id)
        .order_by(col(ProgramRuleSet.version).desc())
        .limit(1)
    )
    if rule_set is None:
        raise NotFound()
    return rule_set


async def rule_history(session: AsyncSession, program_id: uuid.UUID) -> list[ProgramRuleSet]:
    rows = await session.scalars(
        select(ProgramRuleSet)
        .where(ProgramRuleSet.program_id == program_id)
        .order_by(col(ProgramRuleSet.version).desc())
    )
    return list(rows)


async def update_rules(
    session: AsyncSession, actor: Actor, program_id: uuid.UUID, rules: object
) -> ProgramRuleSet:
    """Program staff edit the eligibility rules: the next version. Referrals already
    checked keep the version they were checked against."""
    program = await get_program(session, program_id)
    # The rules are public, but editing them is the program's staff's work: read-only
    # staff are refused, other organizations do not reach it.
    if not actor.is_reading_staff_of(program.organization_id):
        raise NotFound()
    if not actor.is_staff_of(program.organization_id):
        raise Forbidden()
    validated = get_plugin_host().rule_book().validate(rules)
    latest = await current_rules(session, program_id)
    rule_set = ProgramRuleSet(
        program_id=program_id, version=latest.version + 1, rules=validated, created_by_user_id=actor.user_id
    )
    session.add(rule_set)
    await session.flush()
    return rule_set


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
