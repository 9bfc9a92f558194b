"""What a scenario may hold and how much of it is read: strict, finite, sensibly sized
numbers, and bounded reads of scenario files.

Every part of the scenario format (sections, distributions, policy parameters) is a
:class:`Bounded` model, so a field added to any of them is strict and finite without
saying so: booleans and text are not numbers, ``inf`` and ``nan`` are refused, and no
decimal number may exceed :data:`MAX_NUMBER` in size (TOML integers are fine where a
decimal is meant). Integer fields carry their own bounds.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

#: The largest size of any decimal number in a scenario (hours, days, money, rates, shares):
#: beyond it a value is a unit mistake, and sums of many such values would overflow.
MAX_NUMBER = 1e12
#: The most people one role may have, in ``[[team]]`` and in any ``[[phase]]``.
MAX_PEOPLE_PER_ROLE = 10_000
#: The most ``[[team]]`` roles and ``[[phase]]`` entries (the engine's work per phase change
#: grows with both; real departments have tens of each).
MAX_ROLES = 1_000
MAX_PHASES = 1_000
#: The largest scenario file read, in bytes (2 MiB: room for tens of thousands of
#: ``empirical`` values, far more than any hand-written file).
MAX_SCENARIO_BYTES = 2 * 1024 * 1024
#: The deepest nesting of arrays and tables in a scenario (a real file needs four).
MAX_NESTING = 32


class Bounded(BaseModel):
    """Base of every model of the scenario format: unknown keys are errors, values are
    frozen, types are strict and decimal numbers finite and at most :data:`MAX_NUMBER`."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @field_validator("*", mode="after", check_fields=False)
    @classmethod
    def _sized(cls, value: Any) -> Any:
        too_big = _too_big(value)
        if too_big is not None:
            raise ValueError(f"must be at most {_e(MAX_NUMBER)} in size (got {_e(too_big)})")
        return value


def _e(x: float) -> str:
    """1e+12 written as people write it: 1e12."""
    return f"{x:g}".replace("e+", "e")


def _too_big(value: Any) -> float | None:
    """The first decimal number in ``value`` (a number, list or table of them) beyond the limit."""
    if isinstance(value, float):
        return value if abs(value) > MAX_NUMBER else None
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return None
    for item in value:
        found = _too_big(item)
        if found is not None:
            return found
    return None


# -- reading files ------------------------------------------------------------------------


def read_scenario_bytes(path: Path, limit: int = MAX_SCENARIO_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Anything else (a directory, a pipe, a device such as ``/dev/zero``) is refused
    without reading from it or waiting on it. Raises ``ValueError`` with a one-line
    reason, or ``OSError`` when the file cannot be opened.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise ValueError(f"file too large ({_size(info.st_size)}; scenario files are limited to {_size(limit)})")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # the file grew while being read
                raise ValueError(f"file too large (over {_size(limit)}; scenario files are limited to {_size(limit)})")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a pipe"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


# -- nesting -------------------------------------------------------------------------------

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
# Dotted keys longer than the nesting limit (a number has at most one dot, so a chain this
# long can only be a key), strings and comments (whose brackets do not nest), and brackets.
_TOML_TOKENS = re.compile(
    rf"(?<![A-Za-z0-9_-])(?P<chain>(?:{_KEY_PART}[ \t]*\.[ \t]*){{{MAX_NESTING},}}{_KEY_PART})"
    r'|"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]', re.S
)


def toml_nesting_problem(text: str) -> str | None:
    """Where TOML text nests arrays, inline tables or dotted keys deeper than
    :data:`MAX_NESTING`, before it is parsed (the parser recurses once per level of
    brackets, and takes time quadratic in the parts of a dotted key); None if it does not."""
    depth = 0
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if match.group("chain"):
            line = text.count("\n", 0, match.start()) + 1
            return f"line {line}: a dotted key of more than {MAX_NESTING} parts"
        if token in "[{":
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, match.start()) + 1
                return f"line {line}: arrays and tables nested more than {MAX_NESTING} deep"
        elif token in "]}":
            depth = max(depth - 1, 0)
    return None


def nesting_problem(data: Any, limit: int = MAX_NESTING) -> str | None:
    """Where plain data (tables and lists) nests deeper than ``limit``; None if it does not.
    Walks without recursion, so data of any depth is measured safely."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth >= limit:
            return f"tables and arrays nested more than {limit} deep"
        stack.extend((child, depth + 1) for child in children)
    return None
