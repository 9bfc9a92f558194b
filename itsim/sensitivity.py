"""Which assumption matters most: global sensitivity of a scenario's results to its inputs.

The *factors* are the scenario's uncertain inputs (its beliefs) or, when it declares
none, ±``spread`` (20%) around each of the numbers a leader is most likely to have
guessed (:data:`GUESSED_KEYS`, those present and non-zero in the scenario). Each
factor runs over its range through the unit interval (a belief through its
quantiles), so the indices rank factors by how much of the result they move over
what is believed about them.

Three results are followed: the chance of being too busy (share of too-busy
replications), time to value (mean ``project_lead_time_days``) and cost (mean
``cost_total``). Every design point is run ``replications`` times with the same
random numbers (common random numbers), so differences between points come from
the inputs, not from noise.

- ``morris`` (elementary effects, SALib): ``samples`` trajectories of ``k + 1``
  points each; the index is mu* (mean absolute effect of moving one factor across
  its range), normalised so the largest is 1.
- ``sobol`` (Saltelli sampling, SALib): ``samples x (k + 2)`` points; the index is
  the total-order index ST (share of the result's variance the factor takes part in).

A one-at-a-time *tornado* runs each factor at its low and high end with the others
central, which is what the chart shows and the words quote.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from itsim.executors import Executor, LocalExecutor
from itsim.experiment import simulate
from itsim.scenario import Scenario, ScenarioError
from itsim.uncertainty.beliefs import whole
from itsim.uncertainty.keys import is_integer_key
from itsim.uncertainty.sampling import values_at

#: How each guessed key reads in a sentence.
LABELS = {
    "incidents.rate_per_day": "Incidents per day",
    "incidents.rate_per_hour": "Incidents per hour",
    "incidents.effort_hours.mean": "Effort per incident (hours)",
    "incidents.escalation.share": "Share of incidents escalated",
    "incidents.escalation.extra_effort_hours.mean": "Extra effort of an escalated incident (hours)",
    "incidents.deflection": "Share of incidents solved by self-service",
    "projects.rate_per_month": "Project requests per month",
    "projects.rate_per_week": "Project requests per week",
    "projects.estimate_hours.mean": "Project size as estimated (hours)",
    "projects.estimate_bias": "Estimate overrun (actual / estimate)",
    "projects.value_per_week.mean": "Cost of delay per project (money per week)",
    "projects.care_and_feeding_hours_per_week": "Care and feeding per delivered system (hours a week)",
    "dynamics.incident_rate_per_debt_hour": "Incident rate added per hour of tech debt",
    "dynamics.debt_per_skipped_hour": "Tech debt per hour of maintenance skipped",
    "dynamics.debt_per_late_hour": "Tech debt per hour of maintenance done late",
    "dynamics.improvement_incident_reduction": "Incidents removed by each improvement project",
    "dynamics.shadow_it_incidents_per_week": "Incidents per week from each shadow IT system",
    "dynamics.attrition_per_year": "Staff attrition per year",
    "dynamics.burnout_productivity_loss": "Productivity lost to burnout",
    "dynamics.context_switch_hours": "Hours lost to each context switch",
}
#: Numbers a leader usually has to guess (no record exists), varied ±``spread`` when a
#: scenario declares no beliefs of its own: those with a label, in its order.
GUESSED_KEYS = tuple(LABELS)
OUTPUTS = {
    "too_busy": "chance of being too busy",
    "project_lead_time_days": "time to value",
    "cost_total": "cost",
}
METHODS = ("morris", "sobol")


@dataclass(frozen=True)
class Factor:
    """One input varied: its dotted key, low and high ends, and (for a belief) how the
    unit interval maps onto it."""

    key: str
    low: float
    high: float
    central: float
    source: str  # "belief" or "guess"
    integer: bool = False

    def values(self, scenario: Scenario, u: np.ndarray) -> list[float | int]:
        if self.source == "belief":
            return [row[self.key] for row in values_at(scenario, u[:, None], keys=[self.key])]
        x = self.low + np.asarray(u, dtype=float) * (self.high - self.low)
        return [whole(v) for v in x] if self.integer else [float(v) for v in x]


def factors(scenario: Scenario, spread: float = 0.2) -> tuple[list[Factor], list[str]]:
    """The factors to vary, and notes on guessed keys left out (a range the scenario
    cannot take)."""
    from itsim.report.data import get_dotted

    data = scenario.to_dict()
    if scenario.uncertain:
        return [Factor(k, *b.span, b.central, "belief", is_integer_key(data, k))
                for k, b in scenario.uncertain.items()], []
    out, notes = [], []
    full = scenario.model_dump(by_alias=True, mode="python")
    for key in GUESSED_KEYS:
        value = get_dotted(full, key)
        if not isinstance(value, int | float) or isinstance(value, bool) or value == 0:
            continue
        low, high = value * (1 - spread), value * (1 + spread)
        bad = []
        for end in (low, high):
            try:
                scenario.with_changes({key: end})
            except ScenarioError as exc:
                bad.append(exc.problems[0].removeprefix("with_changes: "))
        if bad:
            notes.append(f"{key} left out: ±{spread:.0%} is not a valid range ({bad[0]})")
            continue
        out.append(Factor(key, low, high, float(value), "guess"))
    if not out:
        raise ScenarioError(["sensitivity: the scenario has no uncertain inputs and none of the usually "
                             f"guessed numbers ({', '.join(GUESSED_KEYS[:3])}, ...)"])
    return out, notes


def _one(scenario: Scenario, seed: int, replication: int, changes: dict[str, Any]) -> tuple[float, float, float]:
    run = simulate(scenario.with_changes(changes), seed=seed, replication=replication, keep_events=False)
    m = run.metrics
    return (float(run.too_busy["verdict"]), m.get("project_lead_time_days", math.nan), m.get("cost_total", math.nan))


def evaluate(scenario: Scenario, points: list[dict[str, Any]], replications: int, seed: int,
             executor: Executor, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Mean of each output (columns as :data:`OUTPUTS`) at each point (rows), over
    ``replications`` runs that share their random numbers across points."""
    tasks = [(scenario, seed, r, p) for p in points for r in range(replications)]
    values = np.full((len(tasks), len(OUTPUTS)), np.nan)
    for done, (i, outcome) in enumerate(executor.run(_one, tasks), start=1):
        values[i] = outcome
        if progress is not None:
            progress(done, len(tasks))
    with np.errstate(invalid="ignore"):
        cube = values.reshape(len(points), replications, len(OUTPUTS))
        counts = np.isfinite(cube).sum(axis=1)
        return np.where(counts > 0, np.nansum(cube, axis=1) / np.maximum(counts, 1), np.nan)


def _points(scenario: Scenario, found: list[Factor], u: np.ndarray) -> list[dict[str, Any]]:
    columns = [f.values(scenario, u[:, j]) for j, f in enumerate(found)]
    return [{f.key: columns[j][i] for j, f in enumerate(found)} for i in range(len(u))]


def _indices(method: str, problem: dict[str, Any], u: np.ndarray, y: np.ndarray,
             seed: int) -> dict[str, dict[str, list[float]]]:
    """Per output: ``index`` (normalised mu* or ST) and ``conf`` (its 95% half-width, same scale),
    for SALib's ``problem`` sampled at ``u``."""
    from SALib.analyze import morris as morris_analysis
    from SALib.analyze import sobol as sobol_analysis

    k = problem["num_vars"]
    out = {}
    for j, name in enumerate(OUTPUTS):
        col = y[:, j]
        if not np.isfinite(col).any() or np.nanstd(col) == 0:
            out[name] = {"index": [0.0] * k, "conf": [0.0] * k}
            continue
        col = np.where(np.isfinite(col), col, np.nanmean(col))
        if method == "morris":
            res = morris_analysis.analyze(problem, u, col, num_levels=4, seed=seed)
            index, conf = np.asarray(res["mu_star"]), np.asarray(res["mu_star_conf"])
            top = index.max()
            index, conf = (index / top, conf / top) if top > 0 else (index, conf)
        else:
            res = sobol_analysis.analyze(problem, col, calc_second_order=False, seed=seed)
            index, conf = np.clip(np.nan_to_num(res["ST"]), 0, None), np.nan_to_num(res["ST_conf"])
        out[name] = {"index": [float(x) for x in index], "conf": [float(x) for x in conf]}
    return out


def analyse(scenario: Scenario, method: str = "morris", samples: int | None = None, replications: int = 4,
            spread: float = 0.2, seed: int | None = None, workers: int = 1, executor: Executor | None = None,
            progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Rank the factors by their effect on the chance of being too busy, time to value and cost.

    ``samples`` is the number of Morris trajectories (default 10) or Sobol' base samples
    (default 32, rounded up to a power of two). Returns what ``sensitivity.json`` holds.
    """
    from SALib.sample import morris as morris_sampling
    from SALib.sample import sobol as sobol_sampling

    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)} (got {method!r})")
    if replications < 1:
        raise ValueError("replications must be >= 1")
    seed = scenario.scenario.seed if seed is None else seed
    found, notes = factors(scenario, spread)
    k = len(found)
    problem = {"num_vars": k, "names": [f"x{j}" for j in range(k)], "bounds": [[0.0, 1.0]] * k}
    if method == "morris":
        samples = samples or 10
        u = morris_sampling.sample(problem, samples, num_levels=4, seed=seed)
    else:
        samples = 2 ** math.ceil(math.log2(samples or 32))
        u = sobol_sampling.sample(problem, samples, calc_second_order=False, seed=seed)
    base = {f.key: f.central if not f.integer else whole(f.central) for f in found}
    ends = [{**base, f.key: v} for f in found for v in f.values(scenario, np.array([0.0, 1.0]))]
    points = [base, *ends, *_points(scenario, found, u)]
    runner = executor if executor is not None else LocalExecutor(workers)
    y = evaluate(scenario, points, replications, seed, runner, progress)
    tornado = {f.key: {name: [_clean(y[1 + 2 * j, o]), _clean(y[2 + 2 * j, o])] for o, name in enumerate(OUTPUTS)}
               for j, f in enumerate(found)}
    indices = _indices(method, problem, u, y[1 + 2 * k:], seed)
    ranking = rank(found, indices)
    return {
        "scenario": scenario.name,
        "method": method,
        "samples": samples,
        "replications": replications,
        "seed": seed,
        "runs": len(points) * replications,
        "spread": spread if not scenario.uncertain else None,
        "factors": [{"key": f.key, "low": f.low, "high": f.high, "central": f.central, "source": f.source}
                    for f in found],
        "base": {name: _clean(y[0, o]) for o, name in enumerate(OUTPUTS)},
        "tornado": tornado,
        "indices": {name: {f.key: {"index": v["index"][j], "conf": v["conf"][j]} for j, f in enumerate(found)}
                    for name, v in indices.items()},
        "ranking": ranking,
        "notes": notes,
    }


def rank(found: list[Factor], indices: dict[str, dict[str, list[float]]]) -> list[str]:
    """Factor keys, most important first: by the index on the chance of being too busy,
    then on time to value, then on cost."""
    names = list(OUTPUTS)
    order = sorted(range(len(found)), key=lambda j: tuple(-round(indices[n]["index"][j], 6) for n in names))
    return [found[j].key for j in order]


def _clean(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def label(key: str) -> str:
    """A plain label for a factor's dotted key."""
    from itsim.report import fmt

    return LABELS.get(key) or fmt.key_label(key)


def pin_down_first(result: dict[str, Any], how_many: int = 3) -> list[str]:
    """Plain-language sentences naming the assumptions to pin down first, with what each
    moves across its range (from the tornado)."""
    from itsim.report import fmt

    top = [k for k in result["ranking"] if any(result["indices"][n][k]["index"] > 0.05 for n in OUTPUTS)]
    top = top[: min(how_many, max(2, len(top)))] if top else result["ranking"][:2]
    if not top:
        return []
    labels = [label(k).lower() for k in top]
    joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    lines = [f"Pin down first: {joined}. These move the results most over the range believed for them."]
    for key in top:
        t = result["tornado"][key]
        bits = []
        lo, hi = t["too_busy"]
        if lo is not None and hi is not None and lo != hi:
            bits.append(f"the chance of being too busy from {fmt.percent(lo)} to {fmt.percent(hi)}")
        lo, hi = t["project_lead_time_days"]
        if lo is not None and hi is not None and abs(hi - lo) >= 0.5:
            bits.append(f"time to value from {fmt.number(lo)} to {fmt.number(hi)} days")
        lo, hi = t["cost_total"]
        if lo is not None and hi is not None and lo != hi:
            bits.append(f"cost from {fmt.money(lo)} to {fmt.money(hi)}")
        factor = next(f for f in result["factors"] if f["key"] == key)
        span = f"from {fmt.number(factor['low'])} to {fmt.number(factor['high'])}"
        if bits:
            lines.append(f"{label(key)}, {span}, moves " + ", ".join(bits) + ".")
        else:
            lines.append(f"{label(key)}, {span}, matters through its interplay with the others.")
    return lines
