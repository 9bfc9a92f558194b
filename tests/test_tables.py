"""Runs as tables: the event log with kind, priority, task, project and who worked; the
portfolio with named states; weeks labelled by date."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

import itsim
from itsim.tables import REMEDIATION, dated, week_starts
from tests.notebook_fixtures import small


@pytest.fixture(scope="module")
def run():
    return itsim.simulate(small(), seed=2)


def test_events_name_kind_priority_task_and_project(run):
    ev = run.events
    assert list(ev.columns) == ["time", "event", "item", "kind", "priority", "task", "project", "person", "role"]
    assert list(ev.columns[:3]) == list(run.world.log.frame().columns)  # the log's own columns come first
    assert (ev["item"].to_numpy() == run.world.log.frame()["item"].to_numpy()).all()
    incidents = ev[ev["kind"] == "incident"]
    assert set(incidents["priority"].dropna()) == {"P1", "P2"}
    assert incidents["task"].isna().all() and incidents["project"].isna().all()
    recurring = ev[(ev["kind"] == "recurring") & (ev["event"] == "arrive")]
    assert set(recurring["task"]) <= {"Patch servers", REMEDIATION}
    requests = ev[ev["event"] == "request"]
    assert requests["project"].notna().all() and (requests["item"] == requests["project"]).all()
    chunks = ev[(ev["kind"] == "project") & (ev["event"] == "start")]
    assert set(chunks["project"]) <= set(run.projects["project"])


def test_every_piece_of_work_begun_names_a_person_of_a_role_that_may_do_it(run):
    ev = run.events
    begun = ev[ev["event"].isin(["start", "resume"])]
    assert begun["person"].notna().all()
    assert set(begun.loc[begun["kind"] == "project", "role"]) == {"engineer"}
    assert set(begun.loc[begun["kind"] == "recurring", "role"]) == {"engineer"}
    assert set(ev.loc[ev["event"] == "arrive", "person"].dropna()) == set()


def test_a_finish_or_interruption_is_by_whoever_last_began_that_item(run):
    ev = run.events
    work = ev[ev["event"].isin(["start", "resume", "preempt", "done"])]
    assert (ev["event"] == "preempt").any() and (ev["event"] == "resume").any()
    for _, rows in work.groupby("item"):
        last = None
        for event, person in zip(rows["event"], rows["person"], strict=True):
            if event in ("start", "resume"):
                last = person
            else:
                assert person == last


def test_escalated_incidents_are_finished_by_the_escalation_role(run):
    ev = run.events
    escalated = ev.loc[ev["event"] == "escalate", "item"]
    done = ev[(ev["event"] == "done") & ev["item"].isin(escalated)]
    assert len(done) and set(done["role"]) == {"engineer"}


def test_one_person_does_all_the_work_of_a_one_person_team():
    scenario = small(**{"team.desk.count": 0, "team.engineer.count": 1})
    ev = itsim.simulate(scenario, seed=1).events
    worked = ev[ev["event"].isin(["start", "resume", "preempt", "done"])]
    assert set(worked["person"]) == {ev.loc[ev["event"] == "start", "person"].iloc[0]}


def test_portfolio_states_are_named_and_match_the_metrics(run):
    projects = run.projects
    assert set(projects["state"].cat.categories) == {"waiting", "in_progress", "delivered", "declined", "withdrawn"}
    lo = run.world.warmup
    delivered = projects[(projects["state"] == "delivered") & (projects["finished"] >= lo)]
    assert len(delivered) == run.metrics["projects_delivered"]
    assert np.allclose(delivered["lead_time_days"], (delivered["finished"] - delivered["requested"]) / 24)
    assert projects.loc[projects["state"] != "delivered", "lead_time_days"].isna().all()


def test_start_date_labels_weeks_and_events_by_date():
    scenario = small(**{"scenario.start_date": date(2025, 1, 6), "scenario.warmup_days": 14})
    run = itsim.simulate(scenario, seed=1)
    starts = week_starts(scenario, run.timeseries["week"])
    assert starts[0] == date(2025, 1, 20) and starts[1] == date(2025, 1, 27)
    series = dated(run.timeseries, scenario)
    assert list(series.columns[:3]) == ["replication", "week", "week_start"]
    ev = run.events
    assert ev["timestamp"].iloc[0] == pd.Timestamp("2025-01-06") + pd.Timedelta(hours=ev["time"].iloc[0])
    assert dated(itsim.simulate(small(), seed=1).timeseries, small()).columns.tolist()[2] != "week_start"


def test_start_date_must_be_a_monday_and_survives_the_toml_round_trip():
    with pytest.raises(itsim.ScenarioError, match=r"scenario\.start_date: must be a Monday.*2025-01-01 is not, "
                                                  r"the Monday before is 2024-12-30"):
        small(**{"scenario.start_date": date(2025, 1, 1)})
    scenario = small(**{"scenario.start_date": date(2025, 1, 6)})
    assert "start_date = 2025-01-06" in scenario.dumps()
    assert itsim.loads_scenario(scenario.dumps()) == scenario
