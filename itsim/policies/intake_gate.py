"""``intake_gate``: accept a project request only if forecast capacity can deliver it
within the lead-time target; otherwise decline it up front (counted as declined).

The forecast is the planner's view, not the truth: the hours of accepted,
undelivered project work ahead of the request plus its own size, all as
``estimate x estimate_bias`` (a started project counts the share of its work not
yet handed out), divided by the hours per day the project roles recently had for
project work: the project and idle hours booked over the trailing
``window_days``. Before a full window has passed, the missing days count at a
prior of ``prior_share`` of the project roles' on-shift hours.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from pydantic import Field

from itsim.policies.base import Policy, PolicyParams
from itsim.policies.view import PROJECT, Project, WorldView


class IntakeGateParams(PolicyParams):
    lead_time_target_days: float | None = Field(
        default=None, gt=0, description="Days; default: [targets] project_lead_time_days."
    )
    window_days: int = Field(default=28, ge=1, description="Trailing days over which capacity is measured.")
    prior_share: float = Field(
        default=0.5, gt=0, le=1, description="Share of on-shift hours assumed free for projects at the start."
    )


class IntakeDecision(NamedTuple):
    """One request at the gate: when (hours), which project, the forecast lead time
    in days and whether the request was accepted."""

    time: float
    project: int
    forecast_days: float
    accepted: bool


class IntakeGate(Policy):
    """Decline requests the team cannot deliver within the target; ``decisions``
    records every forecast made during a run."""

    name = "intake_gate"
    Params = IntakeGateParams
    direct_handoff = True

    def derived(self, scenario) -> dict:
        if self.params.lead_time_target_days is not None:
            return {}
        return {"lead_time_target_days": scenario.targets.project_lead_time_days}

    def bind(self, world: WorldView) -> None:
        sc = world.scenario
        target = self.params.lead_time_target_days
        self.target_days = target if target is not None else sc.targets.project_lead_time_days
        self.decisions: list[IntakeDecision] = []
        self.roles = world.project_roles
        self.bias = sc.projects.estimate_bias if sc.projects is not None else 1.0
        self.prior_per_day = self.params.prior_share * sum(
            sc.role(r.name).count * world.productivity(r) * world.shift_hours_per_week(r) / 7.0 for r in self.roles
        )

    def planned_hours(self, project: Project) -> float:
        """Hours the plan still expects ``project`` to take (estimate x bias, pro rata)."""
        return project.estimate * self.bias * project.share_left

    def capacity_per_day(self, world: WorldView) -> float:
        """Effort hours per day the project roles had for project work lately."""
        w = self.params.window_days
        days = world.days_closed
        first = max(0, days - w)
        hours = 0.0
        for day in range(first, days):
            for r in self.roles:
                hours += (world.booked_on(r, PROJECT, day) + world.idle_on(r, day)) * world.productivity(r)
        missing = w - (days - first)
        return (hours + missing * self.prior_per_day) / w

    def forecast_days(self, project: Project, world: WorldView) -> float:
        """Forecast lead time in days of a new request if it were accepted now."""
        ahead = (sum(self.planned_hours(p) for p in world.projects("waiting"))
                 + sum(self.planned_hours(p) for p in world.projects("in_progress")))
        hours = ahead + project.estimate * self.bias
        rate = self.capacity_per_day(world)
        return hours / rate if rate > 0 else math.inf

    def accept_project(self, project: Project, world: WorldView) -> bool:
        forecast = self.forecast_days(project, world)
        accepted = forecast <= self.target_days
        self.decisions.append(IntakeDecision(world.now, project.id, forecast, accepted))
        return accepted
