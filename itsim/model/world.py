"""The world: builds a SimPy environment from a scenario, moves work between
queues and people, and runs to the horizon.

Same-time events are resolved in a fixed order (the ``PRIO_*`` constants):
work finishing first, then capacity changes (shifts, staff, phases), then
impatient requests leaving, then new arrivals and releases, then the daily
books. Within one kind, the order in which events were scheduled decides.

Events scheduled more than :data:`NEAR_HOURS` ahead through :meth:`World.at`
(the next release of a monthly task, a project's patience running out) wait in
a second heap and join the event loop's heap at the daily books before their
time comes, with the same ordering keys: the loop's heap stays small, and every
push and pop on it cheap.
"""

from __future__ import annotations

import heapq
import time as _time

import simpy

from itsim.model.calendar import OffHours
from itsim.model.calendar import calendar as make_calendar
from itsim.model.leave import Leave, takes_leave
from itsim.model.staff import BUSY, GONE, IDLE, OFF, Person, Role
from itsim.model.work import INCIDENT, PROJECT, RECURRING, RECURRING_RANK
from itsim.policies.base import Policy
from itsim.policies.view import BoundView
from itsim.random import Streams
from itsim.record import ABANDON, DONE, PREEMPT, RESUME, START, DayLedger, EventLog
from itsim.scenario import Scenario

PRIO_DONE, PRIO_CAPACITY, PRIO_ABANDON, PRIO_ARRIVE, PRIO_BOOKS = range(5)
#: People on call take no leave and have no overhead: the rota covers itself.
NO_ABSENCE = {"holidays_per_year": 0, "vacation_days_per_year": 0, "sick_days_per_year": 0, "overhead_share": 0}
BOOKS_HOURS = 24.0  # the daily books, every 24 hours
#: Events due this many hours ahead or more wait outside the event loop's heap (hours);
#: more than one day, so that everything due before the next daily books is in it.
NEAR_HOURS = 2 * BOOKS_HOURS


class Wake:
    """A SimPy event that only calls back: it sits in the environment's schedule like
    any ``simpy.Event`` (``callbacks``, ``_ok``, ``_value``) but is slotted and cheap."""

    __slots__ = ("callbacks", "_ok", "_value")

    def __init__(self, callback, value):
        self.callbacks = [callback]
        self._ok = True
        self._value = value

    @property
    def value(self):
        return self._value


class World:
    """One replication of one scenario under one policy."""

    def __init__(self, scenario: Scenario, policy: Policy, seed: int, replication: int = 0):
        from itsim.model.dynamics import Dynamics
        from itsim.model.incidents import IncidentSource
        from itsim.model.phases import Phases
        from itsim.model.projects import Portfolio
        from itsim.model.recurring import RecurringWork

        self.scenario = scenario
        self.policy = policy
        self.streams = Streams(seed, replication)
        self.env = simpy.Environment()
        self._later: list = []  # events due NEAR_HOURS ahead or more, as (time, priority, id, event)
        self._near = NEAR_HOURS  # events due before this time (hours) are in the loop's heap
        self.log = EventLog()
        info = scenario.scenario
        # Holidays are placed a year beyond the horizon: work may be timed past its end.
        days = info.warmup_days + info.horizon_days + 366
        holidays = scenario.holidays_per_year
        self.calendar = make_calendar(info.calendar, holidays, days)
        self.warmup = info.warmup_days * 24.0
        self.end = (info.warmup_days + info.horizon_days) * 24.0
        self.roles = [
            Role(i, t, make_calendar(t.calendar or info.calendar, holidays, days), scenario.staff_time(t))
            for i, t in enumerate(scenario.team)
        ]
        on_call = scenario.incidents.on_call if scenario.incidents is not None else None
        if on_call is not None:  # a role of its own, on shift when the business is not
            team = scenario.role(on_call.role)
            cover = team.model_copy(update={"role": f"{team.role}_on_call", "count": on_call.people,
                                            "skills": ["incident"]})
            role = Role(len(self.roles), cover, OffHours(make_calendar("business", holidays, days)), NO_ABSENCE)
            role.standby = True
            self.roles.append(role)
        self.role = {r.name: r for r in self.roles}
        self.ledger = DayLedger([r.name for r in self.roles], [1.0 - r.overhead for r in self.roles])
        n = len(self.roles)
        self._busy = [0.0] * (3 * n)
        self._idle = [0.0] * n
        self._avail = [0.0] * n
        # Attributes of the world are read on every event: CPython keeps the first 30 of an
        # object's attributes in a fast layout, so leave lives on its roles (Role.absences)
        # and in the daily books' event, not here.
        self._last_books = 0.0
        #: Each role's on-shift clock at the last books (hours).
        self._closed_work = [0.0 if r.clock is None else r.clock(0.0) for r in self.roles]
        self.open_work = 0.0
        self.tech_debt = 0.0
        self._use(policy)
        self.preemptive = True
        self.phases = Phases(self)
        self.dynamics = Dynamics(self)
        self.incidents = IncidentSource(self) if scenario.incidents is not None else None
        self.portfolio = Portfolio(self) if scenario.projects is not None else None
        care = scenario.projects is not None and scenario.projects.care_and_feeding_hours_per_week > 0
        self.recurring = RecurringWork(self) if scenario.recurring or care else None
        #: What the policy's hooks are handed: the world as a policy sees it.
        self.view = BoundView(self)
        policy.bind(self.view)
        for role in self.roles:
            self.set_staff(role, role.target)

    def _use(self, policy: Policy) -> None:
        self.policy = policy
        self.direct = policy.direct_handoff
        overrides = type(policy).may_preempt is not Policy.may_preempt
        self._ask_preempt = policy.may_preempt if overrides else None

    def set_policy(self, policy: Policy) -> None:
        """Put ``policy`` in force from now on (a ``[[phase]]`` boundary): it is bound to the
        world, projects it allows are started and free people look for work under it."""
        if policy is self.policy:
            return
        self.policy.unbind(self.view)
        self._use(policy)
        policy.bind(self.view)
        if self.portfolio is not None:
            self.portfolio.start_projects()
        self.wake(self.roles)

    # -- time ------------------------------------------------------------------------

    def at(self, delay: float, priority: int, callback, value=None) -> Wake:
        """Call ``callback(event)`` after ``delay`` hours; ``event.value`` is ``value``."""
        ev = Wake(callback, value)
        env = self.env
        t = env._now + delay
        heapq.heappush(env._queue if t < self._near else self._later, (t, priority, next(env._eid), ev))
        return ev

    @property
    def now(self) -> float:
        return self.env._now

    def run(self) -> World:
        """Run to the horizon; returns self (read ``log``, ``ledger``, ``portfolio``)."""
        t0 = _time.perf_counter()
        for source in (self.incidents, self.recurring, self.portfolio):
            if source is not None:
                source.start()
        self.phases.start()
        absences = Leave(self) if any(takes_leave(r) for r in self.roles) else None
        self.at(BOOKS_HOURS, PRIO_BOOKS, self._daily_books, absences)
        shifts: dict[str, list[Role]] = {}  # roles on the same calendar change shift together
        for role in self.roles:
            shifts.setdefault(role.calendar.name, []).append(role)
        if absences is not None:
            absences.day_starts(0.0)
        for roles in shifts.values():
            self._schedule_shift(roles)
        self._advance()
        self._close_day(absences)
        self.engine_seconds = _time.perf_counter() - t0
        return self

    def _advance(self) -> None:
        """SimPy's event loop (as ``Environment.step``), run until the horizon: events at
        exactly the horizon are not processed, as with ``env.run(until=...)``."""
        env = self.env
        queue = env._queue
        pop = heapq.heappop
        end = self.end
        while queue and queue[0][0] < end:
            env._now, _, _, event = pop(queue)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
        env._now = end

    # -- dispatch --------------------------------------------------------------------

    def offer(self, item, front: bool = False) -> None:
        """A new or returning item looks for a person; if none is free it may preempt
        lower-ranked work, else it waits in its queue."""
        queue = item.queue
        if self.direct:
            for role in queue.roles:
                if role.idle:
                    self.start(role.idle.pop(), item)
                    return
            may_preempt = True
        else:
            may_preempt = not self._idle_taker(item)
        if may_preempt and item.kind == INCIDENT and self.preemptive and self._preempt_for(item):
            return
        if front:
            queue.push_front(item)
        else:
            queue.push(item)
        if not self.direct:
            self.wake(queue.roles)

    def _idle_taker(self, item) -> bool:
        """Whether some idle person's policy choice would be this item (so no preemption)."""
        takes = self.policy.takes
        view = self.view
        return any(takes(p, item, view) for role in item.queue.roles for p in role.idle)

    def wake(self, roles) -> None:
        """Idle people of ``roles`` ask the policy for work."""
        select = self.policy.select
        direct = self.direct
        view = self.view
        for role in roles:
            idle = role.idle
            i = len(idle) - 1
            while i >= 0:
                if i < len(idle):
                    person = idle[i]
                    item = self.take_default(person) if direct else select(person, view)
                    if item is not None:
                        idle.remove(person)
                        self.start(person, item)
                i -= 1

    def _preempt_for(self, item) -> bool:
        """Interrupt the lowest-ranked work an eligible on-shift person is doing, among
        the work this item's class may interrupt (ranks strictly between the queue's
        ``preempts_above`` and ``preempts_below``) and the people the policy lets it
        interrupt (latest started first on ties)."""
        queue = item.queue
        best = None
        best_rank = queue.preempts_above
        below = queue.preempts_below
        best_start = 0.0
        now = self.env._now
        ask = self._ask_preempt
        for role in queue.roles:
            if role.clock is not None and not role.shift_start <= now < role.shift_end:
                continue
            for p in role.people:
                r = p.rank  # -1 for people with nothing in hand
                if (r > best_rank or (r == best_rank and best is not None and p.seg_start > best_start)) and (
                    r < below  # second: most people fail the first test
                ) and (ask is None or ask(item, p, self.view)):
                    best, best_rank, best_start = p, r, p.seg_start
        if best is None:
            return False
        victim = best.item
        role = best.role  # book the stretch worked (as _book does, on shift and with work in hand)
        if role.clock is None:
            hours = now - best.seg_start
        else:
            work = role.shift_end_work - (role.shift_end - now)  # Role.work_clock within the shift
            hours = work - best.seg_work
            best.seg_work = work
        self._busy[role.index * 3 + victim.kind] += hours
        done = hours * best.prod
        victim.remaining -= done
        self.open_work -= done
        best.seg_start = now
        best.pending.callbacks = []  # its completion no longer applies
        best.pending = None
        best.item = None
        best.rank = -1
        victim.holder = None
        log = self.log
        log.time.append(now)
        log.entry.append(victim.id << 4 | PREEMPT)
        self.dynamics.interrupted(victim)  # the context-switch penalty, if any
        self.start(best, item)
        self.requeue(victim)
        return True

    def requeue(self, item) -> None:
        """Preempted work goes back where it came from, to resume where it stopped."""
        if item.kind == PROJECT:
            pf = self.portfolio
            pf.chunk_returned(item)
            for role in pf.roles:
                if role.idle:  # someone free may take the hours returned
                    self.wake(pf.roles)
                    break
        else:
            self.offer(item, front=True)

    def start(self, person: Person, item) -> None:
        """A person with nothing in hand (idle, or just freed) starts ``item``."""
        now = self.env._now
        role = person.role
        clock = role.clock
        hours = item.remaining / person.prod
        if clock is None:
            if person.seg_start != now:
                self._idle[role.index] += now - person.seg_start
                person.seg_start = now
            end = now + hours
        else:
            if person.seg_start != now:
                if role.shift_start <= now < role.shift_end:  # Role.work_clock, inlined
                    work = role.shift_end_work - (role.shift_end - now)
                else:
                    work = clock(now)
                self._idle[role.index] += work - person.seg_work
                person.seg_work = work
                person.seg_start = now
            else:  # just booked up to now (a finish or a preemption)
                work = person.seg_work
            if hours <= 0:
                person.end_work = work
                end = now
            else:
                end_work = person.end_work = work + hours
                if end_work <= role.shift_end_work:  # within this shift wall and on-shift hours run together
                    end = now + hours
                else:
                    end = role.calendar.time_at(end_work)
                    if end < now:
                        end = now
        person.item = item
        person.rank = item.rank
        person.state = BUSY
        item.holder = person
        log = self.log
        log.time.append(now)
        log.worker.append(person.id)
        if item.started < 0:
            item.started = now
            log.entry.append(item.id << 4 | START)
        else:
            log.entry.append(item.id << 4 | RESUME)
        ev = Wake(self._done, person)
        person.pending = ev
        env = self.env
        heapq.heappush(env._queue, (end, PRIO_DONE, next(env._eid), ev))

    def _done(self, ev: Wake) -> None:
        person = ev._value
        now = self.env._now
        item = person.item
        role = person.role
        kind = item.kind
        clock = role.clock
        if clock is None:
            self._busy[role.index * 3 + kind] += now - person.seg_start
        else:
            work = person.end_work  # the on-shift clock now, known since the start
            self._busy[role.index * 3 + kind] += work - person.seg_work
            person.seg_work = work
        person.seg_start = now
        self.open_work -= item.remaining  # all that was left is now done
        item.remaining = 0.0
        person.item = None
        person.rank = -1
        person.pending = None
        person.state = IDLE  # free, though not yet in the idle pool
        item.holder = None
        if kind == INCIDENT and item.escalation_hours > 0:
            self.incidents.escalate(item, now)
        else:
            log = self.log
            log.time.append(now)
            log.entry.append(item.id << 4 | DONE)
            if kind == RECURRING:
                if item.rank == RECURRING_RANK:
                    self.recurring.finished(item, now)
                else:
                    item.queue.done(item)
            elif kind == PROJECT:
                self.portfolio.chunk_done(item, now)
        self.free(person)

    def free(self, person: Person) -> None:
        """A person with nothing in hand takes the next work, or waits idle."""
        if person.leaving:
            self.leave(person)
            return
        role = person.role
        if role.clock is not None and not role.shift_start <= self.env._now < role.shift_end:
            person.state = OFF
            return
        item = self.take_default(person) if self.direct else self.policy.select(person, self.view)
        if item is not None:
            self.start(person, item)
        else:
            person.state = IDLE
            role.idle.append(person)

    def take_default(self, person: Person):
        """Firefight first: incidents by priority, then planned work as :meth:`take_planned`
        takes it (inlined here: one call fewer for every free person, about 3% of a
        baseline year)."""
        role = person.role
        queues = role.incident_queues
        if len(queues) == 1:
            q = queues[0]
            if q.live:
                return q.pop()
        elif role.incidents_waiting:  # several queues count what waits across them
            return self.take_incident(role)
        if role.recurring_waiting:
            return _earliest(role.recurring_queues)
        pool = role.remediation
        if pool is not None and pool.first and pool.live:
            return pool.pop()
        if role.takes_projects:
            item = self.portfolio.next_chunk(person)
            if item is not None:
                return item
        return pool.pop() if pool is not None and pool.live else None

    def take_planned(self, person: Person):
        """Planned work for a free person, removed from its queue: recurring work by due
        time, then project work, and tech-debt remediation last (leftover capacity) or,
        with ``[dynamics] debt_paydown = "before_projects"``, before projects."""
        role = person.role
        if role.recurring_waiting:
            return _earliest(role.recurring_queues)
        pool = role.remediation
        if pool is not None and pool.first and pool.live:
            return pool.pop()
        if role.takes_projects:
            item = self.portfolio.next_chunk(person)
            if item is not None:
                return item
        return pool.pop() if pool is not None and pool.live else None

    def take_remediation(self, role: Role):
        """A piece of tech-debt paydown, if this role pays debt and there is any."""
        pool = role.remediation
        return pool.pop() if pool is not None and pool.live else None

    def take_incident(self, role: Role, max_rank: int | None = None):
        """The first waiting incident this role may take (optionally only ranks <= max_rank)."""
        for group in role.incident_ranks:
            if max_rank is not None and group[0].rank > max_rank:
                return None
            item = _earliest(group)
            if item is not None:
                return item
        return None

    def take_recurring(self, role: Role):
        """The waiting recurring work due first that this role may take."""
        return _earliest(role.recurring_queues) if role.recurring_waiting else None

    def abandon(self, item, code: int = ABANDON) -> None:
        """A waiting item leaves its queue unserved."""
        item.queue.discard(item)
        self.open_work -= item.remaining
        self.log_event(self.env._now, code, item.id)

    def log_event(self, t: float, code: int, item: int) -> None:
        log = self.log
        log.time.append(t)
        log.entry.append(item << 4 | code)

    def new_item_id(self, kind: int, cls: int, effort: float, due: float | None = None) -> int:
        return self.log.add_item(kind, cls, effort, due)

    # -- hours bookkeeping ------------------------------------------------------------

    def _book(self, person: Person, now: float) -> None:
        """Add the person's current stretch (busy or idle) to today's hours."""
        role = person.role
        clock = role.clock
        if clock is None:
            hours = now - person.seg_start
        else:
            work = role.work_clock(now)
            hours = work - person.seg_work
            person.seg_work = work
        item = person.item
        if item is None:
            self._idle[role.index] += hours
        else:
            self._busy[role.index * 3 + item.kind] += hours
            work = hours * person.prod
            item.remaining -= work
            self.open_work -= work
        person.seg_start = now

    def booked_since(self, role: Role, kind: int, day: int) -> float:
        """Person-hours of work of ``kind`` that ``role`` has done from the start of ``day``
        (days since time 0) until now, including stretches still running."""
        i = role.index * 3 + kind
        hours = sum(d[i] for d in self.ledger.busy[day:]) + self._busy[i]
        now = self.env._now
        clock = role.clock
        for p in role.people:
            if p.item is not None and p.item.kind == kind:
                hours += now - p.seg_start if clock is None else clock(now) - p.seg_work
        return hours

    def _book_available(self, person: Person, now: float) -> None:
        role = person.role
        since = max(person.joined, self._last_books)
        clock = role.clock
        self._avail[role.index] += now - since if clock is None else clock(now) - clock(since)

    def _daily_books(self, ev: Wake) -> None:
        """Close the day, then decide who is away on the next (``ev.value``: the
        :class:`~itsim.model.leave.Leave` of the run, or None)."""
        absences = ev._value
        env = self.env
        near = self._near = env._now + NEAR_HOURS  # events due before it join the loop's heap
        later, queue = self._later, env._queue
        while later and later[0][0] < near:
            heapq.heappush(queue, heapq.heappop(later))
        self._close_day(absences)
        if absences is not None:
            absences.day_starts(env._now)
        if env._now + BOOKS_HOURS < self.end - 1e-9:
            self.at(BOOKS_HOURS, PRIO_BOOKS, self._daily_books, absences)

    def _close_day(self, absences=None) -> None:
        """Book every person's stretch up to now (as :meth:`_book` does, inlined: it runs for
        every person every day) and each role's on-shift hours of the day, then close the
        day in the ledger."""
        now = self.env._now
        last = self._last_books
        busy, idle, available, closed = self._busy, self._idle, self._avail, self._closed_work
        n = len(self.roles)
        away = absences.hours if absences is not None else [0.0] * n  # leave hours of the day
        holiday = [0.0] * n
        open_work = self.open_work
        staff = []
        works: dict[str, float] = {}  # the on-shift clock now, per calendar
        day = int(last // 24.0)  # the day being closed
        for role in self.roles:
            i = role.index
            clock = role.clock
            if clock is None:
                work = now
            else:
                work = works.get(role.calendar.name)
                if work is None:
                    work = works[role.calendar.name] = clock(now)
            whole_day = work - closed[i]  # the on-shift hours since the last books
            closed[i] = work
            leaving = 0
            if whole_day == 0.0 and clock is not None:
                # The calendar stood still (a weekend or a holiday): everyone's on-shift clock
                # already reads ``work``, so there are no hours to book, only the stretch to
                # restart; a public holiday is paid all the same.
                for p in role.people:
                    p.seg_start = now
                    leaving += p.leaving
                staff.append(len(role.people) - leaving)
                if role.calendar.is_holiday(day):
                    holiday[i] += role.calendar.hours_per_day * staff[-1]
                continue
            for p in role.people:
                if clock is None:
                    hours = now - p.seg_start
                else:
                    hours = work - p.seg_work
                    p.seg_work = work
                item = p.item
                p.seg_start = now
                leaving += p.leaving
                if p.absent:  # on leave all day: neither idle nor available
                    away[i] += hours
                    continue
                if item is None:
                    idle[i] += hours
                else:
                    busy[i * 3 + item.kind] += hours
                    done = hours * p.prod
                    item.remaining -= done
                    open_work -= done
                if p.joined <= last:
                    available[i] += whole_day
                else:
                    self._book_available(p, now)
            staff.append(len(role.people) - leaving)
            if role.standby:  # on call: only the hours worked are available (and paid)
                idle[i] = 0.0
                available[i] = busy[i * 3] + busy[i * 3 + 1] + busy[i * 3 + 2]
        self.open_work = open_work
        led = self.ledger
        led.busy.append(self._busy)
        led.idle.append(self._idle)
        led.available.append(self._avail)
        led.leave.append(away)
        led.holiday.append(holiday)
        led.staff.append(staff)
        led.open_work.append(self.open_work)
        led.tech_debt.append(self.tech_debt)
        pf = self.portfolio
        led.backlog.append(pf.backlog if pf is not None else 0)
        led.wip.append(len(pf.in_progress) if pf is not None else 0)
        self._busy = [0.0] * (3 * n)
        self._idle = [0.0] * n
        self._avail = [0.0] * n
        if absences is not None:
            absences.hours = [0.0] * n
        self._last_books = now
        self.dynamics.daily(now)

    def hand_back(self, person: Person) -> None:
        """The work in a person's hands (booked up to now) goes back to its queue, to be
        resumed by whoever is free; no event is logged ("preempt" is an incident's doing)."""
        item = person.item
        person.pending.callbacks = []
        person.pending = None
        person.item = None
        person.rank = -1
        item.holder = None
        self.requeue(item)

    # -- staff and shifts --------------------------------------------------------------

    def _schedule_shift(self, roles: list[Role]) -> None:
        """Schedule the next shift start or end of ``roles`` (all on one calendar)."""
        now = self.env._now
        change = roles[0].calendar.next_change(now)
        if change is not None:
            t, starts = change
            if not starts:  # on shift from now until t
                end_work = roles[0].clock(t)  # one calendar: one clock for all
                for role in roles:
                    role.shift_start, role.shift_end, role.shift_end_work = now, t, end_work
            self.at(t - now, PRIO_CAPACITY, self._shift_change, (roles, starts))

    def _shift_change(self, ev: Wake) -> None:
        roles, starts = ev._value
        now = self.env._now
        self._schedule_shift(roles)  # first: work started now needs the shift's end
        if starts:
            work = roles[0].clock(now)  # one calendar: one clock for all
            for role in roles:
                for p in role.people:
                    if p.state == OFF and not p.absent:
                        p.seg_start = now
                        p.seg_work = work
                        p.state = IDLE
                        role.idle.append(p)
                self.wake([role])
        else:
            for role in roles:
                for p in role.idle:
                    p.state = OFF
                role.idle.clear()
                if role.standby:  # the business day starts: work on call goes to the day team
                    for p in role.people:
                        if p.item is not None:
                            self._book(p, now)
                            self.hand_back(p)
                            p.state = OFF

    def set_staff(self, role: Role, count: int) -> None:
        """Grow or shrink a role to ``count`` people; busy leavers finish their item first."""
        now = self.env._now
        staying = [p for p in role.people if not p.leaving]
        for p in role.people:
            if p.leaving and len(staying) < count:
                p.leaving = False
                staying.append(p)
        while len(staying) < count:
            on = role.calendar.on_shift(now)
            p = Person(len(self.log.person_role), role, now, on)  # ids count the people who joined
            self.log.person_role.append(role.index)
            role.people.append(p)
            staying.append(p)
            self.dynamics.person_joined(p, now)
            if on:
                self.free(p)
        excess = len(staying) - count
        for p in sorted(staying, key=lambda p: (p.state == BUSY, -p.id)):
            if excess <= 0:
                break
            excess -= 1
            if p.state == BUSY:
                p.leaving = True
            else:
                self.leave(p)

    def set_productivity(self, person: Person, prod: float) -> None:
        """Change a person's productivity now; work in hand is re-timed from here on."""
        now = self.env._now
        if person.item is None:
            person.prod = prod
            return
        self._book(person, now)
        person.prod = prod
        item = person.item
        role = person.role
        hours = item.remaining / prod
        if role.clock is None:
            delay = hours
        else:
            delay = role.calendar.advance(now, hours) - now
            person.end_work = person.seg_work + hours if hours > 0 else person.seg_work
        person.pending.callbacks = []  # replaced by the re-timed completion
        person.pending = self.at(delay, PRIO_DONE, self._done, person)

    def leave(self, person: Person) -> None:
        now = self.env._now
        role = person.role
        if person.absent:  # leaves while on leave: the hours since the books were leave
            clock = role.clock
            hours = now - person.seg_start if clock is None else clock(now) - person.seg_work
            role.absences.hours[role.index] += hours
        else:
            self._book(person, now)
            self._book_available(person, now)
        if person.state == IDLE and person in role.idle:
            role.idle.remove(person)
        role.people.remove(person)
        person.state = GONE
        if person.projects:
            self.portfolio.person_left(person)


def _earliest(queues):
    """Take the head of whichever queue has the earliest key (arrival or due time); None if all are empty."""
    best = None
    key = 0.0
    for q in queues:
        if q.live:
            k = q.head_key()
            if best is None or k < key:
                best, key = q, k
    return best.pop() if best is not None else None
