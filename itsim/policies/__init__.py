"""Policies by name: the built-in ones, and third-party ones registered through the
``itsim.policies`` entry-point group (``name = "package.module:PolicyClass"``)."""

from __future__ import annotations

import functools
import sys
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from itsim.policies.add_staff import AddStaff
from itsim.policies.base import FirefightFirst, Policy, PolicyParams
from itsim.policies.deflection import Deflection
from itsim.policies.fifo import Fifo
from itsim.policies.firefighter_rotation import FirefighterRotation
from itsim.policies.intake_gate import IntakeGate
from itsim.policies.outsource_tier1 import OutsourceTier1
from itsim.policies.prioritise_value import PrioritiseValue
from itsim.policies.prioritise_wsjf import PrioritiseWsjf
from itsim.policies.protected_maintenance import ProtectedMaintenance
from itsim.policies.wip_limit import WipLimit
from itsim.scenario_text import ScenarioError, did_you_mean, toml_text

if TYPE_CHECKING:
    from itsim.scenario import Scenario

_REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Register a policy class under its ``name`` (usable as a decorator)."""
    _REGISTRY[cls.name] = cls
    return cls


for _cls in (
    FirefightFirst, WipLimit, IntakeGate, ProtectedMaintenance, FirefighterRotation, PrioritiseWsjf,
    PrioritiseValue, Fifo, Deflection, AddStaff, OutsourceTier1,
):
    register(_cls)


class PluginError(KeyError):
    """A policy installed through an entry point that cannot be loaded; ``args[0]`` says
    which plugin and why."""


def names() -> list[str]:
    """Every policy name known, without loading any plugin: built-in, registered, installed."""
    return list(dict.fromkeys([*_REGISTRY, *_entry_points(tuple(sys.path))]))


def available() -> dict[str, type[Policy]]:
    """Every policy that loads, by name: built-in first, then entry points. A plugin that
    fails to load is left out here; :func:`policy_class` with its name says why."""
    found = dict(_REGISTRY)
    for name in _entry_points(tuple(sys.path)):
        if name not in found:
            try:
                found[name] = policy_class(name)
            except PluginError:
                continue
    return found


@functools.lru_cache(maxsize=8)
def _entry_points(path: tuple[str, ...]) -> dict:
    """Installed ``itsim.policies`` entry points (scanning costs milliseconds; cached per import path)."""
    return {ep.name: ep for ep in entry_points(group="itsim.policies")}


def policy_class(name: str) -> type[Policy]:
    """The policy class called ``name``. Only the plugin of that name is loaded, so one
    broken plugin breaks only itself: it raises :class:`PluginError` naming it; an unknown
    name raises ``KeyError`` with the closest known name."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    ep = _entry_points(tuple(sys.path)).get(name)
    if ep is None:
        known = names()
        raise KeyError(f"unknown policy {name!r}{did_you_mean(name, known)} (known: {', '.join(sorted(known))})")
    try:
        cls = ep.load()
    except Exception as exc:  # whatever a third-party module raises on import
        raise PluginError(f"policy {name!r} could not be loaded from the plugin {ep.value!r}"
                          f"{_package(ep)}: {type(exc).__name__}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Policy)):
        raise PluginError(f"policy {name!r} from the plugin {ep.value!r}{_package(ep)} is not a Policy class")
    return cls


def _package(ep) -> str:
    dist = getattr(ep, "dist", None)
    return f" (package {dist.name})" if dist is not None else ""


def build_policy(names: list[str], params: dict[str, Any]) -> Policy:
    """The policy (or combination) named in ``[policy]``; raises ValueError listing problems."""
    problems: list[str] = []
    classes = []
    for name in names:
        try:
            classes.append(policy_class(name))
        except KeyError as exc:
            problems.append(f"policy.name: {exc.args[0]}")
    if problems:
        raise ValueError("\n".join(problems))
    used: set[str] = set()
    policies = []
    for cls in classes:
        own = {k: v for k, v in params.items() if k in cls.Params.model_fields}
        used |= set(own)
        try:
            policies.append(cls.from_params(own))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = ".".join(str(p) for p in err["loc"])
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(f"policy.{loc}: {msg[:1].lower()}{msg[1:]} (got {toml_text(err.get('input'))})")
    for key in sorted(set(params) - used):
        valid = sorted({f for cls in classes for f in cls.Params.model_fields})
        listed = f"valid: {', '.join(valid)}" if valid else "it takes no parameters"
        problems.append(f"policy.{key}: not a parameter of {', '.join(names)} ({listed})")
    if problems:
        raise ValueError("\n".join(problems))
    return policies[0] if len(policies) == 1 else _combine(policies)


def phase_policy(section) -> Policy:
    """The policy of a ``[[phase]]`` (``section``: its ``policy`` table, validated like
    ``[policy]``); raises ValueError for a policy that changes the department itself
    (overrides ``adjust``), which a phase cannot switch on and off."""
    policy = build_policy(section.names, section.params)
    parts = policy.parts if hasattr(policy, "parts") else [policy]
    fixed = [p.name for p in parts if type(p).adjust is not Policy.adjust]
    if fixed:
        raise ValueError(
            f"policy.name: {', '.join(fixed)} changes the department itself before the run,"
            " so it cannot change by phase"
        )
    return policy


def _combine(policies: list[Policy]) -> Policy:
    from itsim.policies.combined import Combined

    return Combined(policies)


def policy_for(scenario: Scenario) -> Policy:
    """The scenario's policy object; raises :class:`ScenarioError` for bad names or parameters
    (of ``[policy]`` and of every ``[[phase]]`` policy)."""
    return policy_and_adjusted(scenario)[0]


def policy_and_adjusted(scenario: Scenario) -> tuple[Policy, Scenario]:
    """The scenario's policy object (:func:`policy_for`) and the scenario as it runs, with the
    policy's changes to the department applied (:meth:`Policy.adjust`, which also checks the
    parameters that depend on the scenario's roles and sections)."""
    try:
        policy = build_policy(scenario.policy.names, scenario.policy.params)
    except ValueError as exc:
        raise ScenarioError(str(exc).split("\n")) from None
    problems = []
    for j, phase in enumerate(scenario.phase):
        if phase.policy is not None:
            try:
                phase_policy(phase.policy)
            except ValueError as exc:
                problems += [f"phase[{j}].{p}" for p in str(exc).split("\n")]
    if problems:
        raise ScenarioError(problems)
    return policy, policy.adjust(scenario)


__all__ = [
    "Policy", "PolicyParams", "FirefightFirst", "PluginError", "register", "available", "names", "policy_class",
    "build_policy", "phase_policy", "policy_for", "policy_and_adjusted",
]
