"""The write lock of an embedded memory: an exclusive ``flock`` on ``memory.lock``."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from chronomem.errors import MemoryLockedError, StoreError

__all__ = ["MemoryLock"]


class MemoryLock:
    """An exclusive, non-blocking lock on a file, held until :meth:`release`.

    The lock belongs to the open file description, so a second ``MemoryLock`` on the same file
    fails even inside the same process. The holder's pid is written into the file for the
    error message of whoever comes next. The OS drops the lock when the process dies.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the lock file: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"process {holder}" if holder else "another process"
            raise MemoryLockedError(
                f"{path.parent}: this memory is open in {who}; close it there first, or open "
                "it with read_only=True to read alongside"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"{path}: cannot lock: {exc.strerror}") from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd: int | None = fd

    def release(self) -> None:
        """Drop the lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.ftruncate(fd, 0)
            finally:
                os.close(fd)  # closing the descriptor releases the flock


def _read_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""
