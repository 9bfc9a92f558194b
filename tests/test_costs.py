"""[costs]: each money metric adds up from its definition, and cost_total is their sum."""

import pytest

import itsim
from itsim.model.projects import DECLINED, WITHDRAWN
from itsim.report.fmt import MONEY_METRICS

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


PORTFOLIO = {
    "scenario": {"name": "refusals", "horizon_days": 180, "warmup_days": 14, "calendar": "24x7", "seed": 9},
    "team": [{"role": "engineer", "count": 1, "skills": ["project"], "cost_per_hour": 60}],
    "projects": {"rate_per_week": 3, "estimate_hours": {"dist": "lognormal", "mean": 40, "cv": 0.5},
                 "value_per_week": {"dist": "lognormal", "mean": 1000, "cv": 1.0}, "handled_by": ["engineer"]},
    "costs": {"per_shadow_it_system_per_week": 50},
}


def refused_value(run, state) -> float:
    """Value per week x weeks from the refusal to the end of the window, by hand."""
    lo, hi = 14 * 24.0, 194 * 24.0
    return sum(p.value * (hi - max(p.finished, lo)) / 168.0 for p in run.world.portfolio.projects
               if p.state == state and p.finished < hi)


def test_declined_requests_carry_their_value_and_may_become_shadow_it():
    gated = itsim.Scenario.from_dict({**PORTFOLIO, "policy": {"name": "intake_gate", "lead_time_target_days": 10}})
    run = itsim.simulate(gated)
    m = run.metrics
    assert m["projects_declined"] > 5
    assert m["value_declined"] == pytest.approx(refused_value(run, DECLINED))
    assert m["value_lost_shadow_it"] == 0
    # By default every declined request is built by the business itself (shadow IT), at a cost.
    assert m["cost_shadow_it"] > 0
    kept = itsim.simulate(gated.with_changes({"projects.declined_shadow_it_share": 0.0})).metrics
    assert kept["cost_shadow_it"] == 0
    assert kept["value_declined"] == m["value_declined"], "the same requests, declined alike"


def test_withdrawn_requests_carry_their_value_after_they_leave():
    impatient = itsim.Scenario.from_dict({**PORTFOLIO, "policy": {"name": "wip_limit", "wip_limit": 1}}).with_changes(
        {"projects.patience_days": {"dist": "constant", "value": 10}, "projects.rate_per_week": 6})
    run = itsim.simulate(impatient)
    m = run.metrics
    assert m["projects_withdrawn_shadow_it"] > 5
    assert m["value_lost_shadow_it"] == pytest.approx(refused_value(run, WITHDRAWN))
    assert m["value_declined"] == 0


def test_the_value_of_refused_requests_is_in_the_money_chart():
    assert {"value_declined", "value_lost_shadow_it"} <= set(MONEY_METRICS)
