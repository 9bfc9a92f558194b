"""Scenario loading: valid files, every kind of bad input, dotted changes, round trip."""

import pytest

import itsim
from itsim.scenario import ScenarioError, loads_scenario

MINIMAL = """
[scenario]
name = "M/M/5 check"
horizon_days = 40
warmup_days = 2
calendar = "24x7"
seed = 7

[[team]]
role = "desk"
count = 5

[incidents]
rate_per_hour = 4.5
effort_hours = { dist = "exponential", mean = 1.0 }
handled_by = ["desk"]
"""


def problems(text) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, source="f.toml")
    return info.value.problems


def test_minimal_scenario_loads_with_defaults():
    sc = loads_scenario(MINIMAL)
    assert sc.name == "M/M/5 check"
    assert sc.team[0].skills == ["incident", "recurring", "project"]
    assert sc.incidents.preemptive is True
    assert sc.policy.names == ["firefight_first"]
    assert sc.targets.max_utilization == 0.85


def test_unknown_key_gets_did_you_mean_hint():
    lines = problems(MINIMAL.replace("horizon_days", "horizon_dys"))
    assert any("scenario.horizon_dys: unknown key; did you mean 'horizon_days'?" in p for p in lines)


def test_toml_syntax_error_names_line_and_column():
    (line,) = problems("[scenario\nname = 1\n")
    assert line.startswith("f.toml: TOML syntax error: line 1, column")


@pytest.mark.parametrize("raw", [b"", b"   \n", b"\x00\x01\x02binary", b"\xff\xfe\xfa"])
def test_empty_or_binary_file_is_a_clean_error(raw):
    with pytest.raises(ScenarioError) as info:
        loads_scenario(raw, source="f.toml")
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("f.toml: ")


def test_negative_rate_names_field_and_value():
    lines = problems(MINIMAL.replace("rate_per_hour = 4.5", "rate_per_hour = -3"))
    assert "f.toml: incidents.rate_per_hour: input should be greater than 0 (got -3)" in lines


def test_both_rates_is_an_error():
    lines = problems(MINIMAL.replace("rate_per_hour = 4.5", "rate_per_hour = 4.5\nrate_per_day = 3"))
    assert any("exactly one of rate_per_hour or rate_per_day" in p for p in lines)


def test_handled_by_must_name_an_existing_role():
    lines = problems(MINIMAL.replace('handled_by = ["desk"]', 'handled_by = ["dsk"]'))
    assert any("incidents.handled_by[0]: no [[team]] has role 'dsk'; did you mean 'desk'?" in p for p in lines)


def test_priority_shares_must_sum_to_one():
    lines = problems(MINIMAL + "priorities = { P1 = 0.5, P2 = 0.6 }\n")
    assert any("shares must sum to 1" in p for p in lines)


def test_unknown_distribution_kind_is_named():
    lines = problems(MINIMAL.replace('"exponential"', '"lognorm"'))
    assert any("incidents.effort_hours.dist: unknown distribution 'lognorm'; did you mean 'lognormal'?" in p
               for p in lines)


def test_several_problems_are_all_reported():
    text = MINIMAL.replace("count = 5", "count = -1").replace("horizon_days = 40", "horizon_days = 0")
    assert len(problems(text)) >= 2


def test_with_changes_by_dotted_key_and_role_name():
    sc = loads_scenario(MINIMAL)
    sc2 = sc.with_changes({"incidents.rate_per_hour": 3.0, "team.desk.count": 4, "demand_scale": 1.2})
    assert sc2.incidents.rate_per_hour == 3.0
    assert sc2.team[0].count == 4
    assert sc2.demand_scale == 1.2
    assert sc.incidents.rate_per_hour == 4.5


def test_with_changes_validates_again():
    with pytest.raises(ScenarioError):
        loads_scenario(MINIMAL).with_changes({"incidents.rate_per_hour": -1})


def test_dump_and_load_round_trip():
    sc = itsim.load_scenario("scenarios/baseline.toml")
    assert loads_scenario(sc.dumps()) == sc
