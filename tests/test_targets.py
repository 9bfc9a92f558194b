"""The "too busy" verdict: the work-piling-up test's error rates on a fixed seed set, the
three-way status with its Wilson interval, per-target figures and their wording."""

from __future__ import annotations

import math

import pytest

import itsim
from itsim.scenario import Scenario
from itsim.targets import BY_CODE, across_text, overall, position_phrase, status, verdict

REPLICATIONS = 40
PEOPLE = 6
CAPACITY = PEOPLE * 40.0  # person-hours per working week


def department(incidents: float, projects: float, estimate_hours: float, estimate_cv: float,
               max_people_per_project: int) -> Scenario:
    """Six engineers on business hours for a measured year. Offered load, as shares of
    their 240 person-hours a week: ``incidents`` (2-hour average, exponential),
    recurring maintenance 0.08 (a weekly review and daily checks) and ``projects``
    (lognormal sizes around ``estimate_hours``). Full 2,080-hour years: no public holidays,
    leave or meetings, so that those 240 hours are all there is."""
    return Scenario.from_dict({
        "scenario": {"name": "piling up", "horizon_days": 364, "warmup_days": 28, "seed": 5,
                     "holidays_per_year": 0},
        "team": [{"role": "engineer", "count": PEOPLE, "overhead_share": 0, "vacation_days_per_year": 0,
                  "sick_days_per_year": 0}],
        "incidents": {"rate_per_day": incidents * CAPACITY / 5 / 2,
                      "effort_hours": {"dist": "exponential", "mean": 2.0}, "handled_by": ["engineer"]},
        "recurring": [
            {"name": "Weekly review", "every": "weekly", "effort_hours": {"dist": "gamma", "mean": 9.2, "cv": 0.3},
             "due_within_days": 5, "handled_by": ["engineer"]},
            {"name": "Daily checks", "every": "daily", "effort_hours": {"dist": "gamma", "mean": 2.0, "cv": 0.3},
             "due_within_days": 1, "handled_by": ["engineer"]},
        ],
        "projects": {"rate_per_week": projects * CAPACITY / estimate_hours,
                     "estimate_hours": {"dist": "lognormal", "mean": estimate_hours, "cv": estimate_cv},
                     "max_people_per_project": max_people_per_project, "handled_by": ["engineer"]},
    })


def flagged(scenario: Scenario) -> tuple[int, float]:
    """Replications (of ``REPLICATIONS``) in which work was found piling up, and mean utilisation."""
    runs = [itsim.simulate(scenario, replication=r, keep_events=False) for r in range(REPLICATIONS)]
    hits = sum(any(x["code"] == "open_work_growing" for x in run.too_busy["reasons"]) for run in runs)
    return hits, sum(run.metrics["utilization"] for run in runs) / len(runs)


def test_work_piling_up_is_rarely_claimed_for_a_healthy_department_with_lumpy_projects():
    """60% utilisation with stable demand, but lumpy projects (size cv 1.5) each worked by one
    person at a time: open work swings by weeks of capacity as a large project arrives and
    drains for months (strongly autocorrelated), while the team has hours to spare."""
    hits, utilisation = flagged(department(0.30, 0.22, 120.0, 1.5, 1))
    assert utilisation <= 0.60
    assert hits <= 0.05 * REPLICATIONS, f"flagged in {hits} of {REPLICATIONS} replications"


def test_work_piling_up_is_found_when_demand_exceeds_capacity_by_ten_percent():
    hits, utilisation = flagged(department(0.90, 0.12, 40.0, 0.5, PEOPLE))
    assert utilisation > 0.97
    assert hits >= 0.9 * REPLICATIONS, f"flagged in only {hits} of {REPLICATIONS} replications"


# -- three-way status ------------------------------------------------------------------------


def _busy(broken: list[bool], figure: float = 0.8) -> list[dict]:
    return [{"verdict": b, "reasons": [{"code": "utilization", "text": ""}] if b else [],
             "figures": {"utilization": figure + (0.1 if b else 0.0)}} for b in broken]


@pytest.fixture(scope="module")
def plain() -> Scenario:
    return itsim.load_scenario("scenarios/baseline.toml")


@pytest.mark.parametrize(("broken", "expected"), [(0, "healthy"), (2, "healthy"), (3, "at_risk"),
                                                   (5, "at_risk"), (8, "at_risk"), (9, "too_busy")])
def test_status_bands_by_share_of_replications(plain, broken, expected):
    block = overall(plain, _busy([True] * broken + [False] * (10 - broken)))
    assert block["status"] == expected
    assert block["verdict"] == (expected == "too_busy")
    assert block["probability"] == block["share_of_replications"] == broken / 10
    lo, hi = block["ci95"]
    assert lo <= block["probability"] <= hi


def test_a_coin_flip_is_never_healthy_whatever_the_bands():
    with pytest.raises(itsim.ScenarioError, match="at_risk_above must be below 0.5"):
        itsim.load_scenario("scenarios/baseline.toml").with_changes({"targets.at_risk_above": 0.5})
    loose = itsim.load_scenario("scenarios/baseline.toml").with_changes(
        {"targets.at_risk_above": 0.49, "targets.too_busy_above": 0.95})
    assert status(0.5, loose.targets) == "at_risk"


def test_interval_is_wilson_and_bands_come_from_the_scenario(plain):
    block = overall(plain.with_changes({"targets.at_risk_above": 0.1}), _busy([True] * 2 + [False] * 8))
    assert block["status"] == "at_risk"
    assert block["bands"] == {"at_risk_above": 0.1, "too_busy_above": 0.8}
    assert block["ci95"] == pytest.approx([0.0567, 0.5098], abs=1e-4)


# -- per-target figures and wording ----------------------------------------------------------


def test_every_target_is_reported_with_its_mean_interval_and_share_broken(plain):
    block = overall(plain, _busy([True, False, False, True]))
    entry = block["targets"]["utilization"]
    assert entry["mean"] == pytest.approx(0.85)
    lo, hi = entry["ci95"]
    assert lo < 0.85 < hi
    assert entry["target"] == 0.85 and entry["limit"] == "max"
    assert entry["broken_in"] == 2 and entry["share_broken"] == 0.5
    assert entry["position"] == "at"
    assert "85% on average (95% interval" in block["reasons"][0]
    assert "at the 85% ceiling; broken in 2 of 4 replications" in block["reasons"][0]


def test_at_the_ceiling_and_over_the_ceiling_are_told_apart():
    target = BY_CODE["utilization"]
    assert position_phrase(target, 0.85, "at") == "at the 85% ceiling"
    assert position_phrase(target, 0.85, "over") == "over the 85% ceiling"
    over = {"mean": 0.9, "ci95": [0.88, 0.92], "target": 0.85, "position": "over", "broken_in": 10}
    assert across_text(target, over, 10).endswith("over the 85% ceiling; broken in 10 of 10 replications")
    floor = BY_CODE["incident_sla"]
    assert position_phrase(floor, 0.9, "under") == "below the 90% target"


def test_one_replication_quotes_its_own_figure_and_says_just_over():
    sc = itsim.load_scenario("scenarios/baseline.toml")
    metrics = {"utilization": 0.8504}
    import pandas as pd

    result = verdict(sc, metrics, pd.DataFrame())
    assert [r["code"] for r in result["reasons"]] == ["utilization"]
    assert result["reasons"][0]["text"] == "share of staff hours busy: 85%, over the 85% ceiling"
    assert result["figures"]["utilization"] == 0.8504


def test_untargeted_neglect_is_not_judged(plain):
    result = verdict(plain, {"neglect_hours.security": 500.0}, __import__("pandas").DataFrame())
    assert "security_neglect" not in result["figures"]
    strict = plain.with_changes({"targets.max_security_neglect_hours": 100})
    result = verdict(strict, {"neglect_hours.security": 500.0}, __import__("pandas").DataFrame())
    assert result["reasons"][0]["text"] == (
        "hours of security maintenance done late or skipped: 500 h, over the 100 h limit")
    assert math.isclose(result["figures"]["security_neglect"], 500.0)


def test_a_team_of_nobody_is_too_busy_and_says_why(tmp_path):
    scenario = itsim.loads_scenario("""
[scenario]
name = "nobody"
horizon_days = 60
calendar = "24x7"
[[team]]
role = "engineer"
count = 0
skills = ["incident"]
[incidents]
rate_per_hour = 1
handled_by = ["engineer"]
effort_hours = { dist = "exponential", mean = 0.5 }
""")
    block = itsim.replicate(scenario, replications=3).summary["too_busy"]
    assert block["status"] == "too_busy"
    entry = block["targets"]["open_work_growing"]
    assert entry["unbounded_in"] == 3 and entry["mean"] is None and entry["position"] == "over"
    (reason,) = block["reasons"]
    assert "without limit in 3 of 3 replications (nobody available to work it)" in reason
    assert "broken in 3 of 3 replications" in reason
