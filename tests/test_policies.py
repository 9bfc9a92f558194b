"""Policies: registry, parameter validation, and each policy moving behaviour the
expected way on one small department under common random numbers."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import itsim
from itsim.experiment import policy_for
from itsim.model.projects import DECLINED
from itsim.policies import available, build_policy
from itsim.policies.base import Policy
from itsim.policies.combined import Combined
from itsim.scenario import ScenarioError, loads_scenario

# Sized for full 2,080-hour years: no public holidays, leave or meetings (the defaults
# of the business calendar would take a quarter of its hours and swamp it).
DEPARTMENT = """
[scenario]
name = "Small department"
horizon_days = 120
warmup_days = 14
calendar = "business"
seed = 3
holidays_per_year = 0

[[team]]
role = "desk"
count = 2
skills = ["incident"]
cost_per_hour = 40
overhead_share = 0
vacation_days_per_year = 0
sick_days_per_year = 0

[[team]]
role = "engineer"
count = 5
cost_per_hour = 70
overhead_share = 0
vacation_days_per_year = 0
sick_days_per_year = 0

[incidents]
rate_per_day = 24
effort_hours = { dist = "lognormal", mean = 0.75, cv = 1.0 }
priorities = { P1 = 0.05, P2 = 0.25, P3 = 0.7 }
sla_hours = { P1 = 4, P2 = 8, P3 = 24 }
handled_by = ["desk", "engineer"]
escalation = { share = 0.2, to = "engineer", extra_effort_hours = { dist = "exponential", mean = 2.0 } }

[[recurring]]
name = "Patch servers"
every = "weekly"
effort_hours = { dist = "gamma", mean = 10, cv = 0.3 }
due_within_days = 3
handled_by = ["engineer"]
risk = "security"

[[recurring]]
name = "Check backups"
every = "daily"
effort_hours = { dist = "constant", value = 1.5 }
due_within_days = 1
handled_by = ["engineer"]
risk = "availability"

[projects]
rate_per_month = 6
estimate_hours = { dist = "lognormal", mean = 80, cv = 0.8 }
estimate_bias = 1.3
value_per_week = { dist = "lognormal", mean = 3000, cv = 1.5 }
handled_by = ["engineer"]
"""

SPEC_POLICIES = (
    "firefight_first", "wip_limit", "intake_gate", "protected_maintenance", "firefighter_rotation",
    "prioritise_wsjf", "prioritise_value", "fifo", "deflection", "add_staff", "outsource_tier1",
)


@pytest.fixture(scope="module")
def department():
    return loads_scenario(DEPARTMENT)


def with_policy(scenario, name, **params):
    return scenario.with_changes({"policy": {"name": name, **params}})


def simulate(scenario, name, **params):
    return itsim.simulate(with_policy(scenario, name, **params))


def policy_problems(scenario, name, **params) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        policy_for(with_policy(scenario, name, **params))
    return info.value.problems


# -- registry ---------------------------------------------------------------------------


def test_every_policy_of_the_spec_is_registered():
    assert set(SPEC_POLICIES) <= set(available())


@pytest.mark.parametrize("name", SPEC_POLICIES)
def test_every_policy_runs_with_default_parameters_and_loses_no_work(department, name):
    run = simulate(department, name)
    lost = {k: v for k, v in run.checks.items() if k.endswith("_unaccounted") and k != "hours_unaccounted"}
    assert all(v == 0 for v in lost.values()), lost
    assert run.checks["hours_unaccounted"] < 1e-6


def test_policies_that_choose_work_themselves_are_never_handed_work_directly():
    for name, cls in available().items():
        chooses = cls.select is not Policy.select or cls.takes is not Policy.takes
        assert not (chooses and cls.direct_handoff), name


# -- parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("wip_limit", {"wip_limit": 0}, "wip_limit"),
        ("wip_limit", {"wip_limit": "three"}, "wip_limit"),
        ("wip_limit", {"wip_limt": 2}, "wip_limt"),
        ("intake_gate", {"lead_time_target_days": -1}, "lead_time_target_days"),
        ("intake_gate", {"window_days": 0}, "window_days"),
        ("intake_gate", {"prior_share": 1.5}, "prior_share"),
        ("protected_maintenance", {"share": 0}, "share"),
        ("protected_maintenance", {"share": 1.2}, "share"),
        ("firefighter_rotation", {"share": 0.2}, "share"),
        ("firefighter_rotation", {"firefighters": 0}, "firefighters"),
        ("prioritise_wsjf", {"weight": 1}, "weight"),
        ("prioritise_value", {"weight": 1}, "weight"),
        ("fifo", {"wip_limit": 2}, "wip_limit"),
        ("deflection", {"invest_hours_per_week": -4}, "invest_hours_per_week"),
        ("deflection", {"max_share": 1.0}, "max_share"),
        ("deflection", {"ramp_weeks": 0}, "ramp_weeks"),
        ("deflection", {"handled_by": ["desk"]}, "handled_by[0]"),
        ("deflection", {"handled_by": ["nobody"]}, "handled_by[0]"),
        ("add_staff", {"count": 0}, "count"),
        ("add_staff", {"role": "nobody"}, "role"),
        ("outsource_tier1", {"first_contact_resolution": 1.5}, "first_contact_resolution"),
        ("outsource_tier1", {"cost_per_hour": -10}, "cost_per_hour"),
        ("outsource_tier1", {"role": "nobody"}, "role"),
    ],
)
def test_bad_parameter_is_reported_as_policy_dot_parameter(department, name, params, field):
    problems = policy_problems(department, name, **params)
    assert any(p.startswith(f"policy.{field}: ") for p in problems), problems


def test_every_bad_parameter_is_reported_at_once(department):
    problems = policy_problems(department, "deflection", max_share=2, ramp_weeks=-1, colour="red")
    assert {p.split(":")[0] for p in problems} == {"policy.max_share", "policy.ramp_weeks", "policy.colour"}


def test_outsourcing_hands_the_first_line_s_own_planned_work_to_the_second_line(department):
    generalist = department.with_changes(
        {"team.desk.skills": ["incident", "recurring", "project"], "recurring.1.handled_by": ["desk"]}
    )
    adjusted = policy_for(with_policy(generalist, "outsource_tier1")).adjust(generalist)
    assert adjusted.recurring[1].handled_by == ["engineer"]
    assert adjusted.role("desk").skills == ["incident"]


def test_outsourcing_is_refused_when_the_second_line_cannot_take_over(department):
    backwards = department.with_changes({"incidents.escalation.to": "desk"})
    problems = policy_problems(backwards, "outsource_tier1", role="engineer")
    assert any(p.startswith("policy.role: [projects] is done only by 'engineer'") for p in problems), problems
    assert len(problems) == 3  # two recurring tasks and the projects


def test_cli_validate_reports_a_policy_parameter_that_depends_on_the_scenario(tmp_path):
    f = tmp_path / "staff.toml"
    f.write_text(DEPARTMENT + '\n[policy]\nname = "add_staff"\nrole = "nobody"\n')
    r = subprocess.run([sys.executable, "-m", "itsim.cli", "validate", str(f)], capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip() == f"{f}: policy.role: no [[team]] has role 'nobody'"


def test_combined_policies_share_out_their_parameters(department):
    policy = policy_for(with_policy(department, ["wip_limit", "intake_gate"], wip_limit=2, window_days=14))
    assert isinstance(policy, Combined)
    assert [p.name for p in policy.parts] == ["wip_limit", "intake_gate"]
    assert policy.parts[0].params.wip_limit == 2
    assert policy.parts[1].params.window_days == 14
    problems = policy_problems(department, ["wip_limit", "fifo"], share=0.3)
    assert problems == ["policy.share: not a parameter of wip_limit, fifo (valid: wip_limit)"]


# -- behaviour, each against firefight first (same seed: common random numbers) -----------


def test_wip_limit_keeps_projects_in_progress_at_or_below_the_limit_every_day(department):
    busy = department.with_changes({"projects.rate_per_month": 10})
    free = simulate(busy, "firefight_first")
    limited = simulate(busy, "wip_limit", wip_limit=1)
    assert max(free.world.ledger.wip) > 1
    assert max(limited.world.ledger.wip) == 1
    assert limited.metrics["projects_delivered"] > 0


def cycle_days(run) -> float:
    """Mean days from start to delivery of delivered projects."""
    table = run.world.portfolio.table()
    done = ~np.isnan(table["finished"]) & ~np.isnan(table["started"])
    return float(np.mean(table["finished"][done] - table["started"][done]) / 24)


def test_wip_limit_shortens_the_time_from_start_to_delivery(department):
    busy = department.with_changes({"projects.rate_per_month": 10})
    assert cycle_days(simulate(busy, "wip_limit", wip_limit=2)) < cycle_days(simulate(busy, "firefight_first"))


def test_intake_gate_declines_requests_when_overloaded_and_counts_them(department):
    overloaded = department.with_changes({"projects.rate_per_month": 14})
    free = simulate(overloaded, "firefight_first")
    gated = simulate(overloaded, "intake_gate", lead_time_target_days=30)
    assert free.metrics["projects_declined"] == 0
    assert gated.metrics["projects_declined"] > 0
    assert gated.metrics["project_backlog_end"] < free.metrics["project_backlog_end"]
    decisions = gated.world.policy.decisions
    declined = gated.world.portfolio.table()["state"] == DECLINED
    assert sum(not d.accepted for d in decisions) == declined.sum()
    assert all(d.forecast_days <= 30 for d in decisions if d.accepted)


def test_intake_gate_target_defaults_to_the_scenario_target(department):
    strict = department.with_changes({"targets.project_lead_time_days": 5})
    run = simulate(strict, "intake_gate")
    assert run.world.policy.target_days == 5
    assert run.metrics["projects_declined"] > simulate(department, "intake_gate").metrics["projects_declined"]


def test_protected_maintenance_keeps_recurring_work_on_time_under_heavy_incident_load(department):
    heavy = department.with_changes({"incidents.rate_per_day": 40})
    free = simulate(heavy, "firefight_first").metrics
    protected = simulate(heavy, "protected_maintenance", share=0.2).metrics
    assert free["recurring_on_time_share"] < 0.9
    assert protected["recurring_on_time_share"] > free["recurring_on_time_share"]


def test_protected_maintenance_pays_down_tech_debt_and_so_prevents_fires(department):
    loops = {"debt_per_skipped_hour": 1.0, "debt_per_late_hour": 0.5, "incident_rate_per_debt_hour": 0.002}
    heavy = department.with_changes({"incidents.rate_per_day": 40, "dynamics": loops})
    free = simulate(heavy, "firefight_first").metrics
    protected = simulate(heavy, "protected_maintenance").metrics
    assert protected["tech_debt_hours_end"] < free["tech_debt_hours_end"]
    assert protected["incidents_arrived"] < free["incidents_arrived"]


def test_firefighter_rotation_shields_the_rest_for_planned_work(department):
    free = simulate(department, "firefight_first").metrics
    rotation = simulate(department, "firefighter_rotation").metrics
    assert rotation["hours_share.projects"] > free["hours_share.projects"]
    assert rotation["incident_wait_hours.P3"] > free["incident_wait_hours.P3"]


def test_firefighter_rotation_puts_the_next_people_on_duty_each_week(department):
    rotation = simulate(department, "firefighter_rotation", firefighters=2)
    policy, engineers = rotation.world.policy, rotation.world.role["engineer"].people
    for week in range(4):
        on_duty = [i for i, p in enumerate(engineers) if policy.on_duty(p, week * 168.0 + 12)]
        assert on_duty == sorted({(2 * week) % 5, (2 * week + 1) % 5})
    desk = rotation.world.role["desk"].people
    assert all(policy.fights_fires(p, rotation.world.view) for p in desk)  # incidents are the desk's job


def test_more_firefighters_answer_incidents_sooner(department):
    one = simulate(department, "firefighter_rotation").metrics
    two = simulate(department, "firefighter_rotation", firefighters=2).metrics
    assert two["incident_wait_hours.P3"] < one["incident_wait_hours.P3"]
    assert two["hours_share.projects"] < one["hours_share.projects"]


def test_firefighter_rotation_is_work_conserving(department):
    """Off-duty people take the other incidents when they have nothing planned to do, and
    help first once more than queue_threshold incidents wait: nobody idles while escalated
    incidents queue behind one engineer."""
    no_planned = department.with_changes({"projects": None, "recurring": []})
    free = simulate(no_planned, "firefight_first").metrics
    rotation = simulate(no_planned, "firefighter_rotation").metrics
    assert rotation["incident_resolve_hours.P3"] < 1.2 * free["incident_resolve_hours.P3"]
    busy = simulate(department, "firefighter_rotation").metrics
    helpful = simulate(department, "firefighter_rotation", queue_threshold=0).metrics
    assert helpful["incident_wait_hours.P3"] < busy["incident_wait_hours.P3"]
    assert helpful["hours_share.projects"] <= busy["hours_share.projects"]


def test_wip_limit_defaults_to_project_people_over_team_size(department):
    for per_project, limit in ((1, 5), (2, 3), (5, 1)):
        sc = department.with_changes({"projects.max_people_per_project": per_project})
        policy = policy_for(with_policy(sc, "wip_limit"))
        assert policy.effective_params(sc) == {"wip_limit": limit}
        assert simulate(sc, "wip_limit").world.policy.limit == limit
    given = policy_for(with_policy(department, "wip_limit", wip_limit=4))
    assert given.effective_params(department) == {"wip_limit": 4}


def test_derived_defaults_are_stated(department):
    gate = policy_for(with_policy(department, "intake_gate"))
    assert gate.effective_params(department)["lead_time_target_days"] == department.targets.project_lead_time_days
    grow = policy_for(with_policy(department, "add_staff"))
    assert grow.effective_params(department)["role"] == "engineer"
    outsource = policy_for(with_policy(department, "outsource_tier1")).effective_params(department)
    assert outsource["role"] == "desk" and outsource["cost_per_hour"] == pytest.approx(24)


def test_firefighter_rotation_changes_nothing_with_a_single_priority_class(department):
    single = department.with_changes({"incidents.priorities": None, "incidents.sla_hours": None})
    assert simulate(single, "firefighter_rotation").metrics == simulate(single, "firefight_first").metrics


def mean_over_replications(scenario, name, metric, replications=4, **params) -> float:
    runs = itsim.replicate(with_policy(scenario, name, **params), replications=replications).runs
    return float(runs.loc[runs.metric == metric, "value"].mean())


def test_portfolio_ordering_by_cost_of_delay_lowers_the_cost_of_delay(department):
    """Every accepted project is started at once, so ordering acts on what each person works
    on first; one replication is too noisy for the difference, four are not."""
    busy = department.with_changes({"projects.rate_per_month": 10})
    fifo = mean_over_replications(busy, "fifo", "cost_of_delay")
    assert mean_over_replications(busy, "prioritise_wsjf", "cost_of_delay") < fifo
    assert mean_over_replications(busy, "prioritise_value", "cost_of_delay") < fifo


def test_fifo_is_the_default_order(department):
    assert simulate(department, "fifo").metrics == simulate(department, "firefight_first").metrics


def test_deflection_costs_hours_now_and_deflects_more_incidents_later(department):
    long = department.with_changes({"scenario.horizon_days": 200})
    free = simulate(long, "firefight_first")
    deflect = simulate(long, "deflection", invest_hours_per_week=6, max_share=0.4, ramp_weeks=12)
    assert free.metrics["incidents_deflected"] == 0
    assert deflect.metrics["hours_share.recurring"] > free.metrics["hours_share.recurring"]
    events = deflect.events
    deflected = events.loc[events.event == "deflect", "time"].to_numpy()
    arrived = events.loc[events.event == "arrive", "time"].to_numpy()
    half = long.scenario.warmup_days * 24 + long.scenario.horizon_days * 12
    early = (deflected < 14 * 24).sum() / max((arrived < 14 * 24).sum(), 1)
    late = (deflected >= half).sum() / (arrived >= half).sum()
    assert late > early
    assert late == pytest.approx(0.4, abs=0.1)


def test_deflection_without_the_investment_done_deflects_nothing_more(department):
    swamped = department.with_changes({"incidents.rate_per_day": 80})
    run = simulate(swamped, "deflection", invest_hours_per_week=30, max_share=0.5, ramp_weeks=100)
    assert run.world.policy.invested < 30 * 100
    assert run.metrics["incidents_deflected"] / run.metrics["incidents_arrived"] < 0.5


def test_add_staff_raises_cost_and_head_count(department):
    free = simulate(department, "firefight_first")
    more = simulate(department, "add_staff", role="engineer", count=2)
    assert more.metrics["cost_total"] > free.metrics["cost_total"]
    assert more.timeseries["staff"].iloc[-1] == free.timeseries["staff"].iloc[-1] + 2
    assert more.metrics["projects_delivered"] > free.metrics["projects_delivered"]


def test_add_staff_also_during_a_phase_that_sets_the_head_count(department):
    freeze = department.with_changes({"phase": [{"start_day": 10, "end_day": 60, "team": {"engineer": {"count": 3}}}]})
    adjusted = policy_for(with_policy(freeze, "add_staff", count=2)).adjust(freeze)
    assert adjusted.role("engineer").count == 7
    assert adjusted.phase[0].team["engineer"]["count"] == 5


def first_line_cost(run) -> float:
    desk = run.world.role["desk"]
    available = np.asarray(run.world.ledger.available)[:, desk.index]
    return float(available.sum() * desk.cost_per_hour)


def test_outsource_tier1_lowers_first_line_cost_and_raises_escalations(department):
    generalist = department.with_changes({"team.desk.skills": ["incident", "recurring", "project"]})
    free = simulate(generalist, "firefight_first")
    out = simulate(generalist, "outsource_tier1", cost_per_hour=25, first_contact_resolution=0.55)
    assert first_line_cost(out) < first_line_cost(free)
    escalations = [(r.events.event == "escalate").sum() for r in (free, out)]
    assert escalations[1] > escalations[0]
    desk = out.world.role["desk"].index
    busy = np.asarray(out.world.ledger.busy).reshape(-1, len(out.world.roles), 3)
    assert busy[:, desk, 1:].sum() == 0  # no recurring or project hours on the outsourced line


def test_outsource_tier1_creates_an_escalation_path_when_there_is_none(department):
    plain = department.with_changes({"incidents.escalation": None})
    adjusted = policy_for(with_policy(plain, "outsource_tier1")).adjust(plain)
    esc = adjusted.incidents.escalation
    assert (esc.to, esc.share) == ("engineer", pytest.approx(0.45))
    assert adjusted.role("desk").skills == ["incident"]
    assert adjusted.role("desk").cost_per_hour == pytest.approx(0.6 * 40)


def test_combined_policies_apply_every_gate(department):
    busy = department.with_changes({"projects.rate_per_month": 14})
    run = simulate(busy, ["wip_limit", "intake_gate", "prioritise_wsjf"], wip_limit=1, lead_time_target_days=60)
    assert max(run.world.ledger.wip) == 1
    assert run.metrics["projects_declined"] > 0


# -- third-party policies ------------------------------------------------------------------


def test_a_third_party_policy_registers_through_an_entry_point(tmp_path, monkeypatch, department):
    package = tmp_path / "itsim_test_plugin"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        from itsim.policies.base import Policy, PolicyParams


        class CalmParams(PolicyParams):
            max_projects: int = 1


        class CalmPolicy(Policy):
            name = "calm"
            Params = CalmParams
            direct_handoff = True

            def may_start_project(self, world):
                return world.projects_in_progress() < self.params.max_projects
    '''))
    info = tmp_path / "itsim_test_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: itsim-test-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[itsim.policies]\nmy_policy = itsim_test_plugin:CalmPolicy\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "my_policy" in available()
    run = simulate(department.with_changes({"projects.rate_per_month": 10}), "my_policy", max_projects=1)
    assert max(run.world.ledger.wip) == 1
    with pytest.raises(ValueError, match="policy.max_projects"):
        build_policy(["my_policy"], {"max_projects": "many"})


def test_unknown_policy_name_suggests_a_close_one(department):
    problems = policy_problems(department, "wip_limits")
    assert len(problems) == 1
    assert problems[0].startswith("policy.name: unknown policy 'wip_limits'; did you mean 'wip_limit'?")
