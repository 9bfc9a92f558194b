"""The ``itsim`` command line: run, validate (and the commands that build on them).

Exit codes: 0 success; 2 bad input (scenario or flag), one line per problem and
no traceback; 1 an unexpected internal error.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from itsim.scenario import ScenarioError, load_scenario

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate IT demand versus IT supply, and show where the hours go.",
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"itsim {version('itsim')}")
        except PackageNotFoundError:
            from itsim import __version__

            typer.echo(f"itsim {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Simulate IT demand versus IT supply, and show where the hours go."""


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
    set_: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY=VALUE",
        help="Change one value for this run (repeatable): a dotted key and a TOML value, "
             "e.g. team.engineer.count=9 or policy.name=wip_limit.")] = None,
) -> None:
    """Simulate a scenario; write summary.json, runs.parquet, timeseries.parquet and the report.

    With --set, the scenario.toml stored with the results is your file with the changed
    values (comments kept) and a header listing the changes."""
    from itsim.experiment import policy_for, replicate
    from itsim.narrative import headline, terminal_colour
    from itsim.store import write_run
    from itsim.whatif import load_with_settings

    _positive("--replications", replications)
    _positive("--workers", workers)
    if seed is not None and seed < 0:
        raise BadInput([f"--seed: must be >= 0 (got {seed})"])
    try:
        sc, text = load_with_settings(scenario, set_ or [])
        policy_for(sc)
    except ScenarioError as exc:
        raise BadInput(exc.problems) from None
    out = out if out is not None else Path("out") / scenario.stem
    result = replicate(
        sc, replications=replications, seed=seed, workers=workers,
        progress=_progress(replications, f"simulating {sc.name}"),
    )
    write_run(out, sc, result, scenario_text=text)
    from itsim.report import write_report

    report, chart_problems = _report(write_report, out)
    s = result.summary
    typer.echo(f"{sc.name}: {s['replications']} replications of {sc.scenario.horizon_days} days (seed {s['seed']})")
    colour = terminal_colour(s)
    for line in headline(s, currency=sc.costs.currency):
        typer.echo("  " + (typer.style(line, fg=colour, bold=True) if colour and line.startswith("Verdict") else line))
    typer.echo(f"Results in {out}/" + (f" (report: {report})" if report else ""))
    _fail_on_charts(chart_problems)


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
    from itsim.executors import DaskExecutor, LocalExecutor
    from itsim.narrative import at_risk_words, key_words, level_statuses, status_colour, tipping_sentence
    from itsim.sweep import SweepMismatch, parse_vary, plan
    from itsim.sweep import sweep as run_sweep

    _positive("--replications", replications)
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
    report, chart_problems = _report(_write_sweep_report, out) if failed < len(cells) else (None, [])
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
        values = grid[entry["varied"]]
        typer.echo(f"  {name}: {tipping_sentence(entry, values)}; {at_risk_words(entry, values)}")
        levels = ", ".join(typer.style(text, fg=status_colour(state)) for text, state in level_statuses(entry))
        typer.echo(f"    replications that broke a target, by {key_words(entry['varied'])}: {levels}")
    if failed:
        typer.echo(f"{failed} of {len(cells)} cells failed; see {out}/cells/*/error.txt (rerun to retry them)")
    typer.echo(f"Results in {out}/" + (f" (report: {report})" if report else ""))
    _fail_on_charts(chart_problems)
    if failed:
        sys.exit(1)


def _write_sweep_report(out: Path) -> Path:
    """The sweep report (imported here: charting libraries are slow to load)."""
    from itsim.report import write_sweep_report

    return write_sweep_report(out)


def _report(write, directory: Path) -> tuple[Path, list[str]]:
    """Write a report; a chart that cannot be drawn comes back as a problem, not a traceback."""
    from itsim.report import ChartError

    try:
        return write(directory), []
    except ChartError as exc:
        return exc.path, exc.problems


def _fail_on_charts(problems: list[str]) -> None:
    """Charts that could not be drawn: say which, and exit 1 (the rest of the report is written)."""
    for line in problems:
        typer.echo(f"report: {line}", err=True)
    if problems:
        sys.exit(1)


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="A run or sweep output directory.")],
) -> None:
    """Rebuild report.html and charts/ from stored results."""
    from itsim.report import build_report

    try:
        path, problems = _report(build_report, directory)
    except FileNotFoundError as exc:
        raise BadInput([str(exc)]) from None
    typer.echo(f"Report: {path}")
    _fail_on_charts(problems)


@app.command()
def compare(
    dir_a: Annotated[Path, typer.Argument(help="The baseline's run folder (A).")],
    dir_b: Annotated[Path, typer.Argument(help="The variant's run folder (B).")],
    html: Annotated[Path | None, typer.Option(help="Also write the comparison as an HTML page.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Also write every metric as a CSV table.")] = None,
    all_metrics: Annotated[bool, typer.Option("--all", help="Show every metric, not only the headline.")] = False,
) -> None:
    """Baseline versus variant: each side's verdict, then the headline figures with 95%
    intervals and the difference B - A (paired when both runs share the seed)."""
    from itsim.compare import ResultsError, load_comparison
    from itsim.report.comparison import format_comparison

    try:
        comparison = load_comparison(dir_a, dir_b)
    except ResultsError as exc:
        raise BadInput(exc.problems) from None
    on_terminal = sys.stdout.isatty()
    width = max(100, _terminal_width()) if on_terminal else 140
    typer.echo(format_comparison(comparison, all_metrics=all_metrics, colour=on_terminal, width=width), nl=False)
    if html is not None:
        from itsim.report.compare_page import write_comparison_page

        typer.echo(f"Comparison page: {write_comparison_page(comparison, html)}")
    if csv is not None:
        from itsim.compare import write_comparison_csv

        typer.echo(f"Comparison table: {write_comparison_csv(comparison, csv)}")


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


class Template(StrEnum):
    small = "small"
    mid = "mid"
    large = "large"


@app.command()
def init(
    file: Annotated[Path, typer.Argument(help="Scenario file to write, e.g. my-department.toml.")],
    template: Annotated[Template, typer.Option(
        help="Department to start from: small (about 300 employees, 4 IT staff), mid (1,500 and 18) "
             "or large (8,000 and 88).")] = Template.mid,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace FILE if it exists.")] = False,
) -> None:
    """Write a commented starting scenario: every number with its source or assumption."""
    from itsim.templates import TEMPLATES, write_template

    try:
        write_template(file, template.value, overwrite=overwrite)
    except (FileExistsError, IsADirectoryError) as exc:
        raise BadInput([str(exc)]) from None
    except OSError as exc:
        raise BadInput([f"{file}: cannot write ({exc.strerror or exc})"]) from None
    typer.echo(f"Wrote {file}: the {template.value} template ({TEMPLATES[template.value]}).")
    typer.echo("Replace the numbers marked 'assumption' with your own, then:")
    typer.echo(f"  itsim validate {file}\n  itsim run {file}")


@app.command()
def policies(
    names: Annotated[list[str] | None, typer.Argument(help="Policies to show (default: all).")] = None,
) -> None:
    """List the policies: what each does, and each parameter's type, default and meaning."""
    from itsim.policies import policy_class
    from itsim.policies.catalogue import format_catalogue

    problems = []
    for name in names or []:
        try:
            policy_class(name)
        except KeyError as exc:
            problems.append(f"{name}: {exc.args[0]}")
    if problems:
        raise BadInput(problems)
    typer.echo(format_catalogue(names), nl=False)


def main() -> None:
    """Entry point: maps bad input to exit 2 and internal errors to exit 1, without tracebacks."""
    try:
        app(prog_name="itsim", standalone_mode=False)
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
