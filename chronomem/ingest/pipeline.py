"""The write path: episodes -> extraction -> entity resolution -> temporal resolution -> store.

One call of :meth:`Writer.write_batch` is one transaction: the episodes of the batch, the
entities they introduce and every fact row the resolver produced are written together, so a
crash leaves either all of a batch or none of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from chronomem.engine.embed import Embedder
from chronomem.engine.episode_text import with_vectors
from chronomem.engine.profile import summaries_after
from chronomem.engine.store.protocol import FactFilter, GraphStore, WriteBatch
from chronomem.engine.temporal import Change, ResolvedStatement, TemporalResolver
from chronomem.ingest.extract.protocol import (
    ANY_RELATION,
    CandidateFact,
    EntityMention,
    Extraction,
    Extractor,
)
from chronomem.ingest.resolve import EntityResolver
from chronomem.language.vocabulary import Vocabulary, default_vocabulary
from chronomem.schema import NAME_RELATION, Entity, Episode, Fact, name_key, utcnow

__all__ = ["IngestReport", "Writer", "names_match", "source_key_alias"]

ProgressCallback = Callable[[int], None]


@dataclass(slots=True)
class IngestReport:
    """What an ingest did."""

    episodes_added: int = 0
    episodes_skipped: int = 0
    entities_added: int = 0
    facts_added: int = 0
    facts_revised: int = 0
    facts_extended: int = 0
    facts_retracted: int = 0
    changes: list[Change] = field(default_factory=list)

    def merge(self, other: IngestReport) -> None:
        """Add ``other``'s counts to this report."""
        self.episodes_added += other.episodes_added
        self.episodes_skipped += other.episodes_skipped
        self.entities_added += other.entities_added
        self.facts_added += other.facts_added
        self.facts_revised += other.facts_revised
        self.facts_extended += other.facts_extended
        self.facts_retracted += other.facts_retracted
        self.changes.extend(other.changes)

    def as_dict(self) -> dict[str, int]:
        """Counts only, for JSON output."""
        return {
            "episodes_added": self.episodes_added,
            "episodes_skipped": self.episodes_skipped,
            "entities_added": self.entities_added,
            "facts_added": self.facts_added,
            "facts_revised": self.facts_revised,
            "facts_extended": self.facts_extended,
            "facts_retracted": self.facts_retracted,
        }


class Writer:
    """Runs the write path for batches of episodes of one group."""

    def __init__(
        self,
        store: GraphStore,
        embedder: Embedder,
        extractor: Extractor | None,
        resolver: TemporalResolver,
        *,
        embed_episodes: bool = True,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.store = store
        self.vocabulary = (
            vocabulary or getattr(extractor, "vocabulary", None) or default_vocabulary()
        )
        self._batch_names: dict[str, str] = {}
        self.embedder = embedder
        self.embed_episodes = embed_episodes
        self.extractor = extractor
        self.resolver = resolver
        self.entities = EntityResolver(store, embedder)

    def write(
        self,
        episodes: Sequence[Episode],
        *,
        batch_size: int,
        extractions: Sequence[Extraction] | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Write ``episodes`` (all of one group) in transactions of ``batch_size`` episodes.

        ``extractions`` (one per episode) bypass the extractor: record mappings produce their
        candidates directly.
        """
        report = IngestReport()
        for start in range(0, len(episodes), batch_size):
            chunk = list(episodes[start : start + batch_size])
            chunk_extractions = (
                list(extractions[start : start + batch_size]) if extractions is not None else None
            )
            report.merge(self.write_batch(chunk, chunk_extractions))
            if progress is not None:
                progress(len(chunk))
        return report

    def write_batch(
        self, episodes: list[Episode], extractions: list[Extraction] | None = None
    ) -> IngestReport:
        """One transaction: new episodes of the batch with everything extracted from them."""
        report = IngestReport()
        if not episodes:
            return report
        group_id = episodes[0].group_id
        fresh_index = self._fresh(episodes)
        report.episodes_skipped = len(episodes) - len(fresh_index)
        if not fresh_index:
            return report
        fresh = self._embedded([episodes[i] for i in fresh_index])
        if extractions is not None:
            found = [extractions[i] for i in fresh_index]
        elif self.extractor is not None:
            found = self.extractor.extract(fresh)
        else:
            found = [Extraction(e.uuid) for e in fresh]
        now = utcnow()
        by_episode = {e.uuid: e for e in fresh}

        mentions: list[EntityMention] = []
        for extraction in found:
            mentions.extend(extraction.entities)
            for candidate in extraction.facts:
                mentions.append(candidate.subject)
                if candidate.scope != "slot":  # a slot ending's object is a placeholder
                    mentions.append(candidate.object)
        keyed = self._resolve_keyed(group_id, [m for m in mentions if m.key], now)
        resolution = self.entities.resolve(group_id, [m for m in mentions if not m.key], now=now)

        def entity_for(mention: EntityMention) -> Entity:
            if mention.key:
                return keyed.entities[_key_alias(mention)]
            return resolution.entity_for(mention)

        self._batch_names = {
            e.uuid: e.name for e in [*resolution.new_entities, *resolution.updated_entities]
        }

        candidates = [c for extraction in found for c in extraction.facts]
        # One sentence often yields several facts: embed each distinct text once.
        texts = list(dict.fromkeys(c.fact for c in candidates))
        vectors = self.embedder.embed(texts) if texts else None
        row_of = {text: row for row, text in enumerate(texts)}
        statements: list[ResolvedStatement] = []
        scoped: list[tuple[ResolvedStatement, CandidateFact, str]] = []
        for candidate in candidates:
            subject = entity_for(candidate.subject)
            obj = subject if candidate.scope == "slot" else entity_for(candidate.object)
            if subject.uuid == obj.uuid and not (
                candidate.scope == "slot" or _names_its_subject(candidate)
            ):
                continue
            episode = by_episode[candidate.episode_uuid]
            embedding = (
                tuple(vectors[row_of[candidate.fact]].tolist()) if vectors is not None else None
            )
            statement = _statement(candidate, episode, subject, obj, embedding)
            if candidate.scope == "fact" or not (candidate.ends or candidate.retracts):
                statements.append(statement)
            else:
                scoped.append((statement, candidate, obj.name))
        if scoped:
            statements += self._expand_scoped(group_id, statements, scoped, report)
        statements += self._follower_endings(group_id, statements)
        statements += self._replaced_endings(group_id, statements)
        statements += self._endings_told_first(group_id, statements)
        statements = _distinct(statements)

        stored = self._stored_rows(group_id, statements)
        temporal = self.resolver.resolve(statements, stored, now=now)

        mention_pairs: list[tuple[str, str]] = []
        for extraction in found:
            seen: set[str] = set()
            for mention in extraction.entities:
                uuid = entity_for(mention).uuid
                if uuid not in seen:
                    seen.add(uuid)
                    mention_pairs.append((extraction.episode_uuid, uuid))

        entities = [
            *keyed.new,
            *keyed.updated,
            *resolution.new_entities,
            *resolution.updated_entities,
        ]
        batch = WriteBatch(
            episodes=fresh,
            entities=self._with_summaries(
                group_id,
                entities,
                [*keyed.updated, *resolution.updated_entities],
                temporal.facts,
                now,
            ),
            facts=temporal.facts,
            mentions=mention_pairs,
        )
        self.store.write(batch)
        self.entities.commit(resolution)
        report.episodes_added = len(fresh)
        report.entities_added = len(resolution.new_entities) + len(keyed.new)
        report.changes += temporal.changes
        for change in temporal.changes:
            if change.kind == "insert":
                report.facts_added += 1
            elif change.kind == "revise":
                report.facts_revised += 1
            elif change.kind == "extend":
                report.facts_extended += 1
            elif change.kind == "retract":
                report.facts_retracted += 1
        return report

    def _with_summaries(
        self,
        group_id: str,
        entities: list[Entity],
        rewritten: Sequence[Entity],
        facts: Sequence[Fact],
        now: datetime,
    ) -> list[Entity]:
        """``entities`` and the subjects of ``facts``, each with the summary (its profile,
        :mod:`chronomem.engine.profile`) it has once the batch is stored: the subjects whose
        one-value facts the batch changes, and every stored entity the batch rewrites (the
        resolver's cached copy may carry an older summary). A few reads per batch, none per
        fact."""
        functional = self.resolver.registry.functional
        subjects = {f.subject_uuid for f in facts if f.relation in functional}
        subjects |= {e.uuid for e in rewritten}
        changed = summaries_after(
            self.store,
            group_id,
            subjects,
            facts,
            entities,
            functional,
            now=now,
            order=tuple(self.vocabulary.relations),
        )
        if not changed:
            return entities
        update = {e.uuid: e for e in changed}
        out = [update.pop(e.uuid, e) for e in entities]
        return [*out, *update.values()]

    def refresh_summaries(self, group_id: str, subjects: Collection[str]) -> None:
        """Recompute the summaries of ``subjects`` from what is stored (after fact rows were
        written around the resolver, e.g. a snapshot's moved endings). The resolver's cache
        may keep the older summaries: a batch that rewrites one of these entities recomputes
        its summary anyway (:meth:`_with_summaries`)."""
        changed = summaries_after(
            self.store,
            group_id,
            subjects,
            (),
            (),
            self.resolver.registry.functional,
            now=utcnow(),
            order=tuple(self.vocabulary.relations),
        )
        if changed:
            self.store.write(WriteBatch(entities=changed))

    def _embedded(self, episodes: list[Episode]) -> list[Episode]:
        """``episodes`` with their vectors (:func:`~chronomem.engine.episode_text.with_vectors`:
        ``speaker: content`` with first person as the speaker's name, and each sentence of a
        longer turn) when the store keeps episode vectors and they have none yet (unless
        ``embed_episodes`` is off). Records are not embedded."""
        if not (self.embed_episodes and self.store.capabilities.episode_vectors):
            return episodes
        missing = [i for i, e in enumerate(episodes) if e.content_embedding is None]
        if not missing:
            return episodes
        out = list(episodes)
        embedded = with_vectors(self.embedder, [out[i] for i in missing])
        for i, episode in zip(missing, embedded, strict=True):
            out[i] = episode
        return out

    def _resolve_keyed(self, group_id: str, mentions: list[EntityMention], now: datetime) -> _Keyed:
        """Mentions with a source key resolve by that key (stored as an alias), nothing else.

        A key seen under another name (a renamed customer, a surname change) keeps its entity;
        the other name becomes an alias, so the old and the new name both find it.
        """
        keyed = _Keyed()
        aliases = list(dict.fromkeys(_key_alias(m) for m in mentions))
        if not aliases:
            return keyed
        names: dict[str, list[str]] = {}
        for mention in mentions:
            listed = names.setdefault(_key_alias(mention), [])
            if mention.name not in listed:
                listed.append(mention.name)
        for entity in self.store.find_entities(group_id, aliases):
            for alias in entity.aliases:
                if alias in aliases:
                    keyed.entities.setdefault(alias, entity)
        missing = [m for m in mentions if _key_alias(m) not in keyed.entities]
        first = {_key_alias(m): m for m in reversed(missing)}
        vectors = self.embedder.embed([m.name for m in first.values()]) if first else None
        for row, (alias, mention) in enumerate(first.items()):
            entity = Entity(
                group_id=group_id,
                name=mention.name,
                labels=[mention.label],
                aliases=[alias],
                created_at=now,
                name_embedding=vectors[row].tolist() if vectors is not None else None,
            )
            keyed.entities[alias] = entity
            keyed.new.append(entity)
        for alias, entity in list(keyed.entities.items()):
            known = {name_key(entity.name), *map(name_key, entity.aliases)}
            extra = [n for n in names.get(alias, []) if name_key(n) not in known]
            if not extra:
                continue
            renamed = entity.model_copy(update={"aliases": [*entity.aliases, *extra]})
            keyed.entities[alias] = renamed
            if any(e.uuid == renamed.uuid for e in keyed.new):
                keyed.new = [renamed if e.uuid == renamed.uuid else e for e in keyed.new]
            else:
                keyed.updated.append(renamed)
        return keyed

    def _fresh(self, episodes: list[Episode]) -> list[int]:
        """Indexes of episodes not stored yet, and not repeated inside the batch."""
        by_source: dict[str, list[str]] = {}
        for episode in episodes:
            by_source.setdefault(episode.source, []).append(episode.source_id)
        group_id = episodes[0].group_id
        known = {
            (source, source_id)
            for source, ids in by_source.items()
            for source_id in self.store.known_sources(group_id, source, ids)
        }
        fresh: list[int] = []
        for index, episode in enumerate(episodes):
            key = (episode.source, episode.source_id)
            if key not in known:
                known.add(key)
                fresh.append(index)
        return fresh

    def _expand_scoped(
        self,
        group_id: str,
        statements: list[ResolvedStatement],
        scoped: list[tuple[ResolvedStatement, CandidateFact, str]],
        report: IngestReport,
    ) -> list[ResolvedStatement]:
        """Endings and retractions that name a value or a relation, not both, made concrete.

        ``object`` scope: every state of the subject about that value, whatever the relation,
        where the value is the same entity or one named by part of the other's name ("the
        Civic" is "2012 Honda Civic"; "my car" is any vehicle). ``slot`` scope: the subject's
        values of the relation (and its family) that hold at the ending's time. What matches
        nothing is kept as stated when its relation is the vocabulary's, and dropped otherwise
        (reported as an ignored change).
        """
        vocabulary = self.vocabulary
        subjects = tuple(sorted({s.subject_uuid for s, _, _ in scoped}))
        known: list[tuple[str, str, str, datetime | None, datetime | None]] = [
            (r.subject_uuid, r.relation, r.object_uuid, r.valid_at, r.invalid_at)
            for r in self.store.list_facts(group_id, FactFilter(subject_uuids=subjects))
        ]
        known += [
            (s.subject_uuid, s.relation, s.object_uuid, s.valid_at, s.invalid_at)
            for s in statements
            if not (s.ends or s.retracts) and s.subject_uuid in subjects
        ]
        object_ids = sorted({k[2] for k in known})
        names = {e.uuid: e.name for e in self.store.get_entities(group_id, object_ids)}
        names.update(self._batch_names)
        out: list[ResolvedStatement] = []
        kept_as_stated: list[ResolvedStatement] = []
        for statement, candidate, object_name in scoped:
            moment = statement.valid_at
            matches: dict[tuple[str, str], None] = {}
            candidates = known
            if candidate.ends and candidate.retracts:  # also the endings of this batch
                candidates = known + [
                    (s.subject_uuid, s.relation, s.object_uuid, s.valid_at, s.invalid_at)
                    for s in (*statements, *out)
                    if s.ends and not s.retracts and s.subject_uuid == statement.subject_uuid
                ]
            for subject, relation, object_uuid, valid_at, invalid_at in candidates:
                if subject != statement.subject_uuid or not vocabulary.is_state(relation):
                    continue
                if candidate.scope == "slot":
                    if relation not in vocabulary.family(candidate.relation):
                        continue
                elif object_uuid != statement.object_uuid and not names_match(
                    names.get(object_uuid, ""), object_name, vocabulary
                ):
                    continue
                elif (
                    candidate.ends
                    and candidate.relation not in (ANY_RELATION, relation)
                    and relation not in vocabulary.relations
                    and "OWNS" not in vocabulary.family(candidate.relation)
                ):  # "used to hike" ends hiking, not last weekend's "got out hiking"; a thing
                    continue  # sold or gone ends all one does with it ("parks his Tesla")
                if candidate.ends and candidate.retracts:  # an ending taken back
                    if invalid_at is None or (moment is not None and invalid_at > moment):
                        continue
                elif candidate.ends and moment is not None:
                    if valid_at is not None and valid_at >= moment:
                        continue  # an ending never closes what started after it
                    if invalid_at is not None and invalid_at < moment:
                        continue
                matches[(relation, object_uuid)] = None
            if matches:
                for relation, object_uuid in matches:
                    out.append(
                        dataclasses.replace(statement, relation=relation, object_uuid=object_uuid)
                    )
            elif (
                candidate.scope == "object"
                and candidate.relation in vocabulary.relations
                and not (candidate.ends and candidate.retracts)
            ):
                kept_as_stated.append(statement)
            else:
                report.changes.append(
                    Change(
                        "ignore",
                        "",
                        f"{'retraction' if candidate.retracts else 'ending'} in episode "
                        f"{statement.episode_uuid} matched no stored fact: {statement.fact}",
                    )
                )
        # "I don't run anymore" ended "I run marathons" (its slot): the habit's own ending,
        # kept for a start that might arrive later, would only repeat it without a start.
        ended_slots = {(s.subject_uuid, s.relation, s.episode_uuid) for s in out if s.ends}
        return out + [
            s
            for s in kept_as_stated
            if (s.subject_uuid, s.relation, s.episode_uuid) not in ended_slots
        ]

    def _follower_endings(
        self, group_id: str, statements: list[ResolvedStatement]
    ) -> list[ResolvedStatement]:
        """Values that end with the value they were stated with (the vocabulary's ``follows``).

        "I'm a nurse at St Mary's" states a title and an employer in one sentence; when the job
        at St Mary's ends (an ending, or a new employer of a one-value relation), the title
        said with it ends at the same moment, unless it is stated again.
        """
        vocabulary = self.vocabulary
        leads = [s for s in statements if not s.retracts and vocabulary.followers(s.relation)]
        if not leads:
            return []
        subjects = tuple(sorted({s.subject_uuid for s in leads}))
        known: list[_Known] = [
            (r.subject_uuid, r.relation, r.object_uuid, r.valid_at, r.invalid_at, r.fact)
            for r in self.store.list_facts(group_id, FactFilter(subject_uuids=subjects))
        ]
        known += [
            (s.subject_uuid, s.relation, s.object_uuid, s.valid_at, s.invalid_at, s.fact)
            for s in statements
            if not (s.ends or s.retracts) and s.subject_uuid in subjects
        ]

        def holds(valid_at: datetime | None, invalid_at: datetime | None, t: datetime) -> bool:
            return (valid_at is None or valid_at < t) and (invalid_at is None or invalid_at > t)

        out: dict[tuple[str, str, str], ResolvedStatement] = {}
        for lead in leads:
            moment = lead.valid_at
            if moment is None:
                continue
            if lead.ends:
                closed = [
                    k
                    for k in known
                    if k[:3] == (lead.subject_uuid, lead.relation, lead.object_uuid)
                    and holds(k[3], k[4], moment)
                ]
            elif vocabulary.relations.get(lead.relation) is not None and (
                self.resolver.registry.is_functional(lead.relation)
            ):
                closed = [
                    k
                    for k in known
                    if k[0] == lead.subject_uuid
                    and k[1] == lead.relation
                    and k[2] != lead.object_uuid
                    and holds(k[3], k[4], moment)
                ]
            else:
                continue
            sentences = {k[5] for k in closed}
            followers = set(vocabulary.followers(lead.relation))
            for k in known:
                if (
                    k[0] == lead.subject_uuid
                    and k[1] in followers
                    and k[5] in sentences
                    and holds(k[3], k[4], moment)
                    and not any(
                        s.subject_uuid == k[0]
                        and s.relation == k[1]
                        and s.object_uuid == k[2]
                        and not s.ends
                        and s.fact == lead.fact
                        for s in statements
                    )
                ):
                    out.setdefault(
                        (k[0], k[1], k[2]),
                        dataclasses.replace(
                            lead, relation=k[1], object_uuid=k[2], ends=True,
                            valid_at=moment, invalid_at=moment,
                        ),
                    )  # fmt: skip
        return list(out.values())

    def _endings_told_first(
        self, group_id: str, statements: list[ResolvedStatement]
    ) -> list[ResolvedStatement]:
        """A state told after its ending, said in other words: "Traded the Prius for an Ioniq"
        is stored first (an ending of owning the Prius, from an unknown start), then "I drive a
        silver Prius" arrives, dated before it. The stored ending closes the late state when
        its relation is of the same family (owning / driving) and the names match, as it
        would have had the state come first. Endings dated before the state close nothing
        ("sold my car in 2020", then a car driven since 2023)."""
        vocabulary = self.vocabulary
        starts = [
            s
            for s in statements
            if not (s.ends or s.retracts)
            and s.valid_at is not None
            and s.relation in vocabulary.relations
            and vocabulary.is_state(s.relation)
        ]
        if not starts:
            return []
        subjects = tuple(sorted({s.subject_uuid for s in starts}))
        endings = [
            r
            for r in self.store.list_facts(group_id, FactFilter(subject_uuids=subjects))
            if r.valid_at is None and r.invalid_at is not None
        ]
        if not endings:
            return []
        ids = sorted({r.object_uuid for r in endings} | {s.object_uuid for s in starts})
        names = {e.uuid: e.name for e in self.store.get_entities(group_id, ids)}
        names.update(self._batch_names)
        out: list[ResolvedStatement] = []
        for start in starts:
            family = vocabulary.family(start.relation)
            said = names.get(start.object_uuid, "")
            if not said:
                continue
            for row in endings:
                ended, started = row.invalid_at, start.valid_at  # (both set: filtered above)
                if (
                    ended is None
                    or started is None
                    or ended <= started
                    or row.subject_uuid != start.subject_uuid
                    or row.relation not in family
                    or (row.relation, row.object_uuid) == (start.relation, start.object_uuid)
                    or not (
                        names_match(said, names.get(row.object_uuid, ""), vocabulary)
                        or names_match(names.get(row.object_uuid, ""), said, vocabulary)
                    )
                ):
                    continue
                out.append(
                    dataclasses.replace(
                        start, fact=row.fact, ends=True, valid_at=row.invalid_at,
                        invalid_at=row.invalid_at,
                        episode_uuid=row.episodes[0] if row.episodes else start.episode_uuid,
                        source_id=row.sources[0] if row.sources else start.source_id,
                    )
                )  # fmt: skip
                break
        return out

    def _replaced_endings(
        self, group_id: str, statements: list[ResolvedStatement]
    ) -> list[ResolvedStatement]:
        """Endings of the states a new state replaces (the vocabulary's ``replaces``): getting
        married to someone ends being engaged, at the moment the marriage starts."""
        vocabulary = self.vocabulary
        leads = [
            s
            for s in statements
            if not (s.ends or s.retracts) and s.valid_at is not None
            and vocabulary.replaced_by(s.relation)
        ]  # fmt: skip
        if not leads:
            return []
        subjects = tuple(sorted({s.subject_uuid for s in leads}))
        replaced = tuple(sorted({r for s in leads for r in vocabulary.replaced_by(s.relation)}))
        where = FactFilter(subject_uuids=subjects, relations=replaced)
        known = [
            (r.subject_uuid, r.relation, r.object_uuid, r.valid_at, r.invalid_at)
            for r in self.store.list_facts(group_id, where)
        ] + [
            (s.subject_uuid, s.relation, s.object_uuid, s.valid_at, s.invalid_at)
            for s in statements
            if not (s.ends or s.retracts) and s.relation in replaced
        ]
        out: dict[tuple[str, str, str], ResolvedStatement] = {}
        for lead in leads:
            moment = lead.valid_at
            assert moment is not None
            for subject, relation, object_uuid, valid_at, invalid_at in known:
                if (
                    subject == lead.subject_uuid
                    and relation in vocabulary.replaced_by(lead.relation)
                    and (valid_at is None or valid_at < moment)
                    and (invalid_at is None or invalid_at > moment)
                ):
                    out.setdefault(
                        (subject, relation, object_uuid),
                        dataclasses.replace(
                            lead, relation=relation, object_uuid=object_uuid, ends=True,
                            valid_at=moment, invalid_at=moment,
                        ),
                    )  # fmt: skip
        return list(out.values())

    def _stored_rows(self, group_id: str, statements: list[ResolvedStatement]) -> list[Fact]:
        if not statements:
            return []
        subjects = tuple(sorted({s.subject_uuid for s in statements}))
        relations = tuple(sorted({s.relation for s in statements}))
        where = FactFilter(subject_uuids=subjects, relations=relations)
        return list(self.store.list_facts(group_id, where))


@dataclass(slots=True)
class _Keyed:
    entities: dict[str, Entity] = field(default_factory=dict)
    new: list[Entity] = field(default_factory=list)
    updated: list[Entity] = field(default_factory=list)


def _names_its_subject(candidate: CandidateFact) -> bool:
    """Whether ``candidate`` is a record's name fact, the one fact whose object is its own
    subject (every other such candidate is dropped)."""
    return candidate.relation == NAME_RELATION and candidate.subject.key is not None


def _distinct(statements: list[ResolvedStatement]) -> list[ResolvedStatement]:
    """One ending or retraction per value and time: two rules reading "I quit Acme in May"
    (or an ending made concrete twice) must not close Acme twice."""
    seen: set[tuple[object, ...]] = set()
    out: list[ResolvedStatement] = []
    for s in statements:
        if s.ends or s.retracts:
            key = (s.subject_uuid, s.relation, s.object_uuid, s.ends, s.retracts, s.valid_at)
            if key in seen:
                continue
            seen.add(key)
        out.append(s)
    return out


_Known = tuple[str, str, str, datetime | None, datetime | None, str]  # a fact, as its ends
_NAME_FILLER = frozenset(
    {"the", "a", "an", "my", "our", "his", "her", "their", "your", "old", "new"}
)


def names_match(stored: str, said: str, vocabulary: Vocabulary) -> bool:
    """Whether ``said`` names the thing called ``stored``: one's words contain the other's
    ("Civic" / "2012 Honda Civic", "Acme" / "Acme Robotics"), or ``said`` is only a category
    word ("car", "dog") of a category ``stored`` belongs to."""
    a = set(name_key(stored).split()) - _NAME_FILLER
    b = set(name_key(said).split()) - _NAME_FILLER
    if not a or not b:
        return False
    if a <= b or b <= a:
        return True
    said_categories = vocabulary.categories_of(b)
    if (
        said.strip() == said.strip().lower()  # a common noun, not a brand: "my car"
        and said_categories
        and all(vocabulary.categories_of([w]) for w in b)
    ):
        return any(
            vocabulary.refers_to_any(category, b)
            for category in said_categories & vocabulary.categories_of(a)
        )
    return False


def source_key_alias(label: str, key: str) -> str:
    """The alias under which an entity with a source key is found again: label and key."""
    return f"{label}#{key}"


def _key_alias(mention: EntityMention) -> str:
    return source_key_alias(mention.label, mention.key or "")


def _statement(
    candidate: CandidateFact,
    episode: Episode,
    subject: Entity,
    obj: Entity,
    embedding: tuple[float, ...] | None,
) -> ResolvedStatement:
    """Default the times of a candidate: undated statements hold from their episode's time."""
    valid_at: datetime | None = candidate.valid_at
    invalid_at: datetime | None = candidate.invalid_at
    if candidate.ends:
        valid_at = invalid_at or valid_at or episode.reference_time
        invalid_at = valid_at
    elif valid_at is None and invalid_at is None:
        valid_at = episode.reference_time
    return ResolvedStatement(
        group_id=episode.group_id,
        subject_uuid=subject.uuid,
        relation=candidate.relation,
        object_uuid=obj.uuid,
        fact=candidate.fact,
        episode_uuid=episode.uuid,
        source_id=episode.source_id,
        valid_at=valid_at,
        invalid_at=invalid_at,
        ends=candidate.ends,
        retracts=candidate.retracts,
        confidence=candidate.confidence,
        embedding=embedding,
    )
