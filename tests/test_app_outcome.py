"""What the app shows for a what-if: the paired comparison with each side's verdict,
the run report's charts, and the report with the comparison in it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from itsim.app.outcome import make_outcome, report_html, run_charts
from itsim.app.simulations import Request
from itsim.experiment import replicate
from itsim.report.charts import RUN_CHARTS
from itsim.report.data import load_run
from itsim.scenario import loads_scenario
from itsim.store import write_run

SMALL = (Path(__file__).resolve().parent / "fixtures" / "app_small.toml").read_text(encoding="utf-8")
ONE_ENGINEER = SMALL.replace('name = "Small test department"', 'name = "One engineer"').replace(
    "count = 4                   # second line", "count = 1                   # second line")


@pytest.fixture(scope="module")
def outcome():
    request = Request(SMALL, ONE_ENGINEER, seed=7, replications=4, origin="app_small.toml")
    baseline = replicate(loads_scenario(SMALL), replications=4, seed=7)
    whatif = replicate(loads_scenario(ONE_ENGINEER), replications=4, seed=7)
    return make_outcome(request, baseline, whatif)


def test_the_comparison_is_paired_with_each_sides_verdict(outcome) -> None:
    comparison = outcome.comparison
    assert comparison.paired
    assert comparison.a.source == "app_small.toml" and comparison.b.source == "what-if"
    assert comparison.verdict_a.status == "healthy"
    assert comparison.verdict_b.status == outcome.whatif.summary["too_busy"]["status"] == "too_busy"
    assert comparison.verdict_b.ci95 == tuple(outcome.whatif.summary["too_busy"]["ci95"])
    assert comparison.currency == "USD"
    lead_time = comparison.row("project_lead_time_days")
    assert lead_time["paired"] and lead_time["significant"] and lead_time["difference"] > 0


def test_the_charts_are_the_run_reports(outcome, tmp_path) -> None:
    write_run(tmp_path, loads_scenario(ONE_ENGINEER), outcome.whatif, scenario_text=ONE_ENGINEER)
    stored = load_run(tmp_path)
    from_files = [f.name for f in (build(stored) for build in RUN_CHARTS) if f is not None]
    assert [c.name for c in outcome.charts["what-if"]] == from_files
    assert [c.name for c in outcome.charts["baseline"]] == [c.name for c in run_charts(outcome.whatif, SMALL)]
    hours = next(c for c in outcome.charts["what-if"] if c.name == "hours")
    assert hours.spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert hours.caption


def test_the_report_is_the_whatifs_with_the_comparison_before_the_charts(outcome) -> None:
    page = report_html(outcome)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<title>One engineer</title>" in page
    compared = page.index("Compared with the baseline")
    assert page.index('class="verdict red"') < compared < page.index("<h2>What the simulation shows</h2>")
    assert re.findall(r'class="side [a-z-]+" data-status="([a-z_]+)"', page) == ["healthy", "too_busy"]
    assert "team.engineer.count: 4 → 1" in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", page)  # opens offline


def test_the_outcome_keeps_the_whatif_text_as_given(outcome) -> None:
    assert outcome.request.whatif == ONE_ENGINEER
    assert tomllib.loads(outcome.request.whatif)["team"][1]["count"] == 1
