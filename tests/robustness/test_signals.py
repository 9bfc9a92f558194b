"""Ctrl-C and SIGTERM mean stop: workers stop, completed cells stay (a sweep resumes), one
line is printed and the exit status is 130 or 143; killing the main process, even with
SIGKILL, leaves no worker behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from itsim import cli
from tests.robustness.probes import ROOT

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")

#: A sweep long enough to be stopped in the middle (a few hundred short replications).
SWEEP = ["--vary", "demand_scale=0.5:1.5:100", "--replications", 4, "--workers", 2]
#: ``itsim`` without the slow HTML report, as its own process.
NO_REPORT = """
import sys
import itsim.cli
itsim.cli._write_sweep_report = lambda out, images: None
sys.argv = ["itsim", *sys.argv[1:]]
itsim.cli.main()
"""


def start(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", NO_REPORT, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True, **kwargs)


def wait_for(condition, what: str, limit_s: float = 120) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    """Live (not zombie) child processes of ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if int(ppid) == pid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def complete(out: Path) -> int:
    return len(list(out.glob("cells/*/summary.json")))


def sweep_until_cells_are_done(probe_file, out) -> tuple[subprocess.Popen, list[int]]:
    proc = start("sweep", probe_file, *SWEEP, "--out", out)
    wait_for(lambda: complete(out) >= 1 and len(children(proc.pid)) == 2, "a cell and two workers")
    return proc, children(proc.pid)


def test_sigterm_stops_the_sweep_keeps_its_cells_and_no_worker_survives(probe_file, tmp_path):
    out = tmp_path / "out"
    proc, workers = sweep_until_cells_are_done(probe_file, out)
    os.kill(proc.pid, signal.SIGTERM)  # the main process only, as `kill` or a service manager does
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    last = err.strip().splitlines()[-1]
    kept = complete(out)
    assert last == (f"interrupted: {kept} of 100 cells complete in {out}/; run the same command again to resume")
    assert "Traceback" not in err
    wait_for(lambda: all(gone(w) for w in workers), "the workers to exit")
    assert not list(out.glob("**/.*.tmp")) and not (out / "sweep.lock").exists()


def test_ctrl_c_at_a_terminal_stops_main_and_workers_without_tracebacks(probe_file, tmp_path):
    out = tmp_path / "out"
    proc, workers = sweep_until_cells_are_done(probe_file, out)
    os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines()[-1].startswith("interrupted: ")
    wait_for(lambda: all(gone(w) for w in workers), "the workers to exit")


def test_killing_the_main_process_leaves_no_worker_behind(probe_file, tmp_path):
    proc, workers = sweep_until_cells_are_done(probe_file, tmp_path / "out")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=120)
    wait_for(lambda: all(gone(w) for w in workers), "the workers to exit after their parent was killed")


def test_an_interrupted_sweep_resumes_where_it_stopped(probe_file, tmp_path, itsim_cli):
    out = tmp_path / "out"
    args = ["--vary", "demand_scale=0.5:1.5:12", "--replications", 2, "--workers", 2, "--out", out]
    proc = start("sweep", probe_file, *args)
    wait_for(lambda: complete(out) >= 1, "a cell")
    os.kill(proc.pid, signal.SIGTERM)
    proc.communicate(timeout=120)
    assert proc.returncode == 143
    kept = complete(out)
    code, stdout, err = itsim_cli("sweep", probe_file, *args)
    assert code == 0, err
    assert f"{12 - kept} computed, {kept} already done" in stdout


def test_ctrl_c_during_a_run_writes_nothing_and_says_so(probe_file, tmp_path):
    out = tmp_path / "out"
    proc = start("run", probe_file, "--replications", 200, "--out", out)
    first = proc.stderr.readline()  # the first progress line: simulation under way
    assert first.startswith("simulating probe: ")
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == f"interrupted: nothing was written to {out}/"
    assert not out.exists()


def test_an_exit_status_typer_returns_instead_of_raising_is_the_exit_status(monkeypatch, capsys):
    """typer 0.29 turns Ctrl-C during argument parsing into a returned 130, not an exception."""
    monkeypatch.setattr(cli, "app", lambda **options: 130)
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_a_plain_exit_status_zero_is_success(monkeypatch):
    monkeypatch.setattr(cli, "app", lambda **options: 0)
    cli.main()
