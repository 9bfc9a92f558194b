"""Bounds before work: numbers that are not finite, not numbers, or absurdly large are
refused by validation, with the field named; reads of scenario files are bounded."""

import os
import sys

import pytest

import itsim
from itsim.bounds import MAX_NESTING, MAX_SCENARIO_BYTES
from tests.robustness.probes import PROBE, PROJECTS, probe, problems

EXP = '{ dist = "exponential", mean = 1.0 }'


# -- numbers that are not finite ---------------------------------------------------------------


@pytest.mark.parametrize("text, field", [
    (probe(("rate_per_hour = 1", "rate_per_hour = inf")), "incidents.rate_per_hour"),
    (probe(("rate_per_hour = 1", "rate_per_hour = nan")), "incidents.rate_per_hour"),
    (probe(("rate_per_hour = 1", "rate_per_day = -inf")), "incidents.rate_per_day"),
    (probe(prepend="demand_scale = inf\n"), "demand_scale"),
    (probe(append="[[phase]]\nstart_day = 0\nend_day = 10\ndemand_scale = inf\n"), "phase[0].demand_scale"),
    (probe(append="[[phase]]\nstart_day = 0\nend_day = inf\n"), "phase[0].end_day"),
    (probe((EXP, '{ dist = "uniform", low = 0, high = inf }')), "incidents.effort_hours.high"),
    (probe((EXP, '{ dist = "triangular", low = 0, mode = 1, high = inf }')), "incidents.effort_hours.high"),
    (probe((EXP, '{ dist = "lognormal", mean = 1, cv = nan }')), "incidents.effort_hours.cv"),
    (probe((EXP, '{ dist = "empirical", values = [1, inf] }')), "incidents.effort_hours.values[1]"),
    (probe(append="priorities = { P1 = 0.5, P2 = nan }\n"), "incidents.priorities.P2"),
    (probe(append="sla_hours = { P1 = nan }\n"), "incidents.sla_hours.P1"),
    (probe(append="[costs]\ndowntime_per_hour = { P1 = nan }\n"), "costs.downtime_per_hour.P1"),
    (probe(append="[costs]\nper_leaver = inf\n"), "costs.per_leaver"),
    (probe(append="[targets]\nmax_utilization = nan\n"), "targets.max_utilization"),
    (probe(append="[dynamics]\ncontext_switch_hours = inf\n"), "dynamics.context_switch_hours"),
    (probe(append=PROJECTS + "chunk_hours = nan\n"), "projects.chunk_hours"),
    (probe(append="[incidents.arrival_profile]\nday_of_week = [1, 1, 1, 1, 1, 1, inf]\n"),
     "incidents.arrival_profile.day_of_week[6]"),
])
def test_non_finite_numbers_are_refused_with_the_field_named(text, field):
    found = problems(text)
    assert any(p.startswith(f"probe.toml: {field}:") and "finite" in p for p in found), found


@pytest.mark.parametrize("policy, field", [
    ('name = "deflection"\ninvest_hours_per_week = inf', "policy.invest_hours_per_week"),
    ('name = "outsource_tier1"\ncost_per_hour = inf', "policy.cost_per_hour"),
    ('name = "protected_maintenance"\nshare = nan', "policy.share"),
])
def test_non_finite_policy_parameters_are_refused(probe_file, itsim_cli, policy, field):
    probe_file.write_text(PROBE + f"\n[policy]\n{policy}\n")
    code, _, err = itsim_cli("validate", probe_file)
    assert code == 2
    assert f"{probe_file}: {field}: input should be a finite number" in err


# -- numbers that are not numbers ---------------------------------------------------------------


@pytest.mark.parametrize("text, field, shown", [
    (probe(("horizon_days = 30", "horizon_days = true")), "scenario.horizon_days", "true"),
    (probe(("count = 3", "count = true")), "team[0].count", "true"),
    (probe(("rate_per_hour = 1", 'rate_per_hour = "1.5"')), "incidents.rate_per_hour", '"1.5"'),
    (probe(("seed = 3", "seed = false")), "scenario.seed", "false"),
    (probe((EXP, '{ dist = "exponential", mean = "1" }')), "incidents.effort_hours.mean", '"1"'),
    (probe(append="[[phase]]\nstart_day = 0\nend_day = 10\nteam = { desk = { count = true } }\n"),
     "phase[0].team.desk.count", "true"),
])
def test_booleans_and_text_are_not_numbers(text, field, shown):
    found = problems(text)
    assert any(p.startswith(f"probe.toml: {field}:") and p.endswith(f"(got {shown})") for p in found), found


def test_booleans_are_not_policy_parameters(probe_file, itsim_cli):
    probe_file.write_text(PROBE + '\n[policy]\nname = "wip_limit"\nwip_limit = true\n')
    code, _, err = itsim_cli("validate", probe_file)
    assert code == 2 and "policy.wip_limit: input should be a valid integer (got true)" in err


def test_integers_are_fine_where_decimals_are_meant():
    sc = itsim.loads_scenario(probe(("rate_per_hour = 1", "rate_per_day = 24"), prepend="demand_scale = 2\n"))
    assert sc.incidents.rate_per_day == 24.0 and isinstance(sc.incidents.rate_per_day, float)
    assert sc.demand_scale == 2.0


# -- numbers too large to mean anything ----------------------------------------------------------


@pytest.mark.parametrize("text, field", [
    (probe(("rate_per_hour = 1", "rate_per_hour = 1e308")), "incidents.rate_per_hour"),
    (probe((EXP, '{ dist = "triangular", low = 0, mode = 1, high = 1e308 }')), "incidents.effort_hours"),
    (probe((EXP, '{ dist = "uniform", low = 0, high = 1e308 }')), "incidents.effort_hours"),
    (probe(append="[costs]\nper_security_incident = 1e300\n"), "costs.per_security_incident"),
])
def test_decimals_beyond_1e12_are_refused(text, field):
    found = problems(text)
    assert any(p.startswith(f"probe.toml: {field}") and "at most 1e12" in p for p in found), found


@pytest.mark.parametrize("dist", ["gamma", "lognormal"])
@pytest.mark.parametrize("cv", ["1e200", "1e-200", "0"])
def test_cv_where_sampling_breaks_is_refused(dist, cv):
    found = problems(probe((EXP, f'{{ dist = "{dist}", mean = 1, cv = {cv} }}')))
    assert any(p.startswith("probe.toml: incidents.effort_hours.cv:") for p in found), found


def test_a_phase_cannot_bypass_the_head_count_cap():
    found = problems(probe(append="[[phase]]\nstart_day = 0\nend_day = 10\nteam = { desk = { count = 10000000 } }\n"))
    assert any("phase[0]: team.desk.count must be between 0 and 10,000 (got 10000000)" in p for p in found), found


def test_an_empty_policy_list_is_a_clear_problem(probe_file, itsim_cli):
    probe_file.write_text(PROBE + "\n[policy]\nname = []\n")
    code, _, err = itsim_cli("validate", probe_file)
    assert code == 2
    assert err.strip() == f"{probe_file}: policy.name: give a policy name, or a list of policy names to combine"


# -- reading files -----------------------------------------------------------------------------------


@pytest.mark.timeout(60)  # reading /dev/zero would fill memory; the timeout stops a regression
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it(itsim_cli):
    code, _, err = itsim_cli("validate", "/dev/zero")
    assert code == 2 and err.strip() == "/dev/zero: not a regular file (a device)"


@pytest.mark.timeout(60)  # opening a pipe nobody writes to would wait forever
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_waiting_on_it(tmp_path, itsim_cli):
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    code, _, err = itsim_cli("validate", fifo)
    assert code == 2 and err.strip() == f"{fifo}: not a regular file (a pipe)"


def test_a_directory_is_refused(tmp_path, itsim_cli):
    code, _, err = itsim_cli("validate", tmp_path)
    assert code == 2 and err.strip() == f"{tmp_path}: not a regular file (a directory)"


def test_a_file_larger_than_the_cap_is_refused_unread(tmp_path, itsim_cli):
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(MAX_SCENARIO_BYTES + 1)  # sparse: no time or disk spent
    code, _, err = itsim_cli("validate", big)
    assert code == 2
    assert err.strip() == f"{big}: file too large (2.0 MiB; scenario files are limited to 2.0 MiB)"


def test_text_larger_than_the_cap_is_refused():
    assert "too large" in problems("#" * (MAX_SCENARIO_BYTES + 1))[0]


@pytest.mark.parametrize("text", [
    "a = " + "[" * 100_000 + "]" * 100_000,
    "a = " + "{ b = " * 50_000 + "1" + " }" * 50_000,
    "a = [" * 40 + "1" + "]" * 40,
])
def test_deep_nesting_is_refused_before_parsing(text):
    assert problems(text) == [f"probe.toml: line 1: arrays and tables nested more than {MAX_NESTING} deep"]


@pytest.mark.parametrize("key", [
    ".".join(f"k{i}" for i in range(20_000)),
    ".".join(f'"k{i}"' for i in range(40)),
    " . ".join(["a"] * 33),
])
def test_long_dotted_keys_are_refused_before_parsing(key):
    """The TOML parser takes time quadratic in a dotted key's parts: 20,000 took 23 seconds."""
    text = PROBE + f"\n[policy]\n{key} = 1\n"
    line = text.count("\n", 0, text.index(key)) + 1
    assert problems(text) == [f"probe.toml: line {line}: a dotted key of more than {MAX_NESTING} parts"]


def test_brackets_inside_strings_and_comments_do_not_count_as_nesting():
    sc = itsim.loads_scenario(probe(('name = "probe"', 'name = "' + "[" * 100 + '"'), append="# " + "{" * 100))
    assert sc.name == "[" * 100


def test_deep_data_is_refused_by_from_dict_without_recursion_error():
    data: dict = {}
    inner = data
    for _ in range(sys.getrecursionlimit() * 2):
        inner["x"] = {}
        inner = inner["x"]
    with pytest.raises(itsim.ScenarioError, match="nested more than"):
        itsim.Scenario.from_dict(data)


@pytest.mark.parametrize("section, entry, field", [
    ("team", 'role = "r{i}"\ncount = 1\n', "team"),
    ("phase", "start_day = 0\nend_day = 10\n", "phase"),
])
def test_more_roles_or_phases_than_any_department_has_are_refused(section, entry, field):
    """Cross-references and phase changes take time growing with the square of these."""
    text = PROBE + "".join(f"\n[[{section}]]\n" + entry.format(i=i) for i in range(1001))
    found = problems(text)
    assert any(p.startswith(f"probe.toml: {field}: list should have at most 1000 items") for p in found), found


@pytest.mark.parametrize("setting, message", [
    ("policy.x=" + "[" * 50_000 + "]" * 50_000, "--set policy.x: arrays and tables nested more than 32 deep"),
    (".".join(["a"] * 20_000) + "=1", "a dotted key of more than 32 parts"),
])
def test_deep_settings_on_the_command_line_are_refused(probe_file, itsim_cli, tmp_path, setting, message):
    code, _, err = itsim_cli("run", probe_file, "--set", setting, "--out", tmp_path / "out")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
