"""The command line: exit codes, one line per problem, no tracebacks, output files."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.test_scenario import MINIMAL


def itsim(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "itsim.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def test_validate_good_file(tmp_path):
    f = tmp_path / "ok.toml"
    f.write_text(MINIMAL)
    r = itsim("validate", f)
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout


def test_validate_bad_files_exit_2_one_line_each(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL.replace("count = 5", "count = -5").replace("seed = 7", "sed = 7"))
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\x00\xff\x00")
    r = itsim("validate", bad, binary)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert any(line.startswith(f"{bad}: team[0].count:") for line in lines)
    assert any(line.startswith(f"{bad}: scenario.sed: unknown key") for line in lines)
    assert any(line.startswith(f"{binary}: not a text file") for line in lines)


def test_run_bad_file_fails_before_work(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL.replace('"desk"]', '"nobody"]'))
    out = tmp_path / "out"
    r = itsim("run", bad, "--out", out)
    assert r.returncode == 2
    assert "incidents.handled_by[0]" in r.stderr
    assert not out.exists()


def test_bad_flag_exits_2_without_traceback(tmp_path):
    f = tmp_path / "ok.toml"
    f.write_text(MINIMAL)
    for args in (("--replications", "0"), ("--replicatons", "3"), ("--workers", "x")):
        r = itsim("run", f, *args)
        assert r.returncode == 2, args
        assert "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_run_writes_results_identical_whatever_the_workers(tmp_path):
    f = tmp_path / "ok.toml"
    f.write_text(MINIMAL)
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        r = itsim("run", f, "--replications", 3, "--seed", 11, "--workers", workers, "--out", out)
        assert r.returncode == 0, r.stderr
        assert "firefighting" in r.stdout
        outs.append(out)
    a, b = (json.loads((o / "summary.json").read_text()) for o in outs)
    assert a == b
    summary = a
    assert summary["replications"] == 3 and summary["seed"] == 11
    too_busy = summary["too_busy"]
    assert {"verdict", "share_of_replications", "reasons", "status", "probability", "ci95", "targets"} <= set(too_busy)
    assert too_busy["verdict"] == (too_busy["status"] == "too_busy")
    assert too_busy["ci95"][0] <= too_busy["probability"] <= too_busy["ci95"][1]
    m = summary["metrics"]["incident_wait_hours"]
    assert m["ci95"][0] <= m["mean"] <= m["ci95"][1]
    runs = pd.read_parquet(outs[0] / "runs.parquet")
    assert list(runs.columns) == ["replication", "metric", "value"]
    ts = pd.read_parquet(outs[0] / "timeseries.parquet")
    for col in ("replication", "week", "hours.firefighting", "hours.recurring", "hours.projects",
                "hours.idle", "open_work_hours", "tech_debt_hours", "incident_rate_per_day", "staff"):
        assert col in ts.columns
    assert Path(outs[0] / "scenario.toml").exists()


def test_report_and_compare_commands(tmp_path):
    f = tmp_path / "ok.toml"
    f.write_text(MINIMAL)
    a, b = tmp_path / "a", tmp_path / "b"
    for out, rate in ((a, 4.5), (b, 4.0)):
        f.write_text(MINIMAL.replace("rate_per_hour = 4.5", f"rate_per_hour = {rate}"))
        assert itsim("run", f, "--replications", 3, "--seed", 3, "--out", out).returncode == 0
    (a / "report.html").unlink()
    r = itsim("report", a)
    assert r.returncode == 0, r.stderr
    assert (a / "report.html").stat().st_size > 10_000
    r = itsim("compare", a, b)
    assert r.returncode == 0, r.stderr
    assert "paired run by run" in r.stdout and "Wait before work starts on an incident" in r.stdout
    for command in (("report", tmp_path / "missing"), ("compare", a, tmp_path / "missing")):
        r = itsim(*command)
        assert r.returncode == 2 and "Traceback" not in r.stderr


def test_images_only_when_asked(tmp_path):
    f = tmp_path / "ok.toml"
    f.write_text(MINIMAL)
    out = tmp_path / "out"
    assert itsim("run", f, "--replications", 2, "--out", out).returncode == 0
    assert (out / "report.html").exists() and not (out / "charts").exists()
    r = itsim("report", out, "--images")
    assert r.returncode == 0, r.stderr
    assert {p.suffix for p in (out / "charts").iterdir()} == {".png", ".svg"}


def test_a_finished_sweep_with_a_current_report_does_nothing_and_says_so(tmp_path):
    f = tmp_path / "ok.toml"
    f.write_text(MINIMAL)
    out = tmp_path / "sweep"
    args = ("sweep", f, "--vary", "demand_scale=0.8,1.0", "--replications", 2, "--out", out)
    r = itsim(*args)
    assert r.returncode == 0, r.stderr
    assert "Nothing to do" not in r.stdout
    built = (out / "report.html").stat().st_mtime_ns
    r = itsim(*args)
    assert r.returncode == 0, r.stderr
    assert "0 computed, 2 already done" in r.stdout
    assert f"Nothing to do: every cell was already done and {out / 'report.html'} is up to date" in r.stdout
    assert (out / "report.html").stat().st_mtime_ns == built
    r = itsim(*args, "--images")  # images wanted now: the report is built again, with them
    assert "Nothing to do" not in r.stdout and (out / "charts").is_dir()


def test_policies_lists_every_policy_with_its_parameters_defaults_and_meaning():
    r = itsim("policies")
    assert r.returncode == 0, r.stderr
    from tests.test_policies import SPEC_POLICIES

    for name in SPEC_POLICIES:
        assert f"\n{name}: " in "\n" + r.stdout
    assert "wip_limit  integer  from the scenario  Most projects in progress at once" in r.stdout
    assert "queue_threshold  integer  4" in r.stdout
    one = itsim("policies", "protected_maintenance")
    assert one.stdout.startswith("protected_maintenance: ") and "wip_limit" not in one.stdout


def test_policies_with_an_unknown_name_exits_2():
    r = itsim("policies", "wip_limt")
    assert r.returncode == 2
    assert "did you mean 'wip_limit'" in r.stderr and "Traceback" not in r.stderr
