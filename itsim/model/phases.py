"""Scenario phases: time-bounded demand multipliers and staff changes.

Phase days count from the end of warm-up, so ``start_day = 100`` is day 100 of
the measured horizon.
"""

from __future__ import annotations

from itsim.model.arrivals import PhaseScale


class Phases:
    def __init__(self, world):
        self.world = world
        sc = world.scenario
        w = world.warmup
        self.windows = [((w + p.start_day * 24.0), (w + p.end_day * 24.0), p) for p in sc.phase]
        self.incident_scale = PhaseScale(
            [(s, e, p.demand_scale * p.incident_rate_scale) for s, e, p in self.windows]
        )
        self.project_scale = PhaseScale(
            [(s, e, p.demand_scale * p.project_rate_scale) for s, e, p in self.windows]
        )

    def start(self) -> None:
        """Schedule the staff changes at every phase boundary."""
        world = self.world
        times = sorted({t for s, e, p in self.windows if p.team for t in (s, e) if t < world.end})
        for t in times:
            world.at(t, 1, self._staff_change)

    def staff_target(self, role: str, t: float) -> int:
        """The head count a role should have at time ``t`` (latest-starting active phase wins)."""
        count = self.world.scenario.role(role).count
        best = None
        for s, e, p in self.windows:
            if s <= t < e and role in p.team and (best is None or s >= best):
                best = s
                count = p.team[role]["count"]
        return count

    def _staff_change(self, ev) -> None:
        world = self.world
        now = world.env._now
        for role in world.roles:
            world.set_staff(role, self.staff_target(role.name, now) - role.vacancies)
