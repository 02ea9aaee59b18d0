"""The authorization matrix, walked through /graphql: every root field of the schema,
as every kind of caller (``tests/authorization_table.py``), compared cell by cell with
the outcome expected there. A changed cell fails with the whole list of differences."""

from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.graphql.schema import build_schema
from core.models import Membership, MentorVisibility, Role
from core.services import accounts, mentors, organizations
from tests.authorization_table import (
    CALLERS,
    EXPECTED,
    FORBIDDEN,
    KNOWN_DEFECTS,
    NOT_FOUND,
    OK,
    OPERATIONS,
    Call,
    Operation,
    Scene,
    caller_person,
)
from tests.graphql_client import GraphQL, GraphQLError
from tests.world import PASSWORD, World

# People the matrix needs beyond the shared world: each organization's viewer, an admin
# of the other agency, and the employer's staff (owners of its mentors).
EXTRA_PEOPLE = [
    ("hub_viewer", "hub", Role.VIEWER),
    ("agency_viewer", "agency", Role.VIEWER),
    ("other_admin", "other", Role.ORG_ADMIN),
    ("employer_admin", "employer", Role.ORG_ADMIN),
    ("employer_coordinator", "employer", Role.COORDINATOR),
    ("employer_viewer", "employer", Role.VIEWER),
]


@dataclass(frozen=True)
class Mismatch:
    operation: str
    caller: str
    expected: str
    actual: str
    note: str = ""


@pytest.fixture
async def scene(sessions: async_sessionmaker[AsyncSession], world: World, app: Litestar) -> Scene:
    """The world, its extra people, and every person's token and actor, minted through
    the services (one sign-in each, not one per cell)."""
    async with sessions() as session, session.begin():
        for key, organization, role in EXTRA_PEOPLE:
            email = f"{key}@{organization}.test"
            user = await accounts.create_user(session, email, key.replace("_", " ").title(), PASSWORD)
            session.add(
                Membership(user_id=user.id, organization_id=world.organizations[organization], role=role)
            )
            world.emails[key] = email
        # Enough room for one fresh pair per cell of an operation.
        await mentors.save_my_mentor_profile(
            session,
            world.actors["mentor_two"],
            mentors.MentorData(
                occupation_noc="21232",
                job_title="Senior engineer",
                years_local_experience=8,
                languages=["en", "fr"],
                city="Ottawa",
                capacity=10,
                visibility=MentorVisibility.PLATFORM,
            ),
        )
    tokens: dict[str, str] = {}
    actors = {}
    async with sessions() as session, session.begin():
        for key, email in world.emails.items():
            tokens[key], _ = await accounts.sign_in(session, email, PASSWORD)
    async with sessions() as session, session.begin():
        for key, token in tokens.items():
            actors[key] = await accounts.resolve_actor(session, token, None)
        # The other agency runs programs of its own too.
        await organizations.set_plugin_enabled(session, actors["other_admin"], "open", True)
    return Scene(sessions, world, actors, tokens, app.state.search)


def listed_ids(data: dict[str, Any], path: tuple[str, ...]) -> set[str]:
    *containers, key = path
    found: Any = data
    for name in containers:
        found = found[name]
    return {str(item[key]) for item in found}


async def outcome(graphql: GraphQL, operation: Operation, call: Call, token: str | None) -> str:
    try:
        data = await graphql.execute(operation.document, call.variables, token=token)
    except GraphQLError as error:
        return str(error.code)
    if operation.listed is not None:
        assert call.target is not None, f"{operation.field}: a list query needs a target to look for"
        return OK if call.target in listed_ids(data, operation.listed) else "hidden"
    return OK


async def walk(graphql: GraphQL, scene: Scene, operation: Operation) -> dict[str, str]:
    """Each caller's actual outcome, each on a target prepared for them."""
    actual = {}
    for caller in CALLERS:
        call = await operation.prepare(scene, caller)
        person = caller_person(operation, caller)
        actual[caller] = await outcome(graphql, operation, call, scene.tokens[person] if person else None)
    return actual


def mismatches(
    field: str,
    actual: dict[str, str],
    expected: dict[str, str],
    known: dict[tuple[str, str], tuple[str, str]],
) -> list[Mismatch]:
    """Every cell whose outcome is not the expected one. A known defect's cell must
    answer what the defect answers: when it answers the expected outcome instead, the
    defect was fixed and its entry must go (strict, like an xfail)."""
    found = []
    for caller in CALLERS:
        wanted, got = expected[caller], actual[caller]
        if (field, caller) in known:
            answered_today, why = known[(field, caller)]
            if got == wanted:
                found.append(Mismatch(field, caller, answered_today, got, "fixed: remove from KNOWN_DEFECTS"))
            elif got != answered_today:
                found.append(Mismatch(field, caller, answered_today, got, f"known defect changed ({why})"))
        elif got != wanted:
            found.append(Mismatch(field, caller, wanted, got))
    return found


def report(found: list[Mismatch]) -> str:
    lines = [f"{'operation':<32}{'caller':<20}{'expected':<18}{'actual':<18}note"]
    lines += [f"{m.operation:<32}{m.caller:<20}{m.expected:<18}{m.actual:<18}{m.note}" for m in found]
    return "\n".join(lines)


def schema_root_fields() -> set[str]:
    graphql_schema = build_schema()._schema
    return {
        name
        for root in (graphql_schema.query_type, graphql_schema.mutation_type)
        if root is not None
        for name in root.fields
    }


def test_the_table_covers_every_root_field_of_the_schema() -> None:
    in_schema = schema_root_fields()
    missing = sorted(in_schema - set(OPERATIONS))
    assert not missing, f"root fields with no row in the authorization table: {missing}"
    gone = sorted(set(OPERATIONS) - in_schema)
    assert not gone, f"rows of the authorization table for fields the schema no longer has: {gone}"


def test_every_operation_has_an_expected_outcome_for_every_caller() -> None:
    assert set(EXPECTED) == set(OPERATIONS)
    for field, row in EXPECTED.items():
        assert tuple(row) == CALLERS, field
    for field, caller in KNOWN_DEFECTS:
        assert field in OPERATIONS and caller in CALLERS


@pytest.mark.parametrize("field", sorted(OPERATIONS))
async def test_authorization_matrix(graphql: GraphQL, scene: Scene, field: str) -> None:
    actual = await walk(graphql, scene, OPERATIONS[field])
    found = mismatches(field, actual, EXPECTED[field], KNOWN_DEFECTS)
    assert not found, "cells differing from the authorization table:\n" + report(found)


def flipped(outcome: str) -> str:
    return FORBIDDEN if outcome == NOT_FOUND else NOT_FOUND


@pytest.mark.parametrize("field", ["clients", "admitReferral", "logMeeting"])
async def test_any_changed_cell_is_reported_alone(graphql: GraphQL, scene: Scene, field: str) -> None:
    """The checker is not vacuous: the same walk, against the table with any one cell
    changed, reports exactly that cell."""
    actual = await walk(graphql, scene, OPERATIONS[field])
    assert mismatches(field, actual, EXPECTED[field], KNOWN_DEFECTS) == []
    for caller in CALLERS:
        changed = {**EXPECTED[field], caller: flipped(EXPECTED[field][caller])}
        assert mismatches(field, actual, changed, KNOWN_DEFECTS) == [
            Mismatch(field, caller, changed[caller], actual[caller])
        ]


def test_a_known_defect_that_was_fixed_is_reported() -> None:
    expected = EXPECTED["mentee"]
    known = {("mentee", "other_admin"): (FORBIDDEN, "leaks that the file exists")}
    assert mismatches("mentee", dict(expected), expected, known) == [
        Mismatch("mentee", "other_admin", FORBIDDEN, NOT_FOUND, "fixed: remove from KNOWN_DEFECTS")
    ]
    still_there = {**expected, "other_admin": FORBIDDEN}
    assert mismatches("mentee", still_there, expected, known) == []
    assert "other_admin" in report(mismatches("mentee", still_there, expected, {}))
