"""plan.html and sensitivity.html in a real browser: their charts draw, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

import itsim
from itsim.plan import plan_search
from itsim.plan.report import write_plan_report
from itsim.store import atomic_write_json, atomic_write_text
from tests.test_plan import MMC
from tests.test_report_browser import CHROMIUM, Visit, assert_all_charts_drawn, browser  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium at /usr/bin/chromium"),
]


def test_plan_report_draws_the_frontier_offline(browser, tmp_path: Path) -> None:  # noqa: F811
    found = plan_search(itsim.loads_scenario(MMC), {"team.desk.count": [4, 5, 6, 7]}, risk=0.1, out=tmp_path,
                        max_replications=6, first_look=3)
    atomic_write_json(tmp_path / "plan.json", found.data)
    visit = Visit(browser, write_plan_report(tmp_path))
    assert_all_charts_drawn(visit, 1)
    assert "Recommended: 6 desk staff (today 5)." in visit.page.locator("section.headline").inner_text()


def test_sensitivity_report_draws_the_tornado_offline(browser, tmp_path: Path) -> None:  # noqa: F811
    pytest.importorskip("SALib")
    from itsim.sensitivity import analyse
    from itsim.sensitivity_report import write_sensitivity_report
    from tests.test_sensitivity import BELIEFS

    sc = itsim.loads_scenario(BELIEFS)
    atomic_write_text(tmp_path / "scenario.toml", sc.dumps())
    atomic_write_json(tmp_path / "sensitivity.json", analyse(sc, "morris", samples=2, replications=1))
    visit = Visit(browser, write_sensitivity_report(tmp_path))
    assert_all_charts_drawn(visit, 1)
