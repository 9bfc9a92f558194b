"""The words of the report: headline, verdict, key figures and methods note.

Everything here returns plain text (never HTML); :mod:`itsim.report.page`
escapes it. Numbers are rounded for reading aloud in a meeting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from itsim.report import fmt
from itsim.report.data import (
    RunResults,
    SweepResults,
    currency,
    series_order,
    sweep_estimates,
)


@dataclass(frozen=True)
class Kpi:
    """One headline figure: a label, the value and its 95% interval, as display text."""

    label: str
    value: str
    interval: str


@dataclass(frozen=True)
class Verdict:
    """The too-busy verdict: ``too_busy`` is None for a sweep (one verdict per policy)."""

    too_busy: bool | None
    heading: str
    detail: str
    reasons: list[str] = field(default_factory=list)
    reasons_heading: str = "Why:"


KPI_METRICS = (
    "hours_share.firefighting",
    "project_lead_time_days",
    "incident_sla_attainment",
    "recurring_on_time_share",
    "utilization",
    "cost_of_delay",
)


def _period(run: RunResults) -> str:
    days = run.summary.get("horizon_days") or run.scenario.get("scenario", {}).get("horizon_days")
    if not days:
        return "over the simulated period"
    return f"over the {float(days) / 7:.0f} simulated weeks"


def level_phrase(key: str, x: float) -> str:
    """A swept level in words: ``1.15× today's demand`` or ``incidents reported per day 52``."""
    if key == "demand_scale":
        return "today's demand" if x == 1 else f"{fmt.number(x)}× today's demand"
    return f"{fmt.key_label(key).lower()} {fmt.number(x)}"


def run_headline(run: RunResults) -> list[str]:
    """Two to three sentences a CFO can read aloud, with the run's key numbers."""
    level = float(run.scenario.get("demand_scale", 1.0))
    clauses = []
    fire = run.estimate("hours_share.firefighting")
    if fire is not None:
        clauses.append(f"the team spends {fmt.percent(fire.mean)} of its hours firefighting")
    lead = run.estimate("project_lead_time_days")
    wait = run.estimate("incident_wait_hours")
    if lead is not None:
        clauses.append(f"projects reach the business {fmt.duration(lead.mean * 24)} after they are "
                       "requested")
    elif wait is not None:
        clauses.append(f"an incident waits {fmt.duration(wait.mean)} before anyone "
                       "starts on it")
    sentences = []
    if clauses:
        sentences.append(f"At {level_phrase('demand_scale', level)} " + "; ".join(clauses) + ".")
    neglect = {m.split(".", 1)[1]: run.estimate(m)
               for m in run.metrics_with_prefix("recurring_neglect_hours.")}
    total = sum(e.mean for e in neglect.values() if e is not None)
    if total > 0:
        text = (f"{fmt.hours(total)} of routine maintenance were done late or skipped "
                f"{_period(run)}")
        security = neglect.get("security")
        if security is not None and security.mean > 0:
            text += f", {fmt.number(security.mean)} of them security work such as patching"
        sentences.append(text + ".")
    delay = run.estimate("cost_of_delay")
    cost = run.estimate("cost_staff") or run.estimate("cost_total")
    money = currency(run.scenario)
    if lead is not None and delay is not None and cost is not None and delay.mean > 0:
        what = "a staff cost" if run.estimate("cost_staff") else "an IT cost"
        sentences.append(f"Waiting for projects cost the business {fmt.money(delay.mean, money)} "
                         f"in delay, against {what} of {fmt.money(cost.mean, money)}.")
    return sentences


def _interval(metric: str, low: float, high: float, money: str) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"95% interval {fmt.value_range(metric, low, high, money)}"


def run_kpis(run: RunResults) -> list[Kpi]:
    """The key figures of a run that were measured, each with its 95% interval."""
    money = currency(run.scenario)
    out = []
    for metric in KPI_METRICS:
        est = run.estimate(metric)
        if est is None:
            continue
        if metric == "project_lead_time_days":
            label, text = "Time from project request to delivery", fmt.duration(est.mean * 24)
        else:
            label, text = fmt.metric_label(metric), fmt.value(metric, est.mean, money)
        out.append(Kpi(label, text, _interval(metric, est.low, est.high, money)))
    return out


def run_verdict(run: RunResults) -> Verdict:
    """Too busy or not, the share of runs that broke a target, and the reasons."""
    verdict = run.summary.get("too_busy") or {}
    share = verdict.get("share_of_replications")
    n = run.summary.get("replications")
    too_busy = bool(verdict.get("verdict"))
    heading = "Verdict: too busy" if too_busy else "Verdict: within its targets"
    detail = ""
    if share is not None:
        runs = f"the {n} simulated runs" if n else "the simulated runs"
        detail = f"{fmt.percent(float(share))} of {runs} broke at least one target."
    reasons = [str(r) for r in verdict.get("reasons") or []]
    return Verdict(too_busy, heading, detail, reasons,
                   "Why:" if too_busy else "Targets broken in some runs:")


def short_level(key: str, x: float) -> str:
    """A swept level for tables and repeated mentions: ``1.15×`` or ``52``."""
    return f"{fmt.number(x)}×" if key == "demand_scale" else fmt.number(x)


def _points(sweep: SweepResults) -> list[tuple[str, float | None, list | None]]:
    """(policy label, too-busy point or None, 95% interval or None), in the sweep's order."""
    out = []
    for policy, entry in sweep.too_busy.items():
        entry = entry if isinstance(entry, dict) else {}
        point = entry.get("point")
        out.append((fmt.policy_label(policy), None if point is None else float(point),
                    entry.get("ci95")))
    return out


def tipping_rows(sweep: SweepResults) -> list[list[str]]:
    """Per policy: its name, where it tips into too busy, and the 95% interval."""
    key, top, bottom = sweep.x_key, max(sweep.x_values), min(sweep.x_values)
    rows = []
    for name, point, ci in _points(sweep):
        if point is None:
            where = f"not within the range tested (up to {short_level(key, top)})"
        else:
            where = level_phrase(key, point)
            if point <= bottom:
                where += " or lower (the lowest level tested)"
        interval = (f"{short_level(key, ci[0])} to {short_level(key, ci[1])}"
                    if ci and None not in ci else "–")
        rows.append([name, where, interval])
    return rows


def sweep_headline(sweep: SweepResults) -> list[str]:
    """Which policy tips at which level, which holds out longest, and lead times today."""
    key, top = sweep.x_key, max(sweep.x_values)
    points = _points(sweep)
    bottom = min(sweep.x_values)
    clauses, first_tip = [], True
    for name, point, _ in points:
        if point is None:
            clauses.append(f"{name} stays within its targets up to {level_phrase(key, top)}, "
                           "the highest level tested")
            continue
        where = level_phrase(key, point) if first_tip else short_level(key, point)
        if point <= bottom:
            clauses.append(f"{name} is already too busy at {where}, the lowest level tested")
        elif first_tip:
            clauses.append(f"{name} tips into 'too busy' at {where}")
        else:
            clauses.append(f"{name} at {where}")
        first_tip = False
    sentences = ["; ".join(clauses) + "."] if clauses else []
    if len(points) > 1:
        reach = {name: math.inf if point is None else point for name, point, _ in points}
        best = max(reach.values())
        leaders = [name for name, r in reach.items() if r == best]
        if len(leaders) == 1:
            sentences.append(f"{leaders[0]} holds out longest.")
    lead = sweep_estimates(sweep, "project_lead_time_days")
    at_ref = lead.loc[lead["x"] == sweep.reference_x].set_index("series")
    if not at_ref.empty:
        parts = [f"{fmt.duration(at_ref.at[s, 'mean'] * 24)} under {s}"
                 for s in series_order(sweep) if s in at_ref.index]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        where = level_phrase(key, sweep.reference_x)
        sentences.append(f"At {where}, projects reach the business {joined}.")
    return sentences


def methods(replications: int | None, warmup: float | None, horizon: float | None,
            sweep: bool) -> list[str]:
    """A short plain-language methods note: what was simulated and what the ranges mean."""
    n = f"{replications} independent simulated runs" if replications else "simulated runs"
    period = f" of {fmt.number(horizon)} days each" if horizon else ""
    warm = (f"The first {fmt.number(warmup)} days of every run are a warm-up and are discarded, "
            "so results describe a team already in its normal rhythm rather than one starting "
            "with empty queues." if warmup else "")
    notes = [
        f"Every figure comes from {n}{period} (replications with different random demand). "
        + warm,
        "Figures are means over the runs; ranges are 95% confidence intervals (Student t over "
        "replications). Time charts show the median run as a line and the 10th–90th percentile "
        "of runs as shading.",
        "A run is 'too busy' when it breaks any target: work still piling up at the end, project "
        "lead time above target, routine maintenance done on time too rarely, incidents "
        "resolved within their target too rarely, or utilisation above a sustainable ceiling.",
    ]
    if sweep:
        notes.append("Every policy faced the same simulated demand in each run (common random "
                     "numbers), so differences between policies are paired comparisons. The "
                     "tipping point is the lowest level tested at which more than half the runs "
                     "are too busy, with a 95% interval.")
    return notes

