"""Build ``report.html`` (and, when asked, ``charts/*.png|svg``) for a run or a sweep directory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from itsim import narrative
from itsim.report import ChartError, fmt, stamp
from itsim.report.assumptions import Table, assumption_tables, policies_table
from itsim.report.charts import RUN_CHARTS, Figure, finish
from itsim.report.checks import run_checks_table, sweep_checks_table
from itsim.report.data import load_run, load_sweep
from itsim.report.export import earlier_images, export_images, write_atomic
from itsim.report.page import ChartBlock, Page, StatusGrid, render
from itsim.report.sweep_charts import SWEEP_CHARTS
from itsim.report.text import (
    Verdict,
    adaptive_line,
    level_phrase,
    maintenance_table,
    methods,
    run_headline,
    run_kpis,
    run_verdict,
    status_grid,
    sweep_headline,
    targets_table,
    tipping_rows,
)
from itsim.report.uncertainty import uncertainty_table

T = TypeVar("T")


def draw_chart(build: Callable[[T], Figure | None], results: T) -> tuple[Figure, dict[str, Any]] | None:
    """The chart that ``build`` draws from ``results`` with its finished Vega-Lite spec;
    None when the results have no data for it."""
    figure = build(results)
    if figure is None:
        return None
    # checking the spec against the Vega-Lite schema costs a quarter of the charting
    # time; the tests check every chart (test_every_chart_is_valid_vega_lite)
    return figure, finish(figure.chart).to_dict(validate=False)


def _charts(
    builders: Iterable[Callable[[T], Figure | None]], results: T, directory: Path, images: bool
) -> tuple[list[ChartBlock], list[str], list[str], str]:
    """Build and embed every chart, and export it as images if ``images``. Without
    ``images``, the images of the report being replaced are kept and linked if that report
    was built from the same results, and removed if not. Returns the charts, the notes for
    the page (images that could not be written), the charts that could not be drawn at all,
    and the new report's stamp (empty when a chart is missing, so that it is built again)."""
    current = stamp.stamp(directory)  # hashed once: writing the report changes none of its inputs
    keep = not images and stamp.written_stamp(directory / "report.html") == current + stamp.WITH_IMAGES
    blocks, notes, failed = [], [], []
    for build in builders:
        name = build.__name__.removesuffix("_chart")
        try:
            drawn = draw_chart(build, results)
        except Exception as exc:  # one broken chart must not lose the report
            failed.append(f"chart {name!r} could not be drawn: {type(exc).__name__}: {exc}")
            continue
        if drawn is None:
            continue
        figure, spec = drawn
        if images:
            files, unwritten = export_images(figure.name, spec, directory / "charts")
            notes.extend(unwritten)
        else:
            files = earlier_images(figure.name, directory / "charts", keep)
        blocks.append(ChartBlock(figure.name, spec, figure.caption, files))
    built_from = "" if failed else current + (stamp.WITH_IMAGES if (images and not notes) or keep else "")
    return blocks, notes, failed, built_from


def _write(path: Path, page: Page, failed: list[str]) -> Path:
    """Write the page; then, if a chart could not be drawn, raise :class:`ChartError`."""
    write_atomic(path, render(page))
    if failed:
        raise ChartError(path, failed)
    return path


def write_report(directory: str | Path, images: bool = False, embeds: Iterable[str] = ()) -> Path:
    """Write the report of a run directory (``itsim run`` output), with its charts also as
    PNG and SVG in ``charts/`` if ``images`` and the HTML fragments ``embeds`` (already
    escaped) before its charts; return report.html's path.

    Raises :class:`ChartError` (after writing the report) when a chart could not be drawn.
    """
    directory = Path(directory)
    run = load_run(directory)
    summary = run.summary
    name = str(summary.get("scenario") or run.scenario.get("scenario", {}).get("name", "Scenario"))
    policy = (run.scenario.get("policy") or {}).get("name", "firefight_first")
    policy = "+".join(policy) if isinstance(policy, list) else str(policy)
    n, horizon = summary.get("replications"), summary.get("horizon_days")
    subtitle = "IT demand versus capacity: simulation report."
    if n and horizon:
        subtitle += (f" Policy: {fmt.policy_label(policy)}. {n} simulated runs of "
                     f"{fmt.number(horizon)} days each.")
    charts, notes, failed, built_from = _charts(RUN_CHARTS, run, directory, images)
    page = Page(
        title=name,
        subtitle=subtitle,
        headline=run_headline(run),
        verdict=run_verdict(run),
        kpis=run_kpis(run),
        charts=charts,
        tables=assumption_tables(run.scenario),
        methods=methods(n, summary.get("warmup_days"), horizon, sweep=False),
        problems=notes + failed,
        verdict_table=targets_table(run),
        results=[t for t in (maintenance_table(run), uncertainty_table(run)) if t is not None],
        checks=run_checks_table(summary),
        stamp=built_from,
        embeds=list(embeds),
    )
    return _write(directory / "report.html", page, failed)


def write_sweep_report(directory: str | Path, images: bool = False) -> Path:
    """Write the policy-comparison report of a sweep directory, with its charts also as
    PNG and SVG in ``charts/`` if ``images``; return report.html's path.

    Raises :class:`ChartError` (after writing the report) when a chart could not be drawn.
    """
    directory = Path(directory)
    sweep = load_sweep(directory)
    name = str(sweep.meta.get("scenario")
               or sweep.scenario.get("scenario", {}).get("name", "Scenario"))
    n = sweep.meta.get("replications")
    levels = sweep.x_values
    subtitle = (f"Policies compared from {level_phrase(sweep.x_key, levels[0])} to "
                f"{level_phrase(sweep.x_key, levels[-1])}")
    if isinstance(sweep.meta.get("adaptive"), dict):
        subtitle += ". " + adaptive_line(sweep.meta)
        n = None  # the runs differ by level (the status grid shows each level's)
    else:
        subtitle += f"; {n} simulated runs per policy and level." if n else "."
    charts, notes, failed, built_from = _charts(SWEEP_CHARTS, sweep, directory, images)
    note = (f"Values as run at {level_phrase(sweep.x_key, sweep.reference_x)}; the sweep varies "
            f"{fmt.key_label(sweep.x_key).lower()} and the policy.")
    tables: list[Table] = assumption_tables(sweep.scenario, note, policy=False)
    if sweep.policy_params:
        tables.insert(min(2, len(tables)), policies_table(sweep.policy_params, sweep.scenario))
    verdict = Verdict(None, "Where each policy tips into 'too busy'",
                      f"Along {narrative.key_words(sweep.x_key)}, from the healthy end of the range tested.")
    info = sweep.scenario.get("scenario", {})
    page = Page(
        title=name,
        subtitle=subtitle,
        headline=sweep_headline(sweep),
        verdict=verdict,
        kpis=[],
        charts=charts,
        tables=tables,
        methods=methods(n, info.get("warmup_days"), info.get("horizon_days"), sweep=True),
        problems=notes + failed,
        verdict_table=Table("", ["Policy", "Where it becomes too busy", "95% interval",
                                 "Where it stops being healthy"], tipping_rows(sweep)),
        status_grid=_status_grid(sweep),
        checks=sweep_checks_table(directory),
        stamp=built_from,
    )
    return _write(directory / "report.html", page, failed)


def _status_grid(sweep) -> StatusGrid | None:
    grid = status_grid(sweep)
    if grid is None:
        return None
    header, rows = grid
    return StatusGrid(f"Share of runs that broke a target, by {narrative.key_words(sweep.x_key)}", header, rows,
                      "Green: healthy; amber: at risk; red: too busy (the bands of [targets]).")


def build_report(directory: str | Path, images: bool = False) -> Path:
    """Write the report of ``directory``, whichever kind it is (for ``itsim report DIR``).

    A directory with ``sweep.parquet`` is a sweep; one with ``summary.json`` is a run;
    ``plan.json`` and ``sensitivity.json`` mark the output of ``itsim plan`` and
    ``itsim sensitivity``.
    """
    directory = Path(directory)
    if (directory / "plan.json").exists():
        from itsim.plan.report import write_plan_report

        return write_plan_report(directory)
    if (directory / "sensitivity.json").exists():
        from itsim.sensitivity_report import write_sensitivity_report

        return write_sensitivity_report(directory)
    if stamp.is_sweep(directory):
        return write_sweep_report(directory, images)
    if (directory / "summary.json").exists():
        return write_report(directory, images)
    raise FileNotFoundError(
        f"{directory}: neither a run (summary.json) nor a sweep (sweep.parquet)")
