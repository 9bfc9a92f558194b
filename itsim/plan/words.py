"""The plan in plain business words: what an option changes, and the recommendation.

Everything here reads the ``plan.json`` data and returns text (never HTML).
"""

from __future__ import annotations

import math
from typing import Any

from itsim.report import fmt

#: How a lever reads in a sentence: dotted key -> template with ``{v}`` for the value.
LEVER_PHRASES = {
    "policy.wip_limit": "at most {v} projects in progress",
    "policy.share": "{pct} of each week's hours protected for maintenance",
    "policy.invest_hours_per_week": "{v} hours a week invested in self-service",
    "policy.max_share": "self-service aiming at {pct} of incidents",
    "policy.first_contact_resolution": "first line solving {pct} of incidents",
    "policy.cost_per_hour": "outsourced first line at {v} an hour",
    "policy.count": "{v} extra people",
    "policy.firefighters": "{v} on incident duty per week",
    "policy.lead_time_target_days": "intake gate at {v} days",
}


def lever_phrase(key: str, value: Any) -> str:
    """One lever value in words, e.g. ``at most 4 projects in progress``."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "team" and parts[2] == "count":
        return f"{value} {parts[1].replace('_', ' ')} staff"
    pct = fmt.percent(value) if isinstance(value, int | float) else str(value)
    template = LEVER_PHRASES.get(key)
    if template is not None:
        return template.format(v=fmt.number(value) if isinstance(value, int | float) else value, pct=pct)
    shown = fmt.number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    return f"{fmt.key_label(key).lower()} {shown}"


def describe(option: dict[str, Any], today: dict[str, Any]) -> str:
    """What ``option`` is, as changes from ``today`` (``today's plan`` when nothing changes)."""
    bits = []
    if option["policy"] != today["policy"]:
        bits.append(fmt.policy_label(option["policy"]).replace(" (today)", ""))
    for key, value in option["levers"].items():
        before = today["levers"].get(key)
        if before != value:
            text = lever_phrase(key, value)
            if before is not None:
                text += f" (today {fmt.number(before) if isinstance(before, int | float) else before})"
            bits.append(text)
    if not bits:
        return "today's plan"
    return ", ".join(bits)


def _level(d: float) -> str:
    return "today's demand" if d == 1.0 else f"{fmt.number(d)}x today's demand"


def _chances(entry: dict[str, Any], levels: list[float]) -> list[str]:
    return [fmt.percent(entry["too_busy"][repr(d)]["probability"]) for d in levels]


def _row(rows: list[dict[str, Any]], metric: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["metric"] == metric), None)


def _significant(row: dict[str, Any] | None) -> bool:
    lo, hi = row["ci95"] if row else (None, None)
    return lo is not None and hi is not None and (lo > 0 or hi < 0)


def recommendation(plan: dict[str, Any]) -> list[str]:
    """The recommendation: a one-line answer, then one paragraph in plain business words."""
    levels = plan["demand"]
    money = plan["currency"]
    weeks = fmt.number(plan["horizon_days"] / 7)
    today = plan["today"]
    risk = fmt.percent(plan["risk"])
    where = " and ".join(_level(d) for d in levels)
    rec = plan["recommended"]
    if rec is None:
        by_id = {o["id"]: o for o in plan["options"]}
        best = by_id[plan["compared"]["option"]]
        budget = f" within a budget of {fmt.money(plan['budget'], money)}" if plan.get("budget") is not None else ""
        return [
            f"No option searched keeps the chance of being too busy at or below {risk} at {where}{budget}.",
            f"Of the {len(plan['options'])} options searched, the least risky is {describe(best, today)}, at "
            f"{fmt.money(best['cost']['total'], money)} over {weeks} weeks; it is still too busy with a chance of "
            f"{' and '.join(_chances(plan['compared'], levels))} at {where}. Widen the levers (more people, "
            "other policies) or accept a higher risk to find a plan that holds.",
        ]
    delta = rec["cost"]["total"] - today["cost"]["total"]
    change = describe(rec, today)
    if rec["id"] == today["id"] or change == "today's plan":
        first = f"Keep today's plan: it already keeps the chance of being too busy at or below {risk} at {where}."
        return [first, f"None of the cheaper options searched does. It costs "
                       f"{fmt.money(today['cost']['total'], money)} over {weeks} weeks."]
    cost_words = (f"{fmt.money(delta, money)} more than today's plan" if delta > 0 else
                  f"{fmt.money(-delta, money)} less than today's plan" if delta < 0 else "the same as today's plan")
    first = f"Recommended: {change}."
    sentences = [
        f"This is the cheapest of the {len(plan['options'])} options searched that keeps the chance of being too "
        f"busy at or below {risk} at {where}: it costs {fmt.money(rec['cost']['total'], money)} over {weeks} "
        f"weeks, {cost_words}.",
        f"The chance of being too busy goes from {' and '.join(_chances(today, levels))} today to "
        f"{' and '.join(_chances(plan['compared'], levels))} at {where}.",
    ]
    rows = plan["compared"]["by_demand"][repr(levels[0])]
    lead = _row(rows, "project_lead_time_days")
    if lead and lead["today"] is not None and lead["option"] is not None and _significant(lead):
        sentences.append(f"Projects reach the business in {fmt.weeks(lead['option'])} instead of "
                         f"{fmt.weeks(lead['today'])}.")
    delay = _row(rows, "cost_of_delay")
    if delay and _significant(delay):
        lo, hi = delay["ci95"]
        verb = "falls" if delay["difference"] < 0 else "rises"
        sentences.append(f"What the business loses while it waits for projects (cost of delay) {verb} by "
                         f"{fmt.money(abs(delay['difference']), money)} (95% interval "
                         f"{fmt.money(abs(hi if verb == 'falls' else lo), money)} to "
                         f"{fmt.money(abs(lo if verb == 'falls' else hi), money)}).")
    same_price = [o for o in plan["options"] if o["id"] in plan["frontier"] and o["id"] != rec["id"]
                  and math.isclose(o["cost"]["total"], rec["cost"]["total"])]
    if same_price:
        alt = same_price[0]
        sentences.append(f"For the same money, {describe(alt, today)} looks safer still "
                         f"({fmt.percent(alt['probability'])} at the worst demand level, from fewer runs).")
    return [first, " ".join(sentences)]


def summary_lines(plan: dict[str, Any]) -> list[str]:
    """Short lines for the terminal."""
    money = plan["currency"]
    levels = plan["demand"]
    reps = plan["replications"]
    lines = [
        f"{len(plan['options'])} options at demand {', '.join(fmt.number(d) for d in levels)}; risk at most "
        f"{fmt.percent(plan['risk'])}"
        + (f"; {plan['left_out_by_budget']} left out by the budget" if plan["left_out_by_budget"] else ""),
        f"Replications: {reps['spent']:,} (a full grid of {plan['method']['max_replications']} per option would "
        f"take {reps['grid_equivalent']:,})"
        + (f", and {reps['shared']:,} taken from options whose runs they provably equal" if reps.get("shared")
           else "")
        + f"; {reps['computed_now']:,} computed now, the rest already stored",
    ]
    rec = plan["recommended"]
    if rec is not None:
        today_cost = fmt.money(plan["today"]["cost"]["total"], money)
        lines.append(f"Cheapest plan within the risk: {describe(rec, plan['today'])}, "
                     f"{fmt.money(rec['cost']['total'], money)} (today {today_cost})")
    else:
        lines.append("No option searched keeps the risk within the limit at every demand level")
    for d in levels:
        t, o = plan["today"]["too_busy"][repr(d)], plan["compared"]["too_busy"][repr(d)]
        lines.append(f"  at {fmt.number(d)}x demand: too busy {fmt.percent(o['probability'])} "
                     f"[{fmt.percent(o['ci95'][0])}, {fmt.percent(o['ci95'][1])}] "
                     f"against {fmt.percent(t['probability'])} today")
    count = len(plan["frontier"])
    lines.append(f"Frontier: {count} {'option' if count == 1 else 'options'} from cheapest to safest")
    return lines
