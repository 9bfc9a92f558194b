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

    def next_change(self, t: float) -> tuple[float, bool] | None:
        """The next shift start or end strictly after ``t`` as (time, starts); None if never."""
        return None


class BusinessHours:
    """Monday to Friday, 09:00 to 17:00."""

    name = "business"
    hours_per_week = WORKDAYS * SHIFT_HOURS
    hours_per_day = SHIFT_HOURS

    def __init__(self) -> None:
        self._last_t = -1.0
        self._last_work = 0.0

    def on_shift(self, t: float) -> bool:
        day = int(t // 24.0)
        h = t - day * 24.0
        return day % 7 < WORKDAYS and SHIFT_START <= h < SHIFT_END

    def clock(self, t: float) -> float:
        if t == self._last_t:  # the same instant is converted several times per event
            return self._last_work
        day = int(t // 24.0)
        week, dow = divmod(day, 7)
        if dow >= WORKDAYS:
            return week * self.hours_per_week + WORKDAYS * SHIFT_HOURS
        h = t - day * 24.0
        within = 0.0 if h <= SHIFT_START else (SHIFT_HOURS if h >= SHIFT_END else h - SHIFT_START)
        work = week * self.hours_per_week + dow * SHIFT_HOURS + within
        self._last_t = t
        self._last_work = work
        return work

    def clock_array(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        week, r = np.divmod(t, HOURS_PER_WEEK)
        day, h = np.divmod(r, 24.0)
        within = np.where(day >= WORKDAYS, SHIFT_HOURS, np.clip(h - SHIFT_START, 0.0, SHIFT_HOURS))
        return week * self.hours_per_week + np.minimum(day, WORKDAYS - 1) * SHIFT_HOURS + within

    def time_at(self, work: float) -> float:
        if work <= 0:
            return 0.0
        k = math.ceil(work / SHIFT_HOURS) - 1  # index of the working day that reaches it
        within = work - k * SHIFT_HOURS
        week, dow = divmod(k, WORKDAYS)
        return week * HOURS_PER_WEEK + dow * 24.0 + SHIFT_START + within

    def advance(self, t: float, hours: float) -> float:
        if hours <= 0:
            return t
        return max(t, self.time_at(self.clock(t) + hours))

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
