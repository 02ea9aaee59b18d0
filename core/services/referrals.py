"""Referral of a client to a program: submitted → admitted | returned | withdrawn."""

import uuid
from enum import StrEnum

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, NotFound
from core.hookspecs import RuleResult
from core.models import (
    ACTIVE_REFERRAL_STATUSES,
    MenteeProfile,
    Program,
    Referral,
    ReferralStatus,
)
from core.plugins import enabled_plugins, get_plugin_host, notify
from core.services.mentorships import active_mentorship_id
from core.services.programs import may_refer, require_type_enabled


class ReferralDirection(StrEnum):
    INCOMING = "incoming"  # to the actor's organization's programs
    OUTGOING = "outgoing"  # of the actor's organization's clients


async def evaluate(session: AsyncSession, program: Program, mentee: MenteeProfile) -> list[RuleResult]:
    """Every criterion of every plugin the program's organization enabled."""
    enabled = await enabled_plugins(session, program.organization_id)
    answers = await get_plugin_host().call("check_eligibility", enabled, program=program, mentee=mentee)
    return [result for results in answers for result in results]


async def submit_referral(
    session: AsyncSession,
    actor: Actor,
    mentee_id: uuid.UUID,
    program_id: uuid.UUID,
    *,
    consent: bool,
    note: str = "",
) -> Referral:
    """The owning agency refers its client (or a newcomer refers themself) to a
    program, with the client's consent to share their file with the program's org."""
    mentee = await session.get(MenteeProfile, mentee_id)
    if mentee is None or not (
        actor.is_staff_of(mentee.owner_organization_id) or mentee.user_id == actor.user_id
    ):
        raise NotFound()
    if not consent:
        raise DomainError("CONSENT_REQUIRED", field="consent")
    program = await session.get(Program, program_id)
    if program is None:
        raise NotFound(field="programId")
    if not program.accepting_referrals:
        raise DomainError("PROGRAM_NOT_ACCEPTING")
    await require_type_enabled(session, program.organization_id, program.program_type)
    if not await may_refer(session, program, mentee.owner_organization_id):
        raise DomainError("REFERRER_NOT_ALLOWED")
    duplicate = await session.scalar(
        select(Referral.id).where(
            Referral.mentee_id == mentee.id,
            Referral.program_id == program.id,
            col(Referral.status).in_(ACTIVE_REFERRAL_STATUSES),
        )
    )
    if duplicate is not None:
        raise DomainError("DUPLICATE_REFERRAL")
    referral = Referral(
        mentee_id=mentee.id,
        program_id=program.id,
        referring_organization_id=mentee.owner_organization_id,
        referred_by_user_id=actor.user_id,
        consent_given_at=clock.now(),
        note=validation.text(note, "note", max_length=4000),
        eligibility=[result.as_record() for result in await evaluate(session, program, mentee)],
    )
    session.add(referral)
    await session.flush()
    await notify(session, "referral_submitted", program, actor=actor, referral=referral)
    return referral


async def _referral_for_program_staff(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID
) -> tuple[Referral, Program]:
    referral = await session.get(Referral, referral_id)
    program = await session.get(Program, referral.program_id) if referral else None
    if referral is None or program is None or not actor.is_staff_of(program.organization_id):
        raise NotFound()
    return referral, program


async def check_eligibility(session: AsyncSession, actor: Actor, referral_id: uuid.UUID) -> list[RuleResult]:
    """Every criterion, checked now against the client's current file."""
    referral, program = await _referral_for_program_staff(session, actor, referral_id)
    return await evaluate(session, program, await session.get_one(MenteeProfile, referral.mentee_id))


async def admit_referral(
    session: AsyncSession,
    actor: Actor,
    referral_id: uuid.UUID,
    *,
    note: str = "",
    override_ineligibility: bool = False,
) -> Referral:
    """Program staff admit a client after checking every criterion. Admitting despite
    a failed criterion is a recorded staff decision that needs a note."""
    referral, program = await _referral_for_program_staff(session, actor, referral_id)
    if referral.status != ReferralStatus.SUBMITTED:
        raise DomainError("REFERRAL_NOT_PENDING")
    results = await evaluate(session, program, await session.get_one(MenteeProfile, referral.mentee_id))
    failed = [result for result in results if not result.passed]
    note = validation.text(note, "note", max_length=4000)
    if failed and not override_ineligibility:
        raise DomainError("NOT_ELIGIBLE", rules=", ".join(result.rule for result in failed))
    if failed and not note:
        raise DomainError("REQUIRED", field="note")
    return await _decide(session, actor, referral, program, ReferralStatus.ADMITTED, results, note=note)


async def return_referral(
    session: AsyncSession,
    actor: Actor,
    referral_id: uuid.UUID,
    *,
    reasons: list[str],
    note: str = "",
) -> Referral:
    """Program staff return a client to the referring agency. The failed criteria are
    kept as reasons, with whatever staff add, so the agency knows what to prepare."""
    referral, program = await _referral_for_program_staff(session, actor, referral_id)
    if referral.status != ReferralStatus.SUBMITTED:
        raise DomainError("REFERRAL_NOT_PENDING")
    results = await evaluate(session, program, await session.get_one(MenteeProfile, referral.mentee_id))
    reasons = [validation.text(reason, "reasons", max_length=1000) for reason in reasons]
    reasons = [reason for reason in reasons if reason]
    if not reasons and all(result.passed for result in results):
        raise DomainError("REQUIRED", field="reasons")
    referral.return_reasons = reasons
    return await _decide(session, actor, referral, program, ReferralStatus.RETURNED, results, note=note)


async def withdraw_referral(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, *, note: str = ""
) -> Referral:
    """The referring agency (or the client) takes the referral back; the program's
    organization loses access to the file at once."""
    referral = await session.get(Referral, referral_id)
    mentee = await session.get(MenteeProfile, referral.mentee_id) if referral else None
    if (
        referral is None
        or mentee is None
        or not (actor.is_staff_of(mentee.owner_organization_id) or mentee.user_id == actor.user_id)
    ):
        raise NotFound()
    if referral.status not in ACTIVE_REFERRAL_STATUSES:
        raise DomainError("REFERRAL_NOT_PENDING")
    if await active_mentorship_id(session, referral.mentee_id, referral.program_id) is not None:
        raise DomainError("MENTORSHIP_ACTIVE")
    program = await session.get_one(Program, referral.program_id)
    return await _decide(session, actor, referral, program, ReferralStatus.WITHDRAWN, None, note=note)


async def _decide(
    session: AsyncSession,
    actor: Actor,
    referral: Referral,
    program: Program,
    status: ReferralStatus,
    results: list[RuleResult] | None,
    *,
    note: str = "",
) -> Referral:
    referral.status = status
    if results is not None:
        referral.eligibility = [result.as_record() for result in results]
    referral.decision_note = validation.text(note, "note", max_length=4000)
    referral.decided_by_user_id = actor.user_id
    referral.decided_at = clock.now()
    await session.flush()
    await notify(session, "referral_decided", program, actor=actor, referral=referral)
    return referral


async def list_referrals(
    session: AsyncSession,
    actor: Actor,
    *,
    direction: ReferralDirection | None = None,
    status: ReferralStatus | None = None,
    program_id: uuid.UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Referral], int]:
    """Staff see referrals to their programs (incoming) and of their clients
    (outgoing); a newcomer sees their own."""
    limit = validation.integer(limit, "limit", minimum=1, maximum=200)
    own = select(MenteeProfile.id).where(MenteeProfile.user_id == actor.user_id)
    visible: list[ColumnElement[bool]] = [col(Referral.mentee_id).in_(own)]
    if actor.is_reading_staff and actor.organization_id is not None:
        ours = select(Program.id).where(Program.organization_id == actor.organization_id)
        if direction in (None, ReferralDirection.INCOMING):
            visible.append(col(Referral.program_id).in_(ours))
        if direction in (None, ReferralDirection.OUTGOING):
            visible.append(col(Referral.referring_organization_id) == actor.organization_id)
    query = select(Referral).where(or_(*visible))
    if status is not None:
        query = query.where(Referral.status == status)
    if program_id is not None:
        query = query.where(Referral.program_id == program_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(col(Referral.created_at).desc(), col(Referral.id)).limit(limit).offset(max(offset, 0))
    )
    return list(rows), total


async def get_referral(session: AsyncSession, actor: Actor, referral_id: uuid.UUID) -> Referral:
    referral = await session.get(Referral, referral_id)
    if referral is None:
        raise NotFound()
    program = await session.get_one(Program, referral.program_id)
    mentee = await session.get_one(MenteeProfile, referral.mentee_id)
    if not (
        actor.is_reading_staff_of(program.organization_id)
        or actor.is_reading_staff_of(referral.referring_organization_id)
        or mentee.user_id == actor.user_id
    ):
        raise NotFound()
    return referral
