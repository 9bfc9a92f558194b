"""What a user waits for: the command line end to end, this tree against another, side by side.

Each case runs the ``itsim`` command line of a source tree in a fresh process
(``PYTHONPATH`` set to the tree, so an older checkout runs its own code with the
same interpreter and packages), rounds interleaved in rotating order:

- ``help`` and ``validate``: import time of ``itsim --help`` and of ``itsim
  validate scenarios/baseline.toml``, the sum of the top-level entries of
  ``python -X importtime`` (seconds of imports, not of the process);
- ``run``: ``itsim run scenarios/baseline.toml`` with its default flags (10
  replications of a year; this tree's default workers and no images), wall time
  and CPU time of the process and its workers;
- ``report``: ``itsim report`` on that run's directory;
- ``sweep again``: a finished sweep (3 demand levels of the baseline, 3
  replications) run again with the same arguments.

Compiled modules are cached (``PYTHONPYCACHEPREFIX`` in the benchmark's own
folder), as they are for an installed package; ``--no-bytecode-cache`` compiles
every module at every start instead, as ``PYTHONDONTWRITEBYTECODE=1`` does.

Extra cases for this tree alone: ``run --images``, and ``run`` with an empty cache
of the chart libraries (``ITSIM_CACHE_DIR`` pointing at a new folder). The other
cases use a cache warmed before the first round. Then ``--phases`` splits one
``itsim run`` of this tree into its parts (imports, simulation, results, report),
measured inside one process.

Run from the repository root, with another tree checked out for comparison::

    git archive main | tar -x -C /tmp/itsim-main    # into an empty folder
    python -m benchmarks.end_to_end --against /tmp/itsim-main --repeats 5 --phases --json out/end_to_end.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
CLI = "import sys; from itsim.cli import main; sys.argv[0] = 'itsim'; main()"
SWEEP_ARGS = ["--vary", "demand_scale=0.8,1.0,1.2", "--replications", "3"]


def importtime_s(stderr: str) -> float:
    """Seconds of imports in ``python -X importtime`` output: the sum of its top-level entries."""
    total = 0
    for line in stderr.splitlines():
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3 and parts[1].strip().isdigit() \
                and not parts[2].startswith("  "):
            total += int(parts[1])
    return total / 1e6


def child_env(bytecode: Path | None, **extra: str) -> dict[str, str]:
    """The environment of a measured process: compiled modules cached under ``bytecode`` (as an
    installed package has them), or never cached when None."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if bytecode is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return {**env, **extra}


class Tree:
    """A source tree of itsim, run through its own command line."""

    def __init__(self, name: str, path: Path, work: Path, cache: Path, bytecode: Path | None):
        self.name, self.path, self.work, self.cache, self.bytecode = name, path, work, cache, bytecode
        self.work.mkdir(parents=True, exist_ok=True)

    def cli(self, *args: str, importtime: bool = False, cache: Path | None = None) -> dict:
        """Run ``itsim ARGS`` of this tree; wall and CPU seconds (process and workers), import seconds."""
        env = child_env(self.bytecode, PYTHONPATH=str(self.path), ITSIM_CACHE_DIR=str(cache or self.cache))
        command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", CLI, *args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=self.work, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"{self.name}: itsim {' '.join(args)} failed:\n{proc.stderr}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        result = {"wall_s": wall, "cpu_s": cpu}
        if importtime:
            result["import_s"] = importtime_s(proc.stderr)
        return result

    def origin(self) -> Path:
        env = {**os.environ, "PYTHONPATH": str(self.path)}
        out = subprocess.run([sys.executable, "-c", "import itsim; print(itsim.__file__)"], cwd=self.work,
                             env=env, capture_output=True, text=True, check=True).stdout.strip()
        return Path(out).parent.parent


def cases(tree: Tree, own: bool) -> dict:
    """Case name -> a function measuring it once in ``tree`` (``own``: this tree's extra cases)."""
    run_dir, sweep_dir = tree.work / "run", tree.work / "sweep"
    found = {
        "help": lambda: tree.cli("--help", importtime=True),
        "validate": lambda: tree.cli("validate", str(BASELINE), importtime=True),
        "run": lambda: tree.cli("run", str(BASELINE), "--out", str(run_dir)),
        "report": lambda: tree.cli("report", str(run_dir)),
        "sweep again": lambda: tree.cli("sweep", str(BASELINE), *SWEEP_ARGS, "--out", str(sweep_dir)),
    }
    if own:
        images_dir = tree.work / "run-images"
        found["run --images"] = lambda: tree.cli("run", str(BASELINE), "--out", str(images_dir), "--images")

        def cold() -> dict:
            empty = Path(tempfile.mkdtemp(prefix="cache-", dir=tree.work))
            try:
                return tree.cli("run", str(BASELINE), "--out", str(tree.work / "run-cold"), cache=empty)
            finally:
                shutil.rmtree(empty)

        found["run, empty cache"] = cold
    return found


def phases() -> dict:
    """One ``itsim run`` of the baseline split into its parts, in this process (seconds wall, and
    CPU of this process and of its finished workers)."""
    marks: dict[str, dict] = {}

    def now() -> tuple[float, float]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.perf_counter(), time.process_time() + children.ru_utime + children.ru_stime

    clock = [*now()]

    def mark(name: str) -> None:
        t = now()
        marks[name] = {"wall_s": t[0] - clock[0], "cpu_s": t[1] - clock[1]}
        clock[:] = now()

    import itsim.cli  # noqa: F401
    mark("import the command line")
    from itsim.experiment import replicate
    from itsim.scenario import load_scenario
    from itsim.store import write_run
    mark("import the engine (pandas, simpy, ...)")
    scenario = load_scenario(BASELINE)
    result = replicate(scenario, replications=10, workers=None)
    mark("simulate 10 replications (default workers; metrics included)")
    out = Path(tempfile.mkdtemp(prefix="itsim-phases-"))
    write_run(out, scenario, result)
    mark("write results (parquet, json)")
    from itsim.report import build
    mark("import the report (altair, ...)")
    from itsim.report.page import javascript
    javascript()
    mark("chart libraries from the cache")
    build.write_report(out)
    mark("build charts, render and write report.html")
    shutil.rmtree(out)
    from itsim.experiment import simulate

    start = time.perf_counter()
    one = simulate(scenario, keep_events=False)
    whole = time.perf_counter() - start
    marks["one replication in this process: whole simulate"] = {"wall_s": whole}
    marks["one replication: engine"] = {"wall_s": one.timings["engine_s"]}
    marks["one replication: metrics"] = {"wall_s": one.timings["metrics_s"]}
    return marks


def summarise(samples: list[dict]) -> dict:
    out = {}
    for key in samples[0]:
        values = sorted(s[key] for s in samples)
        out[key] = {"min": values[0], "median": statistics.median(values), "max": values[-1]}
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child-phases"]:
        print(json.dumps(phases()))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, help="another source tree of itsim (e.g. main, checked out)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--phases", action="store_true", help="also split one run of this tree into its parts")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="compile every module at every start (as with PYTHONDONTWRITEBYTECODE=1)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="itsim-e2e-"))
    bytecode = None if args.no_bytecode_cache else work / "bytecode"
    try:
        trees = [Tree("this tree", ROOT, work / "this", work / "cache-this", bytecode)]
        if args.against is not None:
            trees.append(Tree("against", args.against.resolve(), work / "against", work / "cache-against",
                              bytecode))
        for tree in trees:
            if tree.origin() != tree.path:
                raise RuntimeError(f"{tree.name}: itsim was imported from {tree.origin()}, not {tree.path}")
        plans = [(tree, name, fn) for i, tree in enumerate(trees) for name, fn in cases(tree, i == 0).items()]
        for tree in trees:  # warm the chart cache and leave a finished run and sweep to report and redo
            tree.cli("run", str(BASELINE), "--out", str(tree.work / "run"))
            tree.cli("sweep", str(BASELINE), *SWEEP_ARGS, "--out", str(tree.work / "sweep"))
        samples: dict[tuple[str, str], list[dict]] = {}
        for r in range(args.repeats):
            shift = r % len(plans)
            for tree, name, fn in plans[shift:] + plans[:shift]:
                samples.setdefault((tree.name, name), []).append(fn())
                print(f"round {r + 1}: {tree.name:9s} {name:18s} "
                      + " ".join(f"{k} {v:.3f}" for k, v in samples[(tree.name, name)][-1].items()), flush=True)
        results = {"repeats": args.repeats, "load_average": os.getloadavg(), "bytecode_cache": bytecode is not None,
                   "trees": {t.name: str(t.path) for t in trees}, "cases": {}}
        print(f"\n{'case':20s} {'tree':10s} {'wall s (min / median / max)':30s} {'CPU s':24s} import s")
        for (tree_name, name), runs in samples.items():
            stats = summarise(runs)
            results["cases"].setdefault(name, {})[tree_name] = stats

            def cell(key: str, stats: dict = stats) -> str:
                s = stats.get(key)
                return f"{s['min']:.2f} / {s['median']:.2f} / {s['max']:.2f}" if s else "-"

            print(f"{name:20s} {tree_name:10s} {cell('wall_s'):30s} {cell('cpu_s'):24s} {cell('import_s')}")
        if args.phases:
            proc = subprocess.run([sys.executable, "-m", "benchmarks.end_to_end", "--child-phases"], cwd=ROOT,
                                  env=child_env(bytecode, ITSIM_CACHE_DIR=str(trees[0].cache)),
                                  capture_output=True, text=True, check=True)
            results["phases"] = json.loads(proc.stdout.strip().splitlines()[-1])
            print("\none itsim run of this tree, in one process:")
            for name, t in results["phases"].items():
                cpu = f"  CPU {t['cpu_s']:.3f}" if "cpu_s" in t else ""
                print(f"  {name:62s} wall {t['wall_s']:.3f}{cpu}")
        if args.json:
            from benchmarks.results import write_json  # imports itsim: not before the children ran

            write_json(args.json, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
