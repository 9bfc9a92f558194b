"""MkDocs hooks of the itsim site.

- The reference pages of :data:`itsim.reference.PAGES` are generated from the code at
  every build, so they always match the installed itsim.
- Fences carry markers for the docs tests (```python no-run: shown, not run;
  ```bash run: run by the tests); the site shows them as plain ```python and ```bash.
- Pages written in other parts of the project (:data:`ELSEWHERE`) have their place in
  the navigation; until a page exists, its entry is left out.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.structure.files import File

from itsim.reference import PAGES

log = logging.getLogger("mkdocs.hooks.itsim")
ELSEWHERE = {"how-to/calibrate.md", "plan.md", "uncertainty.md", "limits.md"}
MARKER = re.compile(r"^(```[a-z]+) (?:no-run|run)\s*$", re.MULTILINE)


def _prune(nav: list, docs: Path) -> list:
    kept = []
    for entry in nav:
        if isinstance(entry, dict):
            (title, target), = entry.items()
            if isinstance(target, list):
                kept.append({title: _prune(target, docs)})
            elif target in ELSEWHERE and not (docs / target).exists():
                log.info("nav: %s is not written yet; left out", target)
            else:
                kept.append(entry)
        else:
            kept.append(entry)
    return kept


def on_config(config):
    config["nav"] = _prune(config["nav"], Path(config["docs_dir"]))
    return config


def on_files(files, config):
    for path, page in PAGES.items():
        files.append(File.generated(config, path, content=page()))
    return files


def on_page_markdown(markdown, page, config, files):
    return MARKER.sub(r"\1", markdown)
