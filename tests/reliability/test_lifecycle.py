"""Issue 17, the data users control: tenancy of settings, reads that never write, size limits,
changed turns, whole-file validation, export merges, foreign files, groups, direct facts and
erasure. docs/reliability.md ("attack classes: what happens now") names these tests; keep it
true. Tests that need no real extractor run on all three stores (``fake_memory``)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from chronomem.cli import cli
from chronomem.engine.embed import HashingEmbedder
from chronomem.errors import InputError
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.ingest.sources import RecordMapping
from chronomem.memory import Memory
from chronomem.query.request import MAX_SEARCH_TEXT_CHARS, SearchRequest
from chronomem.schema import ID_MAX_CHARS, NAME_MAX_CHARS
from tests.reliability.conftest import run_prefix

BOB = [
    {"speaker": "Bob", "text": "I live in Paris.", "time": "2024-01-01T00:00:00Z", "id": "b1"},
    {"speaker": "Bob", "text": "I moved to Berlin.", "time": "2024-06-01T00:00:00Z", "id": "b2"},
]

MULTI_LIVES_IN = RecordMapping.from_dict(
    {
        "source": "homes",
        "entity": {"key": "id", "name": "name", "label": "Person"},
        "time": {"column": "at"},
        "attributes": [
            {"column": "home", "relation": "LIVES_IN", "label": "Place", "functional": False}
        ],
    }
)


def _places(mem: Memory, group: str, person: str) -> list[str]:
    return sorted(r.object or "" for r in mem.facts(subject=person, group_id=group))


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
