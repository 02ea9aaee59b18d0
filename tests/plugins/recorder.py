"""A test-only plugin that records every lifecycle event it is told about."""

from typing import Any

from core.hookspecs import hookimpl

LIFECYCLE_HOOKS = (
    "referral_submitted",
    "referral_decided",
    "match_proposed",
    "match_answered",
    "mentorship_started",
    "mentorship_closed",
    "outcome_recorded",
)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    @hookimpl
    def referral_submitted(self, referral: Any) -> None:
        self.events.append(("referral_submitted", referral.status))

    @hookimpl
    def referral_decided(self, referral: Any) -> None:
        self.events.append(("referral_decided", referral.status))

    @hookimpl
    def match_proposed(self, proposal: Any) -> None:
        self.events.append(("match_proposed", proposal.status))

    @hookimpl
    async def match_answered(self, proposal: Any) -> None:
        # An awaitable answer, as async plugins give: the host must await it.
        self.events.append(("match_answered", proposal.status))

    @hookimpl
    def mentorship_started(self, mentorship: Any) -> None:
        self.events.append(("mentorship_started", mentorship.status))

    @hookimpl
    def mentorship_closed(self, mentorship: Any) -> None:
        self.events.append(("mentorship_closed", mentorship.status))

    @hookimpl
    def outcome_recorded(self, outcome: Any, session: Any, actor: Any) -> None:
        assert session is not None and actor is not None
        self.events.append(("outcome_recorded", outcome.stage))
