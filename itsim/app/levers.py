"""The levers of the what-if app, and the scenario changes they make.

A leader thinks in people per role, incident volume and project intake as a share
of today's, a policy with its parameters, and a surge of demand; the scenario file
thinks in dotted keys. :func:`levers_of` reads today's levers from a scenario,
:func:`changes` turns moved levers back into dotted changes (as ``--set`` and
:meth:`itsim.Scenario.with_changes` take them), and :func:`whatif` applies them to
the user's file with its comments kept. Policy parameters, their meaning and their
defaults come from each policy's pydantic ``Params`` in the registry, never from
here.
"""

from __future__ import annotations

import math
import tomllib
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from itsim.policies import available, build_policy, policy_class
from itsim.report import fmt
from itsim.scenario import Scenario, loads_scenario
from itsim.whatif import with_changes

SURGE_NAME = "What-if surge"
#: What a surge multiplies, by the choice offered: a key of ``[[phase]]``.
SURGE_KEYS = {"incidents": "incident_rate_scale", "projects": "project_rate_scale", "all": "demand_scale"}
SURGE_WORDS = {"incidents": "incidents", "projects": "project requests", "all": "incidents and project requests"}
WHATIF_SUFFIX = " (what-if)"


@dataclass(frozen=True)
class Surge:
    """A time-bounded rise in demand, added to the scenario as a ``[[phase]]``: ``size``
    is the extra demand as a share of today's (0.5 for +50%), ``start_day`` counts days
    from the end of warm-up, ``length_days`` its length in days, and ``applies_to`` one
    of :data:`SURGE_KEYS`."""

    size: float
    start_day: float
    length_days: float
    applies_to: str = "incidents"

    def phase(self) -> dict[str, Any]:
        if self.applies_to not in SURGE_KEYS:
            raise ValueError(f"a surge applies to one of {', '.join(SURGE_KEYS)} (got {self.applies_to!r})")
        return {"name": SURGE_NAME, "start_day": _tidy(self.start_day),
                "end_day": _tidy(self.start_day + self.length_days),
                SURGE_KEYS[self.applies_to]: _tidy(1 + self.size)}


@dataclass(frozen=True)
class Levers:
    """What a leader can move: ``people`` per role (head count), ``incident_volume`` and
    ``project_intake`` as shares of today's arrival rates (1.0 = today), the ``policy``
    (one name, or several combined) with its parameters, and an optional ``surge``."""

    people: dict[str, int]
    incident_volume: float = 1.0
    project_intake: float = 1.0
    policy: tuple[str, ...] = ("firefight_first",)
    policy_params: dict[str, Any] = field(default_factory=dict)
    surge: Surge | None = None


@dataclass(frozen=True)
class Parameter:
    """One parameter of a policy, as its ``Params`` model declares it.

    ``kind`` is ``int``, ``float``, ``bool``, ``text``, ``role`` (one of the scenario's
    roles), ``roles`` (a list of them) or ``other`` (set in the file only).
    ``optional`` parameters may be left unset (None): the policy then works the value
    out, as the description says. ``low``/``high`` are the bounds, exclusive where
    ``low_open``/``high_open``."""

    name: str
    kind: str
    default: Any
    description: str
    optional: bool = False
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def allows(self, value: Any) -> bool:
        """Whether ``value`` is within the bounds (None where the parameter is optional)."""
        if value is None:
            return self.optional
        if self.kind not in ("int", "float"):
            return True
        above = self.low is None or (value > self.low if self.low_open else value >= self.low)
        below = self.high is None or (value < self.high if self.high_open else value <= self.high)
        return above and below


def policy_names() -> list[str]:
    """Every registered policy (built-in first, then those of installed packages)."""
    return list(available())


def policy_description(name: str) -> str:
    """What a policy does, in its own words (as the policy reference says it), without the
    name that the page shows above it."""
    from itsim.reference.policies import description

    text = description(policy_class(name)).removeprefix(f"``{name}``: ")
    return text[:1].upper() + text[1:]


def policy_parameters(name: str) -> list[Parameter]:
    """The parameters of a registered policy, from its pydantic ``Params`` model."""
    out = []
    for key, info in policy_class(name).Params.model_fields.items():
        base, optional = _unwrap_optional(info.annotation)
        bounds: dict[str, Any] = {}
        for rule in info.metadata:
            for attr, target, open_ in (("ge", "low", False), ("gt", "low", True),
                                        ("le", "high", False), ("lt", "high", True)):
                if getattr(rule, attr, None) is not None:
                    bounds[target] = float(getattr(rule, attr))
                    bounds[f"{target}_open"] = open_
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        out.append(Parameter(key, _kind(key, base), default, info.description or "", optional, **bounds))
    return out


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def _kind(name: str, annotation: Any) -> str:
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    if annotation is str:
        return "role" if name == "role" or name.endswith("_role") else "text"
    if typing.get_origin(annotation) is list and typing.get_args(annotation) == (str,):
        return "roles"  # lists of names in a scenario are lists of roles (handled_by)
    return "other"


def levers_of(scenario: Scenario) -> Levers:
    """Today's levers: the scenario as it is."""
    return Levers(
        people={t.role: t.count for t in scenario.team},
        policy=tuple(scenario.policy.names),
        policy_params=dict(scenario.policy.params),
    )


def parameter_values(scenario: Scenario, policy: tuple[str, ...]) -> dict[str, Any]:
    """The parameters of ``policy`` as the scenario sets them, else the values they take
    in it: their defaults, or, for a default that depends on the scenario (a WIP limit
    from the number of project people), the value derived from ``scenario``."""
    given = scenario.policy.params if tuple(scenario.policy.names) == tuple(policy) else {}
    taken = build_policy(list(policy), dict(given)).effective_params(scenario)
    return {p.name: taken[p.name] for name in policy for p in policy_parameters(name)}


def policy_table(scenario: Scenario, levers: Levers) -> dict[str, Any] | None:
    """The ``[policy]`` table the levers ask for, every parameter set written out; None
    when it is the scenario's own (the same policy, each parameter as the file sets it
    or, where it does not, at its default)."""
    chosen = {k: v for k, v in levers.policy_params.items() if v is not None}
    given = scenario.policy.params
    if tuple(levers.policy) == tuple(scenario.policy.names):
        defaults = parameter_values(scenario, levers.policy)
        if set(given) <= set(chosen) and all(given.get(k, defaults.get(k)) == v for k, v in chosen.items()):
            return None
    return {"name": levers.policy[0] if len(levers.policy) == 1 else list(levers.policy), **chosen}


RATE_KEYS = {"incidents": ("rate_per_day", "rate_per_hour"), "projects": ("rate_per_month", "rate_per_week")}


def todays_rate(scenario: Scenario, section: str) -> tuple[str, float] | None:
    """The arrival rate of ``incidents`` or ``projects`` as the file gives it: its key
    (``rate_per_day``, ``rate_per_hour``, ``rate_per_month`` or ``rate_per_week``) and
    value; None when the scenario has no such section."""
    table = getattr(scenario, section)
    if table is None:
        return None
    key = next(k for k in RATE_KEYS[section] if getattr(table, k) is not None)
    return key, getattr(table, key)


def changes(scenario: Scenario, levers: Levers, phases: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The dotted changes that take ``scenario`` to ``levers`` (empty when nothing moved).

    ``phases`` are the file's own ``[[phase]]`` tables as written (plain TOML data), so
    that a surge is added after them with their comments kept; without them, they are
    taken from the scenario. Rates are scaled from the key the file uses
    (``rate_per_day`` or ``rate_per_hour``, ``rate_per_month`` or ``rate_per_week``).
    """
    out: dict[str, Any] = {}
    for team in scenario.team:
        count = levers.people.get(team.role, team.count)
        if count != team.count:
            out[f"team.{team.role}.count"] = int(count)
    for section, share in (("incidents", levers.incident_volume), ("projects", levers.project_intake)):
        today = todays_rate(scenario, section)
        if today is not None and not math.isclose(share, 1.0):
            out[f"{section}.{today[0]}"] = _tidy(today[1] * share)
    policy = policy_table(scenario, levers)
    if policy is not None:
        out["policy"] = policy
    if levers.surge is not None and levers.surge.size != 0:
        if phases is None:
            phases = [p.model_dump(exclude_defaults=True) for p in scenario.phase]
        out["phase"] = [*phases, levers.surge.phase()]
    if out and not scenario.name.endswith(WHATIF_SUFFIX):
        out["scenario.name"] = scenario.name + WHATIF_SUFFIX
    return out


def _tidy(x: float) -> float | int:
    """A number as a person would write it: whole numbers as integers, else six figures."""
    x = float(f"{x:.6g}")
    return int(x) if x.is_integer() else x


@dataclass(frozen=True)
class WhatIf:
    """A what-if scenario: the validated ``scenario``, its ``text`` (the user's file with
    the changes applied, comments kept, under a header listing them) and the ``changes``."""

    scenario: Scenario
    text: str
    changes: dict[str, Any]


def whatif(text: str, levers: Levers, origin: str) -> WhatIf:
    """Apply ``levers`` to the scenario file ``text``; ``origin`` says where the file
    came from, for the header (``baseline.toml``). Raises :class:`ScenarioError`, one
    line per problem, when the changed scenario is not valid."""
    base = loads_scenario(text, source=origin)
    found = changes(base, levers, tomllib.loads(text).get("phase", []))
    if not found:
        return WhatIf(base, text, {})
    scenario, edited = with_changes(text, found, "what-if", f"the itsim what-if app from {origin}")
    return WhatIf(scenario, edited, found)


def describe(scenario: Scenario, levers: Levers) -> list[str]:
    """The levers that moved, in words, one line each ('Engineer: 12 → 9 people')."""
    lines = []
    for team in scenario.team:
        count = levers.people.get(team.role, team.count)
        if count != team.count:
            lines.append(f"{fmt.key_label(f'team.{team.role}.count')}: {team.count} → {count}")
    if scenario.incidents is not None and not math.isclose(levers.incident_volume, 1.0):
        lines.append(f"Incident volume: {fmt.percent(levers.incident_volume)} of today's")
    if scenario.projects is not None and not math.isclose(levers.project_intake, 1.0):
        lines.append(f"Project requests: {fmt.percent(levers.project_intake)} of today's")
    policy = policy_table(scenario, levers)
    if policy is not None:
        shown = ", ".join(f"{k} = {v}" for k, v in policy.items() if k != "name")
        lines.append(f"Policy: {fmt.policy_label('+'.join(scenario.policy.names))} → "
                     f"{fmt.policy_label('+'.join(levers.policy))}" + (f" ({shown})" if shown else ""))
    surge = levers.surge
    if surge is not None and surge.size != 0:
        lines.append(f"Surge: {SURGE_WORDS.get(surge.applies_to, surge.applies_to)} "
                     f"{'+' if surge.size > 0 else ''}{fmt.percent(surge.size)} for "
                     f"{fmt.plural(surge.length_days, 'day')} from day {fmt.number(surge.start_day)} after warm-up")
    return lines

