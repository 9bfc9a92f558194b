"""``plan.html``: the decision report, in the run report's style and page layout.

The price of today's plan and of the recommendation line by line, the recommended
option against today on the same replications in the layout ``itsim compare`` uses
(:func:`itsim.report.compare_page.comparison_html`, one per demand level), the
frontier chart (price against the chance of being too busy, today and the
recommendation marked), the options on the frontier, the scenario's assumptions
and how the search works.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from itsim.plan.compared import stored_comparisons
from itsim.plan.search import NOT_RUN
from itsim.plan.words import describe, recommendation
from itsim.report import fmt
from itsim.report.assumptions import Table, assumption_tables
from itsim.report.charts import HEIGHT, WIDTH, finish, title
from itsim.report.compare_page import comparison_html
from itsim.report.data import read_toml
from itsim.report.export import export_images, write_atomic
from itsim.report.page import ChartBlock, Page, render
from itsim.report.text import Kpi, Verdict

#: The lines of a plan's price, in order: ``cost`` key in ``plan.json`` and label.
PRICE_LINES = (
    ("staff", "Staff (head count x cost per hour x working hours)"),
    ("outsourcing", "Outsourced first line (contract price)"),
    ("overhead", "Overhead"),
    ("investment", "Staff time invested in self-service"),
)


def price_table(plan: dict[str, Any]) -> Table:
    """What today's plan and the compared option commit to over the measured period, line by
    line: the price the search ranks options by."""
    money = plan["currency"]
    today = plan["today"]["cost"]
    option = next(o for o in plan["options"] if o["id"] == plan["compared"]["option"])
    cost = option["cost"]

    def signed(x: float) -> str:
        return "–" if x == 0 else ("+" if x > 0 else "−") + fmt.money(abs(x), money)

    rows = []
    for key, label in PRICE_LINES:
        a, b = today.get(key, 0.0), cost.get(key, 0.0)
        if a or b:
            if key == "investment":
                label += (f" ({fmt.number(today.get('investment_hours', 0.0))} h → "
                          f"{fmt.number(cost.get('investment_hours', 0.0))} h)")
            rows.append([label, fmt.money(a, money), fmt.money(b, money), signed(b - a)])
    rows.append(["Price of the plan", fmt.money(today["total"], money), fmt.money(cost["total"], money),
                 signed(cost["total"] - today["total"])])
    name = "Recommended" if plan["recommended"] is not None else "Least risky"
    weeks = fmt.number(plan["horizon_days"] / 7)
    return Table(f"What each plan commits to over {weeks} weeks", ["", "Today", name, "Difference"], rows,
                 "Known before simulating: people and contracts at their rates over the working hours, "
                 "overhead, and the staff hours put into self-service at the rate of those who do them.")


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
                 _options_note(plan))


def _options_note(plan: dict[str, Any]) -> str:
    not_run = sum(o["status"] == NOT_RUN for o in plan["options"])
    note = f"plan.json lists all {len(plan['options'])} options, with 95% intervals"
    if not_run:
        note += (f"; {not_run} dearer than the recommendation were not run (they cannot change it, and only "
                 "the first option at each dearer price is needed to draw the frontier)")
    return note + "."


def _looks_in_words(looks: list[int]) -> str:
    """``[4, 6, 8, ..., 40]`` as "4, 6, 8, ... 40" (evenly spaced but for the last step, which
    may be shorter); short or uneven lists in full."""
    if len(looks) > 4 and len({b - a for a, b in zip(looks[:-2], looks[1:-1], strict=True)}) == 1:
        return f"{looks[0]}, {looks[1]}, {looks[2]}, ... {looks[-1]}"
    return ", ".join(str(k) for k in looks)


def _methods(plan: dict[str, Any]) -> list[str]:
    m = plan["method"]
    looks = _looks_in_words(m["looks"])
    reps = plan["replications"]
    shared = (f" {reps['shared']:,} of the runs the search needed were not simulated again: a limit on work in "
              "progress that a run never reached leaves that run unchanged, so it was taken from the same option "
              "without the limit." if reps.get("shared") else "")
    return [
        "The price of a plan is what it commits to over the simulated period: each role's head count x its "
        "loaded cost per hour x its working hours, the outsourced first line at its contract price, the "
        "overhead in [costs], and the staff hours put into self-service at the cost per hour of the roles "
        "that do them (charged to the option that spends them).",
        f"The options were searched in order of price (then fewest changes from today). Each was simulated "
        f"{looks} times, stopping as soon as the result was clear: an option is dropped once its chance of "
        f"being too busy is shown to exceed {fmt.percent(plan['risk'])}, and accepted once shown to stay at or "
        f"below it (one-sided Clopper-Pearson bounds at levels set so that a wrong call, over all looks, has a "
        f"chance of at most {fmt.percent(m['alpha'])}), or at {m['max_replications']} runs by the same rule as "
        f"trying every option {m['max_replications']} times. Only options that could still be the answer get "
        "more runs. Options dearer than the answer cannot change it: the first option of each dearer price is "
        "screened for the frontier, the others are not run." + shared,
        "Every option faced the same simulated demand in run r (common random numbers), so the comparison with "
        "today is paired: differences are means of run-by-run differences, with 95% Student-t intervals. "
        "Chances of being too busy are shares of runs with 95% Wilson intervals.",
        "A run is 'too busy' when it breaks any target: work still piling up at the end, project lead time "
        "above target, routine maintenance done on time too rarely, incidents resolved within their target "
        "too rarely, or utilisation above a sustainable ceiling.",
    ]


def _comparisons(directory: Path, plan: dict[str, Any], problems: list[str]) -> list[str]:
    """The recommended (or least risky) option against today at each demand level, as
    ``itsim compare`` lays it out; none when the option is today's plan."""
    if plan["compared"]["option"] == plan["today"]["id"]:
        return []
    try:
        comparisons = stored_comparisons(directory, plan)
    except (LookupError, OSError) as exc:
        problems.append(f"The comparison with today is left out: {exc}.")
        return []
    rec = plan["recommended"] is not None
    what = "recommended plan" if rec else "least risky option"
    tags = ("A · today's plan", "B · recommended" if rec else "B · least risky")
    return [comparison_html(c, f"The {what} against today at {fmt.number(d)}x today's demand", tags)
            for d, c in comparisons.items()]


def write_plan_report(directory: str | Path) -> Path:
    """Write ``plan.html`` (and ``charts/frontier.png|svg``) from ``plan.json`` and the runs
    stored beside it; return its path."""
    directory = Path(directory)
    plan = json.loads((directory / "plan.json").read_text(encoding="utf-8"))
    headline = recommendation(plan)
    problems: list[str] = []
    charts = []
    spec = finish(frontier_chart(plan)).to_dict()
    images, failed = export_images("frontier", spec, directory / "charts")
    problems.extend(failed)
    charts.append(ChartBlock("frontier", spec, "Each dot is an option; the blue line joins those no other option "
                             "beats on both price and risk, with 95% intervals.", images))
    rec = plan["recommended"]
    verdict = Verdict(rec is None,
                      "Why this plan" if rec is not None else "No plan within the accepted risk",
                      headline[1] if len(headline) > 1 else "")
    embeds = _comparisons(directory, plan, problems)
    tables = [_frontier_table(plan)]
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
        verdict_table=price_table(plan),
        embeds=embeds,
    )
    path = directory / "plan.html"
    write_atomic(path, render(page))
    return path
