"""A small collaborative built through the services, shared by the tests.

- ``hub``: the lead organization, running the open program (plugin enabled);
- ``agency``: a settlement agency that registers and refers clients;
- ``other``: another agency, the "other organization" of the denial tests;
- ``employer``: where the mentors work.
"""

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from core.access import Actor
from core.models import (
    ImmigrationStatus,
    Language,
    Membership,
    Mentorship,
    MentorVisibility,
    OrganizationKind,
    Role,
)
from core.services import accounts, mentees, mentors, organizations, programs, proposals, referrals

PASSWORD = "correct horse battery"


@dataclass
class LanguageLevel:
    language: str
    clb: int


@dataclass
class World:
    organizations: dict[str, uuid.UUID] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    program_id: uuid.UUID | None = None
    mentor_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    mentee_ids: dict[str, uuid.UUID] = field(default_factory=dict)


def eligible_client(**overrides: object) -> dict[str, object]:
    """A client who meets every criterion of the open program."""
    data: dict[str, object] = {
        "first_name": "Amina",
        "last_name": "Haddad",
        "email": None,
        "immigration_status": ImmigrationStatus.PERMANENT_RESIDENT,
        "country_of_training": "MA",
        "target_noc": "21231",
        "industry_naics": "5415",
        "languages": [LanguageLevel("fr", 9), LanguageLevel("en", 7)],
        "preferred_language": Language.FR,
        "city": "Ottawa",
        "province": "ON",
        "career_goal": "Travailler comme ingénieure logiciel à Ottawa",
        "availability": ["tue_evening", "sat_morning"],
        "job_search_workshop": True,
    }
    data.update(overrides)
    return data


async def _person(
    session: AsyncSession, world: World, key: str, organization: str, roles: set[Role]
) -> Actor:
    email = f"{key}@{organization}.test"
    user = await accounts.create_user(session, email, key.replace("_", " ").title(), PASSWORD)
    organization_id = world.organizations[organization]
    for role in roles:
        session.add(Membership(user_id=user.id, organization_id=organization_id, role=role))
    actor = Actor(
        user_id=user.id,
        display_name=user.display_name,
        language=Language.EN,
        organization_id=organization_id,
        roles=frozenset(roles),
        memberships={organization_id: frozenset(roles)},
    )
    world.actors[key] = actor
    world.emails[key] = email
    return actor


async def build_world(sessions: async_sessionmaker[AsyncSession]) -> World:
    world = World()
    async with sessions() as session, session.begin():
        for slug, kind in [
            ("hub", OrganizationKind.LEAD_ORGANIZATION),
            ("agency", OrganizationKind.SETTLEMENT_AGENCY),
            ("other", OrganizationKind.EMPLOYMENT_SERVICE),
            ("employer", OrganizationKind.EMPLOYER),
        ]:
            organization = await organizations.create_organization(
                session, slug, f"{slug} (en)", f"{slug} (fr)", kind, "ON", "Ottawa"
            )
            world.organizations[slug] = organization.id
        hub_admin = await _person(session, world, "hub_admin", "hub", {Role.ORG_ADMIN})
        hub_coordinator = await _person(session, world, "hub_coordinator", "hub", {Role.COORDINATOR})
        await _person(session, world, "agency_coordinator", "agency", {Role.COORDINATOR})
        await _person(session, world, "agency_admin", "agency", {Role.ORG_ADMIN})
        await _person(session, world, "other_coordinator", "other", {Role.COORDINATOR})
        await organizations.set_plugin_enabled(session, hub_admin, "open", True)
        program = await programs.create_program(
            session,
            hub_coordinator,
            programs.ProgramData(
                program_type="open", name_en="Career Mentoring", name_fr="Mentorat professionnel"
            ),
        )
        world.program_id = program.id
        for key, noc, languages, visibility in [
            ("mentor", "21231", ["en", "fr"], MentorVisibility.PLATFORM),
            ("mentor_two", "21232", ["en", "fr"], MentorVisibility.PLATFORM),
            ("mentor_private", "21231", ["fr"], MentorVisibility.OWN_ORGANIZATION),
        ]:
            actor = await _person(session, world, key, "employer", {Role.MENTOR})
            profile = await mentors.save_my_mentor_profile(
                session,
                actor,
                mentors.MentorData(
                    occupation_noc=noc,
                    job_title="Senior engineer",
                    years_local_experience=8,
                    languages=languages,
                    city="Ottawa",
                    capacity=1,
                    visibility=visibility,
                ),
            )
            world.mentor_ids[key] = profile.id
        client = await mentees.register_mentee(
            session,
            world.actors["agency_coordinator"],
            eligible_client(email="amina@example.org"),
            account_password=PASSWORD,
        )
        world.mentee_ids["client"] = client.id
        world.emails["client"] = "amina@example.org"
        other_client = await mentees.register_mentee(
            session, world.actors["other_coordinator"], eligible_client(first_name="Lucas", last_name="Silva")
        )
        world.mentee_ids["other_client"] = other_client.id
    return world


async def admitted_referral(
    sessions: async_sessionmaker[AsyncSession], world: World, mentee: str = "client"
) -> uuid.UUID:
    async with sessions() as session, session.begin():
        referral = await referrals.submit_referral(
            session,
            world.actors["agency_coordinator"],
            world.mentee_ids[mentee],
            world.program_id,
            consent=True,
        )
        await referrals.admit_referral(session, world.actors["hub_coordinator"], referral.id)
        return referral.id


async def proposal(
    sessions: async_sessionmaker[AsyncSession], world: World, referral_id: uuid.UUID, mentor: str = "mentor"
) -> uuid.UUID:
    async with sessions() as session, session.begin():
        made = await proposals.propose_match(
            session, world.actors["hub_coordinator"], referral_id, world.mentor_ids[mentor]
        )
        return made.id


async def active_mentorship(
    sessions: async_sessionmaker[AsyncSession], world: World, mentor: str = "mentor"
) -> uuid.UUID:
    """Client referred, admitted, proposed to ``mentor``; both accepted."""
    proposal_id = await proposal(sessions, world, await admitted_referral(sessions, world), mentor)
    async with sessions() as session, session.begin():
        await proposals.answer_proposal(session, world.actors[mentor], proposal_id, accept=True)
        await proposals.answer_proposal(session, world.actors["agency_coordinator"], proposal_id, accept=True)
        mentorship_id = await session.scalar(
            select(Mentorship.id).where(Mentorship.proposal_id == proposal_id)
        )
        assert mentorship_id is not None
        return mentorship_id


async def table_contents(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, to prove a refused mutation left the database as it was."""
    contents = {}
    async with sessions() as session:
        for table in SQLModel.metadata.sorted_tables:
            rows = await session.execute(select(table))
            contents[table.name] = sorted(tuple(str(value) for value in row) for row in rows)
    return contents
