"""One replication-year of the baseline with every feedback loop on, against the pure queue.

``scenarios/baseline.toml`` with its ``[dynamics]`` loops switched on at moderate
values (:data:`DYNAMICS`: tech debt, security exposure, improvement pay-back,
shadow IT through ``projects.patience_days``, burnout and churn, context
switching), one replication of its 364 days (after the 28-day warm-up), is
timed side by side with the M/M/5 queue at 90% load of ``mmc_speed`` (200,000
incidents). Each measurement runs in a fresh Python process (see
:mod:`benchmarks.fresh`), rounds interleaved in rotating order, best of
``--repeats``; memory is measured in separate processes under tracemalloc (which
slows a run several-fold, so it is never timed).

The figure of merit is seconds per incident (every incident that arrived,
warm-up included), for the engine alone and for the whole ``simulate`` call.

Run from the repository root::

    python -m benchmarks.baseline_year --repeats 3 --json out/baseline_year.json
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import pstats
import sys
from pathlib import Path

import numpy as np

import itsim
from benchmarks import fresh
from benchmarks.mmc_speed import horizon_hours, itsim_scenario, machine
from benchmarks.results import write_json
from itsim.record import EventLog

MODULE = "benchmarks.baseline_year"  # re-run as a child with python -m
BASELINE = fresh.ROOT / "scenarios" / "baseline.toml"
MMC_INCIDENTS = 200_000
#: The ``[dynamics]`` loops (and the project patience that drives shadow IT), at moderate values.
DYNAMICS = {
    "dynamics.debt_per_skipped_hour": 1.0,
    "dynamics.debt_per_late_hour": 0.5,
    "dynamics.incident_rate_per_debt_hour": 0.001,
    "dynamics.security_hazard_per_exposed_hour": 0.0005,
    "dynamics.improvement_incident_reduction": 0.02,
    "dynamics.shadow_it_incidents_per_week": 0.5,
    "projects.patience_days": {"dist": "exponential", "mean": 120},
    "dynamics.burnout_utilization": 0.85,
    "dynamics.burnout_productivity_loss": 0.1,
    "dynamics.attrition_per_year": 0.1,
    "dynamics.burnout_attrition_per_year": 0.2,
    "dynamics.context_switch_hours": 0.25,
}
#: Makes the department steady over decades: with care and feeding of delivered systems on,
#: maintenance grows with every delivery until, some years in, the tech-debt loop tips it over.
STEADY = {"projects.care_and_feeding_hours_per_week": 0.0}
TARGET_RATIO = 3.0  # at most this many times the pure queue's seconds per incident
TARGET_PEAK_MB = 200.0
PROFILE_TOP = 20  # functions listed by --profile


def dynamics_scenario(horizon_days: int = 364) -> itsim.Scenario:
    """The baseline with every loop of :data:`DYNAMICS` on, ``horizon_days`` measured."""
    base = itsim.load_scenario(BASELINE)
    return base.with_changes({**DYNAMICS, "scenario.horizon_days": horizon_days})


def log_bytes(log: EventLog) -> int:
    """Bytes held by an event log: 16 per event (time, entry), 16 per item (meta, effort),
    and the due-time table (a dict of Python ints and floats)."""
    due = sys.getsizeof(log.due_at) + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in log.due_at.items())
    return 16 * len(log.time) + 16 * len(log.meta) + due


def _scenario(which: str, size: int) -> itsim.Scenario:
    """``mmc`` with ``size`` expected incidents, or ``baseline`` (``steady``: with :data:`STEADY`;
    ``plain``: the bundled file as it is, without dynamics) with ``size`` days measured."""
    if which == "mmc":
        return itsim_scenario(horizon_hours(size))
    if which == "plain":
        return itsim.load_scenario(BASELINE).with_changes({"scenario.horizon_days": size})
    scenario = dynamics_scenario(size)
    return scenario.with_changes(STEADY) if which == "steady" else scenario


def _describe(run) -> dict:
    log = run.world.log
    kinds = log.kind
    return {
        "incidents": int(np.count_nonzero(kinds == 0)),
        "work_items": len(log.meta),
        "events": len(log.time),
        "simulated_days": run.world.end / 24,
        "log_mb": log_bytes(log) / fresh.MB,
        "timings_s": {k: float(v) for k, v in run.timings.items()},
        "too_busy": bool(run.too_busy["verdict"]),
    }


def child(mode: str, which: str, size: int) -> dict:
    """One measurement (``time`` or ``memory``) of one run, in this (fresh) process."""
    scenario = _scenario(which, size)
    itsim.simulate(_scenario(which, 1000 if which == "mmc" else 7), seed=1)  # warm imports and caches
    measure = fresh.timed if mode == "time" else fresh.traced
    run, figures = measure(lambda: itsim.simulate(scenario, seed=scenario.scenario.seed))
    return {**figures, **_describe(run)}


def profile_baseline() -> None:
    """Profile one replication-year with cProfile; prints the top ``PROFILE_TOP`` functions
    by own time (seconds, inflated by the profiler's per-call overhead)."""
    scenario = dynamics_scenario()
    profiler = cProfile.Profile()
    run = profiler.runcall(itsim.simulate, scenario, seed=scenario.scenario.seed)
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(PROFILE_TOP)
    described = _describe(run)
    print(f"incidents {described['incidents']:,}, events {described['events']:,}")


def measure(cases: dict[str, tuple[str, int]], repeats: int, memory: bool = True) -> dict[str, dict]:
    """Time each case (name -> (``mmc``|``baseline``|``steady``, size)) ``repeats`` times in fresh
    processes, interleaved in rotating order, then once under tracemalloc.

    Returns per case the best wall and CPU seconds (and of each ``timings_s`` entry),
    all wall and CPU times, peak RSS growth (MB, largest over the repeats), the run's
    description (incidents, events, log size) and, with ``memory``, its traced peak.
    """
    names = list(cases)
    results: dict[str, dict] = {n: {"times_s": [], "cpu_times_s": [], "peak_rss_growth_mb": 0.0} for n in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            out = fresh.in_child(MODULE,
                                 "time", cases[name][0], str(cases[name][1]))
            res = results[name]
            res["times_s"].append(out.pop("wall_s"))
            res["cpu_times_s"].append(out.pop("cpu_s"))
            res["peak_rss_growth_mb"] = max(res["peak_rss_growth_mb"], out.pop("peak_rss_growth_mb"))
            res["peak_rss_mb"] = max(res.get("peak_rss_mb", 0.0), out.pop("peak_rss_mb"))
            best = res.setdefault("best_timings_s", {})
            for key, value in out.pop("timings_s").items():
                best[key] = min(value, best.get(key, math.inf))
            res.update(out)
            print(f"  round {r + 1}: {name:<9} {res['times_s'][-1]:8.3f} s wall {res['cpu_times_s'][-1]:8.3f} s CPU",
                  flush=True)
    if memory:
        for name in names:
            out = fresh.in_child(MODULE,
                                 "memory", cases[name][0], str(cases[name][1]))
            results[name]["traced_peak_mb"] = out["traced_peak_mb"]
            results[name]["traced_held_mb"] = out["traced_held_mb"]
            print(f"  tracemalloc: {name:<9} peak {out['traced_peak_mb']:7.1f} MB, "
                  f"held by the run {out['traced_held_mb']:7.1f} MB", flush=True)
    for res in results.values():
        res["best_s"] = min(res["times_s"])
        res["best_cpu_s"] = min(res["cpu_times_s"])
        n = res["incidents"]
        res["us_per_incident"] = {
            "simulate": 1e6 * res["best_s"] / n,
            "simulate_cpu": 1e6 * res["best_cpu_s"] / n,
            "engine": 1e6 * res["best_timings_s"]["engine_s"] / n,
        }
        res["us_per_event_engine"] = 1e6 * res["best_timings_s"]["engine_s"] / res["events"]
    return results


def main(argv: list[str] | None = None) -> int:
    """Parse flags, run the benchmark, print a table and optionally write JSON."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], argv[2], int(argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per case, best kept; default 3")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--plain", action="store_true",
                        help="also time the bundled baseline as it is (no [dynamics]), for comparison")
    parser.add_argument("--profile", action="store_true",
                        help=f"instead of timing, profile one baseline year with cProfile "
                             f"(top {PROFILE_TOP} functions by own time)")
    args = parser.parse_args(argv)
    if args.repeats <= 0:
        parser.error("--repeats must be positive")
    if args.profile:
        profile_baseline()
        return 0

    info = machine()
    print(f"baseline with dynamics (1 replication-year) vs M/M/5 at 90% ({MMC_INCIDENTS:,} incidents), "
          f"best of {args.repeats}, each run in a fresh process")
    print(f"machine: {info['cpu_model']}, {info['nproc']} CPUs, Python {info['python']}")
    cases = {"mmc": ("mmc", MMC_INCIDENTS), "baseline": ("baseline", 364)}
    if args.plain:
        cases["plain"] = ("plain", 364)
    results = measure(cases, args.repeats, memory=not args.no_memory)

    print(f"\n{'case':<9} {'incidents':>9} {'events':>9} {'best s':>7} {'engine s':>8} {'CPU s':>7} "
          f"{'us/inc':>7} {'engine us/inc':>13} {'RSS+ MB':>8} {'traced MB':>9} {'log MB':>7}")
    for name, res in results.items():
        print(f"{name:<9} {res['incidents']:>9,} {res['events']:>9,} {res['best_s']:>7.3f} "
              f"{res['best_timings_s']['engine_s']:>8.3f} {res['best_cpu_s']:>7.3f} "
              f"{res['us_per_incident']['simulate']:>7.1f} {res['us_per_incident']['engine']:>13.1f} "
              f"{res['peak_rss_growth_mb']:>8.1f} {res.get('traced_peak_mb', float('nan')):>9.1f} "
              f"{res['log_mb']:>7.2f}")
    ratios = {
        f"baseline/mmc per incident ({k})": results["baseline"]["us_per_incident"][k]
        / results["mmc"]["us_per_incident"][k]
        for k in ("simulate", "simulate_cpu", "engine")
    }
    ratios["baseline/mmc per event (engine)"] = (results["baseline"]["us_per_event_engine"]
                                                 / results["mmc"]["us_per_event_engine"])
    if "plain" in results:
        ratios["plain/mmc per incident (simulate)"] = (results["plain"]["us_per_incident"]["simulate"]
                                                       / results["mmc"]["us_per_incident"]["simulate"])
    for key, value in ratios.items():
        print(f"{key}: {value:.2f}x")
    peak = max(results["baseline"]["peak_rss_growth_mb"], results["baseline"].get("traced_peak_mb", 0.0))
    verdicts = {
        "time": ratios["baseline/mmc per incident (simulate)"] <= TARGET_RATIO,
        "memory": peak < TARGET_PEAK_MB,
    }
    print(f"target: <= {TARGET_RATIO:g}x the pure queue's time per incident: "
          f"{'met' if verdicts['time'] else 'NOT met'}; peak memory < {TARGET_PEAK_MB:g} MB "
          f"({peak:.1f} MB): {'met' if verdicts['memory'] else 'NOT met'}")

    if args.json:
        write_json(args.json, {
            "benchmark": "baseline_year",
            "dynamics": DYNAMICS,
            "repeats": args.repeats,
            "machine": info,
            "results": results,
            "ratios": ratios,
            "targets": {"ratio_max": TARGET_RATIO, "peak_mb_max": TARGET_PEAK_MB, "met": verdicts},
        })
    return 0


if __name__ == "__main__":
    sys.exit(main())
