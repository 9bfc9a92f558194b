"""Same scenario and seed: identical results; and the seed really matters."""

from hypothesis import given
from hypothesis import strategies as st

import itsim
from itsim.testing import check_determinism, policies, scenarios


@given(scenarios(policy=policies(combine=True)), st.integers(0, 2**32 - 1))
def test_same_seed_gives_identical_results(scenario, seed):
    check_determinism(scenario, seed)


@given(scenarios(calendar="24x7", incidents=True, phases=False, max_horizon_days=14))
def test_replications_draw_different_incidents(scenario):
    first = itsim.simulate(scenario, seed=5, replication=0).events
    second = itsim.simulate(scenario, seed=5, replication=1).events
    arrivals = [run["time"][run["event"] == "arrive"].tolist() for run in (first, second)]
    assert arrivals[0] != arrivals[1] or not arrivals[0]
