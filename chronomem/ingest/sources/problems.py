"""Collecting the problems of a source file, so one error can report all of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from chronomem.errors import SourceFormatError

__all__ = ["Problems", "describe_validation_error", "read_source_text"]

_SHOWN = 10


@dataclass(slots=True)
class Problems:
    """Problems found while validating one source; :meth:`raise_if_any` reports them.

    The first problem gives the error its ``path`` and ``line``; up to ten more are listed in
    the message, so a user can fix a file in one pass.
    """

    path: str
    found: list[tuple[int | None, str]] = field(default_factory=list)

    def add(self, line: int | None, message: str) -> None:
        """Record a problem at ``line`` (``None`` when the source has no lines)."""
        self.found.append((line, message))

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        """Raise :class:`SourceFormatError` if any problem was recorded."""
        if not self.found:
            return
        line, message = self.found[0]
        rest = self.found[1 : 1 + _SHOWN]
        if rest:
            listed = "".join(f"\n  {self._where(at)}{text}" for at, text in rest)
            more = len(self.found) - 1 - len(rest)
            tail = f"\n  ... and {more} more" if more else ""
            message = f"{message}\n{len(self.found) - 1} more problem(s):{listed}{tail}"
        raise SourceFormatError(message, path=self.path, line=line)

    def _where(self, line: int | None) -> str:
        return f"{self.path}:{line}: " if line is not None else f"{self.path}: "


def read_source_text(path: Path) -> str:
    """The text of a UTF-8 source file (a byte-order mark is dropped)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceFormatError("no such file; check the path", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", path=str(path)
        ) from None


def describe_validation_error(exc: ValidationError) -> str:
    """A pydantic validation error as one readable line: ``field: problem; ...``."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)
