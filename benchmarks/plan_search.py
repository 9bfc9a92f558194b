"""The plan search against an exhaustive grid: same cheapest option, far fewer replications.

On ``scenarios/baseline.toml``, the options are engineers (``team.engineer.count``,
``--engineers``), ``policy.wip_limit`` (``--wip``) and the protected maintenance
share ``policy.share`` (``--share``), each with the policies that take it:
``firefight_first`` (engineers only; this is the share 0 of protected maintenance),
``wip_limit``, ``protected_maintenance`` and ``wip_limit+protected_maintenance``.

The exhaustive grid (:func:`itsim.plan.exhaustive_grid`) runs every option N =
``--replications`` times, nothing shared; its answer is the first option in the
search's order (cheapest, then fewest changes from today) with at most
``floor(risk x N)`` too-busy runs. The search starts with ``--first-look`` runs per
option. Both run fresh (no stored replications) on ``--workers`` local processes,
the grid first, each timed; the search must find the grid's option with at most a
quarter of its replications. The grid's replications are kept in ``--store`` so
that the search can be replayed on them at other risk levels (``--replay-risk``):
a replay computes nothing (the search's runs are prefixes of the grid's, with
common random numbers), so its replication count is exact and its time is not
measured. The grid's runs also check the search's shared runs: every replication
the search would take from another option is compared with the grid's own run of it.

Run from the repository root (the full grid is 432 options x 40 = 17,280 runs)::

    python -m benchmarks.plan_search --workers 2 --json out/plan_search.json
    python -m benchmarks.plan_search --engineers 10:18:5 --wip 2,6,12 --share 0.1,0.3 --workers 2 \
        --store out/plan_grid --replay-risk 0.1 0.2 0.3 0.4 0.5 --json out/plan_search_reduced.json
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

import itsim
from benchmarks.mmc_speed import machine
from benchmarks.results import write_json
from itsim.plan import build_options, exhaustive_grid, plan_search
from itsim.plan.equivalence import heads, member, same_run
from itsim.plan.store import Replications
from itsim.sweep import parse_vary

POLICIES = ["firefight_first", "wip_limit", "protected_maintenance", "wip_limit+protected_maintenance"]
#: The largest share of the grid's replications the search may use.
TARGET_SHARE = 0.25


def _values(key: str, spec: str) -> list:
    return parse_vary(f"{key}={spec}")[1]


def grid_answer(verdicts: dict, risk: float, replications: int) -> str | None:
    """The grid's answer: the first option (search order) whose too-busy runs are within the risk."""
    allowed = math.floor(risk * replications + 1e-9)
    return next((cell[0] for cell, busy in verdicts.items() if busy.sum() <= allowed), None)


def search(label: str, scenario, levers: dict, risk: float, replications: int, first_look: int, workers: int,
           out: Path) -> dict:
    """One plan search, timed."""
    start = time.perf_counter()
    result = plan_search(scenario, levers, POLICIES, risk=risk, max_replications=replications,
                         first_look=first_look, workers=workers, out=out)
    wall = time.perf_counter() - start
    rec = result.recommended
    reps = result.data["replications"]
    print(f"{label}: {reps['spent']:,} replications ({reps['shared']:,} more shared, {reps['computed_now']:,} "
          f"computed) in {wall:.0f} s; cheapest option {rec['id'] if rec else None}", flush=True)
    return {
        "wall_s": wall,
        "replications": reps["spent"],
        "shared": reps["shared"],
        "computed": reps["computed_now"],
        "options": len(result.options),
        "not_run": sum(o["status"] == "not run" for o in result.options),
        "cheapest": rec["id"] if rec else None,
        "cheapest_cost": rec["cost"]["total"] if rec else None,
        "cheapest_probability": rec["probability"] if rec else None,
        "frontier": result.data["frontier"],
    }


def check_shared_runs(scenario, levers: dict, store: Path, replications: int) -> dict:
    """Every replication the search's rule would take from a family head, against the grid's
    own run of it: how many there are and how many differ in any metric (must be none)."""
    options, _, _ = build_options(scenario, levers, POLICIES)
    cells = {(o.id, 1.0): o.scenario.with_changes({"demand_scale": scenario.demand_scale}) for o in options}
    members = {cell: member(sc) for cell, sc in cells.items()}
    head_of = heads(members, set(cells))
    runs = Replications(store)
    checked = differ = 0
    for cell, head in head_of.items():
        if head == cell:
            continue
        mine, theirs = runs.runs(cell, replications), runs.runs(head, replications)
        for r in range(replications):
            if same_run(members[head], members[cell], runs.wip_peak(head, r)):
                a = mine[mine["replication"] == r].set_index("metric")["value"]
                b = theirs[theirs["replication"] == r].set_index("metric")["value"]
                checked += 1
                differ += not a.equals(b)
    print(f"shared runs checked against the grid: {checked:,}, of which {differ} differ", flush=True)
    return {"checked": checked, "differ": differ}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engineers", default="10:18:9", help="team.engineer.count SPEC; default 10:18:9")
    parser.add_argument("--wip", default="2:12:11", help="policy.wip_limit SPEC; default 2:12:11")
    parser.add_argument("--share", default="0.1,0.2,0.3",
                        help="policy.share SPEC (0 is firefight_first); default 0.1,0.2,0.3")
    parser.add_argument("--risk", type=float, default=0.3, help="accepted chance of being too busy; default 0.3")
    parser.add_argument("--replay-risk", type=float, nargs="*", default=[],
                        help="risk levels to replay the search at on the grid's replications")
    parser.add_argument("--replications", type=int, default=40, help="per option in the grid (N); default 40")
    parser.add_argument("--first-look", type=int, default=4, help="the search's first look; default 4")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", type=Path, default=None, help="keep the grid's replications here")
    parser.add_argument("--grid-json", type=Path, default=None,
                        help="take the grid's timed figures from this earlier result of the script and its "
                             "replications from --store (then only the search runs fresh)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    scenario = itsim.load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml")
    levers = {"team.engineer.count": _values("team.engineer.count", args.engineers),
              "policy.wip_limit": _values("policy.wip_limit", args.wip),
              "policy.share": _values("policy.share", args.share)}
    N = args.replications
    scratch = Path(tempfile.mkdtemp(prefix="plan-bench-"))
    store = args.store if args.store is not None else scratch / "grid"
    earlier = json.loads(args.grid_json.read_text()) if args.grid_json is not None else None
    if earlier is None and store.exists() and any(store.iterdir()):
        print(f"--store {store}: not empty; the grid must run fresh to be timed", file=sys.stderr)
        return 2
    if earlier is not None and (earlier["levers"] != levers or earlier["replications_per_option"] != N):
        print(f"--grid-json {args.grid_json}: another grid than these flags", file=sys.stderr)
        return 2
    try:
        start = time.perf_counter()
        verdicts = exhaustive_grid(scenario, levers, POLICIES, out=store, workers=args.workers, replications=N)
        wall = time.perf_counter() - start
        grid = {"wall_s": wall, "replications": len(verdicts) * N, "options": len(verdicts),
                "cheapest": grid_answer(verdicts, args.risk, N)}
        if earlier is not None:
            grid["wall_s"] = earlier["grid"]["wall_s"]
            grid["timed_in"] = str(args.grid_json)
        print(f"grid: {grid['replications']:,} replications in {grid['wall_s']:.0f} s; cheapest option "
              f"{grid['cheapest']}", flush=True)
        found = search("search", scenario, levers, args.risk, N, args.first_look, args.workers, scratch / "search")
        shared_check = check_shared_runs(scenario, levers, store, N)
        replays = []
        for risk in args.replay_risk or [args.risk]:
            s = search(f"search replayed, risk {risk:g}", scenario, levers, risk, N, args.first_look, 1, store)
            answer = grid_answer(verdicts, risk, N)
            replays.append({"risk": risk, "grid_cheapest": answer, "search_cheapest": s["cheapest"],
                            "grid_replications": grid["replications"], "search_replications": s["replications"],
                            "shared": s["shared"], "not_run": s["not_run"], "computed": s["computed"],
                            "same_option": answer == s["cheapest"],
                            "share": s["replications"] / grid["replications"]})
    finally:
        shutil.rmtree(scratch / "search", ignore_errors=True)
        if args.store is None:
            shutil.rmtree(scratch, ignore_errors=True)
    share = found["replications"] / grid["replications"]
    same = found["cheapest"] == grid["cheapest"]
    print(f"same cheapest option: {same}; the search used {share:.1%} of the grid's replications "
          f"(target at most {TARGET_SHARE:.0%}); wall time {found['wall_s']:.0f} s against {grid['wall_s']:.0f} s")
    results = {
        "benchmark": "plan_search",
        "machine": machine(),
        "levers": levers,
        "policies": POLICIES,
        "risk": args.risk,
        "replications_per_option": N,
        "first_look": args.first_look,
        "workers": args.workers,
        "search": found,
        "grid": grid,
        "same_option": same,
        "replication_share": share,
        "target_share": TARGET_SHARE,
        "shared_runs_checked": shared_check,
        "replays": replays,
    }
    if args.json is not None:
        write_json(args.json, results)
    return 0 if same and share <= TARGET_SHARE and shared_check["differ"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
