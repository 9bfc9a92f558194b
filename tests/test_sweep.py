"""Sweeps: the grid, common random numbers across cells, the too-busy point, failed
cells, resuming an interrupted sweep, and the ``itsim sweep`` command."""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import itsim
from itsim import cli
from itsim.policies import register
from itsim.policies.base import FirefightFirst
from itsim.scenario import ScenarioError
from itsim.sweep import Cell, Sweep, SweepMismatch, cell_id, parse_vary, plan
from itsim.sweep import sweep as run_sweep
from tests.cli_helpers import run_in_process
from tests.test_scenario import MINIMAL


class FirefightTwin(FirefightFirst):
    """Behaves exactly like firefight_first under another name."""

    name = "firefight_twin"


class BreaksUnderLoad(FirefightFirst):
    """Raises for demand above today's while ``broken`` is set (a cell that fails)."""

    name = "breaks_under_load"
    broken = True

    def bind(self, world):
        if BreaksUnderLoad.broken and world.scenario.demand_scale > 1:
            raise RuntimeError("cannot cope")


register(FirefightTwin)
register(BreaksUnderLoad)

SC = itsim.loads_scenario(MINIMAL)  # M/M/5, 40 days: a tenth of a second per replication


# -- the grid ---------------------------------------------------------------------------------


def test_parse_vary_range_includes_both_ends_and_keeps_integers():
    assert parse_vary("demand_scale=0.8:1.2:5") == ("demand_scale", [0.8, 0.9, 1.0, 1.1, 1.2])
    assert parse_vary("team.desk.count=3:6:4") == ("team.desk.count", [3, 4, 5, 6])
    assert parse_vary("demand_scale=1:2:3") == ("demand_scale", [1.0, 1.5, 2.0])


def test_parse_vary_comma_list():
    assert parse_vary("team.desk.count=4,6") == ("team.desk.count", [4, 6])
    assert parse_vary("demand_scale=1,1.5") == ("demand_scale", [1.0, 1.5])
    assert parse_vary("scenario.calendar=24x7,business") == ("scenario.calendar", ["24x7", "business"])


@pytest.mark.parametrize("text", ["demand_scale", "=1,2", "demand_scale=", "demand_scale=1:2",
                                  "demand_scale=a:b:3", "demand_scale=1:2:1", "demand_scale=1,,2",
                                  "demand_scale=1,1"])
def test_parse_vary_rejects_bad_syntax(text):
    with pytest.raises(ValueError):
        parse_vary(text)


def test_cell_id_is_readable_and_safe_as_a_file_name():
    assert cell_id({"demand_scale": 1.2}, "wip_limit") == "demand_scale=1.2__policy=wip_limit"
    assert cell_id({"recurring.Log review/x.due_within_days": 3}, "a+b") == (
        "recurring.Log_review_x.due_within_days=3__policy=a+b"
    )


def test_plan_gives_one_cell_per_value_and_policy():
    cells = plan(SC, {"demand_scale": [0.5, 1.0], "team.desk.count": [5, 6]}, ["firefight_first", "firefight_twin"])
    assert len(cells) == 8
    first = cells[0]
    assert first.values == {"demand_scale": 0.5, "team.desk.count": 5}
    assert first.scenario.demand_scale == 0.5 and first.scenario.role("desk").count == 5
    assert first.scenario.policy.names == ["firefight_first"]
    assert cells[1].scenario.policy.names == ["firefight_twin"]


def test_plan_reports_every_bad_key_and_policy_before_any_work():
    with pytest.raises(ScenarioError) as info:
        plan(SC, {"team.desk.cont": [1]}, ["firefight_frist"])
    assert any(p.startswith("--policy: unknown policy 'firefight_frist'") for p in info.value.problems)
    with pytest.raises(ScenarioError) as info:
        plan(SC, {"team.desk.cont": [1], "demand_scale": [-1, 1]}, None)
    assert any(p.startswith("--vary team.desk.cont:") and "did you mean 'count'" in p for p in info.value.problems)
    assert any("demand_scale" in p for p in info.value.problems)


# -- running ----------------------------------------------------------------------------------


def test_sweep_table_is_long_with_a_column_per_varied_key():
    grid = itsim.sweep(SC, vary={"demand_scale": [0.8, 1.0]}, replications=2)
    t = grid.table
    assert list(t.columns) == ["demand_scale", "policy", "replication", "metric", "value"]
    assert set(t["policy"]) == {"firefight_first"}
    per_cell = t.groupby(["demand_scale", "replication"]).size()
    assert per_cell.nunique() == 1 and len(per_cell) == 4
    busy = t.loc[t["metric"] == "too_busy", "value"]
    assert set(busy) <= {0.0, 1.0}
    assert {"incident_wait_hours", "utilization"} <= set(t["metric"])


def test_replication_r_sees_the_same_random_numbers_in_every_cell():
    grid = run_sweep(SC, {"demand_scale": [0.9]}, ["firefight_first", "firefight_twin"], replications=3)
    t = grid.table.drop(columns="policy")
    a, b = (t.loc[grid.table["policy"] == p].reset_index(drop=True) for p in grid.policies)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[a["metric"] == "incidents_arrived", "value"].nunique() == 3  # replications differ


def test_results_do_not_depend_on_the_number_of_workers():
    one = run_sweep(SC, {"team.desk.count": [5, 6]}, replications=3, workers=1)
    two = run_sweep(SC, {"team.desk.count": [5, 6]}, replications=3, workers=2)
    pd.testing.assert_frame_equal(one.table, two.table)


def test_demand_level_raises_utilisation():
    grid = itsim.sweep(SC, vary={"demand_scale": [0.6, 1.0]}, replications=2)
    t = grid.table
    util = t[t["metric"] == "utilization"].groupby("demand_scale")["value"].mean()
    assert util[1.0] > util[0.6] * 1.4


# -- the too-busy point ------------------------------------------------------------------------


def _grid(levels, busy, policy="p") -> Sweep:
    """A sweep over demand_scale whose cells have the given too-busy verdicts (levels x replications)."""
    cells = []
    for x, row in zip(levels, busy, strict=True):
        verdicts = pd.DataFrame({"replication": range(len(row)), "too_busy": [bool(v) for v in row], "reasons": ""})
        runs = pd.DataFrame({"replication": range(len(row)), "metric": "utilization", "value": 0.5})
        cells.append(Cell(cell_id({"demand_scale": x}, policy), {"demand_scale": x}, policy, SC,
                          summary={}, runs=runs, verdicts=verdicts))
    return Sweep(SC, {"demand_scale": list(levels)}, [policy], len(busy[0]), 1, cells)


def test_too_busy_point_interpolates_where_the_share_crosses_the_too_busy_band():
    busy = [[0, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 1, 1]]  # shares 0, 0.4, 1: band 0.8 crossed at 2.67
    entry = _grid([1.0, 2.0, 3.0], busy).too_busy_point()["p"]
    assert entry["varied"] == "demand_scale"
    assert entry["direction"] == "more_is_worse" and entry["kind"] == "tips" and entry["band"] == 0.8
    assert entry["point"] == pytest.approx(2 + 0.4 / 0.6)
    lo, hi = entry["ci95"]
    assert 1.0 <= lo <= entry["point"] and (hi is None or hi >= entry["point"])
    assert entry["at_risk"]["point"] == pytest.approx(1.5)  # share 0.2 crossed half-way to 0.4
    assert entry["shares"] == [[1.0, 0.0], [2.0, 0.4], [3.0, 1.0]]


def test_too_busy_point_is_null_when_it_never_tips():
    entry = _grid([1.0, 2.0], [[0, 0, 1], [1, 0, 0]]).too_busy_point()["p"]
    assert (entry["point"], entry["ci95"], entry["kind"]) == (None, None, "never")
    assert entry["at_risk"]["kind"] == "below_range", "a third of the replications break a target at 1.0"


def test_too_busy_point_below_the_range_is_a_bound_at_the_lowest_level():
    entry = _grid([1.0, 2.0], [[1, 1, 1], [1, 1, 1]]).too_busy_point()["p"]
    assert entry["kind"] == "below_range"
    assert (entry["point"], entry["ci95"]) == (1.0, [1.0, 1.0])


def test_more_staff_recovers_and_integer_keys_stay_integers():
    levels = [9, 10, 11, 12]
    busy = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    cells = []
    for x, row in zip(levels, busy, strict=True):
        verdicts = pd.DataFrame({"replication": range(4), "too_busy": [bool(v) for v in row], "reasons": ""})
        cells.append(Cell(cell_id({"team.desk.count": x}, "p"), {"team.desk.count": x}, "p", SC, summary={},
                          runs=pd.DataFrame(columns=["replication", "metric", "value"]), verdicts=verdicts))
    entry = Sweep(SC, {"team.desk.count": levels}, ["p"], 4, 1, cells).too_busy_point()["p"]
    assert entry["direction"] == "more_is_better" and entry["kind"] == "recovers"
    assert entry["point"] == 10 and isinstance(entry["point"], int)  # 0.75 of runs at 10: no longer too busy
    assert all(isinstance(v, int) for v in entry["ci95"] if v is not None)


def test_direction_of_an_undeclared_key_is_read_from_the_shares():
    from itsim.tipping import declared_direction, detected_direction

    assert declared_direction("policy.share") is None
    assert detected_direction(np.array([0.1, 0.2, 0.3]), np.array([1.0, 0.5, 0.0])) == "more_is_better"
    assert detected_direction(np.array([0.1, 0.2, 0.3]), np.array([0.0, 0.5, 1.0])) == "more_is_worse"
    assert declared_direction("team.engineer.count") == "more_is_better"
    assert declared_direction("incidents.rate_per_day") == "more_is_worse"


def test_too_busy_interval_narrows_with_more_replications():
    rng = np.random.default_rng(3)
    levels = [1.0, 1.5, 2.0, 2.5, 3.0]
    probs = [0.05, 0.2, 0.5, 0.8, 0.95]

    def width(n):
        busy = [(rng.random(n) < p).astype(int) for p in probs]
        lo, hi = _grid(levels, busy).too_busy_point()["p"]["ci95"]
        return (math.inf if hi is None else hi) - lo  # unbounded where many resamples never tip

    assert width(400) < width(10)


def test_too_busy_point_of_a_real_sweep_lies_between_the_levels_either_side():
    grid = itsim.sweep(SC, vary={"demand_scale": [0.8, 1.0, 1.1]}, replications=3)
    point = grid.too_busy_point()["firefight_first"]
    assert 0.8 <= point["point"] <= 1.0  # M/M/5 at 4.5/h: 90% busy, above the 85% ceiling


# -- the output directory: failures and resuming ------------------------------------------------


def test_failed_cell_is_recorded_the_rest_go_on_and_a_rerun_retries_it(tmp_path):
    out = tmp_path / "s"
    args = dict(vary={"demand_scale": [0.9, 1.2]}, policies=["breaks_under_load"], replications=2, out=out)
    try:
        grid = run_sweep(SC, **args)
        assert [c.id for c in grid.failed] == ["demand_scale=1.2__policy=breaks_under_load"]
        bad = out / "cells" / "demand_scale=1.2__policy=breaks_under_load"
        assert "cannot cope" in (bad / "error.txt").read_text()
        assert not (bad / "summary.json").exists()
        assert (out / "cells" / "demand_scale=0.9__policy=breaks_under_load" / "summary.json").exists()
        assert json.loads((out / "sweep.json").read_text())["failed"] == 1
        assert set(pd.read_parquet(out / "sweep.parquet")["demand_scale"]) == {0.9}

        BreaksUnderLoad.broken = False
        done = []
        again = run_sweep(SC, **args, progress=lambda n, total: done.append(total))
    finally:
        BreaksUnderLoad.broken = True
    assert again.failed == [] and again.resumed == 1
    assert set(done) == {2}  # only the failed cell's two replications ran again
    assert not (bad / "error.txt").exists() and (bad / "summary.json").exists()
    assert json.loads((out / "sweep.json").read_text())["failed"] == 0


def test_resumed_sweep_equals_an_uninterrupted_one(tmp_path):
    args = dict(vary={"demand_scale": [0.8, 1.0]}, policies=["firefight_first", "firefight_twin"], replications=2)
    whole = run_sweep(SC, **args, out=tmp_path / "whole")
    part = tmp_path / "part"
    run_sweep(SC, **args, out=part)
    (part / "cells" / "demand_scale=1.0__policy=firefight_twin" / "summary.json").unlink()
    (part / "sweep.parquet").unlink()
    resumed = run_sweep(SC, **args, out=part)
    assert resumed.resumed == 3
    pd.testing.assert_frame_equal(pd.read_parquet(part / "sweep.parquet"), pd.read_parquet(tmp_path / "whole" /
                                                                                             "sweep.parquet"))
    assert json.loads((part / "too_busy.json").read_text()) == whole.too_busy_point()


def test_rerun_with_other_arguments_is_refused(tmp_path):
    run_sweep(SC, {"demand_scale": [0.8]}, replications=2, out=tmp_path)
    with pytest.raises(SweepMismatch, match="replications: 2 there, 3 here"):
        run_sweep(SC, {"demand_scale": [0.8]}, replications=3, out=tmp_path)
    with pytest.raises(SweepMismatch, match=r"values: \{\"demand_scale\": \[0.8\]\} there"):
        run_sweep(SC, {"demand_scale": [0.8, 1.0]}, replications=2, out=tmp_path)
    with pytest.raises(SweepMismatch, match="scenario file changed"):
        run_sweep(SC.with_changes({"team.desk.count": 6}), {"demand_scale": [0.8]}, replications=2, out=tmp_path)


# -- the command line ---------------------------------------------------------------------------
#
# The HTML report is left out of these runs: it has its own tests and takes far longer
# than these tiny sweeps.

ROOT = Path(__file__).resolve().parents[1]
KILLABLE = """
import sys
import itsim.cli
from tests.test_sweep import FirefightTwin
itsim.cli._write_sweep_report = lambda out, images: None
sys.argv = ["itsim", *sys.argv[1:]]
itsim.cli.main()
"""


@pytest.fixture
def itsim_sweep(capsys, monkeypatch):
    """Run ``itsim sweep ARGS`` in this process; return (exit status, stdout, stderr)."""
    monkeypatch.setattr(cli, "_write_sweep_report", lambda out, images: None)

    def run(*args):
        return run_in_process(monkeypatch, capsys, "sweep", *args)

    return run


@pytest.fixture
def scenario_file(tmp_path):
    f = tmp_path / "mm5.toml"
    f.write_text(MINIMAL)
    return f


@pytest.mark.parametrize("args, message", [
    (["--vary", "demand_scale=1:2"], "--vary demand_scale: '1:2': expected KEY=START:STOP:STEPS"),
    (["--vary", "team.desk.cont=4,5"], "--vary team.desk.cont: team[0].cont: unknown key; did you mean 'count'?"),
    (["--vary", "demand_scale=1,2", "--policy", "nope"], "--policy: unknown policy 'nope'"),
    (["--vary", "demand_scale=1,2", "--executor", "dask"], "--address: required with --executor dask"),
    (["--vary", "demand_scale=1,2", "--replications", "0"], "--replications: must be >= 1 (got 0)"),
    ([], "error: Missing option '--vary'"),
])
def test_bad_input_exits_2_with_one_line_before_any_work(itsim_sweep, scenario_file, tmp_path, args, message):
    out = tmp_path / "out"
    code, _, err = itsim_sweep(scenario_file, *args, "--out", out)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and err.startswith(message)
    assert not out.exists()


def test_rerun_with_other_arguments_exits_2(itsim_sweep, scenario_file, tmp_path):
    out = tmp_path / "out"
    assert itsim_sweep(scenario_file, "--vary", "demand_scale=1", "--replications", 1, "--out", out)[0] == 0
    code, _, err = itsim_sweep(scenario_file, "--vary", "demand_scale=1", "--replications", 2, "--out", out)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "replications: 1 there, 2 here" in err


def test_failed_cells_give_exit_status_1(itsim_sweep, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL + '\n[policy]\nname = "breaks_under_load"\n')
    code, out, _ = itsim_sweep(bad, "--vary", "demand_scale=1,1.2", "--replications", 1, "--out", tmp_path / "out")
    assert code == 1
    assert "1 of 2 cells failed" in out
    assert (tmp_path / "out" / "cells" / "demand_scale=1.2__policy=breaks_under_load" / "error.txt").exists()


def test_sweep_killed_at_any_moment_resumes_to_the_same_results(itsim_sweep, scenario_file, tmp_path):
    args = ["--vary", "demand_scale=0.8:1.1:4", "--policy", "firefight_first", "--policy", "firefight_twin",
            "--replications", 3]
    whole = tmp_path / "whole"
    code, stdout, err = itsim_sweep(scenario_file, *args, "--out", whole)
    assert code == 0, err
    assert "8 cells (4 values of demand_scale x 2 policies)" in stdout
    assert "firefight_first: tips into 'too busy' at " in stdout

    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, "sweep", scenario_file, *map(str, args), "--out", out,
                             "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("cells/*/summary.json")) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    complete = len(list(out.glob("cells/*/summary.json")))
    assert 1 <= complete < 8 and not (out / "sweep.parquet").exists()

    code, stdout, err = itsim_sweep(scenario_file, *args, "--out", out)
    assert code == 0, err
    assert f"{8 - complete} computed, {complete} already done" in stdout
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), pd.read_parquet(whole / "sweep.parquet"))
    for name in ("too_busy.json", "sweep.json"):
        assert json.loads((out / name).read_text()) == json.loads((whole / name).read_text())
    assert not list(out.glob("**/.*.tmp"))
