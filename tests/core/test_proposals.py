"""Proposals reserve places, and stop reserving them once they expire."""

from datetime import timedelta

import pytest

from core import clock
from core.errors import DomainError
from core.models import Program
from core.services import matching, mentees, proposals
from tests.world import World, admitted_referral, eligible_client, proposal


async def test_an_expired_proposal_frees_the_mentor_for_the_same_newcomer(sessions, world: World) -> None:
    referral_id = await admitted_referral(sessions, world)
    with clock.frozen_at(clock.now() - timedelta(days=20)):
        await proposal(sessions, world, referral_id)
    async with sessions() as session:
        suggested = await matching.suggest_mentors(session, world.actors["hub_coordinator"], referral_id)
    assert world.mentor_ids["mentor"] in {suggestion.mentor.id for suggestion in suggested.items}
    # And the coordinator may propose them again.
    await proposal(sessions, world, referral_id)


async def test_a_declined_mentor_is_not_suggested_again(sessions, world: World) -> None:
    referral_id = await admitted_referral(sessions, world)
    proposal_id = await proposal(sessions, world, referral_id)
    async with sessions() as session, session.begin():
        await proposals.answer_proposal(
            session, world.actors["mentor"], proposal_id, accept=False, reason="Busy"
        )
    async with sessions() as session:
        suggested = await matching.suggest_mentors(session, world.actors["hub_coordinator"], referral_id)
    assert world.mentor_ids["mentor"] not in {suggestion.mentor.id for suggestion in suggested.items}
    assert world.mentor_ids["mentor_two"] in {suggestion.mentor.id for suggestion in suggested.items}
    # Staff see why: the pair was tried and declined.
    declined = {suggestion.mentor.id: suggestion.exclusion_reasons for suggestion in suggested.excluded}
    assert declined[world.mentor_ids["mentor"]] == ["declined_before"]


async def test_pending_proposals_count_against_the_program_capacity(sessions, world: World) -> None:
    async with sessions() as session, session.begin():
        (await session.get_one(Program, world.program_id)).capacity = 1
        second = await mentees.register_mentee(
            session, world.actors["agency_coordinator"], eligible_client(first_name="Li")
        )
        world.mentee_ids["second"] = second.id
    await proposal(sessions, world, await admitted_referral(sessions, world))
    second_referral = await admitted_referral(sessions, world, "second")
    with pytest.raises(DomainError) as refused:
        await proposal(sessions, world, second_referral, mentor="mentor_two")
    assert refused.value.code == "PROGRAM_FULL"
