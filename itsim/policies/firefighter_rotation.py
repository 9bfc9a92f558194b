"""``firefighter_rotation``: one person per role takes all incidents below the top
priority class, rotating weekly, which shields the rest for project work.

Applies to each role that handles incidents and also does project work (a role
whose work is incidents and routine tasks, such as a service desk, keeps taking
every incident). In week ``k`` (Monday 00:00 to Monday 00:00) the firefighter is
the role's person number ``k mod head count`` in order of joining, so the rotation
is deterministic (with ``firefighters = n``, the ``n`` people from number ``k x n``
on, wrapping round). Firefighters work firefight first; the others take only
top-priority (P1) incidents, then recurring and project work, and only P1
incidents may interrupt them. With a single priority class every incident is P1
and nothing changes.
"""

from __future__ import annotations

from pydantic import Field

from itsim.model.work import INCIDENT
from itsim.policies.base import Policy, PolicyParams, take_planned

HOURS_PER_WEEK = 168.0


class FirefighterRotationParams(PolicyParams):
    firefighters: int = Field(default=1, ge=1, description="People per role on incident duty each week.")


class FirefighterRotation(Policy):
    name = "firefighter_rotation"
    Params = FirefighterRotationParams

    def bind(self, world) -> None:
        from itsim.model.world import PRIO_CAPACITY

        self.world = world
        self.shielded = [r for r in world.roles if r.incident_ranks and r.takes_projects]
        self._shielded = {r.index for r in self.shielded}
        if self.shielded and world.end > HOURS_PER_WEEK:
            world.at(HOURS_PER_WEEK, PRIO_CAPACITY, self._rotate)
        self.priority = PRIO_CAPACITY

    def on_duty(self, person, now: float) -> bool:
        """Whether ``person`` is one of their role's firefighters at time ``now`` (hours)."""
        people = person.role.people
        n = self.params.firefighters
        return (people.index(person) - int(now // HOURS_PER_WEEK) * n) % len(people) < n

    def fights_fires(self, person, world) -> bool:
        return person.role.index not in self._shielded or self.on_duty(person, world.now)

    def takes(self, person, item, world) -> bool:
        return item.kind != INCIDENT or item.rank == 0 or self.fights_fires(person, world)

    def select(self, person, world):
        if self.fights_fires(person, world):
            return world.take_default(person)
        item = world.take_incident(person.role, max_rank=0)
        return item if item is not None else take_planned(person, world)

    def may_preempt(self, item, victim, world) -> bool:
        return self.takes(victim, item, world)

    def _rotate(self, ev) -> None:
        world = self.world
        world.wake(self.shielded)
        if world.now + HOURS_PER_WEEK < world.end:
            world.at(HOURS_PER_WEEK, self.priority, self._rotate)
