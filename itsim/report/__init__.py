"""Reports a CFO can read: one self-contained ``report.html``, and chart images when asked.

``write_report(DIR)`` for the output of ``itsim run``, ``write_sweep_report(DIR)``
for the output of ``itsim sweep``, and ``build_report(DIR)`` to pick whichever
fits (``itsim report DIR``). The report renders offline: the chart libraries are
inlined (built once per installed version and cached, :mod:`itsim.report.bundle`).
With ``images=True`` (``--images``) charts are also written as
``DIR/charts/NAME.png`` and ``.svg``, for slides and documents. A chart that cannot
be drawn is left out of a report that is still written, and :class:`ChartError`
then says which. Each report records what it was built from
(:mod:`itsim.report.stamp`), so a finished sweep whose report is up to date need
not build it again.

The builders are imported on first use, so ``itsim.report.fmt`` (shared with
``itsim compare``) loads without altair.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from itsim.report.build import build_report, write_report, write_sweep_report

__all__ = ["ChartError", "build_report", "write_report", "write_sweep_report"]


class ChartError(RuntimeError):
    """Charts that could not be drawn. The report is written without them; ``problems``
    says which chart failed and why, one line each, and ``path`` is the report.
    (Defined here, not in ``build``, so that catching it does not load the charting
    libraries.)"""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__("; ".join(problems))


def __getattr__(name: str) -> Any:
    if name in ("build_report", "write_report", "write_sweep_report"):
        from itsim.report import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
