"""Leave: who is on vacation or sick each working day.

At the start of each working day of their calendar, each person not in the middle of
a vacation draws (one draw each, in the order of the staff list, from the stream
``staff.leave``) whether they are sick that day or start a week's vacation, with the
chances that give ``[[team]] vacation_days_per_year`` and ``sick_days_per_year`` on
average. An absent person stays off shift all day; work in their hands goes back to
its queue; back from leave, they are free again at their next shift.
"""

from __future__ import annotations

from itsim.model.staff import GONE, IDLE, OFF

VACATION_BLOCK_DAYS = 5  # vacation is taken a working week at a time


def leave_chances(vacation_days: float, sick_days: float, working_days: float) -> tuple[float, float]:
    """Chances, at the start of a working day, that a person who is not already on
    vacation is sick that day, or starts a week's vacation, so that a year holds
    ``sick_days`` and ``vacation_days`` of them on average among ``working_days``.

    Decisions are taken on the days not covered by a vacation under way:
    ``working_days - vacation_days x (B - 1) / B`` of them, with ``B`` days a block.
    """
    decided = working_days - vacation_days * (VACATION_BLOCK_DAYS - 1) / VACATION_BLOCK_DAYS
    if decided <= 0:
        return 0.0, 0.0
    return sick_days / decided, vacation_days / VACATION_BLOCK_DAYS / decided


def takes_leave(role) -> bool:
    return role.vacation_days > 0 or role.sick_days > 0


class Leave:
    """Absences of the roles whose people take leave, decided day by day."""

    def __init__(self, world):
        self.world = world
        self.roles = [r for r in world.roles if takes_leave(r)]
        for role in self.roles:
            role.absences = self
        #: Leave hours booked today, per role (the daily books take them and start afresh).
        self.hours = [0.0] * len(world.roles)
        #: Per role: (chance of a sick day, chance of a sick day or a vacation's start).
        self.chances = {}
        for role in self.roles:
            cal = role.calendar
            sick, vacation = leave_chances(role.vacation_days, role.sick_days,
                                           cal.hours_per_week / cal.hours_per_day * 365.25 / 7)
            self.chances[role.index] = (sick, sick + vacation)
        self.draw = world.streams.uniform("staff.leave")

    def day_starts(self, now: float) -> None:
        """Decide who is away on the day starting at ``now`` (a day boundary)."""
        day = int(now // 24.0)
        draw = self.draw
        for role in self.roles:
            if not role.calendar.is_working_day(day):
                continue
            sick, vacation = self.chances[role.index]
            for p in list(role.people):  # a copy: someone back at once may join the idle pool
                if p.away_left > 0:
                    p.away_left -= 1
                    continue  # on vacation still
                u = draw()
                if u < sick:
                    self._away(p, 0)
                elif u < vacation:
                    self._away(p, VACATION_BLOCK_DAYS - 1)
                elif p.absent:
                    p.absent = False
                    if role.clock is None:  # always on shift: free at once
                        p.seg_start = now
                        self.world.free(p)

    def _away(self, person, more_days: int) -> None:
        """``person`` is away today and ``more_days`` working days after it."""
        person.away_left = more_days
        if person.absent:
            return
        person.absent = True
        if person.item is not None:  # booked up to now by the daily books
            self.world.hand_back(person)
        elif person.state == IDLE and person in person.role.idle:
            person.role.idle.remove(person)
        if person.state != GONE:
            person.state = OFF
