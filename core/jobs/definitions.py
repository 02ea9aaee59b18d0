"""The job definitions: the one list both runners run."""

from typing import Any

from core.jobs.queue import DELIVER_MAIL, SCAN_DUE_REMINDERS, mail_of
from core.jobs.registry import JobContext, JobDefinition
from core.jobs.reminders import scan_due_reminders
from core.reports.mailing import mail_report_export
from core.services.reports import MAIL_REPORT_EXPORT


async def deliver_mail(context: JobContext, mail: dict[str, Any]) -> None:
    """Hand one message to the mailer; a refusal (SMTP down) raises, so it is retried."""
    await context.mailer.send(mail_of(mail))


DEFINITIONS: dict[str, JobDefinition] = {
    definition.name: definition
    for definition in (
        JobDefinition(DELIVER_MAIL, deliver_mail),
        JobDefinition(SCAN_DUE_REMINDERS, scan_due_reminders, periodic=True),
        JobDefinition(MAIL_REPORT_EXPORT, mail_report_export),
    )
}


def retry_delay_seconds(retry_seconds: int, attempts: int) -> int:
    """The wait before the next run of a job that failed ``attempts`` times."""
    return retry_seconds * attempts
