"""Starting the what-if app: a Streamlit server on this machine that reaches nothing
outside it.

``itsim app`` runs ``python -m streamlit run`` on :mod:`itsim.app.entry` as a child
process, with the settings in :data:`SETTINGS` given on its command line (they win
over any ``config.toml`` of the user's): the server listens on 127.0.0.1 only,
sends no usage statistics, opens no browser and asks for no e-mail, watches no
files and shows no deploy button. Streamlit's fonts and chart libraries are served
from the installed package, so the page loads nothing from the network either
(the browser test records every request the page makes). The command waits until
the server answers, prints the address and stops the server on Ctrl-C.
"""

from __future__ import annotations

import importlib.util
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from itsim.interrupt import Interrupted

HOST = "127.0.0.1"
DEFAULT_PORT = 8501
START_TIMEOUT_S = 120.0
"""How long to wait for the server to answer (it imports Streamlit and itsim first)."""
STOP_TIMEOUT_S = 15.0

SETTINGS = {
    "server.headless": "true",  # opens no browser, asks for no e-mail
    "server.address": HOST,  # only this machine can connect
    "browser.serverAddress": HOST,
    "browser.gatherUsageStats": "false",  # no telemetry, from the server or the page
    "server.fileWatcherType": "none",  # no watching of source files
    "server.runOnSave": "false",
    "client.toolbarMode": "minimal",  # no deploy button or links to Streamlit's site
    "global.developmentMode": "false",
    "runner.magicEnabled": "false",  # only what the page draws is drawn
    "logger.level": "warning",
    "theme.base": "light",
}
ENTRY = Path(__file__).with_name("entry.py")
INSTALL_HINT = 'the what-if app needs Streamlit: pip install "itsim[app]"'
STOPPED = "itsim app: stopped"


def streamlit_installed() -> bool:
    return importlib.util.find_spec("streamlit") is not None


def command(scenario: Path | None, port: int, replications: int, workers: int | None = None) -> list[str]:
    """The command line that starts the server on ``port`` for ``scenario`` (None: the
    mid-size starting scenario), with ``replications`` per answer to start with and
    ``workers`` processes for the simulations (None: one per usable core)."""
    settings = [f"--{key}={value}" for key, value in {**SETTINGS, "server.port": str(port)}.items()]
    page_args = [str(scenario.resolve())] if scenario is not None else []
    return [sys.executable, "-m", "streamlit", "run", str(ENTRY), *settings,
            "--", *page_args, "--replications", str(replications),
            *(["--workers", str(workers)] if workers is not None else [])]


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A port no one listens on now (the system's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def address(port: int) -> str:
    return f"http://{HOST}:{port}"


def wait_until_serving(port: int, server: subprocess.Popen, timeout_s: float = START_TIMEOUT_S) -> bool:
    """True once the server answers its health check; False if it exits or never answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{address(port)}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    return False


def stop(server: subprocess.Popen) -> None:
    """Ask the server to stop as Ctrl-C would, then insist; another Ctrl-C meanwhile
    insists at once (nothing to do if it has stopped)."""
    for ask in (lambda: server.send_signal(signal.SIGINT), server.terminate, server.kill):
        if server.poll() is not None:
            return
        ask()
        try:
            server.wait(STOP_TIMEOUT_S)
        except (subprocess.TimeoutExpired, KeyboardInterrupt, Interrupted):
            continue


def problems(scenario: Path | None, port: int | None, replications: int, workers: int | None = None) -> list[str]:
    """What stops the app from starting, one line each: Streamlit missing, a port that
    is taken or impossible, too few replications or workers, a scenario that is not valid."""
    from itsim.experiment import policy_for
    from itsim.scenario import ScenarioError, load_scenario

    found = [] if streamlit_installed() else [INSTALL_HINT]
    if port is not None and not 1 <= port <= 65535:
        found.append(f"--port: must be between 1 and 65535 (got {port})")
    elif port is not None and not port_free(port):
        found.append(f"--port: {port} is in use on this machine (leave --port out to take a free one)")
    if replications < 2:
        found.append(f"--replications: must be >= 2 (got {replications})")
    if workers is not None and workers < 1:
        found.append(f"--workers: must be >= 1 (got {workers})")
    if scenario is not None:
        try:
            policy_for(load_scenario(scenario))
        except ScenarioError as exc:
            found.extend(exc.problems)
    return found


def pick_port(port: int | None) -> int:
    """``port`` if given, else :data:`DEFAULT_PORT` if free, else a free one."""
    if port is not None:
        return port
    return DEFAULT_PORT if port_free(DEFAULT_PORT) else free_port()


def serve(scenario: Path | None, port: int, replications: int, workers: int | None = None,
          say: Callable[[str], None] = print) -> int:
    """Run the app until the server stops by itself (its exit code; 1 if it never
    answered) or until Ctrl-C or SIGTERM, which stop the server first: as
    :class:`itsim.interrupt.Interrupted` (re-raised, saying the app stopped) under the
    command line, as ``KeyboardInterrupt`` (exit code 130) elsewhere."""
    server = subprocess.Popen(command(scenario, port, replications, workers), stdout=subprocess.DEVNULL)
    try:
        if not wait_until_serving(port, server):
            say(f"itsim app: the server did not start on port {port} (see the messages above)")
            return 1
        say(f"itsim app: what-ifs on {scenario or 'the mid-size starting scenario'} at {address(port)}"
            " (this machine only; Ctrl-C stops it)")
        return server.wait()
    except Interrupted as exc:
        stop(server)
        exc.message = STOPPED
        raise
    except KeyboardInterrupt:
        stop(server)
        say(STOPPED)
        return 130
    finally:
        stop(server)
