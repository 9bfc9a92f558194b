"""Baseline versus variant: two sets of results side by side (``itsim compare A B``).

Each metric gets A's and B's mean with its 95% interval (as stored in
``summary.json``) and the difference B − A. When both runs used the same seed and
number of replications, replication r of A and of B saw the same random demand
(common random numbers), so the difference is *paired*: its interval is the
Student-t interval of the per-replication differences, which is much tighter
than comparing two separate intervals. Otherwise the interval is Welch's.

Intervals are kept to what a quantity can be: each side's interval is clipped
to the metric's range (a share to [0, 1]; money, times, hours and counts to
>= 0). A difference is not clipped, since a difference of quantities that
cannot be negative can be, and its floor (minus A's value) is itself uncertain;
only a difference of shares is kept within [-1, 1]. A difference is
*significant* when its interval excludes 0.

The comparison is data (:class:`Comparison`) built from loaded results
(:class:`Side`), so a caller holding results in memory compares them without
files; :mod:`itsim.report.comparison` and :mod:`itsim.report.compare_page`
turn it into words, a terminal table and an HTML page.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from itsim.report import fmt
from itsim.report.text import KPI_METRICS
from itsim.scenario import Targets
from itsim.stats import mean_ci, welch_ci, wilson_interval
from itsim.targets import status as band_status

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
    "significant",
]

HEADLINE = (
    *KPI_METRICS,
    "incident_wait_hours",
    "projects_delivered",
    "neglect_hours.security",
    "cost_total",
    "value_delivered",
)
"""The figures shown first, in the order of the run report's key figures, then a few more."""

LOWER_IS_BETTER = (
    "hours_share.firefighting", "project_lead_time_days", "incident_wait_hours", "incident_resolve_hours",
    "incidents_abandoned", "recurring_skipped", "recurring_neglect_hours", "neglect_hours",
    "tech_debt_hours_end", "projects_withdrawn_shadow_it", "project_backlog_end", "open_work_hours_end",
    "security_incidents", "staff_left", "cost_total", "cost_of_delay", "value_declined",
    "value_lost_shadow_it", "too_busy_probability",
)
HIGHER_IS_BETTER = (
    "incident_sla_attainment", "recurring_on_time_share", "recurring_hours_on_time_share",
    "projects_delivered", "value_delivered", "hours_share.projects", "incidents_deflected",
)

class ResultsError(ValueError):
    """A results folder that cannot be read; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Side:
    """One set of results: the summary (as ``summary.json``), the per-replication table
    (``replication``, ``metric``, ``value``) if there is one, the scenario as plain data,
    and where it came from."""

    summary: dict[str, Any]
    runs: pd.DataFrame | None = None
    scenario: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def from_directory(cls, directory: str | Path) -> Side:
        """Read a run folder (``itsim run`` output); raises :class:`ResultsError`."""
        directory = Path(directory)
        path = directory / "summary.json"
        if not path.exists():
            raise ResultsError([f"{directory}: no summary.json (not a run folder)"])
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ResultsError([f"{path}: cannot be read ({exc})"]) from None
        if not isinstance(summary, dict) or not isinstance(summary.get("metrics", {}), dict):
            raise ResultsError([f"{path}: not a run summary"])
        runs = None
        for name, reader in (("runs.parquet", pd.read_parquet), ("runs.csv", pd.read_csv)):
            if (directory / name).exists():
                try:
                    runs = reader(directory / name)
                except Exception as exc:  # pyarrow and pandas raise many kinds for a damaged file
                    raise ResultsError([f"{directory / name}: cannot be read ({exc})"]) from None
                break
        scenario: dict[str, Any] = {}
        if (directory / "scenario.toml").exists():
            try:
                scenario = tomllib.loads((directory / "scenario.toml").read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ResultsError([f"{directory / 'scenario.toml'}: cannot be read ({exc})"]) from None
        return cls(summary, runs, scenario, str(directory))

    @property
    def name(self) -> str:
        return str(self.summary.get("scenario") or self.scenario.get("scenario", {}).get("name", ""))

    @property
    def currency(self) -> str:
        """``[costs] currency`` (USD when the scenario does not say; '' without a scenario)."""
        if not self.scenario:
            return ""
        costs = self.scenario.get("costs")
        return str(costs.get("currency", "USD")) if isinstance(costs, dict) else "USD"


@dataclass(frozen=True)
class SideVerdict:
    """The too-busy verdict of one side: ``status`` (``healthy``, ``at_risk``,
    ``too_busy`` or None when no verdict was stored), the probability of being too
    busy with its 95% (Wilson) interval, and the reasons given."""

    status: str | None
    probability: float | None
    ci95: tuple[float | None, float | None]
    replications: int | None
    reasons: list[str]


def side_verdict(side: Side) -> SideVerdict:
    """The verdict as stored; for results written before the three-way verdict, the
    status and interval are worked out from ``share_of_replications`` and the bands
    of the scenario's ``[targets]``."""
    verdict = side.summary.get("too_busy") or {}
    n = side.summary.get("replications")
    n = int(n) if isinstance(n, int | float) and n > 0 else None
    reasons = [str(r) for r in verdict.get("reasons") or []]
    p = verdict.get("probability", verdict.get("share_of_replications"))
    if not isinstance(p, int | float) or not math.isfinite(p):
        return SideVerdict(None, None, (None, None), n, reasons)
    p = float(p)
    status = verdict.get("status")
    if status not in fmt.STATUS_LABELS:
        targets = side.scenario.get("targets") if isinstance(side.scenario.get("targets"), dict) else {}
        bands = {k: v for k, v in targets.items() if k in ("at_risk_above", "too_busy_above")}
        status = band_status(p, Targets(**bands))
    ci = verdict.get("ci95")
    if not (isinstance(ci, list | tuple) and len(ci) == 2):
        ci = wilson_interval(round(p * n), n) if n else (None, None)
    return SideVerdict(status, p, (ci[0], ci[1]), n, reasons)


def direction(metric: str) -> int:
    """+1 when more is better for the business, -1 when less is, 0 when it depends."""
    base = metric.split(".")[0]
    for names, sign in ((LOWER_IS_BETTER, -1), (HIGHER_IS_BETTER, 1)):
        if metric in names or base in names:
            return sign
    return 0


@dataclass(frozen=True)
class Comparison:
    """A compared with B: one row per metric (see :data:`COLUMNS`; units are the
    metric's own: hours, days, shares 0–1, money) and each side's verdict."""

    a: Side
    b: Side
    table: pd.DataFrame
    headline: tuple[str, ...] = HEADLINE
    """The figures shown first, in this order (the run report's key figures by default)."""

    @property
    def verdict_a(self) -> SideVerdict:
        return side_verdict(self.a)

    @property
    def verdict_b(self) -> SideVerdict:
        return side_verdict(self.b)

    @property
    def currency(self) -> str:
        return self.a.currency or self.b.currency

    @property
    def paired(self) -> bool:
        return bool(self.table["paired"].any()) if len(self.table) else False

    @property
    def headline_metrics(self) -> list[str]:
        return [m for m in self.table["metric"] if m in self.headline]

    @property
    def other_metrics(self) -> list[str]:
        return [m for m in self.table["metric"] if m not in self.headline]

    def row(self, metric: str) -> pd.Series:
        return self.table.set_index("metric").loc[metric]

    def __repr__(self) -> str:
        from itsim.report.comparison import format_comparison

        return format_comparison(self, colour=False, width=110).rstrip()

    def _repr_html_(self) -> str:
        from itsim.report.compare_page import comparison_html

        return comparison_html(self)


def _ci(entry: Any) -> tuple[float, float, float]:
    if not isinstance(entry, dict):
        return math.nan, math.nan, math.nan
    low, high = entry.get("ci95") or (None, None)
    return tuple(math.nan if v is None else float(v) for v in (entry.get("mean"), low, high))


def _clip(metric: str, low: float, high: float) -> tuple[float, float]:
    lo, hi = fmt.bounds(metric)
    return (low if math.isnan(low) else min(max(low, lo), hi),
            high if math.isnan(high) else min(max(high, lo), hi))


def _order(metrics: set[str], headline: tuple[str, ...]) -> list[str]:
    first = [m for m in headline if m in metrics]
    return first + sorted(metrics - set(first))


def compare_results(a: Side, b: Side, headline: tuple[str, ...] = HEADLINE) -> Comparison:
    """Compare two loaded sets of results, metric by metric (see the module's notes);
    ``headline`` names the figures shown first, in order."""
    runs_a, runs_b = a.runs, b.runs
    same_streams = (
        a.summary.get("seed") == b.summary.get("seed")
        and a.summary.get("replications") == b.summary.get("replications")
        and runs_a is not None
        and runs_b is not None
    )
    metrics_a, metrics_b = a.summary.get("metrics", {}), b.summary.get("metrics", {})
    rows = []
    for metric in _order(set(metrics_a) | set(metrics_b), headline):
        mean_a, low_a, high_a = _ci(metrics_a.get(metric))
        mean_b, low_b, high_b = _ci(metrics_b.get(metric))
        diff, low, high, paired = mean_b - mean_a, math.nan, math.nan, False
        if runs_a is not None and runs_b is not None:
            va = runs_a.loc[runs_a["metric"] == metric].set_index("replication")["value"]
            vb = runs_b.loc[runs_b["metric"] == metric].set_index("replication")["value"]
            if same_streams:
                both = pd.concat({"a": va, "b": vb}, axis=1, join="inner").dropna()
                paired = len(both) > 0
                if paired:
                    diff, low, high = mean_ci(both["b"] - both["a"])
            if not paired:
                diff, low, high = welch_ci(va.to_numpy(), vb.to_numpy())
        if fmt.unit(metric) == "share":
            low, high = max(low, -1.0), min(high, 1.0)
        (low_a, high_a), (low_b, high_b) = _clip(metric, low_a, high_a), _clip(metric, low_b, high_b)
        rows.append([metric, mean_a, low_a, high_a, mean_b, low_b, high_b, diff, low, high, paired,
                     bool(low > 0 or high < 0)])
    table = pd.DataFrame(rows, columns=COLUMNS)
    table.attrs["a"] = f"{a.name} ({a.source})" if a.source else a.name
    table.attrs["b"] = f"{b.name} ({b.source})" if b.source else b.name
    return Comparison(a, b, table, headline)


def load_comparison(dir_a: str | Path, dir_b: str | Path) -> Comparison:
    """Compare two run folders; raises :class:`ResultsError` naming each unreadable file."""
    sides, problems = [], []
    for directory in (dir_a, dir_b):
        try:
            sides.append(Side.from_directory(directory))
        except ResultsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ResultsError(problems)
    return compare_results(*sides)


def compare(dir_a: str | Path, dir_b: str | Path) -> pd.DataFrame:
    """One row per metric found in either run folder: A and B with 95% intervals, and
    B − A (see :data:`COLUMNS`). ``df.attrs`` holds both scenario names."""
    return load_comparison(dir_a, dir_b).table


def comparison_frame(comparison: Comparison) -> pd.DataFrame:
    """The comparison for a spreadsheet: the table with each metric's label, unit,
    whether it is a headline figure, and whether B is better or worse where significant."""
    table = comparison.table.copy()
    table.insert(1, "label", [fmt.metric_label(m) for m in table["metric"]])
    table.insert(2, "unit", [fmt.unit(m) for m in table["metric"]])
    table["headline"] = table["metric"].isin(comparison.headline)
    table["assessment"] = [assessment(m, d, s) for m, d, s in
                           zip(table["metric"], table["difference"], table["significant"], strict=True)]
    return table


def write_comparison_csv(comparison: Comparison, path: str | Path) -> Path:
    """Write :func:`comparison_frame` as CSV to ``path`` atomically; return the path."""
    from itsim.store import atomic_write_text

    path = Path(path)
    atomic_write_text(path, comparison_frame(comparison).to_csv(index=False))
    return path


def assessment(metric: str, difference: float, significant: bool) -> str:
    """For B, where the difference is significant: ``better`` or ``worse`` when the metric
    has a better direction, ``higher`` or ``lower`` when it has none; '' otherwise."""
    if not significant:
        return ""
    sign = direction(metric)
    if sign == 0:
        return "higher" if difference > 0 else "lower"
    return "better" if sign * difference > 0 else "worse"


def scenario_differences(a: Side, b: Side, limit: int = 30) -> list[tuple[str, Any, Any]]:
    """What differs between the two scenarios, as ``(dotted key, A's value, B's value)``;
    lists of tables are keyed by role or name (``team.engineer.count``)."""
    flat_a, flat_b = _flatten(a.scenario), _flatten(b.scenario)
    keys = [k for k in dict.fromkeys([*flat_a, *flat_b]) if flat_a.get(k, _NONE) != flat_b.get(k, _NONE)]
    return [(k, flat_a.get(k), flat_b.get(k)) for k in keys[:limit]]


_NONE = object()


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, dict) and not (prefix and "dist" in data):
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}{key}."))
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        for i, entry in enumerate(data):
            label = entry.get("role") or entry.get("name") or str(i)
            out.update(_flatten(entry, f"{prefix}{label}."))
    else:
        out[prefix.rstrip(".")] = data
    return out
