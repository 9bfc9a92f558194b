"""``firefighter_rotation``: one person per role takes the incidents below the top
priority class, rotating weekly, which shields the rest for planned work.

Google's SRE practice puts one person on interrupts so that the others can keep
their focus ("Dealing with interrupts", Site Reliability Engineering, 2016, ch. 29),
and the shield is meant to bend, not to let incidents pile up behind one person.

Applies to each role that handles incidents and also does project work (a role
whose work is incidents and routine tasks, such as a service desk, keeps taking
every incident). In week ``k`` (Monday 00:00 to Monday 00:00) the firefighter is
the role's person number ``k mod head count`` in order of joining, so the rotation
is deterministic (with ``firefighters = n``, the ``n`` people from number ``k x n``
on, wrapping round). Firefighters work firefight first. The others take top-priority
(P1) incidents first, then planned work (recurring, projects, tech-debt paydown), and
the other incidents when they have nothing planned to do: nobody stays idle while an
incident waits. Once more than ``queue_threshold`` incidents wait for the role, the
others take incidents first again until the queue is back under it.
Only P1 incidents may interrupt them, unless the queue is over the threshold. With a
single priority class every incident is P1 and nothing changes.
"""

from __future__ import annotations

from pydantic import Field

from itsim.policies.base import Policy, PolicyParams
from itsim.policies.view import INCIDENT, PROJECT, Person, Role, WorkItem, WorldView

HOURS_PER_WEEK = 168.0


class FirefighterRotationParams(PolicyParams):
    firefighters: int = Field(default=1, ge=1, description="People per role on incident duty each week.")
    queue_threshold: int = Field(
        default=4, ge=0,
        description="Incidents waiting for the role above which the others help with incidents first"
                    " (they also take them whenever they would otherwise be idle).",
    )


class FirefighterRotation(Policy):
    name = "firefighter_rotation"
    Params = FirefighterRotationParams

    def bind(self, world: WorldView) -> None:
        self.world = world
        self.stopped = False
        self.shielded = [r for r in world.roles if world.handles(r, INCIDENT) and world.handles(r, PROJECT)]
        self._shielded = set(self.shielded)
        if self.shielded and world.now + HOURS_PER_WEEK < world.horizon_end:
            world.schedule((world.week + 1) * HOURS_PER_WEEK - world.now, self._rotate)

    def unbind(self, world: WorldView) -> None:
        self.stopped = True

    def on_duty(self, person: Person, now: float) -> bool:
        """Whether ``person`` is one of their role's firefighters at time ``now`` (hours)."""
        people = self.world.people(person.role)
        n = self.params.firefighters
        return (people.index(person) - int(now // HOURS_PER_WEEK) * n) % len(people) < n

    def fights_fires(self, person: Person, world: WorldView) -> bool:
        return person.role not in self._shielded or self.on_duty(person, world.now)

    def overwhelmed(self, role: Role, world: WorldView) -> bool:
        """Whether more incidents wait for ``role`` than its firefighters should carry alone."""
        return world.incidents_waiting(role) > self.params.queue_threshold

    def takes(self, person: Person, item: WorkItem, world: WorldView) -> bool:
        if item.kind != INCIDENT or item.rank == 0 or self.fights_fires(person, world):
            return True
        return self.overwhelmed(person.role, world) or not world.has_planned_work(person)

    def select(self, person: Person, world: WorldView) -> WorkItem | None:
        if self.fights_fires(person, world) or self.overwhelmed(person.role, world):
            return world.take_default(person)
        item = world.take_incident(person.role, max_rank=0)
        if item is None:
            item = world.take_planned(person)
        return item if item is not None else world.take_incident(person.role)

    def may_preempt(self, item: WorkItem, victim: Person, world: WorldView) -> bool:
        return item.rank == 0 or self.fights_fires(victim, world) or self.overwhelmed(victim.role, world)

    def _rotate(self) -> None:
        if self.stopped:
            return
        world = self.world
        world.wake(self.shielded)
        if world.now + HOURS_PER_WEEK < world.horizon_end:
            world.schedule(HOURS_PER_WEEK, self._rotate)
