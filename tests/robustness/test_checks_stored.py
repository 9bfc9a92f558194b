"""Invariant checks are results: stored in summary.json, named on the command line with
exit 1 when one fails, and shown in the report."""

import json
import math

import pytest

import itsim
from itsim import metrics
from itsim.checks import failures
from itsim.report import build
from tests.robustness.probes import PROBE, PROJECTS


def test_summary_holds_every_check_with_its_worst_value_and_limit():
    summary = itsim.replicate(itsim.loads_scenario(PROBE + PROJECTS), replications=2).summary
    checks = summary["checks"]
    assert set(checks) == {"incidents_unaccounted", "projects_unaccounted", "hours_unaccounted", "littles_law",
                           "portfolio_littles_law", "metrics_finite", "shares_in_range"}
    for entry in checks.values():
        assert entry["passed"] is True and entry["failed_replications"] == 0
        assert entry["worst"] <= entry["limit"]
    assert failures(summary) == []


@pytest.fixture
def infinite_cost(monkeypatch):
    """Metrics with an infinite cost, as a model fault would produce."""
    compute = metrics.compute

    def broken(world):
        values, series, checks = compute(world)
        return {**values, "cost_total": math.inf}, series, checks

    monkeypatch.setattr("itsim.experiment._metrics.compute", broken)


def test_a_failed_check_is_stored_named_and_exits_1(probe_file, itsim_cli, tmp_path, infinite_cost):
    out = tmp_path / "out"
    code, stdout, err = itsim_cli("run", probe_file, "--replications", 2, "--out", out)
    assert code == 1
    assert err.strip().splitlines()[-1] == ("invariant check failed: metrics_finite: 1 > limit 0 (metrics that "
                                            "came out infinite) in 2 of 2 replications")
    assert "Results in" in stdout
    stored = json.loads((out / "summary.json").read_text())["checks"]["metrics_finite"]
    assert stored == {"passed": False, "failed_replications": 2, "worst": 1.0, "limit": 0.0, "worst_replication": 0}


def test_a_failed_check_in_a_sweep_names_the_cell(probe_file, itsim_cli, tmp_path, infinite_cost):
    code, _, err = itsim_cli("sweep", probe_file, "--vary", "demand_scale=1", "--replications", 1,
                             "--out", tmp_path / "out")
    assert code == 1
    assert err.strip().splitlines()[-1].startswith(
        "invariant check failed in cell demand_scale=1__policy=firefight_first: metrics_finite: 1 > limit 0")


def test_the_report_shows_failed_checks_in_their_own_block(probe_file, tmp_path, infinite_cost):
    out = tmp_path / "out"
    from itsim.store import write_run

    sc = itsim.loads_scenario(PROBE)
    write_run(out, sc, itsim.replicate(sc, replications=1))
    html = build.write_report(out).read_text(encoding="utf-8")
    assert '<section class="checks">' in html
    assert "Invariant checks failed" in html and "metrics_finite" in html


def test_the_report_has_no_checks_block_when_all_pass():
    from itsim.report.checks import run_checks_table

    summary = itsim.replicate(itsim.loads_scenario(PROBE), replications=1).summary
    assert run_checks_table(summary) is None
