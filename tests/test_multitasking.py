"""Projects pushed onto people: owners, teams up to max_people_per_project, the
time lost holding several projects (Weinberg 1992), and what a WIP limit changes
(Reinertsen 2009). Comparisons use common random numbers."""

import numpy as np

import itsim
from itsim.model.projects import DELIVERED, WITHDRAWN
from itsim.model.work import PROJECT
from itsim.record import COMMIT, REQUEST

# Three engineers on projects only, 120 hours a week between them (full weeks: no
# holidays, leave or meetings), and ~100 hours a week of requests.
PORTFOLIO = {
    "scenario": {"name": "portfolio", "horizon_days": 200, "warmup_days": 0, "calendar": "business", "seed": 5,
                 "holidays_per_year": 0},
    "team": [{"role": "engineer", "count": 3, "skills": ["project"], "overhead_share": 0,
              "vacation_days_per_year": 0, "sick_days_per_year": 0}],
    "projects": {"rate_per_week": 2.5, "estimate_hours": {"dist": "lognormal", "mean": 40, "cv": 0.5},
                 "estimate_noise_cv": 0, "handled_by": ["engineer"],
                 "value_per_week": {"dist": "constant", "value": 1000}},
}


def portfolio(**changes) -> itsim.Scenario:
    sc = itsim.Scenario.from_dict(PORTFOLIO)
    return sc.with_changes(changes) if changes else sc


def chunk_efforts(run) -> np.ndarray:
    """Effort of every project chunk handed out (hours, switching time included)."""
    log = run.world.log
    return np.frombuffer(log.effort, dtype=float)[log.kind == PROJECT]


def project_hours_per_effort(run) -> float:
    """Person-hours booked on projects per hour of effort of the projects delivered."""
    busy = run.world.ledger.arrays()["busy"][:, :, PROJECT].sum()
    tab = run.world.portfolio.table()
    return float(busy / tab["actual"][tab["state"] == DELIVERED].sum())


def test_every_accepted_request_is_started_at_once_and_given_an_owner():
    run = itsim.simulate(portfolio())
    time, code, item = run.world.log.columns()
    requested, committed = time[code == REQUEST], time[code == COMMIT]
    np.testing.assert_array_equal(item[code == REQUEST][: len(committed)], item[code == COMMIT])
    np.testing.assert_array_equal(requested[: len(committed)], committed)
    pf = run.world.portfolio
    assert all(p.team for p in pf.in_progress)


def test_teams_and_assignments_agree_and_respect_the_team_size():
    for limit in (1, 2, 3):
        run = itsim.simulate(portfolio(**{"projects.max_people_per_project": limit}))
        pf = run.world.portfolio
        for project in pf.in_progress:
            assert 1 <= len(project.team) <= limit
            for person in project.team:
                assert project in person.projects
        for person in run.world.role["engineer"].people:
            assert all(person in p.team for p in person.projects)


def test_a_project_is_worked_by_up_to_max_people_at_once():
    one_big = portfolio(**{"projects.rate_per_week": 0.02, "scenario.horizon_days": 400,
                           "projects.estimate_hours": {"dist": "constant", "value": 600}})
    alone = itsim.simulate(one_big.with_changes({"projects.max_people_per_project": 1}))
    pair = itsim.simulate(one_big.with_changes({"projects.max_people_per_project": 2}))
    trio = itsim.simulate(one_big.with_changes({"projects.max_people_per_project": 3}))
    lead = [r.metrics["project_lead_time_days"] for r in (alone, pair, trio)]
    assert lead[0] > 1.8 * lead[1]
    assert lead[1] > 1.3 * lead[2]


def test_holding_several_projects_costs_the_weinberg_share_of_the_time():
    busy = portfolio(**{"projects.rate_per_week": 3.0})
    weinberg = itsim.simulate(busy)
    focused = itsim.simulate(busy.with_changes({"dynamics.multitasking_loss": [0.0]}))
    assert max(len(p.projects) for p in weinberg.world.role["engineer"].people) >= 3
    assert chunk_efforts(focused).max() <= 4.0 + 1e-9
    # Weinberg's shares: a 4-hour chunk takes 4 / 0.8 = 5 hours with two projects held, 4 / 0.6
    # with three, 4 / 0.4 with four, 4 / 0.25 with five or more (the last piece of a project is shorter).
    efforts = chunk_efforts(weinberg)
    assert efforts.max() <= 16.0 + 1e-9
    for held in (5.0, 4 / 0.6):
        assert np.isclose(efforts, held).any()
    assert project_hours_per_effort(weinberg) > 1.1 * project_hours_per_effort(focused)
    assert weinberg.metrics["projects_delivered"] < focused.metrics["projects_delivered"]


def test_one_project_per_person_costs_nothing_extra():
    """wip_limit's default gives each person at most one project: no time is lost."""
    limited = itsim.simulate(portfolio(**{"projects.rate_per_week": 3.0, "projects.max_people_per_project": 1,
                                          "policy.name": "wip_limit"}))
    assert limited.world.policy.limit == 3
    assert chunk_efforts(limited).max() <= 4.0 + 1e-9


def test_a_wip_limit_delivers_more_sooner_when_work_is_pushed_onto_people():
    """Reinertsen: limiting work in progress cuts lead time and cost of delay, through
    less multitasking; with people juggling projects the department delivers less."""
    busy = portfolio(**{"projects.rate_per_week": 2.8})
    free = itsim.replicate(busy, replications=3).runs
    limited = itsim.replicate(busy.with_changes({"policy.name": "wip_limit"}), replications=3).runs

    def mean(runs, metric):
        return runs.loc[runs.metric == metric, "value"].mean()

    assert mean(limited, "projects_delivered") > mean(free, "projects_delivered")
    assert mean(limited, "project_lead_time_days") < mean(free, "project_lead_time_days")
    assert mean(limited, "cost_of_delay") < mean(free, "cost_of_delay")


def test_requests_are_withdrawn_only_if_no_work_has_started_on_them():
    impatient = portfolio(**{"projects.rate_per_week": 4, "projects.patience_days": {"dist": "constant", "value": 10},
                             "policy.name": "wip_limit"})
    run = itsim.simulate(impatient)
    pf = run.world.portfolio
    withdrawn = {p.id for p in pf.projects if p.state == WITHDRAWN}
    assert withdrawn
    worked = set(run.world.log.cls[run.world.log.kind == PROJECT].tolist())
    assert not withdrawn & worked
    assert all(p.shadow_it for p in pf.projects if p.state == WITHDRAWN)
