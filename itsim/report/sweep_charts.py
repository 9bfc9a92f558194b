"""Charts of a sweep: how each policy fares along the varied key, and where it tips.

Each point is a mean over replications with a 95% Student-t interval (shaded);
money and neglect are compared at today's level (the level nearest the middle of
the range for keys other than demand). Axes and captions name the varied key in
words (``Engineers (people)``); integer keys keep integer ticks.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from itsim import narrative
from itsim.report import fmt
from itsim.report.charts import (
    HEIGHT,
    HOURS,
    MONEY,
    OPTIONAL_COSTS,
    PANEL_WIDTH,
    Figure,
    interval_bars,
    money_axis,
    neglect_items,
    side_by_side,
    title,
)
from itsim.report.data import SweepResults, neglect_prefix, series_labels, series_order, sweep_estimates
from itsim.stats import mean_ci

INTERVAL_NOTE = "Line: mean of the simulated runs; shading: 95% interval"
PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#9d755d", "#e45756", "#72b7b2",
           "#eeca3b", "#ff9da6", "#bab0ac"]


def series_colour(sweep: SweepResults, symbol: str = "stroke") -> alt.Color:
    """The same colour for the same policy in every chart, in the order the sweep lists them.

    ``symbol`` is the legend's symbol: ``stroke`` for lines, ``square`` for bars.
    """
    domain = series_order(sweep)
    scale = alt.Scale(domain=domain, range=[PALETTE[i % len(PALETTE)] for i in range(len(domain))])
    style = alt.Legend(orient="bottom", columns=min(3, len(domain)), symbolOpacity=1,
                       symbolType=symbol, symbolStrokeWidth=4, symbolSize=300)
    return alt.Color("series:N", title=None, scale=scale, legend=style)


def _integer_key(sweep: SweepResults) -> bool:
    return all(float(x).is_integer() for x in sweep.x_values) and sweep.x_key != "demand_scale"


def _x(sweep: SweepResults) -> alt.X:
    axis = alt.Axis(format="d", tickMinStep=1) if _integer_key(sweep) else alt.Axis()
    return alt.X("x:Q", title=narrative.axis_title(sweep.x_key), axis=axis,
                 scale=alt.Scale(zero=False, nice=False))


def _rising(sweep: SweepResults) -> str:
    """``as demand rises``, ``as engineers are added``."""
    words = narrative.key_words(sweep.x_key)
    if sweep.x_key.startswith("team."):
        return f"as {words} are added"
    return f"as {words} rises"


def tipping_points(sweep: SweepResults) -> pd.DataFrame:
    """Too-busy point and its interval per series (policy), inside the range tested; an
    interval end left open (many resamples never tip) is drawn to the end of the range."""
    low_end, high_end = min(sweep.x_values), max(sweep.x_values)
    rows = []
    for policy, entry in sweep.too_busy.items():
        if not isinstance(entry, dict) or entry.get("point") is None:
            continue
        if entry.get("kind") in ("below_range", "above_range"):
            continue  # too busy at every level tested: no boundary to draw
        point = float(entry["point"])
        low, high = entry.get("ci95") or (point, point)
        rows.append({"series": fmt.policy_label(policy), "point": point,
                     "low": low_end if low is None else float(low),
                     "high": high_end if high is None else float(high)})
    return pd.DataFrame(rows, columns=["series", "point", "low", "high"])


def _line_panel(sweep: SweepResults, metric: str, y_title: str, scale: float = 1.0,
                marks: pd.DataFrame | None = None) -> alt.LayerChart | None:
    est = sweep_estimates(sweep, metric)
    if est.empty or not (est[["mean", "high"]].fillna(0).abs().to_numpy() > 0).any():
        return None  # not measured, or zero throughout (e.g. no feedback loop configured)
    est[["mean", "low", "high"]] = est[["mean", "low", "high"]] * scale
    colour = series_colour(sweep)
    base = alt.Chart(est).encode(x=_x(sweep), color=colour)
    tips = [alt.Tooltip("series:N", title="Policy"), alt.Tooltip("x:Q", title="Level"),
            alt.Tooltip("mean:Q", title="Mean", format=",.1f"),
            alt.Tooltip("low:Q", title="95% interval from", format=",.1f"),
            alt.Tooltip("high:Q", title="95% interval to", format=",.1f")]
    layers = [  # channels as objects, not strings: see charts.band_line
        base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title=y_title), y2=alt.Y2("high:Q")),
        base.mark_line(strokeWidth=2.5).encode(y=alt.Y("mean:Q")),
        base.mark_point(filled=True, size=50).encode(y=alt.Y("mean:Q"), tooltip=tips),
    ]
    if marks is not None and not marks.empty:
        tb = alt.Chart(marks).encode(color=colour)
        layers += [
            tb.mark_rect(opacity=0.08).encode(x=alt.X("low:Q"), x2=alt.X2("high:Q")),
            tb.mark_rule(strokeDash=[6, 4], strokeWidth=2).encode(
                x=alt.X("point:Q"), tooltip=[alt.Tooltip("series:N", title="Policy"),
                                      alt.Tooltip("point:Q", title="Tips into too busy at")]),
        ]
    return alt.layer(*layers).properties(width=PANEL_WIDTH, height=HEIGHT - 20)


def hockey_stick_chart(sweep: SweepResults) -> Figure | None:
    """Project lead time (weeks) and incident wait (hours) against the swept demand, per policy."""
    marks = tipping_points(sweep)
    panels = [p for p in (
        _line_panel(sweep, "project_lead_time_days", "Time from request to delivery (weeks)",
                    1 / 7, marks),
        _line_panel(sweep, "incident_wait_hours", "Wait before an incident is picked up (hours)",
                    1.0, marks),
    ) if p is not None]
    if not panels:
        return None
    if sweep.x_key == "demand_scale":
        heading = "The hockey stick: waiting explodes past the tipping point"
        caption = ("Waiting grows slowly, then suddenly: a little more demand past the dashed line "
                   "costs far more delay than the same increase below it.")
    else:
        heading = f"Waiting {_rising(sweep)}"
        caption = (f"How long the business and users wait {_rising(sweep)}; the dashed line marks "
                   "where each policy's status changes to or from too busy.")
    chart = side_by_side(panels, title(
        heading, f"{INTERVAL_NOTE}; dashed line: where each policy's status changes to or from 'too busy'"))
    return Figure("hockey_stick", chart, caption)


def hours_share_chart(sweep: SweepResults) -> Figure | None:
    """Mean share of hours by kind of work against demand, one small panel per policy."""
    frames = []
    for i, (column, label, _) in enumerate(HOURS):
        est = sweep_estimates(sweep, column.replace("hours.", "hours_share."))
        frames.append(est.assign(kind=label, order=i))
    data = pd.concat(frames, ignore_index=True)
    if data.empty:
        return None
    kinds = [label for _, label, _ in HOURS if label in set(data["kind"])]
    colours = [c for _, label, c in HOURS if label in kinds]
    chart = alt.Chart(data[["x", "series", "kind", "order", "mean"]]).mark_area().encode(
        x=_x(sweep),
        y=alt.Y("mean:Q", stack="zero", title="Share of hours", axis=alt.Axis(format="%")),
        color=alt.Color("kind:N", title=None, sort=kinds,
                        scale=alt.Scale(domain=kinds, range=colours),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("series:N", title="Policy"), alt.Tooltip("kind:N", title="Work"),
                 alt.Tooltip("x:Q", title="Level"),
                 alt.Tooltip("mean:Q", title="Share of hours", format=".0%")],
    ).properties(width=220, height=200).facet(
        facet=alt.Facet("series:N", title=None, sort=series_order(sweep)), columns=3
    ).properties(title=title(f"Where the hours go {_rising(sweep)}",
                             "Mean share of the team's hours by kind of work, per policy"))
    caption = ("As demand rises, firefighting takes a larger share and squeezes out maintenance "
               "and projects first." if sweep.x_key == "demand_scale" else
               f"The share of the team's hours by kind of work {_rising(sweep)}.")
    return Figure("hours", chart, caption)


def _pair(sweep: SweepResults, name: str, specs: list[tuple[str, str]], heading: str,
          caption: str) -> Figure | None:
    panels = [p for p in (_line_panel(sweep, metric, y_title) for metric, y_title in specs)
              if p is not None]
    if not panels:
        return None
    chart = side_by_side(panels, title(heading, INTERVAL_NOTE))
    return Figure(name, chart, caption)


def backlog_chart(sweep: SweepResults) -> Figure | None:
    """Open work and project backlog at the end of the period against demand."""
    return _pair(sweep, "backlog", [
        ("open_work_hours_end", "Open work at the end (person-hours)"),
        ("project_backlog_end", "Projects waiting or in progress at the end"),
    ], "Work left open at the end of the period",
        "Past the tipping point the queue no longer drains: what is left open keeps growing.")


def debt_chart(sweep: SweepResults) -> Figure | None:
    """Tech debt and major security incidents against demand."""
    return _pair(sweep, "debt", [
        ("tech_debt_hours_end", "Tech debt at the end (hours of overdue maintenance)"),
        ("security_incidents", "Major security incidents"),
    ], f"Neglect {_rising(sweep)}",
        "Maintenance skipped under pressure returns as tech debt and security exposure.")


def _at_reference(sweep: SweepResults, items: list[tuple[str, str]]) -> pd.DataFrame:
    ref = sweep.reference_x
    table = sweep.table
    at_ref = table.loc[pd.to_numeric(table[sweep.x_key], errors="coerce") == ref]
    labelled = at_ref.assign(series=series_labels(sweep, at_ref))
    rows = []
    for metric, label in items:
        for series, group in labelled.loc[labelled["metric"] == metric].groupby("series"):
            mean, low, high = mean_ci(group["value"])
            rows.append({"item": label, "series": series, "mean": mean, "low": low, "high": high})
    return pd.DataFrame(rows, columns=["item", "series", "mean", "low", "high"]).dropna(
        subset=["mean"])


def _level_text(sweep: SweepResults) -> str:
    return narrative.level_words(sweep.x_key, sweep.reference_x)


def money_chart(sweep: SweepResults) -> Figure | None:
    """What IT costs, cost of delay and value delivered, per policy at today's demand."""
    data = _at_reference(sweep, MONEY)
    shown = data.groupby("item")["mean"].transform(lambda m: (m != 0).any())
    optional = data["item"].isin([fmt.metric_label(m) for m in OPTIONAL_COSTS])
    data = data.loc[shown | ~optional]
    if data.empty:
        return None
    chart = interval_bars(data, money_axis(sweep.scenario), ",.3~s",
                          series_colour(sweep, "square"), series_order(sweep))
    chart = chart.properties(title=title(
        "What each policy costs, and what waiting costs the business",
        f"At {_level_text(sweep)}; mean of the simulated runs with 95% interval"))
    return Figure("money", chart, "Cost of delay is the value projects would have earned had "
                  "they been delivered at once: the price of the queue.")


def neglect_chart(sweep: SweepResults) -> Figure | None:
    """Recurring work done late or skipped, by risk category, per policy at today's demand."""
    names = [str(m) for m in sweep.table["metric"].unique()]
    prefix = neglect_prefix(names)
    metrics = sorted(m for m in names if m.startswith(prefix))
    data = _at_reference(sweep, neglect_items(metrics))
    if data.empty:
        return None
    chart = interval_bars(data, "Hours of maintenance done late or skipped", ",.3~r",
                          series_colour(sweep, "square"), series_order(sweep))
    chart = chart.properties(title=title(
        "What each policy neglects behind the scenes",
        f"At {_level_text(sweep)}; routine maintenance late or skipped, by risk"))
    return Figure("neglect", chart, "A policy that protects maintenance keeps these bars short "
                  "even when the team is stretched.")



SWEEP_CHARTS = (hockey_stick_chart, hours_share_chart, backlog_chart, debt_chart, money_chart,
                neglect_chart)
"""Builders of the sweep charts, in reading order."""
