"""Smoke test for a running Neo4j: Bolt, vector and full-text indexes.

Usage: python tools/neo4j-local/smoke.py [bolt-uri]   (default bolt://127.0.0.1:7687)

Creates its own labels/indexes (prefixed ``NeoLocalSmoke``), queries them, then drops
everything it created. Exits non-zero on any failure.
"""

from __future__ import annotations

import math
import sys
import time

from neo4j import GraphDatabase, Session

DIMS = 384
PREFIX = "neo_local_smoke"


def unit_vector(seed: int) -> list[float]:
    raw = [math.sin(seed * 0.37 + i * 0.11) + 0.01 * seed for i in range(DIMS)]
    norm = math.sqrt(sum(x * x for x in raw))
    return [x / norm for x in raw]


def await_online(session: Session, names: list[str]) -> None:
    session.run("CALL db.awaitIndexes(60)").consume()
    states = {r["name"]: r["state"] for r in session.run("SHOW INDEXES YIELD name, state")}
    for name in names:
        if states.get(name) != "ONLINE":
            raise SystemExit(f"index {name} not online: {states.get(name)}")


def main() -> None:
    uri = sys.argv[1] if len(sys.argv) > 1 else "bolt://127.0.0.1:7687"
    t0 = time.monotonic()
    with GraphDatabase.driver(uri, auth=None) as driver:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query("RETURN 1 AS one")
        assert records[0]["one"] == 1
        print(f"RETURN 1 ok ({driver.get_server_info().agent})")

        with driver.session() as s:
            idx = {
                "node_vec": f"{PREFIX}_node_vec",
                "rel_vec": f"{PREFIX}_rel_vec",
                "node_ft": f"{PREFIX}_node_ft",
                "rel_ft": f"{PREFIX}_rel_ft",
            }
            s.run(
                f"CREATE VECTOR INDEX {idx['node_vec']} IF NOT EXISTS "
                "FOR (n:NeoLocalSmokeEntity) ON n.name_embedding "
                "OPTIONS {indexConfig: {`vector.dimensions`: $dims, "
                "`vector.similarity_function`: 'cosine'}}",
                dims=DIMS,
            ).consume()
            s.run(
                f"CREATE VECTOR INDEX {idx['rel_vec']} IF NOT EXISTS "
                "FOR ()-[r:NEO_LOCAL_SMOKE_RELATES_TO]-() ON r.fact_embedding "
                "OPTIONS {indexConfig: {`vector.dimensions`: $dims, "
                "`vector.similarity_function`: 'cosine'}}",
                dims=DIMS,
            ).consume()
            s.run(
                f"CREATE FULLTEXT INDEX {idx['node_ft']} IF NOT EXISTS "
                "FOR (n:NeoLocalSmokeEntity) ON EACH [n.name, n.summary]"
            ).consume()
            s.run(
                f"CREATE FULLTEXT INDEX {idx['rel_ft']} IF NOT EXISTS "
                "FOR ()-[r:NEO_LOCAL_SMOKE_RELATES_TO]-() ON EACH [r.name, r.fact]"
            ).consume()
            await_online(s, list(idx.values()))
            print("indexes online:", ", ".join(idx.values()))

            s.run(
                "UNWIND range(0, 9) AS i "
                "CREATE (:NeoLocalSmokeEntity {uuid: 'e' + i, name: 'entity ' + i, "
                "summary: CASE i WHEN 3 THEN 'alice works at acme' ELSE 'nobody' END, "
                "name_embedding: $vecs[i]})",
                vecs=[unit_vector(i) for i in range(10)],
            ).consume()
            s.run(
                "UNWIND range(0, 8) AS i "
                "MATCH (a:NeoLocalSmokeEntity {uuid: 'e' + i}), "
                "(b:NeoLocalSmokeEntity {uuid: 'e' + (i + 1)}) "
                "CREATE (a)-[:NEO_LOCAL_SMOKE_RELATES_TO {uuid: 'f' + i, name: 'KNOWS', "
                "fact: CASE i WHEN 5 THEN 'bob met carol in paris' ELSE 'filler' END, "
                "fact_embedding: $vecs[i]}]->(b)",
                vecs=[unit_vector(100 + i) for i in range(9)],
            ).consume()

            row = s.run(
                "CALL db.index.vector.queryNodes($idx, 3, $q) YIELD node, score "
                "RETURN collect(node.uuid) AS ids, collect(score) AS scores",
                idx=idx["node_vec"],
                q=unit_vector(4),
            ).single(strict=True)
            assert row["ids"][0] == "e4", row
            print("vector queryNodes:", row["ids"], [round(x, 4) for x in row["scores"]])

            row = s.run(
                "CALL db.index.vector.queryRelationships($idx, 3, $q) "
                "YIELD relationship, score "
                "RETURN collect(relationship.uuid) AS ids, collect(score) AS scores",
                idx=idx["rel_vec"],
                q=unit_vector(107),
            ).single(strict=True)
            assert row["ids"][0] == "f7", row
            print("vector queryRelationships:", row["ids"], [round(x, 4) for x in row["scores"]])

            row = s.run(
                "CALL db.index.fulltext.queryNodes($idx, 'acme') YIELD node, score "
                "RETURN collect(node.uuid) AS ids",
                idx=idx["node_ft"],
            ).single(strict=True)
            assert row["ids"] == ["e3"], row
            print("fulltext queryNodes:", row["ids"])

            row = s.run(
                "CALL db.index.fulltext.queryRelationships($idx, 'paris') "
                "YIELD relationship, score RETURN collect(relationship.uuid) AS ids",
                idx=idx["rel_ft"],
            ).single(strict=True)
            assert row["ids"] == ["f5"], row
            print("fulltext queryRelationships:", row["ids"])

            s.run("MATCH (n:NeoLocalSmokeEntity) DETACH DELETE n").consume()
            for name in idx.values():
                s.run(f"DROP INDEX {name} IF EXISTS").consume()
    print(f"smoke test passed in {time.monotonic() - t0:.1f}s")


if __name__ == "__main__":
    main()
