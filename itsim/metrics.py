"""Metrics (the names in SPEC §5), weekly series and invariant checks, computed with
numpy from a finished world's event log, hours ledger and project table.

Windows: only what arrives (or is booked) after warm-up counts. Waits and
resolution times are wall-clock hours; SLA attainment counts working hours of
the scenario calendar (the SLA clock stops off shift, as service desks measure it).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from itsim.model.projects import DECLINED, DELIVERED, IN_PROGRESS, WAITING, WITHDRAWN
from itsim.model.recurring import CARE_RISK
from itsim.model.work import INCIDENT, RECURRING, RECURRING_RANK
from itsim.record import (
    ABANDON,
    ARRIVE,
    BREACH,
    DEFLECT,
    DELIVER,
    DONE,
    EVENT_NAMES,
    LEAVE,
    SKIP,
    START,
)
from itsim.scenario import RISKS

NAMED_TIMES = {ARRIVE: "arrive", START: "start", DONE: "done", ABANDON: "abandon", DEFLECT: "deflect", SKIP: "skip"}
#: Categories of neglected maintenance: the risks of ``[[recurring]]`` tasks, then care and
#: feeding of delivered systems.
NEGLECT_CATEGORIES = (*RISKS, CARE_RISK)
WORK = ("firefighting", "recurring", "projects")


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if len(x) else math.nan


class _Items:
    """Per-item times read off the event log (NaN where an event never happened)."""

    def __init__(self, world):
        log = world.log
        n = len(log.meta)
        t, code, item = log.columns()
        self.kind = log.kind
        self.cls = log.cls
        self.effort = np.frombuffer(log.effort, dtype=float) if n else np.zeros(0)
        self.due = log.due
        self.t, self.code, self.item = t, code, item
        # Events grouped by code (stable: in time order within a code), found by bisection.
        order = np.argsort(code, kind="stable")
        bounds = np.searchsorted(code[order], np.arange(len(EVENT_NAMES) + 1))
        by_item, by_time = item[order], t[order]
        for c, name in NAMED_TIMES.items():
            times = np.full(n, np.nan)
            lo, hi = bounds[c], bounds[c + 1]
            times[by_item[lo:hi]] = by_time[lo:hi]
            setattr(self, name, times)

    def where(self, mask: np.ndarray) -> _Items:
        """The items in ``mask``: per-item arrays restricted to them, event columns shared."""
        if mask.all():
            return self
        rows = np.flatnonzero(mask)  # gathering by index is several times faster than by mask
        sub = object.__new__(type(self))
        sub.__dict__.update(self.__dict__)
        for name in ("kind", "cls", "effort", "due", *NAMED_TIMES.values()):
            setattr(sub, name, getattr(self, name).take(rows))
        return sub

    def count(self, code: int, lo: float, hi: float) -> int:
        """Events of one kind between ``lo`` and ``hi`` (hours)."""
        return int(((self.code == code) & (self.t >= lo) & (self.t < hi)).sum())


def compute(world) -> tuple[dict[str, float], pd.DataFrame, dict[str, float]]:
    """``(metrics, weekly timeseries, checks)`` for one finished replication."""
    sc = world.scenario
    lo, hi = world.warmup, world.end
    items = _Items(world)
    metrics: dict[str, float] = {}
    checks: dict[str, float] = {}
    if sc.incidents is not None:
        _incident_metrics(world, items, lo, hi, metrics, checks)
    ledger = world.ledger.arrays()
    _hours_metrics(world, ledger, metrics, checks)
    if sc.recurring or (sc.projects is not None and sc.projects.care_and_feeding_hours_per_week > 0):
        _recurring_metrics(world, items, lo, hi, metrics, checks)
    if sc.projects is not None:
        _project_metrics(world, items, lo, hi, metrics, checks)
        _refused_value_metrics(world, lo, hi, metrics)
    _absence_metrics(world, ledger, metrics)
    metrics["security_incidents"] = float(items.count(BREACH, lo, hi))
    metrics["staff_left"] = float(items.count(LEAVE, lo, hi))
    _cost_metrics(world, items, lo, hi, metrics)
    led = world.ledger
    metrics["open_work_hours_end"] = float(led.open_work[-1]) if led.open_work else 0.0
    metrics["tech_debt_hours_end"] = float(led.tech_debt[-1]) if led.tech_debt else 0.0
    series = weekly(world, items, ledger)
    _absence_series(world, ledger, series)
    return metrics, series, checks


def _incident_metrics(world, it: _Items, lo, hi, m, checks) -> None:
    cfg = world.scenario.incidents
    it = it.where(it.kind == INCIDENT)  # all that follows is about incidents only
    arr = it.arrive
    win = (arr >= lo) & (arr < hi)
    served = win & np.isnan(it.deflect)
    # An incident still waiting (or unresolved) at the end counts the time so far: in an
    # overloaded department, leaving it out would hide exactly the longest waits.
    kept = served & np.isnan(it.abandon)
    wait = np.where(np.isnan(it.start), hi, it.start) - arr
    resolve = np.where(np.isnan(it.done), hi, it.done) - arr
    m["incidents_arrived"] = float(win.sum())
    m["incidents_deflected"] = float((win & ~np.isnan(it.deflect)).sum())
    m["incidents_abandoned"] = float((served & ~np.isnan(it.abandon)).sum())
    m["incident_abandon_share"] = m["incidents_abandoned"] / served.sum() if served.any() else math.nan
    m["incident_wait_hours"] = _mean(wait[kept])
    m["incident_wait_probability"] = (
        float(((it.start - arr > 0) | np.isnan(it.start))[served].mean()) if served.any() else math.nan
    )
    m["incident_resolve_hours"] = _mean(resolve[kept])
    names = cfg.priority_names
    if len(names) > 1:
        for k, name in enumerate(names):
            cls = it.cls == k
            m[f"incident_wait_hours.{name}"] = _mean(wait[kept & cls])
            m[f"incident_resolve_hours.{name}"] = _mean(resolve[kept & cls])
    if cfg.sla_hours:
        # Only the incidents served in the window, in working hours of the scenario calendar.
        clock = world.calendar.clock_array
        rows = np.flatnonzero(served)
        cls = it.cls[rows]
        due_work = np.array([cfg.sla_hours.get(n, math.inf) for n in names])[cls.clip(0, len(names) - 1)]
        arrived = clock(arr[rows])
        done = it.done[rows]
        unresolved = np.isnan(done)
        elapsed = np.where(unresolved, np.inf, clock(np.nan_to_num(done)) - arrived)
        decided = (~unresolved | (clock(np.array([hi]))[0] - arrived > due_work)) & np.isfinite(due_work)
        met = decided & (elapsed <= due_work)
        m["incident_sla_attainment"] = float(met.sum() / decided.sum()) if decided.any() else math.nan
        for k, name in enumerate(names):
            if name in cfg.sla_hours:
                d = decided & (cls == k)
                m[f"incident_sla_attainment.{name}"] = float((met & d).sum() / d.sum()) if d.any() else math.nan
    # Conservation over the whole run: arrived = done + open + abandoned + deflected.
    all_inc = ~np.isnan(arr)
    open_now = sum(q.live for q in world.incidents.queues + world.incidents.escalated) + sum(
        1 for r in world.roles for p in r.people if p.item is not None and p.item.kind == INCIDENT
    )
    n_done = int((all_inc & ~np.isnan(it.done)).sum())
    n_ab = int((all_inc & ~np.isnan(it.abandon)).sum())
    n_def = int((all_inc & ~np.isnan(it.deflect)).sum())
    checks["incidents_unaccounted"] = float(all_inc.sum() - n_done - n_ab - n_def - open_now)
    _littles_law(it, lo, hi, checks)


def _littles_law(it: _Items, lo, hi, checks) -> None:
    """L (time-average incidents in the system) against lambda x W over the window;
    ``it`` holds the incidents only."""
    arr = it.arrive
    leave = np.fmin(it.done, it.abandon)
    leave = np.where(np.isnan(leave), np.inf, leave)
    present = np.isnan(it.deflect) & ~np.isnan(arr)
    a, d = arr[present], leave[present]
    span = hi - lo
    area = float(np.clip(np.minimum(d, hi) - np.maximum(a, lo), 0, None).sum())
    L = area / span
    win = (a >= lo) & (a < hi)
    finished = win & (d <= hi)
    lam = win.sum() / span
    W = float((d - a)[finished].mean()) if finished.any() else 0.0
    n_edges = int(((a < lo) & (d > lo)).sum() + ((a < hi) & (d > hi)).sum())
    checks["littles_law_L"] = L
    checks["littles_law_lambda_W"] = float(lam * W)
    # Customers straddling the window's edges are the only source of disagreement:
    # each can shift L by at most its time in the system over the window length.
    straddle = float(np.minimum(d, hi)[(a < lo) & (d > lo)].sum() - lo * ((a < lo) & (d > lo)).sum())
    straddle += float((hi - a[(a < hi) & (d > hi)]).sum())
    checks["littles_law_tolerance"] = (straddle + n_edges * W) / span + 1e-9


def _hours_metrics(world, led: dict[str, np.ndarray], m, checks) -> None:
    first = world.scenario.scenario.warmup_days
    busy, idle, avail = led["busy"][first:], led["idle"][first:], led["available"][first:]
    total = avail.sum()
    work_by_kind = busy.sum(axis=(0, 1))
    m["utilization"] = float(busy.sum() / total) if total > 0 else math.nan
    for r, name in enumerate(world.ledger.roles):
        a = avail[:, r].sum()
        m[f"utilization.{name}"] = float(busy[:, r, :].sum() / a) if a > 0 else math.nan
    for k, name in enumerate(WORK):
        m[f"hours_share.{name}"] = float(work_by_kind[k] / total) if total > 0 else math.nan
    m["hours_share.idle"] = float(idle.sum() / total) if total > 0 else math.nan
    cost = np.array([r.cost_per_hour for r in world.roles])
    m["cost_staff"] = float((led["paid"][first:] * cost).sum())  # on shift, on leave and holidays
    all_busy, all_idle, all_avail = led["busy"].sum(axis=2), led["idle"], led["available"]
    checks["hours_unaccounted"] = float(np.abs(all_busy + all_idle - all_avail).max()) if len(all_avail) else 0.0


def _cost_metrics(world, it: _Items, lo: float, hi: float, m) -> None:
    """Money: staff, downtime, security, turnover, shadow IT, self-service, overhead."""
    sc = world.scenario
    c = sc.costs
    weeks = (hi - lo) / 168.0
    m["cost_downtime"] = 0.0
    if sc.incidents is not None and c.downtime_per_hour:
        names = sc.incidents.priority_names
        rate = np.array([c.downtime_per_hour.get(n, 0.0) for n in names])
        inc = (it.kind == INCIDENT) & np.isnan(it.deflect) & ~np.isnan(it.arrive)
        end = np.where(np.isnan(it.done), np.where(np.isnan(it.abandon), hi, it.abandon), it.done)
        open_hours = np.clip(np.minimum(end, hi) - np.maximum(it.arrive, lo), 0, None)
        cls = it.cls.clip(0, len(names) - 1)
        m["cost_downtime"] = float((open_hours * rate[cls])[inc].sum())
    m["cost_security"] = m.get("security_incidents", 0.0) * c.per_security_incident
    m["cost_turnover"] = m.get("staff_left", 0.0) * c.per_leaver
    m["cost_self_service"] = m.get("incidents_deflected", 0.0) * c.per_deflected_incident
    shadow = 0.0
    if world.portfolio is not None and c.per_shadow_it_system_per_week > 0:
        tab = world.portfolio.table()
        gone = tab["shadow_it"]  # withdrawn, or declined and built by the business
        shadow = float(np.clip(hi - np.maximum(tab["finished"][gone], lo), 0, None).sum() / 168.0)
    m["cost_shadow_it"] = shadow * c.per_shadow_it_system_per_week
    m["cost_overhead"] = weeks * c.overhead_per_week
    m["cost_total"] = sum(
        m[k] for k in ("cost_staff", "cost_downtime", "cost_security", "cost_turnover", "cost_self_service",
                       "cost_shadow_it", "cost_overhead")
    )


def _recurring_metrics(world, it: _Items, lo, hi, m, checks) -> None:
    """On-time shares (by occurrence and by hours) and neglected hours by category.

    An occurrence is resolved when it is done or skipped; it is on time when done by
    its due time. Neglect is the effort of occurrences done late or skipped, in hours,
    by risk category (care and feeding of delivered systems is a category of its own).
    """
    rec = (it.kind == RECURRING) & (it.cls >= 0)  # remediation of tech debt has cls -1
    win = rec & (it.arrive >= lo) & (it.arrive < hi)
    done = win & ~np.isnan(it.done)
    on_time = done & (it.done <= it.due)
    late = done & (it.done > it.due)
    skipped = win & ~np.isnan(it.skip)
    resolved = done | skipped
    m["recurring_on_time_share"] = float(on_time.sum() / resolved.sum()) if resolved.any() else math.nan
    hours = it.effort[resolved].sum()
    m["recurring_hours_on_time_share"] = float(it.effort[on_time].sum() / hours) if hours > 0 else math.nan
    m["recurring_skipped"] = float(skipped.sum())
    m["recurring_late"] = float(late.sum())
    categories = np.array(world.recurring.risks)
    neglected = late | skipped
    risk = categories[it.cls[neglected]]
    effort = it.effort[neglected]
    for name in NEGLECT_CATEGORIES:
        if name == CARE_RISK and CARE_RISK not in categories:
            continue  # no care and feeding in this scenario: not measured, rather than zero
        hours_neglected = float(effort[risk == name].sum())
        m[f"neglect_hours.{name}"] = hours_neglected
        m[f"recurring_neglect_hours.{name}"] = hours_neglected  # the earlier name, kept for existing readers
    all_rec = rec & ~np.isnan(it.arrive)
    queues = {id(q): q for r in world.roles for q in r.recurring_queues if q.rank == RECURRING_RANK}
    open_now = sum(q.live for q in queues.values())
    open_now += sum(
        1 for r in world.roles for p in r.people
        if p.item is not None and p.item.kind == RECURRING and p.item.rank == RECURRING_RANK
    )
    checks["recurring_unaccounted"] = float(
        all_rec.sum() - (all_rec & ~np.isnan(it.done)).sum() - (all_rec & ~np.isnan(it.skip)).sum() - open_now
    )


def _project_metrics(world, it: _Items, lo, hi, m, checks) -> None:
    pf = world.portfolio
    tab = pf.table()
    req, fin, state, value = tab["requested"], tab["finished"], tab["state"], tab["value"]
    delivered = (state == DELIVERED) & (fin >= lo) & (fin < hi)
    m["projects_requested"] = float(((req >= lo) & (req < hi)).sum())
    m["projects_delivered"] = float(delivered.sum())
    m["projects_declined"] = float(((state == DECLINED) & (fin >= lo)).sum())
    m["projects_withdrawn_shadow_it"] = float(((state == WITHDRAWN) & (fin >= lo)).sum())
    # A project still waiting or in progress at the end counts with its age so far (as an
    # incident still open does): a department that delivers nothing would otherwise have
    # no lead time at all, and a slow one would look fast.
    still_open = (state == WAITING) | (state == IN_PROGRESS)
    age = np.where(delivered, fin, hi) - req
    m["project_lead_time_days"] = _mean(age[delivered | still_open] / 24.0)
    m["project_lead_time_delivered_days"] = _mean((fin - req)[delivered] / 24.0)
    m["project_backlog_end"] = float(pf.backlog)
    m["project_wip_end"] = float(len(pf.in_progress))
    accepted = state != DECLINED
    stop = np.where(np.isnan(fin), hi, np.minimum(fin, hi))
    delay_weeks = np.clip(stop - np.maximum(req, lo), 0, None) / 168.0
    m["cost_of_delay"] = float((value * delay_weeks)[accepted].sum())
    m["value_delivered"] = float((value * (hi - fin) / 168.0)[delivered].sum())
    n = len(req)
    checks["projects_unaccounted"] = float(
        n - (state == DELIVERED).sum() - (state == DECLINED).sum() - (state == WITHDRAWN).sum()
        - len(pf.waiting) - len(pf.in_progress)
    )
    # Little's law on the portfolio (accepted requests in the system, in days).
    a, d = req[accepted], np.where(np.isnan(fin), np.inf, fin)[accepted]
    span = hi - lo
    area = float(np.clip(np.minimum(d, hi) - np.maximum(a, lo), 0, None).sum())
    checks["portfolio_L"] = area / span
    win = (a >= lo) & (a < hi)
    finished = win & (d <= hi)
    W = float((d - a)[finished].mean()) if finished.any() else 0.0
    checks["portfolio_lambda_W"] = float(win.sum() / span * W)
    checks["portfolio_littles_law_tolerance"] = edge_tolerance(a, d, lo, hi, W)


def edge_tolerance(arrive: np.ndarray, leave: np.ndarray, lo: float, hi: float, mean_time: float) -> float:
    """How far L and lambda x W may differ over the window [lo, hi) (hours) because of
    items straddling its edges, in items.

    With every item inside the window, L x span = lambda x W x span exactly (both
    are the total time spent in the system). Items already present at ``lo``
    add their time after ``lo`` to L only; items still present at ``hi`` add their
    time before ``hi`` to L, and count in lambda but not in W, which moves lambda x W
    by at most W each.
    """
    span = hi - lo
    early = (arrive < lo) & (leave > lo)
    late = (arrive >= lo) & (arrive < hi) & (leave > hi)
    spill = float((np.minimum(leave[early], hi) - lo).sum() + (hi - arrive[late]).sum())
    return (spill + late.sum() * mean_time) / span + 1e-9


def _refused_value_metrics(world, lo: float, hi: float, m) -> None:
    """What turning work away costs the business, in money: the value per week of each
    request refused, over the weeks from the refusal to the end of the horizon (within
    the measured window), as if it were never delivered, which within the horizon it
    is not. ``value_declined``: requests declined up front (an intake gate);
    ``value_lost_shadow_it``: requests withdrawn after waiting longer than the
    requester's patience. The weeks a withdrawn request waited before it was withdrawn
    are in ``cost_of_delay``; so, over the horizon, cost of delay plus these two count
    every week of every request that IT has not delivered."""
    tab = world.portfolio.table()
    fin, state, value = tab["finished"], tab["state"], tab["value"]
    weeks = np.clip(hi - np.maximum(np.nan_to_num(fin, nan=hi), lo), 0, None) / 168.0
    m["value_declined"] = float((value * weeks)[state == DECLINED].sum())
    m["value_lost_shadow_it"] = float((value * weeks)[state == WITHDRAWN].sum())


def _absence_metrics(world, led: dict[str, np.ndarray], m) -> None:
    """Where paid hours go besides work, over the measured window (person-hours): public
    holidays, leave (vacation, sickness) and overhead (meetings, admin); and the hours
    available for work per person-year, the figure leaders plan with."""
    first = world.scenario.scenario.warmup_days
    for name in ("holiday", "leave", "overhead", "available"):
        m[f"{name}_hours"] = float(led[name][first:].sum())
    person_years = led["staff"][first:].sum() / 365.25
    m["available_hours_per_person_year"] = m["available_hours"] / person_years if person_years > 0 else math.nan


def _absence_series(world, led: dict[str, np.ndarray], frame: pd.DataFrame) -> None:
    """Weekly person-hours of overhead, leave and public holidays, added to ``frame``."""
    first = world.scenario.scenario.warmup_days
    days = len(led["available"]) - first
    week = np.arange(days) // 7
    for name, column in (("overhead", "hours.overhead"), ("leave", "hours.leave"), ("holiday", "hours.holidays")):
        frame[column] = np.bincount(week, led[name][first:].sum(axis=1), len(frame)) if days else []


def weekly(world, it: _Items, led: dict[str, np.ndarray]) -> pd.DataFrame:
    """Weekly series after warm-up, one row per week of the replication: person-hours by
    kind of work, and end-of-week stocks."""
    first = world.scenario.scenario.warmup_days
    days = len(led["available"]) - first
    week = np.arange(days) // 7
    nweeks = int(week[-1]) + 1 if days else 0
    busy = led["busy"][first:].sum(axis=1)
    frame = {"replication": np.full(nweeks, world.streams.replication), "week": np.arange(nweeks)}
    for k, name in enumerate(WORK):
        frame[f"hours.{name}"] = np.bincount(week, busy[:, k], nweeks)
    frame["hours.idle"] = np.bincount(week, led["idle"][first:].sum(axis=1), nweeks)
    for r, role in enumerate(world.ledger.roles):  # who had time to spare (the verdict's drain capacity)
        frame[f"hours.idle.{role}"] = np.bincount(week, led["idle"][first:, r], nweeks)
    frame["hours.available"] = np.bincount(week, led["available"][first:].sum(axis=1), nweeks)
    last = np.minimum(np.arange(nweeks) * 7 + 6, days - 1) + first
    frame["open_work_hours"] = led["open_work"][last]
    frame["tech_debt_hours"] = led["tech_debt"][last]
    frame["staff"] = led["staff"].sum(axis=1)[last]
    frame["project_backlog"] = led["backlog"][last]
    frame["project_wip"] = led["wip"][last]
    lo = world.warmup
    arrive = it.code == ARRIVE
    arrive[arrive] = it.kind[it.item[arrive]] == INCIDENT
    arrivals = it.t[arrive & (it.t >= lo)]
    wk = ((arrivals - lo) // 168).astype(int)
    inc = np.bincount(wk[wk < nweeks], minlength=nweeks)[:nweeks].astype(float)
    frame["incidents_arrived"] = inc
    # Per working day of the scenario calendar, as rate_per_day is written in the scenario.
    cal = world.calendar
    starts = (first + np.arange(days)) * 24.0
    working = (cal.clock_array(starts + 24.0) - cal.clock_array(starts)) / cal.hours_per_day
    workdays = np.bincount(week, working, nweeks)
    frame["incident_rate_per_day"] = np.where(workdays > 0, inc / np.where(workdays > 0, workdays, 1), 0.0)
    deliveries = it.t[(it.code == DELIVER) & (it.t >= lo)]
    dk = ((deliveries - lo) // 168).astype(int)
    frame["projects_delivered"] = np.bincount(dk[dk < nweeks], minlength=nweeks)[:nweeks].astype(float)
    return pd.DataFrame(frame)

