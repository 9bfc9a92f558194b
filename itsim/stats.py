"""Replication statistics: means with Student-t 95% confidence intervals, paired differences,
and Wilson intervals for shares of replications."""

from __future__ import annotations

import math

import numpy as np


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t interval over replications (NaNs dropped).

    With one value the interval is undefined (NaN, NaN); with none all three are NaN.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if n == 1:
        return m, math.nan, math.nan
    half = float(t_quantile(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return m, m - half, m + half


def t_quantile(p: float, dof: float) -> float:
    """The ``p`` quantile of Student's t with ``dof`` degrees of freedom.

    The very function ``scipy.stats.t.ppf`` calls, imported from ``scipy.special`` on first
    use: ``scipy.stats`` takes about half a second to import, a third of the command
    line's start-up, and worker processes never need it.
    """
    from scipy.special import stdtrit

    return stdtrit(dof, p)


def normal_quantile(p: float) -> float:
    """The ``p`` quantile of the standard normal: ``scipy.special.ndtri``, the very function
    ``scipy.stats.norm.ppf`` calls, imported on first use (see :func:`t_quantile`)."""
    from scipy.special import ndtri

    return ndtri(p)


def summarise(runs) -> dict[str, dict[str, object]]:
    """``{metric: {"mean": x, "ci95": [lo, hi]}}`` from a long table (replication, metric, value)."""
    out: dict[str, dict[str, object]] = {}
    for metric, group in runs.groupby("metric", sort=True):
        m, lo, hi = mean_ci(group["value"].to_numpy())
        out[str(metric)] = {"mean": _clean(m), "ci95": [_clean(lo), _clean(hi)]}
    return out


def paired_difference(a, b, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``b - a`` paired by replication, with its Student-t interval."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return mean_ci(b - a, level)


def _clean(x: float) -> float | None:
    """JSON has no NaN: undefined values become null."""
    return None if x is None or not math.isfinite(x) else float(x)


def welch_ci(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Difference of means b − a with Welch's t interval (independent samples)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return math.nan, math.nan, math.nan
    diff = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return diff, math.nan, math.nan
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = t_quantile(0.5 + level / 2, dof) * se
    return diff, diff - half, diff + half


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a share ``successes / n`` (e.g. of replications that were
    too busy). Unlike the normal approximation it stays inside [0, 1] and is not empty
    at 0 or n: 0 of 10 gives (0, 0.28). With ``n == 0`` the share is unknown: (0, 1).
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    z = float(normal_quantile(0.5 + level / 2))
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    # Exact ends where the share is 0 or 1 (the formula gives them up to rounding).
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return lo, hi
