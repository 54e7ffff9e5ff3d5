"""Issue 17's attack run, what was a traceback or a silent surprise and is now a clear error
or an explicit, documented behaviour, on every backend. docs/reliability.md ("attack classes:
what happens now") names these tests; keep it true."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.errors import (
    InputError,
    LimitError,
    StoreUnavailableError,
    TimeError,
)
from chronomem.ingest.extract.protocol import Extractor
from chronomem.ingest.sources import RecordMapping, read_dialogue
from chronomem.memory import Memory
from tests.reliability.conftest import BACKENDS, open_memory, run_prefix

BERLIN = ZoneInfo("Europe/Berlin")
MAPPING = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "accounts_mapping.yaml"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("time", "words"),
    [
        ("0001-01-01T00:00:00+05:00", "outside years 1-9999 once converted to UTC"),
        ("9999-12-31T23:30:00-01:00", "outside years 1-9999 once converted to UTC"),
        (datetime(2024, 3, 31, 2, 30, tzinfo=BERLIN), "does not exist in time zone Europe/Berlin"),
    ],
    ids=["before-year-1", "after-year-9999", "dst-gap"],
)
def test_times_that_are_no_instant_are_refused_whole(
    backend: str,
    time: datetime | str,
    words: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    spacy_extractor: Extractor,
) -> None:
    group = f"{run_prefix()}-time"
    turns: list[dict[str, object]] = [
        {"speaker": "Ann", "text": "I live in Oslo.", "time": "2024-01-01T00:00:00Z"},
        {"speaker": "Ann", "text": "I moved to Bergen.", "time": time},
    ]
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        with pytest.raises(InputError, match=words):
            mem.add_dialogue(turns, group_id=group)
        with pytest.raises(TimeError, match=words):
            mem.search("Oslo", group_id=group, as_of=time)
        assert mem.stats(group).episodes == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_times_at_the_ends_of_the_range_are_stored_and_read_back(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, spacy_extractor: Extractor
) -> None:
    group = f"{run_prefix()}-edge"
    turns: list[dict[str, object]] = [
        {"speaker": "Ann", "text": "I live in Oslo.", "time": "0001-01-01T05:00:00+05:00"},
        {"speaker": "Ann", "text": "I moved to Bergen.", "time": "9999-12-31T22:00:00-01:00"},
        # the hour clocks repeat in autumn exists (twice): accepted
        {
            "speaker": "Ann",
            "text": "I like tea.",
            "time": datetime(2024, 10, 27, 2, 30, tzinfo=BERLIN),
        },
    ]
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        assert mem.add_dialogue(turns, group_id=group).episodes_added == 3
        years = sorted(r.valid_at.year for r in mem.history("Ann", group_id=group) if r.valid_at)
        assert years[0] == 1
        assert years[-1] == 9999


# -- item 11: the smaller ones -----------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("speaker", "Eve\x1b[2J\x1b[H"),
        ("speaker", "Eve\rMallory"),
        ("id", "t\x07"),
        ("session", "s\t1"),
    ],
    ids=["speaker-ansi-escape", "speaker-carriage-return", "id-bell", "session-tab"],
)
def test_control_characters_in_names_and_ids_are_refused(
    backend: str,
    field: str,
    value: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    spacy_extractor: Extractor,
) -> None:
    """Decided: refused at input (never stored, so never printed raw), on every backend."""
    group = f"{run_prefix()}-ctl"
    turn = {
        "speaker": "Eve",
        "text": "I live in Oslo.",
        "time": "2024-01-01T00:00:00Z",
        field: value,
    }
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        with pytest.raises(InputError, match=rf"turn 0: {field}: contains the control character"):
            mem.add_dialogue([turn], group_id=group)
        assert mem.stats(group).episodes == 0


def _hub_rows(count: int) -> list[dict[str, str]]:
    """``count`` customers managed by one person: a hub of ``count`` MANAGED_BY facts."""
    return [
        {"account_id": f"A-{i}", "company": f"Company {i}", "plan": "Pro", "manager": "Dana Kim",
         "tags": "", "updated_at": "2024-01-10"}
        for i in range(count)
    ]  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_neighbors_are_all_or_an_error_naming_the_limit(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, spacy_extractor: Extractor
) -> None:
    """``neighbors`` cut every hop at 1,000 facts without a word; now a hop holding more
    than ``max_facts_per_hop`` is a LimitError, and within the limit every fact comes back."""
    group = f"{run_prefix()}-hub"
    mapping = RecordMapping.from_yaml(MAPPING)
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        mem.add_records(_hub_rows(12), mapping=mapping, group_id=group)
        with pytest.raises(LimitError, match=r"hop 1 of 2 reaches more than 5 facts"):
            mem.neighbors("Dana Kim", depth=2, group_id=group, max_facts_per_hop=5)
        managed = [
            r
            for r in mem.neighbors("Dana Kim", depth=1, group_id=group)
            if r.relation == "MANAGED_BY"
        ]
        assert len(managed) == 12
        with pytest.raises(InputError, match="max_facts_per_hop must be at least 1"):
            mem.neighbors("Dana Kim", group_id=group, max_facts_per_hop=0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_facts_with_a_negative_limit_is_an_input_error(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, spacy_extractor: Extractor
) -> None:
    group = f"{run_prefix()}-limit"
    with open_memory(backend, request, tmp_path / "m", spacy_extractor) as mem:
        mem.add_records(_hub_rows(3), mapping=RecordMapping.from_yaml(MAPPING), group_id=group)
        for limit in (-1, 0):
            with pytest.raises(InputError, match=f"limit must be at least 1 .*not {limit}"):
                mem.facts(group_id=group, limit=limit)
        assert len(mem.facts(group_id=group, limit=2)) == 2


def test_unreachable_neo4j_names_the_address_actually_used() -> None:
    """The hint suggested 127.0.0.1:7687 whatever the URI; it now names the URI's own address
    and mentions the local development server only for that server's address."""
    with pytest.raises(StoreUnavailableError) as raised:
        Memory.open("bolt://127.0.0.1:1", embedder=HashingEmbedder())
    message = str(raised.value)
    assert "start the Neo4j server that should listen on 127.0.0.1:1, or fix the URI" in message
    assert "7687" not in message


# -- item 4: conversation ids that collide ------------------------------------------------------


def test_conversation_ids_never_share_a_group(tmp_path: Path) -> None:
    """ "user 1", "user_1" and "user/1" all became the group "locomo:user_1", so one person's
    turns were searchable in another's (in one file, and across files and runs). Group ids
    made of conversation ids are now one to one (:func:`chronomem.schema.as_group_id`)."""

    def conversation(sample: str) -> dict[str, object]:
        return {
            "sample_id": sample,
            "conversation": {
                "speaker_a": "Ann",
                "speaker_b": "Bob",
                "session_1_date_time": "1:56 pm on 8 May, 2023",
                "session_1": [{"speaker": "Ann", "dia_id": "D1:1", "text": f"I am {sample}."}],
            },
        }

    samples = ("user 1", "user_1", "user/1")
    together = tmp_path / "locomo.json"
    together.write_text(json.dumps([conversation(s) for s in samples]))
    groups = [source.group_id for source in read_dialogue(together)]
    assert len(set(groups)) == 3
    assert "locomo:user_1" in groups  # an id that is a group id already stays as it is
    apart = []
    for number, sample in enumerate(samples):  # one file (one run) each
        path = tmp_path / f"locomo-{number}.json"
        path.write_text(json.dumps([conversation(sample), conversation("other")]))
        apart.append(read_dialogue(path)[0].group_id)
    assert apart == groups
