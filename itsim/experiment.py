"""Running scenarios: one replication (:func:`simulate`) and many (:func:`replicate`).

Replication ``r`` draws every random stream from ``(seed, r, source name)``, so
results do not depend on how many workers run them, and replication ``r`` of
every policy sees the same demand (common random numbers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from itsim import metrics as _metrics
from itsim.model.world import World
from itsim.policies import policy_for
from itsim.progress import ProgressArg, progress_for
from itsim.scenario import Scenario
from itsim.stats import summarise
from itsim.targets import overall, verdict


@dataclass
class Run:
    """One replication: ``metrics`` (name -> value), ``timeseries`` (weekly), ``checks``
    (invariants: zero means nothing was lost), ``events`` (the event log, a table),
    ``too_busy`` (verdict and reasons) and ``timings`` (seconds)."""

    scenario: Scenario
    seed: int
    replication: int
    metrics: dict[str, float]
    timeseries: pd.DataFrame
    checks: dict[str, float]
    too_busy: dict
    timings: dict[str, float]
    world: World | None = field(default=None, repr=False)

    @property
    def events(self) -> pd.DataFrame:
        if self.world is None:
            raise AttributeError("the event log was not kept (keep_events=False)")
        return self.world.log.frame()


def simulate(scenario: Scenario, seed: int | None = None, replication: int = 0,
             keep_events: bool = True) -> Run:
    """Run one replication. ``seed`` defaults to the scenario's ``[scenario] seed``."""
    seed = scenario.scenario.seed if seed is None else seed
    policy = policy_for(scenario)
    adjusted = policy.adjust(scenario)
    world = World(adjusted, policy, seed, replication).run()
    t0 = time.perf_counter()
    values, series, checks = _metrics.compute(world)
    metrics_s = time.perf_counter() - t0
    return Run(
        scenario=scenario,
        seed=seed,
        replication=replication,
        metrics=values,
        timeseries=series,
        checks=checks,
        too_busy=verdict(adjusted, values, series),
        timings={"engine_s": world.engine_seconds, "metrics_s": metrics_s},
        world=world if keep_events else None,
    )


def _one(scenario: Scenario, seed: int, replication: int) -> Run:
    return simulate(scenario, seed=seed, replication=replication, keep_events=False)


@dataclass
class Replicated:
    """Many replications: ``summary`` (the summary.json shape), ``runs`` (long table:
    replication, metric, value) and ``timeseries`` (weekly, all replications)."""

    summary: dict
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    checks: pd.DataFrame


def replicate(scenario: Scenario, replications: int = 10, seed: int | None = None,
              workers: int | None = 1, progress: ProgressArg = None) -> Replicated:
    """Run ``replications`` replications and summarise them.

    ``workers``: local processes; 1 (the default) runs them in this process, None one
    process per usable core (:func:`itsim.cores.usable_cores`, what ``itsim run`` does).
    Results are the same whatever the number. ``progress``: True shows a progress bar
    with the time left (:mod:`itsim.progress`); a function is called with the number of
    replications finished so far.
    """
    if replications < 1:
        raise ValueError("replications must be >= 1")
    seed = scenario.scenario.seed if seed is None else seed
    policy_for(scenario)  # fail fast on a bad policy, before any work
    from itsim.executors import LocalExecutor

    runs = []
    with progress_for(progress, f"simulating {scenario.name}", replications) as update:
        for _, run in LocalExecutor(workers).run(_one, [(scenario, seed, r) for r in range(replications)]):
            runs.append(run)
            if update is not None:
                update(len(runs))
    return collect(scenario, seed, runs)


def collect(scenario: Scenario, seed: int, runs: list[Run]) -> Replicated:
    """Summarise finished replications (ordered by replication number)."""
    runs = sorted(runs, key=lambda r: r.replication)
    long = pd.DataFrame(
        [(r.replication, k, v) for r in runs for k, v in sorted(r.metrics.items())],
        columns=["replication", "metric", "value"],
    )
    series = pd.concat([r.timeseries for r in runs], ignore_index=True)
    checks = pd.DataFrame([{"replication": r.replication, **r.checks} for r in runs])
    summary = {
        "scenario": scenario.name,
        "replications": len(runs),
        "seed": seed,
        "warmup_days": scenario.scenario.warmup_days,
        "horizon_days": scenario.scenario.horizon_days,
        "policy": scenario.policy.names,
        "metrics": summarise(long),
        "too_busy": overall(scenario, [r.too_busy for r in runs]),
    }
    return Replicated(summary=summary, runs=long, timeseries=series, checks=checks)
