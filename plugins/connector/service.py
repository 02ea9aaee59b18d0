"""The connector program's use cases (Halifax model).

Program staff schedule a short meeting between a newcomer admitted to a connector
program and a connector from the shared mentor pool. After the meeting the connector
introduces the newcomer to at least ``minimum_introductions`` people of their network
(the newcomer having consented to their name and goal being passed on); the newcomer
records what came of each introduction. Nothing continues unless both say so, and then
staff may turn the connection into a full mentorship in a one-to-one program.

Who sees what: the connector their meetings, the newcomer theirs, staff of the
program's organization every meeting of its programs; anyone else gets NOT_FOUND.
Newcomers' files themselves are only read through ``federation.sharing``.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, validation
from core.access import Actor
from core.errors import DomainError, Forbidden, NotFound
from core.jobs import invitations
from core.models import MatchProposal, MenteeProfile, MentorProfile, Program, Referral, ReferralStatus
from core.paging import fetch_page
from core.services.matching import admitted_referral, failed_mentor_rules
from core.services.programs import require_type_enabled
from core.services.proposals import propose_match
from federation.sharing import mentor_visible_to
from plugins.connector.models import (
    ConnectorMeeting,
    ConnectorMeetingStatus,
    FollowUpOutcome,
    Introduction,
    IntroductionFollowUp,
)

TYPE_KEY = "connector"
DEFAULT_SETTINGS = {"meeting_minutes": 30, "minimum_introductions": 3}


class IntroductionConsentRequired(DomainError):
    """The code clients already handle for a missing consent, with a message saying
    what this consent covers: the newcomer's name and goal going to the contacts."""

    code = "CONSENT_REQUIRED"
    message_key = "error.connector.CONSENT_REQUIRED"


def setting(program: Program, name: str) -> int:
    return int(program.settings.get(name, DEFAULT_SETTINGS[name]))


def visible_meetings(actor: Actor) -> ColumnElement[bool]:
    """SQL: the connector's own meetings, the newcomer's own, and for staff (read-only
    staff included) every meeting of their organization's programs."""
    visible: list[ColumnElement[bool]] = [
        col(ConnectorMeeting.connector_id).in_(
            select(MentorProfile.id).where(MentorProfile.user_id == actor.user_id)
        ),
        col(ConnectorMeeting.mentee_id).in_(
            select(MenteeProfile.id).where(MenteeProfile.user_id == actor.user_id)
        ),
    ]
    if actor.is_reading_staff and actor.organization_id is not None:
        visible.append(
            col(ConnectorMeeting.program_id).in_(
                select(Program.id).where(Program.organization_id == actor.organization_id)
            )
        )
    return or_(*visible)


async def get_meeting(session: AsyncSession, actor: Actor, meeting_id: uuid.UUID) -> ConnectorMeeting:
    meeting = await session.scalar(
        select(ConnectorMeeting).where(ConnectorMeeting.id == meeting_id, visible_meetings(actor))
    )
    if meeting is None:
        raise NotFound()
    return meeting


async def _enabled_program(session: AsyncSession, meeting: ConnectorMeeting) -> Program:
    """The meeting's program, once its organization still has the plugin enabled:
    records stay readable after disabling, but nothing changes any more."""
    program = await session.get_one(Program, meeting.program_id)
    await require_type_enabled(session, program.organization_id, TYPE_KEY)
    return program


async def _side(session: AsyncSession, actor: Actor, meeting: ConnectorMeeting) -> str | None:
    connector = await session.get_one(MentorProfile, meeting.connector_id)
    if connector.user_id == actor.user_id:
        return "connector"
    mentee = await session.get_one(MenteeProfile, meeting.mentee_id)
    return "mentee" if mentee.user_id == actor.user_id else None


async def _pool_mentor(
    session: AsyncSession, program: Program, mentor_id: uuid.UUID, field: str
) -> MentorProfile:
    """A mentor of the shared pool the program's organization may see."""
    mentor = await session.scalar(
        select(MentorProfile).where(MentorProfile.id == mentor_id, mentor_visible_to(program.organization_id))
    )
    if mentor is None:
        raise NotFound(field=field)
    return mentor


def _require_held(meeting: ConnectorMeeting) -> None:
    if meeting.status == ConnectorMeetingStatus.SCHEDULED:
        raise DomainError("MEETING_NOT_HELD")


async def schedule_meeting(
    session: AsyncSession,
    actor: Actor,
    referral_id: uuid.UUID,
    connector_id: uuid.UUID,
    *,
    scheduled_on: date,
    minutes: int | None = None,
) -> ConnectorMeeting:
    """Program staff book a connector for a newcomer admitted to their connector
    program. A connector meeting does not take a place in the mentor's mentoring
    capacity: it is one short conversation, not a relationship."""
    referral, program, mentee = await admitted_referral(session, actor, referral_id)
    if program.program_type != TYPE_KEY:
        raise DomainError("NOT_A_CONNECTOR_PROGRAM", field="referralId")
    await require_type_enabled(session, program.organization_id, TYPE_KEY)
    connector = await _pool_mentor(session, program, connector_id, "connectorId")
    if not connector.is_active or (mentee.user_id is not None and connector.user_id == mentee.user_id):
        raise DomainError("MENTOR_UNAVAILABLE", field="connectorId")
    failed = (await failed_mentor_rules(session, program, [connector]))[connector.id]
    if failed:
        raise DomainError("MENTOR_NOT_ELIGIBLE", rules=", ".join(result.rule for result in failed))
    meeting = ConnectorMeeting(
        program_id=program.id,
        referral_id=referral.id,
        mentee_id=mentee.id,
        connector_id=connector.id,
        scheduled_on=scheduled_on,
        minutes=validation.integer(
            minutes or setting(program, "meeting_minutes"), "minutes", minimum=5, maximum=240
        ),
        scheduled_by_user_id=actor.user_id,
    )
    session.add(meeting)
    await session.flush()
    participants = [mentee.user_id, connector.user_id]
    await invitations.connector_meeting_scheduled(
        session, meeting.id, scheduled_on, meeting.minutes, program, participants
    )
    return meeting


async def record_introduction_consent(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, *, consent: bool
) -> ConnectorMeeting:
    """The newcomer, or program staff recording what the newcomer told them, gives (or
    withdraws) consent to pass the newcomer's name and goal on to the contacts. Never
    the connector, who is the one asking for it."""
    meeting = await get_meeting(session, actor, meeting_id)
    program = await _enabled_program(session, meeting)
    if not (await _side(session, actor, meeting) == "mentee" or actor.is_staff_of(program.organization_id)):
        raise Forbidden()
    meeting.introduction_consent_at = clock.now() if consent else None
    meeting.introduction_consent_by_user_id = actor.user_id if consent else None
    await session.flush()
    return meeting


async def mark_held(
    session: AsyncSession,
    actor: Actor,
    meeting_id: uuid.UUID,
    *,
    held_on: date | None = None,
    minutes: int | None = None,
) -> ConnectorMeeting:
    """The connector says the meeting took place (today unless told otherwise)."""
    meeting = await get_meeting(session, actor, meeting_id)
    await _enabled_program(session, meeting)
    if await _side(session, actor, meeting) != "connector":
        raise Forbidden()
    if meeting.status != ConnectorMeetingStatus.SCHEDULED:
        raise DomainError("MEETING_ALREADY_HELD")
    meeting.held_on = validation.not_in_future(held_on or clock.now().date(), "heldOn")
    if minutes is not None:
        meeting.minutes = validation.integer(minutes, "minutes", minimum=5, maximum=240)
    meeting.status = ConnectorMeetingStatus.HELD
    await session.flush()
    return meeting


@dataclass
class IntroductionData:
    contact_name: str
    contact_organization: str = ""
    contact_email: str | None = None
    contact_mentor_id: uuid.UUID | None = None
    note: str = ""


async def record_introduction(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, data: IntroductionData
) -> Introduction:
    """The connector introduces the newcomer to a contact, once the meeting was held
    and the newcomer consented. The newcomer needs a way to reach the contact: an
    email, or the contact's mentor profile when they are on the platform."""
    meeting = await get_meeting(session, actor, meeting_id)
    program = await _enabled_program(session, meeting)
    if await _side(session, actor, meeting) != "connector":
        raise Forbidden()
    _require_held(meeting)
    if meeting.introduction_consent_at is None:
        raise IntroductionConsentRequired(field="meetingId")
    contact_email = validation.email(data.contact_email, "contactEmail")
    contact_mentor_id = None
    if data.contact_mentor_id is not None:
        contact = await _pool_mentor(session, program, data.contact_mentor_id, "contactMentorId")
        mentee = await session.get_one(MenteeProfile, meeting.mentee_id)
        if contact.id == meeting.connector_id or (
            mentee.user_id is not None and contact.user_id == mentee.user_id
        ):
            raise DomainError("INVALID_INPUT", field="contactMentorId")
        contact_mentor_id = contact.id
    if contact_email is None and contact_mentor_id is None:
        raise DomainError("REQUIRED", field="contactEmail")
    same_contact: list[ColumnElement[bool]] = []
    if contact_email is not None:
        same_contact.append(col(Introduction.contact_email) == contact_email)
    if contact_mentor_id is not None:
        same_contact.append(col(Introduction.contact_mentor_id) == contact_mentor_id)
    duplicate = await session.scalar(
        select(Introduction.id).where(Introduction.meeting_id == meeting.id, or_(*same_contact))
    )
    if duplicate is not None:
        # Introducing the same person twice would count twice towards the minimum.
        raise DomainError("DUPLICATE_INTRODUCTION")
    introduction = Introduction(
        meeting_id=meeting.id,
        introduced_by_mentor_id=meeting.connector_id,
        contact_name=validation.text(data.contact_name, "contactName", max_length=200, required=True),
        contact_organization=validation.text(
            data.contact_organization, "contactOrganization", max_length=200
        ),
        contact_email=contact_email,
        contact_mentor_id=contact_mentor_id,
        note=validation.text(data.note, "note", max_length=4000),
        recorded_by_user_id=actor.user_id,
    )
    session.add(introduction)
    await session.flush()
    return introduction


async def complete_meeting(session: AsyncSession, actor: Actor, meeting_id: uuid.UUID) -> ConnectorMeeting:
    """The connector (or program staff) closes the meeting once the connector made the
    introductions the program asks for."""
    meeting = await get_meeting(session, actor, meeting_id)
    program = await _enabled_program(session, meeting)
    if not (
        await _side(session, actor, meeting) == "connector" or actor.is_staff_of(program.organization_id)
    ):
        raise Forbidden()
    _require_held(meeting)
    if meeting.status == ConnectorMeetingStatus.COMPLETED:
        raise DomainError("MEETING_ALREADY_COMPLETED")
    minimum = setting(program, "minimum_introductions")
    made = await session.scalar(select(func.count()).where(Introduction.meeting_id == meeting.id)) or 0
    if made < minimum:
        raise DomainError("INTRODUCTIONS_REQUIRED", minimum=minimum, count=made)
    meeting.status = ConnectorMeetingStatus.COMPLETED
    meeting.completed_at = clock.now()
    await session.flush()
    return meeting


async def record_follow_up(
    session: AsyncSession,
    actor: Actor,
    introduction_id: uuid.UUID,
    *,
    occurred_on: date,
    outcome: FollowUpOutcome,
    note: str = "",
) -> IntroductionFollowUp:
    """The newcomer records what came of one of their introductions."""
    introduction = await session.get(Introduction, introduction_id)
    if introduction is None:
        raise NotFound()
    meeting = await get_meeting(session, actor, introduction.meeting_id)
    await _enabled_program(session, meeting)
    if await _side(session, actor, meeting) != "mentee":
        raise Forbidden()
    validation.not_in_future(occurred_on, "occurredOn")
    assert meeting.held_on is not None  # introductions are only made once the meeting was held
    if occurred_on < meeting.held_on:
        raise DomainError("DATE_BEFORE_MEETING", field="occurredOn")
    follow_up = IntroductionFollowUp(
        introduction_id=introduction.id,
        occurred_on=occurred_on,
        outcome=outcome,
        note=validation.text(note, "note", max_length=4000),
        recorded_by_user_id=actor.user_id,
    )
    session.add(follow_up)
    await session.flush()
    return follow_up


async def agree_to_continue(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, *, agree: bool
) -> ConnectorMeeting:
    """After the meeting, the connector and the newcomer each say whether they want to
    keep in touch; there is no ongoing relationship unless both do."""
    meeting = await get_meeting(session, actor, meeting_id)
    await _enabled_program(session, meeting)
    side = await _side(session, actor, meeting)
    if side is None:
        raise Forbidden()
    _require_held(meeting)
    if meeting.upgrade_proposal_id is not None:
        raise DomainError("CONNECTION_ALREADY_UPGRADED")
    if side == "connector":
        meeting.connector_wants_to_continue = agree
    else:
        meeting.mentee_wants_to_continue = agree
    await session.flush()
    return meeting


async def upgrade_to_mentorship(
    session: AsyncSession, actor: Actor, meeting_id: uuid.UUID, program_id: uuid.UUID
) -> MatchProposal:
    """When both want to continue, program staff propose the connector as the
    newcomer's mentor in a one-to-one program of their organization the newcomer is
    admitted to. It is an ordinary match proposal made by the core service, so every
    rule of that program applies (mentor criteria, capacity, the program's places) and
    both sides still accept it before the mentoring agreement starts."""
    meeting = await get_meeting(session, actor, meeting_id)
    program = await _enabled_program(session, meeting)
    if not actor.is_staff_of(program.organization_id):
        raise Forbidden()
    if not (meeting.mentee_wants_to_continue and meeting.connector_wants_to_continue):
        raise DomainError("CONTINUATION_NOT_AGREED")
    if meeting.upgrade_proposal_id is not None:
        raise DomainError("CONNECTION_ALREADY_UPGRADED")
    target = await session.get(Program, program_id)
    if target is None or not actor.is_staff_of(target.organization_id):
        raise NotFound(field="programId")
    if target.program_type == TYPE_KEY:
        raise DomainError("NOT_ONE_TO_ONE_PROGRAM", field="programId")
    referral_id = await session.scalar(
        select(Referral.id).where(
            Referral.mentee_id == meeting.mentee_id,
            Referral.program_id == target.id,
            Referral.status == ReferralStatus.ADMITTED,
        )
    )
    if referral_id is None:
        raise DomainError("MENTEE_NOT_ADMITTED", field="programId")
    proposal = await propose_match(session, actor, referral_id, meeting.connector_id)
    meeting.upgrade_proposal_id = proposal.id
    await session.flush()
    return proposal


async def list_meetings(
    session: AsyncSession,
    actor: Actor,
    *,
    program_id: uuid.UUID | None = None,
    status: ConnectorMeetingStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ConnectorMeeting], int]:
    query = select(ConnectorMeeting).where(visible_meetings(actor))
    if program_id is not None:
        query = query.where(ConnectorMeeting.program_id == program_id)
    if status is not None:
        query = query.where(ConnectorMeeting.status == status)
    rows, total = await fetch_page(
        session,
        query.order_by(col(ConnectorMeeting.scheduled_on).desc(), col(ConnectorMeeting.id)),
        limit=limit,
        offset=offset,
    )
    return list(rows), total


async def introductions(session: AsyncSession, meeting_id: uuid.UUID) -> list[Introduction]:
    """A meeting's introductions; the caller already checked the meeting is visible."""
    rows = await session.scalars(
        select(Introduction)
        .where(Introduction.meeting_id == meeting_id)
        .order_by(col(Introduction.created_at), col(Introduction.id))
    )
    return list(rows)


async def follow_ups(session: AsyncSession, introduction_id: uuid.UUID) -> list[IntroductionFollowUp]:
    rows = await session.scalars(
        select(IntroductionFollowUp)
        .where(IntroductionFollowUp.introduction_id == introduction_id)
        .order_by(col(IntroductionFollowUp.occurred_on), col(IntroductionFollowUp.created_at))
    )
    return list(rows)


@dataclass(frozen=True)
class ChainLink:
    """The connector of ``meeting`` introduced its newcomer to ``introduction``'s contact."""

    # 1 for the newcomer's first connectors, 2 for contacts of theirs who then became
    # the newcomer's connectors, and so on.
    step: int
    meeting: ConnectorMeeting
    introduction: Introduction
    # The later meeting in which the contact became the same newcomer's connector;
    # None when that did not happen or the actor may not see it.
    continued_in: ConnectorMeeting | None


async def introduction_chain(
    session: AsyncSession,
    actor: Actor,
    *,
    mentee_id: uuid.UUID | None = None,
    connector_id: uuid.UUID | None = None,
) -> list[ChainLink]:
    """Who introduced whom, for a newcomer (every chain of theirs) or for a connector
    (their introductions and what each led to), as far as the actor may see: links of
    meetings the actor cannot see are left out. A subject none of whose meetings the
    actor sees is NOT_FOUND."""
    if (mentee_id is None) == (connector_id is None):
        raise DomainError("INVALID_INPUT", field="menteeId")
    subject: ColumnElement[bool] = (
        col(ConnectorMeeting.mentee_id) == mentee_id
        if mentee_id is not None
        else col(ConnectorMeeting.connector_id) == connector_id
    )
    subject_ids = set(
        await session.scalars(select(ConnectorMeeting.id).where(subject, visible_meetings(actor)))
    )
    if not subject_ids:
        raise NotFound()
    # A chain runs within one newcomer's meetings: load all of theirs, then show the visible part.
    newcomers = select(ConnectorMeeting.mentee_id).where(col(ConnectorMeeting.id).in_(subject_ids))
    in_scope = col(ConnectorMeeting.mentee_id).in_(newcomers)
    meetings = list(
        await session.scalars(
            select(ConnectorMeeting)
            .where(in_scope)
            .order_by(col(ConnectorMeeting.created_at), col(ConnectorMeeting.id))
        )
    )
    visible = set(await session.scalars(select(ConnectorMeeting.id).where(in_scope, visible_meetings(actor))))
    by_meeting: dict[uuid.UUID, list[Introduction]] = defaultdict(list)
    for introduction in await session.scalars(
        select(Introduction)
        .where(col(Introduction.meeting_id).in_([meeting.id for meeting in meetings]))
        .order_by(col(Introduction.created_at), col(Introduction.id))
    ):
        by_meeting[introduction.meeting_id].append(introduction)
    continued_in, parent = _continuations(meetings, by_meeting)
    if mentee_id is not None:
        roots = [meeting for meeting in meetings if meeting.id not in parent]
    else:
        roots = [meeting for meeting in meetings if meeting.id in subject_ids]
    meeting_of = {introduction.id: meeting for meeting in meetings for introduction in by_meeting[meeting.id]}

    def step_of(meeting: ConnectorMeeting) -> int:
        """How far down its newcomer's chain a meeting is, so that a step means the same
        whether the chain is asked for the newcomer or for a connector."""
        step = 1
        while meeting.id in parent:
            meeting, step = meeting_of[parent[meeting.id]], step + 1
        return step

    links: list[ChainLink] = []
    seen: set[uuid.UUID] = set()
    stack = [(root, step_of(root)) for root in reversed(roots)]
    while stack:
        meeting, step = stack.pop()
        if meeting.id in seen:
            continue
        seen.add(meeting.id)
        children = []
        for introduction in by_meeting[meeting.id]:
            following = continued_in.get(introduction.id)
            if meeting.id in visible:
                shown = following if following is not None and following.id in visible else None
                links.append(ChainLink(step, meeting, introduction, shown))
            if following is not None and parent.get(following.id) == introduction.id:
                children.append((following, step + 1))
        stack.extend(reversed(children))
    return links


def _continuations(
    meetings: list[ConnectorMeeting], by_meeting: dict[uuid.UUID, list[Introduction]]
) -> tuple[dict[uuid.UUID, ConnectorMeeting], dict[uuid.UUID, uuid.UUID]]:
    """For each introduction to a platform mentor, the newcomer's first meeting with that
    mentor as connector after the introduction; and for each such meeting, the earliest
    introduction that led to it (its parent in the chain). Meetings come oldest first;
    a continuation is always newer than its introduction, so the chain has no cycles."""
    continued_in: dict[uuid.UUID, ConnectorMeeting] = {}
    parent: dict[uuid.UUID, uuid.UUID] = {}
    by_newcomer_and_connector: dict[tuple[uuid.UUID, uuid.UUID], list[ConnectorMeeting]] = defaultdict(list)
    for meeting in meetings:
        by_newcomer_and_connector[meeting.mentee_id, meeting.connector_id].append(meeting)
    introductions_oldest_first: list[tuple[ConnectorMeeting, Introduction]] = sorted(
        ((meeting, introduction) for meeting in meetings for introduction in by_meeting[meeting.id]),
        key=lambda pair: (pair[1].created_at, str(pair[1].id)),
    )
    for meeting, introduction in introductions_oldest_first:
        if introduction.contact_mentor_id is None:
            continue
        later = next(
            (
                candidate
                for candidate in by_newcomer_and_connector[meeting.mentee_id, introduction.contact_mentor_id]
                if candidate.created_at > introduction.created_at
            ),
            None,
        )
        if later is not None:
            continued_in[introduction.id] = later
            parent.setdefault(later.id, introduction.id)
    return continued_in, parent
