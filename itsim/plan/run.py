"""Running the plan search: rounds of replications on an executor, kept in a store.

Each round asks :func:`itsim.plan.search.next_round` which (option, demand level)
needs which replications, takes what the store already has, runs the rest as one
task per replication (local processes or Dask), and stores each finished batch.
With uncertain inputs, replication ``r`` of every option uses the same input sample,
point ``r`` of a scrambled Sobol' sequence (common random numbers for the inputs too).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from itsim.executors import Executor, LocalExecutor
from itsim.experiment import simulate
from itsim.plan.options import build_options
from itsim.plan.result import PlanResult, assemble
from itsim.plan.search import Rules, answer, decide, next_round, option_status
from itsim.plan.store import Cell, Replications
from itsim.scenario import Scenario, ScenarioError
from itsim.sweep import TOO_BUSY
from itsim.uncertainty.sampling import sobol_points, values_at


class PlanFailed(RuntimeError):
    """Replications raised; ``problems`` holds one line per failed cell."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _replication(scenario: Scenario, seed: int, replication: int,
                 inputs: dict[str, Any] | None) -> tuple[int, dict | None, bool, str | None]:
    """One replication (the unit of parallel work): ``(replication, metrics, too busy, error)``."""
    try:
        sc = scenario.with_changes(inputs) if inputs else scenario
        run = simulate(sc, seed=seed, replication=replication, keep_events=False)
    except Exception:
        return replication, None, False, f"replication {replication}:\n{traceback.format_exc()}"
    return replication, run.metrics, bool(run.too_busy["verdict"]), None


class _Runner:
    """Brings cells up to a number of replications, from the store or by running them."""

    def __init__(self, store: Replications, executor: Executor, seed: int, scenarios: dict[Cell, Scenario],
                 beliefs: list[str], quantiles: np.ndarray, progress: Callable[[int, int], None] | None):
        self.store, self.executor, self.seed = store, executor, seed
        self.scenarios, self.beliefs, self.quantiles = scenarios, beliefs, quantiles
        self.progress = progress
        self.computed = 0
        self._inputs: dict[Cell, list[dict]] = {}

    def inputs(self, cell: Cell, replication: int) -> dict[str, Any] | None:
        sc = self.scenarios[cell]
        if not sc.uncertain:
            return None
        if cell not in self._inputs:
            columns = [self.beliefs.index(k) for k in sc.uncertain]
            self._inputs[cell] = values_at(sc, self.quantiles[:, columns])
        return self._inputs[cell][replication]

    def bring_up(self, targets: dict[Cell, int]) -> None:
        tasks, owners = [], []
        for cell, target in targets.items():
            for r in range(self.store.have(cell), target):
                tasks.append((self.scenarios[cell], self.seed, r, self.inputs(cell, r)))
                owners.append(cell)
        if not tasks:
            return
        pending = {cell: target - self.store.have(cell) for cell, target in targets.items()
                   if target > self.store.have(cell)}
        done: dict[Cell, list] = {cell: [] for cell in pending}
        failed: list[str] = []
        for count, (i, outcome) in enumerate(self.executor.run(_replication, tasks), start=1):
            cell = owners[i]
            done[cell].append(outcome)
            if len(done[cell]) == pending[cell]:
                errors = [o[3] for o in done[cell] if o[3] is not None]
                if errors:
                    path = self.store.fail(cell, errors[0])
                    failed.append(f"option {cell[0]} at demand {cell[1]:g}: a replication failed"
                                  + (f"; see {path}" if path else f":\n{errors[0]}"))
                else:
                    self.store.add(cell, _long(done.pop(cell)))
            if self.progress is not None:
                self.progress(count, len(tasks))
        self.computed += len(tasks)
        if failed:
            raise PlanFailed(failed)


def _long(outcomes: list) -> pd.DataFrame:
    rows = [(r, k, float(v)) for r, metrics, _, _ in sorted(outcomes, key=lambda o: o[0])
            for k, v in sorted(metrics.items())]
    rows += [(r, TOO_BUSY, 1.0 if busy else 0.0) for r, _, busy, _ in outcomes]
    frame = pd.DataFrame(rows, columns=["replication", "metric", "value"])
    return frame.sort_values(["replication", "metric"], kind="stable", ignore_index=True)


def plan_search(
    scenario: Scenario,
    levers: dict[str, Sequence[Any]],
    policies: Sequence[str] | None = None,
    *,
    risk: float = 0.1,
    demand: Sequence[float] = (1.0,),
    budget: float | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    max_replications: int = 40,
    first_look: int = 4,
    alpha: float = 0.05,
    progress: Callable[[int, int, int], None] | None = None,
) -> PlanResult:
    """The cheapest option whose probability of being too busy is at most ``risk`` at every
    ``demand`` level (multiples of the scenario's demand), and the cost-versus-risk frontier.

    ``levers`` maps dotted keys to the values to consider; ``policies`` are the policy
    choices (``a+b`` combines; default: the scenario's). Options costing more than
    ``budget`` (money over the measured horizon) are left out. With ``out``, replications
    are stored there and reused when the search is run again. ``progress``, if given, is
    called with (round, replications finished, replications in the round).

    Raises :class:`ScenarioError` for bad levers or policies, ValueError for bad rules,
    :class:`~itsim.plan.store.PlanMismatch` for an ``out`` of another scenario or seed,
    and :class:`PlanFailed` when a replication raises.
    """
    rules = Rules(risk, max_replications, first_look, alpha)
    levels = _levels(demand)
    seed = scenario.scenario.seed if seed is None else seed
    options, today, left_out = build_options(scenario, {k: list(v) for k, v in levers.items()},
                                             list(policies) if policies else None, budget)
    if not options:
        raise ScenarioError([f"--budget: no option costs {budget:,.0f} or less over the horizon "
                             f"(today's plan costs {today.cost.total:,.0f})"])
    twin = next((o for o in options if o.scenario.to_dict() == today.scenario.to_dict()), None)
    today_id = twin.id if twin is not None else today.id
    store = Replications(out)
    if out is not None:
        store.open(scenario.dumps(), seed)
    if "demand_scale" in scenario.uncertain:
        raise ScenarioError(["--demand: the scenario's demand_scale is uncertain; give demand either as "
                             "levels here or as a belief in the file"])
    base = scenario.demand_scale
    scenarios: dict[Cell, Scenario] = {}
    for option in [*options, today]:
        for d in levels:
            scenarios[(option.id, d)] = option.scenario.with_changes({"demand_scale": base * d})
    beliefs = list(scenario.uncertain)
    quantiles = sobol_points(len(beliefs), max_replications, seed) if beliefs else np.zeros((0, 0))
    round_no = 0

    def tick(done: int, total: int) -> None:
        if progress is not None:
            progress(round_no, done, total)

    runner = _Runner(store, executor if executor is not None else LocalExecutor(workers), seed, scenarios,
                     beliefs, quantiles, tick)
    order = [o.id for o in options]
    n: dict[Cell, int] = {}
    while True:
        busy = {(o, d): store.busy((o, d), n.get((o, d), 0)) for o in order for d in levels}
        targets = next_round(order, levels, busy, rules)
        if not targets:
            break
        round_no += 1
        runner.bring_up(targets)
        n.update(targets)
    chosen = answer(order, levels, busy, rules)
    statuses = {o: (option_status([decide(busy[(o, d)], rules) for d in levels]),
                    [decide(busy[(o, d)], rules) for d in levels]) for o in order}
    # The comparison with today: the recommended option (or, if none, the least risky one)
    # and today's plan, on the same replications, at least as many as the search gave it.
    if chosen is not None:
        compared = chosen
        paired = {d: max(n[(chosen, d)], min(first_look, max_replications)) for d in levels}
    else:
        compared = min(order, key=lambda o: (max(float(np.mean(busy[(o, d)])) for d in levels), order.index(o)))
        paired = dict.fromkeys(levels, max_replications)
    round_no += 1
    runner.bring_up({**{(compared, d): m for d, m in paired.items()},
                     **{(today_id, d): m for d, m in paired.items()}})
    return assemble(
        scenario=scenario, rules=rules, levels=levels, seed=seed, levers=levers,
        policies=list(dict.fromkeys(o.policy for o in options)), budget=budget, left_out=left_out,
        options=options, today=twin if twin is not None else today, statuses=statuses, n=n, store=store,
        chosen=chosen, compared=compared, paired=paired, computed=runner.computed,
    )


def _levels(demand: Sequence[float]) -> list[float]:
    levels = [float(d) for d in demand]
    problems = []
    if not levels:
        problems.append("--demand: give at least one level")
    if any(not d > 0 for d in levels):
        problems.append(f"--demand: levels must be > 0 (got {', '.join(f'{d:g}' for d in levels)})")
    if len(set(levels)) != len(levels):
        problems.append("--demand: a level is given more than once")
    if problems:
        raise ScenarioError(problems)
    return levels
