"""Scenario files: the pydantic models of the TOML format, loading, and clear errors.

A scenario is data: it never executes code. Every problem found on load is
reported as ``path.to.field: problem (got value)``, one line each, so a user can
fix a file in one pass. Times in the file are in hours or days as the key names
say; inside the model the unit is the hour.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from itsim import uncertainty
from itsim.bounds import (
    MAX_PEOPLE_PER_ROLE,
    MAX_PHASES,
    MAX_ROLES,
    MAX_SCENARIO_BYTES,
    Bounded,
    nesting_problem,
    read_scenario_bytes,
    toml_nesting_problem,
)
from itsim.distributions import Distribution
from itsim.scenario_text import ScenarioError, did_you_mean, format_errors, plain_value, set_dotted, to_toml

WORK_KINDS = ("incident", "recurring", "project")
CADENCES = ("daily", "weekly", "monthly", "quarterly", "annual")
RISKS = ("security", "availability", "compliance", "other")
PRIORITY_NAME = re.compile(r"^P[1-9]$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Incident classes that interrupt planned work unless ``[incidents] interrupts`` says otherwise:
#: ITIL's critical and high priorities get immediate action; medium and low ones are queued
#: (ITIL Service Operation, 2011, incident prioritisation).
DEFAULT_INTERRUPTS = ("P1", "P2")
#: Hours to resume interrupted planned work: 23 minutes (Mark, Gonzalez & Harris 2005;
#: Mark, Gudith & Klocke 2008).
RESUME_COST_HOURS = round(23 / 60, 4)
#: Weinberg (1992): share of time lost to switching with 1, 2, 3, 4, 5 projects at once.
WEINBERG_LOSS = (0.0, 0.2, 0.4, 0.6, 0.75)
#: Available hours on the business calendar (DOMAIN "Available hours"): 2,080 nominal
#: hours a year, less public holidays (8-12 days in most countries), vacation (10-15 days in
#: the US, 20-30 in Europe), sickness (4-8 days) and non-project overhead (meetings, admin,
#: email: 20-30% of what is left): 2,080 - 80 - 208 = 1,792 hours present, 1,434 after
#: overhead, inside the usual planning figure of 1,400-1,600 productive hours a year. A
#: 24x7 calendar describes positions staffed round the clock by a rota that covers its own
#: absences, so none of these applies there unless a [[team]] entry sets it.
BUSINESS_STAFF_TIME = {"holidays_per_year": 10, "vacation_days_per_year": 20.0,
                       "sick_days_per_year": 6.0, "overhead_share": 0.2}


class _Section(Bounded):
    """A part of the scenario format: strict, finite and bounded (see :mod:`itsim.bounds`)."""

    model_config = ConfigDict(populate_by_name=True)


class ScenarioInfo(_Section):
    """``[scenario]``: name, horizon and the default work calendar."""

    name: str = Field(min_length=1)
    horizon_days: int = Field(gt=0, le=365 * 50)
    start_date: date | None = None
    """Calendar date of the first simulated day (warm-up included), a Monday; results then
    label weeks by date. Without it, weeks are numbered from the end of warm-up."""

    @field_validator("start_date")
    @classmethod
    def _monday(cls, v: date | None) -> date | None:
        if v is not None and v.weekday() != 0:
            monday = v - timedelta(days=v.weekday())
            raise ValueError(f"must be a Monday (the model's week starts on Monday); {v:%A %Y-%m-%d} is not, "
                             f"the Monday before is {monday.isoformat()}")
        return v

    warmup_days: int = Field(default=0, ge=0, le=365 * 10)
    calendar: Literal["24x7", "business"] = "business"
    seed: int = Field(default=0, ge=0)
    holidays_per_year: int | None = Field(default=None, ge=0, le=60)
    """Public holidays a year on the business calendar (whole weekdays off, spread evenly);
    default 10 (8-12 in most countries). A 24x7 calendar has none."""


class Team(_Section):
    """``[[team]]``: people in one role."""

    role: str
    count: int = Field(ge=0, le=MAX_PEOPLE_PER_ROLE)
    skills: list[Literal["incident", "recurring", "project"]] = list(WORK_KINDS)
    cost_per_hour: float = Field(default=0, ge=0)
    productivity: float = Field(default=1.0, gt=0, le=10)
    calendar: Literal["24x7", "business"] | None = None
    overhead_share: float | None = Field(default=None, ge=0, lt=1)
    """Share of on-shift time that goes to meetings, admin and email rather than to any
    modelled work; default 0.2 on the business calendar (20-30% in IT surveys), 0 on 24x7."""
    vacation_days_per_year: float | None = Field(default=None, ge=0, le=200)
    """Working days of vacation a person takes a year, a working week at a time; default 20
    on the business calendar (10-15 in the US, 20-30 in Europe), 0 on 24x7."""
    sick_days_per_year: float | None = Field(default=None, ge=0, le=100)
    """Working days of sickness a person has a year, one day at a time; default 6 on the
    business calendar (4-8 is usual), 0 on 24x7."""

    @field_validator("role")
    @classmethod
    def _identifier(cls, v: str) -> str:
        if not IDENTIFIER.match(v):
            raise ValueError("must be a plain identifier (letters, digits, underscore)")
        return v


class Escalation(_Section):
    """A share of incidents escalates from the first-line role to ``to``."""

    share: float = Field(ge=0, le=1)
    to: str
    extra_effort_hours: Distribution


class ArrivalProfile(_Section):
    """Relative arrival intensity by hour of day (24 weights) and weekday (7, Monday first).

    Weights are relative; the mean rate over a week stays the configured rate.
    A profile replaces the calendar's default of arrivals only in working hours.
    """

    hour_of_day: list[float] = Field(default_factory=lambda: [1.0] * 24, min_length=24, max_length=24)
    day_of_week: list[float] = Field(default_factory=lambda: [1.0] * 7, min_length=7, max_length=7)

    @model_validator(mode="after")
    def _weights(self) -> ArrivalProfile:
        for name in ("hour_of_day", "day_of_week"):
            w = getattr(self, name)
            if any(x < 0 or not math.isfinite(x) for x in w) or sum(w) <= 0:
                raise ValueError(f"{name} weights must be >= 0 with a positive sum")
        return self


class OnCall(_Section):
    """``[incidents] on_call``: people of ``role`` on call outside business hours, who take
    incidents of ``priorities`` at once (evenings, nights, weekends, public holidays).

    The hours they work on call are paid at the role's rate as overtime (a standby
    allowance, if any, belongs in ``[costs] overhead_per_week``); work still in hand when
    the business day starts is handed to the day team."""

    role: str
    priorities: list[str] = Field(default_factory=lambda: ["P1"], min_length=1)
    people: int = Field(default=1, ge=1, le=100)
    """People on call at once (a rota: one of them each night)."""


class Incidents(_Section):
    """``[incidents]``: firefighting demand."""

    rate_per_hour: float | None = Field(default=None, gt=0)
    rate_per_day: float | None = Field(default=None, gt=0)
    effort_hours: Distribution
    priorities: dict[str, float] | None = None
    preemptive: bool = True
    """A higher-priority incident interrupts a lower-priority incident in hand (SPEC §3)."""
    interrupts: list[str] | None = None
    """Priority classes that may interrupt planned work (recurring tasks, projects, tech-debt
    paydown); the others wait for a free person. Default (None): P1 and P2 while ``preemptive``,
    as in ITIL incident prioritisation (only critical and high incidents drop what people are
    doing; medium and low ones are queued), none otherwise."""
    effort_hours_by_priority: dict[str, Distribution] | None = None
    """Effort of the first-line work of some classes, e.g. ``{ P1 = {...} }``; the other
    classes take ``effort_hours``."""
    on_call: OnCall | None = None
    """Cover outside business hours for urgent incidents; none by default (they wait for
    the next business day, unless their roles work 24x7)."""
    sla_hours: dict[str, float] | None = None
    handled_by: list[str] = Field(min_length=1)
    patience_hours: Distribution | None = None
    escalation: Escalation | None = None
    deflection: float = Field(default=0.0, ge=0, lt=1)
    arrival_profile: ArrivalProfile | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Incidents:
        if (self.rate_per_hour is None) == (self.rate_per_day is None):
            raise ValueError("give exactly one of rate_per_hour or rate_per_day")
        if self.priorities is not None:
            if not self.priorities:
                raise ValueError("priorities: needs at least one class")
            bad = [k for k in self.priorities if not PRIORITY_NAME.match(k)]
            if bad:
                raise ValueError(f"priorities: class names are P1..P9 (P1 highest), got {bad}")
            if any(v < 0 for v in self.priorities.values()):
                raise ValueError("priorities: shares must be >= 0")
            total = sum(self.priorities.values())
            if abs(total - 1) > 1e-6:
                raise ValueError(f"priorities: shares must sum to 1, got {total:g}")
        if self.sla_hours is not None:
            classes = self.priority_names
            extra = [k for k in self.sla_hours if k not in classes]
            if extra:
                raise ValueError(f"sla_hours: {extra} not among the priority classes {classes}")
            if any(v <= 0 for v in self.sla_hours.values()):
                raise ValueError("sla_hours: targets must be > 0")
        for key in ("interrupts", "effort_hours_by_priority"):
            named = getattr(self, key)
            extra = [k for k in named or () if k not in self.priority_names]
            if extra:
                raise ValueError(f"{key}: {extra} not among the priority classes {self.priority_names}")
        if self.on_call is not None:
            named = self.on_call.priorities
            extra = [k for k in named if k not in self.priority_names]
            if extra:
                raise ValueError(f"on_call.priorities: {extra} not among the priority classes {self.priority_names}")
        return self

    @property
    def interrupting(self) -> list[str]:
        """The classes that interrupt planned work (``interrupts``, or its default)."""
        if self.interrupts is not None:
            return list(self.interrupts)
        return [n for n in self.priority_names if n in DEFAULT_INTERRUPTS] if self.preemptive else []

    @property
    def priority_names(self) -> list[str]:
        """Priority classes, highest first (``["P1"]`` when none are given)."""
        if self.priorities is None:
            return ["P1"]
        return sorted(self.priorities, key=lambda k: int(k[1:]))


class Recurring(_Section):
    """``[[recurring]]``: one maintenance task on a cadence."""

    name: str = Field(min_length=1)
    every: Literal["daily", "weekly", "monthly", "quarterly", "annual"]
    effort_hours: Distribution
    due_within_days: float = Field(gt=0)
    handled_by: list[str] = Field(min_length=1)
    risk: Literal["security", "availability", "compliance", "other"] = "other"


class Projects(_Section):
    """``[projects]``: the portfolio of requested projects."""

    rate_per_month: float | None = Field(default=None, gt=0)
    rate_per_week: float | None = Field(default=None, gt=0)
    estimate_hours: Distribution
    estimate_bias: float = Field(default=1.0, gt=0)
    estimate_noise_cv: float = Field(default=0.3, ge=0)
    value_per_week: Distribution | None = None
    improvement_share: float = Field(default=0.0, ge=0, le=1)
    care_and_feeding_hours_per_week: float = Field(default=0.0, ge=0)
    chunk_hours: float = Field(default=4.0, gt=0)
    """Hours of project work taken in one piece, between which a person looks for other work."""
    max_people_per_project: int = Field(default=2, ge=1)
    """Most people on one project's team. Default 2: a lead and a second pair of hands,
    what a department of infrastructure generalists usually puts on a project (an
    assumption; Brooks 1975: more people on a small job add more talking than doing)."""
    handled_by: list[str] = Field(min_length=1)
    patience_days: Distribution | None = None
    """How long a requester waits for work on their request to start before building it
    themselves (shadow IT); none by default."""
    declined_shadow_it_share: float = Field(default=1.0, ge=0, le=1)
    """Share of declined requests the business builds itself (shadow IT). Default 1: the
    same assumption as for requests withdrawn after waiting too long."""

    @model_validator(mode="after")
    def _one_rate(self) -> Projects:
        if (self.rate_per_month is None) == (self.rate_per_week is None):
            raise ValueError("give exactly one of rate_per_month or rate_per_week")
        return self

    @property
    def rate_per_hour(self) -> float:
        """Requests per hour of wall time (a month is 365.25/12 days)."""
        if self.rate_per_week is not None:
            return self.rate_per_week / 168.0
        return self.rate_per_month / (365.25 / 12 * 24)


class Dynamics(_Section):
    """``[dynamics]``: the feedback loops that make a busy department a firefighting one,
    and the costs of interruption and multitasking.

    The feedback loops (1-6) are off at their defaults. The costs of interruption and
    multitasking (7) are on, at sourced defaults, because they are how people work;
    neither touches a queue of incidents alone (the plain queue stays a plain queue).
    Hours are person-hours at productivity 1.
    """

    # 1. Neglect -> tech debt -> more fires.
    debt_per_skipped_hour: float = Field(default=0.0, ge=0)
    """Tech-debt hours created per hour of recurring work skipped."""
    debt_per_late_hour: float = Field(default=0.0, ge=0)
    """Tech-debt hours created per hour of recurring work done after its due time."""
    incident_rate_per_debt_hour: float = Field(default=0.0, ge=0)
    """How fast debt raises the incident rate: the slope of the multiplier at zero debt
    (0.002: the first 100 h of debt add about 20% more incidents)."""
    debt_incident_ceiling: float = Field(default=2.0, gt=1)
    """The most debt can multiply the incident rate by: the effect saturates toward it,
    ``1 + (c - 1) x (1 - exp(-k x debt / (c - 1)))`` with ``k`` the slope above. Default 2:
    a neglected estate has about twice the unplanned work of a well-kept one (unplanned
    work ~30% of IT time on average, ~15% for the best performers, 1E 2017 and Compuware
    surveys); an assumption, change it to your own figure."""
    debt_chunk_hours: float = Field(default=4.0, gt=0)
    """Catching up: debt is paid down as remediation work in pieces of this many hours."""
    debt_paydown: Literal["after_projects", "before_projects"] = "after_projects"
    """When a free person pays debt down: ``after_projects`` (leftover capacity, what most
    departments do: Repenning 2001) or ``before_projects`` (right after due recurring work)."""
    # 2. Security exposure.
    security_hazard_per_exposed_hour: float = Field(default=0.0, ge=0)
    """Major security incidents per day per hour of skipped ``security`` work still exposed."""
    exposure_days: float = Field(default=90.0, gt=0)
    """How long skipped security work keeps the organisation exposed (days)."""
    security_incident_effort_hours: Distribution | None = None
    """Total effort of one major security incident (a P1 burst); default 80 hours."""
    security_incident_people: int = Field(default=4, ge=1)
    """A major incident is split into this many P1 pieces worked in parallel."""
    # 3. Improvement pays back.
    improvement_incident_reduction: float = Field(default=0.0, ge=0, lt=1)
    """Each delivered improvement project multiplies the incident rate by ``1 - this``."""
    improvement_floor: float = Field(default=0.5, gt=0, le=1)
    """Improvements never cut the incident rate below this share of its base."""
    # 5. Shadow IT.
    shadow_it_incidents_per_week: float = Field(default=0.0, ge=0)
    """Extra incidents per week caused by each shadow IT system (a withdrawn request, or a
    declined one the business built itself)."""
    # 6. Burnout and churn.
    burnout_utilization: float = Field(default=1.0, gt=0, le=1)
    """Sustained utilisation of a role above this over ``burnout_window_weeks`` burns people out."""
    burnout_window_weeks: float = Field(default=4.0, gt=0)
    burnout_productivity_loss: float = Field(default=0.0, ge=0, lt=1)
    """Productivity of burnt-out people is multiplied by ``1 - this``."""
    attrition_per_year: float = Field(default=0.0, ge=0)
    """Chance a person leaves within a year, in normal times."""
    burnout_attrition_per_year: float = Field(default=0.0, ge=0)
    """Extra chance of leaving within a year while burnt out."""
    hiring_delay_days: float = Field(default=60.0, ge=0)
    onboarding_days: float = Field(default=60.0, ge=0)
    onboarding_productivity: float = Field(default=0.5, gt=0, le=1)
    # 7. Interruptions, multitasking and context switching.
    resume_cost_hours: float = Field(default=RESUME_COST_HOURS, ge=0)
    """Extra hours on planned work (recurring, project, remediation) each time an incident
    interrupts it: the time to get back into it. Default 23 minutes, the time interrupted
    work takes to be resumed in Mark's field studies (Mark, Gonzalez & Harris 2005; Mark,
    Gudith & Klocke 2008). Part of those minutes goes to other tasks, so this is the upper
    end of the refocusing cost; set 0 for none. Incidents interrupted by incidents pay
    only ``context_switch_hours``."""
    multitasking_loss: list[float] = Field(
        default_factory=lambda: list(WEINBERG_LOSS), min_length=1, max_length=20
    )
    """Share of a person's project time lost to switching when assigned to 1, 2, 3, ...
    projects at once (the last value holds beyond the list). Default: Weinberg's rule of
    thumb (Quality Software Management, 1992): 0, 20%, 40%, 60%, 75% for 1 to 5 projects.
    A rule of thumb, widely quoted: override it with your own figures."""
    context_switch_hours: float = Field(default=0.0, ge=0)
    """Extra hours on any interrupted work, incidents included, and on a project chunk of a
    project the person did not work on last (on top of the costs above; default none)."""

    @field_validator("multitasking_loss")
    @classmethod
    def _losses(cls, v: list[float]) -> list[float]:
        if any(not 0 <= x < 1 for x in v):
            raise ValueError("each share lost must be >= 0 and < 1")
        if any(b < a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError("shares lost must not fall as projects are added")
        return v

    @property
    def debt_on(self) -> bool:
        return self.debt_per_skipped_hour > 0 or self.debt_per_late_hour > 0

    @property
    def churn_on(self) -> bool:
        return (
            self.attrition_per_year > 0 or self.burnout_attrition_per_year > 0
            or self.burnout_productivity_loss > 0
        )


class Policy(_Section):
    """``[policy]``: which policy (or list of policies) governs the work, with its parameters.

    Parameters other than ``name`` belong to the named policies, which validate them.
    """

    model_config = ConfigDict(extra="allow")

    name: str | list[str] = "firefight_first"

    @field_validator("name")
    @classmethod
    def _named(cls, v: str | list[str]) -> str | list[str]:
        if not v or (isinstance(v, list) and not all(v)):
            raise ValueError("give a policy name, or a list of policy names to combine")
        return v

    @property
    def names(self) -> list[str]:
        return [self.name] if isinstance(self.name, str) else list(self.name)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Costs(_Section):
    """``[costs]``: what the business pays besides salaries, in money (``currency``).

    Staff cost comes from each ``[[team]] cost_per_hour`` over on-shift hours.
    """

    currency: str = Field(default="USD", min_length=1, max_length=8)
    downtime_per_hour: dict[str, float] = Field(default_factory=dict)
    """Business cost per hour an incident of a class is open, e.g. ``{ P1 = 5000 }``."""
    per_security_incident: float = Field(default=0.0, ge=0)
    per_leaver: float = Field(default=0.0, ge=0)
    """Replacement cost of each person who leaves (recruiting, lost knowledge)."""
    per_shadow_it_system_per_week: float = Field(default=0.0, ge=0)
    """Running cost and risk of each withdrawn request the business built itself."""
    per_deflected_incident: float = Field(default=0.0, ge=0)
    """Self-service cost of an incident that never reaches staff."""
    overhead_per_week: float = Field(default=0.0, ge=0)

    @field_validator("downtime_per_hour")
    @classmethod
    def _classes(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k in v if not PRIORITY_NAME.match(k)]
        if bad:
            raise ValueError(f"keys are priority classes P1..P9, got {bad}")
        if any(x < 0 for x in v.values()):
            raise ValueError("costs must be >= 0")
        return v


class Targets(_Section):
    """``[targets]``: the thresholds beyond which the department is "too busy"."""

    project_lead_time_days: float = Field(default=90, gt=0)
    """Longest acceptable mean time from request to delivery (days); projects still open
    at the end count with their age so far."""
    recurring_on_time_share: float = Field(default=0.9, ge=0, le=1)
    """Least share of recurring maintenance *hours* done on time (judged on the metric
    ``recurring_hours_on_time_share``: a skipped 40-hour scan weighs forty 1-hour checks)."""
    incident_sla_attainment: float = Field(default=0.9, ge=0, le=1)
    max_utilization: float = Field(default=0.85, gt=0, le=1)
    open_work_growth_weeks: float = Field(default=1.0, gt=0)
    """Open work may grow by at most this many weeks of team capacity over the measured
    period; beyond it, and beyond what the people who could work it had spare, work
    keeps piling up (see docs/verdict.md)."""
    max_security_neglect_hours: float | None = Field(default=None, ge=0)
    """Most hours of security maintenance done late or skipped over the measured period."""
    max_availability_neglect_hours: float | None = Field(default=None, ge=0)
    max_compliance_neglect_hours: float | None = Field(default=None, ge=0)
    max_other_neglect_hours: float | None = Field(default=None, ge=0)
    max_care_and_feeding_neglect_hours: float | None = Field(default=None, ge=0)
    at_risk_above: float = Field(default=0.2, ge=0, lt=1)
    """The department is "at risk" when more than this share of replications break a target."""
    too_busy_above: float = Field(default=0.8, ge=0, lt=1)
    """... and "too busy" when more than this share do."""

    @model_validator(mode="after")
    def _bands_ordered(self) -> Targets:
        if self.at_risk_above > self.too_busy_above:
            raise ValueError(
                f"at_risk_above ({self.at_risk_above:g}) must not exceed too_busy_above ({self.too_busy_above:g})"
            )
        if self.at_risk_above >= 0.5:
            raise ValueError(
                f"at_risk_above must be below 0.5 (got {self.at_risk_above:g}): a department that breaks a target "
                "in half of its replications is never healthy"
            )
        return self


class Phase(_Section):
    """``[[phase]]``: a time-bounded change, counted in days from the end of warm-up."""

    name: str = ""
    start_day: float = Field(ge=0)
    end_day: float = Field(gt=0)
    demand_scale: float = Field(default=1.0, ge=0)
    incident_rate_scale: float = Field(default=1.0, ge=0)
    project_rate_scale: float = Field(default=1.0, ge=0)
    team: dict[str, dict[Literal["count"], int]] = Field(default_factory=dict)
    policy: Policy | None = None
    """The policy in force during the phase (a table like ``[policy]``), e.g. protected
    maintenance for a quarter after a surge; policies that change the department itself
    (``add_staff``, ``outsource_tier1``, ``deflection``) cannot change by phase."""

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.end_day <= self.start_day:
            raise ValueError(f"end_day must be after start_day, got {self.start_day} to {self.end_day}")
        for role, change in self.team.items():
            if not 0 <= change.get("count", 0) <= MAX_PEOPLE_PER_ROLE:
                raise ValueError(f"team.{role}.count must be between 0 and {MAX_PEOPLE_PER_ROLE:,}"
                                 f" (got {change['count']})")
        return self


class Scenario(_Section):
    """A whole scenario file. Build with :func:`load_scenario` or :meth:`from_dict`."""

    demand_scale: float = Field(default=1.0, ge=0)
    scenario: ScenarioInfo
    team: list[Team] = Field(min_length=1, max_length=MAX_ROLES)
    incidents: Incidents | None = None
    recurring: list[Recurring] = Field(default_factory=list)
    projects: Projects | None = None
    dynamics: Dynamics = Field(default_factory=Dynamics)
    policy: Policy = Field(default_factory=Policy)
    targets: Targets = Field(default_factory=Targets)
    costs: Costs = Field(default_factory=Costs)
    phase: list[Phase] = Field(default_factory=list, max_length=MAX_PHASES)
    uncertain: dict[str, uncertainty.Belief] = Field(default_factory=dict)
    """Beliefs about numbers written as ``{ uncertain = ... }`` (dotted key -> belief); the
    fields themselves hold the central values (see :mod:`itsim.uncertainty`)."""

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        problems: list[str] = []
        roles = [t.role for t in self.team]
        dup = sorted(r for r, n in Counter(roles).items() if n > 1)
        if dup:
            problems.append(f"team: role names must be unique, got {dup} more than once")
        known = {t.role: t for t in self.team}

        def check_roles(path: str, names: list[str], kind: str) -> None:
            for i, r in enumerate(names):
                if r not in known:
                    hint = did_you_mean(r, known)
                    problems.append(f"{path}[{i}]: no [[team]] has role {r!r}{hint}")
                elif kind not in known[r].skills:
                    problems.append(f"{path}[{i}]: role {r!r} lacks the skill {kind!r}")

        if self.incidents is not None:
            check_roles("incidents.handled_by", self.incidents.handled_by, "incident")
            esc = self.incidents.escalation
            if esc is not None:
                check_roles("incidents.escalation.to", [esc.to], "incident")
            on_call = self.incidents.on_call
            if on_call is not None:
                r = on_call.role
                if r not in known:
                    problems.append(f"incidents.on_call.role: no [[team]] has role {r!r}{did_you_mean(r, known)}")
                elif r not in self.incidents.handled_by and (esc is None or esc.to != r):
                    problems.append(f"incidents.on_call.role: {r!r} handles no incidents (not in handled_by or"
                                    " escalation.to)")
                elif (self.role(r).calendar or self.scenario.calendar) != "business":
                    problems.append(f"incidents.on_call.role: {r!r} works 24x7 already; on call covers the hours"
                                    " outside a business calendar")
                elif f"{r}_on_call" in known:
                    problems.append(f"incidents.on_call.role: a [[team]] is already called {r + '_on_call'!r}")
        for j, task in enumerate(self.recurring):
            check_roles(f"recurring[{j}].handled_by", task.handled_by, "recurring")
        if self.projects is not None:
            check_roles("projects.handled_by", self.projects.handled_by, "project")
        for j, ph in enumerate(self.phase):
            for r in ph.team:
                if r not in known:
                    problems.append(f"phase[{j}].team.{r}: no [[team]] has role {r!r}{did_you_mean(r, known)}")
            if ph.start_day >= self.scenario.horizon_days:
                problems.append(
                    f"phase[{j}].start_day: starts after the horizon ({self.scenario.horizon_days:g} days)"
                    f" (got {ph.start_day:g})"
                )
        for j, t in enumerate(self.team):
            time = self.staff_time(t)
            days = 365.25 if (t.calendar or self.scenario.calendar) == "24x7" else 365.25 / 7 * 5
            working = days - time["holidays_per_year"]
            away = time["vacation_days_per_year"] + time["sick_days_per_year"]
            if away > 0.8 * working:
                problems.append(
                    f"team[{j}]: vacation and sick days ({away:g}) leave under a fifth of the"
                    f" {working:.0f} working days a year"
                )
        dyn = self.dynamics
        if self.incidents is None:
            for key in ("security_hazard_per_exposed_hour", "incident_rate_per_debt_hour",
                        "improvement_incident_reduction", "shadow_it_incidents_per_week"):
                if getattr(dyn, key) > 0:
                    problems.append(f"dynamics.{key}: acts on incidents, but the scenario has no [incidents]")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    # -- convenience ----------------------------------------------------------------

    @property
    def holidays_per_year(self) -> int:
        """Public holidays a year on the business calendar, the default applied."""
        given = self.scenario.holidays_per_year
        return given if given is not None else int(BUSINESS_STAFF_TIME["holidays_per_year"])

    def staff_time(self, team: Team) -> dict[str, float]:
        """The holidays, leave and overhead of a ``[[team]]`` entry, defaults applied: those
        of :data:`BUSINESS_STAFF_TIME` on the business calendar, none on 24x7."""
        business = (team.calendar or self.scenario.calendar) == "business"
        given = {"vacation_days_per_year": team.vacation_days_per_year,
                 "sick_days_per_year": team.sick_days_per_year, "overhead_share": team.overhead_share}
        time = {k: v if v is not None else (BUSINESS_STAFF_TIME[k] if business else 0) for k, v in given.items()}
        return {"holidays_per_year": self.holidays_per_year if business else 0, **time}

    def role(self, name: str) -> Team:
        for t in self.team:
            if t.role == name:
                return t
        raise KeyError(name)

    @property
    def name(self) -> str:
        return self.scenario.name

    def __repr__(self) -> str:
        """One line: name, length, team, kinds of work and policy (``dumps()`` gives it all)."""
        info = self.scenario
        team = ", ".join(f"{t.role} {t.count}" for t in self.team)
        work = [w for w, present in (("incidents", self.incidents is not None),
                                     (f"{len(self.recurring)} recurring tasks", bool(self.recurring)),
                                     ("projects", self.projects is not None)) if present]
        return (f"<Scenario {info.name!r}: {info.horizon_days} days"
                + (f" after {info.warmup_days} of warm-up" if info.warmup_days else "")
                + f", {info.calendar} calendar; team {team}; {', '.join(work) or 'no work'}; "
                f"policy {'+'.join(self.policy.names)}>")

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data, with the keys a TOML file uses."""
        return self.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True, mode="python")

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<scenario>") -> Scenario:
        """Validate plain data; raises :class:`ScenarioError` with one line per problem."""
        if not isinstance(data, dict):
            raise ScenarioError([f"{source}: a scenario is a table of sections (got {type(data).__name__})"])
        deep = nesting_problem(data)
        if deep is not None:
            raise ScenarioError([f"{source}: {deep}"])
        try:
            data = uncertainty.lift(data)
        except ScenarioError as exc:
            raise ScenarioError([f"{source}: {p}" for p in exc.problems]) from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError([f"{source}: {p}" for p in format_errors(exc, data, cls)]) from None

    def with_changes(self, changes: dict[str, Any]) -> Scenario:
        """A copy with dotted keys changed, e.g. ``{"incidents.rate_per_day": 40}``.

        Lists of tables are addressed by index (``recurring.0.due_within_days``) or by
        ``role``/``name`` (``team.engineer.count``). Numpy numbers and tuples are taken
        as the plain numbers and lists they stand for. The result is validated again.
        A key changed here is certain: a belief written for it (``uncertain``) is dropped.
        Raises ``TypeError`` for changes that are not a mapping of text keys.
        """
        if not isinstance(changes, Mapping):
            raise TypeError(f"with_changes: expected a mapping of dotted keys to values, got {type(changes).__name__}")
        bad = [k for k in changes if not isinstance(k, str)]
        if bad:
            raise TypeError(f"with_changes: keys are dotted scenario keys as text (e.g. 'incidents.rate_per_day'),"
                            f" got {bad[0]!r} ({type(bad[0]).__name__})")
        data = self.to_dict()
        for key, value in changes.items():
            uncertainty.pin(data, key)
            set_dotted(data, key, plain_value(value))
        return Scenario.from_dict(data, source="with_changes")

    def dumps(self) -> str:
        """The scenario as TOML text that loads back to an equal scenario."""
        return to_toml(uncertainty.inline(self.to_dict()))


# -- loading ---------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a TOML scenario file.

    Raises :class:`ScenarioError` (one line per problem, each prefixed by the
    file name) for missing, unreadable, binary, empty, oversized, deeply nested or
    invalid files, and for anything but a regular file (a directory, a pipe, a device),
    which is refused without reading from it.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"load_scenario: expected a file path, got {type(path).__name__}")
    path = Path(path)
    src = str(path)
    try:
        raw = read_scenario_bytes(path)
    except OSError as exc:
        raise ScenarioError([f"{src}: cannot read file ({exc.strerror or exc})"]) from None
    except ValueError as exc:
        raise ScenarioError([f"{src}: {exc}"]) from None
    return loads_scenario(raw, source=src)


def loads_scenario(raw: bytes | str, source: str = "<scenario>") -> Scenario:
    """Validate scenario TOML given as text or bytes (at most 2 MiB, nested at most 32 deep)."""
    if not isinstance(raw, bytes | str):
        raise TypeError(f"loads_scenario: expected TOML text (str or bytes), got {type(raw).__name__}")
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError([f"{source}: too large ({len(raw):,} characters; scenarios are limited to "
                             f"{MAX_SCENARIO_BYTES:,} bytes)"])
    if isinstance(raw, bytes):
        if b"\x00" in raw:
            raise ScenarioError([f"{source}: not a text file (expected UTF-8 TOML)"])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                [f"{source}: not a UTF-8 text file (byte {exc.start}: {raw[exc.start]:#04x})"]
            ) from None
    else:
        text = raw
    if not text.strip():
        raise ScenarioError([f"{source}: empty file (expected a TOML scenario with [scenario], [[team]], ...)"])
    deep = toml_nesting_problem(text)
    if deep is not None:
        raise ScenarioError([f"{source}: {deep}"])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{source}: TOML syntax error: {_toml_message(exc)}"]) from None
    scenario = Scenario.from_dict(data, source=source)
    uncertainty.check(scenario, source)
    return scenario


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    if m:
        base = msg[: m.start()].strip()
        return f"line {m.group(1)}, column {m.group(2)}: {base}"
    return msg
