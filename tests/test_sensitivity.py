"""Sensitivity: which assumption moves the chance of being too busy, time to value and cost."""

import json
import subprocess
import sys

import pytest

import itsim

pytest.importorskip("SALib")

from itsim.sensitivity import GUESSED_KEYS, analyse, factors, pin_down_first
from tests.test_scenario import MINIMAL

BASE = MINIMAL.replace("horizon_days = 40", "horizon_days = 12").replace(
    "count = 5", "count = 5\ncost_per_hour = 30")

# The arrival rate decides whether five people cope; the cost of a deflected incident
# cannot matter (nothing is deflected); the effort's belief is narrow.
BELIEFS = (BASE
           .replace("rate_per_hour = 4.5", 'rate_per_hour = { uncertain = "uniform", low = 3.0, high = 5.5 }')
           .replace('effort_hours = { dist = "exponential", mean = 1.0 }',
                    'effort_hours = { dist = "exponential", mean = { uncertain = "triangular", '
                    'low = 0.97, mode = 1.0, high = 1.03 } }')
           + '\n[costs]\nper_deflected_incident = { uncertain = "uniform", low = 1, high = 9 }\n')


@pytest.fixture(scope="module")
def morris():
    return analyse(itsim.loads_scenario(BELIEFS), "morris", samples=4, replications=1)


def test_the_belief_that_decides_whether_the_team_copes_ranks_first(morris):
    assert morris["ranking"][0] == "incidents.rate_per_hour"
    assert morris["ranking"][-1] == "costs.per_deflected_incident"
    assert morris["indices"]["too_busy"]["incidents.rate_per_hour"]["index"] == 1.0
    assert morris["indices"]["too_busy"]["costs.per_deflected_incident"]["index"] == 0.0
    low, high = morris["tornado"]["incidents.rate_per_hour"]["too_busy"]
    assert low == 0.0 and high == 1.0


def test_every_design_point_is_run_with_the_same_random_numbers(morris):
    k = 3
    assert morris["runs"] == (1 + 2 * k) + 4 * (k + 1)
    assert [f["source"] for f in morris["factors"]] == ["belief"] * k


def test_the_words_name_the_assumption_to_pin_down_first(morris):
    lines = pin_down_first(morris)
    assert lines[0].startswith("Pin down first: incidents per hour")
    assert "moves the chance of being too busy from 0% to 100%" in lines[1]


def test_without_beliefs_the_usually_guessed_numbers_vary_by_a_fifth():
    sc = itsim.loads_scenario(BASE.replace("[incidents]", "[incidents]\ndeflection = 0.0"))
    found, notes = factors(sc, spread=0.2)
    keys = [f.key for f in found]
    assert keys == [k for k in GUESSED_KEYS if k in keys]
    assert "incidents.rate_per_hour" in keys and "incidents.effort_hours.mean" in keys
    assert "incidents.deflection" not in keys  # zero: nothing to vary around
    rate = next(f for f in found if f.key == "incidents.rate_per_hour")
    assert (rate.low, rate.central, rate.high) == pytest.approx((3.6, 4.5, 5.4))
    assert notes == []


def test_sobol_total_indices_put_the_arrival_rate_first():
    result = analyse(itsim.loads_scenario(BELIEFS), "sobol", samples=8, replications=1)
    assert result["runs"] == 7 + 8 * (3 + 2)
    assert result["ranking"][0] == "incidents.rate_per_hour"


def test_the_sensitivity_command_writes_json_and_a_tornado_report(tmp_path):
    f = tmp_path / "b.toml"
    f.write_text(BELIEFS)
    r = subprocess.run([sys.executable, "-m", "itsim.cli", "sensitivity", str(f), "--samples", "2",
                        "--replications", "1", "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Pin down first: incidents per hour" in r.stdout
    result = json.loads((tmp_path / "out" / "sensitivity.json").read_text())
    assert result["method"] == "morris"
    assert (tmp_path / "out" / "charts" / "tornado.svg").exists()
    assert "which assumptions matter most" in (tmp_path / "out" / "sensitivity.html").read_text()


def test_a_bad_method_is_exit_2(tmp_path):
    f = tmp_path / "b.toml"
    f.write_text(BASE)
    r = subprocess.run([sys.executable, "-m", "itsim.cli", "sensitivity", str(f), "--method", "fast"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "--method: must be morris or sobol (got 'fast')" in r.stderr
