"""``itsim compare``: paired differences under common random numbers, Welch otherwise."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from itsim.compare import compare, format_comparison
from itsim.stats import mean_ci

A_LEAD = [10.0, 20.0, 30.0, 40.0, 50.0]
B_LEAD = [11.0, 21.5, 30.5, 41.0, 51.0]  # B − A = 1, 1.5, 0.5, 1, 1


def write_dir(directory: Path, seed: int, values: dict[str, list[float]],
              order: list[int] | None = None) -> Path:
    """A run directory with summary.json and runs.parquet for the given per-replication values."""
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
    summary = {"scenario": directory.name, "replications": n, "seed": seed, "metrics": metrics,
               "too_busy": {"verdict": False, "share_of_replications": 0.0, "reasons": []}}
    (directory / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
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
    text = format_comparison(compare(a, b))
    assert "Time from project request to delivery" in text
    assert "Time spent firefighting" in text
    assert "+0.14 weeks [+0.08 weeks," in text, "lead times of about 4 weeks, in weeks throughout"
    assert "-9.6 pts" in text
    assert "paired" in text
    assert "\x1b[" not in text, "no colour codes in captured output"


def test_mean_ci_edge_cases() -> None:
    assert all(math.isnan(x) for x in mean_ci([]))
    mean, low, high = mean_ci([4.0])
    assert mean == 4.0 and math.isnan(low) and math.isnan(high)
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    assert mean_ci([1.0, float("nan"), 3.0])[0] == 2.0
