"""Speed of the pure incident queue: M/M/5 at 90% load, side by side in one process.

Three implementations simulate the same queue (arrival rate 4.5 per hour,
exponential effort with mean 1 hour, 5 servers, 24x7, no warm-up) over a
horizon of whole days long enough for about ``--incidents`` arrivals:

* ``itsim``  - the public API, ``itsim.simulate(scenario, seed=1)``, metrics included;
* ``ciw``    - Ciw 3.x, network built and records collected;
* ``simpy``  - a hand-written, fast SimPy loop: long-lived server processes
  pulling from a deque, idle servers parked on ``env.event()``, random numbers
  drawn in blocks (the design's reference for a flat hot path).

Each timing (``time.perf_counter``, wall-clock seconds) covers building the
model, running it to the horizon and computing the mean wait. Repeats are
interleaved, with the order rotated each round, so that machine noise hits every
implementation alike; the best of ``--repeats`` is reported. Throughput is
incidents arrived per wall-clock second (and, alongside, per second of this
process's CPU time, which other load on a shared machine disturbs less). Each
implementation's mean wait (hours, arrival to start of service) is checked
against Erlang C.

Run from the repository root::

    python -m benchmarks.mmc_speed --incidents 200000 --repeats 3 --json out/mmc_speed.json
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import math
import os
import platform
import pstats
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from itertools import chain, repeat
from pathlib import Path

import ciw
import numpy as np
import simpy

import itsim
from itsim.store import atomic_write_text

ARRIVAL_RATE = 4.5  # incidents per hour
SERVICE_RATE = 1.0  # incidents per hour per server (mean effort 1 hour)
SERVERS = 5
SEED = 1
BLOCK = 4096  # random numbers drawn per numpy call in the hand-written loop
IMPLEMENTATIONS = ("itsim", "ciw", "simpy")
PROFILE_TOP = 15  # functions listed by --profile
# Relative standard deviation of one run's mean wait at 200,000 incidents, measured
# over 10 seeds of the hand-written loop (it shrinks as 1/sqrt(incidents)); a run
# more than 3 of these from Erlang C is flagged.
WAIT_REL_SD_200K = 0.05


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> tuple[float, float]:
    """Probability of waiting and mean wait (hours) of an M/M/c queue (Erlang C).

    Rates are per hour; requires ``arrival_rate < servers * service_rate``.
    """
    a = arrival_rate / service_rate  # offered load, erlangs
    rho = a / servers
    terms = sum(a**k / math.factorial(k) for k in range(servers))
    top = a**servers / math.factorial(servers) / (1 - rho)
    p_wait = top / (terms + top)
    return p_wait, p_wait / (servers * service_rate - arrival_rate)


def horizon_hours(incidents: int) -> float:
    """Simulated hours, in whole days, over which at least ``incidents`` arrive on average."""
    return 24.0 * math.ceil(incidents / (ARRIVAL_RATE * 24))


def _exponentials(rng: np.random.Generator, mean: float) -> Iterator[float]:
    """Endless exponential variates with ``mean``, drawn ``BLOCK`` at a time."""
    return chain.from_iterable(rng.exponential(mean, BLOCK).tolist() for _ in repeat(None))


def run_simpy(horizon: float) -> dict:
    """The hand-written SimPy loop over ``horizon`` hours.

    Returns incidents arrived and the mean wait (hours) of those started.
    """
    env = simpy.Environment()
    seeds = np.random.SeedSequence(SEED).spawn(2)
    gaps = _exponentials(np.random.default_rng(seeds[0]), 1 / ARRIVAL_RATE)
    efforts = _exponentials(np.random.default_rng(seeds[1]), 1 / SERVICE_RATE)
    queue: deque[float] = deque()  # arrival times of waiting incidents, hours
    idle: list[simpy.Event] = []  # wake-up events of parked servers
    waits: list[float] = []  # hours from arrival to start of service

    def arrivals():
        timeout, enqueue = env.timeout, queue.append
        while True:
            yield timeout(next(gaps))
            enqueue(env.now)
            if idle:
                idle.pop().succeed()

    def server():
        timeout, event, dequeue, park, record = (
            env.timeout, env.event, queue.popleft, idle.append, waits.append
        )
        while True:
            while not queue:
                wake = event()
                park(wake)
                yield wake
            record(env.now - dequeue())
            yield timeout(next(efforts))

    env.process(arrivals())
    for _ in range(SERVERS):
        env.process(server())
    env.run(until=horizon)
    return {"incidents": len(waits) + len(queue), "mean_wait_h": statistics.fmean(waits)}


def run_ciw(horizon: float) -> dict:
    """Ciw over ``horizon`` hours; mean wait (hours) over completed incidents."""
    ciw.seed(SEED)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(rate=SERVICE_RATE)],
        number_of_servers=[SERVERS],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    waits = [r.waiting_time for r in sim.get_all_records()]
    return {
        "incidents": sim.nodes[0].number_of_individuals,
        "mean_wait_h": statistics.fmean(waits),
    }


def itsim_scenario(horizon: float):
    """The M/M/5 scenario as an ``itsim.Scenario``, ``horizon`` hours long."""
    return itsim.Scenario.from_dict(
        {
            "scenario": {
                "name": "M/M/5 at 90%",
                "horizon_days": round(horizon / 24),
                "warmup_days": 0,
                "calendar": "24x7",
                "seed": SEED,
            },
            "team": [{"role": "desk", "count": SERVERS}],
            "incidents": {
                "rate_per_hour": ARRIVAL_RATE,
                "effort_hours": {"dist": "exponential", "mean": 1 / SERVICE_RATE},
                "handled_by": ["desk"],
            },
        }
    )


def run_itsim(horizon: float) -> dict:
    """``itsim.simulate`` over ``horizon`` hours, scenario building included.

    Adds the engine's own split (seconds, ``run.timings``) when it reports one.
    """
    run = itsim.simulate(itsim_scenario(horizon), seed=SEED)
    out = {
        "incidents": int(run.metrics["incidents_arrived"]),
        "mean_wait_h": float(run.metrics["incident_wait_hours"]),
    }
    timings = getattr(run, "timings", None)
    if timings:
        out["timings_s"] = {k: float(v) for k, v in timings.items()}
    return out


RUNNERS: dict[str, Callable[[float], dict]] = {
    "itsim": run_itsim,
    "ciw": run_ciw,
    "simpy": run_simpy,
}


def measure(names: list[str], horizon: float, repeats: int) -> dict[str, dict]:
    """Time each runner ``repeats`` times, interleaved in rotating order.

    Returns, per name, the best and all wall-clock times (seconds), the same for
    this process's CPU time (seconds; steadier than wall-clock time on a shared
    machine), the last run's incidents and mean wait (identical across repeats:
    same seed), and the best of each ``timings_s`` entry when the runner reports them.
    """
    results: dict[str, dict] = {n: {"times_s": [], "cpu_times_s": []} for n in names}
    for r in range(repeats):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            gc.collect()
            start, cpu_start = time.perf_counter(), time.process_time()
            out = RUNNERS[name](horizon)
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
            res = results[name]
            res["times_s"].append(elapsed)
            res["cpu_times_s"].append(cpu)
            for key, value in out.pop("timings_s", {}).items():
                best = res.setdefault("timings_s", {})
                best[key] = min(value, best.get(key, math.inf))
            res.update(out)
            print(f"  round {r + 1}: {name:<6} {elapsed:8.3f} s wall {cpu:8.3f} s CPU", flush=True)
    for res in results.values():
        res["best_s"] = min(res["times_s"])
        res["incidents_per_s"] = res["incidents"] / res["best_s"]
        res["best_cpu_s"] = min(res["cpu_times_s"])
        res["incidents_per_cpu_s"] = res["incidents"] / res["best_cpu_s"]
    return results


def profile_itsim(horizon: float) -> None:
    """Profile one ``itsim.simulate`` over ``horizon`` hours with cProfile.

    Prints the top ``PROFILE_TOP`` functions by own time (seconds, inflated by
    the profiler's per-call overhead) and itsim's own split of the run.
    """
    scenario = itsim_scenario(horizon)
    profiler = cProfile.Profile()
    run = profiler.runcall(itsim.simulate, scenario, seed=SEED)
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(PROFILE_TOP)
    print(f"incidents {int(run.metrics['incidents_arrived']):,}; timings under the profiler: "
          + ", ".join(f"{k} {v:.3f} s" for k, v in getattr(run, "timings", {}).items()))


def machine() -> dict:
    """The machine and software the figures were taken on."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                model,
            )
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "simpy": simpy.__version__,
        "ciw": ciw.__version__,
        "numpy": np.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse flags, run the benchmark, print a table and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=200_000,
                        help="expected incidents per run (sets the horizon); default 200000")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed runs per implementation, best kept; default 3")
    parser.add_argument("--only", nargs="+", choices=IMPLEMENTATIONS, default=list(IMPLEMENTATIONS),
                        help="implementations to run; default all three")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--profile", action="store_true",
                        help=f"instead of timing, profile one itsim run with cProfile "
                             f"(top {PROFILE_TOP} functions by own time)")
    args = parser.parse_args(argv)
    if args.incidents <= 0 or args.repeats <= 0:
        parser.error("--incidents and --repeats must be positive")

    horizon = horizon_hours(args.incidents)
    if args.profile:
        profile_itsim(horizon)
        return 0
    p_wait, wq = erlang_c(SERVERS, ARRIVAL_RATE, SERVICE_RATE)
    tolerance = 3 * WAIT_REL_SD_200K * math.sqrt(200_000 / args.incidents)
    info = machine()
    print(f"M/M/{SERVERS} at {ARRIVAL_RATE / (SERVERS * SERVICE_RATE):.0%} load, "
          f"horizon {horizon:,.0f} h ({horizon / 24:,.1f} days), best of {args.repeats}")
    print(f"machine: {info['cpu_model']}, {info['nproc']} CPUs, Python {info['python']}")
    results = measure(list(args.only), horizon, args.repeats)

    print(f"\nErlang C: P(wait) = {p_wait:.4f}, mean wait = {wq:.4f} h "
          f"(a single run is flagged beyond +-{tolerance:.0%})")
    print(f"{'impl':<6} {'incidents':>10} {'best s':>8} {'incidents/s':>12} {'CPU s':>8} "
          f"{'per CPU s':>12} {'mean wait h':>12} {'vs Erlang C':>12}")
    for name, res in results.items():
        res["wait_rel_error"] = res["mean_wait_h"] / wq - 1
        res["wait_ok"] = abs(res["wait_rel_error"]) <= tolerance
        print(f"{name:<6} {res['incidents']:>10,} {res['best_s']:>8.3f} "
              f"{res['incidents_per_s']:>12,.0f} {res['best_cpu_s']:>8.3f} "
              f"{res['incidents_per_cpu_s']:>12,.0f} {res['mean_wait_h']:>12.4f} "
              f"{res['wait_rel_error']:>+12.1%}{'' if res['wait_ok'] else '  CHECK'}")
        if "timings_s" in res:
            split = ", ".join(f"{k} {v:.3f} s" for k, v in res["timings_s"].items())
            print(f"{'':<6} itsim's own split (best of each): {split}")

    ratios = {}
    if "itsim" in results:
        for other in ("ciw", "simpy"):
            if other in results:
                ratios[f"itsim/{other}"] = (results["itsim"]["incidents_per_s"]
                                            / results[other]["incidents_per_s"])
                ratios[f"itsim/{other} (CPU)"] = (results["itsim"]["incidents_per_cpu_s"]
                                                  / results[other]["incidents_per_cpu_s"])
    for key, value in ratios.items():
        print(f"{key}: {value:.2f}x")

    if args.json:
        atomic_write_text(args.json, json.dumps({
            "benchmark": "mmc_speed",
            "queue": {"servers": SERVERS, "arrival_rate_per_h": ARRIVAL_RATE,
                      "service_rate_per_h": SERVICE_RATE, "horizon_h": horizon,
                      "seed": SEED},
            "erlang_c": {"p_wait": p_wait, "mean_wait_h": wq, "wait_rel_tolerance": tolerance},
            "repeats": args.repeats,
            "machine": info,
            "results": results,
            "ratios": ratios,
        }, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
