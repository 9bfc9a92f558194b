"""Several policies at once: gates must all agree, the last policy that chooses
work, orders the portfolio or sets the deflected share decides, and scenario
adjustments apply in order."""

from __future__ import annotations

from itsim.policies.base import Policy
from itsim.policies.view import Person, Project, RecurringTask, WorkItem, WorldView


def _overrides(policy: Policy, hook: str) -> bool:
    return getattr(type(policy), hook) is not getattr(Policy, hook)


class Combined(Policy):
    name = "combined"

    def __init__(self, parts: list[Policy]):
        super().__init__()
        self.parts = parts
        self.direct_handoff = all(p.direct_handoff for p in parts)
        self.deflects = any(p.deflects for p in parts)

        def last(hook: str) -> Policy:
            chosen = [p for p in parts if _overrides(p, hook)]
            return chosen[-1] if chosen else parts[0]

        self._selector = last("select")
        self._orderer = last("portfolio_key")
        self._deflector = last("deflection_share")

    def adjust(self, scenario):
        for p in self.parts:
            scenario = p.adjust(scenario)
        return scenario

    def bind(self, world: WorldView) -> None:
        for p in self.parts:
            p.bind(world)

    def unbind(self, world: WorldView) -> None:
        for p in self.parts:
            p.unbind(world)

    def derived(self, scenario) -> dict:
        return {k: v for p in self.parts for k, v in p.derived(scenario).items()}

    def effective_params(self, scenario) -> dict:
        return {k: v for p in self.parts for k, v in p.effective_params(scenario).items()}

    def select(self, person: Person, world: WorldView) -> WorkItem | None:
        return self._selector.select(person, world)

    def takes(self, person: Person, item: WorkItem, world: WorldView) -> bool:
        return all(p.takes(person, item, world) for p in self.parts)

    def may_preempt(self, item: WorkItem, victim: Person, world: WorldView) -> bool:
        return all(p.may_preempt(item, victim, world) for p in self.parts)

    def accept_project(self, project: Project, world: WorldView) -> bool:
        return all(p.accept_project(project, world) for p in self.parts)

    def may_start_project(self, world: WorldView) -> bool:
        return all(p.may_start_project(world) for p in self.parts)

    def portfolio_key(self, project: Project):
        return self._orderer.portfolio_key(project)

    def deflection_share(self, base: float, now: float, world: WorldView) -> float:
        return self._deflector.deflection_share(base, now, world)

    def recurring_done(self, item: RecurringTask, world: WorldView) -> None:
        for p in self.parts:
            p.recurring_done(item, world)
