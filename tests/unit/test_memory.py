"""The Memory facade end to end on the in-memory store (the embedded one where a test reopens
or copies a memory), with the function-backed extractor: no model, no database."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chronomem import InputError, Memory, NotFoundError, RecordMapping, TimeError
from chronomem.config import MemoryConfig
from chronomem.engine.embed import HashingEmbedder
from chronomem.engine.episode_text import with_vectors
from chronomem.engine.store import FactFilter
from chronomem.engine.store.inmemory import InMemoryStore
from chronomem.errors import ConfigurationError
from chronomem.ingest.extract.protocol import Extractor
from chronomem.query import SearchEngine, SearchRequest
from chronomem.schema import EpisodeKind, SearchResult

PARIS = {"speaker": "Alice", "text": "I live in Paris.", "time": "2023-01-10T09:00:00Z", "id": "1"}
BERLIN = {
    "speaker": "Alice",
    "text": "I moved to Berlin.",
    "time": "2023-06-05T09:00:00Z",
    "id": "2",
}


@pytest.fixture
def memory(extractor: Extractor) -> Iterator[Memory]:
    """A memory on the in-memory store with the hashing embedder and the fake extractor."""
    with Memory(InMemoryStore(), embedder=HashingEmbedder(), extractor=extractor) as mem:
        yield mem


def _lives_in(mem: Memory, group_id: str = "default", as_of: str | None = None) -> list[str | None]:
    facts = mem.facts(subject="Alice", relation="LIVES_IN", group_id=group_id, as_of=as_of)
    return [r.object for r in facts]


@pytest.mark.parametrize("order", [[PARIS, BERLIN], [BERLIN, PARIS]], ids=["in-order", "reversed"])
def test_paris_then_berlin_in_either_order(memory: Memory, order: list[dict[str, str]]) -> None:
    for turn in order:
        memory.add_dialogue([turn])
    assert _lives_in(memory, as_of="2023-03-01T00:00:00Z") == ["Paris"]
    assert _lives_in(memory) == ["Berlin"]
    timeline = [
        (r.object, r.valid_at, r.invalid_at) for r in memory.history("Alice", relation="LIVES_IN")
    ]
    assert [t[0] for t in timeline] == ["Paris", "Berlin"]
    assert timeline[0][2] == timeline[1][1]  # adjacent intervals


def test_reingest_adds_nothing(memory: Memory) -> None:
    first = memory.add_dialogue([PARIS, BERLIN])
    before = memory.stats()
    second = memory.add_dialogue([PARIS, BERLIN])
    assert first.episodes_added == 2
    assert second.episodes_added == 0
    assert second.episodes_skipped == 2
    assert memory.stats() == before


def test_reopen_sees_everything_committed(tmp_path: Path, extractor: Extractor) -> None:
    path = tmp_path / "m"
    with Memory.open(path, embedder=HashingEmbedder(), extractor=extractor) as mem:
        mem.add_dialogue([PARIS, BERLIN])
        stats = mem.stats()
    with Memory.open(path, embedder=HashingEmbedder(), extractor=extractor) as mem:
        assert mem.stats() == stats
        assert _lives_in(mem) == ["Berlin"]


def test_known_at_shows_what_was_believed(memory: Memory) -> None:
    memory.add_dialogue([PARIS])
    believed_then = memory.now()
    memory.add_dialogue([BERLIN])
    rows = memory.facts(subject="Alice", relation="LIVES_IN", known_at=believed_then)
    assert [(r.object, r.invalid_at) for r in rows] == [("Paris", None)]


def test_bad_input_is_rejected_whole(memory: Memory) -> None:
    with pytest.raises(InputError):
        memory.add_dialogue([PARIS, {"speaker": "Alice", "text": "x", "time": "2023-01-01T10:00"}])
    with pytest.raises(TimeError):
        memory.facts(subject="Alice", as_of="2023-01-01T00:00:00")  # naive
    assert memory.stats().episodes == 0


def test_unknown_entity_suggests_close_names(memory: Memory) -> None:
    memory.add_dialogue([PARIS])
    with pytest.raises(NotFoundError, match="Alice"):
        memory.facts(subject="Alise")


def test_huge_turn_is_rejected_with_the_limit(memory: Memory) -> None:
    turn = dict(PARIS, text="word " * 10_000)
    with pytest.raises(InputError, match="limit"):
        memory.add_dialogue([turn])


class _OtherModel(HashingEmbedder):
    @property
    def name(self) -> str:
        return "another-model"


def test_a_group_refuses_another_embedder(tmp_path: Path, extractor: Extractor) -> None:
    path = tmp_path / "m"
    with Memory.open(path, embedder=HashingEmbedder(), extractor=extractor) as mem:
        mem.add_dialogue([PARIS], group_id="a")
    with Memory.open(path, embedder=_OtherModel(), extractor=extractor) as mem:
        with pytest.raises(ConfigurationError, match="embedder"):
            mem.search("Paris", group_id="a")
        with pytest.raises(ConfigurationError, match="embedder"):
            mem.add_dialogue([BERLIN], group_id="a")
        mem.add_dialogue([BERLIN], group_id="b")  # a new group may use another model
        assert _lives_in(mem, group_id="b") == ["Berlin"]


def test_groups_are_isolated(memory: Memory) -> None:
    memory.add_dialogue([PARIS], group_id="a")
    memory.add_dialogue([BERLIN], group_id="b")
    assert _lives_in(memory, group_id="a") == ["Paris"]
    assert _lives_in(memory, group_id="b") == ["Berlin"]
    hits = memory.search("Berlin Paris", group_id="a")
    assert hits
    assert all(r.group_id == "a" for r in hits)


def test_turns_are_embedded_for_stores_that_keep_episode_vectors(memory: Memory) -> None:
    memory.add_dialogue([PARIS, BERLIN])
    assert memory.store.capabilities.episode_vectors
    hits = memory.store.vector(
        "default",
        memory.embedder.embed(["Alice: Alice moved to Berlin."])[0],
        "episode",
        2,
        FactFilter(),
    )
    (episode,) = memory.store.get_episodes("default", [hits[0][0]])
    assert episode.source_id == "2"
    assert episode.content_embedding is not None
    assert len(episode.content_embedding) == memory.embedder.dimension
    # the text embedded is "speaker: content", first person replaced by the speaker
    assert hits[0][1] == pytest.approx(1.0, abs=1e-4)


def test_a_turn_of_several_sentences_is_found_by_its_best_sentence(memory: Memory) -> None:
    turn = {
        "speaker": "Alice",
        "text": 'I moved to Berlin. "It rains a lot!" We love it [shares a photo: a map]',
        "time": "2023-06-05T09:00:00Z",
        "id": "7",
    }
    memory.add_dialogue([PARIS, turn])
    one, several = memory.store.get_episodes(
        "default", [e.uuid for e in memory.store.dump("default").episodes]
    )
    assert one.sentence_embeddings is None  # one sentence: the turn's vector says it all
    assert several.sentence_embeddings is not None
    expected = memory.embedder.embed(
        [
            "Alice: Alice moved to Berlin.",
            'Alice: "It rains a lot!"',
            "Alice: We love it",
            "Alice: [shares a photo: a map]",
        ]
    )
    np.testing.assert_allclose(several.sentence_embeddings, expected, atol=1e-6)
    query = memory.embedder.embed(['Alice: "It rains a lot!"'])[0]
    ((best, score), *_) = memory.store.vector("default", query, "episode", 2, FactFilter())
    assert best == several.uuid
    assert score == pytest.approx(1.0, abs=1e-4)


def test_a_first_person_question_finds_what_its_speaker_said(memory: Memory) -> None:
    rome = {"speaker": "Bob", "text": "I live in Rome.", "time": "2023-01-11T09:00:00Z", "id": "8"}
    memory.add_dialogue([PARIS, rome])
    for speaker, city in (("Alice", "Paris"), ("Bob", "Rome")):
        (best, *_) = memory.search("Where do I live?", speaker=speaker, kinds=("fact",))
        assert (best.subject, best.object) == (speaker, city)
    block = memory.context("Where do I live?", speaker="Bob")
    assert "Rome" in block
    assert block.index("Rome") < block.find("Paris") or "Paris" not in block


def test_records_are_not_embedded(memory: Memory) -> None:
    mapping = RecordMapping.model_validate(
        {
            "source": "crm",
            "entity": {"key": "id", "name": "name", "label": "Customer"},
            "time": {"column": "at"},
            "attributes": [{"column": "plan", "relation": "HAS_PLAN", "label": "Plan"}],
        }
    )
    rows = [{"id": "c1", "name": "Brightwater", "plan": "Pro", "at": "2023-06-01T00:00:00Z"}]
    memory.add_records(rows, mapping=mapping, group_id="crm")
    memory.add_dialogue([PARIS], group_id="crm")
    query = memory.embedder.embed(["Brightwater plan Pro"])[0]
    hits = memory.store.vector("crm", query, "episode", 10, FactFilter())
    (turn,) = memory.store.get_episodes("crm", [uuid for uuid, _ in hits])
    assert turn.kind is EpisodeKind.MESSAGE  # the record has no vector; the turn has one
    facts = memory.facts(subject="Brightwater", group_id="crm")
    assert sorted((r.relation or "", r.object) for r in facts) == [
        ("HAS_NAME", "Brightwater"),
        ("HAS_PLAN", "Pro"),
    ]


def test_episode_vectors_can_be_switched_off(tmp_path: Path, extractor: Extractor) -> None:
    config = MemoryConfig(episode_vectors=False)
    with Memory.open(
        tmp_path / "m", embedder=HashingEmbedder(), extractor=extractor, config=config
    ) as mem:
        mem.add_dialogue([PARIS, BERLIN])
        query = mem.embedder.embed(["Alice: I moved to Berlin."])[0]
        assert mem.store.vector("default", query, "episode", 2, FactFilter()) == []
        assert mem.search("moved to Berlin", kinds=("episode",))[0].sources == ["2"]


def test_export_reembed_gives_an_old_memory_this_versions_episode_vectors(
    tmp_path: Path, extractor: Extractor
) -> None:
    """A memory built without episode vectors (as older versions were) gets them on a copy
    with ``reembed``; facts, entities and records are copied as they are."""
    turn = {
        "speaker": "Alice",
        "text": "I moved to Berlin. My sister lives there.",
        "time": "2023-06-05T09:00:00Z",
        "id": "3",
    }
    mapping = RecordMapping.model_validate(
        {
            "source": "crm",
            "entity": {"key": "id", "name": "name", "label": "Customer"},
            "time": {"column": "at"},
            "attributes": [{"column": "plan", "relation": "HAS_PLAN", "label": "Plan"}],
        }
    )
    row = {"id": "c1", "name": "Brightwater", "plan": "Pro", "at": "2023-06-01T00:00:00Z"}
    old = MemoryConfig(episode_vectors=False)
    embedder = HashingEmbedder()
    with Memory.open(tmp_path / "old", embedder=embedder, extractor=extractor, config=old) as mem:
        mem.add_dialogue([PARIS, turn])
        mem.add_records([row], mapping=mapping)
        before = mem.store.dump("default")
        assert all(e.content_embedding is None for e in before.episodes)
        seen: list[int] = []
        plain = mem.export(tmp_path / "plain")
        counts = mem.export(tmp_path / "new", reembed=True, progress=seen.append)
    assert counts == plain
    assert sum(seen) == counts["episodes"] + counts["facts"]
    expected = {e.uuid: e for e in with_vectors(embedder, before.episodes)}
    with Memory.open(tmp_path / "plain", embedder=embedder) as copy:
        assert all(e.content_embedding is None for e in copy.store.dump("default").episodes)
    with Memory.open(tmp_path / "new", embedder=embedder) as copy:
        after = copy.store.dump("default")
        episodes = copy.store.get_episodes("default", [e.uuid for e in after.episodes])
        for episode in episodes:
            want = expected[episode.uuid]
            if episode.kind is EpisodeKind.RECORD:
                assert episode.content_embedding is None
                continue
            assert episode.content_embedding is not None
            assert want.content_embedding is not None
            np.testing.assert_allclose(episode.content_embedding, want.content_embedding, atol=1e-6)
            if episode.source_id == "3":
                assert episode.sentence_embeddings is not None
                assert want.sentence_embeddings is not None
                np.testing.assert_allclose(
                    episode.sentence_embeddings, want.sentence_embeddings, atol=1e-6
                )
        assert after.facts == before.facts
        assert after.entities == before.entities
        query = embedder.embed(["Alice: Alice moved to Berlin."])[0]
        (best, *_) = copy.store.vector("default", query, "episode", 3, FactFilter())
        assert best[0] in {e.uuid for e in after.episodes if e.source_id == "3"}


def test_export_reembed_refuses_another_embedder_and_writes_nothing(
    tmp_path: Path, extractor: Extractor
) -> None:
    with Memory.open(tmp_path / "m", embedder=HashingEmbedder(), extractor=extractor) as mem:
        mem.add_dialogue([PARIS])
    other = Memory.open(tmp_path / "m", embedder=_OtherModel(), extractor=extractor)
    with other, pytest.raises(ConfigurationError, match="built with the embedder 'hashing-384"):
        other.export(tmp_path / "copy", reembed=True)
    assert not (tmp_path / "copy").exists()


def _captured_search(monkeypatch: pytest.MonkeyPatch) -> list[SearchRequest]:
    """Make the search engine record the requests it is given (and return nothing)."""
    seen: list[SearchRequest] = []

    def capture(engine: SearchEngine, request: SearchRequest) -> list[SearchResult]:
        seen.append(request)
        return []

    monkeypatch.setattr(SearchEngine, "search", capture)
    return seen


def test_search_passes_every_filter_into_the_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _captured_search(monkeypatch)
    with Memory.open(tmp_path / "m", embedder=HashingEmbedder()) as mem:
        mem.search(
            "Where do I live?",
            group_id="g",
            as_of="2024-03-01T00:00:00Z",
            known_at=datetime(2024, 4, 1, tzinfo=UTC),
            limit=7,
            valid_from="2023-01-01",
            valid_to="2024-01-01T00:00:00+02:00",
            labels=["Place"],
            relations=["lives in"],
            centre="Paris",
            kinds=["fact", "episode"],
            recipe="fast",
            speaker="Alice",
        )
    (request,) = seen
    assert request == SearchRequest(
        query="Where do I live?",
        group_id="g",
        as_of=datetime(2024, 3, 1, tzinfo=UTC),
        known_at=datetime(2024, 4, 1, tzinfo=UTC),
        limit=7,
        valid_from=datetime(2023, 1, 1, tzinfo=UTC),
        valid_to=datetime(2023, 12, 31, 22, tzinfo=UTC),
        labels=("Place",),
        relations=("LIVES_IN",),
        centre="Paris",
        kinds=("fact", "episode"),
        recipe="fast",
        speaker="Alice",
    )
    for name, field in SearchRequest.model_fields.items():  # every field was given a value
        assert field.is_required() or getattr(request, name) != field.default, name


def test_search_takes_exactly_the_request_fields_with_their_defaults() -> None:
    parameters = dict(inspect.signature(Memory.search).parameters)
    del parameters["self"]
    assert parameters.keys() == SearchRequest.model_fields.keys()
    for name, field in SearchRequest.model_fields.items():
        default = parameters[name].default
        expected = inspect.Parameter.empty if field.is_required() else field.default
        assert default == expected, name


@pytest.mark.parametrize(
    ("filters", "words"),
    [
        ({"valid_from": "2024-02-01T00:00:00Z", "valid_to": "2024-01-01T00:00:00Z"},
         "must be before valid_to"),
        ({"valid_from": "soon"}, "valid_from"),
        ({"kinds": ["facts"]}, "kinds"),
        ({"limit": 0}, "limit"),
    ],
    ids=["empty-range", "bad-time", "bad-kind", "limit-0"],
)  # fmt: skip
def test_search_refuses_bad_filter_values_with_an_input_error(
    tmp_path: Path, filters: dict[str, Any], words: str
) -> None:
    mem = Memory.open(tmp_path / "m", embedder=HashingEmbedder())
    with mem, pytest.raises(InputError, match="invalid search") as raised:
        mem.search("x", **filters)
    assert words in str(raised.value)


def test_an_unknown_search_filter_is_a_type_error(tmp_path: Path) -> None:
    unknown: dict[str, Any] = {"colour": "red"}
    mem = Memory.open(tmp_path / "m", embedder=HashingEmbedder())
    with mem, pytest.raises(TypeError, match="colour"):
        mem.search("x", **unknown)
