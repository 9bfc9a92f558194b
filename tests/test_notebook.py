"""Results in a notebook: short reprs, HTML cards, tidy summary and tipping-point tables,
results read back from folders, and comparisons of results in memory or on disk."""

import html
import subprocess
import sys

import pandas as pd
import pytest

import itsim
from itsim.compare import Comparison, ResultsError
from itsim.store import write_run
from tests.notebook_fixtures import small


@pytest.fixture(scope="module")
def result():
    return itsim.replicate(small(), replications=4)


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    return itsim.sweep(small(), vary={"demand_scale": [0.5, 2.5]}, policies=["firefight_first", "wip_limit"],
                       replications=3, out=out)


def test_replicated_repr_is_short_with_the_verdict_and_headline_intervals(result):
    text = repr(result)
    assert len(text) < 1200 and len(text.splitlines()) <= 12
    block = result.summary["too_busy"]
    assert text.startswith("<Replicated 'Small department': 4 replications of 42 days (seed 5)")
    assert "chance of being too busy (95% interval" in text.splitlines()[1]
    assert "Time spent firefighting" in text and ".summary_frame()" in text
    assert block["status"].replace("_", " ") in text.splitlines()[1].lower()


def test_replicated_html_shows_the_status_in_its_colour_and_escapes_names():
    result = itsim.replicate(small(**{"scenario.name": "<b>R&D</b>"}), replications=2)
    page = result._repr_html_()
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in page and "<b>R&D</b>" not in page
    from itsim.report.fmt import STATUS_COLOURS
    assert STATUS_COLOURS[result.summary["too_busy"]["status"]] in page
    assert "95% interval" in page


def test_summary_frame_is_the_summary_as_a_table(result):
    frame = result.summary_frame()
    assert list(frame.columns) == ["metric", "mean", "lo", "hi", "unit", "label"]
    assert len(frame) == len(result.summary["metrics"])
    row = frame.set_index("metric").loc["utilization"]
    entry = result.summary["metrics"]["utilization"]
    assert (row["mean"], row["lo"], row["hi"]) == (entry["mean"], *entry["ci95"])
    assert row["unit"] == "share" and row["label"] == "Team utilisation"
    units = frame.set_index("metric")["unit"]
    assert units["incident_wait_hours"] == "hours" and units["project_lead_time_days"] == "days"
    assert units["cost_total"] == "money" and units["open_work_hours_end"] == "person-hours"


def test_run_repr_is_one_line_with_its_verdict():
    run = itsim.simulate(small(), seed=1)
    text = repr(run)
    assert "\n" not in text and len(text) < 500
    assert text.startswith("<Run 'Small department' replication 0 (seed 1), 42 days: ")
    assert ("met every target" in text) != run.too_busy["verdict"]
    assert "Run of 'Small department'" in html.unescape(run._repr_html_())


def test_sweep_shows_where_each_policy_tips_and_as_a_table(grid):
    text = repr(grid)
    assert text.startswith("<Sweep 'Small department': 2 values of demand_scale × 2 policies")
    assert "firefight_first:" in text and "wip_limit:" in text
    frame = grid.too_busy_frame()
    points = grid.too_busy_point()
    assert list(frame["name"]) == list(points)
    for _, row in frame.iterrows():
        entry = points[row["name"]]
        assert row["kind"] == entry["kind"] and row["varied"] == "demand_scale"
        assert (pd.isna(row["point"]) and entry["point"] is None) or row["point"] == entry["point"]
    assert "wip_limit" in grid._repr_html_() or "WIP limit" in grid._repr_html_()


def test_too_busy_frame_has_a_column_per_other_varied_key():
    grid = itsim.sweep(small(), vary={"demand_scale": [0.5, 2.5], "team.engineer.count": [2, 4]}, replications=2)
    frame = grid.too_busy_frame()
    assert "team.engineer.count" in frame.columns
    assert sorted(frame["team.engineer.count"]) == [2, 4]


def test_load_results_reads_a_run_folder_back(result, tmp_path):
    write_run(tmp_path, result.scenario, result)
    loaded = itsim.load_results(tmp_path)
    assert isinstance(loaded, itsim.Replicated)
    assert loaded.summary == result.summary
    pd.testing.assert_frame_equal(loaded.runs, result.runs)
    pd.testing.assert_frame_equal(loaded.timeseries, result.timeseries)
    assert loaded.scenario == result.scenario
    assert repr(loaded) == repr(result)


def test_load_results_reads_a_sweep_folder_back(grid):
    loaded = itsim.load_results(grid.out)
    assert isinstance(loaded, itsim.Sweep)
    assert loaded.too_busy_point() == grid.too_busy_point()
    pd.testing.assert_frame_equal(loaded.table, grid.table)


def test_load_results_names_a_folder_that_holds_no_results(tmp_path):
    with pytest.raises(ResultsError, match="not a results folder"):
        itsim.load_results(tmp_path)


def test_compare_takes_results_or_folders_alike(result, tmp_path):
    variant = itsim.replicate(small(**{"team.engineer.count": 2}), replications=4)
    write_run(tmp_path / "a", result.scenario, result)
    write_run(tmp_path / "b", variant.scenario, variant)
    in_memory = itsim.compare(result, variant)
    on_disk = itsim.compare(tmp_path / "a", str(tmp_path / "b"))
    mixed = itsim.compare(result, tmp_path / "b")
    assert isinstance(in_memory, Comparison)
    assert in_memory.paired
    columns = ["metric", "difference", "diff_ci_low", "diff_ci_high", "significant"]
    pd.testing.assert_frame_equal(in_memory.table[columns], on_disk.table[columns])
    pd.testing.assert_frame_equal(mixed.table[columns], on_disk.table[columns])
    assert "team.engineer.count: 3 → 2" in repr(in_memory)
    assert "itsim-compare" in in_memory._repr_html_()
    with pytest.raises(TypeError, match="compare takes results"):
        itsim.compare(result, 3)


def test_itsim_compare_stays_the_function_after_the_module_is_imported():
    code = ("import itsim, itsim.compare\nfrom itsim.compare import Side\n"
            "assert callable(itsim.compare) and itsim.compare.__name__ == 'compare', itsim.compare\n"
            "assert itsim.load_results.__module__ == 'itsim.results'\n"
            "import sys; assert 'itsim.report' not in sys.modules or True\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_import_itsim_does_not_load_the_results_module():
    code = "import sys, itsim\nassert 'itsim.results' not in sys.modules and 'itsim.display' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)
