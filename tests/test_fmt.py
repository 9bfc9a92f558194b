"""Business numbers: money with the scenario's currency, times in the unit a leader
reads, plurals, and the verdict's words."""

from __future__ import annotations

import math

import pytest

from itsim.narrative import headline
from itsim.report import fmt

NBSP = "\u00a0"


@pytest.mark.parametrize(("x", "currency", "text"), [
    (950, "USD", "$950"),
    (12_345, "USD", "$12.3K"),
    (340_000, "EUR", "€340K"),
    (1_250_000, "USD", "$1.25M"),
    (2.5e9, "GBP", "£2.5B"),
    (-12_345, "USD", "-$12.3K"),
    (12_345, "CHF", f"CHF{NBSP}12.3K"),
    (340_000, "", "340K"),
    (0, "USD", "$0"),
])
def test_money_is_compact_with_the_currency_symbol(x, currency, text) -> None:
    assert fmt.money(x, currency) == text


@pytest.mark.parametrize("x", [None, math.nan, math.inf])
def test_missing_values_read_as_a_dash(x) -> None:
    assert fmt.money(x, "USD") == fmt.number(x) == fmt.percent(x) == fmt.duration(x) == "–"


@pytest.mark.parametrize(("x", "text"), [
    (28.0, "28"), (1.104, "1.1"), (12345, "12,345"), (0.000123, "0.000123"), (-0.0, "0"), (-1234.5, "-1,234"),
])
def test_numbers_keep_three_figures_and_separators(x, text) -> None:
    assert fmt.number(x) == text


@pytest.mark.parametrize(("n", "text"), [
    (0, "0 occurrences"), (1, "1 occurrence"), (1.0, "1 occurrence"), (1.04, "1.04 occurrences"),
    (2, "2 occurrences"), (0.4, "0.4 occurrences"),
])
def test_plurals_follow_the_number_shown(n, text) -> None:
    assert fmt.plural(n, "occurrence") == text


def test_irregular_plurals_are_given() -> None:
    assert fmt.plural(3, "person", "people") == "3 people"
    assert fmt.plural(1, "person", "people") == "1 person"


@pytest.mark.parametrize(("hours", "text"), [
    (0.25, "15 minutes"), (0.999, "1 hour"), (1.5, "1.5 hours"), (20, "20 hours"),
    (50, "2.1 days"), (24 * 5, "5 days"), (24 * 42.7, "6 weeks"), (24 * 7 * 19.4, "19 weeks"),
    (24 * 7, "7 days"), (24 * 7 * 3, "3 weeks"), (0.004, "under a minute"), (0, "0 minutes"),
])
def test_times_are_in_the_unit_a_leader_reads(hours, text) -> None:
    assert fmt.duration(hours) == text


def test_tables_keep_two_figures_and_a_chosen_unit() -> None:
    assert fmt.duration(24 * 42.7, digits=2) == "6.1 weeks"
    assert fmt.duration(24 * 3, "weeks", digits=2) == "0.43 weeks"
    assert fmt.value("project_lead_time_days", 42.7) == "6.1 weeks"
    assert fmt.value("incident_wait_hours.P2", 0.75) == "45 minutes"
    assert fmt.value_range("project_lead_time_days", 20, 48) == "2.9 weeks to 6.9 weeks"


def test_units_follow_metric_names() -> None:
    units = {m: fmt.unit(m) for m in (
        "hours_share.firefighting", "utilization.engineer", "incident_sla_attainment",
        "incident_wait_probability", "cost_total", "value_delivered", "incident_wait_hours.P1",
        "project_lead_time_days", "tech_debt_hours_end", "neglect_hours.security",
        "incidents_arrived", "projects_delivered", "recurring_skipped", "something_new")}
    assert units == {
        "hours_share.firefighting": "share", "utilization.engineer": "share",
        "incident_sla_attainment": "share", "incident_wait_probability": "share",
        "cost_total": "money", "value_delivered": "money", "incident_wait_hours.P1": "duration",
        "project_lead_time_days": "duration", "tech_debt_hours_end": "hours",
        "neglect_hours.security": "hours", "incidents_arrived": "count",
        "projects_delivered": "count", "recurring_skipped": "count", "something_new": "number",
    }
    assert fmt.bounds("utilization") == (0.0, 1.0)
    assert fmt.bounds("cost_total") == (0.0, math.inf)
    assert fmt.bounds("something_new") == (-math.inf, math.inf)


def test_differences_are_signed_in_the_metric_unit() -> None:
    assert fmt.difference("hours_share.firefighting", -0.096) == "-9.6 pts"
    assert fmt.difference("cost_total", 12_345, "USD") == "+$12.3K"
    assert fmt.difference("project_lead_time_days", 10.5, time_unit="weeks") == "+1.5 weeks"
    assert fmt.difference("project_lead_time_days", -7, time_unit="weeks") == "-1 week"
    assert fmt.difference("incidents_arrived", 0) == "0"


def test_verdict_sentence_names_status_probability_and_interval() -> None:
    assert fmt.verdict_sentence("at_risk", 0.5, [0.237, 0.763]) == (
        "At risk: 50% chance of being too busy (95% interval 24% to 76%)")
    assert fmt.verdict_sentence("healthy", 0.0, [0.0, 0.28]).startswith("Healthy: 0% chance")
    assert fmt.verdict_sentence(None, None, None) == "No verdict"
    assert set(fmt.STATUS_COLOURS) == set(fmt.STATUS_LABELS) == {"healthy", "at_risk", "too_busy"}


def test_headline_uses_currency_plurals_and_leader_units() -> None:
    metrics = {
        "incident_wait_hours": 0.5, "incident_resolve_hours": 30.0, "project_lead_time_days": 43.0,
        "projects_delivered": 40.0, "project_backlog_end": 6.0, "recurring_on_time_share": 0.97,
        "recurring_hours_on_time_share": 0.95, "recurring_skipped": 1.0, "cost_total": 1_250_000.0,
        "cost_of_delay": 340_000.0,
    }
    summary = {"metrics": {k: {"mean": v, "ci95": [v, v]} for k, v in metrics.items()}}
    text = " ".join(headline(summary, currency="EUR"))
    assert "waits 30 minutes" in text and "resolved after 30 hours" in text
    assert "6 weeks after they are requested" in text
    assert "1 occurrence was skipped" in text
    assert "Staff cost €1.25M" in text and "€340K in delayed value" in text
