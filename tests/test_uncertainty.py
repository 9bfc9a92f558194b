"""Uncertain inputs: beliefs in scenario files, their sampling, and runs that tell input
uncertainty apart from simulation noise."""

import json
import subprocess
import sys

import numpy as np
import pytest

import itsim
from itsim.scenario import ScenarioError, loads_scenario
from itsim.uncertainty.nested import clustered_probability, decompose
from itsim.uncertainty.sampling import latin_hypercube, sobol_points, values_at
from tests.test_scenario import MINIMAL

SMALL = MINIMAL.replace("horizon_days = 40", "horizon_days = 15")


def with_beliefs(rate: str = "4.5", count: str = "5") -> str:
    return SMALL.replace("rate_per_hour = 4.5", f"rate_per_hour = {rate}").replace("count = 5", f"count = {count}")


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, source="f.toml")
    return info.value.problems


def test_a_belief_loads_as_its_central_value_and_is_kept():
    sc = loads_scenario(with_beliefs(rate='{ uncertain = "triangular", low = 3, mode = 4.5, high = 6 }',
                                     count='{ uncertain = "uniform", low = 4, high = 7 }'))
    assert sc.incidents.rate_per_hour == pytest.approx(4.5)
    assert sc.team[0].count == 6  # 5.5 rounded half up: a head count stays whole
    assert set(sc.uncertain) == {"incidents.rate_per_hour", "team.desk.count"}
    assert sc.uncertain["team.desk.count"].low == 4


def test_beliefs_survive_a_round_trip_through_toml():
    sc = loads_scenario(with_beliefs(rate='{ uncertain = "normal", mean = 4.5, sd = 0.3, low = 3.5 }'))
    text = sc.dumps()
    assert 'rate_per_hour = { uncertain = "normal"' in text
    assert loads_scenario(text) == sc


def test_a_value_set_by_hand_is_certain_again():
    sc = loads_scenario(with_beliefs(rate='{ uncertain = "uniform", low = 4, high = 5 }'))
    changed = sc.with_changes({"incidents.rate_per_hour": 3.0})
    assert changed.uncertain == {}
    assert changed.incidents.rate_per_hour == 3.0
    whole_section = sc.with_changes({"incidents": sc.to_dict()["incidents"] | {"rate_per_hour": 4.2}})
    assert whole_section.uncertain == {}


def test_a_bad_belief_names_its_key():
    lines = problems(with_beliefs(rate='{ uncertain = "gaussian", mean = 4 }'))
    assert lines == ["f.toml: incidents.rate_per_hour: unknown belief 'gaussian' "
                     "(uncertain = one of uniform, triangular, normal, lognormal)"]
    lines = problems(with_beliefs(rate='{ uncertain = "uniform", low = 5, high = 4 }'))
    assert lines == ["f.toml: incidents.rate_per_hour: needs low <= high, got low=5, high=4"]


def test_a_belief_that_reaches_an_invalid_value_names_its_key_and_end():
    lines = problems(with_beliefs(count='{ uncertain = "uniform", low = -2, high = 6 }'))
    assert len(lines) == 1
    assert lines[0].startswith("f.toml: team.desk.count: at the low end of its belief (-2): team[0].count:")


def test_integer_keys_take_each_whole_number_equally_often():
    sc = loads_scenario(with_beliefs(count='{ uncertain = "uniform", low = 4, high = 7 }'))
    values = [row["team.desk.count"] for row in values_at(sc, latin_hypercube(1, 400, seed=3))]
    assert all(isinstance(v, int) for v in values)
    assert {v: values.count(v) for v in set(values)} == {4: 100, 5: 100, 6: 100, 7: 100}


def test_latin_hypercube_uses_each_stratum_once_and_depends_on_the_seed_only():
    u = latin_hypercube(3, 20, seed=11)
    for column in u.T:
        assert sorted((column * 20).astype(int)) == list(range(20))
    assert np.array_equal(u, latin_hypercube(3, 20, seed=11))
    assert not np.array_equal(u, latin_hypercube(3, 20, seed=12))


def test_sobol_prefixes_of_power_of_two_length_are_balanced():
    u = sobol_points(2, 40, seed=5)
    for n in (4, 8, 16, 32):
        for column in u[:n].T:
            assert sorted((column * n).astype(int)) == list(range(n))


def test_zero_width_beliefs_give_the_results_of_the_plain_numbers():
    plain = itsim.replicate(loads_scenario(SMALL), replications=6)
    sc = loads_scenario(with_beliefs(rate='{ uncertain = "uniform", low = 4.5, high = 4.5 }',
                                     count='{ uncertain = "triangular", low = 5, mode = 5, high = 5 }'))
    uncertain = itsim.replicate(sc, replications=2, samples=3)
    assert uncertain.runs.equals(plain.runs)
    for metric, entry in plain.summary["metrics"].items():
        assert uncertain.summary["metrics"][metric]["mean"] == entry["mean"]
    assert uncertain.summary["too_busy"]["share_of_replications"] == plain.summary["too_busy"]["share_of_replications"]
    assert uncertain.summary["uncertainty"]["metrics"]["incident_wait_hours"]["sd_input"] == pytest.approx(0, abs=0.05)


def test_a_wide_belief_shows_up_as_input_uncertainty():
    sc = loads_scenario(with_beliefs(rate='{ uncertain = "uniform", low = 2, high = 4.6 }'))
    result = itsim.replicate(sc, replications=3, samples=6)
    block = result.summary["uncertainty"]
    assert block["samples"] == 6 and block["replications_per_sample"] == 3
    assert len(block["inputs"]["incidents.rate_per_hour"]["values"]) == 6
    assert block["metrics"]["utilization"]["input_share"] > 0.8
    assert result.summary["too_busy"]["ci95"] == block["too_busy"]["ci95"]


def test_decompose_recovers_known_input_and_noise_spreads():
    rng = np.random.default_rng(1)
    inputs = rng.normal(0, 3.0, size=(400, 1))
    values = inputs + rng.normal(0, 1.0, size=(400, 8))
    parts = decompose(values)
    assert parts["sd_input"] == pytest.approx(3.0, rel=0.1)
    assert parts["sd_noise"] == pytest.approx(1.0, rel=0.05)
    assert parts["input_share"] == pytest.approx(0.9, abs=0.03)
    noise_only = decompose(rng.normal(0, 1.0, size=(400, 8)))
    assert noise_only["input_share"] < 0.05


def test_clustered_probability_counts_alike_runs_as_fewer():
    independent = clustered_probability(np.array([[1, 0, 0, 1]] * 10))
    clustered = clustered_probability(np.array([[1, 1, 1, 1]] * 5 + [[0, 0, 0, 0]] * 5))
    assert independent["probability"] == clustered["probability"] == 0.5
    assert clustered["effective_replications"] < independent["effective_replications"]
    assert clustered["ci95"][1] - clustered["ci95"][0] > independent["ci95"][1] - independent["ci95"][0]


def test_run_command_samples_beliefs_and_reports_both_sources(tmp_path):
    f = tmp_path / "u.toml"
    f.write_text(with_beliefs(rate='{ uncertain = "uniform", low = 3, high = 4.5 }'))
    r = subprocess.run([sys.executable, "-m", "itsim.cli", "run", str(f), "--replications", "2",
                        "--samples", "3", "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "3 Latin-hypercube samples x 2 replications" in r.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["replications"] == 6
    assert "incidents.rate_per_hour" in summary["uncertainty"]["inputs"]


def test_the_guides_belief_example_loads():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "uncertainty.md").read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    sc = loads_scenario(example, source="docs/uncertainty.md")
    assert set(sc.uncertain) == {"team.desk.count", "incidents.rate_per_hour", "incidents.effort_hours.mean"}
