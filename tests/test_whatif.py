"""``itsim run --set``: settings parsed as TOML, applied to the user's file, every
problem named after its setting, and the results folder keeping the user's file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import itsim
from itsim.scenario_text import ScenarioError
from itsim.whatif import load_with_settings, parse_setting
from tests.test_cli import itsim as run_cli
from tests.test_scenario import MINIMAL

COMMENTED = "# Our service desk (figures from last year's ticket export)\n" + MINIMAL.replace(
    "count = 5", "count = 5          # five agents on the rota")


@pytest.mark.parametrize(("text", "key", "value"), [
    ("team.desk.count=9", "team.desk.count", 9),
    ("incidents.rate_per_hour = 4.5", "incidents.rate_per_hour", 4.5),
    ("policy.name=wip_limit", "policy.name", "wip_limit"),
    ('policy.name="wip_limit"', "policy.name", "wip_limit"),
    ("scenario.calendar=24x7", "scenario.calendar", "24x7"),
    ("incidents.preemptive=false", "incidents.preemptive", False),
    ('incidents.handled_by=["desk"]', "incidents.handled_by", ["desk"]),
    ('incidents.effort_hours={ dist = "gamma", mean = 1, cv = 0.5 }', "incidents.effort_hours",
     {"dist": "gamma", "mean": 1, "cv": 0.5}),
    ("scenario.name=Our IT = theirs", "scenario.name", "Our IT = theirs"),
    ("recurring.Patch servers.due_within_days=7", "recurring.Patch servers.due_within_days", 7),
])
def test_settings_are_toml_values_or_plain_words(text, key, value) -> None:
    assert parse_setting(text) == (key, value)


@pytest.mark.parametrize(("text", "problem"), [
    ("team.desk.count", "expected KEY=VALUE"),
    ("=3", "expected KEY=VALUE"),
    ("team..count=3", "not a dotted key"),
    ("team.desk.count=", "no value"),
    ("incidents.effort_hours={ dist = ", "not a TOML value"),
])
def test_bad_settings_say_what_is_wrong(text, problem) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_setting(text)


def write(tmp_path: Path, text: str = COMMENTED) -> Path:
    path = tmp_path / "desk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_give_the_same_scenario_as_with_changes(tmp_path: Path) -> None:
    path = write(tmp_path)
    scenario, text = load_with_settings(path, ["team.desk.count=6", "incidents.rate_per_hour=5",
                                               "policy.name=fifo"])
    expected = itsim.load_scenario(path).with_changes(
        {"team.desk.count": 6, "incidents.rate_per_hour": 5, "policy.name": "fifo"})
    assert scenario == expected
    assert itsim.loads_scenario(text) == expected
    assert "count = 6          # five agents on the rota" in text
    assert "# Our service desk (figures from last year's ticket export)" in text
    assert "#   team.desk.count = 6   (was 5)" in text


def test_no_settings_keep_the_file_as_it_is(tmp_path: Path) -> None:
    path = write(tmp_path)
    scenario, text = load_with_settings(path, [])
    assert text == COMMENTED
    assert scenario == itsim.load_scenario(path)


@pytest.mark.parametrize(("settings", "problem"), [
    (["team.dsk.count=6"], "--set team.dsk.count: no entry named 'dsk'; did you mean 'desk'?"),
    (["incidents.rate_per_hr=6"], "--set incidents.rate_per_hr: unknown key; did you mean 'rate_per_hour'?"),
    (["team.desk.count=-1"], "--set team.desk.count: input should be greater than or equal to 0 (got -1)"),
    (["team.0.count=-1"], "--set team.0.count: input should be greater than or equal to 0 (got -1)"),
    (["team.-1.count=-1"], "--set team.-1.count: input should be greater than or equal to 0 (got -1)"),
    (["policy.name=wip_limt"], "--set policy.name: unknown policy 'wip_limt'"),
    (["policy.name=wip_limit", "policy.limit=3"], "--set policy.limit: not a parameter of wip_limit"),
    (["incidents.rate_per_day=3"], "with --set: incidents: give exactly one of rate_per_hour or rate_per_day"),
    (["team.desk.count=3", "team.desk.count=4"], "--set team.desk.count: given more than once"),
])
def test_problems_name_the_setting(tmp_path: Path, settings, problem) -> None:
    with pytest.raises(ScenarioError) as info:
        load_with_settings(write(tmp_path), settings)
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_a_bad_file_is_reported_as_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("count = 5", "count = -5"))
    with pytest.raises(ScenarioError) as info:
        load_with_settings(path, ["team.desk.count=3"])
    assert info.value.problems[0].startswith(f"{path}: team[0].count")


def test_run_with_set_stores_the_users_file_with_the_changes(tmp_path: Path) -> None:
    path = write(tmp_path)
    out = tmp_path / "out"
    r = run_cli("run", path, "--replications", 2, "--out", out,
                "--set", "team.desk.count=6", "--set", "scenario.horizon_days=10")
    assert r.returncode == 0, r.stderr
    stored = (out / "scenario.toml").read_text(encoding="utf-8")
    assert "count = 6          # five agents on the rota" in stored
    assert "#   scenario.horizon_days = 10   (was 40)" in stored
    changed = itsim.load_scenario(path).with_changes({"team.desk.count": 6, "scenario.horizon_days": 10})
    assert itsim.loads_scenario(stored) == changed
    assert tomllib.loads(stored)["team"][0]["count"] == 6
    assert "10 days" in r.stdout


def test_run_with_a_misspelt_setting_exits_2_before_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run_cli("run", write(tmp_path), "--out", out, "--set", "team.dsk.count=6")
    assert r.returncode == 2
    assert r.stderr.strip() == "--set team.dsk.count: no entry named 'dsk'; did you mean 'desk'?"
    assert not out.exists()
