"""Side-by-side comparison of two run directories (``itsim compare DIR_A DIR_B``).

Each metric gets A's and B's mean with its 95% interval (as stored in
``summary.json``) and the difference B − A. When both runs used the same seed and
number of replications, replication r of A and of B saw the same random demand
(common random numbers), so the difference is *paired*: its interval is the
Student-t interval of the per-replication differences, which is much tighter
than comparing two separate intervals. Otherwise the interval is Welch's.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from itsim.report import fmt
from itsim.stats import mean_ci, welch_ci

COLUMNS = [
    "metric",
    "mean_a",
    "ci_low_a",
    "ci_high_a",
    "mean_b",
    "ci_low_b",
    "ci_high_b",
    "difference",
    "diff_ci_low",
    "diff_ci_high",
    "paired",
]


def _read_runs(directory: Path) -> pd.DataFrame | None:
    for name, reader in (("runs.parquet", pd.read_parquet), ("runs.csv", pd.read_csv)):
        if (directory / name).exists():
            return reader(directory / name)
    return None


def _ci(entry: dict | None) -> tuple[float, float, float]:
    if not entry:
        return math.nan, math.nan, math.nan
    low, high = entry.get("ci95") or (None, None)
    return tuple(math.nan if v is None else float(v) for v in (entry.get("mean"), low, high))


def compare(dir_a: str | Path, dir_b: str | Path) -> pd.DataFrame:
    """One row per metric found in either run: A and B with 95% intervals, and B − A.

    ``paired`` is True where the difference interval comes from per-replication
    differences (same seed and replication count); units are the metric's own
    (hours, days, shares 0–1, money). ``df.attrs`` holds both scenario names.
    """
    dir_a, dir_b = Path(dir_a), Path(dir_b)
    sum_a = json.loads((dir_a / "summary.json").read_text(encoding="utf-8"))
    sum_b = json.loads((dir_b / "summary.json").read_text(encoding="utf-8"))
    runs_a, runs_b = _read_runs(dir_a), _read_runs(dir_b)
    same_streams = (
        sum_a.get("seed") == sum_b.get("seed")
        and sum_a.get("replications") == sum_b.get("replications")
        and runs_a is not None
        and runs_b is not None
    )
    metrics_a, metrics_b = sum_a.get("metrics", {}), sum_b.get("metrics", {})
    rows = []
    for metric in sorted(set(metrics_a) | set(metrics_b)):
        both_ci = _ci(metrics_a.get(metric)) + _ci(metrics_b.get(metric))
        row = dict(zip(COLUMNS[1:7], both_ci, strict=True))
        diff, low, high, paired = row["mean_b"] - row["mean_a"], math.nan, math.nan, False
        if runs_a is not None and runs_b is not None:
            a = runs_a.loc[runs_a["metric"] == metric].set_index("replication")["value"]
            b = runs_b.loc[runs_b["metric"] == metric].set_index("replication")["value"]
            if same_streams:
                both = pd.concat({"a": a, "b": b}, axis=1, join="inner").dropna()
                paired = len(both) > 0
                if paired:
                    diff, low, high = mean_ci(both["b"] - both["a"])
            if not paired:
                diff, low, high = welch_ci(a.to_numpy(), b.to_numpy())
        rows.append({"metric": metric, **row, "difference": diff,
                     "diff_ci_low": low, "diff_ci_high": high, "paired": paired})
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs["a"] = f"{sum_a.get('scenario', '')} ({dir_a})"
    df.attrs["b"] = f"{sum_b.get('scenario', '')} ({dir_b})"
    return df


def _time_unit(metric: str, *xs: float) -> str | None:
    """One unit for every time in a row (the larger side's), so A, B and B − A compare."""
    finite = [abs(x) for x in xs if math.isfinite(x)]
    if fmt.unit(metric) != "duration" or not finite:
        return None
    return fmt.duration_unit(fmt.in_hours(metric, max(finite)))


def _with_ci(metric: str, mean: float, low: float, high: float, time_unit: str | None) -> str:
    text = fmt.value(metric, mean, time_unit=time_unit)
    if math.isfinite(low) and math.isfinite(high):
        text += f" [{fmt.value(metric, low, time_unit=time_unit)}, {fmt.value(metric, high, time_unit=time_unit)}]"
    return text


def _signed(metric: str, x: float, time_unit: str | None) -> str:
    return fmt.difference(metric, x, time_unit=time_unit)


def format_comparison(df: pd.DataFrame, width: int = 140) -> str:
    """The comparison as an aligned text table for a terminal (rich, no colour codes).

    A difference marked ``*`` has a 95% interval that excludes zero.
    """
    table = Table(caption="Means with 95% intervals. B − A is paired when both runs share the seed "
                  "and replication count; * marks an interval that excludes 0.",
                  caption_justify="left")
    for name, justify in (("Metric", "left"), ("A", "right"), ("B", "right"),
                          ("B − A", "right"), ("", "left")):
        table.add_column(name, justify=justify, no_wrap=name == "Metric")
    for row in df.itertuples(index=False):
        m = row.metric
        low, high = row.diff_ci_low, row.diff_ci_high
        tu = _time_unit(m, row.mean_a, row.mean_b)
        diff = _signed(m, row.difference, tu)
        if math.isfinite(low) and math.isfinite(high):
            diff += f" [{_signed(m, low, tu)}, {_signed(m, high, tu)}]"
            if low > 0 or high < 0:
                diff += " *"
        table.add_row(
            Text.assemble(fmt.metric_label(m), "\n", (m, "dim")),
            Text(_with_ci(m, row.mean_a, row.ci_low_a, row.ci_high_a, tu)),
            Text(_with_ci(m, row.mean_b, row.ci_low_b, row.ci_high_b, tu)),
            Text(diff),
            Text("paired" if row.paired else "unpaired"),
        )
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, color_system=None)
    if "a" in df.attrs:
        console.print(f"A: {df.attrs['a']}\nB: {df.attrs['b']}", markup=False, highlight=False)
    console.print(table)
    return out.getvalue()
