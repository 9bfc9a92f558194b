"""Memory of a long sweep: the resident memory of the process running it, as replications finish.

A sweep keeps per replication only its metrics and too-busy verdict (the event
log of each run is dropped as soon as its metrics are computed, and each cell's
weekly series once the cell is summarised), so its memory should stay flat as
replications pile up. This runs :func:`itsim.sweep` over ``--cells`` demand
levels (0.9 to 1.2) times ``--replications`` replications of the baseline with
every feedback loop on (``baseline_year.DYNAMICS``), shortened to
``--horizon-days``, in a fresh process, and records that process's resident
memory (RSS, MB) every time a replication finishes; memory at 25% of the
replications against the end tells whether it stays flat.

Run from the repository root::

    python -m benchmarks.sweep_memory --workers 1 --json out/sweep_memory.json
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

import itsim
from benchmarks import fresh
from benchmarks.baseline_year import dynamics_scenario
from benchmarks.mmc_speed import machine
from benchmarks.results import write_json
from benchmarks.sweep_scaling import add_sweep_flags, demand_levels

MODULE = "benchmarks.sweep_memory"  # re-run as a child with python -m
TARGET_GROWTH = 0.10  # RSS at the end at most this share above RSS at a quarter of the replications


def child(workers: int, cells: int, replications: int, horizon_days: int) -> dict:
    """Run the sweep in this (fresh) process; RSS (MB) after each finished replication."""
    scenario = dynamics_scenario(horizon_days)
    itsim.simulate(dynamics_scenario(7))  # warm imports and caches
    gc.collect()
    rss = [fresh.rss_mb()]

    def progress(done: int, total: int) -> None:
        rss.append(fresh.rss_mb())

    itsim.sweep(scenario, {"demand_scale": demand_levels(cells)}, replications=replications,
                workers=workers, progress=progress)
    return {"rss_mb": rss, "peak_rss_mb": fresh.peak_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    """Parse flags, run the benchmark, print its memory profile and optionally write JSON."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        print(json.dumps(child(*(int(a) for a in argv[1:5]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1, help="local worker processes; default 1 (in-process)")
    add_sweep_flags(parser, cells=20, replications=10, horizon_days=91)
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    args = parser.parse_args(argv)
    if min(args.workers, args.cells, args.replications, args.horizon_days) <= 0:
        parser.error("--workers, --cells, --replications and --horizon-days must be positive")

    total = args.cells * args.replications
    print(f"sweep of {args.cells} demand levels x {args.replications} replications = {total} replications of "
          f"{args.horizon_days} days on {args.workers} local worker(s), in a fresh process")
    out = fresh.in_child(MODULE, str(args.workers), str(args.cells), str(args.replications), str(args.horizon_days))
    rss = out["rss_mb"]
    marks = sorted({max(1, total // 4), total // 2, 3 * total // 4, total})
    at = {n: rss[n] for n in marks}
    print(f"RSS before the sweep {rss[0]:.1f} MB; after " + ", ".join(f"{n}: {v:.1f} MB" for n, v in at.items())
          + f" replications; peak {out['peak_rss_mb']:.1f} MB")
    quarter = at[marks[0]]
    growth = (rss[total] - quarter) / quarter
    met = growth <= TARGET_GROWTH
    print(f"growth from {marks[0]} to {total} replications: {rss[total] - quarter:+.1f} MB ({growth:+.1%}); "
          f"target <= {TARGET_GROWTH:+.0%}: {'met' if met else 'NOT met'}")
    if args.json:
        write_json(args.json, {
            "benchmark": "sweep_memory",
            "workers": args.workers,
            "cells": args.cells,
            "replications_per_cell": args.replications,
            "horizon_days": args.horizon_days,
            "machine": machine(),
            "rss_mb_after": {str(n): v for n, v in at.items()},
            "rss_mb_before": rss[0],
            "rss_mb_each": rss,
            "peak_rss_mb": out["peak_rss_mb"],
            "growth": growth,
            "targets": {"growth_max": TARGET_GROWTH, "met": met},
        })
    return 0


if __name__ == "__main__":
    sys.exit(main())
