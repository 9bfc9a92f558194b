"""Scenarios survive being changed, written and read back."""

from hypothesis import given
from hypothesis import strategies as st

import itsim
from itsim.testing import policies, scenarios


@given(scenarios(policy=policies()))
def test_dumps_then_loads_gives_an_equal_scenario(scenario):
    assert itsim.loads_scenario(scenario.dumps()) == scenario


@given(scenarios(), st.integers(1, 400), st.floats(0.1, 3.0))
def test_with_changes_round_trips_through_toml(scenario, horizon, scale):
    horizon = max(horizon, *(int(p.start_day) + 1 for p in scenario.phase), 1)
    changed = scenario.with_changes({"scenario.horizon_days": horizon, "demand_scale": scale})
    assert (changed.scenario.horizon_days, changed.demand_scale) == (horizon, scale)
    assert itsim.loads_scenario(changed.dumps()) == changed
    back = changed.with_changes({
        "scenario.horizon_days": scenario.scenario.horizon_days, "demand_scale": scenario.demand_scale,
    })
    assert back == scenario


@given(scenarios())
def test_loading_a_written_file_gives_an_equal_scenario(tmp_path_factory, scenario):
    path = tmp_path_factory.mktemp("scenario") / "generated.toml"
    path.write_text(scenario.dumps(), encoding="utf-8")
    assert itsim.load_scenario(path) == scenario
