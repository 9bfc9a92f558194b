"""Plain-language sentences about a result, for the terminal and the report."""

from __future__ import annotations

import math

from itsim.targets import NEGLECT, STATUS_COLOURS, TOO_BUSY, status_sentence


def _get(summary: dict, name: str) -> float:
    m = summary["metrics"].get(name)
    if not m or m["mean"] is None:
        return math.nan
    return m["mean"]


def headline(summary: dict) -> list[str]:
    """A few sentences a CFO can read: where the hours go, what waits, what is neglected."""
    lines = []
    fire = _get(summary, "hours_share.firefighting")
    rec = _get(summary, "hours_share.recurring")
    proj = _get(summary, "hours_share.projects")
    idle = _get(summary, "hours_share.idle")
    if math.isfinite(fire):
        parts = [f"{fire:.0%} firefighting"]
        if rec > 0:
            parts.append(f"{rec:.0%} recurring maintenance")
        if proj > 0:
            parts.append(f"{proj:.0%} projects")
        parts.append(f"{idle:.0%} idle")
        lines.append("The team's hours go to " + ", ".join(parts) + ".")
    wait = _get(summary, "incident_wait_hours")
    resolve = _get(summary, "incident_resolve_hours")
    if math.isfinite(wait):
        lines.append(
            f"An incident waits {_hours(wait)} on average before anyone starts on it, "
            f"and is resolved after {_hours(resolve)}."
        )
    sla = _get(summary, "incident_sla_attainment")
    if math.isfinite(sla):
        lines.append(f"{sla:.0%} of incidents are resolved within their SLA.")
    lines.extend(_projects(summary))
    lines.extend(_maintenance(summary))
    cost = _get(summary, "cost_total")
    if math.isfinite(cost) and cost > 0:
        delay = _get(summary, "cost_of_delay")
        line = f"Staff cost {_money(cost)}"
        if math.isfinite(delay) and delay > 0:
            line += f"; waiting for projects cost the business {_money(delay)} in delayed value"
        lines.append(line + ".")
    tb = summary.get("too_busy")
    if tb:
        lines.append(status_sentence(tb))
        lines.extend(f"- {reason}" for reason in tb.get("reasons") or [])
    return lines


#: Terminal colours of the statuses (the report's green, amber and red).
TERMINAL_COLOURS = {"green": "green", "amber": "yellow", "red": "red"}


def terminal_colour(summary: dict) -> str | None:
    """The terminal colour of the verdict's status, or None when there is no verdict."""
    tb = summary.get("too_busy") or {}
    state = tb.get("status") or (TOO_BUSY if tb.get("verdict") else None)
    return TERMINAL_COLOURS[STATUS_COLOURS[state]] if state in STATUS_COLOURS else None


def _projects(summary: dict) -> list[str]:
    """Time to value, with projects still open counted with their age; no delivery said in words."""
    lead = _get(summary, "project_lead_time_days")
    delivered = _get(summary, "projects_delivered")
    backlog = _get(summary, "project_backlog_end")
    if not math.isfinite(lead):
        return []
    if delivered == 0:
        return [f"No project was delivered in the measured period; the {backlog:.0f} waiting or in progress "
                f"at the end were {lead / 7:.1f} weeks old on average."]
    return [f"Projects reach the business {lead / 7:.1f} weeks after they are requested, counting those "
            f"still open with their age so far ({delivered:.0f} delivered; {backlog:.0f} waiting or in "
            "progress at the end)."]


def _maintenance(summary: dict) -> list[str]:
    """On-time maintenance by hours (what the target judges) and what was neglected, by category."""
    hours_on_time = _get(summary, "recurring_hours_on_time_share")
    on_time = _get(summary, "recurring_on_time_share")
    if not (math.isfinite(hours_on_time) and math.isfinite(on_time)):
        return []
    skipped = _get(summary, "recurring_skipped")
    text = (f"{hours_on_time:.0%} of recurring maintenance hours were done on time "
            f"({on_time:.0%} of occurrences); {skipped:.0f} occurrences were skipped")
    neglect = [(f"{hours:.0f} hours of {NEGLECT[name]}", hours) for name in NEGLECT
               if math.isfinite(hours := _get(summary, f"neglect_hours.{name}")) and hours >= 0.5]
    if neglect:
        parts = [t for t, _ in sorted(neglect, key=lambda p: -p[1])]
        text += ", and " + _join(parts) + " were done late or skipped"
    return [text + "."]


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _hours(h: float) -> str:
    if not math.isfinite(h):
        return "n/a"
    if h < 1:
        return f"{h * 60:.0f} minutes"
    if h < 48:
        return f"{h:.1f} hours"
    return f"{h / 24:.1f} days"


def _money(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f} million"
    if abs(x) >= 1e3:
        return f"{x / 1e3:.0f} thousand"
    return f"{x:.0f}"
