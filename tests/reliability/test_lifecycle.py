"""Issue 17, the data users control: tenancy of settings, reads that never write, size limits,
changed turns, whole-file validation, export merges, foreign files, groups, direct facts and
erasure. docs/reliability.md ("attack classes: what happens now") names these tests; keep it
true. Tests that need no real extractor run on all three stores (``fake_memory``)."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from neo4j import Driver

from chronomem.cli import cli
from chronomem.config import MemoryConfig
from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.store.embedded import EmbeddedStore
from chronomem.engine.store.neo4j.cypher import (
    ENTITY_FULLTEXT_INDEX,
    ENTITY_VECTOR_INDEX,
    EPISODE_FULLTEXT_INDEX,
    EPISODE_VECTOR_INDEX,
    FACT_FULLTEXT_INDEX,
    FACT_VECTOR_INDEX,
    SENTENCE_VECTOR_INDEX,
)
from chronomem.engine.store.protocol import FactFilter, WriteBatch
from chronomem.errors import (
    ConfigurationError,
    InputError,
    LimitError,
    NotFoundError,
    StoreError,
)
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.ingest.sources import RecordMapping
from chronomem.memory import Memory
from chronomem.query.request import MAX_SEARCH_TEXT_CHARS, SearchRequest
from chronomem.schema import ID_MAX_CHARS, NAME_MAX_CHARS
from tests.reliability.conftest import run_prefix

LOCOMO_MINI = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "locomo_mini.json"
BOB = [
    {"speaker": "Bob", "text": "I live in Paris.", "time": "2024-01-01T00:00:00Z", "id": "b1"},
    {"speaker": "Bob", "text": "I moved to Berlin.", "time": "2024-06-01T00:00:00Z", "id": "b2"},
]


def _homes(functional: bool) -> RecordMapping:
    """People's homes, with LIVES_IN declared ``functional`` or not."""
    home = {"column": "home", "relation": "LIVES_IN", "label": "Place", "functional": functional}
    return RecordMapping.from_dict(
        {
            "source": "homes",
            "entity": {"key": "id", "name": "name", "label": "Person"},
            "time": {"column": "at"},
            "attributes": [home],
        }
    )


MULTI_LIVES_IN = _homes(functional=False)


def _places(mem: Memory, group: str, person: str) -> list[str]:
    return sorted(
        r.object or "" for r in mem.facts(subject=person, relation="LIVES_IN", group_id=group)
    )


def test_relation_settings_belong_to_their_group(fake_memory: Memory) -> None:
    """Item 2: a mapping in group A that declares LIVES_IN multi-valued does not stop group
    B's move from ending where Bob lived before."""
    mem, prefix = fake_memory, run_prefix()
    a, b = f"{prefix}-a", f"{prefix}-b"
    rows = [{"id": "1", "name": "Ann", "home": "Oslo", "at": "2024-01-01T00:00:00Z"}]
    mem.add_records(rows, mapping=MULTI_LIVES_IN, group_id=a)
    assert not mem.registry_for(a).is_functional("LIVES_IN")
    assert mem.registry_for(b).is_functional("LIVES_IN")
    mem.add_dialogue(BOB, group_id=b)
    assert _places(mem, b, "Bob") == ["Berlin"]
    # and in A the declaration holds: a second home does not end the first
    later = [{"id": "1", "name": "Ann", "home": "Bergen", "at": "2024-02-01T00:00:00Z"}]
    mem.add_records(later, mapping=MULTI_LIVES_IN, group_id=a)
    assert _places(mem, a, "Ann") == ["Bergen", "Oslo"]


def _writer(directory: Path) -> Memory:
    return Memory.open(directory, embedder=HashingEmbedder(), extractor=FunctionExtractor())


def test_cli_reads_work_while_a_writer_holds_the_memory(tmp_path: Path) -> None:
    """Item 6: every CLI read opens the memory read-only, so it neither waits for nor fails
    on the write lock an ingest holds."""
    directory = tmp_path / "memory"
    with _writer(directory) as mem:
        mem.add_dialogue(BOB, group_id="g")
        store = ["--store", str(directory), "--group", "g"]
        for args in (
            ["facts", "--subject", "Bob", *store],
            ["history", "Bob", *store],
            ["neighbors", "Bob", *store],
            ["timeline", "Bob", *store],
            ["stats", "--store", str(directory)],
        ):
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, (args, result.output, result.exception)
        mem.add_dialogue([{**BOB[0], "id": "b3", "text": "I work at Acme."}], group_id="g")


def test_reads_of_a_new_group_write_nothing(fake_memory: Memory) -> None:
    """Item 6: a search of a group nobody wrote records no embedder setting (no row, no node)
    and creates no group."""
    mem, group = fake_memory, f"{run_prefix()}-new"
    before = mem.store.groups()
    assert mem.search("where does Bob live", group_id=group) == []
    assert mem.context("where does Bob live", group_id=group) == ""
    assert mem.store.get_meta(f"embedder:{group}") is None
    assert mem.registry_for(group).is_functional("LIVES_IN")
    assert mem.store.groups() == before
    mem.add_dialogue(BOB, group_id=group)  # the first write records it
    assert mem.store.get_meta(f"embedder:{group}") is not None


def test_a_read_only_reader_searches_a_group_the_writer_never_wrote(tmp_path: Path) -> None:
    """Item 6: ``read_only=True`` used to fail on any group without an embedder setting (the
    search tried to record one)."""
    directory = tmp_path / "memory"
    with _writer(directory) as mem:
        mem.add_dialogue(BOB, group_id="written")
        with Memory.open(directory, embedder=HashingEmbedder(), read_only=True) as reader:
            assert reader.search("Paris", group_id="never-written") == []
            assert reader.search("Paris", group_id="written") != []


WIDE = "\U0001d538"  # 4 bytes in UTF-8: the widest a character gets in an index key


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("speaker", "S" * (NAME_MAX_CHARS + 1), "speaker: is 501 characters long"),
        ("id", "i" * (ID_MAX_CHARS + 1), "id: is 501 characters long"),
        ("session", "s" * (NAME_MAX_CHARS + 1), "session: is 501 characters long"),
    ],
)
def test_names_and_ids_over_their_limit_are_refused_before_any_write(
    fake_memory: Memory, field: str, value: str, words: str
) -> None:
    """Item 5: speaker, turn id and session have a limit, the same on every backend, checked
    before anything is written (the good first turn is not stored either)."""
    mem, group = fake_memory, f"{run_prefix()}-long"
    bad = {**BOB[1], field: value}
    with pytest.raises(InputError, match=words):
        mem.add_dialogue([BOB[0], bad], group_id=group)
    assert mem.stats(group).episodes == 0


def test_names_and_ids_at_their_limit_are_stored_on_every_backend(fake_memory: Memory) -> None:
    """Item 5: what one backend accepts, every backend accepts (a Neo4j index refuses keys
    over 8 KB; the limits keep the widest characters under it), so the memory exports."""
    mem, group = fake_memory, f"{run_prefix()}-wide"
    speaker = WIDE * NAME_MAX_CHARS
    turn = {
        "speaker": speaker,
        "text": "I live in Paris.",
        "time": "2024-01-01T00:00:00Z",
        "id": WIDE * ID_MAX_CHARS,
        "session": WIDE * NAME_MAX_CHARS,
    }
    assert mem.add_dialogue([turn], group_id=group, source=WIDE * ID_MAX_CHARS).episodes_added
    assert mem.entity(speaker, group_id=group).name == speaker
    assert mem.search("Paris", group_id=group, speaker=speaker) != []


def test_a_long_speaker_cannot_multiply_a_query(fake_memory: Memory) -> None:
    """Item 5: a 100k-character speaker is refused at once; one at the limit replaces every
    "I" of a long query without the searched text outgrowing a bound."""
    mem, group = fake_memory, f"{run_prefix()}-ask"
    mem.add_dialogue(BOB, group_id=group)
    with pytest.raises(InputError, match="speaker: is 100,000 characters long"):
        mem.search("Where do I live?", group_id=group, speaker="x" * 100_000)
    request = SearchRequest(query="I " * 1000, speaker="x" * NAME_MAX_CHARS)
    assert len(request.search_text) <= MAX_SEARCH_TEXT_CHARS
    started = time.perf_counter()
    mem.search("I " * 1000, group_id=group, speaker="x" * NAME_MAX_CHARS)
    assert time.perf_counter() - started < 30
    with pytest.raises(InputError, match="entity name is 1,000,000 characters long"):
        mem.entity("n" * 1_000_000, group_id=group)


def test_record_values_over_their_limit_are_refused_before_any_write(fake_memory: Memory) -> None:
    """Item 5: a record's name, value or key over its limit refuses the whole file."""
    mem, group = fake_memory, f"{run_prefix()}-rec"
    rows = [
        {"id": "1", "name": "Ann", "home": "Oslo", "at": "2024-01-01T00:00:00Z"},
        {"id": "2", "name": "Bo", "home": "O" * (NAME_MAX_CHARS + 1), "at": "2024-01-01T00:00:00Z"},
    ]
    with pytest.raises(InputError, match=r"homes: a name .* is 501 characters long"):
        mem.add_records(rows, mapping=MULTI_LIVES_IN, group_id=group)
    rows[1] = {**rows[1], "home": "Oslo", "id": "k" * (ID_MAX_CHARS + 1)}
    with pytest.raises(InputError, match=r"a key .* is 501 characters long"):
        mem.add_records(rows, mapping=MULTI_LIVES_IN, group_id=group)
    assert mem.stats(group).episodes == 0


def _history(mem: Memory, group: str, person: str, **kw: Any) -> list[tuple[str, str, str]]:
    return [
        (r.object or "", _day(r.valid_at), _day(r.invalid_at))
        for r in mem.history(person, group_id=group, **kw)
    ]


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else "-"


def test_a_changed_turn_is_an_explicit_choice(fake_memory: Memory) -> None:
    """Item 8: a turn re-ingested under its id with new text was dropped silently ("0 turns
    added, 2 already known"). Now: an error by default (nothing written), ``skip`` keeps the
    stored turn, ``revise`` records the correction by the temporal rules."""
    mem, group = fake_memory, f"{run_prefix()}-fix"
    mem.add_dialogue(BOB, group_id=group)
    assert _history(mem, group, "Bob") == [
        ("Paris", "2024-01-01", "2024-06-01"),
        ("Berlin", "2024-06-01", "-"),
    ]
    before_revise = mem.now()
    corrected = [BOB[0], {**BOB[1], "text": "I moved to Rome."}]
    with pytest.raises(InputError, match=r"1 turn\(s\) .* \(first: id 'b2'\)"):
        mem.add_dialogue(corrected, group_id=group)
    assert mem.stats(group).episodes == 2
    skipped = mem.add_dialogue(corrected, group_id=group, on_change="skip")
    assert (skipped.episodes_added, skipped.episodes_skipped) == (0, 2)
    assert _places(mem, group, "Bob") == ["Berlin"]

    revised = mem.add_dialogue(corrected, group_id=group, on_change="revise")
    assert revised.episodes_added == 1
    assert revised.facts_retracted == 1
    assert _history(mem, group, "Bob") == [
        ("Paris", "2024-01-01", "2024-06-01"),
        ("Rome", "2024-06-01", "-"),
    ]
    # what the memory believed before the correction is still answerable
    assert ("Berlin", "2024-06-01", "-") in _history(mem, group, "Bob", known_at=before_revise)
    # the same correction again changes nothing; a second one is a second revision
    again = mem.add_dialogue(corrected, group_id=group, on_change="revise")
    assert (again.episodes_added, again.facts_added, again.facts_retracted) == (0, 0, 0)
    with pytest.raises(InputError, match="first: id 'b2'"):
        mem.add_dialogue([BOB[0], {**BOB[1], "text": "I moved to Oslo."}], group_id=group)
    mem.add_dialogue([{**BOB[1], "text": "I moved to Oslo."}], group_id=group, on_change="revise")
    assert _places(mem, group, "Bob") == ["Oslo"]
    assert mem.stats(group).episodes == 4


def test_direct_facts_follow_the_temporal_rules(fake_memory: Memory) -> None:
    """Direct facts: asserted, ended and retracted through the same pipeline and resolver as
    extracted ones, resolving to the entities the dialogue made."""
    mem, group = fake_memory, f"{run_prefix()}-direct"
    mem.add_dialogue(BOB[:1], group_id=group)  # Bob (the speaker) lives in Paris from Jan
    entities = mem.stats(group).entities
    moved = mem.add_fact(
        "Bob", "lives in", "Berlin", valid_at="2024-06-01T00:00:00Z", group_id=group
    )
    assert moved.facts_added == 1
    assert mem.stats(group).entities == entities + 1  # Berlin; Bob is the speaker's entity
    assert _history(mem, group, "Bob") == [
        ("Paris", "2024-01-01", "2024-06-01"),
        ("Berlin", "2024-06-01", "-"),
    ]
    same = mem.add_fact(
        "Bob", "LIVES_IN", "Berlin", valid_at="2024-06-01T00:00:00Z", group_id=group
    )
    assert (same.episodes_added, same.facts_added) == (0, 0)

    ended = mem.invalidate_fact(
        "Bob", "LIVES_IN", "Berlin", invalid_at="2024-09-01T00:00:00Z", group_id=group
    )
    assert ended.episodes_added == 1
    assert _places(mem, group, "Bob") == []
    assert [
        r.object for r in mem.facts(subject="Bob", group_id=group, as_of="2024-07-01T00:00:00Z")
    ] == ["Berlin"]

    believed = mem.now()
    retracted = mem.retract_fact("Bob", "LIVES_IN", "Paris", group_id=group)
    assert retracted.facts_retracted == 1
    assert [o for o, _, _ in _history(mem, group, "Bob")] == ["Berlin"]
    assert "Paris" in [o for o, _, _ in _history(mem, group, "Bob", known_at=believed)]
    episodes = mem.stats(group).episodes
    with pytest.raises(NotFoundError, match="no current fact Bob -LIVES_IN-> Paris"):
        mem.retract_fact("Bob", "LIVES_IN", "Paris", group_id=group)
    with pytest.raises(InputError, match="is not a relation name"):
        mem.add_fact("Bob", "lives in?", "Oslo", group_id=group)
    assert mem.stats(group).episodes == episodes


def test_groups_are_listed_and_an_unknown_group_is_named(tmp_path: Path) -> None:
    """`chronomem groups` lists groups with counts; searching a group that does not exist
    says so (it printed "(nothing found)")."""
    directory = tmp_path / "memory"
    with _writer(directory) as mem:
        mem.add_dialogue(BOB, group_id="alpha")
        mem.add_dialogue(BOB[:1], group_id="beta")
    listed = CliRunner().invoke(cli, ["groups", "--store", str(directory), "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["group"], r["episodes"]) for r in rows] == [("alpha", 2), ("beta", 1)]
    text = CliRunner().invoke(cli, ["groups", "--store", str(directory)])
    assert "alpha: 2 episodes" in text.output
    for command in (["search", "Paris"], ["context", "Paris"]):
        result = CliRunner().invoke(cli, [*command, "--store", str(directory), "--group", "alpah"])
        assert isinstance(result.exception, NotFoundError)
        assert "no group 'alpah'" in str(result.exception)
        assert "'alpha', 'beta'" in str(result.exception)


def _cli(args: list[str]) -> Result:
    """The command in this process (the models load once)."""
    return CliRunner().invoke(cli, args)


@pytest.mark.model
def test_cli_on_change_and_direct_facts(tmp_path: Path) -> None:
    """Items 8 and direct facts from the command line."""
    store = ["--store", str(tmp_path / "m"), "--group", "g"]
    chat = tmp_path / "chat.jsonl"
    chat.write_text("\n".join(json.dumps(t) for t in BOB) + "\n", encoding="utf-8")
    assert _cli(["ingest", "dialogue", str(chat), *store, "--json"]).exit_code == 0
    changed = [BOB[0], {**BOB[1], "text": "I moved to Rome."}]
    chat.write_text("\n".join(json.dumps(t) for t in changed) + "\n", encoding="utf-8")
    refused = _cli(["ingest", "dialogue", str(chat), *store, "--json"])
    assert isinstance(refused.exception, InputError)
    assert str(refused.exception).startswith(f"{chat}: 1 turn(s) of source")
    assert "--on-change skip|revise" in str(refused.exception)
    revised = _cli(["ingest", "dialogue", str(chat), *store, "--on-change", "revise", "--json"])
    assert revised.exit_code == 0, revised.output
    assert json.loads(revised.output)["conversations"][0]["facts_retracted"] == 1

    at = "2024-02-01T00:00:00Z"
    added = _cli(["fact", "add", "Bob", "WORKS_AT", "Acme", *store, "--valid-at", at])
    assert added.exit_code == 0, added.output
    assert "asserted: 1 facts added" in added.output
    ended = _cli(["fact", "end", "Bob", "WORKS_AT", "Acme", *store, "--at", "2024-08-01T00:00:00Z"])
    assert ended.exit_code == 0, ended.output
    retracted = _cli(["fact", "retract", "Bob", "LIVES_IN", "Rome", *store, "--json"])
    assert json.loads(retracted.output)["facts_retracted"] == 1
    again = _cli(["fact", "retract", "Bob", "LIVES_IN", "Rome", *store])
    assert isinstance(again.exception, NotFoundError)
    assert str(again.exception).startswith("no current fact Bob -LIVES_IN-> Rome")
    history = json.loads(_cli(["history", "Bob", *store, "--json"]).output)
    assert sorted((h["relation"], h["object"]) for h in history) == [
        ("LIVES_IN", "Paris"),
        ("WORKS_AT", "Acme"),
    ]
    receipt = _cli(["forget", "entity", "Bob", *store, "--json"])
    assert json.loads(receipt.output)["kind"] == "entity"
    assert "Bob" not in receipt.output


def test_a_file_is_validated_whole_before_anything_is_written(tmp_path: Path) -> None:
    """Item 7: a LoCoMo file whose second conversation is invalid (a turn over the length
    limit) wrote the first and then failed, naming neither file nor conversation."""
    data = json.loads(LOCOMO_MINI.read_text(encoding="utf-8"))
    session = data[1]["conversation"]["session_1"]
    session[0] = {**session[0], "text": "word " * 5_000}
    path = tmp_path / "locomo.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    directory = tmp_path / "memory"
    result = CliRunner().invoke(cli, ["ingest", "dialogue", str(path), "--store", str(directory)])
    assert isinstance(result.exception, InputError)
    message = str(result.exception)
    assert message.startswith(f"{path}: conversation 'locomo:{data[1]['sample_id']}'")
    assert "more than the limit" in message
    with Memory.open(directory, embedder=HashingEmbedder(), read_only=True) as mem:
        assert mem.groups() == []


def _export(mem: Memory, target: Path, group: str) -> None:
    mem.export(target, group_id=group)


def test_export_merges_by_the_temporal_rules(fake_memory: Memory, tmp_path: Path) -> None:
    """Item 3: exporting a stale copy again reopened a fact the destination had closed (rows
    were overwritten by uuid, expired_at included)."""
    mem, group, target = fake_memory, f"{run_prefix()}-exp", tmp_path / "copy"
    mem.add_dialogue(BOB[:1], group_id=group)
    _export(mem, target, group)
    with _writer(target) as copy:
        copy.add_dialogue(BOB[1:], group_id=group)  # Bob moves, in the copy only
        assert _places(copy, group, "Bob") == ["Berlin"]
    _export(mem, target, group)  # the stale original again
    with _writer(target) as copy:
        assert _places(copy, group, "Bob") == ["Berlin"]
        assert _history(copy, group, "Bob") == [
            ("Paris", "2024-01-01", "2024-06-01"),
            ("Berlin", "2024-06-01", "-"),
        ]
        assert copy.incomplete_copy(group) is None


def test_export_refuses_to_overwrite_conflicting_settings(
    fake_memory: Memory, tmp_path: Path
) -> None:
    """Item 3: export replaced the destination's relation settings with the source's."""
    mem, group, target = fake_memory, f"{run_prefix()}-set", tmp_path / "copy"
    rows = [{"id": "1", "name": "Ann", "home": "Oslo", "at": "2024-01-01T00:00:00Z"}]
    mem.add_records(rows, mapping=MULTI_LIVES_IN, group_id=group)
    functional = _homes(functional=True)
    with _writer(target) as copy:
        copy.add_records(rows, mapping=functional, group_id=group)
        before = copy.stats(group)
    with pytest.raises(ConfigurationError, match="relation settings"):
        _export(mem, target, group)
    with _writer(target) as copy:
        assert copy.stats(group) == before
        assert copy.registry_for(group).is_functional("LIVES_IN")


def test_an_interrupted_export_is_marked_and_resumed(
    fake_memory: Memory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 7: a killed export left a group's episodes without their facts, and nothing
    marked the copy incomplete."""
    mem, group, target = fake_memory, f"{run_prefix()}-cut", tmp_path / "copy"
    mem.add_dialogue(BOB, group_id=group)
    real_write = EmbeddedStore.write

    def dies_on_facts(self: EmbeddedStore, batch: WriteBatch) -> None:
        if batch.facts:
            raise KeyboardInterrupt  # the process is killed between two steps
        real_write(self, batch)

    monkeypatch.setattr(EmbeddedStore, "write", dies_on_facts)
    with pytest.raises(KeyboardInterrupt):
        _export(mem, target, group)
    monkeypatch.setattr(EmbeddedStore, "write", real_write)
    with _writer(target) as copy:
        assert copy.stats(group).facts == 0
        assert "incomplete copy" in (copy.incomplete_copy(group) or "")
    listed = CliRunner().invoke(cli, ["groups", "--store", str(target), "--json"])
    assert json.loads(listed.output)[0]["incomplete_copy"] is True
    _export(mem, target, group)  # resumed by running it again
    with _writer(target) as copy:
        assert copy.incomplete_copy(group) is None
        assert copy.stats(group) == mem.stats(group).model_copy(update={"groups": 1})


def test_a_foreign_sqlite_file_is_left_untouched(fake_memory: Memory, tmp_path: Path) -> None:
    """Item 10: another application's memory.db got chronomem's tables added by `ingest
    --store` or `export --to`."""
    directory = tmp_path / "other-app"
    directory.mkdir()
    db = directory / "memory.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match=r"not a chronomem memory .* tables notes"):
        _writer(directory)
    mem, group = fake_memory, f"{run_prefix()}-foreign"
    mem.add_dialogue(BOB, group_id=group)
    with pytest.raises(StoreError, match="not a chronomem memory"):
        mem.export(directory, group_id=group)
    assert db.read_bytes() == before
    assert sorted(p.name for p in directory.iterdir()) == ["memory.db"]


MARKER = "Quixotrel"
"""A word found nowhere else: erased text must not be left anywhere."""
TALK = [
    {"speaker": "Bob", "text": "I live in Paris.", "time": "2024-01-01T00:00:00Z", "id": "b1"},
    {
        "speaker": "Bob",
        "text": f"I moved to Berlin. My cat is called {MARKER}.",
        "time": "2024-06-01T00:00:00Z",
        "id": "b2",
    },
    {"speaker": "Ann", "text": "Bob lives in Berlin.", "time": "2024-06-02T00:00:00Z", "id": "a1"},
    {"speaker": "Ann", "text": "I live in Oslo.", "time": "2024-06-03T00:00:00Z", "id": "a2"},
]


def _found(mem: Memory, group: str, word: str) -> list[str]:
    """Every way a read could find ``word`` in ``group``: full text of every target, search,
    entity aliases."""
    hits = [
        uuid
        for target in ("fact", "entity", "episode")
        for uuid, _ in mem.store.fulltext(group, word, target, 50, FactFilter())
    ]
    hits += [r.text for r in mem.search(word, group_id=group, limit=50) if word in r.text]
    hits += [
        alias
        for entity in mem.store.find_entities(group, vectors=False)
        for alias in entity.aliases
        if word.casefold() in alias.casefold()
    ]
    return hits


def _fingerprint(mem: Memory, group: str) -> tuple[object, ...]:
    dump = mem.store.dump(group)
    return (
        mem.stats(group),
        sorted(e.uuid for e in dump.episodes),
        sorted(e.uuid for e in dump.entities),
        sorted((f.uuid, f.expired_at, tuple(f.episodes)) for f in dump.facts),
    )


def test_forgetting_an_episode_keeps_what_other_episodes_support(fake_memory: Memory) -> None:
    """Erasure: facts only the episode supported go, facts with other support lose it,
    entities only it named go, indexes forget it; other groups are unchanged."""
    mem, prefix = fake_memory, run_prefix()
    group, other = f"{prefix}-forget", f"{prefix}-keep"
    for g in (group, other):
        mem.add_dialogue(TALK, group_id=g)
    untouched = _fingerprint(mem, other)
    assert _found(mem, group, MARKER)

    receipt = mem.forget_episode("b2", group_id=group)
    assert (receipt.kind, receipt.episodes, receipt.facts) == ("episode", 1, 0)
    assert receipt.facts_updated >= 1
    assert not any(word in json.dumps(receipt.as_dict()) for word in (MARKER, "Berlin", "Bob"))
    assert _found(mem, group, MARKER) == []
    berlin = mem.facts(subject="Bob", relation="LIVES_IN", group_id=group)
    assert [(r.object, r.sources) for r in berlin] == [("Berlin", ["a1"])]  # Ann still says so
    # the dates the erased turn gave go with it: Berlin starts when Ann said so
    assert _history(mem, group, "Bob") == [
        ("Paris", "2024-01-01", "2024-06-02"),
        ("Berlin", "2024-06-02", "-"),
    ]

    receipt = mem.forget_episode("b1", group_id=group)
    assert (receipt.episodes, receipt.facts) == (1, 1)
    assert "Paris" not in [o for o, _, _ in _history(mem, group, "Bob")]
    with pytest.raises(NotFoundError):
        mem.entity("Paris", group_id=group)  # only the erased turn named it
    with pytest.raises(NotFoundError, match="no episode 'b1'"):
        mem.forget_episode("b1", group_id=group)
    assert _fingerprint(mem, other) == untouched
    mem.add_dialogue(TALK[:1], group_id=group)  # the memory goes on: b1 can be said again
    assert _history(mem, group, "Bob") == [
        ("Paris", "2024-01-01", "2024-06-02"),
        ("Berlin", "2024-06-02", "-"),
    ]


def test_forgetting_recomputes_the_dates_the_erased_episodes_gave(fake_memory: Memory) -> None:
    """A kept fact loses the start, the ending and the closing value the erased episodes
    stated: what is left holds as if they had never been said, with no trace of their dates in
    the group (expired versions included)."""
    mem, group = fake_memory, f"{run_prefix()}-dates"
    for place, at in (("Paris", "2024-01-01"), ("Rome", "2024-03-01"), ("Oslo", "2024-09-01")):
        mem.add_fact("Bob", "LIVES_IN", place, valid_at=f"{at}T00:00:00Z", group_id=group)
    mem.add_fact("Bob", "LIVES_IN", "Oslo", valid_at="2024-10-01T00:00:00Z", group_id=group)
    mem.invalidate_fact(
        "Bob", "LIVES_IN", "Oslo", invalid_at="2024-12-01T00:00:00Z", group_id=group
    )
    assert _history(mem, group, "Bob") == [
        ("Paris", "2024-01-01", "2024-03-01"),
        ("Rome", "2024-03-01", "2024-09-01"),
        ("Oslo", "2024-09-01", "2024-12-01"),
    ]

    def episode(word: str, at: str) -> str:
        (found,) = [
            e.uuid
            for e in mem.store.dump(group).episodes
            if word in e.content and e.reference_time.date().isoformat() == at
        ]
        return found

    mem.forget_episode(episode("Rome", "2024-03-01"), group_id=group)  # the closing value goes
    mem.forget_episode(episode("Oslo", "2024-09-01"), group_id=group)  # Oslo's first start
    mem.forget_episode(episode("Oslo", "2024-12-01"), group_id=group)  # the ending
    assert _history(mem, group, "Bob") == [
        ("Paris", "2024-01-01", "2024-10-01"),
        ("Oslo", "2024-10-01", "-"),
    ]
    assert _history(mem, group, "Bob", relation="LIVES_IN") == _history(mem, group, "Bob")
    rows = mem.store.dump(group).facts
    dates = {t for r in rows for t in (r.valid_at, r.invalid_at, *r.observed_at) if t}
    assert {d.date().isoformat() for d in dates} == {"2024-01-01", "2024-10-01"}
    assert mem.facts(subject="Bob", group_id=group, as_of="2024-09-15T00:00:00Z")[0].object == (
        "Paris"
    )


def test_forgetting_an_entity_and_a_group(fake_memory: Memory) -> None:
    mem, prefix = fake_memory, run_prefix()
    group, other = f"{prefix}-person", f"{prefix}-other"
    for g in (group, other):
        mem.add_dialogue(TALK, group_id=g)
    untouched = _fingerprint(mem, other)

    receipt = mem.forget_entity("Bob", group_id=group)
    assert receipt.kind == "entity"
    assert receipt.episodes == 3  # Bob's two turns and Ann's about him
    with pytest.raises(NotFoundError):
        mem.entity("Bob", group_id=group)
    assert _found(mem, group, "Bob") == []
    assert _found(mem, group, MARKER) == []
    assert _places(mem, group, "Ann") == ["Oslo"]
    assert mem.stats(group).episodes == 1

    receipt = mem.forget_group(group)
    assert receipt.kind == "group"
    assert receipt.settings >= 1
    assert group not in mem.groups()
    assert mem.stats(group).model_dump() == {
        "episodes": 0, "entities": 0, "facts": 0, "current_facts": 0, "groups": 0
    }  # fmt: skip
    assert mem.store.get_meta(f"embedder:{group}") is None
    assert _fingerprint(mem, other) == untouched


def test_erased_text_is_not_left_in_the_embedded_files(tmp_path: Path) -> None:
    """Erasure on the embedded store: SQLite's secure delete, the full-text indexes merged
    and the write-ahead log truncated; no byte of any file of the memory holds the text."""
    directory = tmp_path / "memory"
    marker = MARKER.encode()

    def files_hold_marker() -> bool:
        return any(marker in path.read_bytes() for path in directory.iterdir() if path.is_file())

    with _writer(directory) as mem:
        mem.add_dialogue(TALK, group_id="g")
        mem.search(MARKER, group_id="g")  # builds (and on close saves) the vector indexes
    assert files_hold_marker()
    with _writer(directory) as mem:
        mem.forget_episode("b2", group_id="g")
        assert _found(mem, "g", MARKER) == []
    assert not files_hold_marker()
    with _writer(directory) as mem:  # and the memory is whole
        assert mem.stats("g").episodes == 3
        assert mem.search("Oslo", group_id="g")


def test_paths_are_all_or_an_error_naming_the_limit(fake_memory: Memory) -> None:
    """Item 11 (the rest): ``paths`` cut each hop at 1,000 facts without a word, so a path
    through a hub could be missed; now a hop over ``max_facts_per_hop`` is a LimitError."""
    mem, group = fake_memory, f"{run_prefix()}-paths"
    people = [f"Person{chr(65 + n)}" for n in range(12)]
    mem.add_dialogue(
        [
            {"speaker": who, "text": "I live in Paris.", "time": "2024-01-01T00:00:00Z"}
            for who in people
        ],
        group_id=group,
    )
    with pytest.raises(LimitError, match="reaches more than 5 facts"):
        mem.paths(people[0], people[-1], max_hops=3, group_id=group, max_facts_per_hop=5)
    (path,) = mem.paths(people[0], people[-1], max_hops=3, group_id=group)
    assert [(r.subject, r.object) for r in path] == [(people[0], "Paris"), (people[-1], "Paris")]


_HOLDS_WORD = """
MATCH (n) WHERE any(k IN keys(n) WHERE
    (n[k] IS :: STRING AND n[k] CONTAINS $word)
    OR (n[k] IS :: LIST<STRING> AND any(x IN n[k] WHERE x CONTAINS $word)))
RETURN count(n) AS n
UNION ALL
MATCH ()-[r]->() WHERE any(k IN keys(r) WHERE
    (r[k] IS :: STRING AND r[k] CONTAINS $word)
    OR (r[k] IS :: LIST<STRING> AND any(x IN r[k] WHERE x CONTAINS $word)))
RETURN count(r) AS n
"""


@pytest.mark.neo4j
def test_erased_text_is_on_no_neo4j_node_or_relationship(
    neo4j_uri: str, neo4j_auth: tuple[str, str] | None, neo4j_driver: Driver
) -> None:
    """Erasure on Neo4j: no node or relationship property (of any label) holds the erased
    word afterwards, and the indexes find nothing."""
    word = f"Zq{run_prefix()}"  # unique to this run: the database is shared
    group = f"{run_prefix()}-neo"
    talk = [{**TALK[1], "text": f"I moved to Berlin. My cat is called {word}."}, TALK[2]]
    config = MemoryConfig(neo4j_auth=neo4j_auth)
    extractor = FunctionExtractor()
    with Memory.open(
        neo4j_uri, embedder=HashingEmbedder(), extractor=extractor, config=config
    ) as mem:
        mem.add_dialogue(talk, group_id=group)

        def holding() -> int:
            rows = neo4j_driver.execute_query(_HOLDS_WORD, word=word).records
            return sum(int(row["n"]) for row in rows)

        assert holding() > 0
        mem.forget_episode("b2", group_id=group)
        assert holding() == 0
        assert _found(mem, group, word) == []
        assert _places(mem, group, "Bob") == ["Berlin"]  # Ann's turn still says so


_FULLTEXT_NODE_HITS = """
CALL db.index.fulltext.queryNodes($index, $query) YIELD node
RETURN node.uuid AS uuid
"""
_FULLTEXT_RELATIONSHIP_HITS = """
CALL db.index.fulltext.queryRelationships($index, $query) YIELD relationship
RETURN relationship.uuid AS uuid
"""
_COUNT_NODES = "MATCH (n) RETURN count(n) AS n"
_COUNT_RELATIONSHIPS = "MATCH ()-[r]->() RETURN count(r) AS n"
_VECTOR_NODE_HITS = """
CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node
RETURN coalesce(node.uuid, node.episode_uuid) AS uuid
"""
_VECTOR_RELATIONSHIP_HITS = """
CALL db.index.vector.queryRelationships($index, $k, $vector) YIELD relationship
RETURN relationship.uuid AS uuid
"""


@pytest.mark.neo4j
def test_erased_text_is_in_no_neo4j_index(
    neo4j_uri: str, neo4j_auth: tuple[str, str] | None, neo4j_driver: Driver
) -> None:
    """Erasure on Neo4j, index by index, over the whole database (no group filter): once the
    indexes are online again (``db.awaitIndexes``), no full-text index finds the erased word
    and no vector index returns the erased episode, sentence, fact or entity for its own
    vector, which each returned before."""
    word = f"Zq{run_prefix()}"
    group = f"{run_prefix()}-index"
    talk = [{**TALK[1], "text": f"I moved to Berlin. I work at {word}."}, TALK[2]]
    config = MemoryConfig(neo4j_auth=neo4j_auth)
    with Memory.open(
        neo4j_uri, embedder=HashingEmbedder(), extractor=FunctionExtractor(), config=config
    ) as mem:
        mem.add_dialogue(talk, group_id=group)
        dump = mem.store.dump(group)
        (turn,) = [e for e in dump.episodes if word in e.content]
        (company,) = [e for e in dump.entities if e.name == word]
        (job,) = [f for f in dump.facts if word in f.fact]
        assert turn.content_embedding
        assert turn.sentence_embeddings
        assert company.name_embedding
        assert job.fact_embedding
        vectors = {
            (EPISODE_VECTOR_INDEX, False, turn.uuid): turn.content_embedding,
            (SENTENCE_VECTOR_INDEX, False, turn.uuid): turn.sentence_embeddings[-1],
            (ENTITY_VECTOR_INDEX, False, company.uuid): company.name_embedding,
            (FACT_VECTOR_INDEX, True, job.uuid): job.fact_embedding,
        }

        def found() -> dict[str, set[str]]:
            neo4j_driver.execute_query("CALL db.awaitIndexes(300)")
            # the vector indexes are approximate: asking for as many hits as the database
            # holds rows is what makes them return a vector whatever its neighbours
            k = sum(
                int(neo4j_driver.execute_query(count).records[0]["n"])
                for count in (_COUNT_NODES, _COUNT_RELATIONSHIPS)
            )
            hits: dict[str, set[str]] = {}
            for index in (EPISODE_FULLTEXT_INDEX, ENTITY_FULLTEXT_INDEX):
                rows = neo4j_driver.execute_query(_FULLTEXT_NODE_HITS, index=index, query=word)
                hits[index] = {r["uuid"] for r in rows.records}
            rows = neo4j_driver.execute_query(
                _FULLTEXT_RELATIONSHIP_HITS, index=FACT_FULLTEXT_INDEX, query=word
            )
            hits[FACT_FULLTEXT_INDEX] = {r["uuid"] for r in rows.records}
            for (index, relationships, uuid), vector in vectors.items():
                query = _VECTOR_RELATIONSHIP_HITS if relationships else _VECTOR_NODE_HITS
                rows = neo4j_driver.execute_query(query, index=index, k=k, vector=vector)
                hits[index] = {r["uuid"] for r in rows.records} & {uuid}
            return hits

        assert found() == {
            EPISODE_FULLTEXT_INDEX: {turn.uuid},
            ENTITY_FULLTEXT_INDEX: {company.uuid},
            FACT_FULLTEXT_INDEX: {job.uuid},
            EPISODE_VECTOR_INDEX: {turn.uuid},
            SENTENCE_VECTOR_INDEX: {turn.uuid},
            ENTITY_VECTOR_INDEX: {company.uuid},
            FACT_VECTOR_INDEX: {job.uuid},
        }
        mem.forget_episode("b2", group_id=group)
        assert all(hits == set() for hits in found().values())
        assert _places(mem, group, "Bob") == ["Berlin"]  # Ann's turn still says so
        for trace in (word, turn.uuid, company.uuid, job.uuid):  # nor any reference to them
            rows = neo4j_driver.execute_query(_HOLDS_WORD, word=trace).records
            assert sum(int(row["n"]) for row in rows) == 0, trace
