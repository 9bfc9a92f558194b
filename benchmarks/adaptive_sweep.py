"""The README's sweep question, fixed grid against adaptive sweep, side by side in one run.

The question of the README and docs/verdict.md: where does each policy tip into "too
busy" on ``scenarios/baseline.toml``, ``demand_scale`` from 0.6 to 1.6 in 11 levels,
policies firefight_first, wip_limit and protected_maintenance, 20 replications. It is
answered twice in this process with the same seed and workers (default: one per usable
core): by the fixed grid (every cell 20 replications, what ``itsim sweep --fixed`` does)
and by the adaptive sweep (4 replications per cell, then more, up to 20, only near the
tipping point; what ``itsim sweep`` does). Each sweep writes its results to a fresh
folder, as the command does; the HTML report is left out (section 9 times it).

Reported per sweep: wall seconds, CPU seconds (this process and its workers),
replications run, and per policy the tipping point and the width of its 95% interval
for both bands (too busy and at risk). Also checked: every adaptive cell that reached 20
replications equals the fixed grid's cell. ``--order`` sets which sweep runs first
(the machine may be busier for one than the other: alternate it over runs).

Run from the repository root::

    python -m benchmarks.adaptive_sweep --json out/adaptive_sweep.json
    python -m benchmarks.adaptive_sweep --quick   # 6 levels, 1 policy, 12 replications
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import itsim
from benchmarks.mmc_speed import machine
from benchmarks.results import write_json
from itsim.cores import usable_cores

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ["firefight_first", "wip_limit", "protected_maintenance"]
TARGET_WALL_S = 60.0  # on 2 cores, at the fixed grid's interval width


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the sweep's workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def one_sweep(scenario: itsim.Scenario, levels: list[float], policies: list[str], replications: int,
              workers: int, adaptive: bool, first_look: int) -> tuple[dict, itsim.Sweep]:
    """Run one sweep into a fresh folder; its timings, replications and tipping points."""
    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), cpu_seconds()
        grid = itsim.sweep(scenario, {"demand_scale": levels}, policies, replications=replications,
                           workers=workers, out=folder, adaptive=adaptive, first_look=first_look)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    points = {}
    for name, entry in grid.too_busy_point().items():
        row = {}
        for band, e in (("too_busy", entry), ("at_risk", entry["at_risk"])):
            lo, hi = e["ci95"] or (None, None)
            row[band] = {"point": e["point"], "ci95": e["ci95"], "kind": e["kind"],
                         "width": hi - lo if lo is not None and hi is not None else None}
        row["replications"] = sum(len(c.verdicts) for c in grid.cells if c.done and c.policy == name)
        points[name] = row
    return {"wall_s": wall, "cpu_s": cpu, "replications": grid.replications_run, "policies": points,
            "counts": {c.id: len(c.verdicts) for c in grid.cells if c.done}}, grid


def same_cells(fixed: itsim.Sweep, adaptive: itsim.Sweep) -> bool:
    """Every adaptive cell that reached the most holds exactly the fixed grid's results."""
    by_id = {c.id: c for c in fixed.cells}
    full = [c for c in adaptive.cells if c.done and len(c.verdicts) == adaptive.replications]
    return all(c.runs.equals(by_id[c.id].runs) and c.summary == by_id[c.id].summary for c in full)


def _width(x: float | None) -> str:
    return "open" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=20, help="most replications per cell; default 20")
    parser.add_argument("--first-look", type=int, default=4, help="the adaptive sweep's first round; default 4")
    parser.add_argument("--workers", type=int, default=usable_cores(), help="local workers; default usable cores")
    parser.add_argument("--order", choices=["fixed-first", "adaptive-first"], default="fixed-first")
    parser.add_argument("--quick", action="store_true",
                        help="6 levels from 0.6 to 1.6, firefight_first only, 12 replications")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    scenario = itsim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    levels = [round(float(v), 6) for v in np.linspace(0.6, 1.6, 6 if args.quick else 11)]
    policies = POLICIES[:1] if args.quick else POLICIES
    replications = 12 if args.quick else args.replications
    itsim.simulate(scenario, keep_events=False)  # imports and first-call costs are not timed
    modes = [False, True] if args.order == "fixed-first" else [True, False]
    results, grids = {}, {}
    for adaptive in modes:
        label = "adaptive" if adaptive else "fixed"
        results[label], grids[label] = one_sweep(scenario, levels, policies, replications, args.workers, adaptive,
                                                 args.first_look)
        r = results[label]
        print(f"{label:>8}: {r['wall_s']:6.1f} s wall, {r['cpu_s']:6.1f} s CPU, {r['replications']} replications "
              f"({r['cpu_s'] / r['replications']:.3f} CPU s each)", flush=True)
    print(f"\n{'policy':<24}{'mode':>9}{'reps':>6}  {'too busy at (width)':<26}{'at risk at (width)':<26}")
    for name in results["fixed"]["policies"]:
        for label in ("fixed", "adaptive"):
            p = results[label]["policies"][name]
            cols = [f"{p[b]['point']} ({_width(p[b]['width'])})" for b in ("too_busy", "at_risk")]
            print(f"{name:<24}{label:>9}{p['replications']:>6}  {cols[0]:<26}{cols[1]:<26}")
    identical = same_cells(grids["fixed"], grids["adaptive"])
    ratio = results["adaptive"]["wall_s"] / results["fixed"]["wall_s"]
    print(f"\nadaptive / fixed: {ratio:.2f}x the wall time, "
          f"{results['adaptive']['replications'] / results['fixed']['replications']:.2f}x the replications; "
          f"adaptive cells at {replications} replications identical to the fixed grid's: {identical}")
    print(f"goal: under {TARGET_WALL_S:.0f} s wall on 2 cores: adaptive {results['adaptive']['wall_s']:.1f} s "
          f"on {args.workers} workers")
    if args.json:
        write_json(args.json, {"machine": machine(), "workers": args.workers, "levels": levels,
                               "policies": policies, "most": replications, "first_look": args.first_look,
                               "order": args.order, "results": results, "identical_cells": identical})
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
