"""The bi-temporal resolver: scenarios and hypothesis properties over arrival orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chronomem.engine.store.protocol import FactFilter
from chronomem.engine.temporal import RelationRegistry, ResolvedStatement, TemporalResolver
from chronomem.schema import Fact

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def stmt(
    obj: str,
    start: int | None,
    *,
    relation: str = "LIVES_IN",
    end: int | None = None,
    ends: bool = False,
    retracts: bool = False,
    episode: str | None = None,
) -> ResolvedStatement:
    return ResolvedStatement(
        group_id="g",
        subject_uuid="alice",
        relation=relation,
        object_uuid=obj,
        fact=f"alice {relation} {obj}",
        episode_uuid=episode or f"ep-{obj}-{start}-{end}-{ends}-{retracts}",
        source_id=f"src-{obj}-{start}",
        valid_at=day(start) if start is not None else None,
        invalid_at=day(end) if end is not None else None,
        ends=ends,
        retracts=retracts,
    )


class Ledger:
    """A tiny in-memory store applying resolutions, with a strictly increasing clock."""

    def __init__(self, resolver: TemporalResolver | None = None) -> None:
        self.rows: dict[str, Fact] = {}
        self.resolver = resolver or TemporalResolver()
        self.clock = datetime(2030, 1, 1, tzinfo=UTC)
        self.history: list[tuple[datetime, int]] = []

    def ingest(self, statements: Sequence[ResolvedStatement]) -> datetime:
        self.clock += timedelta(seconds=1)
        now = self.clock
        live = [r for r in self.rows.values() if r.expired_at is None]
        resolution = self.resolver.resolve(statements, live, now=now)
        for row in resolution.facts:
            self.rows[row.uuid] = row
        self.history.append((now, len(self.rows)))
        return now

    def current(self) -> list[Fact]:
        return [r for r in self.rows.values() if r.expired_at is None]

    def state(self) -> set[tuple[str, str, datetime | None, datetime | None]]:
        return {(r.relation, r.object_uuid, r.valid_at, r.invalid_at) for r in self.current()}

    def holds(self, moment: datetime, relation: str = "LIVES_IN") -> list[str]:
        return sorted(
            r.object_uuid for r in self.current() if r.relation == relation and r.holds_at(moment)
        )

    def known(self, k: datetime) -> list[Fact]:
        return [r for r in self.rows.values() if r.known_at(k)]


def test_paris_then_berlin_in_order_and_reversed() -> None:
    for order in (["paris", "berlin"], ["berlin", "paris"]):
        ledger = Ledger()
        statements = {"paris": stmt("paris", 0), "berlin": stmt("berlin", 152)}  # Jan, June
        for name in order:
            ledger.ingest([statements[name]])
        assert ledger.holds(day(60)) == ["paris"]  # March
        assert ledger.holds(day(400)) == ["berlin"]  # now
        timeline = sorted(ledger.current(), key=lambda r: r.valid_at or T0)
        assert [(r.object_uuid, r.valid_at, r.invalid_at) for r in timeline] == [
            ("paris", day(0), day(152)),
            ("berlin", day(152), None),
        ]
        paris = timeline[0]
        assert paris.invalidated_by == timeline[1].uuid
        assert paris.invalidated_by_episode == statements["berlin"].episode_uuid


def test_late_fact_gets_its_end_from_the_next_value() -> None:
    ledger = Ledger()
    ledger.ingest([stmt("paris", 0)])
    ledger.ingest([stmt("berlin", 150)])
    ledger.ingest([stmt("rome", 60)])  # arrives late, lies between
    assert ledger.holds(day(30)) == ["paris"]
    assert ledger.holds(day(90)) == ["rome"]
    assert ledger.holds(day(200)) == ["berlin"]
    berlin = next(r for r in ledger.current() if r.object_uuid == "berlin")
    assert berlin.invalid_at is None  # the newer value is not closed by the late one


def test_repeated_statement_extends_provenance() -> None:
    ledger = Ledger()
    ledger.ingest([stmt("paris", 0, episode="e1")])
    ledger.ingest([stmt("paris", 10, episode="e2")])
    current = ledger.current()
    assert len(current) == 1
    assert current[0].episodes == ["e1", "e2"]
    assert current[0].valid_at == day(0)
    assert len(ledger.rows) == 1


def test_explicit_ending_closes_without_replacement() -> None:
    ledger = Ledger()
    ledger.ingest([stmt("acme", 0, relation="WORKS_AT")])
    ledger.ingest([stmt("acme", 100, relation="WORKS_AT", ends=True, episode="quit")])
    (row,) = ledger.current()
    assert (row.valid_at, row.invalid_at) == (day(0), day(100))
    assert row.invalidated_by is None
    assert row.invalidated_by_episode == "quit"
    assert ledger.holds(day(150), "WORKS_AT") == []


def test_ending_before_start_arrives_is_the_same_state() -> None:
    a, b = Ledger(), Ledger()
    start = stmt("acme", 0, relation="WORKS_AT")
    end = stmt("acme", 100, relation="WORKS_AT", ends=True)
    a.ingest([start])
    a.ingest([end])
    b.ingest([end])
    b.ingest([start])
    assert a.state() == b.state()


def test_a_start_arriving_after_its_ending_gives_the_fact_its_words() -> None:
    # "Quit smoking in January" arrives first, "I smoke a pack a day" (said earlier) second:
    # the fact that held is told in the start's words, not the ending's
    ledger = Ledger()
    ending = replace(
        stmt("smoking", 100, relation="SMOKE", ends=True), fact="Quit smoking in January"
    )
    ledger.ingest([ending])
    ledger.ingest([replace(stmt("smoking", 0, relation="SMOKE"), fact="I smoke")])
    (row,) = ledger.current()
    assert (row.valid_at, row.invalid_at) == (day(0), day(100))
    assert row.fact == "I smoke"
    assert "ep-smoking-100-None-True-False" in row.episodes  # the ending stays its provenance


def test_retraction_expires_belief_and_reopens_previous_value() -> None:
    ledger = Ledger()
    ledger.ingest([stmt("paris", 0)])
    ledger.ingest([stmt("berlin", 150)])
    before = ledger.clock
    ledger.ingest([stmt("berlin", None, retracts=True, episode="oops")])
    assert ledger.holds(day(200)) == ["paris"]
    berlin = [r for r in ledger.rows.values() if r.object_uuid == "berlin"]
    assert all(r.expired_at is not None for r in berlin)
    assert berlin[0].invalid_at is None  # no claim that the world changed
    # the transaction-time view before the retraction still sees Berlin
    assert {r.object_uuid for r in ledger.known(before) if r.holds_at(day(200))} == {"berlin"}


def test_taking_back_an_ending_reopens_the_value_as_if_it_never_ended() -> None:
    # "I'm leaving Acme!" ... "ignore all that, they countered and I'm staying"
    ledger = Ledger()
    ledger.ingest([stmt("acme", 0, relation="WORKS_AT", episode="hired")])
    ledger.ingest([stmt("acme", 100, relation="WORKS_AT", ends=True, episode="leaving")])
    assert ledger.holds(day(150), "WORKS_AT") == []
    before = ledger.clock
    ledger.ingest(
        [stmt("acme", 104, relation="WORKS_AT", ends=True, retracts=True, episode="staying")]
    )
    (row,) = ledger.current()
    assert (row.valid_at, row.invalid_at) == (day(0), None)
    assert ledger.holds(day(150), "WORKS_AT") == ["acme"]
    ended = [r for r in ledger.rows.values() if r.invalid_at == day(100)]
    assert len(ended) == 1
    assert ended[0].expired_at is not None  # the belief is kept, expired
    assert ended[0].invalidated_by_episode == "staying"
    assert {r.object_uuid for r in ledger.known(before) if r.holds_at(day(150))} == set()


def test_taking_back_an_ending_in_the_same_batch_cancels_it() -> None:
    ledger = Ledger()
    ledger.ingest([stmt("house", 0, relation="OWNS")])
    ledger.ingest(
        [
            stmt("house", 100, relation="OWNS", ends=True, episode="sold"),
            stmt("house", 130, relation="OWNS", ends=True, retracts=True, episode="fell-through"),
        ]
    )
    (row,) = ledger.current()
    assert (row.valid_at, row.invalid_at) == (day(0), None)


def test_taking_back_an_ending_leaves_later_endings_and_other_values_alone() -> None:
    ledger = Ledger()
    ledger.ingest([stmt("acme", 0, relation="WORKS_AT")])
    ledger.ingest([stmt("acme", 200, relation="WORKS_AT", ends=True, episode="left")])
    ledger.ingest([stmt("globex", 300, relation="WORKS_AT")])
    # said before the ending (on day 150), it takes back nothing: the job still ended on day 200
    resolution = ledger.resolver.resolve(
        [stmt("acme", 150, relation="WORKS_AT", ends=True, retracts=True)],
        ledger.current(),
        now=ledger.clock + timedelta(seconds=1),
    )
    assert resolution.facts == []
    assert [c.kind for c in resolution.changes] == ["ignore"]
    # a value closed by the next value (not an explicit ending) is not reopened either
    resolution = ledger.resolver.resolve(
        [stmt("globex", 400, relation="WORKS_AT", ends=True, retracts=True)],
        ledger.current(),
        now=ledger.clock + timedelta(seconds=1),
    )
    assert resolution.facts == []


def test_multi_valued_relation_keeps_values_side_by_side() -> None:
    ledger = Ledger()
    ledger.ingest([stmt("jazz", 0, relation="LIKES"), stmt("tennis", 5, relation="LIKES")])
    assert ledger.holds(day(10), "LIKES") == ["jazz", "tennis"]


def test_registry_overrides() -> None:
    registry = RelationRegistry().with_cardinalities({"LIKES": True, "LIVES_IN": False})
    assert registry.is_functional("LIKES")
    assert not registry.is_functional("LIVES_IN")


def test_changes_explain_each_decision() -> None:
    resolver = TemporalResolver()
    first = resolver.resolve([stmt("paris", 0)], [], now=day(1000))
    assert [c.kind for c in first.changes] == ["insert"]
    second = resolver.resolve([stmt("berlin", 10)], first.facts, now=day(1001))
    kinds = sorted(c.kind for c in second.changes)
    assert kinds == ["expire", "insert", "revise"]


# --- properties ------------------------------------------------------------------------------

OBJECTS = ["paris", "berlin", "rome", "oslo"]


@st.composite
def statement_sets(draw: st.DrawFn) -> list[ResolvedStatement]:
    n = draw(st.integers(min_value=1, max_value=8))
    out = []
    for i in range(n):
        obj = draw(st.sampled_from(OBJECTS))
        relation = draw(st.sampled_from(["LIVES_IN", "LIKES"]))
        start = draw(st.integers(min_value=0, max_value=60))
        kind = draw(st.sampled_from(["start", "start", "start", "ranged", "end"]))
        episode = f"e{i}"
        if kind == "start":
            out.append(stmt(obj, start, relation=relation, episode=episode))
        elif kind == "ranged":
            length = draw(st.integers(min_value=1, max_value=30))
            out.append(stmt(obj, start, relation=relation, end=start + length, episode=episode))
        else:
            out.append(stmt(obj, start, relation=relation, ends=True, episode=episode))
    return out


def _apply(statements: Sequence[ResolvedStatement], batch: int) -> Ledger:
    ledger = Ledger()
    for i in range(0, len(statements), batch):
        ledger.ingest(statements[i : i + batch])
    return ledger


def _valid_state(ledger: Ledger) -> set[tuple[str, str, datetime | None, datetime | None]]:
    # Empty intervals assert nothing in valid time; compare what holds.
    return {s for s in ledger.state() if s[2] is None or s[3] is None or s[2] < s[3]}


@settings(max_examples=300, deadline=None)
@given(statement_sets(), st.randoms(use_true_random=False), st.integers(1, 3))
def test_final_valid_time_state_is_order_independent(
    statements: list[ResolvedStatement], rnd: object, batch: int
) -> None:
    shuffled = list(statements)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert _valid_state(_apply(statements, 1)) == _valid_state(_apply(shuffled, batch))


@settings(max_examples=300, deadline=None)
@given(statement_sets(), st.integers(0, 100))
def test_functional_relation_never_has_two_values_at_once(
    statements: list[ResolvedStatement], probe: int
) -> None:
    ledger = _apply(statements, 1)
    assert len(ledger.holds(day(probe), "LIVES_IN")) <= 1


def _as_of(ledger: Ledger, moment: datetime, relation: str) -> list[str]:
    """The as-of answer the stores give: the rows ``FactFilter(as_of=...)`` accepts."""
    query = FactFilter(as_of=moment, relations=(relation,))
    return sorted(r.object_uuid for r in ledger.rows.values() if query.accepts(r, ledger.clock))


@st.composite
def dated_starts(draw: st.DrawFn) -> list[ResolvedStatement]:
    """Plain starts only, a different day for each ``LIVES_IN`` start (no tie to break)."""
    lives = draw(
        st.lists(
            st.tuples(st.sampled_from(OBJECTS), st.integers(0, 60)),
            max_size=6,
            unique_by=lambda s: s[1],
        )
    )
    likes = draw(st.lists(st.tuples(st.sampled_from(OBJECTS), st.integers(0, 60)), max_size=6))
    out = [stmt(o, d, episode=f"l{i}") for i, (o, d) in enumerate(lives)]
    out += [stmt(o, d, relation="LIKES", episode=f"k{i}") for i, (o, d) in enumerate(likes)]
    return draw(st.permutations(out))


@settings(max_examples=200, deadline=None)
@given(dated_starts(), st.integers(1, 3), st.integers(-5, 70))
def test_as_of_answer_matches_a_reference_timeline(
    statements: list[ResolvedStatement], batch: int, probe: int
) -> None:
    ledger = _apply(statements, batch)
    moment = day(probe)
    started = [s for s in statements if s.valid_at is not None and s.valid_at <= moment]
    # functional: the value of the latest start at or before the moment
    lives = [s for s in started if s.relation == "LIVES_IN"]
    latest = max(lives, key=lambda s: s.valid_at or T0, default=None)
    assert _as_of(ledger, moment, "LIVES_IN") == ([latest.object_uuid] if latest else [])
    # multi-valued: every value started at or before the moment, each once
    likes = sorted({s.object_uuid for s in started if s.relation == "LIKES"})
    assert _as_of(ledger, moment, "LIKES") == likes


@settings(max_examples=200, deadline=None)
@given(statement_sets(), st.integers(0, 100))
def test_as_of_returns_exactly_the_facts_inside_their_interval(
    statements: list[ResolvedStatement], probe: int
) -> None:
    ledger = _apply(statements, 2)
    moment = day(probe)
    query = FactFilter(as_of=moment)
    assert ledger.current()
    for row in ledger.rows.values():
        inside = (row.valid_at is None or row.valid_at <= moment) and (
            row.invalid_at is None or moment < row.invalid_at
        )
        assert query.accepts(row, ledger.clock) == (inside and row.expired_at is None)


@settings(max_examples=200, deadline=None)
@given(statement_sets())
def test_nothing_is_ever_deleted(statements: list[ResolvedStatement]) -> None:
    ledger = Ledger()
    seen: set[str] = set()
    for s in statements:
        ledger.ingest([s])
        assert seen <= set(ledger.rows)
        seen = set(ledger.rows)
    counts = [n for _, n in ledger.history]
    assert counts == sorted(counts)


@settings(max_examples=200, deadline=None)
@given(statement_sets())
def test_known_at_before_an_ingest_never_sees_it(statements: list[ResolvedStatement]) -> None:
    ledger = Ledger()
    snapshots = []
    for s in statements:
        before = ledger.clock
        snapshots.append((before, {r.uuid: r.expired_at for r in ledger.known(before)}))
        ledger.ingest([s])
    for before, seen in snapshots:
        # the view at `before` is the same after all later ingests
        assert {r.uuid for r in ledger.known(before)} == set(seen)


# --- properties asked for by issue 14: arrival order, retraction then re-assertion, endings ----


@st.composite
def one_slot(draw: st.DrawFn) -> list[ResolvedStatement]:
    """Dated starts, bounded ranges and endings of one functional slot (``LIVES_IN``)."""
    n = draw(st.integers(min_value=1, max_value=7))
    out = []
    for i in range(n):
        obj = draw(st.sampled_from(OBJECTS))
        start = draw(st.integers(min_value=0, max_value=60))
        kind = draw(st.sampled_from(["start", "start", "ranged", "end"]))
        if kind == "start":
            out.append(stmt(obj, start, episode=f"s{i}"))
        elif kind == "ranged":
            end = start + draw(st.integers(min_value=1, max_value=30))
            out.append(stmt(obj, start, end=end, episode=f"s{i}"))
        else:
            out.append(stmt(obj, start, ends=True, episode=f"s{i}"))
    return out


def _intervals(ledger: Ledger) -> dict[str, list[tuple[datetime | None, datetime | None]]]:
    """The final valid-time state per object: its non-empty intervals, in order."""
    out: dict[str, list[tuple[datetime | None, datetime | None]]] = {}
    for relation, obj, start, end in _valid_state(ledger):
        assert relation == "LIVES_IN"
        out.setdefault(obj, []).append((start, end))
    return {
        obj: sorted(spans, key=lambda s: (s[0] or T0, s[1] or T0)) for obj, spans in out.items()
    }


@settings(max_examples=300, deadline=None)
@given(one_slot(), st.data())
def test_any_arrival_order_of_one_slot_gives_the_same_intervals(
    statements: list[ResolvedStatement], data: st.DataObject
) -> None:
    in_time_order = sorted(statements, key=lambda s: (s.valid_at or T0, s.fact))
    reference = _intervals(_apply(in_time_order, 1))
    arrival = data.draw(st.permutations(statements), label="arrival order")
    batch = data.draw(st.integers(1, 3), label="statements per ingest")
    assert _intervals(_apply(arrival, batch)) == reference


@settings(max_examples=300, deadline=None)
@given(one_slot(), st.sampled_from(OBJECTS), st.integers(1, 3), st.booleans())
def test_retraction_then_reassertion_ends_current(
    background: list[ResolvedStatement], obj: str, batch: int, multi_valued: bool
) -> None:
    relation = "LIKES" if multi_valued else "LIVES_IN"
    background = [replace(s, relation=relation) for s in background]
    asserted = stmt(obj, 70, relation=relation, episode="asserted")
    retracted = stmt(obj, None, relation=relation, retracts=True, episode="retracted")
    reasserted = stmt(obj, 80, relation=relation, episode="reasserted")
    ledger = _apply([*background, asserted, retracted, reasserted], batch)
    assert obj in ledger.holds(day(100), relation)
    (row,) = [r for r in ledger.current() if r.object_uuid == obj and r.holds_at(day(100))]
    assert row.valid_at == day(80)
    assert row.invalid_at is None
    assert "reasserted" in row.episodes


@settings(max_examples=300, deadline=None)
@given(one_slot(), st.sampled_from(OBJECTS), st.integers(0, 79), st.data())
def test_an_ending_never_closes_a_fact_that_started_after_it(
    background: list[ResolvedStatement], obj: str, ended: int, data: st.DataObject
) -> None:
    # everything else happens before day 80 (a range ending after it would rightly close it)
    background = [
        replace(s, invalid_at=min(s.invalid_at, day(79))) if s.invalid_at is not None else s
        for s in background
    ]
    later_start = stmt(obj, 80, episode="later-start")
    ending = stmt(obj, ended, ends=True, episode="ending")
    arrival = data.draw(st.permutations([*background, later_start, ending]), label="arrival")
    batch = data.draw(st.integers(1, 3), label="statements per ingest")
    ledger = _apply(arrival, batch)
    assert ledger.holds(day(90)) == [obj]
    (row,) = [r for r in ledger.current() if r.object_uuid == obj and r.holds_at(day(90))]
    # it may have started earlier (an earlier start of the same value), but it is not closed
    assert row.valid_at is not None
    assert row.valid_at <= day(80)
    assert row.invalid_at is None
    assert row.invalidated_by_episode is None
