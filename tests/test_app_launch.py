"""Starting the what-if app: Streamlit's command line with everything that could reach
outside the machine off, checks before starting, the address printed, clear errors."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

from itsim.app import launch

SCENARIO = Path(__file__).resolve().parent / "fixtures" / "app_small.toml"
# A stand-in for the server: answers Streamlit's health check, then stops by itself.
HEALTHY_THEN_EXIT = """
import http.server, sys, threading
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/_stcore/health" else 404)
        self.end_headers()
        threading.Timer(0.5, server.shutdown).start()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health)
server.serve_forever()
sys.exit(4)
"""


def itsim(*args: str, prelude: str = "") -> subprocess.CompletedProcess:
    code = f"{prelude}\nimport sys\nfrom itsim.cli import main\nsys.argv = ['itsim', *{list(args)!r}]\nmain()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_the_server_listens_on_this_machine_only_and_sends_nothing_out() -> None:
    cmd = launch.command(SCENARIO, 8600, 12)
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", str(launch.ENTRY)]
    flags = cmd[5:cmd.index("--")]
    for flag in ("--browser.gatherUsageStats=false", "--server.headless=true", "--server.address=127.0.0.1",
                 "--server.fileWatcherType=none", "--client.toolbarMode=minimal", "--server.port=8600"):
        assert flag in flags
    assert cmd[cmd.index("--") + 1:] == [str(SCENARIO.resolve()), "--replications", "12"]
    assert launch.command(None, 8600, 12)[-2:] == ["--replications", "12"]
    assert launch.command(None, 8600, 12, workers=3)[-4:] == ["--replications", "12", "--workers", "3"]
    assert launch.ENTRY.exists()


def test_problems_are_found_before_starting(tmp_path, monkeypatch) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO.read_text().replace('name = "firefight_first"', 'name = "firefight_frist"'))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setattr(launch, "streamlit_installed", lambda: False)
        found = launch.problems(bad, port, 1)
    assert found[0] == launch.INSTALL_HINT
    assert found[1] == f"--port: {port} is in use on this machine (leave --port out to take a free one)"
    assert found[2] == "--replications: must be >= 2 (got 1)"
    assert "did you mean 'firefight_first'" in found[3]
    assert launch.problems(None, 70000, 5, workers=0)[-2:] == [
        "--port: must be between 1 and 65535 (got 70000)", "--workers: must be >= 1 (got 0)"]


def test_without_streamlit_the_command_says_how_to_install_it() -> None:
    r = itsim("app", str(SCENARIO), prelude="import sys; sys.modules['streamlit'] = None")
    assert r.returncode == 2
    assert r.stderr.strip() == 'the what-if app needs Streamlit: pip install "itsim[app]"'
    assert "Traceback" not in r.stderr


def test_a_bad_scenario_or_port_exits_2_one_line_each(tmp_path) -> None:
    missing = tmp_path / "missing.toml"
    r = itsim("app", str(missing), "--port", "0")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == ["--port: must be between 1 and 65535 (got 0)",
                                             f"{missing}: cannot read file (No such file or directory)"]


def test_a_port_is_picked_when_none_is_given() -> None:
    assert launch.pick_port(9123) == 9123
    port = launch.pick_port(None)
    assert port == launch.DEFAULT_PORT or launch.port_free(port)


def test_the_address_is_printed_once_the_server_answers(monkeypatch) -> None:
    port = launch.free_port()
    monkeypatch.setattr(launch, "command", lambda *args: [sys.executable, "-c", HEALTHY_THEN_EXIT, str(port)])
    said: list[str] = []
    assert launch.serve(SCENARIO, port, 5, say=said.append) == 4  # the server's own exit code
    assert said == [f"itsim app: what-ifs on {SCENARIO} at http://127.0.0.1:{port} (this machine only; "
                    "Ctrl-C stops it)"]


def test_a_server_that_never_answers_is_an_error(monkeypatch) -> None:
    monkeypatch.setattr(launch, "command", lambda *args: [sys.executable, "-c", "import sys; sys.exit(3)"])
    said: list[str] = []
    assert launch.serve(None, 9, 5, say=said.append) == 1
    assert said == ["itsim app: the server did not start on port 9 (see the messages above)"]


def test_stopping_insists_when_the_server_ignores_ctrl_c(monkeypatch) -> None:
    monkeypatch.setattr(launch, "STOP_TIMEOUT_S", 0.5)
    deaf = ("import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print('ready', flush=True); "
            "time.sleep(60)")
    server = subprocess.Popen([sys.executable, "-c", deaf], stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"
    launch.stop(server)
    assert server.returncode == -signal.SIGTERM
