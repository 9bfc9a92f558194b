"""The baseline-versus-variant page and ``itsim compare --html/--csv/--all``."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from itsim.compare import HEADLINE, load_comparison
from itsim.report import fmt
from itsim.report.compare_page import comparison_html, comparison_page
from tests.test_cli import itsim as run_cli
from tests.test_compare import write_dir

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"}
EVIL = "<script>alert(1)</script><b>x</b>"
EUR = '[costs]\ncurrency = "EUR"\n'
METRICS = {
    "hours_share.firefighting": ([0.30, 0.31, 0.29, 0.30], [0.36, 0.35, 0.37, 0.36]),
    "project_lead_time_days": ([40.0, 45.0, 38.0, 42.0], [50.0, 58.0, 47.0, 52.0]),
    "incident_sla_attainment": ([0.95, 0.96, 0.94, 0.95], [0.90, 0.91, 0.88, 0.9]),
    "utilization": ([0.7, 0.72, 0.69, 0.7], [0.8, 0.82, 0.79, 0.8]),
    "cost_of_delay": ([3.0e5, 3.4e5, 2.9e5, 3.2e5], [4.0e5, 4.6e5, 3.9e5, 4.1e5]),
    "incidents_arrived": ([12000.0, 12100, 11900, 12050], [12000.0, 12100, 11900, 12050]),
    "tech_debt_hours_end": ([0.0, 2.0, 0.0, 1.0], [5.0, 9.0, 3.0, 6.0]),
}


class StrictParser(HTMLParser):
    """Fails on a closing tag that does not match the open one; records tags and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(html)
    parser.close()
    assert parser.stack == [], f"unclosed: {parser.stack}"
    return parser


def write_pair(tmp_path: Path, name_b: str = "Nine engineers", verdict_b: dict | None = None):
    a_values = {m: v[0] for m, v in METRICS.items()}
    b_values = {m: v[1] for m, v in METRICS.items()}
    a = write_dir(tmp_path / "base", 5, a_values, scenario=EUR + '[[team]]\nrole = "engineer"\ncount = 12\n',
                  too_busy={"verdict": False, "share_of_replications": 0.0, "reasons": []})
    b = write_dir(tmp_path / "nine", 5, b_values, scenario=EUR + '[[team]]\nrole = "engineer"\ncount = 9\n',
                  too_busy=verdict_b or {"verdict": False, "share_of_replications": 0.5,
                                         "reasons": ["projects took 8 weeks (target 13)"]})
    summary = (b / "summary.json")
    summary.write_text(summary.read_text(encoding="utf-8").replace('"nine"', f'"{name_b}"'.replace("<", "\\u003c")),
                       encoding="utf-8")
    return a, b


def test_page_is_well_formed_html_with_headline_rows_and_verdicts(tmp_path: Path) -> None:
    a, b = write_pair(tmp_path)
    page = comparison_page(load_comparison(a, b))
    parsed = parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert not any(tag == "script" for tag, _ in parsed.tags), "the page runs no script"
    assert not re.search(r"(?:src|href)=\"https?:", page), "nothing is fetched"
    rows = [attrs["data-metric"] for tag, attrs in parsed.tags if tag == "tr" and "data-metric" in attrs]
    headline = [m for m in HEADLINE if m in METRICS]
    assert rows[:len(headline)] == headline, "headline rows first, in the run report's order"
    assert set(rows) == set(METRICS), "every other measure follows, collapsed"
    sides = [attrs for tag, attrs in parsed.tags if tag == "div" and "data-status" in attrs]
    assert [s["data-status"] for s in sides] == ["healthy", "at_risk"]
    text = " ".join(parsed.text)
    assert "Healthy" in text and "At risk" in text
    assert "50% chance of being too busy (95% interval 15% to 85%)" in text  # Wilson, 2 of 4
    assert "projects took 8 weeks (target 13)" in text
    assert f".itsim-compare .side.at-risk{{border-color:{fmt.STATUS_COLOURS['at_risk']}" in page
    assert "team.engineer.count: 12 → 9" in text


def test_page_shows_business_units_and_marks_significance(tmp_path: Path) -> None:
    a, b = write_pair(tmp_path)
    html = comparison_html(load_comparison(a, b))
    lead = re.search(r'<tr class="([^"]*)" data-metric="project_lead_time_days">(.*?)</tr>', html).groups()
    assert lead[0] == "significant worse"
    assert "5.9 weeks" in lead[1] and "7.4 weeks" in lead[1] and "+1.5 weeks" in lead[1]
    cost = re.search(r'<tr class="([^"]*)" data-metric="cost_of_delay">(.*?)</tr>', html).groups()
    assert "€312K" in cost[1] and "+€102K" in cost[1] and cost[0] == "significant worse"
    arrivals = re.search(r'<tr class="([^"]*)" data-metric="incidents_arrived">', html).group(1)
    assert arrivals == "", "no difference, nothing marked"
    util = re.search(r'<tr class="([^"]*)" data-metric="utilization">', html).group(1)
    assert util == "significant higher", "utilisation is neither better nor worse"


def test_fragment_is_embeddable_and_escapes_scenario_text(tmp_path: Path) -> None:
    a, b = write_pair(tmp_path, name_b=EVIL, verdict_b={"verdict": True, "share_of_replications": 1.0,
                                                         "reasons": [EVIL]})
    fragment = comparison_html(load_comparison(a, b))
    parse(fragment)
    assert fragment.startswith('<section class="itsim-compare">') and "<html" not in fragment
    assert EVIL not in fragment and "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment
    assert comparison_page(load_comparison(a, b)).count("<script") == 0


def test_cli_writes_page_and_csv_and_shows_every_metric_on_request(tmp_path: Path) -> None:
    a, b = write_pair(tmp_path)
    page, table = tmp_path / "out" / "compare.html", tmp_path / "compare.csv"
    r = run_cli("compare", a, b, "--html", page, "--csv", table)
    assert r.returncode == 0, r.stderr
    assert "Time spent firefighting" in r.stdout and "Incidents reported" not in r.stdout
    assert "At risk: 50% chance of being too busy" in r.stdout
    assert f"Comparison page: {page}" in r.stdout
    parse(page.read_text(encoding="utf-8"))
    csv = pd.read_csv(table)
    assert list(csv["metric"][:5]) == [m for m in HEADLINE if m in METRICS]
    assert set(csv["metric"]) == set(METRICS)
    assert {"label", "unit", "headline", "significant", "assessment", "paired"} <= set(csv.columns)
    assert csv.set_index("metric").loc["project_lead_time_days", "mean_a"] == pytest.approx(41.25)
    r = run_cli("compare", a, b, "--all")
    assert r.returncode == 0 and "Incidents reported" in r.stdout and "Tech debt at the end" in r.stdout


def test_cli_names_an_unreadable_results_folder(tmp_path: Path) -> None:
    a, b = write_pair(tmp_path)
    (b / "summary.json").write_text("{not json", encoding="utf-8")
    missing = tmp_path / "nowhere"
    r = run_cli("compare", missing, b)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[0] == f"{missing}: no summary.json (not a run folder)"
    assert lines[1].startswith(f"{b / 'summary.json'}: cannot be read")


CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium at /usr/bin/chromium")
def test_page_shows_the_verdict_colours_in_a_browser(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    a, b = write_pair(tmp_path, verdict_b={"verdict": True, "share_of_replications": 1.0, "reasons": []})
    page_file = tmp_path / "compare.html"
    page_file.write_text(comparison_page(load_comparison(a, b)), encoding="utf-8")
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})

            def route(r):
                if r.request.url == page_file.as_uri():
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(page_file.as_uri())
            colours = page.eval_on_selector_all(
                ".side", "els => els.map(e => [e.dataset.status, getComputedStyle(e).borderLeftColor,"
                         " getComputedStyle(e.querySelector('.status')).color])")
            visible_rows = page.eval_on_selector_all("table.headline tbody tr", "rows => rows.length")
            hidden_visible = page.is_visible("table.all")
        finally:
            browser.close()
    assert outside == []
    assert colours == [["healthy", _rgb(fmt.STATUS_COLOURS["healthy"]), _rgb(fmt.STATUS_COLOURS["healthy"])],
                       ["too_busy", _rgb(fmt.STATUS_COLOURS["too_busy"]), _rgb(fmt.STATUS_COLOURS["too_busy"])]]
    assert visible_rows == len([m for m in HEADLINE if m in METRICS])
    assert not hidden_visible, "the other measures start collapsed"
