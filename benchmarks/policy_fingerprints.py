"""Fingerprints of runs under every built-in policy: a check that a change to the engine or
to the policies leaves every result as it was.

Each case is one replication of a bundled scenario (``scenarios/*.toml``, and the
baseline year with every ``[dynamics]`` loop on from :mod:`benchmarks.baseline_year`)
under one policy: every built-in policy with its defaults, a few combinations, and
policies switched on by a ``[[phase]]``. Its fingerprint is a SHA-256 of the event
log (times, entries, workers, the item table), the daily hours ledger, the project
table, the metrics and the weekly series. Run it on two trees and compare::

    python -m benchmarks.policy_fingerprints --json out/fingerprints_before.json
    python -m benchmarks.policy_fingerprints --json out/fingerprints_after.json \\
        --compare out/fingerprints_before.json

``--compare`` lists the cases whose fingerprint differs and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

import itsim
from benchmarks import fresh
from benchmarks.baseline_year import dynamics_scenario
from benchmarks.results import write_json

SCENARIOS = sorted((fresh.ROOT / "scenarios").glob("*.toml"))
#: Combinations and parameters beyond the defaults (``[policy]`` tables).
EXTRA_POLICIES = {
    "wip_limit+intake_gate+prioritise_wsjf": {"name": ["wip_limit", "intake_gate", "prioritise_wsjf"],
                                              "wip_limit": 2},
    "protected_maintenance+prioritise_value": {"name": ["protected_maintenance", "prioritise_value"],
                                               "share": 0.3},
    "firefighter_rotation(2, threshold 0)": {"name": "firefighter_rotation", "firefighters": 2,
                                             "queue_threshold": 0},
}
#: Policies put in force by a phase of the baseline (days 30 to 120 of the horizon).
PHASE_POLICIES = ("protected_maintenance", "firefighter_rotation", "wip_limit", "intake_gate")


def cases(seed: int) -> dict[str, itsim.Scenario]:
    """Every case by name: scenario x policy."""
    from itsim.policies import available

    bases = {path.stem: itsim.load_scenario(path) for path in SCENARIOS}
    bases["baseline+dynamics"] = dynamics_scenario()
    found = {}
    for stem, scenario in bases.items():
        tables = {name: {"name": name} for name in available()} | EXTRA_POLICIES
        for label, table in tables.items():
            found[f"{stem} / {label} / seed {seed}"] = scenario.with_changes({"policy": table})
    base = bases["baseline"]
    for name in PHASE_POLICIES:
        phase = {"start_day": 30, "end_day": 120, "policy": {"name": name}}
        found[f"baseline / phase {name} / seed {seed}"] = base.with_changes({"phase": [phase]})
    return found


def fingerprint(run: itsim.Run) -> str:
    """SHA-256 of everything a run recorded and computed."""
    world = run.world
    h = hashlib.sha256()
    log = world.log
    for column in (log.time, log.entry, log.worker, log.meta, log.effort, log.person_role):
        h.update(bytes(column))
    h.update(repr(sorted(log.due_at.items())).encode())
    led = world.ledger
    for name in ("busy", "idle", "available", "leave", "holiday", "staff", "open_work", "tech_debt", "backlog",
                 "wip"):
        h.update(repr(getattr(led, name)).encode())
    if world.portfolio is not None:
        for key, column in sorted(world.portfolio.table().items()):
            h.update(key.encode())
            h.update(np.ascontiguousarray(column).tobytes())
    h.update(json.dumps(run.metrics, sort_keys=True, default=repr).encode())
    h.update(run.timeseries.to_csv(index=False).encode())
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--json", type=Path, help="write {case: fingerprint} here")
    ap.add_argument("--compare", type=Path, help="fingerprints of another tree to compare with")
    args = ap.parse_args(argv)
    prints = {}
    for seed in args.seeds:
        for name, scenario in cases(seed).items():
            try:
                prints[name] = fingerprint(itsim.simulate(scenario, seed=seed, force=True))
            except itsim.ScenarioError as exc:  # a policy that does not fit the scenario
                prints[name] = "refused: " + "; ".join(exc.problems)
            print(f"{prints[name][:16]}  {name}", flush=True)
    if args.json is not None:
        write_json(args.json, {"itsim": str(Path(itsim.__file__).parent), "fingerprints": prints})
    if args.compare is None:
        return 0
    other = json.loads(args.compare.read_text())["fingerprints"]
    differ = sorted(k for k in prints.keys() | other.keys() if prints.get(k) != other.get(k))
    for name in differ:
        print(f"DIFFERS: {name}")
    print(f"{len(prints) - len(differ)} of {len(prints | other)} cases identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
