"""The options of a plan: every combination of lever values and policies, each priced.

A *lever* is a dotted scenario key with the values to consider (``team.engineer.count
= 10..18``) or a policy parameter (``policy.wip_limit``, ``policy.share``), which
applies only to the policies that take it. An *option* is one policy choice with one
value of each lever that applies to it; *today* is the scenario as written.

The price of an option is what the plan commits to over the measured horizon
(money, the scenario's ``[costs] currency``), known before simulating:

- staff: head count x loaded cost per hour x on-shift hours of each role's calendar
  (``[[phase]]`` head-count changes included), for the roles kept in house;
- outsourcing: the same for the role ``outsource_tier1`` buys in, at its contract price;
- overhead: ``[costs] overhead_per_week`` x weeks;
- investment: the hours the plan puts into self-service (``deflection``:
  ``invest_hours_per_week`` x weeks, ``investment_hours``) x the mean loaded cost per
  hour of the roles that do them. Those people are paid within the staff line as well:
  the investment line charges their time to the option that spends it, as a project's
  hours are charged to the project, so that an option that buys self-service with
  staff time is not priced as if it were free.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from itsim.experiment import policy_and_adjusted, policy_for
from itsim.model.calendar import calendar
from itsim.policies import available, policy_class
from itsim.scenario import Scenario, ScenarioError
from itsim.sweep import _cell_scenario, cell_id, policy_problems

#: The policy that means "no policy": choosing it is no change from today's habits.
DEFAULT_POLICY = "firefight_first"


@dataclass(frozen=True)
class PlanCost:
    """What an option commits to over the measured horizon, in money."""

    staff: float
    outsourcing: float
    overhead: float
    investment: float = 0.0
    """Staff time put into self-service, priced at the investing roles' cost per hour."""
    investment_hours: float = 0.0

    @property
    def total(self) -> float:
        return self.staff + self.outsourcing + self.overhead + self.investment

    def to_dict(self) -> dict[str, float]:
        return {"total": self.total, "staff": self.staff, "outsourcing": self.outsourcing,
                "overhead": self.overhead, "investment": self.investment,
                "investment_hours": self.investment_hours}


@dataclass(frozen=True)
class Option:
    """One plan: ``policy`` (``a+b`` combines), ``levers`` (dotted key -> value), the
    scenario it runs, its price, and ``changes``: how many things differ from today."""

    id: str
    policy: str
    levers: dict[str, Any]
    scenario: Scenario = field(repr=False, compare=False)
    cost: PlanCost = field(compare=False)
    changes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "policy": self.policy, "levers": dict(self.levers),
                "cost": self.cost.to_dict(), "changes": self.changes}


def policy_label(scenario: Scenario) -> str:
    return "+".join(scenario.policy.names)


def _takes(label: str, param: str) -> bool:
    return any(param in policy_class(name).Params.model_fields for name in label.split("+"))


def _current(scenario: Scenario, key: str) -> Any:
    from itsim.report.data import get_dotted

    return get_dotted(scenario.model_dump(by_alias=True, mode="python"), key)


def plan_cost(scenario: Scenario) -> PlanCost:
    """The price of running ``scenario`` (its policy's changes applied) over the measured horizon."""
    _, adjusted = policy_and_adjusted(scenario)
    info = adjusted.scenario
    start, end = info.warmup_days * 24.0, (info.warmup_days + info.horizon_days) * 24.0
    names = scenario.policy.names
    outsourced = None
    if "outsource_tier1" in names and scenario.incidents is not None:
        outsourced = scenario.policy.params.get("role") or scenario.incidents.handled_by[0]
    staff = outsourcing = 0.0
    rate: dict[str, float] = {}
    for team in adjusted.team:
        cal = calendar(team.calendar or info.calendar)
        person_hours = sum(count * (cal.clock(b) - cal.clock(a))
                           for a, b, count in _head_count(adjusted, team.role, start, end))
        money = person_hours * team.cost_per_hour
        rate[team.role] = team.cost_per_hour
        if team.role == outsourced:
            outsourcing += money
        else:
            staff += money
    weeks = info.horizon_days / 7.0
    overhead = adjusted.costs.overhead_per_week * weeks
    hours = value = 0.0
    if "deflection" in names:
        from itsim.policies.deflection import INVESTMENT

        task = next(t for t in reversed(adjusted.recurring) if t.name == INVESTMENT)
        hours = task.effort_hours.mean * weeks
        value = hours * sum(rate[r] for r in task.handled_by) / len(task.handled_by)
    return PlanCost(staff, outsourcing, overhead, value, hours)


def _head_count(scenario: Scenario, role: str, start: float, end: float) -> list[tuple[float, float, int]]:
    """Stretches ``(from, to, head count)`` of ``role`` between ``start`` and ``end`` (hours):
    the latest-starting phase that sets the count wins, as in the model."""
    windows = [(start + p.start_day * 24.0, start + p.end_day * 24.0, p.team[role]["count"])
               for p in scenario.phase if role in p.team]
    cuts = sorted({start, end, *(t for s, e, _ in windows for t in (s, e) if start < t < end)})
    base = scenario.role(role).count
    out = []
    for a, b in itertools.pairwise(cuts):
        active = [(s, c) for s, e, c in windows if s <= a < e]
        out.append((a, b, max(active)[1] if active else base))
    return out


def _changes(today: Scenario, label: str, levers: dict[str, Any]) -> int:
    """Policies adopted or dropped (the default policy is no policy), plus levers that differ
    from today's value (a parameter of a newly adopted policy comes with it)."""
    now = set(today.policy.names) - {DEFAULT_POLICY}
    new = set(label.split("+")) - {DEFAULT_POLICY}
    count = len(now ^ new)
    for key, value in levers.items():
        if key.startswith("policy.") and not _takes(policy_label(today), key.removeprefix("policy.")):
            continue
        if _current(today, key) != value:
            count += 1
    return count


def build_options(scenario: Scenario, levers: dict[str, list[Any]], policies: list[str] | None = None,
                  budget: float | None = None) -> tuple[list[Option], Option, int]:
    """Every option, in the order the search considers them: cheapest first, then fewest
    changes from today, then as listed (policies, then lever values). Also today's plan,
    and how many options the ``budget`` (money over the horizon) left out.

    Raises :class:`ScenarioError` naming the ``--lever`` or ``--policy`` at fault.
    """
    labels = list(policies) if policies else [policy_label(scenario)]
    problems = policy_problems(labels)
    for key in levers:
        if key in ("demand_scale", "policy.name") or key.startswith("policy.name."):
            problems.append(f"--lever {key}: give demand levels with --demand and policies with --policy")
        elif key.startswith("policy.") and not problems:
            param = key.removeprefix("policy.")
            if not any(_takes(label, param) for label in labels):
                known = sorted({f for cls in available().values() for f in cls.Params.model_fields})
                from itsim.scenario_text import did_you_mean

                problems.append(f"--lever {key}: not a parameter of {', '.join(labels)}"
                                f"{did_you_mean(param, known)}")
    if problems:
        raise ScenarioError(problems)
    for key, values in levers.items():  # each value on its own, so that the message names it
        label = next((lb for lb in labels if not key.startswith("policy.") or _takes(lb, key[7:])), labels[0])
        for value in values:
            try:
                policy_for(_cell_scenario(scenario, {key: value}, label))
            except ScenarioError as exc:
                problems.extend(f"--lever {key}={value}: {p.removeprefix('with_changes: ')}" for p in exc.problems)
                break
    if problems:
        raise ScenarioError(problems)

    options: list[tuple[tuple, Option]] = []
    left_out = 0
    for p_index, label in enumerate(labels):
        keys = [k for k in levers if not k.startswith("policy.") or _takes(label, k[7:])]
        for combo in itertools.product(*(list(enumerate(levers[k])) for k in keys)):
            values = {k: v for k, (_, v) in zip(keys, combo, strict=True)}
            try:
                sc = _cell_scenario(scenario, values, label)
                cost = plan_cost(sc)
            except ScenarioError as exc:
                where = ", ".join(f"{k}={v}" for k, v in values.items()) or label
                raise ScenarioError([f"--lever {where} with policy {label}: {p.removeprefix('with_changes: ')}"
                                     for p in exc.problems]) from None
            if budget is not None and cost.total > budget:
                left_out += 1
                continue
            option = Option(cell_id(values, label), label, values, sc, cost, _changes(scenario, label, values))
            rank = (round(cost.total, 6), option.changes, p_index, tuple(i for i, _ in combo))
            options.append((rank, option))
    options.sort(key=lambda pair: pair[0])
    today = Option("today", policy_label(scenario), {k: _current(scenario, k) for k in levers
                                                     if not k.startswith("policy.")
                                                     or _takes(policy_label(scenario), k[7:])},
                   scenario, plan_cost(scenario), 0)
    return [o for _, o in options], today, left_out
