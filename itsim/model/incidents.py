"""Incident arrivals: priority, effort, escalation, deflection and impatience.

Every arrival draws from each configured stream exactly once, in arrival
order, whether or not the draw is used, so two policies see the same incidents.
"""

from __future__ import annotations

import heapq
import math

from itsim.model.arrivals import ArrivalClock
from itsim.model.queues import FifoQueue
from itsim.model.work import INCIDENT, Incident
from itsim.record import ARRIVE, DEFLECT, DONE, ESCALATE


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
        for rank, name in enumerate(names):
            q = FifoQueue(f"incident.{name}", rank, first)
            self.queues.append(q)
            for role in first:
                role.add_incident_queue(q)
            if esc is not None:
                to = world.role[esc.to]
                eq = FifoQueue(f"incident.{name}.escalated", rank, [to])
                self.escalated.append(eq)
                to.add_incident_queue(eq)
        world.preemptive = cfg.preemptive and (
            len(names) > 1 or sc.recurring != [] or sc.projects is not None
        )
        self.interarrival = streams.exponential("incidents.arrivals")
        self.effort = streams.stream("incidents.effort", cfg.effort_hours.sample)
        if len(names) > 1:
            import numpy as np

            p = np.asarray(shares) / sum(shares)
            self.priority = streams.stream(
                "incidents.priority", lambda rng, n: rng.choice(len(p), size=n, p=p)
            )
        else:
            self.priority = None
        self.patience = (
            streams.stream("incidents.patience", cfg.patience_hours.sample)
            if cfg.patience_hours is not None
            else None
        )
        if esc is not None:
            self.escalate_u = streams.uniform("incidents.escalation")
            self.escalate_effort = streams.stream(
                "incidents.escalation_effort", esc.extra_effort_hours.sample
            )
            self.escalate_share = esc.share
        else:
            self.escalate_u = None
        deflects = cfg.deflection > 0 or world.policy.deflects
        self.deflect_u = streams.uniform("incidents.deflection") if deflects else None
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
            dyn.incident_multiplier if dyn.shapes_incidents else None,
        )
        self.base_per_week = per_hour * scale * (168.0 if profile is not None else cal.hours_per_week)

    def start(self) -> None:
        world = self.world
        log = world.log
        self._columns = (log.meta.append, log.effort.append, log.time.append, log.entry.append)
        t = self.clock.next_after(0.0, self.interarrival())
        if t < world.end:
            world.at(t, 3, self._arrive)

    def _arrive(self, ev) -> None:
        world = self.world
        env = world.env
        now = env._now
        rank = self.priority() if self.priority is not None else 0
        effort = self.effort()
        patience = self.patience() if self.patience is not None else math.inf
        extra = 0.0
        if self.escalate_u is not None:
            u = self.escalate_u()
            e = self.escalate_effort()
            if u < self.escalate_share:
                extra = e
        deflected = False
        if self.deflect_u is not None:
            deflected = self.deflect_u() < world.policy.deflection_share(self.cfg.deflection, now, world)
        meta, eff, time, entry = self._columns
        iid = len(world.log.meta)
        meta(rank << 2 | INCIDENT)
        eff(effort)
        time(now)
        entry(iid << 4 | ARRIVE)
        if deflected:
            world.log_event(now, DEFLECT, iid)
        else:
            queue = self.queues[rank]
            item = Incident(iid, rank, queue, effort, now, extra)
            world.open_work += effort
            world.offer(item)
            if patience < math.inf and item.started < 0:
                world.at(patience, 2, self._impatient, item)
        t = self.clock.next_after(now, self.interarrival())
        if t < world.end:
            # The arrival event is reused for the next arrival (same callback, no new object).
            ev.callbacks = [self._arrive]
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

    def finished(self, item: Incident, now: float) -> None:
        world = self.world
        if item.escalation_hours > 0:
            extra = item.escalation_hours
            item.escalation_hours = 0.0
            item.remaining = extra
            item.queue = self.escalated[item.priority]
            world.open_work += extra
            world.log.effort[item.id] += extra  # the item table holds the whole effort
            world.log_event(now, ESCALATE, item.id)
            world.offer(item)
            return
        world.log_event(now, DONE, item.id)
