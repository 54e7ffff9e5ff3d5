"""SQLite connections of the embedded store, a pool of reader connections, and error mapping."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from chronomem.errors import IntegrityError, StoreError

__all__ = ["ReaderPool", "connect", "mapped_errors"]

_BUSY_TIMEOUT_S: Final = 10.0
_MAX_IDLE_READERS: Final = 4
_CACHE_KIB: Final = 32 * 1024  # page cache per connection
# Checkpoint the WAL every 32 MiB rather than 4 MiB: a 1000-fact batch writes ~3 MiB, and each
# checkpoint syncs the database file. The WAL file is truncated back to 64 MiB afterwards.
_WAL_CHECKPOINT_PAGES: Final = 8192
_WAL_SIZE_LIMIT: Final = 64 * 1024 * 1024


def connect(db_path: Path, *, read_only: bool, writer: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), usable from any thread.

    The writer connection turns on WAL, ``synchronous=NORMAL`` and a larger checkpoint
    interval; reader connections are ``query_only``. ``read_only`` opens the file with
    ``mode=ro`` (it must exist).
    """
    if read_only:
        target = f"{db_path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(
            target,
            uri=True,
            timeout=_BUSY_TIMEOUT_S,
            isolation_level=None,
            check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(
            db_path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = -{int(_CACHE_KIB)}")
        if writer and not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA wal_autocheckpoint = {int(_WAL_CHECKPOINT_PAGES)}")
            conn.execute(f"PRAGMA journal_size_limit = {int(_WAL_SIZE_LIMIT)}")
        else:
            conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails on a non-database
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def mapped_errors(path: Path, action: str) -> Iterator[None]:
    """Re-raise sqlite3 errors as chronomem errors that name the memory and the action."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(f"{path}: {action}: {exc}") from exc
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise StoreError(
                f"{path}: {action}: the database stayed busy for {_BUSY_TIMEOUT_S:.0f} s ({text})"
            ) from exc
        if "readonly" in text or "read-only" in text:
            raise StoreError(f"{path}: {action}: the memory is read-only ({text})") from exc
        raise StoreError(f"{path}: {action}: {text}") from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path}: {action}: not a chronomem memory or a damaged file ({exc}); "
            "restore it from a backup or point to another directory"
        ) from exc
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: {action}: {exc}") from exc


class ReaderPool:
    """Reader connections handed out one thread at a time; WAL lets them read during a write."""

    def __init__(self, factory: Callable[[], sqlite3.Connection]) -> None:
        self._factory = factory
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A reader connection for the duration of the ``with`` block."""
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed; open it again to read")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._factory()
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.rollback()
            with self._lock:
                keep = not self._closed and len(self._idle) < _MAX_IDLE_READERS
                if keep:
                    self._idle.append(conn)
            if not keep:
                conn.close()

    def close(self) -> None:
        """Close the idle connections; busy ones are closed when handed back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
