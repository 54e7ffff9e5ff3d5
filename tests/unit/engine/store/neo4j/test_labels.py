"""Entity labels become node labels only from the allow-list; any label survives as data."""

from __future__ import annotations

import pytest

from chronomem.engine.store.neo4j import Neo4jStore
from chronomem.engine.store.protocol import WriteBatch
from chronomem.schema import Entity

pytestmark = pytest.mark.neo4j

HOSTILE = "Person`) DETACH DELETE n //"


def node_labels(store: Neo4jStore, uuid: str) -> set[str]:
    records = (
        store._live_driver()
        .execute_query("MATCH (n:Entity {uuid: $uuid}) RETURN labels(n) AS labels", uuid=uuid)
        .records
    )
    return set(records[0]["labels"])


def test_hostile_label_is_only_data(store: Neo4jStore, group: str) -> None:
    entity = Entity(group_id=group, name="Mallory", labels=[HOSTILE, "Hacker", "Person"])
    store.write(WriteBatch(entities=[entity]))
    assert node_labels(store, entity.uuid) == {"Entity", "Person"}
    [stored] = store.get_entities(group, [entity.uuid])
    assert stored.labels == [HOSTILE, "Hacker", "Person"]
    assert store.find_entities(group, labels=[HOSTILE]) == [stored]
    all_labels = {
        r["label"]
        for r in store._live_driver()
        .execute_query("CALL db.labels() YIELD label RETURN label")
        .records
    }
    assert HOSTILE not in all_labels
    assert "Hacker" not in all_labels


def test_relabelling_replaces_node_labels(store: Neo4jStore, group: str) -> None:
    entity = Entity(group_id=group, name="Paris", labels=["Person"])
    store.write(WriteBatch(entities=[entity]))
    entity.labels = ["Place", "Concept"]
    store.write(WriteBatch(entities=[entity]))
    assert node_labels(store, entity.uuid) == {"Entity", "Place", "Concept"}
    [stored] = store.get_entities(group, [entity.uuid])
    assert stored.labels == ["Place", "Concept"]
