"""The connector program type: the Halifax model of the seed.

A newcomer meets a connector (a mentor of the shared pool) for about 30 minutes; the
connector then introduces them to at least three people of their network, on or off the
platform, with the newcomer's consent; the newcomer records the follow-ups. Nothing
continues unless both want to, and the connection can become a full mentorship later.

Written exactly like a third-party plugin: it only uses core's public modules. Its
tables (``plugins.connector.models``) are imported here so that they join the
platform's metadata as soon as the plugin is loaded.
"""

import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.access import Actor
from core.hookspecs import GraphQLFields, ProgramType, hookimpl
from core.models import MentorProfile
from plugins.connector.graphql import ConnectorMutation, ConnectorQuery
from plugins.connector.models import ConnectorMeeting
from plugins.connector.service import DEFAULT_SETTINGS, TYPE_KEY

# Light criteria on purpose: a half-hour conversation asks little of either side, and
# the Halifax program is open to newcomers whatever their immigration status or
# training. What matters is that the contacts are local and that the newcomer can hold
# a professional conversation in English or French.
DEFAULT_RULES = {
    "all": [
        {
            "id": "connector.provincial_resident",
            "field": "resides_in_program_province",
            "op": "is",
            "value": True,
            "label_en": "Lives in the program's province, where the connectors' networks are",
            "label_fr": "Habiter la province du programme, là où se trouvent les réseaux des connecteurs",
        },
        {
            "id": "connector.conversation_language",
            "field": "official_language_clb",
            "op": "gte",
            "value": 5,
            "label_en": "Can hold a professional conversation in English or French (CLB 5 or higher)",
            "label_fr": "Pouvoir tenir une conversation professionnelle en français ou en anglais "
            "(NCLC 5 ou plus)",
        },
    ]
}


@hookimpl
def register_program_types() -> list[ProgramType]:
    return [
        ProgramType(
            key=TYPE_KEY,
            name_en="Connector program",
            name_fr="Programme de connecteurs",
            description_en="Thirty-minute meetings with a well-connected professional, who then "
            "introduces the newcomer to at least three people of their network. No ongoing "
            "commitment unless both wish it; the connection can become a full mentorship.",
            description_fr="Une rencontre d'une demi-heure avec une personne bien réseautée, qui "
            "présente ensuite la personne nouvelle arrivante à au moins trois contacts de son "
            "réseau. Aucun engagement à long terme, sauf si les deux le souhaitent; le lien peut "
            "ensuite devenir un véritable mentorat.",
            default_meeting_minutes_per_week=DEFAULT_SETTINGS["meeting_minutes"],
            default_settings=DEFAULT_SETTINGS,
            default_rules=DEFAULT_RULES,
        )
    ]


@hookimpl
def register_translations() -> Path:
    return Path(__file__).parent / "locales"


@hookimpl
def register_graphql() -> GraphQLFields:
    return GraphQLFields(query=ConnectorQuery, mutation=ConnectorMutation)


@hookimpl
async def grant_mentee_access(
    session: AsyncSession, actor: Actor, mentee_ids: frozenset[uuid.UUID]
) -> set[uuid.UUID]:
    """The connector of a meeting sees the newcomer's card (name, goal, languages):
    what the newcomer agreed to have introduced to contacts."""
    mine = select(MentorProfile.id).where(MentorProfile.user_id == actor.user_id)
    rows = await session.scalars(
        select(ConnectorMeeting.mentee_id).where(
            col(ConnectorMeeting.mentee_id).in_(mentee_ids), col(ConnectorMeeting.connector_id).in_(mine)
        )
    )
    return set(rows)
