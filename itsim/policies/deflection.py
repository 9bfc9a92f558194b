"""``deflection``: invest hours in self-service, which raises the share of incidents
resolved without reaching staff.

The investment is real load: a weekly recurring task of ``invest_hours_per_week``
hours ("Self-service investment", due within the week) for the roles that handle
incidents and recurring work. The deflected share rises from the scenario's
``[incidents] deflection`` toward ``max_share`` in proportion to the investment
hours actually done: ``ramp_weeks`` weeks of full investment reach it. A team too
busy to do the investment gets no benefit from it.
"""

from __future__ import annotations

from pydantic import Field

from itsim.policies.base import Policy, PolicyParams
from itsim.policies.view import RecurringTask, WorldView
from itsim.scenario import Scenario, ScenarioError

INVESTMENT = "Self-service investment"


class DeflectionParams(PolicyParams):
    invest_hours_per_week: float = Field(default=8.0, gt=0, description="Hours of investment per week.")
    max_share: float = Field(default=0.3, gt=0, lt=1, description="Deflected share once fully ramped up.")
    ramp_weeks: float = Field(default=26.0, gt=0, description="Weeks of full investment to reach max_share.")
    handled_by: list[str] | None = Field(
        default=None, min_length=1,
        description="Roles doing the investment; default: incident roles with the recurring skill.",
    )


class Deflection(Policy):
    name = "deflection"
    Params = DeflectionParams
    direct_handoff = True
    deflects = True

    @staticmethod
    def default_roles(scenario: Scenario) -> list[str]:
        """Incident roles with the recurring skill, else every role with it."""
        inc = scenario.incidents
        handlers = list(inc.handled_by) + ([inc.escalation.to] if inc.escalation is not None else [])
        roles = [r for r in dict.fromkeys(handlers) if "recurring" in scenario.role(r).skills]
        return roles or [t.role for t in scenario.team if "recurring" in t.skills]

    def derived(self, scenario: Scenario) -> dict:
        if self.params.handled_by is not None or scenario.incidents is None:
            return {}
        return {"handled_by": self.default_roles(scenario)}

    def adjust(self, scenario: Scenario) -> Scenario:
        inc = scenario.incidents
        if inc is None:
            raise ScenarioError(["policy.name: deflection needs [incidents] (there is nothing to deflect)"])
        roles = self.params.handled_by
        problems = []
        if roles is None:
            roles = self.default_roles(scenario)
            if not roles:
                problems.append("policy.handled_by: no [[team]] role has the 'recurring' skill to do the investment")
        else:
            known = {t.role: t for t in scenario.team}
            for i, r in enumerate(roles):
                if r not in known:
                    problems.append(f"policy.handled_by[{i}]: no [[team]] has role {r!r}")
                elif "recurring" not in known[r].skills:
                    problems.append(f"policy.handled_by[{i}]: role {r!r} lacks the skill 'recurring'")
        if problems:
            raise ScenarioError(problems)
        data = scenario.to_dict()
        data.setdefault("recurring", []).append({
            "name": INVESTMENT,
            "every": "weekly",
            "effort_hours": {"dist": "constant", "value": self.params.invest_hours_per_week},
            "due_within_days": 7,
            "handled_by": roles,
            "risk": "other",
        })
        return Scenario.from_dict(data, source="policy")

    def bind(self, world: WorldView) -> None:
        names = [t.name for t in world.scenario.recurring]
        self.task = len(names) - 1 - names[::-1].index(INVESTMENT) if INVESTMENT in names else -1
        self.invested = 0.0
        self.ramp_hours = self.params.invest_hours_per_week * self.params.ramp_weeks

    def recurring_done(self, item: RecurringTask, world: WorldView) -> None:
        if item.task_index == self.task:
            self.invested += item.effort

    def deflection_share(self, base: float, now: float, world: WorldView) -> float:
        """``base`` plus the ramped-up share of the gain, by investment hours done so far."""
        progress = min(1.0, self.invested / self.ramp_hours)
        return base + max(0.0, self.params.max_share - base) * progress
