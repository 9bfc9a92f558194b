"""The exact formulas in ``theory.py`` against textbook values and each other.

Rates are per hour and times in hours throughout.
"""

import math

import pytest

from .theory import (
    cobham_mean_waits,
    erlang_a,
    erlang_c,
    mmc_mean_wait,
    pollaczek_khinchine_mean_wait,
    preemptive_resume_mean_responses,
    second_moment,
)


def erlang_c_by_direct_sum(servers: int, offered_load: float) -> float:
    """DOMAIN's closed form: [a^c/c! · 1/(1−ρ)] / [Σ_{k<c} a^k/k! + a^c/c! · 1/(1−ρ)]."""
    rho = offered_load / servers
    top = offered_load**servers / math.factorial(servers) / (1 - rho)
    below = sum(offered_load**k / math.factorial(k) for k in range(servers))
    return top / (below + top)


def test_erlang_c_textbook_example():
    """a = 2.5 erlangs on c = 4 servers: about 32% of arrivals wait."""
    assert erlang_c(4, 2.5) == pytest.approx(0.320, abs=5e-4)


@pytest.mark.parametrize(("servers", "offered_load"), [(1, 0.5), (2, 1.6), (4, 2.5), (5, 4.5), (10, 8.5), (30, 29.0)])
def test_erlang_c_recursion_matches_direct_sum(servers, offered_load):
    assert erlang_c(servers, offered_load) == pytest.approx(erlang_c_by_direct_sum(servers, offered_load), rel=1e-12)


@pytest.mark.parametrize("load", [0.1, 0.5, 0.9])
def test_mm1_wait_probability_is_the_load_and_wait_is_rho_over_mu_minus_lambda(load):
    """One server with μ = 1/h: P(wait) = ρ, Wq = ρ/(μ − λ) hours."""
    assert erlang_c(1, load) == pytest.approx(load, rel=1e-12)
    assert mmc_mean_wait(load, 1.0, 1) == pytest.approx(load / (1.0 - load), rel=1e-12)


def test_erlang_c_rejects_an_unstable_queue():
    with pytest.raises(ValueError, match="stable"):
        erlang_c(4, 4.0)


def test_erlang_a_abandonment_known_value():
    """λ = 10/h, μ = 1/h, mean patience 2 h (θ = 0.5/h), 10 servers: 10.39% abandon."""
    assert round(erlang_a(10.0, 1.0, 10, 0.5).p_abandon, 4) == 0.1039


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    """θ → 0 (infinitely patient users) gives M/M/c: P(wait) and Wq converge to Erlang C."""
    arrival_rate, service_rate, servers = 8.5, 1.0, 10
    p_wait = erlang_c(servers, arrival_rate / service_rate)
    wait = mmc_mean_wait(arrival_rate, service_rate, servers)
    errors = []
    for theta in (1e-1, 1e-3, 1e-5, 1e-8):
        result = erlang_a(arrival_rate, service_rate, servers, theta)
        errors.append(abs(result.mean_wait - wait) / wait)
        assert result.p_wait < p_wait
        assert result.mean_wait < wait
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] < 1e-6
    exact = erlang_a(arrival_rate, service_rate, servers, 0.0)
    assert exact.p_wait == pytest.approx(p_wait, rel=1e-12)
    assert exact.mean_wait == pytest.approx(wait, rel=1e-12)
    assert exact.p_abandon == 0.0


def test_erlang_a_with_patience_equal_to_service_is_poisson():
    """θ = μ makes the death rate nμ in every state: the number present is Poisson(λ/μ)."""
    arrival_rate, service_rate, servers = 7.0, 1.0, 5
    a = arrival_rate / service_rate
    poisson = [math.exp(-a) * a**n / math.factorial(n) for n in range(80)]
    p_wait = math.fsum(poisson[servers:])
    mean_queue = math.fsum((n - servers) * p for n, p in enumerate(poisson) if n > servers)
    result = erlang_a(arrival_rate, service_rate, servers, service_rate)
    assert result.p_wait == pytest.approx(p_wait, rel=1e-12)
    assert result.mean_queue == pytest.approx(mean_queue, rel=1e-12)
    assert result.p_abandon == pytest.approx(service_rate * mean_queue / arrival_rate, rel=1e-12)


def test_erlang_a_is_stable_when_overloaded():
    """λ = 2cμ: abandonment keeps the queue finite, and at least 1 − cμ/λ = 50% must leave."""
    result = erlang_a(20.0, 1.0, 10, 0.5)
    assert 0.5 < result.p_abandon < 1.0
    assert math.isfinite(result.mean_wait)


def test_erlang_a_without_abandonment_rejects_an_unstable_queue():
    with pytest.raises(ValueError, match="stable"):
        erlang_a(10.0, 1.0, 10, 0.0)


def test_pollaczek_khinchine_with_exponential_service_is_mm1():
    """cv = 1 gives E[S²] = 2m²: the P-K wait equals M/M/1's ρ/(μ − λ) hours."""
    arrival_rate, mean_service = 0.7, 1.0
    pk = pollaczek_khinchine_mean_wait(arrival_rate, mean_service, second_moment(mean_service, 1.0))
    assert pk == pytest.approx(mmc_mean_wait(arrival_rate, 1.0 / mean_service, 1), rel=1e-12)


def test_pollaczek_khinchine_with_constant_service_halves_the_mm1_wait():
    """M/D/1 waits half as long as M/M/1 at the same load."""
    pk = pollaczek_khinchine_mean_wait(0.7, 1.0, second_moment(1.0, 0.0))
    assert pk == pytest.approx(mmc_mean_wait(0.7, 1.0, 1) / 2, rel=1e-12)


def test_pollaczek_khinchine_rejects_an_unstable_queue():
    with pytest.raises(ValueError, match="stable"):
        pollaczek_khinchine_mean_wait(1.0, 1.0, 2.0)


def test_cobham_known_values():
    """λ = 0.3 and 0.4 per hour, exponential 1 h: W0 = 0.7 h, Wq = 0.7/0.7 and 0.7/(0.7·0.3)."""
    high, low = cobham_mean_waits([0.3, 0.4], [1.0, 1.0], [2.0, 2.0])
    assert high == pytest.approx(1.0, rel=1e-12)
    assert low == pytest.approx(10 / 3, rel=1e-12)


def test_cobham_with_one_class_is_pollaczek_khinchine():
    m2 = second_moment(1.5, 2.0)
    (wait,) = cobham_mean_waits([0.4], [1.5], [m2])
    assert wait == pytest.approx(pollaczek_khinchine_mean_wait(0.4, 1.5, m2), rel=1e-12)


def test_cobham_obeys_kleinrock_conservation_law():
    """Work-conserving, non-preemptive: Σ ρ_k·Wq_k = ρ·W0/(1 − ρ) whatever the service laws."""
    rates, means, cvs = [0.1, 0.2, 0.15], [0.5, 1.0, 2.0], [0.0, 1.0, 1.5]
    moments = [second_moment(m, cv) for m, cv in zip(means, cvs, strict=True)]
    waits = cobham_mean_waits(rates, means, moments)
    loads = [r * m for r, m in zip(rates, means, strict=True)]
    residual = sum(r * m2 for r, m2 in zip(rates, moments, strict=True)) / 2
    weighted = sum(rho * w for rho, w in zip(loads, waits, strict=True))
    assert weighted == pytest.approx(sum(loads) * residual / (1 - sum(loads)), rel=1e-12)


def test_preemptive_resume_with_one_class_is_mg1_response():
    m2 = second_moment(1.5, 2.0)
    (response,) = preemptive_resume_mean_responses([0.4], [1.5], [m2])
    assert response == pytest.approx(1.5 + pollaczek_khinchine_mean_wait(0.4, 1.5, m2), rel=1e-12)


def test_preemptive_resume_high_class_ignores_lower_classes():
    alone = preemptive_resume_mean_responses([0.3], [1.0], [2.0])[0]
    shared = preemptive_resume_mean_responses([0.3, 0.2], [1.0, 3.0], [2.0, 30.0])[0]
    assert shared == pytest.approx(alone, rel=1e-12)


def test_preemptive_resume_with_equal_exponential_services_keeps_mm1_mean_response():
    """Same exponential effort for both classes: the number present is M/M/1's, so the
    arrival-weighted mean response is 1/(μ − λ) hours (Little's law)."""
    rates = [0.3, 0.4]
    responses = preemptive_resume_mean_responses(rates, [1.0, 1.0], [2.0, 2.0])
    weighted = sum(r * t for r, t in zip(rates, responses, strict=True)) / sum(rates)
    assert weighted == pytest.approx(1.0 / (1.0 - sum(rates)), rel=1e-12)
