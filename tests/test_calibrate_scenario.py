"""The calibrated scenario file: comments that cite the data, a base scenario kept, trends as
phases, impatience from cancelled tickets, and nothing personal from the export."""

import json
import tomllib

import numpy as np
import pandas as pd
import pytest

import itsim
from itsim.calibrate import calibrate
from itsim.calibrate.scenario_toml import scenario_text
from itsim.calibrate.trend import PHASE_PREFIX
from tests.calibrate_fixtures import write

BASE = """# Our department, as planned last year.

[scenario]
name = "Our department"
horizon_days = 364
warmup_days = 28
calendar = "business"
seed = 42

[[team]]
role = "desk"
count = 4            # four on the phones
skills = ["incident", "recurring"]

[[team]]
role = "engineer"
count = 8
cost_per_hour = 75   # fully loaded

[incidents]
# From the vendor's survey of similar firms.
rate_per_hour = 4.5
# A guess: half an hour each.
effort_hours = { dist = "exponential", mean = 0.5 }
handled_by = ["desk", "engineer"]
deflection = 0.1     # self-service portal, 10% (vendor figure)

[[recurring]]
name = "Patch servers"   # monthly, as policy says
every = "monthly"
effort_hours = { dist = "gamma", mean = 16, cv = 0.3 }
due_within_days = 14
handled_by = ["engineer"]
risk = "security"

[policy]
name = "wip_limit"   # agreed with the CFO
wip_limit = 3
"""


def export(path, n_days=56, per_day=20.0, growth=0.0, seed=1, cancelled=0.0, names=False, season=None):
    """A ServiceNow-like table: Poisson arrivals (rate growing by ``growth`` a month, times
    ``season[month - 1]``) in working hours, lognormal resolution times, a share ``cancelled``;
    with ``names``, personal columns."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=n_days, freq="D")
    rows = []
    for day in days:
        if day.weekday() >= 5:
            continue
        rate = per_day * (1 + growth) ** ((day - days[0]).days / 30.4) * (season[day.month - 1] if season else 1)
        for hour in np.sort(rng.uniform(9, 17, rng.poisson(rate))):
            opened = day + pd.Timedelta(hours=hour)
            gone = opened + pd.Timedelta(hours=rng.lognormal(0, 1))
            cancel = rng.random() < cancelled
            rows.append({
                "number": f"INC{len(rows):07d}", "opened_at": opened,
                "resolved_at": None if cancel else gone, "closed_at": gone,
                "priority": rng.choice(["2 - High", "3 - Moderate"]), "state": "Canceled" if cancel else "Closed",
                **({"caller_id": f"Alice Zebrowska{len(rows)}", "assigned_to": "Bob Quixotic",
                    "assignment_group": "Team Hushabye", "short_description": "Carolyn's laptop smells of ozone"}
                   if names else {}),
            })
    frame = pd.DataFrame(rows)
    for col in ("opened_at", "resolved_at", "closed_at"):
        frame[col] = pd.to_datetime(frame[col]).dt.strftime("%Y-%m-%d %H:%M:%S")
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def tickets(tmp_path_factory):
    return export(tmp_path_factory.mktemp("tickets") / "incidents.csv", names=True, cancelled=0.05)


def test_base_scenario_keeps_its_sections_keys_and_comments(tmp_path, tickets):
    base = write(tmp_path / "dept.toml", BASE)
    cal = calibrate([tickets], staff={"desk": 5}, base=base)
    cal.write(base)  # in place: --base and --out the same file
    text = base.read_text()
    data = tomllib.loads(text)
    # Kept as written, comments included.
    for line in ("# Our department, as planned last year.", 'name = "wip_limit"   # agreed with the CFO',
                 'name = "Patch servers"   # monthly, as policy says', "deflection = 0.1     # self-service portal",
                 "cost_per_hour = 75   # fully loaded", 'skills = ["incident", "recurring"]'):
        assert line in text
    assert data["recurring"][0]["every"] == "monthly" and data["scenario"]["horizon_days"] == 364
    # Replaced, with the old comments that described the old values.
    assert "rate_per_hour" not in data["incidents"] and "vendor's survey" not in text and "A guess" not in text
    assert data["team"][0]["count"] == 5 and "count = 5 # given with --staff" in text
    assert data["team"][1]["count"] == 8
    assert data["incidents"]["handled_by"] == ["desk"]
    inc = itsim.load_scenario(base).incidents
    assert inc.rate_per_day == pytest.approx(cal.arrivals.per_day, rel=1e-3)
    # Calibrating again from the result leaves one header and the same keys.
    calibrate([tickets], base=base).write(base)
    again = base.read_text()
    assert again.count("Calibrated with `itsim calibrate`") == 1
    assert tomllib.loads(again)["incidents"].keys() == data["incidents"].keys()


def test_every_fitted_number_cites_its_data(tmp_path, tickets):
    cal = calibrate([tickets], staff={"desk": 3})
    paths = cal.write(tmp_path / "s.toml")
    text = paths["scenario"].read_text()
    lines = text.splitlines()
    for key in ("rate_per_day", "priorities", "effort_hours", "patience_hours"):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
        comment = " ".join(line for line in lines[max(0, at - 8):at] if line.startswith("#"))
        assert "tickets" in comment and "incidents.csv" in comment, key
    assert "opened 2024-01-01 to 2024-02-23" in text  # the first and the last day a ticket was opened
    assert "AIC" in text and "KS distance" in text


def test_no_names_or_free_text_from_the_export_reach_any_output(tmp_path, tickets):
    cal = calibrate([tickets], staff={"desk": 3})
    paths = cal.write(tmp_path / "s.toml")
    for path in paths.values():
        text = path.read_text()
        found = [s for s in ("Zebrowska", "Quixotic", "Hushabye", "Carolyn", "ozone", "INC000") if s in text]
        assert found == [], path.name
    columns = json.loads(paths["summary"].read_text())["files"][0]["columns"]
    assert set(columns.values()) <= {"number", "opened_at", "resolved_at", "closed_at", "priority", "state"}


def test_cancelled_tickets_give_patience(tmp_path, tickets):
    cal = calibrate([tickets], staff={"desk": 3})
    p = cal.patience
    assert p is not None and p.abandoned == int(cal.used["cancelled"].sum())
    assert 0.02 < p.share < 0.09
    sc = itsim.loads_scenario(scenario_text(cal))
    assert sc.incidents.patience_hours.mean == pytest.approx(p.mean, rel=1e-3)


def test_growth_becomes_monthly_phases(tmp_path):
    path = export(tmp_path / "growing.csv", n_days=244, per_day=20, growth=0.06, seed=2)
    cal = calibrate([path], staff={"desk": 4})
    t = cal.trend
    assert t.significant and t.growth_ci[0] < 0.06 < t.growth_ci[1]
    assert [p["name"] for p in t.phases][:2] == [f"{PHASE_PREFIX}2024-01", f"{PHASE_PREFIX}2024-02"]
    assert len(t.phases) == 8
    scales = [p["incident_rate_scale"] for p in t.phases]
    assert scales == sorted(scales) and scales[0] < 1 < scales[-1]
    sc = itsim.load_scenario(cal.write(tmp_path / "s.toml")["scenario"])
    assert [p.incident_rate_scale for p in sc.phase] == scales
    assert sc.phase[0].start_day == 0 and sc.phase[1].start_day == 31


def test_a_steady_rate_has_no_phases(tmp_path, tickets):
    cal = calibrate([tickets], staff={"desk": 3})
    assert cal.trend.growth_per_month is None  # under three whole months
    path = export(tmp_path / "steady.csv", n_days=122, per_day=20, seed=3)
    cal = calibrate([path], staff={"desk": 3})
    assert not cal.trend.significant and cal.trend.phases == []
    assert "phase" not in tomllib.loads(cal.write(tmp_path / "s.toml")["scenario"].read_text())


def test_a_base_with_a_shorter_horizon_keeps_the_phases_inside_it_and_takes_the_calendar(tmp_path):
    path = export(tmp_path / "growing.csv", n_days=244, per_day=20, growth=0.06, seed=2)
    base = write(tmp_path / "dept.toml", BASE.replace("horizon_days = 364", "horizon_days = 91"))
    cal = calibrate([path], base=base, calendar="24x7")
    text = scenario_text(cal)
    sc = itsim.loads_scenario(text)
    assert sc.scenario.calendar == "24x7" and "set by --calendar" in text
    assert [p.start_day for p in sc.phase] == [0, 31, 60]  # April starts on day 91, the horizon
    assert "The 5 months that start after the scenario's horizon (91 days) are left out." in text


def test_without_priorities_the_sla_target_is_for_the_one_class(tmp_path):
    rng = np.random.default_rng(4)
    opened = pd.Timestamp("2024-03-04 09:00") + pd.to_timedelta(np.sort(rng.uniform(0, 28 * 24, 400)), unit="h")
    taken = rng.exponential(6, 400)
    pd.DataFrame({"id": range(400), "opened": opened, "resolved": opened + pd.to_timedelta(taken, unit="h"),
                  "made_sla": np.where(taken <= 8, "yes", "no")}).to_csv(tmp_path / "t.csv", index=False)
    cal = calibrate([tmp_path / "t.csv"], staff={"desk": 2}, calendar="24x7")
    sc = itsim.loads_scenario(scenario_text(cal))
    assert sc.incidents.priorities is None
    assert sc.incidents.sla_hours == {"P1": pytest.approx(8, rel=0.15)}


def test_two_years_of_seasons_become_seasonal_factors(tmp_path):
    season = [1.3, 1.2, 1.0, 1.0, 0.9, 0.8, 0.6, 0.6, 1.0, 1.1, 1.2, 1.3]
    path = export(tmp_path / "seasons.csv", n_days=914, per_day=12, season=season, seed=5)  # Jan 2024 - Jun 2026
    cal = calibrate([path], staff={"desk": 3})
    t = cal.trend
    assert t.season_p < 0.01 and t.seasonal is not None
    factors = np.array(t.seasonal)
    truth = np.array(season) / np.mean(season)
    assert np.abs(factors - truth).max() < 0.12
    assert not t.significant or abs(t.growth_per_month) < 0.01  # no growth was put in
    july = next(p for p in t.phases if p["name"].endswith("2024-07"))
    december = next(p for p in t.phases if p["name"].endswith("2024-12"))
    assert july["incident_rate_scale"] < 0.8 < 1.2 < december["incident_rate_scale"]


def test_effort_leaves_out_the_time_the_team_spends_in_meetings(tmp_path, tickets):
    # The model spends effort at 1 - overhead_share of the working pace, so the hours a ticket
    # took hold effort / (1 - overhead_share): calibration divides that back out.
    means = {}
    for share in (0.0, 0.3):
        text = BASE.replace('count = 8\n', f'count = 8\noverhead_share = {share}\n').replace(
            'count = 4            # four on the phones\n', f'count = 4\noverhead_share = {share}\n')
        cal = calibrate([tickets], base=write(tmp_path / f"base{share}.toml", text))
        assert cal.effort.time_on_work == pytest.approx((1 - share, 1 - share))
        means[share] = cal.effort.first_line.mean
    assert means[0.3] == pytest.approx(0.7 * means[0.0], rel=0.01)
    default = calibrate([tickets], base=write(tmp_path / "default.toml", BASE))
    assert default.effort.time_on_work == pytest.approx((0.8, 0.8))  # the business calendar's 20%
    assert "1 - overhead_share: 80%" in default.effort.how
