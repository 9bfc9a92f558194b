"""The assumptions table: the scenario file as run, in words a CFO can check.

Input is the raw TOML data (``tomllib``), so a section this module does not
know yet (``[dynamics]``, ``[costs]``) is still listed, key by key. Output is
plain text cells; the page escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsim.report import fmt

CALENDARS = {"business": "Business hours (Mon–Fri, 09:00–17:00)", "24x7": "Around the clock (24×7)"}
KNOWN = {"demand_scale", "scenario", "team", "incidents", "recurring", "projects", "policy",
         "targets", "phase"}
TARGETS = {
    "project_lead_time_days": ("Longest acceptable time from project request to delivery", "days"),
    "recurring_on_time_share": ("Routine maintenance hours done on time, at least", "share"),
    "incident_sla_attainment": ("Incidents resolved within target time, at least", "share"),
    "max_utilization": ("Sustainable utilisation ceiling", "share"),
    "open_work_growth_weeks": ("Open work may grow over the measured period (beyond the team's "
                               "spare hours) by at most", "weeks of team capacity"),
    **{f"max_{c}_neglect_hours": (f"{label} done late or skipped, at most", "h")
       for c, label in (("security", "Security maintenance"), ("availability", "Availability maintenance"),
                        ("compliance", "Compliance maintenance"), ("other", "Other maintenance"),
                        ("care_and_feeding", "Care and feeding of delivered systems"))},
    "at_risk_above": ("'At risk' when the share of runs breaking a target is above", "share"),
    "too_busy_above": ("'Too busy' when the share of runs breaking a target is above", "share"),
}


@dataclass(frozen=True)
class Table:
    """A titled table of text cells; ``header`` is empty for two-column key/value tables."""

    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""


def describe(value: Any, unit: str = "") -> str:
    """Any scenario value as text: distributions as average and spread, tables as lists."""
    suffix = f" {unit}" if unit else ""
    if isinstance(value, dict) and "dist" in value:
        return describe_distribution(value, suffix)
    if isinstance(value, dict):
        return ", ".join(f"{k} {describe(v, unit)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(describe(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        if value == 1 and unit == "days":
            suffix = " day"
        return f"{value:,g}{suffix}"
    return f"{value}{suffix}"


def describe_distribution(d: dict[str, Any], suffix: str = "") -> str:
    """``lognormal {mean 0.75, cv 1.2}`` as ``average 0.75 h, spread (cv) 1.2, lognormal``."""
    kind = d.get("dist")
    if "mean" in d:
        text = f"average {d['mean']:g}{suffix}"
        if "cv" in d:
            text += f", spread (cv) {d['cv']:g}"
        return f"{text}, {kind}"
    if kind == "constant" and "value" in d:
        return f"always {d['value']:g}{suffix}"
    if {"low", "high"} <= d.keys():
        text = f"{d['low']:g} to {d['high']:g}{suffix}"
        return text + (f", most likely {d['mode']:g}" if "mode" in d else "") + f", {kind}"
    if kind == "empirical" and d.get("values"):
        values = d["values"]
        return f"{len(values)} observed values, average {sum(values) / len(values):g}{suffix}"
    return ", ".join(f"{k} {describe(v)}" for k, v in d.items())


def _rows(section: dict[str, Any], labels: dict[str, tuple[str, str]]) -> list[list[str]]:
    rows = []
    for key, value in section.items():
        label, unit = labels.get(key, (key.replace("_", " ").capitalize(), ""))
        rows.append([label, fmt.percent(value) if unit == "share" else describe(value, unit)])
    return rows


def _scenario(data: dict[str, Any]) -> Table:
    info = data.get("scenario", {})
    rows = [["Name", str(info.get("name", ""))]]
    if "horizon_days" in info:
        rows.append(["Simulated period after warm-up", describe(info["horizon_days"], "days")])
    if "warmup_days" in info:
        rows.append(["Warm-up, discarded", describe(info["warmup_days"], "days")])
    rows.append(["Working hours", CALENDARS.get(info.get("calendar", "business"),
                                                str(info.get("calendar")))])
    if data.get("demand_scale", 1) != 1:
        rows.append(["Demand level", f"{data['demand_scale']:g}× the scenario's baseline"])
    if "seed" in info:
        rows.append(["Random seed", str(info["seed"])])
    return Table("Scenario", [], rows)


def _team(data: dict[str, Any]) -> Table:
    rows = [[str(t.get("role", "")), describe(t.get("count", "")),
             describe(t.get("skills", ["incident", "recurring", "project"])),
             describe(t.get("cost_per_hour", 0)), describe(t.get("productivity", 1))]
            for t in data.get("team", [])]
    return Table("Team", ["Role", "People", "Works on", "Cost per hour", "Productivity"], rows)


def _incidents(section: dict[str, Any]) -> Table:
    labels = {
        "rate_per_day": ("Incidents reported per day", ""),
        "rate_per_hour": ("Incidents reported per hour", ""),
        "effort_hours": ("Effort per incident", "h"),
        "priorities": ("Share by priority (P1 most urgent)", ""),
        "sla_hours": ("Target time to resolve, by priority", "h"),
        "handled_by": ("Handled by (first line first)", ""),
        "deflection": ("Solved by self-service", "share"),
        "patience_hours": ("Users give up after", "h"),
        "preemptive": ("Urgent incidents interrupt other work", ""),
    }
    section = dict(section)
    if isinstance(section.get("priorities"), dict):
        section["priorities"] = ", ".join(f"{k} {fmt.percent(v)}"
                                          for k, v in section["priorities"].items())
    esc = section.pop("escalation", None)
    rows = _rows(section, labels)
    if isinstance(esc, dict):
        rows.append(["Escalated", f"{fmt.percent(esc.get('share', 0))} to {esc.get('to', '')}, "
                     f"extra effort {describe(esc.get('extra_effort_hours', ''), 'h')}"])
    return Table("Firefighting: incidents", [], rows)


def _recurring(tasks: list[dict[str, Any]]) -> Table:
    rows = [[str(t.get("name", "")), str(t.get("every", "")),
             describe(t.get("effort_hours", ""), "h"),
             describe(t.get("due_within_days", ""), "days"),
             describe(t.get("handled_by", "")), str(t.get("risk", "other"))] for t in tasks]
    return Table("Routine maintenance (recurring tasks)",
                 ["Task", "Every", "Effort", "Due within", "Done by", "Risk"], rows)


def _projects(section: dict[str, Any]) -> Table:
    labels = {
        "rate_per_month": ("Project requests per month", ""),
        "rate_per_week": ("Project requests per week", ""),
        "estimate_hours": ("Estimated effort", "h"),
        "estimate_bias": ("Actual effort ÷ estimate, on average", ""),
        "value_per_week": ("Value to the business per week (cost of delay)", ""),
        "improvement_share": ("Share that improve IT itself", "share"),
        "care_and_feeding_hours_per_week": ("Upkeep added per delivered project", "h/week"),
        "patience_days": ("Requesters go to shadow IT after", "days"),
    }
    return Table("Projects", [], _rows(section, labels))


def _phases(phases: list[dict[str, Any]]) -> Table:
    rows = []
    for p in phases:
        changes = {k: v for k, v in p.items() if k not in ("name", "start_day", "end_day")}
        rows.append([str(p.get("name", "")), describe(p.get("start_day", "")),
                     describe(p.get("end_day", "")), describe(changes)])
    return Table("Phases (time-limited changes)", ["Phase", "From day", "To day", "Changes"], rows)


def assumption_tables(data: dict[str, Any], note: str = "", policy: bool = True) -> list[Table]:
    """The scenario as tables, in the order of the file format (SPEC §3).

    ``note`` is shown under the first table; ``policy=False`` leaves out the policy
    (a sweep lists the policies it compares instead).
    """
    if not data:
        return []
    tables = [_scenario(data), _team(data)]
    if isinstance(data.get("incidents"), dict):
        tables.append(_incidents(data["incidents"]))
    care = (data.get("projects") or {}).get("care_and_feeding_hours_per_week", 0) \
        if isinstance(data.get("projects"), dict) else 0
    if data.get("recurring") or care:
        table = _recurring(data.get("recurring") or [])
        if care:  # one task per delivered system, its own category of maintenance
            handled = describe((data.get("projects") or {}).get("handled_by", ""))
            table.rows.append(["Care and feeding of delivered systems", "weekly",
                               f"{describe(care, 'h')} per delivered system", "7 days", handled,
                               "care and feeding"])
        tables.append(table)
    if isinstance(data.get("projects"), dict):
        tables.append(_projects(data["projects"]))
    if policy:
        params = dict(data.get("policy") or {"name": "firefight_first"})
        name = params.pop("name", "firefight_first")
        name = "+".join(name) if isinstance(name, list) else str(name)
        tables.append(Table("Policy", [], [["Policy", fmt.policy_label(name)],
                                           *_rows(params, {})]))
    tables.append(Table("Targets that define 'too busy'", [],
                        _rows(data.get("targets") or {}, TARGETS),
                        "" if data.get("targets") else "The simulator's default targets apply."))
    if data.get("phase"):
        tables.append(_phases(data["phase"]))
    for key, section in data.items():
        if key not in KNOWN:
            rows = _rows(section, {}) if isinstance(section, dict) else [[key, describe(section)]]
            tables.append(Table(key.replace("_", " ").capitalize(), [], rows))
    if note:
        tables[0] = Table(tables[0].title, tables[0].header, tables[0].rows, note)
    return tables


def policies_table(params: dict[str, dict[str, Any]]) -> Table:
    """For a sweep: each policy compared and its parameters."""
    rows = [[fmt.policy_label(name), describe(p) if p else "–"] for name, p in params.items()]
    return Table("Policies compared", ["Policy", "Parameters"], rows)
