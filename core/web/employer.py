"""The employer representative's page: the employer's programs and its mentors, read
only (``core.services.employers``)."""

from typing import Any

from litestar import Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import employers
from core.web.base import open_visit


@get("/employer", include_in_schema=False)
async def employer_page(request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
    visit = await open_visit(request, db_session)
    view = await visit.call(employers.employer_overview)
    return visit.page(
        "employer/overview.html",
        programs=[
            program.name_fr if visit.language == "fr" else program.name_en for program in view.programs
        ],
        mentors=[
            {
                "name": name,
                "job_title": mentor.job_title,
                "active": mentor.is_active,
                "capacity": mentor.capacity,
                "taken": view.taken.get(mentor.id, 0),
            }
            for mentor, name in view.mentors
        ],
    )


ROUTES = [employer_page]
