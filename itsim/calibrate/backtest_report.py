"""``backtest.html`` and ``backtest.json``: observed against the simulated 95% band.

Same look as the run report. Charts: tickets per week and open tickets at each
week's end (observed line over the simulated band), resolution-time quantiles
per priority (observed point, simulated band as a whisker).
"""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pandas as pd

from itsim.calibrate.backtest import Backtest
from itsim.calibrate.report import _finite
from itsim.report.assumptions import Table
from itsim.report.charts import HEIGHT, WIDTH, Figure, finish, title
from itsim.report.export import write_atomic
from itsim.report.page import ChartBlock, _chart, _e, _table, document

BAND_COLOUR = "#1f77b4"
OBSERVED = "#222222"


def _band_chart(data: pd.DataFrame, x: str, x_title: str, y_title: str) -> alt.LayerChart:
    base = alt.Chart(data).encode(x=alt.X(f"{x}:T", title=x_title))
    band = base.mark_area(opacity=0.25, color=BAND_COLOUR).encode(y=alt.Y("low:Q", title=y_title), y2="high:Q")
    median = base.mark_line(color=BAND_COLOUR, strokeDash=[5, 4]).encode(y="median:Q")
    tips = [alt.Tooltip(f"{x}:T", title="Week"), alt.Tooltip("observed:Q", title="Observed", format=",.0f"),
            alt.Tooltip("median:Q", title="Simulated median", format=",.0f"),
            alt.Tooltip("low:Q", title="Band from", format=",.0f"),
            alt.Tooltip("high:Q", title="Band to", format=",.0f")]
    observed = base.mark_line(color=OBSERVED, point=True).encode(y="observed:Q", tooltip=tips)
    return (band + median + observed).properties(width=WIDTH, height=HEIGHT)


def weekly_chart(bt: Backtest) -> Figure:
    data = bt.weekly.dropna(subset=["observed"])[["week", "observed", "low", "median", "high"]]
    chart = _band_chart(data, "week", "Week starting", "Tickets opened").properties(title=title(
        "Tickets per week: observed and simulated",
        f"Black: observed; blue band: {bt.replications} simulated runs ({1 - bt.chance:.0%} band); dashed: median"))
    return Figure("backtest_weekly", chart, "Whole weeks of the period only.")


def open_chart(bt: Backtest) -> Figure:
    data = bt.open[bt.open["compared"]][["week_end", "observed", "low", "median", "high"]]
    chart = _band_chart(data, "week_end", "End of week", "Tickets open").properties(title=title(
        "Open tickets at the end of each week",
        "A line above the band: tickets stay open longer in reality than in the model"))
    return Figure("backtest_open", chart, "Open means opened and not yet resolved or cancelled.")


def resolution_chart(bt: Backtest) -> Figure | None:
    data = bt.resolution
    if data.empty:
        return None
    y = alt.Y("what:N", title=None, sort=list(dict.fromkeys(data["class"] + " " + data["statistic"])))
    base = alt.Chart(data.assign(what=data["class"] + " " + data["statistic"])).encode(y=y)
    x = alt.X("low:Q", title="Hours from opened to resolved (log scale)", scale=alt.Scale(type="log"))
    band = base.mark_rule(color=BAND_COLOUR, strokeWidth=6, opacity=0.4).encode(x=x, x2="high:Q")
    median = base.mark_tick(color=BAND_COLOUR, thickness=2, size=16).encode(x="median:Q")
    tips = [alt.Tooltip("what:N", title=""), alt.Tooltip("observed:Q", title="Observed (h)", format=",.3~r"),
            alt.Tooltip("median:Q", title="Simulated (h)", format=",.3~r"),
            alt.Tooltip("low:Q", title="Band from", format=",.3~r"),
            alt.Tooltip("high:Q", title="Band to", format=",.3~r")]
    observed = base.mark_point(color=OBSERVED, filled=True, size=80).encode(x="observed:Q", tooltip=tips)
    chart = (band + median + observed).properties(width=WIDTH - 160, height=max(120, 28 * len(data)), title=title(
        "Resolution time by priority", "Black dot: observed; blue bar: 95% band of the simulated runs"))
    return Figure("backtest_resolution", chart, "Wall-clock hours, nights and weekends included.")


def backtest_page(bt: Backtest, scenario_name: str) -> str:
    figures = [f for f in (weekly_chart(bt), open_chart(bt), resolution_chart(bt)) if f is not None]
    blocks = [ChartBlock(f.name, finish(f.chart).to_dict(), f.caption) for f in figures]
    rows = [[r["class"], r["statistic"], f"{r['observed']:,.3g}", f"{r['median']:,.3g}",
             f"{r['low']:,.3g} to {r['high']:,.3g}", f"{r['tickets']:,}"] for _, r in bt.resolution.iterrows()]
    table = Table("Resolution time (hours)", ["Class", "Statistic", "Observed", "Simulated", "95% band",
                                              "Tickets"], rows)
    body = [
        f"<header><h1>Back-test: {_e(scenario_name)}</h1><p class=\"sub\">Simulated over {_e(bt.period.text())}, "
        f"{bt.replications} runs (seed {bt.seed}), against the tickets of the same period.</p></header>",
        '<section class="verdict neutral"><strong>Where the model and the data agree, and where not</strong><ul>'
        + "".join(f"<li>{_e(f)}</li>" for f in bt.findings) + "</ul></section>",
        "<h2>Observed against simulated</h2>",
        *(_chart(b) for b in blocks),
        _table(table),
        '<section class="methods"><h2>How to read this</h2>'
        + "".join(f"<p>{_e(n)}</p>" for n in [*bt.notes, *METHODS]) + "</section>",
    ]
    return document(f"Back-test: {scenario_name}", body, {f"chart-{b.name}": b.spec for b in blocks})


METHODS = [
    "Each band runs from the lowest to the highest of the simulated runs (with 39 runs, a 95% band: a run of "
    "the model itself falls outside it with chance 1 in 20). Even a perfect model leaves about 1 observed week "
    "in 20 outside; many more outside, or all on one side, is a real disagreement.",
    "A back-test on the period a scenario was calibrated from shows whether the model's structure (one queue, "
    "the staff numbers, the working calendar) reproduces what happened; it is a check of fit, not of forecasts. "
    "Calibrate on one period and back-test on a later one (--from/--to) to test a forecast.",
]


def summary(bt: Backtest) -> dict:
    def records(frame: pd.DataFrame) -> list[dict]:
        out = frame.copy()
        for col in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[col]):
                out[col] = out[col].dt.strftime("%Y-%m-%d")
        return out.to_dict(orient="records")

    return _finite({
        "period": {"start": str(bt.period.start.date()), "end": str(bt.period.end.date()),
                   "origin": str(bt.period.origin.date())},
        "replications": bt.replications, "seed": bt.seed, "chance_outside_band": bt.chance,
        "findings": bt.findings, "notes": bt.notes,
        "weekly": records(bt.weekly), "open": records(bt.open), "resolution": records(bt.resolution),
    })


def write_backtest(bt: Backtest, directory: str | Path) -> dict[str, Path]:
    """Write ``backtest.html`` and ``backtest.json`` (rendered first, then each atomically)."""
    directory = Path(directory)
    texts = {"report": (directory / "backtest.html", backtest_page(bt, bt.scenario.name)),
             "summary": (directory / "backtest.json", json.dumps(summary(bt), indent=2, allow_nan=False) + "\n")}
    for path, text in texts.values():
        write_atomic(path, text)
    return {kind: path for kind, (path, _) in texts.items()}
