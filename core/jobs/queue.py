"""Enqueueing a job in the caller's transaction, whichever runner will run it."""

import base64
import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.mail import Attachment, Mail
from core.models import Job

# The job names, shared by the use cases that enqueue them and the definitions.
DELIVER_MAIL = "deliver_mail"
SCAN_DUE_REMINDERS = "scan_due_reminders"

# procrastinate's own deferral function (its schema, version 3): called through the
# caller's connection, the job commits or rolls back with the use case.
_PROCRASTINATE_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW("
    "'default', CAST(:task AS varchar), 0, NULL, NULL, CAST(:args AS jsonb), NULL"
    ")::procrastinate_job_to_defer_v1])"
)


def is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def enqueue(session: AsyncSession, name: str, **args: Any) -> None:
    """Run job ``name`` with ``args`` (JSON values) once the caller's transaction commits."""
    if is_postgresql(session):
        await session.execute(_PROCRASTINATE_DEFER, {"task": name, "args": json.dumps(args)})
    else:
        session.add(Job(name=name, args=args, run_at=clock.now()))


def mail_args(mail: Mail) -> dict[str, Any]:
    """``mail`` as the JSON arguments of a ``deliver_mail`` job."""
    return {
        "to": mail.to,
        "subject": mail.subject,
        "text": mail.text,
        "html": mail.html,
        "language": mail.language,
        "attachments": [
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "content": base64.b64encode(attachment.content).decode("ascii"),
            }
            for attachment in mail.attachments
        ],
    }


def mail_of(args: dict[str, Any]) -> Mail:
    return Mail(
        to=args["to"],
        subject=args["subject"],
        text=args["text"],
        html=args.get("html"),
        language=args.get("language"),
        attachments=tuple(
            Attachment(item["filename"], base64.b64decode(item["content"]), item["content_type"])
            for item in args.get("attachments", [])
        ),
    )


async def queue_mail(session: AsyncSession, mail: Mail) -> None:
    """Send ``mail`` from a job once the caller's transaction commits; a failed delivery
    is retried."""
    await enqueue(session, DELIVER_MAIL, mail=mail_args(mail))
