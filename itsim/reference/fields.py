"""Pydantic fields in words: type, range, default and the attribute docstring written
under a field (``name: float = ...`` then ``\"\"\"meaning\"\"\"``)."""

from __future__ import annotations

import ast
import inspect
import math
import textwrap
import types
import typing
from datetime import date
from functools import cache
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from itsim import distributions as _distributions
from itsim.distributions import Distribution

_NAMES = {int: "integer", float: "number", str: "text", bool: "true or false", date: "date (YYYY-MM-DD)"}


def type_text(annotation: Any) -> str:
    """``float | None`` is ``number``, ``list[str]`` is ``list of text``, ``Literal["a", "b"]``
    is ``"a" or "b"``; a distribution is ``distribution``, a nested section ``table``."""
    if _is_distribution(annotation):
        return "distribution"
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return " or ".join(dict.fromkeys(type_text(a) for a in args))
    if origin is Literal:
        return " or ".join(f'`"{a}"`' for a in args)
    if origin is list:
        return f"list of {type_text(args[0]) if args else 'values'}"
    if origin is dict:
        return f"table of {type_text(args[1]) if len(args) > 1 else 'values'}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    return _NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _is_distribution(annotation: Any) -> bool:
    """Whether a field holds a distribution (``Distribution``, optional or not)."""
    if annotation is Distribution or annotation == Distribution:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_distribution(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(_is_distribution(a) for a in args)
    return isinstance(annotation, type) and issubclass(annotation, _distributions._Distribution)


def range_text(field: FieldInfo) -> str:
    """The bounds of a field: ``> 0``, ``0 to 1``, ``>= 0 and < 1``, ``24 values``."""
    low = high = None
    lengths = []
    for m in field.metadata:
        if isinstance(m, annotated_types.Gt):
            low = f"> {_num(m.gt)}"
        elif isinstance(m, annotated_types.Ge):
            low = f"≥ {_num(m.ge)}"
        elif isinstance(m, annotated_types.Lt):
            high = f"< {_num(m.lt)}"
        elif isinstance(m, annotated_types.Le):
            high = f"≤ {_num(m.le)}"
        elif isinstance(m, annotated_types.MinLen) and m.min_length:
            lengths.append(("min", m.min_length))
        elif isinstance(m, annotated_types.MaxLen):
            lengths.append(("max", m.max_length))
    if low and high:
        text = f"{low[2:]} to {high[2:]}" if low[0] == "≥" and high[0] == "≤" else f"{low} and {high}"
    else:
        text = low or high or ""
    bounds = dict(lengths)
    if bounds.get("min") and bounds.get("min") == bounds.get("max"):
        return f"{bounds['min']} values"
    if bounds.get("min"):
        text = ", ".join(filter(None, [text, "not empty" if bounds["min"] == 1 else f"at least {bounds['min']}"]))
    return text


def _num(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def default_text(field: FieldInfo) -> str:
    """``required``, ``none`` (optional, absent unless given) or the default value as TOML."""
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "its defaults"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and math.isinf(value):
        return "none"
    if isinstance(value, list):
        if value and len(set(value)) == 1 and len(value) > 3:
            return f"{len(value)} × {_num(value[0])}"
        return "[" + ", ".join(f'"{v}"' if isinstance(v, str) else _num(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{}" if not value else str(value)
    return _num(value) if isinstance(value, int | float) else str(value)


@cache
def attribute_docstrings(model: type) -> dict[str, str]:
    """The docstrings written under a class's annotated attributes (a model's fields), by name."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(model)))
    except (OSError, TypeError):  # defined interactively: no source
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    out = {}
    for node, after in zip(body, body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
            out[node.target.id] = " ".join(after.value.value.split())
    return out
