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
    """The life events (:data:`LIFE_EVENTS`) of ``items``, by item then time: ``item, time, code``."""
    time, code, item = world.log.columns()
    mine = np.isin(item, items) & np.isin(code, LIFE_EVENTS)
    frame = pd.DataFrame({"item": item[mine], "time": time[mine], "code": code[mine]})
    return frame.sort_values(["item", "time"], kind="stable").reset_index(drop=True)
