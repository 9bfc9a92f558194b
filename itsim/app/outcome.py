"""What the app shows for a what-if: the comparison with the baseline, the charts and
the report to take away.

Everything is built from results in memory with the same code as ``itsim compare``
and ``itsim run``: :func:`itsim.compare.compare_results` for the paired differences
and each side's verdict, :mod:`itsim.report.compare_page` for the comparison in the
report's words and colours, the run report's chart builders, and the run report
itself with the comparison added before its charts.
"""

from __future__ import annotations

import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsim.app.simulations import Request
from itsim.compare import Comparison, Side, compare_results
from itsim.experiment import Replicated
from itsim.report.compare_page import comparison_html
from itsim.scenario import loads_scenario


@dataclass(frozen=True)
class Chart:
    """One chart of a run, as drawn in the report: a Vega-Lite spec and its caption."""

    name: str
    spec: dict[str, Any]
    caption: str


@dataclass(frozen=True)
class Outcome:
    """A what-if worked out: the ``comparison`` (baseline A, what-if B), each side's
    charts, and the what-if's results."""

    request: Request
    comparison: Comparison
    charts: dict[str, list[Chart]]
    whatif: Replicated


def side(result: Replicated, text: str, source: str) -> Side:
    """One side of the comparison, from results in memory."""
    return Side(result.summary, result.runs, tomllib.loads(text), source)


def run_charts(result: Replicated, text: str) -> list[Chart]:
    """The run report's charts of ``result`` (those it has data for), in reading order."""
    from itsim.report.build import draw_chart
    from itsim.report.charts import RUN_CHARTS
    from itsim.report.data import RunResults

    run = RunResults(Path("."), result.summary, result.timeseries, tomllib.loads(text))
    charts = []
    for build in RUN_CHARTS:
        drawn = draw_chart(build, run)
        if drawn is not None:
            figure, spec = drawn
            charts.append(Chart(figure.name, spec, figure.caption))
    return charts


def report_html(outcome: Outcome) -> str:
    """The run report of the what-if as one self-contained HTML page, with the comparison
    with the baseline before its charts."""
    from itsim.report import ChartError, write_report
    from itsim.store import write_run

    text = outcome.request.whatif
    section = comparison_html(outcome.comparison, "Compared with the baseline")
    with tempfile.TemporaryDirectory(prefix="itsim-app-") as directory:
        write_run(Path(directory), loads_scenario(text, source="what-if"), outcome.whatif, scenario_text=text)
        try:
            path = write_report(directory, embeds=[section])
        except ChartError as exc:  # the report is written without the chart, which it names
            path = exc.path
        return Path(path).read_text(encoding="utf-8")


def make_outcome(request: Request, baseline: Replicated, whatif: Replicated) -> Outcome:
    """Compare the what-if with the baseline and build everything the page shows."""
    comparison = compare_results(side(baseline, request.baseline, request.origin),
                                 side(whatif, request.whatif, "what-if"))
    charts = {"what-if": run_charts(whatif, request.whatif), "baseline": run_charts(baseline, request.baseline)}
    return Outcome(request, comparison, charts, whatif)
