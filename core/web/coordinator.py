"""The coordinator's pages: the referral inbox with eligibility results, admitting or
returning a referral, registering and referring a client (agency staff), answering
proposals on a client's behalf, the waiting list, the matching board, mentorships
needing attention and a mentorship's page for staff (closure and certificate).

Every read and change goes through the same services as the API, as the signed-in
person; a record of another organization is refused by the service (404 here)."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import clock, rules
from core.access import Actor
from core.errors import DomainError
from core.matching import explain
from core.models import (
    Answer,
    ClosureKind,
    CohortMode,
    DraftStatus,
    ImmigrationStatus,
    Language,
    Meeting,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    MentorshipStatus,
    Outcome,
    OutcomeStage,
    PairStatus,
    Program,
    ProposalStatus,
    Referral,
    ReferralStatus,
)
from core.services import (
    cohorts,
    lifecycle,
    matching,
    mentees,
    mentorships,
    programs,
    proposals,
    referrals,
    waiting,
)
from core.services.referrals import ReferralDirection
from core.web.base import Visit, display_names, open_visit, program_name, record_id
from core.web.newcomer import MENTORSHIP_STATUSES, PROPOSAL_STATUSES
from core.web.pages import Form, read_form

REFERRAL_STATUSES = {
    ReferralStatus.SUBMITTED: "web_coordinator.referral.status.submitted",
    ReferralStatus.ADMITTED: "web_coordinator.referral.status.admitted",
    ReferralStatus.RETURNED: "web_coordinator.referral.status.returned",
    ReferralStatus.WITHDRAWN: "web_coordinator.referral.status.withdrawn",
}
IMMIGRATION_STATUSES = {
    ImmigrationStatus.PERMANENT_RESIDENT: "web_coordinator.client.status.permanent_resident",
    ImmigrationStatus.CONVENTION_REFUGEE: "web_coordinator.client.status.convention_refugee",
    ImmigrationStatus.NATURALIZED_CITIZEN: "web_coordinator.client.status.naturalized_citizen",
    ImmigrationStatus.TEMPORARY_RESIDENT: "web_coordinator.client.status.temporary_resident",
    ImmigrationStatus.REFUGEE_CLAIMANT: "web_coordinator.client.status.refugee_claimant",
}
COHORT_MODES = {
    CohortMode.MOST_MATCHED: "web_coordinator.cohort.mode.most_matched",
    CohortMode.BEST_TOTAL: "web_coordinator.cohort.mode.best_total",
}
DRAFT_STATUSES = {
    DraftStatus.DRAFT: "web_coordinator.cohort.status.draft",
    DraftStatus.SENT: "web_coordinator.cohort.status.sent",
    DraftStatus.DISCARDED: "web_coordinator.cohort.status.discarded",
}
PAIR_STATUSES = {
    PairStatus.ON_TRACK: "web_coordinator.check_in.on_track",
    PairStatus.NEEDS_ATTENTION: "web_coordinator.check_in.needs_attention",
    PairStatus.AT_RISK: "web_coordinator.check_in.at_risk",
}
CLOSURE_KINDS = {
    ClosureKind.MUTUAL_AGREEMENT: "web_coordinator.mentorship.kind.mutual_agreement",
    ClosureKind.END_OF_TERM: "web_coordinator.mentorship.kind.end_of_term",
    ClosureKind.EARLY: "web_coordinator.mentorship.kind.early",
}
# The client form: input name (the API's field name, which DomainError.field gives).
CLIENT_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "immigrationStatus": "immigration_status",
    "countryOfTraining": "country_of_training",
    "targetNoc": "target_noc",
    "city": "city",
    "careerGoal": "career_goal",
}


@dataclass(frozen=True)
class LanguageLevel:
    language: str
    clb: int


def _name(mentee: MenteeProfile | None) -> str:
    return f"{mentee.first_name} {mentee.last_name}" if mentee else ""


async def mentee_names(db: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await db.execute(
        select(MenteeProfile.id, MenteeProfile.first_name, MenteeProfile.last_name).where(
            col(MenteeProfile.id).in_(set(ids))
        )
    )
    return {row[0]: f"{row[1]} {row[2]}" for row in rows}


def _field_errors(visit: Visit, error: DomainError) -> dict[str, str]:
    if error.field is None:
        raise error
    return {error.field: visit.t(error.message_key, **error.params)}


# -- The referral inbox ---------------------------------------------------------------------


@get("/coordinator", include_in_schema=False)
async def inbox(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    incoming, _ = await visit.call(referrals.list_referrals, direction=ReferralDirection.INCOMING)
    outgoing, _ = await visit.call(referrals.list_referrals, direction=ReferralDirection.OUTGOING)
    rows = [*incoming, *outgoing]
    names = await mentee_names(db_session, [row.mentee_id for row in rows])
    program_names = await display_names(db_session, Program, (row.program_id for row in rows))
    mine = visit.me.organization_id

    def item(row: Referral) -> dict[str, Any]:
        failed = [record for record in row.eligibility if record.get("blocking", not record["passed"])]
        return {
            "id": row.id,
            "mentee": names.get(row.mentee_id, ""),
            "program": program_name(program_names, row.program_id, visit.language),
            "status": visit.t(REFERRAL_STATUSES[row.status]),
            "pending": row.status == ReferralStatus.SUBMITTED,
            "eligible": not failed,
            "failed": [rules.describe(record, visit.language) for record in failed],
            "received": row.created_at.date(),
        }

    return visit.page(
        "coordinator/inbox.html",
        incoming=[item(row) for row in incoming],
        outgoing=[item(row) for row in outgoing if row.referring_organization_id == mine],
        created=request.query_params.get("referred") == "1",
    )


async def _referral_page(
    visit: Visit, referral_id: uuid.UUID, typed: Form | None = None, errors: dict[str, str] | None = None
) -> Template:
    assert visit.db is not None
    referral = await visit.call(referrals.get_referral, referral_id)
    check = await visit.call(referrals.check_eligibility, referral_id)
    mentee = await visit.db.get(MenteeProfile, referral.mentee_id)
    program_names = await display_names(visit.db, Program, [referral.program_id])
    return visit.page(
        "coordinator/referral.html",
        status_code=400 if errors else 200,
        referral=referral,
        mentee=mentee,
        name=_name(mentee),
        program=program_name(program_names, referral.program_id, visit.language),
        status=visit.t(REFERRAL_STATUSES[referral.status]),
        pending=referral.status == ReferralStatus.SUBMITTED,
        admitted=referral.status == ReferralStatus.ADMITTED,
        passed=check.passed,
        checks=[
            {
                "passed": record["passed"],
                "blocking": record.get("blocking", not record["passed"]),
                "text": rules.describe(record, visit.language),
            }
            for record in check.records
        ],
        typed=typed or {},
        errors=errors or {},
    )


@get("/coordinator/referrals/{referral_id:str}", include_in_schema=False)
async def referral(request: Request[Any, Any, Any], db_session: AsyncSession, referral_id: str) -> Template:
    return await _referral_page(await open_visit(request, db_session), record_id(referral_id))


@post("/coordinator/referrals/{referral_id:str}/admit", include_in_schema=False)
async def admit(
    request: Request[Any, Any, Any], db_session: AsyncSession, referral_id: str
) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back=f"/coordinator/referrals/{referral_id}")
    target = record_id(referral_id)
    try:
        await visit.call(
            referrals.admit_referral,
            target,
            note=form.get("note", ""),
            override_ineligibility="override" in form,
        )
    except DomainError as error:
        if error.code == "NOT_ELIGIBLE":
            error.field = "override"
        return await _referral_page(visit, target, form, _field_errors(visit, error))
    return visit.redirect(f"/coordinator/match/{target}")


@post("/coordinator/referrals/{referral_id:str}/return", include_in_schema=False)
async def return_(
    request: Request[Any, Any, Any], db_session: AsyncSession, referral_id: str
) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back=f"/coordinator/referrals/{referral_id}")
    target = record_id(referral_id)
    reasons = [line.strip() for line in form.get("reasons", "").splitlines() if line.strip()]
    try:
        await visit.call(referrals.return_referral, target, reasons=reasons, note=form.get("returnNote", ""))
    except DomainError as error:
        return await _referral_page(visit, target, form, _field_errors(visit, error))
    return visit.redirect(f"/coordinator/referrals/{target}")


# -- Registering and referring a client -----------------------------------------------------


async def register_and_refer(
    session: AsyncSession,
    actor: Actor,
    data: dict[str, Any],
    program_id: uuid.UUID,
    *,
    consent: bool,
    note: str,
) -> Referral:
    """One use case for the agency: the client's file and their referral, both or neither."""
    if not consent:
        raise DomainError("CONSENT_REQUIRED", field="consent")
    mentee = await mentees.register_mentee(session, actor, data)
    return await referrals.submit_referral(session, actor, mentee.id, program_id, consent=consent, note=note)


async def _client_page(
    visit: Visit, typed: Form | None = None, errors: dict[str, str] | None = None
) -> Template:
    assert visit.db is not None
    open_programs = [
        program for program in await programs.list_programs(visit.db) if program.accepting_referrals
    ]
    return visit.page(
        "coordinator/client.html",
        status_code=400 if errors else 200,
        programs=[
            (program.id, program.name_fr if visit.language == "fr" else program.name_en)
            for program in open_programs
        ],
        levels=[str(level) for level in range(1, 13)],
        statuses=[(status.value, visit.t(key)) for status, key in IMMIGRATION_STATUSES.items()],
        typed=typed
        or {"immigrationStatus": ImmigrationStatus.PERMANENT_RESIDENT.value, "language": visit.language},
        errors=errors or {},
    )


@get("/coordinator/clients/new", include_in_schema=False)
async def new_client(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    return await _client_page(await open_visit(request, db_session))


@post("/coordinator/clients/new", include_in_schema=False)
async def refer_client(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/coordinator/clients/new")
    data: dict[str, Any] = {field: form.get(name, "").strip() for name, field in CLIENT_FIELDS.items()}
    data["email"] = data["email"] or None
    language = form.get("language", "")
    data["preferred_language"] = Language(language) if language in set(Language) else Language.EN
    data["job_search_workshop"] = "jobSearchWorkshop" in form
    data["languages"] = [
        LanguageLevel(code, int(form[name]))
        for code, name in (("en", "englishClb"), ("fr", "frenchClb"))
        if form.get(name, "").isdigit()
    ]
    try:
        if data["immigration_status"] not in set(ImmigrationStatus):
            raise DomainError("REQUIRED", field="immigrationStatus")
        data["immigration_status"] = ImmigrationStatus(data["immigration_status"])
        await visit.call(
            register_and_refer,
            data,
            _program_id(form.get("programId", "")),
            consent="consent" in form,
            note=form.get("note", ""),
        )
    except DomainError as error:
        return await _client_page(visit, form, _field_errors(visit, error))
    return visit.redirect("/coordinator?referred=1")


def _program_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise DomainError("REQUIRED", field="programId") from None


# -- Proposals answered on a client's behalf -----------------------------------------------


@get("/coordinator/proposals", include_in_schema=False)
async def client_proposals(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    rows, _ = await visit.call(proposals.list_proposals)
    names = await mentee_names(db_session, [row.mentee_id for row in rows])
    mentors = await display_names(db_session, MentorProfile, (row.mentor_id for row in rows))
    program_names = await display_names(db_session, Program, (row.program_id for row in rows))
    owners = {
        mentee_id: owner
        for mentee_id, owner in await db_session.execute(
            select(MenteeProfile.id, MenteeProfile.owner_organization_id).where(
                col(MenteeProfile.id).in_({row.mentee_id for row in rows})
            )
        )
    }
    ours = visit.me.organization_id
    items = [
        {
            "id": row.id,
            "mentee": names.get(row.mentee_id, ""),
            "mentor": mentors.get(row.mentor_id, ""),
            "program": program_name(program_names, row.program_id, visit.language),
            "status": visit.t(PROPOSAL_STATUSES[proposals.effective_status(row)]),
            "can_answer": proposals.effective_status(row) == ProposalStatus.PENDING
            and row.mentee_answer == Answer.PENDING
            and owners.get(row.mentee_id) == ours
            and ours is not None
            and visit.me.is_staff_of(ours),
        }
        for row in rows
    ]
    return visit.page("coordinator/proposals.html", proposals=items)


@post("/coordinator/proposals/{proposal_id:str}", include_in_schema=False)
async def answer_for_client(
    request: Request[Any, Any, Any], db_session: AsyncSession, proposal_id: str
) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/coordinator/proposals")
    await visit.call(proposals.answer_proposal, record_id(proposal_id), accept=form.get("answer") == "accept")
    return visit.redirect("/coordinator/proposals")


# -- The waiting list and the matching board ------------------------------------------------


@get("/coordinator/waiting", include_in_schema=False)
async def waiting_lists(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    lists = []
    for program in await programs.list_programs(db_session, visit.me.organization_id):
        entries = await visit.call(waiting.waiting_list, program.id)
        names = await mentee_names(db_session, [entry.referral.mentee_id for entry in entries])
        lists.append(
            {
                "id": program.id,
                "program": program.name_fr if visit.language == "fr" else program.name_en,
                "entries": [
                    {
                        "referral": entry.referral.id,
                        "mentee": names.get(entry.referral.mentee_id, ""),
                        "days": entry.days_waiting,
                        "since": entry.waiting_since.date(),
                    }
                    for entry in entries
                ],
            }
        )
    return visit.page(
        "coordinator/waiting.html",
        lists=lists,
        modes=[(mode.value, visit.t(key)) for mode, key in COHORT_MODES.items()],
        error=request.query_params.get("error", "") == "empty",
    )


def _suggestion(visit: Visit, found: matching.Suggestion, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    records = sorted(
        (criterion.as_record() for criterion in found.candidate.criteria),
        key=lambda record: -record["weight"] * record["score"],
    )
    return {
        "mentor_id": found.mentor.id,
        "name": names.get(found.mentor.id, ""),
        "title": found.mentor.job_title,
        "city": found.mentor.city,
        "score": round(found.score * 100),
        "criteria": [
            {
                "name": explain.criterion_name(record["criterion"], visit.language),
                "explanation": explain.describe(record, visit.language),
                "points": round(record["weight"] * record["score"] * 100, 1),
            }
            for record in records
        ],
        "reasons": explain.exclusion_reasons(
            found.exclusion_reasons, [rule.as_record() for rule in found.failed_rules], visit.language
        ),
    }


async def _board(visit: Visit, referral_id: uuid.UUID, error: str = "") -> Template:
    assert visit.db is not None
    found = await visit.call(matching.suggest_mentors, referral_id)
    referral = await visit.call(referrals.get_referral, referral_id)
    mentee = await visit.db.get(MenteeProfile, referral.mentee_id)
    everyone = [*found.items, *found.excluded]
    names = await display_names(visit.db, MentorProfile, (item.mentor.id for item in everyone))
    return visit.page(
        "coordinator/board.html",
        status_code=400 if error else 200,
        referral_id=referral_id,
        name=_name(mentee),
        mentee=mentee,
        items=[_suggestion(visit, item, names) for item in found.items],
        excluded=[_suggestion(visit, item, names) for item in found.excluded],
        error=error,
        proposed=visit.request.query_params.get("proposed") == "1",
    )


@get("/coordinator/match/{referral_id:str}", include_in_schema=False)
async def board(request: Request[Any, Any, Any], db_session: AsyncSession, referral_id: str) -> Template:
    return await _board(await open_visit(request, db_session), record_id(referral_id))


@post("/coordinator/match/{referral_id:str}", include_in_schema=False)
async def propose(
    request: Request[Any, Any, Any], db_session: AsyncSession, referral_id: str
) -> Template | Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back=f"/coordinator/match/{referral_id}")
    target = record_id(referral_id)
    try:
        await visit.call(proposals.propose_match, target, record_id(form.get("mentorId", "")))
    except DomainError as error:
        if error.code == "NOT_FOUND":
            raise
        return await _board(visit, target, visit.t(error.message_key, **error.params))
    return visit.redirect(f"/coordinator/match/{target}?proposed=1")


# -- Cohort runs: drafts to review, send or set aside ---------------------------------------


@post("/coordinator/programs/{program_id:str}/cohort", include_in_schema=False)
async def run_cohort(request: Request[Any, Any, Any], db_session: AsyncSession, program_id: str) -> Redirect:
    form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/coordinator/waiting")
    mode = form.get("mode", "")
    try:
        run = await visit.call(
            cohorts.run_cohort,
            record_id(program_id),
            mode=CohortMode(mode) if mode in set(CohortMode) else CohortMode.MOST_MATCHED,
        )
    except DomainError as error:
        if error.code != "EMPTY_WAITING_LIST":
            raise
        return visit.redirect("/coordinator/waiting?error=empty")
    return visit.redirect(f"/coordinator/cohorts/{run.id}")


async def _cohort_page(visit: Visit, run_id: uuid.UUID, error: str = "") -> Template:
    assert visit.db is not None
    run = await visit.call(cohorts.get_cohort_run, run_id)
    rows = await cohorts.drafts(visit.db, run)
    names = await mentee_names(visit.db, [row.mentee_id for row in rows])
    mentors = await display_names(visit.db, MentorProfile, (row.mentor_id for row in rows))
    return visit.page(
        "coordinator/cohort.html",
        status_code=400 if error else 200,
        run=run,
        error=error,
        drafts=[
            {
                "id": row.id,
                "mentee": names.get(row.mentee_id, ""),
                "mentor": mentors.get(row.mentor_id, ""),
                "score": round(row.score * 100),
                "open": row.status == DraftStatus.DRAFT,
                "status": visit.t(DRAFT_STATUSES[row.status]),
                "why": "; ".join(explain.describe(record, visit.language) for record in row.explanation[:3]),
            }
            for row in rows
        ],
    )


@get("/coordinator/cohorts/{run_id:str}", include_in_schema=False)
async def cohort(request: Request[Any, Any, Any], db_session: AsyncSession, run_id: str) -> Template:
    return await _cohort_page(await open_visit(request, db_session), record_id(run_id))


@post("/coordinator/cohorts/{run_id:str}", include_in_schema=False)
async def decide_drafts(
    request: Request[Any, Any, Any], db_session: AsyncSession, run_id: str
) -> Template | Redirect:
    form = await read_form(request)
    path = f"/coordinator/cohorts/{run_id}"
    visit = await open_visit(request, db_session, form=form, back=path)
    target = record_id(run_id)
    chosen = [record_id(str(value)) for value in (await request.form()).getall("draftIds", [])]
    decide = cohorts.send_drafts if form.get("action") == "send" else cohorts.discard_drafts
    try:
        await visit.call(decide, target, chosen)
    except DomainError as error:
        if error.code == "NOT_FOUND":
            raise
        return await _cohort_page(visit, target, visit.t(error.message_key, **error.params))
    return visit.redirect(path)


# -- Mentorships: needing attention, and one for staff ----------------------------------


@get("/coordinator/mentorships", include_in_schema=False)
async def attention(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    ours = select(Program.id).where(Program.organization_id == visit.me.organization_id)
    rows = list(
        await db_session.scalars(
            select(Mentorship).where(
                col(Mentorship.program_id).in_(ours), mentorships.visible_mentorships(visit.me)
            )
        )
    )
    ids = [row.id for row in rows]
    minutes = {
        mentorship_id: total
        for mentorship_id, total in await db_session.execute(
            select(Meeting.mentorship_id, func.sum(Meeting.minutes))
            .where(col(Meeting.mentorship_id).in_(ids))
            .group_by(col(Meeting.mentorship_id))
        )
    }
    settings = await lifecycle.settings_by_program(db_session, list({row.program_id for row in rows}))
    recorded: dict[uuid.UUID, set[OutcomeStage]] = {}
    for mentorship_id, stage in await db_session.execute(
        select(Outcome.mentorship_id, Outcome.stage).where(col(Outcome.mentorship_id).in_(ids))
    ):
        recorded.setdefault(mentorship_id, set()).add(OutcomeStage(stage))
    due = {check_in.mentorship_id: check_in.due_on for check_in in await visit.call(lifecycle.due_check_ins)}
    today = clock.now().date()
    names = await mentee_names(db_session, [row.mentee_id for row in rows])
    mentors = await display_names(db_session, MentorProfile, (row.mentor_id for row in rows))
    items = []
    for row in sorted(rows, key=lambda row: row.planned_end):
        reasons = []
        if lifecycle.behind_schedule(settings[row.program_id], row, int(minutes.get(row.id) or 0), today):
            reasons.append(visit.t("web_coordinator.attention.behind"))
        if row.id in due:
            reasons.append(visit.t("web_coordinator.attention.check_in", date=due[row.id]))
        if row.status == MentorshipStatus.ACTIVE and row.planned_end <= today:
            reasons.append(visit.t("web_coordinator.attention.term_over", date=row.planned_end))
        outcome_due = _outcome_due(row, recorded.get(row.id, set()), today)
        if outcome_due is not None:
            reasons.append(visit.t("web_coordinator.attention.outcome", date=outcome_due))
        if reasons:
            items.append(
                {
                    "id": row.id,
                    "mentee": names.get(row.mentee_id, ""),
                    "mentor": mentors.get(row.mentor_id, ""),
                    "reasons": reasons,
                }
            )
    return visit.page("coordinator/attention.html", mentorships=items)


def _outcome_due(mentorship: Mentorship, recorded: set[OutcomeStage], today: date) -> date | None:
    """The earliest follow-up outcome of a closed mentorship that is due and not recorded."""
    for stage in OutcomeStage:
        due_on = mentorships.stage_due_on(mentorship, stage)
        if due_on is not None and due_on <= today and stage not in recorded:
            return due_on
    return None


async def _staff_mentorship_page(
    visit: Visit, mentorship_id: uuid.UUID, typed: Form | None = None, errors: dict[str, str] | None = None
) -> Template:
    assert visit.db is not None
    mentorship = await visit.call(mentorships.get_mentorship, mentorship_id)
    log = await visit.call(mentorships.meetings, mentorship)
    certificate = await visit.call(lifecycle.get_certificate, mentorship_id)
    follow_ups = await visit.call(lifecycle.check_ins, mentorship_id)
    names = await mentee_names(visit.db, [mentorship.mentee_id])
    mentors = await display_names(visit.db, MentorProfile, [mentorship.mentor_id])
    program_names = await display_names(visit.db, Program, [mentorship.program_id])
    return visit.page(
        "coordinator/mentorship.html",
        status_code=400 if errors else 200,
        mentorship=mentorship,
        mentee=names.get(mentorship.mentee_id, ""),
        mentor=mentors.get(mentorship.mentor_id, ""),
        program=program_name(program_names, mentorship.program_id, visit.language),
        status=visit.t(MENTORSHIP_STATUSES[mentorship.status]),
        active=mentorship.status == MentorshipStatus.ACTIVE,
        completed=mentorship.status == MentorshipStatus.COMPLETED,
        hours=round(sum(entry.meeting.minutes for entry in log) / 60, 1),
        meetings=len(log),
        kinds=[(kind.value, visit.t(key)) for kind, key in CLOSURE_KINDS.items()],
        pair_statuses=[(status.value, visit.t(key)) for status, key in PAIR_STATUSES.items()],
        check_ins=[
            {
                "id": row.id,
                "due": row.due_on,
                "done": row.done_at.date() if row.done_at else None,
                "status": visit.t(PAIR_STATUSES[row.pair_status]) if row.pair_status else "",
                "notes": row.notes,
                "open": row.done_at is None and row.due_on <= clock.now().date(),
            }
            for row in follow_ups
        ],
        certificate=f"/certificates/{certificate.id}.pdf" if certificate else None,
        typed=typed or {"kind": ClosureKind.MUTUAL_AGREEMENT.value},
        errors=errors or {},
    )


@get("/coordinator/mentorships/{mentorship_id:str}", include_in_schema=False)
async def staff_mentorship(
    request: Request[Any, Any, Any], db_session: AsyncSession, mentorship_id: str
) -> Template:
    return await _staff_mentorship_page(await open_visit(request, db_session), record_id(mentorship_id))


@post("/coordinator/mentorships/{mentorship_id:str}/check-ins/{check_in_id:str}", include_in_schema=False)
async def record_check_in(
    request: Request[Any, Any, Any], db_session: AsyncSession, mentorship_id: str, check_in_id: str
) -> Template | Redirect:
    form = await read_form(request)
    path = f"/coordinator/mentorships/{mentorship_id}"
    visit = await open_visit(request, db_session, form=form, back=path)
    value = form.get("pairStatus", "")
    try:
        if value not in set(PairStatus):
            raise DomainError("INVALID_INPUT", field="pairStatus")
        await visit.call(
            lifecycle.record_check_in,
            record_id(check_in_id),
            pair_status=PairStatus(value),
            notes=form.get("checkInNotes", ""),
        )
    except DomainError as error:
        if error.code == "NOT_FOUND":
            raise
        if error.field is None:
            error.field = "pairStatus"
        return await _staff_mentorship_page(
            visit, record_id(mentorship_id), form, _field_errors(visit, error)
        )
    return visit.redirect(path + "#check-ins")


@post("/coordinator/mentorships/{mentorship_id:str}/extend", include_in_schema=False)
async def extend(
    request: Request[Any, Any, Any], db_session: AsyncSession, mentorship_id: str
) -> Template | Redirect:
    form = await read_form(request)
    path = f"/coordinator/mentorships/{mentorship_id}"
    visit = await open_visit(request, db_session, form=form, back=path)
    target = record_id(mentorship_id)
    try:
        try:
            new_end = date.fromisoformat(form.get("newEnd", ""))
        except ValueError:
            raise DomainError("INVALID_DATE", field="newEnd") from None
        await visit.call(
            mentorships.extend_mentorship, target, new_end=new_end, reason=form.get("extendReason", "")
        )
    except DomainError as error:
        if error.field == "reason":
            error.field = "extendReason"
        return await _staff_mentorship_page(visit, target, form, _field_errors(visit, error))
    return visit.redirect(path)


@post("/coordinator/mentorships/{mentorship_id:str}/close", include_in_schema=False)
async def close(
    request: Request[Any, Any, Any], db_session: AsyncSession, mentorship_id: str
) -> Template | Redirect:
    form = await read_form(request)
    path = f"/coordinator/mentorships/{mentorship_id}"
    visit = await open_visit(request, db_session, form=form, back=path)
    target = record_id(mentorship_id)
    kind_value = form.get("kind", "")
    try:
        if kind_value not in set(ClosureKind):
            raise DomainError("INVALID_INPUT", field="kind")
        kind = ClosureKind(kind_value)
        status = MentorshipStatus.ENDED_EARLY if kind == ClosureKind.EARLY else MentorshipStatus.COMPLETED
        await visit.call(
            mentorships.close_mentorship, target, status=status, kind=kind, reason=form.get("reason", "")
        )
    except DomainError as error:
        return await _staff_mentorship_page(visit, target, form, _field_errors(visit, error))
    return visit.redirect(path)


@post("/coordinator/mentorships/{mentorship_id:str}/certificate", include_in_schema=False)
async def issue_certificate(
    request: Request[Any, Any, Any], db_session: AsyncSession, mentorship_id: str
) -> Redirect:
    form = await read_form(request)
    path = f"/coordinator/mentorships/{mentorship_id}"
    visit = await open_visit(request, db_session, form=form, back=path)
    await visit.call(lifecycle.issue_certificate, record_id(mentorship_id))
    return visit.redirect(path + "#certificate")


ROUTES = [
    inbox, referral, admit, return_, new_client, refer_client, client_proposals, answer_for_client,
    waiting_lists, board, propose, run_cohort, cohort, decide_drafts, attention, staff_mentorship,
    record_check_in, extend, close, issue_certificate,
]  # fmt: skip
