"""The self-contained HTML page: text, tables and interactive charts, offline.

Vega, Vega-Lite and vega-embed are inlined from ``vl_convert`` (nothing is
loaded from the network; the bundle is cached, :mod:`itsim.report.bundle`).
Every piece of text that came from a scenario file or from results goes through
:func:`html.escape`; chart specs embedded in ``<script>`` are JSON with ``<``, ``>``
and ``&`` written as ``\\u003c`` etc., so no string can close the script element.
"""

from __future__ import annotations

import functools
import html
import json
from dataclasses import dataclass, field
from typing import Any

from itsim.report.assumptions import Table
from itsim.report.bundle import javascript_bundle
from itsim.report.stamp import STAMP_META
from itsim.report.text import Kpi, Verdict
from itsim.status import COLOUR_HEX, TINT_HEX

CSS = """
body{font-family:Helvetica,Arial,sans-serif;color:#222;background:#f6f6f4;margin:0;line-height:1.5}
main{max-width:1040px;margin:0 auto;padding:32px 40px 64px;background:#fff}
h1{font-size:30px;margin:0 0 4px}h2{font-size:22px;margin:40px 0 12px;border-bottom:2px solid #eee}
h3{font-size:17px;margin:24px 0 6px}.sub{color:#666;margin:0 0 24px}
.headline p{font-size:21px;margin:0 0 10px}.headline p:first-child{font-weight:bold}
.verdict.neutral{border-color:#1f77b4;background:#f2f6fa}.verdict strong{font-size:20px}
td.healthy{background:#dff0df}td.at_risk{background:#ffe9c4}td.too_busy{background:#f8d0d0}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px;margin:16px 0}
.kpi{border:1px solid #ddd;border-radius:6px;padding:12px 16px}
.kpi .v{font-size:28px;font-weight:bold}.kpi .l{font-size:14px;color:#444}
.kpi .i{font-size:12px;color:#777}
figure{margin:28px 0;page-break-inside:avoid}figcaption{color:#444;margin-top:6px}
figcaption a{color:#666;font-size:13px;margin-left:8px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:14px}
th,td{border-bottom:1px solid #e4e4e4;padding:4px 12px 4px 0;text-align:left;vertical-align:top}
th{color:#555}.note,.problems{color:#666;font-size:14px}.methods p{font-size:15px}
.chart-error{color:#d62728}
.checks{border-left:8px solid #d62728;background:#fdf1f1;padding:4px 20px 8px;margin:24px 0}
"""
# The verdict's colours, as everywhere else a status is shown.
CSS += f""".verdict{{border-left:8px solid {COLOUR_HEX['green']};background:{TINT_HEX['green']}}}
.verdict{{padding:12px 20px;margin:24px 0}}
.verdict.amber{{border-color:{COLOUR_HEX['amber']};background:{TINT_HEX['amber']}}}
.verdict.red{{border-color:{COLOUR_HEX['red']};background:{TINT_HEX['red']}}}
"""

SCRIPT = """
(function(){
  var specs = JSON.parse(document.getElementById('itsim-specs').textContent);
  var jobs = Object.keys(specs).map(function(id){
    return vegaEmbed('#' + id, specs[id], {renderer: 'svg', actions: false, mode: 'vega-lite'})
      .catch(function(err){
        var box = document.getElementById(id);
        box.textContent = 'This chart could not be drawn: ' + err;
        box.className += ' chart-error';
        throw err;
      });
  });
  Promise.allSettled(jobs).then(function(results){
    var ok = results.filter(function(r){ return r.status === 'fulfilled'; }).length;
    document.body.setAttribute('data-charts-drawn', String(ok));
    document.body.setAttribute('data-charts-failed', String(results.length - ok));
  });
})();
"""


@dataclass(frozen=True)
class ChartBlock:
    """A chart on the page: its Vega-Lite spec, caption and exported image files."""

    name: str
    spec: dict[str, Any]
    caption: str
    images: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StatusGrid:
    """Levels of a sweep by policy: each cell a text (the share of runs that broke a
    target) shown in the colour of its status (``healthy``, ``at_risk``, ``too_busy``)."""

    title: str
    header: list[str]
    rows: list[tuple[str, list[tuple[str, str]]]]
    note: str = ""


@dataclass(frozen=True)
class Page:
    """Everything the report shows, as plain data; :func:`render` turns it into HTML."""

    title: str
    subtitle: str
    headline: list[str]
    verdict: Verdict
    kpis: list[Kpi]
    charts: list[ChartBlock]
    tables: list[Table]
    methods: list[str]
    problems: list[str] = field(default_factory=list)
    verdict_table: Table | None = None
    results: list[Table] = field(default_factory=list)
    status_grid: StatusGrid | None = None
    #: failed invariant checks (:mod:`itsim.report.checks`), shown right after the verdict
    checks: Table | None = None
    #: what the report was built from (:mod:`itsim.report.stamp`), kept in its <head>
    stamp: str = ""
    #: self-contained HTML fragments (already escaped, e.g. a baseline-against-option
    #: comparison), shown after the key figures
    embeds: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def javascript() -> str:
    """Vega, Vega-Lite and vega-embed as one script, safe inside ``<script>`` (built once
    per installed version and cached: :mod:`itsim.report.bundle`)."""
    return javascript_bundle().replace("</script", "<\\/script")


def script_json(data: Any) -> str:
    """JSON that cannot end a ``<script>`` element or open an HTML comment."""
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table(table: Table) -> str:
    parts = [f"<h3>{_e(table.title)}</h3>"] if table.title else []
    if table.note:
        parts.append(f'<p class="note">{_e(table.note)}</p>')
    parts.append("<table>")
    if table.header:
        parts.append("<tr>" + "".join(f"<th>{_e(h)}</th>" for h in table.header) + "</tr>")
    for row in table.rows:
        cells = [f"<th>{_e(c)}</th>" if not table.header and i == 0 else f"<td>{_e(c)}</td>"
                 for i, c in enumerate(row)]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    return "\n".join(parts)


def _verdict(page: Page) -> str:
    v = page.verdict
    css = {"green": "verdict green", "amber": "verdict amber", "red": "verdict red"}.get(v.colour or "",
                                                                                        "verdict neutral")
    parts = [f'<section class="{css}" data-status="{_e(v.status or "")}"><strong>{_e(v.heading)}</strong>']
    if v.detail:
        parts.append(f"<p>{_e(v.detail)}</p>")
    if v.reasons:
        parts.append(f"<p>{_e(v.reasons_heading)}</p><ul>"
                     + "".join(f"<li>{_e(r)}</li>" for r in v.reasons) + "</ul>")
    if page.verdict_table is not None:
        parts.append(_table(page.verdict_table))
    if page.status_grid is not None:
        parts.append(_grid(page.status_grid))
    parts.append("</section>")
    return "\n".join(parts)


def _grid(grid: StatusGrid) -> str:
    parts = [f"<h3>{_e(grid.title)}</h3>"] if grid.title else []
    if grid.note:
        parts.append(f'<p class="note">{_e(grid.note)}</p>')
    parts.append("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in grid.header) + "</tr>")
    for name, cells in grid.rows:
        parts.append(f"<tr><th>{_e(name)}</th>" + "".join(
            f'<td class="{_e(state)}" title="{_e(state.replace("_", " "))}">{_e(text)}</td>'
            for text, state in cells) + "</tr>")
    parts.append("</table>")
    return "\n".join(parts)


def _kpis(kpis: list[Kpi]) -> str:
    tiles = [f'<div class="kpi"><div class="v">{_e(k.value)}</div><div class="l">{_e(k.label)}'
             f'</div><div class="i">{_e(k.interval)}</div></div>' for k in kpis]
    return '<section class="kpis">' + "".join(tiles) + "</section>" if tiles else ""


def _chart(block: ChartBlock) -> str:
    links = " ".join(f'<a href="charts/{_e(img)}">{_e(img.rsplit(".", 1)[1].upper())}</a>'
                     for img in block.images)
    return (f'<figure><div id="chart-{_e(block.name)}" class="chart"></div>'
            f"<figcaption>{_e(block.caption)} {links}</figcaption></figure>")


def render(page: Page) -> str:
    """The whole report as one HTML document with the chart libraries inlined."""
    specs = {f"chart-{b.name}": b.spec for b in page.charts}
    body = [
        f"<header><h1>{_e(page.title)}</h1><p class=\"sub\">{_e(page.subtitle)}</p></header>",
        '<section class="headline">' + "".join(f"<p>{_e(s)}</p>" for s in page.headline)
        + "</section>",
        _verdict(page),
        f'<section class="checks">{_table(page.checks)}</section>' if page.checks is not None else "",
        _kpis(page.kpis),
        *page.embeds,
        "<h2>What the simulation shows</h2>",
        *(_chart(b) for b in page.charts),
        *(_table(t) for t in page.results),
        "<h2>Assumptions</h2>",
        '<p class="note">The scenario as simulated. Change any of these in the scenario file '
        "and run again to test a different assumption.</p>",
        *(_table(t) for t in page.tables),
        '<section class="methods"><h2>How these numbers were produced</h2>'
        + "".join(f"<p>{_e(m)}</p>" for m in page.methods) + "</section>",
    ]
    if page.problems:
        body.append('<section class="problems"><h3>Notes on this report</h3><ul>'
                    + "".join(f"<li>{_e(p)}</li>" for p in page.problems) + "</ul></section>")
    return document(page.title, body, specs, page.stamp)


def document(title: str, body: list[str], specs: dict[str, Any], stamp: str = "") -> str:
    """A whole HTML document in the report's style: ``body`` (HTML fragments, already
    escaped) and the Vega-Lite ``specs`` of its charts by element id, libraries inlined;
    ``stamp`` says what it was built from (:mod:`itsim.report.stamp`)."""
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f'<meta name="{STAMP_META}" content="{_e(stamp)}">' if stamp else "",
        f"<style>{CSS}</style>",
        f"<script>{javascript()}</script>",
        "</head><body><main>",
        *body,
        "</main>",
        f'<script type="application/json" id="itsim-specs">{script_json(specs)}</script>',
        f"<script>{SCRIPT}</script>",
        "</body></html>",
    ])
