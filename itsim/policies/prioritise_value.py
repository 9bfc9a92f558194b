"""``prioritise_value``: the project with the highest value per week is started, and
worked, first."""

from __future__ import annotations

from itsim.policies.base import Policy
from itsim.policies.view import Project


class PrioritiseValue(Policy):
    """Largest cost of delay (``value_per_week``, money per week) first; ties in request order."""

    name = "prioritise_value"
    direct_handoff = True

    def portfolio_key(self, project: Project) -> tuple[float, int]:
        return -project.value, project.id
