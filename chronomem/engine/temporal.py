"""The bi-temporal resolver: decides what each new statement does to the facts already stored.

Every fact row has a valid-time interval (``valid_at``, ``invalid_at``) and a transaction-time
interval (``created_at``, ``expired_at``). The resolver never deletes and never rewrites a row's
interval in place: when the memory's belief about an interval changes, the old row is expired and
a new version (same ``lineage``) is written with the revised interval.

The state of a *slot* is recomputed from all the statements about it, so the final valid-time
state does not depend on the order statements arrive in:

- A slot is ``(subject, relation)`` for a functional relation (one value at a time) and
  ``(subject, relation, object)`` for a multi-valued one.
- Statements become *events* on the valid-time line: a **start** ("X lives in Paris", valid from
  its ``valid_at`` or, undated, from its episode's time) or an **end** ("X left Acme", "until
  June").
- Walking the events in time order: a start of the value that holds already is a repeat and
  extends provenance; a start of another value closes the current one there (a *derived* end,
  recorded in ``invalidated_by``); an end closes the matching value (an *explicit* end). An end
  with nothing to close gives an interval that starts where the previous value ended (unknown
  start); if another value holds at that time it asserts nothing (an empty interval), so two
  values of a functional relation never hold at one instant.
- A retraction ("actually I never moved to Berlin") expires the matching rows in transaction time
  and the slot is recomputed without them: the world is not said to have changed.
- Taking back an ending (a statement that both ends and retracts: "ignore that" after "I'm
  leaving Acme", "the sale fell through" after "we sold the house") removes the latest explicit
  end of its value at or before its time, so the value holds again as if it had never ended (a
  new version of the row; the ended one is expired). One that arrives before the ending it takes
  back matches nothing and is reported as ignored.
- A value is the fact's object, except for a fact about its subject itself (its object is its
  subject: the name a record gives its entity, :data:`~chronomem.schema.NAME_RELATION`), whose
  value is its text, compared folded ("customer C-1 is named Acme" and "... is named ACME" are
  one value).

Each change records the fact and episode that caused it (``invalidated_by``,
``invalidated_by_episode``) and is reported as a :class:`Change` so callers can explain it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chronomem.language.vocabulary import default_vocabulary
from chronomem.schema import NAME_RELATION, Fact, name_key, new_uuid

__all__ = [
    "DEFAULT_FUNCTIONAL_RELATIONS",
    "Change",
    "RelationRegistry",
    "Resolution",
    "ResolvedStatement",
    "TemporalResolver",
]

DEFAULT_FUNCTIONAL_RELATIONS: frozenset[str] = default_vocabulary().functional() | frozenset(
    {
        NAME_RELATION,
        "LIVES_IN",
        "WORKS_AT",
        "EMPLOYED_BY",
        "HAS_JOB_TITLE",
        "MARRIED_TO",
        "PARTNER_OF",
        "DATING",
        "ENGAGED_TO",
        "STUDIES_AT",
        "HAS_STATUS",
        "HAS_PLAN",
        "HAS_PRICE",
        "MANAGED_BY",
        "REPORTS_TO",
        "HAS_AGE",
        "DRIVES",
    }
)


class RelationRegistry(BaseModel):
    """Which relations are functional (one value at a time per subject).

    Everything not declared functional is multi-valued. Users extend it with
    :meth:`with_functional`; record mappings declare their own relations.
    """

    model_config = ConfigDict(frozen=True)

    functional: frozenset[str] = Field(default=DEFAULT_FUNCTIONAL_RELATIONS)

    def is_functional(self, relation: str) -> bool:
        """Whether ``relation`` holds one value at a time per subject."""
        return relation in self.functional

    def with_cardinalities(self, cardinalities: Mapping[str, bool]) -> RelationRegistry:
        """A copy where each ``relation -> functional?`` of ``cardinalities`` is applied."""
        functional = set(self.functional)
        for relation, is_functional in cardinalities.items():
            if is_functional:
                functional.add(relation)
            else:
                functional.discard(relation)
        return RelationRegistry(functional=frozenset(functional))


@dataclass(frozen=True, slots=True)
class ResolvedStatement:
    """A candidate fact whose entities are resolved, ready for the temporal resolver.

    ``valid_at`` is already defaulted to the episode time for undated positive statements.
    """

    group_id: str
    subject_uuid: str
    relation: str
    object_uuid: str
    fact: str
    episode_uuid: str
    source_id: str
    valid_at: datetime | None
    invalid_at: datetime | None = None
    ends: bool = False
    retracts: bool = False
    confidence: float = 1.0
    embedding: tuple[float, ...] | None = None


ChangeKind = Literal["insert", "extend", "revise", "expire", "retract", "ignore"]


@dataclass(frozen=True, slots=True)
class Change:
    """One decision of the resolver, for explanations and tests."""

    kind: ChangeKind
    fact_uuid: str
    reason: str


@dataclass(slots=True)
class Resolution:
    """The rows to upsert and the decisions that produced them."""

    facts: list[Fact] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


# --- events on the valid-time line -----------------------------------------------------------

_END, _START = 0, 1  # at equal times an end sorts before a start: "left A, joined B" same day


@dataclass(slots=True)
class _Event:
    time: datetime | None
    kind: int
    value: str  # what the slot holds from/until then (see _value)
    row: Fact | None = None  # the stored row it comes from
    statement: ResolvedStatement | None = None  # or the new statement
    seq: int = 0


@dataclass(slots=True)
class _Interval:
    value: str
    start: datetime | None
    end: datetime | None = None
    explicit_end: bool = False
    end_event: _Event | None = None
    starts: list[_Event] = field(default_factory=list)
    closer: _Interval | None = None  # the interval whose start closed this one
    orphan_end: _Event | None = None
    uuid: str = ""

    def events(self) -> list[_Event]:
        evs = list(self.starts)
        if self.orphan_end is not None:
            evs.append(self.orphan_end)
        if self.end_event is not None:
            evs.append(self.end_event)
        return evs


def _value(subject_uuid: str, object_uuid: str, fact: str) -> str:
    """What a statement says the slot holds: its object, or for a fact whose object is its
    subject (a name fact) its folded text."""
    return f"={name_key(fact)}" if subject_uuid == object_uuid else object_uuid


def _value_of(item: Fact | ResolvedStatement) -> str:
    return _value(item.subject_uuid, item.object_uuid, item.fact)


def _sort_key(event: _Event) -> tuple[bool, datetime | None, int, str, str, int]:
    # Events with an unknown time sort first. Ties are broken by content (the statement's
    # text), not by ids, so the same statements give the same state in every run.
    text = (
        event.statement.fact if event.statement is not None else event.row.fact if event.row else ""
    )
    return (event.time is not None, event.time, event.kind, text, event.value, event.seq)


def _walk(events: list[_Event]) -> list[_Interval]:
    """Turn events (of one slot) into non-overlapping intervals, deterministically."""
    events.sort(key=_sort_key)
    intervals: list[_Interval] = []
    current: _Interval | None = None
    last_end: datetime | None = None
    for event in events:
        if event.kind == _START:
            if current is not None and current.value == event.value:
                current.starts.append(event)
                continue
            interval = _Interval(event.value, event.time, starts=[event])
            if current is not None:
                current.end = event.time
                current.closer = interval
                last_end = event.time
            intervals.append(interval)
            current = interval
            continue
        # an end event
        if (
            current is not None
            and current.value == event.value
            and (current.start is None or event.time is None or current.start < event.time)
        ):
            current.end = event.time
            current.explicit_end = True
            current.end_event = event
            last_end = event.time
            current = None
        elif current is None:
            # Nothing holds: the value held from where the previous one ended (unknown start).
            intervals.append(
                _Interval(
                    event.value,
                    last_end,
                    end=event.time,
                    explicit_end=True,
                    orphan_end=event,
                )
            )
            last_end = event.time
        else:
            # Another value holds at that time: the end asserts nothing in valid time.
            intervals.append(
                _Interval(
                    event.value,
                    event.time,
                    end=event.time,
                    explicit_end=True,
                    orphan_end=event,
                )
            )
    return intervals


# --- the resolver ----------------------------------------------------------------------------


class TemporalResolver:
    """Applies statements to stored fact rows. Pure: reads nothing, writes nothing itself."""

    def __init__(self, registry: RelationRegistry | None = None) -> None:
        self.registry = registry or RelationRegistry()

    def slot_key(self, subject_uuid: str, relation: str, object_uuid: str) -> tuple[str, ...]:
        """The key of the slot a fact belongs to."""
        if self.registry.is_functional(relation):
            return (subject_uuid, relation)
        return (subject_uuid, relation, object_uuid)

    def resolve(
        self,
        statements: Sequence[ResolvedStatement],
        stored: Iterable[Fact],
        *,
        now: datetime,
    ) -> Resolution:
        """Resolve ``statements`` against ``stored`` (current, non-expired rows of the same
        subjects and relations; rows of other slots are ignored).

        Returns every row to upsert: new rows, new versions, expired old versions and rows whose
        provenance was extended.
        """
        resolution = Resolution()
        by_slot: dict[tuple[str, ...], list[Fact]] = defaultdict(list)
        for row in stored:
            if row.expired_at is None:
                by_slot[self.slot_key(row.subject_uuid, row.relation, row.object_uuid)].append(row)
        new_by_slot: dict[tuple[str, ...], list[ResolvedStatement]] = defaultdict(list)
        for statement in statements:
            key = self.slot_key(statement.subject_uuid, statement.relation, statement.object_uuid)
            new_by_slot[key].append(statement)
        # Slots in the order their first statement came (not sorted by entity uuids, which are
        # random): the same input writes its rows in the same order in every run.
        for key, slot_statements in new_by_slot.items():
            self._resolve_slot(by_slot.get(key, []), slot_statements, now, resolution)
        return resolution

    # -- one slot ---------------------------------------------------------------------------

    def _resolve_slot(
        self,
        rows: list[Fact],
        statements: list[ResolvedStatement],
        now: datetime,
        out: Resolution,
    ) -> None:
        rows = sorted(
            rows, key=lambda r: (r.valid_at is not None, r.valid_at, r.created_at, r.fact, r.uuid)
        )
        positives: list[ResolvedStatement] = []
        retracted_any = False
        unends = [s for s in statements if s.retracts and s.ends]
        for statement in statements:
            if not statement.retracts:
                positives.append(statement)
                continue
            if statement.ends:
                continue  # taking back an ending: below, once the slot's statements are known
            value = _value_of(statement)
            retracted = [r for r in rows if _value_of(r) == value]
            if not retracted:
                out.changes.append(
                    Change(
                        "ignore",
                        "",
                        f"retraction by episode {statement.episode_uuid} matched no stored fact",
                    )
                )
            for row in retracted:
                retracted_any = True
                out.facts.append(
                    row.model_copy(
                        update={
                            "expired_at": now,
                            "invalidated_by": None,
                            "invalidated_by_episode": statement.episode_uuid,
                        }
                    )
                )
                out.changes.append(
                    Change("retract", row.uuid, f"retracted by episode {statement.episode_uuid}")
                )
            rows = [r for r in rows if _value_of(r) != value]
            positives = [p for p in positives if _value_of(p) != value]
        reopened: set[str] = set()
        for unend in unends:
            found = self._take_back_ending(unend, rows, positives, reopened)
            if found is None:
                out.changes.append(
                    Change(
                        "ignore",
                        "",
                        f"taking back an ending (episode {unend.episode_uuid}) matched no ended "
                        "fact",
                    )
                )
                continue
            if isinstance(found, Fact):
                reopened.add(found.uuid)
            else:
                positives.remove(found)
        if not positives and not retracted_any and not reopened:
            return
        events = self._events(rows, positives, reopened)
        intervals = _walk(events)
        cause = positives[0] if positives else unends[0] if unends else None
        self._materialise(intervals, rows, cause, now, out)

    @staticmethod
    def _take_back_ending(
        unend: ResolvedStatement,
        rows: list[Fact],
        positives: list[ResolvedStatement],
        reopened: set[str],
    ) -> Fact | ResolvedStatement | None:
        """The explicit ending an "ignore that" or "the sale fell through" takes back: the
        latest one of its value at or before its time, stored (a row whose end no other value
        made) or among the statements of this batch."""
        value = _value_of(unend)
        moment = unend.valid_at or unend.invalid_at
        candidates: list[tuple[datetime, Fact | ResolvedStatement]] = []
        for row in rows:
            end = row.invalid_at
            if (
                row.uuid not in reopened
                and end is not None
                and row.invalidated_by is None
                and _value_of(row) == value
                and (moment is None or end <= moment)
            ):
                candidates.append((end, row))
        for statement in positives:
            end = statement.invalid_at or statement.valid_at
            if (
                statement.ends
                and end is not None
                and _value_of(statement) == value
                and (moment is None or end <= moment)
            ):
                candidates.append((end, statement))
        if not candidates:
            return None
        return max(candidates, key=lambda pair: pair[0])[1]

    @staticmethod
    def _events(
        rows: list[Fact], positives: list[ResolvedStatement], reopened: set[str]
    ) -> list[_Event]:
        events: list[_Event] = []
        for row in rows:
            # Only stated starts are events: a row's valid_at may be derived (an ending whose
            # start is unknown begins where the previous value ended).
            for moment in row.observed_at:
                events.append(_Event(moment, _START, _value_of(row), row=row, seq=len(events)))
            if row.uuid in reopened:
                if not row.observed_at:  # its start was unknown: it holds from where it did
                    events.append(
                        _Event(row.valid_at, _START, _value_of(row), row=row, seq=len(events))
                    )
                continue
            if row.invalid_at is not None and row.invalidated_by is None:
                events.append(
                    _Event(row.invalid_at, _END, _value_of(row), row=row, seq=len(events))
                )
        for statement in positives:
            obj = _value_of(statement)
            if statement.ends or statement.valid_at is None:
                end_time = statement.invalid_at or statement.valid_at
                events.append(_Event(end_time, _END, obj, statement=statement, seq=len(events)))
                continue
            events.append(
                _Event(statement.valid_at, _START, obj, statement=statement, seq=len(events))
            )
            if statement.invalid_at is not None and statement.invalid_at > statement.valid_at:
                events.append(
                    _Event(statement.invalid_at, _END, obj, statement=statement, seq=len(events))
                )
        return events

    def _materialise(
        self,
        intervals: list[_Interval],
        live: list[Fact],
        cause: ResolvedStatement | None,
        now: datetime,
        out: Resolution,
    ) -> None:
        cause_episode = cause.episode_uuid if cause is not None else None
        claimed: set[str] = set()
        base_of: dict[int, Fact | None] = {}
        # Pick, for every interval, the stored row it continues (the earliest one not claimed).
        for index, interval in enumerate(intervals):
            base: Fact | None = None
            for event in interval.events():
                if event.row is not None and event.row.uuid not in claimed:
                    base = event.row
                    break
            if base is not None:
                claimed.add(base.uuid)
            base_of[index] = base
        # Decide uuids first, so derived ends can point at their successor.
        new_version: dict[int, bool] = {}
        for index, interval in enumerate(intervals):
            base = base_of[index]
            valid_at, invalid_at = interval.start, interval.end
            if base is not None and base.valid_at == valid_at and base.invalid_at == invalid_at:
                interval.uuid = base.uuid
                new_version[index] = False
            else:
                interval.uuid = new_uuid()
                new_version[index] = True
        # A stored row whose own uuid is kept but whose closer changed still keeps its interval:
        # the closer is recorded for explanation only, so only a changed interval makes a version.
        for index, interval in enumerate(intervals):
            base = base_of[index]
            statements = [e.statement for e in interval.events() if e.statement is not None]
            rows = {e.row.uuid: e.row for e in interval.events() if e.row is not None}
            episodes: list[str] = []
            sources: list[str] = []
            observed: list[datetime] = []
            for row in rows.values():
                episodes.extend(row.episodes)
                sources.extend(row.sources)
            for statement in statements:
                episodes.append(statement.episode_uuid)
                sources.append(statement.source_id)
            for event in interval.starts:
                if event.time is not None:
                    observed.append(event.time)
            episodes = list(dict.fromkeys(episodes))
            sources = list(dict.fromkeys(sources))
            observed = sorted(set(observed))
            closer = interval.closer
            invalidated_by = closer.uuid if closer is not None else None
            if interval.explicit_end:
                end_source = interval.end_event or interval.orphan_end
                if end_source is not None and end_source.statement is not None:
                    end_episode: str | None = end_source.statement.episode_uuid
                elif end_source is not None and end_source.row is not None:
                    end_episode = end_source.row.invalidated_by_episode
                else:
                    end_episode = None
            elif closer is not None:
                end_episode = self._first_episode(closer)
            else:
                end_episode = None
            confidence = max(
                [r.confidence for r in rows.values()] + [s.confidence for s in statements]
            )
            if base is None:
                row = self._new_row(interval, statements, list(rows.values()), now)
                row = row.model_copy(
                    update={
                        "episodes": episodes,
                        "sources": sources,
                        "observed_at": observed,
                        "confidence": confidence,
                        "invalidated_by": invalidated_by,
                        "invalidated_by_episode": end_episode if interval.end is not None else None,
                    }
                )
                out.facts.append(row)
                out.changes.append(Change("insert", row.uuid, f"new statement: {row.fact}"))
                continue
            update: dict[str, object] = {
                "episodes": episodes,
                "sources": sources,
                "observed_at": observed,
                "confidence": confidence,
            }
            if not new_version[index]:
                changed_provenance = (
                    episodes != base.episodes
                    or observed != base.observed_at
                    or invalidated_by != base.invalidated_by
                )
                if changed_provenance:
                    update["invalidated_by"] = invalidated_by
                    out.facts.append(base.model_copy(update=update))
                    out.changes.append(
                        Change("extend", base.uuid, "repeated statement extends provenance")
                    )
                continue
            out.facts.append(
                base.model_copy(
                    update={
                        "expired_at": now,
                        "invalidated_by": interval.uuid,
                        "invalidated_by_episode": cause_episode,
                    }
                )
            )
            out.changes.append(
                Change("expire", base.uuid, f"superseded by revised version {interval.uuid}")
            )
            opener = next(
                (
                    s
                    for s in statements
                    if not (s.ends or s.retracts) and s.valid_at == interval.start
                ),
                None,
            )
            if base.valid_at is None and interval.start is not None and opener is not None:
                # an ending kept as stated met the start it ends: the fact says what held
                update["fact"] = opener.fact
                if opener.embedding:
                    update["fact_embedding"] = list(opener.embedding)
            update.update(
                {
                    "uuid": interval.uuid,
                    "valid_at": interval.start,
                    "invalid_at": interval.end,
                    "created_at": now,
                    "expired_at": None,
                    "invalidated_by": invalidated_by,
                    "invalidated_by_episode": end_episode if interval.end is not None else None,
                    "lineage": base.lineage,
                }
            )
            revised = base.model_copy(update=update)
            out.facts.append(revised)
            reason = (
                f"closed at {interval.end.isoformat()} by fact {invalidated_by}"
                if interval.end is not None and invalidated_by is not None
                else "valid-time interval revised"
            )
            out.changes.append(Change("revise", revised.uuid, reason))
        # Stored rows merged into another interval are expired.
        for row in live:
            if row.uuid not in claimed:
                out.facts.append(
                    row.model_copy(
                        update={"expired_at": now, "invalidated_by_episode": cause_episode}
                    )
                )
                out.changes.append(Change("expire", row.uuid, "merged into another version"))

    @staticmethod
    def _new_row(
        interval: _Interval, statements: list[ResolvedStatement], rows: list[Fact], now: datetime
    ) -> Fact:
        """A fresh row for an interval no stored row continues (a new value, or a split)."""
        if statements:
            first = statements[0]
            return Fact(
                uuid=interval.uuid,
                group_id=first.group_id,
                subject_uuid=first.subject_uuid,
                relation=first.relation,
                object_uuid=first.object_uuid,  # the interval's value is its object's or text
                fact=first.fact,
                valid_at=interval.start,
                invalid_at=interval.end,
                created_at=now,
                fact_embedding=list(first.embedding) if first.embedding else None,
            )
        template = rows[0]
        return template.model_copy(
            update={
                "uuid": interval.uuid,
                "lineage": interval.uuid,
                "valid_at": interval.start,
                "invalid_at": interval.end,
                "created_at": now,
                "expired_at": None,
            }
        )

    @staticmethod
    def _first_episode(interval: _Interval) -> str | None:
        for event in interval.events():
            if event.statement is not None:
                return event.statement.episode_uuid
            if event.row is not None and event.row.episodes:
                return event.row.episodes[0]
        return None
