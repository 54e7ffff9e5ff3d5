"""``Client`` and ``AsyncClient``: a memory served by ``chronomem serve``, with the method names
and parameters of :class:`~chronomem.memory.Memory`, so an agent switches between the embedded
memory and a remote one by changing the line that opens it:

>>> mem = Memory.open("./memory")                                   # embedded
>>> mem = Client("http://127.0.0.1:8765", api_key=key)              # remote, same calls
>>> mem.search("Where does Alice live?", group_id="g", as_of="2023-03-01T00:00:00Z")

Results come back as the same models (:class:`~chronomem.schema.SearchResult`,
:class:`~chronomem.schema.Stats`, :class:`~chronomem.schema.Entity`,
:class:`~chronomem.ingest.pipeline.IngestReport` with its counts,
:class:`~chronomem.engine.erasure.ErasureReceipt`). Lists the server pages
(facts, history, neighbours, groups) are fetched page by page until complete; a dialogue is
sent in requests of ``turns_per_request`` turns, each of which the server applies whole.
Errors are the chronomem ones: a 400 raises :class:`~chronomem.errors.InputError`, a 404
:class:`~chronomem.errors.NotFoundError`, a 409 :class:`~chronomem.errors.ConfigurationError`,
a 503 :class:`~chronomem.errors.StoreUnavailableError`, each with the server's message; any
other refusal (401, 403, 413, 429, 504) raises :class:`RemoteError` with its status and code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Final, Generic, Self, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from chronomem.config import MemoryConfig
from chronomem.engine.erasure import ErasureReceipt
from chronomem.errors import (
    ChronomemError,
    ConfigurationError,
    InputError,
    NotFoundError,
    StoreUnavailableError,
)
from chronomem.http_api import (
    MAX_PAGE,
    PATHS,
    ContextBlock,
    ErasureCounts,
    ErrorBody,
    IngestCounts,
    Page,
    PathsResult,
    SearchResults,
)
from chronomem.ingest.pipeline import IngestReport
from chronomem.ingest.sources import RecordMapping, Turn, as_turns
from chronomem.ingest.statements import DIRECT_SOURCE
from chronomem.memory import OnChange
from chronomem.query.multihop import DEFAULT_HOP_LIMIT
from chronomem.query.recipes import DEFAULT as DEFAULT_RECIPE
from chronomem.schema import DEFAULT_GROUP, Entity, Profile, ResultKind, SearchResult, Stats

__all__ = ["AsyncClient", "Client", "RemoteError"]

DEFAULT_URL = "http://127.0.0.1:8765"
TimeLike = datetime | str | None
ProgressCallback = Callable[[int], None]
_T = TypeVar("_T")
_M = TypeVar("_M", bound=BaseModel)

_RESULT_PAGE: TypeAdapter[Page[SearchResult]] = TypeAdapter(Page[SearchResult])
_GROUP_PAGE: TypeAdapter[Page[str]] = TypeAdapter(Page[str])


class RemoteError(ChronomemError):
    """The server refused a request for a reason of its own: no or a wrong key (401), a group
    the key may not use (403), a body too large (413), the rate limit (429), a read longer than
    its timeout (504)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


_BY_STATUS: dict[int, Callable[[str], ChronomemError]] = {
    400: InputError,
    404: NotFoundError,
    409: ConfigurationError,
    503: StoreUnavailableError,
}


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        detail = ErrorBody.model_validate_json(response.content).error
        status, code, message = detail.status, detail.code, detail.message
    except ValidationError:
        status, code, message = response.status_code, "http_error", response.text[:500]
    make = _BY_STATUS.get(status)
    raise make(message) if make is not None else RemoteError(status, code, message)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready values without the unset (None) ones, so the server applies its defaults."""
    return {k: to_jsonable_python(v) for k, v in values.items() if v is not None}


@dataclass(frozen=True, slots=True)
class _Call(Generic[_T]):
    """One request and how to read its answer."""

    method: str
    path: str
    parse: Callable[[bytes], _T]
    params: dict[str, Any] | None = None
    body: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class _Paged(Generic[_T]):
    """A paginated list: ``params`` plus ``offset``/``limit`` per page, up to ``total``."""

    path: str
    params: dict[str, Any]
    adapter: TypeAdapter[Page[_T]]
    total: int | None = None

    def page(self, offset: int, have: int) -> _Call[Page[_T]]:
        size = MAX_PAGE if self.total is None else min(MAX_PAGE, self.total - have)
        params = {**self.params, "offset": offset, "limit": size}
        return _Call("GET", self.path, self.adapter.validate_json, params=params)

    def done(self, page: Page[_T], have: int) -> bool:
        return page.next_offset is None or (self.total is not None and have >= self.total)


def _model(kind: type[_M]) -> Callable[[bytes], _M]:
    return kind.model_validate_json


class _Requests:
    """What each method of :class:`Memory` asks the server, for both clients."""

    @staticmethod
    def add_dialogue(
        turns: Iterable[Turn | Mapping[str, Any]],
        group_id: str,
        source: str,
        on_change: OnChange,
        per_request: int,
    ) -> list[_Call[IngestCounts]]:
        """One request per ``per_request`` turns (the server writes each in one transaction)."""
        parsed = [t.model_dump(mode="json", exclude_none=True) for t in as_turns(turns)]
        return [
            _Call(
                "POST",
                PATHS.dialogue,
                _model(IngestCounts),
                body={
                    "group_id": group_id,
                    "source": source,
                    "on_change": on_change,
                    "turns": parsed[at : at + per_request],
                },
            )
            for at in range(0, len(parsed), per_request)
        ]

    @staticmethod
    def add_records(rows: Any, mapping: RecordMapping, group_id: str) -> _Call[IngestCounts]:
        if hasattr(rows, "to_dict") and type(rows).__module__.startswith("pandas"):
            rows = rows.to_dict(orient="records")
        if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
            raise InputError(
                f"records: got {type(rows).__name__}; a remote memory takes a list of rows "
                "(mappings of column -> value) or a pandas DataFrame, not a path (read the "
                "file here and send its rows)"
            )
        body = {
            "group_id": group_id,
            "mapping": mapping.model_dump(mode="json"),
            "rows": to_jsonable_python(list(rows)),
        }
        return _Call("POST", PATHS.records, _model(IngestCounts), body=body)

    @staticmethod
    def fact(path: str, values: Mapping[str, Any]) -> _Call[IngestCounts]:
        """``add_fact``, ``invalidate_fact`` or ``retract_fact``."""
        return _Call("POST", path, _model(IngestCounts), body=_clean(values))

    @staticmethod
    def forget(path: str, values: Mapping[str, Any]) -> _Call[ErasureReceipt]:
        """``forget_episode``, ``forget_entity`` or ``forget_group``."""
        return _Call("POST", path, _receipt, body=_clean(values))


DEFAULT_TURNS_PER_REQUEST: Final = MemoryConfig.model_fields["batch_size"].default
"""Turns sent per request: the server's default ``batch_size``, what it writes in one
transaction."""


class _Base:
    def __init__(self, url: str, api_key: str | None, turns_per_request: int) -> None:
        if turns_per_request < 1:
            raise InputError(f"turns_per_request must be at least 1, not {turns_per_request}")
        self.url = url.rstrip("/")
        self.turns_per_request = turns_per_request
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}


def _total(counts: Sequence[IngestCounts]) -> IngestReport:
    report = IngestReport()
    for part in counts:
        report.merge(part.report())
    return report


class Client(_Base):
    """A remote memory (see the module's documentation). Close it, or use ``with``."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        turns_per_request: int = DEFAULT_TURNS_PER_REQUEST,
    ) -> None:
        super().__init__(url, api_key, turns_per_request)
        self._http = httpx.Client(
            base_url=self.url, headers=self._headers, timeout=timeout, transport=transport
        )

    def _run(self, call: _Call[_T]) -> _T:
        try:
            response = self._http.request(
                call.method, call.path, params=call.params, json=call.body
            )
        except httpx.TransportError as error:
            raise StoreUnavailableError(f"{self.url}: the server did not answer: {error}") from None
        _raise_for(response)
        return call.parse(response.content)

    def _all(self, paged: _Paged[_T]) -> list[_T]:
        items: list[_T] = []
        offset = 0
        while True:
            page = self._run(paged.page(offset, len(items)))
            items.extend(page.items)
            if paged.done(page, len(items)) or page.next_offset is None:
                return items
            offset = page.next_offset

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool. Idempotent."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------------

    def add_dialogue(
        self,
        turns: Iterable[Turn | Mapping[str, Any]],
        *,
        group_id: str = DEFAULT_GROUP,
        source: str = "chat",
        progress: ProgressCallback | None = None,
        on_change: OnChange = "error",
    ) -> IngestReport:
        """As :meth:`Memory.add_dialogue`: the turns go in requests of ``turns_per_request``,
        each applied whole (as the memory applies a long dialogue batch by batch);
        ``progress`` is told the turns of each request once it is answered."""
        parts = []
        for call in _Requests.add_dialogue(
            turns, group_id, source, on_change, self.turns_per_request
        ):
            parts.append(self._run(call))
            if progress is not None:
                progress(parts[-1].episodes_added + parts[-1].episodes_skipped)
        return _total(parts)

    def add_records(
        self,
        rows: Any,
        *,
        mapping: RecordMapping,
        group_id: str = DEFAULT_GROUP,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """As :meth:`Memory.add_records`, for a list of rows or a DataFrame."""
        counts = self._run(_Requests.add_records(rows, mapping, group_id))
        if progress is not None:
            progress(counts.episodes_added + counts.episodes_skipped)
        return counts.report()

    # -- direct facts and erasure ---------------------------------------------------------------

    def add_fact(
        self,
        subject: str,
        relation: str,
        object: str,
        *,
        valid_at: TimeLike = None,
        group_id: str = DEFAULT_GROUP,
        source: str = DIRECT_SOURCE,
        text: str | None = None,
        subject_label: str | None = None,
        object_label: str | None = None,
    ) -> IngestReport:
        """As :meth:`Memory.add_fact` (the counts, without the resolver's change list)."""
        values = {
            "subject": subject,
            "relation": relation,
            "object": object,
            "valid_at": valid_at,
            "group_id": group_id,
            "source": source,
            "text": text,
            "subject_label": subject_label,
            "object_label": object_label,
        }
        return (self._run(_Requests.fact(PATHS.add_fact, values))).report()

    def invalidate_fact(
        self,
        subject: str,
        relation: str,
        object: str,
        *,
        invalid_at: TimeLike = None,
        group_id: str = DEFAULT_GROUP,
        source: str = DIRECT_SOURCE,
        text: str | None = None,
    ) -> IngestReport:
        """As :meth:`Memory.invalidate_fact`."""
        values = {
            "subject": subject,
            "relation": relation,
            "object": object,
            "invalid_at": invalid_at,
            "group_id": group_id,
            "source": source,
            "text": text,
        }
        return (self._run(_Requests.fact(PATHS.invalidate_fact, values))).report()

    def retract_fact(
        self,
        subject: str,
        relation: str,
        object: str,
        *,
        group_id: str = DEFAULT_GROUP,
        source: str = DIRECT_SOURCE,
        text: str | None = None,
    ) -> IngestReport:
        """As :meth:`Memory.retract_fact`."""
        values = {
            "subject": subject,
            "relation": relation,
            "object": object,
            "group_id": group_id,
            "source": source,
            "text": text,
        }
        return (self._run(_Requests.fact(PATHS.retract_fact, values))).report()

    def forget_episode(
        self, episode: str, *, group_id: str = DEFAULT_GROUP, source: str | None = None
    ) -> ErasureReceipt:
        """As :meth:`Memory.forget_episode`."""
        values = {"episode": episode, "group_id": group_id, "source": source}
        return self._run(_Requests.forget(PATHS.forget_episode, values))

    def forget_entity(self, name: str, *, group_id: str = DEFAULT_GROUP) -> ErasureReceipt:
        """As :meth:`Memory.forget_entity`."""
        values = {"name": name, "group_id": group_id}
        return self._run(_Requests.forget(PATHS.forget_entity, values))

    def forget_group(self, group_id: str) -> ErasureReceipt:
        """As :meth:`Memory.forget_group` (a key allowed that group)."""
        return self._run(_Requests.forget(PATHS.forget_group, {"group_id": group_id}))

    # -- reading --------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        known_at: TimeLike = None,
        limit: int = 10,
        valid_from: TimeLike = None,
        valid_to: TimeLike = None,
        labels: Sequence[str] | None = None,
        relations: Sequence[str] | None = None,
        centre: str | None = None,
        kinds: Sequence[ResultKind] | None = None,
        recipe: str = DEFAULT_RECIPE.name,
        speaker: str | None = None,
    ) -> list[SearchResult]:
        """As :meth:`Memory.search`."""
        body = _clean(
            {
                "query": query,
                "group_id": group_id,
                "as_of": as_of,
                "known_at": known_at,
                "limit": limit,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "labels": labels,
                "relations": relations,
                "centre": centre,
                "kinds": kinds,
                "recipe": recipe,
                "speaker": speaker,
            }
        )
        return self._run(_Call("POST", PATHS.search, _search_results, body=body))

    def context(
        self,
        query: str,
        *,
        max_tokens: int = 1500,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        limit: int = 30,
        speaker: str | None = None,
    ) -> str:
        """As :meth:`Memory.context`."""
        body = _clean(
            {
                "query": query,
                "max_tokens": max_tokens,
                "group_id": group_id,
                "as_of": as_of,
                "limit": limit,
                "speaker": speaker,
            }
        )
        return self._run(_Call("POST", PATHS.context, _context_text, body=body))

    def facts(
        self,
        *,
        subject: str | None = None,
        relation: str | None = None,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        known_at: TimeLike = None,
        include_ended: bool = False,
        limit: int | None = None,
    ) -> list[SearchResult]:
        """As :meth:`Memory.facts` (``limit``: the first ``limit`` rows)."""
        if limit is not None and limit < 1:
            raise InputError(f"limit must be at least 1 (or None for all facts), not {limit}")
        params = _clean(
            {
                "subject": subject,
                "relation": relation,
                "group_id": group_id,
                "as_of": as_of,
                "known_at": known_at,
                "include_ended": include_ended,
            }
        )
        return self._all(_Paged(PATHS.facts, params, _RESULT_PAGE, limit))

    def history(
        self,
        entity: str,
        *,
        relation: str | None = None,
        group_id: str = DEFAULT_GROUP,
        known_at: TimeLike = None,
    ) -> list[SearchResult]:
        """As :meth:`Memory.history`."""
        params = _clean(
            {"entity": entity, "relation": relation, "group_id": group_id, "known_at": known_at}
        )
        return self._all(_Paged(PATHS.history, params, _RESULT_PAGE))

    def entity(self, name: str, *, group_id: str = DEFAULT_GROUP) -> Entity:
        """As :meth:`Memory.entity` (without the name's vector)."""
        params = {"name": name, "group_id": group_id}
        return self._run(_Call("GET", PATHS.entity, _model(Entity), params=params))

    def profile(
        self,
        entity: str,
        *,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        known_at: TimeLike = None,
    ) -> Profile:
        """As :meth:`Memory.profile`."""
        params = _clean(
            {"entity": entity, "group_id": group_id, "as_of": as_of, "known_at": known_at}
        )
        return self._run(_Call("GET", PATHS.profile, _model(Profile), params=params))

    def neighbors(
        self,
        entity: str,
        *,
        depth: int = 1,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        max_facts_per_hop: int = DEFAULT_HOP_LIMIT,
    ) -> list[SearchResult]:
        """As :meth:`Memory.neighbors`."""
        params = _clean(
            {
                "entity": entity,
                "depth": depth,
                "group_id": group_id,
                "as_of": as_of,
                "max_facts_per_hop": max_facts_per_hop,
            }
        )
        return self._all(_Paged(PATHS.neighbors, params, _RESULT_PAGE))

    def paths(
        self,
        source: str,
        target: str,
        *,
        max_hops: int = 3,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        max_facts_per_hop: int = DEFAULT_HOP_LIMIT,
    ) -> list[list[SearchResult]]:
        """As :meth:`Memory.paths`."""
        params = _clean(
            {
                "source": source,
                "target": target,
                "max_hops": max_hops,
                "group_id": group_id,
                "as_of": as_of,
                "max_facts_per_hop": max_facts_per_hop,
            }
        )
        return self._run(_Call("GET", PATHS.paths, _paths, params=params))

    def stats(self, group_id: str | None = None) -> Stats:
        """As :meth:`Memory.stats` (without ``group_id``: an admin key only)."""
        params = _clean({"group_id": group_id})
        return self._run(_Call("GET", PATHS.stats, _model(Stats), params=params))

    def groups(self) -> list[str]:
        """The groups that hold anything and that this client's key may use."""
        return self._all(_Paged(PATHS.groups, {}, _GROUP_PAGE))


class AsyncClient(_Base):
    """:class:`Client` for an event loop: the same methods, awaited."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        turns_per_request: int = DEFAULT_TURNS_PER_REQUEST,
    ) -> None:
        super().__init__(url, api_key, turns_per_request)
        self._http = httpx.AsyncClient(
            base_url=self.url, headers=self._headers, timeout=timeout, transport=transport
        )

    async def _run(self, call: _Call[_T]) -> _T:
        try:
            response = await self._http.request(
                call.method, call.path, params=call.params, json=call.body
            )
        except httpx.TransportError as error:
            raise StoreUnavailableError(f"{self.url}: the server did not answer: {error}") from None
        _raise_for(response)
        return call.parse(response.content)

    async def _all(self, paged: _Paged[_T]) -> list[_T]:
        items: list[_T] = []
        offset = 0
        while True:
            page = await self._run(paged.page(offset, len(items)))
            items.extend(page.items)
            if paged.done(page, len(items)) or page.next_offset is None:
                return items
            offset = page.next_offset

    async def close(self) -> None:
        """Close the connection pool. Idempotent."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def add_dialogue(
        self,
        turns: Iterable[Turn | Mapping[str, Any]],
        *,
        group_id: str = DEFAULT_GROUP,
        source: str = "chat",
        progress: ProgressCallback | None = None,
        on_change: OnChange = "error",
    ) -> IngestReport:
        """As :meth:`Client.add_dialogue`."""
        parts = []
        for call in _Requests.add_dialogue(
            turns, group_id, source, on_change, self.turns_per_request
        ):
            parts.append(await self._run(call))
            if progress is not None:
                progress(parts[-1].episodes_added + parts[-1].episodes_skipped)
        return _total(parts)

    async def add_records(
        self,
        rows: Any,
        *,
        mapping: RecordMapping,
        group_id: str = DEFAULT_GROUP,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """As :meth:`Client.add_records`."""
        counts = await self._run(_Requests.add_records(rows, mapping, group_id))
        if progress is not None:
            progress(counts.episodes_added + counts.episodes_skipped)
        return counts.report()

    # -- direct facts and erasure ---------------------------------------------------------------

    async def add_fact(
        self,
        subject: str,
        relation: str,
        object: str,
        *,
        valid_at: TimeLike = None,
        group_id: str = DEFAULT_GROUP,
        source: str = DIRECT_SOURCE,
        text: str | None = None,
        subject_label: str | None = None,
        object_label: str | None = None,
    ) -> IngestReport:
        """As :meth:`Memory.add_fact` (the counts, without the resolver's change list)."""
        values = {
            "subject": subject,
            "relation": relation,
            "object": object,
            "valid_at": valid_at,
            "group_id": group_id,
            "source": source,
            "text": text,
            "subject_label": subject_label,
            "object_label": object_label,
        }
        return (await self._run(_Requests.fact(PATHS.add_fact, values))).report()

    async def invalidate_fact(
        self,
        subject: str,
        relation: str,
        object: str,
        *,
        invalid_at: TimeLike = None,
        group_id: str = DEFAULT_GROUP,
        source: str = DIRECT_SOURCE,
        text: str | None = None,
    ) -> IngestReport:
        """As :meth:`Memory.invalidate_fact`."""
        values = {
            "subject": subject,
            "relation": relation,
            "object": object,
            "invalid_at": invalid_at,
            "group_id": group_id,
            "source": source,
            "text": text,
        }
        return (await self._run(_Requests.fact(PATHS.invalidate_fact, values))).report()

    async def retract_fact(
        self,
        subject: str,
        relation: str,
        object: str,
        *,
        group_id: str = DEFAULT_GROUP,
        source: str = DIRECT_SOURCE,
        text: str | None = None,
    ) -> IngestReport:
        """As :meth:`Memory.retract_fact`."""
        values = {
            "subject": subject,
            "relation": relation,
            "object": object,
            "group_id": group_id,
            "source": source,
            "text": text,
        }
        return (await self._run(_Requests.fact(PATHS.retract_fact, values))).report()

    async def forget_episode(
        self, episode: str, *, group_id: str = DEFAULT_GROUP, source: str | None = None
    ) -> ErasureReceipt:
        """As :meth:`Memory.forget_episode`."""
        values = {"episode": episode, "group_id": group_id, "source": source}
        return await self._run(_Requests.forget(PATHS.forget_episode, values))

    async def forget_entity(self, name: str, *, group_id: str = DEFAULT_GROUP) -> ErasureReceipt:
        """As :meth:`Memory.forget_entity`."""
        values = {"name": name, "group_id": group_id}
        return await self._run(_Requests.forget(PATHS.forget_entity, values))

    async def forget_group(self, group_id: str) -> ErasureReceipt:
        """As :meth:`Memory.forget_group` (a key allowed that group)."""
        return await self._run(_Requests.forget(PATHS.forget_group, {"group_id": group_id}))

    async def search(
        self,
        query: str,
        *,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        known_at: TimeLike = None,
        limit: int = 10,
        valid_from: TimeLike = None,
        valid_to: TimeLike = None,
        labels: Sequence[str] | None = None,
        relations: Sequence[str] | None = None,
        centre: str | None = None,
        kinds: Sequence[ResultKind] | None = None,
        recipe: str = DEFAULT_RECIPE.name,
        speaker: str | None = None,
    ) -> list[SearchResult]:
        """As :meth:`Memory.search`."""
        body = _clean(
            {
                "query": query,
                "group_id": group_id,
                "as_of": as_of,
                "known_at": known_at,
                "limit": limit,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "labels": labels,
                "relations": relations,
                "centre": centre,
                "kinds": kinds,
                "recipe": recipe,
                "speaker": speaker,
            }
        )
        return await self._run(_Call("POST", PATHS.search, _search_results, body=body))

    async def context(
        self,
        query: str,
        *,
        max_tokens: int = 1500,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        limit: int = 30,
        speaker: str | None = None,
    ) -> str:
        """As :meth:`Memory.context`."""
        body = _clean(
            {
                "query": query,
                "max_tokens": max_tokens,
                "group_id": group_id,
                "as_of": as_of,
                "limit": limit,
                "speaker": speaker,
            }
        )
        return await self._run(_Call("POST", PATHS.context, _context_text, body=body))

    async def facts(
        self,
        *,
        subject: str | None = None,
        relation: str | None = None,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        known_at: TimeLike = None,
        include_ended: bool = False,
        limit: int | None = None,
    ) -> list[SearchResult]:
        """As :meth:`Memory.facts`."""
        if limit is not None and limit < 1:
            raise InputError(f"limit must be at least 1 (or None for all facts), not {limit}")
        params = _clean(
            {
                "subject": subject,
                "relation": relation,
                "group_id": group_id,
                "as_of": as_of,
                "known_at": known_at,
                "include_ended": include_ended,
            }
        )
        return await self._all(_Paged(PATHS.facts, params, _RESULT_PAGE, limit))

    async def history(
        self,
        entity: str,
        *,
        relation: str | None = None,
        group_id: str = DEFAULT_GROUP,
        known_at: TimeLike = None,
    ) -> list[SearchResult]:
        """As :meth:`Memory.history`."""
        params = _clean(
            {"entity": entity, "relation": relation, "group_id": group_id, "known_at": known_at}
        )
        return await self._all(_Paged(PATHS.history, params, _RESULT_PAGE))

    async def entity(self, name: str, *, group_id: str = DEFAULT_GROUP) -> Entity:
        """As :meth:`Memory.entity`."""
        params = {"name": name, "group_id": group_id}
        return await self._run(_Call("GET", PATHS.entity, _model(Entity), params=params))

    async def profile(
        self,
        entity: str,
        *,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        known_at: TimeLike = None,
    ) -> Profile:
        """As :meth:`Memory.profile`."""
        params = _clean(
            {"entity": entity, "group_id": group_id, "as_of": as_of, "known_at": known_at}
        )
        return await self._run(_Call("GET", PATHS.profile, _model(Profile), params=params))

    async def neighbors(
        self,
        entity: str,
        *,
        depth: int = 1,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        max_facts_per_hop: int = DEFAULT_HOP_LIMIT,
    ) -> list[SearchResult]:
        """As :meth:`Memory.neighbors`."""
        params = _clean(
            {
                "entity": entity,
                "depth": depth,
                "group_id": group_id,
                "as_of": as_of,
                "max_facts_per_hop": max_facts_per_hop,
            }
        )
        return await self._all(_Paged(PATHS.neighbors, params, _RESULT_PAGE))

    async def paths(
        self,
        source: str,
        target: str,
        *,
        max_hops: int = 3,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        max_facts_per_hop: int = DEFAULT_HOP_LIMIT,
    ) -> list[list[SearchResult]]:
        """As :meth:`Memory.paths`."""
        params = _clean(
            {
                "source": source,
                "target": target,
                "max_hops": max_hops,
                "group_id": group_id,
                "as_of": as_of,
                "max_facts_per_hop": max_facts_per_hop,
            }
        )
        return await self._run(_Call("GET", PATHS.paths, _paths, params=params))

    async def stats(self, group_id: str | None = None) -> Stats:
        """As :meth:`Memory.stats`."""
        params = _clean({"group_id": group_id})
        return await self._run(_Call("GET", PATHS.stats, _model(Stats), params=params))

    async def groups(self) -> list[str]:
        """As :meth:`Client.groups`."""
        return await self._all(_Paged(PATHS.groups, {}, _GROUP_PAGE))


def _search_results(content: bytes) -> list[SearchResult]:
    return SearchResults.model_validate_json(content).results


def _context_text(content: bytes) -> str:
    return ContextBlock.model_validate_json(content).context


def _receipt(content: bytes) -> ErasureReceipt:
    return ErasureCounts.model_validate_json(content).receipt()


def _paths(content: bytes) -> list[list[SearchResult]]:
    return PathsResult.model_validate_json(content).paths
