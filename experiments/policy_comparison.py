"""Which policy helps at today's demand, and at what cost?

Runs ``scenarios/baseline.toml`` under each policy with common random numbers
(replication r of every policy sees the same incidents, tasks and requests), so
each policy is compared with ``firefight_first`` replication by replication:
the differences below are paired, with Student-t 95% intervals. Each policy runs
with the parameters printed at the top (defaults worked out from the scenario,
e.g. the WIP limit from the number of project people).

Value counts what refusing work costs: ``value_declined`` (requests an intake gate
turns away) and ``value_lost_shadow_it`` (requests withdrawn after waiting) carry
their value per week to the end of the year, as does ``cost_of_delay`` for
requests accepted but not yet delivered; "delay and refusals" is their sum.

    python experiments/policy_comparison.py [--replications N] [--scenario FILE] [--workers N] [--csv FILE]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

import itsim
from itsim.experiment import policy_for
from itsim.stats import mean_ci, paired_difference
from itsim.store import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent
POLICIES: dict[str, dict] = {
    "firefight_first": {"name": "firefight_first"},
    "wip_limit": {"name": "wip_limit"},
    "wip_limit + prioritise_wsjf": {"name": ["wip_limit", "prioritise_wsjf"]},
    "intake_gate": {"name": "intake_gate"},
    "protected_maintenance": {"name": "protected_maintenance"},
    "firefighter_rotation": {"name": "firefighter_rotation"},
    "prioritise_wsjf": {"name": "prioritise_wsjf"},
    "deflection": {"name": "deflection"},
}
MEASURES = {
    "project_lead_time_days": ("time to value", "days", -1),
    "projects_delivered": ("projects delivered", "count", 1),
    "cost_of_delay": ("cost of delay", "money", -1),
    "value_declined": ("value of requests declined", "money", -1),
    "value_lost_shadow_it": ("value lost to shadow IT", "money", -1),
    "delay_and_refusals": ("delay and refusals", "money", -1),
    "value_delivered": ("value delivered", "money", 1),
    "neglect_hours": ("neglected maintenance", "hours", -1),
    "recurring_on_time_share": ("maintenance on time", "share", 1),
    "incident_wait_hours": ("incident wait", "hours", -1),
    "incident_wait_hours.P1": ("P1 wait", "hours", -1),
    "incident_wait_hours.P4": ("P4 wait", "hours", -1),
    "incident_resolve_hours.P2": ("P2 resolution", "hours", -1),
    "incident_sla_attainment": ("incidents within SLA", "share", 1),
    "hours_share.firefighting": ("firefighting share", "share", -1),
    "cost_total": ("total IT cost", "money", -1),
}


def per_replication(result: itsim.Replicated) -> pd.DataFrame:
    """Metric values by replication (rows) and name (columns), with total neglect and
    the money of delay and refusals added."""
    wide = result.runs.pivot(index="replication", columns="metric", values="value")
    neglect = [c for c in wide.columns if c.startswith("neglect_hours.")]
    wide["neglect_hours"] = wide[neglect].sum(axis=1) if neglect else 0.0
    refused = [c for c in ("cost_of_delay", "value_declined", "value_lost_shadow_it") if c in wide]
    wide["delay_and_refusals"] = wide[refused].sum(axis=1)
    return wide


def fmt(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "n/a"
    if unit == "share":
        return f"{x:.0%}"
    if unit == "money":
        return f"{x / 1e3:,.0f}k"
    if unit == "count":
        return f"{x:,.1f}"
    return f"{x:,.1f} {unit}"


def scenario_for(scenario: itsim.Scenario, policy: dict) -> itsim.Scenario:
    return scenario.with_changes({"policy": policy})


def parameters(scenario: itsim.Scenario) -> str:
    """The policy's parameters as it runs in ``scenario``, defaults included."""
    params = policy_for(scenario).effective_params(scenario)
    return ", ".join(f"{k} = {v}" for k, v in params.items()) or "no parameters"


def compare(scenario: itsim.Scenario, replications: int, workers: int) -> dict[str, pd.DataFrame]:
    return {name: per_replication(itsim.replicate(scenario_for(scenario, policy), replications=replications,
                                                  workers=workers))
            for name, policy in POLICIES.items()}


def differences(runs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Paired differences from firefight_first: one row per policy and measure."""
    base = runs["firefight_first"]
    rows = []
    for name, wide in runs.items():
        for metric, (label, unit, sign) in MEASURES.items():
            if metric not in wide or metric not in base or name == "firefight_first":
                continue
            d, lo, hi = paired_difference(base[metric], wide[metric])
            clear = math.isfinite(d) and not lo <= 0 <= hi
            rows.append({"policy": name, "metric": metric, "label": label, "unit": unit,
                         "mean": mean_ci(wide[metric])[0], "difference": d, "ci95_low": lo, "ci95_high": hi,
                         "direction": ("better" if d * sign > 0 else "worse") if clear else "no clear difference"})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.toml")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--csv", type=Path, default=Path("out/policy_comparison/differences.csv"))
    args = parser.parse_args()
    scenario = itsim.load_scenario(args.scenario)
    print(f"{scenario.name}: {args.replications} paired replications per policy, at today's demand.")
    print("Parameters:")
    for name, policy in POLICIES.items():
        print(f"  {name}: {parameters(scenario_for(scenario, policy))}")
    runs = compare(scenario, args.replications, args.workers)
    base = runs["firefight_first"]
    print("Today (firefight_first): " + "; ".join(
        f"{label} {fmt(mean_ci(base[m])[0], unit)}" for m, (label, unit, _) in MEASURES.items() if m in base
    ) + ".")
    table = differences(runs)
    for name, rows in table.groupby("policy", sort=False):
        parts = {"better": [], "worse": [], "no clear difference": []}
        for r in rows.itertuples():
            sign = "+" if r.difference > 0 else ""
            parts[r.direction].append(
                f"{r.label} {fmt(r.mean, r.unit)} ({sign}{fmt(r.difference, r.unit)}, 95% CI"
                f" {fmt(r.ci95_low, r.unit)} to {fmt(r.ci95_high, r.unit)})")
        print(f"Under {name}:")
        for direction in ("better", "worse", "no clear difference"):
            if parts[direction]:
                print(f"  {direction}: " + "; ".join(parts[direction]))
    atomic_write_text(args.csv, table.to_csv(index=False))
    print(f"Paired differences in {args.csv}")


if __name__ == "__main__":
    main()
