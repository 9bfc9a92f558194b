"""itsim.testing: the strategies draw what they promise, and the checkers catch what they should."""


import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

import itsim
import itsim.policies
from itsim.distributions import KINDS
from itsim.model.work import INCIDENT
from itsim.policies import available, build_policy
from itsim.record import DONE
from itsim.testing import (
    check_conservation,
    check_determinism,
    check_littles_law,
    distributions,
    policies,
    scenarios,
)

DESK = """
[scenario]
name = "desk"
horizon_days = 14
warmup_days = 2
calendar = "24x7"
seed = 3

[[team]]
role = "desk"
count = 2

[incidents]
rate_per_hour = 1.2
effort_hours = { dist = "exponential", mean = 1.0 }
handled_by = ["desk"]

[projects]
rate_per_week = 2
estimate_hours = { dist = "gamma", mean = 8, cv = 0.5 }
handled_by = ["desk"]
"""


@pytest.fixture(scope="module")
def desk():
    return itsim.loads_scenario(DESK)


@pytest.fixture(scope="module")
def desk_run(desk):
    return itsim.simulate(desk, seed=1)


def some(strategy, condition):
    """An example satisfying ``condition`` (found without shrinking, which is slow for scenarios)."""
    quick = settings(max_examples=2000, phases=[Phase.generate], database=None, derandomize=True, deadline=None,
                     suppress_health_check=list(HealthCheck))
    return find(strategy, condition, settings=quick)


# -- distributions ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_distributions_draw_every_kind(kind):
    assert some(distributions(), lambda d: d.dist == kind).dist == kind


@given(distributions(min_mean=0.5, max_mean=2.0))
def test_distributions_keep_the_mean_within_bounds(dist):
    assert 0.5 * (1 - 1e-9) <= dist.mean <= 2.0 * (1 + 1e-9)
    assert dist.variance >= 0


@given(distributions(kinds=["exponential", "constant"]))
def test_distributions_draw_only_the_kinds_asked_for(dist):
    assert dist.dist in ("exponential", "constant")


def test_distributions_reject_unknown_kinds():
    with pytest.raises(ValueError, match="kinds"):
        some(distributions(kinds=["poisson"]), lambda d: True)


# -- scenarios --------------------------------------------------------------------------


@given(scenarios())
def test_scenarios_are_small_and_cross_references_hold(sc):
    assert 14 <= sc.scenario.horizon_days <= 60
    assert sum(t.count for t in sc.team) <= 3 * 4
    skills = {t.role: t.skills for t in sc.team}
    if sc.incidents is not None:
        assert all("incident" in skills[r] for r in sc.incidents.handled_by)
        if sc.incidents.escalation is not None:
            assert "incident" in skills[sc.incidents.escalation.to]
    for task in sc.recurring:
        assert all("recurring" in skills[r] for r in task.handled_by)
    if sc.projects is not None:
        assert all("project" in skills[r] for r in sc.projects.handled_by)


FEATURES = {
    "24x7 calendar": lambda s: s.scenario.calendar == "24x7",
    "business calendar": lambda s: s.scenario.calendar == "business",
    "a role with its own calendar": lambda s: any(t.calendar for t in s.team),
    "productivity": lambda s: any(t.productivity != 1 for t in s.team),
    "cost": lambda s: any(t.cost_per_hour > 0 for t in s.team),
    "several roles": lambda s: len(s.team) > 1,
    "incidents": lambda s: s.incidents is not None,
    "no incidents": lambda s: s.incidents is None,
    "priorities": lambda s: s.incidents is not None and len(s.incidents.priority_names) > 1,
    "non-preemptive": lambda s: s.incidents is not None and not s.incidents.preemptive,
    "sla_hours": lambda s: s.incidents is not None and s.incidents.sla_hours is not None,
    "patience_hours": lambda s: s.incidents is not None and s.incidents.patience_hours is not None,
    "escalation": lambda s: s.incidents is not None and s.incidents.escalation is not None,
    "deflection": lambda s: s.incidents is not None and s.incidents.deflection > 0,
    "arrival_profile": lambda s: s.incidents is not None and s.incidents.arrival_profile is not None,
    "recurring": lambda s: bool(s.recurring),
    "no recurring": lambda s: not s.recurring,
    "projects": lambda s: s.projects is not None,
    "no projects": lambda s: s.projects is None,
    "project patience_days": lambda s: s.projects is not None and s.projects.patience_days is not None,
    "value_per_week": lambda s: s.projects is not None and s.projects.value_per_week is not None,
    "care_and_feeding": lambda s: s.projects is not None and s.projects.care_and_feeding_hours_per_week > 0,
    "targets": lambda s: s.targets != itsim.Scenario.model_fields["targets"].default_factory(),
    "phases": lambda s: bool(s.phase),
    "no phases": lambda s: not s.phase,
    "phase demand scale": lambda s: any(p.demand_scale != 1 for p in s.phase),
    "phase team change": lambda s: any(p.team for p in s.phase),
    "dynamics": lambda s: s.dynamics != itsim.Scenario.model_fields["dynamics"].default_factory(),
    "costs": lambda s: s.costs != itsim.Scenario.model_fields["costs"].default_factory(),
    "downtime costs": lambda s: bool(s.costs.downtime_per_hour),
    "demand_scale": lambda s: s.demand_scale != 1,
}


@pytest.mark.parametrize("feature", FEATURES)
def test_scenarios_sometimes_have_each_feature(feature):
    assert FEATURES[feature](some(scenarios(), FEATURES[feature]))


@given(scenarios(calendar="24x7", max_horizon_days=20, incidents=True, recurring=False, projects=False,
                 phases=False, max_people=2))
def test_scenarios_honour_their_constraints(sc):
    assert sc.scenario.calendar == "24x7"
    assert sc.scenario.horizon_days <= 20
    assert sc.incidents is not None and not sc.recurring and sc.projects is None and not sc.phase
    assert all(t.count <= 2 for t in sc.team)


@given(scenarios(policy="wip_limit"))
def test_scenarios_use_the_policy_given(sc):
    assert sc.policy.names == ["wip_limit"]


# -- policies -----------------------------------------------------------------------------


@given(policies(combine=True))
def test_policies_draw_registered_policies_that_build(table):
    names = [table["name"]] if isinstance(table["name"], str) else table["name"]
    assert set(names) <= set(available())
    build_policy(names, {k: v for k, v in table.items() if k != "name"})


def test_policies_sometimes_combine_two():
    assert isinstance(some(policies(combine=True), lambda t: isinstance(t["name"], list))["name"], list)


def test_policies_include_ones_registered_in_process(monkeypatch):
    monkeypatch.setattr(itsim.policies, "_REGISTRY", dict(itsim.policies._REGISTRY))

    @itsim.policies.register
    class Hermit(itsim.policies.Policy):
        name = "hermit_for_tests"

    assert some(policies(), lambda t: t["name"] == "hermit_for_tests") == {"name": "hermit_for_tests"}


def test_policies_refuse_names_that_do_not_build():
    with pytest.raises(ValueError, match="no policy"):
        policies(names=["no_such_policy"])


# -- checkers ---------------------------------------------------------------------------


def _tampered(run, **checks):
    return itsim.Run(**{**run.__dict__, "checks": {**run.checks, **checks}})


def test_check_conservation_passes_a_real_run(desk_run):
    check_conservation(desk_run)


def test_check_conservation_names_lost_work(desk_run):
    with pytest.raises(AssertionError, match=r"incidents_unaccounted = 2 \(expected 0\)"):
        check_conservation(_tampered(desk_run, incidents_unaccounted=2.0))


def test_check_conservation_names_lost_hours(desk_run):
    with pytest.raises(AssertionError, match=r"hours_unaccounted = 0\.5 person-hours"):
        check_conservation(_tampered(desk_run, hours_unaccounted=0.5))


def test_check_conservation_allows_rounding_in_the_hours(desk_run):
    check_conservation(_tampered(desk_run, hours_unaccounted=1e-9))


def test_check_littles_law_passes_a_real_run(desk_run):
    assert "portfolio_L" in desk_run.checks
    check_littles_law(desk_run)


def test_check_littles_law_reports_the_numbers(desk_run):
    bad = desk_run.checks["littles_law_lambda_W"] + desk_run.checks["littles_law_tolerance"] + 0.5
    with pytest.raises(AssertionError, match=r"incidents: L = [\d.]+ but lambda x W = [\d.]+ .*tolerance"):
        check_littles_law(_tampered(desk_run, littles_law_L=bad))


def test_check_littles_law_checks_the_portfolio(desk_run):
    with pytest.raises(AssertionError, match="portfolio: L = "):
        check_littles_law(_tampered(desk_run, portfolio_L=desk_run.checks["portfolio_lambda_W"] + 5))


def test_check_littles_law_needs_the_project_table(desk):
    with pytest.raises(ValueError, match="keep_events=True"):
        check_littles_law(itsim.simulate(desk, seed=1, keep_events=False))


def test_check_determinism_returns_the_run(desk):
    run = check_determinism(desk, seed=4)
    assert run.seed == 4 and run.metrics["incidents_arrived"] > 0


def test_check_determinism_catches_a_run_that_changes(desk, monkeypatch):
    seeds = iter([1, 2])
    real = itsim.testing.simulate
    monkeypatch.setattr(itsim.testing, "simulate", lambda sc, seed: real(sc, seed=next(seeds)))
    with pytest.raises(AssertionError, match=r"gave different results: .*incidents_arrived: [\d.]+ then [\d.]+"):
        check_determinism(desk, seed=1)




def test_check_littles_law_catches_an_incident_that_leaves_twice(desk):
    run = itsim.simulate(desk, seed=1)
    log = run.world.log
    code, item = log.columns()[1:]
    kind = np.frombuffer(log.kind, dtype=np.int8)
    done_incident = int(item[np.flatnonzero((code == DONE) & (kind[item] == INCIDENT))[0]])
    del code, item, kind  # numpy views pin the log's buffers
    log.time.append(run.world.end - 1.0)  # a second departure late in the run
    log.entry.append(done_incident << 4 | DONE)
    with pytest.raises(AssertionError, match="from the event stream"):
        check_littles_law(run)


def test_docstring_examples_run():
    import doctest

    import itsim.testing

    result = doctest.testmod(itsim.testing, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
