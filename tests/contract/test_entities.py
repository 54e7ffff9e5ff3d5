"""Entity lookup by name, alias, case, spacing and label."""

from __future__ import annotations

from chronomem.engine.store import GraphStore
from chronomem.schema import Entity, name_key
from tests.contract.samples import batch, entity


def _names(found: list[Entity]) -> set[str]:
    return {e.name for e in found}


def test_find_by_name_ignores_case_and_spacing(store: GraphStore, group: str) -> None:
    store.write(batch(entity(group, "Acme Corp"), entity(group, "Alice")))

    assert _names(store.find_entities(group, ["acme corp"])) == {"Acme Corp"}
    assert _names(store.find_entities(group, ["  ACME   corp "])) == {"Acme Corp"}
    assert _names(store.find_entities(group, ["Acme"])) == set()


def test_find_by_name_folds_width_ligatures_and_odd_spaces(store: GraphStore, group: str) -> None:
    finn = entity(group, "Finn Smith", aliases=["Ｓｍｉｔｔｙ"])
    store.write(batch(finn, entity(group, "Alice")))

    for asked in ("ﬁnn\u00a0SMITH", "\u3000Ｆｉｎｎ\tsmith ", "smitty"):
        assert _names(store.find_entities(group, [asked])) == {"Finn Smith"}, asked
        assert name_key(asked) in {name_key("Finn Smith"), name_key("Ｓｍｉｔｔｙ")}


def test_find_by_alias(store: GraphStore, group: str) -> None:
    store.write(batch(entity(group, "Robert Smith", aliases=["Bob", "Bobby S."])))

    assert _names(store.find_entities(group, ["bob"])) == {"Robert Smith"}
    assert _names(store.find_entities(group, ["BOBBY S."])) == {"Robert Smith"}


def test_find_several_names_returns_each_entity_once(store: GraphStore, group: str) -> None:
    store.write(batch(entity(group, "Robert", aliases=["Bob"]), entity(group, "Alice")))

    found = store.find_entities(group, ["Robert", "bob", "alice", "nobody"])
    assert sorted(e.name for e in found) == ["Alice", "Robert"]


def test_find_by_label(store: GraphStore, group: str) -> None:
    store.write(
        batch(
            entity(group, "Paris", labels=["Place"]),
            entity(group, "Alice", labels=["Person"]),
            entity(group, "Acme", labels=["Organization", "Customer"]),
        )
    )

    assert _names(store.find_entities(group, labels=["Person"])) == {"Alice"}
    assert _names(store.find_entities(group, labels=["Customer", "Place"])) == {"Acme", "Paris"}
    assert _names(store.find_entities(group, ["paris", "alice"], labels=["Place"])) == {"Paris"}
    assert store.find_entities(group, labels=["Event"]) == []


def test_all_entities_of_a_group(store: GraphStore, group: str) -> None:
    store.write(batch(entity(group, "A"), entity(group, "B"), entity(group, "C")))

    assert _names(store.find_entities(group)) == {"A", "B", "C"}
    assert store.find_entities(group, []) == []
