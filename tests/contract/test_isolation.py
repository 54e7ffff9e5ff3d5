"""Group isolation: no read for group A ever returns anything of group B."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from chronomem.engine.store import FactFilter, GraphStore, TextTarget, VectorTarget, WriteBatch
from chronomem.errors import IntegrityError
from chronomem.schema import Entity, Episode, Fact
from tests.contract.samples import angled, entity, episode, fact, query


@dataclass
class World:
    episodes: list[Episode]
    entities: list[Entity]
    facts: list[Fact]

    def uuids(self) -> set[str]:
        return (
            {e.uuid for e in self.episodes}
            | {e.uuid for e in self.entities}
            | {f.uuid for f in self.facts}
        )


def build(store: GraphStore, group: str, tag: str) -> World:
    """The same names, texts and vectors in every group (only uuids and source ids differ)."""
    alice = entity(group, "Alice", labels=["Person"], aliases=["Ally"], name_embedding=angled(0))
    acme = entity(group, "Acme", labels=["Organization"], name_embedding=angled(20))
    works = fact(group, alice, acme, "Alice works at Acme", "WORKS_AT", fact_embedding=angled(0))
    ep = episode(group, "Alice said she works at Acme", source="chat", source_id=f"{tag}-1")
    store.write(
        WriteBatch(
            episodes=[ep], entities=[alice, acme], facts=[works], mentions=[(ep.uuid, alice.uuid)]
        )
    )
    return World([ep], [alice, acme], [works])


@pytest.fixture
def worlds(store: GraphStore, group: str, other_group: str) -> tuple[World, World]:
    return build(store, group, "a"), build(store, other_group, "b")


def test_every_read_stays_in_its_group(
    store: GraphStore, group: str, worlds: tuple[World, World]
) -> None:
    mine, theirs = worlds
    foreign = theirs.uuids()
    everything = list(mine.uuids() | foreign)
    seen: set[str] = set()

    seen |= {e.uuid for e in store.get_episodes(group, everything)}
    seen |= {e.uuid for e in store.get_entities(group, everything)}
    seen |= {f.uuid for f in store.get_facts(group, everything)}
    seen |= {e.uuid for e in store.find_entities(group, ["Alice", "Acme", "Ally"])}
    seen |= {e.uuid for e in store.find_entities(group)}
    seen |= {e.uuid for e in store.find_entities(group, labels=["Person", "Organization"])}
    seen |= {f.uuid for f in store.list_facts(group, FactFilter())}
    seen |= {f.uuid for f in store.list_facts(group, FactFilter(subject_uuids=tuple(everything)))}
    seen |= {f.uuid for f in store.neighbors(group, everything, FactFilter())}
    targets: tuple[TextTarget, ...] = ("fact", "entity", "episode")
    vtargets: tuple[VectorTarget, ...] = ("fact", "entity")
    for target in targets:
        seen |= {u for u, _ in store.fulltext(group, "Alice Acme works", target, 50, FactFilter())}
    for vtarget in vtargets:
        seen |= {u for u, _ in store.vector(group, query(angled(0)), vtarget, 50, FactFilter())}
    mentions = store.mentions(group, everything)
    seen |= set(mentions) | {e for ents in mentions.values() for e in ents}

    assert seen == mine.uuids()
    assert not seen & foreign
    assert store.known_sources(group, "chat", ["a-1", "b-1"]) == {"a-1"}
    assert store.stats(group).facts == 1
    assert store.stats(group).entities == 2


def test_a_fact_cannot_link_entities_of_another_group(
    store: GraphStore, group: str, worlds: tuple[World, World]
) -> None:
    mine, theirs = worlds
    crossing = fact(group, mine.entities[0], theirs.entities[1], "Alice works at their Acme")
    with pytest.raises(IntegrityError):
        store.write(WriteBatch(facts=[crossing]))
    assert store.get_facts(group, [crossing.uuid]) == []
