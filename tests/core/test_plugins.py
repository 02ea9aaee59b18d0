"""The plugin contract: documented hooks, per-organization enablement, lifecycle
events, and third-party plugins arriving through the ``tremplin`` entry points."""

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import hookspecs
from core.errors import DomainError
from core.models import EmploymentStatus, MentorshipStatus, OutcomeStage, ReferralStatus
from core.plugins import get_plugin_host
from core.services import mentorships, organizations, programs, referrals
from tests.plugins.recorder import Recorder
from tests.world import World, active_mentorship

TESTS = Path(__file__).parents[1]
HOOK_NAMES = sorted(
    name
    for name, value in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(value, "tremplin_spec")
)


def test_every_hook_is_documented() -> None:
    assert len(HOOK_NAMES) >= 11
    undocumented = [name for name in HOOK_NAMES if len((getattr(hookspecs, name).__doc__ or "").strip()) < 30]
    assert not undocumented


def test_every_hook_has_a_test() -> None:
    this_file = Path(__file__).resolve()
    corpus = "".join(
        path.read_text(encoding="utf-8") for path in TESTS.rglob("*.py") if path.resolve() != this_file
    )
    untested = [name for name in HOOK_NAMES if name not in corpus]
    assert not untested, f"hooks without a test: {untested}"


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    plugin = Recorder()
    manager = get_plugin_host().manager
    manager.register(plugin, name="recorder")
    try:
        yield plugin
    finally:
        manager.unregister(name="recorder")


async def test_lifecycle_hooks_reach_only_organizations_that_enabled_the_plugin(
    sessions, world: World, recorder: Recorder
) -> None:
    await active_mentorship(sessions, world)
    assert recorder.events == [], "the hub has not enabled the recorder"

    async with sessions() as session, session.begin():
        await organizations.set_plugin_enabled(session, world.actors["hub_admin"], "recorder", True)
    async with sessions() as session, session.begin():
        from core.services import mentees
        from tests.world import eligible_client

        second = await mentees.register_mentee(session, world.actors["agency_coordinator"], eligible_client())
        world.mentee_ids["client"] = second.id
    mentorship_id = await active_mentorship(sessions, world, mentor="mentor_two")
    async with sessions() as session, session.begin():
        await mentorships.close_mentorship(
            session, world.actors["hub_coordinator"], mentorship_id, status=MentorshipStatus.COMPLETED
        )
        await mentorships.record_outcome(
            session,
            world.actors["hub_coordinator"],
            mentorship_id,
            stage=OutcomeStage.CLOSURE,
            status=EmploymentStatus.SEARCHING,
        )
    assert [name for name, _ in recorder.events] == [
        "referral_submitted",
        "referral_decided",
        "match_proposed",
        "match_answered",
        "match_answered",
        "mentorship_started",
        "mentorship_closed",
        "outcome_recorded",
    ]
    assert recorder.events[1] == ("referral_decided", ReferralStatus.ADMITTED)


async def test_a_plugin_error_cancels_the_change_that_triggered_it(sessions, world: World) -> None:
    class Veto:
        @hookspecs.hookimpl
        def referral_submitted(self) -> None:
            raise DomainError("FORBIDDEN")

    manager = get_plugin_host().manager
    manager.register(Veto(), name="veto")
    try:
        async with sessions() as session, session.begin():
            await organizations.set_plugin_enabled(session, world.actors["hub_admin"], "veto", True)
        with pytest.raises(DomainError):
            async with sessions() as session, session.begin():
                await referrals.submit_referral(
                    session,
                    world.actors["agency_coordinator"],
                    world.mentee_ids["client"],
                    world.program_id,
                    consent=True,
                )
    finally:
        manager.unregister(name="veto")
    async with sessions() as session:
        _, total = await referrals.list_referrals(session, world.actors["agency_coordinator"])
    assert total == 0


async def test_a_disabled_program_type_takes_no_new_programs_or_referrals(sessions, world: World) -> None:
    async with sessions() as session, session.begin():
        await organizations.set_plugin_enabled(session, world.actors["hub_admin"], "open", False)
    async with sessions() as session:
        with pytest.raises(DomainError) as refused:
            await programs.create_program(
                session,
                world.actors["hub_coordinator"],
                programs.ProgramData(program_type="open", name_en="Second", name_fr="Deuxième"),
            )
        assert refused.value.code == "PROGRAM_TYPE_DISABLED"
        with pytest.raises(DomainError) as refused:
            await referrals.submit_referral(
                session,
                world.actors["agency_coordinator"],
                world.mentee_ids["client"],
                world.program_id,
                consent=True,
            )
        assert refused.value.code == "PROGRAM_TYPE_DISABLED"
        # Existing programs stay readable.
        assert [program.id for program in await programs.list_programs(session)] == [world.program_id]


async def test_only_an_organization_admin_enables_plugins_and_only_known_ones(sessions, world: World) -> None:
    async with sessions() as session:
        with pytest.raises(DomainError) as refused:
            await organizations.set_plugin_enabled(session, world.actors["hub_coordinator"], "open", False)
        assert refused.value.code == "FORBIDDEN"
        with pytest.raises(DomainError) as refused:
            await organizations.set_plugin_enabled(session, world.actors["hub_admin"], "no-such-plugin", True)
        assert refused.value.code == "UNKNOWN_PLUGIN"
