"""Simulated incidents written as a ticket export, for sample data and round-trip tests.

``export_tickets(run, path, format=...)`` writes the incidents of one
simulated replication the way a ticket system exports them:

- ``servicenow``: the incident table (``number, opened_at, resolved_at,
  closed_at, priority, incident_state, reassignment_count, made_sla``; ISO dates);
- ``servicenow_audit``: the incident audit log in the shape of the public UCI
  "Incident management process enriched event log" (one row per change,
  ``number, incident_state, active, reassignment_count, sys_updated_at,
  opened_at, resolved_at, closed_at, priority, made_sla``, day-first dates to
  the minute, ``?`` for missing). Work in hand is ``Active``; preempted work,
  and work handed back when its holder goes on leave, is ``On Hold``; an
  escalated incident is ``New`` again, with the next reassignment count, until
  second line takes it;
- ``jira``: ``Issue key, Status, Resolution, Priority, Created, Resolved`` with
  Jira's ``29/Feb/16 4:40 AM`` dates;
- ``csv``: ``id, opened, resolved, priority`` (ISO dates, classes as P1..).

A path ending in ``.xlsx`` gets an Excel workbook (needs openpyxl) with real
date cells. Time 0 of the run falls on ``origin`` (a Monday); incidents that
arrived during warm-up and those deflected to self-service are left out.
Resolved tickets close ``close_after_days`` later (as ServiceNow closes
resolved incidents automatically), or stay resolved if that is after the run.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from itsim.calibrate.simulated import incident_events, incident_table
from itsim.record import ABANDON, ARRIVE, DONE, ESCALATE, PREEMPT, RESUME, START
from itsim.report.export import write_atomic

FORMATS = ("servicenow", "servicenow_audit", "jira", "csv")
SERVICENOW_PRIORITY = {1: "1 - Critical", 2: "2 - High", 3: "3 - Moderate", 4: "4 - Low", 5: "5 - Planning"}
JIRA_PRIORITY = {1: "Highest", 2: "High", 3: "Medium", 4: "Low", 5: "Lowest"}
AUDIT_STATE = {ARRIVE: "New", START: "Active", PREEMPT: "On Hold", RESUME: "Active", ESCALATE: "New",
               DONE: "Resolved", ABANDON: "Canceled"}
ISO = "%Y-%m-%d %H:%M:%S"
DAY_FIRST = "%d/%m/%Y %H:%M"
JIRA = "%d/%b/%y %I:%M %p"


def export_tickets(run, path: str | Path, format: str = "servicenow", origin: str = "2024-01-01",
                   close_after_days: float = 3.0) -> Path:
    """Write the incidents of ``run`` (from :func:`itsim.simulate`) as a ticket export; see the
    module docstring for the formats. Returns the path written."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} (got {format!r})")
    if run.world is None:
        raise ValueError("the run kept no event log: simulate with keep_events=True")
    start = pd.Timestamp(origin)
    if start.weekday() != 0 or start != start.normalize():
        raise ValueError(f"origin must be a Monday at midnight, as time 0 of a run is (got {origin})")
    world = run.world
    table = incident_table(world)
    table = table[(table["arrive"] >= world.warmup) & table["deflect"].isna()].reset_index(drop=True)
    names = world.scenario.incidents.priority_names
    table["class"] = [int(names[p][1:]) for p in table["priority"]]
    table["number"] = [f"INC{i + 1:07d}" for i in range(len(table))]
    close = table["done"] + close_after_days * 24
    table["closed"] = np.where(close < world.end, close, np.nan)
    table["made_sla"] = _made_sla(table, world)

    def when(hours, fmt: str | None):
        moments = start + pd.to_timedelta(np.asarray(hours, dtype=float), unit="h")
        return moments if fmt is None else pd.Series(moments.strftime(fmt)).where(~np.isnan(hours), None)

    excel = Path(path).suffix.lower() == ".xlsx"
    if format == "servicenow_audit":
        frame = _audit(world, table, lambda h: when(h, None if excel else DAY_FIRST))
    else:
        fmt = None if excel else (JIRA if format == "jira" else ISO)
        frame = _table(format, table, lambda h: when(h, fmt))
    return _write(frame, Path(path), excel, missing="?" if format == "servicenow_audit" else "")


def _made_sla(table: pd.DataFrame, world) -> np.ndarray:
    """Whether each incident was resolved within its class's target (working hours), as
    itsim counts SLA attainment; unresolved ones by the time the run ended."""
    targets = world.scenario.incidents.sla_hours or {}
    if not targets:
        return np.full(len(table), None, dtype=object)
    clock = world.calendar.clock_array
    end = np.where(table["done"].isna(), world.end, table["done"])
    taken = clock(end) - clock(table["arrive"].to_numpy())
    target = np.array([targets.get(f"P{k}", np.inf) for k in table["class"]])
    return np.where(taken <= target, "true", "false").astype(object)


def _table(format: str, t: pd.DataFrame, when) -> pd.DataFrame:
    resolved = t["done"].to_numpy()
    abandoned = t["abandon"].notna()
    if format == "servicenow":
        state = np.where(abandoned, "Canceled", np.where(t["closed"].notna(), "Closed", np.where(
            t["done"].notna(), "Resolved", np.where(t["start"].notna(), "In Progress", "New"))))
        return pd.DataFrame({
            "number": t["number"], "opened_at": when(t["arrive"]), "resolved_at": when(resolved),
            "closed_at": when(np.where(abandoned, t["abandon"], t["closed"])),
            "priority": t["class"].map(lambda k: SERVICENOW_PRIORITY.get(k, f"{k} - P{k}")),
            "incident_state": state, "reassignment_count": t["escalations"], "made_sla": t["made_sla"],
        })
    if format == "jira":
        status = np.where(abandoned | t["done"].notna(), "Done", np.where(t["start"].notna(), "In Progress",
                                                                           "To Do"))
        return pd.DataFrame({
            "Issue key": [f"OPS-{i + 1}" for i in range(len(t))], "Status": status,
            "Resolution": np.where(abandoned, "Won't Do", np.where(t["done"].notna(), "Done", None)),
            "Priority": t["class"].map(lambda k: JIRA_PRIORITY.get(k, f"P{k}")),
            "Created": when(t["arrive"]), "Resolved": when(np.where(abandoned, t["abandon"], resolved)),
        })
    return pd.DataFrame({"id": t["number"], "opened": when(t["arrive"]), "resolved": when(resolved),
                         "priority": "P" + t["class"].astype(str)})


def _audit(world, t: pd.DataFrame, when) -> pd.DataFrame:
    """One row per change of each incident, as a ServiceNow audit export."""
    events = incident_events(world, t["item"].to_numpy())
    row_of = pd.Series(np.arange(len(t)), index=t["item"]).reindex(events["item"]).to_numpy()
    codes = events["code"].to_numpy()
    reassigned = pd.Series(codes == ESCALATE).groupby(events["item"].to_numpy()).cumsum().to_numpy()
    times = events["time"].to_numpy()
    closing = t["closed"].notna().to_numpy()[row_of] & (codes == DONE)
    rows = pd.DataFrame({"row": row_of, "time": times, "state": [AUDIT_STATE[c] for c in codes],
                         "reassigned": reassigned})
    closed = pd.DataFrame({"row": row_of[closing], "time": t["closed"].to_numpy()[row_of[closing]],
                           "state": "Closed", "reassigned": reassigned[closing]})
    rows = pd.concat([rows, closed]).sort_values(["row", "time"], kind="stable")
    r = rows["row"].to_numpy()
    at = rows["time"].to_numpy()
    resolved, closed_at = t["done"].to_numpy()[r], t["closed"].to_numpy()[r]
    return pd.DataFrame({
        "number": t["number"].to_numpy()[r], "incident_state": rows["state"].to_numpy(),
        "active": np.where(np.isin(rows["state"], ["Closed", "Canceled"]), "false", "true"),
        "reassignment_count": rows["reassigned"].to_numpy(), "sys_updated_at": when(at),
        "opened_at": when(t["arrive"].to_numpy()[r]),
        "resolved_at": when(np.where(at >= resolved, resolved, np.nan)),
        "closed_at": when(np.where(at >= closed_at, closed_at, np.nan)),
        "priority": [SERVICENOW_PRIORITY.get(k, f"{k} - P{k}") for k in t["class"].to_numpy()[r]],
        "made_sla": t["made_sla"].to_numpy()[r],
    })


def _write(frame: pd.DataFrame, path: Path, excel: bool, missing: str) -> Path:
    if excel:
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, engine="openpyxl")
        write_atomic(path, buffer.getvalue())
    else:
        write_atomic(path, frame.to_csv(index=False, na_rep=missing))
    return path
