"""Dates as ticket systems write them, read fast and reported precisely when they cannot be.

The format is inferred once per file from a sample of its date cells: ISO 8601
(with or without an offset), day-first (``29/2/2016 04:40``, ServiceNow in
Europe), month-first (``2/29/2016 4:40 PM``), Jira's ``29/Feb/16 4:40 AM`` and
a few more. When a sample fits both a day-first and a month-first format (every
day 12 or less), the user says which with ``--dayfirst`` or ``--monthfirst``.
Whole columns are then parsed with the chosen formats (vectorised), so a
million cells take about a second.

Times come out as local wall-clock seconds since 1970 (floats, NaN where
missing): times written with an offset (``Z``, ``+01:00``) are converted into
the zone given with ``--tz`` (UTC when none is given); times written without one
are taken to be in that zone already.
"""

from __future__ import annotations

import re
import zoneinfo

import numpy as np
import pandas as pd

from itsim.calibrate.errors import CalibrationError

ISO = "ISO8601"
DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
             "%d.%m.%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%y %H:%M", "%d/%m/%y")
MONTH_FIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p",
               "%m/%d/%Y", "%m/%d/%y %H:%M", "%m/%d/%y %I:%M %p", "%m/%d/%y", "%m-%d-%Y %H:%M:%S",
               "%m-%d-%Y %H:%M")
UNAMBIGUOUS = (ISO, "%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d/%b/%y %H:%M", "%d %b %Y %H:%M:%S",
               "%d %b %Y %H:%M", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y %H:%M", "%b %d, %Y %I:%M %p",
               "%b %d, %Y %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")
OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
SAMPLE = 2000


def zone(name: str | None) -> str | None:
    """Check a time zone name (IANA, e.g. ``Europe/Lisbon``); raises :class:`CalibrationError`."""
    if name is None:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CalibrationError([f"--tz: unknown time zone {name!r} (an IANA name such as Europe/Lisbon)"]) from None
    return name


def example(fmt: str) -> str:
    """The format written as a date, for messages."""
    if fmt == ISO:
        return "2016-02-29 04:40:00 (ISO 8601)"
    return pd.Timestamp("2016-02-29 16:40:05").strftime(fmt)


class DateFormat:
    """The formats that read a file's dates, in the order tried, and whether they carry offsets."""

    def __init__(self, formats: list[str], offsets: bool):
        self.formats = formats
        self.offsets = offsets

    def __str__(self) -> str:
        return " or ".join(example(f) for f in self.formats)

    @classmethod
    def infer(cls, samples: list[str], dayfirst: bool | None, source: str) -> DateFormat:
        """The formats that read ``samples`` (strings), greedily: the format that reads most,
        then the one that reads most of the rest, ... Raises :class:`CalibrationError` when
        the order of day and month is ambiguous or nothing reads a sample."""
        values = pd.Series(list(dict.fromkeys(s.strip() for s in samples))[:SAMPLE], dtype=object)
        if values.empty:
            return cls([ISO], False)
        offsets = bool(values.str.contains(OFFSET).any())
        orders = {None: DAY_FIRST + MONTH_FIRST, True: DAY_FIRST, False: MONTH_FIRST}[dayfirst]
        candidates = list(UNAMBIGUOUS) + list(orders)
        readable = {f: _parse(values, f, offsets).notna().to_numpy() for f in candidates}
        if dayfirst is None:
            day = [f for f in DAY_FIRST if readable[f].all()]
            month = [f for f in MONTH_FIRST if readable[f].all()]
            if day and month and not any(readable[f].all() for f in UNAMBIGUOUS):
                raise CalibrationError([
                    f"{source}: dates such as {values.iloc[0]!r} could be day-first or month-first "
                    "(no day above 12 in the sample): say which with --dayfirst or --monthfirst"
                ])
        chosen: list[str] = []
        left = np.ones(len(values), bool)
        while left.any():
            best = max(candidates, key=lambda f: (readable[f] & left).sum())
            if not (readable[best] & left).any():
                break
            chosen.append(best)
            left &= ~readable[best]
        if not chosen:
            raise CalibrationError([f"{source}: no date format reads values such as {values.iloc[0]!r}"])
        return cls(chosen, offsets)

    def parse(self, values: pd.Series, tz: str | None) -> np.ndarray:
        """Local wall-clock seconds (float, NaN where missing or unreadable)."""
        out = np.full(len(values), np.nan)
        left = values.notna().to_numpy().copy()  # arrow-backed columns give a read-only view
        for fmt in self.formats:
            if not left.any():
                break
            rows = np.flatnonzero(left)
            parsed = _parse(values if len(rows) == len(values) else values.iloc[rows], fmt, self.offsets)
            if self.offsets:
                parsed = parsed.dt.tz_convert(tz or "UTC").dt.tz_localize(None)
            secs = seconds(parsed)
            ok = ~np.isnan(secs)
            out[rows[ok]] = secs[ok]
            left[rows[ok]] = False
        return out


def _parse(values: pd.Series, fmt: str, offsets: bool) -> pd.Series:
    return pd.to_datetime(values, format=fmt, errors="coerce", utc=offsets, cache=False)


def seconds(times: pd.Series | np.ndarray) -> np.ndarray:
    """Datetimes (naive) as float seconds since 1970, NaN for NaT."""
    arr = np.asarray(times, dtype="datetime64[s]")
    out = arr.astype(np.int64).astype(float)
    out[np.isnat(arr)] = np.nan
    return out


def seconds_of(moment: pd.Timestamp) -> float:
    """A naive timestamp as seconds since 1970 on the same wall clock."""
    return (moment - pd.Timestamp(0)) / pd.Timedelta(seconds=1)


def timestamp(value: float) -> pd.Timestamp:
    """Seconds since 1970 (local wall clock) as a naive timestamp."""
    return pd.Timestamp(int(value), unit="s")


def parse_day(text: str | None, flag: str, dayfirst: bool | None) -> pd.Timestamp | None:
    """A ``--from``/``--to`` date (ISO, or the order of ``--dayfirst``/``--monthfirst``) at midnight."""
    if text is None:
        return None
    try:
        if re.match(r"^\d{4}-\d\d?-\d\d?$", text.strip()):
            day = pd.Timestamp(text.strip())
        else:
            day = pd.to_datetime(text.strip(), dayfirst=bool(dayfirst))
    except (ValueError, TypeError):
        raise CalibrationError([f"{flag}: not a date: {text!r} (write it as 2016-02-29)"]) from None
    if day.tzinfo is not None:
        day = day.tz_localize(None)
    return day.normalize()
