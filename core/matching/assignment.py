"""Assigning newcomers to mentors under the mentors' capacities.

``optimal`` solves it exactly on the candidate edges as a min-cost flow (OR-Tools):
source → each newcomer (1) → a mentor (1 per edge, cost = -score) → sink (the mentor's
capacity). Two modes:

- ``best_total``: the greatest sum of scores, with a free newcomer → sink arc for
  leaving someone unmatched;
- ``most_matched``: the greatest number of people matched (a maximum flow), then the
  greatest sum among those assignments (its minimum cost).

``greedy`` is the baseline staff would get by hand: the best remaining pair first.
"""

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from core.models import CohortMode

# Scores become integer costs at this precision (min-cost flow works on integers).
SCALE = 10_000


@dataclass(frozen=True)
class Edges:
    """Pairs that may be assigned, with their scores (parallel arrays)."""

    mentees: np.ndarray  # int
    mentors: np.ndarray  # int
    scores: np.ndarray  # float

    def __len__(self) -> int:
        return len(self.scores)

    def total(self, chosen: np.ndarray) -> float:
        return float(self.scores[chosen].astype(np.float64).sum())


def optimal(edges: Edges, capacity: np.ndarray, mentee_count: int, mode: CohortMode) -> np.ndarray:
    """A boolean mask of the edges in an optimal assignment."""
    if len(edges) == 0:
        return np.zeros(0, dtype=bool)
    mentor_count = len(capacity)
    source, sink = mentee_count + mentor_count, mentee_count + mentor_count + 1
    value = np.round(edges.scores.astype(np.float64) * SCALE).astype(np.int64)
    mentees = np.arange(mentee_count, dtype=np.int64)
    mentors = mentee_count + np.arange(mentor_count, dtype=np.int64)
    runs = [  # (tails, heads, capacities, costs): source → newcomers, edges, mentors → sink
        (np.full(mentee_count, source), mentees, np.ones(mentee_count), np.zeros(mentee_count)),
        (edges.mentees, mentee_count + edges.mentors, np.ones(len(edges)), -value),
        (mentors, np.full(mentor_count, sink), capacity, np.zeros(mentor_count)),
    ]
    if mode == CohortMode.BEST_TOTAL:
        # Leaving someone unmatched is free, so only pairs worth more than that flow.
        runs.append((mentees, np.full(mentee_count, sink), np.ones(mentee_count), np.zeros(mentee_count)))
    tails, heads, capacities, costs = (
        np.concatenate(column).astype(np.int64) for column in zip(*runs, strict=True)
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_nodes_supplies(np.array([source, sink]), np.array([mentee_count, -mentee_count]))
    # Most matched: the maximum flow (everyone who can be matched), and of those flows
    # the cheapest (the greatest total score).
    status = flow.solve() if mode == CohortMode.BEST_TOTAL else flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    return flow.flows(arcs[mentee_count : mentee_count + len(edges)]) > 0


def greedy(edges: Edges, capacity: np.ndarray, mentee_count: int) -> np.ndarray:
    """The best remaining pair first (ties by newcomer, then mentor)."""
    chosen = np.zeros(len(edges), dtype=bool)
    places = capacity.astype(np.int64).tolist()
    matched = bytearray(mentee_count)
    left = min(mentee_count, int(capacity.sum()))
    order = np.lexsort((edges.mentors, edges.mentees, -edges.scores)).tolist()
    mentees, mentors = edges.mentees.tolist(), edges.mentors.tolist()
    for index in order:
        mentee, mentor = mentees[index], mentors[index]
        if not matched[mentee] and places[mentor] > 0:
            matched[mentee] = 1
            places[mentor] -= 1
            chosen[index] = True
            left -= 1
            if not left:
                break
    return chosen
