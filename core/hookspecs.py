"""Every hook Tremplin calls. A plugin implements any subset with ``@hookimpl``.

Hooks may return a value or an awaitable; the platform resolves both
(``core.plugins.await_me_maybe``). Except ``register_program_types`` and
``register_translations``, hooks are only asked of the plugins that the organization in
scope has enabled: the program's organization for program hooks.

Lifecycle hooks run inside the use case's transaction and receive its ``session``: what
a plugin writes there commits or rolls back with the change that triggered it, and an
exception raised by a plugin cancels that change.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import Actor
from core.models import (
    MatchProposal,
    MenteeProfile,
    MentorProfile,
    Mentorship,
    Outcome,
    Program,
    Referral,
)
from core.rules import RuleField, RuleResult

hookspec = pluggy.HookspecMarker("tremplin")
hookimpl = pluggy.HookimplMarker("tremplin")

__all__ = [
    "ActivityKind",
    "Actor",
    "CriterionScore",
    "GraphQLFields",
    "MatchCriterion",
    "ProgramType",
    "RuleField",
    "RuleResult",
    "hookimpl",
    "hookspec",
]


@dataclass(frozen=True)
class ProgramType:
    """A kind of mentoring program a plugin offers (open, integrated, group...)."""

    key: str
    name_en: str
    name_fr: str
    description_en: str = ""
    description_fr: str = ""
    default_term_weeks: int = 12
    default_meeting_minutes_per_week: int = 60
    default_settings: dict[str, Any] = field(default_factory=dict)
    # The eligibility rules a new program of this type starts with (see core.rules);
    # staff edit them per program afterwards.
    default_rules: dict[str, Any] = field(default_factory=lambda: {"all": []})
    # Organization kinds that may run this type (None: any kind).
    organization_kinds: frozenset[str] | None = None


@dataclass(frozen=True)
class ActivityKind:
    """A kind of mentoring activity that can be logged, beyond the default meeting
    (e.g. job shadowing in an employer-sponsored program)."""

    key: str
    name_en: str
    name_fr: str
    program_types: frozenset[str]


@dataclass(frozen=True)
class CriterionScore:
    """A plugin criterion's answer for one pair: 0..1, and a catalog key (with its
    placeholders' values) saying why, in both languages."""

    score: float
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MatchCriterion:
    """A matching criterion a plugin adds for programs of some types. ``score`` gets a
    newcomer and many mentors at once (the whole pool for a suggestion list) and
    answers one ``CriterionScore`` per mentor, in order: keep it cheap per mentor.
    Coordinators weigh it like core criteria; name it in the catalogs as
    ``match.criterion.<key>``."""

    key: str
    default_weight: float
    program_types: frozenset[str]
    score: Callable[[Program, MenteeProfile, Sequence[MentorProfile]], Sequence[CriterionScore]]


@hookspec
def register_program_types() -> list[ProgramType]:  # type: ignore[empty-body]
    """Program types this plugin offers. Called once when the plugin manager starts."""


@hookspec
def register_translations() -> Path | None:
    """A directory holding ``en/*.po`` and ``fr/*.po`` with this plugin's messages,
    merged into the platform's catalogs. Every message a person reads must be in both."""


@hookspec
def register_rule_fields() -> list[RuleField]:  # type: ignore[empty-body]
    """Fields this plugin adds to the declarative eligibility rules (``core.rules``), each
    with its kind (which decides the operators staff may use) and how to read it. Label
    each field in the catalogs as ``rule.field.<key>``."""


@hookspec
def register_activity_kinds() -> list[ActivityKind]:  # type: ignore[empty-body]
    """Kinds of activity a mentorship of the named program types may log besides
    meetings; name each in both languages."""


@hookspec
def register_match_criteria() -> list[MatchCriterion]:  # type: ignore[empty-body]
    """Criteria this plugin adds to matching (see ``MatchCriterion``). Asked of the
    plugins the program's organization enabled; a criterion counts only in programs of
    its types, with its default weight until coordinators change it."""


@dataclass(frozen=True)
class GraphQLFields:
    """Root fields a plugin adds to the GraphQL API: Strawberry types whose fields are
    merged into ``Query`` and ``Mutation``."""

    query: type | None = None
    mutation: type | None = None


@hookspec
def register_graphql() -> GraphQLFields | None:
    """The plugin's own queries and mutations. Called once when the schema is built, for
    every installed plugin: the services behind them check, per request, that the
    organization in scope enabled the plugin."""


@hookspec
def grant_mentee_access(
    session: AsyncSession, actor: Actor, mentee_ids: frozenset[uuid.UUID]
) -> Awaitable[set[uuid.UUID]] | set[uuid.UUID] | None:
    """Newcomers among ``mentee_ids`` whom a relationship this plugin manages lets the
    actor see (e.g. the connector of a connector meeting). They see the card a mentor
    deciding on a proposal sees, on the ``connection`` grounds, and every such read is
    audited. Asked of every installed plugin: check that the relationship is live."""


@hookspec
def check_eligibility(
    program: Program, mentee: MenteeProfile
) -> list[RuleResult] | Awaitable[list[RuleResult]] | None:
    """Check a newcomer against criteria that code must compute, beyond the program's
    declarative rules (which staff edit, see ``core.rules``).

    Return one result per criterion for programs of this plugin's types, None for
    others. A referral is admissible when its rules pass and every result from every
    enabled plugin passed.
    """


@hookspec
def check_mentor_eligibility(
    program: Program, mentor: MentorProfile
) -> list[RuleResult] | Awaitable[list[RuleResult]] | None:
    """Check a mentor against a program's criteria before they are proposed in it;
    same contract as ``check_eligibility``."""


@hookspec
def referral_submitted(
    session: AsyncSession, actor: Actor, referral: Referral, program: Program
) -> Awaitable[None] | None:
    """An agency referred a client to a program (client consent recorded)."""


@hookspec
def referral_decided(
    session: AsyncSession, actor: Actor, referral: Referral, program: Program
) -> Awaitable[None] | None:
    """A referral was admitted, returned with reasons, or withdrawn (see its status)."""


@hookspec
def match_proposed(
    session: AsyncSession, actor: Actor, proposal: MatchProposal, program: Program
) -> Awaitable[None] | None:
    """Staff proposed a mentor to a mentee."""


@hookspec
def match_answered(
    session: AsyncSession, actor: Actor, proposal: MatchProposal, program: Program
) -> Awaitable[None] | None:
    """One side answered a proposal; ``proposal.status`` tells whether it is now
    accepted by both, declined, or still waiting for the other side."""


@hookspec
def mentorship_started(
    session: AsyncSession, actor: Actor, mentorship: Mentorship, program: Program
) -> Awaitable[None] | None:
    """Both sides accepted: the mentoring agreement starts."""


@hookspec
def mentorship_closed(
    session: AsyncSession, actor: Actor, mentorship: Mentorship, program: Program
) -> Awaitable[None] | None:
    """A mentorship was completed or ended early (see its status and reason)."""


@hookspec
def outcome_recorded(
    session: AsyncSession, actor: Actor, outcome: Outcome, program: Program
) -> Awaitable[None] | None:
    """An employment outcome was recorded at closure or at a later stage."""
