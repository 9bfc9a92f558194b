"""How many tickets arrive, and when in the week: the rate and the arrival profile.

The rate is tickets per week over the period (an exact Poisson interval),
written per working day of the scenario calendar as itsim reads it (a week
brings ``rate_per_day`` x 5 tickets under ``business``, x 7 under ``24x7``).

The profile is the maximum-likelihood fit of a Poisson intensity that is a
product of a day-of-week factor and an hour-of-day factor (the form of
``arrival_profile``) to the counts in the 168 hours of the week, each hour's
count weighed by how often that hour occurs in the period. The fit is solved by
iterative proportional fitting; its deviance against the 168 observed hours
says how well a day x hour product describes the week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from itsim.calibrate.tickets import Period

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ArrivalFit:
    """Arrival rate and profile over a period, with their evidence.

    ``by_hour_of_week``: ``slot`` (0 = Monday 00:00), ``observed`` and ``fitted`` tickets in that
    hour of an average week. ``weekly``: ``week`` (Monday), ``days`` (of it in the period),
    ``tickets``.
    """

    tickets: int
    days: float
    per_week: float
    per_week_ci: tuple[float, float]
    workdays_per_week: float
    hour_of_day: list[float]
    day_of_week: list[float]
    hour_counts: np.ndarray
    day_counts: np.ndarray
    by_hour_of_week: pd.DataFrame
    deviance: float
    df: int
    weekly: pd.DataFrame

    @property
    def per_day(self) -> float:
        """Tickets per working day of the calendar (what ``rate_per_day`` means)."""
        return self.per_week / self.workdays_per_week

    @property
    def per_day_ci(self) -> tuple[float, float]:
        return (self.per_week_ci[0] / self.workdays_per_week, self.per_week_ci[1] / self.workdays_per_week)

    @property
    def deviance_per_df(self) -> float:
        return self.deviance / self.df if self.df else math.nan

    @property
    def full_weeks(self) -> pd.DataFrame:
        return self.weekly[self.weekly["days"] == 7]


def poisson_interval(count: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count."""
    a = (1 - level) / 2
    lo = stats.chi2.ppf(a, 2 * count) / 2 if count > 0 else 0.0
    return float(lo), float(stats.chi2.ppf(1 - a, 2 * count + 2) / 2)


def fit_arrivals(opened_hours: np.ndarray, period: Period, workdays_per_week: float) -> ArrivalFit:
    """Fit the rate and profile to arrival times (hours since ``period.origin``, all in the period)."""
    h = np.asarray(opened_hours, dtype=float)
    n = len(h)
    counts = np.bincount(np.floor(h).astype(np.int64) % 168, minlength=168).astype(float)
    hours = np.arange(int(period.start_hour), int(period.end_hour))
    exposure = np.bincount(hours % 168, minlength=168).astype(float)
    day, hour = _separable(counts.reshape(7, 24), exposure.reshape(7, 24))
    fitted = np.outer(day, hour).ravel()
    expected = fitted * exposure
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(counts > 0, counts * np.log(counts / expected), 0.0) - (counts - expected)
    seen = exposure > 0
    per_week = n * 7 / period.days
    lo, hi = poisson_interval(n)
    by_slot = pd.DataFrame({
        "slot": np.arange(168),
        "observed": np.divide(counts, exposure, out=np.zeros(168), where=seen),
        "fitted": fitted,
    })
    return ArrivalFit(
        tickets=n, days=period.days, per_week=per_week,
        per_week_ci=(lo * 7 / period.days, hi * 7 / period.days),
        workdays_per_week=workdays_per_week,
        hour_of_day=_weights(hour), day_of_week=_weights(day),
        hour_counts=counts.reshape(7, 24).sum(axis=0), day_counts=counts.reshape(7, 24).sum(axis=1),
        by_hour_of_week=by_slot, deviance=float(2 * terms[seen].sum()),
        df=int(seen.sum()) - (7 + 24 - 1), weekly=_weekly(h, period),
    )


def _separable(counts: np.ndarray, exposure: np.ndarray, rounds: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Day (7) and hour (24) factors maximising the Poisson likelihood of ``counts`` (7 x 24)
    with intensity day x hour per unit of ``exposure``: iterative proportional fitting."""
    day, hour = np.ones(7), np.ones(24)
    by_day, by_hour = counts.sum(axis=1), counts.sum(axis=0)
    for _ in range(rounds):
        before = np.outer(day, hour)
        day = np.divide(by_day, exposure @ hour, out=np.zeros(7), where=(exposure @ hour) > 0)
        hour = np.divide(by_hour, day @ exposure, out=np.zeros(24), where=(day @ exposure) > 0)
        if np.allclose(np.outer(day, hour), before, rtol=1e-10, atol=1e-12):
            break
    return day, hour


def _weights(factors: np.ndarray) -> list[float]:
    """Factors scaled to mean 1, four significant digits."""
    mean = factors.mean()
    return [float(f"{w:.4g}") for w in (factors / mean if mean > 0 else np.ones_like(factors))]


def _weekly(h: np.ndarray, period: Period) -> pd.DataFrame:
    """Tickets per week (weeks from ``period.origin``) and how many days of each are in the period."""
    weeks = int(math.ceil(period.end_hour / 168))
    tickets = np.bincount(np.floor(h / 168).astype(np.int64), minlength=weeks)[:weeks]
    starts = np.arange(weeks) * 168.0
    days = (np.minimum(starts + 168, period.end_hour) - np.maximum(starts, period.start_hour)) / 24
    return pd.DataFrame({
        "week": [period.origin + pd.Timedelta(weeks=int(w)) for w in range(weeks)],
        "days": days.clip(0), "tickets": tickets,
    })
