"""A run as tidy tables for analysts: the event log with what each piece of work was
and who worked on it, the project portfolio with named states, and weeks labelled by
calendar date when the scenario has a ``[scenario] start_date``.

Times are hours since the start of the run (warm-up included), as in the model.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from itsim.model.projects import STATE_NAMES
from itsim.model.recurring import CARE_AND_FEEDING
from itsim.model.work import INCIDENT, KIND_NAMES, PROJECT, RECURRING
from itsim.record import BREACH, DELIVER, EVENT_NAMES, LEAVE, REQUEST
from itsim.scenario import Scenario

#: What the ``task`` column says for tech-debt remediation (recurring work of no task).
REMEDIATION = "tech-debt remediation"


def events(world) -> pd.DataFrame:
    """One row per event of a finished run, in the order they happened.

    Columns: ``time`` (hours), ``event`` (``arrive``, ``start``, ``preempt``, ``resume``,
    ``done``, ``abandon``, ``deflect``, ``escalate``, ``skip``, ``breach`` for pieces of
    work; ``request``, ``decline``, ``withdraw``, ``commit``, ``deliver`` for project
    requests; ``leave`` for a person leaving), ``item`` (the piece of work; for project
    requests the project id and for ``leave`` the person id, as the log holds them), ``kind``
    (``incident``, ``recurring`` or ``project``), ``priority`` (``P1``... for incidents),
    ``task`` (the recurring task's name, care and feeding of a delivered project, or
    tech-debt remediation), ``project`` (the project id), ``person`` (who started,
    resumed, was interrupted on or finished the work; who left) and ``role``; plus
    ``timestamp`` when the scenario has a ``start_date``. Missing values are ``<NA>``.
    """
    log = world.log
    time, code, entry = log.columns()
    n = len(code)
    on_item = (code < REQUEST) | (code == BREACH)
    on_project = (code >= REQUEST) & (code <= DELIVER)
    meta_kind, meta_cls = log.kind, log.cls
    kind = np.full(n, -1, dtype=np.int64)
    cls = np.full(n, -1, dtype=np.int64)
    kind[on_item] = meta_kind[entry[on_item]]
    cls[on_item] = meta_cls[entry[on_item]]
    kind[on_project] = PROJECT

    sc = world.scenario
    priorities = sc.incidents.priority_names if sc.incidents is not None else []
    priority = np.where(kind == INCIDENT, cls, -1)
    tasks = [t.name for t in sc.recurring] + [CARE_AND_FEEDING]
    recurring = kind == RECURRING
    task = np.where(recurring, np.where(cls < 0, len(tasks), np.minimum(cls, len(tasks) - 1)), -1)
    project = np.where(on_project, entry, np.where(on_item & (kind == PROJECT), cls, -1))

    person = log.workers()
    person[code == LEAVE] = entry[code == LEAVE]
    person_role = np.frombuffer(log.person_role, dtype=np.int64) if len(log.person_role) else np.zeros(0, np.int64)
    role = np.where(person >= 0, person_role[np.maximum(person, 0)] if len(person_role) else -1, -1)

    frame = pd.DataFrame({
        "time": time,
        "event": pd.Categorical.from_codes(code, categories=list(EVENT_NAMES)),
        "item": entry,
        "kind": pd.Categorical.from_codes(kind, categories=list(KIND_NAMES)),
        "priority": pd.Categorical.from_codes(priority, categories=priorities),
        "task": pd.Categorical.from_codes(task, categories=[*tasks, REMEDIATION]),
        "project": _nullable(project),
        "person": _nullable(person),
        "role": pd.Categorical.from_codes(role, categories=[r.name for r in world.roles]),
    })
    start = sc.scenario.start_date
    if start is not None:
        frame["timestamp"] = pd.Timestamp(start) + pd.to_timedelta(time, unit="h")
    return frame


def _nullable(ids: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Ids with -1 for none, as a pandas integer column with ``<NA>``."""
    column = pd.array(ids, dtype="Int64")
    column[ids < 0] = pd.NA
    return column


def projects(world) -> pd.DataFrame:
    """One row per project request: ``project`` (id), ``state`` (``waiting``,
    ``in_progress``, ``delivered``, ``declined``, ``withdrawn``), ``requested``,
    ``started`` and ``finished`` (hours; NaN where it has not happened; finished is
    when it was delivered, declined or withdrawn), ``estimate`` and ``actual`` (hours
    of work), ``value`` (cost of delay, money per week), ``improvement`` and
    ``lead_time_days`` (request to delivery, delivered projects only)."""
    if world.portfolio is None:
        return pd.DataFrame(columns=["project", "state", "requested", "started", "finished", "estimate", "actual",
                                     "value", "improvement", "lead_time_days"])
    table = dict(world.portfolio.table())
    state = pd.Categorical.from_codes(table.pop("state"), categories=list(STATE_NAMES))
    frame = pd.DataFrame({"project": np.arange(len(state)), "state": state, **table})
    delivered = np.asarray(state == "delivered")
    frame["lead_time_days"] = np.where(delivered, (frame["finished"] - frame["requested"]) / 24.0, np.nan)
    return frame


def week_starts(scenario: Scenario, weeks) -> list[date] | None:
    """The Monday each measured week starts on (week 0 is the first after warm-up), or
    None when the scenario has no ``start_date``."""
    start = scenario.scenario.start_date
    if start is None:
        return None
    first = start + timedelta(days=scenario.scenario.warmup_days)
    return [first + timedelta(weeks=int(w)) for w in weeks]


def dated(series: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """A weekly series with a ``week_start`` date column after ``week``, when the scenario
    has a ``start_date``; otherwise unchanged."""
    starts = week_starts(scenario, series["week"]) if "week" in series else None
    if starts is None:
        return series
    out = series.copy()
    out.insert(list(out.columns).index("week") + 1, "week_start", starts)
    return out
