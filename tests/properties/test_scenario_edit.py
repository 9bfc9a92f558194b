"""Editing a scenario file's text means what ``with_changes`` means, and keeps comments.

For generated change sets on commented files (and on generated scenarios), the
edited text parses to the same data as :func:`set_dotted` on the parsed
original, and loads to the same scenario as ``Scenario.with_changes`` (or both
refuse the change).
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st

import itsim
from itsim.scenario_edit import apply_changes
from itsim.scenario_text import ScenarioError, set_dotted
from itsim.testing import scenarios

BASELINE = (Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml").read_text(encoding="utf-8")

# Every layout TOML allows for the same kind of content: a sub-table before its
# parent, dotted keys, a section as an inline table, comments on every line.
STYLES = '''# A department written in every TOML style
demand_scale = 1.0   # today's level
targets = { max_utilization = 0.9, project_lead_time_days = 60 }   # an inline section

[incidents.escalation]   # a sub-table before its parent
share = 0.3
to = "engineer"
extra_effort_hours.dist = "exponential"   # dotted keys
extra_effort_hours.mean = 1.0

[scenario]
name = "Styles # not a comment"
horizon_days = 30   # a month
calendar = "24x7"

# the first line of support
[[team]]
role = "desk"   # the desk
count = 3
skills = ["incident", "recurring"]

[[team]]
role = "engineer"
count = 2
cost_per_hour = 70   # fully loaded

[incidents]
rate_per_hour = 1.0   # assumption
effort_hours = { dist = "lognormal", mean = 0.5, cv = 1.0 }
handled_by = ["desk", "engineer"]
priorities = { P1 = 0.2, P2 = 0.8 }

[[recurring]]
name = "Backups"   # daily
every = "daily"
effort_hours = { dist = "constant", value = 1.0 }
due_within_days = 1
handled_by = ["engineer"]

[[recurring]]
name = "Patching"
every = "monthly"
effort_hours = { dist = "gamma", mean = 8, cv = 0.3 }
due_within_days = 14
handled_by = ["engineer", "desk"]
risk = "security"

[projects]
rate_per_month = 2
estimate_hours = { dist = "lognormal", mean = 80, cv = 1.0 }
handled_by = ["engineer"]

[policy]
name = "wip_limit"
wip_limit = 2
'''

# Keys a scenario may have that these files leave out, with values of the right kind.
ABSENT = {
    "scenario.warmup_days": st.integers(-2, 30),
    "scenario.calendar": st.sampled_from(["24x7", "business", "weekdays"]),
    "scenario.seed": st.integers(0, 99),
    "dynamics.debt_per_skipped_hour": st.floats(0, 2),
    "dynamics.context_switch_hours": st.floats(-0.5, 1),
    "costs.currency": st.sampled_from(["EUR", "GBP", ""]),
    "costs.downtime_per_hour": st.fixed_dictionaries({"P1": st.floats(0, 5000)}),
    "incidents.patience_hours": st.fixed_dictionaries({"dist": st.just("exponential"), "mean": st.floats(0.5, 8)}),
    "incidents.deflection": st.floats(0, 0.9),
    "projects.patience_days": st.fixed_dictionaries({"dist": st.just("exponential"), "mean": st.floats(5, 90)}),
    "policy.name": st.sampled_from(["firefight_first", "wip_limit", "fifo"]),
    "policy.wip_limit": st.integers(1, 6),
    "phase": st.lists(st.fixed_dictionaries({"start_day": st.integers(0, 10), "end_day": st.integers(11, 20),
                                             "demand_scale": st.floats(0.5, 2)}), min_size=1, max_size=2),
    "nonsense.key": st.integers(0, 3),
}

SCALARS = st.one_of(st.integers(-5, 500), st.floats(-1, 1e4, allow_nan=False), st.booleans(),
                    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12))
ANY_VALUE = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["dist", "mean", "cv", "value", "role", "count"]), inner, max_size=3)),
    max_leaves=6)


def paths(data, prefix: str = ""):
    """Every dotted key of plain data, with list entries by index and, where they
    have one, by role or name: ``(key, current value)``."""
    for name, value in data.items():
        key = f"{prefix}{name}"
        yield key, value
        if isinstance(value, dict):
            yield from paths(value, key + ".")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, entry in enumerate(value):
                labels = [str(i), str(i - len(value))]
                labels += [entry[k] for k in ("role", "name") if isinstance(entry.get(k), str) and "." not in entry[k]]
                for label in labels:
                    yield f"{key}.{label}", entry
                    yield from paths(entry, f"{key}.{label}.")


def like(value) -> st.SearchStrategy:
    """Values of the same kind as ``value``: mostly plausible, sometimes out of range."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-1, max(2 * value, 5))
    if isinstance(value, float):
        return st.floats(-0.1, max(2 * value, 1.0), allow_nan=False)
    if isinstance(value, str):
        return st.sampled_from([value, value + "x", "engineer", "24x7", "gamma"])
    if isinstance(value, list):
        return st.lists(st.sampled_from(value), max_size=len(value)) if value else st.just([])
    if isinstance(value, dict):
        return st.fixed_dictionaries({k: like(v) for k, v in value.items()})
    return ANY_VALUE


@st.composite
def change_sets(draw, text: str) -> dict:
    existing = list(paths(tomllib.loads(text)))
    changes = {}
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["existing", "existing", "existing", "absent", "anything"]))
        if kind == "absent":
            key = draw(st.sampled_from(sorted(ABSENT)))
            changes[key] = draw(ABSENT[key])
            continue
        key, current = draw(st.sampled_from(existing))
        changes[key] = draw(like(current) if kind == "existing" else ANY_VALUE)
    return changes


def plain_change(text: str, changes: dict):
    """The original file's data with ``set_dotted`` applied, or None when it refuses."""
    data = tomllib.loads(text)
    try:
        for key, value in changes.items():
            set_dotted(data, key, copy.deepcopy(value))
    except ScenarioError:
        return None
    return data


def edited(text: str, changes: dict) -> str | None:
    try:
        return apply_changes(text, changes)
    except ScenarioError:
        return None


def scenario_or_none(build):
    try:
        return build()
    except ScenarioError:
        return None


def assert_same_scenario(text: str, changes: dict) -> None:
    out = edited(text, changes)
    expected = plain_change(text, changes)
    assert (out is None) == (expected is None), (changes, out)
    if out is None:
        event("a key that cannot be followed, refused by both")
        return
    assert tomllib.loads(out) == expected
    original = scenario_or_none(lambda: itsim.loads_scenario(text))
    if original is None:
        return
    want = scenario_or_none(lambda: original.with_changes(changes))
    got = scenario_or_none(lambda: itsim.loads_scenario(out))
    event("a valid changed scenario" if want is not None else "an invalid changed scenario")
    assert got == want, changes


def no_tables(changes: dict) -> bool:
    return not any(isinstance(v, dict | list) for v in changes.values())


@st.composite
def commented_file_and_changes(draw):
    text = draw(st.sampled_from([BASELINE, STYLES]))
    return text, draw(change_sets(text))


@given(commented_file_and_changes())
def test_editing_a_commented_file_means_with_changes(case) -> None:
    text, changes = case
    assert_same_scenario(text, changes)


@given(commented_file_and_changes())
def test_comments_survive_changes_of_values(case) -> None:
    text, changes = case
    out = edited(text, changes)
    if out is None or not no_tables(changes):
        return
    comments = re.findall(r"(?m)(?:^|\s)(#[^\n\"]*)$", text)
    assert comments
    missing = [c for c in comments if c not in out]
    assert not missing


@st.composite
def generated_file_and_changes(draw):
    text = draw(scenarios()).dumps()
    return text, draw(change_sets(text))


@given(generated_file_and_changes())
def test_editing_a_generated_scenario_means_with_changes(case) -> None:
    text, changes = case
    assert_same_scenario(text, changes)


def test_the_styles_file_is_a_valid_scenario() -> None:
    sc = itsim.loads_scenario(STYLES)
    assert sc.incidents.escalation.to == "engineer"
    assert math.isclose(sc.targets.max_utilization, 0.9)
