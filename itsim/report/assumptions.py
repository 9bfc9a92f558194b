"""The assumptions table: the scenario file as run, in words a CFO can check.

Input is the raw TOML data (``tomllib``), so a section this module does not
know yet (``[dynamics]``, ``[costs]``) is still listed, key by key. Where the data
loads as a scenario, every default that applies is shown with its value and
marked "(default)": policy parameters, holidays, leave and overhead, and how
the work is done (interruptions, multitasking). Output is plain text cells; the
page escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsim.policies import build_policy
from itsim.policies.catalogue import FROM_SCENARIO, parameters
from itsim.report import fmt
from itsim.scenario import Scenario

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


def _scenario(data: dict[str, Any], sc: Scenario | None) -> Table:
    info = data.get("scenario", {})
    rows = [["Name", str(info.get("name", ""))]]
    if "horizon_days" in info:
        rows.append(["Simulated period after warm-up", describe(info["horizon_days"], "days")])
    if "warmup_days" in info:
        rows.append(["Warm-up, discarded", describe(info["warmup_days"], "days")])
    rows.append(["Working hours", CALENDARS.get(info.get("calendar", "business"),
                                                str(info.get("calendar")))])
    if sc is not None and any((t.calendar or sc.scenario.calendar) == "business" for t in sc.team):
        rows.append(["Public holidays a year (business calendar)", describe(sc.holidays_per_year)
                     + ("" if "holidays_per_year" in info else " (default)")])
    if data.get("demand_scale", 1) != 1:
        rows.append(["Demand level", f"{data['demand_scale']:g}× the scenario's baseline"])
    if "seed" in info:
        rows.append(["Random seed", str(info["seed"])])
    return Table("Scenario", [], rows)


def _team(data: dict[str, Any], sc: Scenario | None) -> Table:
    rows = []
    for t in data.get("team", []):
        row = [str(t.get("role", "")), describe(t.get("count", "")),
               describe(t.get("skills", ["incident", "recurring", "project"])),
               describe(t.get("cost_per_hour", 0)), describe(t.get("productivity", 1))]
        if sc is not None:
            row += _staff_time(sc, sc.role(str(t.get("role"))), t)
        rows.append(row)
    header = ["Role", "People", "Works on", "Cost per hour", "Productivity"]
    if sc is not None:
        header += ["Meetings and admin", "Vacation / sick days a year", "Hours for work a year, each"]
    return Table("Team", header, rows, "" if sc is None else (
        "Defaults on the business calendar (none on 24×7): 10 public holidays, 20 vacation and 6 sick "
        "days a year, 20% of the time in meetings and admin (typical figures: 8–12 holidays, 10–30 "
        "days of leave, 4–8 sick days, 20–30% overhead); 1,400–1,600 hours of work a year is the "
        "usual planning figure."))


def _staff_time(sc: Scenario, team: Any, given: dict[str, Any]) -> list[str]:
    """Overhead, leave and hours for work a year of one role, marking defaults."""
    time = sc.staff_time(team)

    def mark(key: str) -> str:
        return "" if given.get(key) is not None else " (default)"

    on_24x7 = (team.calendar or sc.scenario.calendar) == "24x7"
    days = (365.25 if on_24x7 else 365.25 / 7 * 5) - time["holidays_per_year"]
    hours = (days - time["vacation_days_per_year"] - time["sick_days_per_year"]) * (24 if on_24x7 else 8)
    hours *= 1 - time["overhead_share"]
    return [fmt.percent(time["overhead_share"]) + mark("overhead_share"),
            f"{time['vacation_days_per_year']:g} / {time['sick_days_per_year']:g}"
            + (" (default)" if mark("vacation_days_per_year") and mark("sick_days_per_year") else ""),
            f"{hours:,.0f} h"]


def _work(data: dict[str, Any], sc: Scenario) -> Table:
    """How people work: interruptions, multitasking and what refusing work leads to, with
    the value each setting takes (defaults marked) and where the default comes from."""
    given_dyn = data.get("dynamics") or {}
    dyn = sc.dynamics

    def mark(section: dict[str, Any], key: str, source: str = "") -> str:
        if key in section:
            return ""
        return f" (default: {source})" if source else " (default)"

    rows = []
    if sc.incidents is not None:
        inc = data.get("incidents") or {}
        names = sc.incidents.interrupting
        rows.append(["Incidents that interrupt planned work", (", ".join(names) or "none")
                     + mark(inc, "interrupts", "ITIL: critical and high priorities")])
        rows.append(["Incidents that interrupt lower-priority incidents",
                     describe(sc.incidents.preemptive) + mark(inc, "preemptive")])
        rows.append(["Time to get back into interrupted planned work",
                     f"{dyn.resume_cost_hours * 60:.0f} min"
                     + mark(given_dyn, "resume_cost_hours", "Mark et al., 23 min")])
        cover = sc.incidents.on_call
        rows.append(["Cover outside business hours", "none (default)" if cover is None else
                     f"{', '.join(cover.priorities)} by {cover.people} {cover.role} on call, worked hours paid"])
    if sc.projects is not None:
        pj = data.get("projects") or {}
        loss = ", ".join(fmt.percent(x) for x in dyn.multitasking_loss)
        rows.append(["Time lost holding 1, 2, 3... projects at once",
                     loss + mark(given_dyn, "multitasking_loss", "Weinberg 1992")])
        rows.append(["Most people on one project", describe(sc.projects.max_people_per_project)
                     + mark(pj, "max_people_per_project", "a lead and a second pair of hands")])
        rows.append(["Declined requests the business builds itself (shadow IT)",
                     fmt.percent(sc.projects.declined_shadow_it_share)
                     + mark(pj, "declined_shadow_it_share", "as for withdrawn requests")])
    if dyn.debt_on and dyn.incident_rate_per_debt_hour > 0:
        rows.append(["Most tech debt can multiply incidents by", f"{dyn.debt_incident_ceiling:g}×"
                     + mark(given_dyn, "debt_incident_ceiling", "unplanned work of average vs best")])
        rows.append(["Tech debt paid down", dyn.debt_paydown.replace("_", " ")
                     + mark(given_dyn, "debt_paydown", "with leftover capacity")])
    return Table("How the work is done", [], rows)


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


def scenario_of(data: dict[str, Any]) -> Scenario | None:
    """The scenario behind ``data``, or None when it does not load (a policy or key from a
    newer or third-party version): the tables then show the data as written."""
    try:
        return Scenario.from_dict(data)
    except Exception:  # any failure only means the values cannot be completed with defaults
        return None


def effective_policy(table: dict[str, Any], sc: Scenario | None) -> tuple[list[str], dict[str, Any], dict[str, str]]:
    """``(names, parameters, meanings)`` of a ``[policy]`` table: every parameter with the
    value it takes in ``sc`` (defaults included), or as written when that cannot be known."""
    params = dict(table or {"name": "firefight_first"})
    name = params.pop("name", "firefight_first")
    names = list(name) if isinstance(name, list) else [str(name)]
    try:
        policy = build_policy(names, params)
        meanings = {p.name: p.meaning for n in names for p in parameters(n)}
        if sc is None:
            return names, params, meanings
        return names, policy.effective_params(policy.adjust(sc)), meanings
    except Exception:  # unknown policy or bad parameters: show what was written
        return names, params, {}


def _policy(data: dict[str, Any], sc: Scenario | None) -> Table:
    written = dict(data.get("policy") or {})
    names, values, meanings = effective_policy(written, sc)
    rows = [["Policy", fmt.policy_label("+".join(names)), ""]]
    for key, value in values.items():
        text = describe(value) if value is not None else FROM_SCENARIO
        rows.append([key.replace("_", " ").capitalize(), text + ("" if key in written else " (default)"),
                     meanings.get(key, "")])
    return Table("Policy", ["Setting", "Value", "Meaning"], rows)


def assumption_tables(data: dict[str, Any], note: str = "", policy: bool = True) -> list[Table]:
    """The scenario as tables, in the order of the file format (SPEC §3), with the value
    every default takes in it.

    ``note`` is shown under the first table; ``policy=False`` leaves out the policy
    (a sweep lists the policies it compares instead).
    """
    if not data:
        return []
    sc = scenario_of(data)
    tables = [_scenario(data, sc), _team(data, sc)]
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
    if sc is not None and (sc.incidents is not None or sc.projects is not None):
        tables.append(_work(data, sc))
    if policy:
        tables.append(_policy(data, sc))
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


def policies_table(params: dict[str, dict[str, Any]], data: dict[str, Any] | None = None) -> Table:
    """For a sweep: each policy compared and its parameters, defaults (as they apply to
    the scenario in ``data``) marked."""
    sc = scenario_of(data) if data else None
    rows = []
    for name, given in params.items():
        names = name.split("+")
        _, values, _ = effective_policy({"name": names if len(names) > 1 else name, **given}, sc)
        text = ", ".join(f"{k} {describe(v) if v is not None else FROM_SCENARIO}"
                         + ("" if k in given else " (default)") for k, v in values.items())
        rows.append([fmt.policy_label(name), text or "no parameters"])
    return Table("Policies compared", ["Policy", "Parameters"], rows)
