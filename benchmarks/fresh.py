"""Measurements taken in a fresh Python process, so that memory figures are clean.

A benchmark module re-runs itself as ``python -m <module> --child ARGS...``; the
child does one measurement and prints it as one line of JSON, which
:func:`in_child` reads back. Peak resident memory (``ru_maxrss``) only ever
grows within a process, so only a fresh process can say how much one run needs.
"""

from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def in_child(module: str, *args: str) -> dict:
    """Run ``python -m module --child args...`` from the repository root; its last stdout line, parsed."""
    proc = subprocess.run([sys.executable, "-m", module, "--child", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{module} --child {' '.join(args)} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB


def rss_mb() -> float:
    """This process's current resident memory, MB (from /proc; NaN where there is none)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return float("nan")
    return pages * resource.getpagesize() / MB


def timed(fn: Callable[[], Any]) -> tuple[Any, dict]:
    """``fn()`` and its wall and CPU seconds, with the growth of peak RSS (MB) it caused."""
    gc.collect()
    rss0 = peak_rss_mb()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rss1 = peak_rss_mb()
    return result, {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss1, "peak_rss_growth_mb": rss1 - rss0}


def traced(fn: Callable[[], Any]) -> tuple[Any, dict]:
    """``fn()`` under tracemalloc: its peak of Python allocations and what it still holds
    afterwards (the result's own memory), MB. Much slower than :func:`timed`."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    result = fn()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, {"traced_peak_mb": (peak - base) / MB, "traced_held_mb": (current - base) / MB}
