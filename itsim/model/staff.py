"""People and roles: who is on shift, who is free, and what each is doing."""

from __future__ import annotations

import math

from itsim.model.calendar import AlwaysOn, BusinessHours

IDLE, BUSY, OFF, GONE = 0, 1, 2, 3


class Person:
    """One member of staff. ``seg_start`` is when the current busy or idle stretch began
    and ``seg_work`` the role calendar's on-shift clock then (hours); ``end_work`` is that
    clock when the work in hand will be done. An ``absent`` person (vacation, sickness)
    stays off shift all day and holds no work."""

    __slots__ = (
        "id", "role", "item", "rank", "state", "seg_start", "seg_work", "end_work", "pending", "leaving", "joined",
        "prod", "last_project", "projects", "absent", "away_left",
    )

    def __init__(self, id: int, role: Role, now: float, on_shift: bool):
        self.id = id
        self.role = role
        self.item = None
        self.rank = -1  # rank of the work in hand (-1: none)
        self.state = IDLE if on_shift else OFF
        self.seg_start = now
        self.seg_work = role.clock(now) if role.clock is not None else now
        self.end_work = self.seg_work
        self.pending = None
        self.leaving = False
        self.joined = now
        self.prod = role.productivity
        self.last_project = None
        self.projects: list = []  # the projects this person is assigned to
        self.absent = False  # on vacation or sick today
        self.away_left = 0  # working days of vacation still to come after today


class Role:
    """All people of one ``[[team]]`` entry, with the queues they may serve.

    ``incident_ranks`` lists, highest priority first, the groups of incident queues of
    equal rank this role may take from; ``recurring_queues`` and ``projects`` likewise.
    """

    __slots__ = (
        "index", "name", "calendar", "clock", "productivity", "cost_per_hour", "skills", "people", "idle",
        "incident_ranks", "incident_queues", "incidents_waiting", "recurring_queues", "recurring_waiting",
        "remediation", "takes_projects", "target", "vacancies", "shift_start", "shift_end", "shift_end_work",
        "overhead", "vacation_days", "sick_days", "standby", "absences",
    )

    def __init__(self, index: int, team, calendar: AlwaysOn | BusinessHours, time: dict[str, float]):
        self.index = index
        self.name = team.role
        self.calendar = calendar
        self.clock = None if isinstance(calendar, AlwaysOn) else calendar.clock
        #: Share of on-shift time spent on meetings, admin and email: work moves at the
        #: rest of the person's pace, so ``productivity`` is per on-shift hour.
        self.overhead = time["overhead_share"]
        self.productivity = team.productivity * (1.0 - self.overhead)
        self.vacation_days = time["vacation_days_per_year"]  # working days a year (see model/leave.py)
        self.sick_days = time["sick_days_per_year"]
        self.cost_per_hour = team.cost_per_hour
        self.standby = False  # on call: available (and paid) only while working
        self.absences = None  # the run's Leave, when this role's people take leave
        self.skills = set(team.skills)
        self.people: list[Person] = []
        self.idle: list[Person] = []
        self.incident_ranks: list[list] = []
        self.incident_queues: list = []  # the same queues, flat
        self.incidents_waiting = 0  # live items in incident_queues, when they are counted
        self.recurring_queues: list = []
        self.recurring_waiting = 0  # live items in recurring_queues
        self.remediation = None
        self.takes_projects = False
        self.target = team.count
        self.vacancies = 0
        # The shift in progress or last worked: wall-clock start and end, on-shift clock at its end.
        self.shift_start = self.shift_end = self.shift_end_work = -math.inf

    def add_incident_queue(self, queue) -> None:
        self.incident_queues.append(queue)
        for group in self.incident_ranks:
            if group[0].rank == queue.rank:
                group.append(queue)
                return
        self.incident_ranks.append([queue])
        self.incident_ranks.sort(key=lambda g: g[0].rank)

    def work_clock(self, now: float) -> float:
        """The calendar's on-shift clock at ``now`` (hours); within the shift in progress,
        on-shift hours run with the wall clock, so no calendar arithmetic is needed."""
        if self.shift_start <= now < self.shift_end:
            return self.shift_end_work - (self.shift_end - now)
        return self.clock(now)

    @property
    def lowest_incident_rank(self) -> int:
        return self.incident_ranks[-1][0].rank if self.incident_ranks else -1
