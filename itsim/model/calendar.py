"""Work calendars: when people are on shift, in hours since the start of the run.

Time 0 is Monday 00:00. ``business`` is Monday to Friday, 09:00 to 17:00 (a shift
is the half-open interval [09:00, 17:00)); ``24x7`` is always on. ``worked`` and
``advance`` convert between wall hours and on-shift hours, which is how work
pauses off shift and resumes at the next shift.
"""

from __future__ import annotations

import math

import numpy as np

HOURS_PER_WEEK = 168.0
SHIFT_START = 9.0
SHIFT_HOURS = 8.0
SHIFT_END = SHIFT_START + SHIFT_HOURS
WORKDAYS = 5


class AlwaysOn:
    """24x7: every hour is a working hour."""

    name = "24x7"
    hours_per_week = HOURS_PER_WEEK
    hours_per_day = 24.0

    def on_shift(self, t: float) -> bool:
        return True

    def clock(self, t: float) -> float:
        """On-shift hours elapsed from time 0 to ``t``."""
        return t

    def clock_array(self, t: np.ndarray) -> np.ndarray:
        return np.asarray(t, dtype=float)

    def time_at(self, work: float) -> float:
        """Earliest wall time at which ``work`` on-shift hours have elapsed since 0."""
        return work

    def advance(self, t: float, hours: float) -> float:
        return t + hours

    def opening(self, work: float) -> float:
        """Wall time at which on-shift hour ``work`` (counted from 0) begins."""
        return work

    def next_change(self, t: float) -> tuple[float, bool] | None:
        """The next shift start or end strictly after ``t`` as (time, starts); None if never."""
        return None


class BusinessHours:
    """Monday to Friday, 09:00 to 17:00.

    ``clock`` records the bounds of the last shift it met (``shift_lo`` and ``shift_hi``,
    wall hours), and ``time_at`` the last working day it met: ``advance`` and ``time_at``
    take a short path while the next conversion falls in the same shift, with the same
    floating-point operations as the full one.
    """

    name = "business"
    hours_per_week = WORKDAYS * SHIFT_HOURS
    hours_per_day = SHIFT_HOURS

    def __init__(self) -> None:
        # Wall-clock shift [lo, hi] of the last clock(): day start (d24) and on-shift hours before it (base).
        self.shift_lo = self.shift_hi = self._d24 = self._base = -1.0
        # Working hours (k8, k8 + 8] of the last time_at(): the shift's start time.
        self._k8 = self._start = -math.inf

    def on_shift(self, t: float) -> bool:
        day = int(t // 24.0)
        h = t - day * 24.0
        return day % 7 < WORKDAYS and SHIFT_START <= h < SHIFT_END

    def clock(self, t: float) -> float:
        day = int(t // 24.0)
        week, dow = divmod(day, 7)
        if dow >= WORKDAYS:
            return week * self.hours_per_week + WORKDAYS * SHIFT_HOURS
        d24 = day * 24.0
        h = t - d24
        base = week * self.hours_per_week + dow * SHIFT_HOURS
        if SHIFT_START < h < SHIFT_END:
            self.shift_lo, self.shift_hi, self._d24, self._base = d24 + SHIFT_START, d24 + SHIFT_END, d24, base
            return base + (h - SHIFT_START)
        return base + (0.0 if h <= SHIFT_START else SHIFT_HOURS)

    def clock_array(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        day = np.floor(t / 24.0)  # floor and subtract: several times faster than np.divmod
        h = t - day * 24.0
        week = np.floor(day / 7.0)
        dow = day - week * 7.0
        within = np.where(dow >= WORKDAYS, SHIFT_HOURS, np.clip(h - SHIFT_START, 0.0, SHIFT_HOURS))
        return week * self.hours_per_week + np.minimum(dow, WORKDAYS - 1) * SHIFT_HOURS + within

    def time_at(self, work: float) -> float:
        k8 = self._k8
        if k8 < work <= k8 + SHIFT_HOURS:
            return self._start + (work - k8)
        if work <= 0:
            return 0.0
        k = math.ceil(work / SHIFT_HOURS) - 1  # index of the working day that reaches it
        k8 = k * SHIFT_HOURS
        week, dow = divmod(k, WORKDAYS)
        start = week * HOURS_PER_WEEK + dow * 24.0 + SHIFT_START
        self._k8, self._start = k8, start
        return start + (work - k8)

    def opening(self, work: float) -> float:
        k = math.floor(work / SHIFT_HOURS)  # index of the working day it falls in
        week, dow = divmod(k, WORKDAYS)
        start = week * HOURS_PER_WEEK + dow * 24.0 + SHIFT_START
        t = start + (work - k * SHIFT_HOURS)
        # Rounded onto the end of the shift: the hour begins the next working day.
        return t if t < start + SHIFT_HOURS else self.opening((k + 1) * SHIFT_HOURS)

    def advance(self, t: float, hours: float) -> float:
        if hours <= 0:
            return t
        if self.shift_lo <= t and t + hours <= self.shift_hi:  # within the shift wall and on-shift hours run together
            return t + hours
        if self.shift_lo <= t <= self.shift_hi:
            work = self._base + ((t - self._d24) - SHIFT_START) + hours
        else:
            work = self.clock(t) + hours
        k8 = self._k8
        end = self._start + (work - k8) if k8 < work <= k8 + SHIFT_HOURS else self.time_at(work)
        return end if end > t else t

    def next_change(self, t: float) -> tuple[float, bool] | None:
        day = math.floor(t / 24.0)
        while True:
            if day % 7 < WORKDAYS:
                start = day * 24.0 + SHIFT_START
                end = start + SHIFT_HOURS
                if start > t:
                    return start, True
                if end > t:
                    return end, False
            day += 1


def calendar(name: str) -> AlwaysOn | BusinessHours:
    """The calendar called ``name`` ("24x7" or "business")."""
    return AlwaysOn() if name == "24x7" else BusinessHours()
