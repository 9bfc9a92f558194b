"""Validate means runnable: whatever passes validation (and the work limits) runs to the
end with finite metrics and passing invariant checks; extremes included."""

import math

import pytest
from hypothesis import given

import itsim
from itsim import workload
from itsim.checks import evaluate
from itsim.experiment import policy_for
from itsim.testing import SMALL_LIMITS, extreme_distributions, extreme_scenarios, policies
from tests.robustness.probes import probe

EXP = '{ dist = "exponential", mean = 1.0 }'


def assert_runs_cleanly(scenario: itsim.Scenario) -> itsim.Run:
    run = itsim.simulate(scenario, seed=1, force=True)
    failed = [c for c in evaluate(run) if not c.passed]
    assert not failed, failed
    assert not [k for k, v in run.metrics.items() if math.isinf(v)]
    return run


@given(extreme_scenarios(policy=policies(combine=True)))
def test_a_scenario_validation_passes_runs_with_finite_metrics_and_passing_checks(scenario):
    try:
        workload.check([workload.estimate(policy_for(scenario).adjust(scenario))], limits=SMALL_LIMITS)
    except workload.TooMuchWork:
        return  # refused before any work: what the limits are for
    assert_runs_cleanly(scenario)


@given(extreme_distributions())
def test_extreme_distributions_sample_finite_non_negative_values(dist):
    import numpy as np

    x = dist.sample(np.random.default_rng(1), 1000)
    assert np.isfinite(x).all() and (x >= 0).all()
    assert math.isfinite(dist.mean) and math.isfinite(dist.variance)


@pytest.mark.parametrize("effort", [
    '{ dist = "gamma", mean = 1, cv = 1e-6 }',
    '{ dist = "gamma", mean = 1, cv = 100 }',
    '{ dist = "lognormal", mean = 1, cv = 1e-6 }',
    '{ dist = "lognormal", mean = 1, cv = 100 }',
    '{ dist = "triangular", low = 0, mode = 1, high = 1e12 }',
    '{ dist = "uniform", low = 0, high = 1e12 }',
    '{ dist = "constant", value = 1e12 }',
    '{ dist = "constant", value = 1e-12 }',
])
def test_efforts_at_the_edges_of_what_is_valid_run_cleanly(effort):
    run = assert_runs_cleanly(itsim.loads_scenario(probe((EXP, effort))))
    assert run.metrics["incidents_arrived"] > 600


def test_a_team_of_nobody_is_too_busy_not_sustainable():
    run = assert_runs_cleanly(itsim.loads_scenario(probe(("count = 3", "count = 0"),
                                                         ("horizon_days = 30", "horizon_days = 120"))))
    assert run.too_busy["verdict"] is True
    assert run.too_busy["reasons"][0]["text"] == "open work kept piling up with nobody available to work it"


def test_a_phase_in_which_nobody_works_runs_cleanly():
    text = probe(append="[[phase]]\nstart_day = 5\nend_day = 12\nteam = { desk = { count = 0 } }\n")
    run = assert_runs_cleanly(itsim.loads_scenario(text))
    assert run.metrics["utilization"] < 1
