"""Editing a scenario file: only the changed values differ, comments and layout stay."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

import pytest

import itsim
from itsim.scenario_edit import apply_changes, changes_header
from itsim.scenario_text import ScenarioError

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_changing_values_touches_only_their_lines() -> None:
    text = BASELINE.read_text(encoding="utf-8")
    out = apply_changes(text, {"team.engineer.count": 9, "recurring.Patch servers.due_within_days": 7,
                               "incidents.effort_hours.mean": 0.6})
    assert sorted(changed_lines(text, out)) == sorted([
        "-count = 15", "+count = 9",
        "-due_within_days = 14        # critical patches within 7-14 days (PCI DSS, CIS Controls)",
        "+due_within_days = 7        # critical patches within 7-14 days (PCI DSS, CIS Controls)",
        '-effort_hours = { dist = "lognormal", mean = 0.5, cv = 1.2 }',
        '+effort_hours = { dist = "lognormal", mean = 0.6, cv = 1.2 }',
    ])


def test_keys_and_tables_that_were_absent_are_added() -> None:
    text = ('# my department\n[scenario]\nname = "x"   # short\nhorizon_days = 30\n\n'
            '[[team]]\nrole = "desk"\ncount = 2\n')
    out = apply_changes(text, {"demand_scale": 1.2, "dynamics.debt_per_skipped_hour": 0.5,
                               "scenario.calendar": "24x7", "team.desk.skills": ["incident"]})
    assert tomllib.loads(out) == {
        "demand_scale": 1.2, "scenario": {"name": "x", "horizon_days": 30, "calendar": "24x7"},
        "team": [{"role": "desk", "count": 2, "skills": ["incident"]}],
        "dynamics": {"debt_per_skipped_hour": 0.5},
    }
    assert out.startswith("# my department\n")
    assert 'name = "x"   # short' in out
    assert "[dynamics]" in out


def test_a_table_replaced_by_a_table_keeps_its_header_comment() -> None:
    text = '[[team]]   # the desk, first line\nrole = "desk"\ncount = 2   # two people\n'
    out = apply_changes(text, {"team.0": {"role": "desk", "count": 3}})
    assert "[[team]]   # the desk, first line" in out
    assert tomllib.loads(out) == {"team": [{"role": "desk", "count": 3}]}


def test_distributions_are_written_inline() -> None:
    text = '[incidents]\nrate_per_day = 5\n'
    out = apply_changes(text, {"incidents.effort_hours": {"dist": "gamma", "mean": 1.5, "cv": 0.4}})
    assert 'effort_hours = {dist = "gamma", mean = 1.5, cv = 0.4}' in out


def test_a_new_entry_after_the_files_own_keeps_their_comments() -> None:
    text = ('[scenario]\nname = "x"\nhorizon_days = 60\n\n'
            '[[phase]]   # the spring surge\nstart_day = 5   # week two\nend_day = 20\ndemand_scale = 1.5\n')
    surge = {"name": "autumn", "start_day": 30, "end_day": 40, "incident_rate_scale": 2.0}
    out = apply_changes(text, {"phase": [*tomllib.loads(text)["phase"], surge]})
    assert out.startswith(text)
    assert out[len(text):] == '\n[[phase]]\nname = "autumn"\nstart_day = 30\nend_day = 40\nincident_rate_scale = 2.0\n'


def test_a_list_of_tables_where_there_was_none_is_written_as_tables() -> None:
    text = '[scenario]   # about\nname = "x"\nhorizon_days = 60\n'
    out = apply_changes(text, {"phase": [{"start_day": 1, "end_day": 9, "demand_scale": 2.0}]})
    assert out == text + '\n[[phase]]\nstart_day = 1\nend_day = 9\ndemand_scale = 2.0\n'


def test_a_list_of_tables_that_replaces_the_files_entries_replaces_them() -> None:
    text = '[[phase]]\nstart_day = 5\nend_day = 20\n\n[[phase]]\nstart_day = 30\nend_day = 40\n'
    out = apply_changes(text, {"phase": [{"start_day": 1, "end_day": 2}]})
    assert tomllib.loads(out) == {"phase": [{"start_day": 1, "end_day": 2}]}


@pytest.mark.parametrize(("changes", "problem"), [
    ({"team.enginer.count": 3}, "team.enginer.count: no entry named 'enginer'; did you mean 'engineer'?"),
    ({"team.7.count": 3}, "team.7.count: index 7 out of range (3 entries)"),
    ({"scenario.horizon_days.weeks": 3}, "scenario.horizon_days.weeks: scenario.horizon_days is not a table"),
    ({"scenario.seed": None}, "scenario.seed: needs a value (TOML has no null)"),
])
def test_keys_that_cannot_be_followed_are_named(changes, problem) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_changes(BASELINE.read_text(encoding="utf-8"), changes)
    assert info.value.problems == [problem]


def test_header_lists_each_change_with_its_old_value() -> None:
    text = BASELINE.read_text(encoding="utf-8")
    changes = {"team.engineer.count": 9, "policy.wip_limit": 3, "scenario.name": "Nine\x1b engineers"}
    header = changes_header(text, changes, "`itsim run --set` from baseline.toml")
    lines = header.splitlines()
    assert all(line.startswith("#") for line in lines if line)
    assert "#   team.engineer.count = 9   (was 15)" in lines
    assert "#   policy.wip_limit = 3   (not set before)" in lines
    assert '#   scenario.name = "Nine\\u001b engineers"   (was "Mid-size company IT (baseline)")' in lines
    whole = header + apply_changes(text, changes)
    assert itsim.loads_scenario(whole) == itsim.load_scenario(BASELINE).with_changes(changes)
    assert changes_header(text, {}, "anything") == ""
