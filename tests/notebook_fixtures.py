"""Small scenarios shared by the tests of the notebook API, tables and spreadsheets."""

import itsim

#: A small department with every kind of work, two priorities, escalation and preemption:
#: about a tenth of a second per replication.
SMALL = """
[scenario]
name = "Small department"
horizon_days = 42
warmup_days = 7
seed = 5

[[team]]
role = "desk"
count = 2
skills = ["incident"]
cost_per_hour = 40

[[team]]
role = "engineer"
count = 3
cost_per_hour = 70

[incidents]
rate_per_day = 14
effort_hours = { dist = "lognormal", mean = 0.6, cv = 1.0 }
priorities = { P1 = 0.1, P2 = 0.9 }
sla_hours = { P1 = 4, P2 = 16 }
handled_by = ["desk", "engineer"]
escalation = { share = 0.2, to = "engineer", extra_effort_hours = { dist = "exponential", mean = 2.0 } }

[[recurring]]
name = "Patch servers"
every = "weekly"
effort_hours = { dist = "gamma", mean = 6, cv = 0.3 }
due_within_days = 3
handled_by = ["engineer"]
risk = "security"

[projects]
rate_per_week = 1.5
estimate_hours = { dist = "lognormal", mean = 40, cv = 0.8 }
value_per_week = { dist = "lognormal", mean = 2000, cv = 1.0 }
handled_by = ["engineer"]
"""


def small(**changes) -> itsim.Scenario:
    scenario = itsim.loads_scenario(SMALL, source="small")
    return scenario.with_changes(changes) if changes else scenario
