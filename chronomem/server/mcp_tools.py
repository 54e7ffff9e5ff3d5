"""The memory as MCP tools, on the official MCP Python SDK (``mcp``).

One :class:`~mcp.server.mcpserver.MCPServer` per transport: over streamable HTTP (mounted at
``/mcp`` in the ``chronomem serve`` app) a tool acts for the key its request was authenticated
with; over stdio (``chronomem serve --mcp-stdio``, for a desktop agent that starts the process)
for the key given in ``CHRONOMEM_API_KEY`` (or, with ``--no-auth``, for every group). Either
way each call goes through the same :class:`~chronomem.server.gate.Gate` as the HTTP API:
checked against the key's groups before it touches the store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Final, Literal, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from chronomem import __version__
from chronomem.engine.erasure import ErasureReceipt
from chronomem.errors import ChronomemError
from chronomem.http_api import ContextBlock, ErasureCounts, IngestCounts, SearchResults
from chronomem.ingest.sources import Turn
from chronomem.schema import DEFAULT_GROUP, Profile, ResultKind
from chronomem.server.gate import Gate
from chronomem.server.keys import Principal
from chronomem.server.middleware import principal_of
from chronomem.server.problems import ApiError

__all__ = [
    "TIMELINE_URI",
    "TOOL_NAMES",
    "PrincipalOf",
    "build_mcp",
    "fixed_principal",
    "http_principal",
]

PrincipalOf = Callable[[Context], Principal]
"""How a tool call finds who it acts for."""

TOOL_NAMES: Final = (
    "remember_turns",
    "search_memory",
    "get_context",
    "get_facts",
    "get_history",
    "get_profile",
    "facts_as_of",
    "add_fact",
    "forget",
)

_R = TypeVar("_R")

TIMELINE_URI: Final = "chronomem://{group_id}/timeline/{entity}"
"""The MCP resource template of an entity's timeline."""

Group = Annotated[str, Field(description="the tenant (group id) to use", max_length=128)]
Time = Annotated[
    str | None,
    Field(description="an ISO-8601 time with a zone, e.g. 2024-03-01T00:00:00Z"),
]

INSTRUCTIONS: Final = (
    "chronomem is a temporal knowledge-graph memory. Store what was said with remember_turns; "
    "ask with search_memory or get_context. Facts carry valid_at/invalid_at: get_facts gives "
    "what holds now, facts_as_of what held at a past time, get_history the whole timeline of "
    "an entity, get_profile its one-value facts (now or as_of) with their dates. add_fact "
    "states a fact directly; forget erases an episode, an entity or a whole group for good. "
    "Every tool takes group_id, the tenant; a key may use only its own groups."
)


def http_principal(ctx: Context) -> Principal:
    """The principal the HTTP middleware authenticated for this tool call's request."""
    scope = getattr(ctx.request_context.request, "scope", None)
    if not isinstance(scope, dict):
        raise ToolError("this tool call came without an authenticated HTTP request")
    try:
        return principal_of(scope)
    except ApiError as error:
        raise ToolError(str(error)) from None


async def _told(call: Awaitable[_R]) -> _R:
    """Run ``call``, telling a chronomem or access error to the agent as a tool error."""
    try:
        return await call
    except (ChronomemError, ApiError) as error:
        raise ToolError(str(error)) from None


def build_mcp(gate: Gate, principal_for: PrincipalOf) -> MCPServer:
    """An MCP server whose tools read and write ``gate``'s memory."""
    server: MCPServer = MCPServer(
        name="chronomem", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    memory = gate.memory
    reading = ToolAnnotations(readOnlyHint=True, openWorldHint=False)

    @server.tool(annotations=ToolAnnotations(readOnlyHint=False, idempotentHint=True))
    async def remember_turns(
        turns: Annotated[list[Turn], Field(description="speaker, text and time of each turn")],
        ctx: Context,
        group_id: Group = DEFAULT_GROUP,
        source: Annotated[str, Field(description="where the turns come from")] = "chat",
    ) -> IngestCounts:
        """Remember dialogue turns: facts are extracted, dated and linked to what the memory
        already holds; a later turn that changes a fact ends the old one. Re-sending the same
        turns (same ids) adds nothing. At most 256 turns a call (the memory's batch size)."""
        principal = principal_for(ctx)
        report = await _told(gate.add_dialogue(principal, turns, group_id, source))
        return IngestCounts.of(report)

    @server.tool(annotations=reading)
    async def search_memory(
        query: str,
        ctx: Context,
        group_id: Group = DEFAULT_GROUP,
        as_of: Time = None,
        known_at: Time = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 10,
        kinds: list[ResultKind] | None = None,
        relations: list[str] | None = None,
        speaker: Annotated[
            str | None, Field(description='who asks: their "I" and "my" mean them')
        ] = None,
    ) -> SearchResults:
        """Search the memory (full text, vectors and graph, fused), best first. Without as_of
        the current state is searched; as_of gives what was true then, known_at what the
        memory believed then."""
        principal = principal_for(ctx)
        results = await _told(
            gate.read(
                principal,
                group_id,
                memory.search,
                query,
                group_id=group_id,
                as_of=as_of,
                known_at=known_at,
                limit=limit,
                kinds=kinds,
                relations=relations,
                speaker=speaker,
            )
        )
        return SearchResults(results=results)

    @server.tool(annotations=reading)
    async def get_context(
        query: str,
        ctx: Context,
        group_id: Group = DEFAULT_GROUP,
        max_tokens: Annotated[int, Field(ge=50, le=100_000)] = 1500,
        as_of: Time = None,
        speaker: str | None = None,
    ) -> ContextBlock:
        """An agent-ready block of dated facts and entities relevant to the query, within
        max_tokens: paste it into a prompt."""
        principal = principal_for(ctx)
        block = await _told(
            gate.read(
                principal,
                group_id,
                memory.context,
                query,
                max_tokens=max_tokens,
                group_id=group_id,
                as_of=as_of,
                speaker=speaker,
            )
        )
        return ContextBlock(context=block)

    @server.tool(annotations=reading)
    async def get_facts(
        entity: str,
        ctx: Context,
        group_id: Group = DEFAULT_GROUP,
        relation: str | None = None,
        include_ended: bool = False,
    ) -> SearchResults:
        """The facts about an entity that hold now (with include_ended, the ended ones too,
        each with its invalid_at)."""
        return await _facts(ctx, entity, group_id, relation, None, include_ended)

    @server.tool(annotations=reading)
    async def facts_as_of(
        entity: str,
        as_of: Annotated[str, Field(description="the time asked about, ISO-8601 with a zone")],
        ctx: Context,
        group_id: Group = DEFAULT_GROUP,
        relation: str | None = None,
    ) -> SearchResults:
        """What held about an entity at a past time (valid time): "where did Alice live in
        March 2023?"."""
        return await _facts(ctx, entity, group_id, relation, as_of, False)

    async def _facts(
        ctx: Context,
        entity: str,
        group_id: str,
        relation: str | None,
        as_of: str | None,
        include_ended: bool,
    ) -> SearchResults:
        principal = principal_for(ctx)
        rows = await _told(
            gate.read(
                principal,
                group_id,
                memory.facts,
                subject=entity,
                relation=relation,
                group_id=group_id,
                as_of=as_of,
                include_ended=include_ended,
            )
        )
        return SearchResults(results=rows)

    @server.tool(annotations=reading)
    async def get_history(
        entity: str,
        ctx: Context,
        group_id: Group = DEFAULT_GROUP,
        relation: str | None = None,
        known_at: Time = None,
    ) -> SearchResults:
        """The timeline of an entity: every fact it takes part in, ended or not, by valid
        time."""
        principal = principal_for(ctx)
        rows = await _told(
            gate.read(
                principal,
                group_id,
                memory.history,
                entity,
                relation=relation,
                group_id=group_id,
                known_at=known_at,
            )
        )
        return SearchResults(results=rows)

    @server.tool(annotations=reading)
    async def get_profile(
        entity: str,
        ctx: Context,
        group_id: Group = DEFAULT_GROUP,
        as_of: Time = None,
    ) -> Profile:
        """The profile of an entity: the value each one-value relation (lives in, works at,
        job title, partner ...) holds now, or at as_of, with the date it became true."""
        principal = principal_for(ctx)
        return await _told(
            gate.read(principal, group_id, memory.profile, entity, group_id=group_id, as_of=as_of)
        )

    @server.tool(annotations=ToolAnnotations(readOnlyHint=False, idempotentHint=True))
    async def add_fact(
        subject: str,
        relation: Annotated[str, Field(description="e.g. LIVES_IN, WORKS_AT")],
        object: str,
        ctx: Context,
        group_id: Group = DEFAULT_GROUP,
        valid_at: Annotated[
            str | None, Field(description="when it started to hold (ISO-8601); default now")
        ] = None,
        text: Annotated[str | None, Field(description="the statement as said, if any")] = None,
    ) -> IngestCounts:
        """State a fact directly ("Alice LIVES_IN Berlin since 2024-05-01"): names resolve to
        the group's entities, a new value of a one-valued relation ends the old one. Stating it
        again adds nothing."""
        principal = principal_for(ctx)
        report = await _told(
            gate.write(
                principal,
                group_id,
                memory.add_fact,
                subject,
                relation,
                object,
                valid_at=valid_at,
                group_id=group_id,
                text=text,
            )
        )
        return IngestCounts.of(report)

    @server.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=True))
    async def forget(
        what: Annotated[
            Literal["episode", "entity", "group"],
            Field(
                description="episode (a turn, by its id), entity (a person or thing, by "
                "name) or group (the whole tenant)"
            ),
        ],
        ctx: Context,
        group_id: Group = DEFAULT_GROUP,
        target: Annotated[
            str | None,
            Field(description="the episode id or the entity name; not given for a group"),
        ] = None,
    ) -> ErasureCounts:
        """Erase for good, with what depends on it (the right to be forgotten): facts only it
        supported, its text in the indexes. Returns counts of what was removed, no content."""
        principal = principal_for(ctx)
        if (what == "group") != (target is None):
            raise ToolError(
                "forget: give target (the episode id or the entity name) for an episode or an "
                "entity, and no target for a group (the group is group_id)"
            )
        receipt: ErasureReceipt
        if target is None:
            receipt = await _told(gate.write(principal, group_id, memory.forget_group, group_id))
        elif what == "episode":
            receipt = await _told(
                gate.write(principal, group_id, memory.forget_episode, target, group_id=group_id)
            )
        else:
            receipt = await _told(
                gate.write(principal, group_id, memory.forget_entity, target, group_id=group_id)
            )
        return ErasureCounts.of(receipt)

    @server.resource(
        TIMELINE_URI,
        name="timeline",
        description="The timeline of an entity (every fact, ended or not, by valid time), as "
        "JSON; the same as get_history.",
        mime_type="application/json",
    )
    async def timeline(group_id: str, entity: str, ctx: Context) -> str:
        principal = principal_for(ctx)
        try:
            rows = await gate.read(principal, group_id, memory.history, entity, group_id=group_id)
        except (ChronomemError, ApiError) as error:
            raise ResourceError(str(error)) from None
        return SearchResults(results=rows).model_dump_json()

    return server


def fixed_principal(principal: Principal) -> PrincipalOf:
    """For stdio: every call acts for ``principal``."""

    def principal_for(_: Context) -> Principal:
        return principal

    return principal_for
