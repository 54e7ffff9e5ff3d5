"""The exception tree of chronomem.

Every error raised on purpose by chronomem derives from :class:`ChronomemError`, so callers
can catch one type. Errors from underlying libraries (sqlite3, the neo4j driver, onnxruntime,
spaCy) are mapped to these at the boundary where they occur.

    ChronomemError
    +-- ConfigurationError      a setting, model package or backend is missing or wrong
    +-- InputError              bad input from a user: it says what was wrong and how to fix it
    |   +-- TimeError           naive datetimes, unparseable time strings
    |   +-- SourceFormatError   malformed JSON/JSONL/CSV, unknown formats (file and line)
    |   +-- MappingError        a records mapping that does not fit its data
    |   +-- LimitError          a value or a request beyond a documented size limit
    +-- StoreError              the storage backend failed
    |   +-- StoreUnavailableError   the backend cannot be reached
    |   +-- MemoryLockedError       another process holds the embedded memory
    |   +-- IntegrityError          stored data violates an invariant
    +-- NotFoundError           an entity, fact or episode that does not exist
    +-- ExtractionError         an extractor (offline or LLM) failed
"""

from __future__ import annotations

__all__ = [
    "ChronomemError",
    "ConfigurationError",
    "ExtractionError",
    "InputError",
    "IntegrityError",
    "LimitError",
    "MappingError",
    "MemoryLockedError",
    "NotFoundError",
    "SourceFormatError",
    "StoreError",
    "StoreUnavailableError",
    "TimeError",
]


class ChronomemError(Exception):
    """Base class of every error chronomem raises on purpose."""


class ConfigurationError(ChronomemError):
    """A setting, a model package or a backend is missing or misconfigured."""


class InputError(ChronomemError, ValueError):
    """Input that chronomem cannot accept; the message says what was wrong and how to fix it."""


class TimeError(InputError):
    """A naive datetime or a time string that cannot be parsed."""


class SourceFormatError(InputError):
    """A source file is malformed or in an unknown format."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class MappingError(InputError):
    """A records mapping that references missing columns or is otherwise invalid."""


class LimitError(InputError):
    """A value or a request beyond a documented size limit (the message names the limit and
    how to stay within it or raise it)."""


class StoreError(ChronomemError):
    """The storage backend failed."""


class StoreUnavailableError(StoreError):
    """The storage backend cannot be reached."""


class MemoryLockedError(StoreError):
    """Another process holds the write lock of an embedded memory."""


class IntegrityError(StoreError):
    """Stored data would violate an invariant."""


class NotFoundError(ChronomemError, LookupError):
    """An entity, fact or episode that does not exist."""


class ExtractionError(ChronomemError):
    """An extractor failed."""
