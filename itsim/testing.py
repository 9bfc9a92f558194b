"""Property-based testing for itsim users: hypothesis strategies and invariant checkers.

A policy is a plug, so the engine cannot know what yours does; these helpers let
you state what must stay true whatever it does, and let hypothesis look for a
scenario where it does not::

    from hypothesis import given, settings
    import itsim
    from itsim.testing import check_conservation, check_littles_law, scenarios

    @settings(max_examples=20, deadline=None)
    @given(scenarios(policy={"name": "my_policy"}))
    def test_my_policy_loses_no_work(scenario):
        run = itsim.simulate(scenario, seed=1)
        check_conservation(run)
        check_littles_law(run)

Strategies: :func:`distributions`, :func:`scenarios`, :func:`policies`, and for
robustness :func:`extreme_distributions` and :func:`extreme_scenarios` (valid values
at the edges of what validation allows).
Checkers (each raises ``AssertionError`` with the numbers involved):
:func:`check_conservation`, :func:`check_littles_law`, :func:`check_determinism`.
Generated scenarios are small (a few people, 14 to 60 simulated days, modest
rates) so that one simulation takes a fraction of a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import TypeAdapter

try:
    from hypothesis import assume, currently_in_test_context, note, reject
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError('itsim.testing needs hypothesis: pip install "itsim[testing]"') from exc

from itsim import distributions as _distributions
from itsim.checks import staff_scale
from itsim.experiment import Run, policy_and_adjusted, simulate
from itsim.metrics import edge_tolerance
from itsim.model.work import INCIDENT
from itsim.policies import available, build_policy
from itsim.record import ABANDON, ARRIVE, DEFLECT, DONE
from itsim.scenario import CADENCES, RISKS, WORK_KINDS, Scenario, ScenarioError
from itsim.workload import Limits, estimate

__all__ = [
    "check_conservation",
    "check_determinism",
    "check_littles_law",
    "distributions",
    "extreme_distributions",
    "extreme_scenarios",
    "note_scenario",
    "policies",
    "scenarios",
]

_DISTRIBUTION = TypeAdapter(_distributions.Distribution)

#: The line before a drawn scenario's TOML in hypothesis's report of a failing example.
SCENARIO_NOTE = "# The scenario as a file (save it and run: itsim run FILE):"

#: Role names drawn for generated teams (plain identifiers, as the format requires).
ROLE_NAMES = ("service_desk", "engineer", "network", "dba", "security")

#: Parameters of built-in policies whose defaults are not the only sensible choice.
POLICY_PARAMS: dict[str, dict[str, st.SearchStrategy]] = {
    "wip_limit": {"wip_limit": st.integers(1, 6)},
    "protected_maintenance": {"share": st.floats(0.05, 0.5)},
    "add_staff": {"count": st.integers(1, 3)},
}


# -- distributions ------------------------------------------------------------------------


def _positive(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def distributions(
    draw: st.DrawFn,
    kinds: Sequence[str] = _distributions.KINDS,
    min_mean: float = 0.1,
    max_mean: float = 10.0,
    max_cv: float = 2.0,
):
    """Any of the seven distributions, with its mean between ``min_mean`` and ``max_mean``.

    Built from the same inline table a scenario file holds and validated by
    :data:`itsim.Distribution`, so every value drawn is one a user could write.
    ``kinds`` restricts the families (e.g. ``["exponential"]`` for an M/M/c check);
    ``max_cv`` bounds the spread of ``lognormal`` and ``gamma``. Units are those of
    the field the distribution is used for.

    >>> from hypothesis import find
    >>> d = find(distributions(kinds=["lognormal"], min_mean=2, max_mean=3), lambda d: True)
    >>> d.dist, 2 <= d.mean <= 3
    ('lognormal', True)
    """
    unknown = sorted(set(kinds) - set(_distributions.KINDS))
    if unknown or not kinds:
        raise ValueError(f"kinds: expected some of {', '.join(_distributions.KINDS)}, got {list(kinds)}")
    if not 0 < min_mean <= max_mean:
        raise ValueError(f"need 0 < min_mean <= max_mean, got {min_mean} and {max_mean}")
    kind = draw(st.sampled_from(list(kinds)))
    mean = draw(_positive(min_mean, max_mean))
    table: dict[str, Any] = {"dist": kind}
    if kind == "exponential":
        table["mean"] = mean
    elif kind in ("lognormal", "gamma"):
        table.update(mean=mean, cv=draw(_positive(0.05, max_cv)))
    elif kind == "constant":
        table["value"] = mean
    elif kind == "uniform":
        half = draw(_positive(0.01, 0.99)) * mean
        table.update(low=mean - half, high=mean + half)
    elif kind == "triangular":
        # Mean = (low + mode + high) / 3: given low < mean, any high in
        # [(3 mean - low) / 2, 3 mean - 2 low] puts the mode between low and high.
        low = mean * draw(_positive(0.0, 0.9))
        lo_high, hi_high = (3 * mean - low) / 2, 3 * mean - 2 * low
        high = lo_high + (hi_high - lo_high) * draw(_positive(0.0, 1.0))
        mode = min(max(3 * mean - low - high, low), high)
        table.update(low=low, mode=mode, high=high)
    else:  # empirical
        values = draw(st.lists(st.just(0.0) | _positive(0.01, 1.0), min_size=1, max_size=8))
        total = sum(values)
        table["values"] = [v / total * len(values) * mean for v in values] if total > 0 else [mean]
    return _DISTRIBUTION.validate_python(table)


# -- policies -------------------------------------------------------------------------------


def _builds(names: list[str], params: dict[str, Any]) -> bool:
    try:
        build_policy(names, params)
    except (ValueError, TypeError, KeyError):
        return False
    return True


def _valid_params(classes: list[type], params: dict[str, Any]) -> bool:
    """Whether ``params`` are all taken, and accepted, by the policy classes (as build_policy checks)."""
    used: set[str] = set()
    for cls in classes:
        own = {k: v for k, v in params.items() if k in cls.Params.model_fields}
        used |= set(own)
        try:
            cls.from_params(own)
        except (ValueError, TypeError):
            return False
    return used == set(params)


def policies(names: Sequence[str] | None = None, combine: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """A ``[policy]`` table: ``{"name": NAME, **params}`` for a registered policy.

    Names come from :func:`itsim.policies.available` (built-in, registered with
    :func:`itsim.policies.register`, or installed through the ``itsim.policies``
    entry points) at the time this is called, or from ``names``; names that do
    not build with their default parameters are left out. Parameters are drawn
    where they are known (:data:`POLICY_PARAMS`), else left at their defaults.
    ``combine=True`` sometimes draws two policies at once (``name = [A, B]``).
    Pass the result to ``scenarios(policy=...)``.

    >>> from hypothesis import find
    >>> find(policies(names=["firefight_first"]), lambda p: True)
    {'name': 'firefight_first'}
    """
    known = available()
    candidates = sorted(known) if names is None else list(names)
    usable = [n for n in candidates if _builds([n], {})]
    if not usable:
        raise ValueError(f"no policy among {candidates} builds with default parameters")

    def params_for(draw: st.DrawFn, chosen: list[str]) -> dict[str, Any]:
        return {k: draw(v) for name in chosen for k, v in POLICY_PARAMS.get(name, {}).items()}

    @st.composite
    def tables(draw: st.DrawFn) -> dict[str, Any]:
        count = draw(st.integers(1, 2)) if combine and len(usable) > 1 else 1
        chosen = draw(st.lists(st.sampled_from(usable), min_size=count, max_size=count, unique=True))
        params = params_for(draw, chosen)
        if not _valid_params([known[n] for n in chosen], params):
            params = {}
        assume(_valid_params([known[n] for n in chosen], params))
        return {"name": chosen[0] if len(chosen) == 1 else chosen, **params}

    return tables()


# -- scenarios ------------------------------------------------------------------------------


def _table(strategy: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """Distributions as the inline tables a scenario file holds."""
    return strategy.map(lambda d: d.model_dump(by_alias=True))


# Strategies built once: hypothesis validates every new strategy object, which adds
# up when a scenario is drawn from dozens of them.
_SKILLS = st.lists(st.sampled_from(WORK_KINDS), min_size=1, max_size=3, unique=True).map(
    lambda s: sorted(s, key=WORK_KINDS.index)
)
_COST_PER_HOUR = st.floats(0, 150).map(lambda x: round(x, 2))
_PRODUCTIVITY = st.floats(0.5, 1.5).map(lambda x: round(x, 3))
_HOUR_OF_DAY = st.lists(st.floats(0, 2), min_size=24, max_size=24).filter(lambda w: sum(w) > 0)
_DAY_OF_WEEK = st.lists(st.floats(0, 2), min_size=7, max_size=7).filter(lambda w: sum(w) > 0)
_INCIDENT_EFFORT = distributions(min_mean=0.25, max_mean=4.0, max_cv=1.5)
_PATIENCE_HOURS = _table(distributions(min_mean=0.5, max_mean=24))
_EXTRA_EFFORT = _table(distributions(min_mean=0.25, max_mean=4.0))
_RECURRING_EFFORT = _table(distributions(min_mean=0.25, max_mean=8.0))
_ESTIMATE = _table(distributions(min_mean=4.0, max_mean=80.0, max_cv=1.5))
_PROJECT_OPTIONS: dict[str, st.SearchStrategy] = {
    "estimate_bias": st.floats(0.8, 1.6),
    "estimate_noise_cv": st.floats(0, 0.6),
    "value_per_week": _table(distributions(min_mean=100, max_mean=10_000)),
    "improvement_share": st.floats(0, 1),
    "care_and_feeding_hours_per_week": st.floats(0, 2),
    "chunk_hours": st.floats(1, 8),
    "max_people_per_project": st.integers(1, 3),
    "patience_days": _table(distributions(min_mean=2, max_mean=60)),
}
_TARGET_OPTIONS: dict[str, st.SearchStrategy] = {
    "project_lead_time_days": st.floats(5, 180),
    "recurring_on_time_share": st.floats(0, 1),
    "incident_sla_attainment": st.floats(0, 1),
    "max_utilization": st.floats(0.3, 1),
    "open_work_growth_weeks": st.floats(0.05, 1),
}
_DYNAMICS_OPTIONS: dict[str, st.SearchStrategy] = {
    "debt_per_skipped_hour": st.floats(0, 2),
    "debt_per_late_hour": st.floats(0, 1),
    "debt_chunk_hours": st.floats(1, 8),
    "burnout_utilization": st.floats(0.5, 1),
    "burnout_window_weeks": st.floats(1, 4),
    "burnout_productivity_loss": st.floats(0, 0.5),
    "attrition_per_year": st.floats(0, 2),
    "burnout_attrition_per_year": st.floats(0, 2),
    "hiring_delay_days": st.floats(0, 30),
    "onboarding_days": st.floats(0, 30),
    "onboarding_productivity": st.floats(0.2, 1),
    "context_switch_hours": st.floats(0, 1),
}
_COST_OPTIONS: dict[str, st.SearchStrategy] = {
    "currency": st.sampled_from(["USD", "EUR", "GBP"]),
    "per_security_incident": st.floats(0, 100_000),
    "per_leaver": st.floats(0, 50_000),
    "per_shadow_it_system_per_week": st.floats(0, 1_000),
    "per_deflected_incident": st.floats(0, 20),
    "overhead_per_week": st.floats(0, 10_000),
}
#: Loops that act on incidents, only switched on in scenarios that have them.
_INCIDENT_DYNAMICS_OPTIONS: dict[str, st.SearchStrategy] = {
    "incident_rate_per_debt_hour": st.floats(0, 0.01),
    "security_hazard_per_exposed_hour": st.floats(0, 0.01),
    "exposure_days": st.floats(1, 90),
    "security_incident_effort_hours": _table(distributions(min_mean=4, max_mean=40)),
    "security_incident_people": st.integers(1, 4),
    "improvement_incident_reduction": st.floats(0, 0.3),
    "improvement_floor": st.floats(0.2, 1),
    "shadow_it_incidents_per_week": st.floats(0, 2),
}



def _sometimes(draw: st.DrawFn, wanted: bool | None) -> bool:
    """``wanted`` if given, else a coin toss: every optional section is sometimes absent."""
    return draw(st.booleans()) if wanted is None else wanted


def _roles_with(team: list[dict], skill: str) -> list[str]:
    return [t["role"] for t in team if skill in t["skills"]]


def _ensure_skill(draw: st.DrawFn, team: list[dict], skill: str) -> None:
    if not _roles_with(team, skill):
        member = draw(st.sampled_from(team))
        member["skills"] = sorted({*member["skills"], skill}, key=WORK_KINDS.index)


def _handled_by(draw: st.DrawFn, team: list[dict], skill: str) -> list[str]:
    roles = _roles_with(team, skill)
    return draw(st.lists(st.sampled_from(roles), min_size=1, max_size=len(roles), unique=True))


def _people_with(team: list[dict], roles: list[str]) -> float:
    return sum(t["count"] * t.get("productivity", 1.0) for t in team if t["role"] in roles)


@st.composite
def _team(draw: st.DrawFn, max_roles: int, max_people: int) -> list[dict]:
    names = draw(st.lists(st.sampled_from(ROLE_NAMES), min_size=1, max_size=max_roles, unique=True))
    team = []
    for name in names:
        member: dict[str, Any] = {
            "role": name,
            "count": draw(st.integers(1, max_people)),
            "skills": draw(_SKILLS),
        }
        if draw(st.booleans()):
            member["cost_per_hour"] = draw(_COST_PER_HOUR)
        if draw(st.booleans()):
            member["productivity"] = draw(_PRODUCTIVITY)
        if draw(st.integers(0, 4)) == 0:
            member["calendar"] = draw(st.sampled_from(["24x7", "business"]))
        team.append(member)
    return team


@st.composite
def _incidents(draw: st.DrawFn, team: list[dict], hours_per_day: float) -> dict:
    _ensure_skill(draw, team, "incident")
    handled_by = _handled_by(draw, team, "incident")
    effort = draw(_INCIDENT_EFFORT)
    # Offered load per on-shift hour as a share of the first-line capacity: mostly
    # below 1, sometimes a little above (a queue that grows but stays small).
    load = draw(st.floats(0.05, 1.1))
    per_hour = min(load * max(_people_with(team, handled_by), 0.5) / effort.mean, 4.0)
    cfg: dict[str, Any] = {"effort_hours": effort.model_dump(by_alias=True), "handled_by": handled_by}
    if draw(st.booleans()):
        cfg["rate_per_hour"] = per_hour
    else:
        cfg["rate_per_day"] = per_hour * hours_per_day
    if draw(st.booleans()):
        k = draw(st.integers(1, 4))
        weights = draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k))
        total = sum(weights)
        shares = [w / total for w in weights]
        shares[-1] = 1.0 - sum(shares[:-1])
        cfg["priorities"] = {f"P{i + 1}": s for i, s in enumerate(shares)}
        if draw(st.booleans()):
            classes = draw(st.lists(st.sampled_from(list(cfg["priorities"])), min_size=1, unique=True))
            cfg["sla_hours"] = {c: draw(st.floats(0.5, 96)) for c in sorted(classes)}
    elif draw(st.booleans()):
        cfg["sla_hours"] = {"P1": draw(st.floats(0.5, 96))}
    if draw(st.booleans()):
        cfg["preemptive"] = draw(st.booleans())
    if draw(st.integers(0, 2)) == 0:
        cfg["patience_hours"] = draw(_PATIENCE_HOURS)
    if draw(st.integers(0, 2)) == 0:
        cfg["escalation"] = {
            "share": draw(st.floats(0, 1)),
            "to": draw(st.sampled_from(_roles_with(team, "incident"))),
            "extra_effort_hours": draw(_EXTRA_EFFORT),
        }
    if draw(st.integers(0, 2)) == 0:
        cfg["deflection"] = draw(st.floats(0, 0.5))
    if draw(st.integers(0, 3)) == 0:
        cfg["arrival_profile"] = {
            "hour_of_day": draw(_HOUR_OF_DAY),
            "day_of_week": draw(_DAY_OF_WEEK),
        }
    return cfg


@st.composite
def _recurring(draw: st.DrawFn, team: list[dict]) -> list[dict]:
    _ensure_skill(draw, team, "recurring")
    tasks = []
    for i in range(draw(st.integers(1, 3))):
        task: dict[str, Any] = {
            "name": f"task {i + 1}",
            "every": draw(st.sampled_from(CADENCES)),
            "effort_hours": draw(_RECURRING_EFFORT),
            "due_within_days": draw(st.floats(0.5, 30)),
            "handled_by": _handled_by(draw, team, "recurring"),
        }
        if draw(st.booleans()):
            task["risk"] = draw(st.sampled_from(RISKS))
        tasks.append(task)
    return tasks


@st.composite
def _projects(draw: st.DrawFn, team: list[dict]) -> dict:
    _ensure_skill(draw, team, "project")
    cfg: dict[str, Any] = {
        "estimate_hours": draw(_ESTIMATE),
        "handled_by": _handled_by(draw, team, "project"),
    }
    if draw(st.booleans()):
        cfg["rate_per_week"] = draw(st.floats(0.2, 3.0))
    else:
        cfg["rate_per_month"] = draw(st.floats(1.0, 12.0))
    for key, values in _PROJECT_OPTIONS.items():
        if draw(st.booleans()):
            cfg[key] = draw(values)
    return cfg


@st.composite
def _targets(draw: st.DrawFn) -> dict:
    return {k: draw(v) for k, v in _TARGET_OPTIONS.items() if draw(st.booleans())}


@st.composite
def _dynamics(draw: st.DrawFn, has_incidents: bool) -> dict:
    """Some feedback loops switched on, mildly (loops acting on incidents only with incidents)."""
    options = {**_DYNAMICS_OPTIONS, **(_INCIDENT_DYNAMICS_OPTIONS if has_incidents else {})}
    return {k: draw(v) for k, v in options.items() if draw(st.booleans())}


@st.composite
def _costs(draw: st.DrawFn, priorities: list[str]) -> dict:
    costs = {k: draw(v) for k, v in _COST_OPTIONS.items() if draw(st.booleans())}
    if priorities and draw(st.booleans()):
        classes = draw(st.lists(st.sampled_from(priorities), min_size=1, unique=True))
        costs["downtime_per_hour"] = {c: draw(st.floats(0, 10_000)) for c in sorted(classes)}
    return costs


@st.composite
def _phases(draw: st.DrawFn, team: list[dict], horizon: int, max_people: int) -> list[dict]:
    phases = []
    for i in range(draw(st.integers(1, 2))):
        start = draw(st.integers(0, horizon - 1))
        phase: dict[str, Any] = {
            "name": f"phase {i + 1}",
            "start_day": float(start),
            "end_day": float(draw(st.integers(start + 1, horizon + 10))),
        }
        for key in ("demand_scale", "incident_rate_scale", "project_rate_scale"):
            if draw(st.booleans()):
                phase[key] = draw(st.floats(0, 2))
        if draw(st.booleans()):
            roles = draw(st.lists(st.sampled_from([t["role"] for t in team]), min_size=1, unique=True))
            phase["team"] = {r: {"count": draw(st.integers(0, max_people))} for r in roles}
        phases.append(phase)
    return phases


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    calendar: str | None = None,
    min_horizon_days: int = 14,
    max_horizon_days: int = 60,
    max_warmup_days: int = 7,
    max_roles: int = 3,
    max_people: int = 4,
    incidents: bool | None = None,
    recurring: bool | None = None,
    projects: bool | None = None,
    phases: bool | None = None,
    targets: bool | None = None,
    dynamics: bool | None = None,
    costs: bool | None = None,
    policy: str | dict | st.SearchStrategy | None = None,
) -> Scenario:
    """Valid, varied, small :class:`itsim.Scenario` objects.

    Every section of the format appears in some scenarios and not in others:
    ``[scenario]`` (either calendar), ``[[team]]`` (skills, productivity, cost,
    own calendar), ``[incidents]`` (priorities, preemption, SLAs, patience,
    escalation, deflection, arrival profile), ``[[recurring]]``, ``[projects]``
    (patience, value, care and feeding), ``[dynamics]`` (feedback loops, mildly),
    ``[costs]``, ``[targets]``, ``[[phase]]`` (demand scales and head-count
    changes) and the top-level ``demand_scale``. Cross references are always
    valid: every ``handled_by`` role exists and has the skill, and escalation
    goes to a role that handles incidents.

    Keyword arguments narrow the space: ``calendar`` ("24x7" or "business"),
    horizon and warm-up bounds (days), team size, and for each optional section
    ``True`` (always), ``False`` (never) or ``None`` (sometimes). ``policy`` is a
    policy name, a ``[policy]`` table, or a strategy of tables such as
    :func:`policies`; by default the scenario uses ``firefight_first``. Scenarios
    the policy cannot apply to (a deflection policy without incidents) are not drawn.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, deadline=None)
    ... @given(scenarios(calendar="24x7", incidents=True, max_horizon_days=20))
    ... def test_small_24x7_desks(sc):
    ...     assert sc.scenario.calendar == "24x7" and sc.scenario.horizon_days <= 20
    ...     assert sc.incidents is not None
    >>> test_small_24x7_desks()
    """
    if not 1 <= min_horizon_days <= max_horizon_days:
        raise ValueError(f"need 1 <= min_horizon_days <= max_horizon_days, got {min_horizon_days}, {max_horizon_days}")
    cal = draw(st.sampled_from(["24x7", "business"])) if calendar is None else calendar
    horizon = draw(st.integers(min_horizon_days, max_horizon_days))
    info: dict[str, Any] = {
        "name": "generated",
        "horizon_days": horizon,
        "warmup_days": draw(st.integers(0, max_warmup_days)),
        "calendar": cal,
        "seed": draw(st.integers(0, 2**32 - 1)),
    }
    team = draw(_team(max_roles, max_people))
    data: dict[str, Any] = {"scenario": info}
    hours_per_day = 24.0 if cal == "24x7" else 8.0
    if _sometimes(draw, incidents):
        data["incidents"] = draw(_incidents(team, hours_per_day))
    if _sometimes(draw, recurring):
        data["recurring"] = draw(_recurring(team))
    if _sometimes(draw, projects):
        data["projects"] = draw(_projects(team))
    data["team"] = team
    if _sometimes(draw, targets):
        data["targets"] = draw(_targets())
    if _sometimes(draw, phases):
        data["phase"] = draw(_phases(team, horizon, max_people))
    if _sometimes(draw, dynamics):
        data["dynamics"] = draw(_dynamics("incidents" in data))
    if _sometimes(draw, costs):
        priorities = list(data["incidents"].get("priorities", {"P1": 1.0})) if "incidents" in data else []
        data["costs"] = draw(_costs(priorities))
    if draw(st.integers(0, 3)) == 0:
        data["demand_scale"] = draw(st.floats(0.5, 1.5))
    if isinstance(policy, st.SearchStrategy):
        data["policy"] = draw(policy)
    elif isinstance(policy, str):
        data["policy"] = {"name": policy}
    elif policy is not None:
        data["policy"] = dict(policy)
    scenario = Scenario.from_dict(data, source="generated")
    if "policy" in data:
        try:
            policy_and_adjusted(scenario)
        except ScenarioError:
            reject()  # the policy needs something this scenario lacks (e.g. no incidents to deflect)
    note_scenario(scenario)
    return scenario


def note_scenario(scenario: Scenario) -> None:
    """Show ``scenario`` as its TOML file when hypothesis reports a failing example (a
    :func:`hypothesis.note`), so it can be saved and rerun with ``itsim run``.

    :func:`scenarios` does this for every scenario it draws; call it yourself for a
    scenario you build in a test from drawn values. Outside a hypothesis test it does
    nothing.
    """
    if currently_in_test_context():
        note(f"{SCENARIO_NOTE}\n{scenario.dumps()}")


# -- extreme but valid values -----------------------------------------------------------------

#: Limits for :func:`extreme_scenarios` by default: small enough that a run near them
#: takes a fraction of a second.
SMALL_LIMITS = Limits(items_per_replication=20_000, person_days_per_replication=200_000)


@st.composite
def extreme_distributions(draw: st.DrawFn, max_mean: float = 1e6):
    """Distributions at the edges of what validation allows: ``cv`` at its smallest and
    largest (:data:`itsim.distributions.MIN_CV`, ``MAX_CV``), means from a millionth to
    ``max_mean``, uniform and triangular reaching 0, empirical values that are mostly 0.
    Every value drawn is one a user could write."""
    kind = draw(st.sampled_from(list(_distributions.KINDS)))
    mean = draw(st.sampled_from([1e-6, 1e-3, 1.0, max_mean]) | _positive(1e-6, max_mean))
    table: dict[str, Any] = {"dist": kind}
    if kind == "exponential":
        table["mean"] = mean
    elif kind in ("lognormal", "gamma"):
        cv = draw(st.sampled_from([_distributions.MIN_CV, 1e-3, 10.0, _distributions.MAX_CV]))
        table.update(mean=mean, cv=cv)
    elif kind == "constant":
        table["value"] = mean
    elif kind == "uniform":
        table.update(low=draw(st.sampled_from([0.0, mean])), high=2 * mean)
    elif kind == "triangular":
        table.update(low=0.0, mode=draw(st.sampled_from([0.0, mean, 3 * mean])), high=3 * mean)
    else:
        zeros = draw(st.integers(0, 50))
        table["values"] = [0.0] * zeros + [mean]
    return _DISTRIBUTION.validate_python(table)


@st.composite
def extreme_scenarios(draw: st.DrawFn, limits: Limits = SMALL_LIMITS, **kwargs: Any) -> Scenario:
    """Valid scenarios at the edges: demand scaled to between a tenth of and three times
    ``limits.items_per_replication`` (so some are within the work limits and some beyond),
    effort, patience and estimates from :func:`extreme_distributions`, roles of nobody,
    a phase in which nobody works, due windows of a millionth of a day.

    Built on :func:`scenarios` (``kwargs`` go to it). Use with
    :func:`itsim.workload.check` and the same ``limits``: what it refuses is refused,
    anything else must run with finite metrics and passing checks.
    """
    base = draw(scenarios(**kwargs))
    data = base.to_dict()
    extreme = _table(extreme_distributions())
    if "incidents" in data:
        data["incidents"]["effort_hours"] = draw(extreme)
        if draw(st.booleans()):
            data["incidents"]["patience_hours"] = draw(extreme)
    for task in data.get("recurring", []):
        task["effort_hours"] = draw(extreme)
        if draw(st.booleans()):
            task["due_within_days"] = 1e-6
    if "projects" in data:
        data["projects"]["estimate_hours"] = draw(extreme)
    if draw(st.booleans()):
        draw(st.sampled_from(data["team"]))["count"] = 0
    if draw(st.booleans()):
        horizon = data["scenario"]["horizon_days"]
        start = draw(st.integers(0, horizon - 1))
        data.setdefault("phase", []).append({
            "name": "nobody at work", "start_day": float(start),
            "end_day": float(draw(st.integers(start + 1, horizon))),
            "team": {t["role"]: {"count": 0} for t in data["team"]},
        })
    scenario = Scenario.from_dict(data, source="generated")
    items = estimate(policy_and_adjusted(scenario)[1]).total_items
    if items > 0:
        target = limits.items_per_replication * draw(st.sampled_from([0.1, 0.5, 0.9, 1.1, 3.0]))
        scale = scenario.demand_scale * target / items
        if scale <= 1e12:
            scenario = scenario.with_changes({"demand_scale": scale})
    return scenario


# -- invariant checkers ---------------------------------------------------------------------


def check_conservation(run: Run, relative_hours_tolerance: float = 1e-6) -> None:
    """Nothing is lost: work and hours add up.

    Work: every ``*_unaccounted`` count in ``run.checks`` (arrived minus done,
    open, abandoned, skipped, declined, withdrawn and deflected) is exactly 0.
    Hours: on every day, for every role, busy + idle hours equal available hours
    to within ``relative_hours_tolerance`` of the most person-hours a day holds.

    >>> import itsim
    >>> sc = itsim.loads_scenario('''
    ... [scenario]
    ... name = "desk"
    ... horizon_days = 7
    ... calendar = "24x7"
    ... [[team]]
    ... role = "desk"
    ... count = 2
    ... [incidents]
    ... rate_per_hour = 1
    ... effort_hours = { dist = "exponential", mean = 1.0 }
    ... handled_by = ["desk"]
    ... ''')
    >>> check_conservation(itsim.simulate(sc, seed=1))
    """
    problems = []
    for key, value in sorted(run.checks.items()):
        if key.endswith("_unaccounted") and key != "hours_unaccounted" and value != 0:
            problems.append(f"{key} = {value:g} (expected 0)")
    hours = run.checks.get("hours_unaccounted", 0.0)
    limit = relative_hours_tolerance * staff_scale(run.scenario)
    if not hours <= limit:
        problems.append(
            f"hours_unaccounted = {hours:.6g} person-hours in one day (busy + idle - available); "
            f"allowed {limit:.3g} ({relative_hours_tolerance:g} of {staff_scale(run.scenario):g})"
        )
    if problems:
        raise AssertionError(f"conservation broken in {_where(run)}: " + "; ".join(problems))


def _where(run: Run) -> str:
    return f"scenario {run.scenario.name!r}, seed {run.seed}, replication {run.replication}"


def _portfolio_tolerance(run: Run) -> float:
    from itsim.model.projects import DECLINED

    world = run.world
    if world is None:
        raise ValueError(
            "check_littles_law needs the project table for the portfolio: simulate(..., keep_events=True)"
        )
    tab = world.portfolio.table()
    accepted = tab["state"] != DECLINED
    arrive = tab["requested"][accepted]
    leave = np.where(np.isnan(tab["finished"]), np.inf, tab["finished"])[accepted]
    lo, hi = world.warmup, world.end
    finished = (arrive >= lo) & (arrive < hi) & (leave <= hi)
    mean_time = float((leave - arrive)[finished].mean()) if finished.any() else 0.0
    return edge_tolerance(arrive, leave, lo, hi, mean_time)


def _incidents_in_system_from_events(run: Run) -> float:
    """Time-average number of incidents in the system over the measured window, recounted
    from the event stream itself (+1 on arrival, -1 on done, abandoned or deflected)."""
    world = run.world
    time, code, item = world.log.columns()
    kind = np.frombuffer(world.log.kind, dtype=np.int8) if len(world.log.kind) else np.zeros(0, np.int8)
    incident = kind[item] == INCIDENT if len(item) else np.zeros(0, bool)
    step = np.where(incident & (code == ARRIVE), 1.0, 0.0)
    step[incident & np.isin(code, (DONE, ABANDON, DEFLECT))] = -1.0
    in_system = np.cumsum(step)
    lo, hi = world.warmup, world.end
    t = np.clip(time, lo, hi)
    held = np.diff(np.append(t, hi))
    return float((in_system * held).sum() / (hi - lo))


def check_littles_law(run: Run) -> None:
    """Little's law holds over the measured window: L = lambda x W.

    For incidents, ``run.checks`` holds L (time-average number in the system),
    lambda x W (arrival rate x mean time in the system) and the tolerance the
    window's own length allows (items straddling its start and end); when the
    run kept its events, L is also recounted from the event stream (arrivals
    minus departures, step by step), which catches items that leave twice or
    never arrived. For the
    project portfolio (accepted requests, when the scenario has projects) the
    tolerance is derived the same way from the run's project table, so the run
    must keep its events (the default of :func:`itsim.simulate`).

    >>> import itsim
    >>> sc = itsim.loads_scenario('''
    ... [scenario]
    ... name = "desk"
    ... horizon_days = 7
    ... calendar = "24x7"
    ... [[team]]
    ... role = "desk"
    ... count = 1
    ... [incidents]
    ... rate_per_hour = 0.5
    ... effort_hours = { dist = "exponential", mean = 1.0 }
    ... handled_by = ["desk"]
    ... ''')
    >>> check_littles_law(itsim.simulate(sc, seed=1))
    """
    c = run.checks
    problems = []
    if "littles_law_L" in c:
        L, lam_w, tol = c["littles_law_L"], c["littles_law_lambda_W"], c["littles_law_tolerance"]
        if not abs(L - lam_w) <= tol:
            problems.append(f"incidents: L = {L:.6g} but lambda x W = {lam_w:.6g} (|diff| {abs(L - lam_w):.3g} > "
                            f"tolerance {tol:.3g})")
        if run.world is not None:
            recount = _incidents_in_system_from_events(run)
            if not abs(recount - L) <= 1e-9 * max(1.0, L):
                problems.append(f"incidents: L = {L:.9g} from item times but {recount:.9g} from the event stream")
    if "portfolio_L" in c:
        L, lam_w = c["portfolio_L"], c["portfolio_lambda_W"]
        tol = _portfolio_tolerance(run)
        if not abs(L - lam_w) <= tol:
            problems.append(f"portfolio: L = {L:.6g} but lambda x W = {lam_w:.6g} (|diff| {abs(L - lam_w):.3g} > "
                            f"tolerance {tol:.3g})")
    if problems:
        raise AssertionError(f"Little's law broken in {_where(run)}: " + "; ".join(problems))


def _same(a: float, b: float) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def check_determinism(scenario: Scenario, seed: int) -> Run:
    """Simulating the same scenario with the same seed twice gives identical results.

    Compares every metric, every check and the weekly series exactly (NaN equals
    NaN). Returns the first run, so the caller can check more on it.

    >>> import itsim
    >>> sc = itsim.loads_scenario('''
    ... [scenario]
    ... name = "desk"
    ... horizon_days = 7
    ... [[team]]
    ... role = "desk"
    ... count = 1
    ... [incidents]
    ... rate_per_day = 5
    ... effort_hours = { dist = "lognormal", mean = 1.0, cv = 1.0 }
    ... handled_by = ["desk"]
    ... ''')
    >>> run = check_determinism(sc, seed=3)
    """
    first = simulate(scenario, seed=seed)
    second = simulate(scenario, seed=seed)
    problems = []
    for what, x, y in (("metric", first.metrics, second.metrics), ("check", first.checks, second.checks)):
        for key in sorted(set(x) | set(y)):
            if key not in x or key not in y:
                problems.append(f"{what} {key} only in one run")
            elif not _same(x[key], y[key]):
                problems.append(f"{what} {key}: {x[key]!r} then {y[key]!r}")
    if not first.timeseries.equals(second.timeseries):
        problems.append("weekly series differ")
    if problems:
        raise AssertionError(
            f"same scenario {scenario.name!r} and seed {seed} gave different results: " + "; ".join(problems[:10])
            + (f" (and {len(problems) - 10} more)" if len(problems) > 10 else "")
        )
    return first
