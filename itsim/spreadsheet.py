"""Results for spreadsheets: an Excel workbook (``xlsx``) or CSV files beside the parquet
files of a run, a sweep or a comparison.

Every table has one header row and plain values in the units of the metric
reference (shares 0 to 1, hours, days, money in the scenario's currency), with a
``unit`` and a ``label`` column wherever a row is a metric. Weeks carry the date
they start on when the scenario has a ``[scenario] start_date``. Files are written
atomically, like every other result.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from itsim import store
from itsim.catalogue import summary_frame
from itsim.scenario import Scenario
from itsim.tables import dated

#: Table formats a result can be written in; parquet is always written.
FORMATS = ("parquet", "csv", "xlsx")
#: Rows a worksheet holds, header included.
EXCEL_ROWS = 1_048_576


def verdict_frame(summary: dict) -> pd.DataFrame:
    """The summary's verdict as a table: one row for the department (``status``,
    ``probability``, ``lo``, ``hi``) and one per target (its figure's mean and interval,
    the threshold, and the share of replications that broke it)."""
    block = summary.get("too_busy") or {}
    lo, hi = block.get("ci95") or (None, None)
    rows = [{"target": "too busy (any target)", "status": block.get("status"), "probability": block.get("probability"),
             "lo": lo, "hi": hi, "reasons": "; ".join(block.get("reasons") or [])}]
    for code, entry in (block.get("targets") or {}).items():
        low, high = entry.get("ci95") or (None, None)
        rows.append({"target": code, "figure": entry.get("figure"), "mean": entry.get("mean"), "lo": low, "hi": high,
                     "threshold": entry.get("target"), "limit": entry.get("limit"),
                     "share_broken": entry.get("share_broken")})
    return pd.DataFrame(rows)


def run_tables(summary: dict, runs: pd.DataFrame, timeseries: pd.DataFrame,
               scenario: Scenario | None) -> dict[str, pd.DataFrame]:
    """The tables of a run, by sheet name: Summary, Verdict, Replications (one row per
    replication, one column per metric) and Weekly."""
    wide = (runs.pivot(index="replication", columns="metric", values="value").reset_index()
            if len(runs) else pd.DataFrame(columns=["replication"]))
    wide.columns.name = None
    return {
        "Summary": summary_frame(summary),
        "Verdict": verdict_frame(summary),
        "Replications": wide,
        "Weekly": dated(timeseries, scenario) if scenario is not None else timeseries,
    }


def write_run_tables(out: str | Path, summary: dict, runs: pd.DataFrame, timeseries: pd.DataFrame,
                     scenario: Scenario | None, formats: list[str]) -> list[Path]:
    """Write a run's tables in each of ``formats`` beside its parquet files: ``results.xlsx``;
    or ``summary.csv``, ``verdict.csv``, ``runs.csv`` (long, as ``runs.parquet``) and
    ``timeseries.csv``. Returns the paths written."""
    out = Path(out)
    tables = run_tables(summary, runs, timeseries, scenario)
    written = []
    if "xlsx" in formats:
        written.append(write_workbook(out / "results.xlsx", tables))
    if "csv" in formats:
        for name, frame in (("summary", tables["Summary"]), ("verdict", tables["Verdict"]), ("runs", runs),
                            ("timeseries", tables["Weekly"])):
            written.append(write_csv(out / f"{name}.csv", frame))
    return written


def sweep_tables(grid) -> dict[str, pd.DataFrame]:
    """The tables of a :class:`itsim.Sweep`, by sheet name: Tipping points (as
    :meth:`~itsim.Sweep.too_busy_frame`), Levels (each cell's verdict and the replications
    behind it) and Summary (each cell's metrics with intervals)."""
    levels, metrics = [], []
    for cell in grid.cells:
        coords = {**cell.values, "policy": cell.policy}
        if not cell.done:
            levels.append({**coords, "status": "failed" if cell.error else "not run"})
            continue
        block = cell.summary.get("too_busy") or {}
        lo, hi = block.get("ci95") or (None, None)
        levels.append({**coords, "status": block.get("status"), "probability": block.get("probability"),
                       "lo": lo, "hi": hi, "replications": cell.summary.get("replications")})
        frame = summary_frame(cell.summary)
        for k, v in reversed(coords.items()):
            frame.insert(0, k, v)
        metrics.append(frame)
    try:
        points = grid.too_busy_frame()
    except ValueError:  # nothing numeric was varied
        points = pd.DataFrame()
    return {
        "Tipping points": points,
        "Levels": pd.DataFrame(levels),
        "Summary": pd.concat(metrics, ignore_index=True) if metrics else pd.DataFrame(),
    }


def write_sweep_tables(out: str | Path, grid, formats: list[str]) -> list[Path]:
    """Write a sweep's tables in each of ``formats`` beside ``sweep.parquet``:
    ``sweep.xlsx``; or ``too_busy.csv``, ``levels.csv``, ``sweep_summary.csv`` and
    ``sweep.csv`` (every replication and metric, as ``sweep.parquet``)."""
    out = Path(out)
    tables = sweep_tables(grid)
    written = []
    if "xlsx" in formats:
        written.append(write_workbook(out / "sweep.xlsx", tables))
    if "csv" in formats:
        for name, frame in (("too_busy", tables["Tipping points"]), ("levels", tables["Levels"]),
                            ("sweep_summary", tables["Summary"]), ("sweep", grid.table)):
            written.append(write_csv(out / f"{name}.csv", frame))
    return written


def comparison_tables(comparison) -> dict[str, pd.DataFrame]:
    """A comparison's tables: Comparison (every metric, A and B with intervals, B − A) and
    Verdicts (each side's status, probability and interval)."""
    from itsim.compare import comparison_frame

    verdicts = []
    for tag, side, v in (("A", comparison.a, comparison.verdict_a), ("B", comparison.b, comparison.verdict_b)):
        verdicts.append({"side": tag, "scenario": side.name, "source": side.source, "status": v.status,
                         "probability": v.probability, "lo": v.ci95[0], "hi": v.ci95[1],
                         "replications": v.replications, "reasons": "; ".join(v.reasons)})
    return {"Comparison": comparison_frame(comparison), "Verdicts": pd.DataFrame(verdicts)}


def write_comparison_xlsx(comparison, path: str | Path) -> Path:
    """Write :func:`comparison_tables` as one workbook to ``path``; return the path."""
    return write_workbook(Path(path), comparison_tables(comparison))


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    store.atomic_write_text(path, frame.to_csv(index=False))
    return path


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """One worksheet per table (header row frozen, columns sized to their contents);
    tables too long for a worksheet are cut, with a last row saying so."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame = _fit(frame)
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for i, column in enumerate(frame.columns, start=1):
                values = [str(column)] + [str(v) for v in frame[column].head(200)]
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(60, 2 + max(map(len, values)))
    store.atomic_write_bytes(path, buffer.getvalue())
    return path


def _fit(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame) < EXCEL_ROWS - 1:
        return frame
    cut = frame.head(EXCEL_ROWS - 3).copy()
    note = pd.DataFrame([{frame.columns[0]: f"... {len(frame) - len(cut):,} more rows: see the csv or parquet file"}])
    return pd.concat([cut, note], ignore_index=True)

