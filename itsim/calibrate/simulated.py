"""Incidents of a simulated run as a table: one row per incident, times in hours.

Used to write simulated incidents as a ticket export and to compare a
simulation with observed tickets in a back-test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from itsim.model.work import INCIDENT
from itsim.record import ABANDON, ARRIVE, DEFLECT, DONE, ESCALATE, PREEMPT, RESUME, START

LIFE_EVENTS = (ARRIVE, START, PREEMPT, RESUME, ESCALATE, DONE, ABANDON)


def incident_table(world) -> pd.DataFrame:
    """``item, priority`` (class index, 0 = the highest), ``arrive, start, done, abandon,
    deflect`` (hours; NaN if it never happened) and ``escalations`` of every incident."""
    log = world.log
    time, code, item = log.columns()
    incident = np.flatnonzero(log.kind == INCIDENT)
    n = len(log.meta)
    out = {"item": incident, "priority": log.cls[incident]}
    for name, c in (("arrive", ARRIVE), ("start", START), ("done", DONE), ("abandon", ABANDON),
                    ("deflect", DEFLECT)):
        times = np.full(n, np.nan)
        mine = code == c
        times[item[mine]] = time[mine]
        out[name] = times[incident]
    out["escalations"] = np.bincount(item[code == ESCALATE], minlength=n)[incident]
    return pd.DataFrame(out)


def incident_events(world, items: np.ndarray) -> pd.DataFrame:
    """The life events (:data:`LIFE_EVENTS`) of ``items``, by item then time: ``item, time, code``.

    Work handed back when its holder goes on leave (or when on-call cover ends) is put
    down without an event in the log: the next event of the item is another start or
    resume. Here it is shown as a preemption at the end of the holder's shift in which
    they took it up (midnight on a 24x7 calendar): they put it down then, unless they
    worked it for more days before going on leave, which incidents, taking hours, rarely
    need. Without it, the time the item then waited would read as time worked.
    """
    log = world.log
    time, code, item = log.columns()
    mine = np.isin(item, items) & np.isin(code, LIFE_EVENTS)
    frame = pd.DataFrame({"item": item[mine], "time": time[mine], "code": code[mine],
                          "person": log.workers()[mine]})
    frame = frame.sort_values(["item", "time"], kind="stable").reset_index(drop=True)
    begun = frame["code"].isin((START, RESUME)).to_numpy()
    handed = np.flatnonzero(begun[:-1] & begun[1:] & (frame["item"].to_numpy()[:-1] == frame["item"].to_numpy()[1:]))
    if len(handed):
        roles = np.frombuffer(log.person_role, dtype=np.int64)
        put_down = [min(_shift_end(world.roles[roles[frame["person"].iat[i]]].calendar, frame["time"].iat[i]),
                        frame["time"].iat[i + 1]) for i in handed]
        added = pd.DataFrame({"item": frame["item"].to_numpy()[handed], "time": put_down, "code": PREEMPT,
                              "person": frame["person"].to_numpy()[handed]}, index=handed + 0.5)
        frame = pd.concat([frame, added]).sort_index().reset_index(drop=True)  # each after its start
    return frame.drop(columns="person")


def _shift_end(calendar, t: float) -> float:
    """The end of the shift under way at ``t`` (wall hours), or of the next one; the next
    midnight on a calendar that is always on."""
    change = calendar.next_change(t)
    while change is not None and change[1]:
        change = calendar.next_change(change[0])
    return change[0] if change is not None else (np.floor(t / 24.0) + 1) * 24.0
