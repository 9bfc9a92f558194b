"""[costs]: each money metric adds up from its definition, and cost_total is their sum."""

import pytest

import itsim

PLAIN = {
    "scenario": {"name": "costs", "horizon_days": 70, "warmup_days": 7, "calendar": "24x7", "seed": 5},
    "team": [{"role": "desk", "count": 50, "cost_per_hour": 30}],
    "incidents": {"rate_per_hour": 0.5, "effort_hours": {"dist": "constant", "value": 2.0},
                  "priorities": {"P1": 0.5, "P2": 0.5}, "handled_by": ["desk"], "deflection": 0.2},
    "costs": {"downtime_per_hour": {"P1": 100}, "per_deflected_incident": 3, "overhead_per_week": 500},
}


def test_money_metrics_follow_their_definitions():
    run = itsim.simulate(itsim.Scenario.from_dict(PLAIN))
    m = run.metrics
    # Ample staff: no incident waits, so each P1 is open exactly its 2 hours (clipped to the window).
    assert m["incident_wait_hours"] == 0
    ev = run.events
    lo, hi = 7 * 24.0, 77 * 24.0
    arrive = ev[ev["event"] == "arrive"].set_index("item")["time"]
    done = ev[ev["event"] == "done"].set_index("item")["time"]
    deflected = set(ev[ev["event"] == "deflect"]["item"])
    priority = run.world.log.cls
    expected = sum(
        max(0.0, min(done.get(i, hi), hi) - max(t, lo)) * 100
        for i, t in arrive.items() if priority[i] == 0 and i not in deflected
    )
    assert expected > 0
    assert m["cost_downtime"] == pytest.approx(expected)
    assert m["cost_staff"] == pytest.approx(50 * 30 * 70 * 24)
    assert m["cost_self_service"] == 3 * m["incidents_deflected"]
    assert m["cost_overhead"] == pytest.approx(500 * 10)
    parts = ("cost_staff", "cost_downtime", "cost_security", "cost_turnover", "cost_self_service",
             "cost_shadow_it", "cost_overhead")
    assert m["cost_total"] == pytest.approx(sum(m[p] for p in parts))


def test_bad_cost_keys_are_named():
    bad = {**PLAIN, "costs": {"downtime_per_hour": {"urgent": 5}}}
    with pytest.raises(itsim.ScenarioError, match="costs.downtime_per_hour"):
        itsim.Scenario.from_dict(bad)
