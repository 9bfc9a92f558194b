"""How much work a run or a sweep implies, checked against documented limits before
any of it starts.

The estimate is made from the scenario alone (after the policy's own changes, such
as ``add_staff``), before feedback loops: the work items expected to arrive in one
replication (incidents and their escalations, project requests and the chunks they
are worked in, recurring occurrences, tech-debt remediation pieces, major security
incidents, shadow-IT incidents) and the person-days the engine books. A replication
costs roughly 5 microseconds of one core per work item and 0.2 per person-day, and
about 200 bytes of memory per work item.

Limits (:data:`LIMITS`), each refused with the numbers unless forced (``--force``,
``force=True``):

- 5 million work items and 50 million person-days in one replication;
- 200 million work items and 2 billion person-days in a whole run or sweep
  (every replication of every cell);
- 10,000 cells in a sweep.

An estimate that overflows (phases that multiply demand past any number) is refused
even when forced.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from itsim.checks import peak_head_count
from itsim.model.arrivals import PhaseScale
from itsim.model.calendar import calendar as make_calendar
from itsim.model.recurring import PERIOD_WEEKS
from itsim.scenario import Scenario, ScenarioError

FORCE_HINT = "--force, or force=True in Python, runs it anyway"


@dataclass(frozen=True)
class Limits:
    """The most work itsim starts without being forced (counts, not hours)."""

    items_per_replication: float = 5_000_000
    person_days_per_replication: float = 50_000_000
    items_in_total: float = 200_000_000
    person_days_in_total: float = 2_000_000_000
    cells: int = 10_000


LIMITS = Limits()


class TooMuchWork(ScenarioError):
    """The work a run or sweep implies is beyond the limits (or cannot be estimated)."""


@dataclass(frozen=True)
class Workload:
    """Expected work of one replication: work items by source, and person-days booked."""

    items: dict[str, float] = field(default_factory=dict)
    person_days: float = 0.0

    @property
    def total_items(self) -> float:
        return math.fsum(self.items.values())


def estimate(scenario: Scenario) -> Workload:
    """The expected work of one replication of ``scenario`` (already adjusted by its policy)."""
    info = scenario.scenario
    days = info.warmup_days + info.horizon_days
    hours = days * 24.0
    weeks = hours / 168.0
    cal = make_calendar(info.calendar)
    warmup = info.warmup_days * 24.0
    items: dict[str, float] = {}

    incidents = 0.0
    inc = scenario.incidents
    if inc is not None:
        per_hour = inc.rate_per_hour if inc.rate_per_hour is not None else inc.rate_per_day / cal.hours_per_day
        per_week = per_hour * cal.hours_per_week  # a profile reshapes the week, keeping its volume
        scale = _mean_scale([(warmup + p.start_day * 24, warmup + p.end_day * 24,
                              p.demand_scale * p.incident_rate_scale) for p in scenario.phase], hours)
        incidents = per_week * weeks * scenario.demand_scale * scale
        escalated = inc.escalation.share if inc.escalation is not None else 0.0
        items["incidents"] = incidents * (1 + escalated)

    requests = 0.0
    pj = scenario.projects
    if pj is not None:
        scale = _mean_scale([(warmup + p.start_day * 24, warmup + p.end_day * 24,
                              p.demand_scale * p.project_rate_scale) for p in scenario.phase], hours)
        requests = pj.rate_per_hour * hours * scenario.demand_scale * scale
        items["project requests"] = requests
        items["project chunks"] = requests * (pj.estimate_hours.mean * pj.estimate_bias / pj.chunk_hours + 1)

    recurring_hours = 0.0
    occurrences = 0.0
    for task in scenario.recurring:
        period = PERIOD_WEEKS[task.every]
        per_week = cal.hours_per_week / cal.hours_per_day if period is None else 1 / period
        occurrences += per_week * weeks
        recurring_hours += per_week * weeks * task.effort_hours.mean
    if pj is not None and pj.care_and_feeding_hours_per_week > 0:
        occurrences += weeks
        recurring_hours += pj.care_and_feeding_hours_per_week * requests * weeks
    if occurrences:
        items["recurring"] = occurrences

    dyn = scenario.dynamics
    if dyn.debt_on:
        debt = recurring_hours * max(dyn.debt_per_skipped_hour, dyn.debt_per_late_hour)
        items["tech-debt remediation"] = debt / dyn.debt_chunk_hours
    if inc is not None and dyn.security_hazard_per_exposed_hour > 0:
        items["major security incidents"] = days * dyn.security_incident_people  # at most one a day
    if inc is not None and pj is not None and dyn.shadow_it_incidents_per_week > 0:
        items["shadow-IT incidents"] = requests * dyn.shadow_it_incidents_per_week * weeks / 2

    return Workload(items=items, person_days=peak_head_count(scenario) * days)


def _mean_scale(windows: list[tuple[float, float, float]], hours: float) -> float:
    """The time-average product of the phase multipliers over ``[0, hours)``."""
    if not windows or hours <= 0:
        return 1.0
    scale = PhaseScale(windows)
    edges = [0.0, *(p for p in scale.points if 0 < p < hours), hours]
    return math.fsum(scale((a + b) / 2) * (b - a) for a, b in zip(edges, edges[1:], strict=False)) / hours


def check(workloads: Sequence[Workload], replications: int = 1, limits: Limits | None = None,
          force: bool = False) -> None:
    """Refuse (:class:`TooMuchWork`, one line per problem) work beyond ``limits`` (default
    :data:`LIMITS`).

    ``workloads`` holds one estimate per cell (one for a run); each is replicated
    ``replications`` times. With ``force``, only estimates that overflow are refused.
    """
    limits = limits if limits is not None else LIMITS
    problems: list[str] = []
    per_items = max((w.total_items for w in workloads), default=0.0)
    per_days = max((w.person_days for w in workloads), default=0.0)
    total_items = math.fsum(w.total_items for w in workloads) * replications
    total_days = math.fsum(w.person_days for w in workloads) * replications
    if not all(math.isfinite(x) for x in (per_items, per_days, total_items, total_days)):
        raise TooMuchWork(["work: the scenario implies more work than can be counted (demand scales multiply "
                           "past any number); it cannot be run"])
    if force:
        return
    if per_items > limits.items_per_replication:
        biggest = max(workloads, key=lambda w: w.total_items)
        parts = ", ".join(f"{name} {_count(n)}" for name, n in sorted(biggest.items.items(), key=lambda kv: -kv[1])
                          if n >= 1)
        problems.append(f"work: about {_count(per_items)} work items in one replication ({parts}); the limit is "
                        f"{_count(limits.items_per_replication)} ({FORCE_HINT})")
    if per_days > limits.person_days_per_replication:
        problems.append(f"work: about {_count(per_days)} person-days in one replication; the limit is "
                        f"{_count(limits.person_days_per_replication)} ({FORCE_HINT})")
    where = f"{len(workloads)} cells x {replications} replications" if len(workloads) > 1 else \
        f"{replications} replications"
    if not problems and total_items > limits.items_in_total:
        problems.append(f"work: about {_count(total_items)} work items in all ({where}); the limit is "
                        f"{_count(limits.items_in_total)} ({FORCE_HINT})")
    if not problems and total_days > limits.person_days_in_total:
        problems.append(f"work: about {_count(total_days)} person-days in all ({where}); the limit is "
                        f"{_count(limits.person_days_in_total)} ({FORCE_HINT})")
    if problems:
        raise TooMuchWork(problems)


def _count(n: float) -> str:
    """A count for people: 7,200 or 7.2 million or 3e+14."""
    if n >= 1e15:
        return f"{n:.2g}"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if n >= size:
            return f"{n / size:.3g} {word}"
    return f"{n:,.0f}"


def check_scenario(scenario: Scenario, replications: int = 1, force: bool = False) -> None:
    """:func:`check` of one scenario's estimate under its policy: raises :class:`ScenarioError`
    for a bad policy and :class:`TooMuchWork` beyond the limits. Loads no more than the
    scenario and the policies need, so that ``itsim validate`` stays quick to start."""
    from itsim.policies import policy_and_adjusted

    check([estimate(policy_and_adjusted(scenario)[1])], replications, force=force)
