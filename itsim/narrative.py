"""Plain-language sentences about a result, for the terminal and the report."""

from __future__ import annotations

import math

from itsim.report import fmt


def _get(summary: dict, name: str) -> float:
    m = summary["metrics"].get(name)
    if not m or m["mean"] is None:
        return math.nan
    return m["mean"]


def headline(summary: dict, currency: str = "") -> list[str]:
    """A few sentences a CFO can read: where the hours go, what waits, what is neglected
    (money in ``currency``, the scenario's ``[costs] currency``)."""
    lines = []
    fire = _get(summary, "hours_share.firefighting")
    rec = _get(summary, "hours_share.recurring")
    proj = _get(summary, "hours_share.projects")
    idle = _get(summary, "hours_share.idle")
    if math.isfinite(fire):
        parts = [f"{fmt.percent(fire)} firefighting"]
        if rec > 0:
            parts.append(f"{fmt.percent(rec)} recurring maintenance")
        if proj > 0:
            parts.append(f"{fmt.percent(proj)} projects")
        parts.append(f"{fmt.percent(idle)} idle")
        lines.append("The team's hours go to " + ", ".join(parts) + ".")
    wait = _get(summary, "incident_wait_hours")
    resolve = _get(summary, "incident_resolve_hours")
    if math.isfinite(wait):
        lines.append(
            f"An incident waits {fmt.duration(wait)} on average before anyone starts on it, "
            f"and is resolved after {fmt.duration(resolve)}."
        )
    sla = _get(summary, "incident_sla_attainment")
    if math.isfinite(sla):
        lines.append(f"{fmt.percent(sla)} of incidents are resolved within their SLA.")
    lead = _get(summary, "project_lead_time_days")
    if math.isfinite(lead):
        delivered = _get(summary, "projects_delivered")
        backlog = _get(summary, "project_backlog_end")
        lines.append(
            f"Projects reach the business {fmt.duration(lead * 24)} after they are requested "
            f"({fmt.number(delivered)} delivered; {fmt.number(backlog)} waiting or in progress at the end)."
        )
    on_time = _get(summary, "recurring_on_time_share")
    if math.isfinite(on_time):
        skipped = _get(summary, "recurring_skipped")
        neglect = {
            r: _get(summary, f"recurring_neglect_hours.{r}")
            for r in ("security", "availability", "compliance", "other")
        }
        worst = max(neglect, key=lambda r: neglect[r] if math.isfinite(neglect[r]) else -1)
        text = (f"{fmt.percent(on_time)} of recurring maintenance is done on time; "
                f"{fmt.plural(skipped, 'occurrence')} {'was' if fmt.number(skipped) == '1' else 'were'} skipped")
        if math.isfinite(neglect[worst]) and neglect[worst] > 0:
            text += f", and {fmt.hours(neglect[worst])} of {worst} work were neglected"
        lines.append(text + ".")
    cost = _get(summary, "cost_total")
    if math.isfinite(cost) and cost > 0:
        delay = _get(summary, "cost_of_delay")
        line = f"Staff cost {fmt.money(cost, currency)}"
        if math.isfinite(delay) and delay > 0:
            line += f"; waiting for projects cost the business {fmt.money(delay, currency)} in delayed value"
        lines.append(line + ".")
    tb = summary.get("too_busy")
    if tb:
        if tb["verdict"]:
            lines.append(
                f"Verdict: TOO BUSY in {fmt.percent(tb['share_of_replications'])} of replications: "
                + "; ".join(tb["reasons"]) + "."
            )
        else:
            lines.append(
                f"Verdict: sustainable (too busy in {fmt.percent(tb['share_of_replications'])} of replications)."
            )
    return lines

