"""Small builders of episodes, entities, facts and vectors for the contract tests."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from chronomem.engine.store import WriteBatch
from chronomem.schema import Entity, Episode, Fact

DIMENSION = 384


def at(year: int, month: int = 1, day: int = 1, hour: int = 0) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, tzinfo=UTC)


def unit(*weights: float) -> list[float]:
    """A unit vector of DIMENSION whose first components are ``weights`` (normalised)."""
    vector = np.zeros(DIMENSION, dtype=np.float32)
    vector[: len(weights)] = weights
    vector /= np.linalg.norm(vector)
    values: list[float] = vector.tolist()
    return values


def angled(degrees: float) -> list[float]:
    """A unit vector at ``degrees`` from axis 0 towards axis 1: cosine to axis 0 falls as
    the angle grows, so a list of increasing angles is a list of decreasing similarity."""
    radians = math.radians(degrees)
    return unit(math.cos(radians), math.sin(radians))


def query(values: list[float]) -> npt.NDArray[np.float32]:
    """A query vector."""
    return np.asarray(values, dtype=np.float32)


def entity(group: str, name: str, **fields: Any) -> Entity:
    """An entity of ``group``."""
    return Entity(group_id=group, name=name, **fields)


def episode(group: str, content: str, **fields: Any) -> Episode:
    """An episode of ``group`` (reference time 2024-01-01 unless given)."""
    fields.setdefault("reference_time", at(2024))
    return Episode(group_id=group, content=content, **fields)


def fact(
    group: str,
    subject: Entity,
    obj: Entity,
    text: str,
    relation: str = "RELATED_TO",
    **fields: Any,
) -> Fact:
    """A fact ``subject -[relation]-> obj`` of ``group``."""
    return Fact(
        group_id=group,
        subject_uuid=subject.uuid,
        relation=relation,
        object_uuid=obj.uuid,
        fact=text,
        **fields,
    )


def batch(*items: Episode | Entity | Fact) -> WriteBatch:
    """A write batch of ``items``, sorted by kind."""
    return WriteBatch(
        episodes=[item for item in items if isinstance(item, Episode)],
        entities=[item for item in items if isinstance(item, Entity)],
        facts=[item for item in items if isinstance(item, Fact)],
    )


def paris_then_berlin(group: str) -> WriteBatch:
    """Alice in Paris, then Berlin: two episodes, three entities, their mentions, and three
    fact rows: one expired in transaction time, its revision ended in valid time, and the
    current one."""
    ep1 = episode(group, "Alice lives in Paris", source_id="t1")
    ep2 = episode(group, "Alice moved to Berlin", source_id="t2", reference_time=at(2024, 6))
    alice, paris, berlin = (entity(group, n) for n in ("Alice", "Paris", "Berlin"))
    old = fact(group, alice, paris, "Alice lives in Paris", "LIVES_IN", valid_at=at(2024),
               created_at=at(2024), expired_at=at(2024, 6), episodes=[ep1.uuid],
               fact_embedding=angled(10))  # fmt: skip
    revised = old.model_copy(
        update={"uuid": "revised-" + old.uuid, "invalid_at": at(2024, 6), "expired_at": None,
                "created_at": at(2024, 6)}
    )  # fmt: skip
    new = fact(group, alice, berlin, "Alice moved to Berlin", "LIVES_IN", valid_at=at(2024, 6),
               episodes=[ep2.uuid], observed_at=[at(2024, 6)])  # fmt: skip
    return WriteBatch(
        episodes=[ep1, ep2],
        entities=[alice, paris, berlin],
        facts=[old, revised, new],
        mentions=[(ep1.uuid, alice.uuid), (ep1.uuid, paris.uuid), (ep2.uuid, berlin.uuid)],
    )
