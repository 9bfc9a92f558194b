"""Progress: work done, time elapsed and time left, as a bar on a terminal and plain lines elsewhere."""

from __future__ import annotations

import io
import re

import pytest

import itsim
from itsim.progress import ProgressDisplay, duration, progress_for
from tests.test_scenario import MINIMAL

SMALL = itsim.loads_scenario(MINIMAL).with_changes({"scenario.horizon_days": 5})
PLAIN = re.compile(r"^(?P<label>.+): (?P<done>\d+)/(?P<total>\d+) \(\d+%\), "
                   r"(?:.+ elapsed, about .+ left|done in .+)$")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_durations_read_as_seconds_minutes_or_hours():
    assert [duration(s) for s in (0.2, 42, 59.6, 185, 3725)] == ["0 s", "42 s", "1:00", "3:05", "1:02:05"]


def test_plain_lines_at_each_tenth_with_time_elapsed_and_left():
    out = io.StringIO()
    show = ProgressDisplay("simulating X", 20, stream=out)
    for done in range(1, 21):
        show(done)
    lines = out.getvalue().splitlines()
    assert all(PLAIN.match(line) for line in lines), lines
    assert [int(PLAIN.match(line)["done"]) for line in lines] == [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]
    assert "about" in lines[0] and "left" in lines[0]
    assert lines[-1].startswith("simulating X: 20/20 (100%), done in ")


def test_the_total_may_come_with_each_update():
    out = io.StringIO()
    show = ProgressDisplay("sweeping Y", stream=out)
    for done in range(1, 4):
        show(done, 3)
    assert out.getvalue().splitlines()[-1].startswith("sweeping Y: 3/3 (100%), done in")


def test_a_terminal_gets_a_bar_with_time_left_that_goes_when_done():
    out = Terminal()
    with ProgressDisplay("simulating Z", 4, stream=out) as show:
        show(1)
        assert show._bar is not None
        show._bar.refresh()
        drawn = out.getvalue()
        for done in range(2, 5):
            show(done)
        assert show._bar is None, "closed when the work is done"
    assert "simulating Z" in drawn and "1/4" in drawn and "left" in drawn and "elapsed" in drawn
    assert not PLAIN.search(out.getvalue())


def test_progress_argument_true_false_none_or_a_function():
    def mine(done):
        return done

    with progress_for(mine, "x") as update:
        assert update is mine
    for off in (None, False):
        with progress_for(off, "x") as update:
            assert update is None
    with progress_for(True, "x", 3) as update:
        assert isinstance(update, ProgressDisplay) and update.total == 3


def test_a_display_passed_in_is_closed_when_the_work_stops_early():
    show = ProgressDisplay("simulating Z", 4, stream=Terminal())
    with pytest.raises(KeyboardInterrupt), progress_for(show, "ignored") as update:
        assert update is show
        update(1)
        assert show._bar is not None
        raise KeyboardInterrupt
    assert show._bar is None


def test_replicate_with_progress_true_shows_the_time_left(capsys):
    itsim.replicate(SMALL, replications=3, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("simulating M/M/5 check: 3/3 (100%), done in")
    assert all(PLAIN.match(line) for line in lines)


def test_sweep_with_progress_true_shows_the_time_left(capsys):
    itsim.sweep(SMALL, vary={"demand_scale": [0.8, 1.0]}, replications=2, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("sweeping M/M/5 check: 4/4 (100%), done in")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_progress_function_sees_every_replication(workers):
    seen = []
    itsim.replicate(SMALL, replications=3, workers=workers, progress=seen.append)
    assert seen == [1, 2, 3]
