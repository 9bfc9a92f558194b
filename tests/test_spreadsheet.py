"""Results for spreadsheets: --format xlsx and csv for run and sweep, compare --xlsx, and
weeks labelled by date when the scenario has a start date."""

import datetime

import pandas as pd
import pytest

import itsim
from itsim.spreadsheet import run_tables, sweep_tables, write_workbook
from tests.notebook_fixtures import SMALL, small
from tests.test_cli import itsim as cli


@pytest.fixture(scope="module")
def dated_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    (tmp / "dept.toml").write_text(SMALL.replace('seed = 5', 'seed = 5\nstart_date = 2025-03-03'))
    r = cli("run", tmp / "dept.toml", "--replications", "2", "--out", tmp / "out", "--format", "xlsx",
            "--format", "csv")
    assert r.returncode == 0, r.stderr
    return tmp / "out", r.stdout


def test_run_writes_a_workbook_and_csv_files_beside_parquet(dated_run):
    out, stdout = dated_run
    for name in ("results.xlsx", "summary.csv", "verdict.csv", "runs.csv", "timeseries.csv", "runs.parquet"):
        assert (out / name).exists(), name
    assert f"Tables: {out / 'results.xlsx'}" in stdout
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert list(sheets) == ["Summary", "Verdict", "Replications", "Weekly"]
    summary = sheets["Summary"].set_index("metric")
    stored = itsim.load_results(out).summary["metrics"]["utilization"]
    assert summary.loc["utilization", "mean"] == pytest.approx(stored["mean"])
    assert summary.loc["utilization", "unit"] == "share"
    assert list(sheets["Replications"]["replication"]) == [0, 1]
    assert sheets["Verdict"]["target"].iloc[0] == "too busy (any target)"
    pd.testing.assert_frame_equal(pd.read_csv(out / "runs.csv"), pd.read_parquet(out / "runs.parquet"),
                                  check_dtype=False)


def test_weeks_carry_their_dates(dated_run):
    out, _ = dated_run
    weekly = pd.read_excel(out / "results.xlsx", sheet_name="Weekly")
    assert weekly.loc[weekly["week"] == 0, "week_start"].iloc[0] == pd.Timestamp("2025-03-10")  # after 7 days
    assert weekly.loc[weekly["week"] == 1, "week_start"].iloc[0] == pd.Timestamp("2025-03-17")
    csv = pd.read_csv(out / "timeseries.csv")
    assert csv["week_start"].iloc[0] == "2025-03-10"


def test_without_a_start_date_weeks_are_numbers_only():
    result = itsim.replicate(small(), replications=1)
    weekly = run_tables(result.summary, result.runs, result.timeseries, result.scenario)["Weekly"]
    assert "week_start" not in weekly.columns


def test_sweep_and_compare_write_workbooks(tmp_path):
    (tmp_path / "dept.toml").write_text(SMALL)
    r = cli("sweep", tmp_path / "dept.toml", "--vary", "demand_scale=0.5,2.5", "--policy", "firefight_first",
            "--policy", "wip_limit", "--replications", "2", "--out", tmp_path / "sweep", "--format", "xlsx")
    assert r.returncode == 0, r.stderr
    sheets = pd.read_excel(tmp_path / "sweep" / "sweep.xlsx", sheet_name=None)
    assert list(sheets) == ["Tipping points", "Levels", "Summary"]
    assert set(sheets["Tipping points"]["policy"]) == {"firefight_first", "wip_limit"}
    assert len(sheets["Levels"]) == 4 and set(sheets["Levels"]["status"]) <= {"healthy", "at_risk", "too_busy"}
    assert {"demand_scale", "policy", "metric", "mean", "lo", "hi", "unit"} <= set(sheets["Summary"].columns)

    cells = sorted((tmp_path / "sweep" / "cells").iterdir())
    r = cli("compare", cells[0], cells[1], "--xlsx", tmp_path / "ab.xlsx")
    assert r.returncode == 0, r.stderr
    book = pd.read_excel(tmp_path / "ab.xlsx", sheet_name=None)
    assert list(book) == ["Comparison", "Verdicts"]
    assert list(book["Verdicts"]["side"]) == ["A", "B"]
    assert {"metric", "label", "unit", "mean_a", "mean_b", "difference", "assessment"} <= set(book["Comparison"])


def test_sweep_tables_list_failed_and_unrun_cells():
    grid = itsim.sweep(small(), vary={"demand_scale": [0.5, 1.0]}, replications=1)
    grid.cells[1].summary, grid.cells[1].error = None, "boom"
    levels = sweep_tables(grid)["Levels"]
    assert list(levels["status"])[1] == "failed"


def test_a_table_too_long_for_a_worksheet_is_cut_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr("itsim.spreadsheet.EXCEL_ROWS", 10)
    write_workbook(tmp_path / "t.xlsx", {"Long": pd.DataFrame({"x": range(20)})})
    sheet = pd.read_excel(tmp_path / "t.xlsx")
    assert len(sheet) == 8 and "13 more rows" in str(sheet["x"].iloc[-1])


def test_dates_in_a_workbook_are_dates(tmp_path):
    write_workbook(tmp_path / "d.xlsx", {"Weekly": pd.DataFrame({"week_start": [datetime.date(2025, 1, 6)]})})
    import openpyxl

    cell = openpyxl.load_workbook(tmp_path / "d.xlsx")["Weekly"]["A2"]
    assert cell.is_date
