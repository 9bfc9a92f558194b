"""The what-if app in a real browser: ``itsim app`` started as a user would, levers
moved, the what-if run, its verdict, charts and downloads checked, the server stopped.

Uses the system Chromium (``/usr/bin/chromium``) through playwright; never downloads
a browser. Every request the page makes to anywhere but the app's own address is
aborted and recorded, and the test fails if there was one. Waits are generous
(Streamlit reruns the page on every change, and the machine may be busy), and no
assertion is about time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

import itsim
from itsim.app.launch import free_port, wait_until_serving

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCENARIO = Path(__file__).resolve().parent / "fixtures" / "app_small.toml"
REPLICATIONS = 6
WAIT_MS = 240_000  # a run, a rerun or a report on a busy machine

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium at /usr/bin/chromium"),
]
pytest.importorskip("streamlit", reason="needs the app extra: pip install 'itsim[app]'")
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, subprocess.Popen]]:
    """``itsim app`` on a free port, in a session of its own; stopped afterwards (with its
    whole process group killed if it does not stop)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "itsim.cli", "app", str(SCENARIO), "--port", str(port),
         "--replications", str(REPLICATIONS)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        assert wait_until_serving(port, proc), f"the app did not start:\n{_output(proc)}"
        yield f"http://127.0.0.1:{port}", proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _output(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.communicate()[0]


class Visit:
    """The app in a browser page; requests anywhere but the app are aborted and kept."""

    def __init__(self, browser, url: str):
        self.url = url
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        self.page.set_default_timeout(WAIT_MS)
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(url)
        self.page.get_by_role("heading", name="What if…?").wait_for()

    def _route(self, route) -> None:
        if route.request.url.startswith(self.url):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def settled(self) -> None:
        """Wait until Streamlit has finished running the page (until then, elements of the
        previous run may still be on it)."""
        self.page.locator('.stApp[data-test-script-state="notRunning"]').wait_for()

    def run(self) -> str:
        """Press Run and wait for the answer and its report; return the what-if's status."""
        self.page.get_by_role("button", name="Run", exact=True).click()
        status = self.whatif_status()
        self.settled()
        return status

    def whatif_status(self) -> str:
        side = self.page.locator("div.side[data-status]").nth(1)
        side.wait_for()
        return side.get_attribute("data-status")

    def first_chart(self) -> bytes:
        """The first chart as drawn: a screenshot once two in a row agree."""
        chart = self.page.locator('[data-testid="stVegaLiteChart"]').first
        chart.locator("canvas, svg").first.wait_for()
        shots = [chart.screenshot()]
        for _ in range(60):
            self.page.wait_for_timeout(250)
            shots.append(chart.screenshot())
            if shots[-1] == shots[-2]:
                return shots[-1]
        raise AssertionError("the chart kept changing")

    def download(self, label: str, to: Path) -> Path:
        button = self.page.get_by_role("button", name=label)
        button.wait_for()
        with self.page.expect_download() as info:
            button.click()
        path = to / info.value.suggested_filename
        info.value.save_as(path)
        return path


def test_a_leader_moves_engineers_and_policy_runs_and_takes_the_answer_away(server, tmp_path) -> None:
    url, proc = server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            visit = Visit(browser, url)
            page = visit.page
            today = visit.run()
            assert today == "healthy"
            chart_today = visit.first_chart()

            engineers = page.get_by_label("Engineer", exact=True)
            engineers.fill("1")
            engineers.press("Enter")
            page.get_by_text("People in the role engineer: 4 → 1").wait_for()
            page.get_by_role("combobox", name="Policy").click()
            page.get_by_role("option", name="WIP limit").click()
            page.get_by_role("spinbutton", name="Wip limit").wait_for()  # the policy's parameter, from its Params
            page.get_by_text("Firefight first (today) → WIP limit (wip_limit = 4)").wait_for()

            page.get_by_role("button", name="Run", exact=True).click()
            page.locator("div.side[data-status='too_busy']").wait_for()
            visit.settled()
            assert visit.whatif_status() == "too_busy"
            assert page.get_by_text("Your what-if: Too busy").count() == 1
            assert visit.first_chart() != chart_today

            scenario_file = visit.download("Download the what-if scenario (TOML)", tmp_path)
            text = scenario_file.read_text(encoding="utf-8")
            whatif = itsim.load_scenario(scenario_file)
            assert whatif.role("engineer").count == 1
            assert whatif.policy.names == ["wip_limit"] and whatif.policy.params == {"wip_limit": 4}
            assert "# What-if made with the itsim what-if app from app_small.toml" in text
            assert "count = 1                   # second line, maintenance and projects" in text
            assert tomllib.loads(text)["incidents"] == tomllib.loads(SCENARIO.read_text())["incidents"]

            report = visit.download("Download the report (HTML)", tmp_path).read_text(encoding="utf-8")
            assert report.startswith("<!DOCTYPE html>")
            assert 'data-status="too_busy"' in report and "Too busy" in report
            assert "Compared with the baseline" in report and 'data-status="healthy"' in report

            assert visit.outside == [], f"the page tried to reach outside the machine: {visit.outside}"
            assert visit.errors == []
        finally:
            browser.close()
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    assert proc.wait(60) == 130
    assert "itsim app: stopped" in proc.stdout.read()
    assert group_gone(proc.pid), "the server or its workers outlived the command"


def group_gone(pgid: int, timeout_s: float = 60) -> bool:
    """Whether every process of the group has exited (and been reaped) within the time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False
