"""The whole mentoring flow through /graphql, as the four people who live it."""

from core import clock
from tests.graphql_client import GraphQL
from tests.world import PASSWORD, World

REGISTER = """
mutation($input: MenteeInput!, $password: String) {
  registerMentee(input: $input, accountPassword: $password) { id accessGrounds firstName caseNotes }
}"""
REFER = """
mutation($input: ReferralInput!) {
  submitReferral(input: $input) { id status eligibility { rule passed message } }
}"""
INCOMING = """
{ referrals(direction: INCOMING, status: SUBMITTED) {
    totalCount items { id referringOrganization { slug } mentee { firstName accessGrounds caseNotes } } } }"""
SUGGEST = """
query($id: UUID!) { suggestions(referralId: $id, limit: 3) { items {
  rank score mentor { id displayName remainingCapacity } criteria { criterion score explanation } } } }"""
PROPOSE = """
mutation($referral: UUID!, $mentor: UUID!) {
  proposeMatch(referralId: $referral, mentorId: $mentor) { id status score criteria { explanation } } }"""
ANSWER = """
mutation($id: UUID!) { answerProposal(id: $id, accept: true) { status menteeAnswer mentorAnswer } }"""
MY_MENTORSHIPS = """
{ mentorships { totalCount items { id status hoursLogged
    mentor { displayName } mentee { firstName lastName email accessGrounds caseNotes } } } }"""
LOG = """
mutation($input: MeetingInput!) { logMeeting(input: $input) { id minutes mode notes } }"""


async def test_agency_program_mentor_and_mentee_walk_the_whole_flow(graphql: GraphQL, world: World) -> None:
    agency = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    mentor = await graphql.sign_in(world.emails["mentor"], PASSWORD)

    # 1. The agency registers its client, with an account, and refers them with consent.
    client_input = {
        "firstName": "Nadia",
        "lastName": "Benali",
        "email": "nadia@example.org",
        "immigrationStatus": "CONVENTION_REFUGEE",
        "countryOfTraining": "DZ",
        "targetNoc": "21231",
        "languages": [{"language": "fr", "clb": 10}, {"language": "en", "clb": 6}],
        "preferredLanguage": "FR",
        "city": "Ottawa",
        "careerGoal": "Développeuse logiciel",
        "jobSearchWorkshop": True,
        "caseNotes": "Needs evening meetings (childcare)",
    }
    registered = await graphql.execute(REGISTER, {"input": client_input, "password": PASSWORD}, token=agency)
    mentee_id = registered["registerMentee"]["id"]
    assert registered["registerMentee"]["accessGrounds"] == "OWNER"
    assert registered["registerMentee"]["caseNotes"] == "Needs evening meetings (childcare)"
    referral = (
        await graphql.execute(
            REFER,
            {"input": {"menteeId": mentee_id, "programId": str(world.program_id), "consent": True}},
            token=agency,
            language="fr",
        )
    )["submitReferral"]
    assert referral["status"] == "SUBMITTED"
    assert all(check["passed"] for check in referral["eligibility"])
    assert "Niveaux de compétence linguistique canadiens" in " ".join(
        check["message"] for check in referral["eligibility"]
    )

    # 2. The program coordinator (another organization) sees the referral and the
    # file it grants, without the agency's case notes, and admits the client.
    inbox = (await graphql.execute(INCOMING, token=hub))["referrals"]
    assert inbox["totalCount"] == 1
    assert inbox["items"][0]["referringOrganization"]["slug"] == "agency"
    assert inbox["items"][0]["mentee"] == {
        "firstName": "Nadia",
        "accessGrounds": "REFERRAL",
        "caseNotes": None,
    }
    admitted = await graphql.execute(
        'mutation($id: UUID!) { admitReferral(id: $id, note: "Welcome") { status } }',
        {"id": referral["id"]},
        token=hub,
    )
    assert admitted["admitReferral"]["status"] == "ADMITTED"

    # 3. Suggestions come with their explanation, in the coordinator's language.
    suggestions = (await graphql.execute(SUGGEST, {"id": referral["id"]}, token=hub, language="fr"))[
        "suggestions"
    ]["items"]
    assert suggestions[0]["mentor"]["id"] == str(world.mentor_ids["mentor"])
    assert str(world.mentor_ids["mentor_private"]) not in {s["mentor"]["id"] for s in suggestions}
    best = suggestions[0]
    assert best["score"] > suggestions[1]["score"]
    explanations = {c["criterion"]: c["explanation"] for c in best["criteria"]}
    assert explanations["occupation"] == (
        "Même profession : Ingénieurs/ingénieures et concepteurs/conceptrices en logiciel (21231)"
    )
    assert explanations["language"] == "Parle la langue de service (français), et aussi : anglais"
    assert [suggestion["rank"] for suggestion in suggestions] == list(range(1, len(suggestions) + 1))

    # 4. Proposal; the mentor and then the newcomer accept; the mentorship starts.
    proposal = (
        await graphql.execute(
            PROPOSE, {"referral": referral["id"], "mentor": best["mentor"]["id"]}, token=hub
        )
    )["proposeMatch"]
    assert proposal["status"] == "PENDING"
    assert (await graphql.execute(ANSWER, {"id": proposal["id"]}, token=mentor))["answerProposal"] == {
        "status": "PENDING",
        "menteeAnswer": "PENDING",
        "mentorAnswer": "ACCEPTED",
    }
    newcomer = await graphql.sign_in("nadia@example.org", PASSWORD)
    answered = (await graphql.execute(ANSWER, {"id": proposal["id"]}, token=newcomer))["answerProposal"]
    assert answered["status"] == "ACCEPTED"

    # 5. Both log meetings; each sees the mentorship, the mentor only the card fields.
    mine = (await graphql.execute(MY_MENTORSHIPS, token=mentor))["mentorships"]
    assert mine["totalCount"] == 1
    mentorship = mine["items"][0]
    assert mentorship["mentee"] == {
        "firstName": "Nadia",
        "lastName": "Benali",
        "email": "nadia@example.org",
        "accessGrounds": "MENTORSHIP",
        "caseNotes": None,
    }
    today = clock.now().date().isoformat()
    meeting = {"mentorshipId": mentorship["id"], "occurredOn": today, "minutes": 60, "mode": "VIDEO"}
    await graphql.execute(LOG, {"input": {**meeting, "notes": "CV review"}}, token=mentor)
    await graphql.execute(
        LOG,
        {"input": {**meeting, "minutes": 30, "mode": "IN_PERSON", "notesVisibility": "STAFF"}},
        token=newcomer,
    )
    own = (await graphql.execute(MY_MENTORSHIPS, token=newcomer))["mentorships"]["items"]
    assert [(m["status"], m["hoursLogged"]) for m in own] == [("ACTIVE", 1.5)]
    assert own[0]["mentee"]["accessGrounds"] == "SELF"

    # 6. The program coordinator closes it and records the outcome at closure.
    closed = await graphql.execute(
        """mutation($id: UUID!) {
             closeMentorship(id: $id, status: COMPLETED, reason: "Goals met") { status } }""",
        {"id": mentorship["id"]},
        token=hub,
    )
    assert closed["closeMentorship"]["status"] == "COMPLETED"
    outcome = await graphql.execute(
        """mutation($input: OutcomeInput!) { recordOutcome(input: $input) {
             stage status jobOccupation { code title } } }""",
        {
            "input": {
                "mentorshipId": mentorship["id"],
                "stage": "CLOSURE",
                "status": "EMPLOYED_IN_FIELD",
                "jobNoc": "21231",
            }
        },
        token=hub,
        language="fr",
    )
    assert outcome["recordOutcome"] == {
        "stage": "CLOSURE",
        "status": "EMPLOYED_IN_FIELD",
        "jobOccupation": {
            "code": "21231",
            "title": "Ingénieurs/ingénieures et concepteurs/conceptrices en logiciel",
        },
    }
    detail = await graphql.execute(
        """query($id: UUID!) { mentorship(id: $id) {
             status meetings { minutes notes } outcomes { stage } } }""",
        {"id": mentorship["id"]},
        token=hub,
    )
    # Staff see the meeting log, but not the notes the pair kept to themselves.
    assert detail["mentorship"] == {
        "status": "COMPLETED",
        "meetings": [{"minutes": 60, "notes": None}, {"minutes": 30, "notes": ""}],
        "outcomes": [{"stage": "CLOSURE"}],
    }

    # 7. The agency's admin sees, in the audit log, every read of its client by others.
    agency_admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    audit = (
        await graphql.execute(
            "{ auditEvents(limit: 200) { totalCount items { grounds actorOrganization { slug } } } }",
            token=agency_admin,
        )
    )["auditEvents"]
    grounds = {(event["grounds"], (event["actorOrganization"] or {}).get("slug")) for event in audit["items"]}
    assert ("referral", "hub") in grounds
    assert ("mentorship", "employer") in grounds
