"""The ``itsim`` command line: run, validate (and the commands that build on them).

Exit codes: 0 success; 2 bad input (scenario or flag), one line per problem and
no traceback; 1 an unexpected internal error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from itsim.scenario import ScenarioError, load_scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate IT demand versus IT supply, and show where the hours go.",
)


class BadInput(Exception):
    """Problems with what the user gave us; each line is printed as is."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _positive(name: str, value: int) -> None:
    if value < 1:
        raise BadInput([f"{name}: must be >= 1 (got {value})"])


def _progress(total: int, label: str):
    """A progress callback: a bar on a terminal, plain lines otherwise."""
    if sys.stderr.isatty():
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task(label, total=total)
        bar.start()

        def update(done: int) -> None:
            bar.update(task, completed=done)
            if done >= total:
                bar.stop()

        return update

    step = max(1, total // 10)

    def plain(done: int) -> None:
        if done == total or done % step == 0:
            print(f"{label}: {done}/{total}", file=sys.stderr, flush=True)

    return plain


@app.command()
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario TOML files to check.")],
) -> None:
    """Check scenario files; print every problem as FILE: path.to.field: problem."""
    from itsim.experiment import policy_for

    problems: list[str] = []
    for path in scenarios:
        try:
            sc = load_scenario(path)
            policy_for(sc)
        except ScenarioError as exc:
            problems.extend(p if p.startswith(str(path)) else f"{path}: {p}" for p in exc.problems)
    if problems:
        raise BadInput(problems)
    for path in scenarios:
        typer.echo(f"{path}: ok")


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    replications: Annotated[int, typer.Option(help="Independent replications.")] = 10,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default: out/<file name>).")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    samples: Annotated[int | None, typer.Option(
        help="Latin-hypercube samples of the uncertain inputs, each run --replications times (default 10).")] = None,
) -> None:
    """Simulate a scenario; write summary.json, runs.parquet, timeseries.parquet and the report."""
    from itsim.experiment import policy_for, replicate
    from itsim.narrative import headline
    from itsim.store import write_run
    from itsim.uncertainty.nested import DEFAULT_SAMPLES, describe

    _positive("--replications", replications)
    _positive("--workers", workers)
    if samples is not None:
        _positive("--samples", samples)
    if seed is not None and seed < 0:
        raise BadInput([f"--seed: must be >= 0 (got {seed})"])
    try:
        sc = load_scenario(scenario)
        policy_for(sc)
    except ScenarioError as exc:
        raise BadInput(exc.problems) from None
    if samples is not None and not sc.uncertain:
        raise BadInput([f"--samples: {scenario} has no uncertain inputs (write a number as {{ uncertain = ... }})"])
    out = out if out is not None else Path("out") / scenario.stem
    total = replications * ((samples or DEFAULT_SAMPLES) if sc.uncertain else 1)
    result = replicate(
        sc, replications=replications, seed=seed, workers=workers,
        progress=_progress(total, f"simulating {sc.name}"), samples=samples,
    )
    write_run(out, sc, result)
    from itsim.report import write_report

    report = write_report(out)
    s = result.summary
    typer.echo(f"{sc.name}: {s['replications']} replications of {sc.scenario.horizon_days} days (seed {s['seed']})")
    for line in headline(s) + describe(s):
        typer.echo("  " + line)
    typer.echo(f"Results in {out}/" + (f" (report: {report})" if report else ""))


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    vary: Annotated[list[str], typer.Option(help="KEY=START:STOP:STEPS or KEY=V1,V2,... (repeatable).")],
    policy: Annotated[
        list[str] | None, typer.Option(help="Policy to compare (repeatable; default: the scenario's).")
    ] = None,
    replications: Annotated[int, typer.Option(help="Replications per cell.")] = 10,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default: out/<file name>-sweep).")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    executor: Annotated[str, typer.Option(help="Where cells run: local or dask.")] = "local",
    address: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")] = None,
) -> None:
    """Sweep a grid of scenario values and policies; resumable (complete cells in --out are kept)."""
    from itsim.executors import DaskExecutor
    from itsim.sweep import SweepMismatch, plan
    from itsim.sweep import sweep as run_sweep

    _positive("--replications", replications)
    _positive("--workers", workers)
    problems = [f"--seed: must be >= 0 (got {seed})"] if seed is not None and seed < 0 else []
    grid = _specs("--vary", vary, problems)
    problems += _executor_problems(executor, address)
    if problems:
        raise BadInput(problems)
    try:
        sc = load_scenario(scenario)
        cells = plan(sc, grid, policy)
    except ScenarioError as exc:
        raise BadInput(exc.problems) from None
    out = out if out is not None else Path("out") / f"{scenario.stem}-sweep"

    runner = _executor(executor, address, workers)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or _progress(total, f"sweeping {sc.name}")
        bar(done)

    try:
        result = run_sweep(sc, grid, policy, replications=replications, seed=seed, out=out,
                           executor=runner, progress=progress)
    except SweepMismatch as exc:
        raise BadInput([str(exc)]) from None
    finally:
        if isinstance(runner, DaskExecutor):
            runner.close()
    failed = len(result.failed)
    report = _write_sweep_report(out) if failed < len(cells) else None
    n_policies = len(result.policies)
    shape = " x ".join([f"{len(v)} values of {k}" for k, v in grid.items()]
                       + [f"{n_policies} {'policy' if n_policies == 1 else 'policies'}"])
    typer.echo(f"{sc.name}: {len(cells)} cells ({shape}), {replications} replications each (seed {result.seed}); "
               f"{len(cells) - result.resumed} computed, {result.resumed} already done")
    try:
        points = result.too_busy_point()
    except ValueError:
        points = {}
    for name, entry in points.items():
        key = entry["varied"]
        if entry["point"] is None:
            typer.echo(f"  {name}: not too busy anywhere in {key} {min(grid[key])}..{max(grid[key])}")
            continue
        lo, hi = entry["ci95"]
        span = f"{lo:.3g} to {hi:.3g}" if hi is not None else f"{lo:.3g} to beyond {max(grid[key])}"
        typer.echo(f"  {name}: too busy from {key} = {entry['point']:.3g} (95% interval {span})")
    if failed:
        typer.echo(f"{failed} of {len(cells)} cells failed; see {out}/cells/*/error.txt (rerun to retry them)")
    typer.echo(f"Results in {out}/" + (f" (report: {report})" if report else ""))
    if failed:
        sys.exit(1)


def _specs(flag: str, texts: list[str], problems: list[str]) -> dict[str, list]:
    """``KEY=SPEC`` flags as key -> values; bad ones are added to ``problems``."""
    from itsim.sweep import parse_vary

    found: dict[str, list] = {}
    for text in texts:
        try:
            key, values = parse_vary(text)
        except ValueError as exc:
            problems.append(f"{flag} {exc}")
            continue
        if key in found:
            problems.append(f"{flag} {key}: given more than once")
        found[key] = values
    return found


def _executor_problems(executor: str, address: str | None) -> list[str]:
    if executor not in ("local", "dask"):
        return [f"--executor: must be local or dask (got {executor!r})"]
    if executor == "dask" and not address:
        return ["--address: required with --executor dask"]
    if executor == "local" and address:
        return ["--address: only with --executor dask"]
    return []


def _executor(executor: str, address: str | None, workers: int):
    """Local processes, or a client of the Dask scheduler at ``address`` (checked now)."""
    from itsim.executors import DaskExecutor, LocalExecutor

    if executor == "local":
        return LocalExecutor(workers)
    runner = DaskExecutor(address)
    try:
        runner.connect()
    except (OSError, TimeoutError, ValueError) as exc:
        raise BadInput([f"--address: cannot reach a Dask scheduler at {address} ({exc})"]) from None
    return runner


def _write_sweep_report(out: Path) -> Path:
    """The sweep report (imported here: charting libraries are slow to load)."""
    from itsim.report import write_sweep_report

    return write_sweep_report(out)


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="A run or sweep output directory.")],
) -> None:
    """Rebuild report.html and charts/ from stored results."""
    from itsim.report import build_report

    try:
        path = build_report(directory)
    except FileNotFoundError as exc:
        raise BadInput([str(exc)]) from None
    typer.echo(f"Report: {path}")


@app.command()
def compare(
    dir_a: Annotated[Path, typer.Argument(help="First run directory.")],
    dir_b: Annotated[Path, typer.Argument(help="Second run directory.")],
) -> None:
    """Metrics side by side with 95% intervals, and the paired difference B - A when
    both runs share seeds."""
    from itsim.compare import compare as compare_runs
    from itsim.compare import format_comparison

    missing = [f"{d}: no summary.json (not a run directory)" for d in (dir_a, dir_b)
               if not (d / "summary.json").exists()]
    if missing:
        raise BadInput(missing)
    typer.echo(format_comparison(compare_runs(dir_a, dir_b)))


@app.command("plan")
def plan_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (today's plan).")],
    lever: Annotated[list[str] | None, typer.Option(
        help="KEY=START:STOP:STEPS or KEY=V1,V2,...: a dotted key or policy parameter (repeatable).")] = None,
    policy: Annotated[list[str] | None, typer.Option(
        help="Policy choice (repeatable; a+b combines; default: the scenario's).")] = None,
    risk: Annotated[float, typer.Option(help="Largest acceptable chance of being too busy (0-1).")] = 0.1,
    demand: Annotated[str, typer.Option(help="Demand levels the plan must hold at, e.g. 1.0,1.2.")] = "1.0",
    budget: Annotated[float | None, typer.Option(help="Leave out options priced above this (money).")] = None,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default: out/<file name>-plan).")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    executor: Annotated[str, typer.Option(help="Where replications run: local or dask.")] = "local",
    address: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")] = None,
    max_replications: Annotated[int, typer.Option(help="Most replications per option and demand level.")] = 40,
    first_look: Annotated[int, typer.Option(help="Replications of the first look at every option.")] = 4,
) -> None:
    """Find the cheapest option that keeps the chance of being too busy at or below --risk at every
    --demand level, and the cost-versus-risk frontier; writes plan.json and plan.html (resumable)."""
    from itsim.executors import DaskExecutor
    from itsim.plan import PlanFailed, PlanMismatch, plan_search
    from itsim.plan.report import write_plan_report
    from itsim.plan.words import summary_lines
    from itsim.store import atomic_write_json

    for name, value in (("--workers", workers), ("--max-replications", max_replications),
                        ("--first-look", first_look)):
        _positive(name, value)
    problems = [f"--seed: must be >= 0 (got {seed})"] if seed is not None and seed < 0 else []
    if not 0 <= risk < 1:
        problems.append(f"--risk: must be at least 0 and below 1 (got {risk:g})")
    levers = _specs("--lever", lever or [], problems)
    if not levers and not policy:
        problems.append("--lever: give at least one --lever or --policy to choose from")
    try:
        levels = [float(x) for x in demand.split(",")]
    except ValueError:
        problems.append(f"--demand: expected numbers separated by commas (got {demand!r})")
        levels = []
    problems += _executor_problems(executor, address)
    if problems:
        raise BadInput(problems)
    sc = load_scenario(scenario)
    out = out if out is not None else Path("out") / f"{scenario.stem}-plan"
    runner = _executor(executor, address, workers)
    bars: dict[int, object] = {}

    def progress(round_no: int, done: int, total: int) -> None:
        bar = bars.setdefault(round_no, _progress(total, f"planning {sc.name}, round {round_no}"))
        bar(done)

    try:
        result = plan_search(sc, levers, policy, risk=risk, demand=levels, budget=budget, seed=seed, out=out,
                             executor=runner, max_replications=max_replications, first_look=first_look,
                             progress=progress)
    except PlanMismatch as exc:
        raise BadInput([str(exc)]) from None
    except PlanFailed as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        sys.exit(1)
    finally:
        if isinstance(runner, DaskExecutor):
            runner.close()
    atomic_write_json(out / "plan.json", result.data)
    report = write_plan_report(out)
    typer.echo(f"{sc.name}: plan search (seed {result.data['seed']})")
    for line in summary_lines(result.data):
        typer.echo("  " + line)
    typer.echo(f"Results in {out}/ (plan.json; report: {report})")


@app.command()
def sensitivity(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    method: Annotated[str, typer.Option(help="morris (elementary effects) or sobol (variance-based).")] = "morris",
    samples: Annotated[int | None, typer.Option(
        help="Morris trajectories (default 10) or Sobol' base samples (default 32).")] = None,
    replications: Annotated[int, typer.Option(help="Replications per design point.")] = 4,
    spread: Annotated[float, typer.Option(
        help="Range around guessed numbers when the scenario declares no uncertain inputs.")] = 0.2,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default: out/<file name>-sensitivity).")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
) -> None:
    """Rank the uncertain inputs (or the usually guessed numbers, +/- --spread) by their effect
    on the chance of being too busy, time to value and cost; writes sensitivity.json and .html."""
    from itsim.sensitivity import METHODS, analyse, pin_down_first
    from itsim.sensitivity_report import write_sensitivity_report
    from itsim.store import atomic_write_json, atomic_write_text

    _positive("--replications", replications)
    _positive("--workers", workers)
    problems = []
    if method not in METHODS:
        problems.append(f"--method: must be morris or sobol (got {method!r})")
    if samples is not None and samples < 2:
        problems.append(f"--samples: must be >= 2 (got {samples})")
    if not 0 < spread < 1:
        problems.append(f"--spread: must be between 0 and 1 (got {spread:g})")
    if seed is not None and seed < 0:
        problems.append(f"--seed: must be >= 0 (got {seed})")
    if problems:
        raise BadInput(problems)
    try:
        import SALib  # noqa: F401
    except ImportError:
        typer.echo("itsim sensitivity needs SALib: pip install 'itsim[decide]'", err=True)
        sys.exit(1)
    sc = load_scenario(scenario)
    out = out if out is not None else Path("out") / f"{scenario.stem}-sensitivity"
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or _progress(total, f"sensitivity of {sc.name}")
        bar(done)

    result = analyse(sc, method, samples, replications, spread, seed, workers=workers, progress=progress)
    atomic_write_text(out / "scenario.toml", sc.dumps())
    atomic_write_json(out / "sensitivity.json", result)
    report = write_sensitivity_report(out)
    typer.echo(f"{sc.name}: {len(result['factors'])} assumptions, {result['method']}, {result['runs']:,} runs "
               f"(seed {result['seed']})")
    for line in pin_down_first(result) + result["notes"]:
        typer.echo("  " + line)
    typer.echo(f"Results in {out}/ (sensitivity.json; report: {report})")


def main() -> None:
    """Entry point: maps bad input to exit 2 and internal errors to exit 1, without tracebacks."""
    try:
        app(standalone_mode=False)
    except BadInput as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        sys.exit(2)
    except ScenarioError as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        sys.exit(2)
    except Exception as exc:  # usage errors from the command-line parser, and genuine failures
        code = getattr(exc, "exit_code", None)
        if hasattr(exc, "format_message") and isinstance(code, int):
            typer.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(code)
        if type(exc).__name__ == "Abort":
            typer.echo("interrupted", err=True)
            sys.exit(130)
        typer.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)

if __name__ == "__main__":
    main()
