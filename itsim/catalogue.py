"""The metric catalogue: every metric's unit and definition, beside the label the
report shows (:data:`itsim.report.fmt.LABELS`), in one place for the reference
documentation, notebook tables and spreadsheets.

Metrics that come one per priority class, role, kind of work or category of
maintenance are *families*: ``incident_wait_hours.P1`` belongs to
``incident_wait_hours.PRIORITY``. :func:`describe` finds the entry of any metric.
Windows: only what arrives (or is booked) after warm-up counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from itsim.report import fmt

#: What a unit means, for each kind :func:`itsim.report.fmt.unit` knows.
UNITS = {
    "share": "share",  # 0 to 1
    "money": "money",  # the scenario's [costs] currency
    "hours": "person-hours",
    "count": "count",
    "number": "number",
}

#: Placeholder words of the families, and what they stand for.
PLACEHOLDERS = {
    "PRIORITY": "an incident priority class (P1, P2, ...)",
    "ROLE": "a role of [[team]]",
    "KIND": "firefighting, recurring, projects or idle",
    "CATEGORY": "security, availability, compliance, other or care_and_feeding",
}

DEFINITIONS: dict[str, str] = {
    # incidents
    "incidents_arrived": "Incidents reported in the measured window, those solved by self-service included.",
    "incidents_deflected": "Incidents resolved by self-service (deflection) without reaching staff.",
    "incidents_abandoned": "Incidents whose reporter gave up waiting (patience_hours) before work started.",
    "incident_abandon_share": "Incidents abandoned as a share of those that reached staff.",
    "incident_wait_hours": "Mean wall-clock time from an incident's arrival to the start of work on it; "
                           "one still waiting at the end counts the time so far. Deflected and abandoned "
                           "incidents are left out.",
    "incident_wait_hours.PRIORITY": "incident_wait_hours for one priority class (with two or more classes).",
    "incident_wait_probability": "Share of incidents reaching staff that waited at all before work started "
                                 "(Erlang C's probability of waiting in a plain queue).",
    "incident_resolve_hours": "Mean wall-clock time from an incident's arrival to its resolution, escalation "
                              "included; one still open at the end counts the time so far.",
    "incident_resolve_hours.PRIORITY": "incident_resolve_hours for one priority class (with two or more classes).",
    "incident_sla_attainment": "Share of incidents resolved within their class's sla_hours, counted in working "
                               "hours of the scenario calendar (the SLA clock stops off shift); incidents still "
                               "open count once their SLA has passed.",
    "incident_sla_attainment.PRIORITY": "incident_sla_attainment for one priority class with an SLA.",
    # hours
    "utilization": "Busy hours over available (on-shift) hours, all staff.",
    "utilization.ROLE": "Busy hours over available hours of one role.",
    "hours_share.KIND": "Share of available hours spent on one kind of work (firefighting = incidents, "
                        "recurring = maintenance and tech-debt remediation, projects), or idle.",
    # recurring work
    "recurring_on_time_share": "Share of recurring occurrences, done or skipped, that were done by their due time.",
    "recurring_hours_on_time_share": "Share of recurring maintenance hours (done or skipped) done on time: "
                                     "a skipped 40-hour scan weighs forty 1-hour checks. The verdict's "
                                     "maintenance target judges this one.",
    "recurring_skipped": "Recurring occurrences never started before the next one was due.",
    "recurring_late": "Recurring occurrences done after their due time.",
    "neglect_hours.CATEGORY": "Hours of recurring work of one risk category done late or skipped; care and "
                              "feeding of delivered systems is its own category.",
    "recurring_neglect_hours.CATEGORY": "The earlier name of neglect_hours.CATEGORY, kept for existing readers.",
    "tech_debt_hours_end": "Tech-debt stock at the end (hours of remediation work owed).",
    # projects
    "projects_requested": "Project requests made in the measured window.",
    "projects_delivered": "Projects delivered in the measured window.",
    "projects_declined": "Project requests declined up front by the policy (an intake gate).",
    "projects_withdrawn_shadow_it": "Project requests withdrawn after waiting longer than the requester's "
                                    "patience (shadow IT).",
    "project_lead_time_days": "Mean time from request to delivery; projects still waiting or in progress at the "
                              "end count with their age so far (censored), so it is defined whenever a "
                              "project was requested.",
    "project_lead_time_delivered_days": "Mean time from request to delivery over delivered projects only.",
    "project_backlog_end": "Projects waiting or in progress at the end.",
    "project_wip_end": "Projects in progress at the end.",
    "value_delivered": "Value per week of each project delivered, times the weeks from delivery to the end.",
    "value_declined": "Value per week of each request declined up front, over the weeks from refusal to the end.",
    "value_lost_shadow_it": "Value per week of each request lost to shadow IT, over the weeks from withdrawal "
                            "to the end.",
    "cost_of_delay": "Value per week of each accepted request times the weeks it waited for delivery within "
                     "the window.",
    # people and risk
    "security_incidents": "Major security incidents (bursts of P1 work) caused by exposure from skipped "
                          "security maintenance.",
    "staff_left": "People who left (attrition and burnout).",
    "open_work_hours_end": "Hours of work accepted but not yet done at the end, all kinds.",
    # money
    "cost_staff": "Cost per hour of each role times its on-shift hours.",
    "cost_downtime": "Hours each incident was open times [costs] downtime_per_hour of its class.",
    "cost_security": "Major security incidents times [costs] per_security_incident.",
    "cost_turnover": "Leavers times [costs] per_leaver.",
    "cost_self_service": "Deflected incidents times [costs] per_deflected_incident.",
    "cost_shadow_it": "Weeks each shadow IT system existed times [costs] per_shadow_it_system_per_week.",
    "cost_overhead": "Weeks measured times [costs] overhead_per_week.",
    "cost_total": "Staff, downtime, security, turnover, self-service, shadow IT and overhead costs.",
}

#: The label of each family, for the reference (members get theirs from fmt).
FAMILY_LABELS = {
    "incident_wait_hours.PRIORITY": "Wait before work starts, by priority",
    "incident_resolve_hours.PRIORITY": "Time to resolve, by priority",
    "incident_sla_attainment.PRIORITY": "Resolved within target time, by priority",
    "utilization.ROLE": "Utilisation of one role",
    "hours_share.KIND": "Time spent on one kind of work",
    "neglect_hours.CATEGORY": "Maintenance late or skipped, by category",
    "recurring_neglect_hours.CATEGORY": "Maintenance late or skipped, by category (earlier name)",
}


@dataclass(frozen=True)
class MetricInfo:
    """A metric (or family) as the reference describes it."""

    name: str
    label: str
    unit: str
    definition: str


def unit(metric: str) -> str:
    """``share`` (0 to 1), ``money``, ``hours`` or ``days`` (elapsed time), ``person-hours``
    (work), ``count`` or ``number``."""
    kind = fmt.unit(metric)
    if kind == "duration":
        return "days" if metric.split(".")[0].endswith("_days") else "hours"
    return UNITS[kind]


def family(metric: str) -> str:
    """The catalogue entry a metric belongs to: itself, or its family (``utilization.ROLE``)."""
    if metric in DEFINITIONS:
        return metric
    base, sep, _ = metric.partition(".")
    if sep:
        for name in DEFINITIONS:
            if name.startswith(base + ".") and name.split(".")[1] in PLACEHOLDERS:
                return name
    raise KeyError(f"{metric!r} is not in the metric catalogue")


def describe(metric: str) -> MetricInfo:
    """The label, unit and definition of ``metric`` (a member of a family gets its family's
    definition and its own label). Raises KeyError for a metric the catalogue lacks."""
    entry = family(metric)
    label = FAMILY_LABELS.get(metric) or fmt.metric_label(metric)
    return MetricInfo(metric, label, unit(entry if metric == entry else metric), DEFINITIONS[entry])


def catalogue() -> list[MetricInfo]:
    """Every metric and family, in the order of :data:`DEFINITIONS`."""
    return [describe(name) for name in DEFINITIONS]


def summary_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """A ``summary.json``'s metrics as a table: ``metric``, ``mean``, ``lo``, ``hi``,
    ``unit``, ``label``; one row per metric, sorted by name."""
    rows = []
    for metric, entry in sorted(summary.get("metrics", {}).items()):
        low, high = entry.get("ci95") or (None, None)
        rows.append((metric, _float(entry.get("mean")), _float(low), _float(high), unit(metric),
                     fmt.metric_label(metric)))
    return pd.DataFrame(rows, columns=["metric", "mean", "lo", "hi", "unit", "label"])


def _float(x: Any) -> float:
    return math.nan if x is None else float(x)
