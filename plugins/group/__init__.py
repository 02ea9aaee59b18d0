"""The group program type: group mentoring as in the London model of the seed.

Cohorts of 8 to 10 newcomers with 2 or 3 mentors of one sector meet in group sessions,
often while they wait for a one-to-one match. Joining a cohort takes nobody off another
program's waiting list. Program staff run the cohorts (``plugins.group.service``),
through the GraphQL fields of ``plugins.group.graphql``.

Written like a third-party plugin: it only uses core's public modules.
"""

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.access import Actor
from core.hookspecs import GraphQLFields, ProgramType, hookimpl
from core.models import ImmigrationStatus, MentorProfile, Program, Referral, ReferralStatus
from core.rules import worded
from plugins.group.models import CohortMentee, CohortMentor  # also registers the plugin's tables
from plugins.group.service import DEFAULT_SETTINGS, TYPE_KEY, leave_open_cohorts

LOCALES = Path(__file__).parent / "locales"


def default_rules() -> dict[str, Any]:
    """The open program's criteria for newcomers, minus the job-search workshop: a group
    is where newcomers waiting for a match practise Canadian job search together, so it
    should not be a prerequisite. Status, training abroad, a working level of English or
    French (group discussions need one) and residence in the province remain."""

    def worded_rule(rule_id: str, leaf: dict[str, Any]) -> dict[str, Any]:
        return worded(rule_id, leaf, LOCALES, "group")

    return {
        "all": [
            worded_rule(
                "group.admitted_immigrant_or_refugee",
                {
                    "field": "immigration_status",
                    "op": "in",
                    "value": [
                        ImmigrationStatus.PERMANENT_RESIDENT.value,
                        ImmigrationStatus.CONVENTION_REFUGEE.value,
                        ImmigrationStatus.NATURALIZED_CITIZEN.value,
                    ],
                },
            ),
            worded_rule("group.trained_abroad", {"field": "trained_abroad", "op": "is", "value": True}),
            worded_rule(
                "group.language_benchmark", {"field": "official_language_clb", "op": "gte", "value": 5}
            ),
            worded_rule(
                "group.provincial_resident",
                {"field": "resides_in_program_province", "op": "is", "value": True},
            ),
        ]
    }


@hookimpl
def register_program_types() -> list[ProgramType]:
    return [
        ProgramType(
            key=TYPE_KEY,
            name_en="Group mentoring",
            name_fr="Mentorat de groupe",
            description_en="Cohorts of 8 to 10 skilled newcomers with 2 or 3 mentors of their "
            "sector, meeting in group sessions; often while waiting for a one-to-one match, "
            "without losing their place in line.",
            description_fr="Des cohortes de 8 à 10 personnes immigrantes qualifiées, "
            "accompagnées par 2 ou 3 mentors de leur secteur lors de rencontres de groupe; "
            "souvent en attendant un jumelage individuel, sans perdre sa place sur la liste "
            "d'attente.",
            default_settings=DEFAULT_SETTINGS,
            default_rules=default_rules(),
        )
    ]


@hookimpl
def register_translations() -> Path:
    return LOCALES


@hookimpl
def register_graphql() -> GraphQLFields:
    # Imported here: the API's types are only needed when the schema is built, not
    # when the CLI or a migration loads the plugins.
    from plugins.group.graphql import GroupMutation, GroupQuery

    return GraphQLFields(query=GroupQuery, mutation=GroupMutation)


@hookimpl
async def referral_decided(session: AsyncSession, referral: Referral, program: Program) -> None:
    if program.program_type == TYPE_KEY and referral.status == ReferralStatus.WITHDRAWN:
        await leave_open_cohorts(session, referral)


@hookimpl
async def grant_mentee_access(
    session: AsyncSession, actor: Actor, mentee_ids: frozenset[uuid.UUID]
) -> set[uuid.UUID]:
    """A cohort's mentors see its mentees' cards (name, goal, languages): they lead the
    group sessions. Fellow mentees get no grounds on each other's files."""
    mine = select(MentorProfile.id).where(MentorProfile.user_id == actor.user_id)
    my_cohorts = select(CohortMentor.cohort_id).where(col(CohortMentor.mentor_id).in_(mine))
    rows = await session.scalars(
        select(CohortMentee.mentee_id).where(
            col(CohortMentee.mentee_id).in_(mentee_ids), col(CohortMentee.cohort_id).in_(my_cohorts)
        )
    )
    return set(rows)
