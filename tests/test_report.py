"""The report: self-contained HTML with the headline numbers, charts as PNG and SVG."""

from __future__ import annotations

import json
import os
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from itsim.report import build_report, export, stamp, write_report, write_sweep_report
from itsim.report.charts import RUN_CHARTS as RUN_BUILDERS
from itsim.report.charts import finish
from itsim.report.data import MAX_POINTS, load_run, load_sweep, weekly_bands
from itsim.report.sweep_charts import SWEEP_CHARTS as SWEEP_BUILDERS
from tests.report_fixtures import write_run_dir, write_sweep_dir

RUN_CHARTS = ["hours", "backlog", "debt", "money", "neglect"]
SWEEP_CHARTS = ["hockey_stick", "hours", "backlog", "debt", "money", "neglect"]
EVIL = "<script>alert(1)</script><b>x</b>"
OUTSIDE = re.compile(r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*"
                     r"(?:https?:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def run_report(tmp_path_factory) -> Path:
    directory = write_run_dir(tmp_path_factory.mktemp("run") / "out", demand=1.1)
    return write_report(directory, images=True)


@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory) -> Path:
    directory = write_sweep_dir(tmp_path_factory.mktemp("sweep") / "out")
    return write_sweep_report(directory, images=True)


def embedded_specs(html: str) -> dict:
    """The chart specs the page hands to vega-embed."""
    match = re.search(r'<script type="application/json" id="itsim-specs">(.*?)</script>', html,
                      re.DOTALL)
    assert match, "no embedded chart specs"
    return json.loads(match.group(1))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def assert_images(directory: Path, names: list[str]) -> None:
    for name in names:
        png, svg = directory / "charts" / f"{name}.png", directory / "charts" / f"{name}.svg"
        width, height = png_size(png)
        assert width >= 1000 and height >= 300, f"{png} is too small for a slide"
        assert png.stat().st_size > 20_000
        root = ET.fromstring(svg.read_text(encoding="utf-8"))
        assert root.tag.endswith("svg")
        assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 5, f"{svg} has no marks"
    assert not list((directory / "charts").glob(".*.tmp")), "temporary files left behind"


def test_run_report_renders_offline(run_report: Path) -> None:
    html = run_report.read_text(encoding="utf-8")
    assert run_report.name == "report.html"
    assert not OUTSIDE.findall(html), "report loads something from the network"
    assert "cdn.jsdelivr" not in html
    assert "window.vegaEmbed=" in html, "vega-embed is not inlined"
    assert len(embedded_specs(html)) == len(RUN_CHARTS)


def test_run_report_states_the_headline_numbers(run_report: Path) -> None:
    summary = json.loads((run_report.parent / "summary.json").read_text())
    metrics = summary["metrics"]
    html = run_report.read_text(encoding="utf-8")
    fire = round(metrics["hours_share.firefighting"]["mean"] * 100)
    lead_weeks = round(metrics["project_lead_time_days"]["mean"] / 7)
    assert f"the team spends {fire}% of its hours firefighting" in html
    assert f"projects reach the business {lead_weeks} weeks after they are requested" in html
    assert "Verdict: too busy" in html
    for reason in summary["too_busy"]["reasons"]:
        assert reason in html
    assert "95% confidence intervals (Student t" in html
    assert "warm-up" in html


def test_run_report_lists_the_assumptions(run_report: Path) -> None:
    html = run_report.read_text(encoding="utf-8")
    for text in ("service_desk", "engineer", "Patch servers", "Nightly backups check",
                 "average 0.75 h, spread (cv) 1.2, lognormal", "Firefight first", "90 days"):
        assert text in html


def test_every_run_chart_is_exported(run_report: Path) -> None:
    assert_images(run_report.parent, RUN_CHARTS)


def test_every_chart_is_valid_vega_lite(run_report: Path, sweep_report: Path) -> None:
    """The report skips the schema check for speed; here every chart of both kinds gets it."""
    built = [(RUN_BUILDERS, load_run(run_report.parent)), (SWEEP_BUILDERS, load_sweep(sweep_report.parent))]
    checked = 0
    for builders, results in built:
        for build in builders:
            figure = build(results)
            if figure is not None:
                finish(figure.chart).to_dict(validate=True)
                checked += 1
    assert checked == len(RUN_CHARTS) + len(SWEEP_CHARTS)


def test_charts_get_aggregates_not_raw_rows(run_report: Path) -> None:
    specs = embedded_specs(run_report.read_text(encoding="utf-8"))
    hours = specs["chart-hours"]
    rows = [row for data in hours["datasets"].values() for row in data]
    assert len(rows) == 4 * 52, "one median per week and kind of work"
    assert all(len(d) <= 5000 for s in specs.values() for d in s.get("datasets", {}).values())


def test_scenario_text_is_escaped(tmp_path: Path) -> None:
    directory = write_run_dir(tmp_path / "evil", name=EVIL, task=f"Patch</script>{EVIL}")
    html = write_report(directory).read_text(encoding="utf-8")
    assert EVIL not in html
    assert "alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in html
    assert html.count("<script") == 3, "only the bundle, the specs and the start-up script"


def test_policy_names_in_chart_specs_cannot_close_the_script(tmp_path: Path) -> None:
    evil_policy = "</script><script>alert(2)</script>"
    directory = write_sweep_dir(tmp_path / "sweep", policies=("firefight_first", evil_policy),
                                levels=(0.9, 1.0, 1.1), replications=3, weeks=20)
    html = write_sweep_report(directory).read_text(encoding="utf-8")
    assert "alert(2)</script>" not in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(2)" in html
    assert html.count("<script") == 3


def test_run_without_projects_skips_project_charts(tmp_path: Path) -> None:
    directory = write_run_dir(tmp_path / "desk", projects=False)
    html = write_report(directory, images=True).read_text(encoding="utf-8")
    assert "Projects waiting" not in (directory / "charts" / "backlog.svg").read_text()
    assert "Projects" not in (directory / "charts" / "hours.svg").read_text()
    assert "before anyone starts on it" in html, "headline falls back to incident wait"
    assert "Waiting for projects" not in html
    assert_images(directory, RUN_CHARTS)


def test_run_without_timeseries_still_reports(tmp_path: Path) -> None:
    directory = write_run_dir(tmp_path / "bare")
    (directory / "timeseries.parquet").unlink()
    write_report(directory, images=True)
    assert not (directory / "charts" / "hours.png").exists()
    assert_images(directory, ["money", "neglect"])


def test_long_runs_are_thinned_before_charting(tmp_path: Path) -> None:
    directory = write_run_dir(tmp_path / "long", weeks=1300, replications=4)
    ts = pd.read_parquet(directory / "timeseries.parquet")
    bands = weekly_bands(ts, ["open_work_hours"])
    assert 0 < len(bands) <= MAX_POINTS
    assert (bands["p10"] <= bands["median"]).all() and (bands["median"] <= bands["p90"]).all()
    write_report(directory, images=True)
    assert_images(directory, RUN_CHARTS)


def test_one_failing_image_keeps_the_others(tmp_path: Path, monkeypatch) -> None:
    directory = write_run_dir(tmp_path / "flaky")
    real = export.vl_convert.svg_to_png

    def flaky(svg, **kwargs):
        if "neglected" in svg:
            raise RuntimeError("renderer crashed")
        return real(svg, **kwargs)

    monkeypatch.setattr(export.vl_convert, "svg_to_png", flaky)
    html = write_report(directory, images=True).read_text(encoding="utf-8")
    assert not (directory / "charts" / "neglect.png").exists()
    assert (directory / "charts" / "neglect.svg").exists()
    assert_images(directory, ["hours", "backlog", "debt", "money"])
    assert "charts/neglect.png could not be written: renderer crashed" in html


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "report.html"
    export.write_atomic(target, "old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        export.write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_sweep_report_says_which_policy_tips_where(sweep_report: Path) -> None:
    html = sweep_report.read_text(encoding="utf-8")
    assert not OUTSIDE.findall(html)
    assert "Firefight first (today) tips into &#x27;too busy&#x27; at 1.05× today&#x27;s demand" in html
    assert "WIP limit at 1.12×" in html
    assert "Protected maintenance holds out longest." in html
    assert "1.01× to 1.09×" in html, "interval of the tipping point"
    assert "wip_limit 3" in html, "policy parameters in the assumptions"
    assert "common random numbers" in html
    assert len(embedded_specs(html)) == len(SWEEP_CHARTS)


def test_sweep_policy_that_never_tips(tmp_path: Path) -> None:
    directory = write_sweep_dir(tmp_path / "sweep", levels=(0.8, 1.0, 1.2), replications=3,
                                weeks=10)
    html = write_sweep_report(directory).read_text(encoding="utf-8")
    too_busy = json.loads((directory / "too_busy.json").read_text())
    assert too_busy["protected_maintenance"]["point"] is None
    assert "Protected maintenance is never too busy within the range tested (up to 1.2×)" in html


def test_sweep_policy_already_too_busy_at_the_lowest_level(tmp_path: Path) -> None:
    directory = write_sweep_dir(tmp_path / "sweep", policies=("firefight_first", "wip_limit"),
                                levels=(1.0, 1.2), replications=2, weeks=8)
    too_busy = json.loads((directory / "too_busy.json").read_text())
    too_busy["wip_limit"] |= {"point": 1.0, "ci95": [1.0, 1.0]}
    (directory / "too_busy.json").write_text(json.dumps(too_busy))
    html = write_sweep_report(directory).read_text(encoding="utf-8")
    assert "WIP limit is already too busy at 1×, the lowest level tested" in html
    assert "it tips below the range tested" in html


def test_every_sweep_chart_is_exported(sweep_report: Path) -> None:
    assert_images(sweep_report.parent, SWEEP_CHARTS)


def test_build_report_detects_the_kind_of_directory(tmp_path: Path) -> None:
    run = write_run_dir(tmp_path / "run", replications=2, weeks=8)
    sweep = write_sweep_dir(tmp_path / "sweep", policies=("firefight_first",),
                            levels=(1.0, 1.2), replications=2, weeks=8)
    assert "Verdict" in build_report(run).read_text(encoding="utf-8")
    assert "Where each policy tips" in build_report(sweep).read_text(encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        build_report(tmp_path / "empty")


# -- images only when asked, and reports that know what they were built from ----------------------


def test_without_images_the_report_writes_no_chart_files(tmp_path: Path) -> None:
    directory = write_run_dir(tmp_path / "run", replications=2, weeks=8)
    html = write_report(directory).read_text(encoding="utf-8")
    assert not (directory / "charts").exists()
    assert len(embedded_specs(html)) == len(RUN_CHARTS), "the page's own charts are all there"
    assert 'href="charts/' not in html


def test_a_report_without_images_keeps_current_images_and_removes_stale_ones(tmp_path: Path) -> None:
    directory = write_run_dir(tmp_path / "run", replications=2, weeks=8)
    write_report(directory, images=True)
    html = write_report(directory).read_text(encoding="utf-8")  # same results: images still current
    assert_images(directory, RUN_CHARTS)
    assert 'href="charts/hours.png"' in html
    assert stamp.is_current(directory, images=True)
    summary = directory / "summary.json"
    summary.write_text(summary.read_text().replace('"replications": 2', '"replications": 3'))
    html = write_report(directory).read_text(encoding="utf-8")
    assert list((directory / "charts").iterdir()) == [], "images of other results are gone"
    assert 'href="charts/' not in html


def test_a_failed_image_leaves_the_report_wanting_images(tmp_path: Path, monkeypatch) -> None:
    directory = write_run_dir(tmp_path / "flaky", replications=2, weeks=8)

    def broken(svg, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(export.vl_convert, "svg_to_png", broken)
    write_report(directory, images=True)
    assert stamp.is_current(directory) and not stamp.is_current(directory, images=True)


def test_is_current_until_an_input_or_the_wish_for_images_changes(tmp_path: Path) -> None:
    directory = write_run_dir(tmp_path / "run", replications=2, weeks=8)
    assert not stamp.is_current(directory), "no report yet"
    write_report(directory)
    assert stamp.is_current(directory)
    assert not stamp.is_current(directory, images=True), "images wanted, none written"
    write_report(directory, images=True)
    assert stamp.is_current(directory, images=True) and stamp.is_current(directory)
    scenario = directory / "scenario.toml"
    scenario.write_text(scenario.read_text() + "\n# edited\n")
    assert not stamp.is_current(directory)


def test_sweep_report_stamp_covers_the_table_and_the_cells(tmp_path: Path) -> None:
    directory = write_sweep_dir(tmp_path / "sweep", policies=("firefight_first",), levels=(1.0, 1.2),
                                replications=2, weeks=8)
    write_sweep_report(directory)
    assert stamp.is_current(directory)
    table = pd.read_parquet(directory / "sweep.parquet")
    table.loc[0, "value"] += 1
    table.to_parquet(directory / "sweep.parquet", index=False)
    assert not stamp.is_current(directory)
    write_sweep_report(directory)
    assert stamp.is_current(directory)
    cell = next((directory / "cells").glob("*/scenario.toml"))
    cell.write_text(cell.read_text() + "\n# edited\n")
    assert not stamp.is_current(directory)


def test_a_report_from_another_version_is_not_current(tmp_path: Path, monkeypatch) -> None:
    directory = write_run_dir(tmp_path / "run", replications=2, weeks=8)
    write_report(directory)
    monkeypatch.setattr("itsim.__version__", "0.0.1")
    assert not stamp.is_current(directory)


def test_a_report_missing_a_chart_is_never_current(tmp_path: Path, monkeypatch) -> None:
    from itsim.report import ChartError, build

    def broken_chart(run):
        raise ValueError("no data")

    directory = write_run_dir(tmp_path / "run", replications=2, weeks=8)
    monkeypatch.setattr(build, "RUN_CHARTS", (*build.RUN_CHARTS[:2], broken_chart))
    with pytest.raises(ChartError):
        write_report(directory)
    assert (directory / "report.html").exists() and not stamp.is_current(directory)
