"""Replication statistics: means with Student-t 95% confidence intervals, and paired differences."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t interval over replications (NaNs dropped).

    With one finite value the interval is that value on both sides (no spread known).
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if n == 1:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return m, m - half, m + half


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
