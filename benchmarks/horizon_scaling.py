"""Time and memory of one replication against its horizon: 1, 5 and 20 simulated years.

The baseline with every feedback loop on (``baseline_year.DYNAMICS``) and no
care and feeding of delivered systems (``baseline_year.STEADY``, so that the
department stays in the same state for decades; ``--growing`` keeps it on, and
the department then tips into the tech-debt spiral some years in), one
replication of 364, 1,820 and 7,280 days (plus the 28-day warm-up), each run in
a fresh Python process, rounds interleaved, best of ``--repeats``. Time should
grow linearly with the number of events (equal microseconds per event, and
about equal seconds per simulated year while the department is steady); memory
should grow only by what the run keeps, the event log (16 bytes per event, 16
per work item, plus the due-time table): what the run holds besides its log
should stay flat, and the peak (reached while metrics read the log) should stay
a fixed multiple of the log.

Run from the repository root::

    python -m benchmarks.horizon_scaling --repeats 2 --json out/horizon_scaling.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.baseline_year import DYNAMICS, STEADY, measure
from benchmarks.mmc_speed import machine
from benchmarks.results import write_json

YEARS = (1, 5, 20)
DAYS_PER_YEAR = 364  # 52 whole weeks, as in the baseline
TARGET_RATIO = 1.2  # microseconds per event, longest horizon / shortest, at most


def main(argv: list[str] | None = None) -> int:
    """Parse flags, run the benchmark, print a table and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, nargs="+", default=list(YEARS),
                        help="horizons in simulated years; default 1 5 20")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per horizon, best kept; default 2")
    parser.add_argument("--growing", action="store_true",
                        help="keep the baseline's care and feeding of delivered systems (maintenance grows)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.repeats <= 0 or any(y <= 0 for y in args.years):
        parser.error("--repeats and --years must be positive")

    info = machine()
    which = "baseline" if args.growing else "steady"
    state = "growing maintenance" if args.growing else "steady"
    print(f"baseline with dynamics ({state}), horizons {', '.join(map(str, args.years))} years, "
          f"best of {args.repeats}, each run in a fresh process")
    print(f"machine: {info['cpu_model']}, {info['nproc']} CPUs, Python {info['python']}")
    cases = {f"{y}y": (which, y * DAYS_PER_YEAR) for y in args.years}
    results = measure(cases, args.repeats, memory=not args.no_memory)

    print(f"\n{'horizon':<7} {'incidents':>9} {'events':>10} {'best s':>8} {'s/year':>7} {'CPU s/year':>10} "
          f"{'us/event':>8} {'RSS+ MB':>8} {'traced MB':>9} {'held MB':>8} {'log MB':>7} "
          f"{'held-log':>8} {'peak/log':>8}")
    for name, res in results.items():
        years = res["simulated_days"] / DAYS_PER_YEAR  # warm-up included: the engine simulates it too
        res["s_per_year"] = res["best_s"] / years
        res["cpu_s_per_year"] = res["best_cpu_s"] / years
        res["us_per_event"] = 1e6 * res["best_s"] / res["events"]
        if "traced_peak_mb" in res:
            res["traced_held_minus_log_mb"] = res["traced_held_mb"] - res["log_mb"]
            res["traced_peak_per_log"] = res["traced_peak_mb"] / res["log_mb"]
        print(f"{name:<7} {res['incidents']:>9,} {res['events']:>10,} {res['best_s']:>8.2f} "
              f"{res['s_per_year']:>7.3f} {res['cpu_s_per_year']:>10.3f} {res['us_per_event']:>8.1f} "
              f"{res['peak_rss_growth_mb']:>8.1f} {res.get('traced_peak_mb', float('nan')):>9.1f} "
              f"{res.get('traced_held_mb', float('nan')):>8.1f} {res['log_mb']:>7.2f} "
              f"{res.get('traced_held_minus_log_mb', float('nan')):>8.1f} "
              f"{res.get('traced_peak_per_log', float('nan')):>8.1f}")
    first, last = results[list(cases)[0]], results[list(cases)[-1]]
    ratios = {
        "s_per_year longest/shortest": last["s_per_year"] / first["s_per_year"],
        "cpu_s_per_year longest/shortest": last["cpu_s_per_year"] / first["cpu_s_per_year"],
        "us_per_event longest/shortest": last["us_per_event"] / first["us_per_event"],
    }
    for key, value in ratios.items():
        print(f"{key}: {value:.2f}x")
    met = ratios["us_per_event longest/shortest"] <= TARGET_RATIO
    print(f"target: time per event within {TARGET_RATIO:g}x from the shortest to the longest "
          f"horizon: {'met' if met else 'NOT met'}")

    if args.json:
        write_json(args.json, {
            "benchmark": "horizon_scaling",
            "dynamics": DYNAMICS,
            "changes": {} if args.growing else STEADY,
            "years": args.years,
            "repeats": args.repeats,
            "machine": info,
            "results": results,
            "ratios": ratios,
            "targets": {"us_per_event_ratio_max": TARGET_RATIO, "met": met},
        })
    return 0


if __name__ == "__main__":
    sys.exit(main())
