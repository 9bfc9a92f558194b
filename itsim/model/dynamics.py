"""The feedback loops of SPEC §1 (all off unless ``[dynamics]`` configures them).

1. Neglect -> tech debt -> more fires: skipped or late recurring work creates debt,
   which is paid down as remediation work (after projects, or before them with
   ``debt_paydown = "before_projects"``); the incident rate is multiplied by a
   factor that grows with debt at slope ``k`` and saturates at
   ``debt_incident_ceiling``: a neglected estate has more fires, not infinitely many.
2. Security exposure: skipped ``security`` work raises the daily hazard of a
   major security incident, a burst of P1 work.
3. Improvement pays back: delivered improvement projects cut the incident rate.
4. Care and feeding: see :mod:`itsim.model.recurring` (delivered projects add load).
5. Shadow IT: each withdrawn request, and each declined one the business builds
   itself, adds incidents later.
6. Burnout and churn: sustained utilisation lowers productivity and makes people
   leave; leavers are replaced after a hiring delay and ramp up while onboarding.
7. Interruptions and context switching: planned work interrupted by an incident
   costs ``resume_cost_hours`` more, and any interrupted work, or a switch of
   project, ``context_switch_hours``. Multitasking (several projects at once) is in
   :mod:`itsim.model.projects`.
"""

from __future__ import annotations

import math
from collections import deque

from itsim.distributions import Constant
from itsim.model.work import INCIDENT, RECURRING, RECURRING_RANK, WorkItem
from itsim.record import BREACH, LEAVE

REMEDIATION_RANK = RECURRING_RANK + 1


class Remediation(WorkItem):
    """A piece of tech-debt paydown; ``size`` is its hours when handed out."""

    __slots__ = ("size",)

    def __init__(self, id, queue, hours, arrival):
        WorkItem.__init__(self, id, RECURRING, REMEDIATION_RANK, queue, hours, arrival)
        self.size = hours


class DebtPool:
    """Outstanding tech debt, handed out as remediation chunks by the roles that do
    recurring work. Behaves like a queue for the dispatcher. By default it gets only
    leftover capacity (after projects): preventive work is what waits."""

    def __init__(self, world, dynamics, roles, chunk_hours: float):
        self.world = world
        self.dynamics = dynamics
        self.roles = roles
        self.rank = REMEDIATION_RANK
        self.name = "remediation"
        self.unassigned = 0.0
        self.chunk_hours = chunk_hours
        self.live = 0
        #: Paid down before projects (True) or only with leftover capacity (False).
        self.first = dynamics.cfg.debt_paydown == "before_projects"

    def add(self, hours: float) -> None:
        self.unassigned += hours
        self.dynamics.change_debt(hours)
        self.world.open_work += hours
        self.live = 1 if self.unassigned > 1e-9 else 0

    def head_key(self) -> float:
        return math.inf

    def pop(self):
        if self.unassigned <= 1e-9:
            return None
        hours = min(self.chunk_hours, self.unassigned)
        self.unassigned -= hours
        self.live = 1 if self.unassigned > 1e-9 else 0
        world = self.world
        iid = world.new_item_id(RECURRING, -1, hours)
        return Remediation(iid, self, hours, world.env._now)

    def push_front(self, item: Remediation) -> None:
        """A preempted piece: the hours worked are paid down, the rest go back."""
        self.dynamics.change_debt(item.remaining - item.size)
        self.unassigned += item.remaining
        self.live = 1 if self.unassigned > 1e-9 else 0

    push = push_front

    def done(self, item: Remediation) -> None:
        self.dynamics.change_debt(-item.size)


class Dynamics:
    def __init__(self, world):
        self.world = world
        sc = world.scenario
        cfg = sc.dynamics
        self.cfg = cfg
        # Read at every preemption: plain attributes.
        self.switch_hours = cfg.context_switch_hours
        self.resume_hours = cfg.resume_cost_hours
        self.pool = None
        if cfg.debt_on:
            roles = []
            for task in sc.recurring:
                for r in task.handled_by:
                    if world.role[r] not in roles:
                        roles.append(world.role[r])
            if roles:
                self.pool = DebtPool(world, self, roles, cfg.debt_chunk_hours)
                for role in roles:
                    role.remediation = self.pool
        self.improvement_factor = 1.0
        self.shadow_systems = 0
        #: Multiplier of the base incident rate now, kept up to date by every change to
        #: its inputs (it is read at each arrival).
        self.multiplier = 1.0
        self.exposure: deque[tuple[float, float]] = deque()
        self.exposed_hours = 0.0
        streams = world.streams
        self.security_u = streams.uniform("dynamics.security")
        effort = cfg.security_incident_effort_hours or Constant(dist="constant", value=80.0)
        self.security_effort = streams.stream("dynamics.security_effort", effort.sample)
        self.attrition_u = streams.uniform("dynamics.attrition")
        self.burnt = [False] * len(world.roles)
        self.staff_left = 0
        # Each role's busy and available hours of the last days of the burnout window.
        days = max(1, int(round(cfg.burnout_window_weeks * 7)))
        # Daily chance that a person leaves, for a calm and for a burnt-out role.
        self._p_leave = (
            1.0 - math.exp(-cfg.attrition_per_year / 365.0),
            1.0 - math.exp(-(cfg.attrition_per_year + cfg.burnout_attrition_per_year) / 365.0),
        )
        self._busy_window = [deque(maxlen=days) for _ in world.roles]
        self._available_window = [deque(maxlen=days) for _ in world.roles]

    @property
    def shapes_incidents(self) -> bool:
        c = self.cfg
        return (
            c.incident_rate_per_debt_hour > 0 or c.improvement_incident_reduction > 0
            or c.shadow_it_incidents_per_week > 0
        )

    def change_debt(self, hours: float) -> None:
        """Tech debt grows (or is paid down, ``hours`` < 0)."""
        self.world.tech_debt += hours
        self.multiplier = self.incident_multiplier()

    def debt_multiplier(self) -> float:
        """How much tech debt multiplies the incident rate: slope ``incident_rate_per_debt_hour``
        at zero debt, saturating toward ``debt_incident_ceiling``."""
        c = self.cfg
        k = c.incident_rate_per_debt_hour
        debt = self.world.tech_debt
        if k <= 0 or debt <= 0:
            return 1.0
        headroom = c.debt_incident_ceiling - 1.0
        return 1.0 + headroom * -math.expm1(-k * debt / headroom)

    def incident_multiplier(self) -> float:
        """Multiplier of the base incident rate from tech debt, improvements and shadow IT."""
        c = self.cfg
        m = self.debt_multiplier() * self.improvement_factor
        if self.shadow_systems and c.shadow_it_incidents_per_week > 0:
            base = self.world.incidents.base_per_week
            m += self.shadow_systems * c.shadow_it_incidents_per_week / base if base > 0 else 0.0
        return m

    # -- hooks called by the model -------------------------------------------------------

    def neglected(self, item, hours: float, skipped: bool) -> None:
        """Recurring work skipped (or done late): debt and, for security work, exposure."""
        c = self.cfg
        if self.pool is not None:
            debt = hours * (c.debt_per_skipped_hour if skipped else c.debt_per_late_hour)
            if debt > 0:
                self.pool.add(debt)
                self.world.wake(self.pool.roles)
        if skipped and item.task.risk == "security" and c.security_hazard_per_exposed_hour > 0:
            self.exposure.append((self.world.env._now + c.exposure_days * 24.0, hours))
            self.exposed_hours += hours

    def project_delivered(self, project) -> None:
        c = self.cfg
        if project.improvement and c.improvement_incident_reduction > 0:
            self.improvement_factor = max(
                c.improvement_floor, self.improvement_factor * (1.0 - c.improvement_incident_reduction)
            )
            self.multiplier = self.incident_multiplier()

    def shadow_system_added(self) -> None:
        """A request went to shadow IT (withdrawn, or declined and built by the business)."""
        self.shadow_systems += 1
        self.multiplier = self.incident_multiplier()

    def interrupted(self, item) -> None:
        """Interrupted work costs extra hours when it is resumed: the resume cost on planned
        work, the context switch on any work. The item table keeps the whole effort."""
        penalty = self.switch_hours if item.kind == INCIDENT else self.switch_hours + self.resume_hours
        if penalty > 0:
            item.remaining += penalty
            world = self.world
            world.open_work += penalty
            world.log.effort[item.id] += penalty

    def switched_project(self, item) -> None:
        """A person picks up a project they did not work on last: the context switch is paid."""
        penalty = self.switch_hours
        if penalty > 0:
            item.remaining += penalty
            world = self.world
            world.open_work += penalty
            world.log.effort[item.id] += penalty

    def person_joined(self, person, now: float) -> None:
        """Newcomers ramp up (with burnout and churn on): the daily check restores full speed."""
        if now > 0 and self.cfg.churn_on and self.cfg.onboarding_days > 0:
            person.prod = person.role.productivity * self.cfg.onboarding_productivity

    # -- once a day ---------------------------------------------------------------------

    def daily(self, now: float) -> None:
        c = self.cfg
        if c.security_hazard_per_exposed_hour > 0:
            self._security(now)
        if c.churn_on:
            self._people(now)

    def _security(self, now: float) -> None:
        while self.exposure and self.exposure[0][0] <= now:
            self.exposed_hours -= self.exposure.popleft()[1]
        hazard = self.cfg.security_hazard_per_exposed_hour * max(self.exposed_hours, 0.0)
        if self.security_u() < 1.0 - math.exp(-hazard):
            world = self.world
            effort = self.security_effort()
            first = world.incidents.inject_major(effort, self.cfg.security_incident_people)
            world.log_event(now, BREACH, first)

    def _people(self, now: float) -> None:
        c = self.cfg
        world = self.world
        busy = world.ledger.busy[-1]
        available = world.ledger.available[-1]
        onboarding_hours = c.onboarding_days * 24
        for role in world.roles:
            if role.standby:  # on call: busy whenever available, and no one's job alone
                continue
            i = role.index
            self._busy_window[i].append(busy[i * 3] + busy[i * 3 + 1] + busy[i * 3 + 2])
            self._available_window[i].append(available[i])
            a = sum(self._available_window[i])
            b = sum(self._busy_window[i])
            burnt = self.burnt[i] = a > 0 and b / a > c.burnout_utilization
            burn = 1.0 - c.burnout_productivity_loss if burnt else 1.0
            p_leave = self._p_leave[burnt]
            people = role.people
            draws = self.attrition_u.take(max(len(people), 1))
            full = role.productivity * burn
            for person in people:
                if person.prod == full and person.joined <= 0:
                    continue  # at full speed and never onboarding: nothing to change
                onboarding = person.joined > 0 and now - person.joined < onboarding_hours
                target = full * c.onboarding_productivity if onboarding else full
                if abs(person.prod - target) > 1e-12:
                    world.set_productivity(person, target)
            if min(draws) < p_leave:
                for k, person in enumerate(list(people)):  # a copy: leavers leave the list
                    if not person.leaving and draws[k] < p_leave:
                        self._leaves(person, now)

    def _leaves(self, person, now: float) -> None:
        world = self.world
        role = person.role
        role.vacancies += 1
        self.staff_left += 1
        world.log_event(now, LEAVE, person.id)
        if person.item is not None:
            person.leaving = True
        else:
            world.leave(person)
        world.at(self.cfg.hiring_delay_days * 24.0, 1, self._hired, role)

    def _hired(self, ev) -> None:
        role = ev._value
        role.vacancies -= 1
        world = self.world
        world.set_staff(role, world.phases.staff_target(role.name, world.env._now) - role.vacancies)
