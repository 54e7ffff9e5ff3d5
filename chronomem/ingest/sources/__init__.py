"""Input sources: dialogue files (JSONL, LoCoMo, LongMemEval) and business records.

Dialogue: :func:`read_dialogue` gives :class:`DialogueSource` conversations of :class:`Turn`
objects; :func:`turns_to_episodes` makes message episodes of them. Records: a
:class:`RecordMapping` says which columns are the entity, the time and the facts;
:func:`load_records`/:func:`read_records` validate rows and :func:`records_to_candidates`
turns them into record episodes and candidate facts.
"""

from chronomem.ingest.sources.dialogue import (
    DIALOGUE_FORMATS,
    DialogueFormat,
    detect_dialogue_format,
    read_dialogue,
)
from chronomem.ingest.sources.mapping import (
    EntityColumns,
    RecordMapping,
    RelationColumn,
    TimeColumns,
    relation_phrase,
)
from chronomem.ingest.sources.record_candidates import (
    record_source_id,
    records_to_candidates,
    render_record,
)
from chronomem.ingest.sources.records import (
    RECORD_FORMATS,
    Record,
    RecordFormat,
    load_records,
    read_records,
    records_from_dataframe,
    records_from_rows,
)
from chronomem.ingest.sources.turns import (
    DialogueSource,
    Turn,
    as_turns,
    turn_content,
    turns_to_episodes,
)

__all__ = [
    "DIALOGUE_FORMATS",
    "RECORD_FORMATS",
    "DialogueFormat",
    "DialogueSource",
    "EntityColumns",
    "Record",
    "RecordFormat",
    "RecordMapping",
    "RelationColumn",
    "TimeColumns",
    "Turn",
    "as_turns",
    "detect_dialogue_format",
    "load_records",
    "read_dialogue",
    "read_records",
    "record_source_id",
    "records_from_dataframe",
    "records_from_rows",
    "records_to_candidates",
    "relation_phrase",
    "render_record",
    "turn_content",
    "turns_to_episodes",
]
