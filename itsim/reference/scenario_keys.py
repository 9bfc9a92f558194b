"""Every key of a scenario file, read off the pydantic models of :mod:`itsim.scenario`:
type, unit, default, range and meaning.

The meaning is the docstring written under the field in the model where there is
one, else the entry of :data:`MEANINGS`; the unit is the entry of :data:`UNITS`, else
what the key's name says (``_hours``, ``_days``, ``_share``...). A test checks that
every key has a meaning, so a key added to the models without one fails the suite.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from pydantic import BaseModel

from itsim.reference.fields import attribute_docstrings, default_text, range_text, type_text
from itsim.scenario import Scenario

#: Meanings of keys whose model field has no docstring, by dotted key (``[]`` marks an
#: array of tables).
MEANINGS: dict[str, str] = {
    "demand_scale": "Multiplies incident and project arrival rates (recurring work is fixed load); what "
                    "`itsim sweep --vary demand_scale=...` varies.",
    "scenario.name": "The scenario's name, shown in reports and results.",
    "scenario.horizon_days": "Simulated days measured, after warm-up.",
    "scenario.warmup_days": "Days simulated first and left out of every metric, so the run starts from a "
                            "loaded department rather than an empty one.",
    "scenario.calendar": "Default work calendar: `business` is Monday to Friday, 09:00 to 17:00; `24x7` is "
                         "always on. Time 0 is a Monday 00:00.",
    "scenario.seed": "Base seed of the random streams; the same seed gives the same results.",
    "team[].role": "Name of the role (a plain identifier); `handled_by` lists refer to it.",
    "team[].count": "People in the role.",
    "team[].skills": "Kinds of work people in the role may take: `incident`, `recurring`, `project`.",
    "team[].cost_per_hour": "Cost of one person-hour on shift, in the `[costs]` currency.",
    "team[].productivity": "Work done per hour on shift (1: as estimated; 0.8: a fifth slower).",
    "team[].calendar": "The role's own calendar, instead of `[scenario] calendar`.",
    "incidents.rate_per_hour": "Arrivals per working hour of the calendar (give this or `rate_per_day`).",
    "incidents.rate_per_day": "Arrivals per working day of the calendar (give this or `rate_per_hour`).",
    "incidents.effort_hours": "Hours of work one incident takes at productivity 1.",
    "incidents.priorities": "Share of arrivals in each class, e.g. `{ P1 = 0.05, P2 = 0.95 }` (P1 highest; "
                            "shares sum to 1). Absent: one class.",
    "incidents.preemptive": "Whether an incident interrupts lower-ranked work in progress (which resumes "
                            "later where it stopped) rather than waiting for it to finish.",
    "incidents.sla_hours": "Resolution target of each class in working hours, e.g. `{ P1 = 4, P3 = 24 }`.",
    "incidents.handled_by": "Roles that take incidents, first line first.",
    "incidents.patience_hours": "How long a reporter waits for work to start before giving up (abandoning).",
    "incidents.escalation": "A share of incidents goes on from the first line to another role.",
    "incidents.escalation.share": "Share of incidents escalated after the first line's work.",
    "incidents.escalation.to": "The role escalated incidents go to.",
    "incidents.escalation.extra_effort_hours": "Hours the escalation role then works on the incident.",
    "incidents.deflection": "Share of incidents resolved by self-service, never reaching staff.",
    "incidents.arrival_profile": "When in the week incidents arrive, instead of only in working hours.",
    "incidents.arrival_profile.hour_of_day": "Relative intensity of each hour, 00:00 first (24 weights).",
    "incidents.arrival_profile.day_of_week": "Relative intensity of each day, Monday first (7 weights).",
    "recurring[].name": "Name of the task.",
    "recurring[].every": "Cadence: one occurrence each day, week, month, quarter or year.",
    "recurring[].effort_hours": "Hours of work one occurrence takes at productivity 1.",
    "recurring[].due_within_days": "Days after its release an occurrence is due; late after that, skipped "
                                   "if the next one comes first.",
    "recurring[].handled_by": "Roles that take the task.",
    "recurring[].risk": "What neglecting it risks: `security`, `availability`, `compliance` or `other`.",
    "projects.rate_per_month": "Project requests per month (give this or `rate_per_week`).",
    "projects.rate_per_week": "Project requests per week (give this or `rate_per_month`).",
    "projects.estimate_hours": "The estimate of a request's work.",
    "projects.estimate_bias": "Mean of actual over estimated hours (1.3 to 1.4 is typical).",
    "projects.estimate_noise_cv": "Spread of actual around biased estimate (coefficient of variation of a "
                                  "lognormal factor with mean 1).",
    "projects.value_per_week": "Cost of delay of a request: value per week until delivered, in money.",
    "projects.improvement_share": "Share of requests that are improvements (automation, problem management); "
                                  "delivered ones lower the incident rate when `[dynamics]` says so.",
    "projects.care_and_feeding_hours_per_week": "Weekly maintenance each delivered project needs from then on.",
    "projects.chunk_hours": "Project work is taken in pieces of at most this many hours.",
    "projects.max_people_per_project": "Most people working on one project at a time.",
    "projects.handled_by": "Roles that do project work.",
    "projects.patience_days": "How long a requester waits for a project to start before building it "
                              "themselves (shadow IT).",
    "dynamics.burnout_window_weeks": "Weeks of utilisation averaged to judge burnout.",
    "dynamics.hiring_delay_days": "Days from a person leaving to a replacement starting.",
    "dynamics.onboarding_days": "Days a new person takes to reach full productivity.",
    "dynamics.onboarding_productivity": "Productivity while onboarding, as a share of full.",
    "policy.name": "The policy, or a list of policies combined; the other keys of `[policy]` are the "
                   "policies' parameters (see the policy reference).",
    "targets.incident_sla_attainment": "Least share of incidents resolved within their SLA.",
    "targets.max_utilization": "Highest sustainable share of staff hours busy.",
    "targets.max_availability_neglect_hours": "Most hours of availability maintenance done late or skipped.",
    "targets.max_compliance_neglect_hours": "Most hours of compliance maintenance done late or skipped.",
    "targets.max_other_neglect_hours": "Most hours of other maintenance done late or skipped.",
    "targets.max_care_and_feeding_neglect_hours": "Most hours of care and feeding of delivered systems done "
                                                  "late or skipped.",
    "costs.currency": "Currency code of every amount (`USD`, `EUR`, `GBP`...).",
    "costs.per_security_incident": "Business cost of one major security incident.",
    "costs.overhead_per_week": "Fixed cost per week (licences, tools).",
    "phase[].name": "Name of the phase, shown in reports.",
    "phase[].start_day": "First day of the phase, counted from the end of warm-up.",
    "phase[].end_day": "Day the phase ends (exclusive).",
    "phase[].demand_scale": "Multiplies incident and project arrival rates during the phase.",
    "phase[].incident_rate_scale": "Multiplies the incident arrival rate during the phase.",
    "phase[].project_rate_scale": "Multiplies the project request rate during the phase.",
    "phase[].team": "Head counts during the phase, e.g. `{ engineer = { count = 6 } }` (a hiring freeze).",
}

#: Units that a key's name does not say.
UNITS: dict[str, str] = {
    "demand_scale": "multiplier",
    "scenario.seed": "",
    "team[].count": "people",
    "team[].cost_per_hour": "money per hour",
    "team[].productivity": "multiplier",
    "incidents.rate_per_hour": "per working hour",
    "incidents.rate_per_day": "per working day",
    "incidents.priorities": "share (0–1)",
    "incidents.sla_hours": "working hours",
    "incidents.deflection": "share (0–1)",
    "incidents.arrival_profile.hour_of_day": "relative weight",
    "incidents.arrival_profile.day_of_week": "relative weight",
    "projects.rate_per_month": "per month",
    "projects.rate_per_week": "per week",
    "projects.estimate_bias": "multiplier",
    "projects.estimate_noise_cv": "coefficient of variation",
    "projects.value_per_week": "money per week",
    "projects.max_people_per_project": "people",
    "dynamics.incident_rate_per_debt_hour": "per hour of debt",
    "dynamics.security_hazard_per_exposed_hour": "per day per exposed hour",
    "dynamics.security_incident_people": "people",
    "dynamics.shadow_it_incidents_per_week": "incidents per week per system",
    "dynamics.burnout_utilization": "share (0–1)",
    "dynamics.burnout_productivity_loss": "share (0–1)",
    "dynamics.onboarding_productivity": "share (0–1)",
    "dynamics.improvement_incident_reduction": "share (0–1)",
    "dynamics.improvement_floor": "share (0–1)",
    "dynamics.debt_per_skipped_hour": "debt hours per hour",
    "dynamics.debt_per_late_hour": "debt hours per hour",
    "targets.max_utilization": "share (0–1)",
    "targets.open_work_growth_weeks": "weeks of team capacity",
    "costs.downtime_per_hour": "money per hour, by class",
    "phase[].demand_scale": "multiplier",
    "phase[].incident_rate_scale": "multiplier",
    "phase[].project_rate_scale": "multiplier",
    "phase[].team": "people",
}

#: The sections of a scenario file, in the order of the reference.
SECTIONS = (
    ("", "Top level"),
    ("scenario", "[scenario]"),
    ("team", "[[team]]"),
    ("incidents", "[incidents]"),
    ("recurring", "[[recurring]]"),
    ("projects", "[projects]"),
    ("dynamics", "[dynamics]"),
    ("policy", "[policy]"),
    ("targets", "[targets]"),
    ("costs", "[costs]"),
    ("phase", "[[phase]]"),
)


@dataclass(frozen=True)
class Key:
    """One key of a scenario file, in words."""

    key: str
    section: str
    type: str
    unit: str
    default: str
    range: str
    meaning: str


def unit_of(key: str) -> str:
    """A key's unit: from :data:`UNITS`, else from its name."""
    if key in UNITS:
        return UNITS[key]
    name = key.rsplit(".", 1)[-1]
    for suffix, unit in (("_hours", "hours"), ("_days", "days"), ("_weeks", "weeks"), ("_hours_per_week", "hours"),
                         ("_share", "share (0–1)"), ("_above", "share (0–1)"), ("_attainment", "share (0–1)"),
                         ("_per_year", "chance per year"), ("_per_week", "money per week")):
        if name.endswith(suffix):
            return "hours per week" if name.endswith("_hours_per_week") else unit
    if name == "share":
        return "share (0–1)"
    if key.startswith("costs.per_"):
        return "money"
    return ""


def _model_of(annotation) -> type[BaseModel] | None:
    """The nested section model of a field (``Escalation``, ``list[Team]``...), if any."""
    candidates = [annotation, *typing.get_args(annotation)]
    for c in candidates:
        if isinstance(c, type) and issubclass(c, BaseModel) and c.__module__ == "itsim.scenario":
            return c
    return None


def _walk(model: type[BaseModel], prefix: str, section: str) -> list[Key]:
    keys = []
    docs = attribute_docstrings(model)
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        nested = _model_of(field.annotation)
        if model is Scenario and nested is not None:  # a section: its keys, under its own heading
            is_list = typing.get_origin(field.annotation) is list
            keys.extend(_walk(nested, f"{name}[]." if is_list else f"{name}.", name))
            continue
        keys.append(Key(key, section, type_text(field.annotation), unit_of(key), default_text(field),
                        range_text(field), docs.get(name) or MEANINGS.get(key, "")))
        if nested is not None:
            keys.extend(_walk(nested, f"{key}.", section))
    return keys


def scenario_keys() -> list[Key]:
    """Every key of a scenario file, section by section."""
    return _walk(Scenario, "", "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def scenario_page() -> str:
    """The scenario reference page (Markdown)."""
    keys = scenario_keys()
    lines = [
        "# Scenario files",
        "",
        "Every key of a scenario file, generated from the models that validate it (so this page",
        "always matches the installed itsim). Keys are written as `itsim run --set` and",
        "`itsim sweep --vary` take them: `team[].count` is `team.ROLE.count` there",
        "(`team.engineer.count`), `recurring[].effort_hours` is `recurring.NAME.effort_hours` or",
        "`recurring.0.effort_hours`. A missing section means that kind of work does not exist.",
        "",
        "Times inside the model are hours; keys say their unit in their name. *Distributions*",
        "are inline tables: `{ dist = \"exponential\", mean = 1.0 }`, `lognormal` and `gamma`",
        "with `mean` and `cv`, `triangular` with `low`, `mode`, `high`, `uniform` with `low`,",
        "`high`, `constant` with `value`, `empirical` with `values`.",
        "",
        "*Default* `none` means the key is absent unless given; `required` means it must be given.",
    ]
    for section, title in SECTIONS:
        rows = [k for k in keys if k.section == section]
        if not rows:
            continue
        lines += ["", f"## `{title}`" if section else f"## {title}", "",
                  "| key | type | unit | default | range | meaning |", "|---|---|---|---|---|---|"]
        lines += [f"| `{k.key}` | {_cell(k.type)} | {k.unit} | {_cell(k.default)} | {k.range} | {_cell(k.meaning)} |"
                  for k in rows]
        if section == "policy":
            lines += ["", "Each policy's parameters are keys of `[policy]` too: see [Policies](policies.md)."]
    return "\n".join(lines) + "\n"
