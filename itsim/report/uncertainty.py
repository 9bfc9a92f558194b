"""The run report's block on uncertain inputs: how much of each result's spread comes
from what the leader is unsure of, and how much from the randomness of a run.

It is shown only when the run had uncertain inputs (``summary.json`` → ``uncertainty``,
written by :mod:`itsim.uncertainty.nested`): the lines of
:func:`itsim.uncertainty.nested.describe` as the note, and a small table of the
chance of being too busy and the headline results, each with its mean, 95% interval
(over the input samples, so both sources are in it), the standard deviation from
the inputs and from simulation noise, and the inputs' share of the variance.
"""

from __future__ import annotations

from typing import Any

from itsim.report import fmt
from itsim.report.assumptions import Table
from itsim.report.data import RunResults, currency
from itsim.uncertainty.nested import HEADLINE_METRICS, describe

HEADER = ["", "Mean", "95% interval", "Spread from the inputs", "Spread from simulation noise",
          "Share from the inputs"]


def _spread(metric: str, sd: float | None, money: str) -> str:
    return "–" if sd is None else "± " + fmt.value(metric, sd, money)


def _too_busy_row(block: dict[str, Any]) -> list[str]:
    busy = block["too_busy"]
    lo, hi = busy["ci95"]
    return ["Chance of being too busy", fmt.percent(busy["probability"]), f"{fmt.percent(lo)} to {fmt.percent(hi)}",
            "–", "–", fmt.percent(busy.get("input_share"))]


def uncertainty_table(run: RunResults) -> Table | None:
    """The uncertainty block of a run with uncertain inputs; None for a run without."""
    block = run.summary.get("uncertainty")
    if not block:
        return None
    money = currency(run.scenario)
    rows = [_too_busy_row(block)]
    for metric in HEADLINE_METRICS:
        parts = block["metrics"].get(metric)
        estimate = run.estimate(metric)
        if not parts or estimate is None:
            continue
        interval = fmt.value_range(metric, estimate.low, estimate.high, money) or "–"
        rows.append([fmt.metric_label(metric), fmt.value(metric, estimate.mean, money), interval,
                     _spread(metric, parts.get("sd_input"), money), _spread(metric, parts.get("sd_noise"), money),
                     fmt.percent(parts.get("input_share"))])
    note = " ".join(describe(run.summary)) + (
        " Spreads are standard deviations of one run's result; the share from the inputs is their part of the "
        "variance. Where it is large, pinning the input down (itsim sensitivity says which) narrows the answer "
        "more than running longer would.")
    return Table("How sure: uncertain inputs against simulation noise", HEADER, rows, note)
