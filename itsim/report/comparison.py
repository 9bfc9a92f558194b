"""A comparison in words: each row's figures in business units, and the terminal table.

Every time in a row (A, B, B − A and their intervals) is in one unit, the one
that suits the larger of the two values, so the figures can be compared at a
glance; money carries the scenario's currency; shares are percentages and
their differences percentage points.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from itsim.compare import Comparison, SideVerdict, assessment, scenario_differences
from itsim.report import fmt


@dataclass(frozen=True)
class RowText:
    """One metric of a comparison as display text."""

    metric: str
    label: str
    a: str
    a_range: str
    b: str
    b_range: str
    difference: str
    difference_range: str
    paired: bool
    significant: bool
    """The difference's interval excludes 0 and the difference shows at the row's precision."""
    assessment: str
    """``better`` or ``worse`` for B, ``higher`` or ``lower`` where neither is better, or ''
    when the difference is not significant."""


def _time_unit(metric: str, *values: float) -> str | None:
    finite = [abs(x) for x in values if math.isfinite(x)]
    if fmt.unit(metric) != "duration" or not finite:
        return None
    return fmt.duration_unit(fmt.in_hours(metric, max(finite)))


def _decimals(metric: str, time_unit: str | None, *values: float) -> int | None:
    """One precision for a row of times, hours or counts: three figures of the larger
    value (two for times), at most two decimals. B − A and its interval get two figures
    of the largest of them, within the same two decimals (a difference too small to show
    reads as 0 and is not marked)."""
    finite = [abs(x) for x in values if math.isfinite(x)]
    if fmt.unit(metric) in ("share", "money") or not finite:
        return None
    digits = 2 if time_unit is not None else 3
    return min(2, fmt.decimals_for(_shown_as(metric, time_unit, max(finite)), digits))


def _shown_as(metric: str, time_unit: str | None, x: float) -> float:
    """``x`` in the unit it is shown in (a time in ``time_unit``)."""
    return x if time_unit is None else fmt.in_hours(metric, x) / fmt.TIME_UNITS[time_unit]


def _range(value: str, low: str, high: str) -> str:
    """An interval's text, its unit written once (``3.9 to 6.5 weeks``), or '' when it
    says nothing more than the value."""
    if low == high == value:
        return ""
    number, _, unit = low.partition(" ")
    if unit and high.endswith(" " + unit):
        return f"{number} to {high}"
    return f"{low} to {high}"


def row_text(comparison: Comparison, metric: str) -> RowText:
    """The figures of ``metric`` in A, B and B − A, with their 95% intervals, as text."""
    r = comparison.row(metric)
    money, tu = comparison.currency, _time_unit(metric, r.mean_a, r.mean_b)
    dp = _decimals(metric, tu, r.mean_a, r.mean_b)

    def shown(x: float) -> str:
        return fmt.value(metric, x, money, tu, dp)

    spread = [abs(x) for x in (r.difference, r.diff_ci_low, r.diff_ci_high) if math.isfinite(x) and x]
    if dp is not None and spread:
        dp_diff = min(2, max(dp, fmt.decimals_for(_shown_as(metric, tu, max(spread)), 2)))
    else:
        dp_diff = dp

    def change(x: float) -> str:
        return fmt.difference(metric, x, money, tu, dp_diff)

    def interval(value: str, low: float, high: float, text) -> str:
        return _range(value, text(low), text(high)) if math.isfinite(low) and math.isfinite(high) else ""

    a, b, diff = shown(r.mean_a), shown(r.mean_b), change(r.difference)
    significant = bool(r.significant) and any(c in "123456789" for c in diff)
    return RowText(
        metric=metric,
        label=fmt.metric_label(metric),
        a=a,
        a_range=interval(a, r.ci_low_a, r.ci_high_a, shown),
        b=b,
        b_range=interval(b, r.ci_low_b, r.ci_high_b, shown),
        difference=diff,
        difference_range=interval(diff, r.diff_ci_low, r.diff_ci_high, change),
        paired=bool(r.paired),
        significant=significant,
        assessment=assessment(metric, r.difference, significant),
    )


def comparison_rows(comparison: Comparison, all_metrics: bool = False) -> list[RowText]:
    """The headline rows in the run report's order; with ``all_metrics``, every other after."""
    metrics = comparison.headline_metrics + (comparison.other_metrics if all_metrics else [])
    return [row_text(comparison, m) for m in metrics]


def verdict_text(verdict: SideVerdict) -> str:
    """``At risk: 50% chance of being too busy (95% interval 24% to 76%)``."""
    return fmt.verdict_sentence(verdict.status, verdict.probability, verdict.ci95)


def pairing_note(comparison: Comparison) -> str:
    """How B − A was worked out, in a sentence."""
    if comparison.paired:
        return ("B − A is paired run by run: both used the same seed, so each simulated run of B "
                "faced the same demand as the matching run of A (common random numbers).")
    return ("B − A compares independent runs (different seeds or run counts), so its intervals "
            "are wider than a paired comparison's (Welch).")


def change_lines(comparison: Comparison, limit: int = 12) -> list[str]:
    """What differs between the two scenarios, one ``key: A → B`` line each."""
    diffs = scenario_differences(comparison.a, comparison.b)
    lines = [f"{key}: {_plain(a)} → {_plain(b)}" for key, a, b in diffs[:limit]]
    if len(diffs) > limit:
        lines.append(f"and {fmt.plural(len(diffs) - limit, 'more difference')}")
    return lines


def _plain(value: object) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} {_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return fmt.number(value, 6)
    return str(value)


_MARKS = {"better": "green", "worse": "red"}


def format_comparison(comparison: Comparison, all_metrics: bool = False, width: int = 120,
                      colour: bool = False) -> str:
    """The comparison for a terminal: each side's verdict, what differs between the
    scenarios, and a table of the headline figures (every metric with ``all_metrics``).

    A difference marked ``*`` has a 95% interval that excludes zero; ``colour`` adds the
    verdict colours and green/red for better/worse.
    """
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=colour, color_system="truecolor" if colour else None,
                      highlight=False)
    for tag, side, verdict in (("A", comparison.a, comparison.verdict_a), ("B", comparison.b, comparison.verdict_b)):
        where = f" ({side.source})" if side.source else ""
        line = Text.assemble((f"{tag}  ", "bold"), f"{side.name}{where}: ")
        line.append(verdict_text(verdict), style=fmt.STATUS_COLOURS.get(str(verdict.status), ""))
        console.print(line, soft_wrap=True)
    changes = change_lines(comparison, limit=8)
    if changes:
        console.print("What differs (A → B): " + "; ".join(changes), markup=False, soft_wrap=True)
    table = Table(expand=False)
    table.add_column("Measure", max_width=40)
    for name in ("A", "B", "B − A"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for row in comparison_rows(comparison, all_metrics):
        mark = Text(("* " if row.significant else "") + row.assessment, style=_MARKS.get(row.assessment, ""))
        table.add_row(
            Text(row.label),
            _cell(row.a, row.a_range),
            _cell(row.b, row.b_range),
            _cell(row.difference, row.difference_range),
            mark,
        )
    console.print(table)
    console.print(_notes(comparison, all_metrics), soft_wrap=True)
    return out.getvalue()


def _cell(value: str, interval: str) -> Text:
    text = Text(value)
    if interval:
        text.append("\n" + interval, style="dim")
    return text


def _notes(comparison: Comparison, all_metrics: bool) -> str:
    parts = ["Means over the simulated runs; below each, its 95% interval (kept within what the "
             "quantity can be). * marks a difference whose interval excludes 0.", pairing_note(comparison)]
    hidden = len(comparison.other_metrics)
    if hidden and not all_metrics:
        parts.append(f"{fmt.plural(hidden, 'more measure')} with --all.")
    return " ".join(parts)
