"""Synthetic run and sweep directories shaped like the engine's output (SPEC §4).

The numbers follow a crude but realistic picture of a 12-person IT team: as
demand rises, firefighting eats the week, lead times bend upwards (a hockey
stick), maintenance is neglected and tech debt grows. They exist to exercise the
report, not to validate the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from itsim.compare import mean_ci

TEAM_HOURS_PER_WEEK = 480.0
RISKS = ("security", "availability", "compliance", "other")

SCENARIO_TOML = """\
demand_scale = {demand}

[scenario]
name = {name}
horizon_days = 364
warmup_days = 28
calendar = "business"
seed = {seed}

[[team]]
role = "service_desk"
count = 4
skills = ["incident"]
cost_per_hour = 40

[[team]]
role = "engineer"
count = 8
skills = ["incident", "recurring", "project"]
cost_per_hour = 70

[incidents]
rate_per_day = 45
effort_hours = {{ dist = "lognormal", mean = 0.75, cv = 1.2 }}
priorities = {{ P1 = 0.02, P2 = 0.13, P3 = 0.55, P4 = 0.30 }}
sla_hours = {{ P1 = 4, P2 = 8, P3 = 24, P4 = 72 }}
handled_by = ["service_desk", "engineer"]
deflection = 0.1

[[recurring]]
name = {task}
every = "monthly"
effort_hours = {{ dist = "gamma", mean = 16, cv = 0.3 }}
due_within_days = 14
handled_by = ["engineer"]
risk = "security"

[[recurring]]
name = "Nightly backups check"
every = "daily"
effort_hours = {{ dist = "constant", value = 0.5 }}
due_within_days = 1
handled_by = ["engineer"]
risk = "availability"
{projects}
[policy]
name = {policy}
{policy_params}
[targets]
project_lead_time_days = 90
recurring_on_time_share = 0.9
"""

PROJECTS_TOML = """
[projects]
rate_per_month = 5
estimate_hours = { dist = "lognormal", mean = 160, cv = 1.0 }
estimate_bias = 1.35
value_per_week = { dist = "lognormal", mean = 4000, cv = 1.5 }
handled_by = ["engineer"]
"""


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid TOML basic string


def lead_time_days(demand: float, capacity: float) -> float:
    """Mean project lead time of the synthetic team: a hockey stick in ``demand / capacity``."""
    load = min(demand / capacity, 0.97)
    return 30.0 / (1.0 - load)


def _replication_metrics(
    rng: np.random.Generator, demand: float, capacity: float, projects: bool
) -> dict[str, float]:
    fire = min(0.9, 0.3 * demand**2 / capacity) * rng.normal(1, 0.05)
    recurring = 0.2 * rng.normal(1, 0.05)
    project_share = max(0.0, 0.85 - fire - recurring) if projects else 0.0
    idle = max(0.0, 1.0 - fire - recurring - project_share)
    neglect = 40.0 * max(0.0, demand - 0.7) ** 2 * capacity
    m = {
        "incident_wait_hours": 2.0 / max(0.05, 1.2 * capacity - demand) * rng.normal(1, 0.1),
        "incident_resolve_hours": 6.0 * rng.normal(1, 0.1),
        "incident_resolve_hours.P1": 3.0 * rng.normal(1, 0.1),
        "incident_sla_attainment": min(1.0, 0.98 - 0.2 * max(0, demand - 0.9)),
        "incidents_arrived": 45 * 5 * 52 * demand * rng.normal(1, 0.02),
        "utilization": min(0.99, 0.6 * demand) * rng.normal(1, 0.02),
        "utilization.engineer": min(0.99, 0.65 * demand) * rng.normal(1, 0.02),
        "hours_share.firefighting": fire,
        "hours_share.recurring": recurring,
        "hours_share.idle": idle,
        "recurring_on_time_share": max(0.0, 1.0 - 0.5 * max(0, demand - 0.8)),
        "tech_debt_hours_end": neglect * 2 * rng.normal(1, 0.1),
        "open_work_hours_end": 200 * demand**3 * rng.normal(1, 0.1),
        "security_incidents": float(rng.poisson(max(0.1, demand - 0.8))),
        "cost_total": 12 * 52 * 40 * 60.0,
    }
    for risk, weight in zip(RISKS, (0.4, 0.3, 0.2, 0.1), strict=True):
        m[f"neglect_hours.{risk}"] = neglect * weight * rng.normal(1, 0.1)
    if projects:
        m |= {
            "hours_share.projects": project_share,
            "project_lead_time_days": lead_time_days(demand, capacity) * rng.normal(1, 0.08),
            "projects_delivered": 60 * min(1.0, capacity / demand) * rng.normal(1, 0.05),
            "project_backlog_end": 10 * demand**3 * rng.normal(1, 0.1),
            "value_delivered": 60 * 4000 * 20 * min(1.0, capacity / demand) * rng.normal(1, 0.05),
            "cost_of_delay": 5 * 12 * 4000 * lead_time_days(demand, capacity) / 7
            * rng.normal(1, 0.1),
        }
    return m


def _timeseries(
    rng: np.random.Generator, replication: int, demand: float, capacity: float, weeks: int,
    projects: bool,
) -> pd.DataFrame:
    week = np.arange(weeks)
    drift = 1 + 0.4 * max(0.0, demand - 0.9) * week / weeks
    fire = np.minimum(0.9, 0.3 * demand**2 / capacity * drift) * rng.normal(1, 0.06, weeks)
    recurring = np.full(weeks, 0.2) * rng.normal(1, 0.05, weeks)
    proj = np.maximum(0.0, 0.85 - fire - recurring) if projects else np.zeros(weeks)
    idle = np.maximum(0.0, 1.0 - fire - recurring - proj)
    data = {
        "replication": replication,
        "week": week,
        "hours.firefighting": fire * TEAM_HOURS_PER_WEEK,
        "hours.recurring": recurring * TEAM_HOURS_PER_WEEK,
        "hours.projects": proj * TEAM_HOURS_PER_WEEK,
        "hours.idle": idle * TEAM_HOURS_PER_WEEK,
        "open_work_hours": 100 * demand**3 * drift * rng.normal(1, 0.1, weeks),
        "tech_debt_hours": np.cumsum(np.maximum(0, demand - 0.8) * rng.gamma(2, 2, weeks)),
        "incident_rate_per_day": 45 * demand * drift * rng.normal(1, 0.05, weeks),
        "staff": np.full(weeks, 12.0),
        "incidents_arrived": rng.poisson(225 * demand, weeks).astype(float),
        "a_future_column_the_report_ignores": rng.normal(size=weeks),
    }
    if projects:
        data["project_backlog"] = 8 * demand**2 * drift * rng.normal(1, 0.1, weeks)
        data["projects_delivered"] = rng.poisson(1.2, weeks).astype(float)
    else:
        del data["hours.projects"]
    return pd.DataFrame(data)


def write_run_dir(
    directory: Path,
    *,
    name: str = "Mid-size company IT",
    task: str = "Patch servers",
    replications: int = 5,
    weeks: int = 52,
    seed: int = 42,
    demand: float = 1.0,
    capacity: float = 1.2,
    policy: str = "firefight_first",
    projects: bool = True,
) -> Path:
    """Write summary.json, runs.parquet, timeseries.parquet and scenario.toml; return the dir.

    ``capacity`` is the demand level the team can sustain (lead times explode near it).
    """
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, int(demand * 1000), int(capacity * 1000)])
    per_rep = [_replication_metrics(rng, demand, capacity, projects) for _ in range(replications)]
    runs = pd.DataFrame(
        [{"replication": r, "metric": k, "value": float(v)}
         for r, m in enumerate(per_rep) for k, v in m.items()]
    )
    runs.to_parquet(directory / "runs.parquet", index=False)
    metrics = {}
    for metric, group in runs.groupby("metric"):
        mean, low, high = mean_ci(group["value"])
        metrics[metric] = {"mean": mean, "ci95": [low, high]}
    share = float(np.clip((demand - 0.9) / (capacity - 0.9), 0, 1))
    reasons = []
    if share > 0:
        reasons = [f"project lead time above target 90 days in {share:.0%} of replications",
                   f"recurring on-time share below 0.9: {task}"]
    summary = {
        "scenario": name, "replications": replications, "seed": seed, "metrics": metrics,
        "too_busy": {"verdict": share > 0.5, "share_of_replications": share, "reasons": reasons},
        "warmup_days": 28, "horizon_days": 364,
    }
    (directory / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    ts = pd.concat(
        [_timeseries(rng, r, demand, capacity, weeks, projects) for r in range(replications)],
        ignore_index=True,
    )
    ts.to_parquet(directory / "timeseries.parquet", index=False)
    params = "wip_limit = 3\n" if policy == "wip_limit" else ""
    toml = SCENARIO_TOML.format(
        demand=demand, name=_toml_string(name), seed=seed, task=_toml_string(task),
        projects=PROJECTS_TOML if projects else "", policy=_toml_string(policy),
        policy_params=params,
    )
    (directory / "scenario.toml").write_text(toml, encoding="utf-8")
    return directory


POLICY_CAPACITY = {"firefight_first": 1.2, "wip_limit": 1.35, "protected_maintenance": 1.6}


def write_sweep_dir(
    directory: Path,
    *,
    name: str = "Mid-size company IT",
    policies: tuple[str, ...] = ("firefight_first", "wip_limit", "protected_maintenance"),
    levels: tuple[float, ...] = (0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4),
    replications: int = 4,
    weeks: int = 52,
) -> Path:
    """Write cells/, sweep.parquet, too_busy.json and sweep.json varying ``demand_scale``."""
    frames = []
    for p, policy in enumerate(policies):
        capacity = POLICY_CAPACITY.get(policy, 1.3)
        for level in levels:
            cell = write_run_dir(
                directory / "cells" / f"policy={p}__demand_scale={level:g}", name=name,
                replications=replications, weeks=weeks, demand=level, capacity=capacity,
                policy=policy,
            )
            runs = pd.read_parquet(cell / "runs.parquet")
            frames.append(runs.assign(demand_scale=level, policy=policy))
    table = pd.concat(frames, ignore_index=True)[
        ["demand_scale", "policy", "replication", "metric", "value"]
    ]
    table.to_parquet(directory / "sweep.parquet", index=False)
    too_busy = {}
    for policy in policies:
        capacity = POLICY_CAPACITY.get(policy, 1.3)
        point = (0.9 + capacity) / 2
        inside = point <= max(levels)
        too_busy[policy] = {
            "point": round(point, 3) if inside else None,
            "ci95": [round(point - 0.04, 3), round(point + 0.04, 3)] if inside else None,
            "varied": "demand_scale",
        }
    (directory / "too_busy.json").write_text(json.dumps(too_busy), encoding="utf-8")
    meta = {"varied": ["demand_scale"], "policies": list(policies),
            "replications": replications, "scenario": name}
    (directory / "sweep.json").write_text(json.dumps(meta), encoding="utf-8")
    return directory
