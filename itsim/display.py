"""How result objects show themselves: a short ``repr`` for the terminal and a small
HTML card for notebooks (``_repr_html_``), in the report's words and colours.

Each shows the headline figures (those of the run report) with their 95% intervals,
and the verdict: for many replications the status with the probability of being too
busy and its interval; for one replication whether it broke a target and which; for
a sweep, per policy, where it tips. Everything else is one method away, and the
display says which.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from itsim.report import fmt
from itsim.report.fmt import STATUS_COLOURS
from itsim.report.text import KPI_FALLBACK, KPI_METRICS

if TYPE_CHECKING:  # pragma: no cover
    from itsim.experiment import Replicated, Run
    from itsim.sweep import Sweep

_GREY = "#555"
_STYLE = "font-family: system-ui, sans-serif; font-size: 13px; line-height: 1.4; max-width: 52em"


def headline_metrics(metrics: dict[str, Any]) -> list[str]:
    """The run report's key figures that ``metrics`` holds, in the report's order."""
    names = []
    for name in KPI_METRICS:
        if name not in metrics and KPI_FALLBACK.get(name) in metrics:
            name = KPI_FALLBACK[name]
        if name in metrics and _finite(_mean(metrics[name])):
            names.append(name)
    return names


def _mean(entry: Any) -> float | None:
    return entry.get("mean") if isinstance(entry, dict) else entry


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def _currency(scenario) -> str:
    return scenario.costs.currency if scenario is not None else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# -- one replication ------------------------------------------------------------------------


def _run_verdict(run: Run) -> tuple[str, list[str], str]:
    """(sentence, reasons, colour) of one replication."""
    reasons = [r["text"] for r in run.too_busy.get("reasons", [])]
    if run.too_busy.get("verdict"):
        return f"Broke {_plural(len(reasons), 'target')}", reasons, STATUS_COLOURS["too_busy"]
    return "Met every target", [], STATUS_COLOURS["healthy"]


def run_repr(run: Run) -> str:
    """``<Run 'name' replication 0 (seed 1), 30 days: met every target; figures...>``."""
    currency = _currency(run.scenario)
    sentence, reasons, _ = _run_verdict(run)
    codes = [r["code"] for r in run.too_busy.get("reasons", [])]
    figures = ", ".join(f"{fmt.metric_label(m).lower()} {fmt.value(m, run.metrics[m], currency)}"
                        for m in headline_metrics(run.metrics))
    return (f"<Run {run.scenario.name!r} replication {run.replication} (seed {run.seed}), "
            f"{run.scenario.scenario.horizon_days} days: {sentence.lower()}"
            + (f" ({', '.join(codes)})" if codes else "") + (f"; {figures}" if figures else "") + ">")


def run_html(run: Run) -> str:
    currency = _currency(run.scenario)
    sentence, reasons, colour = _run_verdict(run)
    rows = [(fmt.metric_label(m), fmt.value(m, run.metrics[m], currency), "") for m in headline_metrics(run.metrics)]
    title = (f"Run of {run.scenario.name!r}: replication {run.replication}, seed {run.seed}, "
             f"{run.scenario.scenario.horizon_days} days")
    return _card(title, _box(sentence, colour), reasons, rows,
                 "One replication: no intervals. <code>.metrics</code>, <code>.events</code>, "
                 "<code>.projects</code>, <code>.timeseries</code>; <code>itsim.replicate</code> for many.")


# -- many replications ----------------------------------------------------------------------


def _status(block: dict) -> tuple[str, str]:
    """(sentence, colour) of the summary's ``too_busy`` block."""
    state = block.get("status")
    sentence = fmt.verdict_sentence(state, block.get("probability"), block.get("ci95"))
    return sentence, STATUS_COLOURS.get(state, _GREY)


def _summary_rows(summary: dict, currency: str) -> list[tuple[str, str, str]]:
    metrics = summary.get("metrics", {})
    rows = []
    for m in headline_metrics(metrics):
        entry = metrics[m]
        low, high = entry.get("ci95") or (None, None)
        low, high = (math.nan if low is None else low), (math.nan if high is None else high)
        rows.append((fmt.metric_label(m), fmt.value(m, entry["mean"], currency),
                     fmt.value_range(m, low, high, currency)))
    return rows


def _describe(summary: dict) -> str:
    policy = summary.get("policy")
    policy = "+".join(policy) if isinstance(policy, list) else policy
    text = (f"{summary.get('scenario')!r}: {_plural(int(summary.get('replications', 0)), 'replication')} "
            f"of {summary.get('horizon_days')} days (seed {summary.get('seed')})")
    return text + (f", policy {policy}" if policy else "")


def replicated_repr(result: Replicated) -> str:
    s = result.summary
    sentence, _ = _status(s.get("too_busy", {}))
    rows = _summary_rows(s, _currency(result.scenario))
    width = max((len(label) for label, _, _ in rows), default=0)
    lines = [f"<Replicated {_describe(s)}", f"  {sentence}"]
    lines += [f"  {label:<{width}}  {value}" + (f"  ({interval})" if interval else "")
              for label, value, interval in rows]
    lines.append(f"  .summary_frame(): all {len(s.get('metrics', {}))} metrics with 95% intervals>")
    return "\n".join(lines)


def replicated_html(result: Replicated) -> str:
    s = result.summary
    block = s.get("too_busy", {})
    sentence, colour = _status(block)
    return _card(f"Replicated {_describe(s)}", _box(sentence, colour), list(block.get("reasons", [])),
                 _summary_rows(s, _currency(result.scenario)),
                 f"{len(s.get('metrics', {}))} metrics: <code>.summary_frame()</code>; per replication: "
                 "<code>.runs</code>; weekly: <code>.timeseries</code>.")


# -- sweeps -----------------------------------------------------------------------------------


def _sweep_title(grid: Sweep) -> str:
    shape = " × ".join([f"{_plural(len(v), 'value')} of {k}" for k, v in grid.vary.items()]
                       + [_plural(len(grid.policies), "policy").replace("policys", "policies")])
    done = sum(c.done for c in grid.cells)
    failed = len(grid.failed)
    per_cell = (f"adaptive, {grid.first_look} to {grid.replications} replications per cell "
                f"({grid.replications_run} in all)" if grid.adaptive
                else f"{_plural(grid.replications, 'replication')} per cell")
    text = f"{grid.scenario.name!r}: {shape}, {per_cell} (seed {grid.seed}); {done} of {len(grid.cells)} cells done"
    return text + (f", {failed} failed" if failed else "")


def _tipping(grid: Sweep) -> dict[str, dict]:
    try:
        return grid.too_busy_point()
    except ValueError:  # nothing numeric was varied
        return {}


def sweep_repr(grid: Sweep) -> str:
    from itsim.narrative import tipping_sentence

    lines = [f"<Sweep {_sweep_title(grid)}"]
    for name, entry in _tipping(grid).items():
        lines.append(f"  {name}: {tipping_sentence(entry, grid.vary[entry['varied']])}")
    lines.append("  .too_busy_frame(), .table>")
    return "\n".join(lines)


def sweep_html(grid: Sweep) -> str:
    from itsim.narrative import level_statuses, tipping_sentence

    points = _tipping(grid)
    rows = []
    for name, entry in points.items():
        levels = " ".join(
            f'<span style="color:{STATUS_COLOURS.get(state, _GREY)}">{html.escape(text)}</span>'
            for text, state in level_statuses(entry))
        rows.append(f"<tr><td>{html.escape(fmt.policy_label(name))}</td>"
                    f"<td>{html.escape(tipping_sentence(entry, grid.vary[entry['varied']]))}</td>"
                    f"<td>{levels}</td></tr>")
    table = ("<table><tr><th>policy</th><th>where it tips</th><th>replications that broke a target, by level</th>"
             "</tr>" + "".join(rows) + "</table>") if rows else ""
    return (f'<div style="{_STYLE}"><strong>Sweep {html.escape(_sweep_title(grid))}</strong>{table}'
            f'<p style="color:{_GREY}">Tipping points as a table: <code>.too_busy_frame()</code>; every '
            "replication and metric: <code>.table</code>.</p></div>")


# -- HTML pieces ------------------------------------------------------------------------------


def _box(sentence: str, colour: str) -> str:
    return (f'<div style="border-left: 6px solid {colour}; padding: 4px 10px; margin: 6px 0">'
            f"<strong>{html.escape(sentence)}</strong></div>")


def _card(title: str, box: str, reasons: list[str], rows: list[tuple[str, str, str]], footer: str) -> str:
    why = ("<ul>" + "".join(f"<li>{html.escape(r)}</li>" for r in reasons) + "</ul>") if reasons else ""
    body = "".join(f"<tr><td>{html.escape(a)}</td><td style='text-align:right'>{html.escape(b)}</td>"
                   f"<td>{html.escape(c)}</td></tr>" for a, b, c in rows)
    table = (f"<table><tr><th>figure</th><th>mean</th><th>95% interval</th></tr>{body}</table>" if rows else "")
    return (f'<div style="{_STYLE}"><strong>{html.escape(title)}</strong>{box}{why}{table}'
            f'<p style="color:{_GREY}">{footer}</p></div>')
