"""Benchmark results on disk: one JSON file per run, written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from itsim.store import atomic_write_text


def write_json(path: Path, results: dict[str, Any]) -> None:
    """Write ``results`` to ``path`` as indented JSON (its folder made if missing) and say so."""
    atomic_write_text(path, json.dumps(results, indent=2) + "\n")
    print(f"wrote {path}")
