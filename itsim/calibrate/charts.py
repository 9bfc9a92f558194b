"""Charts of a calibration: observed against fitted, each aggregated before altair sees it.

Arrivals by hour of the week (168 points per series), tickets per week, effort
histograms (40 bins) with the fitted curves, a Q-Q plot (99 quantiles), and
the priority mix with intervals. Builders return None when the data has
nothing to show.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from itsim.calibrate.arrivals import DAYS
from itsim.calibrate.calibration import Calibration
from itsim.calibrate.fitting import DistributionFit
from itsim.report.charts import HEIGHT, WIDTH, Figure, interval_bars, title

OBSERVED = "#444444"
FITTED = "#d62728"
SERIES_COLOURS = {"observed": OBSERVED, "exponential": "#1f77b4", "lognormal": FITTED, "gamma": "#2ca02c",
                  "empirical": "#ff7f0e"}


def arrivals_by_hour(cal: Calibration) -> Figure:
    """Observed and fitted tickets in each hour of an average week."""
    data = cal.arrivals.by_hour_of_week.melt(id_vars="slot", var_name="series", value_name="tickets")
    data["series"] = data["series"].map({"observed": "observed", "fitted": "fitted (day x hour profile)"})
    data["when"] = [f"{DAYS[s // 24][:3]} {s % 24:02d}:00" for s in data["slot"]]
    chart = alt.Chart(data).mark_line(interpolate="step-after").encode(
        x=alt.X("slot:Q", title="Hour of the week (Monday 00:00 = 0)", scale=alt.Scale(domain=[0, 168]),
                axis=alt.Axis(values=list(range(0, 169, 24)), labelExpr=_day_labels())),
        y=alt.Y("tickets:Q", title="Tickets per hour (average week)"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=[FITTED, OBSERVED]),
                        legend=alt.Legend(orient="bottom")),
        strokeWidth=alt.condition(alt.datum.series == "observed", alt.value(1.5), alt.value(2.5)),
        tooltip=[alt.Tooltip("when:N", title="Hour"), alt.Tooltip("series:N", title=""),
                 alt.Tooltip("tickets:Q", title="Tickets per hour", format=".3~r")],
    ).properties(width=WIDTH, height=HEIGHT, title=title(
        "When tickets arrive", f"Average week over {cal.period.text()}, observed and as the scenario's profile"))
    a = cal.arrivals
    return Figure("arrivals_by_hour", chart, (
        f"The fitted line is rate x day factor x hour factor, the form of arrival_profile. Deviance "
        f"{a.deviance:,.0f} on {a.df} degrees of freedom: where the lines part, the week has a shape that a "
        "day x hour product cannot hold (for example a Monday-morning peak of its own)."))


def _day_labels() -> str:
    names = ", ".join(f"'{d[:3]}'" for d in DAYS)
    return f"datum.value < 168 ? [{names}][floor(datum.value / 24)] : ''"


def tickets_per_week(cal: Calibration) -> Figure:
    """Tickets opened per week, with what the rate (and the trend, if any) expects."""
    weeks = cal.arrivals.weekly[cal.arrivals.weekly["days"] > 0].copy()
    scale = np.ones(len(weeks))
    for phase in cal.trend.phases:
        middle = (weeks["week"] - cal.period.origin).dt.days + 3.5
        scale = np.where((middle >= phase["start_day"]) & (middle < phase["end_day"]),
                         phase["incident_rate_scale"], scale)
    weeks["expected"] = cal.arrivals.per_week * weeks["days"] / 7 * scale
    data = weeks.melt(id_vars=["week", "days"], value_vars=["tickets", "expected"], var_name="series",
                      value_name="count")
    data["series"] = data["series"].map({"tickets": "observed", "expected": "fitted rate"})
    chart = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("week:T", title="Week starting"),
        y=alt.Y("count:Q", title="Tickets opened"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["observed", "fitted rate"],
                                                                range=[OBSERVED, FITTED]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("week:T", title="Week of"), alt.Tooltip("series:N", title=""),
                 alt.Tooltip("count:Q", title="Tickets", format=",.0f"),
                 alt.Tooltip("days:Q", title="Days in the period")],
    ).properties(width=WIDTH, height=HEIGHT, title=title(
        "Tickets per week", "Weeks cut by the start or end of the period count only their days inside it"))
    return Figure("tickets_per_week", chart, (
        "Weeks far from the fitted line (holidays, outages, a migration) are what a constant rate cannot "
        "reproduce; the back-test shows how far they fall outside the simulated range."))


def effort_histogram(fit: DistributionFit, name: str, heading: str) -> Figure:
    """Observed effort (bars) and the expected counts of each candidate (lines)."""
    hist = fit.histogram.assign(mid=lambda d: (d["lo"] + d["hi"]) / 2)
    observed = hist[hist["series"] == "observed"]
    curves = hist[hist["series"] != "observed"]
    x = alt.X("lo:Q", title="Effort (working hours)", bin="binned")
    bars = alt.Chart(observed).mark_bar(color="#bbbbbb").encode(
        x=x, x2="hi:Q", y=alt.Y("count:Q", title="Tickets"),
        tooltip=[alt.Tooltip("lo:Q", title="From (h)", format=".3~r"),
                 alt.Tooltip("hi:Q", title="To (h)", format=".3~r"), alt.Tooltip("count:Q", title="Tickets")])
    domain = list(dict.fromkeys(curves["series"]))
    lines = alt.Chart(curves).mark_line(strokeWidth=2.5).encode(
        x="mid:Q", y="count:Q",
        color=alt.Color("series:N", title="Fitted", scale=alt.Scale(
            domain=domain, range=[SERIES_COLOURS[s] for s in domain]), legend=alt.Legend(orient="bottom")),
        strokeDash=alt.condition(alt.datum.series == fit.chosen, alt.value([1, 0]), alt.value([5, 4])),
        tooltip=[alt.Tooltip("series:N", title="Distribution"),
                 alt.Tooltip("count:Q", title="Expected tickets", format=".3~r")])
    chart = (bars + lines).properties(width=WIDTH, height=HEIGHT, title=title(
        heading, f"{fit.n:,} tickets; bars observed, lines fitted (solid: written to the scenario, "
                 f"{fit.chosen}); up to the 99th percentile"))
    return Figure(name, chart, f"Chosen: {fit.chosen}. {fit.reason}.")


def effort_qq(fit: DistributionFit, name: str) -> Figure:
    """Fitted against observed quantiles: on the diagonal, the distribution fits."""
    data = fit.qq
    top = float(max(data["observed"].max(), data["fitted"].replace(np.inf, np.nan).max()))
    diagonal = alt.Chart(pd.DataFrame({"a": [0.0, top], "b": [0.0, top]})).mark_line(
        color="#999999", strokeDash=[4, 4]).encode(x="a:Q", y="b:Q")
    domain = list(dict.fromkeys(data["series"]))
    points = alt.Chart(data).mark_circle(size=36, opacity=0.8).encode(
        x=alt.X("observed:Q", title="Observed quantile (working hours)", scale=alt.Scale(type="sqrt")),
        y=alt.Y("fitted:Q", title="Fitted quantile (working hours)", scale=alt.Scale(type="sqrt")),
        color=alt.Color("series:N", title="Fitted", scale=alt.Scale(
            domain=domain, range=[SERIES_COLOURS[s] for s in domain]), legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("p:Q", title="Quantile", format=".0%"), alt.Tooltip("series:N", title=""),
                 alt.Tooltip("observed:Q", format=".3~r"), alt.Tooltip("fitted:Q", format=".3~r")])
    chart = (diagonal + points).properties(width=WIDTH - 200, height=WIDTH - 200, title=title(
        "Q-Q plot of effort", "Each point a percentile: on the dashed diagonal, the fit matches the data"))
    return Figure(name, chart, f"KS distance of the written distribution: {fit.ks:.3f} (the largest gap "
                               "between the fitted and the observed cumulative share).")


def priority_mix(cal: Calibration) -> Figure | None:
    mix = cal.priorities
    if mix is None:
        return None
    rows = [{"item": f"P{k}", "series": "observed", "mean": c / mix.n, "low": mix.interval(k)[0],
             "high": mix.interval(k)[1]} for k, c in sorted(mix.counts.items())]
    chart = interval_bars(pd.DataFrame(rows), "Share of tickets", ".0%").properties(title=title(
        "Priority mix", f"{mix.n:,} tickets with a priority; whiskers show the 95% interval"))
    return Figure("priority_mix", chart, "P1 is the most urgent class.")


def calibration_charts(cal: Calibration) -> list[Figure]:
    """Every chart of ``calibration.html``, in reading order."""
    figures = [arrivals_by_hour(cal), tickets_per_week(cal), priority_mix(cal)]
    effort = cal.effort
    if effort is not None:
        label = "First-line effort" if cal.escalates else "Effort per ticket"
        figures += [effort_histogram(effort.first_line, "effort", label), effort_qq(effort.first_line, "effort_qq")]
        if effort.extra is not None:
            figures.append(effort_histogram(effort.extra, "escalation_effort", "Extra effort of escalated tickets"))
    return [f for f in figures if f is not None]
