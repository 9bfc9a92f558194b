"""The metric reference page, from :mod:`itsim.catalogue`."""

from __future__ import annotations

from itsim.catalogue import PLACEHOLDERS, catalogue


def metrics_page() -> str:
    """Every metric: name, unit, label (as reports show it) and definition (Markdown)."""
    lines = [
        "# Metrics",
        "",
        "Every metric a run computes, generated from the metric catalogue (`itsim.catalogue`).",
        "Each gets a mean and a 95% interval over replications (`summary.json`,",
        "`Replicated.summary_frame()`). Only what arrives, or is booked, after warm-up counts.",
        "Units: *share* is 0 to 1; *hours* and *days* are elapsed (wall-clock) time;",
        "*person-hours* are work; *money* is in the scenario's `[costs] currency`.",
        "",
        "Names in capitals stand for one metric each: "
        + "; ".join(f"`{k}` for {v}" for k, v in PLACEHOLDERS.items()) + ".",
        "",
        "| metric | unit | label | definition |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{m.name}` | {m.unit} | {m.label} | {m.definition} |" for m in catalogue()]
    return "\n".join(lines) + "\n"
