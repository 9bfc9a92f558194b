"""Background simulations of the what-if app: progress, results kept by scenario text,
seed and replications, the baseline simulated once, failures reported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import itsim.app.simulations as simulations_module
from itsim.app.simulations import Request, Simulations
from itsim.experiment import replicate
from itsim.scenario import loads_scenario

SMALL = (Path(__file__).resolve().parent / "fixtures" / "app_small.toml").read_text(encoding="utf-8")
FEWER = SMALL.replace("count = 4                   # second line", "count = 2                   # second line")
WAIT_S = 300


def pair(request, baseline, whatif):
    """A stand-in for the outcome: both sets of results as they came."""
    return request, baseline, whatif


@pytest.fixture
def counted(monkeypatch) -> list[tuple[int, int]]:
    """Every replication simulated in this process, as (seed, replication)."""
    calls: list[tuple[int, int]] = []
    real = simulations_module.simulate

    def counting(scenario, seed, replication, keep_events):
        calls.append((seed, replication))
        return real(scenario, seed, replication, keep_events)

    monkeypatch.setattr(simulations_module, "simulate", counting)
    return calls


def test_a_request_simulates_both_sides_and_reports_progress(counted) -> None:
    sims = Simulations(pair, workers=1)
    job = sims.submit(Request(SMALL, FEWER, seed=3, replications=3))
    assert job.total == 6
    assert job.wait(WAIT_S)
    assert (job.done, job.fraction, job.problems) == (6, 1.0, None)
    request, baseline, whatif = job.outcome
    assert request is job.request
    assert baseline.summary["seed"] == whatif.summary["seed"] == 3
    assert baseline.summary["replications"] == 3
    assert len(counted) == 6


def test_results_are_those_of_replicate() -> None:
    sims = Simulations(pair, workers=1)
    job = sims.submit(Request(SMALL, FEWER, seed=5, replications=2))
    assert job.wait(WAIT_S)
    _, _, whatif = job.outcome
    expected = replicate(loads_scenario(FEWER), replications=2, seed=5)
    pd.testing.assert_frame_equal(whatif.runs, expected.runs)
    assert whatif.summary == expected.summary


def test_coming_back_to_a_setting_gives_the_kept_answer_and_the_baseline_is_simulated_once(counted) -> None:
    sims = Simulations(pair, workers=1)
    first = sims.submit(Request(SMALL, FEWER, seed=1, replications=2))
    assert first.wait(WAIT_S)
    again = sims.submit(Request(SMALL, FEWER, seed=1, replications=2))
    assert again is first and again.finished
    other = sims.submit(Request(SMALL, SMALL.replace("rate_per_day = 16", "rate_per_day = 20"), seed=1,
                                replications=2))
    assert other.total == 2  # only the new what-if: the baseline is kept
    assert other.wait(WAIT_S)
    assert len(counted) == 6
    assert other.outcome[1] is first.outcome[1]
    different_seed = sims.submit(Request(SMALL, FEWER, seed=2, replications=2))
    assert different_seed.total == 4
    assert different_seed.wait(WAIT_S)


def test_the_baseline_prepared_while_levers_move_is_shared_not_simulated_twice(counted) -> None:
    sims = Simulations(pair, workers=1)
    sims.prepare((SMALL, 4, 3))
    job = sims.submit(Request(SMALL, FEWER, seed=4, replications=3))
    assert job.wait(WAIT_S) and job.problems is None
    assert len(counted) == 6
    assert sims.results((SMALL, 4, 3)) is job.outcome[1]


def test_a_whatif_equal_to_the_baseline_is_simulated_once(counted) -> None:
    sims = Simulations(pair, workers=1)
    job = sims.submit(Request(SMALL, SMALL, seed=1, replications=2))
    assert job.total == 2 and job.wait(WAIT_S)
    assert job.outcome[1] is job.outcome[2]
    assert len(counted) == 2


def test_a_failure_is_reported_and_the_request_can_be_tried_again() -> None:
    attempts = []

    def flaky(request, baseline, whatif):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("disk full")
        return "ok"

    sims = Simulations(flaky, workers=1)
    request = Request(SMALL, FEWER, seed=1, replications=2)
    job = sims.submit(request)
    assert job.wait(WAIT_S) and job.failed
    assert job.problems[0] == "RuntimeError: disk full"
    retry = sims.submit(request)
    assert retry is not job
    assert retry.wait(WAIT_S) and retry.outcome == "ok"
    assert retry.total == 0  # both sets of results were kept from the first attempt


def test_a_scenario_that_does_not_load_is_reported_line_by_line() -> None:
    sims = Simulations(pair, workers=1)
    job = sims.submit(Request(SMALL, SMALL.replace("count = 4 ", "count = -4 "), seed=1, replications=2))
    assert job.wait(WAIT_S) and job.failed
    assert any("team[1].count" in p for p in job.problems)


def test_the_report_step_follows_the_outcome() -> None:
    sims = Simulations(pair, report=lambda outcome: f"report of {outcome[0].seed}", workers=1)
    job = sims.submit(Request(SMALL, FEWER, seed=8, replications=2))
    assert job.wait(WAIT_S)
    assert job.report == "report of 8"


def test_only_the_last_results_are_kept() -> None:
    sims = Simulations(pair, workers=1, keep=2)
    for seed in (1, 2):
        assert sims.submit(Request(SMALL, SMALL, seed=seed, replications=2)).wait(WAIT_S)
    assert sims.results((SMALL, 1, 2)) is not None
    assert sims.submit(Request(SMALL, SMALL, seed=3, replications=2)).wait(WAIT_S)
    assert sims.results((SMALL, 1, 2)) is None
    assert sims.job(Request(SMALL, SMALL, seed=1, replications=2)) is None


def test_worker_processes_give_the_same_results_as_one() -> None:
    request = Request(SMALL, FEWER, seed=9, replications=3)
    pooled = Simulations(pair, workers=2)
    try:
        job = pooled.submit(request)
        assert job.wait(WAIT_S) and job.problems is None
    finally:
        pooled.close()
    alone = Simulations(pair, workers=1).submit(request)
    assert alone.wait(WAIT_S)
    for a, b in zip(job.outcome[1:], alone.outcome[1:], strict=True):
        pd.testing.assert_frame_equal(a.runs, b.runs)
        assert a.summary == b.summary


def test_workers_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="workers must be >= 1"):
        Simulations(pair, workers=0)
