"""Translation of a :class:`FactFilter` into a parameterised SQL condition on ``facts f``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chronomem.engine.store.embedded.codec import json_list
from chronomem.engine.store.protocol import FactFilter
from chronomem.schema import to_micros

__all__ = ["fact_condition", "with_fact_condition"]

# Fixed fragments (alias f); every value is a parameter. The unary + keeps SQLite from using
# the expired_at index for "not expired", which holds for most rows (it would scan the group
# instead of using the subject or object index).
_NOT_EXPIRED = "+f.expired_at IS NULL"
_KNOWN_AT = "f.created_at <= ? AND (f.expired_at IS NULL OR f.expired_at > ?)"
_HOLDS_AT = "(f.valid_at IS NULL OR f.valid_at <= ?) AND (f.invalid_at IS NULL OR f.invalid_at > ?)"
_NOT_ENDED_BY = "(f.invalid_at IS NULL OR f.invalid_at > ?)"
_STARTS_BEFORE = "(f.valid_at IS NULL OR f.valid_at < ?)"
_RELATION_IN = "f.relation IN (SELECT value FROM json_each(?))"
_SUBJECT_IN = "f.subject_uuid IN (SELECT value FROM json_each(?))"
_OBJECT_IN = "f.object_uuid IN (SELECT value FROM json_each(?))"
_EITHER_END_IN = (
    "(f.subject_uuid IN (SELECT value FROM json_each(?))"
    " OR f.object_uuid IN (SELECT value FROM json_each(?)))"
)
_FROM_EPISODES = (
    "f.id IN (SELECT fact_id FROM fact_episodes"
    " WHERE episode_uuid IN (SELECT value FROM json_each(?)))"
)
# Memories opened read-only before ``fact_episodes`` existed: the same test on the JSON column.
_FROM_EPISODES_SCAN = (
    "EXISTS (SELECT 1 FROM json_each(f.episodes) AS e"
    " WHERE e.value IN (SELECT value FROM json_each(?)))"
)


def fact_condition(
    where: FactFilter, now: datetime, episode_table: bool = True
) -> tuple[str, list[Any]]:
    """A SQL condition on ``facts f`` with the semantics of :meth:`FactFilter.accepts`.

    ``episode_table``: whether the memory has ``fact_episodes`` (else ``episode_uuids`` is
    tested on the ``episodes`` column, row by row)."""
    parts: list[str] = []
    params: list[Any] = []
    if where.known_at is None:
        parts.append(_NOT_EXPIRED)
    else:
        known = to_micros(where.known_at)
        parts.append(_KNOWN_AT)
        params += [known, known]
    if where.as_of is not None:
        moment = to_micros(where.as_of)
        parts.append(_HOLDS_AT)
        params += [moment, moment]
    elif where.current_only:
        parts.append(_NOT_ENDED_BY)
        params.append(to_micros(now))
    if where.valid_from is not None:
        parts.append(_NOT_ENDED_BY)
        params.append(to_micros(where.valid_from))
    if where.valid_to is not None:
        parts.append(_STARTS_BEFORE)
        params.append(to_micros(where.valid_to))
    for fragment, values in (
        (_RELATION_IN, where.relations),
        (_SUBJECT_IN, where.subject_uuids),
        (_OBJECT_IN, where.object_uuids),
        (_FROM_EPISODES if episode_table else _FROM_EPISODES_SCAN, where.episode_uuids),
    ):
        if values is not None:
            parts.append(fragment)
            params.append(json_list(values))
    if where.entity_uuids is not None:
        parts.append(_EITHER_END_IN)
        params += [json_list(where.entity_uuids)] * 2
    return " AND ".join(parts), params


def with_fact_condition(
    statement: str, where: FactFilter, now: datetime, tail: str = "", episode_table: bool = True
) -> tuple[str, list[Any]]:
    """``statement AND <condition> tail`` and the condition's parameters.

    ``statement`` and ``tail`` are constants of :mod:`.statements`; the condition is made of
    the fixed fragments above. This is the one place where SQL text is put together.
    """
    condition, params = fact_condition(where, now, episode_table)
    return f"{statement} AND {condition}{tail}", params
