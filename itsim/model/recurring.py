"""Recurring maintenance: releases on a cadence, due windows, lateness and skipping.

Cadences run on the work calendar: ``daily`` is every working day, ``weekly``
every working week, ``monthly`` a twelfth of a working year, and so on. An
occurrence is released at the start of the working day its period begins in;
it is late if finished after ``due_within_days`` (wall days) and *skipped* if
nobody has started it when the next occurrence is released: the hours it
would have taken are then neglect in its risk category.
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
        if pj is not None and pj.care_and_feeding_hours_per_week > 0:
            per = pj.care_and_feeding_hours_per_week

            def care() -> float:
                return per * world.portfolio.delivered_count

            self.tasks.append(
                TaskSchedule(len(self.tasks), CARE_AND_FEEDING, "weekly", "availability", 7 * 24.0,
                             queue_for(pj.handled_by), care, cal)
            )

    @property
    def risks(self) -> list[str]:
        return [t.risk for t in self.tasks]

    def start(self) -> None:
        for task in self.tasks:
            self._schedule(task)

    def _schedule(self, task: TaskSchedule) -> None:
        world = self.world
        t = self.calendar.opening(task.k * task.period)
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
        self.world.policy.recurring_done(item, self.world)


