"""What every request passes before a route sees it, outermost first: a structured log line,
the body size limit (413), the key check (401) and the per-key rate limit (429).

Pure ASGI middleware, so the MCP endpoint mounted in the same app is guarded exactly like the
HTTP routes. The principal a key stands for is put in ``scope["state"]["principal"]``.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chronomem.server.keys import LOCAL_ADMIN, KeyRing, Principal
from chronomem.server.problems import ApiError, error_response

__all__ = ["Authenticate", "BodyLimit", "RateLimiter", "RequestLog", "principal_of"]

log = logging.getLogger("chronomem.server.requests")

OPEN_PATHS: Final = frozenset({"/healthz", "/readyz", "/openapi.json", "/docs", "/redoc"})
"""Paths answered without a key: liveness, readiness and the API's own description."""


def principal_of(scope: Scope) -> Principal:
    """The principal the authentication middleware found for this request."""
    principal = scope.get("state", {}).get("principal")
    if not isinstance(principal, Principal):  # a route reached without the middleware
        raise ApiError(401, "unauthenticated", "no API key checked for this request")
    return principal


class RequestLog:
    """One JSON line per request on the ``chronomem.server.requests`` logger: method, path,
    status, milliseconds and the key id (never the key)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            principal = scope.get("state", {}).get("principal")
            line = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "key": principal.key_id if isinstance(principal, Principal) else None,
            }
            log.info(json.dumps(line))


class BodyLimit:
    """Refuse a body larger than ``max_bytes`` with 413, whether it declares its length or
    streams in chunks. The body is read here (it is read whole by every route anyway) and
    handed on only once it is known to fit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refusal(self) -> ApiError:
        return ApiError(
            413,
            "too_large",
            f"the request body is larger than the server's limit of {self.max_bytes} bytes; "
            "send fewer turns or rows per request (or start the server with a larger "
            "--max-body-bytes)",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await error_response(self._refusal())(scope, receive, send)
                return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await error_response(self._refusal())(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per key: ``rate`` requests a second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: int | None = None) -> None:
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, math.ceil(rate * 2)))
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def wait_needed(self, who: str) -> float:
        """0 if ``who`` may make a request now (and count it), else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(who, _Bucket(self.burst, now))
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate


class Authenticate:
    """Find the principal of a request's ``Authorization: Bearer`` key (401 without a live
    one), then apply its rate limit (429). With ``keys=None`` (``--no-auth``) every request
    acts as the local admin."""

    def __init__(self, app: ASGIApp, keys: KeyRing | None, limiter: RateLimiter | None) -> None:
        self.app = app
        self.keys = keys
        self.limiter = limiter

    def _principal(self, scope: Scope) -> Principal:
        if self.keys is None:
            return LOCAL_ADMIN
        header = ""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                header = value.decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "unauthenticated",
                "this server needs an API key: send 'Authorization: Bearer <key>' (create one "
                "with `chronomem keys create`)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        principal = self.keys.authenticate(token.strip())
        if principal is None:
            raise ApiError(
                401,
                "unauthenticated",
                "unknown or revoked API key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            principal = self._principal(scope)
            if self.limiter is not None:
                wait = self.limiter.wait_needed(principal.key_id)
                if wait > 0:
                    raise ApiError(
                        429,
                        "rate_limited",
                        f"key {principal.key_id!r} sent more than {self.limiter.rate:g} "
                        f"requests a second; retry in {wait:.2f} s",
                        headers={"Retry-After": str(max(1, math.ceil(wait)))},
                    )
        except ApiError as error:
            await error_response(error)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
