"""The policy interface: what a free person takes next, and which demand is accepted.

A policy is a small object; the engine asks it at a handful of decision points
and never needs to know which policy it is. Subclasses override only the hooks
they change. Parameters come from the scenario's ``[policy]`` table and are
validated by the pydantic model in ``Params``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:  # pragma: no cover
    from itsim.model.projects import Project
    from itsim.model.staff import Person
    from itsim.model.work import WorkItem
    from itsim.model.world import World
    from itsim.scenario import Scenario


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Policy:
    """Today's reality unless a subclass says otherwise (see :class:`FirefightFirst`)."""

    name: ClassVar[str] = "policy"
    Params: ClassVar[type[BaseModel]] = NoParams
    #: True when ``select`` and ``takes`` are the defaults: the engine may hand work
    #: straight to an idle person without asking.
    direct_handoff: ClassVar[bool] = False

    def __init__(self, params: BaseModel | None = None):
        self.params = params if params is not None else self.Params()

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Policy:
        return cls(cls.Params.model_validate(params))

    def adjust(self, scenario: Scenario) -> Scenario:
        """Change the scenario before the run (supply-side levers). Default: unchanged."""
        return scenario

    def bind(self, world: World) -> None:
        """Called once the world is built, before time starts."""

    def select(self, person: Person, world: World) -> WorkItem | None:
        """The next piece of work for a free person, removed from its queue; None to stay idle."""
        return world.take_default(person)

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
        """Order of waiting projects (smallest first). Default: first come first served."""
        return project.id

    def deflection_share(self, base: float, now: float, world: World) -> float:
        """Share of incidents resolved by self-service at time ``now`` (hours)."""
        return base


class FirefightFirst(Policy):
    """Incidents by priority, then recurring work by due time, then projects in
    progress, then a new project: what most departments do without a policy."""

    name = "firefight_first"
    direct_handoff = True
