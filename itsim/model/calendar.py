"""Work calendars: when people are on shift, in hours since the start of the run.

Time 0 is Monday 00:00. ``business`` is Monday to Friday, 09:00 to 17:00 (a shift
is the half-open interval [09:00, 17:00)), less public holidays; ``24x7`` is
always on. ``clock`` and ``advance`` convert between wall hours and on-shift
hours, which is how work pauses off shift and resumes at the next shift.

Public holidays are whole weekdays off, spread evenly over each year (there is
no date in the model to pin them to): ``holidays_per_year`` of them in every
365.25 days, each moved to the next free weekday when it would fall on a weekend.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

HOURS_PER_WEEK = 168.0
SHIFT_START = 9.0
SHIFT_HOURS = 8.0
SHIFT_END = SHIFT_START + SHIFT_HOURS
WORKDAYS = 5
DAYS_PER_YEAR = 365.25


def holiday_days(per_year: int, days: float) -> list[int]:
    """Day numbers (days since time 0, a Monday) of ``per_year`` public holidays a year,
    spread evenly and each on a weekday, over the first ``days`` days."""
    if per_year <= 0:
        return []
    found: list[int] = []
    taken: set[int] = set()
    year = 0
    while year * DAYS_PER_YEAR < days:
        for j in range(per_year):
            d = math.floor(DAYS_PER_YEAR * (year + (j + 0.5) / per_year))
            while d % 7 >= WORKDAYS or d in taken:
                d += 1
            taken.add(d)
            found.append(d)
        year += 1
    return sorted(d for d in found if d < days)


class AlwaysOn:
    """24x7: every hour is a working hour."""

    name = "24x7"
    hours_per_week = HOURS_PER_WEEK
    hours_per_day = 24.0
    holidays: tuple[int, ...] = ()

    def is_holiday(self, day: int) -> bool:
        return False

    def is_working_day(self, day: int) -> bool:
        return True

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
    """Monday to Friday, 09:00 to 17:00, less the public holidays in ``holidays`` (day
    numbers, all weekdays).

    ``clock`` records the bounds of the last shift it met (``shift_lo`` and ``shift_hi``,
    wall hours), and ``time_at`` the last working day it met: ``advance`` and ``time_at``
    take a short path while the next conversion falls in the same shift, with the same
    floating-point operations as the full one.
    """

    name = "business"
    hours_per_day = SHIFT_HOURS

    def __init__(self, holidays: list[int] | tuple[int, ...] = (), per_year: float = 0.0) -> None:
        self.holidays = tuple(sorted(holidays))
        self.holiday_set = frozenset(self.holidays)
        # The same days as indices among weekdays only (Monday of week 0 is 0, Friday 4, ...).
        self._holiday_weekdays = [d // 7 * WORKDAYS + d % 7 for d in self.holidays]
        #: Average working hours per week over a year, holidays included.
        self.hours_per_week = WORKDAYS * SHIFT_HOURS * (1.0 - per_year / (DAYS_PER_YEAR / 7 * WORKDAYS))
        # Wall-clock shift [lo, hi] of the last clock(): day start (d24) and on-shift hours before it (base).
        self.shift_lo = self.shift_hi = self._d24 = self._base = -1.0
        # Working hours (k8, k8 + 8] of the last time_at(): the shift's start time.
        self._k8 = self._start = -math.inf

    def is_holiday(self, day: int) -> bool:
        return day in self.holiday_set

    def is_working_day(self, day: int) -> bool:
        return day % 7 < WORKDAYS and day not in self.holiday_set

    def on_shift(self, t: float) -> bool:
        day = int(t // 24.0)
        h = t - day * 24.0
        return day % 7 < WORKDAYS and SHIFT_START <= h < SHIFT_END and day not in self.holiday_set

    def _holidays_before(self, day: int) -> int:
        return bisect.bisect_left(self.holidays, day) if self.holidays else 0

    def clock(self, t: float) -> float:
        day = int(t // 24.0)
        week, dow = divmod(day, 7)
        off = SHIFT_HOURS * self._holidays_before(day)
        if dow >= WORKDAYS:
            return week * WORKDAYS * SHIFT_HOURS + WORKDAYS * SHIFT_HOURS - off
        d24 = day * 24.0
        h = t - d24
        base = week * WORKDAYS * SHIFT_HOURS + dow * SHIFT_HOURS - off
        if day in self.holiday_set:
            return base
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
        if self.holidays:
            holidays = np.asarray(self.holidays, dtype=float)
            before = np.searchsorted(holidays, day, side="left")
            on_holiday = np.isin(day, holidays)
            within = np.where(on_holiday, 0.0, within) - SHIFT_HOURS * before
        return week * WORKDAYS * SHIFT_HOURS + np.minimum(dow, WORKDAYS - 1) * SHIFT_HOURS + within

    def _working_day_start(self, k: int) -> float:
        """Wall time at which working day number ``k`` (0 the first) starts its shift."""
        j = k  # its index among weekdays: k plus the holidays up to it (the least fixed point)
        marks = self._holiday_weekdays
        if marks:
            while True:
                nxt = k + bisect.bisect_right(marks, j)
                if nxt == j:
                    break
                j = nxt
        week, dow = divmod(j, WORKDAYS)
        return week * HOURS_PER_WEEK + dow * 24.0 + SHIFT_START

    def time_at(self, work: float) -> float:
        k8 = self._k8
        if k8 < work <= k8 + SHIFT_HOURS:
            return self._start + (work - k8)
        if work <= 0:
            return 0.0
        k = math.ceil(work / SHIFT_HOURS) - 1  # index of the working day that reaches it
        k8 = k * SHIFT_HOURS
        start = self._working_day_start(k)
        self._k8, self._start = k8, start
        return start + (work - k8)

    def opening(self, work: float) -> float:
        k = math.floor(work / SHIFT_HOURS)  # index of the working day it falls in
        start = self._working_day_start(k)
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
            if day % 7 < WORKDAYS and day not in self.holiday_set:
                start = day * 24.0 + SHIFT_START
                end = start + SHIFT_HOURS
                if start > t:
                    return start, True
                if end > t:
                    return end, False
            day += 1


class OffHours:
    """Everything outside a business calendar's shifts (evenings, nights, weekends and
    public holidays): when people on call answer. Its clock counts the hours outside
    business hours; a shift runs from one business day's end to the next one's start."""

    name = "off_hours"
    hours_per_day = 24.0
    holidays: tuple[int, ...] = ()

    def __init__(self, business: BusinessHours):
        self.business = business
        self.hours_per_week = HOURS_PER_WEEK - business.hours_per_week

    def is_holiday(self, day: int) -> bool:
        return False

    def is_working_day(self, day: int) -> bool:
        return True

    def on_shift(self, t: float) -> bool:
        return not self.business.on_shift(t)

    def clock(self, t: float) -> float:
        return t - self.business.clock(t)

    def time_at(self, work: float) -> float:
        """Off-hours are constant through a business shift and grow with the wall clock
        between shifts: before working day ``k`` starts, ``t - 8 k`` of them have passed.
        So ``work`` is reached at ``work + 8 k`` for the first ``k`` whose start has at
        least ``work`` off-hours before it (found by bisection)."""
        if work <= 0:
            return 0.0
        start = self.business._working_day_start

        def enough(k: int) -> bool:
            return start(k) - SHIFT_HOURS * k >= work

        lo, hi = 0, 1
        while not enough(hi):
            lo, hi = hi, 2 * hi
        while lo < hi:
            mid = (lo + hi) // 2
            if enough(mid):
                hi = mid
            else:
                lo = mid + 1
        return work + SHIFT_HOURS * lo

    def advance(self, t: float, hours: float) -> float:
        if hours <= 0:
            return t
        return max(t, self.time_at(self.clock(t) + hours))

    def next_change(self, t: float) -> tuple[float, bool] | None:
        at, business_starts = self.business.next_change(t)
        return at, not business_starts


def calendar(name: str, holidays_per_year: int = 0, days: float = 0.0) -> AlwaysOn | BusinessHours:
    """The calendar called ``name`` ("24x7" or "business"); a business calendar has
    ``holidays_per_year`` public holidays a year, placed over the first ``days`` days."""
    if name == "24x7":
        return AlwaysOn()
    return BusinessHours(holiday_days(holidays_per_year, days), holidays_per_year)
