"""``protected_maintenance``: a reserved share of hours for recurring work that
incidents below the top priority class may not take.

Each role that does both incidents and recurring work reserves ``share`` of its
on-shift hours per week (Monday to Monday) for recurring work, tech-debt
remediation included. While such work is waiting and the role has done fewer
hours of it this week than the reserve, a free person takes a top-priority (P1)
incident first, then recurring work by due time, then remediation, ahead of every
other incident and of projects; and no incident below P1 may interrupt that work.
Once the reserve is used, work is chosen firefight first.
"""

from __future__ import annotations

from pydantic import Field

from itsim.policies.base import Policy, PolicyParams
from itsim.policies.view import INCIDENT, RECURRING, Person, Role, WorkItem, WorldView


class ProtectedMaintenanceParams(PolicyParams):
    share: float = Field(default=0.2, gt=0, lt=1, description="Share of each week's on-shift hours reserved.")


class ProtectedMaintenance(Policy):
    name = "protected_maintenance"
    Params = ProtectedMaintenanceParams

    def bind(self, world: WorldView) -> None:
        self.protected = {r for r in world.roles if world.handles(r, RECURRING) and world.handles(r, INCIDENT)}

    def reserve_left(self, role: Role, world: WorldView) -> float:
        """Person-hours of this week's reserve not yet used by ``role`` (recurring work
        and remediation both book as recurring hours)."""
        reserve = self.params.share * world.head_count(role) * world.shift_hours_per_week(role)
        return reserve - world.booked_since(role, RECURRING, world.week * 7)

    def _protecting(self, role: Role, world: WorldView) -> bool:
        return role in self.protected and self.reserve_left(role, world) > 0

    def select(self, person: Person, world: WorldView) -> WorkItem | None:
        role = person.role
        waiting = world.recurring_waiting(role) > 0 or world.tech_debt_waiting(role) > 0
        if waiting and self._protecting(role, world):
            item = world.take_incident(role, max_rank=0)
            if item is None:
                item = world.take_recurring(role)
            return item if item is not None else world.take_remediation(role)
        return world.take_default(person)

    def may_preempt(self, item: WorkItem, victim: Person, world: WorldView) -> bool:
        return item.rank == 0 or victim.item.kind != RECURRING or not self._protecting(victim.role, world)
