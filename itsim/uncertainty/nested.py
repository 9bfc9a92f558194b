"""Runs of a scenario with uncertain inputs: input samples outside, replications inside.

The beliefs are sampled by a Latin hypercube (each belief's range cut into as many
equally likely strata as there are samples, each stratum used once); every input
sample is then replicated ``R`` times. Replication ``r`` of sample ``s`` is
replication number ``s x R + r`` of the run, so its random streams are those of a
plain run with ``S x R`` replications: with beliefs of zero width the results are
exactly those of the plain numbers.

The spread of a result then has two sources, told apart by a one-way analysis of
variance over the samples: *input uncertainty* (how much the sample means differ
beyond what noise explains) and *simulation noise* (the spread between
replications of one sample). Intervals are taken over the sample means, which hold
both; the probability of being too busy is the share over all runs (over the
beliefs and the noise together), with a Wilson interval on the effective number of
independent runs (Kish's design effect for clustered samples).
"""

from __future__ import annotations

import math

import numpy as np

from itsim.executors import LocalExecutor
from itsim.experiment import Replicated, Run, collect, simulate
from itsim.stats import mean_ci, wilson_interval
from itsim.uncertainty.sampling import latin_hypercube, sampled, values_at

#: Input samples of a run when none is given.
DEFAULT_SAMPLES = 10


def _one(scenario, seed: int, replication: int) -> Run:
    return simulate(scenario, seed=seed, replication=replication, keep_events=False)


def replicate_uncertain(scenario, replications: int, seed: int, workers: int = 1, progress=None,
                        samples: int = DEFAULT_SAMPLES) -> Replicated:
    """``samples`` Latin-hypercube samples of the beliefs, ``replications`` runs of each.

    ``progress``, if given, is called with the number of runs finished so far (of
    ``samples x replications``). The summary gains an ``uncertainty`` block.
    """
    if samples < 1:
        raise ValueError("samples must be >= 1")
    keys = list(scenario.uncertain)
    rows = values_at(scenario, latin_hypercube(len(keys), samples, seed))
    scenarios = [sampled(scenario, row) for row in rows]
    tasks = [(scenarios[s], seed, s * replications + r) for s in range(samples) for r in range(replications)]
    runs = []
    for _, run in LocalExecutor(workers).run(_one, tasks):
        runs.append(run)
        if progress is not None:
            progress(len(runs))
    result = collect(scenario, seed, runs)
    busy = np.zeros((samples, replications))
    for run in runs:
        busy[divmod(run.replication, replications)] = float(run.too_busy["verdict"])
    _summarise(result, scenario, rows, busy)
    return result


def decompose(values: np.ndarray) -> dict[str, float | None]:
    """Input uncertainty against simulation noise for ``values`` (samples x replications).

    One-way random-effects analysis of variance: the noise variance is the mean square
    within samples, the input variance what the mean square between samples adds
    beyond it (never below 0). Standard deviations are in the metric's unit;
    ``input_share`` is the input variance over the total (None when both are 0).
    """
    x = np.asarray(values, dtype=float)
    counts = np.isfinite(x).sum(axis=1)
    keep = counts >= 1
    x, counts = x[keep], counts[keep]
    if len(x) < 2 or counts.min() < 2:
        return {"sd_input": None, "sd_noise": None, "input_share": None}
    means = np.nanmean(x, axis=1)
    grand = float(np.nansum(x) / counts.sum())
    within = float(np.nansum((x - means[:, None]) ** 2) / (counts.sum() - len(x)))
    between = float((counts * (means - grand) ** 2).sum() / (len(x) - 1))
    per_sample = float(counts.mean())
    var_input = max(0.0, (between - within) / per_sample)
    total = var_input + within
    return {
        "sd_input": math.sqrt(var_input),
        "sd_noise": math.sqrt(within),
        "input_share": var_input / total if total > 0 else None,
    }


def clustered_probability(busy: np.ndarray, level: float = 0.95) -> dict[str, object]:
    """Share of too-busy runs over ``busy`` (samples x replications of 0/1) with a Wilson
    interval on the effective number of runs ``n / (1 + (R - 1) x ICC)``: runs of one
    input sample are alike, so they count for fewer independent ones."""
    busy = np.asarray(busy, dtype=float)
    n = busy.size
    p = float(busy.mean())
    share = decompose(busy)["input_share"] or 0.0
    n_eff = n / (1 + (busy.shape[1] - 1) * share)
    lo, hi = wilson_interval(p * n_eff, n_eff, level)
    return {"probability": p, "ci95": [lo, hi], "effective_replications": n_eff, "input_share": share}


def _summarise(result: Replicated, scenario, rows: list[dict], busy: np.ndarray) -> None:
    samples, replications = busy.shape
    summary = result.summary
    metrics: dict[str, dict] = {}
    for metric, group in result.runs.groupby("metric", sort=True):
        grid = np.full((samples, replications), np.nan)
        s, r = np.divmod(group["replication"].to_numpy(), replications)
        grid[s, r] = group["value"].to_numpy(dtype=float)
        metrics[str(metric)] = decompose(grid)
        seen = np.isfinite(grid).any(axis=1)
        _, lo, hi = mean_ci(np.nanmean(grid[seen], axis=1)) if seen.sum() > 1 else (None, math.nan, math.nan)
        entry = summary["metrics"].get(str(metric))
        if entry is not None and math.isfinite(lo):
            entry["ci95"] = [lo, hi]
    too_busy = clustered_probability(busy)
    summary["uncertainty"] = {
        "method": "latin_hypercube",
        "samples": samples,
        "replications_per_sample": replications,
        "inputs": {key: {"belief": scenario.uncertain[key].model_dump(exclude_none=True),
                         "values": [row[key] for row in rows]} for key in scenario.uncertain},
        "metrics": metrics,
        "too_busy": too_busy,
    }
    summary["too_busy"]["probability"] = too_busy["probability"]
    summary["too_busy"]["ci95"] = too_busy["ci95"]


#: Results named in the plain-language lines about input uncertainty, in order.
HEADLINE_METRICS = ("project_lead_time_days", "utilization", "incident_wait_hours", "cost_total")


def describe(summary: dict) -> list[str]:
    """Plain-language lines on how much of the spread comes from the uncertain inputs."""
    block = summary.get("uncertainty")
    if not block:
        return []
    from itsim.report import fmt

    busy = block["too_busy"]
    lo, hi = busy["ci95"]
    lines = [
        f"Uncertain inputs: {len(block['inputs'])} ({', '.join(block['inputs'])}), "
        f"{block['samples']} Latin-hypercube samples x {block['replications_per_sample']} replications.",
        f"Chance of being too busy over the beliefs and the noise together: {fmt.percent(busy['probability'])} "
        f"(95% interval {fmt.percent(lo)} to {fmt.percent(hi)}).",
    ]
    for metric in HEADLINE_METRICS:
        share = block["metrics"].get(metric, {}).get("input_share")
        if share is not None:
            lines.append(f"{fmt.metric_label(metric)}: {fmt.percent(share)} of its spread comes from the "
                         f"uncertain inputs, {fmt.percent(1 - share)} from simulation noise.")
    return lines
