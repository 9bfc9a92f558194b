"""Plain-language sentences about a result, for the terminal and the report."""

from __future__ import annotations

import math


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
    lead = _get(summary, "project_lead_time_days")
    if math.isfinite(lead):
        delivered = _get(summary, "projects_delivered")
        backlog = _get(summary, "project_backlog_end")
        lines.append(
            f"Projects reach the business {lead / 7:.1f} weeks after they are requested "
            f"({delivered:.0f} delivered; {backlog:.0f} waiting or in progress at the end)."
        )
    on_time = _get(summary, "recurring_on_time_share")
    if math.isfinite(on_time):
        skipped = _get(summary, "recurring_skipped")
        neglect = {
            r: _get(summary, f"recurring_neglect_hours.{r}")
            for r in ("security", "availability", "compliance", "other")
        }
        worst = max(neglect, key=lambda r: neglect[r] if math.isfinite(neglect[r]) else -1)
        text = f"{on_time:.0%} of recurring maintenance is done on time; {skipped:.0f} occurrences were skipped"
        if math.isfinite(neglect[worst]) and neglect[worst] > 0:
            text += f", and {neglect[worst]:.0f} hours of {worst} work were neglected"
        lines.append(text + ".")
    cost = _get(summary, "cost_total")
    if math.isfinite(cost) and cost > 0:
        delay = _get(summary, "cost_of_delay")
        line = f"Staff cost {_money(cost)}"
        if math.isfinite(delay) and delay > 0:
            line += f"; waiting for projects cost the business {_money(delay)} in delayed value"
        lines.append(line + ".")
    tb = summary.get("too_busy")
    if tb:
        if tb["verdict"]:
            lines.append(
                f"Verdict: TOO BUSY in {tb['share_of_replications']:.0%} of replications: "
                + "; ".join(tb["reasons"]) + "."
            )
        else:
            lines.append(
                f"Verdict: sustainable (too busy in {tb['share_of_replications']:.0%} of replications)."
            )
    return lines


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
