"""The ``itsim`` command line: run, validate (and the commands that build on them).

Exit codes: 0 success; 2 bad input (scenario or flag), one line per problem and
no traceback; 1 an unexpected internal error.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from itsim.app import DEFAULT_REPLICATIONS
from itsim.interrupt import Interrupted, stop_on_signals
from itsim.terminal import echo, printable

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


def _progress(total: int | None, label: str):
    """Progress with time elapsed and time left: a bar on a terminal, plain lines otherwise
    (:class:`itsim.progress.ProgressDisplay`; called with ``(done)`` or ``(done, total)``)."""
    from itsim.progress import ProgressDisplay

    return ProgressDisplay(label, total)


def _workers_help() -> str:
    from itsim.cores import usable_cores

    return f"Local worker processes (default: one per usable core, {usable_cores()} here)."


IMAGES_HELP = "Also write each chart as PNG and SVG in charts/ (for slides and documents)."


@app.command()
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario TOML files to check.")],
) -> None:
    """Check scenario files; print every problem as FILE: path.to.field: problem.

    A scenario whose one replication would be beyond itsim's work limits is a problem too."""
    from itsim.scenario import ScenarioError, load_scenario
    from itsim.workload import check_scenario

    problems: list[str] = []
    for path in scenarios:
        try:
            check_scenario(load_scenario(path))
        except ScenarioError as exc:
            problems.extend(p if p.startswith(str(path)) else f"{path}: {p}" for p in exc.problems)
    if problems:
        raise BadInput(problems)
    for path in scenarios:
        echo(f"{path}: ok")


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")],
    replications: Annotated[int, typer.Option(help="Independent replications.")] = 10,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default: out/<file name>).")] = None,
    workers: Annotated[int | None, typer.Option(help=_workers_help(), show_default=False)] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY=VALUE",
        help="Change one value for this run (repeatable): a dotted key and a TOML value, "
             "e.g. team.engineer.count=9 or policy.name=wip_limit.")] = None,
    format_: Annotated[list[TableFormat] | None, typer.Option(
        "--format", help="Also write the tables as csv files or an xlsx workbook (repeatable); "
                         "parquet is always written.")] = None,
    force: Annotated[bool, typer.Option(help="Run even beyond the work limits.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace another run's results in --out (cleared first).")] = False,
    samples: Annotated[int | None, typer.Option(
        help="Latin-hypercube samples of the uncertain inputs, each run --replications times (default 10).")] = None,
    images: Annotated[bool, typer.Option("--images", help=IMAGES_HELP)] = False,
) -> None:
    """Simulate a scenario; write summary.json, runs.parquet, timeseries.parquet and the report.

    With --set, the scenario.toml stored with the results is your file with the changed
    values (comments kept) and a header listing the changes."""
    from itsim.experiment import check_work, replicate
    from itsim.narrative import headline, terminal_colour
    from itsim.scenario import ScenarioError
    from itsim.spreadsheet import write_run_tables
    from itsim.store import clear_folder, write_run
    from itsim.uncertainty.nested import DEFAULT_SAMPLES, describe
    from itsim.whatif import load_with_settings

    _positive("--replications", replications)
    _workers(workers, force)
    if samples is not None:
        _positive("--samples", samples)
    if seed is not None and seed < 0:
        raise BadInput([f"--seed: must be >= 0 (got {seed})"])
    try:
        sc, text = load_with_settings(scenario, set_ or [])
        if samples is not None and not sc.uncertain:
            raise BadInput([f"--samples: {scenario} has no uncertain inputs (write a number as {{ uncertain = ... }})"])
        total = replications * ((samples or DEFAULT_SAMPLES) if sc.uncertain else 1)
        check_work(sc, total, force)
    except ScenarioError as exc:
        raise BadInput(exc.problems) from None
    out = out if out is not None else Path("out") / scenario.stem
    folder = _output_folder(out, "run", sc.name, [scenario], overwrite)
    if folder.clear:
        clear_folder(out)
    try:
        result = replicate(
            sc, replications=replications, seed=seed, workers=workers, force=True, samples=samples,
            progress=_progress(total, f"simulating {printable(sc.name, one_line=True)}"),
        )
    except Interrupted as exc:
        exc.message = f"interrupted: nothing was written to {out}/"
        raise
    write_run(out, sc, result, scenario_text=text, replace=folder.replace)
    _write_tables(lambda formats: write_run_tables(out, result.summary, result.runs, result.timeseries, sc, formats),
                  format_)
    from itsim.report import write_report

    report, chart_problems = _report(write_report, out, images)
    s = result.summary
    name = printable(sc.name, one_line=True)
    typer.echo(f"{name}: {s['replications']} replications of {sc.scenario.horizon_days} days (seed {s['seed']})")
    colour = terminal_colour(s)
    for line in headline(s, currency=sc.costs.currency):
        typer.echo("  " + (typer.style(line, fg=colour, bold=True) if colour and line.startswith("Verdict") else line))
    for line in describe(s):
        typer.echo("  " + line)
    typer.echo(f"Results in {out}/" + (f" (report: {report})" if report else ""))
    checks_failed = _failed_checks([("", s)])
    _fail_on_charts(chart_problems)
    if checks_failed:
        sys.exit(1)


def _workers(workers: int | None, force: bool) -> None:
    """``--workers`` from 1 to four per CPU (more only compete for the CPUs and memory) unless forced;
    None is one per usable core."""
    if workers is None:
        return
    _positive("--workers", workers)
    most = 4 * (os.cpu_count() or 1)
    if workers > most and not force:
        raise BadInput([f"--workers: at most {most} on this machine (4 per CPU; got {workers}); --force allows more"])


def _output_folder(out: Path, kind: str, name: str, inputs: list[Path], overwrite: bool):
    """``--out`` checked before any work (:func:`itsim.outdir.prepare`)."""
    from itsim.outdir import OutputFolderError, prepare

    try:
        return prepare(out, kind, name, inputs, overwrite)
    except OutputFolderError as exc:
        raise BadInput([str(exc)]) from None


def _failed_checks(summaries: list[tuple[str, dict]]) -> bool:
    """Name every failed invariant check (``summary.json`` -> ``checks``); whether any failed
    (the command then exits 1)."""
    from itsim.checks import failures

    lines = [f"invariant check failed{f' in {where}' if where else ''}: {line}"
             for where, summary in summaries for line in failures(summary)]
    for line in lines:
        echo(line, err=True)
    return bool(lines)


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
    format_: Annotated[list[TableFormat] | None, typer.Option(
        "--format", help="Also write the tables as csv files or an xlsx workbook (repeatable); "
                         "parquet is always written.")] = None,
    force: Annotated[bool, typer.Option(help="Run even beyond the work limits.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace other results in --out (cleared first).")] = False,
    images: Annotated[bool, typer.Option("--images", help=IMAGES_HELP)] = False,
    adaptive: Annotated[bool | None, typer.Option(
        "--adaptive/--fixed", show_default=False,
        help="Adaptive: --first-look replications of every cell, then more, up to --replications, only "
             "for the levels near the tipping point. Fixed: --replications of every cell. Default: adaptive "
             "when the key the tipping point is found along has a known direction (demand, rates, staff "
             "counts) and --replications exceeds --first-look, else fixed.")] = None,
    first_look: Annotated[int | None, typer.Option(
        help="Replications of every cell in an adaptive sweep's first round (default: 4).",
        show_default=False)] = None,
) -> None:
    """Sweep a grid of scenario values and policies; resumable (complete cells in --out are kept).

    Adaptive along demand, rates and staff counts: see --adaptive/--fixed and docs/verdict.md."""
    from itsim.executors import DaskExecutor
    from itsim.folder_lock import FolderLocked
    from itsim.narrative import at_risk_words, key_words, level_statuses, status_colour, tipping_sentence
    from itsim.scenario import ScenarioError, load_scenario
    from itsim.sweep import SweepMismatch, check_sweep_work, plan, require_numeric_key
    from itsim.sweep import sweep as run_sweep

    _positive("--replications", replications)
    _workers(workers, force)
    problems = [f"--seed: must be >= 0 (got {seed})"] if seed is not None and seed < 0 else []
    grid = _specs("--vary", vary, problems)
    problems += _executor_problems(executor, address)
    if problems:
        raise BadInput(problems)
    adaptive, look = _sweep_mode(adaptive, first_look, replications, grid)
    try:
        sc = load_scenario(scenario)
        require_numeric_key(grid)
        cells = plan(sc, grid, policy, force=force)
        check_sweep_work(cells, replications, force)
    except ScenarioError as exc:
        raise BadInput(exc.problems) from None
    out = out if out is not None else Path("out") / f"{scenario.stem}-sweep"
    _output_folder(out, "sweep", sc.name, [scenario], overwrite)

    runner = _executor(executor, address, workers)
    progress = _progress(None, f"sweeping {printable(sc.name, one_line=True)}")
    try:
        result = run_sweep(sc, grid, policy, replications=replications, seed=seed, out=out,
                           executor=runner, progress=progress, force=force, overwrite=overwrite,
                           adaptive=adaptive, first_look=look)
    except (SweepMismatch, FolderLocked) as exc:
        raise BadInput([str(exc)]) from None
    except Interrupted as exc:
        exc.message = (f"interrupted: {_complete_cells(out, cells)} of {len(cells)} cells complete in {out}/; "
                       f"run the same command again to resume")
        raise
    finally:
        if isinstance(runner, DaskExecutor):
            runner.close()
    if result.stale_lock:
        echo(f"note: took over the lock of a sweep that stopped without finishing "
             f"(process {result.stale_lock.get('pid')} on {result.stale_lock.get('host')})", err=True)
    for cid, problem in result.recomputed:
        echo(f"computed again: {cid}: {problem}", err=True)
    failed = len(result.failed)
    from itsim.spreadsheet import write_sweep_tables

    _write_tables(lambda formats: write_sweep_tables(out, result, formats), format_)
    current = result.computed == 0 and _report_is_current(out, images)
    report, chart_problems = (_report(_write_sweep_report, out, images) if failed < len(cells) and not current
                              else (None, []))
    n_policies = len(result.policies)
    shape = " x ".join([f"{len(v)} values of {k}" for k, v in grid.items()]
                       + [f"{n_policies} {'policy' if n_policies == 1 else 'policies'}"])
    if adaptive:
        echo(f"{printable(sc.name, one_line=True)}: {len(cells)} cells ({shape}), adaptive: {look} to "
             f"{replications} replications per cell, {result.replications_run} in all against "
             f"{len(cells) * replications} for a fixed grid (seed {result.seed}); {result.computed} replications "
             f"computed now, {result.resumed} cells found stored")
    else:
        echo(f"{printable(sc.name, one_line=True)}: {len(cells)} cells ({shape}), {replications} replications "
             f"each (seed {result.seed}); {len(cells) - result.resumed} computed, {result.resumed} already done")
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
        echo(f"{failed} of {len(cells)} cells failed; see {out}/cells/*/error.txt (rerun to retry them)")
    if current:
        echo(f"Nothing to do: every cell was already done and {out / 'report.html'} is up to date "
             "(itsim report rebuilds it).")
    echo(f"Results in {out}/" + (f" (report: {report})" if report else ""))
    checks_failed = _failed_checks([(f"cell {c.id}", c.summary) for c in result.cells if c.done])
    _fail_on_charts(chart_problems)
    if checks_failed:
        sys.exit(1)
    if failed:
        sys.exit(1)


def _sweep_mode(adaptive: bool | None, first_look: int | None, replications: int,
                grid: dict[str, list]) -> tuple[bool, int]:
    """Whether the sweep is adaptive, and its first look (see ``itsim sweep --help``)."""
    from itsim.adaptive import FIRST_LOOK
    from itsim.sweep import tipping_key
    from itsim.tipping import declared_direction

    if first_look is not None and first_look < 1:
        raise BadInput([f"--first-look: must be >= 1 (got {first_look})"])
    if adaptive is False and first_look is not None:
        raise BadInput(["--first-look: only for adaptive sweeps (drop --fixed)"])
    look = FIRST_LOOK if first_look is None else first_look
    if adaptive is None:
        try:
            key = tipping_key(grid)
        except ValueError:
            key = None
        adaptive = key is not None and declared_direction(key) is not None and replications > look
        if first_look is not None and not adaptive:
            why = (f"--replications {replications} is not above it" if replications <= look
                   else f"{key or 'no numeric key'} has no known direction; add --adaptive")
            raise BadInput([f"--first-look: this sweep is fixed ({why})"])
    if adaptive and look > replications:
        raise BadInput([f"--first-look: at most --replications (got {look} > {replications})"])
    return adaptive, look


def _specs(flag: str, texts: list[str], problems: list[str]) -> dict[str, list]:
    """``KEY=SPEC`` flags as key -> values; bad ones are added to ``problems``."""
    from itsim.sweep import parse_vary
    from itsim.whatif import keyed_flags

    return keyed_flags(flag, texts, parse_vary, problems)


def _executor_problems(executor: str, address: str | None) -> list[str]:
    if executor not in ("local", "dask"):
        return [f"--executor: must be local or dask (got {executor!r})"]
    if executor == "dask" and not address:
        return ["--address: required with --executor dask"]
    if executor == "local" and address:
        return ["--address: only with --executor dask"]
    return []


def _executor(executor: str, address: str | None, workers: int | None):
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


def _complete_cells(out: Path, cells) -> int:
    from itsim.store import cell_complete

    return sum(cell_complete(out / "cells" / c.id) for c in cells)


def _write_sweep_report(out: Path, images: bool) -> Path:
    """The sweep report (imported here: charting libraries are slow to load)."""
    from itsim.report import write_sweep_report

    return write_sweep_report(out, images)


def _report_is_current(out: Path, images: bool) -> bool:
    from itsim.report.stamp import is_current

    return is_current(out, images)


def _report(write, directory: Path, images: bool) -> tuple[Path, list[str]]:
    """Write a report; a chart that cannot be drawn comes back as a problem, not a traceback."""
    from itsim.report import ChartError

    try:
        return write(directory, images), []
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
    images: Annotated[bool, typer.Option("--images", help=IMAGES_HELP)] = False,
) -> None:
    """Rebuild report.html (and, with --images, charts/) from stored results."""
    from itsim.outdir import kind_of
    from itsim.report import build_report
    from itsim.store import DamagedResults, check_run_folder, check_sweep_folder

    try:
        kind = kind_of(directory)
        if kind == "sweep":
            check_sweep_folder(directory)
        elif kind == "run":
            check_run_folder(directory)
        path, problems = _report(build_report, directory, images)
    except (FileNotFoundError, DamagedResults) as exc:
        raise BadInput([str(exc)]) from None
    echo(f"Report: {path}")
    _fail_on_charts(problems)


@app.command()
def compare(
    dir_a: Annotated[Path, typer.Argument(help="The baseline's run folder (A).")],
    dir_b: Annotated[Path, typer.Argument(help="The variant's run folder (B).")],
    html: Annotated[Path | None, typer.Option(help="Also write the comparison as an HTML page.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Also write every metric as a CSV table.")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="Also write every metric and both verdicts as an xlsx "
                                                   "workbook.")] = None,
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
    if xlsx is not None:
        from itsim.spreadsheet import write_comparison_xlsx

        typer.echo(f"Comparison workbook: {write_comparison_xlsx(comparison, xlsx)}")


class TableFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"
    xlsx = "xlsx"


def _write_tables(write, formats: list[TableFormat] | None) -> None:
    """Write the tables of a result in the extra ``formats`` asked for, and say where."""
    wanted = [f.value for f in formats or [] if f != TableFormat.parquet]
    if wanted:
        typer.echo("Tables: " + ", ".join(str(p) for p in write(wanted)))


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


TicketFiles = Annotated[list[Path], typer.Argument(
    help="Ticket exports (CSV or Excel): ServiceNow incident tables or audit logs, Jira, Zendesk, or any "
         "table with --map.")]
MapOption = Annotated[list[str] | None, typer.Option(
    "--map", help="COLUMN=FIELD for a column the export names differently, e.g. 'Created Date=opened' "
                  "(fields: id, opened, resolved, closed, priority, status, resolution, updated, reassignments, "
                  "made_sla; repeatable).")]
PriorityOption = Annotated[list[str] | None, typer.Option(
    "--priority", help="LABEL=PN for a priority label of no known scheme, e.g. 'Sev A=P1' (repeatable).")]
FromOption = Annotated[str | None, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day of the period, included (YYYY-MM-DD).")]
TzOption = Annotated[str | None, typer.Option(
    "--tz", help="Time zone of the working day, e.g. Europe/Lisbon: times without an offset are taken to be in "
                 "it, times with one are converted into it.")]
DayFirstOption = Annotated[bool | None, typer.Option(
    "--dayfirst/--monthfirst", help="Order of day and month in dates like 01/02/2016 (default: from the data).")]
DropOption = Annotated[bool, typer.Option(
    "--drop-bad-rows", help="Leave out rows with unreadable dates or resolved before opened (listed in the "
                            "report) instead of stopping.")]
ReplicationsOption = Annotated[int, typer.Option(help="Simulated runs of the back-test (39 give a 95% band).")]


def _read_options(mapping, priority, dayfirst, tz, drop_bad_rows):
    from itsim.calibrate.command import read_options

    return read_options(mapping or [], priority or [], dayfirst, tz, drop_bad_rows)


@app.command()
def calibrate(
    tickets: TicketFiles,
    out: Annotated[Path, typer.Option(help="Scenario file to write; calibration.html and calibration.json "
                                           "go beside it.")] = Path("calibrated.toml"),
    staff: Annotated[list[str] | None, typer.Option(
        help="ROLE=N: people who handle incidents, first line first (repeatable).")] = None,
    base: Annotated[Path | None, typer.Option(help="Scenario whose other sections and comments are kept.")] = None,
    calendar: Annotated[str | None, typer.Option(help="business or 24x7 (default: the base's, else business).")] = None,
    mapping: MapOption = None,
    priority: PriorityOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    tz: TzOption = None,
    dayfirst: DayFirstOption = None,
    drop_bad_rows: DropOption = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --out if it exists.")] = False,
    backtest: Annotated[bool, typer.Option(
        "--backtest", help="Also back-test the scenario on the same tickets.")] = False,
    replications: ReplicationsOption = 39,
    seed: Annotated[int | None, typer.Option(help="Base seed of the back-test.")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes for the back-test.")] = 1,
) -> None:
    """Fit a scenario's incident demand to ticket exports; every number cites the data."""
    from itsim.calibrate import CalibrationError
    from itsim.calibrate.command import run_calibrate

    _positive("--workers", workers)
    try:
        lines = run_calibrate(tickets, out, staff or [], base, calendar, from_, to,
                              _read_options(mapping, priority, dayfirst, tz, drop_bad_rows), overwrite,
                              backtest, replications, seed, workers,
                              progress=_progress_on_first_call("back-testing"))
    except CalibrationError as exc:
        raise BadInput(exc.problems) from None
    for line in lines:
        typer.echo(line)


@app.command()
def backtest(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (e.g. from itsim calibrate).")],
    tickets: TicketFiles,
    out: Annotated[Path | None, typer.Option(help="Folder for backtest.html and backtest.json "
                                                  "(default: the scenario's).")] = None,
    replications: ReplicationsOption = 39,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    mapping: MapOption = None,
    priority: PriorityOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    tz: TzOption = None,
    dayfirst: DayFirstOption = None,
    drop_bad_rows: DropOption = False,
) -> None:
    """Simulate a scenario over the tickets' period and say where model and data disagree."""
    from itsim.calibrate import CalibrationError
    from itsim.calibrate.command import run_backtest

    _positive("--workers", workers)
    try:
        lines = run_backtest(scenario, tickets, out, replications, seed, workers, from_, to,
                             _read_options(mapping, priority, dayfirst, tz, drop_bad_rows),
                             progress=_progress_on_first_call("back-testing"))
    except CalibrationError as exc:
        raise BadInput(exc.problems) from None
    for line in lines:
        typer.echo(line)


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
    share: Annotated[bool, typer.Option(
        help="Take runs a WIP limit never reached from the option without it (--no-share: simulate every run)."
    )] = True,
) -> None:
    """Find the cheapest option that keeps the chance of being too busy at or below --risk at every
    --demand level, and the cost-versus-risk frontier; writes plan.json and plan.html (resumable)."""
    from itsim.executors import DaskExecutor
    from itsim.plan import PlanFailed, PlanMismatch, plan_search
    from itsim.plan.report import write_plan_report
    from itsim.plan.words import summary_lines
    from itsim.scenario import load_scenario
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
                             share=share, progress=progress)
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
    from itsim.scenario import load_scenario
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


def _progress_on_first_call(label: str):
    """A ``(done, total)`` progress callback whose display starts with the first report."""
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or _progress(total, label)
        bar(done)

    return update


@app.command(name="app")
def app_(
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario TOML file (default: the mid-size starting scenario of itsim init).")] = None,
    port: Annotated[int | None, typer.Option(help="Local port (default: 8501, or a free one if taken).")] = None,
    replications: Annotated[int, typer.Option(help="Simulated runs per answer, to start with.")]
    = DEFAULT_REPLICATIONS,
    workers: Annotated[int | None, typer.Option(
        help="Worker processes for the simulations (default: one per usable core).")] = None,
) -> None:
    """The what-if app in your browser: move people, demand, policy and surges, and see the
    verdict beside today's with paired differences; download the what-if and its report."""
    from itsim.app import launch

    problems = launch.problems(scenario, port, replications, workers)
    if problems:
        raise BadInput(problems)
    sys.exit(launch.serve(scenario, launch.pick_port(port), replications, workers, say=echo))


def _scenario_error() -> type[Exception]:
    """The class of scenario errors, imported only when needed: ``itsim --help`` and
    ``itsim report`` never load pydantic."""
    from itsim.scenario_text import ScenarioError

    return ScenarioError


def main() -> None:
    """Entry point: maps bad input to exit 2, internal errors to exit 1 and Ctrl-C or SIGTERM
    to 130 or 143, each with a message and without tracebacks."""
    # The interpreter's last garbage collection walks every object that pandas, altair and the
    # results left behind, 0.2-0.3 s of CPU for memory the operating system takes back anyway:
    # freezing them at exit (after every other exit handler) leaves them out of it.
    atexit.register(gc.freeze)
    with stop_on_signals():
        try:
            code = app(prog_name="itsim", standalone_mode=False)
        except Interrupted as exc:
            _show_cursor()
            echo(exc.message, err=True)
            sys.exit(exc.code)
        except (BadInput, _scenario_error()) as exc:  # evaluated only when an exception gets this far
            for line in exc.problems:
                echo(line, err=True)
            sys.exit(2)
        except Exception as exc:  # usage errors from the command-line parser, and genuine failures
            code = getattr(exc, "exit_code", None)
            if hasattr(exc, "format_message") and isinstance(code, int):
                echo(f"error: {exc.format_message()}", err=True)
                sys.exit(code)
            if type(exc).__name__ == "Abort":
                echo("interrupted", err=True)
                sys.exit(130)
            echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)
    if isinstance(code, int) and not isinstance(code, bool) and code != 0:
        # typer returns the status of an Exit (Ctrl-C during parsing is 130) instead of raising it
        if code == 130:
            echo("interrupted", err=True)
        sys.exit(code)


def _show_cursor() -> None:
    """A progress bar stopped by a signal leaves the cursor hidden: show it again."""
    if sys.stderr.isatty():
        from rich.console import Console

        Console(stderr=True).show_cursor(True)


if __name__ == "__main__":
    main()
