"""Deciding: the cheapest plan that keeps the department out of "too busy".

:func:`plan_search` prices every option (:mod:`.options`), runs the sequential
search (:mod:`.search`) with common random numbers on an executor, keeping
replications in a resumable store (:mod:`.store`), and returns what ``plan.json``
holds (:mod:`.result`); :mod:`.report` writes ``plan.html``.
"""

from itsim.plan.options import Option, PlanCost, build_options, plan_cost
from itsim.plan.result import PlanResult
from itsim.plan.run import PlanFailed, exhaustive_grid, plan_search
from itsim.plan.search import Rules
from itsim.plan.store import PlanMismatch

__all__ = ["Option", "PlanCost", "PlanFailed", "PlanMismatch", "PlanResult", "Rules", "build_options",
           "exhaustive_grid", "plan_cost", "plan_search"]
