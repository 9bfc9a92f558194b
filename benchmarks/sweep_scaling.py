"""Wall time of a sweep against the number of workers: local processes or a Dask cluster.

The same sweep, :func:`itsim.sweep` over ``demand_scale`` (``--cells`` levels
from 0.9 to 1.2) times ``--replications`` replications of the baseline with
every feedback loop on (``baseline_year.DYNAMICS``) shortened to
``--horizon-days``, runs first on one local worker (in this process) and then
on ``--workers`` workers: local processes (``--executor local``), a
``dask.distributed.LocalCluster`` of that many single-threaded worker processes
started here (``--executor dask``), or both (``--executor local dask``). The
cluster's workers run one small sweep before the timing starts, as this process
does one replication, so that imports are not timed. Rounds rotate the order of
the configurations and the best of ``--repeats`` is kept; a speed-up is the
one-worker time over the N-worker time. Every configuration must give the same
sweep table (the results never depend on the executor), which is checked.

Run from the repository root::

    python -m benchmarks.sweep_scaling --workers 2 --json out/sweep_scaling.json
    python -m benchmarks.sweep_scaling --executor local dask --workers 16 --json out/sweep_scaling_16.json
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import itsim
from benchmarks import fresh
from benchmarks.baseline_year import DYNAMICS, dynamics_scenario
from benchmarks.mmc_speed import machine
from benchmarks.results import write_json
from itsim.executors import DaskExecutor, Executor, LocalExecutor

TARGET_SPEEDUP_2 = 1.5  # on 2 local workers of a 2-core machine
TARGET_SPEEDUP_16 = 12.0  # on 16 cores, through a Dask LocalCluster


def demand_levels(cells: int) -> list[float]:
    """``cells`` demand scales evenly spaced from 0.9 to 1.2."""
    return [round(float(v), 6) for v in np.linspace(0.9, 1.2, cells)]


def add_sweep_flags(parser: argparse.ArgumentParser, cells: int, replications: int, horizon_days: int) -> None:
    """The flags that shape a benchmark sweep, with these defaults: ``--cells`` (demand
    levels from 0.9 to 1.2), ``--replications`` (per cell) and ``--horizon-days``."""
    parser.add_argument("--cells", type=int, default=cells, help=f"demand levels from 0.9 to 1.2; default {cells}")
    parser.add_argument("--replications", type=int, default=replications,
                        help=f"replications per cell; default {replications}")
    parser.add_argument("--horizon-days", type=int, default=horizon_days,
                        help=f"days measured per replication; default {horizon_days}")


def run_sweep(scenario: itsim.Scenario, levels: list[float], replications: int, executor: Executor) -> dict:
    """One sweep on ``executor``: wall and CPU seconds (CPU of this process only) and its table."""
    start, cpu_start = time.perf_counter(), time.process_time()
    result = itsim.sweep(scenario, {"demand_scale": levels}, replications=replications, executor=executor)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    failed = [c.id for c in result.failed]
    if failed:
        raise RuntimeError(f"cells failed: {', '.join(failed)}\n{result.failed[0].error}")
    return {"wall_s": wall, "cpu_s": cpu, "table": result.table}


def dask_executor(workers: int) -> tuple[DaskExecutor, Callable[[], None]]:
    """A LocalCluster of ``workers`` single-threaded processes, its executor and a closer."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return DaskExecutor(client=client), close


def main(argv: list[str] | None = None) -> int:
    """Parse flags, run the benchmark, print a table and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executor", choices=("local", "dask"), nargs="+", default=["local"],
                        help="where the N-worker sweeps run, one or both; default local processes")
    parser.add_argument("--workers", type=int, default=2, help="workers of the parallel sweep; default 2")
    add_sweep_flags(parser, cells=4, replications=50, horizon_days=182)
    parser.add_argument("--repeats", type=int, default=1, help="rounds (one sweep per configuration each); default 1")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    args = parser.parse_args(argv)
    if min(args.workers, args.cells, args.replications, args.horizon_days, args.repeats) <= 0:
        parser.error("--workers, --cells, --replications, --horizon-days and --repeats must be positive")
    kinds = list(dict.fromkeys(args.executor))

    info = machine()
    scenario = dynamics_scenario(args.horizon_days)
    levels = demand_levels(args.cells)
    total = args.cells * args.replications
    parallel = [f"{kind} x{args.workers}" for kind in kinds]
    print(f"sweep of demand_scale {levels} x {args.replications} replications = {total} replications of "
          f"{args.horizon_days} days (+{scenario.scenario.warmup_days} warm-up); 1 local worker vs "
          f"{' and '.join(parallel)}, best of {args.repeats}")
    print(f"machine: {info['cpu_model']}, {info['nproc']} CPUs, Python {info['python']}")
    warm = dynamics_scenario(7)
    itsim.simulate(warm)  # warm imports and caches before the first timing

    executors: dict[str, Executor] = {"local x1": LocalExecutor(1)}
    close = None
    for kind, name in zip(kinds, parallel, strict=True):
        if kind == "dask":
            start = time.perf_counter()
            executors[name], close = dask_executor(args.workers)
            itsim.sweep(warm, {"demand_scale": [1.0]}, replications=args.workers, executor=executors[name])
            print(f"  LocalCluster of {args.workers} workers up and warm in {time.perf_counter() - start:.1f} s",
                  flush=True)
        else:
            executors[name] = LocalExecutor(args.workers)
    names = list(executors)
    results: dict[str, dict] = {n: {"times_s": [], "cpu_times_s": []} for n in names}
    tables = {}
    try:
        for r in range(args.repeats):
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                out = run_sweep(scenario, levels, args.replications, executors[name])
                results[name]["times_s"].append(out["wall_s"])
                results[name]["cpu_times_s"].append(out["cpu_s"])
                tables[name] = out["table"]
                print(f"  round {r + 1}: {name:<10} {out['wall_s']:8.2f} s wall, "
                      f"{out['cpu_s']:8.2f} s CPU in this process, RSS now {fresh.rss_mb():.0f} MB", flush=True)
    finally:
        if close is not None:
            close()
    same = all(tables[names[0]].equals(tables[name]) for name in parallel)

    for res in results.values():
        res["best_s"] = min(res["times_s"])
        res["replications_per_s"] = total / res["best_s"]
    speedups = {name: results[names[0]]["best_s"] / results[name]["best_s"] for name in parallel}
    print(f"\n{'workers':<10} {'best s':>8} {'replications/s':>15} {'speed-up':>9}")
    for name, res in results.items():
        gain = f"{speedups[name]:.2f}x" if name in speedups else ""
        print(f"{name:<10} {res['best_s']:>8.2f} {res['replications_per_s']:>15.2f} {gain:>9}")
    for name, gain in speedups.items():
        print(f"speed-up {name} over local x1: {gain:.2f}x ({gain / args.workers:.0%} of linear)")
    print(f"same sweep table: {'yes' if same else 'NO'}")
    targets = {}
    if args.workers == 2 and "local" in kinds:
        gain = speedups["local x2"]
        targets = {"configuration": "local x2", "speedup_min": TARGET_SPEEDUP_2, "met": gain >= TARGET_SPEEDUP_2}
    elif args.workers == 16 and "dask" in kinds:
        gain = speedups["dask x16"]
        targets = {"configuration": "dask x16", "speedup_min": TARGET_SPEEDUP_16, "met": gain >= TARGET_SPEEDUP_16}
    if targets:
        print(f"target: >= {targets['speedup_min']:g}x on {targets['configuration']}: "
              f"{'met' if targets['met'] else 'NOT met'}")

    if args.json:
        write_json(args.json, {
            "benchmark": "sweep_scaling",
            "executors": kinds,
            "workers": args.workers,
            "demand_scale": levels,
            "replications_per_cell": args.replications,
            "replications": total,
            "horizon_days": args.horizon_days,
            "dynamics": DYNAMICS,
            "repeats": args.repeats,
            "machine": info,
            "results": results,
            "speedups": speedups,
            "same_table": same,
            "targets": targets,
        })
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
