"""Round trips: simulate a known department, export its incidents as tickets, calibrate, and
recover what the scenario said, within the calibration's own confidence intervals."""

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import itsim
from itsim.calibrate import calibrate, export_tickets
from itsim.calibrate.backtest import backtest
from tests.calibrate_fixtures import (
    BY_PRIORITY,
    DAY_OF_WEEK,
    HOUR_OF_DAY,
    KNOWN,
    by_priority_run,
    known_run,
    mmc_run,
    small_run,
)

PERIOD = {"start": "2024-01-29", "end": "2024-07-28"}  # the 26 simulated weeks after warm-up
STAFF = {"desk": 3, "engineer": 2}


@pytest.fixture(scope="module")
def audit_export(tmp_path_factory):
    return export_tickets(known_run(), tmp_path_factory.mktemp("export") / "audit.csv", format="servicenow_audit")


@pytest.fixture(scope="module")
def calibrated(audit_export):
    return calibrate([audit_export], staff=STAFF, **PERIOD)


@pytest.fixture(scope="module")
def written(calibrated, tmp_path_factory):
    return calibrated.write(tmp_path_factory.mktemp("calibrated") / "dept.toml")


def test_export_is_shaped_like_the_uci_servicenow_audit_log(audit_export):
    lines = audit_export.read_text().splitlines()
    assert lines[0].split(",")[:5] == ["number", "incident_state", "active", "reassignment_count", "sys_updated_at"]
    first = lines[1].split(",")
    assert first[1] == "New" and first[4] == "29/01/2024 07:02"  # day-first, to the minute
    assert ",?," in audit_export.read_text()  # missing values as "?"


def test_round_trip_recovers_the_arrival_rate(calibrated):
    lo, hi = calibrated.arrivals.per_day_ci
    assert lo <= 30 <= hi
    assert calibrated.arrivals.tickets == len(calibrated.used)


def test_round_trip_recovers_the_arrival_profile(calibrated):
    a = calibrated.arrivals
    # The true profile's share of each hour of the day, and of each day, over the period's
    # 26 whole weeks (every hour of the week occurs equally often).
    week = np.outer(DAY_OF_WEEK, HOUR_OF_DAY)
    for observed, share in ((a.hour_counts, week.sum(axis=0)), (a.day_counts, week.sum(axis=1))):
        expected = observed.sum() * share / share.sum()
        assert stats.chisquare(observed, expected).pvalue > 0.001
    # The written weights are the true ones, scaled to mean 1, to within sampling noise.
    true_hours = np.array(HOUR_OF_DAY) / np.mean(HOUR_OF_DAY)
    se = true_hours / np.sqrt(a.hour_counts)
    assert np.all(np.abs(np.array(a.hour_of_day) - true_hours) < 4 * se)


def test_round_trip_recovers_the_effort_mean_from_work_in_progress(calibrated):
    effort = calibrated.effort
    assert effort.method == "work"
    lo, hi = effort.first_line.mean_ci
    assert lo <= 0.5 <= hi
    assert effort.first_line.chosen == "lognormal"
    lo, hi = effort.extra.mean_ci
    assert lo <= 1.0 <= hi
    assert effort.extra.chosen == "gamma"


def test_round_trip_recovers_escalation_priorities_and_sla_targets(calibrated):
    lo, hi = calibrated.escalation.interval
    assert lo <= 0.3 <= hi
    mix = calibrated.priorities
    for k, share in ((1, 0.1), (2, 0.3), (3, 0.6)):
        lo, hi = mix.interval(k)
        assert lo <= share <= hi
    # Tickets open over a public holiday would count its hours as working hours: found in the
    # data (no work at all on those weekdays), they are not, and every class's target comes back.
    assert calibrated.holidays == [d - 28 for d in known_run().world.calendar.holidays if 28 <= d < 210]
    assert set(calibrated.sla) == {1, 2, 3}
    for k, target in ((1, 4.0), (2, 8.0), (3, 24.0)):
        lo, hi = calibrated.sla[k].between
        assert lo <= target <= hi


def test_calibrated_scenario_loads_and_carries_the_fits(written):
    sc = itsim.load_scenario(written["scenario"])
    inc = sc.incidents
    assert inc.handled_by == ["desk", "engineer"] and inc.escalation.to == "engineer"
    assert inc.rate_per_day == pytest.approx(30, rel=0.05)
    assert inc.effort_hours.mean == pytest.approx(0.5, rel=0.05)
    assert sc.scenario.horizon_days == 182 and sc.scenario.warmup_days % 7 == 0
    assert written["report"].name == "calibration.html" and written["report"].exists()
    assert written["summary"].parent == written["scenario"].parent


def test_classes_that_share_one_effort_get_one_distribution(calibrated, written):
    test = calibrated.effort.classes
    assert test.classes == (1, 2, 3) and test.family == "lognormal" and test.df == 4
    assert not test.separate and calibrated.effort.written_by_priority == {}
    for k in (1, 2, 3):
        lo, hi = calibrated.effort.by_priority[k].mean_ci
        assert lo <= 0.5 <= hi
    text = written["scenario"].read_text()
    assert itsim.load_scenario(written["scenario"]).incidents.effort_hours_by_priority is None
    assert f"LR = {test.statistic:,.1f} on 4 degrees of freedom" in " ".join(
        line.lstrip("# ") for line in text.splitlines())


@pytest.fixture(scope="module")
def by_priority(tmp_path_factory):
    folder = tmp_path_factory.mktemp("by_priority")
    export = export_tickets(by_priority_run(), folder / "audit.csv", format="servicenow_audit")
    cal = calibrate([export], staff={"desk": 4, "engineer": 3}, **PERIOD)
    return cal, cal.write(folder / "dept.toml")


def test_round_trip_recovers_the_effort_of_each_priority(by_priority):
    cal, written = by_priority
    effort = cal.effort
    assert effort.classes.separate and effort.classes.p_value < 1e-6
    truth = {1: BY_PRIORITY["P1"]["mean"], 2: BY_PRIORITY["P2"]["mean"], 3: 0.5}
    for k, mean in truth.items():
        lo, hi = effort.by_priority[k].mean_ci
        assert lo <= mean <= hi, (k, lo, hi)
    # The overall fit stays effort_hours: the mix of the classes, 0.1 x 2 + 0.3 x 1 + 0.6 x 0.5.
    lo, hi = effort.first_line.mean_ci
    assert lo <= 0.8 <= hi
    inc = itsim.load_scenario(written["scenario"]).incidents
    assert set(inc.effort_hours_by_priority) == {"P1", "P2", "P3"}
    for k, mean in truth.items():
        assert inc.effort_hours_by_priority[f"P{k}"].mean == pytest.approx(mean, rel=0.1)
    assert inc.effort_hours.mean == pytest.approx(0.8, rel=0.1)
    text = written["scenario"].read_text()
    assert "[incidents.effort_hours_by_priority]" in text and "likelihood-ratio test" in text
    summary = json.loads(written["summary"].read_text())["effort"]
    assert summary["by_priority_written"] == ["P1", "P2", "P3"] and summary["classes_test"]["separate"]


def test_resolution_time_less_the_erlang_c_queue_recovers_mm_c_effort(tmp_path):
    # In M/M/c, mean resolution time is the Erlang C wait plus the mean effort, exactly.
    path = export_tickets(mmc_run(), tmp_path / "incidents.csv", format="servicenow")
    cal = calibrate([path], staff={"desk": 4}, calendar="24x7", start="2024-01-15", end="2024-06-02")
    assert cal.effort.method == "resolution"
    assert cal.effort.queue.utilization == pytest.approx(0.75, abs=0.04)
    assert cal.effort.first_line.mean == pytest.approx(1.2, rel=0.08)
    lo, hi = cal.arrivals.per_day_ci
    assert lo <= 60 <= hi


def test_backtest_of_the_calibrated_scenario_fits_and_a_wrong_one_does_not(written, audit_export):
    good = backtest(itsim.load_scenario(written["scenario"]), [audit_export], replications=19, **PERIOD)
    assert not any("disagree" in f or "more than chance" in f for f in good.findings), good.findings
    assert good.weekly["days"].eq(7).sum() == 26
    slow = itsim.loads_scenario(KNOWN).with_changes(
        {"incidents.effort_hours": {"dist": "lognormal", "mean": 1.5, "cv": 1.0}})
    bad = backtest(slow, [audit_export], replications=19, **PERIOD)
    text = " ".join(bad.findings)
    assert "the model and the data disagree" in text and "were resolved faster in reality" in text
    assert "the model holds more tickets open than the data" in text


def test_command_line_calibrates_and_backtests_in_one_go(tmp_path):
    export = export_tickets(small_run(), tmp_path / "jira.csv", format="jira")
    r = subprocess.run([sys.executable, "-m", "itsim.cli", "calibrate", str(export), "--staff", "desk=3",
                        "--staff", "engineer=2", "--out", str(tmp_path / "out" / "dept.toml"), "--backtest",
                        "--replications", "5"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Calibrated from" in r.stdout and "Back-test of" in r.stdout and "Tickets per week:" in r.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "backtest.html", "backtest.json", "calibration.html", "calibration.json", "dept.toml"]
    assert "back-testing: 5/5" in r.stderr  # plain progress lines when not on a terminal
