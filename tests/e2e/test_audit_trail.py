"""The audit trail: every read by another organization is chained to the one before,
the database refuses to change or remove an entry, and the owning organization's
admin can filter the trail and check that nothing was altered."""

import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.models import AuditEvent
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World, admitted_referral, proposal

MENTEE = "query($id: UUID!) { mentee(id: $id) { firstName } }"
VERIFY = "{ verifyAuditTrail { valid checkedCount brokenAt } }"
EVENTS = """query($filters: AuditFilter) {
  auditEvents(filters: $filters) { totalCount items { grounds subject action actorOrganization { slug } } }
}"""


async def audited_reads(graphql: GraphQL, sessions, world: World, count: int) -> None:
    """``count`` reads of the agency's client by the hub, plus one by the proposed mentor."""
    referral_id = await admitted_referral(sessions, world)
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    for _ in range(count):
        await graphql.execute(MENTEE, {"id": str(world.mentee_ids["client"])}, token=hub)
    await proposal(sessions, world, referral_id)
    mentor = await graphql.sign_in(world.emails["mentor"], PASSWORD)
    await graphql.execute(MENTEE, {"id": str(world.mentee_ids["client"])}, token=mentor)


async def test_entries_are_chained_and_the_admin_verifies_the_chain(
    graphql: GraphQL, sessions, world: World
) -> None:
    await audited_reads(graphql, sessions, world, 3)
    admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    assert (await graphql.execute(VERIFY, token=admin))["verifyAuditTrail"] == {
        "valid": True,
        "checkedCount": 4,
        "brokenAt": None,
    }
    async with sessions() as session:
        events = list(await session.scalars(sa.select(AuditEvent).order_by(AuditEvent.sequence)))
    assert [event.sequence for event in events] == [1, 2, 3, 4]
    assert all(later.previous_hash == earlier.entry_hash for earlier, later in itertools.pairwise(events))
    assert len({event.entry_hash for event in events}) == 4

    # Filters: by grounds of access, through the actor's organization.
    by_hub = await graphql.execute(
        EVENTS, {"filters": {"actorOrganizationId": str(world.organizations["hub"])}}, token=admin
    )
    assert by_hub["auditEvents"]["totalCount"] == 3
    assert {item["grounds"] for item in by_hub["auditEvents"]["items"]} == {"referral"}
    everything = await graphql.execute(
        EVENTS, {"filters": {"menteeId": str(world.mentee_ids["client"])}}, token=admin
    )
    assert everything["auditEvents"]["totalCount"] == 4


async def test_only_the_owning_admin_sees_and_checks_the_trail(
    graphql: GraphQL, sessions, world: World
) -> None:
    await audited_reads(graphql, sessions, world, 1)
    coordinator = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    for query in (VERIFY, EVENTS):
        with pytest.raises(GraphQLError) as refused:
            await graphql.execute(query, token=coordinator)
        assert refused.value.code == "FORBIDDEN"
    # The hub's admin has a trail of its own: empty, since nobody read the hub's clients.
    hub_admin = await graphql.sign_in(world.emails["hub_admin"], PASSWORD)
    assert (await graphql.execute(EVENTS, token=hub_admin))["auditEvents"]["totalCount"] == 0
    assert (await graphql.execute(VERIFY, token=hub_admin))["verifyAuditTrail"]["checkedCount"] == 0


async def test_a_period_that_ends_before_it_starts_is_refused(graphql: GraphQL, world: World) -> None:
    admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(
            EVENTS,
            {"filters": {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}},
            token=admin,
        )
    assert refused.value.code == "INVALID_PERIOD"


async def test_the_database_refuses_to_change_or_remove_an_entry(
    graphql: GraphQL, sessions, world: World
) -> None:
    await audited_reads(graphql, sessions, world, 1)
    for statement in (
        sa.update(AuditEvent).values(subject="nothing"),
        sa.delete(AuditEvent),
    ):
        async with sessions() as session:
            with pytest.raises((IntegrityError, DBAPIError)):
                await session.execute(statement)
                await session.commit()


async def bypass_triggers(engine: AsyncEngine, statement: sa.Executable) -> None:
    """What someone with the database owner's rights could do: switch the triggers off."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            await connection.execute(statement)
            await connection.execute(sa.text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            await connection.execute(sa.text("DROP TRIGGER audit_events_no_update"))
            await connection.execute(sa.text("DROP TRIGGER audit_events_no_delete"))
            await connection.execute(statement)


@pytest.mark.parametrize(
    ("tampering", "broken_at"),
    [
        ("change the subject of the second entry", 2),
        ("remove the second entry", 2),
        ("remove the newest entry", 4),
    ],
)
async def test_tampering_is_found_where_it_happened(
    graphql: GraphQL,
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    world: World,
    tampering: str,
    broken_at: int,
) -> None:
    await audited_reads(graphql, sessions, world, 3)
    second = AuditEvent.sequence == 2  # type: ignore[arg-type]
    newest = AuditEvent.sequence == 4  # type: ignore[arg-type]
    statement = {
        "change the subject of the second entry": sa.update(AuditEvent)
        .where(second)
        .values(subject="nothing"),
        "remove the second entry": sa.delete(AuditEvent).where(second),
        "remove the newest entry": sa.delete(AuditEvent).where(newest),
    }[tampering]
    await bypass_triggers(engine, statement)
    admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    check = (await graphql.execute(VERIFY, token=admin))["verifyAuditTrail"]
    assert (check["valid"], check["brokenAt"]) == (False, broken_at)
