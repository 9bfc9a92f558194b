"""Output folders: --out is checked before any simulation; a run never writes over its
input nor mixes with another run's results; files get the user's umask; text from a
scenario is escaped for terminals and written as valid TOML."""

import json
import os
import stat

import pytest

import itsim
from itsim.report.build import write_report  # the real one: itsim_cli leaves reports out
from tests.robustness.probes import PROBE, itsim_process, probe


def test_out_pointing_at_a_file_is_refused_before_any_work(probe_file, itsim_cli, tmp_path):
    target = tmp_path / "afile"
    target.write_text("mine")
    code, out, err = itsim_cli("run", probe_file, "--out", target)
    assert code == 2 and err.strip() == f"--out {target}: is a file, not a folder"
    assert "simulating" not in out + err and target.read_text() == "mine"


def test_out_below_a_file_is_refused_before_any_work(probe_file, itsim_cli, tmp_path):
    (tmp_path / "afile").write_text("mine")
    code, _, err = itsim_cli("sweep", probe_file, "--vary", "demand_scale=1", "--out", tmp_path / "afile" / "sub")
    assert code == 2
    afile = tmp_path / "afile"
    assert err.strip() == f"--out {afile / 'sub'}: cannot create the folder, {afile} is a file"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs a folder nobody can write in")
def test_out_where_nothing_can_be_written_is_refused_before_any_work(probe_file, itsim_cli):
    code, _, err = itsim_cli("run", probe_file, "--out", "/proc/itsim-results")
    assert code == 2 and err.startswith("--out /proc/itsim-results: cannot write in /proc (")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_out_in_a_read_only_folder_is_refused(probe_file, itsim_cli, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = itsim_cli("run", probe_file, "--out", locked / "out")
    finally:
        locked.chmod(0o700)
    assert code == 2 and f"cannot write in {locked}" in err


def test_a_run_never_writes_over_its_own_scenario_file(tmp_path, itsim_cli, monkeypatch):
    (tmp_path / "scenario.toml").write_text(PROBE)
    monkeypatch.chdir(tmp_path)
    code, _, err = itsim_cli("run", "scenario.toml", "--out", ".", "--overwrite")
    assert code == 2
    assert err.strip() == ("--out .: holds the scenario file scenario.toml that is being run, which the results "
                           "would overwrite; choose another folder")
    assert (tmp_path / "scenario.toml").read_text() == PROBE and sorted(os.listdir(tmp_path)) == ["scenario.toml"]


def test_a_folder_of_someone_elses_files_is_never_cleared(probe_file, itsim_cli, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    code, _, err = itsim_cli("run", probe_file, "--out", mine, "--overwrite")
    assert code == 2 and "holds files that are not itsim results (notes.txt, ...)" in err
    assert (mine / "notes.txt").read_text() == "keep me"


def test_another_scenarios_results_are_refused_unless_overwrite_which_clears_them(probe_file, itsim_cli, tmp_path):
    out = tmp_path / "out"
    assert itsim_cli("run", probe_file, "--replications", 1, "--out", out)[0] == 0
    (out / "charts").mkdir()
    (out / "charts" / "stale.svg").write_text("<svg/>")
    other = tmp_path / "other.toml"
    other.write_text(probe(('name = "probe"', 'name = "other"')))
    code, _, err = itsim_cli("run", other, "--replications", 1, "--out", out)
    assert code == 2 and err.strip() == (f"--out {out}: holds the results of another scenario ('probe'); use "
                                         f"--overwrite to replace them, or another --out")
    code, _, err = itsim_cli("run", other, "--replications", 1, "--out", out, "--overwrite")
    assert code == 0, err
    assert json.loads((out / "summary.json").read_text())["scenario"] == "other"
    assert not (out / "charts").exists(), "the old run's charts were cleared"


def test_a_rerun_of_the_same_scenario_replaces_its_results_without_stale_files(probe_file, itsim_cli, tmp_path):
    out = tmp_path / "out"
    assert itsim_cli("run", probe_file, "--replications", 1, "--out", out)[0] == 0
    (out / "charts").mkdir()
    (out / "charts" / "stale.svg").write_text("<svg/>")
    code, _, err = itsim_cli("run", probe_file, "--replications", 2, "--out", out)
    assert code == 0, err
    assert json.loads((out / "summary.json").read_text())["replications"] == 2
    assert not (out / "charts" / "stale.svg").exists()


def test_a_sweep_folder_is_not_a_run_folder(probe_file, itsim_cli, tmp_path):
    out = tmp_path / "out"
    assert itsim_cli("sweep", probe_file, "--vary", "demand_scale=1", "--replications", 1, "--out", out)[0] == 0
    code, _, err = itsim_cli("run", probe_file, "--out", out)
    assert code == 2
    assert err.strip() == f"--out {out}: holds the results of a sweep; use --overwrite to replace them, or another " \
                          "--out"
    run_out = tmp_path / "run"
    assert itsim_cli("run", probe_file, "--replications", 1, "--out", run_out)[0] == 0
    code, _, err = itsim_cli("sweep", probe_file, "--vary", "demand_scale=1", "--out", run_out)
    assert code == 2 and "holds the results of a run" in err
    code, _, err = itsim_cli("sweep", probe_file, "--vary", "demand_scale=1", "--replications", 1, "--out", run_out,
                             "--overwrite")
    assert code == 0, err
    assert not (run_out / "runs.parquet").exists() and (run_out / "sweep.json").exists()


def test_overwrite_replaces_a_sweep_with_other_arguments(probe_file, itsim_cli, tmp_path):
    out = tmp_path / "out"
    assert itsim_cli("sweep", probe_file, "--vary", "demand_scale=1", "--replications", 1, "--out", out)[0] == 0
    code, _, err = itsim_cli("sweep", probe_file, "--vary", "demand_scale=1.1", "--replications", 1, "--out", out)
    assert code == 2 and "--overwrite to replace it" in err
    code, stdout, err = itsim_cli("sweep", probe_file, "--vary", "demand_scale=1.1", "--replications", 1, "--out",
                                  out, "--overwrite")
    assert code == 0, err
    assert sorted(p.name for p in (out / "cells").iterdir()) == ["demand_scale=1.1__policy=firefight_first"]


CONTROL_NAME = 'name = "evil\\u001b[2J\\u0000\\r\\u202e name"'


def test_control_characters_in_a_name_are_escaped_on_the_terminal(tmp_path, itsim_cli):
    f = tmp_path / "evil.toml"
    f.write_text(probe(('name = "probe"', CONTROL_NAME)))
    code, stdout, err = itsim_cli("run", f, "--replications", 1, "--out", tmp_path / "out")
    assert code == 0, err
    for text in (stdout, err):
        assert not any(c in text for c in "\x1b\x00\r\u202e")
    assert "evil\\x1b[2J\\x00\\x0d\\u202e name: 1 replications" in stdout


def test_a_name_with_control_characters_is_stored_as_valid_toml_and_reported(tmp_path, itsim_cli):
    f = tmp_path / "evil.toml"
    f.write_text(probe(('name = "probe"', CONTROL_NAME)))
    out = tmp_path / "out"
    code, _, err = itsim_cli("run", f, "--replications", 1, "--out", out)
    assert code == 0, err
    stored = itsim.load_scenario(out / "scenario.toml")
    assert stored.name == "evil\x1b[2J\x00\r\u202e name"
    r = itsim_process("report", out, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (out / "report.html").exists()
    assert "\x1b" not in r.stdout + r.stderr


def test_data_files_and_report_get_the_users_umask(probe_file, tmp_path, itsim_cli):
    out = tmp_path / "out"
    umask = os.umask(0o027)
    try:
        code, _, err = itsim_cli("run", probe_file, "--replications", 1, "--out", out)
        assert code == 0, err
        write_report(out)
    finally:
        os.umask(umask)
    for name in ("summary.json", "runs.parquet", "timeseries.parquet", "scenario.toml", "report.html"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o640, name
