"""What each policy does and takes: its parameters, their types, defaults and meaning,
for ``itsim policies`` and the report's assumptions."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic.fields import FieldInfo

from itsim.policies import available, policy_class

#: What a parameter left at None means, when its default depends on the scenario.
FROM_SCENARIO = "from the scenario"


@dataclass(frozen=True)
class Parameter:
    """One parameter of one policy, as text: ``default`` is :data:`FROM_SCENARIO` when the
    value is worked out from the scenario (the meaning says how)."""

    policy: str
    name: str
    type: str
    default: str
    meaning: str


def type_name(annotation: Any) -> str:
    """A parameter's type in plain words: ``int | None`` is ``integer``."""
    names = {int: "integer", float: "number", str: "text", bool: "yes/no"}
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(type_name(a) for a in parts)
    if origin is list:
        (inner,) = typing.get_args(annotation) or (str,)
        return f"list of {type_name(inner)}"
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def default_text(field: FieldInfo) -> str:
    if field.default is None or field.is_required():
        return FROM_SCENARIO if not field.is_required() else "required"
    value = field.get_default(call_default_factory=True)
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def summary(cls: type) -> str:
    """The first sentence of a policy's description (its module's docstring, else the class's)."""
    module = __import__(cls.__module__, fromlist=["_"]).__doc__ or ""
    own = module.startswith(f"``{getattr(cls, 'name', '')}``")  # a module of its own describes it
    doc = (module if own else cls.__doc__) or ""
    first = " ".join(doc.strip().split("\n\n")[0].split())
    return first.split(": ", 1)[1] if own and ": " in first else first


def parameters(name: str) -> list[Parameter]:
    """Every parameter of the policy called ``name``, in declaration order."""
    cls = policy_class(name)
    return [
        Parameter(name, key, type_name(field.annotation), default_text(field), field.description or "")
        for key, field in cls.Params.model_fields.items()
    ]


def catalogue() -> list[tuple[str, str, list[Parameter]]]:
    """``(name, what it does, parameters)`` of every known policy."""
    return [(name, summary(cls), parameters(name)) for name, cls in available().items()]


def format_catalogue(names: list[str] | None = None) -> str:
    """The catalogue as text: each policy, what it does, and a table of its parameters."""
    lines: list[str] = []
    for name, what, params in catalogue():
        if names and name not in names:
            continue
        lines.append(f"{name}: {what}")
        if not params:
            lines.append("  (no parameters)")
        else:
            rows = [("parameter", "type", "default", "meaning")] + [(p.name, p.type, p.default, p.meaning)
                                                                   for p in params]
            widths = [max(len(row[i]) for row in rows) for i in range(3)]
            for row in rows:
                lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + f"  {row[3]}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
