"""Turning validated records into record episodes and candidate facts.

Each record becomes one episode (kind "record") and an :class:`Extraction`: the keyed entity
is the subject of one candidate fact per non-empty mapped cell, whose object is the cell's value
as an entity with the column's label. Facts are valid from the record time (or
``valid_from``) and, with a ``valid_to`` column, invalid from ``valid_to``. A value that
changes in a later record gives a new candidate; closing the old one is the temporal
resolver's job. An attribute's value is an *exact* mention: equal after normalisation is a
repeat, anything else a change, however similar. An empty cell gives no fact (and so ends
nothing in a change log; a snapshot source ends it, see :mod:`~chronomem.ingest.snapshot`).

A mapping with a name column also states the entity's name as a fact of its own
(:data:`~chronomem.schema.NAME_RELATION`, "customer C-204 is named Lumio Studios",
valid from the record time, its object the entity itself): one name at a time, so a rename
under a stable key ends the previous name and shows in the entity's history. A name holds
until another row of the key gives another name, not until a row's ``valid_to``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from chronomem.errors import InputError
from chronomem.ingest.extract.protocol import CandidateFact, EntityMention, Extraction
from chronomem.ingest.sources.mapping import RecordMapping, RelationColumn
from chronomem.ingest.sources.records import Record, load_records, records_from_rows
from chronomem.schema import (
    NAME_RELATION,
    Episode,
    EpisodeKind,
    content_hash,
    name_statement,
    stable_uuid,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "as_records",
    "cell_values",
    "label_words",
    "record_source_id",
    "records_to_candidates",
    "render_record",
]


def records_to_candidates(
    rows: str | Path | pd.DataFrame | Iterable[Record] | Iterable[Mapping[str, object]],
    mapping: RecordMapping,
    group_id: str,
) -> list[tuple[Episode, Extraction]]:
    """One (episode, extraction) pair per record, in time order.

    ``rows`` are :class:`Record` objects from a reader, or anything :func:`load_records`
    reads (a CSV/JSON/JSONL path, a pandas DataFrame, plain mappings), validated here first.
    The episode's ``source_id`` is a hash of the record's mapped content and its uuid derives
    from ``(group_id, source, source_id)``, so ingesting the same data again gives the same
    ids; a repeated record is kept once.
    """
    records = as_records(rows, mapping)
    pairs: list[tuple[Episode, Extraction]] = []
    seen: set[str] = set()
    for record in records:
        source_id = record_source_id(record, mapping)
        if source_id in seen:
            continue
        seen.add(source_id)
        episode = Episode(
            uuid=stable_uuid(group_id, mapping.source, source_id),
            group_id=group_id,
            source=mapping.source,
            kind=EpisodeKind.RECORD,
            content=render_record(record, mapping),
            reference_time=record.time,
            source_id=source_id,
        )
        pairs.append((episode, _extraction(episode.uuid, record, mapping)))
    return pairs


def as_records(rows: object, mapping: RecordMapping) -> list[Record]:
    """Validated records, in time order, of anything :func:`records_to_candidates` takes."""
    if isinstance(rows, str | Path) or type(rows).__module__.startswith("pandas"):
        return load_records(cast("str | Path | pd.DataFrame", rows), mapping)
    if not isinstance(rows, Iterable) or isinstance(rows, Mapping):
        raise InputError(
            f"records: got {type(rows).__name__}; give a file path, a pandas DataFrame or a "
            "list of rows (mappings of column -> value)"
        )
    items = list(rows)
    if items and all(isinstance(item, Record) for item in items):
        return sorted((item for item in items if isinstance(item, Record)), key=_time)
    if any(isinstance(item, Record) for item in items):
        raise InputError("records: give either Record objects or plain rows, not a mix")
    return records_from_rows(items, mapping)


def _time(record: Record) -> datetime:
    return record.time


def render_record(record: Record, mapping: RecordMapping) -> str:
    """A one-line rendering: ``customer C-001 (Acme Ltd): plan=Pro, account_manager=Dana Kim``."""
    head = f"{label_words(mapping.entity.label)} {record.key}"
    if record.name != record.key:
        head += f" ({record.name})"
    cells = [f"{column}={value}" for column, value in record.values.items()]
    return f"{head}: {', '.join(cells)}" if cells else f"{head}: no values"


def record_source_id(record: Record, mapping: RecordMapping) -> str:
    """A stable hash of what the mapping reads from a record (times compared in UTC)."""
    end = record.valid_to.astimezone(UTC).isoformat() if record.valid_to is not None else ""
    cells = [f"{column}={value}" for column, value in sorted(record.values.items())]
    return content_hash(
        mapping.source,
        record.key,
        record.name,
        record.time.astimezone(UTC).isoformat(),
        end,
        *cells,
    )


def _extraction(episode_uuid: str, record: Record, mapping: RecordMapping) -> Extraction:
    subject = EntityMention(name=record.name, label=mapping.entity.label, key=record.key)
    entities = [subject]
    facts: list[CandidateFact] = []
    for column in mapping.relation_columns:
        # An attribute's value is compared exactly; a reference names an entity (fuzzy allowed).
        exact = column in mapping.attributes
        for value in cell_values(record, column):
            target = EntityMention(name=value, label=column.label, exact=exact)
            if target not in entities:
                entities.append(target)
            facts.append(
                CandidateFact(
                    episode_uuid=episode_uuid,
                    subject=subject,
                    relation=column.relation,
                    object=target,
                    fact=column.statement(record.name, value),
                    valid_at=record.time,
                    invalid_at=record.valid_to,
                )
            )
    if mapping.entity.name is not None:
        facts.append(
            CandidateFact(
                episode_uuid=episode_uuid,
                subject=subject,
                relation=NAME_RELATION,
                object=subject,
                fact=name_statement(
                    f"{label_words(mapping.entity.label)} {record.key}", record.name
                ),
                valid_at=record.time,
            )
        )
    return Extraction(episode_uuid=episode_uuid, entities=entities, facts=facts)


def cell_values(record: Record, column: RelationColumn) -> list[str]:
    """The values of a record's cell in ``column`` (split by its separator), spaces folded."""
    cell = record.values.get(column.column)
    if cell is None:
        return []
    parts = cell.split(column.separator) if column.separator is not None else [cell]
    return [value for value in (" ".join(part.split()) for part in parts) if value]


def label_words(label: str) -> str:
    """A label in words: "JobTitle" -> "job title"."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", label).replace("_", " ").lower()
