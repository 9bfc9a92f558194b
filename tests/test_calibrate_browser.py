"""calibration.html and backtest.html in a real browser: every chart draws, offline, and a
priority label made of markup shows as text and never runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import itsim
from itsim.calibrate import ReadOptions, backtest, calibrate
from tests.test_report_browser import ARTIFACTS, CHROMIUM, EVIL, Visit, assert_all_charts_drawn, browser  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium at /usr/bin/chromium"),
]


def tickets(path: Path) -> Path:
    """Four weeks of tickets, one every three hours, a quarter with a priority label made of markup."""
    start = pd.Timestamp("2024-03-04")
    opened = [start + pd.Timedelta(hours=3 * i) for i in range(224)]
    pd.DataFrame({
        "number": [f"INC{i:05d}" for i in range(224)],
        "opened_at": opened,
        "resolved_at": [t + pd.Timedelta(hours=1 + i % 7) for i, t in enumerate(opened)],
        "priority": [EVIL if i % 4 == 0 else "Low" for i in range(224)],
        "reassignment_count": [int(i % 3 == 0) for i in range(224)],
    }).to_csv(path, index=False)
    return path


def test_calibration_and_backtest_reports_draw_every_chart_offline(browser, tmp_path: Path) -> None:  # noqa: F811
    export = tickets(tmp_path / "incidents.csv")
    options = ReadOptions(priorities={EVIL: 1, "Low": 4})
    cal = calibrate([export], staff={"desk": 2, "engineer": 1}, options=options)
    written = cal.write(tmp_path / "dept.toml")
    visit = Visit(browser, written["report"])
    assert_all_charts_drawn(visit, 6)  # arrivals, weeks, priorities, effort, Q-Q, escalation effort
    assert EVIL in visit.page.locator("body").inner_text()
    assert visit.page.locator("td b, td script").count() == 0
    assert visit.dialogs == []
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / "calibration.png"), full_page=True)
    check = backtest(itsim.load_scenario(written["scenario"]), [export], replications=5, options=options)
    report = check.write(tmp_path)["report"]
    assert_all_charts_drawn(Visit(browser, report), 3)
