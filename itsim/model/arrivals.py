"""When the next request arrives: Poisson arrivals whose intensity may follow the
work calendar, an hour-of-week profile, scenario phases and feedback loops.

Intensity is piecewise constant on wall-clock hours. ``next_after(t, e)`` turns a
unit exponential ``e`` into the next arrival time by inverting the cumulative
intensity, so the same random numbers give the same arrivals whatever the
policy (common random numbers), and a constant-rate source costs one division.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any

from itsim.model.calendar import SHIFT_END, SHIFT_START, WORKDAYS, AlwaysOn, BusinessHours


class PhaseScale:
    """Product of the multipliers of the phases active at a time (hours)."""

    def __init__(self, windows: Sequence[tuple[float, float, float]]):
        points = sorted({p for s, e, _ in windows for p in (s, e)})
        self.points = points
        self.values = []
        for i in range(len(points) + 1):
            probe = points[i - 1] if i else (points[0] - 1.0 if points else 0.0)
            value = 1.0
            for s, e, f in windows:
                if s <= probe < e:
                    value *= f
            self.values.append(value)

    def __call__(self, t: float) -> float:
        return self.values[bisect.bisect_right(self.points, t)]

    def next_change(self, t: float) -> float:
        i = bisect.bisect_right(self.points, t)
        return self.points[i] if i < len(self.points) else math.inf

    @property
    def constant(self) -> bool:
        return not self.points


class ArrivalClock:
    """Next-arrival times for one source.

    ``rate`` is arrivals per working hour of ``calendar`` when no ``profile`` is given,
    else per wall hour on average over a week; ``profile`` holds 168 relative weights
    (Monday 00:00 first) with mean 1. ``feedback`` is any object whose ``multiplier``
    attribute (a float, kept up to date by its owner) multiplies the rate at each arrival.
    """

    def __init__(
        self,
        rate: float,
        calendar: AlwaysOn | BusinessHours,
        profile: Sequence[float] | None = None,
        phases: PhaseScale | None = None,
        feedback: Any = None,
    ):
        self.rate = rate
        self.calendar = calendar
        self.profile = list(profile) if profile is not None else None
        self.phases = phases if phases is not None and not phases.constant else None
        self.feedback = feedback
        #: Days on which nothing arrives: the calendar's holidays, when arrivals follow the
        #: calendar (a profile says itself when users report, holidays or not).
        self.closed: frozenset[int] = frozenset()
        if self.profile is None and isinstance(calendar, BusinessHours):
            self.profile = [
                1.0 if h // 24 < WORKDAYS and SHIFT_START <= h % 24 < SHIFT_END else 0.0 for h in range(168)
            ]
            self.closed = calendar.holiday_set
        if self.profile is None and self.phases is None and feedback is None:
            self.next_after = self._constant
        elif self.phases is None and profile is None:
            business = isinstance(calendar, BusinessHours)
            self.next_after = self._on_business_hours if business else self._on_calendar

    def _constant(self, t: float, e: float) -> float:
        return t + e / self.rate if self.rate > 0 else math.inf

    def _on_calendar(self, t: float, e: float) -> float:
        """Constant intensity per working hour (times the feedback): working hours to go
        are ``e / rate``, converted back to wall-clock time by the calendar."""
        rate = self.rate if self.feedback is None else self.rate * self.feedback.multiplier
        if rate <= 0:
            return math.inf
        return self.calendar.advance(t, e / rate)

    def _on_business_hours(self, t: float, e: float) -> float:
        """:meth:`_on_calendar` with the short path of :meth:`BusinessHours.advance` taken
        here: an arrival within the shift of the last one costs no call."""
        rate = self.rate if self.feedback is None else self.rate * self.feedback.multiplier
        if rate <= 0:
            return math.inf
        hours = e / rate
        cal = self.calendar
        if cal.shift_lo <= t and t + hours <= cal.shift_hi:
            return t + hours
        return cal.advance(t, hours)

    def next_after(self, t: float, e: float) -> float:
        """The next arrival after ``t`` given a unit-mean exponential ``e``."""
        base = self.rate * (self.feedback.multiplier if self.feedback is not None else 1.0)
        if base <= 0:
            return math.inf
        need = e
        profile = self.profile
        phases = self.phases
        closed = self.closed
        for _ in range(24 * 7 * 520):
            end = math.floor(t) + 1.0
            lam = base
            if profile is not None:
                lam *= profile[int(t) % 168]
                if closed and lam > 0 and int(t // 24.0) in closed:
                    lam = 0.0
            if phases is not None:
                lam *= phases(t)
                end = min(end, phases.next_change(t))
            if lam > 0:
                span = end - t
                if lam * span >= need:
                    return t + need / lam
                need -= lam * span
            t = end
        return math.inf
