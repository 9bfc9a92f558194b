"""``plan.html``: the decision report, in the run report's style and page layout.

The frontier chart (price against the chance of being too busy, today and the
recommendation marked), the recommended option against today on the same
replications (:func:`comparison_table`: the baseline-against-option table, kept
apart so a shared comparison layout can take its place), the options on the
frontier, the scenario's assumptions and how the search works.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from itsim.plan.words import describe, recommendation
from itsim.report import fmt
from itsim.report.assumptions import Table, assumption_tables
from itsim.report.charts import HEIGHT, WIDTH, finish, title
from itsim.report.data import read_toml
from itsim.report.export import export_images, write_atomic
from itsim.report.page import ChartBlock, Page, render
from itsim.report.text import Kpi, Verdict
from itsim.sweep import TOO_BUSY

#: Labels of compared results that the shared metric labels do not name.
ROW_LABELS = {
    TOO_BUSY: "Chance of being too busy",
    "cost_staff": "Staff, outsourcing included (simulated)",
    "price.outsourcing": "of which the outsourcing contract",
    "value_declined": "Value of projects declined",
    "value_lost_shadow_it": "Value lost to shadow IT",
    "project_lead_time_days": "Time to value (request to delivery)",
    "neglect_hours": "Maintenance neglected (late or skipped)",
    "neglect_hours.security": "of which security maintenance",
}


def _label(metric: str) -> str:
    return ROW_LABELS.get(metric) or fmt.metric_label(metric)


def _value(metric: str, x: float | None, money: str) -> str:
    if metric == TOO_BUSY:
        return fmt.percent(x)
    if metric.startswith("price."):
        return fmt.money(x, money)
    return fmt.value(metric, x, money)


def _signed(metric: str, x: float | None, money: str) -> str:
    if x is None:
        return "–"
    if metric == TOO_BUSY:
        return f"{x * 100:+.0f} pts"
    text = _value(metric, abs(x), money)
    return text if x == 0 else ("+" if x > 0 else "−") + text


def comparison_table(rows: list[dict[str, Any]], money: str, heading: str, note: str = "",
                     option: str = "Recommended") -> Table:
    """Today against an option on the same replications: both means and the paired
    difference (option − today) with its 95% interval."""
    body = []
    for r in rows:
        lo, hi = r["ci95"]
        if r["replications"] is None:
            interval = "fixed by the plan"
        elif lo is None:
            interval = "–"
        else:
            interval = f"{_signed(r['metric'], lo, money)} to {_signed(r['metric'], hi, money)}"
        body.append([_label(r["metric"]), _value(r["metric"], r["today"], money),
                     _value(r["metric"], r["option"], money), _signed(r["metric"], r["difference"], money),
                     interval])
    return Table(heading, ["", "Today", option, "Difference", "95% interval"], body, note)


def frontier_chart(plan: dict[str, Any]) -> alt.TopLevelMixin:
    """Every option as a point (price, chance of being too busy at the worst demand level);
    the frontier as a line with 95% intervals; today and the recommendation marked."""
    today = plan["today"]
    rec = plan["recommended"]
    frontier = set(plan["frontier"])
    rows = [{"cost": o["cost"]["total"], "p": o["probability"], "lo": o["ci95"][0], "hi": o["ci95"][1],
             "option": describe(o, today), "runs": o["replications"], "kind":
             "On the frontier" if o["id"] in frontier else "Other options"}
            for o in plan["options"] if o["probability"] is not None]
    data = pd.DataFrame(rows)
    marks = [{"cost": today["cost"]["total"], "p": today["probability"], "label": "Today"}]
    if rec is not None:
        marks.append({"cost": rec["cost"]["total"], "p": rec["probability"], "label": "Recommended"})
    x = alt.X("cost:Q", title=f"Price of the plan over {fmt.number(plan['horizon_days'] / 7)} weeks"
              + (f" ({plan['currency']})" if plan["currency"] else ""), axis=alt.Axis(format="~s"),
              scale=alt.Scale(zero=False))
    y = alt.Y("p:Q", title="Chance of being too busy", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))
    tips = [alt.Tooltip("option:N", title="Option"), alt.Tooltip("cost:Q", title="Price", format=",.0f"),
            alt.Tooltip("p:Q", title="Too busy", format=".0%"), alt.Tooltip("runs:Q", title="Runs")]
    base = alt.Chart(data)
    others = base.transform_filter(alt.datum.kind == "Other options").mark_point(
        color="#9e9e9e", opacity=0.6, size=30).encode(x=x, y=y, tooltip=tips)
    front = base.transform_filter(alt.datum.kind == "On the frontier")
    line = front.mark_line(color="#1f77b4", strokeWidth=2.5, point=True, interpolate="step-after").encode(
        x=x, y=y, tooltip=tips)
    bars = front.mark_errorbar(color="#1f77b4").encode(x=x, y=alt.Y("lo:Q", title=""), y2="hi:Q")
    limit = alt.Chart(pd.DataFrame({"p": [plan["risk"]]})).mark_rule(strokeDash=[6, 4], color="#d62728").encode(
        y="p:Q")
    pins = alt.Chart(pd.DataFrame(marks))
    pin = pins.mark_point(shape="diamond", size=220, filled=True).encode(
        x="cost:Q", y="p:Q", color=alt.Color("label:N", title=None, scale=alt.Scale(
            domain=[m["label"] for m in marks], range=["#d62728", "#2ca02c"][: len(marks)]),
            legend=alt.Legend(orient="bottom")))
    text = pins.mark_text(align="left", dx=10, dy=-10, fontSize=13).encode(x="cost:Q", y="p:Q", text="label:N")
    return (others + bars + line + limit + pin + text).properties(
        width=WIDTH, height=HEIGHT + 60,
        title=title("What each plan costs, and how likely it leaves IT too busy",
                    f"Worst of the demand levels tested; dashed line: the accepted risk ({fmt.percent(plan['risk'])})"))


def _kpis(plan: dict[str, Any]) -> list[Kpi]:
    money = plan["currency"]
    today = plan["today"]
    compared = plan["compared"]
    first = repr(plan["demand"][0])
    t, o = today["too_busy"][first], compared["too_busy"][first]
    option = next(x for x in plan["options"] if x["id"] == compared["option"])
    delta = option["cost"]["total"] - today["cost"]["total"]
    reps = plan["replications"]
    kpis = [
        Kpi("Price against today's plan", ("+" if delta > 0 else "") + fmt.money(delta, money),
            f"over {fmt.number(plan['horizon_days'] / 7)} weeks; today {fmt.money(today['cost']['total'], money)}"),
        Kpi("Chance of being too busy", f"{fmt.percent(t['probability'])} → {fmt.percent(o['probability'])}",
            f"at {fmt.number(plan['demand'][0])}x demand; 95%: {fmt.percent(o['ci95'][0])} to "
            f"{fmt.percent(o['ci95'][1])}"),
    ]
    lead = next((r for r in compared["by_demand"][first] if r["metric"] == "project_lead_time_days"), None)
    if lead is not None and lead["today"] is not None and lead["option"] is not None:
        kpis.append(Kpi("Time to value", f"{fmt.weeks(lead['today'])} → {fmt.weeks(lead['option'])}",
                        "request to delivery, mean"))
    kpis.append(Kpi("Simulated runs", f"{reps['spent']:,}",
                    f"trying every option {plan['method']['max_replications']} times: {reps['grid_equivalent']:,}"))
    return kpis


def _frontier_table(plan: dict[str, Any]) -> Table:
    money = plan["currency"]
    by_id = {o["id"]: o for o in plan["options"]}
    rows = []
    for oid in plan["frontier"]:
        o = by_id[oid]
        per_level = "; ".join(f"{fmt.percent(f['probability'])} at {fmt.number(float(d))}x"
                              for d, f in o["too_busy"].items())
        rows.append([describe(o, plan["today"]), fmt.money(o["cost"]["total"], money), per_level,
                     str(o["replications"])])
    return Table("Options on the frontier (cheapest first, each safer than every cheaper one)",
                 ["Option", "Price", "Chance of being too busy", "Runs"], rows,
                 f"plan.json lists all {len(plan['options'])} options searched, with 95% intervals.")


def _methods(plan: dict[str, Any]) -> list[str]:
    m = plan["method"]
    looks = ", ".join(str(k) for k in m["looks"])
    return [
        "The price of a plan is what it commits to over the simulated period: each role's head count x its "
        "loaded cost per hour x its working hours, the outsourced first line at its contract price, and the "
        "overhead in [costs]. Hours invested in self-service are done by staff already paid; their cost shows "
        "as work displaced, in the risk.",
        f"The options were searched in order of price (then fewest changes from today). Each was simulated "
        f"{looks} times, stopping as soon as the result was clear: an option is dropped once its chance of "
        f"being too busy is shown to exceed {fmt.percent(plan['risk'])}, and accepted once shown to stay below "
        f"it (one-sided Clopper-Pearson bounds, each wrong at most {fmt.percent(m['alpha'] / len(m['looks']))} "
        f"of the time), or at {m['max_replications']} runs by the same rule as trying every option "
        f"{m['max_replications']} times. Only options that could still be the answer get more runs; the others "
        "are screened once, for the frontier.",
        "Every option faced the same simulated demand in run r (common random numbers), so the comparison with "
        "today is paired: differences are means of run-by-run differences, with 95% Student-t intervals. "
        "Chances of being too busy are shares of runs with 95% Wilson intervals.",
        "A run is 'too busy' when it breaks any target: work still piling up at the end, project lead time "
        "above target, routine maintenance done on time too rarely, incidents resolved within their target "
        "too rarely, or utilisation above a sustainable ceiling.",
    ]


def write_plan_report(directory: str | Path) -> Path:
    """Write ``plan.html`` (and ``charts/frontier.png|svg``) from ``plan.json``; return its path."""
    directory = Path(directory)
    plan = json.loads((directory / "plan.json").read_text(encoding="utf-8"))
    money = plan["currency"]
    headline = recommendation(plan)
    problems: list[str] = []
    charts = []
    spec = finish(frontier_chart(plan)).to_dict()
    images, failed = export_images("frontier", spec, directory / "charts")
    problems.extend(failed)
    charts.append(ChartBlock("frontier", spec, "Each dot is an option; the blue line joins those no other option "
                             "beats on both price and risk, with 95% intervals.", images))
    rec = plan["recommended"]
    compared = plan["compared"]
    verdict_table = None
    if compared["option"] != plan["today"]["id"]:
        first_d = plan["demand"][0]
        first_rows = compared["by_demand"][repr(first_d)]
        note = (f"At {fmt.number(first_d)}x today's demand, on the same {first_rows[0]['replications']} simulated "
                "runs for both; difference = option − today, with its 95% interval (none where the plan fixes it)."
                if first_rows else "")
        verdict_table = comparison_table(first_rows, money, "The recommended plan against today" if rec
                                         else "The least risky option against today", note,
                                         "Recommended" if rec else "Least risky")
    verdict = Verdict(rec is None,
                      "Why this plan" if rec is not None else "No plan within the accepted risk",
                      headline[1] if len(headline) > 1 else "")
    tables = [_frontier_table(plan)]
    for d in plan["demand"][1:]:
        tables.append(comparison_table(compared["by_demand"][repr(d)], money,
                                       f"Against today at {fmt.number(d)}x today's demand",
                                       option="Recommended" if rec else "Least risky"))
    tables += assumption_tables(read_toml(directory / "scenario.toml"),
                                "Today's scenario; each option changes only its levers and policy.")
    page = Page(
        title=f"{plan['scenario']}: the cheapest plan that keeps IT out of 'too busy'",
        subtitle=f"{len(plan['options'])} options, accepted risk {fmt.percent(plan['risk'])}, demand "
                 f"{', '.join(fmt.number(d) + 'x' for d in plan['demand'])}.",
        headline=headline[:1],
        verdict=verdict,
        kpis=_kpis(plan),
        charts=charts,
        tables=tables,
        methods=_methods(plan),
        problems=problems,
        verdict_table=verdict_table,
    )
    path = directory / "plan.html"
    write_atomic(path, render(page))
    return path
