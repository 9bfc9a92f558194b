"""Replication statistics: means with Student-t 95% confidence intervals, and paired differences."""

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
