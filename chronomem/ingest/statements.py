"""Statements that do not come from an extractor: facts asserted, ended or retracted directly
(by an agent or an operator), and the retractions of a corrected turn.

Each becomes an episode with a ready :class:`~chronomem.ingest.extract.protocol.Extraction`,
written by the same :class:`~chronomem.ingest.pipeline.Writer` as every other episode, so it
follows the same rules: its entities are resolved like extracted ones and its facts go through
the :class:`~chronomem.engine.temporal.TemporalResolver` (a new value of a functional relation
closes the old one, an end closes the matching value, a retraction expires rows in transaction
time). Nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final, Literal

from chronomem.engine.store.protocol import FactFilter, GraphStore
from chronomem.errors import InputError
from chronomem.ingest.extract.protocol import CandidateFact, EntityMention, Extraction
from chronomem.ingest.resolve import SPEAKER_LABEL
from chronomem.schema import (
    NAME_MAX_CHARS,
    Entity,
    Episode,
    EpisodeKind,
    Fact,
    check_length,
    content_hash,
    name_key,
    stable_uuid,
)

__all__ = [
    "DEFAULT_LABEL",
    "DIRECT_SOURCE",
    "REVISION_MARK",
    "StatementKind",
    "TurnRevision",
    "changed_turns",
    "direct_statement",
    "mention_of",
    "normalise_relation",
    "retractions_for",
]

DIRECT_SOURCE: Final = "direct"
"""The source of facts asserted through ``Memory.add_fact`` and its kin, unless given."""
DEFAULT_LABEL: Final = "Concept"
"""The label of an entity a direct fact names for the first time, unless given."""
REVISION_MARK: Final = "#rev"
"""A corrected turn's revisions are stored as episodes with the turn's id and this mark and a
number (``D1:3#rev1``, ``D1:3#rev2``...): the original turn is never rewritten."""
_RELATION: Final = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
_REVISION_CHUNK: Final = 32

StatementKind = Literal["assert", "end", "retract"]


def normalise_relation(relation: str) -> str:
    """``relation`` as stored (``"lives in"`` -> ``LIVES_IN``), or an :class:`InputError`."""
    name = "_".join(relation.strip().upper().replace("-", " ").split())
    if not _RELATION.match(name):
        raise InputError(
            f"relation {relation!r} is not a relation name; use letters, digits and "
            "underscores, starting with a letter, at most 64 (e.g. LIVES_IN)"
        )
    return name


def mention_of(entity: Entity) -> EntityMention:
    """A mention that resolves to ``entity`` again (its name, label family, speaker flag)."""
    label = next((x for x in entity.labels if x != SPEAKER_LABEL), DEFAULT_LABEL)
    return EntityMention(entity.name, label, is_speaker=SPEAKER_LABEL in entity.labels)


def _mention(store: GraphStore, group_id: str, name: str, label: str | None) -> EntityMention:
    check_length(name, NAME_MAX_CHARS, "the entity name")
    if not name.strip():
        raise InputError("an entity name is blank; give the subject and object by name")
    if label is not None:
        check_length(label, NAME_MAX_CHARS, "the label")
    found = sorted(
        store.find_entities(group_id, [name], vectors=False),
        key=lambda e: (name_key(e.name) != name_key(name), SPEAKER_LABEL not in e.labels, e.name),
    )
    if not found:
        return EntityMention(" ".join(name.split()), label or DEFAULT_LABEL)
    known = mention_of(found[0])
    if label is None:
        return known
    return EntityMention(known.name, label, is_speaker=known.is_speaker)


def direct_statement(
    store: GraphStore,
    *,
    group_id: str,
    kind: StatementKind,
    subject: str,
    relation: str,
    object: str,
    at: datetime | None,
    source: str,
    text: str | None,
    subject_label: str | None,
    object_label: str | None,
    now: datetime,
) -> tuple[Episode, Extraction]:
    """The episode and extraction of one direct statement about ``subject -relation->
    object``: ``assert`` (holds from ``at``, or from now), ``end`` (stopped holding at ``at``,
    or now) or ``retract`` (was never true: expired in transaction time).

    The episode's source id derives from what is stated, so the same statement made twice is
    stored once (like a turn ingested twice)."""
    rel = normalise_relation(relation)
    subj = _mention(store, group_id, subject, subject_label)
    obj = _mention(store, group_id, object, object_label)
    if name_key(subj.name) == name_key(obj.name):
        raise InputError(f"a fact links two entities; subject and object are both {subj.name!r}")
    words = rel.lower().replace("_", " ")
    content = (
        text
        or {
            "assert": f"{subj.name} {words} {obj.name}",
            "end": f"{subj.name} no longer: {words} {obj.name}",
            "retract": f"it is not true that {subj.name} {words} {obj.name}",
        }[kind]
    )
    moment = at.astimezone(UTC).isoformat() if at is not None else ""
    source_id = content_hash(kind, subj.name, rel, obj.name, moment, content)
    episode = Episode(
        uuid=stable_uuid(group_id, source, source_id),
        group_id=group_id,
        source=source,
        kind=EpisodeKind.TEXT,
        content=content,
        reference_time=at or now,
        source_id=source_id,
    )
    fact_text = text or f"{subj.name} {words} {obj.name}"
    candidate = CandidateFact(
        episode_uuid=episode.uuid,
        subject=subj,
        relation=rel,
        object=obj,
        fact=fact_text,
        valid_at=at if kind == "assert" else None,
        invalid_at=at if kind == "end" else None,
        ends=kind == "end",
        retracts=kind == "retract",
    )
    return episode, Extraction(episode.uuid, entities=[subj, obj], facts=[candidate])


# -- corrected turns --------------------------------------------------------------------------


class TurnRevision:
    """A turn stored under its id with other text (or speaker, time, session) than it has
    now: ``versions`` are the stored turn and its earlier revisions, oldest first;
    ``episode`` is the new version, as the next revision."""

    __slots__ = ("episode", "versions")

    def __init__(self, versions: Sequence[Episode], episode: Episode) -> None:
        self.versions = list(versions)
        self.episode = episode

    @property
    def turn_id(self) -> str:
        """The id of the turn in its source."""
        return self.versions[0].source_id


def _same(a: Episode, b: Episode) -> bool:
    return (a.content, a.speaker, a.session, a.reference_time) == (
        b.content,
        b.speaker,
        b.session,
        b.reference_time,
    )


def _versions(store: GraphStore, base: Episode) -> list[Episode]:
    """``base`` and its stored revisions, oldest first."""
    found: list[str] = []
    number = 1
    while True:
        chunk = [
            f"{base.source_id}{REVISION_MARK}{n}" for n in range(number, number + _REVISION_CHUNK)
        ]
        known = store.known_sources(base.group_id, base.source, chunk)
        present = [c for c in chunk if c in known]
        found += present
        if len(present) < len(chunk):
            break
        number += _REVISION_CHUNK
    uuids = [stable_uuid(base.group_id, base.source, i) for i in found]
    stored = {e.uuid: e for e in store.get_episodes(base.group_id, uuids, vectors=False)}
    return [base, *(stored[u] for u in uuids if u in stored)]


def changed_turns(store: GraphStore, episodes: Sequence[Episode]) -> list[TurnRevision]:
    """The episodes (of one group) whose id is stored with another version of the turn: each
    with its stored versions and the revision it would add. Turns whose latest stored version
    equals them are not changed (a correction already recorded is not recorded again)."""
    if not episodes:
        return []
    group_id = episodes[0].group_id
    by_source: dict[str, list[Episode]] = {}
    for episode in episodes:
        by_source.setdefault(episode.source, []).append(episode)
    out: list[TurnRevision] = []
    for source, items in by_source.items():
        known = store.known_sources(group_id, source, [e.source_id for e in items])
        if not known:
            continue
        mine = [e for e in items if e.source_id in known]
        stored = {
            e.uuid: e for e in store.get_episodes(group_id, [e.uuid for e in mine], vectors=False)
        }
        for episode in mine:
            base = stored.get(episode.uuid)
            if base is None or _same(base, episode):
                continue
            versions = _versions(store, base)
            if _same(versions[-1], episode):
                continue
            source_id = f"{base.source_id}{REVISION_MARK}{len(versions)}"
            revision = episode.model_copy(
                update={"uuid": stable_uuid(group_id, source, source_id), "source_id": source_id}
            )
            out.append(TurnRevision(versions, revision))
    return out


def retractions_for(
    store: GraphStore, revision: TurnRevision, extraction: Extraction
) -> Extraction:
    """``extraction`` (of the revision's new text) with a retraction of every current fact
    that only the turn's earlier versions support and the new text does not state again: the
    correction says those were never true."""
    group_id = revision.episode.group_id
    versions = {e.uuid for e in revision.versions}
    where = FactFilter(episode_uuids=tuple(sorted(versions)))
    rows: list[Fact] = [
        f for f in store.list_facts(group_id, where, vectors=False) if set(f.episodes) <= versions
    ]
    if not rows:
        return extraction
    ids = sorted({f.subject_uuid for f in rows} | {f.object_uuid for f in rows})
    entities = {e.uuid: e for e in store.get_entities(group_id, ids, vectors=False)}
    stated = {
        (name_key(c.subject.name), c.relation, name_key(c.object.name))
        for c in extraction.facts
        if not c.retracts and not c.ends
    }
    facts = list(extraction.facts)
    for row in rows:
        subject, obj = entities.get(row.subject_uuid), entities.get(row.object_uuid)
        if subject is None or obj is None:
            continue
        subject_keys = {name_key(n) for n in (subject.name, *subject.aliases)}
        object_keys = {name_key(n) for n in (obj.name, *obj.aliases)}
        if any(s in subject_keys and r == row.relation and o in object_keys for s, r, o in stated):
            continue
        mentions = (mention_of(subject), mention_of(obj))
        facts.append(
            CandidateFact(
                episode_uuid=revision.episode.uuid,
                subject=mentions[0],
                relation=row.relation,
                object=mentions[1],
                fact=row.fact,
                retracts=True,
            )
        )
    return Extraction(extraction.episode_uuid, entities=list(extraction.entities), facts=facts)
