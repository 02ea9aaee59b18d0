"""Data rights (Canadian privacy law: access and correction, and erasure on request).

``export_personal_data`` gathers every row the platform holds about a person, found
through the foreign keys that name them (``user_id``, ``mentee_id``, ``mentor_id``) in
every table, plugins' included, and then the rows hanging off those (a mentorship's
meetings, say). ``anonymize_person`` removes what identifies the person and keeps the
rows that the statistics count: referrals, mentorships and outcomes keep their status,
stage, occupation and dates; names, contacts and free text go.
"""

import enum
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from core import clock
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.models import (
    ACTIVE_REFERRAL_STATUSES,
    AuthToken,
    CohortDraft,
    Consent,
    DraftStatus,
    MatchProposal,
    Meeting,
    Membership,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    MentorshipExtension,
    MentorshipStatus,
    Outcome,
    ProposalStatus,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from core.search import outbox
from core.services import lifecycle

# Where a person's own rows start, and the foreign-key columns that point at them.
SUBJECT_TABLES = {"users": "user_id", "mentee_profiles": "mentee_id", "mentor_profiles": "mentor_id"}
# What replaces a name: a mark, not a word in either language.
ANONYMOUS_NAME = "—"
ANONYMIZED_DOMAIN = "anonymized.invalid"
# Never exported: credentials and secrets, even hashed.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "code_verifier", "nonce"})


def _secret(name: str) -> bool:
    return name in SECRET_COLUMNS or name.endswith("_hash") or "secret" in name


@dataclass
class Subject:
    """The records of one person the actor may act on."""

    user_ids: set[uuid.UUID] = field(default_factory=set)
    mentee_ids: set[uuid.UUID] = field(default_factory=set)
    mentor_ids: set[uuid.UUID] = field(default_factory=set)
    # The agency's working notes go only to the agency's own admin.
    with_case_notes: bool = False

    def ids(self, table: str) -> set[uuid.UUID]:
        return {
            "users": self.user_ids,
            "mentee_profiles": self.mentee_ids,
            "mentor_profiles": self.mentor_ids,
        }[table]


async def _subject(
    session: AsyncSession,
    actor: Actor,
    user_id: uuid.UUID | None,
    mentee_id: uuid.UUID | None,
    *,
    allow_self: bool,
) -> Subject:
    """The person named by exactly one of ``user_id`` (an account) and ``mentee_id`` (a
    newcomer's file), as far as the actor may reach: the person themself, or an admin
    of the organization that owns the file or that the account belongs to. Anyone else
    is told there is no such person."""
    if (user_id is None) == (mentee_id is None):
        raise DomainError("ONE_PERSON_REQUIRED")
    if allow_self and user_id == actor.user_id:
        return Subject(
            user_ids={actor.user_id},
            mentee_ids=set(
                await session.scalars(select(MenteeProfile.id).where(MenteeProfile.user_id == actor.user_id))
            ),
            mentor_ids=set(
                await session.scalars(select(MentorProfile.id).where(MentorProfile.user_id == actor.user_id))
            ),
        )
    is_admin = actor.organization_id is not None and actor.has_role(Role.ORG_ADMIN)
    if mentee_id is not None:
        mentee = await session.get(MenteeProfile, mentee_id)
        if mentee is None:
            raise NotFound()
        if allow_self and mentee.user_id == actor.user_id:
            return Subject(mentee_ids={mentee.id})
        if not actor.is_reading_staff_of(mentee.owner_organization_id):
            raise NotFound()
        if not is_admin:
            raise Forbidden()
        return Subject(mentee_ids={mentee.id}, with_case_notes=True)
    member = await session.scalar(
        select(Membership.id).where(
            Membership.user_id == user_id, Membership.organization_id == actor.organization_id
        )
    )
    if member is None or not actor.is_reading_staff:
        raise NotFound()
    if not is_admin:
        raise Forbidden()
    return Subject(
        user_ids={user_id},  # type: ignore[arg-type]
        mentee_ids=set(
            await session.scalars(
                select(MenteeProfile.id).where(
                    MenteeProfile.user_id == user_id,
                    MenteeProfile.owner_organization_id == actor.organization_id,
                )
            )
        ),
        mentor_ids=set(
            await session.scalars(
                select(MentorProfile.id).where(
                    MentorProfile.user_id == user_id, MentorProfile.organization_id == actor.organization_id
                )
            )
        ),
        with_case_notes=True,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _references(table: sa.Table, target: str) -> list[sa.Column[Any]]:
    return [
        column
        for column in table.columns
        if any(fk.column.table.name == target for fk in column.foreign_keys)
    ]


async def export_personal_data(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: uuid.UUID | None = None,
    mentee_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Everything held about the person, table by table, as JSON-ready data."""
    subject = await _subject(session, actor, user_id, mentee_id, allow_self=True)
    tables = SQLModel.metadata.tables
    found: dict[str, dict[Any, dict[str, Any]]] = {}

    async def collect(table: sa.Table, condition: sa.ColumnElement[bool]) -> None:
        rows = found.setdefault(table.name, {})
        for row in await session.execute(sa.select(table).where(condition)):
            values = row._asdict()
            key = tuple(values[column.name] for column in table.primary_key.columns)
            rows[key] = {
                name: _jsonable(value)
                for name, value in values.items()
                if not _secret(name) and (subject.with_case_notes or name != "case_notes")
            }

    # The person's own rows, then every table pointing at them.
    for name in SUBJECT_TABLES:
        ids = subject.ids(name)
        if ids:
            await collect(tables[name], tables[name].c.id.in_(ids))
    for table in SQLModel.metadata.sorted_tables:
        for name, column_name in SUBJECT_TABLES.items():
            ids = subject.ids(name)
            for column in _references(table, name):
                if column.name == column_name and ids:
                    await collect(table, column.in_(ids))
    # One level further: rows hanging off what was found (meetings of a mentorship…).
    first_level = {name for name in found if name not in SUBJECT_TABLES}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in SUBJECT_TABLES:
            continue
        for parent in first_level:
            parent_ids = [key[0] for key in found[parent] if len(key) == 1]
            for column in _references(table, parent):
                if parent_ids:
                    await collect(table, column.in_(parent_ids))
    return {
        "exported_at": clock.now().isoformat(),
        "tables": {name: list(rows.values()) for name, rows in sorted(found.items()) if rows},
    }


@dataclass(frozen=True)
class Anonymized:
    mentee_files: int
    accounts: int
    mentor_profiles: int


async def anonymize_person(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: uuid.UUID | None = None,
    mentee_id: uuid.UUID | None = None,
) -> Anonymized:
    """On the person's request, their organization's admin removes what identifies
    them. The person's account goes only when it belongs to no other organization."""
    actor.require_role(Role.ORG_ADMIN)
    subject = await _subject(session, actor, user_id, mentee_id, allow_self=False)
    now = clock.now()
    mentees = list(
        await session.scalars(select(MenteeProfile).where(col(MenteeProfile.id).in_(subject.mentee_ids)))
    )
    accounts = {mentee.user_id for mentee in mentees if mentee.user_id} | subject.user_ids
    users = [user for user in [await session.get(User, key) for key in accounts] if user is not None]
    if all(mentee.anonymized_at for mentee in mentees) and all(_anonymized(user) for user in users):
        raise DomainError("ALREADY_ANONYMIZED")
    for mentee in mentees:
        await _anonymize_mentee(session, actor, mentee, now)
    mentors = list(
        await session.scalars(select(MentorProfile).where(col(MentorProfile.id).in_(subject.mentor_ids)))
    )
    for mentor in mentors:
        await _anonymize_mentor(session, mentor, now)
    scrubbed = 0
    for user in users:
        other_organizations = await session.scalar(
            select(Membership.id).where(
                Membership.user_id == user.id, Membership.organization_id != actor.organization_id
            )
        )
        if other_organizations is None:
            await _anonymize_account(session, user)
            scrubbed += 1
    await session.flush()
    return Anonymized(mentee_files=len(mentees), accounts=scrubbed, mentor_profiles=len(mentors))


async def _end_relationships(session: AsyncSession, side: str, person_id: uuid.UUID, now: datetime) -> None:
    """Clear the free text of the person's proposals and mentorships (``side`` is
    ``mentee_id`` or ``mentor_id``). Those still running end: the person is gone; the
    others keep their status for the statistics."""
    for proposal in await session.scalars(
        select(MatchProposal).where(getattr(MatchProposal, side) == person_id)
    ):
        proposal.decline_reason = ""
        if proposal.status == ProposalStatus.PENDING:
            proposal.status, proposal.decided_at = ProposalStatus.DECLINED, now
    await lifecycle.forget_person(session, side, person_id)
    for mentorship in await session.scalars(select(Mentorship).where(getattr(Mentorship, side) == person_id)):
        mentorship.goals = mentorship.closure_reason = ""
        if mentorship.status == MentorshipStatus.ACTIVE:
            mentorship.status, mentorship.closed_at = MentorshipStatus.ENDED_EARLY, now
        for meeting in await session.scalars(select(Meeting).where(Meeting.mentorship_id == mentorship.id)):
            meeting.notes = ""
        for extension in await session.scalars(
            select(MentorshipExtension).where(MentorshipExtension.mentorship_id == mentorship.id)
        ):
            extension.reason = ""
        for outcome in await session.scalars(select(Outcome).where(Outcome.mentorship_id == mentorship.id)):
            outcome.note = ""


async def _anonymize_mentee(
    session: AsyncSession, actor: Actor, mentee: MenteeProfile, now: datetime
) -> None:
    """Kept for the statistics: status, country of training, target occupation and
    industry, service language, province. Everything else goes."""
    if mentee.anonymized_at is not None:
        return
    mentee.first_name, mentee.last_name = ANONYMOUS_NAME, ""
    mentee.email = mentee.phone = mentee.arrival_date = None
    mentee.credentials, mentee.languages, mentee.availability, mentee.cultural_backgrounds = [], [], [], []
    mentee.work_style = {}
    mentee.city = mentee.career_goal = mentee.action_plan = mentee.case_notes = ""
    mentee.anonymized_at = now
    for referral in await session.scalars(select(Referral).where(Referral.mentee_id == mentee.id)):
        referral.note = referral.decision_note = ""
        referral.return_reasons, referral.details = [], {}
        # A referral that led to a mentorship is history the reports count; one still
        # waiting is withdrawn: nobody will be matched to this file again.
        matched = await session.scalar(
            select(Mentorship.id).where(
                Mentorship.mentee_id == mentee.id, Mentorship.program_id == referral.program_id
            )
        )
        if referral.status in ACTIVE_REFERRAL_STATUSES and matched is None:
            referral.status, referral.decided_at = ReferralStatus.WITHDRAWN, now
            referral.decided_by_user_id = actor.user_id
    for draft in await session.scalars(
        select(CohortDraft).where(CohortDraft.mentee_id == mentee.id, CohortDraft.status == DraftStatus.DRAFT)
    ):
        draft.status = DraftStatus.DISCARDED
    for consent in await session.scalars(
        select(Consent).where(Consent.mentee_id == mentee.id, col(Consent.revoked_at).is_(None))
    ):
        consent.revoked_at, consent.revoked_by_user_id = now, actor.user_id
    await _end_relationships(session, "mentee_id", mentee.id, now)


async def _anonymize_mentor(session: AsyncSession, mentor: MentorProfile, now: datetime) -> None:
    """Kept: occupation, industry, affiliation, experience; out of the pool and the index."""
    mentor.job_title = mentor.bio = mentor.city = ""
    mentor.availability, mentor.cultural_backgrounds, mentor.work_style = [], [], {}
    mentor.is_active = False
    outbox.record(session, [mentor.id])
    await _end_relationships(session, "mentor_id", mentor.id, now)


def _anonymized(user: User) -> bool:
    return user.email.endswith(f"@{ANONYMIZED_DOMAIN}")


async def _anonymize_account(session: AsyncSession, user: User) -> None:
    """No name, no address, no way to sign in; the row stays for what points at it."""
    user.email = f"anonymized-{user.id.hex}@{ANONYMIZED_DOMAIN}"
    user.display_name = ANONYMOUS_NAME
    user.password_hash = None
    user.is_active = False
    await session.execute(delete(AuthToken).where(col(AuthToken.user_id) == user.id))
