"""Fixtures for the robustness probes: the probe scenario on disk, and ``itsim`` run in
this process (fast) with the slow HTML reports left out unless a test asks for them."""

import pytest

from itsim import cli
from itsim.report import build
from tests.cli_helpers import run_in_process
from tests.robustness.probes import PROBE


@pytest.fixture
def probe_file(tmp_path):
    f = tmp_path / "probe.toml"
    f.write_text(PROBE)
    return f


@pytest.fixture
def itsim_cli(capsys, monkeypatch):
    """Run ``itsim ARGS`` in this process; return (exit status, stdout, stderr). Reports
    are not built (they have their own tests and take seconds each)."""
    monkeypatch.setattr(cli, "_write_sweep_report", lambda out, images: None)
    monkeypatch.setattr(build, "write_report", lambda out, images: None)

    def run(*args):
        return run_in_process(monkeypatch, capsys, *args)

    return run
