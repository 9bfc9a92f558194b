"""The report's block of failed invariant checks (:mod:`itsim.checks`): shown only when a
check failed, because then some numbers on the page are ones the model itself rejects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from itsim.checks import WHAT, failed
from itsim.report.assumptions import Table

TITLE = "Invariant checks failed: treat the numbers below with suspicion"
NOTE = ("Every replication is checked for work and hours that do not add up, Little's law, and numbers "
        "out of range. These checks failed, so the model misbehaved on this scenario; please report it.")


def _rows(summary: dict[str, Any], where: str | None = None) -> list[list[str]]:
    rows = []
    n = summary.get("replications")
    for name, entry in failed(summary):
        row = [name, WHAT.get(name, ""), _fmt(entry.get("worst")), _fmt(entry.get("limit")),
               f"{entry.get('failed_replications')} of {n}"]
        rows.append([where, *row] if where is not None else row)
    return rows


def _fmt(x: Any) -> str:
    return f"{x:.4g}" if isinstance(x, int | float) else str(x)


def run_checks_table(summary: dict[str, Any]) -> Table | None:
    """The failed checks of a run (None when all passed)."""
    rows = _rows(summary)
    header = ["Check", "What it means", "Worst", "Allowed", "Replications failing"]
    return Table(TITLE, header, rows, NOTE) if rows else None


def sweep_checks_table(directory: Path) -> Table | None:
    """The failed checks of every cell of a sweep (None when all passed)."""
    rows = []
    for path in sorted(Path(directory).glob("cells/*/summary.json")):
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(summary, dict):
            rows.extend(_rows(summary, path.parent.name))
    header = ["Cell", "Check", "What it means", "Worst", "Allowed", "Replications failing"]
    return Table(TITLE, header, rows, NOTE) if rows else None
