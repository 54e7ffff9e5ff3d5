"""Errors as responses: every failure becomes one JSON shape (:class:`ErrorBody`) with a stable
``code``, the HTTP status that fits, and the message the command line would print."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from starlette.responses import JSONResponse

from chronomem.errors import (
    ChronomemError,
    ConfigurationError,
    ExtractionError,
    InputError,
    LimitError,
    MemoryLockedError,
    NotFoundError,
    StoreUnavailableError,
)
from chronomem.http_api import ErrorBody, ErrorDetail

__all__ = ["ApiError", "describe_request_errors", "error_response", "from_exception"]

log = logging.getLogger("chronomem.server")

# (exception class, status, code), most specific first: the first match wins.
_STATUS: Final[Sequence[tuple[type[ChronomemError], int, str]]] = (
    (LimitError, 400, "limit_exceeded"),
    (InputError, 400, "bad_input"),
    (NotFoundError, 404, "not_found"),
    (MemoryLockedError, 409, "memory_locked"),
    (ConfigurationError, 409, "conflict"),
    (StoreUnavailableError, 503, "store_unavailable"),
    (ExtractionError, 500, "extraction_failed"),
    (ChronomemError, 500, "store_error"),
)


class ApiError(Exception):
    """A failure the server decides on itself (no key, wrong group, too large, too many)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        where: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.detail = ErrorDetail(status=status, code=code, message=message, where=where)
        self.headers = headers or {}


def from_exception(error: Exception) -> ApiError:
    """The response an exception becomes; an unexpected one is logged and told as little."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, ChronomemError):
        for kind, status, code in _STATUS:
            if isinstance(error, kind):
                return ApiError(status, code, str(error))
    log.exception("unexpected error", exc_info=error)
    return ApiError(500, "internal", "internal error; the server log has the details")


def error_response(error: ApiError) -> JSONResponse:
    body = ErrorBody(error=error.detail)
    return JSONResponse(
        body.model_dump(mode="json"), status_code=error.detail.status, headers=error.headers
    )


def describe_request_errors(errors: Sequence[Any]) -> ApiError:
    """A 400 from a request that does not fit its model: the first problem, where it is, and
    how many more there are."""
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(part) for part in first.get("loc", ()))
    message = str(first.get("msg", "invalid value"))
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    text = f"{where}: {message}{more}" if where else f"{message}{more}"
    return ApiError(400, "bad_input", f"invalid request: {text}", where=where or None)
