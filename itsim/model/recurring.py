"""Recurring maintenance: releases on a cadence, due windows, lateness and skipping.

Cadences run on the work calendar: ``daily`` is every working day, ``weekly``
every working week, ``monthly`` a twelfth of a working year, and so on. An
occurrence is released at the start of the working day its period begins in;
it is late if finished after ``due_within_days`` (wall days) and *skipped* if
nobody has started it when the next occurrence is released: the hours it
would have taken are then neglect in its risk category.

Care and feeding of delivered systems (``[projects]
care_and_feeding_hours_per_week``) is its own category of maintenance: every
delivered project becomes a system with its own weekly task of that many hours,
first released one working week after delivery. Each system's occurrence is a
separate item, so several people can look after several systems in the same week,
and a system nobody looks after is skipped (and neglected) on its own.
"""

from __future__ import annotations

from itsim.model.queues import DueQueue
from itsim.model.work import RECURRING, RecurringTask
from itsim.record import ARRIVE, SKIP

WEEKS_PER_YEAR = 365.25 / 7
PERIOD_WEEKS = {
    "daily": None,
    "weekly": 1.0,
    "monthly": WEEKS_PER_YEAR / 12,
    "quarterly": WEEKS_PER_YEAR / 4,
    "annual": WEEKS_PER_YEAR,
}
CARE_AND_FEEDING = "Care and feeding of delivered systems"
#: The risk category of care and feeding (the scenario's tasks use ``RISKS``).
CARE_RISK = "care_and_feeding"


class TaskSchedule:
    """One recurring task: its cadence in working hours and its last occurrence."""

    def __init__(self, index, name, every, risk, due_hours, queue, effort, calendar):
        self.index = index
        self.name = name
        self.risk = risk
        self.due_hours = due_hours
        self.queue = queue
        self.effort = effort
        weeks = PERIOD_WEEKS[every]
        self.period = calendar.hours_per_day if weeks is None else weeks * calendar.hours_per_week
        self.first = 0.0  # on-shift hours (from time 0) of the first release
        self.k = 0
        self.last = None


class RecurringWork:
    def __init__(self, world):
        self.world = world
        sc = world.scenario
        cal = world.calendar
        self.calendar = cal
        queues: dict[tuple[str, ...], DueQueue] = {}

        def queue_for(handled_by: list[str]) -> DueQueue:
            key = tuple(handled_by)
            if key not in queues:
                roles = [world.role[r] for r in handled_by]
                q = DueQueue("recurring." + "+".join(key), 100, roles)
                queues[key] = q
                for role in roles:
                    role.recurring_queues.append(q)
            return queues[key]

        self.tasks: list[TaskSchedule] = []
        for i, t in enumerate(sc.recurring):
            stream = world.streams.stream(f"recurring.{t.name}.effort", t.effort_hours.sample)
            self.tasks.append(
                TaskSchedule(i, t.name, t.every, t.risk, t.due_within_days * 24.0, queue_for(t.handled_by),
                             stream, cal)
            )
        pj = sc.projects
        self.care_hours = pj.care_and_feeding_hours_per_week if pj is not None else 0.0
        #: the item class (``cls``) shared by every delivered system's care and feeding
        self.care_index = len(self.tasks)
        self.care_queue = queue_for(pj.handled_by) if self.care_hours > 0 else None

    @property
    def risks(self) -> list[str]:
        """Risk category of each item class: the scenario's tasks, then care and feeding."""
        return [t.risk for t in self.tasks] + ([CARE_RISK] if self.care_queue is not None else [])

    def system_delivered(self, project, now: float) -> None:
        """A delivered project becomes a system that needs ``care_hours`` every working week."""
        hours = self.care_hours
        cal = self.calendar
        task = TaskSchedule(self.care_index, f"{CARE_AND_FEEDING} (project {project.id})", "weekly", CARE_RISK,
                            7 * 24.0, self.care_queue, lambda: hours, cal)
        task.first = cal.clock(now) + task.period
        self._schedule(task)

    def start(self) -> None:
        for task in self.tasks:
            self._schedule(task)

    def _schedule(self, task: TaskSchedule) -> None:
        world = self.world
        t = self.calendar.opening(task.first + task.k * task.period)
        if t < world.end:
            world.at(max(t - world.env._now, 0.0), 3, self._release, task)

    def _release(self, ev) -> None:
        task = ev._value
        world = self.world
        now = world.env._now
        prev = task.last
        if prev is not None and prev.started < 0 and prev.alive:
            world.abandon(prev, SKIP)
            world.dynamics.neglected(prev, prev.effort, skipped=True)
        effort = task.effort()
        task.k += 1
        if effort > 0:
            due = now + task.due_hours
            iid = world.new_item_id(RECURRING, task.index, effort, due)
            world.log_event(now, ARRIVE, iid)
            item = RecurringTask(iid, task.queue, effort, now, task, due)
            task.last = item
            world.open_work += effort
            world.offer(item)
        else:
            task.last = None
        self._schedule(task)

    def finished(self, item: RecurringTask, now: float) -> None:
        """Late work feeds the tech-debt loop (lateness itself is read from the log)."""
        if now > item.due:
            self.world.dynamics.neglected(item, item.effort, skipped=False)
        self.world.policy.recurring_done(item, self.world.view)


