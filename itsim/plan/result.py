"""What a plan search found, as the data of ``plan.json``.

Every option carries its lever values by dotted key, its price, its probability of
being too busy at each demand level (share of too-busy replications, Wilson 95%
interval) and the replications spent on it. The *frontier* is the options that no
other option beats on both price and risk (risk: the worst demand level's
probability): cheapest first, each one less risky than all before it. The
*comparison* sets the recommended option against today's plan on the same
replications: paired differences (option minus today) with Student-t 95% intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from itsim.plan.options import Option
from itsim.plan.search import Rules
from itsim.plan.store import Replications
from itsim.stats import mean_ci, wilson_interval
from itsim.sweep import TOO_BUSY

#: Results compared between today and the recommended option, in this order (those a
#: scenario does not produce are left out): money, then time to value, then neglect.
COMPARED = (
    "cost_staff", "cost_of_delay", "value_declined", "value_lost_shadow_it", "cost_downtime", "cost_total",
    "project_lead_time_days", "neglect_hours", "neglect_hours.security",
)
#: Families of per-risk neglect metrics; the first one a run has is summed as ``neglect_hours``.
NEGLECT_FAMILIES = ("neglect_hours.", "recurring_neglect_hours.")


@dataclass
class PlanResult:
    """The search's findings: ``data`` is what ``plan.json`` holds."""

    data: dict[str, Any]

    @property
    def recommended(self) -> dict[str, Any] | None:
        return self.data["recommended"]

    @property
    def frontier(self) -> list[dict[str, Any]]:
        by_id = {o["id"]: o for o in self.data["options"]}
        return [by_id[i] for i in self.data["frontier"]]

    @property
    def options(self) -> list[dict[str, Any]]:
        return self.data["options"]


def _clean(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _probability(busy: np.ndarray) -> dict[str, Any]:
    n, s = len(busy), int(np.sum(busy))
    lo, hi = wilson_interval(s, n)
    return {"probability": s / n if n else None, "ci95": [lo, hi], "replications": n, "too_busy_replications": s}


def frontier(entries: list[dict[str, Any]]) -> list[str]:
    """Ids of the options on the cost-versus-risk frontier, cheapest first: each is less
    risky (worst demand level) than every cheaper or equally priced option."""
    ranked = sorted((e for e in entries if e["probability"] is not None),
                    key=lambda e: (e["cost"]["total"], e["probability"]))  # stable: search order breaks ties
    out, best = [], math.inf
    for e in ranked:
        if e["probability"] < best:
            out.append(e["id"])
            best = e["probability"]
    return out


def _entry(option: Option, levels: list[float], busy: dict, statuses: dict | None) -> dict[str, Any]:
    entry = option.to_dict()
    per_level = {}
    for i, d in enumerate(levels):
        figures = _probability(busy[(option.id, d)])
        if statuses is not None:
            figures["status"], figures["decided_by"] = statuses[1][i]
        per_level[repr(d)] = figures
    worst = max(per_level.values(), key=lambda f: -1 if f["probability"] is None else f["probability"])
    entry.update({
        "status": statuses[0] if statuses is not None else None,
        "too_busy": per_level,
        "probability": worst["probability"],
        "ci95": worst["ci95"],
        "replications": sum(f["replications"] for f in per_level.values()),
    })
    return entry


def _per_replication(runs: pd.DataFrame) -> pd.DataFrame:
    """Replications x metrics, with the neglect family summed as ``neglect_hours``."""
    wide = runs.pivot_table(index="replication", columns="metric", values="value", aggfunc="first")
    for prefix in NEGLECT_FAMILIES:
        family = [c for c in wide.columns if str(c).startswith(prefix)]
        if family:
            wide["neglect_hours"] = wide[family].sum(axis=1, min_count=1)
            if prefix != "neglect_hours." and f"{prefix}security" in wide:
                wide["neglect_hours.security"] = wide[f"{prefix}security"]
            break
    return wide


def comparison(today: pd.DataFrame, option: pd.DataFrame) -> list[dict[str, Any]]:
    """Paired differences option − today for the :data:`COMPARED` results and the
    probability of being too busy, from the two long tables (same replications)."""
    a, b = _per_replication(today), _per_replication(option)
    common = a.index.intersection(b.index)
    rows = []
    for metric in (TOO_BUSY, *COMPARED):
        if metric not in a or metric not in b:
            continue
        x, y = a.loc[common, metric].to_numpy(float), b.loc[common, metric].to_numpy(float)
        both = np.isfinite(x) & np.isfinite(y)
        if not both.any():
            continue
        diff, lo, hi = mean_ci(y[both] - x[both])
        rows.append({
            "metric": metric,
            "today": _clean(float(np.nanmean(x))),
            "option": _clean(float(np.nanmean(y))),
            "difference": _clean(diff),
            "ci95": [_clean(lo), _clean(hi)],
            "replications": int(both.sum()),
        })
    return rows


def price_rows(today: Option, option: Option) -> list[dict[str, Any]]:
    """The outsourcing contract, which the plan fixes (no interval to estimate), when either
    side buys a first line in."""
    if today.cost.outsourcing == 0 and option.cost.outsourcing == 0:
        return []
    a, b = today.cost.outsourcing, option.cost.outsourcing
    return [{"metric": "price.outsourcing", "today": a, "option": b, "difference": b - a,
             "ci95": [b - a, b - a], "replications": None}]


def assemble(*, scenario, rules: Rules, levels: list[float], seed: int, levers: dict, policies: list[str],
             budget: float | None, left_out: int, options: list[Option], today: Option, statuses: dict,
             n: dict, store: Replications, chosen: str | None, compared: str, paired: dict,
             computed: int) -> PlanResult:
    """Gather the search's state into the ``plan.json`` data."""
    busy = {(o.id, d): store.busy((o.id, d), n.get((o.id, d), 0)) for o in options for d in levels}
    entries = [_entry(o, levels, busy, statuses[o.id]) for o in options]
    by_id = {e["id"]: e for e in entries}
    paired_busy = {(oid, d): store.busy((oid, d), paired[d]) for oid in (today.id, compared) for d in levels}
    today_entry = _entry(today, levels, paired_busy, None)
    compared_option = next(o for o in options if o.id == compared)
    compared_now = _entry(compared_option, levels, paired_busy, None)
    spent = sum(n.values()) + sum(max(0, paired[d] - n.get((oid, d), 0))
                                  for oid in dict.fromkeys((today.id, compared)) for d in levels)
    data: dict[str, Any] = {
        "scenario": scenario.name,
        "currency": scenario.costs.currency,
        "horizon_days": scenario.scenario.horizon_days,
        "seed": seed,
        "risk": rules.risk,
        "demand": levels,
        "budget": budget,
        "levers": {k: list(v) for k, v in levers.items()},
        "policies": policies,
        "method": {
            "name": "sequential feasibility tests in price order, common random numbers",
            "max_replications": rules.max_replications,
            "looks": rules.looks,
            "alpha": rules.alpha,
            "bound": "one-sided Clopper-Pearson at alpha / looks",
            "described_in": "docs/plan.md",
        },
        "options": entries,
        "left_out_by_budget": left_out,
        "recommended": by_id[chosen] if chosen is not None else None,
        "today": today_entry,
        "frontier": frontier(entries),
        "compared": {
            "option": compared,
            "recommended": chosen is not None,
            "too_busy": compared_now["too_busy"],
            "by_demand": {repr(d): comparison(store.runs((today.id, d), paired[d]),
                                              store.runs((compared, d), paired[d]))
                          + price_rows(today, compared_option) for d in levels},
        },
        "replications": {
            "spent": spent,
            "computed_now": computed,
            "grid_equivalent": len(options) * len(levels) * rules.max_replications,
        },
    }
    return PlanResult(data)
