"""``sensitivity.html``: which assumptions drive the answer, in the run report's style.

A tornado chart per result (each factor from its low to its high end, the others
central), the ranking with the method's indices, and the words naming the
assumptions to pin down first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from itsim.report import fmt
from itsim.report.assumptions import Table, assumption_tables
from itsim.report.charts import WIDTH, finish, title
from itsim.report.data import read_toml
from itsim.report.export import export_images, write_atomic
from itsim.report.page import ChartBlock, Page, render
from itsim.report.text import Verdict
from itsim.sensitivity import OUTPUTS, label, pin_down_first

AXES = {
    "too_busy": ("Chance of being too busy", "%"),
    "project_lead_time_days": ("Time to value (days)", ",.0f"),
    "cost_total": ("Cost", "~s"),
}


def tornado_chart(result: dict[str, Any]) -> alt.TopLevelMixin | None:
    """One panel per result that moves: a bar per factor from its value at the factor's low
    end to its high end, most important factor on top; the rule is the central value."""
    order = [label(k) for k in result["ranking"]]
    panels = []
    for name, (axis_title, fmt_code) in AXES.items():
        rows = []
        for key in result["ranking"]:
            lo, hi = result["tornado"][key][name]
            if lo is not None and hi is not None:
                rows.append({"factor": label(key), "low": lo, "high": hi,
                             "end": "higher at the high end" if hi >= lo else "lower at the high end"})
        base = result["base"][name]
        if not rows or all(r["low"] == r["high"] for r in rows) or base is None:
            continue
        data = pd.DataFrame(rows)
        x = alt.X("low:Q", title=axis_title, axis=alt.Axis(format=fmt_code), scale=alt.Scale(zero=False))
        bars = alt.Chart(data).mark_bar(height=14).encode(
            y=alt.Y("factor:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            x=x, x2="high:Q",
            color=alt.Color("end:N", title=None, scale=alt.Scale(
                domain=["higher at the high end", "lower at the high end"], range=["#d62728", "#1f77b4"]),
                legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("factor:N", title="Assumption"),
                     alt.Tooltip("low:Q", title="At its low end", format=fmt_code),
                     alt.Tooltip("high:Q", title="At its high end", format=fmt_code)],
        )
        rule = alt.Chart(pd.DataFrame({"base": [base]})).mark_rule(color="#555").encode(x="base:Q")
        panels.append((bars + rule).properties(width=WIDTH - 280, height=22 * len(rows), title=axis_title))
    if not panels:
        return None
    chart = alt.vconcat(*panels, spacing=30) if len(panels) > 1 else panels[0]
    return chart.properties(title=title("Which assumptions move the answer",
                                        "Each bar: the result with one assumption at its low and its high end, "
                                        "the others at their central value"))


def _ranking_table(result: dict[str, Any]) -> Table:
    index_name = "mu*" if result["method"] == "morris" else "total-order index"
    rows = []
    for key in result["ranking"]:
        f = next(x for x in result["factors"] if x["key"] == key)
        cells = [label(key), f"{fmt.number(f['low'])} to {fmt.number(f['high'])}"]
        for name in OUTPUTS:
            entry = result["indices"][name][key]
            cells.append(f"{entry['index']:.2f} ± {entry['conf']:.2f}")
        rows.append(cells)
    return Table(f"Assumptions ranked ({result['method']}: {index_name}, 95% half-width)",
                 ["Assumption", "Range", *(OUTPUTS[n].capitalize() for n in OUTPUTS)], rows,
                 "Ranked by the effect on the chance of being too busy, then time to value, then cost.")


def _methods(result: dict[str, Any]) -> list[str]:
    how = ("Morris elementary effects: each trajectory moves one assumption at a time across four levels of its "
           "range; mu* is the mean absolute effect, scaled so the largest is 1."
           if result["method"] == "morris" else
           "Sobol' indices from Saltelli's sampling: the total-order index is the share of a result's variance "
           "that an assumption takes part in, alone or with others.")
    source = ("the beliefs written in the scenario (their 0.1% to 99.9% range for unbounded ones)"
              if result["spread"] is None else
              f"±{fmt.percent(result['spread'])} around the numbers a leader usually has to guess")
    return [
        f"The assumptions varied are {source}. {how} Computed with SALib.",
        f"Every point of the design was simulated {result['replications']} times with the same random numbers "
        f"(common random numbers), {result['runs']:,} runs in all, so differences between points come from the "
        "assumptions, not from chance.",
        "The tornado chart runs each assumption alone at its low and high end, the others at their central value.",
    ]


def write_sensitivity_report(directory: str | Path) -> Path:
    """Write ``sensitivity.html`` (and ``charts/tornado.png|svg``) from ``sensitivity.json``."""
    directory = Path(directory)
    result = json.loads((directory / "sensitivity.json").read_text(encoding="utf-8"))
    words = pin_down_first(result)
    charts, problems = [], list(result.get("notes", []))
    chart = tornado_chart(result)
    if chart is not None:
        spec = finish(chart).to_dict()
        images, failed = export_images("tornado", spec, directory / "charts")
        problems.extend(failed)
        charts.append(ChartBlock("tornado", spec, "Longest bars first: the assumptions worth pinning down.", images))
    page = Page(
        title=f"{result['scenario']}: which assumptions matter most",
        subtitle=f"{len(result['factors'])} assumptions, {result['method']} method, {result['runs']:,} simulated runs.",
        headline=words[:1],
        verdict=Verdict(None, "What to pin down first", " ".join(words[1:])),
        kpis=[],
        charts=charts,
        tables=[_ranking_table(result), *assumption_tables(read_toml(directory / "scenario.toml"))],
        methods=_methods(result),
        problems=problems,
    )
    path = directory / "sensitivity.html"
    write_atomic(path, render(page))
    return path
