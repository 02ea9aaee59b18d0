"""Mentor profiles as the search engine holds them (``MentorDocument``), built from the
database as it is now.

The engine is only ever told what the database says: the outbox names mentors that
changed, and their documents are rebuilt here from the current rows, so an update
retried late or twice still writes the latest state.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import taxonomy
from core.hookspecs import ProgramType
from core.matching.places import find_place
from core.matching.text import glossary, terms
from core.models import MentorProfile, MentorSharedWith, MentorVisibility, Program
from core.plugins import await_me_maybe, get_plugin_host
from core.rules import RuleResult
from core.search.port import EVERYONE, MentorDocument

# Ids per ``IN (...)`` list: well under every backend's limit on bound parameters.
CHUNK = 1000
# Glossary entries written per language for each concept a profile holds.
SYNONYMS_PER_LANGUAGE = 3
SEPARATOR = " | "


async def mentor_documents(
    session: AsyncSession, mentor_ids: Sequence[uuid.UUID] | None
) -> tuple[list[MentorDocument], list[str]]:
    """The documents of these mentors (every mentor when None), as the database holds
    them now, and the ids the index must drop: profiles gone or no longer active."""
    if mentor_ids is None:
        mentors = list(await session.scalars(select(MentorProfile).order_by(col(MentorProfile.id))))
        wanted: list[uuid.UUID] = [mentor.id for mentor in mentors]
    else:
        wanted = list(dict.fromkeys(mentor_ids))
        mentors = []
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            mentors.extend(
                await session.scalars(select(MentorProfile).where(col(MentorProfile.id).in_(chunk)))
            )
    active = [mentor for mentor in mentors if mentor.is_active]
    active_ids = {mentor.id for mentor in active}
    documents = await build_documents(session, active)
    return documents, [str(mentor_id) for mentor_id in wanted if mentor_id not in active_ids]


async def build_documents(session: AsyncSession, mentors: Sequence[MentorProfile]) -> list[MentorDocument]:
    """The documents of these (active) mentors; their chosen organizations are read in
    one query per chunk."""
    choosing = [mentor.id for mentor in mentors if mentor.visibility == MentorVisibility.CHOSEN_ORGANIZATIONS]
    shared: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for start in range(0, len(choosing), CHUNK):
        rows = await session.execute(
            select(MentorSharedWith.mentor_id, MentorSharedWith.organization_id)
            .where(col(MentorSharedWith.mentor_id).in_(choosing[start : start + CHUNK]))
            .order_by(col(MentorSharedWith.mentor_id), col(MentorSharedWith.organization_id))
        )
        for mentor_id, organization_id in rows:
            shared[mentor_id].append(organization_id)
    builder = _Builder()
    return [await builder.document(mentor, shared.get(mentor.id, [])) for mentor in mentors]


@dataclass
class _Builder:
    """Builds documents, remembering what many mentors share (an occupation's titles,
    a program type's trial program for an organization) for the length of one call."""

    _occupations: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    _programs: dict[tuple[str, uuid.UUID], Program] = field(default_factory=dict)
    _types: dict[str, tuple[str, ProgramType]] = field(
        default_factory=lambda: get_plugin_host().program_types()
    )

    async def document(self, mentor: MentorProfile, shared_with: Iterable[uuid.UUID]) -> MentorDocument:
        titles, title_concepts = self._occupation(mentor.occupation_noc)
        concepts = _concepts([mentor.job_title, mentor.bio])
        concepts.extend(concept for concept in title_concepts if concept not in concepts)
        place = find_place(mentor.city, mentor.province)
        return MentorDocument(
            id=str(mentor.id),
            audience=_audience(mentor, shared_with),
            occupation_code=mentor.occupation_noc,
            occupation_group=mentor.occupation_noc[:2],
            occupation_titles=titles,
            industry=(mentor.industry_naics or "")[:2],
            job_title=mentor.job_title,
            bio=mentor.bio,
            synonyms=_synonyms(concepts),
            languages=tuple(mentor.languages),
            city=mentor.city,
            region=place.region if place is not None else "",
            province=mentor.province,
            open_to_virtual=mentor.open_to_virtual,
            program_types=await self._program_types(mentor),
            capacity=mentor.capacity,
        )

    def _occupation(self, code: str) -> tuple[str, list[str]]:
        """The unit group's titles and its known ancestors', English and French, most
        specific first; and the glossary concepts those titles hold."""
        if code not in self._occupations:
            table = taxonomy.noc_table()
            known = [table[code[:length]] for length in range(len(code), 0, -1) if code[:length] in table]
            titles = [title for entry in known for title in (entry.title_en, entry.title_fr)]
            self._occupations[code] = (SEPARATOR.join(titles), _concepts(titles))
        return self._occupations[code]

    async def _program_types(self, mentor: MentorProfile) -> tuple[str, ...]:
        """The installed program types whose plugins' mentor criteria the mentor meets,
        in a program of their own organization with the type's default settings."""
        hook = get_plugin_host().manager.hook.check_mentor_eligibility
        eligible = []
        for key, (_, spec) in self._types.items():
            program = self._program(key, spec, mentor.organization_id)
            answers = [await await_me_maybe(answer) for answer in hook(program=program, mentor=mentor)]
            results: list[RuleResult] = [result for answer in answers if answer for result in answer]
            if all(result.passed for result in results):
                eligible.append(key)
        return tuple(eligible)

    def _program(self, key: str, spec: ProgramType, organization_id: uuid.UUID) -> Program:
        """A transient program (never added to a session) to ask the plugins about."""
        program = self._programs.get((key, organization_id))
        if program is None:
            program = self._programs[key, organization_id] = Program(
                program_type=key,
                organization_id=organization_id,
                settings=dict(spec.default_settings),
                name_en="",
                name_fr="",
            )
        return program


def _audience(mentor: MentorProfile, shared_with: Iterable[uuid.UUID]) -> tuple[str, ...]:
    if mentor.visibility == MentorVisibility.PLATFORM:
        return (EVERYONE,)
    own = str(mentor.organization_id)
    if mentor.visibility == MentorVisibility.CHOSEN_ORGANIZATIONS:
        return tuple(dict.fromkeys([own, *map(str, shared_with)]))
    return (own,)


def _concepts(texts: Iterable[str]) -> list[str]:
    """The glossary concepts the texts hold, in order of appearance, each once."""
    found: dict[str, None] = {}
    for text in texts:
        for term in terms(text):
            if term.startswith("c:"):
                found[term[2:]] = None
    return list(found)


def _synonyms(concepts: Iterable[str]) -> str:
    """Each concept's first entries in English and in French."""
    concepts_by_key = glossary()
    words: dict[str, None] = {}
    for key in concepts:
        concept = concepts_by_key[key]
        for entry in (*concept.en[:SYNONYMS_PER_LANGUAGE], *concept.fr[:SYNONYMS_PER_LANGUAGE]):
            words[entry] = None
    return SEPARATOR.join(words)
