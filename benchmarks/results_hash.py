"""Fingerprints of the results of the bundled scenarios, to show that a change left them as they were.

For every ``scenarios/*.toml``: the summary, the per-replication metrics, the
weekly series and the invariant checks of ``itsim.replicate`` (``--replications``
replications on 1 worker and again on 2, which must agree), and the event log of
replication 0; then a small sweep of the baseline (two demand levels, two
policies): its long table and its too-busy points. Each is hashed (SHA-256 of a
canonical text form: JSON with sorted keys, tables as CSV with every float
written in full), and the hashes are printed as one JSON object.

``--against DIR`` computes the same fingerprints with the itsim of another
source tree (say ``main``, checked out with ``git archive main | tar -x -C DIR``)
in a child process, side by side, and exits 1 if any differ::

    python -m benchmarks.results_hash --against /tmp/itsim-main
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
SWEEP_POLICIES = ["firefight_first", "wip_limit"]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _frame(frame) -> str:
    return _digest(frame.to_csv(index=False, float_format="%.17g"))


def fingerprints(replications: int) -> dict[str, str]:
    """Hashes of everything listed in the module docstring, keyed ``scenario/part``, and
    where ``itsim`` was imported from (key ``itsim``)."""
    import itsim

    out: dict[str, str] = {"itsim": str(Path(itsim.__file__).parent)}
    for path in SCENARIOS:
        sc = itsim.load_scenario(path)
        one, two = (itsim.replicate(sc, replications=replications, workers=w) for w in (1, 2))
        for part in ("summary", "runs", "timeseries", "checks"):
            a, b = getattr(one, part), getattr(two, part)
            text_a, text_b = ((json.dumps(x, sort_keys=True) if part == "summary" else None) for x in (a, b))
            h_a = _digest(text_a) if text_a is not None else _frame(a)
            h_b = _digest(text_b) if text_b is not None else _frame(b)
            out[f"{path.stem}/{part}"] = h_a if h_a == h_b else f"{h_a} (1 worker) != {h_b} (2 workers)"
        out[f"{path.stem}/events"] = _frame(itsim.simulate(sc).events)
    base = itsim.load_scenario(ROOT / "scenarios" / "baseline.toml").with_changes({"scenario.horizon_days": 182})
    grid = itsim.sweep(base, vary={"demand_scale": [0.9, 1.3]}, policies=SWEEP_POLICIES,
                       replications=replications)
    out["sweep/table"] = _frame(grid.table)
    out["sweep/too_busy_point"] = _digest(json.dumps(grid.too_busy_point(), sort_keys=True))
    return out


def in_tree(tree: Path, replications: int) -> dict[str, str]:
    """:func:`fingerprints` computed with the itsim of source tree ``tree`` (in a child process)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # run as a file, not with -m, so that the working directory does not come before ``tree`` on the path
    proc = subprocess.run([sys.executable, __file__, "--replications", str(replications)],
                          env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"fingerprints in {tree} failed:\n{proc.stderr}")
    result = json.loads(proc.stdout)
    if Path(result.pop("itsim")).resolve() != tree.resolve() / "itsim":
        raise RuntimeError(f"the child imported itsim from elsewhere than {tree}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another source tree to compare with")
    args = parser.parse_args(argv)
    if args.against is None:
        print(json.dumps(fingerprints(args.replications), indent=1, sort_keys=True))
        return 0
    here, there = in_tree(ROOT, args.replications), in_tree(args.against.resolve(), args.replications)
    differ = 0
    for key in sorted(here.keys() | there.keys()):
        same = here.get(key) == there.get(key)
        differ += not same
        print(f"{key:40s} {here.get(key)}  {'==' if same else '!='}  {there.get(key)}")
    print(f"{len(here)} fingerprints, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
