"""The world as a policy sees it.

Every decision point of a policy (:class:`itsim.policies.base.Policy`) is handed
``world``, an object that offers :class:`WorldView`: the clock, the scenario, the
roles, counts of waiting work, the work a free person may take, the hours booked,
and two ways to act on time (:meth:`WorldView.schedule`, :meth:`WorldView.wake`).
Hooks are also handed people, roles, work items and projects; what a policy may
read of them is :class:`Person`, :class:`Role`, :class:`WorkItem`,
:class:`RecurringTask` and :class:`Project`. Nothing else of the engine is part of
the interface: it may change from one version to the next.

Times are hours since time 0, which is a Monday 00:00; days and weeks count from
there. Effort is hours of work at productivity 1; a person of productivity ``p``
needs ``effort / p`` on-shift hours.

The engine builds one :class:`BoundView` per run. The ``take_*`` methods,
:meth:`~WorldView.booked_since` and :meth:`~WorldView.wake` are the engine's own
methods, bound once when the view is built: a policy calling them pays no call in
between.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from itsim.model.work import INCIDENT, PROJECT, RECURRING, RECURRING_RANK

if TYPE_CHECKING:  # pragma: no cover
    from itsim.model.world import World
    from itsim.scenario import Scenario

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
#: The kinds of work, as :attr:`WorkItem.kind` gives them.
KINDS = {"incident": INCIDENT, "recurring": RECURRING, "project": PROJECT}
#: The project states :meth:`WorldView.projects` lists.
PROJECT_STATES = ("waiting", "in_progress")

__all__ = [
    "INCIDENT", "RECURRING", "PROJECT", "RECURRING_RANK", "PROJECT_STATES", "WorldView", "Person", "Role",
    "WorkItem", "RecurringTask", "Project", "BoundView",
]


class Role(Protocol):
    """One ``[[team]]`` entry as a policy sees it (people on call form a role of their own,
    named ``<role>_on_call``). Roles are compared by identity: keep them in sets and dicts."""

    @property
    def name(self) -> str:
        """The ``role`` of its ``[[team]]`` entry."""

    @property
    def index(self) -> int:
        """Its place in :attr:`WorldView.roles` (``[[team]]`` order, the on-call role last)."""


class WorkItem(Protocol):
    """A piece of work: an incident, an occurrence of recurring work, a piece of tech-debt
    paydown, or a chunk of a project."""

    @property
    def id(self) -> int:
        """Its row in the run's item table (``run.events["item"]``)."""

    @property
    def kind(self) -> int:
        """:data:`INCIDENT`, :data:`RECURRING` (tech-debt paydown too) or :data:`PROJECT`."""

    @property
    def rank(self) -> int:
        """Its place in the order of work, smallest first: an incident's priority class
        (0 for P1, 1 for P2, ...), :data:`RECURRING_RANK` (100) for recurring work, 101
        for tech-debt paydown, 200 for project chunks. Work may be interrupted only by
        an incident of a smaller rank."""

    @property
    def arrival(self) -> float:
        """When it arrived or was released (hours)."""


class RecurringTask(WorkItem, Protocol):
    """One occurrence of a recurring maintenance task (what ``recurring_done`` is handed)."""

    @property
    def due(self) -> float:
        """When it is due (hours)."""

    @property
    def effort(self) -> float:
        """Its effort (hours at productivity 1)."""

    @property
    def task_index(self) -> int:
        """Its task's place in ``scenario.recurring``; ``len(scenario.recurring)`` for the
        care and feeding of delivered systems."""


class Person(Protocol):
    """A member of staff as a policy sees them."""

    @property
    def id(self) -> int:
        """A number of their own, in order of joining (``run.events["person"]``)."""

    @property
    def role(self) -> Role:
        """Their role."""

    @property
    def item(self) -> WorkItem | None:
        """The work in their hands, None if they hold none."""


class Project(Protocol):
    """A project request (accepted or not) as a portfolio board sees it: its true size
    is not part of it."""

    @property
    def id(self) -> int:
        """Its number, in order of request (``project`` in ``run.projects`` and ``run.events``)."""

    @property
    def requested(self) -> float:
        """When it was requested (hours)."""

    @property
    def estimate(self) -> float:
        """Its estimated effort (hours); the work it really takes is
        ``estimate x estimate_bias x noise``."""

    @property
    def value(self) -> float:
        """Its cost of delay (money per week); 0 without ``[projects] value_per_week``."""

    @property
    def improvement(self) -> bool:
        """Whether it is an improvement project (one that cuts the incident rate once delivered)."""

    @property
    def share_left(self) -> float:
        """The share of its work not yet handed out to people (1 while it waits)."""


class WorldView(Protocol):
    """The world as a policy sees it: what every decision point is handed as ``world``."""

    # -- the clock ------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The simulated time (hours since time 0, a Monday 00:00)."""

    @property
    def day(self) -> int:
        """Days since time 0 (day 0 is a Monday)."""

    @property
    def week(self) -> int:
        """Weeks since time 0; each week runs from Monday 00:00 to Monday 00:00."""

    @property
    def weekday(self) -> int:
        """The day of the week: 0 is Monday, 6 Sunday."""

    @property
    def warmup_end(self) -> float:
        """When the warm-up ends and the measured horizon begins (hours)."""

    @property
    def horizon_end(self) -> float:
        """When the run ends (hours); nothing happens at or after it."""

    def on_shift(self, role: Role) -> bool:
        """Whether ``role``'s calendar has it on shift now (its people may still be away
        on leave); round the clock, always."""

    # -- the scenario and the team ------------------------------------------------------------

    @property
    def scenario(self) -> Scenario:
        """The scenario being run, after every policy's ``adjust``."""

    @property
    def roles(self) -> Sequence[Role]:
        """Every role, in ``[[team]]`` order, the on-call role last."""

    @property
    def project_roles(self) -> Sequence[Role]:
        """The roles that do project work, in the order of ``[projects] handled_by``
        (none without ``[projects]``)."""

    def role(self, name: str) -> Role:
        """The role called ``name`` (``KeyError`` if there is none)."""

    def handles(self, role: Role, kind: int) -> bool:
        """Whether ``role`` takes work of ``kind`` (:data:`INCIDENT`, :data:`RECURRING` or
        :data:`PROJECT`): it is among the roles that handle such work in the scenario."""

    def people(self, role: Role) -> Sequence[Person]:
        """The people of ``role`` in order of joining, those on leave and those about to
        leave included. Read it, never change it."""

    def head_count(self, role: Role) -> int:
        """People in ``role`` now, not counting those who leave once their work in hand is
        done (0 while the policy is bound before time starts: the team joins at time 0)."""

    def productivity(self, role: Role) -> float:
        """Hours of work a person of ``role`` does per on-shift hour: the team's
        ``productivity`` less its ``overhead_share`` (burnout and onboarding aside)."""

    def shift_hours_per_week(self, role: Role) -> float:
        """On-shift hours per person per week of ``role``'s calendar, averaged over a year
        (168 round the clock; 40 less public holidays on business hours)."""

    # -- waiting work -----------------------------------------------------------------------

    def incidents_waiting(self, role: Role, max_rank: int | None = None) -> int:
        """Incidents waiting that ``role`` may take, of every class or only of ranks up to
        ``max_rank`` (0: P1 only)."""

    def recurring_waiting(self, role: Role) -> int:
        """Occurrences of recurring work waiting that ``role`` may take."""

    def tech_debt_waiting(self, role: Role) -> float:
        """Hours of tech debt waiting to be paid down that ``role`` may take (0 if the role
        does not pay debt down)."""

    @property
    def tech_debt_hours(self) -> float:
        """Tech debt outstanding (hours), paydown in hand included."""

    @property
    def open_work_hours(self) -> float:
        """Effort of all accepted work not yet done (hours): waiting and in hand."""

    def projects_waiting(self) -> int:
        """Accepted projects not yet started."""

    def projects_in_progress(self) -> int:
        """Projects started and not yet delivered or withdrawn (the work in progress)."""

    def projects(self, state: str) -> Sequence[Project]:
        """The projects ``"waiting"`` (in order of request) or ``"in_progress"`` (in order of
        starting). Read it, never change it."""

    def has_planned_work(self, person: Person) -> bool:
        """Whether planned work waits that ``person`` could take now: recurring work, tech
        debt, or project work (of their own projects, a team with room, or a waiting
        project the policy lets start)."""

    # -- taking work ----------------------------------------------------------------------

    def take_default(self, person: Person) -> WorkItem | None:
        """Firefight first: the incident of the highest class (first come first served
        within a class), else what :meth:`take_planned` takes. Removed from its queue:
        return it from ``select``."""

    def take_incident(self, role: Role, max_rank: int | None = None) -> WorkItem | None:
        """The first waiting incident ``role`` may take, highest class first (only ranks up
        to ``max_rank``, if given), removed from its queue; None if there is none."""

    def take_recurring(self, role: Role) -> WorkItem | None:
        """The waiting occurrence of recurring work due first that ``role`` may take,
        removed from its queue; None if there is none."""

    def take_remediation(self, role: Role) -> WorkItem | None:
        """A piece of tech-debt paydown (at most ``[dynamics] debt_chunk_hours``), if
        ``role`` pays debt down and there is any; None otherwise."""

    def take_project_chunk(self, person: Person) -> WorkItem | None:
        """A chunk (at most ``[projects] chunk_hours``) of ``person``'s own most urgent
        project with work left, else of a project in progress whose team has room (they
        join it), else of a waiting project the policy lets start (they start it); None
        if there is none or ``person``'s role does no project work."""

    def take_planned(self, person: Person) -> WorkItem | None:
        """Planned work: recurring work by due time, then a project chunk, then tech-debt
        paydown (before projects with ``[dynamics] debt_paydown = "before_projects"``)."""

    # -- hours --------------------------------------------------------------------------

    def booked_since(self, role: Role, kind: int, day: int) -> float:
        """Person-hours ``role`` has spent on work of ``kind`` from the start of ``day``
        until now, stretches still running included (on-shift hours; tech-debt paydown
        books as :data:`RECURRING`)."""

    @property
    def days_closed(self) -> int:
        """Days whose hours are booked in the daily books (each closes at midnight)."""

    def booked_on(self, role: Role, kind: int, day: int) -> float:
        """Person-hours ``role`` spent on work of ``kind`` on ``day``, a day already closed
        (``day < days_closed``)."""

    def idle_on(self, role: Role, day: int) -> float:
        """Person-hours ``role`` was on shift, present and idle on ``day``, a day already
        closed."""

    # -- acting on time -------------------------------------------------------------------

    def schedule(self, delay: float, action: Callable[[], object]) -> None:
        """Call ``action()`` after ``delay`` hours, among that instant's capacity changes
        (after work finishing, before arrivals; see the same-time event order)."""

    def wake(self, roles: Sequence[Role]) -> None:
        """Let the idle people of ``roles`` look for work again (``select`` is asked), for
        when the policy's own answer has changed, such as a new week's rotation."""


#: What to use instead of the engine's own attributes that policies once read.
INSTEAD = {
    "portfolio": "projects_waiting(), projects_in_progress() or projects(state)",
    "ledger": "booked_on(), idle_on() or booked_since()",
    "env": "now",
    "end": "horizon_end",
    "warmup": "warmup_end",
    "at": "schedule()",
    "tech_debt": "tech_debt_hours",
    "open_work": "open_work_hours",
    "policy": "the policy's own attributes (self)",
}


def _call(event) -> None:
    event._value()


class BoundView:
    """The :class:`WorldView` of one world. The engine's own methods are bound once, as
    attributes; the rest read the engine's running counts."""

    __slots__ = (
        "scenario", "roles", "project_roles", "warmup_end", "horizon_end", "take_default",
        "take_incident", "take_recurring", "take_remediation", "take_planned", "booked_since", "wake",
        "_world", "_env", "_portfolio", "_ledger", "_at",
    )

    def __init__(self, world: World):
        self._world = world
        self._env = world.env
        self._portfolio = pf = world.portfolio
        self._ledger = world.ledger
        self._at = world.at
        self.scenario = world.scenario
        self.roles = world.roles
        self.project_roles = pf.roles if pf is not None else []
        self.warmup_end = world.warmup
        self.horizon_end = world.end
        # Bound once: calling them costs what calling the engine does.
        self.take_default = world.take_default
        self.take_incident = world.take_incident
        self.take_recurring = world.take_recurring
        self.take_remediation = world.take_remediation
        self.take_planned = world.take_planned
        self.booked_since = world.booked_since
        self.wake = world.wake

    def __getattr__(self, name: str):
        """Only for names the view lacks: say what a policy may use instead."""
        from itsim.scenario_text import did_you_mean

        if name in INSTEAD:
            hint = f"; use {INSTEAD[name]}"
        else:
            hint = did_you_mean(name, [n for n in dir(WorldView) if not n.startswith("_")])
        raise AttributeError(f"a policy sees the world as itsim.policies.view.WorldView, which has no {name!r}{hint}")

    # -- the clock

    @property
    def now(self) -> float:
        return self._env._now

    @property
    def day(self) -> int:
        return int(self._env._now // HOURS_PER_DAY)

    @property
    def week(self) -> int:
        return int(self._env._now // HOURS_PER_WEEK)

    @property
    def weekday(self) -> int:
        return int(self._env._now // HOURS_PER_DAY) % 7

    def on_shift(self, role) -> bool:
        return role.clock is None or role.shift_start <= self._env._now < role.shift_end

    # -- the team

    def role(self, name: str):
        return self._world.role[name]

    def handles(self, role, kind: int) -> bool:
        if kind == INCIDENT:
            return bool(role.incident_queues)
        if kind == RECURRING:
            return bool(role.recurring_queues)
        if kind == PROJECT:
            return role.takes_projects
        raise ValueError(f"kind must be INCIDENT, RECURRING or PROJECT ({KINDS}), got {kind!r}")

    def people(self, role):
        return role.people

    def head_count(self, role) -> int:
        return sum(1 for p in role.people if not p.leaving)

    def productivity(self, role) -> float:
        return role.productivity

    def shift_hours_per_week(self, role) -> float:
        return role.calendar.hours_per_week

    # -- waiting work

    def incidents_waiting(self, role, max_rank: int | None = None) -> int:
        return sum(q.live for q in role.incident_queues if max_rank is None or q.rank <= max_rank)

    def recurring_waiting(self, role) -> int:
        return role.recurring_waiting

    def tech_debt_waiting(self, role) -> float:
        pool = role.remediation
        return pool.unassigned if pool is not None and pool.live else 0.0

    @property
    def tech_debt_hours(self) -> float:
        return self._world.tech_debt

    @property
    def open_work_hours(self) -> float:
        return self._world.open_work

    def projects_waiting(self) -> int:
        return len(self._portfolio.waiting) if self._portfolio is not None else 0

    def projects_in_progress(self) -> int:
        return len(self._portfolio.in_progress) if self._portfolio is not None else 0

    def projects(self, state: str):
        if state not in PROJECT_STATES:
            raise ValueError(f"state must be one of {', '.join(PROJECT_STATES)}, got {state!r}")
        pf = self._portfolio
        if pf is None:
            return []
        return pf.waiting if state == "waiting" else pf.in_progress

    def has_planned_work(self, person) -> bool:
        role = person.role
        if role.recurring_waiting or (role.remediation is not None and role.remediation.live):
            return True
        return role.takes_projects and self._portfolio.has_work_for(person)

    # -- taking work

    def take_project_chunk(self, person):
        return self._portfolio.next_chunk(person) if person.role.takes_projects else None

    # -- hours

    @property
    def days_closed(self) -> int:
        return len(self._ledger.busy)

    def booked_on(self, role, kind: int, day: int) -> float:
        return self._ledger.busy[day][role.index * 3 + kind]

    def idle_on(self, role, day: int) -> float:
        return self._ledger.idle[day][role.index]

    # -- acting on time

    def schedule(self, delay: float, action) -> None:
        from itsim.model.world import PRIO_CAPACITY  # the world imports the policies: not at the top

        self._at(delay, PRIO_CAPACITY, _call, action)
