"""The search index follows the database through the transactional outbox: a profile
change and its outbox row commit together, the indexer drains the rows into the engine,
an engine that is down loses nothing, and a reindex rebuilds everything."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select

from core.access import Actor
from core.app import create_app
from core.cli import main
from core.db import create_engine, session_factory
from core.errors import DomainError
from core.models import (
    Language,
    Membership,
    MentorProfile,
    MentorVisibility,
    Organization,
    Role,
    SearchOutbox,
)
from core.search import engines, outbox
from core.search.documents import mentor_documents
from core.search.embedded import EmbeddedSearch
from core.search.port import EVERYONE, MentorDocument, MentorQuery, SearchResult, SearchUnavailable
from core.services import accounts, mentors
from core.settings import Settings, get_settings
from tests.world import World

Sessions = async_sessionmaker[AsyncSession]


class FlakySearch:
    """The embedded engine behind a switch: while ``down``, every call fails as an
    unreachable engine would. ``on_clear`` runs after a clear (to write meanwhile)."""

    name = "flaky"

    def __init__(self) -> None:
        self.inner = EmbeddedSearch(None)
        self.down = False
        self.on_clear: Callable[[], Awaitable[None]] | None = None

    def _check(self) -> None:
        if self.down:
            raise SearchUnavailable()

    async def configure(self) -> None:
        self._check()
        await self.inner.configure()

    async def upsert(self, documents: Sequence[MentorDocument]) -> None:
        self._check()
        await self.inner.upsert(documents)

    async def delete(self, ids: Sequence[str]) -> None:
        self._check()
        await self.inner.delete(ids)

    async def clear(self) -> None:
        self._check()
        await self.inner.clear()
        if self.on_clear is not None:
            await self.on_clear()

    async def search(self, query: MentorQuery) -> SearchResult:
        self._check()
        return await self.inner.search(query)

    async def documents(self) -> list[MentorDocument]:
        self._check()
        return await self.inner.documents()


@pytest.fixture
async def search() -> FlakySearch:
    engine = FlakySearch()
    await engine.configure()
    return engine


async def outbox_rows(sessions: Sessions) -> list[uuid.UUID]:
    async with sessions() as session:
        return list(await session.scalars(select(SearchOutbox.mentor_id).order_by(col(SearchOutbox.id))))


async def indexed(engine: FlakySearch) -> dict[str, MentorDocument]:
    return {document.id: document for document in await engine.documents()}


async def assert_index_equals_database(sessions: Sessions, engine: FlakySearch) -> None:
    async with sessions() as session:
        documents, _ = await mentor_documents(session, None)
    assert sorted(await engine.documents(), key=lambda d: d.id) == sorted(documents, key=lambda d: d.id)


def profile(**overrides: object) -> mentors.MentorData:
    data: dict[str, object] = {
        "occupation_noc": "21231",
        "job_title": "Senior engineer",
        "years_local_experience": 8,
        "languages": ["en", "fr"],
        "city": "Ottawa",
    }
    data.update(overrides)
    return mentors.MentorData(**data)  # type: ignore[arg-type]


async def save(sessions: Sessions, world: World, mentor: str, **overrides: object) -> None:
    async with sessions() as session, session.begin():
        await mentors.save_my_mentor_profile(session, world.actors[mentor], profile(**overrides))


async def test_a_saved_profile_writes_one_outbox_row_in_its_transaction(
    sessions: Sessions, world: World, search: FlakySearch
) -> None:
    await outbox.drain(sessions, search)
    assert await outbox_rows(sessions) == []
    async with sessions() as session, session.begin():
        await mentors.save_my_mentor_profile(session, world.actors["mentor"], profile(bio="Cloud"))
        inside = list(await session.scalars(select(SearchOutbox.mentor_id)))
        assert inside == [world.mentor_ids["mentor"]]
        assert await outbox_rows(sessions) == []  # not committed yet
    assert await outbox_rows(sessions) == [world.mentor_ids["mentor"]]


async def test_a_refused_save_leaves_no_outbox_row(
    sessions: Sessions, world: World, search: FlakySearch
) -> None:
    await outbox.drain(sessions, search)
    with pytest.raises(DomainError):
        async with sessions() as session, session.begin():
            await mentors.save_my_mentor_profile(
                session, world.actors["mentor"], profile(occupation_noc="99999")
            )
    with pytest.raises(DomainError):  # refused after the profile was flushed
        async with sessions() as session, session.begin():
            await mentors.save_my_mentor_profile(
                session,
                world.actors["mentor"],
                profile(
                    visibility=MentorVisibility.CHOSEN_ORGANIZATIONS,
                    shared_with_organization_ids=[uuid.uuid4()],
                ),
            )
    assert await outbox_rows(sessions) == []


async def test_drain_indexes_the_mentors_and_empties_the_outbox(
    sessions: Sessions, world: World, search: FlakySearch
) -> None:
    assert len(await outbox_rows(sessions)) == 3  # the world saved three profiles
    assert await outbox.drain(sessions, search) == 3
    assert await outbox_rows(sessions) == []
    documents = await indexed(search)
    assert set(documents) == {str(mentor_id) for mentor_id in world.mentor_ids.values()}
    mentor = documents[str(world.mentor_ids["mentor"])]
    assert mentor.audience == (EVERYONE,)
    assert mentor.occupation_code == "21231"
    assert mentor.occupation_group == "21"
    assert "Software engineers and designers" in mentor.occupation_titles
    assert "Ingénieurs/ingénieures et concepteurs/conceptrices en logiciel" in mentor.occupation_titles
    assert "Personnel professionnel des sciences naturelles et appliquées" in mentor.occupation_titles  # 21
    synonyms = mentor.synonyms.split(" | ")
    assert {"engineer", "ingénieur", "software", "logiciel"} <= set(synonyms)
    assert mentor.region == "Ottawa–Gatineau"
    assert "open" in mentor.program_types
    private = documents[str(world.mentor_ids["mentor_private"])]
    assert private.audience == (str(world.organizations["employer"]),)
    await assert_index_equals_database(sessions, search)
    assert await outbox.drain(sessions, search) == 0  # nothing left to do


async def test_nothing_is_lost_while_the_engine_is_down(
    sessions: Sessions, world: World, search: FlakySearch
) -> None:
    await outbox.drain(sessions, search)
    search.down = True
    await save(sessions, world, "mentor", job_title="Ingénieur logiciel", bio="Infonuagique et DevOps")
    await save(sessions, world, "mentor_two", occupation_noc="21211", city="Gatineau", province="QC")
    await save(sessions, world, "mentor", job_title="Cloud architect")  # a later change of the same mentor
    async with sessions() as session, session.begin():
        await session.execute(
            update(MentorProfile)
            .where(col(MentorProfile.id) == world.mentor_ids["mentor_private"])
            .values(is_active=False)
        )
        outbox.record(session, [world.mentor_ids["mentor_private"]])
    assert len(await outbox_rows(sessions)) == 4
    assert await outbox.drain(sessions, search) == 0
    assert await outbox.drain(sessions, search, batch=1) == 0
    assert len(await outbox_rows(sessions)) == 4  # kept for the next drain
    search.down = False
    assert await outbox.drain(sessions, search, batch=2) == 4  # (mentor, mentor_two), (mentor, private)
    assert await outbox_rows(sessions) == []
    documents = await indexed(search)
    assert documents[str(world.mentor_ids["mentor"])].job_title == "Cloud architect"
    assert documents[str(world.mentor_ids["mentor_two"])].region == "Ottawa–Gatineau"
    assert documents[str(world.mentor_ids["mentor_two"])].occupation_code == "21211"
    assert str(world.mentor_ids["mentor_private"]) not in documents  # deactivated
    await assert_index_equals_database(sessions, search)


async def test_reindex_rebuilds_the_index_and_leaves_newer_changes(
    sessions: Sessions, world: World, search: FlakySearch
) -> None:
    await search.upsert([_stray()])
    written_meanwhile = uuid.uuid4()

    async def change_meanwhile() -> None:
        async with sessions() as session, session.begin():
            outbox.record(session, [written_meanwhile])

    search.on_clear = change_meanwhile
    calls: list[tuple[int, int]] = []
    assert (
        await outbox.reindex(
            sessions, search, progress=lambda done, total: calls.append((done, total)), batch=2
        )
        == 3
    )
    assert calls == [(0, 3), (2, 3), (3, 3)]
    await assert_index_equals_database(sessions, search)  # the stray document is gone
    assert len(await indexed(search)) == 3
    assert await outbox_rows(sessions) == [written_meanwhile]  # the world's rows were covered
    assert await outbox.drain(sessions, search) == 1  # an unknown mentor: dropped from the index
    assert await outbox_rows(sessions) == []


async def test_reindex_fails_when_the_engine_is_down_and_keeps_the_outbox(
    sessions: Sessions, world: World, search: FlakySearch
) -> None:
    search.down = True
    with pytest.raises(SearchUnavailable):
        await outbox.reindex(sessions, search)
    assert len(await outbox_rows(sessions)) == 3


async def test_visibility_changes_the_audience(sessions: Sessions, world: World, search: FlakySearch) -> None:
    await outbox.drain(sessions, search)
    mentor_id = str(world.mentor_ids["mentor"])
    employer = str(world.organizations["employer"])
    await save(sessions, world, "mentor", visibility=MentorVisibility.OWN_ORGANIZATION)
    await outbox.drain(sessions, search)
    assert (await indexed(search))[mentor_id].audience == (employer,)
    await save(
        sessions,
        world,
        "mentor",
        visibility=MentorVisibility.CHOSEN_ORGANIZATIONS,
        shared_with_organization_ids=[world.organizations["agency"], world.organizations["hub"]],
    )
    await outbox.drain(sessions, search)
    audience = (await indexed(search))[mentor_id].audience
    assert audience[0] == employer
    assert set(audience) == {employer, str(world.organizations["agency"]), str(world.organizations["hub"])}
    result = await search.search(MentorQuery(text="", organization=str(world.organizations["other"])))
    assert mentor_id not in result.ids
    result = await search.search(MentorQuery(text="", organization=str(world.organizations["agency"])))
    assert mentor_id in result.ids
    await assert_index_equals_database(sessions, search)


async def test_program_types_follow_the_plugins_mentor_criteria(
    sessions: Sessions, world: World, search: FlakySearch
) -> None:
    await save(sessions, world, "mentor", years_local_experience=0)
    await outbox.drain(sessions, search)
    types = (await indexed(search))[str(world.mentor_ids["mentor"])].program_types
    assert "open" not in types  # the open program asks for local experience
    assert "internal" in types  # a program of the mentor's own organization
    assert "peer" not in types  # not a peer mentor


async def test_mentor_documents_names_the_mentors_to_drop(sessions: Sessions, world: World) -> None:
    unknown = uuid.uuid4()
    async with sessions() as session:
        documents, gone = await mentor_documents(session, [world.mentor_ids["mentor"], unknown])
        count = await session.scalar(select(func.count()).select_from(SearchOutbox))
    assert [document.id for document in documents] == [str(world.mentor_ids["mentor"])]
    assert gone == [str(unknown)]
    assert count == 3


def _stray() -> MentorDocument:
    return MentorDocument(
        id=str(uuid.uuid4()),
        audience=(EVERYONE,),
        occupation_code="21231",
        occupation_group="21",
        occupation_titles="",
        industry="",
        job_title="Gone",
        bio="",
        synonyms="",
        languages=("en",),
        city="",
        region="",
        province="ON",
        open_to_virtual=True,
        program_types=(),
        capacity=1,
    )


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TREMPLIN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TREMPLIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("TREMPLIN_MEILISEARCH_URL", raising=False)
    get_settings.cache_clear()
    engines.reset()
    yield tmp_path
    get_settings.cache_clear()
    engines.reset()


def test_the_operator_reindexes_and_drains_from_the_command_line(data_dir: Path) -> None:
    created = CliRunner().invoke(
        main,
        ["org", "create", "hub", "--name-en", "Hub", "--name-fr", "Carrefour", "--kind", "employer",
         "--admin-email", "admin@hub.example", "--admin-name", "Ada",
         "--admin-password", "long enough secret"],
    )  # fmt: skip
    assert created.exit_code == 0, created.output

    async def add_mentor() -> None:
        engine = create_engine(get_settings())
        try:
            async with session_factory(engine)() as session, session.begin():
                organization_id = await session.scalar(select(Organization.id))
                assert organization_id is not None
                user = await accounts.create_user(
                    session, "mentor@hub.example", "Mentor", "long enough secret"
                )
                session.add(Membership(user_id=user.id, organization_id=organization_id, role=Role.MENTOR))
                actor = Actor(
                    user_id=user.id,
                    display_name="Mentor",
                    language=Language.EN,
                    organization_id=organization_id,
                    roles=frozenset({Role.MENTOR}),
                    memberships={organization_id: frozenset({Role.MENTOR})},
                )
                await mentors.save_my_mentor_profile(session, actor, profile())
        finally:
            await engine.dispose()

    asyncio.run(add_mentor())
    reindexed = CliRunner().invoke(main, ["search", "reindex"])
    assert reindexed.exit_code == 0, reindexed.output
    assert "Indexed 1 mentor profiles" in reindexed.output
    assert "profiles/second" in reindexed.output
    drained = CliRunner().invoke(main, ["search", "drain"])  # the save's row was covered by the reindex
    assert drained.exit_code == 0, drained.output
    assert "Indexed 0 mentor profiles" in drained.output
    documents = asyncio.run(EmbeddedSearch(data_dir / "search" / "mentors").documents())
    assert [document.job_title for document in documents] == ["Senior engineer"]


async def test_the_server_indexes_in_the_background(
    engine: AsyncEngine, sessions: Sessions, world: World, search: FlakySearch
) -> None:
    search.down = True  # down when the server starts: the indexer keeps trying
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), debug=False)
    app = create_app(settings, search=search)
    assert app.state.search is search
    async with AsyncTestClient(app) as client:
        assert (await client.get("/health")).status_code == 200
        await asyncio.sleep(1.2)
        assert len(await outbox_rows(sessions)) == 3
        search.down = False
        for _ in range(50):
            if not await outbox_rows(sessions):
                break
            await asyncio.sleep(0.1)
        assert await outbox_rows(sessions) == []
        await save(sessions, world, "mentor_two", job_title="Data scientist")
        for _ in range(50):
            if not await outbox_rows(sessions):
                break
            await asyncio.sleep(0.1)
        assert (await indexed(search))[str(world.mentor_ids["mentor_two"])].job_title == "Data scientist"
    await assert_index_equals_database(sessions, search)
