"""``Memory``: the facade agents, notebooks and the CLI hold.

>>> from chronomem import Memory
>>> with Memory.open(tmp_path / "memory", embedder=HashingEmbedder()) as mem:
...     report = mem.add_dialogue(
...         [{"speaker": "Alice", "text": "I work at Acme.", "time": "2024-01-10T09:00:00Z"}],
...         group_id="demo",
...     )
...     report.episodes_added
1
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, Self

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from chronomem.config import MemoryConfig
from chronomem.engine.embed import Embedder, default_embedder
from chronomem.engine.episode_text import with_vectors
from chronomem.engine.erasure import ErasureKind, ErasureReceipt, plan_erasure
from chronomem.engine.profile import read_profiles
from chronomem.engine.store.copy import CopyCounts, copy_group
from chronomem.engine.store.factory import open_store
from chronomem.engine.store.protocol import (
    FactFilter,
    GraphStore,
    WriteBatch,
    entity_revision_key,
)
from chronomem.engine.temporal import RelationRegistry, TemporalResolver
from chronomem.errors import ConfigurationError, InputError, NotFoundError
from chronomem.ingest.extract import Extractor, SpacyExtractor
from chronomem.ingest.extract.protocol import Extraction
from chronomem.ingest.pipeline import IngestReport, Writer, source_key_alias
from chronomem.ingest.resolve.records import (
    claim_record_keys,
    latest_row_times,
    renamed_record_entities,
)
from chronomem.ingest.snapshot import plan_snapshot, snapshot_times_key
from chronomem.ingest.sources import (
    RecordMapping,
    Turn,
    as_turns,
    records_to_candidates,
    turns_to_episodes,
)
from chronomem.ingest.sources.problems import describe_validation_error
from chronomem.ingest.sources.record_candidates import as_records
from chronomem.ingest.statements import (
    DIRECT_SOURCE,
    REVISION_MARK,
    StatementKind,
    TurnRevision,
    changed_turns,
    direct_statement,
    normalise_relation,
    retractions_for,
)
from chronomem.language.grounding import ground_first_person
from chronomem.language.vocabulary import Vocabulary, default_vocabulary, load_vocabulary
from chronomem.query import SearchEngine, SearchRequest, build_context, neighbors, paths
from chronomem.query.multihop import DEFAULT_HOP_LIMIT
from chronomem.query.recipes import DEFAULT as DEFAULT_RECIPE
from chronomem.query.results import fact_result
from chronomem.schema import (
    ALIAS_MAX_CHARS,
    DEFAULT_GROUP,
    ID_MAX_CHARS,
    NAME_MAX_CHARS,
    SOURCE_ID_MAX_CHARS,
    Entity,
    Episode,
    Fact,
    Profile,
    ResultKind,
    SearchResult,
    Stats,
    check_group_id,
    check_length,
    length_problem,
    name_key,
    parse_time,
    utcnow,
)

__all__ = ["ON_CHANGE", "Memory", "OnChange"]

ProgressCallback = Callable[[int], None]
TimeLike = datetime | str | None

OnChange = Literal["error", "skip", "revise"]
ON_CHANGE: Final[tuple[OnChange, ...]] = ("error", "skip", "revise")
"""What :meth:`Memory.add_dialogue` does with a turn stored under its id with other text."""

_META_EMBEDDER = "embedder"
_META_COPY = "export_state"
"""``export_state:<group>``: whether the last export into this memory of that group finished
(``{"state": "complete"|"incomplete", "at": start time}``)."""
_META_RELATIONS = "functional_relations"
"""Prefix of a group's relation settings (``functional_relations:<group>``: a JSON object
``relation -> functional?`` declared by that group's record mappings). Settings belong to one
group: a declaration in one group never changes how another resolves its facts. The key
without a group (written by versions before 0.x) is no longer read."""


def _relations_key(group_id: str) -> str:
    return f"{_META_RELATIONS}:{group_id}"


def _time(value: TimeLike, field: str) -> datetime | None:
    return None if value is None else parse_time(value, field=field)


class Memory:
    """A temporal knowledge-graph memory.

    Open one with :meth:`open` (a directory for the embedded store, a ``neo4j://`` URI for
    Neo4j), write with :meth:`add_dialogue`, :meth:`add_records` or :meth:`add_episodes`, read
    with :meth:`search`, :meth:`facts`, :meth:`history`, :meth:`profile`, :meth:`context`,
    :meth:`neighbors` and :meth:`paths`. Every read takes ``group_id`` (the tenant) and
    optional ``as_of`` (valid time: what was true then) and ``known_at`` (transaction time:
    what the memory believed then). Thread-safe: reads may run while a write is in
    progress.
    """

    def __init__(
        self,
        store: GraphStore,
        *,
        embedder: Embedder | None = None,
        extractor: Extractor | None = None,
        config: MemoryConfig | None = None,
    ) -> None:
        self.config = config or MemoryConfig()
        self.store = store
        self.embedder = embedder or default_embedder()
        self._checked_groups: set[str] = set()
        self.registry = RelationRegistry().with_cardinalities(self.config.functional_relations)
        """The defaults and ``MemoryConfig.functional_relations``; what a group's record
        mappings declared is added by :meth:`registry_for` for that group only."""
        self._extractor = extractor
        self._vocabulary: Vocabulary | None = None
        self._write_lock = threading.Lock()
        self._writers: dict[str, Writer] = {}
        self._engine: SearchEngine | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        target: str | Path,
        *,
        embedder: Embedder | None = None,
        extractor: Extractor | None = None,
        config: MemoryConfig | None = None,
        read_only: bool = False,
    ) -> Memory:
        """Open (creating if needed) the memory at ``target``: a directory or a Neo4j URI."""
        config = config or MemoryConfig()
        embedder = embedder or default_embedder()
        store = open_store(target, dimension=embedder.dimension, config=config, read_only=read_only)
        try:
            return cls(store, embedder=embedder, extractor=extractor, config=config)
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        """Close the store. Idempotent."""
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------------

    @property
    def extractor(self) -> Extractor:
        """The extractor (the offline spaCy one unless another was given), loaded lazily."""
        if self._extractor is None:
            self._extractor = SpacyExtractor(vocabulary=self.vocabulary)
        return self._extractor

    @property
    def vocabulary(self) -> Vocabulary:
        """The relation vocabulary: the built-in one, with ``config.vocabulary`` files merged."""
        if self._vocabulary is None:
            files = self.config.vocabulary
            self._vocabulary = load_vocabulary(*files) if files else default_vocabulary()
        return self._vocabulary

    def _get_writer(self, group_id: str) -> Writer:
        """The writer of ``group_id``, resolving facts with that group's relation settings."""
        writer = self._writers.get(group_id)
        if writer is None:
            writer = self._new_writer(group_id, self._declared_relations(group_id))
            self._writers[group_id] = writer
        return writer

    def _new_writer(self, group_id: str, declared: Mapping[str, bool]) -> Writer:
        return Writer(
            self.store,
            self.embedder,
            self.extractor,
            TemporalResolver(self._registry(declared)),
            embed_episodes=self.config.episode_vectors,
            vocabulary=self.vocabulary,
        )

    def _registry(self, declared: Mapping[str, bool]) -> RelationRegistry:
        """The defaults, then the user's vocabulary files, then the group's mappings, then
        ``MemoryConfig.functional_relations``."""
        registry = RelationRegistry()
        if self.config.vocabulary:
            registry = registry.with_cardinalities(
                {r: spec.functional for r, spec in self.vocabulary.relations.items()}
            )
        return registry.with_cardinalities(declared).with_cardinalities(
            self.config.functional_relations
        )

    def registry_for(self, group_id: str = DEFAULT_GROUP) -> RelationRegistry:
        """Which relations are functional in ``group_id``: the defaults, then what that
        group's record mappings declared, then ``MemoryConfig.functional_relations``.
        Declarations belong to their group; no other group sees them."""
        check_group_id(group_id)
        return self._registry(self._declared_relations(group_id))

    def add_dialogue(
        self,
        turns: Iterable[Turn | Mapping[str, Any]],
        *,
        group_id: str = DEFAULT_GROUP,
        source: str = "chat",
        progress: ProgressCallback | None = None,
        on_change: OnChange = "error",
    ) -> IngestReport:
        """Add chat turns (``Turn`` objects or dicts with speaker, text, time, optional id,
        session, caption). Re-adding the same turns adds nothing.

        ``on_change``: what to do with a turn whose id is stored with other text (or another
        speaker, time or session): ``"error"`` (the default) refuses the call before anything
        is written; ``"skip"`` keeps the stored turn; ``"revise"`` records the new text as a
        correction: a revision of the turn (id ``<id>#rev<n>``; the stored turn is kept) whose
        facts are added, and whose earlier facts that no other turn supports and the new text
        does not state again are retracted (expired in transaction time), by the same temporal
        rules as every other statement."""
        episodes, revisions = self._prepare_dialogue(turns, group_id, source, on_change)
        report = self.add_episodes(episodes, progress=progress)
        if revisions and on_change == "revise":
            report.merge(self._add_revisions(revisions))
        return report

    def validate_dialogue(
        self,
        turns: Iterable[Turn | Mapping[str, Any]],
        *,
        group_id: str = DEFAULT_GROUP,
        source: str = "chat",
        on_change: OnChange = "error",
    ) -> None:
        """Raise what :meth:`add_dialogue` with these arguments would raise on its input,
        writing nothing: a file of several conversations is checked whole before any of
        them is written."""
        self._prepare_dialogue(turns, group_id, source, on_change)

    def _prepare_dialogue(
        self,
        turns: Iterable[Turn | Mapping[str, Any]],
        group_id: str,
        source: str,
        on_change: OnChange,
    ) -> tuple[list[Episode], list[TurnRevision]]:
        check_group_id(group_id)
        check_length(source, ID_MAX_CHARS, "source")
        if on_change not in ON_CHANGE:
            raise InputError(f"on_change must be one of {', '.join(ON_CHANGE)}, not {on_change!r}")
        parsed = as_turns(turns)
        episodes = turns_to_episodes(parsed, group_id=group_id, source=source)
        self._check_episodes(episodes)
        revisions = changed_turns(self.store, episodes)
        if revisions and on_change == "error":
            first = revisions[0]
            raise InputError(
                f"{len(revisions)} turn(s) of source {source!r} in group {group_id!r} are "
                f"stored under the same id with other text (first: id {first.turn_id!r}); "
                "nothing was written. Choose: on_change='skip' keeps the stored text, "
                "'revise' records the new text as a correction (CLI: --on-change skip|revise)"
            )
        return episodes, revisions

    def _add_revisions(self, revisions: Sequence[TurnRevision]) -> IngestReport:
        """Write each revision with its extracted facts and the retractions it implies."""
        episodes = [r.episode for r in revisions]
        extracted = self.extractor.extract(episodes)
        extractions = [
            retractions_for(self.store, revision, extraction)
            for revision, extraction in zip(revisions, extracted, strict=True)
        ]
        group_id = episodes[0].group_id
        with self._write_lock, self.store.lock_group(group_id):
            return self._get_writer(group_id).write(
                episodes, batch_size=self.config.batch_size, extractions=extractions
            )

    # -- direct facts -----------------------------------------------------------------------------

    def add_fact(
        self,
        subject: str,
        relation: str,
        object: str,
        *,
        valid_at: TimeLike = None,
        group_id: str = DEFAULT_GROUP,
        source: str = DIRECT_SOURCE,
        text: str | None = None,
        subject_label: str | None = None,
        object_label: str | None = None,
    ) -> IngestReport:
        """Assert that ``subject -relation-> object`` holds from ``valid_at`` (default: now),
        as an agent or an operator knows it, by the rules of every extracted fact: names
        resolve to the group's entities (a new name makes a new entity, labelled
        ``subject_label``/``object_label`` or ``"Concept"``), a new value of a functional
        relation ends the old one at ``valid_at``, a repeat extends the fact's provenance.
        The statement is kept as an episode of ``source`` (its text ``text``, or the fact);
        making the same statement again adds nothing. Returns what changed."""
        return self._direct(
            "assert",
            (subject, relation, object),
            valid_at,
            group_id,
            source,
            text,
            labels=(subject_label, object_label),
        )

    def invalidate_fact(
        self,
        subject: str,
        relation: str,
        object: str,
        *,
        invalid_at: TimeLike = None,
        group_id: str = DEFAULT_GROUP,
        source: str = DIRECT_SOURCE,
        text: str | None = None,
    ) -> IngestReport:
        """Say that ``subject -relation-> object`` stopped holding at ``invalid_at`` (default:
        now), like "Bob left Acme": the matching fact ends there and stays in the history
        (``as_of`` earlier still finds it). With nothing to end, the temporal rules record
        that it held until then (start unknown). The subject must be known (a typo raises
        :class:`NotFoundError` with the closest names, and nothing is written)."""
        self.entity(subject, group_id=group_id)
        return self._direct("end", (subject, relation, object), invalid_at, group_id, source, text)

    def retract_fact(
        self,
        subject: str,
        relation: str,
        object: str,
        *,
        group_id: str = DEFAULT_GROUP,
        source: str = DIRECT_SOURCE,
        text: str | None = None,
    ) -> IngestReport:
        """Say that ``subject -relation-> object`` was never true (a mistake, not a change in
        the world): the matching fact rows are expired in transaction time, so ``known_at``
        before now still shows what was believed. Raises :class:`NotFoundError` when no
        current fact matches (nothing is written)."""
        check_group_id(group_id)
        rel = normalise_relation(relation)
        subj = self.entity(subject, group_id=group_id)
        obj = self.entity(object, group_id=group_id)
        where = FactFilter(subject_uuids=(subj.uuid,), object_uuids=(obj.uuid,), relations=(rel,))
        if not self.store.list_facts(group_id, where, limit=1, vectors=False):
            raise NotFoundError(
                f"no current fact {subj.name} -{rel}-> {obj.name} in group {group_id!r} to "
                "retract; see `history` for what is stored"
            )
        return self._direct("retract", (subject, relation, object), None, group_id, source, text)

    def _direct(
        self,
        kind: StatementKind,
        triple: tuple[str, str, str],
        at: TimeLike,
        group_id: str,
        source: str,
        text: str | None,
        *,
        labels: tuple[str | None, str | None] = (None, None),
    ) -> IngestReport:
        check_group_id(group_id)
        check_length(source, ID_MAX_CHARS, "source")
        if text is not None:
            check_length(text, self.config.max_turn_chars, "text")
        moment = _time(at, "valid_at" if kind == "assert" else "invalid_at")
        episode, extraction = direct_statement(
            self.store,
            group_id=group_id,
            kind=kind,
            subject=triple[0],
            relation=triple[1],
            object=triple[2],
            at=moment,
            source=source,
            text=text,
            subject_label=labels[0],
            object_label=labels[1],
            now=self.now(),
        )
        self._check_embedder(group_id)
        with self._write_lock, self.store.lock_group(group_id):
            return self._get_writer(group_id).write(
                [episode], batch_size=self.config.batch_size, extractions=[extraction]
            )

    def add_episodes(
        self, episodes: Sequence[Episode], *, progress: ProgressCallback | None = None
    ) -> IngestReport:
        """Add episodes of one group, extracting facts from their content."""
        self._check_episodes(episodes)
        if not episodes:
            return IngestReport()
        group_id = episodes[0].group_id
        self._check_embedder(group_id)
        with self._write_lock, self.store.lock_group(group_id):
            return self._get_writer(group_id).write(
                episodes, batch_size=self.config.batch_size, progress=progress
            )

    def add_records(
        self,
        rows: Any,
        *,
        mapping: RecordMapping,
        group_id: str = DEFAULT_GROUP,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Add business records (a path to CSV/JSON/JSONL, a list of dicts, or a pandas
        DataFrame) described by ``mapping``. A later record for the same key with a changed
        value closes the old fact and opens a new one; a file that is a full export (the
        mapping's ``kind``, see :func:`~chronomem.ingest.snapshot.file_kind`) also ends what it
        leaves out."""
        check_group_id(group_id)
        check_length(mapping.source, ID_MAX_CHARS, "the mapping's source name")
        records = as_records(rows, mapping)
        try:
            pairs = records_to_candidates(records, mapping, group_id=group_id)
        except ValidationError as error:
            raise InputError(
                f"{mapping.source}: a record cannot be stored: {describe_validation_error(error)}"
            ) from None
        _check_mentions(mapping.source, [extraction for _, extraction in pairs])
        plan = plan_snapshot(self.store, group_id, mapping, records) if records else None
        if plan is not None and plan.pair is not None:
            pairs.append(plan.pair)
        cardinalities = mapping.cardinalities()
        episodes = [episode for episode, _ in pairs]
        extractions = [extraction for _, extraction in pairs]
        self._check_episodes(episodes)
        self._check_embedder(group_id)
        names: dict[str, list[str]] = {}
        latest: dict[str, tuple[datetime, str]] = {}  # the latest row's time and name, per key
        for record in records:  # in time order
            alias = source_key_alias(mapping.entity.label, record.key)
            listed = names.setdefault(alias, [])
            if record.name not in listed:
                listed.append(record.name)
            latest[alias] = (record.time, record.name)
        relations = sorted(cardinalities)
        with self._write_lock, self.store.lock_group(group_id):
            declared = self._declared_relations(group_id)
            changed = any(declared.get(r) != f for r, f in cardinalities.items())
            if changed:
                declared = {**declared, **cardinalities}
                self._writers.pop(group_id, None)
                writer = self._new_writer(group_id, declared)
            else:
                writer = self._get_writer(group_id)
            # A key seen for the first time takes the entity a chat made of the same name.
            claimed = claim_record_keys(self.store, group_id, mapping.entity.label, names)
            if claimed:
                self.store.write(WriteBatch(entities=claimed))
                writer.entities.forget(group_id)
            stored_times = latest_row_times(self.store, group_id, latest, relations)
            if plan is not None and plan.revisions:
                # Ends a late snapshot moves earlier, written before the resolver sees the slots.
                self.store.write(plan.revisions)
            report = writer.write(
                episodes,
                batch_size=self.config.batch_size,
                extractions=extractions,
                progress=progress,
            )
            if plan is not None and plan.revisions:
                writer.refresh_summaries(group_id, {f.subject_uuid for f in plan.revisions.facts})
            renamed = renamed_record_entities(self.store, group_id, latest, stored_times)
            if renamed:
                vectors = self.embedder.embed([e.name for e in renamed])
                self.store.write(
                    WriteBatch(
                        entities=[
                            e.model_copy(update={"name_embedding": vectors[row].tolist()})
                            for row, e in enumerate(renamed)
                        ]
                    )
                )
                writer.entities.forget(group_id)
                # the summaries that name a renamed entity as a value read its new name
                where = FactFilter(object_uuids=tuple(e.uuid for e in renamed))
                holders = self.store.list_facts(group_id, where, vectors=False)
                writer.refresh_summaries(group_id, {f.subject_uuid for f in holders})
            if changed:
                # recorded once the records that declare them are written
                self.store.set_meta(_relations_key(group_id), json.dumps(declared, sort_keys=True))
                self._writers[group_id] = writer
            if plan is not None:
                for key, value in plan.settings.items():
                    self.store.set_meta(key, value)
            return report

    def _declared_relations(self, group_id: str) -> dict[str, bool]:
        """What ``group_id``'s record mappings declared: ``relation -> functional?``."""
        stored = self.store.get_meta(_relations_key(group_id))
        declared: dict[str, bool] = json.loads(stored) if stored else {}
        return declared

    def _check_episodes(self, episodes: Sequence[Episode]) -> None:
        groups = {e.group_id for e in episodes}
        if len(groups) > 1:
            raise InputError(
                f"one call writes one group, got {sorted(groups)}; call once per group_id"
            )
        for episode in episodes:
            if len(episode.content) > self.config.max_turn_chars:
                raise InputError(
                    f"episode {episode.source_id!r} has {len(episode.content)} characters, more "
                    f"than the limit of {self.config.max_turn_chars}; split it into several "
                    "turns or raise MemoryConfig.max_turn_chars"
                )

    # -- forgetting -----------------------------------------------------------------------------

    def forget_episode(
        self, episode: str, *, group_id: str = DEFAULT_GROUP, source: str | None = None
    ) -> ErasureReceipt:
        """Erase one episode (by uuid, or by its id in its source, e.g. a turn id; ``source``
        narrows that down) with its revisions. Facts only it supported go, facts with other
        support lose it from their provenance, entities only it named go; full-text and
        vector indexes forget it, and the embedded store leaves none of its text in its file.
        Returns a receipt of counts, without the erased content."""
        check_group_id(group_id)
        check_length(episode, SOURCE_ID_MAX_CHARS, "the episode id")
        with self._write_lock, self.store.lock_group(group_id):
            return self._forget_episode(episode, group_id, source)

    def _forget_episode(self, episode: str, group_id: str, source: str | None) -> ErasureReceipt:
        dump = self.store.dump(group_id)
        matches = [
            e
            for e in dump.episodes
            if (e.uuid == episode or e.source_id == episode)
            and (source is None or e.source == source)
        ]
        if not matches:
            raise NotFoundError(
                f"no episode {episode!r} in group {group_id!r}"
                + (f" (source {source!r})" if source else "")
                + "; give its uuid or its id in its source (a turn id)"
            )
        if len({(e.source) for e in matches}) > 1:
            raise InputError(
                f"episode id {episode!r} is used by several sources of group {group_id!r} "
                f"({', '.join(sorted({e.source for e in matches}))}); pass source=..."
            )
        base = matches[0]
        revision = f"{base.source_id}{REVISION_MARK}"
        uuids = {e.uuid for e in matches} | {
            e.uuid
            for e in dump.episodes
            if e.source == base.source and e.source_id.startswith(revision)
        }
        return self._erase("episode", dump, group_id, episodes=uuids)

    def forget_entity(self, name: str, *, group_id: str = DEFAULT_GROUP) -> ErasureReceipt:
        """Erase everything about an entity (a person): the entity, every fact row it takes
        part in (expired ones too), and every episode that mentions it, is spoken by it or
        supports one of its facts, with what depends on those (as :meth:`forget_episode`).
        Returns a receipt of counts, without the erased content."""
        node = self.entity(name, group_id=group_id)
        with self._write_lock, self.store.lock_group(group_id):
            return self._forget_entity(node, group_id)

    def _forget_entity(self, node: Entity, group_id: str) -> ErasureReceipt:
        dump = self.store.dump(group_id)
        keys = {name_key(n) for n in (node.name, *node.aliases)}
        episodes = {ep for ep, ent in dump.mentions if ent == node.uuid}
        episodes |= {e.uuid for e in dump.episodes if e.speaker and name_key(e.speaker) in keys}
        for fact in dump.facts:
            if node.uuid in (fact.subject_uuid, fact.object_uuid):
                episodes |= set(fact.episodes)
        return self._erase("entity", dump, group_id, episodes=episodes, entities={node.uuid})

    def forget_group(self, group_id: str) -> ErasureReceipt:
        """Erase a whole group (tenant): every episode, entity and fact row, and its settings
        (embedder, relation settings, export and snapshot state). Other groups are untouched.
        Returns a receipt of counts."""
        check_group_id(group_id)
        with self._write_lock, self.store.lock_group(group_id):
            return self._forget_group(group_id)

    def _forget_group(self, group_id: str) -> ErasureReceipt:
        dump = self.store.dump(group_id)
        settings = [
            f"{_META_EMBEDDER}:{group_id}",
            _relations_key(group_id),
            f"{_META_COPY}:{group_id}",
            entity_revision_key(group_id),
            *(snapshot_times_key(group_id, s) for s in sorted({e.source for e in dump.episodes})),
        ]
        return self._erase(
            "group",
            dump,
            group_id,
            episodes={e.uuid for e in dump.episodes},
            entities={e.uuid for e in dump.entities},
            settings=settings,
        )

    def _erase(
        self,
        kind: ErasureKind,
        dump: WriteBatch,
        group_id: str,
        *,
        episodes: Collection[str] = (),
        entities: Collection[str] = (),
        settings: Sequence[str] = (),
    ) -> ErasureReceipt:
        present = [k for k in settings if self.store.get_meta(k) is not None]
        erasure = plan_erasure(
            dump,
            group_id,
            episodes=episodes,
            entities=entities,
            settings=present,
            functional=self.registry_for(group_id).functional,
            now=self.now(),
            order=tuple(self.vocabulary.relations),
        )
        aliases = {e.uuid: e.aliases for e in dump.entities}
        self.store.erase(erasure)  # under the write locks its caller holds
        self._writers.pop(group_id, None)  # its entity cache knew the erased entities
        self._checked_groups.discard(group_id)
        self._engine = None
        return ErasureReceipt(
            kind=kind,
            group_id=group_id,
            erased_at=self.now(),
            episodes=len(erasure.episodes),
            entities=len(erasure.entities),
            facts=len(erasure.facts),
            facts_updated=len(erasure.updated_facts),
            settings=len(erasure.settings),
            entities_updated=sum(
                1 for e in erasure.updated_entities if e.aliases != aliases.get(e.uuid)
            ),
        )

    # -- reading --------------------------------------------------------------------------------

    def entity(self, name: str, *, group_id: str = DEFAULT_GROUP) -> Entity:
        """The entity called ``name`` (or with that alias) in ``group_id``."""
        check_group_id(group_id)
        check_length(name, ALIAS_MAX_CHARS, "the entity name")
        found = self.store.find_entities(group_id, [name])
        if found:
            return sorted(found, key=lambda e: (name_key(e.name) != name_key(name), e.name))[0]
        known = [e.name for e in self.store.find_entities(group_id, vectors=False)]
        close = [m[0] for m in process.extract(name, known, scorer=fuzz.WRatio, limit=3)]
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise NotFoundError(f"no entity named {name!r} in group {group_id!r}{hint}")

    def facts(
        self,
        *,
        subject: str | None = None,
        relation: str | None = None,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        known_at: TimeLike = None,
        include_ended: bool = False,
        limit: int | None = None,
    ) -> list[SearchResult]:
        """Facts about ``subject`` (a name), optionally of one ``relation``.

        By default only what holds now; ``as_of`` gives what held then; ``include_ended``
        lists ended facts too (each with its ``invalid_at``). Results are ordered by
        ``valid_at``. ``limit``: at most this many rows (at least 1; ``None``: all).
        """
        check_group_id(group_id)
        if limit is not None and limit < 1:
            raise InputError(f"limit must be at least 1 (or None for all facts), not {limit}")
        as_of_t = _time(as_of, "as_of")
        where = FactFilter(
            as_of=as_of_t,
            known_at=_time(known_at, "known_at"),
            current_only=not include_ended and as_of_t is None,
            relations=(relation.upper(),) if relation else None,
            subject_uuids=(self.entity(subject, group_id=group_id).uuid,) if subject else None,
        )
        rows = self.store.list_facts(group_id, where, limit=limit, vectors=False)
        rows.sort(key=_timeline_key)
        return self._fact_results(group_id, rows)

    def history(
        self,
        entity: str,
        *,
        relation: str | None = None,
        group_id: str = DEFAULT_GROUP,
        known_at: TimeLike = None,
    ) -> list[SearchResult]:
        """The timeline of ``entity``: every fact it takes part in, ended or not, by valid
        time (unknown starts first)."""
        node = self.entity(entity, group_id=group_id)
        where = FactFilter(
            known_at=_time(known_at, "known_at"),
            relations=(relation.upper(),) if relation else None,
        )
        rows = self.store.neighbors(group_id, [node.uuid], where, limit=100_000, vectors=False)
        rows.sort(key=_timeline_key)
        return self._fact_results(group_id, rows)

    def search(
        self,
        query: str,
        *,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        known_at: TimeLike = None,
        limit: int = 10,
        valid_from: TimeLike = None,
        valid_to: TimeLike = None,
        labels: Sequence[str] | None = None,
        relations: Sequence[str] | None = None,
        centre: str | None = None,
        kinds: Sequence[ResultKind] | None = None,
        recipe: str = DEFAULT_RECIPE.name,
        speaker: str | None = None,
    ) -> list[SearchResult]:
        """Hybrid search (full text + vectors + graph, fused and reranked), best first.

        Without ``as_of`` the current state is searched; facts that have ended are still found
        (they answer questions about the past) but carry their ``invalid_at``. The parameters
        are those of :class:`chronomem.query.SearchRequest`:

        - ``group_id``: the tenant searched; ``limit``: at most this many results (1 to 1000).
        - ``as_of``: valid time, what held then; ``known_at``: transaction time, what the
          memory believed then (a timezone-aware datetime or an ISO-8601 string).
        - ``valid_from``/``valid_to``: only facts whose validity overlaps that range (and
          episodes that happened in it).
        - ``labels``: only entities with one of these labels, and facts touching one;
          ``relations``: only facts with one of these relations (e.g. ``("LIVES_IN",)``).
        - ``centre``: an entity name or uuid; results near it in the graph rank higher.
        - ``kinds``: which of ``"fact"``, ``"entity"``, ``"episode"`` to return (default: the
          recipe's); ``recipe``: a search recipe by name (:mod:`chronomem.query.recipes`).
        - ``speaker``: who asks, so that "Where do I live?" asked by Alice is searched as
          "Where do Alice live?".

        A value the request refuses raises :class:`~chronomem.errors.InputError`.
        """

        self._check_embedder(group_id, writing=False)
        try:
            request = SearchRequest(
                query=query,
                group_id=group_id,
                as_of=_time(as_of, "as_of"),
                known_at=_time(known_at, "known_at"),
                limit=limit,
                valid_from=valid_from,
                valid_to=valid_to,
                labels=labels,
                relations=relations,
                centre=centre,
                kinds=kinds,
                recipe=recipe,
                speaker=speaker,
            )
        except ValidationError as error:
            raise InputError(f"invalid search: {describe_validation_error(error)}") from None
        return self._search_engine().search(request)

    def context(
        self,
        query: str,
        *,
        max_tokens: int = 1500,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        limit: int = 30,
        speaker: str | None = None,
    ) -> str:
        """An agent-ready block of facts (with dates and sources) and entities relevant to
        ``query``, within ``max_tokens``; paste it into a prompt. ``speaker``: who asks (their
        "I" and "my" in ``query`` mean them)."""

        hits = self.search(query, group_id=group_id, as_of=as_of, limit=limit, speaker=speaker)
        text = ground_first_person(query, speaker) if speaker else query
        named = self._search_engine().entities_named(group_id, text)
        profiles = self._profiles(group_id, named, as_of=_time(as_of, "as_of"), known_at=None)
        return build_context(hits, query=query, max_tokens=max_tokens, profiles=profiles)

    def profile(
        self,
        entity: str,
        *,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        known_at: TimeLike = None,
    ) -> Profile:
        """The profile of ``entity``: the value each of its one-value relations (where it
        lives, works, its title, partner ...; the relations :meth:`registry_for` the group
        says hold one value at a time) holds, with the date it became true (``since``).
        Now by default; ``as_of`` (valid time) gives the profile then, ``known_at``
        (transaction time) as the memory believed it then. Computed from the fact rows on
        each call; its text now is kept as the entity's ``summary``."""
        node = self.entity(entity, group_id=group_id)
        moments = _time(as_of, "as_of"), _time(known_at, "known_at")
        return self._profiles(group_id, [node], as_of=moments[0], known_at=moments[1])[0]

    def _profiles(
        self,
        group_id: str,
        entities: Sequence[Entity],
        *,
        as_of: datetime | None,
        known_at: datetime | None,
    ) -> list[Profile]:
        return read_profiles(
            self.store,
            group_id,
            entities,
            self.registry_for(group_id).functional,
            now=self.now(),
            as_of=as_of,
            known_at=known_at,
            order=tuple(self.vocabulary.relations),
        )

    def neighbors(
        self,
        entity: str,
        *,
        depth: int = 1,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        max_facts_per_hop: int = DEFAULT_HOP_LIMIT,
    ) -> list[SearchResult]:
        """Facts within ``depth`` hops of ``entity`` (valid ``as_of`` if given).

        All of them or an error: a hop that holds more than ``max_facts_per_hop`` facts
        (1,000 by default) raises :class:`LimitError` rather than returning a cut
        neighbourhood; ask for fewer hops or raise the limit."""

        node = self.entity(entity, group_id=group_id)
        found = neighbors(
            self.store,
            group_id,
            node.uuid,
            depth=depth,
            as_of=_time(as_of, "as_of"),
            limit=max_facts_per_hop,
        )
        return self._fact_results(group_id, found.facts)

    def paths(
        self,
        source: str,
        target: str,
        *,
        max_hops: int = 3,
        group_id: str = DEFAULT_GROUP,
        as_of: TimeLike = None,
        max_facts_per_hop: int = DEFAULT_HOP_LIMIT,
    ) -> list[list[SearchResult]]:
        """Paths of facts linking two entities, shortest first, each at most ``max_hops``.

        Every path or an error: a hop that holds more than ``max_facts_per_hop`` facts
        raises :class:`LimitError` rather than searching a cut graph."""

        a = self.entity(source, group_id=group_id)
        b = self.entity(target, group_id=group_id)
        found = paths(
            self.store,
            group_id,
            a.uuid,
            b.uuid,
            max_hops=max_hops,
            as_of=_time(as_of, "as_of"),
            limit=max_facts_per_hop,
        )
        return [self._fact_results(group_id, path) for path in found]

    def export(
        self,
        target: str | Path,
        *,
        group_id: str | None = None,
        chunk: int = 2000,
        reembed: bool = False,
        progress: ProgressCallback | None = None,
    ) -> dict[str, int]:
        """Copy this memory (or one group) into another store: a directory or a Neo4j URI.

        Every row is copied as it is, expired fact rows and transaction times included, so the
        copy answers ``as_of`` and ``known_at`` queries exactly like the original. Writes are
        idempotent (by uuid and source id) and merge by the bi-temporal rules
        (:func:`~chronomem.engine.store.copy.merge_fact_rows`: a fact row the destination has
        expired stays expired, so exporting a stale copy again never reopens a closed fact).
        Each group's copy is marked incomplete in the destination until it has finished
        (:meth:`incomplete_copy`, and ``chronomem groups`` says so): an interrupted export is
        resumed by running it again. A group whose settings (embedder, relation settings)
        differ in the destination is refused before anything is copied.

        With ``reembed`` the episodes' vectors are computed again on the way, as this version
        embeds turns (:func:`~chronomem.engine.episode_text.with_vectors`): the upgrade path for
        a memory built by an older version. Facts and entity names keep their vectors, so the
        memory's embedder must be the one it was built with. ``progress`` is told the episodes
        embedded (with ``reembed``) and the fact rows copied. Returns the counts copied. The
        rows are copied by :func:`~chronomem.engine.store.copy.copy_group`.
        """
        groups = [check_group_id(group_id)] if group_id is not None else self.store.groups()
        if reembed:
            for group in groups:
                self._check_embedder(group, writing=False)
        destination = open_store(target, dimension=self.embedder.dimension, config=self.config)
        counts = CopyCounts()
        try:
            self._copy_settings(destination, groups, target)
            for group in groups:
                key = f"{_META_COPY}:{group}"
                started = self.now().isoformat()
                destination.set_meta(key, json.dumps({"state": "incomplete", "at": started}))
                counts += copy_group(
                    self.store,
                    destination,
                    group,
                    chunk=chunk,
                    reembed=partial(with_vectors, self.embedder) if reembed else None,
                    progress=progress,
                )
                destination.set_meta(key, json.dumps({"state": "complete", "at": started}))
        finally:
            destination.close()
        return counts.as_dict()

    def _copy_settings(
        self, destination: GraphStore, groups: Sequence[str], target: str | Path
    ) -> None:
        """Copy the settings an export carries (each group's embedder and relation settings)
        into ``destination``, refusing to overwrite one it holds with another value: a group
        built with another embedder, or whose relations are declared otherwise there."""
        what = {_META_EMBEDDER: "the embedder", _META_RELATIONS: "the relation settings"}
        planned: list[tuple[str, str]] = []
        for group in groups:
            for prefix, label in what.items():
                key = f"{prefix}:{group}"
                value = self.store.get_meta(key)
                theirs = destination.get_meta(key)
                if value is None or value == theirs:
                    continue
                if theirs is not None:
                    raise ConfigurationError(
                        f"{target}: group {group!r} there has {label} {theirs!r}, this memory "
                        f"{value!r}; export into an empty store, or into one whose group has "
                        "the same settings (nothing was copied)"
                    )
                planned.append((key, value))
        for key, value in planned:
            destination.set_meta(key, value)

    def _search_engine(self) -> SearchEngine:
        if self._engine is None:
            self._engine = SearchEngine(
                self.store, self.embedder, workers=self.config.search_workers
            )
        return self._engine

    def incomplete_copy(self, group_id: str = DEFAULT_GROUP) -> str | None:
        """``None``, or why ``group_id`` is not a whole copy: an :meth:`export` into this
        memory that started then and has not finished (run it again to complete it)."""
        stored = self.store.get_meta(f"{_META_COPY}:{check_group_id(group_id)}")
        state = json.loads(stored) if stored else {}
        if state.get("state") != "incomplete":
            return None
        return (
            f"group {group_id!r} is an incomplete copy: an export into it started at "
            f"{state.get('at')} and did not finish; run the export again to complete it"
        )

    def groups(self) -> list[str]:
        """Every group (tenant) that holds anything, sorted."""
        return self.store.groups()

    def stats(self, group_id: str | None = None) -> Stats:
        """Counts of episodes, entities, facts and current facts."""
        return self.store.stats(None if group_id is None else check_group_id(group_id))

    def _fact_results(self, group_id: str, rows: Sequence[Fact]) -> list[SearchResult]:
        ids = {r.subject_uuid for r in rows} | {r.object_uuid for r in rows}
        found = self.store.get_entities(group_id, sorted(ids), vectors=False)
        entities = {e.uuid: e for e in found}
        return [fact_result(r, r.confidence, entities) for r in rows]

    # -- consistency ----------------------------------------------------------------------------

    def _check_embedder(self, group_id: str, *, writing: bool = True) -> None:
        """Vectors are compared within a group: every group keeps the embedder it was built
        with, and refuses another (their vectors would not be comparable). The first write of
        a group records its embedder; a read records nothing (reads never write)."""
        if group_id in self._checked_groups:
            return
        check_group_id(group_id)
        key = f"{_META_EMBEDDER}:{group_id}"
        stored = self.store.get_meta(key)
        current = f"{self.embedder.name}:{self.embedder.dimension}"
        if stored is None:
            if not writing:
                return  # nothing written with any embedder yet: nothing to compare
            self.store.set_meta(key, current)
        elif stored != current:
            raise ConfigurationError(
                f"group {group_id!r} of this memory was built with the embedder {stored!r} but "
                f"{current!r} was given; open it with the same embedder (vectors of different "
                "models are not comparable)"
            )
        self._checked_groups.add(group_id)

    def now(self) -> datetime:
        """The memory's clock (UTC)."""
        return utcnow()


def _check_mentions(source: str, extractions: Sequence[Extraction]) -> None:
    """Every name, label and key a mapping produced is within its limit, before anything is
    written (:mod:`chronomem.schema.limits`)."""
    for extraction in extractions:
        mentions = list(extraction.entities)
        for candidate in extraction.facts:
            mentions += [candidate.subject, candidate.object]
        for mention in mentions:
            fields = [("a name", mention.name, NAME_MAX_CHARS)]
            fields.append(("a label", mention.label, NAME_MAX_CHARS))
            if mention.key is not None:
                fields.append(("a key", mention.key, ID_MAX_CHARS))
            for what, value, limit in fields:
                problem = length_problem(value, limit)
                if problem is not None:
                    raise InputError(f"{source}: {what} ({value[:40]!r}...) {problem}")


def _timeline_key(fact: Fact) -> tuple[bool, datetime, str, str, str]:
    """Timeline order: unknown starts first, then by valid time; ties broken by content so
    that every backend lists the same facts in the same order."""
    start = fact.valid_at or fact.created_at
    return (fact.valid_at is not None, start, fact.relation, fact.fact, fact.object_uuid)
