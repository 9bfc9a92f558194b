"""``fifo``: projects are started and worked in the order they were requested."""

from __future__ import annotations

from itsim.policies.base import Policy
from itsim.policies.view import Project


class Fifo(Policy):
    """First come, first served, stated explicitly (so that it wins over an earlier
    ordering policy when combined)."""

    name = "fifo"
    direct_handoff = True

    def portfolio_key(self, project: Project) -> tuple[float, int]:
        return project.requested, project.id
