"""The ``chronomem`` command.

Human-readable output by default; ``--json`` prints machine-readable JSON on stdout. Progress
bars go to stderr. Errors print one clear line and exit with status 2 (bad input) or 1.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from chronomem.bench.locomo import plot_recall, run_locomo
from chronomem.config import (
    NEO4J_PASSWORD_VARIABLE,
    MemoryConfig,
    api_key_from_env,
    config_from_env,
)
from chronomem.demo import DEMO_GROUP, DEMO_TURNS
from chronomem.engine.erasure import ErasureReceipt
from chronomem.engine.store.factory import INMEMORY_URI, is_neo4j_uri
from chronomem.engine.store.targets import parse_neo4j_uri
from chronomem.errors import ChronomemError, InputError, NotFoundError
from chronomem.ingest.sources import RecordMapping, read_dialogue
from chronomem.ingest.sources.dialogue import DialogueFormat
from chronomem.ingest.statements import DIRECT_SOURCE
from chronomem.memory import ON_CHANGE, Memory, OnChange
from chronomem.plots import plot_timeline
from chronomem.progress import count_bar, percent_bar
from chronomem.query.multihop import DEFAULT_HOP_LIMIT
from chronomem.query.recipes import DEFAULT as DEFAULT_RECIPE
from chronomem.schema import DEFAULT_GROUP, Profile, SearchResult
from chronomem.server.keys import KeyRing, default_keys_path

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_STORE = ".chronomem/memory"


_NEO4J_OPTIONS = ("database", "user")


def _remember(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Keep a Neo4j option for :func:`_config` (the commands' own parameters stay as they were)."""
    if value is not None:
        ctx.meta[f"chronomem.{param.name}"] = value
    return value


def _store_only_option(func: F) -> F:
    """``--store`` alone, for commands that do not open the memory (API keys)."""
    return click.option(
        "--store",
        default=DEFAULT_STORE,
        show_default=True,
        help="A memory directory (embedded store) or a neo4j:// / bolt:// URI.",
    )(func)


def _store_option(func: F) -> F:
    func = click.option(
        "--user",
        default=None,
        expose_value=False,
        callback=_remember,
        help=f"Neo4j user; the password comes from {NEO4J_PASSWORD_VARIABLE}, else is asked for.",
    )(func)
    func = click.option(
        "--database",
        default=None,
        expose_value=False,
        callback=_remember,
        help="Neo4j database (default: the URI's path, NEO4J_DATABASE, or the server's default).",
    )(func)
    return click.option(
        "--store",
        default=DEFAULT_STORE,
        show_default=True,
        help="A memory directory (embedded store) or a neo4j:// / bolt:// URI "
        "(neo4j://[USER@]host[:port][/DATABASE]).",
    )(func)


def _interactive() -> bool:
    """Whether a password can be asked for (stdin is a terminal)."""
    return sys.stdin.isatty()


def _config(*targets: str) -> MemoryConfig:
    """The configuration from the environment with ``--database`` and ``--user`` over it; a
    user's password comes from :data:`NEO4J_PASSWORD_VARIABLE` or a prompt, never from the
    command line (a URI holding one is refused)."""
    config = config_from_env()
    meta = click.get_current_context().meta
    database, user = (meta.get(f"chronomem.{name}") for name in _NEO4J_OPTIONS)
    servers = [parse_neo4j_uri(t) for t in targets if is_neo4j_uri(t)]
    for server in servers:
        if server.password is not None:
            raise InputError(
                f"{server.shown!r} holds a password: a command line is seen by other users "
                f"and kept in shell history; remove ':PASSWORD' from the URI and set "
                f"{NEO4J_PASSWORD_VARIABLE} (or answer the prompt)"
            )
    if not servers:
        if database is not None or user is not None:
            raise InputError(
                "--database and --user apply to a Neo4j store (a neo4j:// or bolt:// URI), "
                f"not to {targets[0]!r}; drop them"
            )
        return config
    updates: dict[str, object] = {}
    if database is not None:
        updates["neo4j_database"] = database
    user = user or next((s.user for s in servers if s.user is not None), None)
    if user is not None:
        password = os.environ.get(NEO4J_PASSWORD_VARIABLE)
        if not password:
            if not _interactive():
                raise InputError(
                    f"no password for Neo4j user {user!r}: set {NEO4J_PASSWORD_VARIABLE} "
                    "(the command line takes no password option)"
                )
            password = click.prompt(
                f"Neo4j password for {user} at {servers[0].shown}", hide_input=True, err=True
            )
        updates["neo4j_auth"] = (user, password)
    return config.model_copy(update=updates)


def _group_option(func: F) -> F:
    return click.option(
        "--group", "group_id", default=DEFAULT_GROUP, show_default=True, help="Group (tenant) id."
    )(func)


def _speaker_option(func: F) -> F:
    return click.option(
        "--speaker",
        default=None,
        help='Who asks: their "I" and "my" in the query mean them (e.g. --speaker Alice).',
    )(func)


def _json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(func)


@contextmanager
def _memory(
    store: str, *, create: bool = False, writing: bool | None = None, destination: str = ""
) -> Iterator[Memory]:
    """Open the memory at ``store``. Only commands that write create a missing directory: a
    mistyped ``--store`` for a read is an error, not a new empty memory. Commands that only
    read open it ``read_only`` (``create`` False): they never take the write lock, so they
    work while another process ingests. ``destination``: where the command copies the memory
    (``--database`` and ``--user`` may be meant for it)."""
    if not create and not is_neo4j_uri(store) and not Path(store).exists():
        raise InputError(
            f"no memory at {store!r}; check --store, or create one with "
            "`chronomem ingest dialogue FILE --store ...`"
        )
    writes = create if writing is None else writing
    read_only = not writes and store.lower() != INMEMORY_URI
    config = _config(store, *([destination] if destination else []))
    with Memory.open(store, config=config, read_only=read_only) as mem:
        yield mem


def _check_group_exists(mem: Memory, group_id: str, store: str) -> None:
    """A search of a group that holds nothing says so, rather than "(nothing found)"."""
    known = mem.groups()
    if group_id not in known:
        listed = ", ".join(repr(g) for g in known[:10]) + (", ..." if len(known) > 10 else "")
        hint = f"its groups: {listed}" if known else "it holds no group yet"
        raise NotFoundError(
            f"no group {group_id!r} in {store} ({hint}); check --group, or list them with "
            "`chronomem groups`"
        )
    incomplete = mem.incomplete_copy(group_id)
    if incomplete is not None:
        click.echo(f"warning: {incomplete}", err=True)


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _date(value: datetime | None) -> str:
    return value.date().isoformat() if value is not None else "?"


def _interval(result: SearchResult) -> str:
    end = _date(result.invalid_at) if result.invalid_at is not None else "now"
    return f"[{_date(result.valid_at)} -> {end}]"


def _print_facts(results: list[SearchResult], *, scores: bool = False) -> None:
    if not results:
        click.echo("  (nothing found)")
    for r in results:
        score = f"{r.score:6.3f} " if scores else ""
        if r.kind == "fact":
            ended = "  (ended)" if r.invalid_at is not None else ""
            line = f"  {score}{_interval(r)} {r.subject} -{r.relation}-> {r.object}{ended}"
            click.echo(line)
            src = f" (source {', '.join(r.sources)})" if r.sources else ""
            click.echo(f'      "{r.text}"{src}')
        else:
            click.echo(f"  {score}[{r.kind}] {r.text}")


@click.group()
@click.version_option(package_name="chronomem")
def cli() -> None:
    """chronomem: a temporal knowledge-graph memory for LLM agents.

    Ingest dialogue and business records, then ask what is true now, what was true at any
    time (--as-of) and what the memory believed at any time (--known-at).
    """


# -- demo ------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--store",
    default=None,
    help="Where to build the demo memory (default: a fresh temporary directory).",
)
@_json_option
def demo(store: str | None, as_json: bool) -> None:
    """Ingest a built-in dialogue (a move and a job change) and show current facts, an
    as-of answer and a history. It writes to the group "demo", or to the first empty one of
    "demo-2", "demo-3", ... when --store already holds a demo (never mixing into it)."""

    with tempfile.TemporaryDirectory(prefix="chronomem-demo-") as tmp:
        target = store or str(Path(tmp) / "memory")
        with _memory(target, create=True) as mem:
            group = _fresh_demo_group(mem)
            with count_bar(len(DEMO_TURNS), "ingest", not as_json) as update:
                report = mem.add_dialogue(
                    DEMO_TURNS, group_id=group, source="demo", progress=update
                )
            current = mem.facts(subject="Alice", group_id=group)
            as_of = "2023-03-01T00:00:00+00:00"
            then = mem.facts(subject="Alice", group_id=group, as_of=as_of)
            history = mem.history("Alice", group_id=group)
            hits = mem.search("Where does Alice live?", group_id=group, limit=5)
            if as_json:
                _emit(
                    {
                        "store": target,
                        "group": group,
                        "ingest": report.as_dict(),
                        "current": [r.to_json_dict() for r in current],
                        "as_of": {"time": as_of, "facts": [r.to_json_dict() for r in then]},
                        "history": [r.to_json_dict() for r in history],
                        "search": [r.to_json_dict() for r in hits],
                    }
                )
                return
            click.echo(f"Memory: {target}, group {group}")
            if group != DEMO_GROUP:
                click.echo(
                    f"(the store already holds a {DEMO_GROUP!r} group; this demo uses the new "
                    f"group {group!r} so as not to mix into it)"
                )
            ended = sum(1 for r in history if r.invalid_at is not None)
            click.echo(
                f"Ingested {report.episodes_added} turns: {report.facts_added} facts, "
                f"{ended} of them ended by later turns.\n"
            )
            click.echo("What is true about Alice now:")
            _print_facts(current)
            click.echo(f"\nWhat was true about Alice as of {as_of[:10]}:")
            _print_facts(then)
            click.echo("\nAlice's history (ended facts show when they ended):")
            _print_facts(history)
            click.echo('\nSearch "Where does Alice live?":')
            _print_facts(hits, scores=True)


def _fresh_demo_group(mem: Memory) -> str:
    """``demo``, or the first of ``demo-2``, ``demo-3``, ... that holds nothing yet."""
    for number in itertools.count(1):
        group = DEMO_GROUP if number == 1 else f"{DEMO_GROUP}-{number}"
        if mem.stats(group).episodes == 0:
            return group
    raise AssertionError("unreachable")  # pragma: no cover


# -- ingest ----------------------------------------------------------------------------------


@cli.group()
def ingest() -> None:
    """Add dialogue or business records to a memory."""


@ingest.command("dialogue")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_store_option
@_group_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "jsonl", "locomo", "longmemeval"]),
    default="auto",
    show_default=True,
    help="Input format (auto detects by extension and content).",
)
@click.option(
    "--on-change",
    type=click.Choice(ON_CHANGE),
    default="error",
    show_default=True,
    help="A turn stored under its id with other text: refuse the file (error), keep the "
    "stored turn (skip), or record the new text as a correction (revise).",
)
@_json_option
def ingest_dialogue(
    file: Path, store: str, group_id: str, fmt: str, on_change: str, as_json: bool
) -> None:
    """Ingest a dialogue FILE (JSONL turns, LoCoMo or LongMemEval JSON).

    JSONL: one turn per line, {"speaker", "text", "time" (ISO-8601 with zone), "id"?,
    "session"?}. A LoCoMo or LongMemEval file with several conversations ingests each into
    its own group named after the conversation, unless --group is given explicitly.
    """

    sources = read_dialogue(file, cast(DialogueFormat, fmt))
    explicit_group = click.get_current_context().get_parameter_source("group_id")
    per_conversation = len(sources) > 1 and explicit_group != click.core.ParameterSource.COMMANDLINE
    total = sum(len(s.turns) for s in sources)
    started = datetime.now().astimezone()
    summary: dict[str, Any] = {"file": str(file), "conversations": []}
    with _memory(store, create=True) as mem:
        # the whole file is checked before any conversation of it is written
        for source in sources:
            group = source.group_id if per_conversation else group_id
            try:
                mem.validate_dialogue(
                    source.turns,
                    group_id=group,
                    source=source.name,
                    on_change=cast(OnChange, on_change),
                )
            except InputError as error:
                where = f"conversation {source.name!r}: " if len(sources) > 1 else ""
                raise InputError(
                    f"{file}: {where}{error} (nothing of the file was written)"
                ) from None
        with count_bar(total, "ingest", not as_json) as update:
            for source in sources:
                group = source.group_id if per_conversation else group_id
                report = mem.add_dialogue(
                    source.turns,
                    group_id=group,
                    source=source.name,
                    progress=update,
                    on_change=cast(OnChange, on_change),
                )
                summary["conversations"].append(
                    {"source": source.name, "group": group, **report.as_dict()}
                )
    seconds = (datetime.now().astimezone() - started).total_seconds()
    summary["turns"] = total
    summary["seconds"] = round(seconds, 3)
    summary["turns_per_second"] = round(total / seconds, 1) if seconds > 0 else None
    if as_json:
        _emit(summary)
        return
    for conv in summary["conversations"]:
        click.echo(
            f"{conv['source']} -> group {conv['group']}: {conv['episodes_added']} turns added, "
            f"{conv['episodes_skipped']} already known, {conv['facts_added']} facts"
        )
    click.echo(f"{total} turns in {seconds:.1f} s ({summary['turns_per_second']} turns/s)")


@ingest.command("records")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    "mapping_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML mapping: entity key, attributes, references, time columns.",
)
@_store_option
@_group_option
@_json_option
def ingest_records(
    file: Path, mapping_path: Path, store: str, group_id: str, as_json: bool
) -> None:
    """Ingest business records (CSV, JSON or JSONL) described by a YAML mapping."""

    mapping = RecordMapping.from_yaml(mapping_path)
    with (
        _memory(store, create=True) as mem,
        count_bar(None, "ingest", not as_json, unit="record") as update,
    ):
        report = mem.add_records(file, mapping=mapping, group_id=group_id, progress=update)
    if as_json:
        _emit({"file": str(file), "group": group_id, **report.as_dict()})
        return
    click.echo(
        f"{report.episodes_added} records added ({report.episodes_skipped} already known): "
        f"{report.facts_added} facts, {report.facts_revised} revised"
    )


# -- reading ---------------------------------------------------------------------------------


@cli.command()
@click.argument("query")
@_store_option
@_group_option
@click.option("--as-of", default=None, help="Valid time: what was true then (ISO-8601).")
@click.option("--known-at", default=None, help="Transaction time: what the memory believed then.")
@click.option(
    "--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most results."
)
@_speaker_option
@_json_option
def search(
    query: str,
    store: str,
    group_id: str,
    as_of: str | None,
    known_at: str | None,
    limit: int,
    speaker: str | None,
    as_json: bool,
) -> None:
    """Search facts, entities and episodes for QUERY, best first."""
    with _memory(store) as mem:
        _check_group_exists(mem, group_id, store)
        hits = mem.search(
            query,
            group_id=group_id,
            as_of=as_of,
            known_at=known_at,
            limit=limit,
            speaker=speaker,
        )
    if as_json:
        _emit([h.to_json_dict() for h in hits])
        return
    _print_facts(hits, scores=True)


@cli.command()
@_store_option
@_group_option
@click.option("--subject", required=True, help="Entity name (or alias).")
@click.option("--relation", default=None, help="Only this relation, e.g. LIVES_IN.")
@click.option("--as-of", default=None, help="Valid time: what was true then (ISO-8601).")
@click.option("--known-at", default=None, help="Transaction time: what the memory believed then.")
@click.option("--all", "include_ended", is_flag=True, help="Include facts that have ended.")
@_json_option
def facts(
    store: str,
    group_id: str,
    subject: str,
    relation: str | None,
    as_of: str | None,
    known_at: str | None,
    include_ended: bool,
    as_json: bool,
) -> None:
    """List the facts about an entity (current by default)."""
    with _memory(store) as mem:
        rows = mem.facts(
            subject=subject,
            relation=relation,
            group_id=group_id,
            as_of=as_of,
            known_at=known_at,
            include_ended=include_ended,
        )
    if as_json:
        _emit([r.to_json_dict() for r in rows])
        return
    _print_facts(rows)


@cli.command()
@click.argument("entity")
@_store_option
@_group_option
@click.option("--relation", default=None, help="Only this relation.")
@click.option("--known-at", default=None, help="Transaction time: what the memory believed then.")
@_json_option
def history(
    entity: str,
    store: str,
    group_id: str,
    relation: str | None,
    known_at: str | None,
    as_json: bool,
) -> None:
    """The timeline of ENTITY: every fact it takes part in, ordered by valid time, after
    its profile (the current value of each one-value relation, and since when)."""
    with _memory(store) as mem:
        rows = mem.history(entity, relation=relation, group_id=group_id, known_at=known_at)
        profile = mem.profile(entity, group_id=group_id, known_at=known_at)
    if as_json:
        _emit([r.to_json_dict() for r in rows])
        return
    _print_profile(profile)
    _print_facts(rows)


def _print_profile(profile: Profile) -> None:
    click.echo(f"{profile.entity}: {profile.text() or '(no one-value relation holds)'}")


@cli.command()
@click.argument("name")
@_store_option
@_group_option
@click.option("--as-of", default=None, help="Valid time: the profile then (ISO-8601).")
@click.option("--known-at", default=None, help="Transaction time: as the memory believed then.")
@_json_option
def entity(
    name: str,
    store: str,
    group_id: str,
    as_of: str | None,
    known_at: str | None,
    as_json: bool,
) -> None:
    """The entity called NAME (or with that alias): its labels, aliases and profile (the
    value of each one-value relation now, or --as-of / --known-at a past time, and since
    when)."""
    with _memory(store) as mem:
        node = mem.entity(name, group_id=group_id)
        profile = mem.profile(name, group_id=group_id, as_of=as_of, known_at=known_at)
    if as_json:
        shown = node.model_dump(mode="json", exclude={"name_embedding"})
        _emit({"entity": shown, "profile": profile.to_json_dict()})
        return
    labels = f" ({', '.join(node.labels)})" if node.labels else ""
    click.echo(f"{node.name}{labels}")
    if node.aliases:
        click.echo(f"  aliases: {', '.join(node.aliases)}")
    if not profile.entries:
        click.echo("  (no one-value relation holds)")
    for entry in profile.entries:
        until = f" until {_date(entry.until)}" if entry.until is not None else ""
        click.echo(f"  {entry.relation:<16} {entry.value}  [since {_date(entry.since)}{until}]")


@cli.command()
@_store_option
@click.option("--group", "group_id", default=None, help="Only this group (default: all).")
@_json_option
def stats(store: str, group_id: str | None, as_json: bool) -> None:
    """Counts of episodes, entities, facts and current facts."""
    with _memory(store) as mem:
        counts = mem.stats(group_id)
    if as_json:
        _emit(counts.model_dump())
        return
    for key, value in counts.model_dump().items():
        click.echo(f"{key:>14}: {value}")


@cli.command()
@click.argument("query")
@_store_option
@_group_option
@click.option(
    "--max-tokens",
    default=1500,
    show_default=True,
    type=click.IntRange(50, 100_000),
    help="Token budget of the block (about 4 characters a token).",
)
@click.option("--as-of", default=None, help="Valid time (ISO-8601).")
@_speaker_option
def context(
    query: str, store: str, group_id: str, max_tokens: int, as_of: str | None, speaker: str | None
) -> None:
    """Print an agent-ready context block for QUERY within a token budget."""
    with _memory(store) as mem:
        _check_group_exists(mem, group_id, store)
        block = mem.context(
            query, max_tokens=max_tokens, group_id=group_id, as_of=as_of, speaker=speaker
        )
    click.echo(block)


@cli.command()
@click.argument("entity")
@_store_option
@_group_option
@click.option(
    "--depth", default=1, show_default=True, type=click.IntRange(1, 4), help="Hops to follow."
)
@click.option("--as-of", default=None, help="Valid time (ISO-8601).")
@click.option(
    "--max-facts-per-hop",
    default=DEFAULT_HOP_LIMIT,
    show_default=True,
    type=click.IntRange(1),
    help="Refuse (rather than cut) a hop holding more facts than this.",
)
@_json_option
def neighbors(
    entity: str,
    store: str,
    group_id: str,
    depth: int,
    as_of: str | None,
    max_facts_per_hop: int,
    as_json: bool,
) -> None:
    """Facts within DEPTH hops of ENTITY: all of them, or an error naming the limit."""
    with _memory(store) as mem:
        rows = mem.neighbors(
            entity,
            depth=depth,
            group_id=group_id,
            as_of=as_of,
            max_facts_per_hop=max_facts_per_hop,
        )
    if as_json:
        _emit([r.to_json_dict() for r in rows])
        return
    _print_facts(rows)


@cli.command()
@click.argument("source")
@click.argument("target")
@_store_option
@_group_option
@click.option(
    "--max-hops", default=3, show_default=True, type=click.IntRange(1, 6), help="Longest path."
)
@click.option("--as-of", default=None, help="Valid time (ISO-8601).")
@click.option(
    "--max-facts-per-hop",
    default=DEFAULT_HOP_LIMIT,
    show_default=True,
    type=click.IntRange(1),
    help="Refuse (rather than cut) a hop holding more facts than this.",
)
@_json_option
def paths(
    source: str,
    target: str,
    store: str,
    group_id: str,
    max_hops: int,
    as_of: str | None,
    max_facts_per_hop: int,
    as_json: bool,
) -> None:
    """Paths of facts linking SOURCE and TARGET: all of them, or an error naming the limit."""
    with _memory(store) as mem:
        found = mem.paths(
            source,
            target,
            max_hops=max_hops,
            group_id=group_id,
            as_of=as_of,
            max_facts_per_hop=max_facts_per_hop,
        )
    if as_json:
        _emit([[r.to_json_dict() for r in path] for path in found])
        return
    if not found:
        click.echo("  (no path)")
    for number, path in enumerate(found, 1):
        click.echo(f"path {number}:")
        _print_facts(path)


@cli.command()
@click.argument("entity")
@_store_option
@_group_option
@click.option("--relation", default=None, help="Only this relation.")
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Save the timeline as a picture (PNG, SVG or PDF by extension).",
)
@_json_option
def timeline(
    entity: str,
    store: str,
    group_id: str,
    relation: str | None,
    plot_path: Path | None,
    as_json: bool,
) -> None:
    """The timeline of ENTITY over valid time, as text, JSON or a plot (--plot FILE.png)."""
    with _memory(store) as mem:
        rows = mem.history(entity, relation=relation, group_id=group_id)
    if plot_path is not None:
        plot_timeline(rows, plot_path, title=f"Timeline of {entity}")
        if not as_json:
            click.echo(f"saved {plot_path}")
    if as_json:
        _emit([r.to_json_dict() for r in rows])
    elif plot_path is None:
        _print_facts(rows)


# -- direct facts ----------------------------------------------------------------------------


@cli.group()
def fact() -> None:
    """Assert, end or retract a fact directly (as an agent or an operator knows it), by the
    temporal rules of every extracted fact."""


def _print_change(report: Any, as_json: bool, what: str) -> None:
    if as_json:
        _emit(report.as_dict())
        return
    click.echo(
        f"{what}: {report.facts_added} facts added, {report.facts_revised} revised, "
        f"{report.facts_extended} extended, {report.facts_retracted} retracted"
        + ("" if report.episodes_added else " (already stated: nothing changed)")
    )


def _fact_arguments(func: F) -> F:
    for decorator in reversed(
        (
            click.argument("subject"),
            click.argument("relation"),
            click.argument("object_name", metavar="OBJECT"),
            _store_option,
            _group_option,
            click.option("--source", default=DIRECT_SOURCE, show_default=True, help="Source name."),
            click.option("--text", default=None, help="The statement as text (default: the fact)."),
            _json_option,
        )
    ):
        func = decorator(func)
    return func


@fact.command("add")
@_fact_arguments
@click.option("--valid-at", default=None, help="Holds from then (ISO-8601; default: now).")
def fact_add(
    subject: str,
    relation: str,
    object_name: str,
    store: str,
    group_id: str,
    source: str,
    text: str | None,
    as_json: bool,
    valid_at: str | None,
) -> None:
    """Assert SUBJECT RELATION OBJECT (e.g. Bob LIVES_IN Berlin): a new value of a
    functional relation ends the old one."""
    with _memory(store, create=True) as mem:
        report = mem.add_fact(
            subject,
            relation,
            object_name,
            valid_at=valid_at,
            group_id=group_id,
            source=source,
            text=text,
        )
    _print_change(report, as_json, "asserted")


@fact.command("end")
@_fact_arguments
@click.option("--at", "invalid_at", default=None, help="Ended then (ISO-8601; default: now).")
def fact_end(
    subject: str,
    relation: str,
    object_name: str,
    store: str,
    group_id: str,
    source: str,
    text: str | None,
    as_json: bool,
    invalid_at: str | None,
) -> None:
    """Say SUBJECT RELATION OBJECT stopped holding (--at): it stays in the history."""
    with _memory(store, writing=True) as mem:
        report = mem.invalidate_fact(
            subject,
            relation,
            object_name,
            invalid_at=invalid_at,
            group_id=group_id,
            source=source,
            text=text,
        )
    _print_change(report, as_json, "ended")


@fact.command("retract")
@_fact_arguments
def fact_retract(
    subject: str,
    relation: str,
    object_name: str,
    store: str,
    group_id: str,
    source: str,
    text: str | None,
    as_json: bool,
) -> None:
    """Say SUBJECT RELATION OBJECT was never true: its rows are expired in transaction
    time (--known-at before now still shows them)."""
    with _memory(store, writing=True) as mem:
        report = mem.retract_fact(
            subject, relation, object_name, group_id=group_id, source=source, text=text
        )
    _print_change(report, as_json, "retracted")


# -- erasure ---------------------------------------------------------------------------------


@cli.group()
def forget() -> None:
    """Erase an episode, everything about an entity, or a whole group (the right to be
    forgotten). Prints a receipt of counts, without the erased content."""


def _print_receipt(receipt: ErasureReceipt, as_json: bool) -> None:
    if as_json:
        _emit(receipt.as_dict())
        return
    click.echo(
        f"erased from group {receipt.group_id} at {receipt.erased_at.isoformat()}: "
        f"{receipt.episodes} episodes, {receipt.entities} entities, {receipt.facts} fact rows; "
        f"{receipt.facts_updated} fact rows kept without the erased provenance, "
        f"{receipt.entities_updated} entities kept without aliases from the erased text"
    )


@forget.command("episode")
@click.argument("episode")
@_store_option
@_group_option
@click.option("--source", default=None, help="The episode's source, if its id is not unique.")
@_json_option
def forget_episode(
    episode: str, store: str, group_id: str, source: str | None, as_json: bool
) -> None:
    """Erase EPISODE (a turn id or an episode uuid) and what only it supported."""
    with _memory(store, writing=True) as mem:
        receipt = mem.forget_episode(episode, group_id=group_id, source=source)
    _print_receipt(receipt, as_json)


@forget.command("entity")
@click.argument("name")
@_store_option
@_group_option
@_json_option
def forget_entity(name: str, store: str, group_id: str, as_json: bool) -> None:
    """Erase everything about NAME: the entity, its facts, and the episodes about it."""
    with _memory(store, writing=True) as mem:
        receipt = mem.forget_entity(name, group_id=group_id)
    _print_receipt(receipt, as_json)


@forget.command("group")
@click.argument("group")
@_store_option
@_json_option
def forget_group(group: str, store: str, as_json: bool) -> None:
    """Erase the whole group GROUP and its settings; other groups are untouched."""
    with _memory(store, writing=True) as mem:
        if group not in mem.groups():
            _check_group_exists(mem, group, store)
        receipt = mem.forget_group(group)
    _print_receipt(receipt, as_json)


@cli.command()
@_store_option
@_json_option
def groups(store: str, as_json: bool) -> None:
    """List the groups (tenants) of a memory with their counts."""
    with _memory(store) as mem:
        rows = [
            {
                "group": g,
                **mem.stats(g).model_dump(exclude={"groups"}),
                "incomplete_copy": mem.incomplete_copy(g) is not None,
            }
            for g in mem.groups()
        ]
    if as_json:
        _emit(rows)
        return
    if not rows:
        click.echo("  (no groups: the memory is empty)")
    for row in rows:
        click.echo(
            f"  {row['group']}: {row['episodes']} episodes, {row['entities']} entities, "
            f"{row['facts']} fact rows ({row['current_facts']} current)"
            + ("  INCOMPLETE COPY: run the export again" if row["incomplete_copy"] else "")
        )


@cli.command()
@_store_option
@_json_option
def reindex(store: str, as_json: bool) -> None:
    """Rebuild a Neo4j store's vector indexes from the stored vectors, with chronomem's
    settings: for indexes an older chronomem or another tool built (quantized ones lose near
    vectors; opening the store warns of them), or after a bulk load with the indexes dropped.
    Takes minutes at a million rows; vector searches of large groups fail while it runs."""
    if not is_neo4j_uri(store):
        raise InputError(
            f"reindex rebuilds the vector indexes of a Neo4j store (a neo4j:// or bolt:// URI); "
            f"{store!r} is an embedded memory, whose vector search needs no rebuild"
        )
    from chronomem.engine.store.neo4j import Neo4jStore  # the driver only when it is used

    with _memory(store, writing=True) as mem:
        neo4j = mem.store
        if not isinstance(neo4j, Neo4jStore):  # pragma: no cover - a Neo4j URI opens one
            raise InputError(f"{store!r} did not open a Neo4j store")
        started = time.perf_counter()
        with percent_bar("building the vector indexes", not as_json) as built:
            neo4j.rebuild_vector_indexes(built)
        seconds = round(time.perf_counter() - started, 1)
    if as_json:
        _emit({"store": store, "seconds": seconds})
        return
    click.echo(f"rebuilt the vector indexes of {store} in {seconds} s")


@cli.command()
@_store_option
@click.option(
    "--to",
    "target",
    required=True,
    help="Destination: a neo4j:// or bolt:// URI, or another memory directory.",
)
@click.option("--group", "group_id", default=None, help="Only this group (default: all).")
@click.option(
    "--reembed",
    is_flag=True,
    help="Compute the episodes' vectors again on the way, as this version embeds turns "
    "(for a memory built by an older version).",
)
@_json_option
def export(store: str, target: str, group_id: str | None, reembed: bool, as_json: bool) -> None:
    """Copy a memory into another store (e.g. an embedded memory into Neo4j), with every
    fact row's validity and transaction times, so the copy answers as-of queries alike."""
    with _memory(store, destination=target) as mem:
        stats = mem.stats(group_id)
        total = stats.facts + (stats.episodes if reembed else 0)
        with count_bar(total, "export", not as_json, unit="row") as update:
            counts = mem.export(target, group_id=group_id, reembed=reembed, progress=update)
    if as_json:
        _emit({"to": target, **counts})
        return
    click.echo(
        f"copied {counts['groups']} groups: {counts['episodes']} episodes, "
        f"{counts['entities']} entities, {counts['facts']} fact rows -> {target}"
    )


@cli.group()
def bench() -> None:
    """Benchmarks: LoCoMo evidence recall, ingest rate and search latency."""


@bench.command("locomo")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--limit",
    "limit_conversations",
    type=click.IntRange(1),
    default=None,
    help="Only the first N conversations.",
)
@click.option(
    "--recipe", default=DEFAULT_RECIPE.name, show_default=True, help="Search recipe name."
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Save recall@k per category against the baselines as a picture.",
)
@_json_option
def bench_locomo(
    file: Path,
    limit_conversations: int | None,
    recipe: str,
    plot_path: Path | None,
    as_json: bool,
) -> None:
    """Ingest each LoCoMo conversation into a fresh memory, ask the questions of categories
    1-4 and report evidence recall@k, ingest rate, search latency and two baselines."""

    def say(message: str) -> None:
        if not as_json:
            click.echo(message, err=True)

    result = run_locomo(file, limit_conversations=limit_conversations, recipe=recipe, progress=say)
    if plot_path is not None:
        plot_recall(result, plot_path)
        say(f"saved {plot_path}")
    if as_json:
        _emit(result)
        return

    def row(values: dict[str, float]) -> str:
        return "  ".join(f"@{k} {v:.3f}" for k, v in values.items())

    click.echo("evidence recall@k, k-turn budget: " + row(result["recall_turn_budget"]))
    for category, values in result["by_category_turn_budget"].items():
        click.echo(f"  category {category}: " + row(values))
    click.echo("evidence recall@k, every turn behind the top k: " + row(result["recall"]))
    for category, values in result["by_category"].items():
        click.echo(f"  category {category}: " + row(values))
    turns = "  ".join(f"@{k} {v:.1f}" for k, v in result["turns_behind"].items())
    click.echo(f"turns behind the top k: {turns}")
    click.echo("session recall@k: " + row(result["recall_session"]))
    for name, baseline in result["baselines"].items():
        click.echo(
            f"baseline {name}: {row(baseline['recall'])}  (sessions: "
            f"{row(baseline['recall_session'])})"
        )
    ingest_stats, search_stats = result["ingest"], result["search"]
    click.echo(
        f"ingest: {ingest_stats['turns']} turns in {ingest_stats['seconds']:.1f} s "
        f"({ingest_stats['turns_per_second']:.0f} turns/s); search: {search_stats['queries']} "
        f"queries, p50 {search_stats['p50_ms']:.1f} ms, p95 {search_stats['p95_ms']:.1f} ms"
    )


# -- serve and keys ----------------------------------------------------------------------------

DEFAULT_PORT = 8765


def _keys_option(func: F) -> F:
    return click.option(
        "--keys",
        "keys_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The API keys file (default: keys.json in the memory directory, or "
        ".chronomem/keys.json for a Neo4j store).",
    )(func)


def _key_ring(store: str, keys_path: Path | None) -> KeyRing:
    return KeyRing(keys_path or default_keys_path(store))


@cli.command()
@_store_option
@_keys_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--no-auth",
    is_flag=True,
    help="Check no API key (every request may use every group); localhost only, for development.",
)
@click.option(
    "--rate-limit",
    default=50.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Requests a second allowed per key (0: no limit); beyond it, 429.",
)
@click.option(
    "--max-body-bytes",
    default=16 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1024),
    help="Largest request body accepted; beyond it, 413.",
)
@click.option(
    "--mcp-stdio",
    is_flag=True,
    help="Also serve the MCP tools on stdin/stdout (for a desktop agent that starts this "
    "command), acting for the key in CHRONOMEM_API_KEY.",
)
@click.option(
    "--read-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds a read may take before it is answered with 504 (0: no limit).",
)
@click.option("--no-http", is_flag=True, help="With --mcp-stdio: serve stdio only, no HTTP port.")
def serve(
    store: str,
    keys_path: Path | None,
    host: str,
    port: int,
    no_auth: bool,
    rate_limit: float,
    max_body_bytes: int,
    mcp_stdio: bool,
    read_timeout: float,
    no_http: bool,
) -> None:
    """Serve a memory over HTTP (JSON API, OpenAPI at /docs) and MCP (streamable HTTP at
    /mcp; stdio with --mcp-stdio). Every request needs an API key allowed its group (see
    `chronomem keys create`)."""
    # the web stack loads only for this command
    from chronomem.server.api import ServerSettings
    from chronomem.server.run import check_no_auth, stdio_principal
    from chronomem.server.run import serve as serve_memory

    if no_http and not mcp_stdio:
        raise InputError("--no-http leaves nothing to serve; add --mcp-stdio or drop --no-http")
    if no_auth:
        check_no_auth(host)
    keys = None if no_auth else _key_ring(store, keys_path)
    stdio = stdio_principal(keys, api_key_from_env()) if mcp_stdio else None
    settings = ServerSettings(
        max_body_bytes=max_body_bytes,
        rate_limit=rate_limit or None,
        read_timeout=read_timeout or None,
        host=host,
        port=port,
    )
    memory = Memory.open(store, config=_config(store))
    serve_memory(memory, keys=keys, settings=settings, http=not no_http, mcp_stdio=stdio)


@cli.group()
def keys() -> None:
    """API keys of `chronomem serve`: each allowed a set of groups, or every group (admin)."""


@keys.command("create")
@_store_only_option
@_keys_option
@click.option("--name", required=True, help="What the key is for (shown in `keys list`).")
@click.option(
    "--group", "groups", multiple=True, help="A group the key may use (repeat for several)."
)
@click.option("--admin", is_flag=True, help="The key may use every group.")
@_json_option
def keys_create(
    store: str,
    keys_path: Path | None,
    name: str,
    groups: tuple[str, ...],
    admin: bool,
    as_json: bool,
) -> None:
    """Create a key and print it (only now: the file keeps its hash). A running server
    accepts it at its next request."""
    ring = _key_ring(store, keys_path)
    record, presented = ring.create(name, groups=groups, admin=admin)
    if as_json:
        _emit({"id": record.id, "key": presented, "groups": record.groups, "admin": admin})
        return
    scope = "every group" if admin else ", ".join(record.groups)
    click.echo(f"key {record.id} ({name}) for {scope}, in {ring.path}:")
    click.echo(presented)
    click.echo("Keep it now: it is not stored and cannot be shown again.", err=True)


@keys.command("list")
@_store_only_option
@_keys_option
@_json_option
def keys_list(store: str, keys_path: Path | None, as_json: bool) -> None:
    """The keys (ids, names, groups, revocation), never the keys themselves."""
    rows = _key_ring(store, keys_path).summary()
    if as_json:
        _emit(rows)
        return
    if not rows:
        click.echo("  (no keys)")
    for row in rows:
        groups = row["groups"]
        scope = "admin" if row["admin"] else ", ".join(groups if isinstance(groups, list) else [])
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "live"
        click.echo(f"  {row['id']}  {row['name']}  [{scope}]  {state}")


@keys.command("revoke")
@click.argument("key_id")
@_store_only_option
@_keys_option
def keys_revoke(key_id: str, store: str, keys_path: Path | None) -> None:
    """Revoke key KEY_ID: a running server refuses it from its next request."""
    record = _key_ring(store, keys_path).revoke(key_id)
    click.echo(f"revoked {record.id} ({record.name})")


def main() -> None:
    """Entry point: run the CLI, turning chronomem errors into one clear line."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except InputError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except ChronomemError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
