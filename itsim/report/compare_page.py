"""The baseline-versus-variant page: each side's verdict in the report's words and
colours, what differs between the two scenarios, and the figures side by side.

:func:`comparison_html` gives a self-contained fragment (its styles scoped to
``.itsim-compare``) for pages that embed it; :func:`comparison_page` wraps it in
a whole document that opens offline (no scripts, nothing fetched). Every piece
of text from a scenario or from results is escaped.
"""

from __future__ import annotations

import html
from pathlib import Path

from itsim.compare import Comparison, Side, SideVerdict
from itsim.report import fmt
from itsim.report.comparison import RowText, change_lines, comparison_rows, pairing_note

_STATUS_CSS = "".join(
    f".itsim-compare .side.{status.replace('_', '-')}{{border-color:{colour};background:{fmt.STATUS_TINTS[status]}}}"
    f".itsim-compare .side.{status.replace('_', '-')} .status{{color:{colour}}}"
    for status, colour in fmt.STATUS_COLOURS.items()
)

CSS = (
    ".itsim-compare{font-family:Helvetica,Arial,sans-serif;color:#222;line-height:1.45}"
    ".itsim-compare h2{font-size:22px;margin:0 0 8px}.itsim-compare h3{font-size:17px;margin:20px 0 6px}"
    ".itsim-compare .sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px;"
    "margin:12px 0 20px}"
    ".itsim-compare .side{border-left:8px solid #999;background:#f4f4f4;padding:10px 16px}"
    ".itsim-compare .side p{margin:2px 0}.itsim-compare .tag{font-size:13px;color:#555;letter-spacing:.04em}"
    ".itsim-compare .name{font-weight:bold}.itsim-compare .status{font-size:22px;font-weight:bold}"
    ".itsim-compare .about{font-size:13px;color:#555}.itsim-compare .reasons{font-size:14px;margin:4px 0 0;"
    "padding-left:18px}"
    + _STATUS_CSS +
    ".itsim-compare table{border-collapse:collapse;font-size:14px;margin:6px 0 12px}"
    ".itsim-compare th,.itsim-compare td{border-bottom:1px solid #e4e4e4;padding:6px 14px 6px 0;"
    "text-align:right;vertical-align:top}"
    ".itsim-compare th:first-child{text-align:left}.itsim-compare thead th{color:#555}"
    ".itsim-compare .ci{display:block;color:#777;font-size:12px;white-space:nowrap}"
    ".itsim-compare .mark{text-align:left;white-space:nowrap}"
    ".itsim-compare tr.better .mark{color:#2ca02c;font-weight:bold}"
    ".itsim-compare tr.worse .mark{color:#d62728;font-weight:bold}"
    ".itsim-compare .note,.itsim-compare .changes{color:#555;font-size:14px}"
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _side(tag: str, side: Side, verdict: SideVerdict) -> str:
    status = str(verdict.status) if verdict.status in fmt.STATUS_LABELS else "no-verdict"
    chance = fmt.verdict_sentence(verdict.status, verdict.probability, verdict.ci95)
    chance = chance.partition(": ")[2] or "No verdict was stored with these results."
    runs = side.summary.get("replications")
    about = [f"{fmt.plural(runs, 'simulated run')}" if runs else "",
             f"seed {side.summary['seed']}" if side.summary.get("seed") is not None else "",
             side.source]
    parts = [
        f'<div class="side {status.replace("_", "-")}" data-status="{_e(status)}">',
        f'<p class="tag">{_e(tag)}</p>',
        f'<p class="name">{_e(side.name)}</p>',
        f'<p class="status">{_e(fmt.status_label(verdict.status))}</p>',
        f'<p class="chance">{_e(chance)}</p>',
    ]
    if verdict.reasons:
        parts.append('<ul class="reasons">' + "".join(f"<li>{_e(r)}</li>" for r in verdict.reasons) + "</ul>")
    parts.append(f'<p class="about">{_e(" · ".join(p for p in about if p))}</p></div>')
    return "".join(parts)


def _cell(value: str, interval: str) -> str:
    ci = f'<span class="ci">{_e(interval)}</span>' if interval else ""
    return f"<td>{_e(value)}{ci}</td>"


def _row(row: RowText) -> str:
    classes = " ".join(c for c in ("significant" if row.significant else "", row.assessment) if c)
    mark = row.assessment if row.significant else ""
    return (f'<tr class="{classes}" data-metric="{_e(row.metric)}"><th scope="row">{_e(row.label)}</th>'
            f"{_cell(row.a, row.a_range)}{_cell(row.b, row.b_range)}"
            f"{_cell(row.difference, row.difference_range)}"
            f'<td class="mark">{_e(mark)}</td></tr>')


def _table(rows: list[RowText], css: str) -> str:
    head = ('<thead><tr><th scope="col">Measure</th><th scope="col">A</th><th scope="col">B</th>'
            '<th scope="col">B − A</th><th scope="col"></th></tr></thead>')
    return f'<table class="{css}">{head}<tbody>' + "".join(_row(r) for r in rows) + "</tbody></table>"


def comparison_html(comparison: Comparison, heading: str = "Baseline (A) and what-if (B)",
                    tags: tuple[str, str] = ("A · baseline", "B · what-if")) -> str:
    """The comparison as an HTML fragment: verdicts, what differs, headline figures first,
    every other measure in a collapsed section, and how to read the figures. ``tags`` name
    the two sides above their verdicts."""
    rows = comparison_rows(comparison, all_metrics=True)
    headline = [r for r in rows if r.metric in comparison.headline_metrics]
    others = [r for r in rows if r.metric not in comparison.headline_metrics]
    body = [
        '<section class="itsim-compare">',
        f"<style>{CSS}</style>",
        f"<h2>{_e(heading)}</h2>",
        '<div class="sides">',
        _side(tags[0], comparison.a, comparison.verdict_a),
        _side(tags[1], comparison.b, comparison.verdict_b),
        "</div>",
    ]
    changes = change_lines(comparison)
    if changes:
        body.append('<h3>What differs between the scenarios</h3><ul class="changes">'
                    + "".join(f"<li>{_e(c)}</li>" for c in changes) + "</ul>")
    body += ["<h3>Headline figures</h3>", _table(headline, "headline")]
    if others:
        body.append(f"<details><summary>{_e(fmt.plural(len(others), 'other measure'))}</summary>"
                    f"{_table(others, 'all')}</details>")
    body.append(
        '<p class="note">Figures are means over the simulated runs, with their 95% intervals below '
        "them; a side's interval is kept within what the quantity can be (a share between 0% and "
        "100%, amounts and times at least 0). " + _e(pairing_note(comparison)) + " A difference is "
        "significant when its interval excludes 0; better and worse are from the business's side "
        "(shorter waits, more delivered, less cost).</p>")
    body.append("</section>")
    return "\n".join(body)


def comparison_page(comparison: Comparison) -> str:
    """The comparison as a whole HTML document that opens offline."""
    a, b = comparison.a, comparison.b
    title = f"{a.name} vs {b.name}" if a.name != b.name else f"{a.name}: {a.source} vs {b.source}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        "<style>body{margin:0;background:#f6f6f4}main{max-width:1040px;margin:0 auto;padding:32px 40px 64px;"
        "background:#fff}h1{font-family:Helvetica,Arial,sans-serif;font-size:28px;margin:0 0 16px}</style>",
        "</head><body><main>",
        f"<h1>{_e(title)}</h1>",
        comparison_html(comparison),
        "</main></body></html>",
    ])


def write_comparison_page(comparison: Comparison, path: str | Path) -> Path:
    """Write :func:`comparison_page` to ``path`` atomically; return the path."""
    from itsim.store import atomic_write_text

    path = Path(path)
    atomic_write_text(path, comparison_page(comparison))
    return path
