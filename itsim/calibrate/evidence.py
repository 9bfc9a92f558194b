"""What the scenario's comments say: each fitted key with the data and fit behind it.

One :class:`Key` per fitted key in ``[incidents]``: its value and the lines
of its comment, which name the tickets used (how many, opened when, in which
files) and the fit statistic. ``calibration.html`` shows the same text.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from itsim.calibrate.arrivals import DAYS
from itsim.calibrate.calibration import Calibration

WIDTH = 100


@dataclass(frozen=True)
class Key:
    """One key written in ``[incidents]``: its value and the comment lines above it."""

    name: str
    value: object
    comment: list[str]


def wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH - 2, break_on_hyphens=False)


def incident_keys(cal: Calibration) -> list[Key]:
    """The ``[incidents]`` keys fitted, with their comments (see :func:`scenario_text`)."""
    a = cal.arrivals
    keys = []
    dispersion = _weekly_dispersion(cal)
    keys.append(Key("rate_per_day", float(f"{a.per_day:.4g}"), wrap(
        f"{cal.cite(a.tickets)} ({a.days:g} days): {a.per_week:.4g} a week (95% CI {a.per_week_ci[0]:.4g}-"
        f"{a.per_week_ci[1]:.4g}), written per working day ({a.workdays_per_week:.3g} a week under the "
        f"{cal.calendar} calendar{_holidays_text(cal)})." + dispersion + " " + trend_sentence(cal))))
    if cal.team.given or cal.base is None or cal.base.incidents is None:
        keys.append(Key("handled_by", list(cal.team.handled_by), ["first line first (from --staff)"]))
    if cal.priorities is not None:
        mix = cal.priorities
        labels = ", ".join(f"{label!r} = P{k}" for label, k in sorted(cal.tickets.priority_labels.items(),
                                                                      key=lambda x: (x[1], x[0])))
        intervals = ", ".join(f"P{k} {lo:.3f}-{hi:.3f}" for k in mix.counts for lo, hi in [mix.interval(k)])
        keys.append(Key("priorities", mix.shares, wrap(
            f"{cal.cite(mix.n)} with a priority ({mix.unknown:,} without); labels {labels}; "
            f"95% intervals {intervals}.")))
    if cal.sla:
        parts = [f"P{k} {t.hours:g} h (any cut from {t.between[0]:.3g} to {t.between[1]:.3g} h does as well): "
                 f"{t.met:,} of {t.n:,} met, the cut agrees with {t.agreement:.1%}" for k, t in sorted(cal.sla.items())]
        skipped = "; ".join(f"P{k} not written: {why}" for k, why in sorted(cal.sla_skipped.items()))
        keys.append(Key("sla_hours", {f"P{k}": t.hours for k, t in sorted(cal.sla.items())}, wrap(
            "Inferred from made_sla: the resolution time (working hours) that best separates met from "
            "missed. " + "; ".join(parts) + "." + (f" {skipped}." if skipped else ""))))
    effort = cal.effort
    if effort is not None:
        keys.extend(_effort_keys(cal))
    if cal.escalates:
        keys.append(_escalation_key(cal))
    if cal.patience is not None:
        p = cal.patience
        lo, hi = p.interval
        keys.append(Key("patience_hours", {"dist": "exponential", "mean": float(f"{p.mean:.4g}")}, wrap(
            f"{cal.cite(p.n)}: {p.abandoned:,} were cancelled before anyone started on them ({p.share:.1%}); "
            f"mean patience = {p.exposure_hours:,.0f} hours waited in all / {p.abandoned:,} "
            f"(95% CI {lo:.3g}-{hi:.3g} h).")))
    keys.append(Key("arrival_profile", {"hour_of_day": a.hour_of_day, "day_of_week": a.day_of_week}, wrap(
        f"When tickets arrive: hour of day 00-23 in {cal.tickets.zone_text}, days {DAYS[0]} first; "
        f"maximum-likelihood day x hour fit to the {a.tickets:,} arrival times; deviance {a.deviance:,.0f} on "
        f"{a.df} degrees of freedom ({a.deviance_per_df:.2f} per degree: near 1, the product of a day and an "
        "hour factor explains the week to within chance).")))
    return keys


def _holidays_text(cal: Calibration) -> str:
    """How public holidays enter the working days a week (the model's own count)."""
    h = cal.holidays_per_year
    if cal.calendar != "business":
        return ""
    return (f": 5 weekdays less {h} public holidays a year, [scenario] holidays_per_year, as the model "
            "counts them; an export of a whole year holds about as many, a shorter one may hold fewer")


def _effort_keys(cal: Calibration) -> list[Key]:
    """``effort_hours`` (every class together), and ``effort_hours_by_priority`` when a
    likelihood-ratio test says the classes differ."""
    effort = cal.effort
    per = ", ".join(f"P{k} {f.mean:.3g} h (95% CI {f.mean_ci[0]:.3g}-{f.mean_ci[1]:.3g}, n = {f.n:,})"
                    for k, f in sorted(effort.by_priority.items()))
    test = f" The classes: {effort.classes.evidence()}." if effort.classes is not None else ""
    own = effort.written_by_priority
    keys = [Key("effort_hours", effort.first_line.spec, wrap(
        f"Effort{' at first line' if cal.escalates else ''} of every class together: {effort.how}. "
        f"{cal.cite(effort.first_line.n)}: {effort.first_line.evidence()}."
        + (f" Mean by priority: {per}." if per else "") + test
        + (" Classes listed in effort_hours_by_priority take their own; the others this one." if own else "")))]
    if own:
        keys.append(Key("effort_hours_by_priority", {f"P{k}": f.spec for k, f in sorted(own.items())}, wrap(
            "Effort of each class on its own (the same measure): "
            + "; ".join(f"P{k}: {f.evidence()}" for k, f in sorted(own.items())) + ".")))
    return keys


def _escalation_key(cal: Calibration) -> Key:
    esc = cal.escalation
    lo, hi = esc.interval
    base_esc = cal.base.incidents.escalation if cal.base is not None and cal.base.incidents else None
    to = cal.escalation_to
    extra = cal.effort.extra if cal.effort is not None else None
    if extra is not None:
        extra_spec, extra_text = extra.spec, f"extra effort: {extra.evidence()}"
    elif base_esc is not None:
        extra_spec = base_esc.extra_effort_hours.model_dump(by_alias=True)
        extra_text = "extra effort kept from the base scenario (too few escalated tickets to measure it)"
    else:
        mean = cal.effort.first_line.mean if cal.effort is not None else 1.0
        extra_spec = {"dist": "exponential", "mean": float(f"{mean:.4g}")}
        extra_text = ("extra effort not measurable (too few escalated tickets with effort): "
                      "assumed equal to the mean first-line effort")
    return Key("escalation", {"share": round(esc.share, 4), "to": to, "extra_effort_hours": extra_spec}, wrap(
        f"{esc.escalated:,} of {esc.n:,} tickets were reassigned at least once ({esc.share:.1%}, 95% CI "
        f"{lo:.1%}-{hi:.1%}); {extra_text}."))


def _weekly_dispersion(cal: Calibration) -> str:
    weeks = cal.arrivals.full_weeks["tickets"].to_numpy(float)
    if len(weeks) < 4 or weeks.mean() == 0:
        return ""
    ratio = weeks.var(ddof=1) / weeks.mean()
    return (f" Tickets per whole week vary {ratio:.1f} times as much as a steady Poisson rate would "
            f"({len(weeks)} weeks).")


def trend_sentence(cal: Calibration) -> str:
    t = cal.trend
    if t.growth_per_month is None:
        return f"No trend estimated: {t.note}."
    lo, hi = t.growth_ci
    word = "significant" if t.significant else "not significant"
    text = (f"Growth {t.growth_per_month:+.1%} a month (95% CI {lo:+.1%} to {hi:+.1%}, {word}) over "
            f"{int(t.months['whole'].sum())} whole months")
    if t.seasonal is not None:
        text += f"; seasonal factors by month (January first) {t.seasonal}"
    elif t.season_p is not None:
        text += f"; no significant seasonality (p = {t.season_p:.2f})"
    elif t.note:
        text += f"; {t.note}"
    if t.phases:
        text += "; written as [[phase]] entries, one per month"
    return text + "."


def trend_comment(cal: Calibration) -> list[str]:
    return wrap(f"Monthly arrival levels relative to rate_per_day, from the fitted trend: {trend_sentence(cal)} "
                 f"Days count from Monday {cal.period.origin.date()}. For a forecast beyond the period, extend "
                 "these phases or set rate_per_day to the level of the last month.")
