"""Work calendars: the cached conversions agree with the definitions, in any order of use."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsim.model.calendar import AlwaysOn, BusinessHours, OffHours, holiday_days

HOURS = st.floats(0, 24 * 7 * 60, allow_nan=False)  # sixty weeks, any instant
TIMES = st.lists(HOURS, min_size=1, max_size=40)


def reference_clock(t: float) -> float:
    """On-shift hours from 0 to ``t``: whole working days, then the part of today's shift."""
    day = math.floor(t / 24.0)
    week, dow = divmod(day, 7)
    if dow >= 5:
        return week * 40.0 + 40.0
    return week * 40.0 + dow * 8.0 + min(max(t - day * 24.0 - 9.0, 0.0), 8.0)


def reference_on_shift(t: float) -> bool:
    day = math.floor(t / 24.0)
    return day % 7 < 5 and 9.0 <= t - day * 24.0 < 17.0


@given(TIMES)
def test_clock_and_on_shift_agree_with_the_definition_whatever_was_asked_before(times):
    cal = BusinessHours()
    for t in times:
        assert cal.clock(t) == pytest.approx(reference_clock(t), abs=1e-9)
        assert cal.on_shift(t) == reference_on_shift(t)


@given(st.lists(st.floats(0, 40 * 60, allow_nan=False), min_size=1, max_size=40))
def test_time_at_is_the_first_instant_with_that_many_working_hours(works):
    cal = BusinessHours()
    for w in works:
        t = cal.time_at(w)
        assert reference_clock(t) == pytest.approx(w, abs=1e-9)
        assert reference_clock(t - 1e-6) < w or w == 0  # no earlier instant reaches it


@given(st.lists(st.tuples(HOURS, st.floats(0, 200, allow_nan=False)), min_size=1, max_size=40))
def test_advance_adds_working_hours(steps):
    cal = BusinessHours()
    for t, hours in steps:
        end = cal.advance(t, hours)
        assert end >= t
        if hours > 0:
            assert reference_clock(end) == pytest.approx(reference_clock(t) + hours, abs=1e-9)


@given(st.lists(st.floats(0, 40 * 60, allow_nan=False), min_size=1, max_size=40))
def test_opening_is_where_the_working_hour_begins_on_shift(works):
    """The first on-shift instant at which ``w`` working hours have passed: the end of
    a shift (17:00) belongs to the next working day's 09:00."""
    cal = BusinessHours()
    for w in works:
        t = cal.opening(w)
        assert reference_on_shift(t)
        assert reference_clock(t) == pytest.approx(w, abs=1e-9)


@given(st.lists(HOURS, min_size=0, max_size=200))
def test_clock_array_equals_the_scalar_clock(times):
    cal = BusinessHours()
    expected = [reference_clock(t) for t in times]
    np.testing.assert_allclose(cal.clock_array(np.array(times, dtype=float)), expected, atol=1e-9)


def test_always_on_counts_every_hour():
    cal = AlwaysOn()
    assert cal.clock(30.5) == 30.5
    assert cal.time_at(7.0) == 7.0
    assert cal.advance(3.0, 2.5) == 5.5
    assert cal.opening(12.0) == 12.0
    assert cal.next_change(5.0) is None


# -- public holidays -------------------------------------------------------------------------

HOLIDAYS = holiday_days(10, 24 * 7 * 60 / 24.0 + 400)


def reference_clock_with_holidays(t: float) -> float:
    """On-shift hours from 0 to ``t``, counting no hours on a holiday."""
    day = math.floor(t / 24.0)
    before = sum(1 for d in HOLIDAYS if d < day)
    today = 0.0 if day in HOLIDAYS else reference_clock(t) - reference_clock(day * 24.0)
    return reference_clock(day * 24.0) - 8.0 * before + today


def test_holidays_are_spread_over_each_year_on_weekdays():
    days = holiday_days(10, 3 * 365.25)
    assert len(days) == 30 == len(set(days))
    assert all(d % 7 < 5 for d in days)
    for year in range(3):
        assert sum(1 for d in days if year * 365.25 <= d < (year + 1) * 365.25) == 10
    assert holiday_days(0, 1000) == []


def test_a_holiday_is_a_day_off_like_a_weekend():
    cal = BusinessHours(HOLIDAYS, 10)
    day = HOLIDAYS[0]
    assert not cal.on_shift(day * 24.0 + 12)
    assert not cal.is_working_day(day) and cal.is_holiday(day)
    assert cal.clock(day * 24.0 + 17) == cal.clock(day * 24.0 + 9)
    start, starts = cal.next_change(day * 24.0)
    assert starts and int(start // 24) not in HOLIDAYS and start > day * 24.0
    assert cal.hours_per_week == pytest.approx(40 * (1 - 10 / (365.25 / 7 * 5)))


@given(TIMES)
def test_clock_with_holidays_agrees_with_the_definition(times):
    cal = BusinessHours(HOLIDAYS, 10)
    for t in times:
        assert cal.clock(t) == pytest.approx(reference_clock_with_holidays(t), abs=1e-9)
    np.testing.assert_allclose(cal.clock_array(np.array(times)), [reference_clock_with_holidays(t) for t in times],
                               atol=1e-9)


@given(st.lists(st.floats(0, 40 * 55, allow_nan=False), min_size=1, max_size=40))
def test_time_at_and_opening_skip_holidays(works):
    cal = BusinessHours(HOLIDAYS, 10)
    for w in works:
        t = cal.time_at(w)
        assert reference_clock_with_holidays(t) == pytest.approx(w, abs=1e-9)
        assert w == 0 or reference_clock_with_holidays(t - 1e-6) < w
        opening = cal.opening(w)
        assert cal.on_shift(opening)
        assert reference_clock_with_holidays(opening) == pytest.approx(w, abs=1e-9)


@given(st.lists(st.floats(0, 24 * 7 * 50, allow_nan=False), min_size=1, max_size=30))
def test_off_hours_are_the_hours_outside_business_hours(times):
    business = BusinessHours(HOLIDAYS, 10)
    off = OffHours(BusinessHours(HOLIDAYS, 10))
    for t in times:
        assert off.clock(t) == pytest.approx(t - reference_clock_with_holidays(t), abs=1e-9)
        assert off.on_shift(t) == (not business.on_shift(t))
        w = off.clock(t)
        back = off.time_at(w)
        assert back <= t + 1e-9 and off.clock(back) == pytest.approx(w, abs=1e-9)
        assert w == 0 or off.clock(back - 1e-6) < w
