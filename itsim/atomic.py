"""Atomic file writes: a reader sees the old file or the complete new one, never half.

Each file is written to a temporary file in the same folder, flushed to disk
(``fsync``), given the permissions the user's umask gives any new file, and moved
into place with :func:`os.replace`; the folder is then flushed so the rename itself
survives a power cut. Temporary files are named after their owner
(``.NAME.HOST.PID.RANDOM.tmp``), so a cleanup removes only those whose owner is gone
(:func:`remove_orphaned_temporaries`), never another live process's.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

_TEMPORARY = re.compile(r"^\..+\.tmp$")
_OWNED = re.compile(r"^\..+\.(?P<host>[A-Za-z0-9-]{1,32})\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


def host_name() -> str:
    """This machine's name as it appears in temporary file names and locks."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:32] or "localhost"


def file_mode() -> int:
    """The permissions of a new file under the current umask (``mkstemp`` gives 0600)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)  # no other way to read it: set and restore at once
    os.umask(umask)
    return 0o666 & ~umask


def is_temporary(name: str) -> bool:
    """Whether a file name is one of the temporary files atomic writes use."""
    return bool(_TEMPORARY.match(name))


def atomic_write(path: Path, write: Callable[[str], None]) -> None:
    """Have ``write(temporary_path)`` produce the file, then move it into place atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{host_name()}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    atomic_write(path, write)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # folders cannot be opened on some platforms; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_orphaned_temporaries(folder: Path) -> list[Path]:
    """Remove temporary files in ``folder`` left by writers that are gone (killed while
    writing); keep those of live processes and of other machines. Returns those removed."""
    removed = []
    here = host_name()
    try:
        names = [p for p in Path(folder).iterdir() if is_temporary(p.name)]
    except FileNotFoundError:
        return removed
    for path in names:
        owner = _OWNED.match(path.name)
        if owner is not None and (owner["host"] != here or _alive(int(owner["pid"]))):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    except OSError:
        return False
    return True
