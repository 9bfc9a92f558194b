"""``calibration.html`` and ``calibration.json``: the evidence behind a calibrated scenario.

The page has the run report's look (its styles, chart libraries inlined, works
offline) and shows observed against fitted for every fit, the distributions
weighed for effort, the files read and every row left out with the reason.
The JSON holds the same figures for scripts. Neither contains anything from
the export but counts, times and priority labels.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from itsim.calibrate.calibration import Calibration
from itsim.calibrate.charts import calibration_charts
from itsim.calibrate.evidence import incident_keys, trend_sentence
from itsim.calibrate.fitting import ClassComparison, DistributionFit
from itsim.calibrate.scenario_toml import scenario_text
from itsim.report.assumptions import Table, describe
from itsim.report.charts import finish
from itsim.report.export import write_atomic
from itsim.report.page import ChartBlock, _chart, _e, _kpis, _table, document
from itsim.report.text import Kpi


def headline(cal: Calibration) -> list[str]:
    """The calibration in plain sentences (also printed by the command line)."""
    a = cal.arrivals
    lines = [f"{a.tickets:,} tickets opened {cal.period.text()}: {a.per_week:,.1f} a week, "
             f"{a.per_day:,.1f} per working day (95% interval {a.per_day_ci[0]:,.1f} to {a.per_day_ci[1]:,.1f})."]
    if cal.effort is not None:
        f = cal.effort.first_line
        how = "time in an active state" if cal.effort.method == "work" else "resolution time less the queue"
        lines.append(f"Effort{' at first line' if cal.escalates else ''}: {f.mean:.3g} working hours on average "
                     f"(from {how}), written as {describe(f.spec, 'h')}.")
    if cal.escalates:
        lines.append(f"{cal.escalation.share:.0%} of tickets were reassigned at least once.")
    if cal.trend.growth_per_month is not None:
        lines.append(trend_sentence(cal))
    return lines


def _kpi_list(cal: Calibration) -> list[Kpi]:
    a = cal.arrivals
    kpis = [Kpi("Tickets per working day", f"{a.per_day:,.1f}",
                f"95% interval {a.per_day_ci[0]:,.1f} to {a.per_day_ci[1]:,.1f}")]
    if cal.effort is not None:
        f = cal.effort.first_line
        kpis.append(Kpi("Mean effort per ticket (working hours)", f"{f.mean:.3g}",
                        f"95% interval {f.mean_ci[0]:.3g} to {f.mean_ci[1]:.3g}"))
    if cal.escalation is not None:
        lo, hi = cal.escalation.interval
        kpis.append(Kpi("Reassigned at least once", f"{cal.escalation.share:.0%}",
                        f"95% interval {lo:.0%} to {hi:.0%}"))
    if cal.patience is not None:
        kpis.append(Kpi("Cancelled while waiting", f"{cal.patience.share:.1%}",
                        f"{cal.patience.abandoned:,} tickets"))
    t = cal.trend
    if t.growth_per_month is not None:
        kpis.append(Kpi("Growth per month", f"{t.growth_per_month:+.1%}",
                        f"95% interval {t.growth_ci[0]:+.1%} to {t.growth_ci[1]:+.1%}"))
    return kpis


def _fit_rows(name: str, fit: DistributionFit, mark: str) -> list[list[str]]:
    """A row per candidate; the chosen one marked with ``mark``."""
    rows = [[name, c.name, f"{c.aic:,.1f}", f"{c.ks:.3f}", describe(c.spec, "h"),
             mark if c.name == fit.chosen else ""] for c in fit.candidates]
    if fit.chosen == "empirical":
        rows.append([name, "empirical", "", f"{fit.ks:.3f}", describe(fit.spec, "h"), mark])
    return rows


def tables(cal: Calibration) -> list[Table]:
    keys = incident_keys(cal)
    fitted = Table("The scenario's numbers and their evidence", ["Key in [incidents]", "Value", "Evidence"],
                   [[k.name, _short(k.value), " ".join(k.comment)] for k in keys],
                   "Each line is also a comment above the key in the scenario file.")
    out = [fitted]
    effort = cal.effort
    if effort is not None:
        rows = _fit_rows("first line" if cal.escalates else "all", effort.first_line, "written")
        own = effort.written_by_priority
        for k, fit in sorted(effort.by_priority.items()):
            rows += _fit_rows(f"P{k}", fit, "written for the class" if k in own else "best for the class")
        if effort.extra is not None:
            rows += _fit_rows("escalation extra", effort.extra, "written")
        out.append(Table("Effort distributions weighed", ["Tickets", "Distribution", "AIC", "KS distance",
                                                          "Fitted", ""], rows,
                         f"Effort measured as {effort.how}. Lower AIC is better; a KS distance above 0.05 "
                         "means the curve misses the data somewhere by more than 5 points of cumulative share."))
    if cal.sla or cal.sla_skipped:
        rows = [[f"P{k}", f"{t.hours:g} working hours", f"{t.met:,} of {t.n:,}", f"{t.agreement:.1%}"]
                for k, t in sorted(cal.sla.items())]
        rows += [[f"P{k}" if k else "all", "not written", "", why] for k, why in sorted(cal.sla_skipped.items())]
        out.append(Table("SLA targets inferred from made_sla", ["Class", "Target", "Met", "Agreement"], rows))
    out.append(Table("Files read", ["File", "Read as", "Rows", "Columns used", "Dates read as"],
                     [[Path(s.path).name, s.label, f"{s.rows:,}",
                       ", ".join(f"{c} ({f})" for f, c in s.columns.items()), s.dates]
                      for s in cal.tickets.sources],
                     "Only these columns were read; every other column of the export stayed in the file."))
    out.append(Table("Rows left out, and why", ["Reason", "Rows", "Effect"],
                     [[reason, f"{n:,}", effect] for reason, n, effect in cal.dropped]
                     or [["none", "0", ""]]))
    return out


def _short(value) -> str:
    if isinstance(value, dict) and "hour_of_day" in value:
        return "24 hour and 7 day weights (see the chart)"
    text = describe(value, "h") if isinstance(value, dict) and "dist" in value else describe(value)
    return text if len(text) <= 120 else text[:117] + "..."


METHODS = [
    "Every ticket opened in the period counts once as an arrival. The rate is tickets per week over the "
    "period, written per working day of the scenario calendar; the profile is the maximum-likelihood day x hour "
    "Poisson intensity over the 168 hours of the week.",
    "Effort is measured in working hours of the calendar, less the public holidays found in the data (weekdays "
    "on which no ticket was worked). From an audit log it is the time a ticket spent in an "
    "active state (an upper bound of hands-on time); from a ticket table it is resolution time less an "
    "estimated queue (M/M/c at the staff numbers given; an approximation). Either is then multiplied by the "
    "share of working hours left after meetings and admin (1 - overhead_share), the pace at which the model "
    "spends effort. Exponential, lognormal and gamma are "
    "fitted by maximum likelihood and the lowest AIC is written, unless it misses the data by a KS distance "
    "above 0.05, when the observed values are written as an empirical distribution.",
    "Priority classes get their own effort distributions (effort_hours_by_priority) when a likelihood-ratio "
    "test rejects one distribution shared by every class at the 1% level: twice the gain in log-likelihood "
    "from fitting each class on its own, against a chi-squared distribution with as many degrees of freedom "
    "as parameters added. effort_hours stays the fit of every class together.",
    "Tickets per week become rate_per_day by the working days of a week as the model counts them: five, less "
    "the scenario's public holidays a year (holidays_per_year, 10 by default on the business calendar).",
    "Shares come with Wilson 95% intervals, rates with exact Poisson intervals, means with normal intervals. "
    "A trend is a Poisson regression on whole calendar months; seasonality needs two years.",
    "The back-test (itsim backtest, or calibrate --backtest) simulates the scenario over the same period and "
    "says where the model and the data disagree.",
]


def calibration_page(cal: Calibration) -> str:
    """``calibration.html`` as text."""
    figures = calibration_charts(cal)
    blocks = [ChartBlock(f.name, finish(f.chart).to_dict(), f.caption) for f in figures]
    body = [
        f"<header><h1>Calibration from ticket data</h1><p class=\"sub\">{_e(cal.files)}: "
        f"{_e(cal.period.text())}, times in {_e(cal.tickets.zone_text)}, {_e(cal.calendar)} calendar.</p></header>",
        '<section class="headline">' + "".join(f"<p>{_e(s)}</p>" for s in headline(cal)) + "</section>",
        _kpis(_kpi_list(cal)),
        "<h2>Observed against fitted</h2>",
        *(_chart(b) for b in blocks),
        "<h2>Evidence</h2>",
        *(_table(t) for t in tables(cal)),
        '<section class="methods"><h2>How these numbers were produced</h2>'
        + "".join(f"<p>{_e(m)}</p>" for m in METHODS) + "</section>",
    ]
    return document("Calibration from ticket data", body, {f"chart-{b.name}": b.spec for b in blocks})


def _fit_json(fit: DistributionFit | None) -> dict | None:
    if fit is None:
        return None
    return {"n": fit.n, "mean": fit.mean, "mean_ci95": list(fit.mean_ci), "cv": fit.cv, "median": fit.median,
            "p90": fit.p90, "written": fit.spec, "chosen": fit.chosen, "ks": fit.ks, "reason": fit.reason,
            "candidates": [{"dist": c.name, "fitted": c.spec, "aic": c.aic, "ks": c.ks, "ks_p": c.ks_p}
                           for c in fit.candidates]}


def _classes_json(test: ClassComparison | None) -> dict | None:
    if test is None:
        return None
    return {"family": test.family, "classes": [f"P{k}" for k in test.classes], "n": test.n,
            "statistic": test.statistic, "df": test.df, "p_value": test.p_value, "separate": test.separate}


def summary(cal: Calibration) -> dict:
    """``calibration.json``: the figures of the page, for scripts (no ticket data)."""
    a, t = cal.arrivals, cal.trend
    out = {
        "files": [{"file": Path(s.path).name, "read_as": s.label, "rows": s.rows, "columns": s.columns,
                   "dates": s.dates} for s in cal.tickets.sources],
        "period": {"start": str(cal.period.start.date()), "end": str(cal.period.end.date()),
                   "origin": str(cal.period.origin.date()), "days": cal.period.days,
                   "time_zone": cal.tickets.tz},
        "calendar": cal.calendar,
        "tickets": a.tickets,
        "rate_per_day": {"value": a.per_day, "ci95": list(a.per_day_ci), "per_week": a.per_week},
        "arrival_profile": {"hour_of_day": a.hour_of_day, "day_of_week": a.day_of_week,
                            "hour_counts": a.hour_counts.tolist(), "day_counts": a.day_counts.tolist(),
                            "deviance": a.deviance, "df": a.df},
        "trend": {"growth_per_month": t.growth_per_month, "ci95": list(t.growth_ci) if t.growth_ci else None,
                  "significant": t.significant, "seasonal": t.seasonal, "season_p": t.season_p,
                  "phases": t.phases, "note": t.note},
        "priorities": None if cal.priorities is None else {
            "shares": cal.priorities.shares, "n": cal.priorities.n, "unknown": cal.priorities.unknown,
            "ci95": {f"P{k}": list(cal.priorities.interval(k)) for k in cal.priorities.counts},
            "labels": cal.tickets.priority_labels},
        "escalation": None if cal.escalation is None else {
            "share": cal.escalation.share, "ci95": list(cal.escalation.interval), "n": cal.escalation.n,
            "written": cal.escalates},
        "effort": None if cal.effort is None else {
            "method": cal.effort.method, "how": cal.effort.how, "first_line": _fit_json(cal.effort.first_line),
            "time_on_work": {"first_line": cal.effort.time_on_work[0], "escalated": cal.effort.time_on_work[1]},
            "by_priority": {f"P{k}": _fit_json(f) for k, f in cal.effort.by_priority.items()},
            "by_priority_written": [f"P{k}" for k in sorted(cal.effort.written_by_priority)],
            "classes_test": _classes_json(cal.effort.classes),
            "escalation_extra": _fit_json(cal.effort.extra)},
        "holidays_found": cal.holiday_dates,
        "holidays_per_year": cal.holidays_per_year,
        "sla_hours": {f"P{k}": {"hours": s.hours, "agreement": s.agreement, "n": s.n} for k, s in cal.sla.items()},
        "sla_not_written": {f"P{k}": why for k, why in cal.sla_skipped.items()},
        "patience": None if cal.patience is None else {
            "mean_hours": cal.patience.mean, "ci95": list(cal.patience.interval),
            "abandoned": cal.patience.abandoned, "n": cal.patience.n},
        "dropped": [{"reason": r, "rows": n, "effect": e} for r, n, e in cal.dropped],
    }
    return _finite(out)


def _finite(value):
    """JSON has no NaN: NaN and infinities become null."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _finite(value.item())
    return value


def write_calibration(cal: Calibration, scenario_path: str | Path) -> dict[str, Path]:
    """Write the scenario, ``calibration.html`` and ``calibration.json`` (beside the scenario).

    Everything is rendered first, so a failure leaves no file behind; each file is
    then written atomically. Returns the paths by kind.
    """
    scenario_path = Path(scenario_path)
    texts = {
        "scenario": (scenario_path, scenario_text(cal)),
        "report": (scenario_path.parent / "calibration.html", calibration_page(cal)),
        "summary": (scenario_path.parent / "calibration.json",
                    json.dumps(summary(cal), indent=2, allow_nan=False) + "\n"),
    }
    for path, text in texts.values():
        write_atomic(path, text)
    return {kind: path for kind, (path, _) in texts.items()}
