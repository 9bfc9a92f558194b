"""Beliefs inside plain scenario data: lifted out on load, pinned by changes, written
back inline, and checked at both ends.

A belief's dotted key names list entries by their ``role`` or unique ``name`` (by
index otherwise), as ``with_changes`` does: ``team.engineer.count``,
``recurring.3.effort_hours.mean``.
"""

from __future__ import annotations

import copy
import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel

from itsim.scenario_text import ScenarioError
from itsim.uncertainty.beliefs import MARK, parse_belief, whole


def _label(items: list[Any], i: int) -> str:
    """How a list entry is named in a dotted key: its ``role`` or unique ``name``, else its index."""
    item = items[i]
    if isinstance(item, dict):
        for field in ("role", "name"):
            name = item.get(field)
            if (isinstance(name, str) and name and "." not in name and not name.lstrip("-").isdigit()
                    and sum(isinstance(x, dict) and x.get(field) == name for x in items) == 1):
                return name
    return str(i)


def _find(node: Any, prefix: str, found: dict[str, Any]) -> None:
    """Collect inline belief tables under ``node``: dotted key -> spec."""
    if isinstance(node, dict):
        if MARK in node:
            found[prefix] = node
            return
        for k, v in node.items():
            _find(v, f"{prefix}.{k}" if prefix else str(k), found)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _find(v, f"{prefix}.{_label(node, i)}", found)


def lift(data: Any) -> Any:
    """Plain scenario data with every inline belief replaced by its central value and the
    beliefs gathered in ``data["uncertain"]`` (dotted key -> belief table), next to any
    given there already. Data without beliefs comes back as it is.

    Raises :class:`ScenarioError` for a bad belief or an ``uncertain`` key that names no
    number of the scenario.
    """
    if not isinstance(data, dict):
        return data
    inline: dict[str, Any] = {}
    for k, v in data.items():
        if k != MARK:
            _find(v, k, inline)
    given = data.get(MARK)
    if not inline and not given:
        return data
    data = copy.deepcopy(data)
    problems: list[str] = []
    table = data.get(MARK) if isinstance(data.get(MARK), dict) else {}
    if given is not None and not isinstance(given, dict):
        problems.append(f"{MARK}: a table of dotted key = belief (got {given!r})")
    beliefs: dict[str, Any] = {}
    for key, spec in [*table.items(), *inline.items()]:
        try:
            belief = parse_belief(spec, key)
            if key in inline:
                central = belief.central
                _set(data, key, whole(central) if is_integer_key(data, key) else central)
            else:
                current = _get(data, key)
                if not isinstance(current, int | float) or isinstance(current, bool):
                    problems.append(f"{MARK}.{key}: no number of the scenario has this key")
                    continue
            beliefs[key] = belief.model_dump()
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    data[MARK] = beliefs
    return data


def _parts(data: dict[str, Any], key: str) -> list[Any] | None:
    """``key`` resolved against ``data``: dict keys and list indices; None if it names nothing."""
    cur: Any = data
    out: list[Any] = []
    for part in key.split("."):
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list):
            idx = next((i for i in range(len(cur)) if _label(cur, i) == part), None)
            if idx is None and part.lstrip("-").isdigit() and -len(cur) <= int(part) < len(cur):
                idx = int(part) % len(cur)
            if idx is None:
                idx = next((i for i, x in enumerate(cur) if isinstance(x, dict)
                            and part in (x.get("role"), x.get("name"))), None)
            if idx is None:
                return None
            out.append(idx)
            cur = cur[idx]
        else:
            return None
    return out


def _get(data: dict[str, Any], key: str) -> Any:
    parts = _parts(data, key)
    if parts is None:
        return None
    cur: Any = data
    for p in parts:
        cur = cur[p]
    return cur


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    parts = _parts(data, key)
    cur: Any = data
    for p in parts[:-1]:
        cur = cur[p]
    cur[parts[-1]] = value


def pin(data: dict[str, Any], key: str) -> None:
    """Drop from ``data["uncertain"]`` the beliefs at ``key`` or under it: a value set by
    hand is certain."""
    beliefs = data.get(MARK)
    if not beliefs:
        return
    target = _parts(data, key)
    if target is None:
        return
    for k in list(beliefs):
        parts = _parts(data, k)
        if parts is not None and parts[: len(target)] == target:
            del beliefs[k]


def inline(data: dict[str, Any]) -> dict[str, Any]:
    """The reverse of :func:`lift`: each belief written back in place of its central value
    (how ``Scenario.dumps`` writes a scenario with beliefs)."""
    beliefs = data.get(MARK)
    if not beliefs:
        return data
    data = copy.deepcopy(data)
    del data[MARK]
    for key, spec in beliefs.items():
        _set(data, key, {k: v for k, v in spec.items() if v is not None})
    return data


def _strip(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation


def _field(model: type[BaseModel], name: str) -> Any:
    for fname, info in model.model_fields.items():
        if (info.alias or fname) == name:
            return info.annotation
    return None


def is_integer_key(data: dict[str, Any], key: str) -> bool:
    """Whether the scenario field at ``key`` holds whole numbers (a head count, a WIP limit)."""
    from itsim.policies import available
    from itsim.scenario import Policy, Scenario

    parts = _parts(data, key)
    ann: Any = Scenario
    for part in parts or []:
        ann = _strip(ann)
        origin = typing.get_origin(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            found = _field(ann, part)
            if found is None and ann is Policy:
                found = next((_field(cls.Params, part) for cls in available().values()
                              if _field(cls.Params, part) is not None), None)
            ann = found
        elif origin is list:
            ann = typing.get_args(ann)[0]
        elif origin is dict:
            ann = typing.get_args(ann)[1]
        else:  # a union of models, such as a distribution: the member that has this field
            members = [m for m in typing.get_args(ann) if isinstance(m, type) and issubclass(m, BaseModel)]
            ann = next((_field(m, part) for m in members if _field(m, part) is not None), None)
        if ann is None:
            return False
    return _strip(ann) is int


def check(scenario, source: str = "<scenario>") -> None:
    """Check that the scenario stays valid at both ends of every belief (each on its own,
    the others at their central value); raises :class:`ScenarioError` naming the key."""
    if not scenario.uncertain:
        return
    from itsim.experiment import policy_for
    from itsim.scenario import Scenario

    base = scenario.to_dict()
    base.pop(MARK, None)
    problems: list[str] = []
    for key, belief in scenario.uncertain.items():
        integer = is_integer_key(base, key)
        for end, x in zip(("low", "high"), belief.span, strict=True):
            value = whole(x) if integer else x
            data = copy.deepcopy(base)
            _set(data, key, value)
            try:
                policy_for(Scenario.from_dict(data, source=source))
            except ScenarioError as exc:
                for p in exc.problems:
                    problems.append(f"{source}: {key}: at the {end} end of its belief ({value:g}): "
                                    f"{p.removeprefix(source + ': ')}")
                break
    if problems:
        raise ScenarioError(problems)
