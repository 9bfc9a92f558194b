"""From an audit log (one row per change of a ticket) to one row per ticket, plus the
stretches of time each ticket spent being worked on.

The rows of a ticket are put in time order; the state a row moves the ticket
into holds until the next row. Time in an active state ("Active", "In
Progress") is work in progress: a stretch from that row's time to the next
row's, marked as escalated when the ticket had already been reassigned. A
ticket's last state says whether it is resolved, cancelled or still open.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from itsim.calibrate import labels

TICKET_COLUMNS = ["id", "opened", "resolved", "ended", "started", "priority", "reassignments", "made_sla",
                  "cancelled", "row"]


def from_events(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """``(tickets, work, dropped)``: one row per ticket (columns :data:`TICKET_COLUMNS`), the
    active stretches (``id, start, end, escalated``; seconds) and rows left out by reason."""
    missing = rows["id"].isna().to_numpy() | np.isnan(rows["updated"].to_numpy())
    dropped = {"audit rows without a ticket number or a time": int(missing.sum())} if missing.any() else {}
    rows = rows[~missing]
    codes, ids = pd.factorize(rows["id"])
    t = rows["updated"].to_numpy()
    order = np.lexsort((t, codes))
    codes, t = codes[order], t[order]
    state = rows["state"].to_numpy()[order]
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    last = np.r_[first[1:] - 1, len(codes) - 1]

    def column(name: str) -> np.ndarray:
        return rows[name].to_numpy(float)[order] if name in rows else np.full(len(order), np.nan)

    def latest(values: np.ndarray) -> np.ndarray:
        return np.fmax.reduceat(values, first) if len(values) else values

    final = state[last]
    opened = np.fmin.reduceat(column("opened"), first) if len(first) else np.zeros(0)
    opened = np.where(np.isnan(opened), t[first], opened)
    resolved = latest(column("resolved"))
    resolved = np.where(np.isnan(resolved), latest(np.where(state == labels.RESOLVED, t, np.nan)), resolved)
    closed = latest(column("closed"))
    closed = np.where(np.isnan(closed) & (final == labels.CLOSED), t[last], closed)
    resolved = np.where(np.isnan(resolved), closed, resolved)
    cancelled = final == labels.CANCELLED
    reassigned = column("reassignments")
    tickets = pd.DataFrame({
        "id": ids.astype(object),
        "opened": opened,
        "resolved": np.where(cancelled, np.nan, resolved),
        "ended": np.where(cancelled, np.fmax(t[last], closed), resolved),
        "started": np.fmin.reduceat(np.where(state == labels.ACTIVE, t, np.nan), first) if len(first) else opened,
        "priority": _last_label(rows, order, codes),
        "reassignments": latest(reassigned),
        "made_sla": _last_value(column("made_sla"), codes, len(ids)),
        "cancelled": cancelled,
        "row": np.minimum.reduceat(rows["row"].to_numpy()[order], first) if len(first) else np.zeros(0, np.int64),
    })
    same = codes[1:] == codes[:-1]
    active = same & (state[:-1] == labels.ACTIVE)
    work = pd.DataFrame({
        "id": ids.astype(object)[codes[:-1][active]],
        "start": t[:-1][active],
        "end": t[1:][active],
        "escalated": np.nan_to_num(reassigned[:-1][active]) > 0,
    })
    return tickets, work, dropped


def _last_value(values: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """The last non-missing value of each ticket (rows sorted by ticket, then time)."""
    out = np.full(n, np.nan)
    ok = ~np.isnan(values)
    out[codes[ok]] = values[ok]  # later rows overwrite earlier ones
    return out


def _last_label(rows: pd.DataFrame, order: np.ndarray, codes: np.ndarray) -> np.ndarray:
    out = np.full(codes.max() + 1 if len(codes) else 0, None, dtype=object)
    if "priority" not in rows:
        return out
    text = rows["priority"].to_numpy(dtype=object)[order]
    ok = pd.notna(text)
    out[codes[ok]] = text[ok]
    return out


def from_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per ticket from a ticket table: a ticket closed without a resolution time
    counts as resolved when closed; a cancelled ticket is not resolved but has ended."""
    rows = rows.reset_index(drop=True)
    n = len(rows)

    def column(name: str) -> np.ndarray:
        return rows[name].to_numpy(float) if name in rows else np.full(n, np.nan)

    state = rows["state"].to_numpy()
    cancelled = state == labels.CANCELLED
    closed = column("closed")
    resolved = column("resolved")
    done = np.isin(state, (labels.RESOLVED, labels.CLOSED, labels.OTHER))
    resolved = np.where(np.isnan(resolved) & done, closed, resolved)
    return pd.DataFrame({
        "id": rows["id"] if "id" in rows else pd.Series(None, index=rows.index, dtype="str"),
        "opened": column("opened"),
        "resolved": np.where(cancelled, np.nan, resolved),
        "ended": np.where(cancelled, np.fmin(resolved, closed), resolved),
        "started": np.full(n, np.nan),
        "priority": rows["priority"] if "priority" in rows else pd.Series(None, index=rows.index, dtype="str"),
        "reassignments": column("reassignments"),
        "made_sla": column("made_sla"),
        "cancelled": cancelled,
        "row": rows["row"].to_numpy(),
    })
