"""Incident arrivals: priority, effort, escalation, deflection and impatience.

Every arrival draws from each configured stream exactly once, in arrival
order, whether or not the draw is used, so two policies see the same incidents.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from itsim.model.arrivals import ArrivalClock
from itsim.model.queues import CountedFifoQueue, FifoQueue
from itsim.model.work import INCIDENT, RECURRING_RANK, Incident
from itsim.random import Rows
from itsim.record import ARRIVE, DEFLECT, ESCALATE


def _constant(value):
    """A column of draws that is always ``value`` (a source the scenario does not use)."""
    return lambda n: [value] * n


def _priority_draw(p: np.ndarray):
    """Priority indices drawn with probabilities ``p``."""
    return lambda rng, n: rng.choice(len(p), size=n, p=p)


def _profile(profile) -> list[float]:
    """168 hourly weights (Monday 00:00 first), scaled to mean 1."""
    # Scale each factor to a maximum of 1 first, so that tiny weights cannot underflow.
    day_max, hour_max = max(profile.day_of_week), max(profile.hour_of_day)
    raw = [(profile.day_of_week[h // 24] / day_max) * (profile.hour_of_day[h % 24] / hour_max) for h in range(168)]
    mean = sum(raw) / 168
    return [w / mean for w in raw]


class IncidentSource:
    """Creates incidents and finishes them (including escalation to a second role)."""

    def __init__(self, world):
        self.world = world
        sc = world.scenario
        cfg = sc.incidents
        self.cfg = cfg
        streams = world.streams
        names = cfg.priority_names
        self.names = names
        shares = [cfg.priorities[n] for n in names] if cfg.priorities else [1.0]
        self.queues = []
        self.escalated = []
        first = [world.role[r] for r in cfg.handled_by]
        esc = cfg.escalation
        # With several classes or an escalation, roles take from several queues and
        # need the count of what waits across them.
        queue = FifoQueue if len(names) == 1 and esc is None else CountedFifoQueue
        for rank, name in enumerate(names):
            q = queue(f"incident.{name}", rank, first)
            self.queues.append(q)
            for role in first:
                role.add_incident_queue(q)
            if esc is not None:
                to = world.role[esc.to]
                eq = queue(f"incident.{name}.escalated", rank, [to])
                self.escalated.append(eq)
                to.add_incident_queue(eq)
        # Which work in hand each class may interrupt (ranks strictly between the bounds):
        # lower classes of incident while ``preemptive``; planned work (recurring, projects,
        # remediation, all ranked from RECURRING_RANK on) for the classes in ``interrupts``.
        interrupting = set(cfg.interrupting)
        planned = bool(sc.recurring) or sc.projects is not None
        for rank, name in enumerate(names):
            above = rank if cfg.preemptive else RECURRING_RANK - 1
            below = math.inf if name in interrupting and planned else RECURRING_RANK
            for q in self.queues[rank:rank + 1] + self.escalated[rank:rank + 1]:
                q.preempts_above, q.preempts_below = above, below
        world.preemptive = (cfg.preemptive and len(names) > 1) or (planned and bool(interrupting))
        if cfg.on_call is not None:  # the on-call role takes its classes' incidents where its role does
            cover = world.role[f"{cfg.on_call.role}_on_call"]
            for rank, name in enumerate(names):
                if name in cfg.on_call.priorities:
                    queues = [self.queues[rank]] if cfg.on_call.role in cfg.handled_by else []
                    if esc is not None and esc.to == cfg.on_call.role:
                        queues.append(self.escalated[rank])
                    for q in queues:
                        q.roles = [*q.roles, cover]  # a list of its own: first-line queues share one
                        cover.add_incident_queue(q)
        # One row of draws per arrival: the unit exponential to the *next* arrival, then
        # this incident's priority, effort, patience, escalation hours (0: solved at
        # first line) and the uniform that decides deflection.
        columns = [
            streams.column("incidents.arrivals", lambda rng, n: rng.standard_exponential(n)),
            _constant(0) if len(names) == 1 else streams.column(
                "incidents.priority", _priority_draw(np.asarray(shares) / sum(shares))
            ),
            streams.column("incidents.effort", cfg.effort_hours.sample),
            _constant(math.inf) if cfg.patience_hours is None else streams.column(
                "incidents.patience", cfg.patience_hours.sample
            ),
        ]
        if esc is not None:
            share_rng = streams.rng("incidents.escalation")
            extra_rng = streams.rng("incidents.escalation_effort")
            columns.append(lambda n: np.where(
                share_rng.random(n) < esc.share, esc.extra_effort_hours.sample(extra_rng, n), 0.0
            ).tolist())
        else:
            columns.append(_constant(0.0))
        self.deflection = cfg.deflection
        self.asks_deflection = world.policy.deflects
        deflects = cfg.deflection > 0 or self.asks_deflection
        columns.append(
            streams.column("incidents.deflection", lambda rng, n: rng.random(n)) if deflects else _constant(1.0)
        )
        self.draws = Rows(columns)
        # Classes with their own effort distribution draw from a stream of their own, only
        # when one of them arrives (the class sequence is common to every policy, so these
        # draws are too); the common effort column is drawn for every arrival regardless.
        by_priority = cfg.effort_hours_by_priority or {}
        self.effort_by_rank = [
            streams.stream(f"incidents.effort.{n}", by_priority[n].sample) if n in by_priority else None
            for n in names
        ] if by_priority else None
        scale = sc.demand_scale
        cal = world.calendar
        # Rates are per working hour (or day) of the calendar: a week brings
        # per_hour x hours_per_week incidents. A profile reshapes when within the
        # week they arrive, keeping that weekly volume.
        per_hour = cfg.rate_per_hour if cfg.rate_per_hour is not None else cfg.rate_per_day / cal.hours_per_day
        if cfg.arrival_profile is not None:
            per_hour *= cal.hours_per_week / 168.0
            profile = _profile(cfg.arrival_profile)
        else:
            profile = None
        dyn = world.dynamics
        self.clock = ArrivalClock(
            per_hour * scale, cal, profile, world.phases.incident_scale,
            dyn if dyn.shapes_incidents else None,
        )
        self.base_per_week = per_hour * scale * (168.0 if profile is not None else cal.hours_per_week)

    def start(self) -> None:
        world = self.world
        log = world.log
        self._columns = (log.meta.append, log.effort.append, log.time.append, log.entry.append)
        row = self.draws()
        t = self.clock.next_after(0.0, row[0])
        if t < world.end:
            world.at(t, 3, self._arrive, row)

    def _arrive(self, ev) -> None:
        """An incident arrives with the draws of the row in ``ev``; the event is reused
        for the next arrival, with the next row."""
        world = self.world
        env = world.env
        now = env._now
        _, rank, effort, patience, extra, u = ev._value
        if self.effort_by_rank is not None and self.effort_by_rank[rank] is not None:
            effort = self.effort_by_rank[rank]()
        if self.asks_deflection:
            deflected = u < world.policy.deflection_share(self.deflection, now, world.view)
        else:
            deflected = u < self.deflection
        meta, eff, time, entry = self._columns
        iid = len(world.log.meta)
        meta(rank << 2 | INCIDENT)
        eff(effort)
        time(now)
        if deflected:
            entry(iid << 4 | ARRIVE)
            time(now)
            entry(iid << 4 | DEFLECT)
        else:
            entry(iid << 4 | ARRIVE)
            item = Incident(iid, rank, self.queues[rank], effort, now, extra)
            world.open_work += effort
            world.offer(item)
            if patience < math.inf and item.started < 0:
                world.at(patience, 2, self._impatient, item)
        row = self.draws()
        t = self.clock.next_after(now, row[0])
        if t < world.end:
            ev.callbacks = [self._arrive]
            ev._value = row
            heapq.heappush(env._queue, (t, 3, next(env._eid), ev))

    def inject_major(self, effort: float, pieces: int) -> int:
        """A major incident: ``effort`` hours of P1 work in ``pieces`` parallel items,
        for the escalation role if there is one; returns the first item's id."""
        world = self.world
        now = world.env._now
        queue = self.escalated[0] if self.escalated else self.queues[0]
        first = -1
        for _ in range(pieces):
            iid = world.new_item_id(INCIDENT, 0, effort / pieces)
            world.log_event(now, ARRIVE, iid)
            first = iid if first < 0 else first
            world.open_work += effort / pieces
            world.offer(Incident(iid, 0, queue, effort / pieces, now, 0.0))
        return first

    def _impatient(self, ev) -> None:
        item = ev._value
        if item.started < 0 and item.alive:
            self.world.abandon(item)

    def escalate(self, item: Incident, now: float) -> None:
        """First line is done with ``item``; its escalation hours go to the escalation role."""
        world = self.world
        extra = item.escalation_hours
        item.escalation_hours = 0.0
        item.remaining = extra
        item.queue = self.escalated[item.priority]
        world.open_work += extra
        log = world.log
        log.effort[item.id] += extra  # the item table holds the whole effort
        log.time.append(now)
        log.entry.append(item.id << 4 | ESCALATE)
        world.offer(item)
