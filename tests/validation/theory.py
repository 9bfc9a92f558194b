"""Exact queueing results the simulator must reproduce (SPEC §7, DOMAIN "Queueing results").

Written from the formulas, independently of ``itsim``, so a validation test
compares the engine with an outside reference. Units are whatever the caller
uses consistently; the tests use hours: rates per hour, times in hours, second
moments in hours².
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def second_moment(mean: float, cv: float) -> float:
    """E[S²] of a service time with the given mean and coefficient of variation: m²(1 + cv²)."""
    return mean**2 * (1.0 + cv**2)


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of M/M/c/c (Erlang B) for offered load ``a`` = λ/μ.

    Uses the recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), which follows
    from the ratio of consecutive terms a^k/k! and never overflows.
    """
    if servers < 1:
        raise ValueError(f"servers must be >= 1, got {servers}")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return blocking


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/c (Erlang C), offered load ``a`` = λ/μ < c.

    Derived from Erlang B: C = c·B / (c − a·(1 − B)), algebraically the same as
    [a^c/c! · 1/(1−ρ)] / [Σ_{k<c} a^k/k! + a^c/c! · 1/(1−ρ)] with ρ = a/c.
    """
    if not 0 <= offered_load < servers:
        raise ValueError(f"needs 0 <= a < c for a stable queue, got a={offered_load}, c={servers}")
    blocking = erlang_b(servers, offered_load)
    return servers * blocking / (servers - offered_load * (1.0 - blocking))


def mmc_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue of M/M/c (FCFS): Wq = C(c, a) / (cμ − λ), in the rates' time unit."""
    p_wait = erlang_c(servers, arrival_rate / service_rate)
    return p_wait / (servers * service_rate - arrival_rate)


def pollaczek_khinchine_mean_wait(arrival_rate: float, mean_service: float, service_second_moment: float) -> float:
    """Mean time in queue of M/G/1 (FCFS): Wq = λ·E[S²] / (2(1 − ρ)), ρ = λ·E[S]."""
    load = arrival_rate * mean_service
    if not 0 <= load < 1:
        raise ValueError(f"needs load < 1 for a stable queue, got {load}")
    return arrival_rate * service_second_moment / (2.0 * (1.0 - load))


def _class_loads(arrival_rates: Sequence[float], mean_services: Sequence[float]) -> list[float]:
    """σ_k = Σ_{i≤k} λ_i·E[S_i] for k = 0..K (σ_0 = 0), checking σ_K < 1."""
    if len(arrival_rates) != len(mean_services):
        raise ValueError("one arrival rate and one mean service time per class")
    sigma = [0.0]
    for rate, mean in zip(arrival_rates, mean_services, strict=True):
        sigma.append(sigma[-1] + rate * mean)
    if sigma[-1] >= 1:
        raise ValueError(f"needs total load < 1 for a stable queue, got {sigma[-1]}")
    return sigma


def cobham_mean_waits(
    arrival_rates: Sequence[float],
    mean_services: Sequence[float],
    service_second_moments: Sequence[float],
) -> list[float]:
    """Mean time in queue per class of M/G/1 with non-preemptive priority (Cobham).

    Classes are listed highest priority first. Wq_k = W0 / ((1 − σ_{k−1})(1 − σ_k)),
    with W0 = Σ_i λ_i·E[S_i²] / 2 over all classes (the mean residual work found
    in service) and σ_k the load of classes 1..k.
    """
    sigma = _class_loads(arrival_rates, mean_services)
    residual = sum(rate * m2 for rate, m2 in zip(arrival_rates, service_second_moments, strict=True)) / 2.0
    return [residual / ((1.0 - sigma[k - 1]) * (1.0 - sigma[k])) for k in range(1, len(sigma))]


def preemptive_resume_mean_responses(
    arrival_rates: Sequence[float],
    mean_services: Sequence[float],
    service_second_moments: Sequence[float],
) -> list[float]:
    """Mean time in system per class of M/G/1 with preemptive-resume priority.

    Classes are listed highest priority first.
    T_k = E[S_k] / (1 − σ_{k−1}) + R_k / ((1 − σ_{k−1})(1 − σ_k)) with
    R_k = Σ_{i≤k} λ_i·E[S_i²] / 2: lower classes never affect higher ones.
    """
    sigma = _class_loads(arrival_rates, mean_services)
    responses = []
    residual = 0.0
    for k in range(1, len(sigma)):
        residual += arrival_rates[k - 1] * service_second_moments[k - 1] / 2.0
        upper = 1.0 - sigma[k - 1]
        responses.append(mean_services[k - 1] / upper + residual / (upper * (1.0 - sigma[k])))
    return responses


@dataclass(frozen=True)
class ErlangA:
    """Steady state of M/M/c+M; times in the rates' time unit.

    ``p_wait``: share of arrivals that find every server busy (PASTA);
    ``p_abandon``: share of arrivals that leave before service;
    ``mean_queue``: E[Lq], mean number waiting;
    ``mean_wait``: E[Wq] = E[Lq]/λ, mean time in queue over all arrivals
    (an abandoning customer counts the time until it leaves).
    """

    p_wait: float
    p_abandon: float
    mean_queue: float
    mean_wait: float


def erlang_a(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    abandon_rate: float,
    tail_tolerance: float = 1e-15,
) -> ErlangA:
    """M/M/c+M (Erlang A) from its birth–death chain.

    States n = 0, 1, ... customers present; birth rate λ; death rate
    d(n) = min(n, c)·μ + (n − c)⁺·θ, θ = 1 / mean patience. Stationary weights
    follow p_{n+1} = p_n·λ / d(n+1). The chain is cut at the first N beyond c
    with d(N+1) > λ whose geometric tail bound p_N·r / (1 − r), r = λ/d(N+1),
    is below ``tail_tolerance`` of the mass so far; weights are kept in logs so
    large systems do not overflow. P(abandon) = θ·E[Lq]/λ (abandonment flow
    over arrival flow). With θ = 0 this is Erlang C and needs λ < cμ.
    """
    if servers < 1 or arrival_rate <= 0 or service_rate <= 0 or abandon_rate < 0:
        raise ValueError("needs c >= 1, λ > 0, μ > 0 and θ >= 0")
    if abandon_rate == 0 and arrival_rate >= servers * service_rate:
        raise ValueError("without abandonment the queue needs λ < cμ to be stable")

    def death_rate(n: int) -> float:
        return min(n, servers) * service_rate + max(n - servers, 0) * abandon_rate

    log_weights = [0.0]
    peak = 0.0  # largest log weight so far
    mass = 1.0  # Σ exp(log weight − peak) so far
    while True:
        n = len(log_weights)
        log_weight = log_weights[-1] + math.log(arrival_rate / death_rate(n))
        log_weights.append(log_weight)
        if log_weight > peak:
            mass *= math.exp(peak - log_weight)
            peak = log_weight
        mass += math.exp(log_weight - peak)
        ratio = arrival_rate / death_rate(n + 1)
        if n > servers and ratio < 1:
            tail = math.exp(log_weight - peak) * ratio / (1.0 - ratio)
            if tail <= tail_tolerance * mass:
                break

    weights = [math.exp(w - peak) for w in log_weights]
    total = math.fsum(weights)
    probs = [w / total for w in weights]
    p_wait = math.fsum(probs[servers:])
    mean_queue = math.fsum((k - servers) * p for k, p in enumerate(probs) if k > servers)
    return ErlangA(
        p_wait=p_wait,
        p_abandon=abandon_rate * mean_queue / arrival_rate,
        mean_queue=mean_queue,
        mean_wait=mean_queue / arrival_rate,
    )
