"""The "too busy" verdict: of one replication, and over many.

A replication is too busy when it breaks any ``[targets]`` threshold: work that
keeps piling up, project time-to-value above target, recurring maintenance hours
done on time below target, incident SLA attainment below target, utilisation
above the sustainable ceiling, or (where set) more neglected maintenance of one
category than allowed. Over replications the department is ``healthy``,
``at_risk`` or ``too_busy`` by the share of replications that broke a target,
against the bands ``at_risk_above`` and ``too_busy_above``; every target is
reported with its own mean and interval. docs/verdict.md explains the method
and its measured error rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from itsim.scenario import Scenario
from itsim.scenario import Targets as TargetSettings
from itsim.stats import mean_ci, wilson_interval
from itsim.status import AT_RISK, HEALTHY, STATUS_WORDS, STATUSES, TOO_BUSY

#: Weeks of the series below which the open-work test does not judge (too short to tell).
MIN_WEEKS = 8


@dataclass(frozen=True)
class Target:
    """One threshold of ``[targets]``: the figure it judges and how it is worded.

    ``figure`` is a metric name, or ``open_work_growth_weeks`` (computed here from the
    weekly series); ``limit`` is ``max`` (a ceiling) or ``min`` (a floor).
    """

    code: str
    figure: str
    limit: str
    setting: str
    what: str
    noun: str
    unit: str

    def threshold(self, targets: TargetSettings) -> float | None:
        return getattr(targets, self.setting)

    def breaks(self, value: float, threshold: float) -> bool:
        return value > threshold if self.limit == "max" else value < threshold


NEGLECT = {
    "security": "security maintenance",
    "availability": "availability maintenance",
    "compliance": "compliance maintenance",
    "other": "other maintenance",
    "care_and_feeding": "care and feeding of delivered systems",
}

TARGETS: tuple[Target, ...] = (
    Target("open_work_growing", "open_work_growth_weeks", "max", "open_work_growth_weeks",
           "growth of open work over the measured period", "limit", "weeks"),
    Target("project_lead_time", "project_lead_time_days", "max", "project_lead_time_days",
           "time from project request to delivery (projects still open counted with their age)",
           "target", "days"),
    Target("recurring_on_time", "recurring_hours_on_time_share", "min", "recurring_on_time_share",
           "share of recurring maintenance hours done on time", "target", "share"),
    Target("incident_sla", "incident_sla_attainment", "min", "incident_sla_attainment",
           "share of incidents resolved within their SLA", "target", "share"),
    Target("utilization", "utilization", "max", "max_utilization",
           "share of staff hours busy", "ceiling", "share"),
    *(Target(f"{category}_neglect", f"neglect_hours.{category}", "max", f"max_{category}_neglect_hours",
             f"hours of {what} done late or skipped", "limit", "hours")
      for category, what in NEGLECT.items()),
)
BY_CODE = {t.code: t for t in TARGETS}


# -- work piling up -----------------------------------------------------------------------


def _drain_groups(scenario: Scenario) -> list[list[str]]:
    """For each kind of work in the scenario, the roles that may take it."""
    groups = []
    if scenario.incidents is not None:
        inc = scenario.incidents
        groups.append([*inc.handled_by, *([inc.escalation.to] if inc.escalation is not None else [])])
    recurring = [r for task in scenario.recurring for r in task.handled_by]
    if scenario.projects is not None:
        groups.append(list(scenario.projects.handled_by))
        if scenario.projects.care_and_feeding_hours_per_week > 0:
            recurring += scenario.projects.handled_by
    if recurring:
        groups.append(recurring)
    return [list(dict.fromkeys(g)) for g in groups]


def open_work_growth(series: pd.DataFrame, scenario: Scenario | None = None) -> tuple[float, float]:
    """``(growth, spare)`` over the measured weeks, both in weeks of team capacity (mean
    available person-hours per week).

    ``growth`` is the least-squares trend of end-of-week open work times the span of
    the weeks: robust to a lump of work arriving in the last week. ``spare`` is the drain
    capacity: for each kind of work the scenario has, the idle hours of the roles that
    may take it; the smallest of these (the kind with the least slack). Without
    ``scenario`` (or per-role idle columns) it is the idle hours of the whole team.
    Fewer than ``MIN_WEEKS`` weeks: (NaN, inf), not judged. Nobody available all along:
    (inf, 0) if open work grew (it piles up with nobody to work it), else (NaN, inf).
    """
    if len(series) < MIN_WEEKS or "hours.available" not in series:
        return math.nan, math.inf
    capacity = float(series["hours.available"].to_numpy(dtype=float).mean())
    y = series["open_work_hours"].to_numpy(dtype=float)
    dx = np.arange(len(y), dtype=float) - (len(y) - 1) / 2
    # Least squares by hand: scipy's linregress costs more than the rest of the verdict.
    growth = float(dx @ (y - y.mean())) / float(dx @ dx) * (len(y) - 1)
    if capacity <= 0:
        return (math.inf, 0.0) if growth > 0 else (math.nan, math.inf)
    idle = {c.removeprefix("hours.idle."): float(series[c].to_numpy(dtype=float).sum())
            for c in series.columns if c.startswith("hours.idle.")}
    groups = _drain_groups(scenario) if scenario is not None else []
    if groups and idle:
        spare = min(sum(idle.get(role, 0.0) for role in group) for group in groups)
    else:
        spare = float(series["hours.idle"].to_numpy(dtype=float).sum()) if "hours.idle" in series else 0.0
    return growth / capacity, spare / capacity


# -- one replication ----------------------------------------------------------------------


def figures(scenario: Scenario, metrics: dict[str, float], series: pd.DataFrame) -> dict[str, float]:
    """The figure each applicable target judges, by target code (NaN where not measured)."""
    growth, spare = open_work_growth(series, scenario)
    out = {}
    for target in TARGETS:
        if target.threshold(scenario.targets) is None:
            continue
        if target.code == "open_work_growing":
            out[target.code] = growth
        elif target.figure in metrics:
            out[target.code] = float(metrics[target.figure])
    out["open_work_spare_weeks"] = spare
    return out


def verdict(scenario: Scenario, metrics: dict[str, float], series: pd.DataFrame) -> dict:
    """``{"verdict": bool, "reasons": [{"code", "text"}], "figures": {code: value}}`` for one
    replication: ``verdict`` is True when it broke at least one target."""
    t = scenario.targets
    values = figures(scenario, metrics, series)
    reasons = []
    for target in TARGETS:
        threshold = target.threshold(t)
        value = values.get(target.code, math.nan)
        if threshold is None or math.isnan(value) or not target.breaks(value, threshold):
            continue
        if target.code == "open_work_growing" and value <= values["open_work_spare_weeks"]:
            continue  # the people who could work it had the hours to spare: a lump, not a pile-up
        reasons.append({"code": target.code, "text": _one_run_text(target, value, threshold, values, metrics)})
    return {"verdict": bool(reasons), "reasons": reasons, "figures": values}


def _one_run_text(target: Target, value: float, threshold: float, values: dict, metrics: dict) -> str:
    if target.code == "open_work_growing" and math.isinf(value):
        return "open work kept piling up with nobody available to work it"
    if target.code == "open_work_growing":
        return (f"open work kept piling up: +{value:.2f} weeks of team capacity over the measured period "
                f"(limit {threshold:g}), more than the {max(values['open_work_spare_weeks'], 0):.2f} weeks "
                "the people who could work it had spare")
    if target.code == "project_lead_time" and metrics.get("projects_delivered", 1) == 0:
        return (f"no project was delivered; those waiting or in progress were {value:.0f} days old on "
                f"average (target {threshold:g})")
    return f"{target.what}: {quantity(target, value)}, {position_phrase(target, threshold, _side(value, threshold))}"


# -- over replications --------------------------------------------------------------------


def status(probability: float, targets: TargetSettings) -> str:
    """``healthy``, ``at_risk`` or ``too_busy`` for the share of replications that broke a
    target: at risk above ``at_risk_above``, too busy above ``too_busy_above`` (by the
    point estimate; the Wilson interval is reported beside it)."""
    if probability > targets.too_busy_above:
        return TOO_BUSY
    if probability > targets.at_risk_above:
        return AT_RISK
    return HEALTHY


def overall(scenario: Scenario, busy: Sequence[dict]) -> dict:
    """The summary's ``too_busy`` block from the replications' verdicts (in replication order)."""
    t = scenario.targets
    n = len(busy)
    broken = sum(bool(b["verdict"]) for b in busy)
    p = broken / n
    lo, hi = wilson_interval(broken, n)
    state = status(p, t)
    per_target = target_figures(scenario, busy)
    ranked = sorted(per_target.items(), key=lambda kv: -kv[1]["broken_in"])
    reasons = [across_text(BY_CODE[code], entry, n) for code, entry in ranked if entry["broken_in"]]
    return {
        "verdict": state == TOO_BUSY,
        "share_of_replications": p,
        "status": state,
        "probability": p,
        "ci95": [lo, hi],
        "replications": n,
        "replications_broken": broken,
        "bands": {"at_risk_above": t.at_risk_above, "too_busy_above": t.too_busy_above},
        "reasons": reasons,
        "targets": per_target,
    }


def target_figures(scenario: Scenario, busy: Sequence[dict]) -> dict[str, dict]:
    """Per applicable target: mean and 95% interval of its figure over replications, the
    threshold, how many replications broke it, and where the mean lies against it."""
    out = {}
    for target in TARGETS:
        threshold = target.threshold(scenario.targets)
        if threshold is None:
            continue
        values = np.array([b.get("figures", {}).get(target.code, math.nan) for b in busy], dtype=float)
        values = values[~np.isnan(values)]
        if not values.size:
            continue
        # An infinite figure (work piling up with nobody to work it) has no mean: the
        # entry says in how many replications it was unbounded instead.
        unbounded = int(np.isinf(values).sum())
        mean, lo, hi = mean_ci(values) if not unbounded else (float(values[np.isinf(values)][0]), math.nan, math.nan)
        broken = sum(any(r["code"] == target.code for r in b["reasons"]) for b in busy)
        out[target.code] = {
            "figure": target.figure,
            "mean": _json(mean),
            "ci95": [_json(lo), _json(hi)],
            "target": threshold,
            "limit": target.limit,
            "position": _side(mean, threshold, lo, hi),
            "broken_in": broken,
            "share_broken": broken / len(busy),
            "replications": int(values.size),
        }
        if unbounded:
            out[target.code]["unbounded_in"] = unbounded
        if target.code == "open_work_growing":
            spare = np.array([b.get("figures", {}).get("open_work_spare_weeks", math.nan) for b in busy])
            spare = spare[np.isfinite(spare)]
            out[target.code]["spare_mean"] = float(spare.mean()) if spare.size else None
    return out


def _json(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _side(mean: float, threshold: float, lo: float = math.nan, hi: float = math.nan) -> str:
    """``under``, ``at`` or ``over``: *at* when the 95% interval includes the threshold
    (or, without an interval, when the mean equals it)."""
    if math.isfinite(lo) and math.isfinite(hi):
        if lo <= threshold <= hi:
            return "at"
    elif mean == threshold:
        return "at"
    return "over" if mean > threshold else "under"


# -- words ----------------------------------------------------------------------------------


def quantity(target: Target, x: float | None) -> str:
    """A figure in its unit, for reading aloud: ``86%``, ``109 days``, ``412 h``, ``1.3 weeks``."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if target.unit == "share":
        return f"{x:.0%}"
    if target.unit == "days":
        return f"{x:.0f} days"
    if target.unit == "hours":
        return f"{x:,.0f} h"
    return f"{x:+.2f} weeks of team capacity"


def quantity_range(target: Target, lo: float, hi: float) -> str:
    """An interval in the figure's unit, the unit said once: ``72% to 81%``, ``-1.16 to +2.19 weeks``."""
    if target.unit == "weeks":
        return f"{lo:+.2f} to {hi:+.2f} weeks"
    return f"{quantity(target, lo)} to {quantity(target, hi)}"


def threshold_text(target: Target, threshold: float) -> str:
    if target.unit == "weeks":
        return f"{threshold:g}-week"
    return quantity(target, threshold)


def position_phrase(target: Target, threshold: float, side: str) -> str:
    """``over the 85% ceiling``, ``at the 90% target``, ``under the 1-week limit``."""
    word = {"max": {"under": "under", "at": "at", "over": "over"},
            "min": {"under": "below", "at": "at", "over": "above"}}[target.limit][side]
    return f"{word} the {threshold_text(target, threshold)} {target.noun}"


def across_text(target: Target, entry: dict, n: int) -> str:
    """One target over replications: the mean and interval, against the threshold, and
    how many replications broke it."""
    lo, hi = entry["ci95"]
    interval = f" (95% interval {quantity_range(target, lo, hi)})" if lo is not None and hi is not None else ""
    figure = f"{quantity(target, entry['mean'])} on average{interval}"
    if entry.get("unbounded_in"):
        figure = f"without limit in {entry['unbounded_in']} of {n} replications (nobody available to work it)"
    return (f"{target.what}: {figure}, "
            f"{position_phrase(target, entry['target'], entry['position'])}{_spare(entry)}; "
            f"broken in {entry['broken_in']} of {n} replications")


def _spare(entry: dict) -> str:
    """For work piling up: the hours the people who could work it had spare."""
    spare = entry.get("spare_mean")
    if spare is None:
        return ""
    return f", while the people who could work it had {spare:.2f} weeks of capacity spare on average"


def status_sentence(block: dict, replications_word: str = "replications") -> str:
    """``Verdict: AT RISK: 50% of replications broke a target (95% interval 24% to 76%).``"""
    state = block.get("status") or (TOO_BUSY if block.get("verdict") else HEALTHY)
    p = block.get("probability", block.get("share_of_replications"))
    text = f"Verdict: {STATUS_WORDS[state].upper()}"
    if p is None:
        return text + "."
    ci = block.get("ci95")
    interval = f" (95% interval {ci[0]:.0%} to {ci[1]:.0%})" if ci else ""
    sentence = f"{text}: {p:.0%} of {replications_word} broke at least one target{interval}."
    reach = unsettled(block)
    if reach:
        sentence += f" The interval reaches into '{STATUS_WORDS[reach]}': more {replications_word} would settle it."
    return sentence


def unsettled(block: dict) -> str | None:
    """The other status the 95% interval reaches into, if it straddles a band edge."""
    ci, bands, state = block.get("ci95"), block.get("bands"), block.get("status")
    if not ci or not bands or state not in STATUSES:
        return None
    lo, hi = ci
    edges = [(bands["at_risk_above"], HEALTHY, AT_RISK), (bands["too_busy_above"], AT_RISK, TOO_BUSY)]
    for edge, below, above in edges:
        if lo <= edge < hi:
            if state == below:
                return above
            if state == above:
                return below
    return None

