"""Effort per ticket, in working hours of the scenario calendar, and its distribution.

Two sources, the better first:

- **Work in progress** (audit logs): the working hours a ticket spent in an
  active state. Hours before its first reassignment are first-line effort;
  hours after it are the escalation's extra effort. Time in an active state
  includes any time the assignee spent on other work, so this is an upper
  bound of hands-on effort.
- **Resolution time** (ticket tables): working hours from opened to resolved,
  less the time the ticket queued. The queue is estimated, not measured: the
  people given with ``--staff`` are taken as an M/M/c queue at the observed
  arrival rate, and the mean effort is the value whose Erlang C wait plus
  itself equals the mean resolution time; each priority class waits as in the
  M/M/c non-preemptive priority queue (Cobham's formula for c servers). Each
  ticket's resolution time is scaled down by its class's share of effort in
  resolution time, so the distribution keeps the shape of resolution times.
  This is an approximation, and the scenario comment says so.

Working hours are those of the calendar (``business``: Monday to Friday,
09:00-17:00), so a ticket resolved the next morning did not take 16 hours.
The calendar knows no public holidays (their dates are not in the export), so a
ticket in hand over one counts its hours. Working hours on a ticket also hold
the meetings and admin the model takes out of people's time (``overhead_share``,
20% by default on the business calendar): effort is what is left, the measured
hours times ``1 - overhead_share`` of the roles that did the work, because the
model spends effort at that pace.

Effort per priority class is fitted too; whether the classes need their own
distributions (``effort_hours_by_priority``) is decided by
:func:`itsim.calibrate.fitting.compare_classes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from itsim.calibrate.fitting import ClassComparison, DistributionFit, compare_classes, fit_durations

MIN_EFFORT_HOURS = 1 / 60
"""Durations under a minute are left out of fits (nothing measurable was done in working hours)."""
MIN_TICKETS = 10


@dataclass(frozen=True)
class QueueCorrection:
    """How much of resolution time was taken as queueing (hours), and from what."""

    servers: int
    arrivals_per_hour: float
    mean_resolution: float
    mean_effort: float
    wait_by_class: dict[int, float]
    wait_share_by_class: dict[int, float]
    utilization: float


@dataclass(frozen=True)
class EffortFit:
    """Effort distributions: ``first_line`` (the scenario's ``effort_hours``), per priority
    class, and the escalation's extra effort; how they were measured (``time_on_work``: the
    share of working hours kept as effort, first line and escalation), whether the classes
    differ (``classes``), and what was left out."""

    method: str
    first_line: DistributionFit
    by_priority: dict[int, DistributionFit]
    extra: DistributionFit | None
    queue: QueueCorrection | None
    dropped: dict[str, int] = field(default_factory=dict)
    time_on_work: tuple[float, float] = (1.0, 1.0)
    classes: ClassComparison | None = None

    @property
    def written_by_priority(self) -> dict[int, DistributionFit]:
        """The classes that get their own distribution in the scenario (none unless they differ)."""
        if self.classes is None or not self.classes.separate:
            return {}
        return {k: self.by_priority[k] for k in self.classes.classes}

    @property
    def how(self) -> str:
        if self.method == "work":
            text = "working hours in an active state (audit log; an upper bound of hands-on effort)"
        else:
            q = self.queue
            text = (f"resolution time in working hours less the queue (approximation: M/M/c with "
                    f"{q.servers} people at {q.arrivals_per_hour:.3g} tickets per working hour, utilisation "
                    f"{q.utilization:.0%}, mean wait {q.mean_resolution - q.mean_effort:.3g} h of a mean "
                    f"resolution time of {q.mean_resolution:.3g} h)")
        first, extra = (round(share, 6) for share in self.time_on_work)
        if first == extra == 1.0:
            return text
        kept = f"{first:.0%}" if first == extra else f"{first:.0%} at first line, {extra:.0%} escalated"
        return (f"{text}, times the share of working hours left for work after meetings and admin "
                f"(1 - overhead_share: {kept}), the pace at which the model spends effort")


def erlang_c(servers: int, load: float) -> float:
    """Probability of waiting in M/M/c with offered load ``load`` (< ``servers``), via Erlang B."""
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return servers * blocking / (servers - load * (1.0 - blocking))


def fit_effort(tickets: pd.DataFrame, work: pd.DataFrame, clock, escalation: bool,
               servers: int, arrivals_per_hour: float,
               time_on_work: tuple[float, float] = (1.0, 1.0)) -> EffortFit | None:
    """Effort of the resolved tickets in ``tickets`` (hours since the period's origin in
    ``opened``/``resolved``; ``priority``, ``reassignments``, ``logged``: has audit rows).

    ``clock`` maps wall hours to working hours; ``escalation`` splits first-line from
    escalated effort; ``time_on_work`` is the share of working hours that is effort at
    first line and after escalation (1 - ``overhead_share``). Returns None when fewer than
    :data:`MIN_TICKETS` can be measured.
    """
    done = tickets[tickets["resolved"].notna() & ~tickets["cancelled"]]
    dropped: dict[str, int] = {}
    if tickets["logged"].any():
        method, queue = "work", None
        if not done["logged"].all():
            dropped["resolved, but not in the audit log that effort is measured from"] = int((~done["logged"]).sum())
        done = done[done["logged"]]
        first, extra = _work_hours(done.index.to_numpy(), work, clock)
        if not escalation:
            first, extra = first + extra, np.zeros_like(extra)
    else:
        method = "resolution"
        resolution = clock(done["resolved"].to_numpy()) - clock(done["opened"].to_numpy())
        first, queue = _less_queue(resolution, done["priority"].to_numpy(), servers, arrivals_per_hour)
        extra = np.zeros_like(first)
    first, extra = first * time_on_work[0], extra * time_on_work[1]
    escalated = done["reassignments"].fillna(0).to_numpy() > 0 if escalation else np.zeros(len(done), bool)
    if method == "resolution" and escalation and escalated.any() and not escalated.all():
        # Without a log of who worked when, an escalated ticket's extra effort is what it took
        # beyond the mean of the tickets that were not escalated; those give the first line.
        extra = np.where(escalated, first - first[~escalated].mean(), 0.0)
        first = np.where(escalated, np.nan, first)
    usable = first >= MIN_EFFORT_HOURS
    unmeasured = np.isnan(first)
    if (~usable & ~unmeasured).any():
        dropped["under a minute of working time in the effort measured"] = int((~usable & ~unmeasured).sum())
    if usable.sum() < MIN_TICKETS:
        return None
    classes = done["priority"].to_numpy()[usable]
    values = {int(k): first[usable][classes == k] for k in np.unique(classes) if k > 0}
    by_priority = {k: fit_durations(x) for k, x in values.items() if len(x) >= MIN_TICKETS}
    first_line = fit_durations(first[usable])
    extra_values = extra[escalated & (extra >= MIN_EFFORT_HOURS)]
    return EffortFit(
        method=method, first_line=first_line, by_priority=by_priority,
        extra=fit_durations(extra_values) if len(extra_values) >= MIN_TICKETS else None,
        queue=queue, dropped=dropped, time_on_work=time_on_work,
        classes=compare_classes(values, by_priority, first_line),
    )


def _work_hours(ids: np.ndarray, work: pd.DataFrame, clock) -> tuple[np.ndarray, np.ndarray]:
    """Working hours in an active state per ticket in ``ids``: before and after escalation."""
    position = pd.Series(np.arange(len(ids)), index=ids)
    mine = work[work["ticket"].isin(ids)]
    where = position.reindex(mine["ticket"]).to_numpy()
    hours = clock(mine["end"].to_numpy()) - clock(mine["start"].to_numpy())
    escalated = mine["escalated"].to_numpy(bool)
    first = np.bincount(where[~escalated], hours[~escalated], minlength=len(ids))
    extra = np.bincount(where[escalated], hours[escalated], minlength=len(ids))
    return first, extra


def _less_queue(resolution: np.ndarray, classes: np.ndarray, servers: int,
                rate: float) -> tuple[np.ndarray, QueueCorrection]:
    """Resolution times scaled down by each class's share of effort (module docstring)."""
    mean_r = float(resolution.mean())

    def wait(m: float) -> float:
        return erlang_c(servers, rate * m) * m / (servers - rate * m)

    top = min(mean_r, servers / rate * (1 - 1e-9))
    m = optimize.brentq(lambda m: m + wait(m) - mean_r, 1e-12, top) if wait(top) + top > mean_r else top
    load = rate * m
    p_wait = erlang_c(servers, load)
    out = np.empty_like(resolution)
    waits: dict[int, float] = {}
    shares: dict[int, float] = {}
    sigma = 0.0
    for k in np.unique(classes):  # P1 first; unknown priority (0) waits as the pool does
        mine = classes == k
        share = mine.mean()
        if k == 0:
            w = wait(m)
        else:
            before = sigma
            sigma += share * load / servers
            w = p_wait * m / (servers * (1 - before) * (1 - sigma))
        waits[int(k)] = w
        mean_k = resolution[mine].mean()
        kept = max(mean_k - w, MIN_EFFORT_HOURS) / mean_k if mean_k > 0 else 1.0
        shares[int(k)] = 1 - kept
        out[mine] = resolution[mine] * kept
    return out, QueueCorrection(servers, rate, mean_r, m, waits, shares, load / servers)
