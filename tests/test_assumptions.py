"""The report's assumptions show the value every default takes, marked as a default."""

import tomllib

from itsim.report.assumptions import assumption_tables, policies_table

from .test_policies import DEPARTMENT


def tables(data):
    return {t.title: t for t in assumption_tables(data)}


def cells(table) -> list[str]:
    return [cell for row in table.rows for cell in row]


def test_policy_parameters_show_their_defaults_and_meaning():
    data = tomllib.loads(DEPARTMENT)
    data["policy"] = {"name": ["wip_limit", "firefighter_rotation"], "firefighters": 2}
    policy = tables(data)["Policy"]
    rows = {row[0]: row for row in policy.rows}
    assert rows["Wip limit"][1] == "3 (default)"  # 5 engineers / 2 per project, rounded up
    assert "Most projects in progress" in rows["Wip limit"][2]
    assert rows["Firefighters"][1] == "2"
    assert rows["Queue threshold"][1] == "4 (default)"
    assert "–" not in cells(policy) and "-" not in [c.strip() for c in cells(policy)]


def test_a_derived_default_is_worked_out_from_the_scenario():
    data = tomllib.loads(DEPARTMENT)
    data["policy"] = {"name": "intake_gate"}
    data["targets"] = {"project_lead_time_days": 45}
    rows = {row[0]: row[1] for row in tables(data)["Policy"].rows}
    assert rows["Lead time target days"] == "45 (default)"


def test_holidays_leave_overhead_and_how_work_is_done_are_shown():
    data = tomllib.loads(DEPARTMENT.replace("holidays_per_year = 0\n", ""))
    shown = tables(data)
    assert ["Public holidays a year (business calendar)", "10 (default)"] in shown["Scenario"].rows
    team = shown["Team"]
    assert "Hours for work a year, each" in team.header
    assert team.rows[0][-3:] == ["0%", "0 / 0", "2,007 h"]  # 260.9 weekdays less 10 holidays, x 8 h
    work = {row[0]: row[1] for row in shown["How the work is done"].rows}
    assert work["Incidents that interrupt planned work"].startswith("P1, P2 (default")
    assert work["Time to get back into interrupted planned work"].startswith("23 min (default")
    assert work["Time lost holding 1, 2, 3... projects at once"].startswith("0%, 20%, 40%, 60%, 75% (default")


def test_a_sweep_lists_each_policy_with_its_defaults():
    data = tomllib.loads(DEPARTMENT)
    table = policies_table({"wip_limit": {}, "protected_maintenance": {"share": 0.3}, "fifo": {}}, data)
    rows = {row[0]: row[1] for row in table.rows}
    assert rows["WIP limit"] == "wip_limit 3 (default)"
    assert rows["Protected maintenance"] == "share 0.3"
    assert rows["First come, first served"] == "no parameters"


def test_data_that_does_not_load_is_shown_as_written():
    data = tomllib.loads(DEPARTMENT)
    data["policy"] = {"name": "someone_elses_policy", "knob": 3}
    rows = {row[0]: row[1] for row in tables(data)["Policy"].rows}
    assert rows["Knob"] == "3"
