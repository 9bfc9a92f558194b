"""The verdict in the report: the green, amber or red box, every target with its
interval, neglected maintenance by category, and charts that cannot be drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import itsim
from itsim import cli
from itsim.report import ChartError, build, write_report, write_sweep_report
from itsim.targets import overall
from tests.report_fixtures import write_run_dir
from tests.test_report import embedded_specs


def _busy(broken: int, n: int = 10) -> list[dict]:
    return [{"verdict": i < broken, "reasons": [{"code": "utilization", "text": ""}] if i < broken else [],
             "figures": {"utilization": 0.9 if i < broken else 0.8}} for i in range(n)]


def _with_verdict(directory: Path, broken: int) -> Path:
    """A run directory whose summary carries the verdict of ``broken`` of 10 runs."""
    summary = json.loads((directory / "summary.json").read_text())
    sc = itsim.load_scenario(directory / "scenario.toml")
    summary["too_busy"] = overall(sc, _busy(broken))
    summary["replications"] = 10
    (directory / "summary.json").write_text(json.dumps(summary))
    return directory


@pytest.mark.parametrize(("broken", "status", "colour", "heading"), [
    (1, "healthy", "green", "Verdict: healthy"),
    (5, "at_risk", "amber", "Verdict: at risk"),
    (10, "too_busy", "red", "Verdict: too busy"),
])
def test_verdict_box_has_the_status_colour_and_words(tmp_path, broken, status, colour, heading):
    directory = _with_verdict(write_run_dir(tmp_path / "run", replications=2, weeks=8), broken)
    html = write_report(directory).read_text(encoding="utf-8")
    assert f'class="verdict {colour}" data-status="{status}"' in html
    assert heading in html
    if status != "healthy":
        assert "within its targets" not in html, "a department breaking targets half the time is not healthy"
    assert f"{broken * 10}% of the 10 simulated runs broke at least one target (95% interval" in html


def test_every_target_is_shown_with_its_interval_and_the_runs_that_broke_it(tmp_path):
    directory = _with_verdict(write_run_dir(tmp_path / "run", replications=2, weeks=8), 5)
    html = write_report(directory).read_text(encoding="utf-8")
    assert "Every target, over the simulated runs" in html
    assert "Share of staff hours busy" in html and "at most 85%" in html and "5 of 10" in html
    assert "at the 85% ceiling; broken in 5 of 10 replications" in html


def test_report_never_says_no_tech_debt_while_maintenance_was_neglected(tmp_path):
    directory = write_run_dir(tmp_path / "run", replications=2, weeks=8, demand=1.1)
    html = write_report(directory).read_text(encoding="utf-8")
    assert "No tech debt" not in html
    assert "the tech-debt loop is off in this scenario" in html
    assert "Maintenance was neglected (" in html and " h of security maintenance" in html


@pytest.fixture(scope="module")
def neglected_run(tmp_path_factory) -> Path:
    """A real small department: nobody may patch (security neglected), projects delivered and
    looked after (care and feeding)."""
    sc = itsim.Scenario.from_dict({
        "scenario": {"name": "neglect", "horizon_days": 120, "warmup_days": 14, "seed": 3},
        "team": [{"role": "engineer", "count": 3}, {"role": "secops", "count": 0, "skills": ["recurring"]}],
        "incidents": {"rate_per_day": 10, "effort_hours": {"dist": "exponential", "mean": 0.5},
                      "handled_by": ["engineer"]},
        "recurring": [{"name": "Patch servers", "every": "weekly", "effort_hours": {"dist": "constant", "value": 6},
                       "due_within_days": 5, "handled_by": ["secops"], "risk": "security"},
                      {"name": "Backups", "every": "daily", "effort_hours": {"dist": "constant", "value": 0.5},
                       "due_within_days": 1, "handled_by": ["engineer"], "risk": "availability"}],
        "projects": {"rate_per_month": 4, "estimate_hours": {"dist": "lognormal", "mean": 40, "cv": 0.5},
                     "care_and_feeding_hours_per_week": 2.0, "handled_by": ["engineer"]},
        "targets": {"max_security_neglect_hours": 20},
    })
    from itsim.store import write_run

    out = tmp_path_factory.mktemp("neglect") / "out"
    write_run(out, sc, itsim.replicate(sc, replications=3))
    return out


def test_neglected_security_work_breaks_its_target_and_care_and_feeding_has_its_own_row(neglected_run):
    summary = json.loads((neglected_run / "summary.json").read_text())
    security = summary["too_busy"]["targets"]["security_neglect"]
    assert security["broken_in"] == 3 and security["position"] == "over"
    assert summary["metrics"]["neglect_hours.security"]["mean"] > 20
    html = write_report(neglected_run).read_text(encoding="utf-8")
    assert "Routine maintenance done late or skipped" in html
    assert "<td>Care and feeding of delivered systems</td>" in html
    assert "hours of security maintenance done late or skipped" in html


def _failing_debt_chart(run):
    raise ValueError("no data for the tech-debt panel")


def test_a_chart_that_cannot_be_drawn_is_an_error_that_names_it(tmp_path, monkeypatch, capsys):
    directory = write_run_dir(tmp_path / "run", replications=2, weeks=8)
    monkeypatch.setattr(build, "RUN_CHARTS", (*build.RUN_CHARTS[:2], _failing_debt_chart))
    with pytest.raises(ChartError) as caught:
        write_report(directory)
    assert caught.value.problems == [
        "chart '_failing_debt' could not be drawn: ValueError: no data for the tech-debt panel"]
    assert (directory / "report.html").exists(), "the rest of the report is still written"
    monkeypatch.setattr("sys.argv", ["itsim", "report", str(directory)])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "report: chart '_failing_debt' could not be drawn" in err
    assert "Traceback" not in err


def test_sweep_over_head_count_names_the_key_in_words_and_keeps_integers(tmp_path):
    sc = itsim.Scenario.from_dict({
        "scenario": {"name": "desk", "horizon_days": 40, "warmup_days": 5, "calendar": "24x7", "seed": 1},
        "team": [{"role": "engineer", "count": 3}],
        "incidents": {"rate_per_hour": 2.8, "effort_hours": {"dist": "exponential", "mean": 1.0},
                      "handled_by": ["engineer"]},
    })
    grid = itsim.sweep(sc, vary={"team.engineer.count": [3, 4]}, replications=3, out=tmp_path / "s")
    entry = grid.too_busy_point()["firefight_first"]
    assert entry["direction"] == "more_is_better" and entry["kind"] == "recovers"
    assert entry["point"] == 4
    html = write_sweep_report(tmp_path / "s").read_text(encoding="utf-8")
    assert "recovers from &#x27;too busy&#x27; at 4 engineers" in html
    assert "Share of runs that broke a target, by engineers" in html
    assert '<td class="too_busy" title="too busy">100%</td>' in html, "each level in its status colour"
    spec = embedded_specs(html)["chart-hockey_stick"]
    assert "Engineers (people)" in json.dumps(spec)
    assert "as demand rises" not in html
