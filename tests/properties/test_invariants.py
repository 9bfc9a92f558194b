"""Conservation, Little's law and the engine's running counts hold on every generated
scenario, under every policy."""

from hypothesis import given

import itsim
from itsim.model.queues import CountedFifoQueue
from itsim.testing import check_conservation, check_littles_law, policies, scenarios


@given(scenarios(policy=policies(combine=True)))
def test_no_work_or_hours_are_lost(scenario):
    check_conservation(itsim.simulate(scenario, seed=1))


@given(scenarios(incidents=True, policy=policies()))
def test_littles_law_holds_for_incidents_and_the_portfolio(scenario):
    check_littles_law(itsim.simulate(scenario, seed=2))


@given(scenarios(policy=policies(combine=True)))
def test_running_counts_of_the_engine_match_a_recount(scenario):
    """What the engine keeps up to date instead of recounting (waiting incidents and
    recurring work per role, projects with room, the rank of each person's work, the
    incident-rate multiplier, who is on which project) equals a recount at the end of the run."""
    world = itsim.simulate(scenario, seed=3).world
    for role in world.roles:
        assert role.recurring_waiting == sum(1 for q in role.recurring_queues for _ in q)
        if any(isinstance(q, CountedFifoQueue) for q in role.incident_queues):
            assert role.incidents_waiting == sum(1 for q in role.incident_queues for _ in q)
        for person in role.people:
            assert person.rank == (person.item.rank if person.item is not None else -1)
    portfolio = world.portfolio
    if portfolio is not None:
        assert portfolio.with_room == sum(portfolio._has_room(p) for p in portfolio.in_progress)
        teams = {(id(p), id(person)) for p in portfolio.in_progress for person in p.team}
        held = {(id(p), id(person)) for role in world.roles for person in role.people for p in person.projects}
        assert teams == held
        assert all(len(p.team) <= portfolio.limit for p in portfolio.in_progress)
    assert world.dynamics.multiplier == world.dynamics.incident_multiplier()
