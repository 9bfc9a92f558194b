"""The policy interface: what a free person takes next, and which demand is accepted.

A policy is a small object; the engine asks it at a handful of decision points
and never needs to know which policy it is. Subclasses override only the hooks
they change. Parameters come from the scenario's ``[policy]`` table and are
validated by the pydantic model in ``Params``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from itsim.bounds import Bounded

if TYPE_CHECKING:  # pragma: no cover
    from itsim.model.projects import Project
    from itsim.model.staff import Person
    from itsim.model.work import RecurringTask, WorkItem
    from itsim.model.world import World
    from itsim.scenario import Scenario


class PolicyParams(Bounded):
    """Base of every policy's parameters: unknown keys are errors, values are frozen,
    strict, finite and bounded like the rest of the scenario (:mod:`itsim.bounds`)."""


class NoParams(PolicyParams):
    """A policy without parameters."""


class Policy:
    """Today's reality unless a subclass says otherwise (see :class:`FirefightFirst`)."""

    name: ClassVar[str] = "policy"
    Params: ClassVar[type[BaseModel]] = NoParams
    #: True when ``select`` and ``takes`` are the defaults: the engine may hand work
    #: straight to an idle person without asking.
    direct_handoff: ClassVar[bool] = False
    #: True when ``deflection_share`` may differ from the scenario's base share: the
    #: engine then draws a deflection chance for every incident even when the base is 0.
    deflects: ClassVar[bool] = False

    def __init__(self, params: BaseModel | None = None):
        self.params = params if params is not None else self.Params()

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Policy:
        return cls(cls.Params.model_validate(params))

    def adjust(self, scenario: Scenario) -> Scenario:
        """Change the scenario before the run (supply-side levers). Default: unchanged."""
        return scenario

    def derived(self, scenario: Scenario) -> dict[str, Any]:
        """The parameters left at a default that depends on the scenario, with their
        values for ``scenario`` (e.g. a WIP limit from the number of project people)."""
        return {}

    def effective_params(self, scenario: Scenario) -> dict[str, Any]:
        """Every parameter with the value it takes in ``scenario``: given, default, or derived."""
        return {**self.params.model_dump(), **self.derived(scenario)}

    def bind(self, world: World) -> None:
        """Called once the world is built, before time starts (and again whenever a
        ``[[phase]]`` makes this policy the one in force)."""

    def unbind(self, world: World) -> None:
        """Called when a ``[[phase]]`` puts another policy in force."""

    def select(self, person: Person, world: World) -> WorkItem | None:
        """The next piece of work for a free person, removed from its queue; None to stay idle."""
        return world.take_default(person)

    def takes(self, person: Person, item: WorkItem, world: World) -> bool:
        """Whether idle ``person`` would take ``item`` if it were waiting. An arriving
        incident that no idle person takes may preempt busy people instead."""
        return True

    def may_preempt(self, item: WorkItem, victim: Person, world: World) -> bool:
        """Whether an arriving incident may interrupt ``victim``'s lower-ranked work."""
        return True

    def accept_project(self, project: Project, world: World) -> bool:
        """Whether a project request enters the portfolio (False: declined up front)."""
        return True

    def may_start_project(self, world: World) -> bool:
        """Whether a new project may be started now (work in progress)."""
        return True

    def portfolio_key(self, project: Project) -> Any:
        """Order of projects (smallest first): which waiting project starts next, which of
        their projects a person works on first, which project a free person joins.
        Default: first come first served."""
        return project.id

    def deflection_share(self, base: float, now: float, world: World) -> float:
        """Share of incidents resolved by self-service at time ``now`` (hours)."""
        return base

    def recurring_done(self, item: RecurringTask, world: World) -> None:
        """Called when an occurrence of recurring work is finished."""


class FirefightFirst(Policy):
    """Incidents by priority, then recurring work by due time, then projects (every
    accepted request started at once and given an owner), tech-debt paydown last: what
    most departments do without a policy."""

    name = "firefight_first"
    direct_handoff = True
