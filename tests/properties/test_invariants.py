"""Conservation and Little's law hold on every generated scenario, under every policy."""

from hypothesis import given

import itsim
from itsim.testing import check_conservation, check_littles_law, policies, scenarios


@given(scenarios(policy=policies(combine=True)))
def test_no_work_or_hours_are_lost(scenario):
    check_conservation(itsim.simulate(scenario, seed=1))


@given(scenarios(incidents=True, policy=policies()))
def test_littles_law_holds_for_incidents_and_the_portfolio(scenario):
    check_littles_law(itsim.simulate(scenario, seed=2))
