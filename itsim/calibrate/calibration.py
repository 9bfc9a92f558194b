"""Calibrating a scenario from ticket exports: every fit, and what was left out and why.

:func:`calibrate` reads the exports, fixes the period and the calendar, runs
each fit (arrivals, trend, priority mix, effort, escalation, SLA targets,
impatience) and returns a :class:`Calibration`, which writes the scenario
(:mod:`itsim.calibrate.scenario_toml`), ``calibration.html`` and
``calibration.json``. Nothing is written until every input has been checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from itsim.calibrate import service
from itsim.calibrate.arrivals import ArrivalFit, fit_arrivals
from itsim.calibrate.effort import EffortFit, fit_effort
from itsim.calibrate.errors import CalibrationError, parse_pairs
from itsim.calibrate.holidays import find_holidays
from itsim.calibrate.read import ReadOptions
from itsim.calibrate.tickets import Period, Tickets, read_tickets
from itsim.calibrate.trend import TrendFit, fit_trend
from itsim.model.calendar import BusinessHours
from itsim.model.calendar import calendar as make_calendar
from itsim.scenario import BUSINESS_STAFF_TIME, Scenario, ScenarioError, load_scenario

MIN_TICKETS = 30
"""Fewer tickets in the period than this are too few to calibrate from."""
MIN_ESCALATED = 10


@dataclass(frozen=True)
class Team:
    """Who handles incidents: roles in order (the first is first line), people per role, and
    the share of each role's working hours that goes to meetings and admin (``overhead``)."""

    handled_by: list[str]
    counts: dict[str, int]
    given: dict[str, int]
    overhead: dict[str, float] = field(default_factory=dict)

    @property
    def servers(self) -> int:
        return sum(self.counts[r] for r in self.handled_by)

    def time_on_work(self, roles: Sequence[str]) -> float:
        """Share of the working hours of ``roles`` (weighed by head count) that goes to
        modelled work: 1 - ``overhead_share``, as the model spends effort."""
        people = sum(self.counts.get(r, 0) for r in roles)
        if people == 0:
            return 1.0 - sum(self.overhead.get(r, 0.0) for r in roles) / len(roles)
        return 1.0 - sum(self.counts.get(r, 0) * self.overhead.get(r, 0.0) for r in roles) / people


@dataclass(frozen=True)
class Calibration:
    """The fits of one calibration and their evidence (see the module docstring)."""

    tickets: Tickets
    period: Period
    calendar: str
    team: Team
    base: Scenario | None
    base_path: Path | None
    used: pd.DataFrame
    arrivals: ArrivalFit
    trend: TrendFit
    priorities: service.PriorityMix | None
    escalation: service.Escalation | None
    effort: EffortFit | None
    sla: dict[int, service.SlaTarget]
    sla_skipped: dict[int, str]
    patience: service.Patience | None
    dropped: list[tuple[str, int, str]] = field(default_factory=list)
    holidays: list[int] = field(default_factory=list)
    """Weekdays taken as public holidays (days since ``period.origin``; :mod:`holidays`)."""

    @property
    def holiday_dates(self) -> list[str]:
        return [str((self.period.origin + pd.Timedelta(days=d)).date()) for d in self.holidays]

    @property
    def escalates(self) -> bool:
        """Whether the scenario gets an escalation (enough reassigned tickets to measure it)."""
        return _enough_escalated(self.escalation)

    @property
    def escalation_to(self) -> str:
        return _escalation_to(self.base, self.team)

    @property
    def holidays_per_year(self) -> int:
        return holidays_per_year(self.base, self.calendar)

    @property
    def files(self) -> str:
        return ", ".join(Path(s.path).name for s in self.tickets.sources)

    def write(self, scenario_path: str | Path) -> dict[str, Path]:
        """Write the scenario, ``calibration.html`` and ``calibration.json`` beside it; see
        :func:`itsim.calibrate.report.write_calibration`."""
        from itsim.calibrate.report import write_calibration  # the report imports this module

        return write_calibration(self, scenario_path)

    def cite(self, n: int) -> str:
        """Where a figure comes from: how many tickets, when, and from which files."""
        return f"{n:,} tickets opened {self.period.text()} in {self.files}"


def holidays_per_year(base: Scenario | None, calendar: str) -> int:
    """Public holidays a year of the calibrated scenario's calendar: the base's, else the
    business calendar's default; none on 24x7."""
    if calendar != "business":
        return 0
    return base.holidays_per_year if base is not None else int(BUSINESS_STAFF_TIME["holidays_per_year"])


def parse_staff(items: Sequence[str]) -> dict[str, int]:
    """``--staff ROLE=N`` options, in order; raises :class:`CalibrationError`."""

    def check(role: str, count: str) -> int | None:
        return int(count) if role.isidentifier() and count.isdigit() else None

    return parse_pairs(list(items), "--staff", check,
                       "ROLE=N, e.g. --staff service_desk=4 (ROLE letters, digits and _; N a whole number)")


def calibrate(
    paths: Sequence[str | Path],
    staff: dict[str, int] | None = None,
    base: str | Path | None = None,
    calendar: str | None = None,
    start: str | None = None,
    end: str | None = None,
    options: ReadOptions | None = None,
) -> Calibration:
    """Fit a scenario's demand to ticket exports.

    ``staff`` maps roles to head counts (the first role is first line; at least one
    person must handle incidents, here or in ``base``). ``start``/``end`` bound the
    period (dates, ``end`` included). Raises :class:`CalibrationError` with every problem.
    """
    options = options or ReadOptions()
    base_scenario = _load_base(base)
    if calendar is None:
        calendar = base_scenario.scenario.calendar if base_scenario is not None else "business"
    if calendar not in ("business", "24x7"):
        raise CalibrationError([f"--calendar: business or 24x7 (got {calendar!r})"])
    team = _team(staff or {}, base_scenario, calendar)
    tickets = read_tickets(paths, options)
    period = Period.of(tickets, start, end, options.dayfirst)
    table = tickets.table
    inside = period.contains(table["opened"].to_numpy())
    dropped = [(reason, n, "left out") for reason, n in tickets.dropped.items()]
    if (~inside).any():
        dropped.append(("opened outside the period", int((~inside).sum()), "left out"))
    used = _in_hours(table, inside, tickets, period)
    if len(used) < MIN_TICKETS:
        raise CalibrationError([f"only {len(used)} tickets opened {period.text()}: too few to calibrate from "
                                f"(at least {MIN_TICKETS})"])
    # Working days a week as the model counts them: weekdays less the scenario's public
    # holidays a year, on average; working hours less the holidays found in the data.
    per_year = holidays_per_year(base_scenario, calendar)
    work_start = period.hours(tickets.work["start"].to_numpy())
    if calendar == "business":
        work_times = np.concatenate([period.hours(table["resolved"].to_numpy()), work_start])
        holidays = find_holidays(work_times, period)
        cal = BusinessHours(holidays, per_year)
    else:
        holidays, cal = [], make_calendar(calendar)
    workdays = cal.hours_per_week / cal.hours_per_day
    arrivals = fit_arrivals(used["opened"].to_numpy(), period, workdays)
    trend = fit_trend(used["opened"].to_numpy(), period, arrivals.day_of_week)
    classes = used["priority"].to_numpy()
    priorities = service.priority_mix(classes)
    if priorities is not None and priorities.unknown:
        dropped.append(("no priority (or '?')", priorities.unknown, "left out of the priority mix only"))
    esc = service.escalation(used["reassignments"].to_numpy(float))
    if esc is not None and esc.n < len(used):
        dropped.append(("no reassignment count", len(used) - esc.n, "left out of the escalation share only"))
    clock = cal.clock_array
    # Working hours spent on a ticket include the meetings and admin the model takes out of
    # them (overhead_share): effort is the rest, as the model spends it.
    to = _escalation_to(base_scenario, team)
    effort = fit_effort(used, tickets.work.assign(start=work_start, end=period.hours(tickets.work["end"])),
                        clock, _enough_escalated(esc), team.servers, arrivals.per_day / cal.hours_per_day,
                        (team.time_on_work(team.handled_by), team.time_on_work([to])))
    if effort is None and (base_scenario is None or base_scenario.incidents is None):
        raise CalibrationError([f"too few resolved tickets to measure effort from ({_resolved(used)} "
                                f"resolved in the period; at least 10)"])
    open_now = int(used["resolved"].isna().sum() - used["cancelled"].sum())
    if open_now:
        dropped.append(("not resolved by the end of the export", open_now, "left out of effort and SLA"))
    if used["cancelled"].any():
        dropped.append(("cancelled", int(used["cancelled"].sum()), "left out of effort; used for impatience"))
    if effort is not None:
        dropped.extend((reason, n, "left out of effort") for reason, n in effort.dropped.items())
    resolution = clock(used["resolved"].to_numpy()) - clock(used["opened"].to_numpy())
    made = used["made_sla"].to_numpy(float)
    # Without priorities the scenario has one class, P1; with them, tickets without one have no class.
    sla_classes = classes if priorities is not None else np.ones_like(classes)
    made = np.where(sla_classes > 0, made, np.nan)
    sla, skipped = service.sla_targets(resolution, made, sla_classes)
    return Calibration(
        tickets=tickets, period=period, calendar=calendar, team=team, base=base_scenario,
        base_path=Path(base) if base is not None else None, used=used, arrivals=arrivals, trend=trend,
        priorities=priorities, escalation=esc, effort=effort, sla=sla, sla_skipped=skipped,
        patience=_patience(used, effort), dropped=dropped, holidays=holidays,
    )


def _enough_escalated(esc: service.Escalation | None) -> bool:
    """Whether ``esc`` counts enough reassigned tickets (:data:`MIN_ESCALATED`) to measure escalation."""
    return esc is not None and esc.escalated >= MIN_ESCALATED


def _load_base(base: str | Path | None) -> Scenario | None:
    if base is None:
        return None
    try:
        return load_scenario(base)
    except ScenarioError as exc:
        raise CalibrationError([p if p.startswith(str(base)) else f"{base}: {p}" for p in exc.problems]) from None


def _escalation_to(base: Scenario | None, team: Team) -> str:
    """The role escalated incidents go to: the base scenario's, else the second role
    handling incidents (the first when there is only one)."""
    esc = base.incidents.escalation if base is not None and base.incidents is not None else None
    roles = team.handled_by
    return esc.to if esc is not None else roles[1] if len(roles) > 1 else roles[0]


def _overhead_share(role: str, base: Scenario | None, calendar: str) -> float:
    """A role's ``overhead_share``: the base scenario's, else the default of its calendar."""
    entry = next((t for t in base.team if t.role == role), None) if base is not None else None
    if entry is not None and entry.overhead_share is not None:
        return entry.overhead_share
    own = entry.calendar if entry is not None and entry.calendar else calendar
    return BUSINESS_STAFF_TIME["overhead_share"] if own == "business" else 0.0


def _team(staff: dict[str, int], base: Scenario | None, calendar: str) -> Team:
    counts = {t.role: t.count for t in base.team} if base is not None else {}
    counts.update(staff)
    if staff:
        handled_by = list(staff)
    elif base is not None and base.incidents is not None:
        handled_by = list(base.incidents.handled_by)
    elif base is not None:
        handled_by = [t.role for t in base.team if "incident" in t.skills]
    else:
        handled_by = []
    if base is not None:
        lacking = [t.role for t in base.team if t.role in staff and "incident" not in t.skills]
        if lacking:
            raise CalibrationError([f"--staff {r}: this role of the base scenario lacks the skill 'incident'"
                                    for r in lacking])
    if not handled_by:
        raise CalibrationError([
            "--staff: say who handles incidents, e.g. --staff service_desk=4 --staff engineer=6 "
            "(first line first), or give --base with a [[team]] that handles incidents"
        ])
    if sum(counts[r] for r in handled_by) < 1:
        raise CalibrationError(["--staff: at least one person must handle incidents"])
    return Team(handled_by, counts, dict(staff), {r: _overhead_share(r, base, calendar) for r in counts})


def _in_hours(table: pd.DataFrame, inside: np.ndarray, tickets: Tickets, period: Period) -> pd.DataFrame:
    """The tickets opened in the period, times in hours since the period's origin, and whether
    an audit log describes them (``logged``)."""
    events = [i for i, s in enumerate(tickets.sources) if s.events]
    logged = np.isin(table["source"].to_numpy(), events)
    logged[tickets.work["ticket"].to_numpy()] = True
    used = table.assign(logged=logged)[inside]
    for col in ("opened", "resolved", "ended", "started"):
        used[col] = period.hours(used[col].to_numpy())
    return used


def _resolved(used: pd.DataFrame) -> int:
    return int((used["resolved"].notna() & ~used["cancelled"]).sum())


def _patience(used: pd.DataFrame, effort: EffortFit | None) -> service.Patience | None:
    """How long tickets waited (wall hours) and which left while waiting (see :mod:`service`)."""
    opened, started, ended = (used[c].to_numpy() for c in ("opened", "started", "ended"))
    cancelled = used["cancelled"].to_numpy()
    waiting_when_cancelled = cancelled & ~(started < ended)
    wait = np.where(~np.isnan(started), started - opened, np.nan)
    wait = np.where(waiting_when_cancelled, ended - opened, wait)
    if effort is not None and effort.queue is not None:  # no log of starts: the queue model's share
        shares = effort.queue.wait_share_by_class
        share = np.array([shares.get(int(k), np.nan) for k in used["priority"].to_numpy()])
        resolved = used["resolved"].to_numpy()
        wait = np.where(np.isnan(wait), (resolved - opened) * share, wait)
    return service.patience(wait, waiting_when_cancelled)

