"""``outsource_tier1``: the first line is bought in, for comparison.

The first-line role becomes incident-only (no recurring or project capacity),
costs ``cost_per_hour`` (default 60% of its current rate) and resolves a share
``first_contact_resolution`` of incidents itself: the rest escalate
(``[incidents] escalation.share = 1 - first_contact_resolution``) to the second
line: the scenario's escalation role, or else the next role in
``incidents.handled_by`` (escalations then take another draw of the incident
effort). Recurring tasks and projects only the first line did fall to the second
line, as they would once the desk is outside the company.
"""

from __future__ import annotations

from pydantic import Field

from itsim.policies.base import Policy, PolicyParams
from itsim.scenario import Scenario, ScenarioError

DEFAULT_COST_SHARE = 0.6


class OutsourceTier1Params(PolicyParams):
    role: str | None = Field(default=None, description="First-line role; default: incidents.handled_by[0].")
    cost_per_hour: float | None = Field(
        default=None, ge=0, description="Money per hour; default: 60% of the role's current rate."
    )
    first_contact_resolution: float = Field(
        default=0.55, ge=0, le=1, description="Share of incidents the first line resolves without escalating."
    )


class OutsourceTier1(Policy):
    name = "outsource_tier1"
    Params = OutsourceTier1Params
    direct_handoff = True

    def derived(self, scenario: Scenario) -> dict:
        inc = scenario.incidents
        if inc is None:
            return {}
        role = self.params.role if self.params.role is not None else inc.handled_by[0]
        found = {}
        if self.params.role is None:
            found["role"] = role
        if self.params.cost_per_hour is None and role in {t.role for t in scenario.team}:
            found["cost_per_hour"] = DEFAULT_COST_SHARE * scenario.role(role).cost_per_hour
        return found

    def adjust(self, scenario: Scenario) -> Scenario:
        inc = scenario.incidents
        if inc is None:
            raise ScenarioError(["policy.name: outsource_tier1 needs [incidents] (there is no first line)"])
        role = self.params.role if self.params.role is not None else inc.handled_by[0]
        if role not in inc.handled_by:
            raise ScenarioError([f"policy.role: {role!r} is not among incidents.handled_by {inc.handled_by}"])
        problems = []
        data = scenario.to_dict()
        esc = data["incidents"].get("escalation")
        others = [r for r in inc.handled_by if r != role]
        second = esc["to"] if esc is not None else (others[0] if others else None)
        if second is None:
            problems.append(
                "policy.role: nobody to escalate to; add [incidents] escalation or a second role to handled_by"
            )
        elif second == role:
            problems.append(f"policy.role: incidents escalate to {role!r} itself")
        share = 1.0 - self.params.first_contact_resolution
        if esc is not None:
            esc["share"] = share
        elif second is not None:
            data["incidents"]["escalation"] = {
                "share": share, "to": second, "extra_effort_hours": data["incidents"]["effort_hours"],
            }
        team = next(t for t in data["team"] if t["role"] == role)
        team["skills"] = ["incident"]
        cost = self.params.cost_per_hour
        team["cost_per_hour"] = cost if cost is not None else DEFAULT_COST_SHARE * team.get("cost_per_hour", 0.0)
        skills = {t["role"]: t.get("skills", ["incident", "recurring", "project"]) for t in data["team"]}
        planned = [(f"recurring task {t['name']!r}", "recurring", t) for t in data.get("recurring", [])]
        if "projects" in data:
            planned.append(("[projects]", "project", data["projects"]))
        for what, skill, section in planned:
            rest = [r for r in section["handled_by"] if r != role]
            if not rest and second not in (None, role):
                if skill in skills[second]:
                    rest = [second]
                else:
                    problems.append(
                        f"policy.role: {what} is done only by {role!r}, and the second line {second!r} "
                        f"lacks the skill {skill!r}"
                    )
            section["handled_by"] = rest or section["handled_by"]
        if problems:
            raise ScenarioError(problems)
        return Scenario.from_dict(data, source="policy")
