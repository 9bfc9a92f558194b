"""Growth and seasonality of arrivals, from tickets per calendar month.

Months wholly inside the period are fitted by a Poisson regression (log link)
of their ticket count on the month's index, with each month's exposure the sum
of its days' day-of-week factors (a month with five Mondays expects more
tickets when Mondays are busy). Month-to-month noise beyond Poisson is allowed
for (quasi-Poisson: the standard error is scaled by the Pearson dispersion when
it exceeds 1). A trend needs :data:`MIN_MONTHS_TREND` whole months; seasonality
(a factor per month of the year, tested against the trend alone by a
likelihood-ratio test at 1%) needs :data:`MIN_MONTHS_SEASON`.

When either is significant, the scenario gets one ``[[phase]]`` per calendar
month of the period whose ``incident_rate_scale`` is that month's fitted level
relative to the period's mean rate, so that simulating the period reproduces
the growth; for a forecast, extend or replace those phases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from itsim.calibrate.tickets import Period

MIN_MONTHS_TREND = 3
MIN_MONTHS_SEASON = 24
SEASON_LEVEL = 0.01
PHASE_PREFIX = "calibrated "


@dataclass(frozen=True)
class TrendFit:
    """``months``: ``month`` (first day), ``tickets``, ``exposure`` (weighted days in the
    period), ``whole`` (the month lies inside the period), ``fitted`` (tickets expected from
    the trend and seasons); ``growth_per_month`` with its 95% interval (None when not
    estimable), ``seasonal`` factors by month of the year (None unless significant) and the
    ``[[phase]]`` tables to write (empty when neither is significant)."""

    months: pd.DataFrame
    growth_per_month: float | None = None
    growth_ci: tuple[float, float] | None = None
    significant: bool = False
    seasonal: list[float] | None = None
    season_p: float | None = None
    dispersion: float = 1.0
    note: str = ""
    phases: list[dict] = field(default_factory=list)


def fit_trend(opened_hours: np.ndarray, period: Period, day_of_week: list[float]) -> TrendFit:
    """Fit growth (and seasons, when the span allows) to arrivals in ``period``."""
    months = _months(opened_hours, period, np.asarray(day_of_week, dtype=float))
    whole = months[months["whole"]]
    m = len(whole)
    if m < MIN_MONTHS_TREND:
        return TrendFit(months.assign(fitted=np.nan),
                        note=f"{m} whole months in the period: a trend needs {MIN_MONTHS_TREND} or more")
    n = whole["tickets"].to_numpy(float)
    exposure = whole["exposure"].to_numpy(float)
    index = whole["index"].to_numpy(float)
    trend_x = np.column_stack([np.ones(m), index])
    beta, cov, dev, phi = _poisson(trend_x, n, exposure)
    se = math.sqrt(cov[1, 1])
    growth = math.expm1(beta[1])
    ci = (math.expm1(beta[1] - 1.96 * se), math.expm1(beta[1] + 1.96 * se))
    significant = ci[0] > 0 or ci[1] < 0
    seasonal, season_p, note = None, None, ""
    if m >= MIN_MONTHS_SEASON:
        moy = whole["month"].dt.month.to_numpy() - 1
        dummies = (moy[:, None] == np.arange(1, 12)[None, :]).astype(float)
        b2, _, dev2, phi2 = _poisson(np.column_stack([trend_x, dummies]), n, exposure)
        season_p = float(stats.chi2.sf(max(dev - dev2, 0.0) / phi2, 11))
        if season_p < SEASON_LEVEL:
            factors = np.exp(np.r_[0.0, b2[2:]])
            seasonal = [float(f"{f:.3g}") for f in factors / factors.mean()]
            # the same fit, with the seasonal factors scaled to mean 1 and the intercept taking up the scale
            beta = b2[:2] + np.array([math.log(factors.mean()), 0.0])
    else:
        note = f"seasonality needs {MIN_MONTHS_SEASON} whole months; the period has {m}"
    level = beta[0] + beta[1] * months["index"].to_numpy(float)
    if seasonal is not None:
        level = level + np.log(np.asarray(seasonal)[months["month"].dt.month.to_numpy() - 1])
    months = months.assign(fitted=np.exp(level) * months["exposure"].to_numpy(float))
    phases = _phases(months, np.exp(level), period, opened_hours) if significant or seasonal else []
    return TrendFit(months, growth, ci, significant, seasonal, season_p, phi, note, phases)


def _months(h: np.ndarray, period: Period, day_weights: np.ndarray) -> pd.DataFrame:
    """Tickets and weighted exposure per calendar month that overlaps the period."""
    days = pd.date_range(period.start, period.end - pd.Timedelta(days=1), freq="D")
    weights = day_weights[days.day_of_week] if day_weights.mean() > 0 else np.ones(len(days))
    first = days.to_period("M")
    exposure = pd.Series(weights, index=first).groupby(level=0).sum()
    size = pd.Series(1, index=first).groupby(level=0).sum()
    opened = period.origin + pd.to_timedelta(np.asarray(h, dtype=float), unit="h")
    tickets = pd.Series(1, index=opened.to_period("M")).groupby(level=0).sum().reindex(exposure.index, fill_value=0)
    months = exposure.index
    return pd.DataFrame({
        "month": months.to_timestamp(),
        "index": np.arange(len(months)),
        "tickets": tickets.to_numpy(),
        "exposure": exposure.to_numpy(),
        "whole": size.to_numpy() == months.days_in_month,
    })


def _poisson(x: np.ndarray, n: np.ndarray, exposure: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Poisson regression with offset log(exposure) by iteratively reweighted least squares:
    ``(coefficients, covariance scaled by the dispersion, deviance, dispersion)``."""
    offset = np.log(exposure)
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(max(n.sum(), 0.5) / exposure.sum())
    for _ in range(100):
        mu = np.exp(x @ beta + offset)
        info = x.T @ (mu[:, None] * x)
        step = np.linalg.lstsq(info, x.T @ (n - mu), rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = np.exp(x @ beta + offset)
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = 2 * float(np.sum(np.where(n > 0, n * np.log(n / mu), 0.0) - (n - mu)))
    free = len(n) - x.shape[1]
    phi = max(1.0, float(np.sum((n - mu) ** 2 / mu)) / free) if free > 0 else 1.0
    cov = np.linalg.pinv(x.T @ (mu[:, None] * x)) * phi
    return beta, cov, dev, phi


def _phases(months: pd.DataFrame, level: np.ndarray, period: Period, h: np.ndarray) -> list[dict]:
    """One ``[[phase]]`` per month: its fitted level relative to the period's mean level."""
    mean_level = len(h) / months["exposure"].sum()
    out = []
    for (_, row), lvl in zip(months.iterrows(), level, strict=True):
        start = max(row["month"], period.start)
        end = min(row["month"] + pd.offsets.MonthBegin(1), period.end)
        out.append({
            "name": f"{PHASE_PREFIX}{row['month']:%Y-%m}",
            "start_day": (start - period.origin) / pd.Timedelta(days=1),
            "end_day": (end - period.origin) / pd.Timedelta(days=1),
            "incident_rate_scale": round(float(lvl / mean_level), 3),
        })
    return out
