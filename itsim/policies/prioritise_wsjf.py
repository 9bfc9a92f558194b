"""``prioritise_wsjf``: weighted shortest job first.

The project with the largest cost of delay per hour of estimated effort
(``value_per_week / estimate_hours``) is started first (when projects wait, under a
WIP limit), and a person holding several works on it first (Reinertsen 2009). The estimate, not the true
size, is what a portfolio board can see; a common estimate bias does not change
the order.
"""

from __future__ import annotations

from itsim.policies.base import Policy
from itsim.policies.view import Project


class PrioritiseWsjf(Policy):
    """Largest ``value_per_week / estimate_hours`` first; ties in request order."""

    name = "prioritise_wsjf"
    direct_handoff = True

    def portfolio_key(self, project: Project) -> tuple[float, int]:
        return -project.value / max(project.estimate, 1e-9), project.id
