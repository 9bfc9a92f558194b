"""Hours worked match the work done: every busy person-hour moves work forward at the
person's productivity.

Without feedback loops, each item's effort (hours at productivity 1, including any
escalation) is in the item table, so the work the team did (busy hours x the role's
productivity, over the whole run) lies between the effort of the items finished
and the effort of every item ever started.
"""

import numpy as np
from hypothesis import example, given

import itsim
from itsim.record import DONE, START
from itsim.testing import policies, scenarios

# Regression: a person who joins after the start (the desk is empty on day 0 and
# staffed again from day 1) must work at full speed when no [dynamics] loop is on.
PHASE_HIRE = itsim.loads_scenario("""
[scenario]
name = "phase hire"
horizon_days = 100
calendar = "24x7"

[[team]]
role = "desk"
count = 1

[[recurring]]
name = "backup check"
every = "daily"
effort_hours = { dist = "constant", value = 1.0 }
due_within_days = 1
handled_by = ["desk"]

[[phase]]
start_day = 0
end_day = 1
team = { desk = { count = 0 } }
""")


def _check_hours_match_effort(scenario):
    world = itsim.simulate(scenario, seed=3).world
    busy = world.ledger.arrays()["busy"].sum(axis=(0, 2))  # person-hours per role
    productivity = np.array([world.scenario.role(name).productivity for name in world.ledger.roles])
    worked = float((busy * productivity).sum())
    code, item = world.log.columns()[1:]
    effort = np.frombuffer(world.log.effort, dtype=float)
    done = float(effort[np.unique(item[code == DONE])].sum())
    started = float(effort[np.unique(item[code == START])].sum())
    slack = 1e-6 * max(1.0, started)
    assert done - slack <= worked <= started + slack, (
        f"worked {worked:.6f} effort-hours, but items done need {done:.6f} and items started {started:.6f}"
    )


@given(scenarios(dynamics=False, policy=policies()))
@example(PHASE_HIRE)
def test_busy_hours_match_the_effort_of_work_done(scenario):
    _check_hours_match_effort(scenario)


@given(scenarios(dynamics=False, phases=False, policy=policies()))
def test_busy_hours_match_the_effort_of_work_done_with_a_fixed_team(scenario):
    _check_hours_match_effort(scenario)
