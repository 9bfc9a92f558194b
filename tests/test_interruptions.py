"""Interruptions as they happen: which incident classes interrupt planned work
([incidents] interrupts), the resume cost planned work pays, and effort by priority.
Incidents among themselves follow ``preemptive`` (SPEC §3)."""

import numpy as np
import pytest

import itsim
from itsim.model.work import INCIDENT, PROJECT, RECURRING
from itsim.record import ARRIVE, PREEMPT
from itsim.scenario import DEFAULT_INTERRUPTS, RESUME_COST_HOURS, ScenarioError

DESK = {
    "scenario": {"name": "desk", "horizon_days": 120, "warmup_days": 0, "calendar": "24x7", "seed": 11},
    "team": [{"role": "ops", "count": 3}],
    "incidents": {"rate_per_hour": 1.2, "effort_hours": {"dist": "constant", "value": 1.0},
                  "priorities": {"P1": 0.1, "P2": 0.2, "P3": 0.4, "P4": 0.3}, "handled_by": ["ops"]},
    "recurring": [{"name": "Checks", "every": "daily", "effort_hours": {"dist": "constant", "value": 6.0},
                   "due_within_days": 1, "handled_by": ["ops"]}],
    "projects": {"rate_per_week": 2, "estimate_hours": {"dist": "constant", "value": 30}, "handled_by": ["ops"],
                 "estimate_noise_cv": 0},
}


def desk(**changes) -> itsim.Scenario:
    sc = itsim.Scenario.from_dict(DESK)
    return sc.with_changes(changes) if changes else sc


def log_of(run):
    log = run.world.log
    time, code, item = log.columns()
    return time, code, item, log.kind, log.cls, np.frombuffer(log.effort, dtype=float)


def preempted(run):
    """Kind and class of every item interrupted, in order."""
    _, code, item, kind, cls, _ = log_of(run)
    victims = item[code == PREEMPT]
    return kind[victims], cls[victims]


def waits_by_class(run) -> dict[str, float]:
    return {p: run.metrics[f"incident_wait_hours.{p}"] for p in ("P1", "P2", "P3", "P4")}


def test_by_default_urgent_incidents_interrupt_planned_work_and_the_rest_wait():
    sc = desk()
    assert sc.incidents.interrupting == list(DEFAULT_INTERRUPTS)
    run = itsim.simulate(sc)
    waits = waits_by_class(run)
    assert waits["P1"] < 0.05 and waits["P2"] < 0.2
    assert waits["P3"] > waits["P2"] and waits["P4"] > waits["P3"]
    assert run.metrics["incident_resolve_hours.P1"] < run.metrics["incident_resolve_hours.P4"]
    kinds, _ = preempted(run)
    assert (kinds != INCIDENT).sum() > 10, "urgent incidents interrupt recurring and project work"


def test_incidents_outside_interrupts_never_interrupt_planned_work():
    everyone = itsim.simulate(desk(**{"incidents.interrupts": ["P1", "P2", "P3", "P4"]}))
    default = itsim.simulate(desk())
    nobody = itsim.simulate(desk(**{"incidents.interrupts": []}))
    kinds, _ = preempted(nobody)
    assert (kinds == INCIDENT).all(), "only lower-priority incidents are interrupted"
    assert (preempted(everyone)[0] != INCIDENT).sum() > (preempted(default)[0] != INCIDENT).sum()
    assert waits_by_class(everyone)["P4"] < waits_by_class(default)["P4"]


def test_interrupts_without_preemption_interrupt_only_planned_work():
    run = itsim.simulate(desk(**{"incidents.preemptive": False, "incidents.interrupts": ["P1"]}))
    kinds, _ = preempted(run)
    assert len(kinds) > 0
    assert set(kinds.tolist()) <= {RECURRING, PROJECT}


def test_without_preemption_nothing_is_interrupted_unless_interrupts_says_so():
    run = itsim.simulate(desk(**{"incidents.preemptive": False}))
    assert len(preempted(run)[0]) == 0


def test_planned_work_pays_the_resume_cost_each_time_it_is_interrupted_and_incidents_do_not():
    run = itsim.simulate(desk(**{"projects": None}))
    _, code, item, kind, _, effort = log_of(run)
    times = np.bincount(item[code == PREEMPT], minlength=len(kind))
    tasks = np.flatnonzero(kind == RECURRING)
    assert times[tasks].max() >= 1
    np.testing.assert_allclose(effort[tasks], 6.0 + RESUME_COST_HOURS * times[tasks])
    incidents = np.flatnonzero(kind == INCIDENT)
    assert times[incidents].max() >= 1, "incidents are interrupted by higher classes"
    np.testing.assert_allclose(effort[incidents], 1.0)


def test_resume_cost_is_configurable_and_zero_means_none():
    run = itsim.simulate(desk(**{"projects": None, "dynamics.resume_cost_hours": 0}))
    _, _, _, kind, _, effort = log_of(run)
    np.testing.assert_allclose(effort[kind == RECURRING], 6.0)


def test_priorities_may_have_their_own_effort_and_the_others_keep_their_draws():
    plain = desk(**{"incidents.effort_hours": {"dist": "exponential", "mean": 1.0}})
    major = plain.with_changes({"incidents.effort_hours_by_priority": {"P1": {"dist": "constant", "value": 3.0}}})
    a, b = itsim.simulate(plain), itsim.simulate(major)

    def efforts(run):
        _, code, item, kind, cls, effort = log_of(run)
        arrived = item[(code == ARRIVE) & (kind[item] == INCIDENT)]
        return cls[arrived], effort[arrived]

    cls_a, eff_a = efforts(a)
    cls_b, eff_b = efforts(b)
    np.testing.assert_array_equal(cls_a, cls_b)
    assert (eff_b[cls_b == 0] == 3.0).all()
    np.testing.assert_array_equal(eff_a[cls_a != 0], eff_b[cls_b != 0])


@pytest.mark.parametrize("key", ["interrupts", "effort_hours_by_priority"])
def test_unknown_classes_in_interrupts_or_effort_are_errors(key):
    value = ["P7"] if key == "interrupts" else {"P7": {"dist": "constant", "value": 1}}
    with pytest.raises(ScenarioError, match=f"incidents.*{key}.*P7"):
        desk(**{f"incidents.{key}": value})
