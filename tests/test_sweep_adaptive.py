"""Adaptive sweeps: replications spent near the tipping point, the same cells as the fixed
grid where a level reaches the most, independence from workers, resuming, the bootstrap
over levels of unequal counts, and ``itsim sweep --fixed`` / ``--first-look``."""

import io
import json
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

import itsim
from itsim.adaptive import levels_to_extend, round_rng
from itsim.progress import ProgressDisplay
from itsim.sweep import SweepMismatch
from itsim.sweep import sweep as run_sweep
from itsim.tipping import BOOTSTRAP_SAMPLES, resampled_shares, shared_draws, tipping_point
from tests.test_progress import Terminal
from tests.test_scenario import MINIMAL
from tests.test_sweep import itsim_sweep, scenario_file  # noqa: F401  (fixtures)

SC = itsim.loads_scenario(MINIMAL)  # M/M/5, 40 days: a tenth of a second per replication
#: the M/M/5 queue tips between 0.92x and 0.98x; 0.6x and 1.3x are far from it
LEVELS = [0.6, 0.92, 0.94, 0.96, 0.98, 1.3]
MOST = 16


@pytest.fixture(scope="module")
def fixed():
    return run_sweep(SC, {"demand_scale": LEVELS}, replications=MOST)


@pytest.fixture(scope="module")
def adaptive():
    return run_sweep(SC, {"demand_scale": LEVELS}, replications=MOST, adaptive=True)


def _counts(grid) -> dict[float, int]:
    return {c.values["demand_scale"]: len(c.verdicts) for c in grid.cells}


def test_adaptive_sweep_spends_replications_near_the_tipping_point_only(adaptive):
    counts = _counts(adaptive)
    assert counts[0.6] == 4 and counts[1.3] == 4, "levels far from the tipping point stop at the first look"
    assert counts[0.94] == counts[0.96] == MOST, "the levels either side of the crossing reach the most"
    assert adaptive.replications_run < len(LEVELS) * MOST


def test_adaptive_tipping_point_agrees_with_the_fixed_grid(fixed, adaptive):
    a, f = adaptive.too_busy_point()["firefight_first"], fixed.too_busy_point()["firefight_first"]
    for band_a, band_f in ((a, f), (a["at_risk"], f["at_risk"])):
        (lo_a, hi_a), (lo_f, hi_f) = band_a["ci95"], band_f["ci95"]
        assert lo_a <= hi_f and lo_f <= hi_a, "the intervals overlap"
        assert hi_a - lo_a <= 1.5 * (hi_f - lo_f), "about as narrow as the fixed grid's"
    assert a["replications"] == [[x, n] for x, n in _counts(adaptive).items()]


def test_cells_that_reach_the_most_are_the_fixed_grids_cells(fixed, adaptive):
    full = [c for c in adaptive.cells if len(c.verdicts) == MOST]
    assert full
    by_id = {c.id: c for c in fixed.cells}
    for cell in full:
        pd.testing.assert_frame_equal(cell.runs, by_id[cell.id].runs)
        pd.testing.assert_frame_equal(cell.verdicts, by_id[cell.id].verdicts)
        assert cell.summary == by_id[cell.id].summary


def test_cells_that_stop_early_hold_the_fixed_grids_first_replications(fixed, adaptive):
    by_id = {c.id: c for c in fixed.cells}
    for cell in adaptive.cells:
        first = by_id[cell.id].runs[by_id[cell.id].runs["replication"] < len(cell.verdicts)]
        pd.testing.assert_frame_equal(cell.runs.reset_index(drop=True), first.reset_index(drop=True))


def test_adaptive_sweep_does_not_depend_on_the_number_of_workers(adaptive):
    two = run_sweep(SC, {"demand_scale": LEVELS}, replications=MOST, adaptive=True, workers=2)
    assert _counts(two) == _counts(adaptive)
    pd.testing.assert_frame_equal(two.table, adaptive.table)
    assert two.too_busy_point() == adaptive.too_busy_point()


def test_levels_table_gives_the_replications_of_each_level(adaptive):
    from itsim.spreadsheet import sweep_tables

    levels = sweep_tables(adaptive)["Levels"]
    assert dict(zip(levels["demand_scale"], levels["replications"], strict=True)) == _counts(adaptive)


def test_progress_counts_replications_planned_so_far(adaptive):
    calls = []
    run_sweep(SC, {"demand_scale": LEVELS}, replications=MOST, adaptive=True, progress=lambda *a: calls.append(a))
    assert calls[0] == (0, 4 * len(LEVELS)), "round 0 plans the first look of every cell"
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert all(d <= p for d, p in calls)
    assert calls[-1] == (adaptive.replications_run, adaptive.replications_run)
    assert len({p for _, p in calls}) > 2, "the plan grows round by round"


class Watched(ProgressDisplay):
    """A display that notes, after each update, whether its bar is still drawn."""

    def __call__(self, done, total=None):
        super().__call__(done, total)
        self.seen = [*getattr(self, "seen", []), self._bar is not None]


def test_progress_display_stays_open_across_rounds_and_says_done_at_the_end():
    args = dict(vary={"demand_scale": [0.92, 0.96]}, replications=8, adaptive=True)
    show = Watched("sweeping", stream=Terminal())
    grid = run_sweep(SC, **args, progress=show)
    assert grid.replications_run > 8, "more than one round"
    assert all(show.seen[:-1]) and not show.seen[-1], "the bar closes only once no round is left"
    plain = io.StringIO()
    run_sweep(SC, **args, progress=ProgressDisplay("sweeping", stream=plain))
    lines = plain.getvalue().splitlines()
    assert any(line.endswith("all planned so far; planning more") for line in lines[:-1])
    total = grid.replications_run
    assert lines[-1].startswith(f"sweeping: {total}/{total} (100%), done in ")


class Stop(Exception):
    pass


def _stop_after(n):
    def progress(done, planned):
        if done >= n:
            raise Stop
    return progress


@pytest.mark.parametrize("stop_after", [3, 26, 40])
def test_interrupted_adaptive_sweep_resumes_to_the_same_results(tmp_path, adaptive, stop_after):
    args = dict(vary={"demand_scale": LEVELS}, replications=MOST, adaptive=True)
    out = tmp_path / "out"
    with pytest.raises(Stop):
        run_sweep(SC, **args, out=out, progress=_stop_after(stop_after))
    assert not (out / "sweep.parquet").exists()
    stored = sum(json.loads(f.read_text())["replications"] for f in out.glob("cells/*/summary.json"))
    resumed = run_sweep(SC, **args, out=out)
    assert resumed.computed == adaptive.replications_run - stored, "only the missing replications run"
    assert _counts(resumed) == _counts(adaptive)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), adaptive.table)
    assert json.loads((out / "too_busy.json").read_text()) == adaptive.too_busy_point()
    for cell in adaptive.cells:
        assert json.loads((out / "cells" / cell.id / "summary.json").read_text()) == cell.summary
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["adaptive"] == {"first_look": 4, "most": MOST}
    assert meta["replications_run"] == adaptive.replications_run
    again = run_sweep(SC, **args, out=out)
    assert again.computed == 0 and again.resumed == len(LEVELS)


def test_stored_cell_that_cannot_be_extended_is_computed_again(tmp_path, adaptive):
    args = dict(vary={"demand_scale": LEVELS}, replications=MOST, adaptive=True)
    out = tmp_path / "out"
    with pytest.raises(Stop):
        run_sweep(SC, **args, out=out, progress=_stop_after(len(LEVELS) * 4 + 1))
    cell = out / "cells" / "demand_scale=0.96__policy=firefight_first"
    (cell / "replications.json").write_text("{")
    resumed = run_sweep(SC, **args, out=out)
    assert [cid for cid, _ in resumed.recomputed] == [cell.name]
    assert json.loads((out / "too_busy.json").read_text()) == adaptive.too_busy_point()
    assert json.loads((cell / "summary.json").read_text()) == next(
        c.summary for c in adaptive.cells if c.id == cell.name)


@pytest.mark.parametrize("stored", [False, True])
def test_a_level_that_stopped_can_be_extended_in_a_later_round(monkeypatch, tmp_path, fixed, stored):
    schedule = iter([[2], [1], []])  # level 1 stops after round 0 and comes back in round 2
    monkeypatch.setattr(sys.modules["itsim.sweep"], "levels_to_extend", lambda *a, **k: next(schedule))
    grid = run_sweep(SC, {"demand_scale": LEVELS[:3]}, replications=MOST, adaptive=True,
                     out=tmp_path if stored else None)
    assert list(_counts(grid).values()) == [4, 8, 8]
    by_id = {c.id: c for c in fixed.cells}
    for cell in grid.cells:
        first = by_id[cell.id].runs[by_id[cell.id].runs["replication"] < len(cell.verdicts)]
        pd.testing.assert_frame_equal(cell.runs.reset_index(drop=True), first.reset_index(drop=True))


@pytest.mark.parametrize("source", ["fixed", "adaptive"])
def test_stored_cell_with_more_replications_than_the_schedule_gives_is_cut_to_it(tmp_path, adaptive, source):
    """A cell stored by another schedule (a fixed grid: no replications.json to cut it from,
    so it is computed again; an adaptive sweep with a larger first look: cut)."""
    args = dict(vary={"demand_scale": LEVELS}, replications=MOST, adaptive=True)
    other = tmp_path / "other"
    if source == "fixed":
        run_sweep(SC, {"demand_scale": [0.6]}, replications=MOST, out=other)
    else:
        run_sweep(SC, **args, first_look=8, out=other)
    cell = "demand_scale=0.6__policy=firefight_first"
    shutil.copytree(other / "cells" / cell, tmp_path / "out" / "cells" / cell)
    grid = run_sweep(SC, **args, out=tmp_path / "out")
    assert [cid for cid, _ in grid.recomputed] == ([cell] if source == "fixed" else [])
    assert _counts(grid) == _counts(adaptive)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "sweep.parquet"), adaptive.table)
    assert json.loads((tmp_path / "out" / "cells" / cell / "summary.json").read_text()) == next(
        c.summary for c in adaptive.cells if c.id == cell)


def test_fixed_and_adaptive_sweeps_do_not_share_a_folder(tmp_path):
    run_sweep(SC, {"demand_scale": [0.6, 1.3]}, replications=4, out=tmp_path)
    with pytest.raises(SweepMismatch, match="a fixed grid of 4 replications per cell there, an adaptive sweep "
                                            "of 2 to 4 replications per cell here"):
        run_sweep(SC, {"demand_scale": [0.6, 1.3]}, replications=4, adaptive=True, first_look=2, out=tmp_path)


@pytest.mark.parametrize("first_look, message", [(0, "first_look must be >= 1"),
                                                 (5, "first_look must be <= replications")])
def test_bad_first_look_is_refused(first_look, message):
    with pytest.raises(ValueError, match=message):
        run_sweep(SC, {"demand_scale": [1.0]}, replications=4, adaptive=True, first_look=first_look)


# -- the schedule ---------------------------------------------------------------------------------


def test_schedule_extends_the_levels_around_each_crossing_only():
    xs = np.arange(8) / 10 + 0.6
    busy = [np.zeros(4), np.zeros(4), np.zeros(4), np.array([0, 0, 1, 0.]), np.array([1, 1, 0, 1.]),
            np.ones(4), np.ones(4), np.ones(4)]
    chosen = levels_to_extend(xs, busy, "demand_scale", (0.8, 0.2), round_rng(1, 1))
    assert chosen[0] >= 1 and chosen[-1] <= 6 and {3, 4} <= set(chosen)
    staff = levels_to_extend(xs, busy[::-1], "team.desk.count", (0.8, 0.2), round_rng(1, 1))
    assert staff == sorted(7 - i for i in chosen), "more staff is better: the same levels, mirrored"


def test_schedule_stops_levels_whose_interval_excludes_the_bands():
    xs = np.array([1.0, 2.0])
    decided = [np.zeros(16), np.ones(16)]
    assert levels_to_extend(xs, decided, "demand_scale", (0.8, 0.2), round_rng(1, 1)) == [0, 1], "the bracket"
    never = [np.zeros(16), np.zeros(16)]
    assert levels_to_extend(xs, never, "demand_scale", (0.8, 0.2), round_rng(1, 1)) == []
    maybe = [np.zeros(4), np.zeros(4)]
    assert levels_to_extend(xs, maybe, "demand_scale", (0.8, 0.2), round_rng(1, 1)) == [1], \
        "0 of 4 may still exceed 0.2: the far end of the range is looked at again"


# -- the bootstrap over levels of unequal counts ----------------------------------------------------


def test_levels_with_equal_counts_draw_the_same_replications():
    picks = shared_draws([4, 8, 4, 8], np.random.default_rng(3), 500)
    np.testing.assert_array_equal(picks[0], picks[2])
    np.testing.assert_array_equal(picks[1], picks[3])


def test_each_level_draws_its_own_replications_uniformly():
    picks = shared_draws([3, 7, 20], np.random.default_rng(4), 20_000)
    for n, p in zip([3, 7, 20], picks, strict=True):
        assert p.shape == (20_000, n) and p.min() == 0 and p.max() == n - 1
        freq = np.bincount(p.ravel(), minlength=n) / p.size
        np.testing.assert_allclose(freq, 1 / n, atol=0.01)


def test_levels_share_every_drawn_replication_they_both_hold():
    small, large = shared_draws([4, 10], np.random.default_rng(5), 2000)
    held = large[:, :4] < 4
    np.testing.assert_array_equal(small[held], large[:, :4][held])
    assert held.mean() == pytest.approx(0.4, abs=0.02)


def test_equal_counts_keep_the_fixed_grids_bootstrap():
    busy = (np.random.default_rng(6).random((5, 12)) < np.linspace(0.1, 0.9, 5)[:, None]).astype(float)
    a = resampled_shares(busy, np.random.default_rng(7))
    b = resampled_shares(list(busy), np.random.default_rng(7))
    draws = np.random.default_rng(7).integers(0, 12, size=(BOOTSTRAP_SAMPLES, 12))
    np.testing.assert_array_equal(a, busy[:, draws].mean(axis=2))
    np.testing.assert_array_equal(a, b)


def test_bootstrap_over_unequal_counts_is_centred_on_each_levels_share():
    busy = [np.array([0, 0, 0, 1.]), np.array([0, 1] * 8, dtype=float), np.ones(8)]
    boot = resampled_shares(busy, np.random.default_rng(8))
    np.testing.assert_allclose(boot.mean(axis=1), [0.25, 0.5, 1.0], atol=0.02)


def test_tipping_point_with_unequal_counts_on_a_known_case():
    xs = np.array([1.0, 2.0, 3.0])
    busy = [np.zeros(4), np.array([0, 1] * 8, dtype=float), np.ones(4)]
    entry = tipping_point(xs, busy, "demand_scale", 0.8, 0.2, rng=np.random.default_rng(9))
    assert entry["kind"] == "tips" and entry["point"] == pytest.approx(2 + 0.3 / 0.5)
    assert entry["at_risk"]["point"] == pytest.approx(1 + 0.2 / 0.5)
    lo, hi = entry["ci95"]
    assert 2.0 <= lo <= entry["point"] <= hi <= 3.0


# -- the command line -------------------------------------------------------------------------------


def test_cli_sweep_is_adaptive_by_default_along_demand(itsim_sweep, scenario_file, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    code, stdout, err = itsim_sweep(scenario_file, "--vary", "demand_scale=0.6,0.92,0.96,1.3", "--replications", 8,
                                    "--out", out)
    assert code == 0, err
    assert "adaptive: 4 to 8 replications per cell" in stdout and "against 32 for a fixed grid" in stdout
    assert "0.6× 0% of 4" in stdout
    assert json.loads((out / "sweep.json").read_text())["adaptive"] == {"first_look": 4, "most": 8}


def test_cli_fixed_runs_every_cell_the_replications(itsim_sweep, scenario_file, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    code, stdout, err = itsim_sweep(scenario_file, "--vary", "demand_scale=0.6,1.3", "--replications", 5,
                                    "--fixed", "--out", out)
    assert code == 0, err
    assert "5 replications each" in stdout
    assert "adaptive" not in json.loads((out / "sweep.json").read_text())


@pytest.mark.parametrize("args, message", [
    (["--first-look", "0"], "--first-look: must be >= 1 (got 0)"),
    (["--first-look", "9"], "--first-look: this sweep is fixed (--replications 8 is not above it)"),
    (["--adaptive", "--first-look", "9"], "--first-look: at most --replications (got 9 > 8)"),
    (["--fixed", "--first-look", "2"], "--first-look: only for adaptive sweeps (drop --fixed)"),
])
def test_cli_bad_first_look_exits_2_with_one_line(itsim_sweep, scenario_file, tmp_path, args,  # noqa: F811
                                                  message):
    out = tmp_path / "out"
    code, _, err = itsim_sweep(scenario_file, "--vary", "demand_scale=1,2", "--replications", 8, *args,
                               "--out", out)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and err.startswith(message)
    assert not out.exists()


def test_cli_key_of_unknown_direction_is_fixed_unless_asked(itsim_sweep, scenario_file, tmp_path):  # noqa: F811
    code, _, err = itsim_sweep(scenario_file, "--vary", "scenario.horizon_days=30,40", "--replications", 8,
                               "--first-look", "2", "--out", tmp_path / "a")
    assert code == 2 and "has no known direction; add --adaptive" in err
    code, stdout, err = itsim_sweep(scenario_file, "--vary", "scenario.horizon_days=30,40", "--replications", 8,
                                    "--adaptive", "--first-look", "2", "--out", tmp_path / "b")
    assert code == 0, err
    assert "adaptive: 2 to 8 replications per cell" in stdout


def test_report_says_the_sweep_was_adaptive_and_what_it_used(tmp_path):
    from itsim.report import write_sweep_report

    grid = run_sweep(SC, {"demand_scale": [0.6, 0.96, 1.3]}, replications=8, adaptive=True, out=tmp_path)
    page = write_sweep_report(tmp_path).read_text(encoding="utf-8")
    assert (f"An adaptive sweep: 4 runs per policy and level, then more, up to 8, only near the tipping point "
            f"({grid.replications_run} simulated runs in all, against 24 for a fixed grid of 8).") in page
    assert f"0% of {_counts(grid)[0.6]}" in page, "the status grid shows each level's runs"
