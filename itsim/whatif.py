"""What-ifs from the command line: ``--set KEY=VALUE`` on a user's scenario file.

A setting is a dotted key (as for ``--vary`` and ``Scenario.with_changes``) and a
TOML value: ``team.engineer.count=9``, ``incidents.rate_per_day=70``,
``policy.name=wip_limit`` (a bare word is a string), ``incidents.effort_hours={
dist = "gamma", mean = 0.6, cv = 1 }``. The settings are applied to the file's
text (:mod:`itsim.scenario_edit`), so the scenario that runs is exactly the one
stored with the results, comments included. Every problem names the setting it
comes from, with a "did you mean" for misspelt keys and entries.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from itsim.bounds import MAX_NESTING, toml_nesting_problem
from itsim.scenario import Scenario, ScenarioError, load_scenario, loads_scenario
from itsim.scenario_edit import apply_changes, changes_header
from itsim.scenario_text import _list_index

# Values that start like TOML (a quote, an array, an inline table) must be TOML;
# anything else that is not a TOML value is taken as a plain string.
_TOML_START = ("[", "{", '"', "'")
_KEY = re.compile(r"^[^.=\s][^=]*$")


def parse_setting(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` as ``(key, value)``; raises ValueError naming what is wrong."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise ValueError(f"{text!r}: expected KEY=VALUE, e.g. team.engineer.count=9")
    if not _KEY.match(key) or "" in key.split("."):
        raise ValueError(f"{key!r}: not a dotted key such as incidents.rate_per_day")
    if not raw:
        raise ValueError(f"{key}: no value after '='")
    if "\n" in raw or "\r" in raw:
        raise ValueError(f"{key}: the value must be on one line")
    if key.count(".") >= MAX_NESTING:
        raise ValueError(f"{key[:40]}...: a dotted key of more than {MAX_NESTING} parts")
    deep = toml_nesting_problem(f"value = {raw}")
    if deep is not None:
        raise ValueError(f"{key}: {deep.removeprefix('line 1: ')}")
    try:
        return key, tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError as exc:
        if raw.startswith(_TOML_START):
            raise ValueError(f"{key}: not a TOML value ({exc})") from None
        return key, raw


def keyed_flags(flag: str, texts: list[str], parse: Callable[[str], tuple[str, Any]],
                problems: list[str]) -> dict[str, Any]:
    """Repeated ``flag KEY=...`` options as key -> value, in the order given, each read by
    ``parse`` (which raises ValueError naming what is wrong); bad ones and keys given more
    than once are added to ``problems``, a line each, naming ``flag``."""
    found: dict[str, Any] = {}
    for text in texts:
        try:
            key, value = parse(text)
        except ValueError as exc:
            problems.append(f"{flag} {exc}")
            continue
        if key in found:
            problems.append(f"{flag} {key}: given more than once")
        found[key] = value
    return found


def parse_settings(texts: list[str]) -> dict[str, Any]:
    """Settings in the order given; raises :class:`ScenarioError` with a line per problem."""
    problems: list[str] = []
    changes = keyed_flags("--set", texts, parse_setting, problems)
    if problems:
        raise ScenarioError(problems)
    return changes


def load_with_settings(path: str | Path, settings: list[str],
                       origin: str = "`itsim run --set`") -> tuple[Scenario, str]:
    """The scenario in ``path`` with ``settings`` applied, and the text to store with the
    results: the user's file with the changed values (every comment kept) under a header
    that lists the changes. Without settings, the file as it is.

    Raises :class:`ScenarioError`: problems of the file itself name the file; problems
    that come from a setting name the setting (``--set team.engineer.count: ...``).
    """
    path = Path(path)
    original = load_scenario(path)
    text = path.read_text(encoding="utf-8")
    changes = parse_settings(settings)
    if not changes:
        return original, text
    return with_changes(text, changes, f"{path} with --set", f"{origin} from {path}", settings=True)


def with_changes(text: str, changes: dict[str, Any], source: str, made_by: str,
                 settings: bool = False) -> tuple[Scenario, str]:
    """The scenario file ``text`` with the dotted ``changes`` applied, validated (its
    policy too) as ``source``, and its text: the changed file (every comment kept) under
    a header that lists the changes and says they were ``made_by`` (e.g. ``itsim run
    --set from baseline.toml``).

    Raises :class:`ScenarioError`; with ``settings``, the changes are ``--set`` options
    and each problem names the one it comes from, where one does.
    """
    from itsim.experiment import policy_for

    try:
        changed = apply_changes(text, changes)
    except ScenarioError as exc:
        if not settings:
            raise
        raise ScenarioError([f"--set {p}" for p in exc.problems]) from None
    try:
        scenario = loads_scenario(changed, source=source)
        policy_for(scenario)
    except ScenarioError as exc:
        if not settings:
            raise
        data = tomllib.loads(changed)
        raise ScenarioError(name_settings(exc.problems, changes, data, source)) from None
    return scenario, changes_header(text, changes, made_by) + changed


def name_settings(problems: list[str], changes: dict[str, Any], data: dict[str, Any],
                  source: str) -> list[str]:
    """Problems reworded to name the setting they come from, where one does.

    ``team[1].count: must be >= 0`` becomes ``--set team.engineer.count: must be >= 0``
    when the user set ``team.engineer.count``; other problems keep their path and say
    which file they are in.
    """
    located = sorted(((_located(data, key), key) for key in changes), key=lambda p: -len(p[0]))
    out = []
    for problem in problems:
        text = problem.removeprefix(f"{source}: ")
        for where, key in located:
            if text == where or text.startswith((f"{where}:", f"{where}.", f"{where}[")):
                out.append(f"--set {key}{text[len(where):]}")
                break
        else:
            out.append(f"{source}: {text}")
    return out


def _located(data: dict[str, Any], key: str) -> str:
    """A dotted key as validation errors write its path: ``team.engineer.count`` as
    ``team[1].count``."""
    out, cur = "", data
    for part in key.split("."):
        if isinstance(cur, list):
            idx = _list_index(cur, part, key) % len(cur)
            out, cur = f"{out}[{idx}]", cur[idx]
        else:
            out = f"{out}.{part}" if out else part
            cur = cur.get(part) if isinstance(cur, dict) else None
    return out
