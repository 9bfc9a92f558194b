"""``itsim init``, ``itsim --version`` and shell completion."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

import itsim
from itsim.cli import app
from itsim.experiment import policy_for
from itsim.templates import TEMPLATES, template_text
from tests.test_cli import itsim as run_cli


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_is_a_valid_commented_scenario(name: str) -> None:
    text = template_text(name)
    scenario = itsim.loads_scenario(text, source=name)
    policy_for(scenario)
    assert text.startswith("# Starting scenario: ") and f"itsim init --template {name}" in text
    for source in ("HDI 2015", "Gartner", "PCI DSS", "Molokken & Jorgensen", "MetricNet", "assumption"):
        assert source in text, f"{name} cites {source}"
    staff = sum(t.count for t in scenario.team)
    assert str(staff) in TEMPLATES[name], "the description of the template states its head count"


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_copes_with_the_default_available_hours(name: str) -> None:
    # Sized for ~1,440 hours of work a person-year (holidays, leave and meetings out): not
    # too busy, firefighting near the ~30% of IT time surveys report (1E 2017; best ~15%),
    # operational work within the SRE cap of half the time, staff under the 85% ceiling.
    summary = itsim.replicate(itsim.loads_scenario(template_text(name)), replications=3).summary
    m = {k: v["mean"] for k, v in summary["metrics"].items()}
    assert summary["too_busy"]["status"] != "too_busy"
    assert 0.15 <= m["hours_share.firefighting"] <= 0.4
    assert m["hours_share.firefighting"] + m["hours_share.recurring"] <= 0.5
    assert m["utilization"] < 0.85
    assert 1_400 <= m["available_hours_per_person_year"] <= 1_600


def test_templates_grow_with_the_department() -> None:
    sizes = [sum(t.count for t in itsim.loads_scenario(template_text(n)).team) for n in ("small", "mid", "large")]
    rates = [itsim.loads_scenario(template_text(n)).incidents.rate_per_day for n in ("small", "mid", "large")]
    assert sizes == sorted(sizes) and rates == sorted(rates)


def test_init_writes_a_file_that_validates_and_runs(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    r = run_cli("init", "--template", "small", path)
    assert r.returncode == 0, r.stderr
    assert path.read_text(encoding="utf-8") == template_text("small")
    assert f"itsim run {path}" in r.stdout
    assert run_cli("validate", path).returncode == 0
    out = tmp_path / "out"
    r = run_cli("run", path, "--replications", 1, "--out", out,
                "--set", "scenario.horizon_days=7", "--set", "scenario.warmup_days=0")
    assert r.returncode == 0, r.stderr
    assert (out / "summary.json").exists()


def test_init_defaults_to_the_mid_size_template(tmp_path: Path) -> None:
    path = tmp_path / "dept.toml"
    assert run_cli("init", path).returncode == 0
    assert path.read_text(encoding="utf-8") == template_text("mid")


def test_init_never_overwrites_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("# my own work\n", encoding="utf-8")
    r = run_cli("init", path)
    assert r.returncode == 2
    assert r.stderr.strip() == f"{path}: already exists (--overwrite replaces it)"
    assert path.read_text(encoding="utf-8") == "# my own work\n"
    r = run_cli("init", "--template", "large", "--overwrite", path)
    assert r.returncode == 0, r.stderr
    assert path.read_text(encoding="utf-8") == template_text("large")


def test_init_refuses_a_directory_and_an_unknown_template(tmp_path: Path) -> None:
    r = run_cli("init", tmp_path)
    assert r.returncode == 2 and "is a directory" in r.stderr
    r = run_cli("init", "--template", "huge", tmp_path / "x.toml")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "huge" in r.stderr
    assert not (tmp_path / "x.toml").exists()


def test_version_is_the_installed_one() -> None:
    r = run_cli("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == f"itsim {version('itsim')}"
    assert re.fullmatch(r"itsim \d+\.\d+\.\d+\S*", r.stdout.strip())


def completions(*words: str) -> list[str]:
    """What bash completion offers after ``itsim WORDS`` (the last word partly typed)."""
    env = {"_ITSIM_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(["itsim", *words]),
           "COMP_CWORD": str(len(words))}
    r = CliRunner().invoke(app, [], env=env, prog_name="itsim")
    assert r.exit_code == 0, r.output
    return r.output.split()


def test_shell_completion_offers_commands_and_choices() -> None:
    assert completions("in") == ["init"]
    assert {"run", "sweep", "compare", "init", "validate", "report"} <= set(completions(""))
    assert completions("init", "--template", "") == ["small", "mid", "large"]
    assert "--set" in completions("run", "--s")


def test_completion_script_is_shown_for_a_named_shell() -> None:
    import subprocess

    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    r = subprocess.run([sys.executable, "-m", "itsim.cli", "--show-completion", "bash"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "_ITSIM_COMPLETE=complete_bash" in r.stdout
    assert "complete -o default -F _itsim_completion itsim" in r.stdout


def test_template_data_files_are_plain_toml() -> None:
    for name in TEMPLATES:
        assert tomllib.loads(template_text(name))["scenario"]["name"]
