"""The engine against exact queueing theory (SPEC §7, DOMAIN "Queueing results").

Each test builds a plain queue (24x7 calendar, one role, incidents only, so the
model is exactly the textbook queue), runs independent replications and asks
two things of every compared metric:

* the exact value lies inside the replication 95% confidence interval, and
* the interval's half-width is at most 5% of the exact value.

Together they confine the estimate to ±10% of theory, so a real discrepancy
cannot hide behind a wide interval; the run lengths below are sized from the
variance of each estimator to keep the half-width near 3-4%. Exact values come
from ``theory.py``. Time unit: hours (rates per hour, efforts and waits in hours).

A 95% interval misses the truth one time in twenty even for a perfect engine,
and the suite makes fourteen such comparisons, so a change that reshuffles
the random numbers can make one fail by a hair. Before blaming the engine, rerun
the failing case with a handful of other seeds: a correct engine misses in about
5% of them, scattered on both sides; a bug misses in most, on one side.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

import itsim

from .theory import (
    cobham_mean_waits,
    erlang_a,
    erlang_c,
    mmc_mean_wait,
    pollaczek_khinchine_mean_wait,
    preemptive_resume_mean_responses,
    second_moment,
)

SEED = 1
"""Seed of every run here; same seed and scenario give identical numbers (SPEC §6)."""
REPLICATIONS = 20
WARMUP_DAYS = 20
HALF_WIDTH_LIMIT = 0.05
"""Largest accepted 95% CI half-width, as a share of the exact value."""


def plain_queue(
    name: str,
    *,
    servers: int,
    rate_per_hour: float,
    effort_hours: dict[str, Any],
    incidents_per_replication: int,
    **incident_keys: Any,
) -> itsim.Scenario:
    """A 24x7 queue of ``servers`` people handling Poisson incidents and nothing else.

    The horizon (whole days after warm-up) is set so that at least
    ``incidents_per_replication`` incidents are expected in each replication.
    """
    horizon_days = math.ceil(incidents_per_replication / (rate_per_hour * 24))
    return itsim.Scenario.from_dict(
        {
            "scenario": {
                "name": name,
                "horizon_days": horizon_days,
                "warmup_days": WARMUP_DAYS,
                "calendar": "24x7",
                "seed": SEED,
            },
            "team": [{"role": "desk", "count": servers}],
            "incidents": {
                "rate_per_hour": rate_per_hour,
                "effort_hours": effort_hours,
                "handled_by": ["desk"],
                **incident_keys,
            },
        }
    )


def replicated_metrics(scenario: itsim.Scenario, replications: int = REPLICATIONS) -> dict[str, dict[str, Any]]:
    """``{metric: {"mean": x, "ci95": [lo, hi]}}`` over independent replications."""
    result = itsim.replicate(scenario, replications=replications, seed=SEED, workers=1)
    return result.summary["metrics"]


def assert_matches_theory(metrics: dict[str, dict[str, Any]], name: str, exact: float) -> None:
    """The run is precise enough (half-width ≤ 5% of ``exact``) and its 95% CI holds ``exact``."""
    mean = metrics[name]["mean"]
    low, high = metrics[name]["ci95"]
    half_width = (high - low) / 2
    assert half_width <= HALF_WIDTH_LIMIT * exact, (
        f"{name}: 95% CI half-width {half_width:.4g} is {half_width / exact:.1%} of the exact "
        f"value {exact:.4g} (limit {HALF_WIDTH_LIMIT:.0%}): the run is too short to judge"
    )
    assert low <= exact <= high, (
        f"{name}: exact value {exact:.4g} outside the 95% CI [{low:.4g}, {high:.4g}] "
        f"(mean {mean:.4g}, off by {mean / exact - 1:+.1%})"
    )


def test_assert_matches_theory_rejects_a_value_outside_the_interval():
    metrics = {"incident_wait_hours": {"mean": 1.2, "ci95": [1.17, 1.23]}}
    with pytest.raises(AssertionError, match="outside the 95% CI"):
        assert_matches_theory(metrics, "incident_wait_hours", 1.0)


def test_assert_matches_theory_rejects_a_wide_interval():
    metrics = {"incident_wait_hours": {"mean": 1.0, "ci95": [0.9, 1.1]}}
    with pytest.raises(AssertionError, match="too short to judge"):
        assert_matches_theory(metrics, "incident_wait_hours", 1.0)


def test_short_run_at_high_load_is_too_imprecise_for_the_criterion():
    """The half-width limit binds on real output: 4 × 10 days of M/M/5 at ρ = 0.9 is rejected."""
    scenario = plain_queue(
        "short M/M/5",
        servers=5,
        rate_per_hour=4.5,
        effort_hours={"dist": "exponential", "mean": 1.0},
        incidents_per_replication=1_080,
    )
    metrics = replicated_metrics(scenario, replications=4)
    with pytest.raises(AssertionError, match="too short to judge"):
        assert_matches_theory(metrics, "incident_wait_hours", mmc_mean_wait(4.5, 1.0, 5))


@pytest.mark.parametrize(
    ("servers", "load", "incidents_per_replication"),
    [
        pytest.param(1, 0.5, 15_000, id="M/M/1 rho=0.5"),
        pytest.param(2, 0.8, 40_000, id="M/M/2 rho=0.8"),
        pytest.param(5, 0.9, 130_000, id="M/M/5 rho=0.9", marks=pytest.mark.slow),
        pytest.param(10, 0.85, 110_000, id="M/M/10 rho=0.85", marks=pytest.mark.slow),
    ],
)
def test_mmc_matches_erlang_c(servers, load, incidents_per_replication):
    """Exponential 1 h effort, λ = ρ·c per hour: mean wait (hours) and P(wait) of Erlang C."""
    service_rate = 1.0
    arrival_rate = load * servers * service_rate
    scenario = plain_queue(
        f"M/M/{servers}",
        servers=servers,
        rate_per_hour=arrival_rate,
        effort_hours={"dist": "exponential", "mean": 1.0 / service_rate},
        incidents_per_replication=incidents_per_replication,
    )
    metrics = replicated_metrics(scenario)
    assert_matches_theory(metrics, "incident_wait_hours", mmc_mean_wait(arrival_rate, service_rate, servers))
    assert_matches_theory(metrics, "incident_wait_probability", erlang_c(servers, arrival_rate / service_rate))


PRIORITY_RATES = [0.3, 0.4]
"""Arrivals per hour of P1 and P2 at one server with exponential 1 h effort (ρ = 0.7)."""


def two_class_mm1(*, preemptive: bool, incidents_per_replication: int) -> itsim.Scenario:
    """M/M/1 with P1 and P2 incidents at ``PRIORITY_RATES``, 1 h mean effort for both."""
    total = sum(PRIORITY_RATES)
    return plain_queue(
        "M/M/1 two priorities",
        servers=1,
        rate_per_hour=total,
        effort_hours={"dist": "exponential", "mean": 1.0},
        incidents_per_replication=incidents_per_replication,
        priorities={"P1": PRIORITY_RATES[0] / total, "P2": PRIORITY_RATES[1] / total},
        preemptive=preemptive,
    )


def test_mm1_non_preemptive_priority_matches_cobham():
    """A P1 arrival waits for the piece of work in hand: per-class mean waits (hours) of Cobham."""
    metrics = replicated_metrics(two_class_mm1(preemptive=False, incidents_per_replication=20_000))
    exact = cobham_mean_waits(PRIORITY_RATES, [1.0, 1.0], [second_moment(1.0, 1.0)] * 2)
    assert_matches_theory(metrics, "incident_wait_hours.P1", exact[0])
    assert_matches_theory(metrics, "incident_wait_hours.P2", exact[1])


def test_mm1_preemptive_resume_priority_matches_response_times():
    """A P1 arrival interrupts P2 work, which resumes later: per-class arrival → done (hours)."""
    metrics = replicated_metrics(two_class_mm1(preemptive=True, incidents_per_replication=15_000))
    exact = preemptive_resume_mean_responses(PRIORITY_RATES, [1.0, 1.0], [second_moment(1.0, 1.0)] * 2)
    assert_matches_theory(metrics, "incident_resolve_hours.P1", exact[0])
    assert_matches_theory(metrics, "incident_resolve_hours.P2", exact[1])


def test_mg1_lognormal_effort_matches_pollaczek_khinchine():
    """Lognormal effort, mean 1 h and cv 1.5, λ = 0.7 per hour: P-K mean wait (hours)."""
    arrival_rate, mean_effort, cv = 0.7, 1.0, 1.5
    scenario = plain_queue(
        "M/G/1 lognormal",
        servers=1,
        rate_per_hour=arrival_rate,
        effort_hours={"dist": "lognormal", "mean": mean_effort, "cv": cv},
        incidents_per_replication=50_000,
    )
    metrics = replicated_metrics(scenario)
    exact = pollaczek_khinchine_mean_wait(arrival_rate, mean_effort, second_moment(mean_effort, cv))
    assert_matches_theory(metrics, "incident_wait_hours", exact)


def test_mmc_with_exponential_patience_matches_erlang_a_abandonment():
    """λ = 10/h, 10 people, 1 h effort, patience mean 2 h: the share of incidents abandoned."""
    arrival_rate, servers, mean_patience = 10.0, 10, 2.0
    scenario = plain_queue(
        "M/M/10+M",
        servers=servers,
        rate_per_hour=arrival_rate,
        effort_hours={"dist": "exponential", "mean": 1.0},
        incidents_per_replication=20_000,
        patience_hours={"dist": "exponential", "mean": mean_patience},
    )
    metrics = replicated_metrics(scenario)
    exact = erlang_a(arrival_rate, 1.0, servers, 1.0 / mean_patience)
    assert_matches_theory(metrics, "incident_abandon_share", exact.p_abandon)
