"""The report in a real browser: every chart draws, offline, and no injected script runs.

Uses the system Chromium (``/usr/bin/chromium``) through playwright; never downloads
a browser. Every request other than the report file itself is aborted and recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from itsim.report import write_report, write_sweep_report
from tests.report_fixtures import write_run_dir, write_sweep_dir

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EVIL = "<script>alert(1)</script><b>x</b>"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium at /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Visit:
    """A report opened offline: requests that left the file, dialogs, and script errors."""

    def __init__(self, browser, report: Path):
        self.url = report.resolve().as_uri()
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-charts-drawn]", timeout=30_000)

    def _route(self, route) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def marks_per_chart(self) -> dict[str, int]:
        """Drawn data marks (not axes or legends) in each chart container, by its id."""
        return self.page.evaluate("""() => Object.fromEntries(
            Array.from(document.querySelectorAll('div.chart')).map(d => [d.id,
              d.querySelectorAll('svg g.role-mark > path, svg g.role-mark > line').length]))""")


def assert_all_charts_drawn(visit: Visit, expected: int) -> None:
    body = visit.page.locator("body")
    assert body.get_attribute("data-charts-failed") == "0"
    assert body.get_attribute("data-charts-drawn") == str(expected)
    marks = visit.marks_per_chart()
    assert len(marks) == expected
    assert all(n > 0 for n in marks.values()), f"charts without marks: {marks}"
    assert visit.outside == [], f"tried to reach the network: {visit.outside}"
    assert visit.errors == []


def test_run_report_draws_every_chart_offline(browser, tmp_path: Path) -> None:
    report = write_report(write_run_dir(tmp_path / "run", demand=1.1))
    visit = Visit(browser, report)
    assert_all_charts_drawn(visit, 5)
    assert "firefighting" in visit.page.locator("section.headline").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000


def test_sweep_report_draws_every_chart_offline(browser, tmp_path: Path) -> None:
    report = write_sweep_report(write_sweep_dir(tmp_path / "sweep", replications=3, weeks=20))
    visit = Visit(browser, report)
    assert_all_charts_drawn(visit, 6)
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / "sweep_report.png"), full_page=True)


def test_injected_markup_shows_as_text_and_never_runs(browser, tmp_path: Path) -> None:
    run = write_report(write_run_dir(tmp_path / "run", name=EVIL, task=f"Patch {EVIL}"))
    visit = Visit(browser, run)
    assert visit.page.locator("h1").inner_text() == EVIL
    assert visit.page.locator("h1 b, h1 script").count() == 0
    assert EVIL in visit.page.locator("body").inner_text()
    evil_policy = "</script><script>alert(2)</script>"
    sweep = write_sweep_report(write_sweep_dir(
        tmp_path / "sweep", name=EVIL, policies=("firefight_first", evil_policy),
        levels=(0.9, 1.0, 1.1), replications=3, weeks=10))
    sweep_visit = Visit(browser, sweep)
    assert_all_charts_drawn(sweep_visit, 6)
    labels = sweep_visit.page.locator("#chart-hockey_stick svg text").all_text_contents()
    assert "</script><script>alert(2)</script>" in labels, "the policy name is a legend label"
    assert visit.dialogs == [] and sweep_visit.dialogs == []
    assert visit.errors == []
