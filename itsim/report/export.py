"""Atomic file writes and chart images (PNG for slides, SVG for documents).

A reader never sees a half-written file: :func:`write_atomic` writes through
:mod:`itsim.atomic`. One chart that fails to convert is reported and skipped; the
others are still written.

Images are written only when asked for (``--images``): drawing them takes longer
than the rest of the report, and the report's own charts are interactive. A report
built without them keeps the images of the report it replaces when that one was
built from the same results, and removes them otherwise, so that ``charts/`` never
holds a picture of results that are gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import vl_convert
from altair.utils.html import vl_version_for_vl_convert

from itsim.atomic import atomic_write_bytes

log = logging.getLogger(__name__)

PNG_SCALE = 2.0  # pixels per CSS pixel: crisp on a projected slide


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` so that the file is either the old one or
    complete (:mod:`itsim.atomic`)."""
    atomic_write_bytes(path, data.encode("utf-8") if isinstance(data, str) else data)


def export_images(name: str, spec: dict[str, Any], charts_dir: Path) -> tuple[list[str], list[str]]:
    """Write ``charts_dir/NAME.svg`` and ``NAME.png``; return (files written, problems).

    The chart is drawn once, to SVG, and the PNG is rasterised from that SVG at
    ``PNG_SCALE``. A conversion error is logged and returned as a one-line
    problem, never raised.
    """
    written, problems = [], []

    def attempt(filename: str, produce: Callable[[], bytes | str]) -> bytes | str | None:
        try:
            data = produce()
            write_atomic(charts_dir / filename, data)
        except Exception as exc:  # a broken chart must not lose the others
            log.warning("could not export chart %s: %s", filename, exc)
            problems.append(f"The image charts/{filename} could not be written: {exc}")
            return None
        written.append(filename)
        return data

    svg = attempt(f"{name}.svg", lambda: vl_convert.vegalite_to_svg(
        spec, vl_version=vl_version_for_vl_convert()))
    if svg is None:
        problems.append(f"The image charts/{name}.png was not written: no SVG to rasterise.")
    else:
        attempt(f"{name}.png", lambda: vl_convert.svg_to_png(svg, scale=PNG_SCALE))
    return written, problems


def earlier_images(name: str, charts_dir: Path, current: bool) -> list[str]:
    """The images of chart ``name`` that an earlier report left in ``charts_dir``: kept and
    returned if they are ``current`` (drawn from the same results), removed if not."""
    found = [f for f in (f"{name}.svg", f"{name}.png") if (charts_dir / f).exists()]
    if current:
        return found
    for filename in found:
        (charts_dir / filename).unlink(missing_ok=True)
    return []
