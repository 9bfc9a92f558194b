"""Projects: requests, biased estimates, the portfolio, work in progress, chunks, delivery.

A request is estimated (``estimate_hours``) but really takes
``estimate x estimate_bias x noise`` hours (noise lognormal with mean 1 and
``estimate_noise_cv``). Accepted requests wait in the portfolio until started;
a started project is worked in chunks of at most ``chunk_hours`` by up to
``max_people_per_project`` people at a time, and is delivered when its last
chunk is done. Cost of delay accrues at ``value_per_week`` from request to delivery.
"""

from __future__ import annotations

import math

import numpy as np

from itsim.model.arrivals import ArrivalClock
from itsim.model.work import PROJECT, PROJECT_RANK, ProjectChunk
from itsim.record import COMMIT, DECLINE, DELIVER, REQUEST, WITHDRAW

WAITING, IN_PROGRESS, DELIVERED, DECLINED, WITHDRAWN = range(5)


class Project:
    __slots__ = (
        "id", "requested", "estimate", "actual", "value", "improvement", "unassigned", "active",
        "started", "finished", "state",
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
        cal = world.calendar
        per_working_hour = cfg.rate_per_hour * 168.0 / cal.hours_per_week
        self.clock = ArrivalClock(
            per_working_hour * world.scenario.demand_scale, cal, None, world.phases.project_scale, None
        )
        self.limit = cfg.max_people_per_project
        self.chunk_hours = cfg.chunk_hours
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
        project = Project(len(self.projects), now, estimate, actual, value, improvement)
        self.projects.append(project)
        world.log_event(now, REQUEST, project.id)
        if world.policy.accept_project(project, world):
            self.waiting.append(project)
            world.open_work += actual
            if patience < math.inf:
                world.at(patience, 2, self._impatient, project)
            world.wake(self.roles)
        else:
            project.state = DECLINED
            project.finished = now
            world.log_event(now, DECLINE, project.id)
        t = self.clock.next_after(now, self.interarrival())
        if t < world.end:
            world.at(t - now, 3, self._request)

    def _impatient(self, ev) -> None:
        project = ev._value
        if project.state == WAITING:
            world = self.world
            self.waiting.remove(project)
            project.state = WITHDRAWN
            project.finished = world.env._now
            world.open_work -= project.unassigned
            world.log_event(world.env._now, WITHDRAW, project.id)
            world.dynamics.project_withdrawn(project)

    def _has_room(self, project: Project) -> bool:
        """Whether a project in progress has work left that one more person may take."""
        return project.unassigned > 1e-9 and project.active < self.limit

    def next_chunk(self, person):
        """A chunk of a project in progress with room for one more person, else of a new one."""
        if self.with_room:
            limit = self.limit
            for project in self.in_progress:
                if project.unassigned > 1e-9 and project.active < limit:
                    return self._chunk(project, person)
        world = self.world
        if self.waiting and world.policy.may_start_project(world):
            project = min(self.waiting, key=world.policy.portfolio_key)
            self.waiting.remove(project)
            project.state = IN_PROGRESS
            project.started = world.env._now
            self.in_progress.append(project)
            if len(self.in_progress) > self.wip_peak:
                self.wip_peak = len(self.in_progress)
            self.with_room += self._has_room(project)
            world.log_event(world.env._now, COMMIT, project.id)
            return self._chunk(project, person)
        return None

    def _chunk(self, project: Project, person) -> ProjectChunk:
        unassigned = project.unassigned
        hours = self.chunk_hours if self.chunk_hours < unassigned else unassigned
        project.unassigned = unassigned - hours
        project.active += 1
        # It had room (it was chosen for it), unless it is a new project of no work at all.
        if unassigned > 1e-9 and (project.unassigned <= 1e-9 or project.active >= self.limit):
            self.with_room -= 1
        world = self.world
        log = world.log  # EventLog.add_item, inlined
        iid = len(log.meta)
        log.meta.append(project.id << 2 | PROJECT)
        log.effort.append(hours)
        chunk = ProjectChunk(iid, PROJECT, PROJECT_RANK, None, hours, world.env._now)
        chunk.project = project
        resumed = unassigned < project.actual
        if resumed and person.last_project is not project:
            world.dynamics.switched_project(chunk)
        person.last_project = project
        return chunk

    def chunk_returned(self, chunk: ProjectChunk) -> None:
        """A preempted chunk's remaining hours go back to its project."""
        project = chunk.project
        had_room = self._has_room(project)
        project.unassigned += chunk.remaining
        project.active -= 1  # below the limit now
        self.with_room += (project.unassigned > 1e-9) - had_room
        chunk.alive = False

    def chunk_done(self, chunk: ProjectChunk, now: float) -> None:
        project = chunk.project
        project.active -= 1
        if project.active == self.limit - 1 and project.unassigned > 1e-9:  # room again
            self.with_room += 1
        if project.active == 0 and project.unassigned <= 1e-9:
            project.state = DELIVERED
            project.finished = now
            self.in_progress.remove(project)
            self.delivered_count += 1
            self.world.log_event(now, DELIVER, project.id)
            self.world.dynamics.project_delivered(project)
            if self.care:
                self.world.recurring.system_delivered(project, now)
            if self.waiting:  # a work-in-progress limit may have kept people idle
                self.world.wake(self.roles)

    def table(self) -> dict[str, np.ndarray]:
        """One row per request: times in hours, sizes in hours, value per week in money."""
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
        }
