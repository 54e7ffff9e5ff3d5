"""Stored objects as results: one conversion of a fact, used by search and by listings."""

from __future__ import annotations

from datetime import UTC, datetime

from chronomem.query import build_context
from chronomem.query.results import fact_result
from chronomem.schema import Entity, Fact

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _fact(alice: Entity, acme: Entity) -> Fact:
    return Fact(
        group_id="g",
        subject_uuid=alice.uuid,
        relation="WORKS_AT",
        object_uuid=acme.uuid,
        fact="Alice works at Acme",
        valid_at=T0,
        episodes=["ep-1"],
        sources=["t1"],
        confidence=0.75,
    )


def test_a_fact_result_names_its_ends() -> None:
    alice, acme = Entity(group_id="g", name="Alice"), Entity(group_id="g", name="Acme")
    fact = _fact(alice, acme)
    result = fact_result(fact, 0.5, {alice.uuid: alice, acme.uuid: acme})
    assert (result.subject, result.relation, result.object) == ("Alice", "WORKS_AT", "Acme")
    assert (result.kind, result.uuid, result.text, result.score) == (
        "fact",
        fact.uuid,
        fact.fact,
        0.5,
    )
    assert (result.valid_at, result.episodes, result.sources) == (T0, ["ep-1"], ["t1"])


def test_a_missing_entity_leaves_its_name_unknown_never_a_uuid() -> None:
    alice, acme = Entity(group_id="g", name="Alice"), Entity(group_id="g", name="Acme")
    result = fact_result(_fact(alice, acme), 0.5, {acme.uuid: acme})
    assert result.subject is None
    assert result.object == "Acme"
    assert alice.uuid not in result.model_dump_json()
    block = build_context([result], now=T0)
    assert "Alice works at Acme" in block
    assert "WORKS_AT" not in block  # no half triple
