"""Exact group-sequential bounds for a probability estimated from 0/1 runs.

The plan search looks at each option's share of too-busy runs several times (after
4, 8, 16, ... runs) and may call it infeasible when a one-sided Clopper–Pearson
lower bound is above the accepted risk, or feasible when the upper bound is at or
below it. Looking several times gives a wrong call several chances. Splitting the
error ``alpha`` evenly over the looks (Bonferroni) is safe but wasteful, because the
looks share their runs: a share that is far too high after 8 runs is usually still
too high after 16. Here the level of every bound is instead the largest level
``a`` at which the chance of *any* wrong call over all looks, worked out exactly
from the binomial distribution at a true probability equal to the risk, is at most
``alpha`` (a Pocock-type group-sequential test, computed exactly rather than from a
normal approximation).

That chance is largest when the true probability equals the risk (a lower-bound
call is then wrong for every probability at or below the risk, an upper-bound call
for every one above it, and both kinds become less likely further away), and a
search that stops an option early, or never gives it the later looks, only removes
chances to err: so each side's guarantee holds for every option, whatever the
search does with it.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import stats

LOWER, UPPER = "lower", "upper"


def lower_bound(s: np.ndarray | int, n: int, level: float) -> np.ndarray:
    """One-sided Clopper–Pearson lower bound of a probability with ``s`` of ``n`` runs (0 when s = 0)."""
    s = np.asarray(s)
    return np.where(s > 0, stats.beta.ppf(level, np.maximum(s, 1), n - s + 1), 0.0)


def upper_bound(s: np.ndarray | int, n: int, level: float) -> np.ndarray:
    """One-sided Clopper–Pearson upper bound of a probability with ``s`` of ``n`` runs (1 when s = n)."""
    s = np.asarray(s)
    return np.where(s < n, stats.beta.ppf(1 - level, s + 1, np.maximum(n - s, 1)), 1.0)


def crosses(side: str, s: np.ndarray | int, n: int, risk: float, level: float) -> np.ndarray:
    """Whether ``s`` too-busy runs of ``n`` make the call: above the risk (``lower``) or
    at or below it (``upper``)."""
    if side == LOWER:
        return lower_bound(s, n, level) > risk
    return upper_bound(s, n, level) <= risk


def wrong_call_chance(looks: tuple[int, ...], risk: float, level: float, side: str) -> float:
    """The chance, at a true probability equal to ``risk``, that ``side``'s bound at
    ``level`` makes its call at any of ``looks`` (run counts, increasing)."""
    alive = np.ones(1)  # probability of each too-busy count so far, on paths with no call yet
    done, total = 0, 0.0
    for n in looks:
        step = n - done
        alive = np.convolve(alive, stats.binom.pmf(np.arange(step + 1), step, risk))
        called = crosses(side, np.arange(n + 1), n, risk, level)
        total += float(alive[called].sum())
        alive = np.where(called, 0.0, alive)
        done = n
    return total


@functools.lru_cache(maxsize=64)
def nominal_level(looks: tuple[int, ...], risk: float, alpha: float, side: str) -> float:
    """The largest level (at most ``alpha``, at least ``alpha / len(looks)``) whose bounds make a
    wrong ``side`` call over all ``looks`` with chance at most ``alpha``."""
    low, high = alpha / len(looks), alpha
    if wrong_call_chance(looks, risk, high, side) <= alpha:
        return high
    for _ in range(60):  # the chance is a step function of the level: halve the gap to ~1e-18
        middle = (low + high) / 2
        if wrong_call_chance(looks, risk, middle, side) <= alpha:
            low = middle
        else:
            high = middle
    return low
