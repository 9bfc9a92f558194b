"""The loader never crashes: any bytes give either a Scenario or a ScenarioError.

Documents come from three places: random nested tables rendered to TOML text
(with real section and key names mixed in, so validation goes deep), valid
scenarios with keys deleted, values of the wrong type or out of range, and
random bytes or text edits.
"""

import json
import math
from datetime import date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

import itsim
from itsim.scenario import Scenario, ScenarioError
from itsim.testing import scenarios

SECTIONS = ["scenario", "team", "incidents", "recurring", "projects", "policy", "targets", "phase", "dynamics"]
KEYS = [
    "name", "horizon_days", "warmup_days", "calendar", "seed", "role", "count", "skills", "cost_per_hour",
    "productivity", "rate_per_hour", "rate_per_day", "effort_hours", "priorities", "preemptive", "sla_hours",
    "handled_by", "patience_hours", "escalation", "deflection", "arrival_profile", "hour_of_day", "day_of_week",
    "every", "due_within_days", "risk", "rate_per_month", "rate_per_week", "estimate_hours", "value_per_week",
    "patience_days", "start_day", "end_day", "demand_scale", "dist", "mean", "cv", "low", "mode", "high", "value",
    "values", "share", "to", "extra_effort_hours", "P1", "P2", "wip_limit", "debt_per_skipped_hour",
]
WORDS = ["24x7", "business", "exponential", "lognormal", "gamma", "triangular", "uniform", "constant",
         "empirical", "desk", "engineer", "incident", "recurring", "project", "daily", "monthly", "security",
         "firefight_first", "wip_limit", "P1"]

keys = st.one_of(st.sampled_from(SECTIONS + KEYS), st.text(max_size=8))
scalars = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(WORDS),
    st.text(max_size=12),
    st.dates(),
    st.datetimes(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
documents = st.dictionaries(keys, values | st.lists(st.dictionaries(keys, values, max_size=5), min_size=1,
                                                   max_size=3), max_size=8)


def _key(k: str) -> str:
    return json.dumps(k)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"


def render(doc: dict) -> str:
    """TOML text for ``doc``: scalars first, then tables and arrays of tables (may be invalid TOML)."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in doc.items() if not isinstance(v, dict | list)]
    for k, v in doc.items():
        if isinstance(v, dict):
            lines += [f"[{_key(k)}]"] + [f"{_key(a)} = {_value(b)}" for a, b in v.items()]
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                lines += [f"[[{_key(k)}]]"] + [f"{_key(a)} = {_value(b)}" for a, b in item.items()]
        elif isinstance(v, list):
            lines.append(f"{_key(k)} = {_value(v)}")
    return "\n".join(lines) + "\n"


def loads_or_scenario_error(raw) -> None:
    try:
        result = itsim.loads_scenario(raw, source="fuzz.toml")
    except ScenarioError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        assert all(p.startswith("fuzz.toml") for p in exc.problems), exc.problems
    else:
        assert isinstance(result, Scenario)


def _paths(data, prefix=()):
    """Every path (tuple of keys and indices) into nested plain data."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _parent(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_scenarios(draw):
    """A valid scenario's data with a few keys deleted or set to a wrong or out-of-range value."""
    data = draw(scenarios()).to_dict()
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(st.one_of(
                scalars, st.sampled_from([-1, 0, -0.5, 1e308, -1e308, 10**20]), st.lists(scalars, max_size=3),
                st.dictionaries(keys, scalars, max_size=3),
            ))
    return data


@given(documents)
def test_random_documents_load_or_raise_scenario_error(doc):
    loads_or_scenario_error(render(doc))


@given(mutated_scenarios())
def test_broken_scenario_files_load_or_raise_scenario_error(data):
    loads_or_scenario_error(render(data))


@given(mutated_scenarios())
def test_broken_scenario_data_validates_or_raises_scenario_error(data):
    try:
        Scenario.from_dict(data, source="fuzz")
    except ScenarioError as exc:
        assert exc.problems


@given(st.binary(max_size=300))
def test_random_bytes_load_or_raise_scenario_error(raw):
    loads_or_scenario_error(raw)


@given(scenarios(), st.data())
def test_edited_scenario_text_loads_or_raises_scenario_error(scenario, data):
    text = scenario.dumps()
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 5))
        text = text[:at] + data.draw(st.text(max_size=5)) + text[at + cut:]
    loads_or_scenario_error(text)
    loads_or_scenario_error(text.encode("utf-8", errors="surrogatepass"))
