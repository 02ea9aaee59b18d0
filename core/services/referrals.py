"""Referral of a client to a program: submitted → admitted | returned | withdrawn."""

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.models import (
    ACTIVE_REFERRAL_STATUSES,
    ConsentPurpose,
    Membership,
    MenteeProfile,
    Program,
    Referral,
    ReferralStatus,
)
from core.paging import fetch_page
from core.plugins import enabled_plugins, get_plugin_host, notify
from core.rules import Facts
from core.services import consents
from core.services.mentorships import active_mentorship_id
from core.services.programs import current_rules, may_refer, require_type_enabled


class ReferralDirection(StrEnum):
    INCOMING = "incoming"  # to the actor's organization's programs
    OUTGOING = "outgoing"  # of the actor's organization's clients


MAX_DETAILS = 10


@dataclass(frozen=True)
class Check:
    """A newcomer checked against a program: every criterion's result, whether they are
    eligible, and the version of the program's rules used."""

    passed: bool
    records: list[dict[str, Any]]
    rules_version: int

    @property
    def blocking(self) -> list[dict[str, Any]]:
        return [record for record in self.records if record["blocking"]]


async def evaluate(
    session: AsyncSession, program: Program, mentee: MenteeProfile, details: dict[str, Any]
) -> Check:
    """The program's current declarative rules, then the criteria enabled plugins compute."""
    rule_set = await current_rules(session, program.id)
    member_of = {mentee.owner_organization_id}
    if mentee.user_id is not None:
        member_of.update(
            await session.scalars(
                select(Membership.organization_id).where(Membership.user_id == mentee.user_id)
            )
        )
    host = get_plugin_host()
    facts = Facts(mentee=mentee, program=program, details=details, member_of=frozenset(member_of))
    evaluation = host.rule_book().evaluate(rule_set.rules, facts)
    enabled = await enabled_plugins(session, program.organization_id)
    answers = await host.call("check_eligibility", enabled, program=program, mentee=mentee)
    computed = [result for results in answers for result in results]
    return Check(
        passed=evaluation.passed and all(result.passed for result in computed),
        records=evaluation.records + [result.as_record() for result in computed],
        rules_version=rule_set.version,
    )


def _details(details: object) -> dict[str, str]:
    """What the program type asks of a referral, as short texts (e.g. host_program);
    it comes from clients as free JSON, hence the checks."""
    details = details or {}
    if not isinstance(details, dict) or len(details) > MAX_DETAILS:
        raise DomainError("INVALID_INPUT", field="details")
    cleaned: dict[str, str] = {}
    for key, value in details.items():
        if not (isinstance(key, str) and key.isidentifier() and len(key) <= 40 and isinstance(value, str)):
            raise DomainError("INVALID_INPUT", field=f"details.{key}")
        cleaned[key] = validation.text(value, f"details.{key}", max_length=300)
    return cleaned


def _require_referrer(actor: Actor, mentee: MenteeProfile | None) -> MenteeProfile:
    """The owning agency's staff refer (or withdraw) a client, the newcomer themself;
    the agency's read-only staff see the file but may not; anyone else: not found."""
    if mentee is None or not (
        actor.is_reading_staff_of(mentee.owner_organization_id) or mentee.user_id == actor.user_id
    ):
        raise NotFound()
    if not (actor.is_staff_of(mentee.owner_organization_id) or mentee.user_id == actor.user_id):
        raise Forbidden()
    return mentee


async def submit_referral(
    session: AsyncSession,
    actor: Actor,
    mentee_id: uuid.UUID,
    program_id: uuid.UUID,
    *,
    consent: bool,
    note: str = "",
    details: object = None,
) -> Referral:
    """The owning agency refers its client (or a newcomer refers themself) to a
    program, with the client's consent to share their file with the program's org."""
    mentee = _require_referrer(actor, await session.get(MenteeProfile, mentee_id))
    if mentee.anonymized_at is not None:
        raise DomainError("PERSON_ANONYMIZED")
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
    cleaned = _details(details)
    check = await evaluate(session, program, mentee, cleaned)
    # The referral form's consent covers both: the program's organization reads the
    # file, and the mentors it proposes see the newcomer's card.
    for purpose in (ConsentPurpose.REFERRAL, ConsentPurpose.MENTOR_PROPOSAL):
        await consents.record(session, actor, mentee, purpose, program.organization_id)
    referral = Referral(
        mentee_id=mentee.id,
        program_id=program.id,
        referring_organization_id=mentee.owner_organization_id,
        referred_by_user_id=actor.user_id,
        consent_given_at=clock.now(),
        note=validation.text(note, "note", max_length=4000),
        details=cleaned,
        eligibility=check.records,
        rules_version=check.rules_version,
    )
    session.add(referral)
    await session.flush()
    await notify(session, "referral_submitted", program, actor=actor, referral=referral)
    return referral


async def _referral_for_program_staff(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, *, change: bool = True
) -> tuple[Referral, Program]:
    """A referral to a program of the actor's organization. Its read-only staff read it
    (``change=False``) but decide nothing; anyone else: not found."""
    referral = await session.get(Referral, referral_id)
    program = await session.get(Program, referral.program_id) if referral else None
    if referral is None or program is None or not actor.is_reading_staff_of(program.organization_id):
        raise NotFound()
    if change and not actor.is_staff_of(program.organization_id):
        raise Forbidden()
    return referral, program


async def _check_now(session: AsyncSession, referral: Referral, program: Program) -> Check:
    mentee = await session.get_one(MenteeProfile, referral.mentee_id)
    return await evaluate(session, program, mentee, referral.details)


async def check_eligibility(session: AsyncSession, actor: Actor, referral_id: uuid.UUID) -> Check:
    """Every criterion, checked now against the client's current file and the program's
    current rules (nothing is recorded: the decision records its own check)."""
    referral, program = await _referral_for_program_staff(session, actor, referral_id, change=False)
    return await _check_now(session, referral, program)


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
    check = await _check_now(session, referral, program)
    note = validation.text(note, "note", max_length=4000)
    if not check.passed and not override_ineligibility:
        raise DomainError("NOT_ELIGIBLE", rules=", ".join(record["rule"] for record in check.blocking))
    if not check.passed and not note:
        raise DomainError("REQUIRED", field="note")
    return await _decide(session, actor, referral, program, ReferralStatus.ADMITTED, check, note=note)


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
    check = await _check_now(session, referral, program)
    reasons = [validation.text(reason, "reasons", max_length=1000) for reason in reasons]
    reasons = [reason for reason in reasons if reason]
    if not reasons and check.passed:
        raise DomainError("REQUIRED", field="reasons")
    referral.return_reasons = reasons
    return await _decide(session, actor, referral, program, ReferralStatus.RETURNED, check, note=note)


async def withdraw_referral(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, *, note: str = ""
) -> Referral:
    """The referring agency (or the client) takes the referral back; the program's
    organization loses access to the file at once."""
    referral = await session.get(Referral, referral_id)
    if referral is None:
        raise NotFound()
    _require_referrer(actor, await session.get(MenteeProfile, referral.mentee_id))
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
    check: Check | None,
    *,
    note: str = "",
) -> Referral:
    referral.status = status
    if check is not None:
        referral.eligibility = check.records
        referral.rules_version = check.rules_version
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
    rows, total = await fetch_page(
        session, query.order_by(col(Referral.created_at).desc(), col(Referral.id)), limit=limit, offset=offset
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
