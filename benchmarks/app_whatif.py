"""How long a what-if takes in the app, end to end, as a leader sees it.

Starts ``itsim app SCENARIO`` (default replications unless ``--replications``), opens
it in the system Chromium through playwright, and times from pressing Run to the
answer on the page and to the report's download button:

1. the first what-if on a freshly started app: today's engineers → 9 and a WIP limit
   (today's scenario is simulated too, and the worker processes start);
2. a second what-if, the policy back to today's (today's results are kept);
3. coming back to the first what-if's levers, already run (no Run needed).

Side by side in the same run: ``itsim run SCENARIO --set ...`` for the first what-if,
with the same replications and workers, from start to exit (report included), as
the command-line reference. Repeats interleave the two.

    python -m benchmarks.app_whatif [--scenario scenarios/baseline.toml] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.results import write_json
from itsim.app import DEFAULT_REPLICATIONS
from itsim.app.launch import free_port, wait_until_serving
from itsim.cores import usable_cores
from itsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 900_000


def in_app(scenario: Path, replications: int, workers: int) -> dict[str, float]:
    """Seconds from Run to the answer and to the report, for the three steps."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "itsim.cli", "app", str(scenario), "--port", str(port),
                               "--replications", str(replications), "--workers", str(workers)],
                              cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL)
    out: dict[str, float] = {}
    try:
        if not wait_until_serving(port, server):
            raise RuntimeError("the app did not start")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"http://127.0.0.1:{port}")
            page.get_by_role("heading", name="What if…?").wait_for()
            engineers = page.get_by_label("Engineer", exact=True)
            engineers.fill("9")
            engineers.press("Enter")
            today = load_scenario(scenario).role("engineer").count
            page.get_by_text(f"engineer: {today} → 9").wait_for()
            pick_policy(page, "WIP limit")
            out["first_answer_s"], out["first_report_s"] = run(page)
            pick_policy(page, "Firefight first (today)")
            out["second_answer_s"], out["second_report_s"] = run(page)
            start = time.perf_counter()
            pick_policy(page, "WIP limit")  # the first what-if again: its answer is kept
            page.get_by_text("policy.name: firefight_first → wip_limit").wait_for()
            out["kept_answer_s"] = time.perf_counter() - start
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return out


def pick_policy(page, label: str) -> None:
    page.get_by_role("combobox", name="Policy").click()
    page.get_by_role("option", name=label).click()
    settled(page)


def settled(page) -> None:
    page.locator('.stApp[data-test-script-state="notRunning"]').wait_for()


def run(page) -> tuple[float, float]:
    start = time.perf_counter()
    page.get_by_role("button", name="Run", exact=True).click()
    page.locator('[data-testid="stProgress"]').first.wait_for()
    page.locator("div.side[data-status]").nth(1).wait_for()
    answer = time.perf_counter() - start
    settled(page)
    page.get_by_role("button", name="Download the report (HTML)").wait_for()
    return answer, time.perf_counter() - start


def on_command_line(scenario: Path, replications: int, workers: int) -> float:
    """Seconds for ``itsim run`` of the first what-if (start to exit, report included)."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "itsim.cli", "run", str(scenario), "--replications", str(replications),
                        "--workers", str(workers), "--set", "team.engineer.count=9", "--set", "policy.name=wip_limit",
                        "--out", out], cwd=ROOT, check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.toml")
    parser.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS)
    parser.add_argument("--workers", type=int, default=usable_cores())
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", type=Path, default=ROOT / "out" / "app_whatif.json")
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeats):
        app = in_app(args.scenario, args.replications, args.workers)
        app["command_line_s"] = on_command_line(args.scenario, args.replications, args.workers)
        runs.append(app)
        print("  ".join(f"{k} {v:.1f}" for k, v in app.items()), flush=True)
    write_json(args.json, {"scenario": str(args.scenario), "replications": args.replications,
                           "workers": args.workers, "load_average": os.getloadavg(), "runs": runs})


if __name__ == "__main__":
    main()
