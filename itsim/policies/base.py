"""The policy interface: what a free person takes next, and which demand is accepted.

A policy is a small object; the engine asks it at a handful of decision points
(:data:`DECISION_POINTS`, in the order a run first reaches them) and never needs to
know which policy it is. Subclasses override only the hooks they change. Every hook
that runs during the simulation is handed ``world``, the world as a policy sees it
(:class:`itsim.policies.view.WorldView`), and nothing else of the engine.
Parameters come from the scenario's ``[policy]`` table and are validated by the
pydantic model in ``Params``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from itsim.bounds import Bounded

if TYPE_CHECKING:  # pragma: no cover
    from itsim.policies.view import Person, Project, RecurringTask, WorkItem, WorldView
    from itsim.scenario import Scenario

#: The hooks of :class:`Policy`: setting up the run, admitting and starting projects,
#: choosing work, interrupting, the smaller hooks, and a phase's change of policy. Each
#: docstring starts with when it is asked, up to the first colon.
DECISION_POINTS = (
    "adjust", "bind", "accept_project", "may_start_project", "select", "takes", "may_preempt", "portfolio_key",
    "deflection_share", "recurring_done", "unbind",
)


class PolicyParams(Bounded):
    """Base of every policy's parameters: unknown keys are errors, values are frozen,
    strict, finite and bounded like the rest of the scenario (:mod:`itsim.bounds`)."""


class NoParams(PolicyParams):
    """A policy without parameters."""


class Policy:
    """Today's reality unless a subclass says otherwise (see :class:`FirefightFirst`)."""

    name: ClassVar[str] = "policy"
    """The name a scenario gives in ``[policy] name``."""
    Params: ClassVar[type[BaseModel]] = NoParams
    """The pydantic model of its parameters (the other keys of ``[policy]``)."""
    direct_handoff: ClassVar[bool] = False
    """A promise that ``select`` and ``takes`` are the defaults, so the engine skips them:
    an arriving item goes straight to an idle person of the first of its roles that has
    one (the one idle the shortest time), and a free person takes work firefight first
    (``world.take_default``), neither asking the policy. Without it, an arriving item is
    queued, every idle person who may take it is asked ``select``, and whether it may
    interrupt someone depends on ``takes``. Set it when a policy only gates demand
    (``accept_project``, ``may_start_project``), orders the portfolio or changes the
    scenario; it must stay False when ``select`` or ``takes`` is overridden."""
    deflects: ClassVar[bool] = False
    """True when ``deflection_share`` may differ from the scenario's base share: the engine
    then asks it for every arriving incident, and draws a deflection chance for every
    incident even when the base share is 0. Without it the hook is never asked."""

    def __init__(self, params: BaseModel | None = None):
        self.params = params if params is not None else self.Params()

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Policy:
        return cls(cls.Params.model_validate(params))

    def adjust(self, scenario: Scenario) -> Scenario:
        """Once, before the world is built: change the scenario (supply-side levers such as
        more people or an outsourced first line). The run, its metrics and its report use
        the scenario returned. A policy that overrides it cannot be put in force by a
        ``[[phase]]``. Default: unchanged."""
        return scenario

    def derived(self, scenario: Scenario) -> dict[str, Any]:
        """The parameters left at a default that depends on the scenario, with their
        values for ``scenario`` (e.g. a WIP limit from the number of project people)."""
        return {}

    def effective_params(self, scenario: Scenario) -> dict[str, Any]:
        """Every parameter with the value it takes in ``scenario``: given, default, or derived."""
        return {**self.params.model_dump(), **self.derived(scenario)}

    def bind(self, world: WorldView) -> None:
        """Once the world is built, before time starts, and again whenever a ``[[phase]]``
        puts this policy in force: set up state and schedule the policy's own events
        (``world.schedule``). The first time, the team has not joined yet (head counts
        are 0), so size things from ``world.scenario``. Default: nothing."""

    def unbind(self, world: WorldView) -> None:
        """When a ``[[phase]]`` puts another policy in force: stop acting (events this
        policy scheduled still come). Default: nothing."""

    def select(self, person: Person, world: WorldView) -> WorkItem | None:
        """Whenever a person is free to take work: they finished a piece, their shift
        started, they joined, new work arrived for their role while they were idle, or a
        project started, work came back, a phase changed or the policy called
        ``world.wake``. Return the next piece of work, taken with one of
        ``world.take_*`` (which removes it from its queue), or None to stay idle until
        asked again. Not asked under ``direct_handoff``, nor for people off shift.
        Default: ``world.take_default(person)``, firefight first."""
        return world.take_default(person)

    def takes(self, person: Person, item: WorkItem, world: WorldView) -> bool:
        """When work arrives or comes back (an incident, its escalation, an occurrence
        of recurring work, interrupted work), for the idle people of the roles that may
        take it until one says yes: would ``select`` give ``person`` this ``item`` if it
        were waiting? The item is queued and the idle people are asked ``select`` either
        way; ``takes`` only decides whether an incident that nobody idle would take may
        interrupt someone instead (``may_preempt``), so it must agree with ``select``.
        Not asked under ``direct_handoff``. Default: yes."""
        return True

    def may_preempt(self, item: WorkItem, victim: Person, world: WorldView) -> bool:
        """When an incident arrives or comes back, nobody idle takes it and the scenario
        lets its class interrupt (``[incidents] preemptive`` for lower classes,
        ``interrupts`` for planned work): may it interrupt ``victim``, an on-shift person
        of its roles whose work in hand ranks within what the class may interrupt? Asked
        while the engine looks for the lowest-ranked such work (latest started on ties);
        the person it settles on puts their work back in its queue and takes the
        incident. If nobody may be interrupted, the incident waits. Asked only if
        overridden. Default: yes."""
        return True

    def accept_project(self, project: Project, world: WorldView) -> bool:
        """When a project request arrives (after its sizes are drawn): True lets it into
        the portfolio, where it waits to start; False declines it up front (counted as
        declined, and perhaps built by the business as shadow IT). Default: accept."""
        return True

    def may_start_project(self, world: WorldView) -> bool:
        """Whenever a waiting project could start: after a request is accepted, a project
        is delivered or withdrawn, a phase changes the policy (asked again after each
        start, while projects wait), and when a free project person has no project of
        their own with work left and no team with room to join. True starts the waiting
        project with the smallest ``portfolio_key``. Default: yes (every accepted request
        starts at once and gets an owner)."""
        return True

    def portfolio_key(self, project: Project) -> Any:
        """Whenever projects are compared (smallest first): which waiting project starts
        next, which of their projects a person holding several works on first, and which
        project in progress a free person joins. Default: first come, first served
        (``project.id``)."""
        return project.id

    def deflection_share(self, base: float, now: float, world: WorldView) -> float:
        """For every arriving incident, when the policy ``deflects``: the share of incidents
        resolved by self-service at time ``now`` (hours), ``base`` being the scenario's
        ``[incidents] deflection``. Default: ``base``."""
        return base

    def recurring_done(self, item: RecurringTask, world: WorldView) -> None:
        """When an occurrence of recurring work is finished (care and feeding included,
        tech-debt paydown not): for a policy that follows the maintenance done, such as
        an investment's progress. Default: nothing."""


class FirefightFirst(Policy):
    """Incidents by priority, then recurring work by due time, then projects (every
    accepted request started at once and given an owner), tech-debt paydown last: what
    most departments do without a policy."""

    name = "firefight_first"
    direct_handoff = True
