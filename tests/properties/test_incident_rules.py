"""What happens to each incident follows the scenario's rules, whatever the policy."""

import numpy as np
from hypothesis import given

import itsim
from itsim.model.work import INCIDENT
from itsim.record import ABANDON, ARRIVE, DEFLECT, DONE, PREEMPT, START
from itsim.testing import policies, scenarios


def _events(run):
    time, code, item = run.world.log.columns()
    kind = np.frombuffer(run.world.log.kind, dtype=np.int8)
    return time, code, item, kind


def _items_with(code, item, event):
    return set(item[code == event].tolist())


@given(scenarios(incidents=True, policy=policies()))
def test_nothing_is_interrupted_when_incidents_are_not_preemptive(scenario):
    scenario = scenario.with_changes({"incidents.preemptive": False})
    _, code, _, _ = _events(itsim.simulate(scenario, seed=4))
    assert not (code == PREEMPT).any(), f"{int((code == PREEMPT).sum())} interruptions with preemptive = false"


@given(scenarios(incidents=True, policy=policies()))
def test_each_incident_leaves_once_and_only_if_it_arrived(scenario):
    _, code, item, kind = _events(itsim.simulate(scenario, seed=5))
    incident = kind[item] == INCIDENT
    arrived = _items_with(code[incident], item[incident], ARRIVE)
    gone = {e: _items_with(code[incident], item[incident], e) for e in (DONE, ABANDON, DEFLECT)}
    started = _items_with(code[incident], item[incident], START)
    for event, items in gone.items():
        assert items <= arrived, f"event {event} for incidents that never arrived: {sorted(items - arrived)[:5]}"
        leaving = code[incident] == event
        assert leaving.sum() == len(items), f"event {event} logged twice for some incident"
    assert not gone[DONE] & gone[ABANDON], f"done and abandoned: {sorted(gone[DONE] & gone[ABANDON])[:5]}"
    assert not started & gone[DEFLECT], f"deflected yet worked on: {sorted(started & gone[DEFLECT])[:5]}"
    assert not started & gone[ABANDON], f"abandoned after being started: {sorted(started & gone[ABANDON])[:5]}"
    assert gone[DONE] <= started, f"done without being started: {sorted(gone[DONE] - started)[:5]}"
