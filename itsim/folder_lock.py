"""One sweep at a time per folder: a lock file (``sweep.lock``) holding its owner's PID,
host and start time, locked with ``flock`` for as long as the sweep runs (worker
processes forked meanwhile close their copy, so the lock is the owner's alone).

The operating system releases the lock when its owner dies, however it dies (even
``kill -9``), so a lock left behind is recognised as stale and taken over, while a
live one makes a second sweep stop with a message naming its owner. The file is
removed when the sweep ends. Where ``flock`` is not available (Windows), folders are
not locked.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from itsim.atomic import file_mode, host_name
from itsim.interrupt import NOT_FOR_WORKERS

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


#: The lock file in a sweep folder.
LOCK_NAME = "sweep.lock"


class FolderLocked(ValueError):
    """Another live process holds the folder's lock; the message says which."""


@contextmanager
def folder_lock(folder: Path, what: str = "sweep") -> Iterator[dict | None]:
    """Hold ``folder``'s lock for the duration of the block; yields the previous owner's
    details when a stale lock (its owner gone) was taken over, else None. Raises
    :class:`FolderLocked` when a live process holds it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover - Windows
        yield None
        return
    path = folder / LOCK_NAME
    fd, stale = _acquire(path, what)
    NOT_FOR_WORKERS.add(fd)  # forked workers inherit it, and the lock would outlive this process
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": host_name(), "started": time.time(),
                                  "what": what}).encode("utf-8") + b"\n", 0)
        yield stale
    finally:
        try:
            path.unlink(missing_ok=True)  # while still locked, so no one locks a file about to vanish
        finally:
            NOT_FOR_WORKERS.discard(fd)
            os.close(fd)


def _acquire(path: Path, what: str) -> tuple[int, dict | None]:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, file_mode())
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _owner(fd)
            os.close(fd)
            raise FolderLocked(f"{path.parent}: another {what} is running there ({_describe(owner)}); wait for it "
                               f"to finish, or use another folder") from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd, _owner(fd)
        os.close(fd)  # the file was removed and replaced after we opened it: lock the new one


def _owner(fd: int) -> dict | None:
    """What a lock file says about its owner (None for an empty or unreadable one)."""
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "null")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _describe(owner: dict | None) -> str:
    if not owner:
        return "its owner is starting"
    started = owner.get("started")
    since = time.strftime(" since %Y-%m-%d %H:%M:%S", time.localtime(started)) if isinstance(started, float) else ""
    return f"process {owner.get('pid')} on {owner.get('host')}{since}"
