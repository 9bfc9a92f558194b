"""Commented starting scenarios for ``itsim init``: a small, a mid-size and a large
department, every number with its source or stated assumption."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

TEMPLATES = {
    "small": "about 300 employees, 6 IT staff",
    "mid": "about 1,500 employees, 25 IT staff",
    "large": "about 8,000 employees, 114 IT staff in operations",
}


def template_text(name: str) -> str:
    """The text of the starting scenario ``name`` (one of :data:`TEMPLATES`)."""
    if name not in TEMPLATES:
        raise ValueError(f"unknown template {name!r} (one of {', '.join(TEMPLATES)})")
    return (files(__name__) / f"{name}.toml").read_text(encoding="utf-8")


def write_template(path: str | Path, name: str = "mid", overwrite: bool = False) -> Path:
    """Write the starting scenario ``name`` to ``path``; an existing file is kept
    (FileExistsError) unless ``overwrite``."""
    from itsim.store import atomic_write_text

    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a directory (give a file name such as {path / 'scenario.toml'})")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path}: already exists (--overwrite replaces it)")
    atomic_write_text(path, template_text(name))
    return path
