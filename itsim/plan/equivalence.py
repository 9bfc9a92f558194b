"""Options whose runs are provably the same, so that one run serves several options.

Under common random numbers, replication ``r`` of two options is the same run when
their scenarios are the same. It is also the same run when the options differ only
in a work-in-progress limit that the run never reached. The ``wip_limit`` policy
changes one decision, whether a new project may start, and says yes while fewer
than ``wip_limit`` projects are in progress; with or without it, combined with any
other policies, every other decision is the same (a test holds the policy to
this). So a run in which the most projects in progress at once (``wip_peak``,
recorded by the model over the whole run) stayed at or below a limit ``L`` is, step
by step, the run with the limit ``L`` — provided the run itself was never held
back, that is its own limit (if any) is above its peak.

Options that differ only in their WIP limit form a *family* (today's plan joins
the family it belongs to); its *head* is the option with the highest limit (no
limit counts as infinite; ties go to the first in search order). Replication
``r`` of another member is taken from the head's replication ``r`` when the search
has asked for that replication of the head by then and the head's peak proves it
the same run; otherwise it is simulated. The
head is run first within each round, so what is shared depends only on the
search's state, never on timing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from itsim.policies.wip_limit import default_wip_limit
from itsim.scenario import Scenario

WIP = "wip_limit"
DEFAULT_POLICY = "firefight_first"


@dataclass(frozen=True)
class Member:
    """A cell's place in its family: the family (the scenario without its WIP limit, as
    text) and its limit (``math.inf`` without one)."""

    family: str
    limit: float


def member(scenario: Scenario) -> Member:
    """The family and WIP limit of ``scenario``."""
    data = scenario.to_dict()
    policy = dict(data.get("policy") or {})
    names = scenario.policy.names
    limit = math.inf
    if WIP in names:
        given = scenario.policy.params.get(WIP)
        limit = float(given if given is not None else default_wip_limit(scenario))
        policy.pop(WIP, None)
        names = [n for n in names if n != WIP] or [DEFAULT_POLICY]
    policy["name"] = names[0] if len(names) == 1 else names
    data["policy"] = policy
    return Member(json.dumps(data, sort_keys=True, default=str), limit)


def heads(members: dict[tuple, Member], options: set[tuple]) -> dict[tuple, tuple]:
    """Each cell's family head (itself when it heads its family or has none). ``members`` is
    in search order; only the ``options`` cells may head a family (today's plan, when it is
    no option, is run only for the comparison, at the end)."""
    best: dict[str, tuple] = {}
    for cell, m in members.items():
        if cell in options and (m.family not in best or m.limit > members[best[m.family]].limit):
            best[m.family] = cell
    return {cell: best.get(m.family, cell) for cell, m in members.items()}


def same_run(head: Member, other: Member, peak: float | None) -> bool:
    """Whether the head's replication with ``peak`` projects in progress at most is, run for
    run, ``other``'s replication of the same number."""
    if head.family != other.family:
        return False
    if head.limit == other.limit:
        return True  # the same scenario
    return peak is not None and peak < head.limit and peak <= other.limit
