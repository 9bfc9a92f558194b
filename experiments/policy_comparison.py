"""Which policy helps at today's demand, and at what cost?

Runs ``scenarios/baseline.toml`` under each policy with common random numbers
(replication r of every policy sees the same incidents, tasks and requests), so
each policy is compared with ``firefight_first`` replication by replication:
the differences below are paired, with Student-t 95% intervals.

    python experiments/policy_comparison.py [--replications N] [--scenario FILE] [--workers N]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

import itsim
from itsim.stats import mean_ci, paired_difference

ROOT = Path(__file__).resolve().parent.parent
POLICIES = {
    "firefight_first": {},
    "wip_limit": {"wip_limit": 3},
    "intake_gate": {},
    "protected_maintenance": {"share": 0.2},
    "firefighter_rotation": {},
    "prioritise_wsjf": {},
    "deflection": {},
}
MEASURES = {
    "project_lead_time_days": ("time to value", "days", -1),
    "incident_wait_hours": ("incident wait", "hours", -1),
    "incident_sla_attainment": ("incidents within SLA", "share", 1),
    "cost_of_delay": ("cost of delay", "money", -1),
    "value_delivered": ("value delivered", "money", 1),
    "recurring_on_time_share": ("maintenance on time", "share", 1),
    "neglect_hours": ("neglected maintenance", "hours", -1),
    "hours_share.firefighting": ("firefighting share", "share", -1),
    "cost_total": ("total cost", "money", -1),
}


def per_replication(result: itsim.Replicated) -> pd.DataFrame:
    """Metric values by replication (rows) and name (columns), with total neglect added."""
    wide = result.runs.pivot(index="replication", columns="metric", values="value")
    neglect = [c for c in wide.columns if c.startswith("recurring_neglect_hours.")]
    wide["neglect_hours"] = wide[neglect].sum(axis=1) if neglect else 0.0
    return wide


def fmt(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "n/a"
    if unit == "share":
        return f"{x:.0%}"
    if unit == "money":
        return f"{x / 1e3:,.0f}k"
    return f"{x:,.1f} {unit}"


def compare(scenario: itsim.Scenario, replications: int, workers: int) -> dict[str, pd.DataFrame]:
    runs = {}
    for name, params in POLICIES.items():
        sc = scenario.with_changes({"policy": {"name": name, **params}})
        runs[name] = per_replication(itsim.replicate(sc, replications=replications, workers=workers))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.toml")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    scenario = itsim.load_scenario(args.scenario)
    runs = compare(scenario, args.replications, args.workers)
    base = runs["firefight_first"]
    print(f"{scenario.name}: {args.replications} paired replications per policy, at today's demand.")
    print("Today (firefight_first): " + "; ".join(
        f"{label} {fmt(mean_ci(base[m])[0], unit)}" for m, (label, unit, _) in MEASURES.items() if m in base
    ) + ".")
    for name, wide in runs.items():
        if name == "firefight_first":
            continue
        better, worse = [], []
        for metric, (label, unit, sign) in MEASURES.items():
            if metric not in wide or metric not in base:
                continue
            d, lo, hi = paired_difference(base[metric], wide[metric])
            if not math.isfinite(d) or (lo <= 0 <= hi):
                continue  # no clear difference
            text = f"{label} {fmt(mean_ci(wide[metric])[0], unit)} ({'+' if d > 0 else ''}{fmt(d, unit)}, 95% CI " \
                   f"{fmt(lo, unit)} to {fmt(hi, unit)})"
            (better if d * sign > 0 else worse).append(text)
        verdict = f"Under {name}: "
        verdict += ("better on " + "; ".join(better)) if better else "no clear improvement"
        verdict += ("; worse on " + "; ".join(worse)) if worse else ""
        print(verdict + ".")


if __name__ == "__main__":
    main()
