"""The mentor's pages: my profile (capacity and availability), my proposals to accept
or decline, my mentees. Each mentorship opens on the page the pair shares
(``/mentorships/<id>``: meeting log, goals, agreement), served by ``core.web.newcomer``.

Every read and change goes through the same services as the API, as the signed-in
person."""

import dataclasses
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from core.errors import DomainError, NotFound
from core.matching.explain import slot_label as slot_name
from core.models import Answer, MentorProfile, MentorSharedWith, Program, ProposalStatus
from core.services import mentors, mentorships, proposals
from core.validation import AVAILABILITY_SLOTS, DAYS, PARTS_OF_DAY
from core.web.base import Visit, display_names, open_visit, program_name, record_id
from core.web.coordinator import mentee_names
from core.web.newcomer import MENTORSHIP_STATUSES, PROPOSAL_STATUSES
from core.web.pages import Form, read_form

# The fields a mentor edits here; the rest of the profile is kept as it is.
TEXT_FIELDS = {"jobTitle": "job_title", "city": "city", "bio": "bio"}


async def _my_profile(visit: Visit) -> MentorProfile:
    assert visit.db is not None
    profile = await visit.db.scalar(select(MentorProfile).where(MentorProfile.user_id == visit.me.user_id))
    if profile is None:
        raise NotFound()
    return profile


async def _profile_page(
    visit: Visit,
    typed: Form | None = None,
    errors: dict[str, str] | None = None,
    slots: set[str] | None = None,
) -> Template:
    profile = await _my_profile(visit)
    values = typed or {
        **{name: str(getattr(profile, field) or "") for name, field in TEXT_FIELDS.items()},
        "capacity": str(profile.capacity),
    }
    chosen = slots if slots is not None else set(profile.availability)
    return visit.page(
        "mentor/profile.html",
        status_code=400 if errors else 200,
        values=values,
        slots=[
            {"value": f"{day}_{part}", "label": slot_name(f"{day}_{part}", visit.language)}
            for day in DAYS
            for part in PARTS_OF_DAY
        ],
        chosen=chosen,
        errors=errors or {},
        saved=visit.request.query_params.get("saved") == "1",
    )


@get("/mentor/profile", include_in_schema=False)
async def profile(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    return await _profile_page(await open_visit(request, db_session))


@post("/mentor/profile", include_in_schema=False)
async def save_profile(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/mentor/profile")
    current = await _my_profile(visit)
    slots = {
        str(value)
        for value in (await request.form()).getall("availability", [])
        if value in AVAILABILITY_SLOTS
    }
    shared = list(
        await db_session.scalars(
            select(MentorSharedWith.organization_id).where(MentorSharedWith.mentor_id == current.id)
        )
    )
    kept = {
        field.name: getattr(current, field.name)
        for field in dataclasses.fields(mentors.MentorData)
        if hasattr(current, field.name)
    }
    try:
        capacity = int(form.get("capacity", ""))
    except ValueError:
        return await _profile_page(visit, form, {"capacity": visit.t("error.INVALID_NUMBER")}, slots)
    data = mentors.MentorData(
        **{
            **kept,
            **{field: form.get(name, "") for name, field in TEXT_FIELDS.items()},
            "capacity": capacity,
            "availability": sorted(slots),
            "shared_with_organization_ids": shared,
        }
    )
    try:
        await visit.call(mentors.save_my_mentor_profile, data)
    except DomainError as error:
        if error.field is None:
            raise
        return await _profile_page(
            visit, form, {error.field: visit.t(error.message_key, **error.params)}, slots
        )
    return visit.redirect("/mentor/profile?saved=1")


@get("/mentor/proposals", include_in_schema=False)
async def my_proposals(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    rows, _ = await visit.call(proposals.list_proposals)
    mine = await _my_profile(visit)
    rows = [row for row in rows if row.mentor_id == mine.id]
    names = await mentee_names(db_session, [row.mentee_id for row in rows])
    programs = await display_names(db_session, Program, (row.program_id for row in rows))
    items = [
        {
            "id": row.id,
            "mentee": names.get(row.mentee_id, ""),
            "program": program_name(programs, row.program_id, visit.language),
            "status": visit.t(PROPOSAL_STATUSES[proposals.effective_status(row)]),
            "can_answer": proposals.effective_status(row) == ProposalStatus.PENDING
            and row.mentor_answer == Answer.PENDING,
            "expires": row.expires_at.date(),
        }
        for row in rows
    ]
    return visit.page("mentor/proposals.html", proposals=items)


@post("/mentor/proposals/{proposal_id:str}", include_in_schema=False)
async def answer_proposal(
    request: Request[Any, Any, Any], db_session: AsyncSession, proposal_id: str
) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/mentor/proposals")
    await visit.call(
        proposals.answer_proposal,
        record_id(proposal_id),
        accept=form.get("answer") == "accept",
        reason=form.get("reason", ""),
    )
    return visit.redirect("/mentor/proposals")


@get("/mentor/mentees", include_in_schema=False)
async def my_mentees(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    mine = await _my_profile(visit)
    rows, _ = await visit.call(mentorships.list_mentorships)
    rows = [row for row in rows if row.mentor_id == mine.id]
    names = await mentee_names(db_session, [row.mentee_id for row in rows])
    programs = await display_names(db_session, Program, (row.program_id for row in rows))
    items = [
        {
            "id": row.id,
            "mentee": names.get(row.mentee_id, ""),
            "program": program_name(programs, row.program_id, visit.language),
            "status": visit.t(MENTORSHIP_STATUSES[row.status]),
            "start": row.agreement_date,
            "end": row.planned_end,
        }
        for row in rows
    ]
    return visit.page("mentor/mentees.html", mentorships=items)


ROUTES = [profile, save_profile, my_proposals, answer_proposal, my_mentees]
