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
) -> None:
    """Simulate a scenario; write summary.json, runs.parquet, timeseries.parquet and the report."""
    from itsim.experiment import policy_for, replicate
    from itsim.narrative import headline
    from itsim.store import write_run

    _positive("--replications", replications)
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
        progress=_progress(replications, f"simulating {sc.name}"),
    )
    write_run(out, sc, result)
    report = _write_report(out)
    s = result.summary
    typer.echo(f"{sc.name}: {s['replications']} replications of {sc.scenario.horizon_days} days (seed {s['seed']})")
    for line in headline(s):
        typer.echo("  " + line)
    typer.echo(f"Results in {out}/" + (f" (report: {report})" if report else ""))


def _write_report(out: Path) -> Path | None:
    try:
        from itsim.report import write_report
    except ImportError:
        return None
    return write_report(out)


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
