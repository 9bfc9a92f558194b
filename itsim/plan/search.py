"""The plan search: sequential feasibility tests on the options, in order of price.

Each option is run at each demand level in looks of ``first_look`` replications,
then every ``first_look // 2`` (at least 1) up to N = ``max_replications`` (4, 6,
8, ..., 40). Looks this close cost little: their bounds share their runs, and the
levels of :mod:`itsim.plan.bounds` are worked out for all of them together (at
risk 0.3, 0.015 and 0.024 for 19 looks against 0.026 and 0.042 for the six looks
4, 8, 16, 24, 32, 40), while an option whose call falls between two sparse looks
would otherwise run on to the next one. Replication ``r`` of every
option draws the same random numbers (common random numbers), and replications are
always a prefix ``0..n-1``: an option run to N has exactly the results it would have
in a grid of N replications per option.

After each look, each (option, demand level) is

- *infeasible* when it can no longer end at or below the risk at N replications
  (more than ``floor(risk x N)`` too-busy replications), or when the one-sided
  Clopper-Pearson lower bound of its probability of being too busy is above the
  risk;
- *feasible* when it can no longer end above the risk at N, or when the matching
  upper bound is at or below the risk;
- at N replications, feasible when at most ``floor(risk x N)`` replications were too
  busy (the rule of the full grid);
- *open* otherwise.

The bounds are taken only at the planned looks, at the levels of
:mod:`itsim.plan.bounds`: a wrong bound call over all looks has chance at most
``alpha``, exactly. An option is feasible when every demand level is, infeasible
when one is. The answer is the first feasible option in the search order
(cheapest, then fewest changes from today), once every option before it is
infeasible.

Each round gives the next look to the open options that could still be the answer:
those before the first option that is feasible or looks feasible (every level's
estimate within the risk), and that one; a round stops short of the next look where
the certainty rules could decide sooner (:meth:`Rules.next_count`). Options are first
run (screened) when the
walk reaches their price, all options of one price together; options after the
first one that looks feasible wait. Once the answer is known, options dearer than it
cannot change it: the first option (fewest changes) of each dearer price is screened
for the cost-versus-risk frontier, the others are not run. Which replications run
depends only on results so far, never on timing, so the search is the same whatever
the number of workers.

Guarantee: for any one option and demand level, a call made by a bound is wrong
about its true probability with chance at most ``alpha`` (on each side); calls by
the certainty rules and at N agree with the N-replication grid by construction. See
``docs/plan.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from itsim.plan.bounds import LOWER, UPPER, crosses, nominal_level

OPEN, FEASIBLE, INFEASIBLE = "open", "feasible", "infeasible"
#: An option the search never ran: dearer than the answer and not the frontier's choice at its price.
NOT_RUN = "not run"

Cell = tuple[str, float]


@dataclass(frozen=True)
class Rules:
    """How the search decides: ``risk`` (the largest acceptable probability of being too
    busy), the replications per option at most (N) and at the first look, and ``alpha``
    (the chance of a wrong bound call, on each side, for each option and demand level)."""

    risk: float
    max_replications: int = 40
    first_look: int = 4
    alpha: float = 0.05

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.risk < 1:
            problems.append(f"risk must be at least 0 and below 1 (got {self.risk:g})")
        if self.max_replications < 1:
            problems.append(f"max_replications must be >= 1 (got {self.max_replications})")
        if self.first_look < 1:
            problems.append(f"first_look must be >= 1 (got {self.first_look})")
        if not 0 < self.alpha < 1:
            problems.append(f"alpha must be between 0 and 1 (got {self.alpha:g})")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def looks(self) -> list[int]:
        """Replication counts at which decisions are made: the first look, then every
        ``first_look // 2`` (at least 1) up to N; for N = 40 and a first look of 4:
        4, 6, 8, ..., 40."""
        N = self.max_replications
        first = min(self.first_look, N)
        return [*range(first, N, max(1, self.first_look // 2)), N]

    def next_look(self, n: int) -> int:
        return next(k for k in self.looks if k > n)

    def next_count(self, n: int, s: int) -> int:
        """Replications to have next, with ``s`` of ``n`` too busy so far: the next look, or
        sooner where the certainty rules could decide sooner (``allowed + 1 - s`` more
        too-busy runs make it certainly infeasible; ``N - allowed + s`` runs with no more
        too busy make it certainly feasible). Bounds are still taken only at the looks, so
        their levels and guarantee are unchanged."""
        look = self.next_look(n)
        sooner = (n + self.allowed + 1 - s, self.max_replications - self.allowed + s)
        return min((c for c in sooner if n < c < look), default=look)

    @property
    def allowed(self) -> int:
        """Too-busy replications allowed out of N (the full grid's rule: share <= risk)."""
        return math.floor(self.risk * self.max_replications + 1e-9)

    @property
    def bound_levels(self) -> dict[str, float]:
        """One-sided level of the ``lower`` bound (infeasible calls) and of the ``upper`` one
        (feasible calls): the largest at which a wrong call over all looks has chance at most
        ``alpha``, exactly (:mod:`itsim.plan.bounds`)."""
        looks = tuple(self.looks)
        return {side: nominal_level(looks, self.risk, self.alpha, side) for side in (LOWER, UPPER)}


def decide(busy: np.ndarray, rules: Rules) -> tuple[str, str]:
    """``(status, how)`` of one option at one demand level from its too-busy verdicts
    (replications ``0..n-1``); ``how`` is ``certain``, ``bound``, ``at N`` or ''."""
    n = len(busy)
    if n == 0:
        return OPEN, ""
    s = int(np.sum(busy))
    N = rules.max_replications
    if s > rules.allowed:
        return INFEASIBLE, "certain"
    if s + (N - n) <= rules.allowed:
        return FEASIBLE, "certain"
    if n in rules.looks:
        levels = rules.bound_levels
        if crosses(LOWER, s, n, rules.risk, levels[LOWER]):
            return INFEASIBLE, "bound"
        if crosses(UPPER, s, n, rules.risk, levels[UPPER]):
            return FEASIBLE, "bound"
    if n >= N:
        return (FEASIBLE if s <= rules.allowed else INFEASIBLE), "at N"
    return OPEN, ""


def option_status(levels: list[tuple[str, str]]) -> str:
    """An option's status from its demand levels' statuses."""
    statuses = [s for s, _ in levels]
    if INFEASIBLE in statuses:
        return INFEASIBLE
    return FEASIBLE if all(s == FEASIBLE for s in statuses) else OPEN


def looks_feasible(cells: list[np.ndarray], levels: list[tuple[str, str]], rules: Rules) -> bool:
    """Whether every demand level is feasible or has an estimate within the risk."""
    return all(status == FEASIBLE or (len(b) > 0 and np.mean(b) <= rules.risk)
               for b, (status, _) in zip(cells, levels, strict=True))


def next_round(order: list[str], prices: list[float], demands: list[float], busy: dict[Cell, np.ndarray],
               rules: Rules) -> dict[Cell, int]:
    """The replications each (option, demand level) should have after the next round,
    for those that need more; empty when the search is over.

    ``order`` is the option ids in search order, ``prices`` their prices (equal prices are
    screened together); ``busy`` holds each cell's verdicts so far.
    """
    first = min(rules.first_look, rules.max_replications)
    targets: dict[Cell, int] = {}
    screening = None  # the price whose options this round screens
    for oid, price in zip(order, prices, strict=True):
        if screening is not None and price != screening:
            break
        cells = [busy[(oid, d)] for d in demands]
        if any(len(b) == 0 for b in cells):
            targets.update({(oid, d): first for d, b in zip(demands, cells, strict=True) if len(b) == 0})
            screening = price
            continue
        levels = [decide(b, rules) for b in cells]
        status = option_status(levels)
        if status == INFEASIBLE:
            continue
        for d, b, (s, _) in zip(demands, cells, levels, strict=True):
            if s == OPEN:
                targets[(oid, d)] = rules.next_count(len(b), int(np.sum(b)))
        if status == FEASIBLE or looks_feasible(cells, levels, rules):
            break
    return targets


def frontier_round(order: list[str], prices: list[float], demands: list[float], busy: dict[Cell, np.ndarray],
                   rules: Rules, chosen: str | None) -> dict[Cell, int]:
    """After the search: the first option (fewest changes from today) at each price above the
    answer's that has not been run, screened for the cost-versus-risk frontier."""
    if chosen is None:
        return {}
    first = min(rules.first_look, rules.max_replications)
    at = order.index(chosen)
    seen = {prices[at]}
    targets: dict[Cell, int] = {}
    for oid, price in zip(order[at + 1:], prices[at + 1:], strict=True):
        if price in seen:
            continue
        seen.add(price)
        targets.update({(oid, d): first for d in demands if len(busy[(oid, d)]) == 0})
    return targets


def answer(order: list[str], demands: list[float], busy: dict[Cell, np.ndarray], rules: Rules) -> str | None:
    """The first feasible option in ``order``, once the search is over; None if none is."""
    for oid in order:
        status = option_status([decide(busy[(oid, d)], rules) for d in demands])
        if status == FEASIBLE:
            return oid
        if status == OPEN:
            raise ValueError(f"option {oid} is still open: the search is not over")
    return None
