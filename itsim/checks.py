"""Invariant checks as results: what every replication must satisfy, judged, summarised
into ``summary.json`` (``checks``) and reported when any fails.

Each replication's ``Run.checks`` holds raw figures from :mod:`itsim.metrics`; here
they become named checks, each with how far off the replication was (``value``) and
how far it may be (``limit``):

- ``incidents_unaccounted``, ``recurring_unaccounted``, ``projects_unaccounted``:
  work arrived minus work done, open, abandoned, skipped, declined, withdrawn and
  deflected (items; must be 0);
- ``hours_unaccounted``: on the worst day, busy + idle - available person-hours (at most
  a millionth of the most person-hours a day can hold);
- ``littles_law`` and ``portfolio_littles_law``: ``|L - lambda x W|`` for incidents and
  for the project portfolio (at most what items straddling the window's edges allow);
- ``metrics_finite``: metrics that came out infinite (must be none; undefined ones are
  NaN, which is allowed);
- ``shares_in_range``: utilisations and shares outside 0..1 (must be none).

A failed check means a number the model itself would reject: the command line names
it and exits 1, and the report shows it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from itsim.experiment import Run
    from itsim.scenario import Scenario

#: Hours may disagree by this share of the most person-hours one day holds (rounding).
RELATIVE_HOURS_TOLERANCE = 1e-6
_SHARE_SLACK = 1e-9

WHAT = {
    "incidents_unaccounted": "incidents arrived but neither done, open, abandoned nor deflected",
    "recurring_unaccounted": "recurring work released but neither done, open nor skipped",
    "projects_unaccounted": "project requests neither delivered, declined, withdrawn nor in the portfolio",
    "hours_unaccounted": "person-hours in a day where busy + idle differ from available",
    "littles_law": "incidents: |L - lambda x W| beyond what the window's edges allow",
    "portfolio_littles_law": "projects: |L - lambda x W| beyond what the window's edges allow",
    "metrics_finite": "metrics that came out infinite",
    "shares_in_range": "utilisations and shares outside 0 to 1",
}


@dataclass(frozen=True)
class Check:
    """One invariant of one replication: ``value`` (how far off) against ``limit``."""

    name: str
    value: float
    limit: float

    @property
    def passed(self) -> bool:
        return self.value <= self.limit  # NaN fails


def peak_head_count(scenario: Scenario) -> int:
    """The most people the scenario ever has: every role at its largest head count (in
    ``[[team]]`` or any phase) at once."""
    peak = {t.role: t.count for t in scenario.team}
    for phase in scenario.phase:
        for role, change in phase.team.items():
            peak[role] = max(peak.get(role, 0), change.get("count", 0))
    return sum(peak.values())


def staff_scale(scenario: Scenario) -> float:
    """Most person-hours a single day can hold (for a relative tolerance on the hours ledger)."""
    return 24.0 * max(1, peak_head_count(scenario))


def evaluate(run: Run) -> list[Check]:
    """Every check of one replication (those that apply to its scenario)."""
    c = run.checks
    out = [Check(key, abs(value), 0.0) for key, value in sorted(c.items())
           if key.endswith("_unaccounted") and key != "hours_unaccounted"]
    if "hours_unaccounted" in c:
        out.append(Check("hours_unaccounted", c["hours_unaccounted"],
                         RELATIVE_HOURS_TOLERANCE * staff_scale(run.scenario)))
    if "littles_law_L" in c:
        out.append(Check("littles_law", abs(c["littles_law_L"] - c["littles_law_lambda_W"]),
                         c["littles_law_tolerance"]))
    if "portfolio_littles_law_tolerance" in c:
        out.append(Check("portfolio_littles_law", abs(c["portfolio_L"] - c["portfolio_lambda_W"]),
                         c["portfolio_littles_law_tolerance"]))
    values = run.metrics
    out.append(Check("metrics_finite", float(sum(math.isinf(v) for v in values.values())), 0.0))
    out.append(Check("shares_in_range", float(sum(not -_SHARE_SLACK <= v <= 1 + _SHARE_SLACK
                                                  for k, v in values.items() if _is_share(k) and v == v)), 0.0))
    return out


def _is_share(metric: str) -> bool:
    return (metric.startswith(("utilization", "hours_share."))
            or metric.endswith("_share") or metric == "incident_sla_attainment")


def summarise(runs: Sequence[Run]) -> dict[str, dict[str, Any]]:
    """The ``checks`` block of ``summary.json``: per check, whether every replication
    passed, how many failed, and the worst replication's value, limit and number."""
    worst: dict[str, tuple[float, Check, int]] = {}
    failed: dict[str, int] = {}
    for run in runs:
        for check in evaluate(run):
            excess = check.value - check.limit if check.value == check.value else math.inf
            failed[check.name] = failed.get(check.name, 0) + (not check.passed)
            if check.name not in worst or excess > worst[check.name][0]:
                worst[check.name] = (excess, check, run.replication)
    return {
        name: {"passed": failed[name] == 0, "failed_replications": failed[name],
               "worst": _number(check.value), "limit": _number(check.limit), "worst_replication": replication}
        for name, (_, check, replication) in sorted(worst.items())
    }


def _number(x: float) -> float | str:
    """JSON has no NaN or infinity: they are written as text."""
    return float(x) if math.isfinite(x) else str(x)


def failed(summary: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The failed checks of a ``summary.json`` as ``(name, entry)``, by name."""
    checks = summary.get("checks")
    if not isinstance(checks, dict):
        return []
    return [(name, entry) for name, entry in sorted(checks.items())
            if isinstance(entry, dict) and not entry.get("passed", True)]


def failures(summary: dict[str, Any]) -> list[str]:
    """One line per failed check of a ``summary.json``, e.g.
    ``littles_law: 0.8 > limit 0.2 (incidents: |L - lambda x W| ...) in 2 of 10 replications``."""
    lines = []
    n = summary.get("replications")
    for name, entry in failed(summary):
        what = WHAT.get(name, name)
        count = entry.get("failed_replications")
        where = f" in {count} of {n} replications" if isinstance(count, int) and isinstance(n, int) else ""
        lines.append(f"{name}: {_text(entry.get('worst'))} > limit {_text(entry.get('limit'))} ({what}){where}")
    return lines


def _text(x: Any) -> str:
    return f"{x:.6g}" if isinstance(x, int | float) else str(x)
