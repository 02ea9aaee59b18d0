"""The reports' pages: pick a scope and a period, read each section as a table beside
its chart, download it as CSV or XLSX, or have it mailed.

Everything goes through ``core.services.reports`` as the signed-in person, so the
lead organization and funders see aggregates with small cells suppressed, a program's
organization sees its own in full, and another organization's program answers 404."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.access import READING_STAFF_ROLES, Actor
from core.errors import DomainError, NotFound
from core.models import Organization
from core.reports.chart import formatted, svg
from core.services import organizations, programs
from core.services import reports as report_service
from core.services.reports import OVERSEERS, ExportFormat, Report
from core.web.base import Visit, open_visit
from core.web.pages import Form, read_form

COLLABORATIVE = "collaborative"
# DomainError.field of the period checks to the page's inputs.
PERIOD_FIELDS = {"period.start": "start", "period.end": "end", "start": "start", "end": "end"}


@dataclass(frozen=True)
class Choice:
    """What the person asked for: the scope (``collaborative``, ``organization:<id>`` or
    ``program:<id>``) and the period, as typed."""

    scope: str
    start: str
    end: str

    def ids(self) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        """(program id, organization id); an unknown scope is a page that does not exist."""
        if self.scope == COLLABORATIVE:
            return None, None
        kind, _, text = self.scope.partition(":")
        try:
            identifier = uuid.UUID(text)
        except ValueError:
            raise NotFound() from None
        if kind == "program":
            return identifier, None
        if kind == "organization":
            return None, identifier
        raise NotFound()

    def query(self) -> dict[str, str]:
        program_id, organization_id = self.ids()
        parameters = {"start": self.start, "end": self.end}
        if program_id:
            parameters["programId"] = str(program_id)
        if organization_id:
            parameters["organizationId"] = str(organization_id)
        return parameters


def _default_period() -> tuple[date, date]:
    """The last twelve months, today included."""
    today = clock.now().date()
    return today.replace(year=today.year - 1) + timedelta(days=1), today + timedelta(days=1)


async def _overseer(db: AsyncSession, actor: Actor) -> bool:
    own = actor.require_role(*READING_STAFF_ROLES)
    organization = await db.get(Organization, own)
    return organization is not None and organization.kind in OVERSEERS


async def _scopes(visit: Visit) -> list[dict[str, str]]:
    """The scopes the person may pick: the collaborative and every organization for the
    lead organization and funders, else their own organization; and those programs."""
    assert visit.db is not None
    actor = visit.me
    overseer = await _overseer(visit.db, actor)
    every = await organizations.list_organizations(visit.db)
    shown = every if overseer else [o for o in every if o.id == actor.organization_id]
    names = {o.id: (o.name_fr if visit.language == "fr" else o.name_en) for o in every}
    options = [{"value": COLLABORATIVE, "label": visit.t("report.scope.collaborative")}] if overseer else []
    options += [
        {
            "value": f"organization:{shown_one.id}",
            "label": visit.t("web.reports.scope.organization", name=names[shown_one.id]),
        }
        for shown_one in shown
    ]
    for program in await programs.list_programs(visit.db, None if overseer else actor.organization_id):
        options.append(
            {
                "value": f"program:{program.id}",
                "label": visit.t(
                    "web.reports.scope.program",
                    name=program.name_fr if visit.language == "fr" else program.name_en,
                    organization=names.get(program.organization_id, ""),
                ),
            }
        )
    return options


def _choice(visit: Visit, params: Any, overseer: bool) -> Choice:
    start, end = _default_period()
    default_scope = COLLABORATIVE if overseer else f"organization:{visit.me.organization_id}"
    return Choice(
        scope=str(params.get("scope") or default_scope),
        start=str(params.get("start") or start.isoformat()),
        end=str(params.get("end") or end.isoformat()),
    )


def _dates(choice: Choice) -> tuple[date, date]:
    """The period's dates, or a refusal naming the field that is not a date."""
    found = []
    for name in ("start", "end"):
        try:
            found.append(date.fromisoformat(getattr(choice, name)))
        except ValueError:
            raise DomainError("INVALID_DATE", field=name) from None
    return found[0], found[1]


async def _build(visit: Visit, choice: Choice) -> Report:
    program_id, organization_id = choice.ids()
    start, end = _dates(choice)
    return await visit.call(
        report_service.report, start=start, end=end, program_id=program_id, organization_id=organization_id
    )


def _sections(report: Report, language: str) -> list[dict[str, Any]]:
    return [
        {
            "key": section.key,
            "title": section.title(language),
            "description": section.description(language),
            # Our own SVG (core.reports.chart), every text in it escaped there.
            "chart": Markup(svg(section, language)),
            "rows": [
                {
                    "label": row.label(language),
                    "value": formatted(row, language),
                    "suppressed": row.suppressed,
                }
                for row in section.rows
            ],
        }
        for section in report.sections
    ]


async def _report_page(visit: Visit, choice: Choice, *, mailed_to: str = "", status: int = 200) -> Template:
    scopes = await _scopes(visit)
    errors: dict[str, str] = {}
    report = None
    try:
        report = await _build(visit, choice)
    except DomainError as error:
        field = PERIOD_FIELDS.get(error.field or "")
        if field is None:
            raise
        errors[field] = visit.t(error.message_key, **error.params)
        status = 400
    # A scope given by link but not among the choices (another organization's) was
    # refused by the service above; one among them stays selected.
    return visit.page(
        "reports/report.html",
        status_code=status,
        choice=choice,
        scopes=scopes,
        errors=errors,
        report=report,
        heading=visit.t(
            "report.title",
            scope=report.scope_names[visit.language],
            start=report.start.isoformat(),
            end=report.end.isoformat(),
        )
        if report
        else "",
        sections=_sections(report, visit.language) if report else [],
        query=choice.query() if report else {},
        mailed_to=mailed_to,
        formats=[ExportFormat.XLSX.value, ExportFormat.CSV.value],
    )


@get("/reports", include_in_schema=False)
async def report_page(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    overseer = await _overseer(db_session, visit.me)
    return await _report_page(visit, _choice(visit, request.query_params, overseer))


@post("/reports/mail", include_in_schema=False)
async def mail_report(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    form: Form = await read_form(request)
    visit = await open_visit(request, db_session, form=form, back="/reports")
    overseer = await _overseer(db_session, visit.me)
    choice = _choice(visit, form, overseer)
    try:
        export_format = ExportFormat(form.get("format", ""))
    except ValueError:
        export_format = ExportFormat.XLSX
    program_id, organization_id = choice.ids()
    try:
        start, end = _dates(choice)
        email = await visit.call(
            report_service.request_export,
            start=start,
            end=end,
            export_format=export_format,
            language=visit.language,
            program_id=program_id,
            organization_id=organization_id,
        )
    except DomainError as error:
        if PERIOD_FIELDS.get(error.field or "") is None:
            raise
        return await _report_page(visit, choice)
    return await _report_page(visit, choice, mailed_to=email)


ROUTES = [report_page, mail_report]
