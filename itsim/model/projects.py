"""Projects: requests, biased estimates, the portfolio, assignments, chunks, delivery.

A request is estimated (``estimate_hours``) but really takes
``estimate x estimate_bias x noise`` hours (noise lognormal with mean 1 and
``estimate_noise_cv``). An accepted request is *started* (committed) as soon as
the policy allows (every accepted request at once, unless a policy such as
``wip_limit`` holds it in the portfolio), and given an owner: the project person
with the fewest projects (an idle one first, then the longest-serving). Projects
are pushed onto people, as in most departments, so a person can hold several.

A person works on their own projects first, the most urgent by the policy's
portfolio order (first requested first by default), in chunks of at most
``chunk_hours``; with nothing of their own to do, they join a project in progress
whose team has room (at most ``max_people_per_project`` people), else start one
that waits. Holding ``n`` projects costs the share ``[dynamics] multitasking_loss``
of the time spent on each chunk (Weinberg 1992: 20% with two, 40% with three...),
booked as extra effort on the chunk. A project is delivered when its last chunk is
done, and leaves its team. Cost of delay accrues at ``value_per_week`` from request
to delivery. A request on which no work has started within the requester's
patience (``patience_days``) is withdrawn: the business builds it itself (shadow IT).
"""

from __future__ import annotations

import math

import numpy as np

from itsim.model.arrivals import ArrivalClock
from itsim.model.staff import IDLE
from itsim.model.work import PROJECT, PROJECT_RANK, ProjectChunk
from itsim.record import COMMIT, DECLINE, DELIVER, REQUEST, WITHDRAW

WAITING, IN_PROGRESS, DELIVERED, DECLINED, WITHDRAWN = range(5)
#: The name of each state code, as the portfolio table of a run shows it.
STATE_NAMES = ("waiting", "in_progress", "delivered", "declined", "withdrawn")
EMPTY = 1e-9  # hours of work below which a project has nothing left to hand out


class Project:
    """One request. ``unassigned`` is the effort (hours) not yet handed out as chunks;
    ``active`` the chunks in people's hands; ``team`` the people assigned to it."""

    __slots__ = (
        "id", "requested", "estimate", "actual", "value", "improvement", "unassigned", "active",
        "started", "finished", "state", "team", "worked", "shadow_it",
    )

    def __init__(self, id, requested, estimate, actual, value, improvement):
        self.id = id
        self.requested = requested
        self.estimate = estimate
        self.actual = actual
        self.value = value
        self.improvement = improvement
        self.unassigned = actual
        self.active = 0
        self.started = math.nan
        self.finished = math.nan
        self.state = WAITING
        self.team: list = []
        self.worked = False  # some chunk of it has been handed out
        self.shadow_it = False  # withdrawn, or declined and built by the business itself

    @property
    def share_left(self) -> float:
        """The share of its work not yet handed out as chunks (1 while it waits; 0 for a
        project of no work)."""
        return self.unassigned / self.actual if self.actual > 0 else 0.0


class Portfolio:
    def __init__(self, world):
        self.world = world
        cfg = world.scenario.projects
        self.cfg = cfg
        self.roles = [world.role[r] for r in cfg.handled_by]
        for role in self.roles:
            role.takes_projects = True
        s = world.streams
        self.interarrival = s.exponential("projects.arrivals")
        self.estimate = s.stream("projects.estimate", cfg.estimate_hours.sample)
        cv = cfg.estimate_noise_cv
        sigma = math.sqrt(math.log1p(cv * cv))
        self.noise = s.stream("projects.noise", lambda rng, n: rng.lognormal(-sigma * sigma / 2, sigma, n))
        self.value = (
            s.stream("projects.value", cfg.value_per_week.sample)
            if cfg.value_per_week is not None
            else None
        )
        self.improvement_u = s.uniform("projects.improvement")
        self.patience = (
            s.stream("projects.patience", cfg.patience_days.sample) if cfg.patience_days is not None else None
        )
        self.shadow_u = s.uniform("projects.declined_shadow_it")
        cal = world.calendar
        per_working_hour = cfg.rate_per_hour * 168.0 / cal.hours_per_week
        self.clock = ArrivalClock(
            per_working_hour * world.scenario.demand_scale, cal, None, world.phases.project_scale, None
        )
        self.limit = cfg.max_people_per_project
        self.chunk_hours = cfg.chunk_hours
        loss = world.scenario.dynamics.multitasking_loss
        #: Share of a chunk's time that is work, by the number of projects held (index 0: one).
        self.focus = [1.0 - x for x in loss]
        self.projects: list[Project] = []
        self.waiting: list[Project] = []
        self.in_progress: list[Project] = []
        self.with_room = 0  # projects in progress for which _has_room holds
        #: The most projects in progress at once over the whole run, warm-up included. A run
        #: whose in-progress count never passed a WIP limit is the same run with that limit.
        self.wip_peak = 0
        self.delivered_count = 0
        self.care = cfg.care_and_feeding_hours_per_week > 0  # delivered projects need looking after

    @property
    def backlog(self) -> int:
        return len(self.waiting) + len(self.in_progress)

    def start(self) -> None:
        t = self.clock.next_after(0.0, self.interarrival())
        if t < self.world.end:
            self.world.at(t, 3, self._request)

    def _request(self, ev) -> None:
        world = self.world
        now = world.env._now
        estimate = self.estimate()
        actual = estimate * self.cfg.estimate_bias * self.noise()
        value = self.value() if self.value is not None else 0.0
        improvement = self.improvement_u() < self.cfg.improvement_share
        patience = self.patience() * 24.0 if self.patience is not None else math.inf
        shadow = self.shadow_u() < self.cfg.declined_shadow_it_share
        project = Project(len(self.projects), now, estimate, actual, value, improvement)
        self.projects.append(project)
        world.log_event(now, REQUEST, project.id)
        if world.policy.accept_project(project, world.view):
            self.waiting.append(project)
            world.open_work += actual
            if patience < math.inf:
                world.at(patience, 2, self._impatient, project)
            self.start_projects()
        else:
            project.state = DECLINED
            project.finished = now
            world.log_event(now, DECLINE, project.id)
            if shadow:
                project.shadow_it = True
                world.dynamics.shadow_system_added()
        t = self.clock.next_after(now, self.interarrival())
        if t < world.end:
            world.at(t - now, 3, self._request)

    # -- starting and assigning ------------------------------------------------------------

    def start_projects(self) -> None:
        """Start waiting projects, most urgent first, while the policy allows, each with an
        owner; then let free project people look at them."""
        world = self.world
        policy = world.policy
        started = False
        while self.waiting and policy.may_start_project(world.view):
            project = min(self.waiting, key=policy.portfolio_key)
            if self._commit(project):
                owner = self._least_loaded()
                if owner is not None:
                    self.assign(owner, project)
                started = True
        if started:
            world.wake(self.roles)

    def _commit(self, project: Project) -> bool:
        """Start a waiting project; False if it had no work at all (delivered at once)."""
        world = self.world
        now = world.env._now
        self.waiting.remove(project)
        project.state = IN_PROGRESS
        project.started = now
        self.in_progress.append(project)
        if len(self.in_progress) > self.wip_peak:
            self.wip_peak = len(self.in_progress)
        self.with_room += self._has_room(project)
        world.log_event(now, COMMIT, project.id)
        if project.unassigned > EMPTY:
            return True
        self._deliver(project, now)
        return False

    def _least_loaded(self):
        """The project person with the fewest projects: an idle one first, then the one
        who joined first; None when nobody can take projects."""
        best, best_key = None, None
        for role in self.roles:
            for p in role.people:
                if p.leaving:
                    continue
                key = (len(p.projects), p.state != IDLE, p.id)
                if best is None or key < best_key:
                    best, best_key = p, key
        return best

    def assign(self, person, project: Project) -> None:
        """Put ``person`` on ``project``'s team."""
        had_room = self._has_room(project)
        project.team.append(person)
        person.projects.append(project)
        self.with_room += self._has_room(project) - had_room

    def person_left(self, person) -> None:
        """A leaver's projects lose them; a project left without a team may be joined."""
        for project in person.projects:
            had_room = self._has_room(project)
            project.team.remove(person)
            self.with_room += self._has_room(project) - had_room
        person.projects = []

    def _has_room(self, project: Project) -> bool:
        """Whether a project in progress has work left and room for one more person on its team."""
        return project.unassigned > EMPTY and len(project.team) < self.limit

    # -- work ------------------------------------------------------------------------------

    def next_chunk(self, person):
        """A chunk of the person's own most urgent project with work left; else of a project
        in progress whose team has room (joining it); else of a waiting one (starting it)."""
        project = None
        key = None
        for p in person.projects:  # usually one or two: the policy's order only on a tie
            if p.unassigned > EMPTY:
                if project is None:
                    project = p
                else:
                    if key is None:
                        key = self.world.policy.portfolio_key
                        best_key = key(project)
                    k = key(p)
                    if k < best_key:
                        project, best_key = p, k
        if project is not None:
            return self._chunk(project, person)
        world = self.world
        if self.with_room:
            project = min((p for p in self.in_progress if self._has_room(p)), key=world.policy.portfolio_key)
        else:
            project = None
            while project is None and self.waiting and world.policy.may_start_project(world.view):
                project = min(self.waiting, key=world.policy.portfolio_key)
                if not self._commit(project):
                    project = None
            if project is None:
                return None
        self.assign(person, project)
        return self._chunk(project, person)

    def has_work_for(self, person) -> bool:
        """Whether :meth:`next_chunk` would give ``person`` project work now."""
        if self.with_room or any(p.unassigned > EMPTY for p in person.projects):
            return True
        world = self.world
        return bool(self.waiting) and world.policy.may_start_project(world.view)

    def _chunk(self, project: Project, person) -> ProjectChunk:
        unassigned = project.unassigned
        hours = self.chunk_hours if self.chunk_hours < unassigned else unassigned
        project.unassigned = unassigned - hours
        project.active += 1
        if project.unassigned <= EMPTY < unassigned and len(project.team) < self.limit:  # room no more
            self.with_room -= 1
        focus = self.focus
        n = len(person.projects)
        share = focus[n - 1] if n <= len(focus) else focus[-1]
        effort = hours / share  # holding several projects, part of the time goes to switching
        world = self.world
        world.open_work += effort - hours
        log = world.log  # EventLog.add_item, inlined
        iid = len(log.meta)
        log.meta.append(project.id << 2 | PROJECT)
        log.effort.append(effort)
        chunk = ProjectChunk(iid, PROJECT, PROJECT_RANK, None, effort, world.env._now)
        chunk.project = project
        chunk.share = share
        if project.worked and person.last_project is not project:
            world.dynamics.switched_project(chunk)
        project.worked = True
        person.last_project = project
        return chunk

    def chunk_returned(self, chunk: ProjectChunk) -> None:
        """A preempted chunk's remaining effort goes back to its project (its share of
        switching time is dropped: the next chunk pays its own)."""
        project = chunk.project
        had_room = self._has_room(project)
        back = chunk.remaining * chunk.share
        self.world.open_work -= chunk.remaining - back
        project.unassigned += back
        project.active -= 1
        self.with_room += self._has_room(project) - had_room
        chunk.alive = False

    def chunk_done(self, chunk: ProjectChunk, now: float) -> None:
        project = chunk.project
        project.active -= 1
        if project.active == 0 and project.unassigned <= EMPTY:
            self._deliver(project, now)
            self.start_projects()  # a work-in-progress limit may have held some back

    def _deliver(self, project: Project, now: float) -> None:
        project.state = DELIVERED
        project.finished = now
        self._close(project)
        self.delivered_count += 1
        world = self.world
        world.log_event(now, DELIVER, project.id)
        world.dynamics.project_delivered(project)
        if self.care:
            world.recurring.system_delivered(project, now)

    def _close(self, project: Project) -> None:
        """A project leaves work in progress (delivered or withdrawn) and its team."""
        self.with_room -= self._has_room(project)
        self.in_progress.remove(project)
        for person in project.team:
            person.projects.remove(project)
        project.team = []

    def _impatient(self, ev) -> None:
        project = ev._value
        if project.state in (WAITING, IN_PROGRESS) and not project.worked:
            world = self.world
            if project.state == WAITING:
                self.waiting.remove(project)
            else:
                self._close(project)
            project.state = WITHDRAWN
            project.shadow_it = True
            project.finished = world.env._now
            world.open_work -= project.unassigned
            world.log_event(world.env._now, WITHDRAW, project.id)
            world.dynamics.shadow_system_added()
            self.start_projects()

    def table(self) -> dict[str, np.ndarray]:
        """One row per request: times in hours, sizes in hours, value per week in money;
        ``shadow_it`` marks requests the business built itself (withdrawn, or declined and
        turned to shadow IT)."""
        ps = self.projects
        return {
            "requested": np.array([p.requested for p in ps], dtype=float),
            "started": np.array([p.started for p in ps], dtype=float),
            "finished": np.array([p.finished for p in ps], dtype=float),
            "state": np.array([p.state for p in ps], dtype=np.int8),
            "estimate": np.array([p.estimate for p in ps], dtype=float),
            "actual": np.array([p.actual for p in ps], dtype=float),
            "value": np.array([p.value for p in ps], dtype=float),
            "improvement": np.array([p.improvement for p in ps], dtype=bool),
            "shadow_it": np.array([p.shadow_it for p in ps], dtype=bool),
        }
