"""Preemptive priorities: P1 incidents never notice lower-ranked work.

Under preemptive-resume, P1 incidents see a first-come-first-served queue with
the whole team to themselves: P2 incidents, recurring tasks and project chunks
are interrupted for them. So every P1 incident must start exactly when a
c-server FCFS queue fed with the P1 incidents alone would start it (the
Kiefer-Wolfowitz recursion), and adding recurring and project work to the same
people (common random numbers keep the incidents identical) must not move any
P1 start.
"""

import heapq

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import itsim
from itsim.model.work import INCIDENT
from itsim.record import ARRIVE, START
from itsim.testing import distributions


@st.composite
def priority_queues(draw):
    """An M/G/c-like 24x7 desk with two preemptive priority classes (and no other work)."""
    people = draw(st.integers(1, 3))
    effort = draw(distributions(min_mean=0.2, max_mean=2.0))
    load = draw(st.floats(0.3, 0.95))
    p1 = draw(st.floats(0.1, 0.9))
    return itsim.Scenario.from_dict({
        "scenario": {"name": "priorities", "horizon_days": draw(st.integers(7, 30)), "calendar": "24x7",
                     "seed": draw(st.integers(0, 2**32 - 1))},
        "team": [{"role": "desk", "count": people}],
        "incidents": {
            "rate_per_hour": min(load * people / effort.mean, 6.0),
            "effort_hours": effort.model_dump(by_alias=True),
            "priorities": {"P1": p1, "P2": 1 - p1},
            "preemptive": True,
            "handled_by": ["desk"],
        },
    })


def _with_background_work(scenario, draw_effort):
    """The same scenario plus recurring tasks and projects done by the same people."""
    data = scenario.to_dict()
    data["recurring"] = [
        {"name": "patching", "every": "daily", "effort_hours": draw_effort, "due_within_days": 1,
         "handled_by": ["desk"]},
        {"name": "log review", "every": "weekly", "effort_hours": {"dist": "constant", "value": 6.0},
         "due_within_days": 3, "handled_by": ["desk"]},
    ]
    data["projects"] = {"rate_per_week": 2.0, "estimate_hours": {"dist": "lognormal", "mean": 30, "cv": 1},
                        "chunk_hours": 3.0, "handled_by": ["desk"]}
    return itsim.Scenario.from_dict(data)


def _p1_times(run):
    """Arrival, first start (inf if never started) and effort of each P1 incident, in arrival order."""
    log = run.world.log
    time, code, item = log.columns()
    kind = np.frombuffer(log.kind, dtype=np.int8)
    cls = np.frombuffer(log.cls, dtype=np.int32)
    effort = np.frombuffer(log.effort, dtype=float)
    p1 = (kind == INCIDENT) & (cls == 0)
    arrive = np.full(len(kind), np.nan)
    start = np.full(len(kind), np.inf)
    arrive[item[code == ARRIVE]] = time[code == ARRIVE]
    start[item[code == START]] = time[code == START]
    ids = np.flatnonzero(p1)
    ids = ids[np.argsort(arrive[ids], kind="stable")]
    return arrive[ids], start[ids], effort[ids]


def _fcfs_starts(arrive, effort, servers):
    """Start times in a FCFS queue with ``servers`` identical servers (Kiefer-Wolfowitz)."""
    free = [0.0] * servers
    starts = []
    for a, s in zip(arrive, effort, strict=True):
        begin = max(a, heapq.heappop(free))
        starts.append(begin)
        heapq.heappush(free, begin + s)
    return np.array(starts)


@given(priority_queues())
def test_p1_incidents_start_as_if_alone(scenario):
    run = itsim.simulate(scenario)
    arrive, start, effort = _p1_times(run)
    expected = _fcfs_starts(arrive, effort, scenario.team[0].count)
    unstarted = np.isinf(start)
    assert np.all(expected[unstarted] >= run.world.end - 1e-9), "a P1 incident was never started though free"
    np.testing.assert_allclose(start[~unstarted], expected[~unstarted], rtol=0, atol=1e-7)


@given(priority_queues(), distributions(min_mean=0.5, max_mean=4.0))
def test_lower_ranked_work_never_changes_p1_waits(scenario, effort):
    alone = itsim.simulate(scenario)
    busier = itsim.simulate(_with_background_work(scenario, effort.model_dump(by_alias=True)))
    a_arrive, a_start, _ = _p1_times(alone)
    b_arrive, b_start, _ = _p1_times(busier)
    np.testing.assert_array_equal(a_arrive, b_arrive)
    np.testing.assert_allclose(b_start, a_start, rtol=0, atol=1e-7)
    assert busier.metrics["hours_share.recurring"] > 0 or busier.metrics["hours_share.projects"] > 0
