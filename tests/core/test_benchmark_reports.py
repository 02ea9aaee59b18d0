"""The report benchmark (``python -m benchmarks.reports``) on a tiny size: the data it
writes and what it prints, never how fast (timings belong to the benchmark's output).
It needs PostgreSQL: a database of its own next to the test database."""

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from benchmarks import reports
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES

REPOSITORY = Path(__file__).parents[2]
BENCHMARK_URL = f"{POSTGRES_URL}_benchmark_reports"


async def reachable() -> None:
    try:
        connection = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    await connection.close()


async def test_the_benchmark_writes_its_collaborative_and_times_every_scope() -> None:
    await reachable()
    figures = await reports.benchmark(BENCHMARK_URL, 300, 1, seed=7)
    counts = figures["counts"]
    assert counts["mentorships"] == counts["match_proposals"] == 300
    assert counts["referrals"] == counts["mentee_profiles"] == 360
    assert counts["meetings"] >= 3 * 300 and counts["outcomes"] > 0
    assert counts["event_registrations"] == counts["events"] * reports.REGISTRATIONS_PER_EVENT
    assert counts["survey_questions"] == 2 * reports.AGENCIES * reports.SCALE_QUESTIONS_PER_PROGRAM
    assert counts["survey_responses"] > 0
    assert counts["survey_answers"] == counts["survey_responses"] * reports.SCALE_QUESTIONS_PER_PROGRAM
    assert set(figures["times"]) == {"baseline", "collaborative", "organization", "program"}
    assert all(len(times) == 1 for times in figures["times"].values())

    printed = subprocess.run(
        [sys.executable, "-m", "benchmarks.reports", "--quick", "--seed", "7"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TREMPLIN_BENCHMARK_POSTGRES_URL": BENCHMARK_URL, "COLUMNS": "200"},
    ).stdout
    assert "2,000 mentorships" in printed and "survey answers" in printed
    for scope in ("collaborative", "organization", "program"):
        (line,) = [line for line in printed.splitlines() if line.startswith(f"│ {scope} ")]
        assert "met" in line  # the verdict: "met" or "NOT met"
    assert "SELECT count(*) FROM meetings" in printed
