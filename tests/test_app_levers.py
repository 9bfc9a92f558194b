"""The what-if app's levers: today's values from a scenario, moved levers as dotted
changes of the user's file (comments kept), policy parameters from the registry."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from pydantic import Field

import itsim
from itsim.app.levers import (
    Levers,
    Parameter,
    Surge,
    changes,
    describe,
    levers_of,
    parameter_values,
    policy_description,
    policy_names,
    policy_parameters,
    whatif,
)
from itsim.policies import _REGISTRY, available, register
from itsim.policies.base import FirefightFirst, PolicyParams
from itsim.scenario import ScenarioError

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
BASELINE = (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")
SMALL = (Path(__file__).resolve().parent / "fixtures" / "app_small.toml").read_text(encoding="utf-8")


def comments(text: str) -> list[str]:
    """Every comment of a TOML text, as written."""
    return [line[line.index("#"):] for line in text.splitlines() if "#" in line]


def test_todays_levers_make_no_change() -> None:
    sc = itsim.loads_scenario(BASELINE)
    today = levers_of(sc)
    assert today.people == {"service_desk": 5, "engineer": 15, "security": 2}
    assert (today.incident_volume, today.project_intake, today.policy) == (1.0, 1.0, ("firefight_first",))
    assert changes(sc, today) == {}
    assert whatif(BASELINE, today, "baseline.toml").text == BASELINE
    assert describe(sc, today) == []


def test_moved_levers_are_the_dotted_changes_of_the_scenario() -> None:
    sc = itsim.loads_scenario(BASELINE)
    moved = dataclasses.replace(levers_of(sc), people={"service_desk": 5, "engineer": 9, "security": 3},
                                incident_volume=0.8, project_intake=1.5)
    assert changes(sc, moved) == {
        "team.engineer.count": 9, "team.security.count": 3, "incidents.rate_per_day": 38.4,
        "projects.rate_per_month": 7.5, "scenario.name": "Mid-size company IT (baseline) (what-if)",
    }
    assert describe(sc, moved) == ["People in the role engineer: 15 → 9", "People in the role security: 2 → 3",
                                   "Incident volume: 80% of today's", "Project requests: 150% of today's"]


def test_the_whatif_file_is_the_users_file_with_the_changes_and_every_comment() -> None:
    sc = itsim.loads_scenario(BASELINE)
    moved = dataclasses.replace(levers_of(sc), people={**levers_of(sc).people, "engineer": 9},
                                policy=("wip_limit",), policy_params={"wip_limit": 2},
                                surge=Surge(0.5, 30, 56, "incidents"))
    result = whatif(BASELINE, moved, "baseline.toml")
    assert result.scenario == itsim.loads_scenario(result.text)
    assert result.scenario == sc.with_changes(result.changes)
    assert set(comments(BASELINE)) <= set(comments(result.text))
    assert result.text.startswith("# What-if made with the itsim what-if app from baseline.toml.")
    assert "#   team.engineer.count = 9   (was 15)" in result.text
    assert result.scenario.policy.names == ["wip_limit"] and result.scenario.policy.params == {"wip_limit": 2}
    (surge,) = result.scenario.phase
    assert (surge.start_day, surge.end_day, surge.incident_rate_scale) == (30, 86, 1.5)
    assert "\n[[phase]]\nname = \"What-if surge\"" in result.text


def test_a_surge_goes_after_the_files_own_phases_which_keep_their_comments() -> None:
    text = (SCENARIOS / "remote_work_surge.toml").read_text(encoding="utf-8")
    sc = itsim.loads_scenario(text)
    result = whatif(text, dataclasses.replace(levers_of(sc), surge=Surge(1.0, 200, 30, "all")), "surge.toml")
    assert [p.name for p in result.scenario.phase] == ["Move to remote work", "What-if surge"]
    assert result.scenario.phase[1].demand_scale == 2.0
    assert set(comments(text)) <= set(comments(result.text))


@pytest.mark.parametrize(("incidents", "projects", "keys"), [
    ("rate_per_hour = 2.0", "rate_per_week = 1.0", ("incidents.rate_per_hour", "projects.rate_per_week")),
    ("rate_per_day = 16", "rate_per_month = 4", ("incidents.rate_per_day", "projects.rate_per_month")),
])
def test_volumes_scale_the_rate_the_file_gives(incidents, projects, keys) -> None:
    text = SMALL.replace("rate_per_day = 16", incidents).replace("rate_per_month = 4", projects)
    sc = itsim.loads_scenario(text)
    found = changes(sc, dataclasses.replace(levers_of(sc), incident_volume=0.5, project_intake=2.0))
    data = tomllib.loads(text)
    assert found[keys[0]] == data["incidents"][keys[0].split(".")[1]] * 0.5
    assert found[keys[1]] == data["projects"][keys[1].split(".")[1]] * 2


def test_a_policy_at_its_defaults_is_no_change_and_a_new_one_is_written_out() -> None:
    sc = itsim.loads_scenario(SMALL.replace('name = "firefight_first"', 'name = "wip_limit"'))
    same = dataclasses.replace(levers_of(sc), policy_params=parameter_values(sc, ("wip_limit",)))
    assert same.policy_params == {"wip_limit": 4}  # derived: project people / max_people_per_project
    assert changes(sc, same) == {}
    tighter = dataclasses.replace(same, policy_params={"wip_limit": 1})
    assert changes(sc, tighter)["policy"] == {"name": "wip_limit", "wip_limit": 1}
    gate = dataclasses.replace(same, policy=("intake_gate",),
                               policy_params=parameter_values(sc, ("intake_gate",)))
    assert changes(sc, gate)["policy"] == {"name": "intake_gate", "window_days": 28, "prior_share": 0.5,
                                           "lead_time_target_days": 30.0}  # derived: the scenario's target


def test_parameters_the_file_sets_are_kept_and_a_combination_stays_one() -> None:
    text = SMALL.replace('name = "firefight_first"', 'name = ["wip_limit", "prioritise_value"]\nwip_limit = 2')
    sc = itsim.loads_scenario(text)
    today = levers_of(sc)
    assert today.policy == ("wip_limit", "prioritise_value")
    assert parameter_values(sc, today.policy) == {"wip_limit": 2}
    assert changes(sc, dataclasses.replace(today, policy_params={"wip_limit": 2})) == {}
    assert changes(sc, dataclasses.replace(today, policy_params={"wip_limit": 3}))["policy"] == {
        "name": ["wip_limit", "prioritise_value"], "wip_limit": 3}


def test_policy_parameters_come_from_each_policys_params_model() -> None:
    for name, cls in available().items():
        params = policy_parameters(name)
        assert [p.name for p in params] == list(cls.Params.model_fields), name
        for p in params:
            info = cls.Params.model_fields[p.name]
            assert p.default == info.default and p.description == info.description, (name, p.name)
    (wip,) = policy_parameters("wip_limit")
    assert (wip.kind, wip.low, wip.low_open, wip.high) == ("int", 1, False, None)
    (share,) = policy_parameters("protected_maintenance")
    assert (share.kind, share.low, share.high, share.low_open, share.high_open) == ("float", 0, 1, True, True)
    kinds = {p.name: (p.kind, p.optional) for p in policy_parameters("deflection") + policy_parameters("add_staff")}
    assert kinds["handled_by"] == ("roles", True) and kinds["role"] == ("role", True)


def test_a_policy_registered_by_a_package_is_offered_with_its_parameters() -> None:
    class NightShiftParams(PolicyParams):
        hours: float = Field(default=4.0, gt=0, le=12, description="Hours of night cover a day.")

    class NightShift(FirefightFirst):
        """Someone on call at night, so mornings start without a backlog."""

        name = "night_shift"
        Params = NightShiftParams

    register(NightShift)
    try:
        assert "night_shift" in policy_names()
        assert policy_description("night_shift") == "Someone on call at night, so mornings start without a backlog."
        assert policy_parameters("night_shift") == [
            Parameter("hours", "float", 4.0, "Hours of night cover a day.", low=0, high=12, low_open=True)]
    finally:
        _REGISTRY.pop("night_shift")


def test_policies_without_a_docstring_of_their_own_are_described_by_their_module() -> None:
    assert policy_description("protected_maintenance").startswith("A reserved share of hours for recurring work")
    assert all(policy_description(n) for n in policy_names())


@pytest.mark.parametrize(("value", "ok"), [(0, False), (0.01, True), (0.99, True), (1, False), (None, False)])
def test_parameter_bounds_are_those_of_the_model(value, ok) -> None:
    (share,) = policy_parameters("protected_maintenance")
    assert share.allows(value) is ok


def test_a_whatif_that_is_not_a_valid_scenario_names_the_field() -> None:
    sc = itsim.loads_scenario(SMALL)
    bad = dataclasses.replace(levers_of(sc), policy=("wip_limit",), policy_params={"wip_limit": 0})
    with pytest.raises(ScenarioError) as err:
        whatif(SMALL, bad, "app_small.toml")
    assert any("policy.wip_limit" in p for p in err.value.problems)


def test_an_unknown_surge_target_is_refused() -> None:
    with pytest.raises(ValueError, match="incidents, projects, all"):
        Surge(0.5, 1, 2, "weekends").phase()


def test_levers_keep_roles_they_do_not_mention() -> None:
    sc = itsim.loads_scenario(SMALL)
    assert changes(sc, Levers(people={"engineer": 2})) == {
        "team.engineer.count": 2, "scenario.name": "Small test department (what-if)"}
