"""The newcomer's pages: profile and action plan, mentor search, proposals, the
mentorship (meetings, goals, agreement), consents and the data export.

Every read and change goes through the same services as the API, as the signed-in
person; a record they may not see is refused by the service (404 here)."""

import json
import uuid
from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from core import clock
from core.errors import DomainError
from core.graphql.search import facet_label
from core.models import (
    Answer,
    MeetingMode,
    MentorProfile,
    MentorshipStatus,
    Organization,
    Program,
    ProposalStatus,
)
from core.services import consents, lifecycle, mentees, mentorships, privacy, proposals, search
from core.web.base import Visit, display_names, open_visit, program_name, record_id
from core.web.pages import Form, read_form

# The profile form: input name (the API's field name, which DomainError.field gives)
# to the service's field. Only what a newcomer may change in their own file.
PROFILE_FIELDS = {
    "phone": "phone",
    "city": "city",
    "careerGoal": "career_goal",
    "actionPlan": "action_plan",
}
MEETING_MODES = {
    MeetingMode.IN_PERSON: "web.meeting.mode.in_person",
    MeetingMode.PHONE: "web.meeting.mode.phone",
    MeetingMode.VIDEO: "web.meeting.mode.video",
    MeetingMode.EMAIL: "web.meeting.mode.email",
}
CONSENT_PURPOSES = {
    "referral": "web.consent.purpose.referral",
    "mentor_proposal": "web.consent.purpose.mentor_proposal",
    "federation": "web.consent.purpose.federation",
}
PROPOSAL_STATUSES = {
    ProposalStatus.PENDING: "web.proposal.status.pending",
    ProposalStatus.ACCEPTED: "web.proposal.status.accepted",
    ProposalStatus.DECLINED: "web.proposal.status.declined",
    ProposalStatus.EXPIRED: "web.proposal.status.expired",
}
MENTORSHIP_STATUSES = {
    MentorshipStatus.ACTIVE: "web.mentorship.status.active",
    MentorshipStatus.COMPLETED: "web.mentorship.status.completed",
    MentorshipStatus.ENDED_EARLY: "web.mentorship.status.ended_early",
}
FACET_NAMES = {
    "occupation_group": "web.search.facet.occupation_group",
    "industry": "web.search.facet.industry",
    "languages": "web.search.facet.languages",
    "city": "web.search.facet.city",
    "region": "web.search.facet.region",
    "open_to_virtual": "web.search.facet.open_to_virtual",
    "program_types": "web.search.facet.program_types",
}
# Facet name to the search's filter of the same values.
FACET_FILTERS = {
    "occupation_group": "occupation_groups",
    "industry": "industries",
    "languages": "languages",
    "city": "cities",
    "region": "regions",
    "program_types": "program_types",
}


# -- Profile and action plan --------------------------------------------------------------


async def _profile_page(
    visit: Visit, typed: Form | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    assert visit.db is not None
    view = await visit.call(mentees.get_mentee, await visit.call(mentees.own_file_id))
    profile = view.profile
    values = typed or {name: str(getattr(profile, field) or "") for name, field in PROFILE_FIELDS.items()}
    open_to_virtual = ("openToVirtual" in typed) if typed is not None else profile.open_to_virtual
    return visit.page(
        "newcomer/profile.html",
        status_code=status,
        profile=profile,
        values=values,
        open_to_virtual=open_to_virtual,
        errors=errors or {},
        saved=visit.request.query_params.get("saved") == "1",
    )


@get("/me/profile", include_in_schema=False)
async def profile(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    return await _profile_page(await open_visit(request, db_session))


@post("/me/profile", include_in_schema=False)
async def save_profile(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/me/profile")
    changes: dict[str, Any] = {field: form.get(name, "") for name, field in PROFILE_FIELDS.items()}
    changes["open_to_virtual"] = "openToVirtual" in form
    mentee_id = await visit.call(mentees.own_file_id)
    try:
        await visit.call(mentees.update_mentee, mentee_id, changes)
    except DomainError as error:
        if error.field is None:
            raise
        typed = {name: form.get(name, "") for name in PROFILE_FIELDS}
        if "openToVirtual" in form:
            typed["openToVirtual"] = "on"
        message = visit.t(error.message_key, **error.params)
        return await _profile_page(visit, typed, {error.field: message}, status=400)
    return visit.redirect("/me/profile?saved=1")


# -- Mentor search ------------------------------------------------------------------------


@get("/mentors", include_in_schema=False)
async def mentor_search(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    params = request.query_params
    chosen = {facet: list(params.getall(name, [])) for facet, name in FACET_FILTERS.items()}
    virtual = params.get("open_to_virtual")
    query = search.MentorSearch(
        text=params.get("text", ""),
        open_to_virtual=True if virtual == "true" else None,
        has_capacity=params.get("has_capacity") == "true",
        occupation_groups=chosen["occupation_group"],
        industries=chosen["industry"],
        languages=chosen["languages"],
        cities=chosen["city"],
        regions=chosen["region"],
        program_types=chosen["program_types"],
    )
    error = ""
    try:
        found = await visit.call(search.search_mentors, request.app.state.search, query)
    except DomainError as refused:
        if refused.code == "SEARCH_UNAVAILABLE":
            raise
        error = visit.t(refused.message_key, **refused.params)
        found = search.MentorSearchPage([], 0, {})
    language = visit.language
    facets = [
        {
            "name": facet,
            "param": FACET_FILTERS.get(facet, facet),
            "title": visit.t(FACET_NAMES[facet]),
            "options": [
                {
                    "value": value,
                    "label": facet_label(facet, value, language),
                    "count": count,
                    "checked": value in chosen.get(facet, [])
                    or (facet == "open_to_virtual" and value == virtual),
                }
                for value, count in values.items()
                if facet != "open_to_virtual" or value == "true"
            ],
        }
        for facet, values in found.facets.items()
        if facet in FACET_NAMES and values
    ]
    cards = [
        {
            "name": name,
            "title": mentor.job_title,
            "occupation": facet_label("occupation_group", mentor.occupation_noc, language),
            "city": mentor.city,
            "bio": mentor.bio,
        }
        for mentor, name in found.mentors
    ]
    return visit.page(
        "newcomer/search.html",
        text=query.text,
        has_capacity=query.has_capacity,
        facets=facets,
        cards=cards,
        total=found.total,
        error=error,
    )


# -- Proposals ------------------------------------------------------------------------------


@get("/me/proposals", include_in_schema=False)
async def my_proposals(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    rows, _ = await visit.call(proposals.list_proposals)
    programs = await display_names(db_session, Program, (row.program_id for row in rows))
    mentors = await display_names(db_session, MentorProfile, (row.mentor_id for row in rows))
    items = [
        {
            "id": row.id,
            "program": program_name(programs, row.program_id, visit.language),
            "mentor": mentors.get(row.mentor_id, ""),
            "status": visit.t(PROPOSAL_STATUSES[proposals.effective_status(row)]),
            "can_answer": proposals.effective_status(row) == ProposalStatus.PENDING
            and row.mentee_answer == Answer.PENDING,
            "expires": row.expires_at.date(),
        }
        for row in rows
    ]
    return visit.page("newcomer/proposals.html", proposals=items)


@post("/me/proposals/{proposal_id:str}", include_in_schema=False)
async def answer_proposal(
    request: Request[Any, Any, Any], db_session: AsyncSession, proposal_id: str
) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/me/proposals")
    await visit.call(
        proposals.answer_proposal,
        record_id(proposal_id),
        accept=form.get("answer") == "accept",
        reason=form.get("reason", ""),
    )
    return visit.redirect("/me/proposals")


# -- The mentorship -------------------------------------------------------------------------


@get("/me/mentorship", include_in_schema=False)
async def my_mentorships(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    rows, _ = await visit.call(mentorships.list_mentorships)
    programs = await display_names(db_session, Program, (row.program_id for row in rows))
    mentors = await display_names(db_session, MentorProfile, (row.mentor_id for row in rows))
    items = [
        {
            "id": row.id,
            "program": program_name(programs, row.program_id, visit.language),
            "mentor": mentors.get(row.mentor_id, ""),
            "status": visit.t(MENTORSHIP_STATUSES[row.status]),
            "start": row.agreement_date,
            "end": row.planned_end,
        }
        for row in rows
    ]
    return visit.page("newcomer/mentorships.html", mentorships=items)


async def _mentorship_page(
    visit: Visit,
    mentorship_id: uuid.UUID,
    typed: Form | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    assert visit.db is not None
    mentorship = await visit.call(mentorships.get_mentorship, mentorship_id)
    log = await visit.call(mentorships.meetings, mentorship)
    goals = await visit.call(lifecycle.goals, mentorship_id)
    agreement = await visit.call(lifecycle.get_agreement, mentorship_id)
    programs = await display_names(visit.db, Program, [mentorship.program_id])
    # The page is the pair's: each side sees the other's name and their own acceptance.
    mentor_user = await visit.db.scalar(
        select(MentorProfile.user_id).where(MentorProfile.id == mentorship.mentor_id)
    )
    as_mentor = mentor_user == visit.me.user_id
    if as_mentor:
        partner = (await visit.call(mentees.get_mentee, mentorship.mentee_id)).get("first_name") or ""
    else:
        partner = (await display_names(visit.db, MentorProfile, [mentorship.mentor_id])).get(
            mentorship.mentor_id, ""
        )
    accepted_at = None
    if agreement is not None:
        accepted_at = agreement.mentor_accepted_at if as_mentor else agreement.mentee_accepted_at
    return visit.page(
        "newcomer/mentorship.html",
        status_code=status,
        mentorship=mentorship,
        active=mentorship.status == MentorshipStatus.ACTIVE,
        program=program_name(programs, mentorship.program_id, visit.language),
        partner=partner,
        accepted_at=accepted_at,
        meetings=[
            {
                "on": entry.meeting.occurred_on,
                "minutes": entry.meeting.minutes,
                "mode": visit.t(MEETING_MODES[entry.meeting.mode]),
                "notes": entry.notes,
            }
            for entry in log
        ],
        hours=round(sum(entry.meeting.minutes for entry in log) / 60, 1),
        goals=goals,
        agreement=agreement,
        modes=[(mode.value, visit.t(key)) for mode, key in MEETING_MODES.items()],
        typed=typed or {"occurredOn": clock.now().date().isoformat(), "minutes": "60", "mode": "video"},
        errors=errors or {},
    )


@get("/mentorships/{mentorship_id:str}", include_in_schema=False)
async def mentorship(
    request: Request[Any, Any, Any], db_session: AsyncSession, mentorship_id: str
) -> Template:
    return await _mentorship_page(await open_visit(request, db_session), record_id(mentorship_id))


@post("/mentorships/{mentorship_id:str}/meetings", include_in_schema=False)
async def log_meeting(
    request: Request[Any, Any, Any], db_session: AsyncSession, mentorship_id: str
) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back=f"/mentorships/{mentorship_id}")
    target = record_id(mentorship_id)
    try:
        occurred_on = _date(form.get("occurredOn", ""))
        minutes = _int(form.get("minutes", ""), "minutes")
        mode = MeetingMode(form.get("mode", "")) if form.get("mode") in set(MeetingMode) else None
        if mode is None:
            raise DomainError("INVALID_INPUT", field="mode")
        await visit.call(
            mentorships.log_meeting,
            target,
            occurred_on=occurred_on,
            minutes=minutes,
            mode=mode,
            notes=form.get("notes", ""),
        )
    except DomainError as error:
        if error.field is None:
            raise
        return await _mentorship_page(
            visit, target, form, {error.field: visit.t(error.message_key, **error.params)}, status=400
        )
    return visit.redirect(f"/mentorships/{target}#meetings")


@post("/mentorships/{mentorship_id:str}/goals", include_in_schema=False)
async def add_goal(
    request: Request[Any, Any, Any], db_session: AsyncSession, mentorship_id: str
) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back=f"/mentorships/{mentorship_id}")
    target = record_id(mentorship_id)
    try:
        await visit.call(lifecycle.add_goal, target, text=form.get("goal", ""))
    except DomainError as error:
        if error.field is None:
            raise
        return await _mentorship_page(
            visit, target, None, {"goal": visit.t(error.message_key, **error.params)}, status=400
        )
    return visit.redirect(f"/mentorships/{target}#goals")


@post("/mentorships/{mentorship_id:str}/agreement", include_in_schema=False)
async def accept_agreement(
    request: Request[Any, Any, Any], db_session: AsyncSession, mentorship_id: str
) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back=f"/mentorships/{mentorship_id}")
    target = record_id(mentorship_id)
    await visit.call(lifecycle.accept_agreement, target)
    return visit.redirect(f"/mentorships/{target}#agreement")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("INVALID_DATE", field="occurredOn") from None


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise DomainError("INVALID_NUMBER", field=field) from None


# -- Consents and the data export --------------------------------------------------------------


@get("/me/consents", include_in_schema=False)
async def my_consents(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    rows = await visit.call(consents.list_consents, await visit.call(mentees.own_file_id))
    return visit.page(
        "newcomer/consents.html",
        consents=[
            {
                "id": row.id,
                "purpose": visit.t(CONSENT_PURPOSES[row.purpose.value]),
                "organization": await _organization_name(visit, row.organization_id),
                "granted": row.granted_at.date(),
                "revoked": row.revoked_at.date() if row.revoked_at else None,
            }
            for row in rows
        ],
    )


async def _organization_name(visit: Visit, organization_id: uuid.UUID | None) -> str:
    if organization_id is None or visit.db is None:
        return ""
    organization = await visit.db.get(Organization, organization_id)
    if organization is None:
        return ""
    return organization.name_fr if visit.language == "fr" else organization.name_en


@post("/me/consents/{consent_id:str}/revoke", include_in_schema=False)
async def revoke_consent(
    request: Request[Any, Any, Any], db_session: AsyncSession, consent_id: str
) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/me/consents")
    await visit.call(consents.revoke_consent, record_id(consent_id))
    return visit.redirect("/me/consents")


@get("/me/data", include_in_schema=False)
async def my_data(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    return visit.page("newcomer/data.html")


@get("/me/data/export.json", include_in_schema=False)
async def export_my_data(request: Request[Any, Any, Any], db_session: AsyncSession) -> Response[bytes]:
    visit = await open_visit(request, db_session)
    data = await visit.call(privacy.export_personal_data, user_id=visit.me.user_id)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="tremplin-my-data.json"'},
    )


ROUTES = [
    profile, save_profile, mentor_search, my_proposals, answer_proposal, my_mentorships, mentorship,
    log_meeting, add_goal, accept_agreement, my_consents, revoke_consent, my_data, export_my_data,
]  # fmt: skip
