"""Public holidays in an export: the weekdays on which nobody worked a ticket.

A ticket in hand over a public holiday would count the holiday's eight hours as
working hours, in its effort and in its resolution time (against which SLA
targets are inferred). Exports carry no holiday calendar, so the holidays are
found in the data: weekdays of the period on which the tickets record almost
no work (resolutions, and work taken up where an audit log shows it): fewer
than :data:`QUIET_SHARE` of the events of the median weekday. Days before the
first and after the last ordinary weekday (at least half the median) are not
judged, since an export that starts with the period has little to resolve on its
first days. A department too quiet to tell a holiday from a quiet day (under
:data:`MIN_EVENTS` events on the median weekday) gets none.

The holidays found only stop the working-hour clock on those days; the
scenario's ``holidays_per_year`` (the base's, or the business calendar's
default) is what converts tickets per week into ``rate_per_day``.
"""

from __future__ import annotations

import numpy as np

from itsim.calibrate.tickets import Period
from itsim.model.calendar import WORKDAYS

QUIET_SHARE = 0.1
"""A weekday with fewer work events than this share of the median weekday's is a holiday."""
MIN_EVENTS = 20
"""Holidays are looked for only when the median weekday has at least this many work events:
a Poisson count of 20 falls under 2 with a chance of about 1 in 2.5 million."""


def find_holidays(events: np.ndarray, period: Period) -> list[int]:
    """Day numbers (days since ``period.origin``, a Monday) of the weekdays of the period
    taken as public holidays; ``events`` holds the times (hours since the origin) at which
    work on tickets was recorded (see the module docstring)."""
    first, stop = int(period.start_hour // 24), int(np.ceil(period.end_hour / 24))
    days = np.arange(first, stop)
    weekdays = days[days % 7 < WORKDAYS]
    t = np.asarray(events, dtype=float)
    t = t[(t >= first * 24.0) & (t < stop * 24.0)]
    counts = np.bincount((t // 24).astype(np.int64) - first, minlength=stop - first)[weekdays - first]
    if len(counts) == 0:
        return []
    typical = float(np.median(counts))
    if typical < MIN_EVENTS:
        return []
    ordinary = np.flatnonzero(counts >= typical / 2)
    judged = slice(ordinary[0], ordinary[-1] + 1)
    quiet = counts[judged] < QUIET_SHARE * typical
    return [int(d) for d in weekdays[judged][quiet]]
