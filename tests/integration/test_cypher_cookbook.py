"""Every Cypher block of docs/cypher.md runs on the demo dialogue stored in a real Neo4j.

The blocks are parsed from the document (with their ``:param`` lines, evaluated by the server
as Neo4j Browser does), so a query added to the cookbook later is executed here automatically.
The demo is loaded under a fresh ``group_id`` that replaces the document's ``'demo'``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from chronomem.demo import DEMO_TURNS
from chronomem.engine.embed import HashingEmbedder
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory
from chronomem.schema import utcnow

if TYPE_CHECKING:
    from neo4j import Driver

pytestmark = pytest.mark.neo4j

DOC = Path(__file__).resolve().parents[2] / "docs" / "cypher.md"

_BLOCK = re.compile(r"^```cypher[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^#{2,4} (.+)$", re.MULTILINE)
_PARAM = re.compile(r"^:param\s+([A-Za-z_][A-Za-z0-9_]*)\s*=>\s*(.+?);?\s*$")


@dataclass(frozen=True)
class CookbookQuery:
    """One ```cypher block: the heading above it, its ``:param`` expressions and its query."""

    title: str
    query: str
    params: dict[str, str] = field(default_factory=dict)  # name -> Cypher expression


def parse_cookbook(text: str) -> list[CookbookQuery]:
    """The Cypher blocks of ``text`` in order; a block's title is the nearest heading above."""
    headings = [(m.start(), m.group(1).strip()) for m in _HEADING.finditer(text)]
    queries: list[CookbookQuery] = []
    for match in _BLOCK.finditer(text):
        title = next((h for pos, h in reversed(headings) if pos < match.start()), "")
        params: dict[str, str] = {}
        body: list[str] = []
        for line in match.group(1).splitlines():
            param = _PARAM.match(line.strip())
            if param:
                params[param.group(1)] = param.group(2)
            elif line.strip().startswith(":"):
                raise AssertionError(f"{title}: unsupported Browser command {line.strip()!r}")
            else:
                body.append(line)
        query = "\n".join(body).strip().removesuffix(";").strip()
        assert ";" not in query, f"{title}: one query per block"
        queries.append(CookbookQuery(title=title, query=query, params=params))
    return queries


COOKBOOK = parse_cookbook(DOC.read_text(encoding="utf-8"))
BY_TITLE = {q.title: q for q in COOKBOOK}


@dataclass(frozen=True)
class DemoGraph:
    group_id: str
    between_sessions: datetime  # a transaction time after session S1 and before S2


@pytest.fixture(scope="module")
def demo_graph(neo4j_uri: str, spacy_extractor: Extractor, neo4j_driver: Driver) -> DemoGraph:
    """The demo dialogue, one session per call (as docs/cypher.md loads it), in a new group."""
    group_id = f"cookbook-{time.time_ns():x}"
    with Memory.open(neo4j_uri, embedder=HashingEmbedder(), extractor=spacy_extractor) as mem:
        mem.add_dialogue(
            [t for t in DEMO_TURNS if t["session"] == "S1"], group_id=group_id, source="demo"
        )
        between = utcnow()
        time.sleep(0.01)
        mem.add_dialogue(
            [t for t in DEMO_TURNS if t["session"] == "S2"], group_id=group_id, source="demo"
        )
    return DemoGraph(group_id=group_id, between_sessions=between)


def _params(driver: Driver, query: CookbookQuery, group_id: str) -> dict[str, Any]:
    """The block's parameters as Browser sets them (each expression evaluated by the server),
    with the test's group, and ``k`` large enough for a shared database's vector indexes."""
    values: dict[str, Any] = {}
    for name, expression in query.params.items():
        records, _, _ = driver.execute_query(f"RETURN {expression} AS value")
        values[name] = records[0]["value"]
    if "group_id" in values:
        values["group_id"] = group_id
    if "k" in values:  # the index spans every group of the (shared) test database
        records, _, _ = driver.execute_query(
            "MATCH ()-[r:RELATES_TO]->() RETURN count(r) AS facts "
            "UNION ALL MATCH (n:Entity) RETURN count(n) AS facts"
        )
        values["k"] = max(values["k"], *(r["facts"] for r in records))
    return values


def _run(driver: Driver, title: str, group_id: str, **overrides: Any) -> list[dict[str, Any]]:
    query = BY_TITLE[title]
    params = _params(driver, query, group_id) | overrides
    records, _, _ = driver.execute_query(query.query, params)
    return [r.data() for r in records]


def test_cookbook_has_the_documented_recipes() -> None:
    wanted = {
        "An entity's timeline",
        "Facts valid at a date (as-of)",
        "What the memory believed at a time (known-at)",
        "What changed between two dates",
        "Shortest path between two entities, as of a date",
        "All paths up to three hops, as of a date",
        "Provenance of a fact",
        "Facts drawn from a turn",
        "The most connected entities",
        "Full-text search over facts",
        "Vector search: facts close to a fact",
        "Current facts of a group",
    }
    assert wanted <= set(BY_TITLE), sorted(wanted - set(BY_TITLE))
    assert len(BY_TITLE) == len(COOKBOOK), "two cypher blocks share a heading"
    for query in COOKBOOK:
        if "$group_id" in query.query:
            assert query.params.get("group_id") == "'demo'", query.title


@pytest.mark.parametrize("query", COOKBOOK, ids=[q.title for q in COOKBOOK])
def test_cookbook_query_returns_rows(
    query: CookbookQuery, demo_graph: DemoGraph, neo4j_driver: Driver
) -> None:
    missing = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", query.query)) - set(query.params)
    assert not missing, f"{query.title}: no :param line for {sorted(missing)}"
    rows = _run(neo4j_driver, query.title, demo_graph.group_id)
    assert rows, f"{query.title} returned no rows on the demo graph"


def test_timeline_shows_paris_ending_when_berlin_starts(
    demo_graph: DemoGraph, neo4j_driver: Driver
) -> None:
    rows = _run(neo4j_driver, "An entity's timeline", demo_graph.group_id)
    homes = [r for r in rows if r["relation"] == "LIVES_IN" and r["subject"] == "Alice"]
    assert [r["object"] for r in homes] == ["Paris", "Berlin"]
    paris, berlin = homes
    assert paris["until"] is not None
    assert paris["until"] == berlin["from"]
    assert berlin["until"] is None


def test_as_of_march_2023_gives_paris(demo_graph: DemoGraph, neo4j_driver: Driver) -> None:
    rows = _run(neo4j_driver, "Facts valid at a date (as-of)", demo_graph.group_id)
    alice = {(r["relation"], r["object"]) for r in rows if r["subject"] == "Alice"}
    assert ("LIVES_IN", "Paris") in alice
    assert ("WORKS_AT", "Acme") in alice
    assert ("LIVES_IN", "Berlin") not in alice


def test_known_at_between_sessions_gives_the_old_belief(
    demo_graph: DemoGraph, neo4j_driver: Driver
) -> None:
    title = "What the memory believed at a time (known-at)"
    then = _run(neo4j_driver, title, demo_graph.group_id, known_at=demo_graph.between_sessions)
    alice_then = [r for r in then if r["subject"] == "Alice"]
    homes = [(r["object"], r["until"]) for r in alice_then if r["relation"] == "LIVES_IN"]
    assert homes == [("Paris", None)]  # not yet known to have ended, Berlin not yet known
    now = _run(neo4j_driver, title, demo_graph.group_id)
    homes_now = {
        r["object"]: r["until"]
        for r in now
        if r["subject"] == "Alice" and r["relation"] == "LIVES_IN"
    }
    assert homes_now["Paris"] is not None
    assert homes_now["Berlin"] is None


def test_changes_between_april_and_august_2023(demo_graph: DemoGraph, neo4j_driver: Driver) -> None:
    rows = _run(neo4j_driver, "What changed between two dates", demo_graph.group_id)
    changes = [(r["change"], r["relation"], r["object"]) for r in rows if r["subject"] == "Alice"]
    assert changes == [
        ("ended", "WORKS_AT", "Acme"),
        ("ended", "LIVES_IN", "Paris"),
        ("started", "LIVES_IN", "Berlin"),
        # "I work at Acme as a data engineer": the title said with the job ends with it
        # (the vocabulary's `follows`, docs/temporal.md)
        ("ended", "HAS_JOB_TITLE", "data engineer"),
        ("started", "WORKS_AT", "Globex"),
    ]


def test_paths_depend_on_the_date(demo_graph: DemoGraph, neo4j_driver: Driver) -> None:
    group = demo_graph.group_id
    (shortest,) = _run(neo4j_driver, "Shortest path between two entities, as of a date", group)
    assert shortest["entities"] == ["Emma", "Alice", "Globex"]
    paths = _run(neo4j_driver, "All paths up to three hops, as of a date", group)
    assert ["Bob", "Berlin", "Alice"] in [p["entities"] for p in paths]
    march = datetime.fromisoformat("2023-03-01T00:00:00+00:00")
    for title in (
        "All paths up to three hops, as of a date",
        "Shortest paths with the filter inside the pattern",
    ):
        before = _run(neo4j_driver, title, group, as_of=march)
        assert ["Bob", "Berlin", "Alice"] not in [p["entities"] for p in before], title


def test_provenance_lists_the_turns(demo_graph: DemoGraph, neo4j_driver: Driver) -> None:
    rows = _run(neo4j_driver, "Provenance of a fact", demo_graph.group_id)
    assert [r["turn"] for r in rows] == ["S1:3", "S2:3"]
    assert all(r["speaker"] == "Alice" for r in rows)
    assert "quit Acme" in rows[1]["said"]


def test_facts_drawn_from_a_turn(demo_graph: DemoGraph, neo4j_driver: Driver) -> None:
    rows = _run(neo4j_driver, "Facts drawn from a turn", demo_graph.group_id)
    assert {r["said"] for r in rows} == {"No, I quit Acme in May. I work at Globex now."}
    jobs = {(r["subject"], r["relation"], r["object"]) for r in rows}
    assert ("Alice", "WORKS_AT", "Globex") in jobs
    assert ("Alice", "WORKS_AT", "Acme") in jobs


def test_the_editing_recipe_renews_the_entity_revision(
    demo_graph: DemoGraph, neo4j_driver: Driver
) -> None:
    group = demo_graph.group_id
    key = f"entity_revision:{group}"
    before = neo4j_driver.execute_query(
        "MATCH (m:ChronomemMeta {key: $key}) RETURN m.value AS v", key=key
    ).records[0]["v"]
    rows = _run(neo4j_driver, "After editing entities by hand", group)
    assert rows[0]["key"] == key
    assert rows[0]["revision"] != before


def test_fuzzy_entity_search_finds_misspelt_names(
    demo_graph: DemoGraph, neo4j_driver: Driver
) -> None:
    title = "Full-text search over entity names, fuzzily"
    names = {r["entity"] for r in _run(neo4j_driver, title, demo_graph.group_id)}
    assert {"Alice", "Berlin"} <= names


def test_group_filter_keeps_other_memories_out(demo_graph: DemoGraph, neo4j_driver: Driver) -> None:
    other = f"{demo_graph.group_id}-empty"
    for query in COOKBOOK:
        writes = re.search(r"\b(MERGE|SET|CREATE|DELETE)\b", query.query)
        if "$group_id" in query.query and not writes:
            assert not _run(neo4j_driver, query.title, other), query.title


def test_versions_of_a_fact_show_the_retired_belief(
    demo_graph: DemoGraph, neo4j_driver: Driver
) -> None:
    rows = _run(neo4j_driver, "Every version of one fact", demo_graph.group_id)
    assert [(r["until"] is None, r["retired"] is None) for r in rows] == [
        (True, False),  # first session: open-ended, retired by the second
        (False, True),  # second session: closed on the move to Berlin, still believed
    ]
