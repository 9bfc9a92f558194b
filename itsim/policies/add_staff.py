"""``add_staff``: the supply-side lever of more people, for comparison."""

from __future__ import annotations

from pydantic import Field

from itsim.policies.base import Policy, PolicyParams
from itsim.scenario import Scenario, ScenarioError


class AddStaffParams(PolicyParams):
    role: str | None = Field(
        default=None, description="Role to grow; default: the first project role, else the first [[team]] role."
    )
    count: int = Field(default=1, ge=1, description="People added (also during phases that set the head count).")


class AddStaff(Policy):
    """``count`` more people in ``role``, all run long; work choice is firefight first."""

    name = "add_staff"
    Params = AddStaffParams
    direct_handoff = True

    def role(self, scenario: Scenario) -> str:
        """The role grown: the parameter, or the first project role, or the first role."""
        if self.params.role is not None:
            return self.params.role
        return scenario.projects.handled_by[0] if scenario.projects is not None else scenario.team[0].role

    def derived(self, scenario: Scenario) -> dict:
        return {} if self.params.role is not None else {"role": self.role(scenario)}

    def adjust(self, scenario: Scenario) -> Scenario:
        role = self.role(scenario)
        data = scenario.to_dict()
        teams = [t for t in data["team"] if t["role"] == role]
        if not teams:
            raise ScenarioError([f"policy.role: no [[team]] has role {role!r}"])
        teams[0]["count"] += self.params.count
        for phase in data.get("phase", []):
            if role in phase.get("team", {}):
                phase["team"][role]["count"] += self.params.count
        return Scenario.from_dict(data, source="policy")
