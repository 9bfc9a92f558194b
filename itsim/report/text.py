"""The words of the report: headline, verdict, key figures and methods note.

Everything here returns plain text (never HTML); :mod:`itsim.report.page`
escapes it. Numbers are rounded for reading aloud in a meeting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from itsim import narrative
from itsim.report import fmt
from itsim.report.assumptions import Table
from itsim.report.data import (
    Estimate,
    RunResults,
    SweepResults,
    currency,
    series_order,
    sweep_estimates,
)
from itsim.status import AT_RISK, HEALTHY, STATUS_COLOURS, STATUS_WORDS, TOO_BUSY
from itsim.targets import (
    BY_CODE,
    NEGLECT,
    quantity,
    quantity_range,
    threshold_text,
    unsettled,
)


@dataclass(frozen=True)
class Kpi:
    """One headline figure: a label, the value and its 95% interval, as display text."""

    label: str
    value: str
    interval: str


@dataclass(frozen=True)
class Verdict:
    """The verdict box: ``status`` is ``healthy``, ``at_risk`` or ``too_busy`` (green,
    amber, red), or None for a sweep (one verdict per policy, in a table)."""

    status: str | None
    heading: str
    detail: str
    reasons: list[str] = field(default_factory=list)
    reasons_heading: str = "Why:"

    @property
    def too_busy(self) -> bool | None:
        return None if self.status is None else self.status == TOO_BUSY

    @property
    def colour(self) -> str | None:
        """``green``, ``amber`` or ``red``; None for a sweep."""
        return STATUS_COLOURS.get(self.status) if self.status else None


KPI_METRICS = (
    "hours_share.firefighting",
    "project_lead_time_days",
    "incident_sla_attainment",
    "recurring_hours_on_time_share",
    "utilization",
    "cost_of_delay",
)
#: Older results have no hours-based on-time share: show the occurrence share instead.
KPI_FALLBACK = {"recurring_hours_on_time_share": "recurring_on_time_share"}


def _period(run: RunResults) -> str:
    days = run.summary.get("horizon_days") or run.scenario.get("scenario", {}).get("horizon_days")
    if not days:
        return "over the simulated period"
    return f"over the {float(days) / 7:.0f} simulated weeks"


def level_phrase(key: str, x: float) -> str:
    """A swept level in words: ``1.15× today's demand`` or ``12 engineers``."""
    return narrative.level_words(key, x)


def run_headline(run: RunResults) -> list[str]:
    """Two to three sentences a CFO can read aloud, with the run's key numbers."""
    level = float(run.scenario.get("demand_scale", 1.0))
    clauses = []
    fire = run.estimate("hours_share.firefighting")
    if fire is not None:
        clauses.append(f"the team spends {fmt.percent(fire.mean)} of its hours firefighting")
    lead = run.estimate("project_lead_time_days")
    wait = run.estimate("incident_wait_hours")
    delivered = run.estimate("projects_delivered")
    if lead is not None and delivered is not None and delivered.mean == 0:
        clauses.append(f"no project is delivered: those waiting or in progress at the end are "
                       f"{fmt.duration(lead.mean * 24)} old on average")
    elif lead is not None:
        clauses.append(f"projects reach the business {fmt.duration(lead.mean * 24)} after they are "
                       "requested")
    elif wait is not None:
        clauses.append(f"an incident waits {fmt.duration(wait.mean)} before anyone "
                       "starts on it")
    sentences = []
    if clauses:
        sentences.append(f"At {level_phrase('demand_scale', level)} " + "; ".join(clauses) + ".")
    neglect = neglect_estimates(run)
    total = sum(e.mean for e in neglect.values())
    if total > 0:
        text = (f"{fmt.hours(total)} of routine maintenance were done late or skipped "
                f"{_period(run)}")
        security = neglect.get("security")
        if security is not None and security.mean > 0:
            text += f", {fmt.number(security.mean)} of them security work such as patching"
        sentences.append(text + ".")
    delay = run.estimate("cost_of_delay")
    cost = run.estimate("cost_staff") or run.estimate("cost_total")
    money = currency(run.scenario)
    if lead is not None and delay is not None and cost is not None and delay.mean > 0:
        what = "a staff cost" if run.estimate("cost_staff") else "an IT cost"
        sentences.append(f"Waiting for projects cost the business {fmt.money(delay.mean, money)} "
                         f"in delay, against {what} of {fmt.money(cost.mean, money)}.")
    return sentences


def _interval(metric: str, low: float, high: float, money: str) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"95% interval {fmt.value_range(metric, low, high, money)}"


def run_kpis(run: RunResults) -> list[Kpi]:
    """The key figures of a run that were measured, each with its 95% interval."""
    money = currency(run.scenario)
    out = []
    for metric in KPI_METRICS:
        est = run.estimate(metric)
        if est is None and metric in KPI_FALLBACK:
            metric = KPI_FALLBACK[metric]
            est = run.estimate(metric)
        if est is None:
            continue
        if metric == "project_lead_time_days":
            label, text = "Time from project request to delivery", fmt.duration(est.mean * 24)
            if run.estimate("projects_delivered") is not None and run.estimate("projects_delivered").mean == 0:
                label = "No project delivered: age of the open ones"
        else:
            label, text = fmt.metric_label(metric), fmt.value(metric, est.mean, money)
        out.append(Kpi(label, text, _interval(metric, est.low, est.high, money)))
    return out


def run_status(verdict: dict) -> str:
    """The stored status, or for results written before there was one, the stored verdict
    (too busy) or the default bands on the stored share."""
    state = verdict.get("status")
    if state in STATUS_WORDS:
        return state
    if verdict.get("verdict"):
        return TOO_BUSY
    share = verdict.get("share_of_replications")
    return AT_RISK if share is not None and share > 0.2 else HEALTHY


HEADINGS = {
    HEALTHY: "Verdict: healthy — within its targets",
    AT_RISK: "Verdict: at risk — it may not meet its targets",
    TOO_BUSY: "Verdict: too busy",
}


def run_verdict(run: RunResults) -> Verdict:
    """Healthy, at risk or too busy; the chance of breaking a target with its interval; reasons."""
    verdict = run.summary.get("too_busy") or {}
    state = run_status(verdict)
    share = verdict.get("probability", verdict.get("share_of_replications"))
    n = run.summary.get("replications")
    detail = ""
    if share is not None:
        runs = f"the {n} simulated runs" if n else "the simulated runs"
        detail = f"{fmt.percent(float(share))} of {runs} broke at least one target"
        ci = verdict.get("ci95")
        if ci:
            detail += f" (95% interval {fmt.percent(ci[0])} to {fmt.percent(ci[1])})"
        detail += "."
        reach = unsettled(verdict)
        if reach:
            detail += (f" The interval reaches into '{STATUS_WORDS[reach]}': more simulated runs "
                       "would settle it.")
    reasons = [str(r) for r in verdict.get("reasons") or []]
    return Verdict(state, HEADINGS[state], detail, reasons,
                   "Why:" if state != HEALTHY else "Targets broken in some runs:")


def targets_table(run: RunResults) -> Table | None:
    """Every target with its mean over the runs, 95% interval, threshold and the runs that broke it."""
    entries = (run.summary.get("too_busy") or {}).get("targets") or {}
    n = run.summary.get("replications")
    rows = []
    for code, entry in entries.items():
        target = BY_CODE.get(code)
        if target is None:
            continue
        lo, hi = entry.get("ci95") or (None, None)
        rows.append([
            target.what[0].upper() + target.what[1:],
            (f"without limit in {entry['unbounded_in']}" if entry.get("unbounded_in")
             else quantity(target, entry.get("mean"))),
            quantity_range(target, lo, hi) if lo is not None and hi is not None else "–",
            _target_value(target, entry),
            f"{entry.get('broken_in', 0)} of {n}" if n else str(entry.get("broken_in", 0)),
        ])
    if not rows:
        return None
    return Table("Every target, over the simulated runs",
                 ["Target", "Mean", "95% interval", "Target value", "Runs that broke it"], rows)


def _target_value(target, entry: dict) -> str:
    text = ("at most " if target.limit == "max" else "at least ") + threshold_text(target, entry["target"])
    text = text.replace("-week", " week")
    if entry.get("spare_mean") is not None:
        text += (", and no more than the people who could work it had spare "
                 f"({entry['spare_mean']:.2f} weeks on average)")
    return text


def neglect_estimates(run: RunResults) -> dict[str, Estimate]:
    """Hours of maintenance done late or skipped, by category (older results: by risk)."""
    out = {}
    for metric in run.neglect_metrics():
        est = run.estimate(metric)
        if est is not None:
            out[metric.split(".", 1)[1]] = est
    return out


def maintenance_table(run: RunResults) -> Table | None:
    """Routine maintenance by category, care and feeding of delivered systems its own row:
    hours done late or skipped, with their 95% interval."""
    neglect = neglect_estimates(run)
    if not neglect:
        return None
    rows = []
    for category, est in sorted(neglect.items(), key=lambda kv: list(NEGLECT).index(kv[0])
                                if kv[0] in NEGLECT else len(NEGLECT)):
        interval = (f"{fmt.number(max(est.low, 0))} to {fmt.number(est.high)} h"
                    if math.isfinite(est.low) and math.isfinite(est.high) else "–")
        rows.append([fmt.RISK_LABELS.get(category, NEGLECT.get(category, category)),
                     f"{fmt.number(est.mean)} h", interval])
    on_time = run.estimate("recurring_hours_on_time_share")
    note = ("Hours of each occurrence done after its due date or skipped (not started before the next "
            "one was due), summed over the measured period; mean of the simulated runs.")
    if on_time is not None:
        note += f" {fmt.percent(on_time.mean)} of all maintenance hours were done on time."
    return Table("Routine maintenance done late or skipped", ["Category", "Hours", "95% interval"],
                 rows, note)


def debt_caption(run: RunResults) -> str:
    """What the tech-debt chart means here: never 'no tech debt' while maintenance was neglected."""
    neglect = {k: e.mean for k, e in neglect_estimates(run).items() if e.mean >= 0.5}
    loop_on = bool((run.scenario.get("dynamics") or {}).get("debt_per_skipped_hour")
                   or (run.scenario.get("dynamics") or {}).get("debt_per_late_hour"))
    if not neglect:
        return ("No maintenance was done late or skipped." if loop_on else
                "No maintenance was done late or skipped, and the tech-debt loop is off in this scenario.")
    parts = [f"{fmt.number(h)} h of {NEGLECT.get(k, k)}" for k, h in
             sorted(neglect.items(), key=lambda kv: -kv[1])]
    what = narrative.join_words(parts)
    if loop_on:
        return f"Maintenance done late or skipped ({what}) built the tech debt shown here."
    return (f"Maintenance was neglected ({what} done late or skipped), but the tech-debt loop is off "
            "in this scenario ([dynamics] sets none), so the neglect does not feed the fires here: "
            "it is hidden risk, not yet more incidents.")


def short_level(key: str, x: float) -> str:
    """A swept level for tables and repeated mentions: ``1.15×`` or ``52``."""
    return narrative.short_level(key, x)


def _entries(sweep: SweepResults) -> list[tuple[str, dict]]:
    """(policy label, too_busy.json entry with a ``kind``), in the sweep's order. Entries
    written before there was a ``kind`` get one from their point."""
    bottom = min(sweep.x_values)
    out = []
    for policy, entry in sweep.too_busy.items():
        entry = dict(entry) if isinstance(entry, dict) else {}
        entry.setdefault("varied", sweep.x_key)
        if "kind" not in entry:
            point = entry.get("point")
            entry["kind"] = "never" if point is None else ("below_range" if point <= bottom else "tips")
        out.append((fmt.policy_label(policy), entry))
    return out


def tipping_rows(sweep: SweepResults) -> list[list[str]]:
    """Per policy: its name, where it becomes too busy (in words), the 95% interval, and
    where it stops being healthy."""
    key, values = sweep.x_key, sweep.x_values
    rows = []
    for name, entry in _entries(sweep):
        ci = entry.get("ci95")
        interval = "–"
        if ci and entry["kind"] in ("tips", "recovers"):
            lo = short_level(key, ci[0]) if ci[0] is not None else f"below {short_level(key, min(values))}"
            hi = short_level(key, ci[1]) if ci[1] is not None else f"beyond {short_level(key, max(values))}"
            interval = f"{lo} to {hi}"
        where = narrative.tipping_sentence({**entry, "ci95": None}, values)
        rows.append([name, where[0].upper() + where[1:], interval,
                     narrative.at_risk_words(entry, values) or "–"])
    return rows


def status_grid(sweep: SweepResults) -> tuple[list[str], list[tuple[str, list[tuple[str, str]]]]] | None:
    """Header (the levels) and, per policy, each level's share of runs that broke a target
    with its status; None for sweeps stored before the shares were."""
    entries = [(name, narrative.level_statuses(entry)) for name, entry in _entries(sweep) if entry.get("shares")]
    if not entries:
        return None
    levels = [short_level(sweep.x_key, x) for x, _ in _entries(sweep)[0][1]["shares"]]
    rows = [(name, [(text.split(" ", 1)[1], state) for text, state in cells]) for name, cells in entries]
    return ["Policy", *levels], rows


def sweep_headline(sweep: SweepResults) -> list[str]:
    """Which policy tips at which level, which holds out longest, and lead times today."""
    key, values = sweep.x_key, sweep.x_values
    entries = _entries(sweep)
    clauses = []
    for name, entry in entries:
        text = narrative.tipping_sentence({**entry, "ci95": None}, values, short=bool(clauses))
        if clauses and entry["kind"] in ("tips", "recovers"):
            text = "at " + text.split("' at ", 1)[1]  # "A tips into 'too busy' at 1.05×; B at 1.12×"
        clauses.append(f"{name} {text}")
    sentences = ["; ".join(clauses) + "."] if clauses else []
    if len(entries) > 1:
        reach = {name: _reach(entry) for name, entry in entries}
        best = max(reach.values())
        leaders = [name for name, r in reach.items() if r == best]
        if len(leaders) == 1:
            word = "holds out longest" if entries[0][1].get("direction", "more_is_worse") == "more_is_worse" \
                else "needs the least"
            sentences.append(f"{leaders[0]} {word}.")
    lead = sweep_estimates(sweep, "project_lead_time_days")
    at_ref = lead.loc[lead["x"] == sweep.reference_x].set_index("series")
    if not at_ref.empty:
        parts = [f"{fmt.duration(at_ref.at[s, 'mean'] * 24)} under {s}"
                 for s in series_order(sweep) if s in at_ref.index]
        joined = narrative.join_words(parts)
        where = level_phrase(key, sweep.reference_x)
        sentences.append(f"At {where}, projects reach the business {joined}.")
    return sentences


def _reach(entry: dict) -> float:
    """How well a policy does, larger is better: how far demand can rise before it tips, or
    how little of a resource it needs before it recovers."""
    point, kind = entry.get("point"), entry["kind"]
    worse = entry.get("direction", "more_is_worse") == "more_is_worse"
    if kind == "never":
        return math.inf
    if kind in ("below_range", "above_range") or point is None:
        return -math.inf
    return point if worse else -point


def adaptive_line(meta: dict) -> str:
    """One line on an adaptive sweep's replications, from its ``sweep.json``."""
    adaptive, cells, most = meta["adaptive"], meta.get("cells"), meta.get("replications")
    used = meta.get("replications_run")
    fixed = cells * most if isinstance(cells, int) and isinstance(most, int) else None
    against = f"{used:,} simulated runs in all, against {fixed:,} for a fixed grid of {most}" if used and fixed else ""
    return (f"An adaptive sweep: {adaptive.get('first_look')} runs per policy and level, then more, up to "
            f"{most}, only near the tipping point" + (f" ({against})." if against else "."))


def methods(replications: int | None, warmup: float | None, horizon: float | None,
            sweep: bool) -> list[str]:
    """A short plain-language methods note: what was simulated and what the ranges mean."""
    n = f"{replications} independent simulated runs" if replications else "simulated runs"
    period = f" of {fmt.number(horizon)} days each" if horizon else ""
    warm = (f"The first {fmt.number(warmup)} days of every run are a warm-up and are discarded, "
            "so results describe a team already in its normal rhythm rather than one starting "
            "with empty queues." if warmup else "")
    notes = [
        f"Every figure comes from {n}{period} (replications with different random demand). "
        + warm,
        "Figures are means over the runs; ranges are 95% confidence intervals (Student t over "
        "replications). Time charts show the median run as a line and the 10th–90th percentile "
        "of runs as shading.",
        "A run breaks its targets when work keeps piling up (open work grows by more than the "
        "allowed weeks of team capacity and by more than the people who could work it had spare), "
        "project lead time is above target (projects still open count with their age), too few "
        "routine maintenance hours are done on time, incidents are resolved within their target "
        "too rarely, utilisation is above a sustainable ceiling, or more maintenance of a category "
        "is neglected than allowed. The department is healthy when at most 20% of the runs break a "
        "target, at risk above that, and too busy when more than 80% do (the bands can be set in "
        "[targets]); the share comes with a 95% Wilson interval.",
    ]
    if sweep:
        notes.append("Every policy faced the same simulated demand in each run (common random "
                     "numbers), so differences between policies are paired comparisons. The "
                     "tipping point is where the share of runs that break a target passes the "
                     "too-busy band, from the healthy end of the range, interpolated between the "
                     "levels tested, with a 95% bootstrap interval.")
    return notes

