"""Scenarios as text: path-qualified error messages with "did you mean" hints,
dotted keys for changes, and TOML output that loads back to the same scenario."""

from __future__ import annotations

import copy
import difflib
import math
import re
import typing
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from itsim.distributions import KINDS


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that sits at ``loc`` inside ``root`` (for key hints)."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or not hasattr(model, "model_fields"):
            return None
        field = None
        for fname, info in model.model_fields.items():
            if (info.alias or fname) == part:
                field = info
                break
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def toml_text(value: Any) -> str:
    """A value as the user wrote it in TOML (``true``, ``"1.5"``, ``inf``), cut to 60 characters."""
    try:
        text = _toml_value(value)
    except TypeError:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _lookup(data: Any, loc: tuple) -> tuple[bool, Any]:
    cur = data
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, cur


def format_errors(exc: ValidationError, data: dict[str, Any], root: type[BaseModel]) -> list[str]:
    """Turn pydantic's errors into ``path: problem (got value)`` lines."""
    lines: list[str] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        typ = err["type"]
        # Discriminated unions add the tag to the location; drop it.
        loc = tuple(p for p in loc if p not in KINDS)
        found, got = _lookup(data, loc)
        msg = err["msg"]
        if typ == "extra_forbidden":
            parent = _model_at(root, loc[:-1])
            hint = did_you_mean(loc[-1], _keys_of(parent)) if parent else ""
            lines.append(f"{_path(loc)}: unknown key{hint}")
            continue
        if typ == "missing":
            what = "section" if len(loc) == 1 and loc[0] in ("scenario", "team") else "key"
            lines.append(f"{_path(loc)}: required {what} is missing")
            continue
        if typ == "union_tag_invalid":
            tag = err.get("ctx", {}).get("tag")
            hint = did_you_mean(tag, KINDS)
            lines.append(f"{_path(loc)}.dist: unknown distribution {tag!r}{hint} (one of {', '.join(KINDS)})")
            continue
        if typ == "union_tag_not_found":
            lines.append(
                f"{_path(loc)}: a distribution needs dist = one of {', '.join(KINDS)} (got {toml_text(got)})"
            )
            continue
        if typ == "value_error":
            prefix = _path(loc)
            for part in msg.removeprefix("Value error, ").split("\n"):
                lines.append(f"{prefix}: {part}" if prefix else part)
            continue
        text = msg[0].lower() + msg[1:] if msg else msg
        suffix = f" (got {toml_text(got)})" if found else ""
        lines.append(f"{_path(loc)}: {text}{suffix}")
    return lines


# -- dotted keys and TOML output --------------------------------------------------------


def plain_value(value: Any) -> Any:
    """``value`` as plain data: numpy numbers become Python numbers, tuples lists (in depth)."""
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    item = getattr(value, "item", None)
    if item is not None and type(value).__module__ == "numpy":
        return item()
    return value


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` (dotted) in nested plain data, creating tables as needed."""
    parts = key.split(".")
    cur: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(cur, list):
            idx = _list_index(cur, part, key)
            if last:
                cur[idx] = value
            else:
                cur = cur[idx]
            continue
        if not isinstance(cur, dict):
            raise ScenarioError([f"{key}: {'.'.join(parts[:i])} is not a table"])
        if last:
            cur[part] = copy.deepcopy(value)
        else:
            if part not in cur or cur[part] is None:
                cur[part] = {}
            cur = cur[part]


def _list_index(items: list[Any], part: str, key: str) -> int:
    if part.lstrip("-").isdigit():
        idx = int(part)
        if -len(items) <= idx < len(items):
            return idx
        raise ScenarioError([f"{key}: index {idx} out of range ({len(items)} entries)"])
    for i, item in enumerate(items):
        if isinstance(item, dict) and part in (item.get("role"), item.get("name")):
            return i
    names = [n for item in items if isinstance(item, dict) for n in (item.get("role"), item.get("name")) if n]
    raise ScenarioError([f"{key}: no entry named {part!r}{did_you_mean(part, names)}"])


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, date):  # a TOML local date (or date-time)
        return v.isoformat()
    if isinstance(v, str):
        return '"' + _TOML_ESCAPES.sub(_toml_escape, v) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


#: What a TOML basic string cannot hold as is: quotes, backslashes and control characters.
_TOML_ESCAPES = re.compile(r'["\\\x00-\x1f\x7f]')
_TOML_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_escape(match: re.Match) -> str:
    ch = match.group()
    return _TOML_SHORT.get(ch) or f"\\u{ord(ch):04x}"


def _toml_key(k: str) -> str:
    return k if re.match(r"^[A-Za-z0-9_-]+$", k) else _toml_value(k)


def to_toml(data: dict[str, Any]) -> str:
    """Write plain scenario data as TOML (tables, arrays of tables, inline values)."""
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict | list) or _inline_list(v)}
    for k, v in scalars.items():
        lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for k, v in data.items():
        if k in scalars:
            continue
        if isinstance(v, dict):
            lines.append(f"\n[{_toml_key(k)}]")
            lines.extend(f"{_toml_key(a)} = {_toml_value(b)}" for a, b in v.items())
        else:
            for item in v:
                lines.append(f"\n[[{_toml_key(k)}]]")
                lines.extend(f"{_toml_key(a)} = {_toml_value(b)}" for a, b in item.items())
    return "\n".join(lines) + "\n"


def _inline_list(v: Any) -> bool:
    return isinstance(v, list) and not (v and all(isinstance(x, dict) for x in v))
