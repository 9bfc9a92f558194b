"""The plan search against an exhaustive grid: same cheapest option, far fewer replications.

On ``scenarios/baseline.toml``, the options are engineers (``team.engineer.count``,
``--engineers``), ``policy.wip_limit`` (``--wip``) and the protected maintenance
share ``policy.share`` (``--share``), each with the policies that take it:
``firefight_first`` (engineers only; this is the share 0 of protected maintenance),
``wip_limit``, ``protected_maintenance`` and ``wip_limit+protected_maintenance``.

The exhaustive grid is the same code with the first look at N = ``--replications``
(every option run N times, the cheapest option with at most ``floor(risk x N)``
too-busy runs chosen, ties by fewest changes from today). The search starts with
``--first-look`` runs per option. Both run fresh (no stored replications) on
``--workers`` local processes, the grid first, each timed; the search must find
the grid's option with at most a quarter of its replications. The grid's
replications are kept in ``--store`` so that the search can be replayed on them at
other risk levels (``--replay-risk``) and first looks (``--replay-first-look``): a
replay computes nothing, so its replication count is exact and its time is not
measured.

Run from the repository root (the full grid is 432 options x 40 = 17,280 runs)::

    python -m benchmarks.plan_search --workers 2 --json out/plan_search.json
    python -m benchmarks.plan_search --engineers 10:18:5 --wip 2,6,12 --share 0.1,0.3 --workers 2 \
        --replay-risk 0.2 0.3 0.4 --replay-first-look 2 4 --json out/plan_search_reduced.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import itsim
from benchmarks.mmc_speed import machine
from benchmarks.results import write_json
from itsim.plan import plan_search
from itsim.sweep import parse_vary

POLICIES = ["firefight_first", "wip_limit", "protected_maintenance", "wip_limit+protected_maintenance"]
#: The largest share of the grid's replications the search may use.
TARGET_SHARE = 0.25


def _values(key: str, spec: str) -> list:
    return parse_vary(f"{key}={spec}")[1]


def run(label: str, scenario, levers: dict, risk: float, replications: int, first_look: int, workers: int,
        out: Path) -> dict:
    """One plan search (``first_look = replications`` is the exhaustive grid), timed."""
    start = time.perf_counter()
    result = plan_search(scenario, levers, POLICIES, risk=risk, max_replications=replications,
                         first_look=first_look, workers=workers, out=out)
    wall = time.perf_counter() - start
    rec = result.recommended
    print(f"{label}: {result.data['replications']['spent']:,} replications in {wall:.0f} s; "
          f"cheapest option {rec['id'] if rec else None}", flush=True)
    return {
        "wall_s": wall,
        "replications": result.data["replications"]["spent"],
        "computed": result.data["replications"]["computed_now"],
        "options": len(result.options),
        "cheapest": rec["id"] if rec else None,
        "cheapest_cost": rec["cost"]["total"] if rec else None,
        "cheapest_probability": rec["probability"] if rec else None,
        "frontier": result.data["frontier"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engineers", default="10:18:9", help="team.engineer.count SPEC; default 10:18:9")
    parser.add_argument("--wip", default="2:12:11", help="policy.wip_limit SPEC; default 2:12:11")
    parser.add_argument("--share", default="0.1,0.2,0.3",
                        help="policy.share SPEC (0 is firefight_first); default 0.1,0.2,0.3")
    parser.add_argument("--risk", type=float, default=0.3, help="accepted chance of being too busy; default 0.3")
    parser.add_argument("--replay-risk", type=float, nargs="*", default=[],
                        help="risk levels to replay the search at on the grid's replications")
    parser.add_argument("--replay-first-look", type=int, nargs="*", default=[],
                        help="first looks to replay the search with on the grid's replications")
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
    scratch = Path(tempfile.mkdtemp(prefix="plan-bench-"))
    store = args.store if args.store is not None else scratch / "grid"
    earlier = json.loads(args.grid_json.read_text()) if args.grid_json is not None else None
    if earlier is None and store.exists() and any(store.iterdir()):
        print(f"--store {store}: not empty; the grid must run fresh to be timed", file=sys.stderr)
        return 2
    try:
        if earlier is None:
            grid = run("grid", scenario, levers, args.risk, args.replications, args.replications, args.workers, store)
        else:
            grid = dict(earlier["grid"])
            again = run("grid replayed", scenario, levers, args.risk, args.replications, args.replications, 1, store)
            if (again["cheapest"], again["replications"]) != (grid["cheapest"], grid["replications"]) or \
                    earlier["levers"] != levers or earlier["risk"] != args.risk:
                print(f"--grid-json {args.grid_json}: another grid than --store and these flags", file=sys.stderr)
                return 2
            grid["timed_in"] = str(args.grid_json)
        search = run("search", scenario, levers, args.risk, args.replications, args.first_look, args.workers,
                     scratch / "search")
        replays = []
        for risk in args.replay_risk or [args.risk]:
            g = run(f"grid replayed, risk {risk:g}", scenario, levers, risk, args.replications, args.replications,
                    1, store)
            for first in args.replay_first_look or [args.first_look]:
                s = run(f"search replayed, risk {risk:g}, first look {first}", scenario, levers, risk,
                        args.replications, first, 1, store)
                replays.append({"risk": risk, "first_look": first, "grid_cheapest": g["cheapest"],
                                "search_cheapest": s["cheapest"], "grid_replications": g["replications"],
                                "search_replications": s["replications"],
                                "same_option": g["cheapest"] == s["cheapest"],
                                "share": s["replications"] / g["replications"]})
    finally:
        shutil.rmtree(scratch / "search", ignore_errors=True)
        if args.store is None:
            shutil.rmtree(scratch, ignore_errors=True)
    share = search["replications"] / grid["replications"]
    same = search["cheapest"] == grid["cheapest"]
    print(f"same cheapest option: {same}; the search used {share:.1%} of the grid's replications "
          f"(target at most {TARGET_SHARE:.0%}); wall time {search['wall_s']:.0f} s against {grid['wall_s']:.0f} s")
    results = {
        "benchmark": "plan_search",
        "machine": machine(),
        "levers": levers,
        "policies": POLICIES,
        "risk": args.risk,
        "replications_per_option": args.replications,
        "first_look": args.first_look,
        "workers": args.workers,
        "search": search,
        "grid": grid,
        "same_option": same,
        "replication_share": share,
        "target_share": TARGET_SHARE,
        "replays": replays,
    }
    if args.json is not None:
        write_json(args.json, results)
    return 0 if same and share <= TARGET_SHARE else 1


if __name__ == "__main__":
    sys.exit(main())
