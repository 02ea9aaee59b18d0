"""How fast mentor search is on the embedded engine, from the database to HTTP.

Run from the repository's root::

    .venv/bin/python -m benchmarks.search             # 100,000 mentors (a few minutes)
    .venv/bin/python -m benchmarks.search --quick     # 2,000 mentors: a smoke test

In a temporary data directory (SQLite, the embedded defaults):

1. 100,000 synthetic mentors (shaped like the platform's, see ``benchmarks.matching``)
   are written straight into the database, with a mix of visibilities;
2. **indexing**: ``tremplin search reindex``'s function rebuilds the index from the
   database (reading the profiles, building the documents, writing the engine) —
   profiles per second;
3. **search through HTTP**: ``tremplin serve`` runs in another process; a coordinator
   signs in and sends a realistic mix of ``mentorSearch`` queries (plain text in
   English and French, typos, filters, room left, every facet counted) one after the
   other; each is timed from request to parsed answer — p50 and p95. The same run
   times ``GET /health`` as the floor any request through this server pays, and prints
   the ratio.

Absolute times depend on the machine and its load; the ratios hold.
"""

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert

from benchmarks.matching import synthetic_mentors
from core import migrate
from core.db import create_engine, session_factory
from core.models import (
    Membership,
    MentorAffiliation,
    MentorProfile,
    MentorSharedWith,
    MentorVisibility,
    Organization,
    OrganizationKind,
    Role,
    User,
)
from core.search.embedded import EmbeddedSearch
from core.search.outbox import reindex
from core.security import hash_password
from core.settings import Settings

PASSWORD = "benchmark-password"
COORDINATOR = "coordinator@bench.tremplin.ca"
TARGET_P95_MS = 30.0
TARGET_INDEXING = 2000.0
_WORDS = (
    "engineer", "enginer", "sofware developer", "ingénieur logiciel", "ingenieur", "comptable",
    "accountant", "nurse", "infirmière", "data analyst", "analyste de données", "project manager",
    "gestion de projet", "marketing", "teacher", "enseignant", "civil engineer", "réseaux", "cloud",
    "pharmacist", "human resources", "ressources humaines", "électricien", "finance",
)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def populate(settings: Settings, count: int, seed: int) -> None:
    """Organizations, a coordinator, ``count`` mentors written in bulk (not through the
    services: the figure measured is the index, not profile validation)."""
    engine = create_engine(settings)
    sessions = session_factory(engine)
    rng = random.Random(seed)
    organizations = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(8)]
    mentors = synthetic_mentors(count, seed)
    async with sessions() as session, session.begin():
        for index, organization_id in enumerate(organizations):
            session.add(
                Organization(
                    id=organization_id,
                    slug=f"org{index}",
                    name_en=f"Organization {index}",
                    name_fr=f"Organisme {index}",
                    kind=OrganizationKind.SETTLEMENT_AGENCY if index else OrganizationKind.LEAD_ORGANIZATION,
                )
            )
        coordinator = User(
            email=COORDINATOR, display_name="Coordinator", password_hash=hash_password(PASSWORD)
        )
        session.add(coordinator)
        await session.flush()
        session.add(
            Membership(user_id=coordinator.id, organization_id=organizations[0], role=Role.COORDINATOR)
        )
        for start in range(0, count, 5000):
            batch = mentors[start : start + 5000]
            users, profiles, shares = [], [], []
            for mentor in batch:
                users.append(
                    {"id": mentor.user_id, "email": f"{mentor.id.hex}@mentor.bench", "display_name": "Mentor"}
                )
                draw = rng.random()
                visibility = MentorVisibility.PLATFORM
                if draw < 0.08:
                    visibility = MentorVisibility.OWN_ORGANIZATION
                elif draw < 0.15:
                    visibility = MentorVisibility.CHOSEN_ORGANIZATIONS
                    shares.append({"mentor_id": mentor.id, "organization_id": rng.choice(organizations)})
                profiles.append(
                    {
                        "id": mentor.id,
                        "user_id": mentor.user_id,
                        "organization_id": rng.choice(organizations),
                        "affiliation": MentorAffiliation.INDIVIDUAL,
                        "visibility": visibility,
                        "job_title": mentor.job_title,
                        "occupation_noc": mentor.occupation_noc,
                        "industry_naics": mentor.industry_naics,
                        "years_local_experience": rng.randint(0, 25),
                        "languages": mentor.languages,
                        "city": mentor.city,
                        "province": mentor.province,
                        "open_to_virtual": mentor.open_to_virtual,
                        "capacity": mentor.capacity,
                        "availability": mentor.availability,
                        "bio": mentor.bio,
                        "cultural_backgrounds": mentor.cultural_backgrounds,
                        "work_style": mentor.work_style,
                        "is_peer": False,
                        "is_active": True,
                    }
                )
            await session.execute(insert(User), users)
            await session.execute(insert(MentorProfile), profiles)
            if shares:
                await session.execute(insert(MentorSharedWith), shares)
    await engine.dispose()


async def index(settings: Settings) -> tuple[int, float]:
    engine = create_engine(settings)
    search = EmbeddedSearch(settings.data_dir / "search" / "mentors")
    started = time.perf_counter()
    count = await reindex(session_factory(engine), search)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return count, elapsed


def queries(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    mix = []
    for _ in range(count):
        kind = rng.random()
        filters: dict[str, Any] = {}
        text = rng.choice(_WORDS) if kind < 0.8 else ""
        if kind >= 0.4:
            choice = rng.random()
            if choice < 0.3:
                filters["languages"] = [rng.choice(["fr", "en", "ar", "es", "hi"])]
            elif choice < 0.55:
                filters["regions"] = [rng.choice(["Toronto", "Montréal", "Vancouver", "Ottawa–Gatineau"])]
            elif choice < 0.8:
                filters["occupationGroups"] = [rng.choice(["21", "11", "31", "22", "12"])]
            else:
                filters["hasCapacity"] = True
            if rng.random() < 0.3:
                filters["openToVirtual"] = True
        mix.append({"text": text, "filters": filters or None, "limit": 20, "offset": 0})
    return mix


SIGN_IN = "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }"
SEARCH = """
query($text: String!, $filters: MentorFilters, $limit: Int!, $offset: Int!) {
  mentorSearch(text: $text, filters: $filters, limit: $limit, offset: $offset) {
    totalCount items { id displayName occupation { code title } city languages }
    facets { name values { value count label } } } }"""


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_http(settings: Settings, mix: list[dict[str, Any]]) -> dict[str, Any]:
    port = _free_port()
    environment = {
        **os.environ,
        "TREMPLIN_DATA_DIR": str(settings.data_dir),
        "TREMPLIN_PORT": str(port),
        "TREMPLIN_DATABASE_URL": settings.resolved_database_url,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(300):
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            signed = client.post(
                "/graphql",
                json={"query": SIGN_IN, "variables": {"e": COORDINATOR, "p": PASSWORD}},
            ).json()
            headers = {"Authorization": f"Bearer {signed['data']['signIn']['token']}"}
            for variables in mix[:10]:  # warm-up: caches, the first searcher
                client.post("/graphql", json={"query": SEARCH, "variables": variables}, headers=headers)
            latencies, totals, health = [], [], []
            for variables in mix:
                started = time.perf_counter()
                answer = client.post(
                    "/graphql", json={"query": SEARCH, "variables": variables}, headers=headers
                )
                body = answer.json()
                latencies.append((time.perf_counter() - started) * 1000)
                if "errors" in body:
                    raise RuntimeError(f"search failed: {body['errors'][0].get('extensions')}")
                totals.append(body["data"]["mentorSearch"]["totalCount"])
                started = time.perf_counter()
                client.get("/health")
                health.append((time.perf_counter() - started) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "p50": statistics.median(latencies),
        "p95": _percentile(latencies, 0.95),
        "max": max(latencies),
        "health_p50": statistics.median(health),
        "health_p95": _percentile(health, 0.95),
        "mean_total": statistics.mean(totals),
        "queries": len(latencies),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--mentors", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quick", action="store_true", help="2,000 mentors, 50 queries")
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.mentors, arguments.queries = 2000, 50
    console = Console(width=None if sys.stdout.isatty() else 120)
    os.environ.setdefault("TREMPLIN_ARGON2_TIME_COST", "1")
    os.environ.setdefault("TREMPLIN_ARGON2_MEMORY_COST", "1024")
    with tempfile.TemporaryDirectory(prefix="tremplin-search-bench-") as directory:
        settings = Settings(data_dir=Path(directory))
        migrate.upgrade(database_url=settings.resolved_database_url)
        with console.status(f"Writing {arguments.mentors:,} mentors into SQLite…"):
            started = time.perf_counter()
            asyncio.run(populate(settings, arguments.mentors, arguments.seed))
            written = time.perf_counter() - started
        with console.status("Building the index from the database…"):
            count, elapsed = asyncio.run(index(settings))
        with console.status(f"Serving, then {arguments.queries} searches through HTTP…"):
            http = measure_http(settings, queries(arguments.queries, arguments.seed))
    rate = count / elapsed if elapsed else float("inf")
    table = Table(
        title=f"Mentor search, embedded engine, {arguments.mentors:,} mentors (seed {arguments.seed})"
    )
    for column in ("figure", "measured", "target", "verdict"):
        table.add_column(column)
    table.add_row("write the mentors into SQLite (set-up)", f"{written:.1f} s", "—", "")
    table.add_row("index from the database", f"{count:,} in {elapsed:.1f} s = {rate:,.0f} profiles/s",
                  f"≥ {TARGET_INDEXING:,.0f}/s", "met" if rate >= TARGET_INDEXING else "NOT met")  # fmt: skip
    table.add_row("search through HTTP, p50", f"{http['p50']:.1f} ms", "—", "")
    table.add_row("search through HTTP, p95", f"{http['p95']:.1f} ms", f"≤ {TARGET_P95_MS:.0f} ms",
                  "met" if http["p95"] <= TARGET_P95_MS else "NOT met")  # fmt: skip
    table.add_row("search through HTTP, max", f"{http['max']:.1f} ms", "—", "")
    floor = f"{http['health_p50']:.1f} / {http['health_p95']:.1f} ms"
    table.add_row("GET /health p50 / p95 (the floor)", floor, "—", "")
    table.add_row("search p50 / health p50", f"{http['p50'] / http['health_p50']:.1f}×", "—", "")
    table.add_row("queries, mean results per query", f"{http['queries']}, {http['mean_total']:,.0f}", "—", "")
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
