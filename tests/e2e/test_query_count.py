"""Listing mentorships with their mentor and mentee costs a fixed number of SQL
statements, whatever the number of rows (DataLoaders, not one query per row)."""

from datetime import timedelta

from litestar import Litestar
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import clock
from core.models import (
    Answer,
    Consent,
    ConsentPurpose,
    MatchProposal,
    MenteeProfile,
    Mentorship,
    ProposalStatus,
    Referral,
    ReferralStatus,
)
from tests.graphql_client import GraphQL
from tests.world import PASSWORD, World, eligible_client

LIST = """{ mentorships(limit: 200) { totalCount items {
  id status hoursLogged program { name } mentor { displayName organization { name } remainingCapacity }
  mentee { firstName lastName accessGrounds owner { name } } } } }"""


async def add_mentorships(sessions: async_sessionmaker[AsyncSession], world: World, count: int) -> None:
    """Rows straight into the tables: this test is about reading them."""
    mentor_ids = list(world.mentor_ids.values())
    today = clock.now().date()
    async with sessions() as session, session.begin():
        for index in range(count):
            data = eligible_client(first_name=f"Client {index}")
            data["languages"] = [{"language": "fr", "clb": 8}]
            mentee = MenteeProfile(owner_organization_id=world.organizations["agency"], **data)
            referral = Referral(
                mentee_id=mentee.id,
                program_id=world.program_id,
                referring_organization_id=world.organizations["agency"],
                referred_by_user_id=world.actors["agency_coordinator"].user_id,
                status=ReferralStatus.ADMITTED,
                consent_given_at=clock.now(),
            )
            proposal = MatchProposal(
                program_id=world.program_id,
                referral_id=referral.id,
                mentee_id=mentee.id,
                mentor_id=mentor_ids[index % len(mentor_ids)],
                proposed_by_user_id=world.actors["hub_coordinator"].user_id,
                score=0.8,
                status=ProposalStatus.ACCEPTED,
                mentee_answer=Answer.ACCEPTED,
                mentor_answer=Answer.ACCEPTED,
                expires_at=clock.now() + timedelta(days=14),
            )
            mentorship = Mentorship(
                program_id=world.program_id,
                proposal_id=proposal.id,
                mentee_id=mentee.id,
                mentor_id=proposal.mentor_id,
                agreement_date=today,
                planned_end=today + timedelta(weeks=12),
            )
            consent = Consent(
                mentee_id=mentee.id,
                purpose=ConsentPurpose.REFERRAL,
                organization_id=world.organizations["hub"],
                granted_by_user_id=world.actors["agency_coordinator"].user_id,
            )
            # No ORM relationships, so no automatic insert order: flush parents first.
            for row in (mentee, consent, referral, proposal, mentorship):
                session.add(row)
                await session.flush()


async def statements_for_listing(app: Litestar, graphql: GraphQL, token: str) -> tuple[int, int]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        listed = await graphql.execute(LIST, token=token)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    items = listed["mentorships"]["items"]
    assert all(
        item["mentee"]["accessGrounds"] == "REFERRAL" and item["mentor"]["displayName"] for item in items
    )
    return len(items), len(statements)


async def test_listing_mentorships_runs_a_bounded_number_of_statements(
    app: Litestar, graphql: GraphQL, sessions, world: World
) -> None:
    token = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    await add_mentorships(sessions, world, 10)
    rows_small, statements_small = await statements_for_listing(app, graphql, token)
    await add_mentorships(sessions, world, 40)
    rows_large, statements_large = await statements_for_listing(app, graphql, token)

    assert (rows_small, rows_large) == (10, 50)
    assert statements_large == statements_small, "statements must not grow with the rows"
    assert statements_large <= 20
