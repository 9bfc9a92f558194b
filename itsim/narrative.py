"""Plain-language sentences about a result, for the terminal and the report."""

from __future__ import annotations

import math
import re

from itsim.report import fmt
from itsim.status import STATUS_COLOURS, TOO_BUSY
from itsim.targets import NEGLECT, status_sentence


def _get(summary: dict, name: str) -> float:
    m = summary["metrics"].get(name)
    if not m or m["mean"] is None:
        return math.nan
    return m["mean"]


def headline(summary: dict, currency: str = "") -> list[str]:
    """A few sentences a CFO can read: where the hours go, what waits, what is neglected
    (money in ``currency``, the scenario's ``[costs] currency``)."""
    lines = []
    fire = _get(summary, "hours_share.firefighting")
    rec = _get(summary, "hours_share.recurring")
    proj = _get(summary, "hours_share.projects")
    idle = _get(summary, "hours_share.idle")
    if math.isfinite(fire):
        parts = [f"{fmt.percent(fire)} firefighting"]
        if rec > 0:
            parts.append(f"{fmt.percent(rec)} recurring maintenance")
        if proj > 0:
            parts.append(f"{fmt.percent(proj)} projects")
        parts.append(f"{fmt.percent(idle)} idle")
        lines.append("The team's hours go to " + ", ".join(parts) + ".")
    wait = _get(summary, "incident_wait_hours")
    resolve = _get(summary, "incident_resolve_hours")
    if math.isfinite(wait):
        lines.append(
            f"An incident waits {fmt.duration(wait)} on average before anyone starts on it, "
            f"and is resolved after {fmt.duration(resolve)}."
        )
    sla = _get(summary, "incident_sla_attainment")
    if math.isfinite(sla):
        lines.append(f"{fmt.percent(sla)} of incidents are resolved within their SLA.")
    lines.extend(_projects(summary))
    lines.extend(_maintenance(summary))
    cost = _get(summary, "cost_total")
    if math.isfinite(cost) and cost > 0:
        delay = _get(summary, "cost_of_delay")
        line = f"Staff cost {fmt.money(cost, currency)}"
        if math.isfinite(delay) and delay > 0:
            line += f"; waiting for projects cost the business {fmt.money(delay, currency)} in delayed value"
        lines.append(line + ".")
    tb = summary.get("too_busy")
    if tb:
        lines.append(status_sentence(tb))
        lines.extend(f"- {reason}" for reason in tb.get("reasons") or [])
    return lines


#: Terminal colours of the statuses (the report's green, amber and red).
TERMINAL_COLOURS = {"green": "green", "amber": "yellow", "red": "red"}


def terminal_colour(summary: dict) -> str | None:
    """The terminal colour of the verdict's status, or None when there is no verdict."""
    tb = summary.get("too_busy") or {}
    state = tb.get("status") or (TOO_BUSY if tb.get("verdict") else None)
    return status_colour(state)


def status_colour(state: str | None) -> str | None:
    """The terminal colour of a status (``healthy``, ``at_risk``, ``too_busy``)."""
    return TERMINAL_COLOURS[STATUS_COLOURS[state]] if state in STATUS_COLOURS else None


def _projects(summary: dict) -> list[str]:
    """Time to value, with projects still open counted with their age; no delivery said in words."""
    lead = _get(summary, "project_lead_time_days")
    delivered = _get(summary, "projects_delivered")
    backlog = _get(summary, "project_backlog_end")
    if not math.isfinite(lead):
        return []
    if delivered == 0:
        return [f"No project was delivered in the measured period; the {fmt.number(backlog)} waiting or in "
                f"progress at the end were {fmt.duration(lead * 24)} old on average."]
    return [f"Projects reach the business {fmt.duration(lead * 24)} after they are requested, counting those "
            f"still open with their age so far ({fmt.number(delivered)} delivered; {fmt.number(backlog)} waiting "
            "or in progress at the end)."]


def _maintenance(summary: dict) -> list[str]:
    """On-time maintenance by hours (what the target judges) and what was neglected, by category."""
    hours_on_time = _get(summary, "recurring_hours_on_time_share")
    on_time = _get(summary, "recurring_on_time_share")
    if not (math.isfinite(hours_on_time) and math.isfinite(on_time)):
        return []
    skipped = _get(summary, "recurring_skipped")
    text = (f"{fmt.percent(hours_on_time)} of recurring maintenance hours were done on time "
            f"({fmt.percent(on_time)} of occurrences); {fmt.plural(skipped, 'occurrence')} "
            f"{'was' if fmt.number(skipped) == '1' else 'were'} skipped")
    neglect = [(f"{fmt.hours(hours)} of {NEGLECT[name]}", hours) for name in NEGLECT
               if math.isfinite(hours := _get(summary, f"neglect_hours.{name}")) and hours >= 0.5]
    if neglect:
        parts = [t for t, _ in sorted(neglect, key=lambda p: -p[1])]
        text += ", and " + join_words(parts) + " were done late or skipped"
    return [text + "."]


def join_words(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# -- sweeps: the varied key and the tipping point in words ----------------------------------

_TEAM_COUNT = re.compile(r"team\.([^.]+)\.count")
_PERSON_NOUNS = ("er", "or", "ist", "ant", "ent", "ian", "ect", "min", "dba", "lead", "ee", "agent")


def role_people(role: str) -> str:
    """People in a role, in words: ``engineer`` -> ``engineers``, ``service_desk`` ->
    ``service desk staff``."""
    words = role.replace("_", " ")
    if words.endswith("s"):
        return words
    return words + "s" if words.endswith(_PERSON_NOUNS) else words + " staff"


def key_words(key: str) -> str:
    """What a varied key is, for captions and sentences: ``engineers``, ``demand``."""
    match = _TEAM_COUNT.fullmatch(key)
    if match:
        return role_people(match.group(1))
    if key == "demand_scale":
        return "demand"
    return fmt.key_label(key).lower()


def axis_title(key: str) -> str:
    """A chart axis title for a varied key: ``Engineers (people)``, ``Demand (× today's level)``."""
    match = _TEAM_COUNT.fullmatch(key)
    if match:
        return f"{role_people(match.group(1)).capitalize()} (people)"
    return fmt.key_label(key)


def level_words(key: str, x: float) -> str:
    """A level of a varied key in words: ``1.15× today's demand``, ``12 engineers``."""
    if key == "demand_scale":
        return "today's demand" if x == 1 else f"{fmt.number(x)}× today's demand"
    if _TEAM_COUNT.fullmatch(key):
        return f"{fmt.number(x)} {key_words(key)}"
    return f"{fmt.key_label(key).lower()} {fmt.number(x)}"


def short_level(key: str, x: float) -> str:
    """A level for lists and intervals: ``1.15×`` or ``12``."""
    return f"{fmt.number(x)}×" if key == "demand_scale" else fmt.number(x)


def tipping_sentence(entry: dict, values: list, short: bool = False) -> str:
    """Where a series of a sweep becomes too busy, in words, from a ``too_busy.json`` entry:
    ``tips into 'too busy' at 1.15× today's demand (95% interval 1.1× to 1.2×)``.
    ``short`` names levels by number only (for a second mention in a sentence)."""
    key = entry.get("varied", "demand_scale")
    numbers = [float(v) for v in values]
    low, high = min(numbers), max(numbers)
    kind = entry.get("kind") or ("never" if entry.get("point") is None else "tips")
    point = entry.get("point")
    level = short_level if short else level_words
    if kind == "never":
        return f"is never too busy within the range tested (up to {level(key, high)})" if \
            entry.get("direction", "more_is_worse") == "more_is_worse" else \
            f"is never too busy within the range tested (from {level(key, low)})"
    if kind == "below_range":
        return f"is already too busy at {level(key, low)}, the lowest level tested: it tips below the range tested"
    if kind == "above_range":
        return (f"is still too busy at {level(key, high)}, the highest level tested: it recovers only above "
                "the range tested")
    verb = "recovers from 'too busy' at" if kind == "recovers" else "tips into 'too busy' at"
    return f"{verb} {level(key, point)}{_interval(entry.get('ci95'), key, low, high)}"


def _interval(ci: list | None, key: str, low: float, high: float) -> str:
    if not ci:
        return ""
    lo, hi = ci
    lo_text = short_level(key, lo) if lo is not None else f"below {short_level(key, low)}"
    hi_text = short_level(key, hi) if hi is not None else f"beyond {short_level(key, high)}"
    return f" (95% interval {lo_text} to {hi_text})"


def at_risk_words(entry: dict, values: list) -> str:
    """Where a series leaves the healthy band: ``at risk from 0.9× (95% interval 0.8× to 1×)``."""
    risk = entry.get("at_risk") or {}
    key = entry.get("varied", "demand_scale")
    numbers = [float(v) for v in values]
    kind, point = risk.get("kind"), risk.get("point")
    if kind == "tips":
        return f"at risk from {level_words(key, point)}{_interval(risk.get('ci95'), key, min(numbers), max(numbers))}"
    if kind == "recovers":
        return f"healthy from {level_words(key, point)}{_interval(risk.get('ci95'), key, min(numbers), max(numbers))}"
    if kind in ("below_range", "above_range"):
        return "never healthy within the range tested"
    return "healthy throughout the range tested" if kind == "never" else ""


def level_statuses(entry: dict) -> list[tuple[str, str]]:
    """Each level tested with its share of replications that broke a target, and its status
    by the bands (``[("0.6× 5%", "healthy"), ...]``); after an adaptive sweep, with the
    replications each level got (``"0.6× 0% of 4"``)."""
    key = entry.get("varied", "demand_scale")
    band, risk = entry.get("band", 0.8), (entry.get("at_risk") or {}).get("band", 0.2)
    counts = [n for _, n in entry.get("replications") or []]
    out = []
    for i, (x, share) in enumerate(entry.get("shares") or []):
        state = TOO_BUSY if share > band else ("at_risk" if share > risk else "healthy")
        of = f" of {counts[i]}" if i < len(counts) else ""
        out.append((f"{short_level(key, x)} {share:.0%}{of}", state))
    return out
