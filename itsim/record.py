"""What happened in a run: an append-only, columnar event log plus the daily hours ledger.

The model only appends here; every metric is computed afterwards (see
:mod:`itsim.metrics`), so adding a metric never touches the model.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas is imported by frame(): the model itself never needs it
    import pandas as pd

ARRIVE, START, PREEMPT, RESUME, DONE, ABANDON, DEFLECT, ESCALATE, SKIP = range(9)
REQUEST, DECLINE, WITHDRAW, COMMIT, DELIVER, LEAVE, BREACH = range(9, 16)
EVENT_NAMES = (
    "arrive", "start", "preempt", "resume", "done", "abandon", "deflect", "escalate", "skip",
    "request", "decline", "withdraw", "commit", "deliver", "leave", "breach",
)


class EventLog:
    """Columns ``time`` (hours) and ``entry`` = ``item << 4 | code`` (an item id and an
    event name's index packed into one integer, which halves the appends on the hot path).

    Items have a table of their own, indexed by id: ``meta`` = ``cls << 2 | kind``
    (kind: incident, recurring, project chunk; cls: priority index, task index, or
    project id), ``effort`` (hours of work, including any escalation) and ``due_at`` (hours, only for items
    with a due time). Read them as arrays through ``kind``, ``cls`` and ``due``.
    Project requests use their own id space in the project table.

    Who worked: ``worker`` holds the person id of each ``start`` and ``resume`` event,
    in log order (one number per piece of work begun, not one per event), and
    ``person_role`` the role index of each person id.
    """

    def __init__(self) -> None:
        self.time = array("d")
        self.entry = array("q")
        self.meta = array("q")
        self.effort = array("d")
        self.due_at: dict[int, float] = {}
        self.worker = array("q")
        self.person_role = array("q")

    def add_item(self, kind: int, cls: int, effort: float, due: float | None = None) -> int:
        """Append an item to the table; returns its id."""
        iid = len(self.meta)
        self.meta.append(cls << 2 | kind)
        self.effort.append(effort)
        if due is not None:
            self.due_at[iid] = due
        return iid

    @property
    def kind(self) -> np.ndarray:
        """Kind of each item (0 incident, 1 recurring, 2 project chunk)."""
        return (self._meta() & 3).astype(np.int8)

    @property
    def cls(self) -> np.ndarray:
        """Priority index, recurring task index (-1: tech-debt remediation) or project id."""
        return (self._meta() >> 2).astype(np.int32)

    @property
    def due(self) -> np.ndarray:
        """Due time of each item in hours (NaN when it has none)."""
        out = np.full(len(self.meta), np.nan)
        if self.due_at:
            ids = np.fromiter(self.due_at.keys(), dtype=np.int64, count=len(self.due_at))
            out[ids] = np.fromiter(self.due_at.values(), dtype=float, count=len(self.due_at))
        return out

    def _meta(self) -> np.ndarray:
        return np.frombuffer(self.meta, dtype=np.int64) if len(self.meta) else np.zeros(0, np.int64)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(time, code, item)`` as numpy arrays."""
        time = np.frombuffer(self.time, dtype=float) if len(self.time) else np.zeros(0)
        entry = np.frombuffer(self.entry, dtype=np.int64) if len(self.entry) else np.zeros(0, np.int64)
        return time, (entry & 15).astype(np.int8), entry >> 4

    def workers(self) -> np.ndarray:
        """The person who worked on each event's item, per event (-1 where no one did):
        the one who started or resumed it, and for a preemption or a finish the one
        who last started or resumed that item."""
        time, code, item = self.columns()
        out = np.full(len(code), -1, dtype=np.int64)
        begun = (code == START) | (code == RESUME)
        out[begun] = np.frombuffer(self.worker, dtype=np.int64) if len(self.worker) else []
        ended = (code == PREEMPT) | (code == DONE)
        rows = np.flatnonzero(begun | ended)
        if len(rows):
            # Within each item's events in time order, carry the last worker forward.
            rows = rows[np.argsort(item[rows], kind="stable")]
            # A preemption or finish always follows a start or resume of the same item.
            who = out[rows]
            at = np.maximum.accumulate(np.where(who >= 0, np.arange(len(rows)), -1))
            out[rows] = np.where(at >= 0, who[np.maximum(at, 0)], -1)
        return out

    def frame(self) -> pd.DataFrame:
        """The event log as a table (one row per event): time (hours), event, item."""
        import pandas as pd

        time, code, item = self.columns()
        return pd.DataFrame(
            {"time": time, "event": pd.Categorical.from_codes(code, categories=list(EVENT_NAMES)), "item": item}
        )


@dataclass
class DayLedger:
    """Person-hours per day and role, as the engine books them: busy by kind of work, idle
    and available (on shift and not on leave), leave (on shift but on vacation or sick)
    and public holidays; plus end-of-day stocks.

    ``busy[d][r * 3 + k]``, ``idle[d][r]``, ``available[d][r]``, ... Part of every on-shift
    hour, the role's overhead (meetings, admin), is no work at all: ``work_share[r]`` is
    what is left. :meth:`arrays` reports hours of work, with the overhead split off.
    """

    roles: list[str]
    work_share: list[float] = field(default_factory=list)
    busy: list[list[float]] = field(default_factory=list)
    idle: list[list[float]] = field(default_factory=list)
    available: list[list[float]] = field(default_factory=list)
    leave: list[list[float]] = field(default_factory=list)
    holiday: list[list[float]] = field(default_factory=list)
    staff: list[list[int]] = field(default_factory=list)
    open_work: list[float] = field(default_factory=list)
    tech_debt: list[float] = field(default_factory=list)
    backlog: list[int] = field(default_factory=list)
    wip: list[int] = field(default_factory=list)

    def arrays(self) -> dict[str, np.ndarray]:
        """Per day and role, in hours: ``busy`` (by kind), ``idle`` and ``available`` as hours
        of work (overhead taken out), ``overhead``, ``leave``, ``holiday`` and ``paid``
        (everything a salary pays for: on shift, on leave or on a public holiday)."""
        n, r = len(self.busy), len(self.roles)
        share = np.asarray(self.work_share if self.work_share else [1.0] * r, dtype=float)
        on_shift = np.asarray(self.available, dtype=float).reshape(n, r)
        leave = np.asarray(self.leave, dtype=float).reshape(n, r) if self.leave else np.zeros((n, r))
        holiday = np.asarray(self.holiday, dtype=float).reshape(n, r) if self.holiday else np.zeros((n, r))
        return {
            "busy": np.asarray(self.busy, dtype=float).reshape(n, r, 3) * share[None, :, None],
            "idle": np.asarray(self.idle, dtype=float).reshape(n, r) * share,
            "available": on_shift * share,
            "overhead": on_shift * (1.0 - share),
            "leave": leave,
            "holiday": holiday,
            "paid": on_shift + leave + holiday,
            "staff": np.asarray(self.staff, dtype=float).reshape(n, r),
            "open_work": np.asarray(self.open_work, dtype=float),
            "tech_debt": np.asarray(self.tech_debt, dtype=float),
            "backlog": np.asarray(self.backlog, dtype=float),
            "wip": np.asarray(self.wip, dtype=float),
        }
