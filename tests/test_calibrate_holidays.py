"""Public holidays found in an export: weekdays on which nobody worked a ticket."""

import numpy as np
import pandas as pd

from itsim.calibrate.holidays import MIN_EVENTS, find_holidays
from itsim.calibrate.tickets import Period

ORIGIN = pd.Timestamp("2024-01-01")  # a Monday


def period(days: int, start_day: int = 0) -> Period:
    return Period(ORIGIN + pd.Timedelta(days=start_day), ORIGIN + pd.Timedelta(days=start_day + days), ORIGIN)


def work_times(per_weekday: dict[int, int], weeks: int, seed: int = 1, default: int = 40) -> np.ndarray:
    """Times (hours since the origin) of work events: ``default`` on each weekday in working
    hours, or the count ``per_weekday`` gives for that day."""
    rng = np.random.default_rng(seed)
    days = [d for d in range(7 * weeks) if d % 7 < 5]
    return np.concatenate([d * 24 + rng.uniform(9, 17, per_weekday.get(d, default)) for d in days])


def test_a_weekday_without_work_is_a_holiday_and_weekends_are_not():
    times = work_times({9: 0, 24: 2}, weeks=6)  # a Wednesday with none, a Friday with almost none
    assert find_holidays(times, period(42)) == [9, 24]


def test_a_quiet_day_is_not_a_holiday():
    times = work_times({9: 20}, weeks=6)  # half the usual: a quiet day, not a day off
    assert find_holidays(times, period(42)) == []


def test_a_department_too_quiet_to_tell_gets_none():
    times = work_times({9: 0}, weeks=6, default=MIN_EVENTS - 5)
    assert find_holidays(times, period(42)) == []


def test_days_before_work_picks_up_and_after_it_winds_down_are_not_judged():
    # An export that starts with the period has little to resolve on its first days.
    times = work_times({0: 0, 1: 3, 14: 0, 38: 1, 39: 0}, weeks=6)
    assert find_holidays(times, period(42)) == [14]


def test_only_days_of_the_period_are_judged():
    times = work_times({2: 0, 16: 0}, weeks=6)
    assert find_holidays(times, period(28, start_day=7)) == [16]
