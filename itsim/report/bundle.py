"""The chart libraries the report inlines (Vega, Vega-Lite, vega-embed), built once and cached.

``vl_convert.javascript_bundle`` takes one to three seconds, more than the rest of a
report, and its result depends only on the installed vl-convert and the Vega-Lite
version altair asks for. So it is built once per pair of versions and kept in the
user's cache directory (:func:`cache_dir`), one file per pair.

Each cached file starts with a line holding the SHA-256 of the rest, checked on every
read: a truncated or damaged file is built again and replaced. Files are written to a
temporary file in the same directory and renamed into place, so two reports built at
once (two sweeps, a sweep and a run) never see half a file; if both build the bundle,
the second rename replaces the first with identical content. A cache directory that
cannot be written only costs the time to build the bundle each time.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

#: environment variable naming the cache directory, before any platform default
CACHE_ENV = "ITSIM_CACHE_DIR"
_HEADER = "/* itsim javascript bundle sha256={} */\n"


def cache_dir() -> Path:
    """Where itsim caches what it can rebuild: ``$ITSIM_CACHE_DIR`` if set, else the
    platform's user cache directory: ``$XDG_CACHE_HOME/itsim`` (by default
    ``~/.cache/itsim``) on Linux, ``~/Library/Caches/itsim`` on macOS,
    ``%LOCALAPPDATA%\\itsim\\Cache`` on Windows."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "itsim" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "itsim"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "itsim"


def bundle_path(vl_convert_version: str, vl_version: str) -> Path:
    """The cache file of the bundle built by vl-convert ``vl_convert_version`` for Vega-Lite ``vl_version``."""
    return cache_dir() / f"vega-bundle-{vl_convert_version}-{vl_version}.js"


@functools.lru_cache(maxsize=1)
def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (as ``vl_convert.javascript_bundle``
    builds it for altair's Vega-Lite version), from the cache when it holds a sound copy."""
    import vl_convert
    from altair.utils.html import vl_version_for_vl_convert

    vl_version = vl_version_for_vl_convert()
    path = bundle_path(vl_convert.__version__, vl_version)
    cached = read_cached(path)
    if cached is not None:
        return cached
    bundle = vl_convert.javascript_bundle(vl_version=vl_version)
    try:
        write_cached(path, bundle)
    except OSError as exc:
        log.warning("could not cache the chart libraries in %s (%s); they are built again next time", path, exc)
    return bundle


def read_cached(path: Path) -> str | None:
    """The bundle stored at ``path``, or None when it is missing or fails its checksum."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    header, sep, bundle = text.partition("\n")
    if not sep or header + "\n" != _HEADER.format(_sha256(bundle)):
        log.info("cached chart libraries at %s are damaged; building them again", path)
        return None
    return bundle


def write_cached(path: Path, bundle: str) -> None:
    """Store ``bundle`` at ``path`` with its checksum, atomically."""
    from itsim.report.export import write_atomic

    write_atomic(path, _HEADER.format(_sha256(bundle)) + bundle)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
