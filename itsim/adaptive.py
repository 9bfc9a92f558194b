"""The schedule of an adaptive sweep: which levels get more replications, round by round.

A sweep asked for the tipping point spends most of a fixed grid's replications on
levels that are plainly healthy or plainly too busy. An adaptive sweep runs
``first_look`` replications of every cell (round 0), then, after each round and for each
series of levels (a policy with the values of the other varied keys), doubles the
replications of the levels that can still move the tipping point, never beyond the most
asked for (``most``); the others stop. It ends when no level needs more.

A level gets more replications, for either band (too busy and at risk), when

- it is one of the two levels between which the share first exceeds the band, counted
  from the healthy end (their shares set the interpolated tipping point,
  :func:`itsim.tipping.crossing`); or
- its 95% Wilson interval of the share of replications that broke a target still
  contains the band (more replications could put it on the other side) and it lies
  within the levels spanned by the 95% bootstrap range of that first level, the level
  just before it included: the levels that set the tipping point's interval. Where no
  level exceeds the band, that is the far end of the range; where the first level
  already does, the first.

The span is what lets levels far from the tipping point stop at the first
look: with 4 replications no binomial interval excludes a band of 0.2 or 0.8 (0 of 4
has a Wilson interval up to 0.49), but the share moves monotonically along a key whose
direction is known, so a level far on the healthy side of the crossing cannot set it.

Decisions use only results: the replications each cell holds by the end of the round
(its first ``n``, since replication ``r`` of a cell always has the same seed) and a
bootstrap whose random numbers come from the sweep's seed and the round, never timing
or the number of workers. A cell that reaches ``most`` is exactly the fixed grid's cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from itsim.stats import wilson_interval
from itsim.tipping import declared_direction, detected_direction, healthy_order, resampled_shares

#: replications of every cell in the first round of an adaptive sweep
FIRST_LOOK = 4
#: resamples of the bootstrap that locates the crossing between rounds
SCHEDULE_SAMPLES = 1000


def round_rng(seed: int, round_no: int) -> np.random.Generator:
    """The random numbers of one round's decisions: from the sweep's seed and the round."""
    return np.random.default_rng([seed, round_no, 0x5EED])


def levels_to_extend(xs: np.ndarray, busy: Sequence[np.ndarray], key: str, bands: Sequence[float],
                     rng: np.random.Generator, level: float = 0.95) -> list[int]:
    """Indices (into ``xs``, ascending) of the levels of one series that need more
    replications, by the two conditions of the module docstring. ``busy``: per level,
    1.0/0.0 for its replications 0, 1, ... in order."""
    xs = np.asarray(xs, dtype=float)
    busy = [np.asarray(b, dtype=float) for b in busy]
    if xs.size == 0:
        return []
    shares = np.array([b.mean() for b in busy])
    direction = declared_direction(key) or detected_direction(xs, shares)
    order = np.arange(len(xs))[healthy_order(direction)]
    boot = resampled_shares(busy, rng, SCHEDULE_SAMPLES)[order]
    chosen: set[int] = set()
    for band in bands:
        first = int(np.argmax(shares[order] > band)) if (shares > band).any() else len(xs)
        if 0 < first < len(xs):
            chosen.update(int(order[i]) for i in (first - 1, first))
        for i in _span(boot, band, level):
            k = int(order[i])
            lo, hi = wilson_interval(int(round(busy[k].sum())), len(busy[k]))
            if lo <= band <= hi:
                chosen.add(k)
    return sorted(chosen)


def _span(boot: np.ndarray, band: float, level: float) -> range:
    """Levels (from the healthy end) spanned by the bootstrap range of the first level whose
    share exceeds ``band``, with the level before it (the interpolation's other end)."""
    count = boot.shape[0]
    above = boot > band
    first = np.where(above.any(axis=0), above.argmax(axis=0), count)  # count: never exceeds it
    first = np.sort(first)
    tail = (1 - level) / 2
    lo = int(first[int(math.floor(tail * (len(first) - 1)))])
    hi = int(first[int(math.ceil((1 - tail) * (len(first) - 1)))])
    return range(max(lo - 1, 0), min(hi, count - 1) + 1)


def next_count(count: int, most: int) -> int:
    """The replications a level that needs more gets next round: twice as many, at most ``most``."""
    return min(2 * count, most)
