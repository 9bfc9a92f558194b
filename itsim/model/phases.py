"""Scenario phases: time-bounded demand multipliers, staff changes and policies.

Phase days count from the end of warm-up, so ``start_day = 100`` is day 100 of
the measured horizon. Where phases overlap, the latest-starting one sets the head
count of a role, and the policy.
"""

from __future__ import annotations

from itsim.model.arrivals import PhaseScale
from itsim.policies import phase_policy


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

        self.base_policy = world.policy  # in force outside phases that set a policy
        # One policy object per phase that sets one (built, and so validated, once).
        self.policies = {id(p): phase_policy(p.policy) for _, _, p in self.windows if p.policy is not None}

    def start(self) -> None:
        """Schedule the staff and policy changes at every phase boundary."""
        world = self.world
        times = sorted({t for s, e, p in self.windows if p.team for t in (s, e) if t < world.end})
        for t in times:
            world.at(t, 1, self._staff_change)
        times = sorted({t for s, e, p in self.windows if p.policy is not None for t in (s, e) if t < world.end})
        for t in times:
            world.at(t, 1, self._policy_change)

    def policy_at(self, t: float):
        """The phase policy in force at time ``t`` (latest-starting active phase), or None."""
        best, policy = None, None
        for s, e, p in self.windows:
            if s <= t < e and p.policy is not None and (best is None or s >= best):
                best, policy = s, self.policies[id(p)]
        return policy

    def _policy_change(self, ev) -> None:
        world = self.world
        policy = self.policy_at(world.env._now)
        world.set_policy(policy if policy is not None else self.base_policy)

    def staff_target(self, role: str, t: float) -> int:
        """The head count a role should have at time ``t`` (latest-starting active phase wins)."""
        count = self.world.role[role].target
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
