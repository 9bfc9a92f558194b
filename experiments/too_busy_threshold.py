"""The too-busy threshold: how much more demand each policy absorbs before IT tips over.

Sweeps ``demand_scale`` on ``scenarios/baseline.toml`` for several policies, with
common random numbers (replication r of every cell sees the same demand), and
prints each policy's parameters, then the demand level at which the share of
replications that break a target first exceeds ``[targets] too_busy_above`` (80% by
default), with its 95% bootstrap interval. The sweep directory (resumable:
rerun the same command to finish an interrupted sweep) holds every cell,
``sweep.parquet`` and ``too_busy.json``.

    python experiments/too_busy_threshold.py [--replications N] [--workers N] [--out DIR]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import itsim
from itsim.experiment import policy_for

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"
LEVELS = [0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3]
# Policies that reorder the same work (a WIP limit, protected maintenance) and policies
# that take work away (an intake gate turns requests down, deflection invests in
# self-service): a department tips where its hours run out, so only the second kind
# can move the point.
POLICIES = ["firefight_first", "wip_limit", "protected_maintenance", "intake_gate", "deflection"]


def what_breaks(grid: itsim.Sweep, band: float) -> list[str]:
    """One line per policy: the targets broken at the first level past the band, with the
    number of replications that broke each."""
    lines = []
    for policy in grid.policies:
        cells = sorted((c for c in grid.cells if c.policy == policy and c.done), key=lambda c: c.values["demand_scale"])
        tipped = next((c for c in cells if c.verdicts["too_busy"].mean() > band), None)
        if tipped is None:
            continue
        codes = Counter(code for text in tipped.verdicts["reasons"] for code in text.split(",") if code)
        broken = ", ".join(f"{code} {n}/{len(tipped.verdicts)}" for code, n in codes.most_common())
        lines.append(f"  {policy:<24} at {tipped.values['demand_scale']:g}x: {broken}")
    return lines


def thresholds(grid: itsim.Sweep) -> list[str]:
    """One line per policy: where it tips into "too busy", or that it never does in range."""
    lines = []
    for policy, entry in grid.too_busy_point().items():
        if entry["point"] is None:
            lines.append(f"  {policy:<24} within targets up to {max(LEVELS):g}x today's demand")
            continue
        lo, hi = entry["ci95"]
        upper = f"{hi:.2f}" if hi is not None else f"beyond {max(LEVELS):g}"
        lines.append(f"  {policy:<24} too busy from {entry['point']:.2f}x today's demand (95% interval {lo:.2f} to"
                     f" {upper})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("out/too_busy_threshold"))
    args = parser.parse_args()
    sc = itsim.load_scenario(SCENARIO)
    print("Parameters (at today's demand; defaults worked out from the scenario):")
    for name in POLICIES:
        with_policy = sc.with_changes({"policy": {"name": name}})
        params = policy_for(with_policy).effective_params(with_policy)
        print(f"  {name}: " + (", ".join(f"{k} = {v}" for k, v in params.items()) or "no parameters"))
    grid = itsim.sweep(sc, vary={"demand_scale": LEVELS}, policies=POLICIES, replications=args.replications,
                       out=args.out, workers=args.workers)
    print(f"{sc.name}: demand from {min(LEVELS):g}x to {max(LEVELS):g}x today's, {args.replications} replications"
          f" per level and policy, common random numbers.")
    print("Where each policy tips into 'too busy' (the share of replications that break a target first"
          f" exceeds {sc.targets.too_busy_above:.0%}):")
    for line in thresholds(grid):
        print(line)
    print("Targets broken where each policy first passes the band (replications that broke each):")
    for line in what_breaks(grid, sc.targets.too_busy_above):
        print(line)
    for cell in grid.failed:
        print(f"  failed: {cell.id} (see {args.out / 'cells' / cell.id / 'error.txt'})")
    print(f"Results in {args.out}/")


if __name__ == "__main__":
    main()
