"""The ``itsim`` command line: run, validate (and the commands that build on them).

Exit codes: 0 success; 2 bad input (scenario or flag), one line per problem and
no traceback; 1 an unexpected internal error.
"""

from __future__ import annotations

import atexit
import gc
import sys
from pathlib import Path
from typing import Annotated

import typer

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


def _workers_help() -> str:
    from itsim.cores import usable_cores

    return f"Local worker processes (default: one per usable core, {usable_cores()} here)."


IMAGES_HELP = "Also write each chart as PNG and SVG in charts/ (for slides and documents)."


@app.command()
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario TOML files to check.")],
) -> None:
    """Check scenario files; print every problem as FILE: path.to.field: problem."""
    from itsim.policies import policy_for
    from itsim.scenario import ScenarioError, load_scenario

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
    workers: Annotated[int | None, typer.Option(help=_workers_help(), show_default=False)] = None,
    images: Annotated[bool, typer.Option("--images", help=IMAGES_HELP)] = False,
) -> None:
    """Simulate a scenario; write summary.json, runs.parquet, timeseries.parquet and the report."""
    from itsim.experiment import policy_for, replicate
    from itsim.narrative import headline
    from itsim.progress import ProgressDisplay
    from itsim.scenario import ScenarioError, load_scenario
    from itsim.store import write_run

    _positive("--replications", replications)
    if workers is not None:
        _positive("--workers", workers)
    if seed is not None and seed < 0:
        raise BadInput([f"--seed: must be >= 0 (got {seed})"])
    try:
        sc = load_scenario(scenario)
        policy_for(sc)
    except ScenarioError as exc:
        raise BadInput(exc.problems) from None
    out = out if out is not None else Path("out") / scenario.stem
    result = replicate(
        sc, replications=replications, seed=seed, workers=workers,
        progress=ProgressDisplay(f"simulating {sc.name}", replications),
    )
    write_run(out, sc, result)
    from itsim.report import write_report

    report = write_report(out, images)
    s = result.summary
    typer.echo(f"{sc.name}: {s['replications']} replications of {sc.scenario.horizon_days} days (seed {s['seed']})")
    for line in headline(s):
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
    workers: Annotated[int | None, typer.Option(help=_workers_help(), show_default=False)] = None,
    executor: Annotated[str, typer.Option(help="Where cells run: local or dask.")] = "local",
    address: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")] = None,
    images: Annotated[bool, typer.Option("--images", help=IMAGES_HELP)] = False,
) -> None:
    """Sweep a grid of scenario values and policies; resumable (complete cells in --out are kept)."""
    from itsim.executors import DaskExecutor, LocalExecutor
    from itsim.progress import ProgressDisplay
    from itsim.scenario import ScenarioError, load_scenario
    from itsim.sweep import SweepMismatch, parse_vary, plan
    from itsim.sweep import sweep as run_sweep

    _positive("--replications", replications)
    if workers is not None:
        _positive("--workers", workers)
    problems = [f"--seed: must be >= 0 (got {seed})"] if seed is not None and seed < 0 else []
    grid: dict[str, list] = {}
    for text in vary:
        try:
            key, values = parse_vary(text)
        except ValueError as exc:
            problems.append(f"--vary {exc}")
            continue
        if key in grid:
            problems.append(f"--vary {key}: given more than once")
        grid[key] = values
    if executor not in ("local", "dask"):
        problems.append(f"--executor: must be local or dask (got {executor!r})")
    elif executor == "dask" and not address:
        problems.append("--address: required with --executor dask")
    elif executor == "local" and address:
        problems.append("--address: only with --executor dask")
    if problems:
        raise BadInput(problems)
    try:
        sc = load_scenario(scenario)
        cells = plan(sc, grid, policy)
    except ScenarioError as exc:
        raise BadInput(exc.problems) from None
    out = out if out is not None else Path("out") / f"{scenario.stem}-sweep"

    runner = LocalExecutor(workers) if executor == "local" else DaskExecutor(address)
    if isinstance(runner, DaskExecutor):
        try:
            runner.connect()
        except (OSError, TimeoutError, ValueError) as exc:
            raise BadInput([f"--address: cannot reach a Dask scheduler at {address} ({exc})"]) from None
    try:
        result = run_sweep(sc, grid, policy, replications=replications, seed=seed, out=out,
                           executor=runner, progress=ProgressDisplay(f"sweeping {sc.name}"))
    except SweepMismatch as exc:
        raise BadInput([str(exc)]) from None
    finally:
        if isinstance(runner, DaskExecutor):
            runner.close()
    failed = len(result.failed)
    current = result.resumed == len(cells) and _report_is_current(out, images)
    report = _write_sweep_report(out, images) if failed < len(cells) and not current else None
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
    if current:
        typer.echo(f"Nothing to do: every cell was already done and {out / 'report.html'} is up to date "
                   "(itsim report rebuilds it).")
    typer.echo(f"Results in {out}/" + (f" (report: {report})" if report else ""))
    if failed:
        sys.exit(1)


def _write_sweep_report(out: Path, images: bool) -> Path:
    """The sweep report (imported here: charting libraries are slow to load)."""
    from itsim.report import write_sweep_report

    return write_sweep_report(out, images)


def _report_is_current(out: Path, images: bool) -> bool:
    from itsim.report.stamp import is_current

    return is_current(out, images)


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="A run or sweep output directory.")],
    images: Annotated[bool, typer.Option("--images", help=IMAGES_HELP)] = False,
) -> None:
    """Rebuild report.html (and, with --images, charts/) from stored results."""
    from itsim.report import build_report

    try:
        path = build_report(directory, images)
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


def _scenario_error() -> type[Exception]:
    """The class of scenario errors, imported only when needed: ``itsim --help`` and
    ``itsim report`` never load pydantic."""
    from itsim.scenario_text import ScenarioError

    return ScenarioError


def main() -> None:
    """Entry point: maps bad input to exit 2 and internal errors to exit 1, without tracebacks."""
    # The interpreter's last garbage collection walks every object that pandas, altair and the
    # results left behind, 0.2-0.3 s of CPU for memory the operating system takes back anyway:
    # freezing them at exit (after every other exit handler) leaves them out of it.
    atexit.register(gc.freeze)
    try:
        app(standalone_mode=False)
    except BadInput as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        sys.exit(2)
    except _scenario_error() as exc:  # evaluated only when an exception gets this far
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
