"""Business words and numbers: metric labels, units and value formatting.

The model speaks hours and items; a CFO reads shares, weeks and money. This
module is the one place that maps metric names (SPEC §5) to plain labels and
formats values in their unit, so the report, the terminal and ``itsim compare``
agree. Numbers and money go through Babel (CLDR data): thousands separators,
the currency's own symbol (``$``, ``€``, ``£``; the code where there is none)
and compact amounts (``$1.25M``) come from the locale, not from hand-written
rules. Times are shown in the unit a leader reads: minutes, hours, days or
weeks, by size.
"""

from __future__ import annotations

import math

from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
)

from itsim import status

LOCALE = "en_US"

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
    "recurring_hours_on_time_share": "Maintenance hours done on time",
    "recurring_skipped": "Maintenance tasks skipped",
    "tech_debt_hours_end": "Tech debt at the end",
    "project_lead_time_days": "Time from project request to delivery",
    "project_lead_time_delivered_days": "Time from request to delivery, delivered projects only",
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
    "too_busy_probability": "Chance of being too busy",
    "neglect_hours": "Maintenance late or skipped (all kinds)",
}

MONEY_METRICS = (
    "cost_staff", "cost_downtime", "cost_security", "cost_turnover", "cost_self_service",
    "cost_shadow_it", "cost_overhead", "cost_total", "cost_of_delay", "value_delivered",
    "value_declined", "value_lost_shadow_it",
)

DURATION_HOURS = {"incident_wait_hours": 1.0, "incident_resolve_hours": 1.0}
"""Metrics that are elapsed time (not work) and hours per unit stored, by base name;
any metric ending in ``_days`` is elapsed time in days."""

COUNT_METRICS = (
    "recurring_skipped", "recurring_late", "security_incidents", "staff_left",
    "project_backlog_end", "project_wip_end",
)

TIME_UNITS = {"minutes": 1 / 60, "hours": 1.0, "days": 24.0, "weeks": 168.0}
"""Hours in each unit a duration may be shown in (days and weeks are calendar time)."""

STATUS_LABELS = {s: words.capitalize() for s, words in status.STATUS_WORDS.items()}
STATUS_COLOURS = {s: status.COLOUR_HEX[c] for s, c in status.STATUS_COLOURS.items()}
"""The verdict's words and colours (green, amber, red), wherever a verdict is shown."""
STATUS_TINTS = {s: status.TINT_HEX[c] for s, c in status.STATUS_COLOURS.items()}
"""Light backgrounds to go with :data:`STATUS_COLOURS`."""

RISK_LABELS = {
    "security": "Security (e.g. patching)",
    "availability": "Availability (e.g. backups)",
    "compliance": "Compliance (e.g. access reviews)",
    "other": "Other",
    "care_and_feeding": "Care and feeding of delivered systems",
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
    if base in ("recurring_neglect_hours", "neglect_hours"):
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
    """The unit of a metric: ``share``, ``money``, ``duration`` (elapsed time), ``hours``
    (work, in person-hours), ``count``, or ``number`` when the name says nothing."""
    base = metric.split(".")[0]
    if base in ("hours_share", "utilization") or base.endswith(("_share", "_attainment", "_probability")):
        return "share"
    if base in MONEY_METRICS:
        return "money"
    if base in DURATION_HOURS or base.endswith("_days"):
        return "duration"
    if base.endswith(("_hours", "_hours_end")):
        return "hours"
    if base in COUNT_METRICS or base.startswith(("incidents_", "projects_")):
        return "count"
    return "number"


def bounds(metric: str) -> tuple[float, float]:
    """The range a metric's value can take: shares in [0, 1]; money, times, hours and
    counts at least 0; anything else unbounded."""
    kind = unit(metric)
    if kind == "share":
        return 0.0, 1.0
    if kind == "number":
        return -math.inf, math.inf
    return 0.0, math.inf


def in_hours(metric: str, x: float) -> float:
    """A duration metric's value in hours (``project_lead_time_days`` is stored in days)."""
    base = metric.split(".")[0]
    return x * DURATION_HOURS.get(base, 24.0)


def _missing(x: float | None) -> bool:
    return x is None or not math.isfinite(x)


def decimals_for(x: float, digits: int) -> int:
    """Decimals that show ``x`` to ``digits`` significant figures (never rounding whole numbers)."""
    return max(0, digits - 1 - int(math.floor(math.log10(abs(x))))) if x else 0


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "#" * decimals if decimals else "")


def number(x: float | None, digits: int = 3, decimals: int | None = None) -> str:
    """``x`` to ``digits`` significant figures with thousands separators; '–' if missing.

    ``number(28.0)`` is ``28``, ``number(1.104)`` is ``1.1``, ``number(12345)`` is ``12,345``.
    ``decimals`` rounds to that many decimals instead (trailing zeros dropped), so the
    figures of one table row share a precision.
    """
    if _missing(x):
        return "–"
    if decimals is None:
        decimals = decimals_for(x, digits)
    rounded = round(x, decimals) or 0.0  # no "-0"
    return format_decimal(rounded, format=_pattern(decimals), locale=LOCALE)


def plural(n: float | None, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun: ``1 occurrence``, ``3 occurrences``, ``2.5 hours``."""
    return _counted(number(n), singular, plural_form or singular + "s")


def _counted(text: str, singular: str, plural_form: str) -> str:
    """A number as shown, with the noun that goes with it (singular only for "1")."""
    return f"{text} {singular if text.lstrip('+-') == '1' else plural_form}"


def money(x: float | None, currency: str = "", digits: int = 3) -> str:
    """An amount to ``digits`` significant figures, compact from a thousand up: ``$1.25M``,
    ``€340K``, ``CHF 12.3K``, ``$950``; with no currency, ``340K``."""
    if _missing(x):
        return "–"
    if abs(x) < 1000:
        decimals = decimals_for(x, digits)
        if not currency:
            return number(x, digits)
        text = format_currency(round(x, decimals) or 0.0, currency, format="¤" + _pattern(decimals),
                               currency_digits=False, locale=LOCALE)
    else:
        scaled = abs(x) / 1000 ** int(math.floor(math.log10(abs(x)) / 3))  # 1.25 of $1.25M
        decimals = decimals_for(scaled, digits)
        if not currency:
            return format_compact_decimal(x, fraction_digits=decimals, locale=LOCALE)
        text = format_compact_currency(x, currency, fraction_digits=decimals, locale=LOCALE)
    symbol = get_currency_symbol(currency, LOCALE)
    if symbol[-1:].isalpha():  # a code or a lettered symbol: "CHF 12K", not "CHF12K"
        text = text.replace(symbol, symbol + "\u00a0", 1)
    return text


def percent(x: float | None) -> str:
    """A share (0–1) as a percentage: whole from 10% up (``41%``), else two figures (``4.2%``)."""
    if _missing(x):
        return "–"
    decimals = 0 if abs(x) >= 0.1 else decimals_for(x * 100, 2)
    return format_percent(x or 0.0, format=_pattern(decimals) + "%", locale=LOCALE)


def hours(x: float | None, decimals: int | None = None) -> str:
    """Work in person-hours: ``1,240 hours``, ``1 hour`` (``decimals`` as for :func:`number`)."""
    return "–" if _missing(x) else _counted(number(x, 3, decimals), "hour", "hours")


def duration_unit(hours_: float) -> str:
    """The unit a leader reads a length of time in: minutes under an hour, hours under
    two days, days under three weeks, weeks beyond."""
    h = abs(hours_)
    if round(h * 60) < 60:  # 59.9 minutes reads as 1 hour
        return "minutes"
    if h < 48:
        return "hours"
    if h < 21 * 24:
        return "days"
    return "weeks"


def duration(hours_: float | None, time_unit: str | None = None, digits: int | None = None,
             decimals: int | None = None) -> str:
    """Elapsed time in hours, shown in ``time_unit`` (default: by size, see
    :func:`duration_unit`): ``45 minutes``, ``1 day``, ``6 weeks``.

    Without ``digits`` or ``decimals`` it is rounded for reading aloud (whole units from 3
    up, else two figures, and ``under a minute`` for less than half of one); for tables,
    ``digits`` gives significant figures and ``decimals`` a fixed precision.
    """
    if _missing(hours_):
        return "–"
    time_unit = time_unit or duration_unit(hours_)
    x = hours_ / TIME_UNITS[time_unit]
    if digits is None and decimals is None:  # for reading aloud (number never rounds whole units)
        if 0 < abs(hours_) < 0.5 / 60:
            return "under a minute"
        digits = 1 if abs(x) >= 3 else 2
    return _counted(number(x, digits or 2, decimals), time_unit[:-1], time_unit)


def value(metric: str, x: float | None, currency: str = "", time_unit: str | None = None,
          decimals: int | None = None) -> str:
    """``x`` formatted in the unit of ``metric``: money with the scenario's currency,
    durations in ``time_unit`` (default: by size); ``decimals`` fixes the precision of
    times, hours and counts (default: three significant figures, two for times)."""
    kind = unit(metric)
    if kind == "share":
        return percent(x)
    if kind == "money":
        return money(x, currency)
    if _missing(x):
        return "–"
    if kind == "duration":
        return duration(in_hours(metric, x), time_unit, 2, decimals)
    if kind == "hours":
        return hours(x, decimals)
    return number(x, 3, decimals)


def value_range(metric: str, low: float | None, high: float | None, currency: str = "",
                time_unit: str | None = None, decimals: int | None = None) -> str:
    """An interval in the metric's unit, ``5.9 weeks to 6.3 weeks``; '' when undefined."""
    if _missing(low) or _missing(high):
        return ""
    if unit(metric) == "duration" and time_unit is None:
        time_unit = duration_unit(in_hours(metric, max(abs(low), abs(high))))
    return (f"{value(metric, low, currency, time_unit, decimals)} to "
            f"{value(metric, high, currency, time_unit, decimals)}")


def difference(metric: str, d: float | None, currency: str = "", time_unit: str | None = None,
               decimals: int | None = None) -> str:
    """A signed difference in the metric's unit: ``+3.1 pts`` for shares (to a tenth of a
    point), ``-$12K``, ``+1.5 weeks``; one that rounds to nothing has no sign."""
    if _missing(d):
        return "–"
    if unit(metric) == "share":
        text = f"{number(d * 100, decimals=1 if abs(d) < 0.1 else 0)} pts"
    else:
        text = value(metric, d, currency, time_unit, decimals)
    if not any(c in "123456789" for c in text):
        return text.lstrip("-")
    return "+" + text if d > 0 else text


def status_label(status: str | None) -> str:
    """The verdict in words: ``Healthy``, ``At risk`` or ``Too busy``."""
    return STATUS_LABELS.get(str(status), "No verdict")


def verdict_sentence(status: str | None, probability: float | None,
                     ci95: tuple[float | None, float | None] | list | None) -> str:
    """``At risk: 50% chance of being too busy (95% interval 24% to 76%)``."""
    text = status_label(status)
    if _missing(probability):
        return text
    text += f": {percent(probability)} chance of being too busy"
    low, high = ci95 or (None, None)
    if not (_missing(low) or _missing(high)):
        text += f" (95% interval {percent(low)} to {percent(high)})"
    return text
