"""What every built-in policy must keep true on any small scenario: no work is lost,
a WIP limit is never exceeded, the intake gate follows its own forecast, and under
common random numbers a policy changes how demand is served, never the demand."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import itsim
from itsim.model.projects import DECLINED
from itsim.model.work import INCIDENT
from itsim.record import ARRIVE
from itsim.testing import check_determinism, scenarios

#: Parameters drawn for each built-in policy (those without parameters run as they are).
PARAMS: dict[str, dict[str, st.SearchStrategy]] = {
    "firefight_first": {},
    "wip_limit": {"wip_limit": st.integers(1, 4)},
    "intake_gate": {
        "lead_time_target_days": st.floats(1, 120),
        "window_days": st.integers(1, 28),
        "prior_share": st.floats(0.05, 1),
    },
    "protected_maintenance": {"share": st.floats(0.05, 0.6)},
    "firefighter_rotation": {"firefighters": st.integers(1, 3)},
    "prioritise_wsjf": {},
    "prioritise_value": {},
    "fifo": {},
    "deflection": {
        "invest_hours_per_week": st.floats(0.5, 12),
        "max_share": st.floats(0.05, 0.9),
        "ramp_weeks": st.floats(0.5, 12),
    },
    "add_staff": {"count": st.integers(1, 3)},
    "outsource_tier1": {"cost_per_hour": st.floats(0, 60), "first_contact_resolution": st.floats(0, 1)},
}


@st.composite
def policy_tables(draw, names=tuple(PARAMS)):
    name = draw(st.sampled_from(names))
    return {"name": name, **{k: draw(v) for k, v in PARAMS[name].items()}}


def small(**kwargs):
    return scenarios(max_horizon_days=30, max_warmup_days=5, **kwargs)


@given(small(policy=policy_tables()))
def test_no_policy_loses_work_or_hours(scenario):
    run = itsim.simulate(scenario, seed=11)
    lost = {k: v for k, v in run.checks.items() if k.endswith("_unaccounted") and k != "hours_unaccounted"}
    assert all(v == 0 for v in lost.values()), (scenario.policy, lost)
    assert run.checks["hours_unaccounted"] < 1e-6, scenario.policy


@given(st.integers(1, 3), st.data())
def test_wip_limit_is_never_exceeded(limit, data):
    scenario = data.draw(small(projects=True, policy={"name": "wip_limit", "wip_limit": limit}))
    run = itsim.simulate(scenario, seed=12)
    events = run.events
    step = events.event.map({"commit": 1, "deliver": -1}).fillna(0).to_numpy(copy=True)
    started = events.item.isin(events.item[events.event == "commit"])
    step[((events.event == "withdraw") & started).to_numpy()] = -1  # withdrawn after it started
    in_progress = np.cumsum(step)
    assert in_progress.max(initial=0) <= limit
    assert max(run.world.ledger.wip, default=0) <= limit


@given(small(projects=True, policy=policy_tables(names=("intake_gate",))))
def test_intake_gate_accepts_exactly_the_requests_its_forecast_says_make_the_target(scenario):
    run = itsim.simulate(scenario, seed=13)
    gate = run.world.policy
    decisions = gate.decisions
    projects = run.world.portfolio.table()
    assert [d.project for d in decisions] == list(range(len(projects["state"])))
    for d in decisions:
        assert d.accepted == (d.forecast_days <= gate.target_days), d
    declined = projects["state"] == DECLINED
    assert [not d.accepted for d in decisions] == declined.tolist()


@given(small(policy=policy_tables()), st.integers(0, 2**32 - 1))
def test_the_same_policy_under_the_same_random_numbers_gives_identical_metrics(scenario, seed):
    check_determinism(scenario, seed)


def demand(run) -> tuple[list[float], list[float]]:
    """Arrival times of incidents and of project requests (hours)."""
    log = run.world.log
    time, code, item = log.columns()
    arrived = (code == ARRIVE) & (np.asarray(log.kind)[item] == INCIDENT)
    requested = run.world.portfolio.table()["requested"] if run.world.portfolio is not None else []
    return time[arrived].tolist(), list(requested)


@given(small(dynamics=False, policy=policy_tables()))
def test_a_policy_serves_the_same_demand_as_firefight_first(scenario):
    plain = scenario.with_changes({"policy": {"name": "firefight_first"}})
    assert demand(itsim.simulate(scenario, seed=14)) == demand(itsim.simulate(plain, seed=14))
