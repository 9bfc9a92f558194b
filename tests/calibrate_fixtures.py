"""Known scenarios simulated once per test session, and small ticket files written by tests."""

from __future__ import annotations

import functools
from pathlib import Path

import itsim

HOUR_OF_DAY = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 2, 2, 1.5, 1.5, 2, 2, 1.5, 1, 0.5, 0.3, 0.2, 0.1,
               0.1, 0.1]
DAY_OF_WEEK = [1.2, 1, 1, 1, 0.9, 0.2, 0.1]

KNOWN = f"""
[scenario]
name = "Known department"
horizon_days = 182
warmup_days = 28
calendar = "business"
seed = 3

[[team]]
role = "desk"
count = 3

[[team]]
role = "engineer"
count = 2

[incidents]
rate_per_day = 30
effort_hours = {{ dist = "lognormal", mean = 0.5, cv = 1.0 }}
priorities = {{ P1 = 0.1, P2 = 0.3, P3 = 0.6 }}
sla_hours = {{ P1 = 4, P2 = 8, P3 = 24 }}
handled_by = ["desk", "engineer"]
escalation = {{ share = 0.3, to = "engineer", extra_effort_hours = {{ dist = "gamma", mean = 1.0, cv = 0.5 }} }}

[incidents.arrival_profile]
hour_of_day = {HOUR_OF_DAY}
day_of_week = {DAY_OF_WEEK}
"""
"""Half a year of a small department: a desk of 3, 2 engineers, about 150 tickets a week."""

BY_PRIORITY = {"P1": {"dist": "lognormal", "mean": 2.0, "cv": 0.8}, "P2": {"dist": "gamma", "mean": 1.0, "cv": 0.6}}
"""First-line effort of the urgent classes in a department where they take longer (P3 keeps
``effort_hours``, 0.5 h)."""


@functools.cache
def by_priority_run():
    """The known department's half year with per-priority effort: 20 tickets a working day,
    a desk of 4 and 3 engineers (about 60% busy)."""
    return itsim.simulate(itsim.loads_scenario(KNOWN).with_changes({
        "incidents.rate_per_day": 20, "incidents.effort_hours_by_priority": BY_PRIORITY,
        "team.desk.count": 4, "team.engineer.count": 3}))


MMC = """
[scenario]
name = "M/M/4 desk"
horizon_days = 140
warmup_days = 14
calendar = "24x7"
seed = 5

[[team]]
role = "desk"
count = 4

[incidents]
rate_per_day = 60
effort_hours = { dist = "exponential", mean = 1.2 }
handled_by = ["desk"]
"""
"""An M/M/4 queue at 75% utilisation: resolution time = Erlang C wait + effort, exactly."""


@functools.cache
def small_run():
    """Two weeks of the known department (about 300 tickets)."""
    return itsim.simulate(itsim.loads_scenario(KNOWN).with_changes({"scenario.horizon_days": 14}))


@functools.cache
def known_run():
    return itsim.simulate(itsim.loads_scenario(KNOWN))


@functools.cache
def mmc_run():
    return itsim.simulate(itsim.loads_scenario(MMC))


def write(path: Path, text: str) -> Path:
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


SERVICENOW = """
number,caller_id,opened_at,resolved_at,closed_at,priority,state,reassignment_count,made_sla,short_description
INC0010001,Alice Zebra,2024-03-04 09:15:00,2024-03-04 11:00:00,2024-03-07 11:00:00,2 - High,Closed,0,true,Printer
INC0010002,Bob Yak,2024-03-04 10:20:00,2024-03-05 09:30:00,,3 - Moderate,Resolved,1,false,VPN drops
INC0010003,Carol Xu,2024-03-05 14:00:00,,,1 - Critical,In Progress,0,true,Email down
INC0010004,Dan Wu,2024-03-06 08:05:00,,2024-03-06 12:00:00,4 - Low,Canceled,0,true,Password
"""
"""A ServiceNow incident table with names and free text that must never be read."""
