"""Running scenarios: one replication (:func:`simulate`) and many (:func:`replicate`).

Replication ``r`` draws every random stream from ``(seed, r, source name)``, so
results do not depend on how many workers run them, and replication ``r`` of
every policy sees the same demand (common random numbers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from itsim import checks as _checks
from itsim import metrics as _metrics
from itsim import workload
from itsim.model.world import World
from itsim.policies import policy_and_adjusted, policy_for  # noqa: F401 (policy_for: other modules import it from here)
from itsim.progress import ProgressArg, progress_for
from itsim.scenario import Scenario
from itsim.stats import summarise
from itsim.targets import overall, verdict


@dataclass
class Run:
    """One replication of a scenario, as :func:`simulate` returns it.

    - ``metrics``: metric name -> value for this replication (see the metric reference
      for units and definitions);
    - ``timeseries``: weekly series after warm-up (a DataFrame, the columns of
      ``timeseries.parquet``);
    - ``checks``: invariants (``*_unaccounted`` are zero when nothing was lost;
      Little's law's two sides);
    - ``too_busy``: this replication's verdict, ``{"verdict": bool, "reasons":
      [{"code", "text"}], "figures": {...}}``;
    - ``timings``: seconds spent in the engine and on metrics;
    - ``events`` and ``projects``: the event log and the project portfolio as tables
      (when the run kept its events, the default).
    """

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
        """Every event, in order: time (hours), event, item, kind, priority, task, project,
        person and role (see :func:`itsim.tables.events`)."""
        from itsim.tables import events

        return events(self._world("event log"))

    @property
    def projects(self) -> pd.DataFrame:
        """Every project request with its state by name and its times (see :func:`itsim.tables.projects`)."""
        from itsim.tables import projects

        return projects(self._world("project table"))

    def _world(self, what: str) -> World:
        if self.world is None:
            raise AttributeError(f"the {what} was not kept (keep_events=False)")
        return self.world

    def __repr__(self) -> str:
        from itsim.display import run_repr

        return run_repr(self)

    def _repr_html_(self) -> str:
        from itsim.display import run_html

        return run_html(self)


def expect_scenario(scenario: object, caller: str) -> None:
    """Raise a clear ``TypeError`` unless ``scenario`` is a :class:`Scenario`."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"{caller}: expected an itsim.Scenario (from itsim.load_scenario or itsim.loads_scenario), "
                        f"got {type(scenario).__name__}")


def expect_count(value: object, name: str, least: int) -> None:
    """Raise a clear ``TypeError`` or ``ValueError`` unless ``value`` is an integer >= ``least``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < least:
        raise ValueError(f"{name} must be >= {least}, got {value}")


def check_work(scenario: Scenario, replications: int = 1, force: bool = False) -> None:
    """Refuse a run whose expected work is beyond the limits of :mod:`itsim.workload`
    (raises :class:`itsim.workload.TooMuchWork`, one line per problem), unless ``force``."""
    expect_scenario(scenario, "check_work")
    workload.check_scenario(scenario, replications, force)


def simulate(scenario: Scenario, seed: int | None = None, replication: int = 0,
             keep_events: bool = True, force: bool = False) -> Run:
    """Run one replication of ``scenario`` and return it as a :class:`Run`.

    ``seed`` defaults to the scenario's ``[scenario] seed``. Replication ``r`` draws every
    random stream from ``(seed, r, source name)``: the same arguments give the same run,
    and replication ``r`` of two variants of a scenario sees the same demand (common
    random numbers). ``keep_events=False`` drops the event log and project table after
    the metrics are computed (less memory for many runs).
    Raises :class:`itsim.ScenarioError` for a policy that does not fit the scenario. A
    replication whose expected work is beyond the limits of :mod:`itsim.workload` is
    refused (:class:`itsim.workload.TooMuchWork`) unless ``force``.
    """
    expect_scenario(scenario, "simulate")
    seed = scenario.scenario.seed if seed is None else seed
    expect_count(seed, "seed", 0)
    expect_count(replication, "replication", 0)
    policy, adjusted = policy_and_adjusted(scenario)
    if not force:
        workload.check([workload.estimate(adjusted)])
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
    """One replication in a worker (the work was checked before the replications started)."""
    return simulate(scenario, seed=seed, replication=replication, keep_events=False, force=True)


@dataclass
class Replicated:
    """Many replications of one scenario, as :func:`replicate` (or :func:`itsim.load_results`)
    returns them.

    - ``summary``: the ``summary.json`` shape: ``metrics`` (name -> ``{"mean", "ci95"}``)
      and ``too_busy`` (``status``, ``probability``, ``ci95``, ``reasons``, ``targets``);
    - ``runs``: long table ``replication, metric, value``;
    - ``timeseries``: weekly series of every replication;
    - ``checks``: the invariant checks per replication;
    - ``scenario``: the scenario run (None when it could not be read back).

    :meth:`summary_frame` gives the summary as a table.
    """

    summary: dict
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    checks: pd.DataFrame
    scenario: Scenario | None = field(default=None, repr=False)

    def summary_frame(self) -> pd.DataFrame:
        """One row per metric: ``metric``, ``mean``, ``lo`` and ``hi`` (the 95% interval),
        ``unit`` and ``label`` (the words of the report)."""
        from itsim.catalogue import summary_frame

        return summary_frame(self.summary)

    def __repr__(self) -> str:
        from itsim.display import replicated_repr

        return replicated_repr(self)

    def _repr_html_(self) -> str:
        from itsim.display import replicated_html

        return replicated_html(self)


def replicate(scenario: Scenario, replications: int = 10, seed: int | None = None,
              workers: int | None = 1, progress: ProgressArg = None, force: bool = False,
              samples: int | None = None) -> Replicated:
    """Run ``replications`` replications and summarise them as a :class:`Replicated`: every
    metric's mean with a 95% interval, and the verdict over replications (healthy, at risk
    or too busy, with the probability of being too busy and its Wilson interval).

    ``seed`` defaults to the scenario's. ``workers``: local processes; 1 (the default) runs
    them in this process, None one process per usable core
    (:func:`itsim.cores.usable_cores`, what ``itsim run`` does); results do not depend on
    it. ``progress``: True shows a progress bar with the time left (:mod:`itsim.progress`);
    a function is called with the number of replications finished so far. Work beyond the
    limits of :mod:`itsim.workload` is refused unless ``force``. A scenario with uncertain
    inputs runs ``samples`` (default 10) Latin-hypercube samples of them with
    ``replications`` each (see :mod:`itsim.uncertainty.nested`).
    """
    expect_scenario(scenario, "replicate")
    expect_count(replications, "replications", 1)
    seed = scenario.scenario.seed if seed is None else seed
    expect_count(seed, "seed", 0)
    if scenario.uncertain:
        from itsim.uncertainty.nested import DEFAULT_SAMPLES, replicate_uncertain

        samples = samples if samples is not None else DEFAULT_SAMPLES
        check_work(scenario, replications * samples, force)
        with progress_for(progress, f"simulating {scenario.name}", replications * samples) as update:
            return replicate_uncertain(scenario, replications, seed, workers, update, samples)
    check_work(scenario, replications, force)  # fail fast on a bad policy or too much work, before any work
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
        "checks": _checks.summarise(runs),
    }
    return Replicated(summary=summary, runs=long, timeseries=series, checks=checks, scenario=scenario)
