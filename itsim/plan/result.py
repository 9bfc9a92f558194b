"""What a plan search found, as the data of ``plan.json``.

Every option carries its lever values by dotted key, its price, its probability of
being too busy at each demand level (share of too-busy replications, Wilson 95%
interval) and the replications spent on it. The *frontier* is the options that no
other option beats on both price and risk (risk: the worst demand level's
probability), among those the search ran: cheapest first, each one less risky than
all before it. The *comparison* sets the recommended option against today's plan on
the same replications (:mod:`itsim.plan.compared`): paired differences (option minus
today) with Student-t 95% intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from itsim.plan.bounds import LOWER, UPPER
from itsim.plan.compared import against_today, headline_rows
from itsim.plan.options import Option
from itsim.plan.search import NOT_RUN, Rules
from itsim.plan.store import Replications
from itsim.plan.words import describe
from itsim.scenario import Scenario
from itsim.stats import wilson_interval


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
    run = any(f["replications"] for f in per_level.values())
    entry.update({
        "status": (statuses[0] if run else NOT_RUN) if statuses is not None else None,
        "too_busy": per_level,
        "probability": worst["probability"],
        "ci95": worst["ci95"],
        "replications": sum(f["replications"] for f in per_level.values()),
    })
    return entry


def assemble(*, scenario, rules: Rules, levels: list[float], seed: int, levers: dict, policies: list[str],
             budget: float | None, left_out: int, options: list[Option], today: Option, statuses: dict,
             n: dict, store: Replications, scenarios: dict[tuple[str, float], Scenario], chosen: str | None,
             compared: str, paired: dict, computed: int, spent: int, shared: int) -> PlanResult:
    """Gather the search's state into the ``plan.json`` data."""
    busy = {(o.id, d): store.busy((o.id, d), n.get((o.id, d), 0)) for o in options for d in levels}
    entries = [_entry(o, levels, busy, statuses[o.id]) for o in options]
    by_id = {e["id"]: e for e in entries}
    paired_busy = {(oid, d): store.busy((oid, d), paired[d]) for oid in (today.id, compared) for d in levels}
    today_entry = _entry(today, levels, paired_busy, None)
    compared_option = next(o for o in options if o.id == compared)
    compared_now = _entry(compared_option, levels, paired_busy, None)
    labels = ("today's plan", describe(by_id[compared], today_entry))
    comparisons = {d: against_today(store, ((today.id, d), scenarios[(today.id, d)]),
                                    ((compared, d), scenarios[(compared, d)]), paired[d], seed, labels)
                   for d in levels}
    levels_used = rules.bound_levels
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
            "bound": "one-sided Clopper-Pearson at the looks, levels set so that a wrong call over all "
                     "looks has chance at most alpha (exact, binomial)",
            "bound_levels": {"infeasible": levels_used[LOWER], "feasible": levels_used[UPPER]},
            "shared_runs": "a WIP limit a run never reached leaves it unchanged: such runs are taken "
                           "from the option without the limit",
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
            "by_demand": {repr(d): headline_rows(c) for d, c in comparisons.items()},
        },
        "replications": {
            "spent": spent,
            "shared": shared,
            "computed_now": computed,
            "grid_equivalent": len(options) * len(levels) * rules.max_replications,
        },
    }
    return PlanResult(data)
