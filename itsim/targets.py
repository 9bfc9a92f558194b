"""The "too busy" verdict of one replication, with its reasons.

A replication is too busy when any ``[targets]`` threshold is broken: open work
still growing at the end, project time-to-value above target, recurring work
on time below target, incident SLA attainment below target, or utilisation
above the sustainable ceiling.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from itsim.scenario import Scenario


def open_work_growth(series: pd.DataFrame) -> tuple[float, float]:
    """Growth of open work over the second half of the horizon, in weeks of team
    capacity, and the t statistic of that trend (weekly end-of-week values)."""
    if len(series) < 8:
        return 0.0, 0.0
    half = len(series) // 2  # columns sliced one by one: slicing the whole table copies every column
    x = series["week"].to_numpy(dtype=float)[half:]
    y = series["open_work_hours"].to_numpy(dtype=float)[half:]
    capacity = float(series["hours.available"].iloc[half:].mean()) if "hours.available" in series else 0.0
    if np.ptp(y) == 0:
        return 0.0, 0.0
    if capacity <= 0:  # nobody there to do the work: any growth is growth without bound
        return (math.inf, math.inf) if y[-1] > y[0] else (0.0, 0.0)
    # Least squares by hand: scipy's linregress costs more than the rest of the verdict.
    dx, dy = x - x.mean(), y - y.mean()
    sxx = float(dx @ dx)
    slope = float(dx @ dy) / sxx
    resid = dy - slope * dx
    stderr = math.sqrt(float(resid @ resid) / (len(x) - 2) / sxx)
    t = slope / stderr if stderr > 0 else math.inf
    return slope * (x[-1] - x[0]) / capacity, t


def verdict(scenario: Scenario, metrics: dict[str, float], series: pd.DataFrame) -> dict:
    """``{"verdict": bool, "reasons": [{"code": ..., "text": ...}]}`` for one replication."""
    t = scenario.targets
    reasons: list[dict[str, str]] = []

    def broken(code: str, text: str) -> None:
        reasons.append({"code": code, "text": text})

    growth, tstat = open_work_growth(series)
    if growth > t.open_work_growth_weeks and tstat > 2:
        broken(
            "open_work_growing",
            f"open work kept growing: +{growth:.2f} weeks of team capacity over the second half"
            if math.isfinite(growth) else "open work kept growing with nobody available to do it",
        )
    lead = metrics.get("project_lead_time_days", math.nan)
    if math.isfinite(lead) and lead > t.project_lead_time_days:
        broken(
            "project_lead_time",
            f"projects took {lead:.0f} days to deliver (target {t.project_lead_time_days:g})",
        )
    on_time = metrics.get("recurring_on_time_share", math.nan)
    if math.isfinite(on_time) and on_time < t.recurring_on_time_share:
        broken(
            "recurring_on_time",
            f"only {on_time:.0%} of recurring work was done on time (target {t.recurring_on_time_share:.0%})",
        )
    sla = metrics.get("incident_sla_attainment", math.nan)
    if math.isfinite(sla) and sla < t.incident_sla_attainment:
        broken(
            "incident_sla",
            f"{sla:.0%} of incidents met their SLA (target {t.incident_sla_attainment:.0%})",
        )
    util = metrics.get("utilization", math.nan)
    if math.isfinite(util) and util > t.max_utilization:
        broken(
            "utilization",
            f"staff were busy {util:.0%} of their hours (sustainable ceiling {t.max_utilization:.0%})",
        )
    return {"verdict": bool(reasons), "reasons": reasons}
