"""Runs shared between options: a WIP limit that a run never reached leaves the run as it
was, so the plan search takes such runs from the option without the limit, and finds
exactly what it finds when it simulates every run."""

import inspect
import json
import math

import pytest

import itsim
from itsim.plan import plan_search
from itsim.plan.equivalence import heads, member, same_run
from itsim.policies.base import DECISION_POINTS, Policy
from itsim.policies.wip_limit import WipLimit
from itsim.sweep import _cell_scenario
from tests.test_policies import DEPARTMENT


@pytest.fixture(scope="module")
def department():
    return itsim.loads_scenario(DEPARTMENT).with_changes({"team.engineer.count": 4})


def test_the_wip_limit_policy_changes_only_whether_a_project_may_start():
    # The proof that a limit never reached changes nothing rests on this: if the policy ever
    # takes part in another decision, the sharing rule of itsim.plan.equivalence must change.
    # ``bind`` only reads the limit (given, or derived from the scenario's project people).
    hooks = [name for name in DECISION_POINTS if name not in ("bind", "unbind")]
    assert [h for h in hooks if h in vars(WipLimit)] == ["may_start_project"]
    assert set(vars(WipLimit)) & {n for n, v in vars(Policy).items() if inspect.isfunction(v)} == {
        "derived", "bind", "may_start_project"}
    assert (WipLimit.direct_handoff, WipLimit.deflects) == (True, False)


@pytest.mark.parametrize("base", ["firefight_first", "protected_maintenance"])
def test_a_wip_limit_at_the_runs_peak_leaves_it_unchanged_and_one_below_changes_it(department, base):
    limited = "wip_limit" if base == "firefight_first" else f"wip_limit+{base}"
    changed = 0
    for replication in range(4):
        plain = itsim.simulate(_cell_scenario(department, {}, base), replication=replication)
        peak = plain.world.portfolio.wip_peak
        assert peak >= 2
        same = itsim.simulate(_cell_scenario(department, {"policy.wip_limit": peak}, limited),
                              replication=replication)
        assert same.metrics == plain.metrics
        assert same.events.equals(plain.events)
        below = itsim.simulate(_cell_scenario(department, {"policy.wip_limit": peak - 1}, limited),
                               replication=replication)
        assert below.world.portfolio.wip_peak == peak - 1
        changed += not below.events.equals(plain.events)
    assert changed == 4


def test_options_differing_only_in_their_wip_limit_are_one_family(department):
    def m(values, label):
        return member(_cell_scenario(department, values, label))

    plain, limited = m({}, "firefight_first"), m({"policy.wip_limit": 3}, "wip_limit")
    protected = m({"policy.share": 0.2}, "protected_maintenance")
    both = m({"policy.wip_limit": 3, "policy.share": 0.2}, "wip_limit+protected_maintenance")
    assert plain.family == limited.family and (plain.limit, limited.limit) == (math.inf, 3)
    assert protected.family == both.family != plain.family
    assert m({"team.engineer.count": 5}, "firefight_first").family != plain.family
    cells = {("a", 1.0): limited, ("b", 1.0): plain, ("c", 1.0): both, ("today", 1.0): protected}
    assert heads(cells, {("a", 1.0), ("b", 1.0), ("c", 1.0)}) == {
        ("a", 1.0): ("b", 1.0), ("b", 1.0): ("b", 1.0), ("c", 1.0): ("c", 1.0), ("today", 1.0): ("c", 1.0)}
    assert same_run(plain, limited, 3) and not same_run(plain, limited, 4) and not same_run(plain, limited, None)
    four = m({"policy.wip_limit": 4}, "wip_limit")
    assert same_run(four, limited, 3) and not same_run(four, limited, 4)  # at its own limit it may have held back
    assert not same_run(plain, both, 1)


def test_shared_runs_give_exactly_the_plan_of_simulating_every_run(department):
    # Without a limit every request starts at once (12 to 29 projects in progress at the
    # peak here), so the limits that share runs are those above that.
    levers = {"policy.wip_limit": [2, 4, 30, 40]}
    rules = {"risk": 0.5, "max_replications": 8, "first_look": 4}
    shared = plan_search(department, levers, ["firefight_first", "wip_limit"], **rules).data
    every = plan_search(department, levers, ["firefight_first", "wip_limit"], share=False, **rules).data
    assert shared["replications"]["shared"] > 0 and every["replications"]["shared"] == 0
    assert (shared["replications"]["spent"] + shared["replications"]["shared"]
            == every["replications"]["spent"] == every["replications"]["computed_now"])
    assert shared["replications"]["computed_now"] == shared["replications"]["spent"]
    for data in (shared, every):
        data.pop("replications")
    assert json.dumps(shared, sort_keys=True) == json.dumps(every, sort_keys=True)


def test_a_resumed_search_with_shared_runs_ends_as_an_uninterrupted_one(department, tmp_path):
    search = {"levers": {"policy.wip_limit": [2, 3, 4, 6]}, "policies": ["firefight_first", "wip_limit"],
              "risk": 0.5, "max_replications": 8, "first_look": 4}
    whole = plan_search(department, out=tmp_path / "a", **search).data
    plan_search(department, out=tmp_path / "b", **search)
    batches = sorted((tmp_path / "b" / "options").rglob("reps-*.parquet"))
    for path in batches[::2]:  # as if killed before these batches were written, shared copies among them
        path.unlink()
    resumed = plan_search(department, out=tmp_path / "b", workers=2, **search).data
    assert 0 < resumed["replications"]["computed_now"] < whole["replications"]["computed_now"]
    for data in (whole, resumed):
        data["replications"].pop("computed_now")
    assert json.dumps(whole, sort_keys=True) == json.dumps(resumed, sort_keys=True)
