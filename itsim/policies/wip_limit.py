"""``wip_limit``: at most N projects in progress; the rest wait in the portfolio.

Without a limit, every accepted request is started at once and given an owner, so
people end up holding several projects and lose time switching between them
(Weinberg 1992; ``[dynamics] multitasking_loss``). A limit keeps requests waiting
in the portfolio until a project is delivered: "stop starting, start finishing"
(Reinertsen 2009, WIP constraints).

Default limit: the people who can do project work (the head count of the roles in
``[projects] handled_by``) divided by ``max_people_per_project``, rounded up. That
is the most projects that can each have a full team with nobody on two teams, so no
one juggles two projects; fewer would leave project people without a project.
"""

from __future__ import annotations

import math

from pydantic import Field

from itsim.policies.base import Policy, PolicyParams
from itsim.policies.view import WorldView


class WipLimitParams(PolicyParams):
    wip_limit: int | None = Field(
        default=None, ge=1,
        description="Most projects in progress at once; default: project people / max_people_per_project,"
                    " rounded up (one project per person).",
    )


def default_wip_limit(scenario) -> int:
    """Project people (head count of ``[projects] handled_by``) / ``max_people_per_project``,
    rounded up; 1 when there are no projects or no project people."""
    pj = scenario.projects
    if pj is None:
        return 1
    people = sum(scenario.role(r).count for r in pj.handled_by)
    return max(1, math.ceil(people / pj.max_people_per_project))


class WipLimit(Policy):
    """Finish before starting: a new project starts only while fewer than
    ``wip_limit`` are in progress. Work choice is otherwise firefight first."""

    name = "wip_limit"
    Params = WipLimitParams
    direct_handoff = True

    def derived(self, scenario) -> dict:
        return {} if self.params.wip_limit is not None else {"wip_limit": default_wip_limit(scenario)}

    def bind(self, world: WorldView) -> None:
        self.limit = self.params.wip_limit or default_wip_limit(world.scenario)

    def may_start_project(self, world: WorldView) -> bool:
        return world.projects_in_progress() < self.limit
