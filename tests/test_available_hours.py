"""Available hours as leaders know them: public holidays, vacation and sickness, and
non-project overhead (meetings, admin), with sourced defaults on the business calendar
and none on 24x7, where the plain queue stays a plain queue."""

import numpy as np
import pytest

import itsim
from itsim.model.work import INCIDENT
from itsim.record import ARRIVE
from itsim.scenario import BUSINESS_STAFF_TIME

OFFICE = {
    "scenario": {"name": "office", "horizon_days": 364, "warmup_days": 0, "calendar": "business", "seed": 8},
    "team": [{"role": "engineer", "count": 10, "cost_per_hour": 50}],
    "incidents": {"rate_per_day": 20, "effort_hours": {"dist": "exponential", "mean": 1.0}, "handled_by": ["engineer"]},
    "recurring": [{"name": "Checks", "every": "daily", "effort_hours": {"dist": "constant", "value": 2.0},
                   "due_within_days": 1, "handled_by": ["engineer"]}],
}


def office(**changes) -> itsim.Scenario:
    sc = itsim.Scenario.from_dict(OFFICE)
    return sc.with_changes(changes) if changes else sc


def weekdays(days: int) -> int:
    return sum(1 for d in range(days) if d % 7 < 5)


def test_defaults_leave_about_1440_hours_of_work_a_year_per_person():
    run = itsim.simulate(office())
    m = run.metrics
    assert m["available_hours_per_person_year"] == pytest.approx(1434, rel=0.03)
    assert m["holiday_hours"] == pytest.approx(10 * 8 * 10)
    assert m["leave_hours"] == pytest.approx(10 * 8 * 26, rel=0.15)
    assert m["overhead_hours"] == pytest.approx(0.25 * m["available_hours"])
    assert run.checks["hours_unaccounted"] < 1e-6


def test_staff_are_paid_for_holidays_and_leave():
    run = itsim.simulate(office())
    assert run.metrics["cost_staff"] == pytest.approx(50 * 10 * 8 * weekdays(364))


def test_the_round_the_clock_calendar_has_no_holidays_leave_or_overhead_by_default():
    sc = office(**{"scenario.calendar": "24x7", "incidents.rate_per_day": None, "incidents.rate_per_hour": 1.0,
                   "recurring": []})
    assert sc.staff_time(sc.team[0]) == {"holidays_per_year": 0, "vacation_days_per_year": 0,
                                         "sick_days_per_year": 0, "overhead_share": 0}
    m = itsim.simulate(sc).metrics
    assert m["leave_hours"] == m["overhead_hours"] == m["holiday_hours"] == 0
    assert m["available_hours"] == pytest.approx(10 * 24 * 364)


def test_a_role_on_the_business_calendar_gets_the_defaults_in_a_24x7_scenario():
    sc = office(**{"scenario.calendar": "24x7", "team.engineer.calendar": "business"})
    assert sc.staff_time(sc.team[0]) == BUSINESS_STAFF_TIME


def test_overhead_slows_work_and_is_not_available_for_it():
    lone = office(**{"team.engineer.count": 1, "incidents": None, "scenario.holidays_per_year": 0,
                     "team.engineer.vacation_days_per_year": 0, "team.engineer.sick_days_per_year": 0,
                     "team.engineer.overhead_share": 0.25})
    m = itsim.simulate(lone).metrics
    # 2 hours of checks a day take 2 / 0.75 on-shift hours; 6 of the 8 on-shift hours are for work.
    assert m["hours_share.recurring"] == pytest.approx(2 / 6)
    assert m["available_hours"] == pytest.approx(6 * weekdays(364))
    assert m["overhead_hours"] == pytest.approx(2 * weekdays(364))


def test_nothing_arrives_or_is_released_on_a_public_holiday():
    run = itsim.simulate(office())
    world = run.world
    holidays = set(world.calendar.holidays)
    time, code, item = world.log.columns()
    arrived = time[code == ARRIVE]
    assert not {int(t // 24) for t in arrived} & holidays
    kinds = world.log.kind[item[code == ARRIVE]]
    assert (kinds == INCIDENT).sum() > 0


def test_people_on_leave_hold_no_work_and_leave_takes_whole_days():
    run = itsim.simulate(office(**{"team.engineer.sick_days_per_year": 30}))
    people = run.world.role["engineer"].people
    assert all(p.item is None for p in people if p.absent)
    leave = run.world.ledger.arrays()["leave"].sum(axis=1)
    np.testing.assert_allclose(leave % 8.0, 0.0, atol=1e-6)
    assert run.checks["hours_unaccounted"] < 1e-6
    assert run.metrics["leave_hours"] > 10 * 8 * 40


def test_more_leave_means_fewer_hours_for_work():
    less = itsim.simulate(office(**{"team.engineer.vacation_days_per_year": 10})).metrics
    more = itsim.simulate(office(**{"team.engineer.vacation_days_per_year": 30})).metrics
    assert more["available_hours"] < less["available_hours"] - 10 * 8 * 15
    assert more["utilization"] > less["utilization"]


def test_too_much_leave_is_an_error():
    with pytest.raises(itsim.ScenarioError, match="vacation and sick days"):
        office(**{"team.engineer.vacation_days_per_year": 200, "team.engineer.sick_days_per_year": 20})


NIGHTS = {
    "scenario": {"name": "nights", "horizon_days": 120, "warmup_days": 0, "calendar": "business", "seed": 4},
    "team": [{"role": "engineer", "count": 4, "cost_per_hour": 70}],
    "incidents": {"rate_per_day": 10, "effort_hours": {"dist": "exponential", "mean": 1.0},
                  "priorities": {"P1": 0.2, "P2": 0.8}, "handled_by": ["engineer"],
                  "arrival_profile": {"hour_of_day": [1] * 24}},  # reported around the clock
}


def test_on_call_cover_answers_urgent_incidents_outside_business_hours():
    sc = itsim.Scenario.from_dict(NIGHTS)
    alone = itsim.simulate(sc)
    covered = itsim.simulate(sc.with_changes({"incidents.on_call": {"role": "engineer"}}))
    assert alone.metrics["incident_wait_hours.P1"] > 8
    assert covered.metrics["incident_wait_hours.P1"] < 0.1
    assert covered.metrics["incident_wait_hours.P2"] > 8, "only the classes on call are covered"
    # Only the hours worked on call are available, and paid at the role's rate.
    led = covered.world.ledger.arrays()
    on_call = covered.world.role["engineer_on_call"].index
    np.testing.assert_allclose(led["available"][:, on_call], led["busy"][:, on_call, :].sum(axis=1))
    worked = led["busy"][:, on_call, :].sum()
    assert worked > 0
    assert covered.metrics["cost_staff"] == pytest.approx(alone.metrics["cost_staff"] + 70 * worked)
    assert covered.checks["hours_unaccounted"] < 1e-6 and covered.checks["incidents_unaccounted"] == 0


def test_on_call_needs_a_business_hours_role_that_handles_incidents():
    sc = itsim.Scenario.from_dict(NIGHTS)
    with pytest.raises(itsim.ScenarioError, match="on_call.role: no \\[\\[team\\]\\] has role 'nobody'"):
        sc.with_changes({"incidents.on_call": {"role": "nobody"}})
    with pytest.raises(itsim.ScenarioError, match="works 24x7 already"):
        sc.with_changes({"incidents.on_call": {"role": "engineer"}, "team.engineer.calendar": "24x7"})
    with pytest.raises(itsim.ScenarioError, match="on_call.priorities"):
        sc.with_changes({"incidents.on_call": {"role": "engineer", "priorities": ["P3"]}})
