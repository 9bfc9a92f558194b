"""``itsim compare``: paired differences under common random numbers, Welch otherwise;
intervals kept to what a quantity can be; each side's verdict; the terminal table."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from itsim.compare import Side, compare, compare_results, load_comparison, side_verdict
from itsim.report import fmt
from itsim.report.comparison import format_comparison
from itsim.stats import mean_ci, wilson_interval

A_LEAD = [10.0, 20.0, 30.0, 40.0, 50.0]
B_LEAD = [11.0, 21.5, 30.5, 41.0, 51.0]  # B − A = 1, 1.5, 0.5, 1, 1


def write_dir(directory: Path, seed: int, values: dict[str, list[float]],
              order: list[int] | None = None, too_busy: dict | None = None, scenario: str = "") -> Path:
    """A run directory with summary.json and runs.parquet for the given per-replication values
    (and scenario.toml when ``scenario`` is given)."""
    directory.mkdir(parents=True)
    rows = [{"replication": r, "metric": m, "value": v}
            for m, vs in values.items() for r, v in enumerate(vs)]
    runs = pd.DataFrame(rows)
    if order is not None:
        runs = runs.iloc[order]
    runs.to_parquet(directory / "runs.parquet", index=False)
    metrics = {m: dict(zip(("mean", "ci95"), (mean_ci(vs)[0], list(mean_ci(vs)[1:])),
                           strict=True)) for m, vs in values.items()}
    n = len(next(iter(values.values())))
    verdict = too_busy or {"verdict": False, "share_of_replications": 0.0, "reasons": []}
    summary = {"scenario": directory.name, "replications": n, "seed": seed, "metrics": metrics,
               "too_busy": verdict}
    (directory / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    if scenario:
        (directory / "scenario.toml").write_text(scenario, encoding="utf-8")
    return directory


def row(df: pd.DataFrame, metric: str) -> pd.Series:
    return df.set_index("metric").loc[metric]


def test_paired_difference_has_the_known_answer(tmp_path: Path) -> None:
    a = write_dir(tmp_path / "a", 7, {"project_lead_time_days": A_LEAD})
    b = write_dir(tmp_path / "b", 7, {"project_lead_time_days": B_LEAD})
    r = row(compare(a, b), "project_lead_time_days")
    # differences 1, 1.5, 0.5, 1, 1: mean 1, sd sqrt(0.125), t(0.975, 4) = 2.776445
    half = 2.776445 * math.sqrt(0.125) / math.sqrt(5)
    assert r["paired"]
    assert r["difference"] == pytest.approx(1.0)
    assert r["diff_ci_low"] == pytest.approx(1.0 - half, abs=1e-5)
    assert r["diff_ci_high"] == pytest.approx(1.0 + half, abs=1e-5)
    ref = stats.ttest_rel(B_LEAD, A_LEAD).confidence_interval(0.95)
    assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((ref.low, ref.high))
    assert r["mean_a"] == pytest.approx(30.0) and r["mean_b"] == pytest.approx(31.0)


def test_pairs_by_replication_not_by_row_order(tmp_path: Path) -> None:
    a = write_dir(tmp_path / "a", 7, {"utilization": [0.5, 0.6, 0.7, 0.8]})
    b = write_dir(tmp_path / "b", 7, {"utilization": [0.55, 0.65, 0.75, 0.85]},
                  order=[3, 1, 0, 2])
    r = row(compare(a, b), "utilization")
    assert r["paired"]
    assert r["difference"] == pytest.approx(0.05)
    assert r["diff_ci_low"] == pytest.approx(0.05) and r["diff_ci_high"] == pytest.approx(0.05)


def test_different_seeds_fall_back_to_welch(tmp_path: Path) -> None:
    a = write_dir(tmp_path / "a", 7, {"project_lead_time_days": A_LEAD})
    b = write_dir(tmp_path / "b", 8, {"project_lead_time_days": B_LEAD})
    r = row(compare(a, b), "project_lead_time_days")
    ref = stats.ttest_ind(B_LEAD, A_LEAD, equal_var=False).confidence_interval(0.95)
    assert not r["paired"]
    assert r["difference"] == pytest.approx(1.0)
    assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((ref.low, ref.high))


def test_pairing_narrows_the_interval_under_common_random_numbers(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    base = rng.lognormal(3, 0.5, 30)  # the shared random demand, replication by replication
    a_vals, b_vals = list(base), list(base * 0.9 + rng.normal(0, 0.2, 30))
    paired = row(compare(write_dir(tmp_path / "a", 1, {"m": a_vals}),
                         write_dir(tmp_path / "b", 1, {"m": b_vals})), "m")
    unpaired = row(compare(write_dir(tmp_path / "c", 1, {"m": a_vals}),
                           write_dir(tmp_path / "d", 2, {"m": b_vals})), "m")
    assert paired["diff_ci_high"] < 0, "pairing detects the improvement"
    assert unpaired["diff_ci_low"] < 0 < unpaired["diff_ci_high"], "Welch cannot"


def test_metric_missing_on_one_side_is_kept(tmp_path: Path) -> None:
    a = write_dir(tmp_path / "a", 7, {"utilization": [0.5, 0.6], "projects_delivered": [3, 4]})
    b = write_dir(tmp_path / "b", 7, {"utilization": [0.5, 0.7]})
    df = compare(a, b)
    assert set(df["metric"]) == {"utilization", "projects_delivered"}
    assert math.isnan(row(df, "projects_delivered")["mean_b"])
    assert math.isnan(row(df, "projects_delivered")["difference"])


def test_format_comparison_is_readable(tmp_path: Path) -> None:
    a = write_dir(tmp_path / "a", 7, {"project_lead_time_days": A_LEAD,
                                      "hours_share.firefighting": [0.4, 0.42, 0.41, 0.39, 0.4]})
    b = write_dir(tmp_path / "b", 7, {"project_lead_time_days": B_LEAD,
                                      "hours_share.firefighting": [0.3, 0.33, 0.31, 0.3, 0.3]})
    text = format_comparison(load_comparison(a, b))
    assert "Time from project request to delivery" in text
    assert "Time spent firefighting" in text
    # lead times of about 4 weeks, so every figure of the row is in weeks
    assert "4.3 weeks" in text and "+0.14 weeks" in text and "+0.08 to +0.21 weeks" in text
    assert "-9.6 pts" in text and "* better" in text
    assert "paired run by run" in text
    assert "\x1b[" not in text, "no colour codes in captured output"
    assert text.index("Time spent firefighting") < text.index("Time from project request"), \
        "headline rows in the run report's order"


def test_mean_ci_edge_cases() -> None:
    assert all(math.isnan(x) for x in mean_ci([]))
    mean, low, high = mean_ci([4.0])
    assert mean == 4.0 and math.isnan(low) and math.isnan(high)
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    assert mean_ci([1.0, float("nan"), 3.0])[0] == 2.0


def test_headline_rows_come_first_in_the_run_reports_order(tmp_path: Path) -> None:
    values = {m: [1.0, 2.0, 3.0] for m in ("zeta_metric", "cost_of_delay", "utilization", "incidents_arrived",
                                             "hours_share.firefighting", "project_lead_time_days")}
    comparison = load_comparison(write_dir(tmp_path / "a", 1, values), write_dir(tmp_path / "b", 1, values))
    assert comparison.headline_metrics == ["hours_share.firefighting", "project_lead_time_days", "utilization",
                                           "cost_of_delay"]
    assert comparison.other_metrics == ["incidents_arrived", "zeta_metric"]
    assert list(comparison.table["metric"]) == comparison.headline_metrics + comparison.other_metrics
    short = format_comparison(comparison)
    everything = format_comparison(comparison, all_metrics=True)
    assert "Incidents reported" not in short and "2 more measures with --all" in short
    assert "Incidents reported" in everything and "Zeta metric" in everything


def test_side_intervals_are_kept_to_what_the_quantity_can_be(tmp_path: Path) -> None:
    values_a = {"incident_sla_attainment": [0.99, 1.0, 0.8], "security_incidents": [0.0, 0.0, 2.0],
                "tech_debt_hours_end": [0.0, 1.0, 40.0], "cost_total": [10.0, 11.0, 400.0],
                "utilization.desk": [0.2, 0.9, 0.95]}
    values_b = {"incident_sla_attainment": [0.5, 0.6, 0.9], "security_incidents": [3.0, 3.0, 2.0],
                "tech_debt_hours_end": [0.0, 0.0, 0.0], "cost_total": [10.0, 10.0, 10.0],
                "utilization.desk": [0.9, 1.0, 1.0]}
    df = compare(write_dir(tmp_path / "a", 1, values_a), write_dir(tmp_path / "b", 1, values_b))
    raw_low = mean_ci(values_a["security_incidents"])[1]
    assert raw_low < 0, "the Student t interval of A goes below zero"
    for metric in values_a:
        r = row(df, metric)
        low, high = fmt.bounds(metric)
        assert low <= r["ci_low_a"] <= r["mean_a"] <= r["ci_high_a"] <= high, metric
        assert low <= r["ci_low_b"] <= r["mean_b"] <= r["ci_high_b"] <= high, metric
    assert row(df, "security_incidents")["ci_low_a"] == 0
    assert row(df, "utilization.desk")["ci_high_b"] == 1
    sla = row(df, "incident_sla_attainment")
    assert sla["diff_ci_low"] >= -1 and sla["diff_ci_high"] <= 1
    debt = row(df, "tech_debt_hours_end")
    assert debt["diff_ci_low"] < -debt["mean_a"], "a difference is not clipped at -A"


def test_a_difference_of_shares_stays_within_a_hundred_points(tmp_path: Path) -> None:
    a = write_dir(tmp_path / "a", 1, {"utilization": [0.0, 0.9, 0.0]})
    b = write_dir(tmp_path / "b", 1, {"utilization": [1.0, 0.1, 1.0]})
    r = row(compare(a, b), "utilization")
    unclipped = mean_ci([1.0, -0.8, 1.0])
    assert unclipped[2] > 1 and unclipped[1] < -1
    assert (r["diff_ci_low"], r["diff_ci_high"]) == (-1.0, 1.0)


def test_verdict_is_worked_out_for_results_without_a_status(tmp_path: Path) -> None:
    values = {"utilization": [0.5] * 10}
    old = write_dir(tmp_path / "old", 1, values,
                    too_busy={"verdict": False, "share_of_replications": 0.5, "reasons": ["lead time"]})
    verdict = side_verdict(Side.from_directory(old))
    assert verdict.status == "at_risk" and verdict.probability == 0.5 and verdict.reasons == ["lead time"]
    assert verdict.ci95 == pytest.approx((0.2366, 0.7634), abs=1e-4)  # Wilson, 5 of 10
    strict = write_dir(tmp_path / "strict", 1, values,
                       too_busy={"verdict": False, "share_of_replications": 0.5, "reasons": []},
                       scenario="[targets]\nat_risk_above = 0.05\ntoo_busy_above = 0.4\n")
    assert side_verdict(Side.from_directory(strict)).status == "too_busy"
    healthy = write_dir(tmp_path / "healthy", 1, values,
                        too_busy={"verdict": False, "share_of_replications": 0.2, "reasons": []})
    assert side_verdict(Side.from_directory(healthy)).status == "healthy", "at risk only above 0.2"


def test_a_stored_verdict_is_shown_as_stored(tmp_path: Path) -> None:
    stored = {"verdict": True, "share_of_replications": 0.9, "status": "too_busy", "probability": 0.9,
              "ci95": [0.6, 0.98], "reasons": ["open work keeps growing"]}
    side = Side.from_directory(write_dir(tmp_path / "new", 1, {"utilization": [0.9, 0.95]}, too_busy=stored))
    verdict = side_verdict(side)
    assert (verdict.status, verdict.probability, verdict.ci95) == ("too_busy", 0.9, (0.6, 0.98))
    text = format_comparison(compare_results(side, side))
    assert "Too busy: 90% chance of being too busy (95% interval 60% to 98%)" in text


def test_wilson_interval_matches_the_formula() -> None:
    low, high = wilson_interval(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)
    ref = stats.binomtest(3, 10).proportion_ci(method="wilson")
    assert wilson_interval(3, 10) == pytest.approx((ref.low, ref.high))


def test_money_is_shown_in_the_scenarios_currency(tmp_path: Path) -> None:
    toml = '[costs]\ncurrency = "EUR"\n'
    a = write_dir(tmp_path / "a", 1, {"cost_total": [1.2e6, 1.3e6, 1.25e6]}, scenario=toml)
    b = write_dir(tmp_path / "b", 1, {"cost_total": [1.0e6, 1.1e6, 1.05e6]}, scenario=toml)
    text = format_comparison(load_comparison(a, b))
    assert "€1.25M" in text and "-€200K" in text and "* better" in text


def test_what_differs_between_the_scenarios_is_listed(tmp_path: Path) -> None:
    base = '[[team]]\nrole = "engineer"\ncount = 12\n[policy]\nname = "firefight_first"\n'
    variant = '[[team]]\nrole = "engineer"\ncount = 9\n[policy]\nname = "wip_limit"\nwip_limit = 3\n'
    a = write_dir(tmp_path / "a", 1, {"utilization": [0.5, 0.6]}, scenario=base)
    b = write_dir(tmp_path / "b", 1, {"utilization": [0.6, 0.7]}, scenario=variant)
    text = format_comparison(load_comparison(a, b))
    assert "team.engineer.count: 12 → 9" in text
    assert "policy.name: firefight_first → wip_limit" in text
    assert "policy.wip_limit: (not set) → 3" in text
