"""Running the plan search: rounds of replications on an executor, kept in a store.

Each round asks :func:`itsim.plan.search.next_round` which (option, demand level)
needs which replications, takes what the store already has, runs the rest as one
task per replication (local processes or Dask), and stores each finished batch.
Replications that are provably the same run as another option's
(:mod:`itsim.plan.equivalence`) are taken from it instead of simulated: the heads
of the families run first, then the other members take what the heads' runs prove
and simulate the rest. With uncertain inputs, replication ``r`` of every option uses
the same input sample, point ``r`` of a scrambled Sobol' sequence (common random
numbers for the inputs too).
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
from itsim.plan import equivalence
from itsim.plan.options import build_options
from itsim.plan.result import PlanResult, assemble
from itsim.plan.search import Rules, answer, decide, frontier_round, next_round, option_status
from itsim.plan.store import BROKE, FIGURE, WIP_PEAK, Cell, Replications
from itsim.scenario import Scenario, ScenarioError
from itsim.sweep import TOO_BUSY
from itsim.uncertainty.sampling import sobol_points, values_at


class PlanFailed(RuntimeError):
    """Replications raised; ``problems`` holds one line per failed cell."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _replication(scenario: Scenario, seed: int, replication: int,
                 inputs: dict[str, Any] | None) -> tuple[int, dict[str, float] | None, str | None]:
    """One replication (the unit of parallel work): ``(replication, record, error)``; the
    record holds the metrics and the rows of :data:`itsim.plan.store.RECORDS`."""
    try:
        sc = scenario.with_changes(inputs) if inputs else scenario
        run = simulate(sc, seed=seed, replication=replication)  # the world is kept for its WIP peak
    except Exception:
        return replication, None, f"replication {replication}:\n{traceback.format_exc()}"
    portfolio = run.world.portfolio
    record = dict(run.metrics)
    record[TOO_BUSY] = 1.0 if run.too_busy["verdict"] else 0.0
    record.update({BROKE + r["code"]: 1.0 for r in run.too_busy["reasons"]})
    record.update({FIGURE + code: float(v) for code, v in run.too_busy["figures"].items()})
    record[WIP_PEAK] = float(portfolio.wip_peak if portfolio is not None else 0)
    return replication, record, None


class _Runner:
    """Brings cells up to a number of replications: from the store, from the same run of an
    equivalent option, or by running them. ``spent`` counts the replications the search asked
    for that were not taken from another option (what a fresh store has to simulate)."""

    def __init__(self, store: Replications, executor: Executor, seed: int, scenarios: dict[Cell, Scenario],
                 beliefs: list[str], quantiles: np.ndarray, progress: Callable[[int, int, int], None] | None,
                 options: set[Cell] | None):
        self.store, self.executor, self.seed = store, executor, seed
        self.scenarios, self.beliefs, self.quantiles = scenarios, beliefs, quantiles
        self.progress = progress
        self.computed = self.batches = 0
        self.asked: dict[Cell, int] = {}
        self.shared: dict[Cell, int] = {}
        self._inputs: dict[Cell, list[dict]] = {}
        self.members = {cell: equivalence.member(sc) for cell, sc in scenarios.items()}
        self.heads = (equivalence.heads(self.members, options) if options is not None
                      else {cell: cell for cell in scenarios})

    @property
    def spent(self) -> int:
        return sum(self.asked.values()) - sum(self.shared.values())

    def inputs(self, cell: Cell, replication: int) -> dict[str, Any] | None:
        sc = self.scenarios[cell]
        if not sc.uncertain:
            return None
        if cell not in self._inputs:
            columns = [self.beliefs.index(k) for k in sc.uncertain]
            self._inputs[cell] = values_at(sc, self.quantiles[:, columns])
        return self._inputs[cell][replication]

    def bring_up(self, targets: dict[Cell, int]) -> None:
        """Bring every cell in ``targets`` to that many replications: family heads first."""
        targets = {cell: n for cell, n in targets.items() if n > self.asked.get(cell, 0)}
        first = {cell: n for cell, n in targets.items() if self.heads[cell] == cell}
        self._simulate(first)
        self.asked.update(first)
        rest = {cell: n for cell, n in targets.items() if cell not in first}
        self._simulate({cell: n for cell, n in rest.items() if self._take_shared(cell, n)})
        self.asked.update(rest)

    def _take_shared(self, cell: Cell, target: int) -> bool:
        """Copy into ``cell`` the replications up to ``target`` that its head's runs prove the
        same; count them as shared. Whether the cell still has replications to simulate."""
        head = self.heads[cell]
        reps = range(self.asked.get(cell, 0), min(target, self.asked.get(head, 0)))
        same = [r for r in reps if equivalence.same_run(self.members[head], self.members[cell],
                                                        self.store.wip_peak(head, r))]
        self.shared[cell] = self.shared.get(cell, 0) + len(same)
        missing = [r for r in same if not self.store.has(cell, r)]
        if missing:
            rows = self.store.runs(head, max(missing) + 1)
            self.store.add(cell, rows[rows["replication"].isin(missing)].reset_index(drop=True))
        return self.store.have(cell) < target

    def _simulate(self, targets: dict[Cell, int]) -> None:
        """Run the replications the cells lack (after any gap-free prefix in the store), one
        batch per cell."""
        tasks, owners = [], []
        for cell, target in targets.items():
            for r in range(self.store.have(cell), target):
                if self.store.has(cell, r):
                    continue
                tasks.append((self.scenarios[cell], self.seed, r, self.inputs(cell, r)))
                owners.append(cell)
        if not tasks:
            return
        self.batches += 1
        pending = {cell: owners.count(cell) for cell in dict.fromkeys(owners)}
        done: dict[Cell, list] = {cell: [] for cell in pending}
        failed: list[str] = []
        for count, (i, outcome) in enumerate(self.executor.run(_replication, tasks), start=1):
            cell = owners[i]
            done[cell].append(outcome)
            if len(done[cell]) == pending[cell]:
                errors = [o[2] for o in done[cell] if o[2] is not None]
                if errors:
                    path = self.store.fail(cell, errors[0])
                    failed.append(f"option {cell[0]} at demand {cell[1]:g}: a replication failed"
                                  + (f"; see {path}" if path else f":\n{errors[0]}"))
                else:
                    self.store.add(cell, _long(done.pop(cell)))
            if self.progress is not None:
                self.progress(self.batches, count, len(tasks))
        self.computed += len(tasks)
        if failed:
            raise PlanFailed(failed)


def _long(outcomes: list) -> pd.DataFrame:
    rows = [(r, k, float(v)) for r, record, _ in outcomes for k, v in record.items()]
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
    share: bool = True,
    progress: Callable[[int, int, int], None] | None = None,
) -> PlanResult:
    """The cheapest option whose probability of being too busy is at most ``risk`` at every
    ``demand`` level (multiples of the scenario's demand), and the cost-versus-risk frontier.

    ``levers`` maps dotted keys to the values to consider; ``policies`` are the policy
    choices (``a+b`` combines; default: the scenario's). Options costing more than
    ``budget`` (money over the measured horizon) are left out. With ``out``, replications
    are stored there and reused when the search is run again. With ``share``, a replication
    that is provably the same run as another option's is taken from it instead of simulated
    (:mod:`itsim.plan.equivalence`). ``progress``, if given, is called with (batch number,
    replications finished, replications in the batch).

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
    order = [o.id for o in options]
    runner = _Runner(store, executor if executor is not None else LocalExecutor(workers), seed, scenarios,
                     beliefs, quantiles, progress, {(o, d) for o in order for d in levels} if share else None)
    prices = [round(o.cost.total, 6) for o in options]
    n: dict[Cell, int] = {}

    def verdicts() -> dict[Cell, np.ndarray]:
        return {(o, d): store.busy((o, d), n.get((o, d), 0)) for o in order for d in levels}

    while True:
        busy = verdicts()
        targets = next_round(order, prices, levels, busy, rules)
        if not targets:
            break
        runner.bring_up(targets)
        n.update(targets)
    chosen = answer(order, levels, busy, rules)
    screen = frontier_round(order, prices, levels, busy, rules, chosen)
    runner.bring_up(screen)
    n.update(screen)
    busy = verdicts()
    decisions = {o: [decide(busy[(o, d)], rules) for d in levels] for o in order}
    statuses = {o: (option_status(calls), calls) for o, calls in decisions.items()}
    # The comparison with today: the recommended option (or, if none, the least risky one)
    # and today's plan, on the same replications, at least as many as the search gave it.
    if chosen is not None:
        compared = chosen
        paired = {d: max(n[(chosen, d)], min(first_look, max_replications)) for d in levels}
    else:
        run = [o for o in order if all(len(busy[(o, d)]) for d in levels)]
        compared = min(run, key=lambda o: (max(float(np.mean(busy[(o, d)])) for d in levels), order.index(o)))
        paired = dict.fromkeys(levels, max_replications)
    runner.bring_up({**{(compared, d): m for d, m in paired.items()},
                     **{(today_id, d): m for d, m in paired.items()}})
    return assemble(
        scenario=scenario, rules=rules, levels=levels, seed=seed, levers=levers,
        policies=list(dict.fromkeys(o.policy for o in options)), budget=budget, left_out=left_out,
        options=options, today=twin if twin is not None else today, statuses=statuses, n=n, store=store,
        scenarios=scenarios, chosen=chosen, compared=compared, paired=paired, computed=runner.computed,
        spent=runner.spent,
        shared=sum(runner.shared.values()),
    )


def exhaustive_grid(
    scenario: Scenario,
    levers: dict[str, Sequence[Any]],
    policies: Sequence[str] | None = None,
    *,
    demand: Sequence[float] = (1.0,),
    seed: int | None = None,
    out: str | Path | None = None,
    workers: int = 1,
    replications: int = 40,
) -> dict[tuple[str, float], np.ndarray]:
    """Every option run ``replications`` times at every ``demand`` level, nothing shared: the
    brute-force grid the search is checked against. Runs are kept in ``out`` as the search
    keeps them (a search on the same ``out`` computes nothing). Returns each (option id,
    demand level)'s too-busy verdicts, options in search order."""
    levels = _levels(demand)
    seed = scenario.scenario.seed if seed is None else seed
    options, _, _ = build_options(scenario, {k: list(v) for k, v in levers.items()},
                                  list(policies) if policies else None)
    store = Replications(out)
    if out is not None:
        store.open(scenario.dumps(), seed)
    scenarios = {(o.id, d): o.scenario.with_changes({"demand_scale": scenario.demand_scale * d})
                 for o in options for d in levels}
    beliefs = list(scenario.uncertain)
    quantiles = sobol_points(len(beliefs), replications, seed) if beliefs else np.zeros((0, 0))
    runner = _Runner(store, LocalExecutor(workers), seed, scenarios, beliefs, quantiles, None, None)
    runner.bring_up(dict.fromkeys(scenarios, replications))
    return {cell: store.busy(cell, replications) for cell in scenarios}


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
