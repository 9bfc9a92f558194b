"""The recommended option against today, in the layout ``itsim compare`` uses.

Each side (:class:`itsim.compare.Side`) is built from the plan's stored replications
of one option at one demand level: the metrics of every replication, their means
with 95% intervals, and the verdict over the replications (status, chance of being
too busy with its Wilson interval, and the targets broken), as ``itsim run`` would
summarise them. Both sides have the same replications under the same seed, so
:func:`itsim.compare.compare_results` pairs them run by run. Two figures are added
to each replication: ``too_busy_probability`` (1 when the run broke a target, so
its mean is the chance of being too busy) and ``neglect_hours`` (maintenance late or
skipped, all kinds together).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from itsim.compare import Comparison, Side, compare_results
from itsim.plan.store import Cell, Replications
from itsim.plan.words import describe
from itsim.report.data import neglect_prefix
from itsim.scenario import Scenario
from itsim.stats import summarise
from itsim.targets import overall

#: The figures shown first, in this order: the chance of being too busy, money, time to
#: value, then neglect (those a scenario does not produce are left out).
PLAN_HEADLINE = (
    "too_busy_probability", "cost_staff", "cost_of_delay", "value_declined", "value_lost_shadow_it",
    "cost_downtime", "cost_total", "project_lead_time_days", "neglect_hours", "neglect_hours.security",
)


def _with_derived(metrics: pd.DataFrame, busy: Any) -> pd.DataFrame:
    """``metrics`` (long table) plus ``too_busy_probability`` and ``neglect_hours`` per replication."""
    reps = sorted(metrics["replication"].unique())
    extra = [pd.DataFrame({"replication": reps, "metric": "too_busy_probability",
                           "value": [float(busy[r]) for r in reps]})]
    names = set(metrics["metric"])
    family = metrics[metrics["metric"].str.startswith(neglect_prefix(names))]
    if "neglect_hours" not in names and len(family):
        total = family.groupby("replication")["value"].sum(min_count=1)
        extra.append(pd.DataFrame({"replication": total.index, "metric": "neglect_hours", "value": total.to_numpy()}))
    out = pd.concat([metrics, *extra], ignore_index=True)
    return out.sort_values(["replication", "metric"], kind="stable", ignore_index=True)


def side(store: Replications, cell: Cell, n: int, scenario: Scenario, seed: int, source: str) -> Side:
    """One option at one demand level (``scenario`` is that cell's), over replications ``0..n-1``."""
    runs = _with_derived(store.metrics(cell, n), store.busy(cell, n))
    summary = {
        "scenario": scenario.name,
        "replications": n,
        "seed": seed,
        "policy": scenario.policy.names,
        "metrics": summarise(runs),
        "too_busy": overall(scenario, store.verdicts(cell, n)),
    }
    return Side(summary, runs, scenario.to_dict(), source)


def against_today(store: Replications, today: tuple[Cell, Scenario], option: tuple[Cell, Scenario], n: int,
                  seed: int, labels: tuple[str, str]) -> Comparison:
    """Today (A) against the option (B) on their first ``n`` replications; ``labels`` say what
    each side is."""
    a = side(store, today[0], n, today[1], seed, labels[0])
    b = side(store, option[0], n, option[1], seed, labels[1])
    return compare_results(a, b, headline=PLAN_HEADLINE)


def stored_comparisons(directory: Path, plan: dict[str, Any]) -> dict[float, Comparison]:
    """Today against the compared option at each demand level, from a plan directory's
    store and scenario (what ``plan.json`` was built from); raises ``LookupError`` naming
    what is missing when the runs are no longer there."""
    from itsim.scenario import loads_scenario
    from itsim.sweep import _cell_scenario

    base = loads_scenario((directory / "scenario.toml").read_text(encoding="utf-8"))
    by_id = {o["id"]: o for o in plan["options"]}
    today, option = plan["today"], by_id[plan["compared"]["option"]]
    store = Replications(directory)
    labels = ("today's plan", describe(option, today))
    out = {}
    for d in plan["demand"]:
        n = plan["today"]["too_busy"][repr(d)]["replications"]
        cells = []
        for entry in (today, option):
            cell = (entry["id"], d)
            if store.have(cell) < n:
                raise LookupError(f"{directory / 'options' / entry['id']}: the stored runs are missing")
            scenario = _cell_scenario(base, entry["levers"], entry["policy"]) if entry["id"] != "today" else base
            cells.append((cell, scenario.with_changes({"demand_scale": base.demand_scale * d})))
        out[d] = against_today(store, cells[0], cells[1], n, plan["seed"], labels)
    return out


def _clean(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def headline_rows(comparison: Comparison) -> list[dict[str, Any]]:
    """The headline figures of a comparison for ``plan.json``: today's and the option's means
    and the paired difference (option − today) with its 95% interval."""
    n = comparison.a.summary["replications"]
    rows = []
    for metric in comparison.headline_metrics:
        r = comparison.row(metric)
        rows.append({"metric": metric, "today": _clean(r.mean_a), "option": _clean(r.mean_b),
                     "difference": _clean(r.difference), "ci95": [_clean(r.diff_ci_low), _clean(r.diff_ci_high)],
                     "replications": n})
    return rows
