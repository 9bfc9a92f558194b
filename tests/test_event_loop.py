"""The event loop's order: same-time events run by priority, then in the order they
were scheduled, whether they were scheduled an hour or weeks ahead (events due
``NEAR_HOURS`` ahead or more wait in a second heap until the daily books bring them
into the loop's heap)."""

import itsim
from itsim.experiment import policy_for
from itsim.model.world import NEAR_HOURS, World

QUIET = {
    "scenario": {"name": "quiet", "horizon_days": 30, "warmup_days": 0, "calendar": "24x7", "seed": 1},
    "team": [{"role": "engineer", "count": 1, "skills": ["incident"]}],
    "incidents": {"rate_per_day": 1, "effort_hours": {"dist": "constant", "value": 1.0}, "handled_by": ["engineer"]},
}


def quiet_world() -> World:
    scenario = itsim.Scenario.from_dict(QUIET)
    policy = policy_for(scenario)
    return World(policy.adjust(scenario), policy, seed=1)


def test_far_and_near_events_run_by_time_then_priority_then_scheduling_order():
    world = quiet_world()
    fired = []

    def note(ev):
        fired.append((world.now, ev.value))

    far = 10 * 24.0 + 5.0  # hours
    assert far >= NEAR_HOURS  # scheduled at time 0, it waits in the second heap
    world.at(far, 3, note, "far, scheduled first")
    world.at(far, 1, note, "far, higher priority")
    # Scheduled 10 hours before it is due, so straight into the loop's heap, and last.
    world.at(far - 10.0, 3, lambda ev: world.at(10.0, 3, note, "near, scheduled last"))
    world.at(far + 0.5, 0, note, "after")
    world.at(2.0, 3, note, "soon")
    world.at(40 * 24.0, 0, note, "beyond the horizon")
    world.run()
    assert fired == [
        (2.0, "soon"),
        (far, "far, higher priority"),
        (far, "far, scheduled first"),
        (far, "near, scheduled last"),
        (far + 0.5, "after"),
    ]


def test_far_events_leave_the_second_heap_before_they_are_due():
    world = quiet_world()
    seen = []
    world.at(5 * 24.0 + 3.0, 3, lambda ev: seen.append((world.now, len(world._later))))
    world.run()
    assert seen == [(5 * 24.0 + 3.0, 0)]
    assert not world._later


def test_the_world_keeps_its_attributes_within_the_fast_layout():
    """CPython keeps up to 30 attributes of an object in a layout its attribute caches
    read fast; the world's are read on every event (one more after the run: the engine's
    time). Past that limit the pure queue ran 5-8% slower, with no other change."""
    sc = itsim.Scenario.from_dict({
        "scenario": {"name": "everything", "horizon_days": 7, "calendar": "business"},
        "team": [{"role": "engineer", "count": 2}],
        "incidents": {"rate_per_day": 5, "effort_hours": {"dist": "exponential", "mean": 1.0},
                      "priorities": {"P1": 0.5, "P2": 0.5}, "handled_by": ["engineer"],
                      "on_call": {"role": "engineer"}},
        "recurring": [{"name": "Checks", "every": "daily", "effort_hours": {"dist": "constant", "value": 1},
                       "due_within_days": 1, "handled_by": ["engineer"]}],
        "projects": {"rate_per_week": 1, "estimate_hours": {"dist": "constant", "value": 10},
                     "handled_by": ["engineer"]},
        "dynamics": {"debt_per_skipped_hour": 1.0, "attrition_per_year": 0.1},
        "phase": [{"start_day": 1, "end_day": 3, "policy": {"name": "wip_limit"}}],
    })
    run = itsim.simulate(sc)
    assert len(vars(run.world)) <= 30
