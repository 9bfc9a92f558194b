"""Business words and numbers: metric labels, units and value formatting.

The model speaks hours and items; a CFO reads shares, weeks and money. This
module is the one place that maps metric names (SPEC §5) to plain labels and
formats values in their unit, so the report and ``itsim compare`` agree.
"""

from __future__ import annotations

import math

LABELS = {
    "incident_wait_hours": "Wait before work starts on an incident",
    "incident_resolve_hours": "Time to resolve an incident",
    "incident_sla_attainment": "Incidents resolved within target time",
    "incidents_arrived": "Incidents reported",
    "incidents_deflected": "Incidents solved by self-service",
    "incidents_abandoned": "Incidents given up on by users",
    "utilization": "Team utilisation",
    "hours_share.firefighting": "Time spent firefighting",
    "hours_share.recurring": "Time spent on routine maintenance",
    "hours_share.projects": "Time spent on projects",
    "hours_share.idle": "Time free (slack)",
    "recurring_on_time_share": "Maintenance done on time",
    "recurring_skipped": "Maintenance tasks skipped",
    "tech_debt_hours_end": "Tech debt at the end",
    "project_lead_time_days": "Time from project request to delivery",
    "projects_delivered": "Projects delivered",
    "projects_declined": "Projects declined up front",
    "projects_withdrawn_shadow_it": "Projects withdrawn to shadow IT",
    "project_backlog_end": "Projects waiting or in progress at the end",
    "open_work_hours_end": "Open work at the end",
    "security_incidents": "Major security incidents",
    "staff_left": "Staff who left",
    "cost_staff": "Staff cost",
    "cost_downtime": "Cost of downtime",
    "cost_security": "Cost of security incidents",
    "cost_turnover": "Cost of staff turnover",
    "cost_self_service": "Cost of self-service",
    "cost_shadow_it": "Cost of shadow IT",
    "cost_overhead": "Overhead",
    "cost_total": "Total IT cost",
    "cost_of_delay": "Cost of delay",
    "value_delivered": "Value delivered",
    "value_declined": "Value of requests declined",
    "value_lost_shadow_it": "Value of requests lost to shadow IT",
}

MONEY_METRICS = (
    "cost_staff", "cost_downtime", "cost_security", "cost_turnover", "cost_self_service",
    "cost_shadow_it", "cost_overhead", "cost_total", "cost_of_delay", "value_delivered",
    "value_declined", "value_lost_shadow_it",
)

RISK_LABELS = {
    "security": "Security (e.g. patching)",
    "availability": "Availability (e.g. backups)",
    "compliance": "Compliance (e.g. access reviews)",
    "other": "Other",
}

POLICY_LABELS = {
    "firefight_first": "Firefight first (today)",
    "wip_limit": "WIP limit",
    "intake_gate": "Intake gate",
    "protected_maintenance": "Protected maintenance",
    "firefighter_rotation": "Firefighter rotation",
    "prioritise_wsjf": "Prioritise by WSJF",
    "prioritise_value": "Prioritise by value",
    "fifo": "First come, first served",
    "deflection": "Self-service deflection",
    "add_staff": "Add staff",
    "outsource_tier1": "Outsource first line",
}

KEY_LABELS = {
    "demand_scale": "Demand (× today's level)",
    "incidents.rate_per_day": "Incidents reported per day",
    "incidents.rate_per_hour": "Incidents reported per hour",
    "projects.rate_per_month": "Project requests per month",
    "projects.rate_per_week": "Project requests per week",
}


def metric_label(metric: str) -> str:
    """A plain-language label for a metric name, e.g. ``utilization.engineer``."""
    if metric in LABELS:
        return LABELS[metric]
    base, _, detail = metric.partition(".")
    if base == "recurring_neglect_hours":
        return f"Maintenance late or skipped: {RISK_LABELS.get(detail, detail)}"
    if base in LABELS and detail:
        return f"{LABELS[base]} ({detail})"
    return metric.replace("_", " ").replace(".", ": ").capitalize()


def policy_label(name: str) -> str:
    """A readable name for a policy (or a ``+``-joined combination of policies)."""
    parts = [p.strip() for p in str(name).split("+")]
    return " + ".join(POLICY_LABELS.get(p, p.replace("_", " ").capitalize()) for p in parts)


def key_label(key: str) -> str:
    """A readable axis label for a swept scenario key such as ``team.engineer.count``."""
    if key in KEY_LABELS:
        return KEY_LABELS[key]
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "team" and parts[2] == "count":
        return f"People in the role {parts[1]}"
    return " › ".join(p.replace("_", " ") for p in parts).capitalize()


def unit(metric: str) -> str:
    """The unit of a metric: ``share``, ``hours``, ``days``, ``money`` or ``count``."""
    base = metric.split(".")[0]
    if base in ("hours_share", "utilization") or base.endswith(("_share", "_attainment")):
        return "share"
    if base in MONEY_METRICS:
        return "money"
    if base.endswith("_hours") or base.endswith("_hours_end") or base == "recurring_neglect_hours":
        return "hours"
    if base.endswith("_days"):
        return "days"
    return "count"


def number(x: float | None, digits: int = 3) -> str:
    """``x`` to ``digits`` significant figures with thousands separators; '–' if missing.

    ``number(28.0)`` is ``28``, ``number(1.104)`` is ``1.1``, ``number(12345)`` is ``12,345``.
    """
    if x is None or not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    magnitude = int(math.floor(math.log10(abs(x))))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{round(x, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(x: float | None, currency: str = "") -> str:
    """Money in thousands or millions: ``1.25M``, ``USD 340k``, ``950``."""
    if x is None or not math.isfinite(x):
        return "–"
    prefix = f"{currency} " if currency else ""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{prefix}{number(x / size)}{suffix}"
    return prefix + number(x)


def percent(x: float | None) -> str:
    """A share (0–1) as a whole percentage, e.g. ``41%``."""
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x * 100:.0f}%" if abs(x) >= 0.1 else f"{number(x * 100, 2)}%"


def value(metric: str, x: float | None, currency: str = "") -> str:
    """``x`` formatted in the unit of ``metric`` (money with an optional currency code)."""
    kind = unit(metric)
    if kind == "share":
        return percent(x)
    if kind == "money":
        return money(x, currency)
    text = number(x)
    if text == "–":
        return text
    return {"hours": f"{text} h", "days": f"{text} d"}.get(kind, text)


def weeks(days: float | None) -> str:
    """Days as weeks for prose: ``19 weeks``, ``1 week``, ``4 days``."""
    if days is None or not math.isfinite(days):
        return "–"
    if days < 7:
        return f"{days:.0f} days" if round(days) != 1 else "1 day"
    w = days / 7
    return f"{w:.0f} weeks" if round(w) != 1 else "1 week"
