"""A store that survives damage and company: damaged cells are computed again (and said
so), a sweep folder is locked while a sweep runs, temporary files are removed only when
their owner is gone, data is flushed to disk before it is renamed into place, and damaged
result folders make report and compare exit 2 naming the file."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import itsim
from itsim import atomic, store
from itsim.folder_lock import FolderLocked, folder_lock
from itsim.sweep import sweep
from tests.robustness.probes import PROBE

SC = itsim.loads_scenario(PROBE)
CELL = "demand_scale=1.0__policy=firefight_first"
GRID = {"demand_scale": [0.9, 1.0]}


@pytest.fixture
def swept(tmp_path):
    """A complete two-cell sweep folder and its sweep.parquet."""
    out = tmp_path / "out"
    sweep(SC, GRID, replications=2, out=out)
    return out, pd.read_parquet(out / "sweep.parquet")


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def truncate(path):
    path.write_bytes(path.read_bytes()[:100])


@pytest.mark.parametrize("damage, problem", [
    (lambda cell: truncate(cell / "runs.parquet"), "runs.parquet: cannot be read"),
    (lambda cell: truncate(cell / "timeseries.parquet"), "timeseries.parquet: cannot be read"),
    (lambda cell: (cell / "summary.json").write_text('{"replications": 2, '), "summary.json: cannot be read"),
    (lambda cell: (cell / "summary.json").write_text("[1, 2]"), "summary.json: not a JSON object"),
    (lambda cell: (cell / "verdicts.parquet").unlink(), "verdicts.parquet: missing"),
    (lambda cell: (cell / "scenario.toml").write_text("[scenario\n"), "scenario.toml: TOML syntax error"),
])
def test_a_damaged_cell_is_computed_again_and_said_so(swept, damage, problem):
    out, before = swept
    damage(out / "cells" / CELL)
    again = sweep(SC, GRID, replications=2, out=out)
    assert again.resumed == 1
    assert [cid for cid, _ in again.recomputed] == [CELL]
    assert problem in again.recomputed[0][1]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), before)


def test_the_command_line_names_each_cell_computed_again(swept, probe_file, itsim_cli):
    out, _ = swept
    (out / "cells" / CELL / "summary.json").write_text("{")
    code, stdout, err = itsim_cli("sweep", probe_file, "--vary", "demand_scale=0.9,1.0", "--replications", 2,
                                  "--out", out)
    assert code == 0, err
    assert f"computed again: {CELL}: {out / 'cells' / CELL / 'summary.json'}: cannot be read (JSONDecodeError" in err
    assert "1 computed, 1 already done" in stdout


def test_a_corrupt_sweep_json_is_rewritten_and_the_cells_checked_one_by_one(swept):
    out, before = swept
    (out / "sweep.json").write_text("{not json")
    again = sweep(SC, GRID, replications=2, out=out)
    assert again.resumed == 2
    assert again.recomputed == [("sweep.json", f"{out / 'sweep.json'}: cannot be read (JSONDecodeError); rewritten")]
    assert json.loads((out / "sweep.json").read_text())["replications"] == 2
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), before)


def test_without_sweep_json_cells_of_other_arguments_are_not_reused(swept):
    out, _ = swept
    (out / "sweep.json").unlink()
    again = sweep(SC, GRID, replications=3, out=out)
    assert again.resumed == 0 and len(again.recomputed) == 2
    assert "replications 2 there, 3 here" in again.recomputed[0][1]
    assert json.loads((out / "cells" / CELL / "summary.json").read_text())["replications"] == 3
    assert set(pd.read_parquet(out / "sweep.parquet")["replication"]) == {0, 1, 2}


def test_without_sweep_json_a_cell_of_another_scenario_is_not_reused(swept):
    out, _ = swept
    (out / "sweep.json").unlink()
    (out / "scenario.toml").unlink()
    other = SC.with_changes({"team.desk.count": 4})
    again = sweep(other, GRID, replications=2, out=out)
    assert again.resumed == 0
    assert all("another scenario than this cell's" in p for _, p in again.recomputed)


def test_without_sweep_json_cells_of_the_same_sweep_are_reused(swept):
    out, before = swept
    (out / "sweep.json").unlink()
    again = sweep(SC, GRID, replications=2, out=out)
    assert again.resumed == 2 and again.recomputed == []
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), before)


# -- company ---------------------------------------------------------------------------------


def test_a_second_sweep_on_a_locked_folder_is_refused(tmp_path, probe_file, itsim_cli):
    out = tmp_path / "out"
    with folder_lock(out):
        with pytest.raises(FolderLocked, match=rf"another sweep is running there \(process {os.getpid()} on "):
            sweep(SC, GRID, replications=1, out=out)
        code, _, err = itsim_cli("sweep", probe_file, "--vary", "demand_scale=1", "--replications", 1, "--out", out)
    assert code == 2
    assert err.startswith(f"{out}: another sweep is running there (process {os.getpid()} on ")
    assert err.strip().endswith("wait for it to finish, or use another folder")
    assert not (out / "cells").exists()


def test_a_second_sweep_process_is_refused_while_the_first_runs(tmp_path, probe_file):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from itsim.folder_lock import folder_lock\n"
        f"with folder_lock({str(out)!r}):\n    print('locked', flush=True); time.sleep(120)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(FolderLocked, match=f"process {holder.pid} on "):
            sweep(SC, GRID, replications=1, out=out)
    finally:
        holder.kill()
        holder.wait()
    sweep(SC, GRID, replications=1, out=out)  # its lock died with it


def test_a_stale_lock_is_taken_over_and_reported(tmp_path, probe_file, itsim_cli):
    out = tmp_path / "out"
    out.mkdir()
    pid = dead_pid()
    (out / "sweep.lock").write_text(json.dumps({"pid": pid, "host": atomic.host_name(), "started": 0.0}))
    code, _, err = itsim_cli("sweep", probe_file, "--vary", "demand_scale=1", "--replications", 1, "--out", out)
    assert code == 0, err
    assert f"took over the lock of a sweep that stopped without finishing (process {pid} on " in err
    assert not (out / "sweep.lock").exists()


def test_temporary_files_are_removed_only_when_their_owner_is_gone(swept):
    out, _ = swept
    here = atomic.host_name()
    live = out / f".sweep.parquet.{here}.{os.getppid()}.abc123.tmp"
    other_host = out / f".sweep.parquet.elsewhere.{dead_pid()}.abc123.tmp"
    orphan = out / f".sweep.parquet.{here}.{dead_pid()}.abc123.tmp"
    legacy = out / ".sweep.parquet.x1y2z3.tmp"
    for path in (live, other_host, orphan, legacy):
        path.write_bytes(b"partial")
    sweep(SC, GRID, replications=2, out=out)
    assert live.exists() and other_host.exists()
    assert not orphan.exists() and not legacy.exists()


def test_data_is_flushed_to_disk_before_it_is_renamed_into_place(tmp_path, monkeypatch):
    calls = []
    fsync, replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")
                                                                if os.path.exists("/proc/self/fd") else fd)),
                                                 fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append(("replace", str(b))), replace(a, b))[1])
    store.atomic_write_parquet(tmp_path / "runs.parquet", pd.DataFrame({"x": [1]}))
    kinds = [kind for kind, _ in calls]
    assert kinds == ["fsync", "replace", "fsync"]  # the data, the rename, then the folder
    assert calls[0][1] != str(tmp_path / "runs.parquet") and calls[1][1] == str(tmp_path / "runs.parquet")


# -- report and compare on damaged folders ------------------------------------------------------


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    store.write_run(out, SC, itsim.replicate(SC, replications=2))
    return out


def damaged_copy(run_folder, tmp_path, name, content: bytes):
    import shutil

    copy = tmp_path / "damaged"
    shutil.copytree(run_folder, copy)
    (copy / name).write_bytes(content)
    return copy


@pytest.mark.parametrize("name, content, problem", [
    ("summary.json", b"{", "summary.json: cannot be read (JSONDecodeError"),
    ("summary.json", b'{"metrics": [1]}', "summary.json: 'metrics' is not a table"),
    ("runs.parquet", b"PAR1 truncated", "runs.parquet: cannot be read ("),
    ("timeseries.parquet", b"", "timeseries.parquet: cannot be read ("),
    ("scenario.toml", b"[scenario\n", "scenario.toml: cannot be read (TOMLDecodeError"),
])
def test_report_on_a_damaged_run_folder_exits_2_naming_the_file(run_folder, tmp_path, itsim_cli, name, content,
                                                                 problem):
    copy = damaged_copy(run_folder, tmp_path, name, content)
    code, _, err = itsim_cli("report", copy)
    assert code == 2 and err.startswith(f"{copy / problem.split(':')[0]}:") and problem in err, err


@pytest.mark.parametrize("name, content, problem", [
    ("summary.json", b"\xff\xfe", "summary.json: cannot be read ("),
    ("runs.parquet", b"garbage", "runs.parquet: cannot be read ("),
])
def test_compare_with_a_damaged_run_folder_exits_2_naming_the_file(run_folder, tmp_path, itsim_cli, name, content,
                                                                   problem):
    copy = damaged_copy(run_folder, tmp_path, name, content)
    code, _, err = itsim_cli("compare", run_folder, copy)
    assert code == 2 and problem in err and "internal error" not in err, err


def test_report_on_a_damaged_sweep_folder_exits_2_naming_the_file(swept, itsim_cli):
    out, _ = swept
    truncate(out / "sweep.parquet")
    code, _, err = itsim_cli("report", out)
    assert code == 2 and err.startswith(f"{out / 'sweep.parquet'}: cannot be read (")
    (out / "sweep.parquet").unlink()
    code, _, err = itsim_cli("report", out)
    assert code == 2 and "no sweep.parquet (the sweep has not finished" in err


def _lock_files_open() -> list[str]:
    """The sweep locks this process has open (read from /proc)."""
    fds = "/proc/self/fd"
    return [t for t in (os.readlink(f"{fds}/{fd}") for fd in os.listdir(fds) if os.path.exists(f"{fds}/{fd}"))
            if t.endswith("sweep.lock")]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads open files from /proc")
def test_forked_workers_do_not_hold_the_folder_lock(tmp_path):
    """Otherwise the lock would outlive a killed sweep for as long as its workers live."""
    from itsim.executors import LocalExecutor

    with folder_lock(tmp_path):
        assert _lock_files_open()
        held = [found for _, found in LocalExecutor(2).run(_lock_files_open, [(), ()])]
    assert held == [[], []]
