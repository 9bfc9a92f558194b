"""Changing a user's scenario file without losing its comments.

A scenario file is more than its values: every number carries a comment saying
where it comes from. :func:`apply_changes` edits the file's text with tomlkit,
so a what-if keeps every comment and source citation of the original and only
the changed values differ. Dotted keys mean what they mean to
:meth:`itsim.Scenario.with_changes`: lists of tables are addressed by index
(``recurring.0.due_within_days``) or by ``role``/``name``
(``team.engineer.count``), missing tables are created, and loading the result
gives the same scenario as ``with_changes`` on the loaded original. A list of
tables is written as ``[[tables]]``; one that extends the file's own (the same
entries, then more) adds the new entries after them, so theirs keep their comments.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, MutableMapping
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, InlineTable, Item

from itsim.scenario_text import ScenarioError, _list_index

_MISSING = object()


def apply_changes(text: str, changes: Mapping[str, Any]) -> str:
    """``text`` (a scenario file) with each dotted key set to its value, comments kept.

    Values are TOML values: numbers, strings, booleans, lists and tables (a table
    is written inline, except where it replaces a ``[table]`` of the file, whose
    header and comments stay). Raises :class:`ScenarioError` naming the key for a
    key that cannot be followed (an entry that is not there, a value that is not a
    table) or a value TOML cannot hold (``None``).
    """
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ScenarioError([f"TOML syntax error: {exc}"]) from None
    for key, value in changes.items():
        _set(doc, str(key), value)
    return tomlkit.dumps(doc)


def changes_header(text: str, changes: Mapping[str, Any], origin: str) -> str:
    """Comment lines that say which values were changed in ``text`` (the file before
    the changes) and what each was before; ``origin`` says how, e.g. ``itsim run --set
    from baseline.toml``. '' for no changes."""
    if not changes:
        return ""
    before = tomllib.loads(text)
    lines = [f"# What-if made with {_one_line(origin)}. Changed values (the comments",
             "# beside them below are the original file's):"]
    for key, value in changes.items():
        old = _get(before, str(key))
        was = "not set before" if old is _MISSING else f"was {_inline(old)}"
        lines.append(f"#   {_one_line(str(key))} = {_inline(value)}   ({was})")
    return "\n".join(lines) + "\n\n"


# -- following dotted keys through a tomlkit document --------------------------------------
#
# tomlkit hands out a fresh view of a table that is split over the file (``[a.b]``
# before ``[a]``) on every lookup, and a view goes stale once the table changes.
# So every edit looks its table up again from the document by its resolved path
# (keys and list indices), rather than holding on to a view.

Step = str | int


def _set(doc: Container, key: str, value: Any) -> None:
    """Set ``key`` as :func:`itsim.scenario_text.set_dotted` does on plain data."""
    if value is None:
        raise ScenarioError([f"{key}: needs a value (TOML has no null)"])
    parts = key.split(".")
    path: list[Step] = []
    for i, part in enumerate(parts):
        cur = _at(doc, path)
        if isinstance(cur, list):  # an array of tables, or an array
            step: Step = _list_index(cur, part, key)
        elif isinstance(cur, MutableMapping):  # tables of every kind, and the document
            step = part
            if i < len(parts) - 1 and part not in cur:
                cur[part] = tomlkit.table() if isinstance(cur, Container) else tomlkit.inline_table()
        else:
            raise ScenarioError([f"{key}: {'.'.join(parts[:i])} is not a table"])
        path.append(step)
    _assign(doc, path, value)


def _at(doc: Container, path: list[Step]) -> Any:
    cur: Any = doc
    for step in path:
        cur = cur[step]
    return cur


def _assign(doc: Container, path: list[Step], value: Any) -> None:
    """Put ``value`` at ``path``; a ``[table]`` replaced by a table keeps its header and
    the comments of the keys it keeps (an empty one is written inline: ``{}``)."""
    parent, step = _at(doc, path[:-1]), path[-1]
    old = parent[step] if isinstance(parent, list) or step in parent else None
    if value and isinstance(value, Mapping) and isinstance(old, MutableMapping) and not isinstance(old, InlineTable):
        for name in [k for k in old if k not in value]:
            del _at(doc, path)[name]
        for name, v in value.items():
            _assign(doc, [*path, str(name)], v)
    elif isinstance(parent, AoT):  # an entry that is not a table: the array is written inline
        entries = parent.unwrap()
        entries[step] = value
        _at(doc, path[:-2])[path[-2]] = _item(entries)
    elif _is_table_list(value) and isinstance(old, AoT) and _extends(old, value):
        for mapping in value[len(old):]:  # entries added after the file's own, whose comments stay
            table = _table(mapping)
            table.trivia.indent = "\n"  # a blank line before its header, as between the others
            _at(doc, path).append(table)
    elif _is_table_list(value) and (isinstance(old, AoT) or (old is None and isinstance(parent, Container))):
        parent[step] = _array_of_tables(value)
    else:
        parent[step] = _item(value)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _extends(old: AoT, value: list | tuple) -> bool:
    """Whether ``value`` is the file's array of tables with more entries after it."""
    kept = old.unwrap()
    return len(value) > len(kept) and [dict(v) for v in value[:len(kept)]] == kept


def _table(mapping: Mapping[str, Any]) -> Item:
    table = tomlkit.table()
    for name, v in mapping.items():
        table[str(name)] = _item(v)
    return table


def _array_of_tables(value: list[Mapping[str, Any]]) -> AoT:
    """``[[name]]`` entries (also where the document had none: a list of tables at the top
    level is written as an array of tables, not as one long inline array)."""
    out = tomlkit.aot()
    for mapping in value:
        out.append(_table(mapping))
    return out


def _item(value: Any) -> Item:
    """A TOML item for a plain value; tables inline, lists as arrays."""
    if value is None:
        raise ScenarioError(["a value inside a table or list is None (TOML has no null)"])
    if hasattr(value, "item") and not isinstance(value, str | bytes | Mapping | list | tuple):
        value = value.item()  # numpy scalars
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for name, v in value.items():
            table[str(name)] = _item(v)
        return table
    if isinstance(value, list | tuple):
        array = tomlkit.array()
        for v in value:
            array.append(_item(v))
        return array
    return tomlkit.item(value)


# -- words for the header -----------------------------------------------------------------


def _get(data: Any, key: str) -> Any:
    """The value at a dotted key of plain data, or ``_MISSING``."""
    cur = data
    for part in key.split("."):
        if isinstance(cur, list):
            try:
                cur = cur[_list_index(cur, part, key)]
            except ScenarioError:
                return _MISSING
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return _MISSING
    return cur


def _inline(value: Any) -> str:
    try:
        return _one_line(_item(value).as_string())
    except (ScenarioError, TypeError, ValueError):
        return _one_line(repr(value))


def _one_line(text: str) -> str:
    """Text safe inside a comment line: control characters written as escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
