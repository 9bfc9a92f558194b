"""The calibrated scenario as TOML whose comments cite the data behind every fitted number.

With a base scenario, the file is the base edited in place with tomlkit: its
other sections, keys and comments stay as the user wrote them; in
``[incidents]`` the fitted keys (and the comment lines directly above them)
are replaced; ``[[team]]`` counts given with ``--staff`` are updated; phases
from an earlier calibration are replaced. Without a base, a new scenario covers
the observed period. The text is validated with :func:`itsim.loads_scenario`
before anyone writes it.
"""

from __future__ import annotations

import math
from pathlib import Path

import tomlkit
from tomlkit.items import AoT, Comment, Table, Whitespace

from itsim.calibrate.calibration import Calibration
from itsim.calibrate.errors import CalibrationError
from itsim.calibrate.evidence import incident_keys, trend_comment, wrap
from itsim.calibrate.trend import PHASE_PREFIX
from itsim.scenario import ScenarioError, loads_scenario

WARMUP_DAYS = 28
"""Warm-up of a new scenario: four weeks to fill the queues, whole weeks so weekdays line up."""
HEADER = "Calibrated with `itsim calibrate` from ticket exports:"
SUB_TABLES = ("effort_hours_by_priority", "arrival_profile")
"""Fitted keys written as tables of their own after ``[incidents]`` (one line per entry)."""


def scenario_text(cal: Calibration) -> str:
    """The calibrated scenario (see the module docstring); raises :class:`CalibrationError`
    if the result would not load."""
    base = cal.base_path
    doc = tomlkit.parse(_without_header(base.read_text(encoding="utf-8"))) if base else _new_document(cal)
    _set_calendar(doc, cal)
    _set_team(doc, cal)
    _set_incidents(doc, cal)
    _set_phases(doc, cal)
    text = "\n".join(f"# {line}".rstrip() for line in header(cal)) + "\n\n" + tomlkit.dumps(doc).lstrip("\n")
    try:
        loads_scenario(text, source="calibrated scenario")
    except ScenarioError as exc:
        raise CalibrationError(exc.problems) from None
    return text


def _without_header(text: str) -> str:
    """A base scenario without the header of an earlier calibration (it is written anew)."""
    if not text.startswith(f"# {HEADER}"):
        return text
    lines = text.splitlines(keepends=True)
    body = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join(lines[body:])


def header(cal: Calibration) -> list[str]:
    """The lines at the top of the file: the files, the period and how to read the comments."""
    lines = [HEADER]
    for s in cal.tickets.sources:
        lines.append(f"  {Path(s.path).name}: {s.label}, {s.rows:,} rows, dates such as {s.dates}")
    weeks = cal.period.days / 7
    lines += [
        f"Period: {cal.period.text()} ({weeks:.1f} weeks); times in {cal.tickets.zone_text}.",
        f"{len(cal.used):,} tickets were opened in the period. Each fitted number below cites the tickets",
        "it comes from and how well it fits; calibration.html shows the evidence and every row left out.",
        "Names in the export (callers, assignees, groups, descriptions) were never read.",
    ]
    if cal.holidays:
        lines += wrap(f"Public holidays found in the data (weekdays on which no ticket was worked), not "
                      f"counted as working hours in effort and resolution times: {', '.join(cal.holiday_dates)}.")
    return lines


def _new_document(cal: Calibration) -> tomlkit.TOMLDocument:
    doc = tomlkit.document()
    info = tomlkit.table()
    info.add("name", f"Calibrated from {cal.files}")
    weeks = math.ceil((cal.period.end - cal.period.origin).days / 7)
    horizon = tomlkit.item(weeks * 7)
    horizon.comment(f"the observed period in whole weeks from Monday {cal.period.origin.date()}")
    info.add("horizon_days", horizon)
    warmup = tomlkit.item(WARMUP_DAYS)
    warmup.comment("whole weeks, so that simulated weekdays match the data's")
    info.add("warmup_days", warmup)
    info.add("calendar", cal.calendar)
    info.add("seed", 1)
    doc.add("scenario", info)
    doc.add("team", tomlkit.aot())
    return doc


def _set_calendar(doc: tomlkit.TOMLDocument, cal: Calibration) -> None:
    """Effort was measured in working hours of ``cal.calendar``: the scenario works on it too."""
    info = doc["scenario"]
    if info.get("calendar", "business") != cal.calendar:
        value = tomlkit.item(cal.calendar)
        value.comment("set by --calendar: effort was measured in its working hours")
        info["calendar"] = value


def _set_team(doc: tomlkit.TOMLDocument, cal: Calibration) -> None:
    team = doc.get("team")
    if team is None:
        team = tomlkit.aot()
        doc.add("team", team)
    known = {t["role"]: t for t in team}
    for role, count in cal.team.given.items():
        value = tomlkit.item(count)
        value.comment("given with --staff")
        if role in known:
            known[role]["count"] = value
        else:
            entry = tomlkit.table()
            entry.add("role", role)
            entry.add("count", value)
            team.append(entry)


def _set_incidents(doc: tomlkit.TOMLDocument, cal: Calibration) -> None:
    keys = incident_keys(cal)
    # Effort by priority from a base would override the fitted effort: it goes with it.
    replaced = {k.name for k in keys} | {"rate_per_hour"} | (
        {"effort_hours_by_priority"} if cal.effort is not None else set())
    old = doc.get("incidents")
    scalars, tables, pending = [], [], []
    if old is not None:
        base = cal.base.incidents if cal.base is not None else None
        classes = set(_priority_names(cal)) if cal.priorities is not None else None
        for key, item in old.value.body:
            if key is None:
                pending.append(item)
                continue
            if key.key in replaced or (key.key == "sla_hours" and base and not _keep_sla(base, classes)):
                pending = [p for p in _after_last_blank(pending)[0]]  # comments above a replaced key go with it
                continue
            target = tables if isinstance(item, Table | AoT) else scalars
            target.extend((None, p) for p in pending)
            pending = []
            if key.key == "sla_hours" and classes is not None:
                item = _kept_sla(item, classes)
            target.append((key.key, item))
    table = tomlkit.table()
    for key, item in scalars:
        table.add(item) if key is None else table.add(key, item)
    for key in keys:
        if key.name in SUB_TABLES:
            continue
        for line in key.comment:
            table.add(tomlkit.comment(line))
        table.add(key.name, _toml(key.value))
    for key, item in tables:
        table.add(item) if key is None else table.add(key, item)
    for key in keys:
        if key.name in SUB_TABLES:
            sub = tomlkit.table()
            for line in key.comment:
                sub.add(tomlkit.comment(line))
            for name, values in key.value.items():
                sub.add(name, _toml(values))
            table.add(key.name, sub)
    if old is not None:
        doc["incidents"] = table
    else:
        doc.add("incidents", table)


def _after_last_blank(items: list) -> tuple[list, list]:
    """Split pending trivia into what precedes the last blank line and the comment lines after it."""
    cut = max((i + 1 for i, it in enumerate(items) if isinstance(it, Whitespace)), default=0)
    return items[:cut], [it for it in items[cut:] if isinstance(it, Comment)]


def _keep_sla(base, classes: set[str] | None) -> bool:
    return base.sla_hours is not None and (classes is None or bool(set(base.sla_hours) & classes))


def _kept_sla(item, classes: set[str]):
    """The base's ``sla_hours`` for the classes that remain."""
    kept = tomlkit.inline_table()
    kept.update({k: v for k, v in item.items() if k in classes})
    return kept


def _priority_names(cal: Calibration) -> list[str]:
    return list(cal.priorities.shares) if cal.priorities is not None else []


def _set_phases(doc: tomlkit.TOMLDocument, cal: Calibration) -> None:
    horizon = doc["scenario"].get("horizon_days", math.inf)
    phases = [p for p in cal.trend.phases if p["start_day"] < horizon]
    old = doc.get("phase")
    kept = [p for p in old if not str(p.get("name", "")).startswith(PHASE_PREFIX)] if old is not None else []
    if not phases and old is None:
        return
    aot = tomlkit.aot()
    for p in kept:
        aot.append(p)
    for i, phase in enumerate(phases):
        entry = tomlkit.table()
        if i == 0:
            left_out = len(cal.trend.phases) - len(phases)
            for line in trend_comment(cal) + (wrap(
                    f"The {left_out} months that start after the scenario's horizon ({horizon} days) are left "
                    "out.") if left_out else []):
                entry.add(tomlkit.comment(line))
        for name, value in phase.items():
            entry.add(name, value)
        aot.append(entry)
    if old is not None:
        doc["phase"] = aot
    elif len(aot):
        doc.add("phase", aot)


def _toml(value):
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update({k: _toml(v) for k, v in value.items()})
        return table
    return value
