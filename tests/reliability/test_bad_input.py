"""Bad input, through the CLI (a real subprocess) and the Python API: every case is refused
with one clear message that names the file and line (or row) and says what to fix, and
nothing of a refused file is written. docs/reliability.md lists these cases; keep it true."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from chronomem.config import MemoryConfig
from chronomem.engine.embed import HashingEmbedder
from chronomem.errors import (
    ConfigurationError,
    InputError,
    MappingError,
    SourceFormatError,
    StoreError,
    StoreUnavailableError,
    TimeError,
)
from chronomem.ingest.extract.fake import FunctionExtractor
from chronomem.ingest.extract.protocol import Extractor
from chronomem.ingest.sources import RecordMapping
from chronomem.memory import Memory
from tests.reliability.conftest import BACKENDS, open_memory, run_prefix
from tests.reliability.snapshot import all_uuids

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "sources"
MAPPING = FIXTURES / "accounts_mapping.yaml"
HEADER = "account_id,company,plan,manager,tags,updated_at\n"


def _turn(
    text: str = "I work at Acme.", time: object = "2024-01-10T09:00:00Z", **extra: Any
) -> str:
    return json.dumps({"speaker": "Alice", "text": text, "time": time, **extra})


def _lines(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class CliCase:
    """A file given to ``chronomem ingest``, and the words its error line must hold."""

    name: str
    file: str
    content: bytes
    expect: tuple[str, ...]
    args: tuple[str, ...] = ()
    records: bool = False
    mapping: str | None = None  # YAML text replacing the fixture mapping
    code: int = 2


GOOD = [_turn(f"I work at Acme {i}.", id=f"t{i}") for i in range(5)]

CLI_CASES = [
    CliCase(
        "jsonl-invalid-json-after-good-lines",
        "chat.jsonl",
        _lines(*GOOD, '{"speaker": "Alice", "text": "unterminated'),
        ("chat.jsonl:6:", "invalid JSON"),
    ),
    CliCase(
        "jsonl-line-is-an-array",
        "chat.jsonl",
        _lines(GOOD[0], "[1, 2, 3]"),
        ("chat.jsonl:2:", "expected a JSON object, got an array"),
    ),
    CliCase(
        "jsonl-missing-time",
        "chat.jsonl",
        _lines(json.dumps({"speaker": "Alice", "text": "hi"})),
        ("chat.jsonl:1:", "missing field 'time'"),
    ),
    CliCase(
        "jsonl-text-not-a-string",
        "chat.jsonl",
        _lines(GOOD[0], json.dumps({"speaker": "A", "text": 5, "time": "2024-01-10T09:00:00Z"})),
        ("chat.jsonl:2:", "field 'text' must be a string, got a number"),
    ),
    CliCase(
        "jsonl-unknown-field",
        "chat.jsonl",
        _lines(_turn(mood="happy")),
        ("chat.jsonl:1:", "unknown field(s) 'mood'"),
    ),
    CliCase(
        "jsonl-naive-time",
        "chat.jsonl",
        _lines(GOOD[0], _turn(time="2024-01-10T09:00:00")),
        ("chat.jsonl:2:", "naive datetime", "has no timezone"),
    ),
    CliCase(
        "jsonl-unparseable-time",
        "chat.jsonl",
        _lines(_turn(time="last Tuesday")),
        ("chat.jsonl:1:", "cannot parse 'last Tuesday'"),
    ),
    CliCase(
        "jsonl-empty-text",
        "chat.jsonl",
        _lines(GOOD[0], _turn(text="   ")),
        ("chat.jsonl:2:", "field 'text' is empty"),
    ),
    CliCase(
        "jsonl-repeated-id",
        "chat.jsonl",
        _lines(_turn("one", id="x"), _turn("two", id="x")),
        ("chat.jsonl:2:", "id 'x' was already used on line 1"),
    ),
    CliCase("jsonl-empty-file", "chat.jsonl", b"\n\n", ("chat.jsonl:", "no turns found")),
    CliCase(
        "jsonl-not-utf8",
        "chat.jsonl",
        '{"speaker": "Jos\xe9", "text": "hi", "time": "2024-01-10"}\n'.encode("latin-1"),
        ("chat.jsonl:", "not UTF-8 text"),
    ),
    CliCase(
        "dialogue-unknown-format",
        "notes.txt",
        b"Alice: hi\nBob: hello\n",
        ("notes.txt:", "cannot tell the dialogue format", "supported formats"),
    ),
    CliCase(
        "locomo-truncated-json",
        "locomo.json",
        b'[{"conversation": {"speaker_a": "A", ',
        ("locomo.json:1:", "invalid JSON"),
    ),
    CliCase(
        "jsonl-huge-turn",
        "chat.jsonl",
        _lines(GOOD[0], _turn("word " * 5_000)),
        ("24999 characters, more than the limit of 20000",),
    ),
    CliCase(
        "csv-row-with-missing-fields",
        "accounts.csv",
        (HEADER + "A-1,Acme,Pro,Dana,x,2024-01-10\nA-2,Globex\n").encode(),
        ("accounts.csv:3:", "row has 2 fields but the header has 6"),
        records=True,
    ),
    CliCase(
        "csv-unterminated-quote",
        "accounts.csv",
        (HEADER + 'A-1,Acme,Pro,Dana,x,2024-01-10\nA-2,"Globex,Starter,,,2024-01-05\n').encode(),
        ("accounts.csv:3:", "malformed CSV"),
        records=True,
    ),
    CliCase(
        "csv-bad-time",
        "accounts.csv",
        (HEADER + "A-1,Acme,Pro,Dana,x,31/12/2024\n").encode(),
        ("accounts.csv:2:", "column 'updated_at'", "cannot read '31/12/2024' as a time"),
        records=True,
    ),
    CliCase(
        "csv-empty-key",
        "accounts.csv",
        (HEADER + "A-1,Acme,Pro,Dana,x,2024-01-10\n,Globex,Pro,Dana,x,2024-01-10\n").encode(),
        ("accounts.csv:3:", "key column 'account_id' is empty"),
        records=True,
    ),
    CliCase(
        "records-mapping-missing-columns",
        "accounts.csv",
        b"account_id,company,plan,updated_at\nA-1,Acme,Pro,2024-01-10\n",
        ("accounts.csv:", "needs columns", "'manager'", "'tags'", "its columns are"),
        records=True,
    ),
    CliCase(
        "json-records-not-a-list",
        "accounts.json",
        b'{"account_id": "A-1"}',
        ("accounts.json:", "expected a JSON list of objects"),
        records=True,
    ),
    CliCase(
        "jsonl-records-bad-line",
        "accounts.jsonl",
        _lines(
            json.dumps(
                {
                    "account_id": "A-1",
                    "company": "Acme",
                    "plan": "Pro",
                    "manager": "Dana",
                    "tags": "x",
                    "updated_at": "2024-01-10",
                }
            ),
            "{oops",
        ),
        ("accounts.jsonl:2:", "invalid JSON"),
        records=True,
    ),
    CliCase(
        "records-unknown-extension",
        "accounts.xlsx",
        b"PK\x03\x04",
        ("accounts.xlsx:", "unknown records extension '.xlsx'"),
        records=True,
    ),
    CliCase(
        "mapping-invalid-yaml",
        "accounts.csv",
        (HEADER + "A-1,Acme,Pro,Dana,x,2024-01-10\n").encode(),
        ("mapping.yaml:", "invalid YAML"),
        records=True,
        mapping="source: accounts\nentity: {key: [unclosed\n",
    ),
    CliCase(
        "mapping-hostile-relation-name",
        "accounts.csv",
        (HEADER + "A-1,Acme,Pro,Dana,x,2024-01-10\n").encode(),
        ("mapping.yaml:", "must be UPPER_SNAKE_CASE"),
        records=True,
        mapping=(
            "source: accounts\nentity: {key: account_id, label: Customer}\n"
            "time: {column: updated_at}\n"
            'attributes:\n  - {column: plan, relation: "X]->() DETACH DELETE n //", '
            "label: Plan}\n"
        ),
    ),
    # issue 17, item 9: these were tracebacks
    CliCase(
        "jsonl-time-before-year-1-in-utc",
        "chat.jsonl",
        _lines(GOOD[0], _turn(time="0001-01-01T00:00:00+05:00")),
        ("chat.jsonl:2:", "outside years 1-9999 once converted to UTC"),
    ),
    CliCase(
        "jsonl-time-after-year-9999-in-utc",
        "chat.jsonl",
        _lines(_turn(time="9999-12-31T23:00:00-05:00")),
        ("chat.jsonl:1:", "outside years 1-9999 once converted to UTC"),
    ),
    CliCase(
        "jsonl-number-over-4300-digits",
        "chat.jsonl",
        _lines(
            GOOD[0],
            '{"speaker": "A", "text": "hi", "time": "2024-01-10", "id": ' + "9" * 5000 + "}",
        ),
        ("chat.jsonl:2:", "a number has more than 4300 digits"),
    ),
    CliCase(
        "jsonl-nested-100k-deep",
        "chat.jsonl",
        _lines(
            '{"speaker": "A", "text": "hi", "time": "2024-01-10", "id": '
            + "[" * 100_000
            + "]" * 100_000
            + "}"
        ),
        ("chat.jsonl:1:", "nested too deeply"),
    ),
    CliCase(
        "locomo-nested-100k-deep",
        "locomo.json",
        ("[" * 100_000 + "]" * 100_000).encode(),
        ("locomo.json:", "nested too deeply"),
    ),
    CliCase(
        "locomo-number-over-4300-digits",
        "locomo.json",
        ('[{"conversation": {},\n "x": ' + "1" * 4301 + "}]").encode(),
        ("locomo.json:2:", "a number has more than 4300 digits"),
    ),
    CliCase(
        "json-records-number-over-4300-digits",
        "accounts.json",
        ('[{"account_id": ' + "7" * 4400 + "}]").encode(),
        ("accounts.json:1:", "a number has more than 4300 digits"),
        records=True,
    ),
    # issue 17, item 11: duplicate keys and times that do not exist
    CliCase(
        "jsonl-duplicate-key",
        "chat.jsonl",
        _lines(GOOD[0], '{"speaker": "A", "text": "hi", "time": "2024-01-10", "text": "bye"}'),
        ("chat.jsonl:2:", "key 'text' appears twice in one object"),
    ),
    CliCase(
        "locomo-duplicate-key",
        "locomo.json",
        b'[{"conversation": {"speaker_a": "A",\n "speaker_b": "B",\n "speaker_a": "C"}}]',
        ("locomo.json:3:", "key 'speaker_a' appears twice"),
    ),
    CliCase(
        "json-records-duplicate-key",
        "accounts.json",
        b'[{"account_id": "A-1",\n  "plan": "Pro", "plan": "Free"}]',
        ("accounts.json:2:", "key 'plan' appears twice"),
        records=True,
    ),
    CliCase(
        "jsonl-records-duplicate-key",
        "accounts.jsonl",
        _lines('{"account_id": "A-1", "account_id": "A-2"}'),
        ("accounts.jsonl:1:", "key 'account_id' appears twice"),
        records=True,
    ),
    CliCase(
        "jsonl-speaker-control-character",
        "chat.jsonl",
        _lines(GOOD[0], json.dumps({"speaker": "Eve\x1b[2J", "text": "hi", "time": "2024-01-10"})),
        ("chat.jsonl:2:", "speaker: contains the control character '\\x1b'"),
    ),
    CliCase(
        "locomo-speaker-control-character",
        "locomo.json",
        json.dumps(
            [
                {
                    "sample_id": "c1",
                    "conversation": {
                        "speaker_a": "Eve",
                        "speaker_b": "Bob",
                        "session_1_date_time": "1:56 pm on 8 May, 2023",
                        "session_1": [{"speaker": "Eve\r", "dia_id": "D1:1", "text": "hi"}],
                    },
                }
            ]
        ).encode(),
        ("locomo.json:", "session_1, turn 0 (D1:1): speaker: contains the control character"),
    ),
    CliCase(
        "csv-time-in-a-dst-gap",
        "accounts.csv",
        (
            HEADER + "A-1,Acme,Pro,Dana,x,2024-01-10\nA-2,Globex,Pro,Dana,x,2024-03-31T02:30:00\n"
        ).encode(),
        ("accounts.csv:3:", "2024-03-31T02:30:00 does not exist in time zone Europe/Berlin"),
        records=True,
        mapping=(
            "source: accounts\nentity: {key: account_id, label: Customer}\n"
            "time: {column: updated_at}\ntimezone: Europe/Berlin\n"
            "attributes:\n  - {column: plan, relation: HAS_PLAN, label: Plan}\n"
        ),
    ),
]


def _run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from chronomem.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _cli_case(case: CliCase, root: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    work = root / case.name
    work.mkdir()
    data = work / case.file
    data.write_bytes(case.content)
    store = work / "memory"
    if case.records:
        mapping = MAPPING
        if case.mapping is not None:
            mapping = work / "mapping.yaml"
            mapping.write_text(case.mapping)
        args = ["ingest", "records", str(data), "--mapping", str(mapping)]
    else:
        args = ["ingest", "dialogue", str(data)]
    return _run_cli([*args, "--store", str(store), *case.args], work), store


@pytest.fixture(scope="module")
def cli_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """Every CLI case, run once, four subprocesses at a time."""
    root = tmp_path_factory.mktemp("bad-input")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {case.name: pool.submit(_cli_case, case, root) for case in CLI_CASES}
        return {name: future.result() for name, future in futures.items()}


def _stored_episodes(store: Path) -> int:
    """Episodes in a CLI-made memory (read from SQLite: the CLI's embedder is the real one)."""
    db = store / "memory.db"
    if not db.exists():
        return 0
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM episodes").fetchone()[0])


def _error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda c: c.name)
def test_cli_refuses_bad_input_with_one_clear_line(
    case: CliCase, cli_results: dict[str, tuple[subprocess.CompletedProcess[str], Path]]
) -> None:
    result, store = cli_results[case.name]
    assert result.returncode == case.code, result.stderr
    line = _error_line(result)
    for words in case.expect:
        assert words in line, line
    assert result.stdout == ""
    assert _stored_episodes(store) == 0  # nothing of the refused file was written


def test_cli_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text(_turn() + "\n")
    for args, words in (
        (["ingest", "dialogue", str(chat), "--format", "xml"], "Invalid value for '--format'"),
        (["ingest", "dialogue", str(tmp_path / "missing.jsonl")], "does not exist"),
    ):
        result = _run_cli([*args, "--store", str(tmp_path / "memory")], tmp_path)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert f"Error: {words}" in result.stderr or words in result.stderr


def test_cli_store_errors_exit_1_with_one_line(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    for store, words in (
        (str(not_a_dir), "is a file; a memory is a directory"),
        ("bolt://127.0.0.1:1", "cannot reach Neo4j at bolt://127.0.0.1:1"),
    ):
        result = _run_cli(["stats", "--store", store], tmp_path)
        assert result.returncode == 1, result.stderr
        assert words in _error_line(result)


def test_cli_invalid_group_id_is_one_clear_line(tmp_path: Path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text(_turn() + "\n")
    result = _run_cli(
        ["ingest", "dialogue", str(chat), "--store", str(tmp_path / "m"), "--group", "a b"],
        tmp_path,
    )
    assert result.returncode == 2
    assert "group" in _error_line(result)


def test_cli_lone_surrogate_is_one_clear_line(tmp_path: Path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text('{"speaker": "A", "text": "x \\ud800 y", "time": "2024-01-10T09:00:00Z"}\n')
    result = _run_cli(["ingest", "dialogue", str(chat), "--store", str(tmp_path / "m")], tmp_path)
    assert result.returncode == 2
    assert "chat.jsonl:1:" in _error_line(result)


# -- the Python API ------------------------------------------------------------------------

ApiCall = Callable[[Memory], object]

API_CASES: list[tuple[str, ApiCall, type[Exception], str]] = [
    (
        "naive-datetime-turn",
        lambda m: m.add_dialogue([{"speaker": "A", "text": "hi", "time": datetime(2024, 1, 1)}]),
        InputError,
        "turn 0: time: time: naive datetime",
    ),
    (
        "unparseable-time-turn",
        lambda m: m.add_dialogue([{"speaker": "A", "text": "hi", "time": "tomorrow"}]),
        InputError,
        "turn 0: time:",
    ),
    (
        "turn-not-a-mapping",
        lambda m: m.add_dialogue(["Alice: hi"]),  # type: ignore[list-item]
        InputError,
        "turn 0: expected a Turn or a mapping",
    ),
    (
        "blank-turn",
        lambda m: m.add_dialogue([{"speaker": "A", "text": " \n", "time": "2024-01-01"}]),
        InputError,
        "turn 0: text is blank and there is no caption",
    ),
    (
        "blank-speaker",
        lambda m: m.add_dialogue([{"speaker": " ", "text": "hi", "time": "2024-01-01"}]),
        InputError,
        "speaker is blank",
    ),
    (
        "huge-turn",
        lambda m: m.add_dialogue(
            [
                {"speaker": "A", "text": "I work at Acme.", "time": "2024-01-01", "id": "ok"},
                {"speaker": "A", "text": "x" * 20_001, "time": "2024-01-01", "id": "big"},
            ]
        ),
        InputError,
        "episode 'big' has 20001 characters, more than the limit of 20000",
    ),
    (
        "two-turns-one-id",
        lambda m: m.add_dialogue(
            [
                {"speaker": "A", "text": "one", "time": "2024-01-01", "id": "x"},
                {"speaker": "A", "text": "two", "time": "2024-01-01", "id": "x"},
            ]
        ),
        InputError,
        "turn 1: id 'x' is used by an earlier, different turn",
    ),
    (
        "naive-as-of",
        lambda m: m.search("Acme", as_of="2024-01-01T10:00:00"),
        TimeError,
        "as_of: naive datetime",
    ),
    (
        "garbage-known-at",
        lambda m: m.facts(known_at="yesterday-ish"),
        TimeError,
        "known_at: cannot parse 'yesterday-ish'",
    ),
    (
        "records-not-rows",
        lambda m: m.add_records(42, mapping=RecordMapping.from_yaml(MAPPING)),
        InputError,
        "records: got int",
    ),
    (
        "records-missing-column",
        lambda m: m.add_records(
            [{"account_id": "A-1", "updated_at": "2024-01-01"}],
            mapping=RecordMapping.from_yaml(MAPPING),
        ),
        MappingError,
        "needs columns 'company', 'plan', 'tags', 'manager', which the data does not have",
    ),
    (
        "records-bad-row",
        lambda m: m.add_records(
            [
                {
                    "account_id": "A-1",
                    "company": "Acme",
                    "plan": "Pro",
                    "manager": "Dana",
                    "tags": "x",
                    "updated_at": "2024-01-01",
                },
                {
                    "account_id": "A-2",
                    "company": "Globex",
                    "plan": ["Pro"],
                    "manager": "Dana",
                    "tags": "x",
                    "updated_at": "2024-01-01",
                },
            ],
            mapping=RecordMapping.from_yaml(MAPPING),
        ),
        SourceFormatError,
        "rows[1]: column 'plan' holds a list",
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "error", "words"), API_CASES, ids=[c[0] for c in API_CASES]
)
def test_api_refuses_bad_input_with_a_chronomem_error(
    name: str, call: ApiCall, error: type[Exception], words: str, memory: Memory
) -> None:
    with pytest.raises(error) as raised:
        call(memory)
    assert words in str(raised.value)
    assert memory.stats().episodes == 0  # nothing of a refused call is written


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.search("x", group_id="a b"),
        lambda m: m.add_dialogue(
            [{"speaker": "A", "text": "hi", "time": "2024-01-01"}], group_id=""
        ),
        lambda m: m.search("x", limit=0),
    ],
    ids=["search-bad-group", "add-empty-group", "limit-0"],
)
def test_api_invalid_arguments_raise_input_error(call: ApiCall, memory: Memory) -> None:
    with pytest.raises(InputError):
        call(memory)


def test_api_lone_surrogate_is_an_input_error(memory: Memory) -> None:
    with pytest.raises(InputError):
        memory.add_dialogue([{"speaker": "A", "text": "x\ud800y", "time": "2024-01-01"}])


def test_read_only_memory_refuses_writes(memory: Memory) -> None:
    memory.add_dialogue([{"speaker": "A", "text": "I work at Acme.", "time": "2024-01-01"}])
    path = memory.store.path  # type: ignore[attr-defined]
    with Memory.open(path, embedder=HashingEmbedder(), read_only=True) as reader:
        with pytest.raises(StoreError, match="opened with read_only=True"):
            reader.add_dialogue([{"speaker": "A", "text": "hi", "time": "2024-01-02"}])
        assert reader.stats().episodes == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_read_only_memory_refuses_writes_on_every_backend(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """``Memory.open(..., read_only=True)`` was ignored on Neo4j: writes succeeded."""
    group, path = f"{run_prefix()}-read-only", tmp_path / "m"
    turn = {"speaker": "A", "text": "I work at Acme.", "time": "2024-01-01", "id": "t1"}
    with open_memory(backend, request, path, FunctionExtractor()) as writer:
        writer.add_dialogue([turn], group_id=group)
        before = writer.stats(group)
        with open_memory(backend, request, path, FunctionExtractor(), read_only=True) as reader:
            writes: list[Callable[[], object]] = [
                lambda: reader.add_dialogue([{**turn, "id": "t2"}], group_id=group),
                lambda: reader.forget_episode("t1", group_id=group),
                lambda: reader.forget_group(group),
            ]
            for write in writes:
                with pytest.raises(StoreError, match="opened with read_only=True"):
                    write()
            assert reader.stats(group) == before
            assert [h.text for h in reader.search("Acme", group_id=group, limit=3)]
        assert writer.stats(group) == before


def test_other_embedder_is_refused(memory: Memory) -> None:
    path = memory.store.path  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError, match="384-dimensional"):
        Memory.open(path, embedder=HashingEmbedder(128), read_only=True)


def test_unreachable_neo4j_is_store_unavailable() -> None:
    with pytest.raises(StoreUnavailableError, match=r"cannot reach Neo4j at bolt://127\.0\.0\.1:1"):
        Memory.open("bolt://127.0.0.1:1", embedder=HashingEmbedder())


def test_turn_limit_is_configurable(tmp_path: Path, spacy_extractor: Extractor) -> None:
    config = MemoryConfig(max_turn_chars=30_000)
    with Memory.open(
        tmp_path / "m", embedder=HashingEmbedder(), extractor=spacy_extractor, config=config
    ) as mem:
        report = mem.add_dialogue(
            [{"speaker": "A", "text": "I work at Acme. " * 1_500, "time": "2024-01-01"}]
        )
        assert report.episodes_added == 1


def test_searches_with_odd_text_return_normally(memory: Memory) -> None:
    memory.add_dialogue([{"speaker": "Alice", "text": "I work at Acme.", "time": "2024-01-01"}])
    for query in ("", "   ", "\x00", "x\ud800y", "acme " * 50_000, "\u202eemca", "🙂" * 10):
        assert isinstance(memory.search(query), list)
        assert isinstance(memory.context(query), str)


@pytest.mark.parametrize("backend", BACKENDS)
def test_text_with_nul_is_rejected_whole(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, spacy_extractor: Extractor
) -> None:
    """NUL is not text: SQLite's JSON functions cut strings at U+0000, so chronomem refuses it
    at the door (turns and record cells) with a clear message, on every backend alike."""
    group = f"{run_prefix()}-nul"
    turn = {"speaker": "Alice", "text": "I work at Acme.", "time": "2024-01-01", "id": "a\x00b"}
    rows = [{"account_id": "A-1", "company": "Ac\x00me", "plan": "Pro", "manager": "Dana",
             "tags": "x", "updated_at": "2024-01-01"}]  # fmt: skip
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        with pytest.raises(InputError, match="NUL"):
            mem.add_dialogue([turn], group_id=group)
        with pytest.raises(InputError, match="NUL"):
            mem.add_records(rows, mapping=RecordMapping.from_yaml(MAPPING), group_id=group)
        assert mem.stats(group).episodes == 0


ODD_TEXTS = [
    "אני גרה בתל אביב ואני עובדת ב-Acme",  # Hebrew, right to left
    "أنا أعمل في شركة Globex في القاهرة",  # Arabic
    "I love caf\u00e9 and cafe\u0301 and Zo\u0308e",  # precomposed and combining marks
    # a ZWJ family sequence and a flag
    "Family trip \U0001f468\u200d\U0001f469\u200d\U0001f467 to Rome \U0001f1ee\U0001f1f9",
    "Override \u202eemca\u202c and zero\u200bwidth",  # bidi override, zero-width space
    "A tab\there and a form feed\x0c too",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_odd_unicode_is_stored_as_given_and_searchable(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, spacy_extractor: Extractor
) -> None:
    group = f"{run_prefix()}-unicode"
    turns = [
        {"speaker": "Dana", "text": text, "time": f"2024-01-0{i + 1}T10:00:00Z", "id": f"u{i}"}
        for i, text in enumerate(ODD_TEXTS)
    ]
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        report = mem.add_dialogue(turns, group_id=group)
        assert report.episodes_added == len(ODD_TEXTS)
        stored = mem.store.get_episodes(group, all_uuids(mem, group, "episode"))
        assert sorted(e.content for e in stored) == sorted(ODD_TEXTS)
        for query in ("תל אביב", "القاهرة", "cafe\u0301", "\U0001f468\u200d\U0001f469", "emca"):
            hits = mem.search(query, group_id=group, limit=5)
            assert all(h.group_id == group for h in hits)
        assert any("Rome" in h.text for h in mem.search("trip to Rome", group_id=group))
        assert any("القاهرة" in h.text for h in mem.search("القاهرة", group_id=group))
