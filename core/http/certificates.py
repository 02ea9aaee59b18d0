"""Certificates of completion: the PDF for the people it concerns, and the public
verification link printed on it.

``GET /certificates/<id>.pdf``: the bilingual PDF (French, then English), for the
newcomer, the mentor and the program's staff (Bearer token, or the session cookie with
its CSRF header). It is drawn from the certificate's stored, signed content, so every
download shows the same certificate.

``GET /certificates/<id>/verify?signature=...``: anyone. Answers what the certificate
states when the signature is the one issued and the stored content still matches it;
``CERTIFICATE_INVALID`` when either was altered, ``CERTIFICATE_NOT_FOUND`` when there is
no such certificate.
"""

import unicodedata
import uuid
from datetime import date
from typing import Any, TypedDict

from babel.dates import format_date
from fpdf import FPDF
from litestar import MediaType, Request, Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import unit_of_work
from core.errors import DomainError, NotFound
from core.http.sessions import error_json, refusal_spec, request_language, request_token
from core.i18n import translate
from core.models import Certificate
from core.services import accounts, lifecycle

ORGANIZATION_HEADER = "tremplin-organization"
# The PDF core fonts cover Windows-1252, which holds French and English; any other
# letter is written without its accents (or as "?"), rather than embedding a font.
PDF_ENCODING = "windows-1252"
REFUSAL_STATUS = {"UNAUTHENTICATED": 401, "NOT_FOUND": 404, "CERTIFICATE_NOT_FOUND": 404}


def _printable(text: str) -> str:
    try:
        text.encode(PDF_ENCODING)
        return text
    except UnicodeEncodeError:
        pass
    kept = []
    for character in text:
        try:
            character.encode(PDF_ENCODING)
            kept.append(character)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", character).encode("ascii", "ignore").decode()
            kept.append(base or "?")
    return "".join(kept)


def _section(pdf: FPDF, certificate: Certificate, language: str) -> None:
    content = certificate.content

    def day(iso: str) -> str:
        return format_date(date.fromisoformat(iso), "long", locale=language)

    pdf.set_font("Helvetica", style="B", size=20)
    pdf.multi_cell(
        0,
        12,
        _printable(translate("lifecycle.certificate.title", language)),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", size=13)
    body = translate(
        "lifecycle.certificate.body",
        language,
        mentee=content["mentee"],
        mentor=content["mentor"],
        program=content["program_fr" if language == "fr" else "program_en"],
        start=day(content["started_on"]),
        end=day(content["completed_on"]),
        hours=format_hours(content["hours"], language),
    )
    pdf.multi_cell(0, 8, _printable(body), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", size=9)
    number = translate(
        "lifecycle.certificate.number", language, id=certificate.id, date=day(content["issued_on"])
    )
    pdf.multi_cell(0, 5, _printable(number), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)


def format_hours(hours: float, language: str) -> str:
    text = f"{hours:g}"
    return text.replace(".", ",") if language == "fr" else text


def certificate_pdf(certificate: Certificate) -> bytes:
    pdf = FPDF(orientation="landscape", format="letter")
    pdf.core_fonts_encoding = PDF_ENCODING
    pdf.set_title(_printable(certificate.content["mentee"]))
    pdf.set_creation_date(certificate.issued_at)
    pdf.add_page()
    pdf.set_margins(25, 20, 25)
    pdf.set_y(20)
    for language in ("fr", "en"):
        _section(pdf, certificate, language)
    link = lifecycle.verification_url(certificate)
    pdf.set_font("Helvetica", size=9)
    verify = " / ".join(translate("lifecycle.certificate.verify", language) for language in ("fr", "en"))
    pdf.multi_cell(0, 5, _printable(verify), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 160)
    pdf.multi_cell(0, 5, link, align="C", link=link, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _actor_request(request: Request[Any, Any, Any]) -> tuple[str | None, str | None]:
    return request_token(request), request.headers.get(ORGANIZATION_HEADER) or None


@get(
    "/certificates/{file_name:str}",
    media_type="application/pdf",
    response_description="The certificate as a PDF (``<certificate id>.pdf``).",
    responses={
        401: refusal_spec("UNAUTHENTICATED: sign in first."),
        403: refusal_spec("CSRF_TOKEN_INVALID: the session cookie came without its CSRF header."),
        404: refusal_spec("NOT_FOUND: no such certificate, or not one of the caller's."),
    },
)
async def download_certificate(
    request: Request[Any, Any, Any], db_session: AsyncSession, file_name: str
) -> Response[Any]:
    token, organization = _actor_request(request)
    try:
        stem, _, extension = file_name.rpartition(".")
        try:
            certificate_id = uuid.UUID(stem)
        except ValueError:
            raise NotFound() from None
        if extension != "pdf":
            raise NotFound()
        async with unit_of_work(db_session):
            actor = await accounts.resolve_actor(db_session, token, organization)
            certificate = await lifecycle.certificate_for_download(db_session, actor, certificate_id)
    except DomainError as error:
        return error_json(request, error, REFUSAL_STATUS.get(error.code, 404))
    return Response(
        certificate_pdf(certificate),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{certificate.id}.pdf"'},
    )


class VerifiedCertificate(TypedDict):
    valid: bool
    message: str
    certificateId: str
    mentee: str
    mentor: str
    programEn: str
    programFr: str
    startedOn: str
    completedOn: str
    hours: float
    issuedOn: str


@get(
    "/certificates/{certificate_id:uuid}/verify",
    media_type=MediaType.JSON,
    response_description="The certificate is genuine: what it states.",
    responses={
        400: refusal_spec("CERTIFICATE_INVALID: the signature or the certificate was altered."),
        404: refusal_spec("CERTIFICATE_NOT_FOUND: no certificate has this number."),
    },
)
async def verify_certificate(
    request: Request[Any, Any, Any], db_session: AsyncSession, certificate_id: uuid.UUID, signature: str
) -> Response[Any]:
    try:
        async with unit_of_work(db_session):
            certificate = await lifecycle.verify_certificate(db_session, certificate_id, signature)
    except DomainError as error:
        return error_json(request, error, REFUSAL_STATUS.get(error.code, 400))
    content = certificate.content
    settings = request.app.state.settings
    return Response(
        VerifiedCertificate(
            valid=True,
            message=translate("lifecycle.certificate.genuine", request_language(request, settings)),
            certificateId=str(certificate.id),
            mentee=content["mentee"],
            mentor=content["mentor"],
            programEn=content["program_en"],
            programFr=content["program_fr"],
            startedOn=content["started_on"],
            completedOn=content["completed_on"],
            hours=content["hours"],
            issuedOn=content["issued_on"],
        )
    )


ROUTES = [download_certificate, verify_certificate]
