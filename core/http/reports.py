"""Report downloads: ``GET /reports/export.csv`` and ``GET /reports/export.xlsx`` with
the ``report`` query's parameters (``start``, ``end``, and ``programId`` or
``organizationId``), for the same people and with the same suppression. A refusal is
JSON ``{code, message}`` in the caller's language."""

import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import unit_of_work
from core.errors import DomainError
from core.http.sessions import error_json, refusal_spec, request_language, request_token
from core.reports.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, to_csv, to_xlsx
from core.reports.table import file_name
from core.services import accounts, reports
from core.services.reports import Report
from core.settings import Settings

ORGANIZATION_HEADER = "tremplin-organization"
STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "OPERATION_NOT_GRANTED": 403, "NOT_FOUND": 404}
OPERATION = "report"  # the GraphQL root field whose data the exports carry
REFUSALS = {
    400: refusal_spec(
        "INVALID_INPUT (a date or an id that is not one), REPORT_PERIOD_EMPTY, REPORT_PERIOD_TOO_LONG, "
        "REPORT_SCOPE_CONFLICT (both programId and organizationId)."
    ),
    401: refusal_spec("UNAUTHENTICATED: no valid token or session."),
    403: refusal_spec(
        "FORBIDDEN: the caller's role sees no reports (or the collaborative's); OPERATION_NOT_GRANTED: "
        "an integration client not granted the report query; CSRF_TOKEN_INVALID."
    ),
    404: refusal_spec("NOT_FOUND: no such program or organization, or another organization's."),
}


def _date(text: str | None, field: str) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        raise DomainError("INVALID_INPUT", field=field) from None


def _id(text: str | None, field: str) -> uuid.UUID | None:
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise DomainError("INVALID_INPUT", field=field) from None


async def _export(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    parameters: dict[str, str | None],
    extension: str,
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    language = request_language(request, settings)
    try:
        async with unit_of_work(db_session):
            actor = await accounts.resolve_actor(
                db_session, request_token(request), request.headers.get(ORGANIZATION_HEADER) or None
            )
            if actor.operations is not None and OPERATION not in actor.operations:
                # An integration client reaches the exports only if granted the report query.
                raise DomainError("OPERATION_NOT_GRANTED")
            found: Report = await reports.report(
                db_session,
                actor,
                start=_date(parameters["start"], "start"),
                end=_date(parameters["end"], "end"),
                program_id=_id(parameters["programId"], "programId"),
                organization_id=_id(parameters["organizationId"], "organizationId"),
            )
    except DomainError as error:
        return error_json(request, error, STATUS.get(error.code, 400))
    if not request.headers.get("accept-language"):
        # Without a stated choice, the person's saved preference (as GraphQL does).
        language = actor.language.value
    body, media_type = (
        (to_csv(found, language), CSV_MEDIA_TYPE)
        if extension == "csv"
        else (to_xlsx(found, language), XLSX_MEDIA_TYPE)
    )
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{file_name(found, extension)}"'},
    )


@get(
    "/reports/export.csv",
    media_type=CSV_MEDIA_TYPE,
    response_description="The report as CSV, an attachment.",
    responses=REFUSALS,
)
async def export_csv(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    start: str | None = None,
    end: str | None = None,
    program_id: Annotated[str | None, QueryParameter(name="programId")] = None,
    organization_id: Annotated[str | None, QueryParameter(name="organizationId")] = None,
) -> Response[bytes]:
    """The report as CSV (UTF-8 with a byte order mark, for Excel)."""
    parameters = {"start": start, "end": end, "programId": program_id, "organizationId": organization_id}
    return await _export(request, db_session, parameters, "csv")


@get(
    "/reports/export.xlsx",
    media_type=XLSX_MEDIA_TYPE,
    response_description="The report as an XLSX workbook, an attachment.",
    responses=REFUSALS,
)
async def export_xlsx(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    start: str | None = None,
    end: str | None = None,
    program_id: Annotated[str | None, QueryParameter(name="programId")] = None,
    organization_id: Annotated[str | None, QueryParameter(name="organizationId")] = None,
) -> Response[bytes]:
    """The report as an XLSX workbook."""
    parameters = {"start": start, "end": end, "programId": program_id, "organizationId": organization_id}
    return await _export(request, db_session, parameters, "xlsx")
