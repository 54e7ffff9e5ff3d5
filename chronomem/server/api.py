"""The HTTP API: a FastAPI app over one :class:`~chronomem.memory.Memory`, with the MCP
server's streamable HTTP transport mounted at ``/mcp`` in the same app.

Every route mirrors a method of ``Memory`` (same names, same parameters), its bodies and
results being the models of :mod:`chronomem.http_api`; every call goes through the
:class:`~chronomem.server.gate.Gate` (the key's groups, then a worker thread). Lists that grow
(facts, history, neighbours, groups) come in pages of at most
:data:`~chronomem.http_api.MAX_PAGE` items.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Final

import anyio.to_thread
from fastapi import FastAPI, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPBearer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chronomem import __version__
from chronomem.errors import ChronomemError
from chronomem.http_api import (
    DEFAULT_PAGE,
    MAX_PAGE,
    PATHS,
    AddFactBody,
    ContextBlock,
    ContextBody,
    DialogueBody,
    ErasureCounts,
    ErrorBody,
    ForgetEntityBody,
    ForgetEpisodeBody,
    ForgetGroupBody,
    Health,
    IngestCounts,
    InvalidateFactBody,
    Page,
    PathsResult,
    RecordsBody,
    RetractFactBody,
    SearchResults,
)
from chronomem.memory import Memory
from chronomem.query import SearchRequest
from chronomem.query.multihop import DEFAULT_HOP_LIMIT
from chronomem.schema import DEFAULT_GROUP, Entity, Profile, SearchResult, Stats
from chronomem.server.gate import Gate
from chronomem.server.keys import KeyRing
from chronomem.server.mcp_tools import build_mcp, http_principal
from chronomem.server.middleware import (
    Authenticate,
    BodyLimit,
    RateLimiter,
    RequestLog,
    principal_of,
)
from chronomem.server.problems import (
    ApiError,
    describe_request_errors,
    error_response,
    from_exception,
)

__all__ = ["ServerSettings", "create_app"]

log = logging.getLogger("chronomem.server")

_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    status: {"model": ErrorBody, "description": what}
    for status, what in (
        (400, "bad input: the message says what and where"),
        (401, "no API key, or an unknown or revoked one"),
        (403, "the key may not use this group"),
        (404, "no such entity, episode or current fact"),
        (409, "the memory refuses the request as it stands (another embedder, locked)"),
        (413, "the body is larger than the server's limit"),
        (429, "the key's rate limit was hit; see Retry-After"),
        (503, "the store cannot be reached"),
        (504, "a read took longer than the server's --read-timeout"),
    )
}

GroupQuery = Annotated[str, Query(description="the tenant (group id)")]
TimeQuery = Annotated[str | None, Query(description="ISO-8601 with a zone")]
PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="the page size")]
Offset = Annotated[int, Query(ge=0, description="where the page starts")]


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """How a server guards itself: body size, rate limit (requests a second per key; ``None``
    for none), worker threads for reads and for writes, the longest a read may take (``None``:
    no limit), and the host it binds (the MCP
    transport refuses requests naming another host, against DNS rebinding)."""

    max_body_bytes: int = 16 * 1024 * 1024
    rate_limit: float | None = 50.0
    burst: int | None = None
    read_threads: int = 16
    write_threads: int = 2
    read_timeout: float | None = 30.0
    host: str = "127.0.0.1"
    port: int | None = None


def _mcp_security(settings: ServerSettings) -> TransportSecuritySettings:
    port = "*" if settings.port is None else str(settings.port)
    hosts = {settings.host, "127.0.0.1", "localhost"}
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=settings.host not in ("0.0.0.0", "::"),
        allowed_hosts=[f"{h}:{port}" for h in sorted(hosts)] + sorted(hosts),
        allowed_origins=[f"http://{h}:{port}" for h in sorted(hosts)],
    )


def create_app(
    memory: Memory,
    *,
    keys: KeyRing | None,
    settings: ServerSettings | None = None,
    close_memory: bool = False,
    gate: Gate | None = None,
) -> FastAPI:
    """The app serving ``memory``. ``keys=None`` serves without authentication (every
    request may use every group: only for a server on localhost). ``close_memory``: close
    the memory when the app shuts down (after the requests in flight have finished).
    ``gate``: share one with another transport (stdio MCP) of the same process."""
    settings = settings or ServerSettings()
    if gate is None:
        gate = Gate(
            memory,
            read_threads=settings.read_threads,
            write_threads=settings.write_threads,
            read_timeout=settings.read_timeout,
        )
    mcp = build_mcp(gate, http_principal)
    mcp_app = mcp.streamable_http_app(
        streamable_http_path=PATHS.mcp,
        stateless_http=True,
        json_response=True,
        transport_security=_mcp_security(settings),
        max_request_body_size=settings.max_body_bytes,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with mcp.session_manager.run():
            yield
        if close_memory:
            await anyio.to_thread.run_sync(memory.close)

    app = FastAPI(
        title="chronomem",
        version=__version__,
        summary="A temporal knowledge-graph memory for LLM agents, over HTTP and MCP.",
        lifespan=lifespan,
        responses=_ERRORS,
        dependencies=[Security(HTTPBearer(auto_error=False, description="an API key"))],
    )
    for route in mcp_app.routes:
        if isinstance(route, Route) and route.path == PATHS.mcp:
            app.router.routes.append(Route(PATHS.mcp, endpoint=route.endpoint))
    _install_error_handlers(app)
    _install_routes(app, gate)
    limiter = RateLimiter(settings.rate_limit, settings.burst) if settings.rate_limit else None
    # add_middleware wraps: the last added is outermost
    app.add_middleware(Authenticate, keys=keys, limiter=limiter)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestLog)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    async def api_error(_: Request, error: Exception) -> Response:
        return error_response(from_exception(error))

    async def invalid_request(_: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return error_response(describe_request_errors(error.errors()))

    async def http_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        code = {404: "no_route", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return error_response(ApiError(error.status_code, code, str(error.detail)))

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(ChronomemError, api_error)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(Exception, api_error)


def _install_routes(app: FastAPI, gate: Gate) -> None:
    memory = gate.memory

    @app.get(PATHS.healthz, tags=["operations"])
    async def healthz() -> Health:
        """The process answers."""
        return Health(status="ok")

    @app.get(PATHS.readyz, tags=["operations"], responses={503: {"model": ErrorBody}})
    async def readyz() -> Response:
        """The store answers (a read of one setting)."""
        try:
            await anyio.to_thread.run_sync(memory.store.get_meta, "readyz")
        except Exception as error:  # whatever the failure, the store is not ready
            told = str(error) if isinstance(error, ChronomemError) else repr(error)
            return error_response(ApiError(503, "store_unavailable", told))
        return JSONResponse(Health(status="ok").model_dump())

    @app.post(PATHS.dialogue, tags=["write"])
    async def add_dialogue(body: DialogueBody, request: Request) -> IngestCounts:
        """Add chat turns (:meth:`Memory.add_dialogue`) in one transaction (at most the
        memory's ``batch_size`` turns, 256 by default); re-adding the same turns adds
        nothing."""
        report = await gate.add_dialogue(
            principal_of(request.scope), body.turns, body.group_id, body.source, body.on_change
        )
        return IngestCounts.of(report)

    @app.post(PATHS.records, tags=["write"])
    async def add_records(body: RecordsBody, request: Request) -> IngestCounts:
        """Add business records described by a mapping (:meth:`Memory.add_records`)."""
        report = await gate.write(
            principal_of(request.scope),
            body.group_id,
            memory.add_records,
            body.rows,
            mapping=body.mapping,
            group_id=body.group_id,
        )
        return IngestCounts.of(report)

    @app.post(PATHS.add_fact, tags=["write"])
    async def add_fact(body: AddFactBody, request: Request) -> IngestCounts:
        """Assert that ``subject -relation-> object`` holds from ``valid_at`` (default: now)
        (:meth:`Memory.add_fact`); the same statement again adds nothing."""
        report = await gate.write(
            principal_of(request.scope),
            body.group_id,
            memory.add_fact,
            body.subject,
            body.relation,
            body.object,
            valid_at=body.valid_at,
            group_id=body.group_id,
            source=body.source,
            text=body.text,
            subject_label=body.subject_label,
            object_label=body.object_label,
        )
        return IngestCounts.of(report)

    @app.post(PATHS.invalidate_fact, tags=["write"])
    async def invalidate_fact(body: InvalidateFactBody, request: Request) -> IngestCounts:
        """Say that ``subject -relation-> object`` stopped holding at ``invalid_at`` (default:
        now); it stays in the history (:meth:`Memory.invalidate_fact`)."""
        report = await gate.write(
            principal_of(request.scope),
            body.group_id,
            memory.invalidate_fact,
            body.subject,
            body.relation,
            body.object,
            invalid_at=body.invalid_at,
            group_id=body.group_id,
            source=body.source,
            text=body.text,
        )
        return IngestCounts.of(report)

    @app.post(PATHS.retract_fact, tags=["write"])
    async def retract_fact(body: RetractFactBody, request: Request) -> IngestCounts:
        """Say that ``subject -relation-> object`` was never true: its rows are expired in
        transaction time (:meth:`Memory.retract_fact`); 404 when no current fact matches."""
        report = await gate.write(
            principal_of(request.scope),
            body.group_id,
            memory.retract_fact,
            body.subject,
            body.relation,
            body.object,
            group_id=body.group_id,
            source=body.source,
            text=body.text,
        )
        return IngestCounts.of(report)

    @app.post(PATHS.forget_episode, tags=["erase"])
    async def forget_episode(body: ForgetEpisodeBody, request: Request) -> ErasureCounts:
        """Erase one episode (by uuid or its id in its source) with its revisions and what
        only it supported (:meth:`Memory.forget_episode`). The receipt holds counts, no
        content."""
        receipt = await gate.write(
            principal_of(request.scope),
            body.group_id,
            memory.forget_episode,
            body.episode,
            group_id=body.group_id,
            source=body.source,
        )
        return ErasureCounts.of(receipt)

    @app.post(PATHS.forget_entity, tags=["erase"])
    async def forget_entity(body: ForgetEntityBody, request: Request) -> ErasureCounts:
        """Erase an entity, every fact it is in and every episode about it
        (:meth:`Memory.forget_entity`). The receipt holds counts, no content."""
        receipt = await gate.write(
            principal_of(request.scope),
            body.group_id,
            memory.forget_entity,
            body.name,
            group_id=body.group_id,
        )
        return ErasureCounts.of(receipt)

    @app.post(PATHS.forget_group, tags=["erase"])
    async def forget_group(body: ForgetGroupBody, request: Request) -> ErasureCounts:
        """Erase a whole group (tenant) and its settings (:meth:`Memory.forget_group`);
        other groups are untouched."""
        receipt = await gate.write(
            principal_of(request.scope), body.group_id, memory.forget_group, body.group_id
        )
        return ErasureCounts.of(receipt)

    @app.post(PATHS.search, tags=["read"])
    async def search(body: SearchRequest, request: Request) -> SearchResults:
        """Hybrid search with every filter of :meth:`Memory.search`, best first."""
        results = await gate.read(
            principal_of(request.scope),
            body.group_id,
            memory.search,
            body.query,
            group_id=body.group_id,
            as_of=body.as_of,
            known_at=body.known_at,
            limit=body.limit,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            labels=body.labels,
            relations=body.relations,
            centre=body.centre,
            kinds=body.kinds,
            recipe=body.recipe,
            speaker=body.speaker,
        )
        return SearchResults(results=results)

    @app.post(PATHS.context, tags=["read"])
    async def context(body: ContextBody, request: Request) -> ContextBlock:
        """An agent-ready context block within a token budget (:meth:`Memory.context`)."""
        block = await gate.read(
            principal_of(request.scope),
            body.group_id,
            memory.context,
            body.query,
            max_tokens=body.max_tokens,
            group_id=body.group_id,
            as_of=body.as_of,
            limit=body.limit,
            speaker=body.speaker,
        )
        return ContextBlock(context=block)

    @app.get(PATHS.facts, tags=["read"])
    async def facts(
        request: Request,
        group_id: GroupQuery = DEFAULT_GROUP,
        subject: str | None = None,
        relation: str | None = None,
        as_of: TimeQuery = None,
        known_at: TimeQuery = None,
        include_ended: bool = False,
        limit: PageLimit = DEFAULT_PAGE,
        offset: Offset = 0,
    ) -> Page[SearchResult]:
        """Facts (of ``subject``, of ``relation``) that hold now, or ``as_of``; by valid
        time (:meth:`Memory.facts`)."""
        rows = await gate.read(
            principal_of(request.scope),
            group_id,
            memory.facts,
            subject=subject,
            relation=relation,
            group_id=group_id,
            as_of=as_of,
            known_at=known_at,
            include_ended=include_ended,
        )
        return Page[SearchResult].of(rows, offset, limit)

    @app.get(PATHS.history, tags=["read"])
    async def history(
        request: Request,
        entity: str,
        group_id: GroupQuery = DEFAULT_GROUP,
        relation: str | None = None,
        known_at: TimeQuery = None,
        limit: PageLimit = DEFAULT_PAGE,
        offset: Offset = 0,
    ) -> Page[SearchResult]:
        """The timeline of ``entity`` (:meth:`Memory.history`)."""
        rows = await gate.read(
            principal_of(request.scope),
            group_id,
            memory.history,
            entity,
            relation=relation,
            group_id=group_id,
            known_at=known_at,
        )
        return Page[SearchResult].of(rows, offset, limit)

    @app.get(PATHS.entity, tags=["read"])
    async def entity(request: Request, name: str, group_id: GroupQuery = DEFAULT_GROUP) -> Entity:
        """The entity called ``name`` (or with that alias) (:meth:`Memory.entity`)."""
        found = await gate.read(
            principal_of(request.scope), group_id, memory.entity, name, group_id=group_id
        )
        return found.model_copy(update={"name_embedding": None})

    @app.get(PATHS.profile, tags=["read"])
    async def profile(
        request: Request,
        entity: str,
        group_id: GroupQuery = DEFAULT_GROUP,
        as_of: TimeQuery = None,
        known_at: TimeQuery = None,
    ) -> Profile:
        """The value of each one-value relation of ``entity`` now (or ``as_of``, as known
        ``known_at``), with the date it became true (:meth:`Memory.profile`)."""
        return await gate.read(
            principal_of(request.scope),
            group_id,
            memory.profile,
            entity,
            group_id=group_id,
            as_of=as_of,
            known_at=known_at,
        )

    @app.get(PATHS.neighbors, tags=["read"])
    async def neighbors(
        request: Request,
        entity: str,
        group_id: GroupQuery = DEFAULT_GROUP,
        depth: Annotated[int, Query(ge=1, le=4)] = 1,
        as_of: TimeQuery = None,
        max_facts_per_hop: Annotated[int, Query(ge=1)] = DEFAULT_HOP_LIMIT,
        limit: PageLimit = DEFAULT_PAGE,
        offset: Offset = 0,
    ) -> Page[SearchResult]:
        """Facts within ``depth`` hops of ``entity`` (:meth:`Memory.neighbors`)."""
        rows = await gate.read(
            principal_of(request.scope),
            group_id,
            memory.neighbors,
            entity,
            depth=depth,
            group_id=group_id,
            as_of=as_of,
            max_facts_per_hop=max_facts_per_hop,
        )
        return Page[SearchResult].of(rows, offset, limit)

    @app.get(PATHS.paths, tags=["read"])
    async def paths(
        request: Request,
        source: str,
        target: str,
        group_id: GroupQuery = DEFAULT_GROUP,
        max_hops: Annotated[int, Query(ge=1, le=6)] = 3,
        as_of: TimeQuery = None,
        max_facts_per_hop: Annotated[int, Query(ge=1)] = DEFAULT_HOP_LIMIT,
    ) -> PathsResult:
        """Paths of facts linking ``source`` and ``target`` (:meth:`Memory.paths`)."""
        found = await gate.read(
            principal_of(request.scope),
            group_id,
            memory.paths,
            source,
            target,
            max_hops=max_hops,
            group_id=group_id,
            as_of=as_of,
            max_facts_per_hop=max_facts_per_hop,
        )
        return PathsResult(paths=found)

    @app.get(PATHS.stats, tags=["read"])
    async def stats(request: Request, group_id: str | None = None) -> Stats:
        """Counts of one group (or, for an admin key without ``group_id``, of the whole
        memory) (:meth:`Memory.stats`)."""
        return await gate.read(principal_of(request.scope), group_id, memory.stats, group_id)

    @app.get(PATHS.groups, tags=["read"])
    async def groups(
        request: Request, limit: PageLimit = DEFAULT_PAGE, offset: Offset = 0
    ) -> Page[str]:
        """The groups that hold anything and that this key may use, sorted."""
        principal = principal_of(request.scope)
        stored = await anyio.to_thread.run_sync(memory.store.groups)
        return Page[str].of(gate.visible_groups(principal, stored), offset, limit)
