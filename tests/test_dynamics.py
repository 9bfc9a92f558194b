"""The feedback loops of [dynamics]: each loop on its own, conservation with all of
them on, and the qualitative claims of the firefighting literature on
scenarios/tipping_point.toml (Repenning 2001; Repenning & Sterman 2001;
Rudolph & Repenning 2002). Comparisons use common random numbers."""

import pytest

import itsim
from experiments.hysteresis import LARGE_SURGE, PROTECT, SMALL_SURGE, SURGE_WEEKS, after_surge, end_state, surge
from itsim.scenario import ScenarioError

FULL_TIME = {"overhead_share": 0, "vacation_days_per_year": 0, "sick_days_per_year": 0}
# Sized for full 2,080-hour years (no holidays, leave or meetings), as its loads were.
SMALL = {
    "scenario": {"name": "small", "horizon_days": 182, "warmup_days": 0, "calendar": "business", "seed": 3,
                 "holidays_per_year": 0},
    "team": [
        {"role": "engineer", "count": 4, "skills": ["incident", "recurring", "project"], **FULL_TIME},
        {"role": "ops", "count": 1, "skills": ["recurring"], **FULL_TIME},
    ],
    "incidents": {"rate_per_day": 12, "effort_hours": {"dist": "exponential", "mean": 1.0},
                  "priorities": {"P1": 0.2, "P2": 0.8}, "handled_by": ["engineer"]},
    "recurring": [
        {"name": "Patching", "every": "weekly", "effort_hours": {"dist": "constant", "value": 10},
         "due_within_days": 3, "handled_by": ["ops"], "risk": "security"},
    ],
    "projects": {"rate_per_month": 2, "estimate_hours": {"dist": "lognormal", "mean": 40, "cv": 0.5},
                 "handled_by": ["engineer"], "value_per_week": {"dist": "constant", "value": 1000}},
}


def small(**changes) -> itsim.Scenario:
    return itsim.Scenario.from_dict(SMALL).with_changes(changes)


def assert_nothing_lost(run) -> None:
    for key, value in run.checks.items():
        if key.endswith("_unaccounted"):
            assert abs(value) < 1e-6, (key, value)


def test_every_loop_is_off_by_default():
    base = small()
    same = base.with_changes({"dynamics": {}})
    assert itsim.simulate(base).metrics == itsim.simulate(same).metrics


def test_skipped_maintenance_becomes_tech_debt_exactly():
    # Nobody can patch: every occurrence is skipped and its hours become debt, never paid.
    sc = small(**{"team.ops.count": 0, "dynamics": {"debt_per_skipped_hour": 1.5}})
    run = itsim.simulate(sc)
    skipped = run.metrics["recurring_skipped"]
    assert skipped >= 24
    assert run.metrics["recurring_neglect_hours.security"] == pytest.approx(10 * skipped)
    assert run.metrics["tech_debt_hours_end"] == pytest.approx(1.5 * 10 * skipped)
    assert_nothing_lost(run)


def test_debt_is_paid_down_by_leftover_capacity():
    # Patching is done by engineers (who have slack): a debt that arises gets paid off.
    sc = small(**{
        "recurring.0.handled_by": ["engineer"], "recurring.0.due_within_days": 0.01,
        "dynamics": {"debt_per_late_hour": 1.0},
    })
    run = itsim.simulate(sc)
    assert run.metrics["recurring_late"] > 0
    assert run.metrics["tech_debt_hours_end"] < 10
    assert run.metrics["hours_share.recurring"] > 0
    assert_nothing_lost(run)


def test_tech_debt_raises_the_incident_rate():
    no_feedback = small(**{"team.ops.count": 0, "dynamics": {"debt_per_skipped_hour": 1.0}})
    feedback = no_feedback.with_changes({"dynamics.incident_rate_per_debt_hour": 0.002})
    calm, spiral = itsim.simulate(no_feedback), itsim.simulate(feedback)
    assert spiral.metrics["incidents_arrived"] > 1.2 * calm.metrics["incidents_arrived"]
    weekly = spiral.timeseries["incident_rate_per_day"].to_numpy()
    assert weekly[-8:].mean() > 1.3 * weekly[:8].mean()
    assert_nothing_lost(spiral)


def test_skipped_security_work_causes_major_security_incidents():
    exposed = small(**{"team.ops.count": 0, "dynamics": {"security_hazard_per_exposed_hour": 0.002}})
    patched = exposed.with_changes({"team.ops.count": 1})
    hit, safe = itsim.simulate(exposed), itsim.simulate(patched)
    assert hit.metrics["security_incidents"] >= 3
    assert safe.metrics["security_incidents"] == 0
    assert hit.metrics["hours_share.firefighting"] > safe.metrics["hours_share.firefighting"]
    assert_nothing_lost(hit)


def test_security_exposure_needs_incidents_to_land_on():
    with pytest.raises(ScenarioError, match="dynamics.security_hazard_per_exposed_hour"):
        itsim.Scenario.from_dict({**SMALL, "incidents": None, "dynamics": {"security_hazard_per_exposed_hour": 0.1}})


def test_delivered_improvements_cut_incidents():
    plain = small(**{"projects.improvement_share": 1.0})
    paying = plain.with_changes({"dynamics": {"improvement_incident_reduction": 0.05, "improvement_floor": 0.5}})
    a, b = itsim.simulate(plain), itsim.simulate(paying)
    assert b.metrics["projects_delivered"] >= 5
    assert b.metrics["incidents_arrived"] < 0.9 * a.metrics["incidents_arrived"]


def test_shadow_it_withdraws_requests_and_adds_incidents_later():
    impatient = small(**{"projects.rate_per_month": 12, "projects.patience_days": {"dist": "constant", "value": 10}})
    shadow = impatient.with_changes({"dynamics": {"shadow_it_incidents_per_week": 2.0}})
    a, b = itsim.simulate(impatient), itsim.simulate(shadow)
    assert a.metrics["projects_withdrawn_shadow_it"] > 10
    assert b.metrics["incidents_arrived"] > a.metrics["incidents_arrived"]
    assert_nothing_lost(b)


def test_burnout_makes_people_leave_and_replacements_ramp_up():
    overloaded = small(**{
        "incidents.rate_per_day": 30,
        "dynamics": {"burnout_utilization": 0.7, "burnout_productivity_loss": 0.2, "attrition_per_year": 0.1,
                     "burnout_attrition_per_year": 3.0, "hiring_delay_days": 20, "onboarding_days": 30},
    })
    run = itsim.simulate(overloaded)
    assert run.metrics["staff_left"] >= 2
    staff = run.timeseries["staff"].to_numpy()
    assert staff.min() < 5 and staff.max() == 5
    assert run.checks["hours_unaccounted"] < 1e-6
    assert_nothing_lost(run)
    calm = itsim.simulate(overloaded.with_changes({"incidents.rate_per_day": 4}))
    assert calm.metrics["staff_left"] < run.metrics["staff_left"]


def test_context_switching_costs_hours():
    # Every incident here may interrupt (all are P1 or P2): the switch is the only cost compared.
    busy = small(**{"incidents.rate_per_day": 20, "dynamics.resume_cost_hours": 0})
    switching = busy.with_changes({"dynamics.context_switch_hours": 0.5})
    a, b = itsim.simulate(busy), itsim.simulate(switching)
    assert b.metrics["hours_share.projects"] > a.metrics["hours_share.projects"]
    assert b.metrics["project_lead_time_days"] > a.metrics["project_lead_time_days"]
    assert_nothing_lost(b)


# -- the tipping point ---------------------------------------------------------------------

REPLICATIONS = 3


@pytest.fixture(scope="module")
def tipping():
    return itsim.load_scenario("scenarios/tipping_point.toml").with_changes({"scenario.horizon_days": 364})


def end(sc, **changes):
    res = itsim.replicate(sc.with_changes(changes) if changes else sc, replications=REPLICATIONS)
    return end_state(res.timeseries), res


def test_hysteresis_large_surge_tips_small_surge_recovers_protection_recovers(tipping):
    calm, _ = end(tipping)
    tipped, _ = end(tipping, **surge(LARGE_SURGE))
    small_surge, _ = end(tipping, **surge(SMALL_SURGE))
    protected, _ = end(tipping, **surge(LARGE_SURGE), policy=PROTECT["policy"])
    rescued, _ = end(tipping, **after_surge(LARGE_SURGE, PROTECT))
    healthy = calm["firefighting_share"].mean()
    assert healthy < 0.5
    # (b) tipped: months after demand returned to normal, still firefighting with more debt and fires.
    assert (tipped["firefighting_share"] > healthy + 0.2).all()
    assert (tipped["tech_debt_hours"] > 100).all()
    assert (tipped["incidents_per_day"] > 1.3 * calm["incidents_per_day"]).all()
    # ... but bounded: the debt effect's ceiling caps the incident rate.
    assert (tipped["incidents_per_day"] < tipping.dynamics.debt_incident_ceiling * 25 * 1.1).all()
    # (c), (d) and (e) recover: back to the calm end state, (e) after protecting
    # maintenance for only a quarter once the surge is over (a [[phase]] policy).
    for recovered in (small_surge, protected, rescued):
        assert (recovered["firefighting_share"] < healthy + 0.05).all()
        assert (recovered["tech_debt_hours"] < 50).all()


def test_same_extra_load_does_more_damage_as_a_burst_than_spread(tipping):
    burst, _ = end(tipping, **surge(LARGE_SURGE))
    spread_weeks = 40
    scale = 1 + (LARGE_SURGE - 1) * SURGE_WEEKS / spread_weeks  # the same extra incidents over 40 weeks
    spread, _ = end(tipping, phase=[{"start_day": 0, "end_day": spread_weeks * 7, "incident_rate_scale": scale}])
    assert burst["tech_debt_hours"].mean() > spread["tech_debt_hours"].mean() + 100
    assert burst["firefighting_share"].mean() > spread["firefighting_share"].mean() + 0.2


def test_cutting_maintenance_is_better_before_worse(tipping):
    """Two maintainers are moved onto project work at the start of the measured
    period (a phase), in a department whose projects wait for capacity. Project
    hours rise at once; then the neglect returns as incidents and project hours fall
    below the department that kept maintaining (Repenning & Sterman 2001)."""
    data = tipping.to_dict()
    data["team"] = [
        {"role": "engineer", "count": 10, "skills": ["incident", "project"], "cost_per_hour": 70},
        {"role": "maintainer", "count": 3, "skills": ["recurring"], "cost_per_hour": 70},
    ]
    for task in data["recurring"]:
        task["handled_by"] = ["maintainer"]
    data["projects"]["rate_per_month"] = 7
    data["projects"].pop("patience_days", None)
    keep = itsim.Scenario.from_dict(data)
    cut = keep.with_changes({"phase": [{"name": "cut maintenance", "start_day": 0, "end_day": 364,
                                        "team": {"maintainer": {"count": 0}, "engineer": {"count": 13}}}]})
    kept = itsim.replicate(keep, replications=REPLICATIONS).timeseries
    cutting = itsim.replicate(cut, replications=REPLICATIONS).timeseries

    def project_hours(ts, lo, hi):
        sel = (ts["week"] >= lo) & (ts["week"] < hi)
        return ts[sel].groupby("replication")["hours.projects"].sum().to_numpy()

    early = project_hours(cutting, 0, 6) - project_hours(kept, 0, 6)
    late = project_hours(cutting, 39, 52) - project_hours(kept, 39, 52)
    assert (early > 0).all(), early
    assert (late < 0).all(), late


# -- bounded feedback, debt paydown, policies by phase -----------------------------------------


def test_the_debt_effect_starts_at_its_slope_and_saturates_at_its_ceiling():
    world = itsim.simulate(small(**{"dynamics": {"debt_per_skipped_hour": 1.0, "incident_rate_per_debt_hour": 0.002,
                                                  "debt_incident_ceiling": 1.5}})).world
    dyn = world.dynamics
    world.tech_debt = 1.0
    assert dyn.debt_multiplier() == pytest.approx(1.002, rel=1e-3)
    world.tech_debt = 1e6
    assert dyn.debt_multiplier() == pytest.approx(1.5)
    world.tech_debt = 500.0
    assert 1.0 < dyn.debt_multiplier() < 1 + 0.002 * 500


def test_a_neglected_estate_has_more_fires_but_never_more_than_the_ceiling_allows():
    neglected = small(**{"team.ops.count": 0, "scenario.horizon_days": 364,
                         "dynamics": {"debt_per_skipped_hour": 1.0, "incident_rate_per_debt_hour": 0.01,
                                      "debt_incident_ceiling": 1.5}})
    run = itsim.simulate(neglected)
    weekly = run.timeseries["incident_rate_per_day"].to_numpy()
    assert run.metrics["tech_debt_hours_end"] > 400
    assert weekly[-13:].mean() > 1.3 * 12
    assert weekly[-13:].mean() < 1.5 * 12 * 1.15


def test_debt_is_paid_before_projects_when_the_scenario_says_so():
    loops = {"debt_per_skipped_hour": 1.0, "debt_per_late_hour": 1.0, "incident_rate_per_debt_hour": 0.002}
    busy = small(**{"recurring.0.handled_by": ["engineer"], "recurring.0.due_within_days": 0.01,
                    "projects.rate_per_month": 8, "dynamics": loops})
    leftover = itsim.simulate(busy).metrics
    first = itsim.simulate(busy.with_changes({"dynamics.debt_paydown": "before_projects"})).metrics
    assert first["tech_debt_hours_end"] < leftover["tech_debt_hours_end"]
    assert first["hours_share.projects"] < leftover["hours_share.projects"]


def test_a_phase_policy_is_in_force_only_during_its_phase():
    gate = {"name": "intake_gate", "lead_time_target_days": 0.01}
    sc = small(**{"projects.rate_per_month": 8,
                  "phase": [{"name": "freeze", "start_day": 60, "end_day": 120, "policy": gate}]})
    run = itsim.simulate(sc)
    ev = run.events
    declined = ev.loc[ev.event == "decline", "time"].to_numpy() / 24.0
    requested = ev.loc[ev.event == "request", "time"].to_numpy() / 24.0
    assert len(declined) > 3
    assert ((declined >= 60) & (declined < 120)).all()
    assert (((requested >= 60) & (requested < 120)).sum()) == len(declined)
    assert run.world.policy is run.world.phases.base_policy


def test_policies_that_change_the_department_cannot_change_by_phase():
    sc = small(phase=[{"start_day": 10, "end_day": 20, "policy": {"name": "add_staff"}}])
    with pytest.raises(ScenarioError, match=r"phase\[0\]\.policy\.name: add_staff changes the department"):
        itsim.simulate(sc)
    with pytest.raises(ScenarioError, match=r"phase\[0\]\.policy\.nope"):
        itsim.simulate(small(phase=[{"start_day": 10, "end_day": 20, "policy": {"name": "wip_limit", "nope": 1}}]))
