"""Certificates of completion: the PDF for the people concerned, and the public link
that tells a genuine certificate from an altered one."""

import io
import uuid
from urllib.parse import parse_qs, urlsplit

import pypdf
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import Certificate, MenteeProfile, MentorshipAgreement, MentorshipStatus
from core.services import mentorships, privacy
from tests.graphql_client import GraphQL
from tests.world import PASSWORD, World, active_mentorship

ISSUE = """mutation($id: UUID!) { issueCertificate(mentorshipId: $id) {
  id mentee mentor hours startedOn completedOn downloadPath verificationUrl } }"""
READ = "query($id: UUID!) { certificate(mentorshipId: $id) { id downloadPath } }"


async def completed_mentorship(sessions: async_sessionmaker[AsyncSession], world: World) -> uuid.UUID:
    mentorship_id = await active_mentorship(sessions, world)
    async with sessions() as session, session.begin():
        # A name outside French and English letters, to see it survive into the PDF.
        mentee = await session.get_one(MenteeProfile, world.mentee_ids["client"])
        mentee.last_name = "Haddad-Nguyễn"
        await session.flush()
        await mentorships.close_mentorship(
            session, world.actors["hub_coordinator"], mentorship_id, status=MentorshipStatus.COMPLETED
        )
    return mentorship_id


async def issued(graphql: GraphQL, sessions, world: World) -> tuple[uuid.UUID, dict]:  # type: ignore[type-arg]
    mentorship_id = await completed_mentorship(sessions, world)
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    certificate = (await graphql.execute(ISSUE, {"id": str(mentorship_id)}, token=hub))["issueCertificate"]
    return mentorship_id, certificate


def verify_path(certificate: dict, signature: str | None = None) -> str:  # type: ignore[type-arg]
    url = urlsplit(certificate["verificationUrl"])
    given = signature if signature is not None else parse_qs(url.query)["signature"][0]
    return f"{url.path}?signature={given}"


async def test_the_people_concerned_download_the_pdf(graphql: GraphQL, sessions, world: World) -> None:
    mentorship_id, certificate = await issued(graphql, sessions, world)
    assert certificate["downloadPath"] == f"/certificates/{certificate['id']}.pdf"
    for person in ("client", "mentor", "hub_coordinator"):
        token = await graphql.sign_in(world.emails[person], PASSWORD)
        listed = (await graphql.execute(READ, {"id": str(mentorship_id)}, token=token))["certificate"]
        assert listed["id"] == certificate["id"]
        response = await graphql.client.get(
            certificate["downloadPath"], headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
        text = " ".join(text.split())
        assert "Attestation de réussite" in text and "Certificate of completion" in text
        assert "Amina Haddad-Nguyen" in text and "Mentor" in text
        assert "Mentorat professionnel" in text and "Career Mentoring" in text
        assert certificate["id"] in text


async def test_others_get_no_pdf(graphql: GraphQL, sessions, world: World) -> None:
    _, certificate = await issued(graphql, sessions, world)
    path = certificate["downloadPath"]
    assert (await graphql.client.get(path)).status_code == 401
    for person in ("other_coordinator", "mentor_two"):
        token = await graphql.sign_in(world.emails[person], PASSWORD)
        response = await graphql.client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
    token = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    for wrong in (
        f"/certificates/{uuid.uuid4()}.pdf",
        f"/certificates/{certificate['id']}.txt",
        "/certificates/x.pdf",
    ):
        response = await graphql.client.get(wrong, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 404


async def test_the_verification_link_confirms_a_genuine_certificate(
    graphql: GraphQL, sessions, world: World
) -> None:
    _, certificate = await issued(graphql, sessions, world)
    assert certificate["verificationUrl"].startswith("http")
    response = await graphql.client.get(verify_path(certificate), headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["message"] == "Cette attestation est authentique."
    assert (body["certificateId"], body["mentee"], body["mentor"]) == (
        certificate["id"],
        "Amina Haddad-Nguyễn",
        "Mentor",
    )
    assert (body["programEn"], body["programFr"]) == ("Career Mentoring", "Mentorat professionnel")
    assert (body["startedOn"], body["completedOn"], body["hours"]) == (
        certificate["startedOn"],
        certificate["completedOn"],
        certificate["hours"],
    )


async def test_an_altered_signature_is_rejected(graphql: GraphQL, sessions, world: World) -> None:
    _, certificate = await issued(graphql, sessions, world)
    signature = parse_qs(urlsplit(certificate["verificationUrl"]).query)["signature"][0]
    altered = ("A" if signature[0] != "A" else "B") + signature[1:]
    for wrong in (altered, "", signature[:-1]):
        for language, word in (("en", "not genuine"), ("fr", "pas authentique")):
            response = await graphql.client.get(
                verify_path(certificate, wrong), headers={"Accept-Language": language}
            )
            assert response.status_code == 400
            assert response.json()["code"] == "CERTIFICATE_INVALID"
            assert word in response.json()["message"]
    unknown = await graphql.client.get(f"/certificates/{uuid.uuid4()}/verify?signature={signature}")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "CERTIFICATE_NOT_FOUND")


async def test_a_certificate_changed_in_the_database_is_rejected(
    graphql: GraphQL, sessions, world: World
) -> None:
    _, certificate = await issued(graphql, sessions, world)
    async with sessions() as session, session.begin():
        row = await session.get_one(Certificate, uuid.UUID(certificate["id"]))
        row.content = {**row.content, "hours": 240.0}
    response = await graphql.client.get(verify_path(certificate))
    assert (response.status_code, response.json()["code"]) == (400, "CERTIFICATE_INVALID")


async def test_anonymizing_the_newcomer_withdraws_the_certificate(
    graphql: GraphQL, sessions, world: World
) -> None:
    mentorship_id, certificate = await issued(graphql, sessions, world)
    async with sessions() as session, session.begin():
        await privacy.anonymize_person(
            session, world.actors["agency_admin"], mentee_id=world.mentee_ids["client"]
        )
    response = await graphql.client.get(verify_path(certificate))
    assert (response.status_code, response.json()["code"]) == (404, "CERTIFICATE_NOT_FOUND")
    async with sessions() as session:
        agreement = await session.get_one(MentorshipAgreement, mentorship_id)
        assert (agreement.document_en, agreement.document_fr, agreement.goals) == ("", "", [])
