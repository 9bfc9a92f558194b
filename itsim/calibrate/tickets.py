"""Tickets from one or more exports: one row per ticket, times in local seconds, and the
period they are measured over.

Files of different kinds combine: a ticket table and an audit log of the same
tickets merge by ticket number (the first file that has a value wins), so the
table's fields and the log's work-in-progress time describe one ticket.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from itsim.calibrate import events, labels
from itsim.calibrate.columns import detect, normal
from itsim.calibrate.dates import parse_day, seconds_of, timestamp
from itsim.calibrate.errors import CalibrationError
from itsim.calibrate.files import open_table
from itsim.calibrate.read import ReadOptions, Source, read_rows

HOUR = 3600.0


@dataclass
class Tickets:
    """Every ticket read: ``table`` (columns of :data:`events.TICKET_COLUMNS` plus
    ``source``, with ``priority`` as the class number, 0 where unknown), ``work`` (active
    stretches from audit logs: ``ticket`` row, ``start``, ``end``, ``escalated``), the
    files read, rows left out by reason, and the time zone the times are in."""

    table: pd.DataFrame
    work: pd.DataFrame
    sources: list[Source]
    dropped: dict[str, int]
    tz: str | None
    priority_labels: dict[str, int]

    @property
    def zone_text(self) -> str:
        return self.tz or "the time zone the export was written in (no --tz given)"


def read_tickets(paths: Sequence[str | Path], options: ReadOptions | None = None) -> Tickets:
    """Read exports (see :mod:`itsim.calibrate.columns` for the kinds recognised).

    Raises :class:`CalibrationError` with every problem found in every file.
    """
    options = options or ReadOptions()
    problems: list[str] = []
    tables, works, sources = [], [], []
    dropped: dict[str, int] = {}
    headers: list[list[str]] = []
    for i, path in enumerate(paths):
        try:
            table = open_table(Path(path))
            headers.append(table.header)
            layout = detect(table.header, options.mapping, str(path))
            rows = read_rows(table, layout, options)
        except CalibrationError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(rows.problems)
        _count(dropped, rows.dropped)
        if rows.source.events:
            tickets, work, lost = events.from_events(rows.frame)
            _count(dropped, lost)
            works.append(work)
        else:
            tickets = events.from_table(rows.frame)
        sources.append(rows.source)
        del rows  # the rows of a big file go before the next is read
        tickets["source"] = i
        tables.append(tickets)
    problems.extend(_unused_mapping(options.mapping, headers))
    if problems:
        raise CalibrationError(problems)
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    del tables
    table, merged = _merge_duplicates(table)
    if merged:
        dropped["more rows of a ticket already read (merged into one)"] = merged
    if works:
        work = pd.concat(works, ignore_index=True)
        work = work.assign(ticket=pd.Index(table["id"]).get_indexer(work["id"])).drop(columns="id")
    else:
        work = pd.DataFrame({"start": [], "end": [], "escalated": np.zeros(0, bool), "ticket": np.zeros(0, np.int64)})
    no_opened = np.isnan(table["opened"].to_numpy())
    if no_opened.any():
        dropped["no date for when the ticket was opened"] = int(no_opened.sum())
        keep = np.flatnonzero(~no_opened)
        table = table.iloc[keep].reset_index(drop=True)
        work = work.assign(ticket=pd.Series(np.arange(len(keep)), index=keep).reindex(work["ticket"]).to_numpy())
    work = work[work["ticket"].notna()].astype({"ticket": np.int64})
    found = _classes(table["priority"], options.priorities)
    table["priority"] = table["priority"].map(found).fillna(0).to_numpy(np.int8)
    return Tickets(table, work.reset_index(drop=True), sources, dropped, options.tz, found)


def _count(total: dict[str, int], more: dict[str, int]) -> None:
    for reason, n in more.items():
        total[reason] = total.get(reason, 0) + n


def _unused_mapping(mapping: dict[str, str], headers: list[list[str]]) -> list[str]:
    if not headers:
        return []
    found = {normal(h) for header in headers for h in header}
    problems = []
    for column, field in mapping.items():
        if normal(column) not in found:
            close = difflib.get_close_matches(column, [h for header in headers for h in header], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(f"--map {column}={field}: no file has a column {column!r}{hint}")
    return problems


def _merge_duplicates(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Rows of the same ticket number as one row (first non-missing value of each column)."""
    ids = table["id"]
    dup = ids.notna() & ids.duplicated(keep=False)
    if not dup.any():
        return table, 0
    merged = table[dup].groupby("id", sort=False).agg(
        {c: ("any" if c == "cancelled" else "min" if c == "row" else "first") for c in table.columns if c != "id"})
    out = pd.concat([table[~dup], merged.reset_index()], ignore_index=True)
    return out.sort_values(["source", "row"], kind="stable").reset_index(drop=True), int(dup.sum() - len(merged))


def _classes(priority: pd.Series, given: dict[str, int]) -> dict[str, int]:
    """The class number of each priority label found (see :mod:`itsim.calibrate.labels`)."""
    known = priority.dropna()
    return labels.priority_classes(sorted(known.unique()), given) if len(known) else {}


@dataclass(frozen=True)
class Period:
    """The days tickets are counted over: ``start`` (midnight) to ``end`` (midnight, not
    included), measured in hours from ``origin``, the Monday 00:00 on or before ``start``
    (time 0 of a simulation of the period)."""

    start: pd.Timestamp
    end: pd.Timestamp
    origin: pd.Timestamp

    @classmethod
    def of(cls, tickets: Tickets, start: str | None = None, end: str | None = None,
           dayfirst: bool | None = None) -> Period:
        """The period from ``--from``/``--to`` (``end`` included), else from the first to the last
        day a ticket was opened. Raises :class:`CalibrationError` when it holds no ticket."""
        first = parse_day(start, "--from", dayfirst)
        last = parse_day(end, "--to", dayfirst)
        if first is not None and last is not None and last < first:
            raise CalibrationError([f"--to: {last.date()} is before --from {first.date()}"])
        opened = tickets.table["opened"].to_numpy()
        if len(opened) == 0:
            raise CalibrationError(["no tickets with an opened date in the files"])
        lo, hi = timestamp(np.min(opened)), timestamp(np.max(opened))
        first = first if first is not None else lo.normalize()
        stop = (last if last is not None else hi.normalize()) + pd.Timedelta(days=1)
        period = cls(first, stop, first - pd.Timedelta(days=first.weekday()))
        if not period.contains(opened).any():
            raise CalibrationError([
                f"no tickets opened between {first.date()} and {(stop - pd.Timedelta(days=1)).date()} "
                f"(the files' tickets were opened from {lo.date()} to {hi.date()})"
            ])
        return period

    @property
    def days(self) -> float:
        return (self.end - self.start) / pd.Timedelta(days=1)

    @property
    def start_hour(self) -> float:
        return (self.start - self.origin) / pd.Timedelta(hours=1)

    @property
    def end_hour(self) -> float:
        return (self.end - self.origin) / pd.Timedelta(hours=1)

    def hours(self, secs: np.ndarray) -> np.ndarray:
        """Local seconds as hours since ``origin``."""
        return (np.asarray(secs, dtype=float) - seconds_of(self.origin)) / HOUR

    def contains(self, secs: np.ndarray) -> np.ndarray:
        h = self.hours(secs)
        return (h >= self.start_hour) & (h < self.end_hour)

    def text(self) -> str:
        return f"{self.start.date()} to {(self.end - pd.Timedelta(days=1)).date()}"
