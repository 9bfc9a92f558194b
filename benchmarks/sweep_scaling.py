"""Wall time of a sweep against the number of workers: local processes or a Dask cluster.

The same sweep, :func:`itsim.sweep` over ``demand_scale`` (``--cells`` levels
from 0.9 to 1.2) times ``--replications`` replications of the baseline with
every feedback loop on (``baseline_year.DYNAMICS``) shortened to
``--horizon-days``, runs first on one local worker (in this process) and then
on ``--workers`` workers: local processes (``--executor local``) or a
``dask.distributed.LocalCluster`` of that many single-threaded worker processes
started here (``--executor dask``). Rounds alternate and the best of
``--repeats`` is kept; the speed-up is the one-worker time over the N-worker
time. Every configuration must give the same sweep table (the results never
depend on the executor), which is checked.

Run from the repository root::

    python -m benchmarks.sweep_scaling --workers 2 --json out/sweep_scaling.json
    python -m benchmarks.sweep_scaling --executor dask --workers 16 --json out/sweep_scaling_dask16.json
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

TARGET_SPEEDUP_2 = 1.5  # on 2 workers of a 2-core machine


def demand_levels(cells: int) -> list[float]:
    """``cells`` demand scales evenly spaced from 0.9 to 1.2."""
    return [round(float(v), 6) for v in np.linspace(0.9, 1.2, cells)]


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
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="where the N-worker sweep runs; default local processes")
    parser.add_argument("--workers", type=int, default=2, help="workers of the parallel sweep; default 2")
    parser.add_argument("--cells", type=int, default=4, help="demand levels from 0.9 to 1.2; default 4")
    parser.add_argument("--replications", type=int, default=50, help="replications per cell; default 50")
    parser.add_argument("--horizon-days", type=int, default=182, help="days measured per replication; default 182")
    parser.add_argument("--repeats", type=int, default=1, help="rounds (one sweep per configuration each); default 1")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    args = parser.parse_args(argv)
    if min(args.workers, args.cells, args.replications, args.horizon_days, args.repeats) <= 0:
        parser.error("--workers, --cells, --replications, --horizon-days and --repeats must be positive")

    info = machine()
    scenario = dynamics_scenario(args.horizon_days)
    levels = demand_levels(args.cells)
    total = args.cells * args.replications
    parallel = f"{args.executor} x{args.workers}"
    print(f"sweep of demand_scale {levels} x {args.replications} replications = {total} replications of "
          f"{args.horizon_days} days (+{scenario.scenario.warmup_days} warm-up); 1 local worker vs {parallel}, "
          f"best of {args.repeats}")
    print(f"machine: {info['cpu_model']}, {info['nproc']} CPUs, Python {info['python']}")
    itsim.simulate(dynamics_scenario(7))  # warm imports and caches before the first timing

    executors: dict[str, Executor] = {"local x1": LocalExecutor(1)}
    close = None
    start = time.perf_counter()
    if args.executor == "dask":
        executors[parallel], close = dask_executor(args.workers)
        print(f"  LocalCluster of {args.workers} workers up in {time.perf_counter() - start:.1f} s", flush=True)
    else:
        executors[parallel] = LocalExecutor(args.workers)
    names = list(executors)
    results: dict[str, dict] = {n: {"times_s": [], "cpu_times_s": []} for n in names}
    tables = {}
    try:
        for r in range(args.repeats):
            for name in names[r % 2:] + names[: r % 2]:
                out = run_sweep(scenario, levels, args.replications, executors[name])
                results[name]["times_s"].append(out["wall_s"])
                results[name]["cpu_times_s"].append(out["cpu_s"])
                tables[name] = out["table"]
                print(f"  round {r + 1}: {name:<10} {out['wall_s']:8.2f} s wall, "
                      f"{out['cpu_s']:8.2f} s CPU in this process, RSS now {fresh.rss_mb():.0f} MB", flush=True)
    finally:
        if close is not None:
            close()
    same = tables[names[0]].equals(tables[names[1]])

    for res in results.values():
        res["best_s"] = min(res["times_s"])
        res["replications_per_s"] = total / res["best_s"]
    speedup = results[names[0]]["best_s"] / results[names[1]]["best_s"]
    print(f"\n{'workers':<10} {'best s':>8} {'replications/s':>15}")
    for name, res in results.items():
        print(f"{name:<10} {res['best_s']:>8.2f} {res['replications_per_s']:>15.2f}")
    print(f"speed-up {parallel} over local x1: {speedup:.2f}x "
          f"({speedup / args.workers:.0%} of linear); same sweep table: {'yes' if same else 'NO'}")
    targets = {}
    if args.executor == "local" and args.workers == 2:
        targets = {"speedup_min": TARGET_SPEEDUP_2, "met": speedup >= TARGET_SPEEDUP_2}
        print(f"target: >= {TARGET_SPEEDUP_2:g}x on 2 local workers: {'met' if targets['met'] else 'NOT met'}")

    if args.json:
        write_json(args.json, {
            "benchmark": "sweep_scaling",
            "executor": args.executor,
            "workers": args.workers,
            "demand_scale": levels,
            "replications_per_cell": args.replications,
            "replications": total,
            "horizon_days": args.horizon_days,
            "dynamics": DYNAMICS,
            "repeats": args.repeats,
            "machine": info,
            "results": results,
            "speedup": speedup,
            "same_table": same,
            "targets": targets,
        })
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
