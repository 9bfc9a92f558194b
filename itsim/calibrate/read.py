"""Reading the rows of one export into compact columns: dates as seconds, states as codes.

Each chunk of rows is reduced at once to numbers (and the ticket key and
priority label as short strings), so a million-row export holds a few tens of
megabytes. Cells that should be dates and cannot be read, and tickets resolved
before they were opened, are problems: reported with their row number and
value, or left out and counted when the user asks (``--drop-bad-rows``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from itsim.calibrate import labels
from itsim.calibrate.columns import DATE_FIELDS, Layout
from itsim.calibrate.dates import DateFormat
from itsim.calibrate.errors import RowProblems
from itsim.calibrate.files import TableFile

TRUE = {"true", "t", "yes", "y", "1", "met", "1.0"}
FALSE = {"false", "f", "no", "n", "0", "breached", "missed", "0.0"}
BAD_ROWS_HINT = "--drop-bad-rows leaves such rows out and lists them in calibration.html"


@dataclass(frozen=True)
class ReadOptions:
    """How to read exports: column names (``--map``), priority labels (``--priority``),
    the order of day and month, the time zone, and whether bad rows are left out."""

    mapping: dict[str, str] = field(default_factory=dict)
    priorities: dict[str, int] = field(default_factory=dict)
    dayfirst: bool | None = None
    tz: str | None = None
    drop_bad_rows: bool = False


@dataclass(frozen=True)
class Source:
    """One file read: what it was taken for and how much of it was used."""

    path: str
    label: str
    rows: int
    events: bool
    columns: dict[str, str]
    dates: str


@dataclass
class FileRows:
    """The compact rows of one file, its description, problems found and rows left out."""

    frame: pd.DataFrame
    source: Source
    problems: list[str]
    dropped: dict[str, int]


def read_rows(table: TableFile, layout: Layout, options: ReadOptions) -> FileRows:
    """Read every row of ``table`` into compact columns (see the module docstring)."""
    name = str(table.path)
    cols = layout.columns
    to_field = {c: f for f, c in cols.items()}
    bad_dates = RowProblems(name, "with dates that cannot be read")
    backwards = RowProblems(name, "resolved before they were opened")
    parts, rows, fmt = [], 0, None
    for first_row, chunk in table.chunks(list(cols.values())):
        chunk = chunk.rename(columns=to_field).reset_index(drop=True)
        rows += len(chunk)
        if fmt is None:
            samples = [v for f in DATE_FIELDS if f in chunk for v in _spread(chunk[f].dropna(), 500)]
            fmt = DateFormat.infer(samples, options.dayfirst, name)
        parts.append(_compact(chunk, first_row, fmt, options.tz, cols, bad_dates, backwards))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    problems: list[str] = []
    dropped: dict[str, int] = {}
    for kind, reason in ((bad_dates, "a date that cannot be read"), (backwards, "resolved before opened")):
        if kind.count and options.drop_bad_rows:
            dropped[reason] = kind.count
        else:
            problems.extend(kind.lines(BAD_ROWS_HINT))
    if options.drop_bad_rows and "bad" in frame:
        frame = frame[~frame["bad"].to_numpy()]
    frame = frame.drop(columns="bad", errors="ignore").reset_index(drop=True)
    source = Source(name, layout.format.label, rows, layout.events, dict(cols), str(fmt or ""))
    return FileRows(frame, source, problems, dropped)


def _spread(values: pd.Series, n: int) -> pd.Series:
    """``n`` values spread evenly through ``values`` (exports are sorted by time, and the first
    days of a month alone cannot tell day-first from month-first)."""
    return values.iloc[:: max(1, len(values) // n)]


def _compact(chunk: pd.DataFrame, first_row: int, fmt: DateFormat, tz: str | None, cols: dict[str, str],
             bad_dates: RowProblems, backwards: RowProblems) -> pd.DataFrame:
    n = len(chunk)
    row = np.arange(first_row, first_row + n, dtype=np.int64)
    out: dict[str, object] = {"row": row}
    bad = np.zeros(n, bool)
    for f in DATE_FIELDS:
        if f not in chunk:
            continue
        raw = chunk[f].str.strip()
        secs = fmt.parse(raw, tz)
        unread = raw.notna().to_numpy() & np.isnan(secs)
        bad_dates.add(np.flatnonzero(unread), row, lambda i, f=f, raw=raw: (
            f"{cols[f]} {raw.iloc[i]!r} is not a date (this file's dates read as {fmt})"))
        bad |= unread
        out[f] = secs
    if "opened" in out and "resolved" in out:
        before = out["resolved"] < out["opened"]
        backwards.add(np.flatnonzero(before), row, lambda i: (
            f"{cols['resolved']} {chunk['resolved'].iloc[i]} is before {cols['opened']} {chunk['opened'].iloc[i]}"))
        bad |= before
    if "id" in chunk:
        out["id"] = chunk["id"].astype("str").str.strip().where(chunk["id"].notna(), None)
    if "priority" in chunk:
        out["priority"] = chunk["priority"].astype("str").str.strip().where(chunk["priority"].notna(), None)
    state = labels.state_codes(chunk["status"]) if "status" in chunk else np.full(n, labels.OTHER)
    if "resolution" in chunk:
        state = np.where(labels.state_codes(chunk["resolution"]) == labels.CANCELLED,
                         labels.CANCELLED, state)
    out["state"] = state.astype(np.int8)
    if "reassignments" in chunk:
        out["reassignments"] = pd.to_numeric(chunk["reassignments"], errors="coerce").to_numpy(float)
    if "made_sla" in chunk:
        text = chunk["made_sla"].astype("str").str.strip().str.lower()
        out["made_sla"] = np.where(text.isin(TRUE), 1.0, np.where(text.isin(FALSE), 0.0, np.nan))
    out["bad"] = bad
    return pd.DataFrame(out)
