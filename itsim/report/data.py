"""Reading stored results and reducing them to what a chart needs.

Charts never see raw replication rows: time series are reduced to the median
and the 10–90% band across replications per week, and sweep metrics to a mean
with a 95% Student-t interval per policy and demand level.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from itsim.report.fmt import policy_label
from itsim.stats import mean_ci

MAX_POINTS = 520  # weeks shown per series; longer runs are averaged into blocks


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its 95% interval (``low``/``high`` may be NaN)."""

    mean: float
    low: float = math.nan
    high: float = math.nan


#: Stored metrics of maintenance neglected per category: by category, or by risk in
#: results written before there were categories.
NEGLECT_PREFIXES = ("neglect_hours.", "recurring_neglect_hours.")


def neglect_prefix(names: Iterable[str]) -> str:
    """Which family of per-category neglect metrics ``names`` (stored metric names) hold."""
    names = list(names)
    return next((p for p in NEGLECT_PREFIXES if any(n.startswith(p) for n in names)), NEGLECT_PREFIXES[-1])


@dataclass(frozen=True)
class RunResults:
    """One run directory: summary (means and intervals), weekly series, scenario."""

    directory: Path
    summary: dict[str, Any]
    timeseries: pd.DataFrame | None
    scenario: dict[str, Any]

    def estimate(self, metric: str) -> Estimate | None:
        """The stored mean and 95% interval of ``metric``, or None when it was not measured."""
        entry = self.summary.get("metrics", {}).get(metric)
        if not entry or entry.get("mean") is None or not math.isfinite(entry["mean"]):
            return None
        low, high = entry.get("ci95") or (None, None)
        return Estimate(
            float(entry["mean"]),
            math.nan if low is None else float(low),
            math.nan if high is None else float(high),
        )

    def metrics_with_prefix(self, prefix: str) -> list[str]:
        """Stored metric names that start with ``prefix`` (e.g. ``recurring_neglect_hours.``)."""
        return sorted(m for m in self.summary.get("metrics", {}) if m.startswith(prefix))

    def neglect_metrics(self) -> list[str]:
        """Stored per-category neglect metrics (:func:`neglect_prefix`)."""
        return self.metrics_with_prefix(neglect_prefix(self.summary.get("metrics", {})))


@dataclass(frozen=True)
class SweepResults:
    """One sweep directory: the long metric table, too-busy points and a base scenario."""

    directory: Path
    meta: dict[str, Any]
    table: pd.DataFrame
    too_busy: dict[str, Any]
    x_key: str
    scenario: dict[str, Any]
    policy_params: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def x_values(self) -> list[float]:
        """The levels of the swept key that were run, ascending."""
        return sorted(pd.to_numeric(self.table[self.x_key], errors="coerce").dropna().unique())

    @property
    def reference_x(self) -> float:
        """Today's level: 1.0 for ``demand_scale`` if run, else the level nearest the middle."""
        return _reference(self.x_values, self.x_key)


def _reference(xs: list[float], key: str) -> float:
    target = 1.0 if key == "demand_scale" else xs[len(xs) // 2]
    return min(xs, key=lambda x: abs(x - target))


def currency(scenario: dict[str, Any]) -> str:
    """The currency code of the scenario's ``[costs]`` (e.g. ``USD``), or '' when not given."""
    costs = scenario.get("costs")
    return str(costs.get("currency", "")) if isinstance(costs, dict) else ""


def read_toml(path: Path) -> dict[str, Any]:
    """A scenario TOML file as plain data, or an empty dict when it is missing. Uncertain
    inputs read as their central values (the beliefs stay under ``uncertain``)."""
    from itsim.uncertainty import lift

    return lift(tomllib.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def _read_table(directory: Path, stem: str) -> pd.DataFrame | None:
    if (directory / f"{stem}.parquet").exists():
        return pd.read_parquet(directory / f"{stem}.parquet")
    if (directory / f"{stem}.csv").exists():
        return pd.read_csv(directory / f"{stem}.csv")
    return None


def load_run(directory: str | Path) -> RunResults:
    """Read a run directory written by ``itsim run`` (or one sweep cell)."""
    directory = Path(directory)
    summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    return RunResults(
        directory=directory,
        summary=summary,
        timeseries=_read_table(directory, "timeseries"),
        scenario=read_toml(directory / "scenario.toml"),
    )


def weekly_bands(timeseries: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """Median and 10th/90th percentile across replications, per week and column.

    Returns a long table ``week, series, p10, median, p90`` (series = column name)
    holding only the columns present and not entirely empty. Runs longer than
    ``MAX_POINTS`` weeks are first averaged into equal blocks of weeks, per replication.
    """
    present = [c for c in columns if timeseries is not None and c in timeseries.columns]
    present = [c for c in present if timeseries[c].notna().any()]
    if not present:
        return pd.DataFrame(columns=["week", "series", "p10", "median", "p90"])
    ts = timeseries[["replication", "week", *present]].copy()
    block = max(1, math.ceil((ts["week"].max() + 1) / MAX_POINTS))
    if block > 1:
        ts["week"] = ts["week"] // block * block
        ts = ts.groupby(["replication", "week"], as_index=False)[present].mean()
    q = ts.groupby("week")[present].quantile([0.1, 0.5, 0.9])
    q.index = q.index.set_names(["week", "q"])
    long = q.reset_index().melt(id_vars=["week", "q"], var_name="series", value_name="v")
    wide = long.pivot_table(index=["week", "series"], columns="q", values="v").reset_index()
    wide.columns = ["week", "series", "p10", "median", "p90"]
    return wide


def load_sweep(directory: str | Path) -> SweepResults:
    """Read a sweep directory written by ``itsim sweep``.

    The assumptions shown for a sweep come from ``scenario.toml`` at the top of
    the sweep if there is one, else from the cell run at today's level.
    """
    directory = Path(directory)
    meta = read_json(directory / "sweep.json")
    table = _read_table(directory, "sweep")
    if table is None:
        raise FileNotFoundError(f"{directory}: no sweep.parquet")
    if "policy" not in table.columns:
        table = table.assign(policy="scenario policy")
    too_busy = read_json(directory / "too_busy.json")
    varied = list(meta.get("varied") or [])
    chosen = [v.get("varied") for v in too_busy.values() if isinstance(v, dict) and v.get("varied")]
    numeric = [k for k in chosen + varied
               if k in table.columns and pd.to_numeric(table[k], errors="coerce").notna().any()]
    if not numeric:
        raise ValueError(f"{directory}: sweep.parquet has no numeric varied key among {varied}")
    x_key = numeric[0]
    xs = sorted(pd.to_numeric(table[x_key], errors="coerce").dropna().unique())
    scenario, params = _sweep_scenario(directory, x_key, _reference(xs, x_key))
    rank = {p: i for i, p in enumerate(meta.get("policies") or [])}
    params = dict(sorted(params.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))
    return SweepResults(directory, meta, table, too_busy, x_key, scenario, params)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON file as plain data, or an empty dict when it is missing."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def get_dotted(data: dict[str, Any], key: str) -> Any:
    """Value at a dotted scenario key (lists of tables by index, ``role`` or ``name``)."""
    cur: Any = data
    for part in key.split("."):
        if isinstance(cur, list):
            if part.isdigit():
                cur = cur[int(part)] if int(part) < len(cur) else None
            else:
                named = [i for i in cur if isinstance(i, dict) and part in (i.get("role"), i.get("name"))]
                cur = named[0] if named else None
        elif isinstance(cur, dict):
            cur = cur.get(part)
        else:
            return None
    return cur


def _sweep_scenario(directory: Path, x_key: str, ref: float) -> tuple[dict, dict]:
    cells = sorted(p for p in (directory / "cells").glob("*/scenario.toml"))
    loaded = [read_toml(p) for p in cells]
    params: dict[str, dict[str, Any]] = {}
    for data in loaded:
        policy = dict(data.get("policy") or {})
        name = policy.pop("name", "firefight_first")
        name = "+".join(name) if isinstance(name, list) else str(name)
        params.setdefault(name, policy)
    if (directory / "scenario.toml").exists():
        return read_toml(directory / "scenario.toml"), params
    if not loaded:
        return {}, params
    def distance(data: dict[str, Any]) -> float:
        level = get_dotted(data, x_key)
        if level is None and x_key == "demand_scale":
            level = 1.0
        try:
            return abs(float(level) - ref)
        except (TypeError, ValueError):
            return math.inf

    return min(loaded, key=distance), params


def sweep_estimates(sweep: SweepResults, metric: str) -> pd.DataFrame:
    """Mean and 95% interval of ``metric`` per series and swept level.

    Columns ``x, series, mean, low, high``. A series is a policy, extended with the
    values of any other swept keys so that every line is one fixed configuration.
    When no replication is negative (hours, counts, money), ``low`` is clipped at 0.
    """
    rows = sweep.table.loc[sweep.table["metric"] == metric]
    if rows.empty or rows["value"].notna().sum() == 0:
        return pd.DataFrame(columns=["x", "series", "mean", "low", "high"])
    labelled = rows.assign(series=series_labels(sweep, rows))
    out = []
    for (x, series), group in labelled.groupby([sweep.x_key, "series"], sort=True):
        mean, low, high = mean_ci(group["value"])
        out.append({"x": float(x), "series": series, "mean": mean, "low": low, "high": high})
    est = pd.DataFrame(out).dropna(subset=["mean"])
    if rows["value"].min() >= 0:
        est["low"] = est["low"].clip(lower=0)
    return est


def series_labels(sweep: SweepResults, rows: pd.DataFrame) -> pd.Series:
    """Readable line labels: the policy, plus ``key=value`` for other swept keys."""
    others = [k for k in sweep.meta.get("varied", []) if k != sweep.x_key and k in rows.columns]
    labels = rows["policy"].astype(str).map(policy_label)
    for key in others:
        labels = labels + ", " + key + "=" + rows[key].astype(str)
    return labels


def series_order(sweep: SweepResults) -> list[str]:
    """Every line label of the sweep, policies in the order the sweep lists them."""
    rank = {p: i for i, p in enumerate(sweep.meta.get("policies") or [])}
    table = sweep.table.drop_duplicates(
        subset=["policy", *[k for k in sweep.meta.get("varied", []) if k in sweep.table.columns]])
    table = table.assign(rank=table["policy"].map(rank).fillna(len(rank)))
    table = table.assign(series=series_labels(sweep, table)).sort_values(["rank", "series"])
    return list(dict.fromkeys(table["series"]))
