"""Work estimated before it starts: absurd demand, staff, chunking, replications or grids
are refused with exit 2 and the numbers, before any simulation; ``--force`` runs them."""

import pytest

import itsim
from itsim import workload
from itsim.experiment import check_work
from itsim.sweep import parse_vary, plan
from itsim.workload import Limits, TooMuchWork, Workload, estimate
from tests.robustness.probes import PROBE, PROJECTS, probe


def refusal(text: str, replications: int = 1) -> list[str]:
    with pytest.raises(TooMuchWork) as info:
        check_work(itsim.loads_scenario(text), replications)
    return info.value.problems


def test_the_probe_scenario_is_estimated_close_to_what_arrives():
    sc = itsim.loads_scenario(PROBE)
    expected = estimate(sc).items["incidents"]
    assert expected == 30 * 24
    arrived = itsim.simulate(sc, seed=1).metrics["incidents_arrived"]
    assert 0.8 * expected < arrived < 1.2 * expected


@pytest.mark.parametrize("text, what", [
    (probe(("rate_per_hour = 1", "rate_per_day = 1e7")), "300 million work items in one replication (incidents"),
    (probe(prepend="demand_scale = 1e6\n"), "720 million work items in one replication (incidents"),
    (probe(append="[[phase]]\nstart_day = 0\nend_day = 30\ndemand_scale = 1e6\n"),
     "720 million work items in one replication (incidents"),
    (probe(append="[[phase]]\nstart_day = 0\nend_day = 30\nincident_rate_scale = 1e6\n"),
     "720 million work items in one replication (incidents"),
    (probe(append=PROJECTS + "chunk_hours = 1e-9\n"), "work items in one replication (project chunks"),
    (probe(("horizon_days = 30", "horizon_days = 18000"), ("count = 3", "count = 10000")),
     "180 million person-days in one replication"),
])
def test_absurd_work_in_one_replication_is_refused_with_the_numbers(text, what):
    found = refusal(text)
    assert len(found) == 1 and what in found[0] and "the limit is" in found[0] and "--force" in found[0], found


def test_many_replications_of_a_fine_scenario_are_refused_in_total():
    text = probe(("rate_per_hour = 1", "rate_per_hour = 1000"), ("count = 3", "count = 1200"))
    check_work(itsim.loads_scenario(text), replications=1)
    found = refusal(text, replications=1000)
    assert "work items in all (1000 replications); the limit is 200 million" in found[0]


def test_staff_a_policy_adds_count():
    text = probe(("horizon_days = 30", "horizon_days = 18000"),
                 append='[policy]\nname = "add_staff"\ncount = 9000\n')
    assert "person-days in one replication" in refusal(text)[0]


def test_overflowing_phases_are_refused_even_when_forced():
    phases = "".join("[[phase]]\nstart_day = 0\nend_day = 30\ndemand_scale = 1e12\n" for _ in range(30))
    with pytest.raises(TooMuchWork, match="cannot be run"):
        check_work(itsim.loads_scenario(probe(append=phases)), force=True)


def test_force_lifts_the_limits():
    check_work(itsim.loads_scenario(probe(prepend="demand_scale = 1e6\n")), force=True)
    workload.check([Workload({"incidents": 1e12})], 10, force=True)


def test_simulate_and_replicate_refuse_too_much_work_unless_forced(monkeypatch):
    sc = itsim.loads_scenario(PROBE)
    monkeypatch.setattr(workload, "LIMITS", Limits(items_per_replication=100))
    with pytest.raises(TooMuchWork):
        itsim.simulate(sc)
    with pytest.raises(TooMuchWork):
        itsim.replicate(sc, replications=2)
    assert itsim.simulate(sc, force=True).metrics["incidents_arrived"] > 100


def test_validate_refuses_too_much_work_per_replication(probe_file, itsim_cli):
    probe_file.write_text(probe(prepend="demand_scale = 1e6\n"))
    code, _, err = itsim_cli("validate", probe_file)
    assert code == 2 and err.startswith(f"{probe_file}: work: about 720 million work items in one replication")


def test_run_refuses_before_any_work_and_force_runs_it(probe_file, itsim_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(workload, "LIMITS", Limits(items_in_total=1000))
    out = tmp_path / "out"
    code, _, err = itsim_cli("run", probe_file, "--replications", 2, "--out", out)
    assert code == 2 and "work items in all (2 replications); the limit is 1,000" in err
    assert not out.exists()
    code, _, err = itsim_cli("run", probe_file, "--replications", 2, "--out", out, "--force")
    assert code == 0, err
    assert (out / "summary.json").exists()


def test_sweep_refuses_before_any_work_and_force_runs_it(probe_file, itsim_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(workload, "LIMITS", Limits(items_in_total=2000))
    out = tmp_path / "out"
    args = ("sweep", probe_file, "--vary", "demand_scale=1,1.1", "--replications", 2, "--out", out)
    code, _, err = itsim_cli(*args)
    assert code == 2 and "work items in all (2 cells x 2 replications); the limit is 2,000" in err
    assert not out.exists()
    code, _, err = itsim_cli(*args, "--force")
    assert code == 0, err


def test_workers_beyond_four_per_cpu_are_refused(probe_file, itsim_cli, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    code, _, err = itsim_cli("run", probe_file, "--workers", 9)
    assert code == 2 and err.strip() == "--workers: at most 8 on this machine (4 per CPU; got 9); --force allows more"


# -- --vary and the grid ---------------------------------------------------------------------------


@pytest.mark.parametrize("spec, message", [
    ("demand_scale=1:2:1000000", r"at most 10,000 STEPS \(got 1,000,000\)"),
    ("demand_scale=1:2:99999999999999999999", "at most 10,000 STEPS"),
    ("demand_scale=inf,1", "'inf': values must be finite numbers"),
    ("demand_scale=1,nan", "'nan': values must be finite numbers"),
    ("demand_scale=1e999,1", "'1e999': values must be finite numbers"),
    ("demand_scale=1:inf:3", "START and STOP must be finite numbers"),
    ("demand_scale=" + ",".join(str(i) for i in range(10_001)), "at most 10,000 values"),
])
def test_vary_specs_are_bounded(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_vary(spec)


@pytest.mark.parametrize("vary, message", [
    (["demand_scale=1:2:200", "team.desk.count=1:100:100"],
     "--vary: the grid has 20,000 cells; the limit is 10,000 (--force, or force=True in Python, runs it anyway)"),
    (["scenario.calendar=24x7,business"],
     "--vary: at least one key must take numbers (the sweep's x axis); scenario.calendar takes text"),
    (["policy.wip_limit=1,2"],
     "--vary policy.wip_limit: not a parameter of firefight_first (taken by wip_limit; add it with --policy)"),
])
def test_a_grid_that_cannot_work_is_refused_before_any_cell(itsim_cli, probe_file, tmp_path, vary, message):
    """Too many cells, no numeric key for the x axis, or a policy parameter nobody takes."""
    out = tmp_path / "out"
    code, _, err = itsim_cli("sweep", probe_file, *(a for v in vary for a in ("--vary", v)), "--out", out)
    assert code == 2 and err.strip() == message
    assert not out.exists()


def test_a_varied_policy_parameter_some_policy_of_the_sweep_takes_is_fine():
    cells = plan(itsim.loads_scenario(PROBE), {"policy.wip_limit": [1, 2]}, ["firefight_first", "wip_limit"])
    assert len(cells) == 4
    assert {c.scenario.policy.params.get("wip_limit") for c in cells if c.policy == "wip_limit"} == {1, 2}
