"""itsim.testing for its users: the names they import, the checkers' messages (stable, so
tests may match them), and a failing example shown as the scenario's TOML file."""

import pytest
from hypothesis import given, settings

import itsim
import itsim.testing
from itsim.testing import (
    SCENARIO_NOTE,
    check_conservation,
    check_determinism,
    check_littles_law,
    note_scenario,
    scenarios,
)
from tests.notebook_fixtures import small


def test_the_public_names_stay():
    assert itsim.testing.__all__ == [
        "check_conservation", "check_determinism", "check_littles_law", "distributions", "extreme_distributions",
        "extreme_scenarios", "note_scenario", "policies", "scenarios",
    ]


@pytest.fixture
def run():
    return itsim.simulate(small(), seed=4)


def test_conservation_message_names_the_run_and_each_count(run):
    run.checks["incidents_unaccounted"] = 2.0
    run.checks["projects_unaccounted"] = -1.0
    with pytest.raises(AssertionError) as broken:
        check_conservation(run)
    assert str(broken.value) == (
        "conservation broken in scenario 'Small department', seed 4, replication 0: "
        "incidents_unaccounted = 2 (expected 0); projects_unaccounted = -1 (expected 0)"
    )


def test_hours_message_gives_the_hours_and_the_allowance(run):
    run.checks["hours_unaccounted"] = 0.5
    with pytest.raises(AssertionError, match=r"^conservation broken in scenario 'Small department', seed 4, "
                                             r"replication 0: hours_unaccounted = 0\.5 person-hours in one day "
                                             r"\(busy \+ idle - available\); allowed 0\.00012 \(1e-06 of 120\)$"):
        check_conservation(run)


def test_littles_law_message_gives_both_sides_and_the_tolerance(run):
    run.checks["littles_law_L"] = run.checks["littles_law_lambda_W"] + 10
    with pytest.raises(AssertionError, match=r"^Little's law broken in scenario 'Small department', seed 4, "
                                             r"replication 0: incidents: L = [\d.]+ but lambda x W = [\d.]+ "
                                             r"\(\|diff\| 10 > tolerance [\d.e-]+\)"):
        check_littles_law(run)


def test_determinism_message_names_the_scenario_and_seed(monkeypatch):
    calls = iter(range(100))
    real = itsim.testing.simulate

    def drifting(scenario, seed):
        out = real(scenario, seed=seed)
        out.metrics["utilization"] += next(calls)
        return out

    monkeypatch.setattr(itsim.testing, "simulate", drifting)
    with pytest.raises(AssertionError, match=r"^same scenario 'Small department' and seed 1 gave different "
                                             r"results: metric utilization: [\d.]+ then [\d.]+$"):
        check_determinism(small(), seed=1)


def test_a_failing_example_is_shown_as_the_scenarios_toml():
    @settings(max_examples=5, deadline=None, database=None)
    @given(scenarios(max_horizon_days=14))
    def test_every_scenario_has_projects(scenario):
        assert scenario.projects is not None

    with pytest.raises(AssertionError) as failed:
        test_every_scenario_has_projects()
    shown = [n for n in getattr(failed.value, "__notes__", []) if n.startswith(SCENARIO_NOTE)]
    assert len(shown) == 1
    toml = shown[0].removeprefix(SCENARIO_NOTE)
    scenario = itsim.loads_scenario(toml)
    assert scenario.projects is None and scenario.name == "generated"


def test_note_scenario_outside_a_test_does_nothing():
    note_scenario(small())


def test_a_scenario_shows_itself_in_one_line():
    text = repr(small())
    assert text == ("<Scenario 'Small department': 42 days after 7 of warm-up, business calendar; team desk 2, "
                    "engineer 3; incidents, 1 recurring tasks, projects; policy firefight_first>")
