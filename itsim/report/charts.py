"""Charts of one run: where the hours go, backlog, tech debt, money, neglect.

Every builder returns a :class:`Figure`, or None when the run has no data for it
(a scenario without projects has no project backlog): a missing chart is skipped,
never an error. Data reaching altair is already aggregated (a few hundred rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from itsim.report import fmt
from itsim.report.data import RunResults, currency, weekly_bands
from itsim.report.text import debt_caption

WIDTH, HEIGHT, PANEL_WIDTH = 640, 300, 300
HOURS = [
    ("hours.firefighting", "Firefighting (incidents)", "#d62728"),
    ("hours.recurring", "Routine maintenance", "#ff9f1c"),
    ("hours.projects", "Projects", "#1f77b4"),
    ("hours.idle", "Free time (slack)", "#bdbdbd"),
]
MONEY = [(m, fmt.metric_label(m)) for m in fmt.MONEY_METRICS]
# Cost components, and the value of refused requests, left out of charts when zero.
OPTIONAL_COSTS = set(fmt.MONEY_METRICS[1:7]) | {"value_declined", "value_lost_shadow_it"}
BAND_NOTE = "Line: median of the simulated runs; shading: 8 in 10 runs fall inside"
WEEK_AXIS = alt.X("week:Q", title="Week after warm-up", scale=alt.Scale(nice=False))


@dataclass(frozen=True)
class Figure:
    """One chart of the report: a file-safe ``name``, the chart, and a plain-language caption."""

    name: str
    chart: alt.TopLevelMixin
    caption: str


def title(text: str, subtitle: str) -> alt.TitleParams:
    """A left-aligned slide title with a one-line explanation underneath."""
    return alt.TitleParams(text=text, subtitle=subtitle, anchor="start")


def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply the report's look: fonts readable on a slide, no chart border.

    One ``configure`` call rather than one per part: each call copies the whole chart,
    data included, and six copies cost a third of the report's charting time."""
    return chart.configure(
        font="Helvetica, Arial, sans-serif",
        title=alt.TitleConfig(fontSize=20, subtitleFontSize=14, subtitleColor="#555", offset=12),
        axis=alt.AxisConfig(labelFontSize=13, titleFontSize=14, titleFontWeight="normal"),
        legend=alt.LegendConfig(labelFontSize=13, titleFontSize=13, labelLimit=320),
        header=alt.HeaderConfig(labelFontSize=14, titleFontSize=14),
        view=alt.ViewConfig(stroke=None),
    )


def band_line(bands: pd.DataFrame, y_title: str, color: str) -> alt.Chart:
    """Median line over a shaded 10–90% band, by week (``bands`` from :func:`weekly_bands`)."""
    base = alt.Chart(bands).encode(x=WEEK_AXIS)
    # channels as objects, never shorthand strings: altair makes a channel of a string by
    # hashing its whole schema, which cost a third of the report's charting time
    band = base.mark_area(opacity=0.25, color=color).encode(
        y=alt.Y("p10:Q", title=y_title), y2=alt.Y2("p90:Q")
    )
    tips = [alt.Tooltip("week:Q", title="Week"),
            alt.Tooltip("median:Q", title="Median", format=",.3~r"),
            alt.Tooltip("p10:Q", title="10th percentile", format=",.3~r"),
            alt.Tooltip("p90:Q", title="90th percentile", format=",.3~r")]
    line = base.mark_line(color=color, strokeWidth=2.5).encode(y=alt.Y("median:Q"), tooltip=tips)
    return (band + line).properties(width=PANEL_WIDTH, height=HEIGHT - 40)


def side_by_side(panels: list[alt.TopLevelMixin], heading: alt.TitleParams) -> alt.TopLevelMixin:
    """Panels next to each other under one title; a lone panel gets the full width."""
    if len(panels) == 1:
        return panels[0].properties(width=WIDTH, title=heading)
    return alt.hconcat(*panels, spacing=40).properties(title=heading)


def _panels(run: RunResults, specs: list[tuple[str, str, str]]) -> dict[str, alt.Chart]:
    """One band chart per (column, y title, colour) with data; a series that is zero
    throughout (e.g. tech debt when no feedback loop is configured) is left out."""
    bands = weekly_bands(run.timeseries, [column for column, _, _ in specs])
    panels = {}
    for column, y_title, color in specs:
        series = bands[bands["series"] == column]
        if not series.empty and (series[["p10", "median", "p90"]].abs().to_numpy() > 0).any():
            panels[column] = band_line(series, y_title, color)
    return panels


def hours_chart(run: RunResults) -> Figure | None:
    """Stacked weekly person-hours by kind of work (median across replications)."""
    present = [h for h in HOURS if run.timeseries is not None and h[0] in run.timeseries.columns]
    bands = weekly_bands(run.timeseries, [column for column, _, _ in present])
    if bands.empty:
        return None
    order = {column: i for i, (column, _, _) in enumerate(present)}
    names = {column: label for column, label, _ in present}
    data = bands.assign(kind=bands["series"].map(names), order=bands["series"].map(order))
    chart = alt.Chart(data[["week", "kind", "order", "median"]]).mark_area().encode(
        x=WEEK_AXIS,
        y=alt.Y("median:Q", stack="zero", title="Person-hours per week"),
        color=alt.Color("kind:N", title=None, sort=[label for _, label, _ in present],
                        scale=alt.Scale(domain=[label for _, label, _ in present],
                                        range=[c for _, _, c in present]),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("week:Q", title="Week"), alt.Tooltip("kind:N", title="Work"),
                 alt.Tooltip("median:Q", title="Person-hours", format=",.0f")],
    ).properties(width=WIDTH, height=HEIGHT, title=title(
        "Where the team's hours go, week by week",
        "Person-hours per week by kind of work (median of the simulated runs)"))
    return Figure("hours", chart, "Firefighting is served first; what it leaves goes to routine "
                  "maintenance, then to projects. Grey is slack: time free to absorb a surge.")


def backlog_chart(run: RunResults) -> Figure | None:
    """Open work (hours) and project backlog (count) over time, median with 10–90% band."""
    panels = _panels(run, [
        ("open_work_hours", "Open work (person-hours)", "#6a3d9a"),
        ("project_backlog", "Projects waiting or in progress", "#1f77b4"),
    ])
    if not panels:
        return None
    chart = side_by_side(list(panels.values()), title("Is work piling up?", BAND_NOTE))
    return Figure("backlog", chart, "A line that keeps climbing means demand exceeds what the "
                  "team can finish: the queue, and the wait, grow without limit.")


def debt_chart(run: RunResults) -> Figure | None:
    """Tech debt (hours of overdue maintenance) and incident rate per day over time."""
    panels = _panels(run, [
        ("tech_debt_hours", "Tech debt (hours of overdue maintenance)", "#8c564b"),
        ("incident_rate_per_day", "Incidents per day", "#d62728"),
    ])
    if not panels:
        return None
    if "tech_debt_hours" in panels:
        heading = title("Neglect feeds the fires", "Maintenance skipped or done late builds "
                        "tech debt, which raises the incident rate")
        caption = f"{BAND_NOTE}. {debt_caption(run)}"
    else:
        heading = title("How many incidents arrive each day", BAND_NOTE)
        caption = debt_caption(run)
    return Figure("debt", side_by_side(list(panels.values()), heading), caption)


def estimate_rows(run: RunResults, items: list[tuple[str, str]], series: str) -> pd.DataFrame:
    """Mean and 95% interval of each (metric, label) in ``items`` that was measured."""
    rows = []
    for metric, label in items:
        est = run.estimate(metric)
        if est is not None and not (metric in OPTIONAL_COSTS and est.mean == 0):
            rows.append({"item": label, "series": series, "mean": est.mean,
                         "low": est.low, "high": est.high})
    return pd.DataFrame(rows, columns=["item", "series", "mean", "low", "high"])


def interval_bars(data: pd.DataFrame, x_title: str, number_format: str,
                  colour: alt.Color | None = None, order: list[str] | None = None) -> alt.Chart:
    """Horizontal bars of means with 95% interval whiskers, one group per item.

    With ``colour`` (by series, i.e. policy) the bars within an item are offset by
    series, top to bottom in ``order``. Amounts and hours cannot be negative, so
    whiskers stop at 0.
    """
    data = data.assign(low=data["low"].clip(lower=0))
    items = list(dict.fromkeys(data["item"]))
    y = alt.Y("item:N", title=None, sort=items, axis=alt.Axis(labelLimit=320))
    grouped = colour is not None
    by_series: dict = {"color": alt.value("#1f77b4")}
    if grouped:
        by_series = {"color": colour, "yOffset": alt.YOffset("series:N", sort=order)}
    tips = [alt.Tooltip("item:N", title="What"), alt.Tooltip("series:N", title="Policy"),
            alt.Tooltip("mean:Q", title="Mean", format=number_format),
            alt.Tooltip("low:Q", title="95% interval from", format=number_format),
            alt.Tooltip("high:Q", title="95% interval to", format=number_format)]
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(opacity=0.85).encode(
        x=alt.X("mean:Q", title=x_title, axis=alt.Axis(format=number_format)), tooltip=tips,
        **by_series)
    whiskers = base.mark_rule(color="black", strokeWidth=1.5).encode(
        x=alt.X("low:Q"), x2=alt.X2("high:Q"),
        **({"yOffset": alt.YOffset("series:N", sort=order)} if grouped else {}))
    step = 22 if grouped else 40
    rows = len(items) * (data["series"].nunique() if grouped else 1)
    return (bars + whiskers).properties(width=WIDTH - 160, height=max(120, step * rows))


def neglect_items(metrics: list[str]) -> list[tuple[str, str]]:
    """``(metric, label)`` per risk category: security, availability, compliance, other, rest."""
    ranks = {risk: i for i, risk in enumerate(fmt.RISK_LABELS)}

    def risk(metric: str) -> str:
        return metric.split(".", 1)[1]

    ordered = sorted(metrics, key=lambda m: (ranks.get(risk(m), len(ranks)), m))
    return [(m, fmt.RISK_LABELS.get(risk(m), risk(m))) for m in ordered]


def money_axis(scenario: dict) -> str:
    """Axis title for amounts over the simulated period, in the scenario's currency if given."""
    return f"Amount over the simulated period ({currency(scenario) or 'money'})"


def money_chart(run: RunResults) -> Figure | None:
    """What IT costs (by component), cost of delay and value delivered, with 95% CI."""
    data = estimate_rows(run, MONEY, "this run")
    if data.empty:
        return None
    chart = interval_bars(data, money_axis(run.scenario), ",.3~s")
    chart = chart.properties(title=title(
        "What the team costs, and what waiting costs the business",
        "Mean of the simulated runs; whiskers show the 95% interval"))
    return Figure("money", chart, "Cost of delay is the value projects would have earned had "
                  "they been delivered at once: the price of the queue. Requests declined or "
                  "lost to shadow IT carry their value to the end of the period.")


def neglect_chart(run: RunResults) -> Figure | None:
    """Hours of recurring work done late or skipped, by risk category, with 95% CI."""
    data = estimate_rows(run, neglect_items(run.neglect_metrics()), "this run")
    if data.empty:
        return None
    chart = interval_bars(data, "Hours of maintenance done late or skipped", ",.3~r")
    chart = chart.properties(title=title(
        "What is being neglected behind the scenes",
        "Routine maintenance done late or skipped, by risk (mean with 95% interval)"))
    return Figure("neglect", chart, "Skipped patching is a security exposure; skipped backups and "
                  "reviews are availability and compliance risks that stay hidden until they bite; "
                  "systems delivered but not looked after decay.")



RUN_CHARTS = (hours_chart, backlog_chart, debt_chart, money_chart, neglect_chart)
"""Builders of the run charts, in reading order."""
