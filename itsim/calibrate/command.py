"""What ``itsim calibrate`` and ``itsim backtest`` do, behind their command-line flags.

Each function checks every input first (flags, files, the base scenario) and
raises :class:`CalibrationError` with one line per problem before anything is
written; it returns the lines to print.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from itsim.calibrate.calibration import calibrate, parse_staff
from itsim.calibrate.columns import parse_mapping
from itsim.calibrate.dates import zone
from itsim.calibrate.errors import CalibrationError
from itsim.calibrate.labels import parse_priority_options
from itsim.calibrate.read import ReadOptions
from itsim.calibrate.tickets import Period, Tickets, read_tickets
from itsim.scenario import Scenario, ScenarioError, load_scenario


def read_options(mapping: Sequence[str], priorities: Sequence[str], dayfirst: bool | None, tz: str | None,
                 drop_bad_rows: bool) -> ReadOptions:
    """The reading flags as :class:`ReadOptions`; every bad flag is reported at once."""
    problems: list[str] = []
    parsed = {}
    for name, parse, items in (("mapping", parse_mapping, mapping), ("priorities", parse_priority_options,
                                                                      priorities), ("tz", zone, tz)):
        try:
            parsed[name] = parse(items)
        except CalibrationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CalibrationError(problems)
    return ReadOptions(parsed["mapping"], parsed["priorities"], dayfirst, parsed["tz"], drop_bad_rows)


def run_calibrate(tickets: Sequence[Path], out: Path, staff: Sequence[str], base: Path | None,
                  calendar: str | None, start: str | None, end: str | None, options: ReadOptions,
                  overwrite: bool, backtest: bool = False, replications: int = 39, seed: int | None = None,
                  workers: int = 1, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Calibrate, write the scenario with ``calibration.html`` and ``.json`` beside it and,
    with ``backtest``, ``backtest.html`` and ``.json`` too."""
    problems = []
    if out.exists() and not overwrite and (base is None or out.resolve() != base.resolve()):
        problems.append(f"--out: {out} exists (give another path, --overwrite, or --base {out} to update it "
                        "in place)")
    if out.suffix.lower() != ".toml":
        problems.append(f"--out: a scenario file ends in .toml (got {out.name})")
    if backtest and replications < 2:
        problems.append(f"--replications: at least 2 for a back-test (got {replications})")
    staff_counts: dict[str, int] = {}
    try:
        staff_counts = parse_staff(staff)
    except CalibrationError as exc:
        problems.extend(exc.problems)
    if problems:
        raise CalibrationError(problems)
    cal = calibrate(tickets, staff=staff_counts, base=base, calendar=calendar, start=start, end=end,
                    options=options)
    from itsim.calibrate.report import headline

    written = cal.write(out)
    lines = [f"Calibrated from {len(cal.used):,} tickets in {cal.files}, {cal.period.text()}:"]
    lines += [f"  {line}" for line in headline(cal)]
    lines.append(f"Scenario: {written['scenario']} (evidence: {written['report']})")
    if backtest:
        lines += _backtest_lines(load_scenario(written["scenario"]), cal.tickets, cal.period, out.parent,
                                 replications, seed, workers, progress)
    return lines


def run_backtest(scenario: Path, tickets: Sequence[Path], out: Path | None, replications: int, seed: int | None,
                 workers: int, start: str | None, end: str | None, options: ReadOptions,
                 progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Back-test ``scenario`` against ``tickets``; write ``backtest.html`` and ``.json`` to ``out``
    (default: the scenario's folder)."""
    problems = []
    if replications < 2:
        problems.append(f"--replications: at least 2 for a back-test (got {replications})")
    try:
        sc = load_scenario(scenario)
        if sc.incidents is None:
            problems.append(f"{scenario}: no [incidents] to compare with tickets")
    except ScenarioError as exc:
        problems.extend(p if p.startswith(str(scenario)) else f"{scenario}: {p}" for p in exc.problems)
    if problems:
        raise CalibrationError(problems)
    read = read_tickets(tickets, options)
    return _backtest_lines(sc, read, Period.of(read, start, end, options.dayfirst),
                           out if out is not None else scenario.parent, replications, seed, workers, progress)


def _backtest_lines(sc: Scenario, tickets: Tickets, period: Period, out: Path, replications: int,
                    seed: int | None, workers: int, progress: Callable[[int, int], None] | None) -> list[str]:
    from itsim.calibrate.backtest import backtest_tickets

    try:
        result = backtest_tickets(sc, tickets, period, replications=replications, seed=seed, workers=workers,
                                  progress=None if progress is None else lambda done: progress(done, replications))
    except ScenarioError as exc:
        raise CalibrationError(exc.problems) from None
    written = result.write(out)
    lines = [f"Back-test of {sc.name} over {result.period.text()} ({replications} runs):"]
    lines += [f"  {line}" for line in result.findings]
    lines.append(f"Back-test report: {written['report']}")
    return lines
