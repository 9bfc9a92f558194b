"""``wip_limit``: at most N projects in progress; the rest wait in the portfolio."""

from __future__ import annotations

from pydantic import Field

from itsim.policies.base import Policy, PolicyParams


class WipLimitParams(PolicyParams):
    wip_limit: int = Field(default=3, ge=1, description="Most projects in progress at once.")


class WipLimit(Policy):
    """Finish before starting: a new project starts only while fewer than
    ``wip_limit`` are in progress. Work choice is otherwise firefight first."""

    name = "wip_limit"
    Params = WipLimitParams
    direct_handoff = True

    def may_start_project(self, world) -> bool:
        return len(world.portfolio.in_progress) < self.params.wip_limit
