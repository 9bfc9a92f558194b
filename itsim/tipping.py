"""The tipping point of a sweep: the level of a varied key at which the department's
status changes to "too busy", in whichever direction the key works.

A level's status comes from the share of its replications that broke a target
(:func:`itsim.targets.status`): too busy above the band ``too_busy_above``, at risk
above ``at_risk_above``. More demand makes a department busier; more staff makes it
less busy. The direction of well-known keys is declared below; for any other key it
is read from the shares (do they rise or fall along the key?).

The boundary is found from the healthy end of the range: the first level whose share
exceeds the band, interpolated linearly from the level before it. Its interval is a
bootstrap over replications, paired across levels (replication ``r`` sees the same
random numbers at every level, so whole replications are resampled). Levels may hold
different numbers of replications (an adaptive sweep, :mod:`itsim.adaptive`): each is
then resampled from its own, and levels share a drawn replication wherever both hold it
(:func:`resampled_shares`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

BOOTSTRAP_SAMPLES = 2000

MORE_IS_WORSE, MORE_IS_BETTER = "more_is_worse", "more_is_better"
#: what the boundary means: the department tips into too busy as the key rises, recovers
#: as it rises, is too busy at every level tested (the boundary lies beyond the range:
#: below it for demand, above it for staff), or is never too busy within the range
TIPS, RECOVERS, BELOW_RANGE, ABOVE_RANGE, NEVER = "tips", "recovers", "below_range", "above_range", "never"

#: Keys whose direction is known: more of them makes a department busier, or less busy.
DECLARED: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), d) for p, d in (
    (r"demand_scale", MORE_IS_WORSE),
    (r"incidents\.rate_per_(day|hour)", MORE_IS_WORSE),
    (r"projects\.rate_per_(month|week)", MORE_IS_WORSE),
    (r"projects\.(estimate_bias|care_and_feeding_hours_per_week)", MORE_IS_WORSE),
    (r".*effort_hours\.(mean|value|low|mode|high)", MORE_IS_WORSE),
    (r"projects\.estimate_hours\.(mean|value|low|mode|high)", MORE_IS_WORSE),
    (r"phase\.\d+\.(demand_scale|incident_rate_scale|project_rate_scale)", MORE_IS_WORSE),
    (r"team\.[^.]+\.(count|productivity)", MORE_IS_BETTER),
    (r"incidents\.deflection", MORE_IS_BETTER),
    (r"policy\.(extra|count|people)", MORE_IS_BETTER),
))


def declared_direction(key: str) -> str | None:
    """The declared direction of ``key``, or None when it must be read from the data."""
    for pattern, direction in DECLARED:
        if pattern.fullmatch(key):
            return direction
    return None


def detected_direction(xs: np.ndarray, shares: np.ndarray) -> str:
    """Whether the share of too-busy replications rises (more is worse) or falls along
    the key: the sign of its least-squares slope against the level's rank (rising when flat)."""
    if len(xs) < 2:
        return MORE_IS_WORSE
    rank = np.arange(len(xs), dtype=float) - (len(xs) - 1) / 2
    return MORE_IS_BETTER if float(rank @ shares) < 0 else MORE_IS_WORSE


def crossing(xs: np.ndarray, shares: np.ndarray, band: float) -> np.ndarray:
    """Where each column of ``shares`` (levels x samples, levels ordered from the healthy
    end) first exceeds ``band``, interpolated linearly from the level before: ``xs[0]``
    when the first level already does, NaN when none does."""
    above = shares > band
    first = above.argmax(axis=0)
    cols = np.arange(shares.shape[1])
    prev = np.maximum(first - 1, 0)
    s0, s1 = shares[prev, cols], shares[first, cols]
    x0, x1 = xs[prev], xs[first]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(s1 > s0, (band - s0) / (s1 - s0), 1.0)
    point = np.where(first == 0, xs[0], x0 + np.clip(frac, 0.0, 1.0) * (x1 - x0))
    return np.where(above.any(axis=0), point, np.nan)


def resampled_shares(busy: np.ndarray | Sequence[np.ndarray], rng: np.random.Generator,
                     samples: int = BOOTSTRAP_SAMPLES) -> np.ndarray:
    """Bootstrap resamples of each level's too-busy share (levels x ``samples``).

    ``busy``: per level, 1.0/0.0 for its replications 0, 1, ... in order. Levels with as
    many replications as each other draw the very same replications (paired). With
    unequal counts, each resample draws, for slot ``j``, one replication number ``r`` out
    of the largest count and one uniform ``v``: a level that holds ``r`` takes it, one that
    does not takes ``floor(v x n)`` of its own ``n``. Each level's draws are thus uniform
    over its own replications, levels with equal counts stay exactly paired, and levels
    with unequal counts share every drawn replication they both hold.
    """
    counts = {len(b) for b in busy}
    if len(counts) == 1:
        matrix = np.asarray(busy, dtype=float)
        draws = rng.integers(0, matrix.shape[1], size=(samples, matrix.shape[1]))
        return matrix[:, draws].mean(axis=2)
    picks = shared_draws([len(b) for b in busy], rng, samples)
    return np.array([np.asarray(b, dtype=float)[p].mean(axis=1) for b, p in zip(busy, picks, strict=True)])


def shared_draws(counts: Sequence[int], rng: np.random.Generator, samples: int) -> list[np.ndarray]:
    """Per level, the replications each resample draws (``samples`` x its count), by the
    rule of :func:`resampled_shares` for unequal counts."""
    most = max(counts)
    shared = rng.integers(0, most, size=(samples, most))
    own = rng.random((samples, most))
    return [np.where(shared[:, :n] < n, shared[:, :n], (own[:, :n] * n).astype(np.int64)) for n in counts]


def healthy_order(direction: str) -> slice:
    """Levels (ascending) reordered from the healthy end of the range."""
    return slice(None) if direction == MORE_IS_WORSE else slice(None, None, -1)


def _boundary(xs, shares, boot, band, direction, level, integer) -> dict[str, Any]:
    """The boundary for one band: point, interval and kind (``xs`` ascending; ``boot``:
    resampled shares, levels x samples)."""
    order = healthy_order(direction)
    xs_h, shares, boot_h = xs[order], shares[order], boot[order]  # from the healthy end of the range
    point = float(crossing(xs_h, shares[:, None], band)[0])
    if math.isnan(point):
        return {"point": None, "ci95": None, "kind": NEVER}
    if shares[0] > band:  # too busy already at the healthy end: the point is a bound
        kind = BELOW_RANGE if direction == MORE_IS_WORSE else ABOVE_RANGE
    else:
        kind = TIPS if direction == MORE_IS_WORSE else RECOVERS
    boot = crossing(xs_h, boot_h, band)
    # A resample that is never too busy has its boundary beyond the far end of the range.
    boot = np.sort(np.where(np.isnan(boot), math.inf if direction == MORE_IS_WORSE else -math.inf, boot))
    if integer:  # integer keys stay integers: the first whole level past the boundary
        point, boot = math.ceil(point), np.ceil(boot)
    tail = (1 - level) / 2
    lo = boot[int(math.floor(tail * (len(boot) - 1)))]
    hi = boot[int(math.ceil((1 - tail) * (len(boot) - 1)))]
    return {"point": _number(point, integer), "ci95": [_number(lo, integer), _number(hi, integer)],
            "kind": kind}


def _number(x: float, integer: bool) -> float | int | None:
    if not math.isfinite(x):
        return None
    return int(round(x)) if integer else float(x)


def tipping_point(xs: np.ndarray, busy: np.ndarray | Sequence[np.ndarray], key: str, band: float,
                  at_risk_band: float, level: float = 0.95, rng: np.random.Generator | None = None,
                  integer: bool = False) -> dict[str, Any]:
    """The too-busy boundary of one series of levels.

    ``xs``: the levels of ``key``, ascending; ``busy``: 1.0 where a replication broke a
    target, per level (levels x replications, the same replications at every level; or,
    after an adaptive sweep, one array per level holding its replications 0, 1, ...).
    Returns ``{"point", "ci95", "varied", "direction", "kind", "band", "at_risk",
    "shares"}``: ``point`` is the boundary where it lies inside the range (``kind`` tips
    or recovers), the end of the range tested when the department is too busy at every
    level (a bound, ``kind`` below_range or above_range), and null when it is never too
    busy there (``kind`` never). The interval's ends are null where more than
    ``(1 - level) / 2`` of the resamples never tip. ``at_risk`` holds the same for the
    at-risk band.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    xs = np.asarray(xs, dtype=float)
    ragged = not isinstance(busy, np.ndarray) and len({len(b) for b in busy}) > 1
    busy = [np.asarray(b, dtype=float) for b in busy] if ragged else np.asarray(busy, dtype=float)
    entry: dict[str, Any] = {"point": None, "ci95": None, "varied": key}
    if xs.size == 0 or min(len(b) for b in busy) == 0:
        return entry | {"direction": declared_direction(key) or MORE_IS_WORSE, "kind": NEVER, "band": band,
                        "at_risk": {"point": None, "ci95": None, "kind": NEVER, "band": at_risk_band},
                        "shares": []}
    shares = np.array([b.mean() for b in busy]) if ragged else busy.mean(axis=1)
    direction = declared_direction(key) or detected_direction(xs, shares)
    boot = resampled_shares(busy, rng)
    main = _boundary(xs, shares, boot, band, direction, level, integer)
    risk = _boundary(xs, shares, boot, at_risk_band, direction, level, integer)
    entry.update(point=main["point"], ci95=main["ci95"])
    entry.update(direction=direction, kind=main["kind"], band=band, at_risk=risk | {"band": at_risk_band},
                 shares=[[_number(x, integer), float(s)] for x, s in zip(xs, shares, strict=True)])
    return entry
