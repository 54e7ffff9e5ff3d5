"""JSON text read strictly, with every failure as a message that says where and how to fix it.

``json.loads`` accepts an object that repeats a key (the last value silently wins), and fails
with a bare ``ValueError`` on an integer longer than Python's conversion limit (4,300 digits)
and with ``RecursionError`` on deeply nested arrays. Every JSON source chronomem reads goes
through :func:`parse_json` (one document, e.g. one JSONL line) or :func:`load_json` (a whole
file), which refuse all three with :class:`SourceFormatError` (:class:`InvalidJsonError` when the
caller adds the file and line).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from json.decoder import JSONObject  # type: ignore[attr-defined]
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from typing import Any

from chronomem.errors import SourceFormatError

__all__ = ["InvalidJsonError", "load_json", "parse_json"]


class InvalidJsonError(SourceFormatError):
    """JSON text that chronomem refuses: ``reason`` says why, ``line`` where (1-based, within
    the text parsed; ``None`` when unknown). Callers that know the file add its name."""

    def __init__(self, reason: str, line: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def parse_json(text: str) -> object:
    """The value of the JSON document ``text``; :class:`InvalidJsonError` if it is not valid JSON,
    repeats a key within one object, holds an integer longer than Python converts
    (``sys.get_int_max_str_digits()``, 4,300 digits by default) or nests deeper than the
    parser's recursion limit."""
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise InvalidJsonError(
            f"invalid JSON ({exc.msg} at column {exc.colno})", exc.lineno
        ) from None
    except _DuplicateKeyError as exc:
        raise InvalidJsonError(
            f"key {exc.key!r} appears twice in one object; keep one of them "
            "(JSON readers disagree on which one wins)",
            _duplicate_line(text, exc.key),
        ) from None
    except RecursionError:
        raise InvalidJsonError(
            "JSON nested too deeply for the parser (arrays or objects inside each other "
            "hundreds of levels deep); flatten the data",
            None,
        ) from None
    except ValueError:  # an integer beyond the int-to-string conversion limit
        limit = sys.get_int_max_str_digits()
        match = re.search(rf"\d{{{limit + 1},}}", text)
        line = text.count("\n", 0, match.start()) + 1 if match else None
        raise InvalidJsonError(
            f"a number has more than {limit} digits; write it as a string", line
        ) from None


def load_json(text: str, path: str) -> object:
    """The value of the JSON file ``path`` holding ``text``; :class:`SourceFormatError`
    (with the file and, where known, the line) for whatever :func:`parse_json` refuses."""
    try:
        return parse_json(text)
    except InvalidJsonError as exc:
        raise SourceFormatError(exc.reason, path=path, line=exc.line) from None


def _duplicate_line(text: str, key: str) -> int | None:
    """The line of the second ``key`` in the object that repeats it (parsed again with the
    pure-Python scanner, which tells where each object starts and ends)."""
    found: list[int] = []

    def parse_object(
        s_and_end: tuple[str, int],
        strict: bool,
        scan_once: Callable[..., Any],
        object_hook: Any,
        object_pairs_hook: Any,
        memo: Any = None,
    ) -> tuple[object, int]:
        start = s_and_end[1]
        pairs, end = JSONObject(s_and_end, strict, scan_once, object_hook, list, memo)
        keys = [k for k, _ in pairs]
        if not found and keys.count(key) > 1:
            found.append(_second_key_offset(text, key, start, end))
        return pairs, end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        decoder.decode(text)
    except (ValueError, RecursionError):
        return None
    return text.count("\n", 0, found[0]) + 1 if found else None


def _second_key_offset(text: str, key: str, start: int, end: int) -> int:
    for encoded in {json.dumps(key), json.dumps(key, ensure_ascii=False)}:
        hits = [m.start() for m in re.finditer(re.escape(encoded) + r"\s*:", text[start:end])]
        if len(hits) > 1:
            return start + hits[1]
    return start
