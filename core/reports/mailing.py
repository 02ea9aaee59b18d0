"""The ``mail_report_export`` job: the report a person asked for by mail
(``core.services.reports.request_export``), built when the job runs as they may see it
then, and mailed to them as a CSV or XLSX attachment in the language they asked in.

Their access is checked again: someone who lost their role or left the organization
since asking gets a short notice instead of the report; a disabled account gets
nothing. A refusal is final (no retry), any other failure is retried by the runner."""

import logging
import uuid
from datetime import date

from core.errors import DomainError
from core.i18n import translate
from core.jobs.queue import queue_mail
from core.jobs.registry import JobContext
from core.mail import Attachment, Mail
from core.models import User
from core.reports.exports import to_csv, to_xlsx
from core.reports.table import file_name, title
from core.services import reports
from core.services.reports import ExportFormat

log = logging.getLogger(__name__)

# Plain types: ``Mail`` writes the type's parameters apart, and Excel finds the
# encoding of the CSV from its byte order mark.
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _optional_id(text: str | None) -> uuid.UUID | None:
    return uuid.UUID(text) if text else None


async def mail_report_export(
    context: JobContext,
    *,
    user_id: str,
    acting_for: str,
    start: str,
    end: str,
    program_id: str | None,
    organization_id: str | None,
    export_format: str,
    language: str,
) -> None:
    chosen = ExportFormat(export_format)
    async with context.sessions() as session, session.begin():
        actor = await reports.actor_of(session, uuid.UUID(user_id), uuid.UUID(acting_for))
        if actor is None:
            log.info("report export for a disabled account dropped")
            return
        user = await session.get_one(User, actor.user_id)
        try:
            found = await reports.report(
                session,
                actor,
                start=date.fromisoformat(start),
                end=date.fromisoformat(end),
                program_id=_optional_id(program_id),
                organization_id=_optional_id(organization_id),
            )
        except DomainError as refusal:
            log.info("report export refused when built: %s", refusal.code)
            params = {"name": user.display_name, "start": start, "end": end}
            await queue_mail(
                session,
                Mail(
                    to=user.email,
                    subject=translate("mail.report_export_refused.subject", language, **params),
                    text=translate("mail.report_export_refused.body", language, **params),
                    language=language,
                ),
            )
            return
        content = to_csv(found, language) if chosen == ExportFormat.CSV else to_xlsx(found, language)
        params = {"name": user.display_name, "title": title(found, language)}
        await queue_mail(
            session,
            Mail(
                to=user.email,
                subject=translate("mail.report_export.subject", language, **params),
                text=translate("mail.report_export.body", language, **params),
                language=language,
                attachments=(Attachment(file_name(found, chosen.value), content, CONTENT_TYPES[chosen]),),
            ),
        )
