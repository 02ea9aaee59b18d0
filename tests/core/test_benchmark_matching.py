"""The matching benchmark (``python -m benchmarks.matching``) on tiny sizes: what it
computes and prints, never how fast (timings belong to the benchmark's own output)."""

import subprocess
import sys
from pathlib import Path

from benchmarks import matching

REPOSITORY = Path(__file__).parents[2]
SEED = 7


def test_benchmark_scenarios_compare_optimal_with_greedy_and_print_the_summary() -> None:
    # The synthetic data is the same for a seed, and another seed gives other data.
    mentors = matching.synthetic_mentors(30, SEED)
    mentees = matching.synthetic_mentees(60, SEED)
    assert mentors == matching.synthetic_mentors(30, SEED)
    assert mentees == matching.synthetic_mentees(60, SEED)
    assert mentors != matching.synthetic_mentors(30, SEED + 1)
    assert [mentor.id for mentor in mentors] == sorted(mentor.id for mentor in mentors)
    assert all(1 <= mentor.capacity <= 3 for mentor in mentors)
    assert all(
        mentee.preferred_language.value in {e["language"] for e in mentee.languages} for mentee in mentees
    )

    cohort = matching.cohort_scenario(60, 30, SEED)
    assert (cohort["mentees"], cohort["mentors"]) == (60, 30)
    assert cohort["edges"] > 0
    assert cohort["optimal_matched"] >= cohort["greedy_matched"] > 0
    assert cohort["optimal_matched"] <= min(cohort["mentees"], cohort["capacity"])
    assert cohort["best_total_total"] >= cohort["best_total_greedy_total"] - 1e-6
    assert cohort["best_total_total"] >= cohort["optimal_total"] - 1e-6
    # The optimization and the greedy baseline timed alone give what assign() gave.
    assert cohort["alone_greedy_matched"] == cohort["greedy_matched"]
    assert cohort["alone_optimal_matched"] == cohort["optimal_matched"]
    assert sum(cohort["unmatched"].values()) == cohort["mentees"] - cohort["optimal_matched"]
    assert cohort["peak_mb"] >= cohort["baseline_mb"] > 0

    topk = matching.topk_scenario(200, 5, SEED)
    assert (topk["pool"], topk["queries"], topk["shown_min"]) == (200, 5, matching.TOP)
    assert topk["topk_ms"]["median"] <= topk["topk_ms"]["max"]
    assert topk["ratio_median"] > 0

    printed = subprocess.run(
        [sys.executable, "-m", "benchmarks.matching", "--quick", "--seed", str(SEED)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = matching.summary_rows(cohort, topk)
    assert len(rows) == 4
    assert "Summary (seed 7" in printed
    for target, required, _, _ in rows:
        (line,) = [line for line in printed.splitlines() if target in line]
        assert required in line
        assert "met" in line  # the verdict: "met" or "NOT met"
    assert "greedy (best pair first)" in printed
