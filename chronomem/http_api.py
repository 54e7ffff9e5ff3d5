"""The HTTP API's vocabulary: its paths and the bodies its requests carry and its responses
return, shared by the server (:mod:`chronomem.server`) and the client
(:mod:`chronomem.client`), so the two cannot disagree.

The bodies reuse the models the Python API uses: a search is a
:class:`~chronomem.query.SearchRequest`, turns are :class:`~chronomem.ingest.sources.Turn`,
records come with a :class:`~chronomem.ingest.sources.RecordMapping`, results are
:class:`~chronomem.schema.SearchResult`, counts are :class:`~chronomem.schema.Stats`. The
server's OpenAPI document is generated from these same classes.

Errors have one shape, :class:`ErrorBody`: ``{"error": {"status", "code", "message",
"where"}}``, the message being the one the command line prints.
"""

from __future__ import annotations

from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from chronomem.engine.erasure import ErasureKind, ErasureReceipt
from chronomem.ingest.pipeline import IngestReport
from chronomem.ingest.sources import RecordMapping, Turn
from chronomem.ingest.statements import DIRECT_SOURCE
from chronomem.memory import OnChange
from chronomem.schema import DEFAULT_GROUP, AwareTime, SearchResult

__all__ = [
    "API_KEY_HEADER",
    "MAX_PAGE",
    "PATHS",
    "AddFactBody",
    "ContextBlock",
    "ContextBody",
    "DialogueBody",
    "ErasureCounts",
    "ErrorBody",
    "ErrorDetail",
    "ForgetEntityBody",
    "ForgetEpisodeBody",
    "ForgetGroupBody",
    "Health",
    "IngestCounts",
    "InvalidateFactBody",
    "Page",
    "PathsResult",
    "RecordsBody",
    "RetractFactBody",
    "SearchResults",
]

API_KEY_HEADER: Final = "Authorization"
"""Requests carry their key as ``Authorization: Bearer <key>``."""

MAX_PAGE: Final = 1_000
"""The largest page a paginated list returns in one response."""

DEFAULT_PAGE: Final = 100
"""The page size when a request gives none."""


class _Paths(BaseModel):
    model_config = ConfigDict(frozen=True)

    dialogue: str = "/v1/dialogue"
    records: str = "/v1/records"
    search: str = "/v1/search"
    context: str = "/v1/context"
    facts: str = "/v1/facts"
    history: str = "/v1/history"
    entity: str = "/v1/entity"
    profile: str = "/v1/profile"
    neighbors: str = "/v1/neighbors"
    paths: str = "/v1/paths"
    stats: str = "/v1/stats"
    groups: str = "/v1/groups"
    add_fact: str = "/v1/facts/add"
    invalidate_fact: str = "/v1/facts/invalidate"
    retract_fact: str = "/v1/facts/retract"
    forget_episode: str = "/v1/forget/episode"
    forget_entity: str = "/v1/forget/entity"
    forget_group: str = "/v1/forget/group"
    healthz: str = "/healthz"
    readyz: str = "/readyz"
    mcp: str = "/mcp"


PATHS: Final = _Paths()
"""Where each endpoint lives."""

_T = TypeVar("_T")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DialogueBody(_Body):
    """Chat turns to remember (:meth:`chronomem.Memory.add_dialogue`)."""

    group_id: str = Field(default=DEFAULT_GROUP, description="the tenant written to")
    source: str = Field(default="chat", min_length=1, max_length=200)
    turns: list[Turn] = Field(max_length=10_000, description="speaker, text, time (with zone)")
    on_change: OnChange = Field(
        default="error",
        description="a turn id stored with other text: refuse (error), keep the stored (skip) "
        "or record a correction (revise)",
    )


class RecordsBody(_Body):
    """Business records described by a mapping (:meth:`chronomem.Memory.add_records`)."""

    group_id: str = Field(default=DEFAULT_GROUP, description="the tenant written to")
    mapping: RecordMapping
    rows: list[dict[str, Any]] = Field(max_length=100_000)


class ContextBody(_Body):
    """An agent-ready context block (:meth:`chronomem.Memory.context`)."""

    query: str
    group_id: str = DEFAULT_GROUP
    max_tokens: int = Field(default=1500, ge=50, le=100_000)
    as_of: AwareTime | None = None
    limit: int = Field(default=30, ge=1, le=1_000)
    speaker: str | None = None


class _FactBody(_Body):
    """A statement ``subject -relation-> object`` of a group, kept as an episode of
    ``source`` (its text ``text``, or the fact)."""

    subject: str
    relation: str
    object: str
    group_id: str = Field(default=DEFAULT_GROUP, description="the tenant written to")
    source: str = DIRECT_SOURCE
    text: str | None = None


class AddFactBody(_FactBody):
    """A fact that holds from ``valid_at`` (default: now) (:meth:`chronomem.Memory.add_fact`)."""

    valid_at: AwareTime | None = None
    subject_label: str | None = None
    object_label: str | None = None


class InvalidateFactBody(_FactBody):
    """A fact that stopped holding at ``invalid_at`` (default: now)
    (:meth:`chronomem.Memory.invalidate_fact`)."""

    invalid_at: AwareTime | None = None


class RetractFactBody(_FactBody):
    """A fact that was never true (:meth:`chronomem.Memory.retract_fact`)."""


class ForgetEpisodeBody(_Body):
    """An episode to erase, by uuid or by its id in its source
    (:meth:`chronomem.Memory.forget_episode`)."""

    episode: str
    group_id: str = Field(default=DEFAULT_GROUP, description="the tenant erased from")
    source: str | None = Field(default=None, description="narrows an id used by several sources")


class ForgetEntityBody(_Body):
    """An entity to erase with everything about it (:meth:`chronomem.Memory.forget_entity`)."""

    name: str
    group_id: str = Field(default=DEFAULT_GROUP, description="the tenant erased from")


class ForgetGroupBody(_Body):
    """A whole group to erase (:meth:`chronomem.Memory.forget_group`); no default, on
    purpose."""

    group_id: str = Field(description="the tenant erased")


class ErasureCounts(BaseModel):
    """What an erasure removed (an :class:`~chronomem.engine.erasure.ErasureReceipt`): counts
    and a time, never the erased content."""

    kind: ErasureKind
    group_id: str
    erased_at: AwareTime
    episodes: int
    entities: int
    facts: int
    facts_updated: int
    settings: int

    @classmethod
    def of(cls, receipt: ErasureReceipt) -> ErasureCounts:
        return cls.model_validate(receipt.as_dict())

    def receipt(self) -> ErasureReceipt:
        """The counts as the :class:`ErasureReceipt` the memory returns."""
        return ErasureReceipt(**self.model_dump())


class IngestCounts(BaseModel):
    """What an ingest did (the counts of :class:`~chronomem.ingest.pipeline.IngestReport`)."""

    episodes_added: int = 0
    episodes_skipped: int = 0
    entities_added: int = 0
    facts_added: int = 0
    facts_revised: int = 0
    facts_extended: int = 0
    facts_retracted: int = 0

    @classmethod
    def of(cls, report: IngestReport) -> IngestCounts:
        return cls.model_validate(report.as_dict())

    def report(self) -> IngestReport:
        """The counts as an :class:`IngestReport` (without the resolver's change list)."""
        return IngestReport(**self.model_dump())


class SearchResults(BaseModel):
    """Search results, best first."""

    results: list[SearchResult]


class ContextBlock(BaseModel):
    """A block of facts and entities to paste into a prompt."""

    context: str


class PathsResult(BaseModel):
    """Paths of facts linking two entities, shortest first."""

    paths: list[list[SearchResult]]


class Page(BaseModel, Generic[_T]):
    """One page of a list that grows: ask again with ``offset=next_offset`` until it is null."""

    items: list[_T]
    total: int = Field(description="how many items the whole list holds")
    offset: int
    next_offset: int | None = Field(description="the offset of the next page; null on the last")

    @classmethod
    def of(cls, rows: list[_T], offset: int, limit: int) -> Page[_T]:
        items = rows[offset : offset + limit]
        end = offset + len(items)
        return cls(
            items=items,
            total=len(rows),
            offset=offset,
            next_offset=end if end < len(rows) else None,
        )


class ErrorDetail(BaseModel):
    """What went wrong: ``code`` is stable, ``message`` says what, where and how to fix it."""

    status: int
    code: str
    message: str
    where: str | None = Field(default=None, description="the offending field, if one")


class ErrorBody(BaseModel):
    """Every error response of the API."""

    error: ErrorDetail


class Health(BaseModel):
    """``ok`` when the process (``/healthz``) or the store (``/readyz``) answers."""

    status: str
