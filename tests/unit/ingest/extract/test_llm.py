"""LLMExtractor against a local fake OpenAI-compatible server (127.0.0.1 only)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from chronomem.engine.embed import HashingEmbedder
from chronomem.errors import ExtractionError
from chronomem.ingest.extract.llm import LLMExtractor, LLMExtractorConfig
from chronomem.ingest.extract.protocol import Extractor
from chronomem.memory import Memory
from chronomem.schema import Episode

REFERENCE = datetime(2024, 5, 8, 13, 56, tzinfo=UTC)
Reply = tuple[int, str]


def completion(content: object) -> Reply:
    """An HTTP 200 chat completion whose message content is ``content`` (JSON-encoded)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return 200, json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]})


class FakeLLM:
    """Serves canned replies in order (the last one repeats) and records every request."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append((self.path, dict(self.headers.items()), body))
                status, text = fake.next_reply(body)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def next_reply(self, body: dict[str, Any]) -> Reply:
        if self.responder is not None:
            return self.responder(body)
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM()
    yield server
    server.close()


def config(url: str, **overrides: Any) -> LLMExtractorConfig:
    settings: dict[str, Any] = {"base_url": url, "model": "tiny-test", "retry_backoff": 0.01}
    settings.update(overrides)
    return LLMExtractorConfig(**settings)


def episodes(*turns: tuple[str, str]) -> list[Episode]:
    return [
        Episode(content=text, speaker=speaker, reference_time=REFERENCE + timedelta(minutes=i))
        for i, (speaker, text) in enumerate(turns)
    ]


GOOD_REPLY = {
    "turns": [
        {
            "index": 0,
            "entities": [{"name": "Paris", "label": "Place"}],
            "facts": [
                {
                    "subject": "Alice",
                    "relation": "LIVES_IN",
                    "object": "Paris",
                    "object_label": "Place",
                    "fact": "Alice lives in Paris.",
                    "valid_at": "2021-03-01T00:00:00+01:00",
                }
            ],
        },
        {
            "index": 1,
            "entities": [{"name": "Acme", "label": "Organization"}],
            "facts": [
                {
                    "subject": "Bob",
                    "relation": "WORKS_AT",
                    "object": "Acme",
                    "object_label": "Organization",
                    "fact": "Bob left Acme.",
                    "ends": True,
                }
            ],
        },
    ]
}


def test_extractor_satisfies_protocol_and_names_model(fake: FakeLLM) -> None:
    extractor = LLMExtractor(config(fake.url))
    assert isinstance(extractor, Extractor)
    assert extractor.name == "llm:tiny-test"


def test_request_shape_without_key(fake: FakeLLM) -> None:
    fake.replies = [completion({"turns": []})]
    LLMExtractor(config(fake.url)).extract(episodes(("Alice", "I live in Paris.")))
    [(path, headers, body)] = fake.requests
    assert path == "/v1/chat/completions"
    assert "Authorization" not in headers
    assert body["model"] == "tiny-test"
    assert body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}
    system, user = body["messages"]
    assert system["role"] == "system"
    assert "UPPER_SNAKE_CASE" in system["content"]
    assert user["role"] == "user"
    assert "0 | Alice | 2024-05-08T13:56:00+00:00 | I live in Paris." in user["content"]


def test_request_sends_bearer_key_when_set(fake: FakeLLM) -> None:
    fake.replies = [completion({"turns": []})]
    LLMExtractor(config(fake.url, api_key="sk-secret")).extract(episodes(("Alice", "hi")))
    assert fake.requests[0][1]["Authorization"] == "Bearer sk-secret"


def test_api_key_is_not_in_config_repr() -> None:
    assert "sk-secret" not in repr(config("http://127.0.0.1:1/v1", api_key="sk-secret"))


def test_good_reply_becomes_extractions(fake: FakeLLM) -> None:
    fake.replies = [completion(GOOD_REPLY)]
    eps = episodes(("Alice", "I've lived in Paris since March 2021."), ("Bob", "I left Acme."))
    first, second = LLMExtractor(config(fake.url)).extract(eps)

    assert first.episode_uuid == eps[0].uuid
    assert second.episode_uuid == eps[1].uuid
    assert [(m.name, m.label, m.is_speaker) for m in first.entities] == [
        ("Alice", "Person", True),
        ("Paris", "Place", False),
    ]
    [lives] = first.facts
    assert (lives.subject.name, lives.relation, lives.object.name) == ("Alice", "LIVES_IN", "Paris")
    assert lives.subject.is_speaker
    assert lives.object.label == "Place"
    assert lives.fact == "Alice lives in Paris."
    assert lives.valid_at == datetime(2021, 3, 1, tzinfo=timezone(timedelta(hours=1)))
    assert lives.valid_at is not None
    assert lives.valid_at.tzinfo is not None
    assert lives.episode_uuid == eps[0].uuid
    assert not lives.ends

    [left] = second.facts
    assert left.relation == "WORKS_AT"
    assert left.ends
    assert left.valid_at is None
    assert left.object.label == "Organization"


def test_turn_without_facts_still_has_speaker_mention(fake: FakeLLM) -> None:
    fake.replies = [completion({"turns": []})]
    [only] = LLMExtractor(config(fake.url)).extract(episodes(("Carol", "Good morning!")))
    assert [(m.name, m.label, m.is_speaker) for m in only.entities] == [("Carol", "Person", True)]
    assert only.facts == []


def test_bad_relation_is_sanitised_and_bad_times_dropped(fake: FakeLLM) -> None:
    fact = {"subject": "Alice", "object": "jazz", "fact": "Alice likes jazz."}
    fake.replies = [
        completion(
            {
                "turns": [
                    {
                        "index": 0,
                        "facts": [
                            {**fact, "relation": "likes a lot", "valid_at": "2021-03-01T10:00"},
                            {**fact, "relation": "LIKES", "valid_at": "last spring"},
                            {**fact, "relation": "", "valid_at": "2021-03-01T10:00:00Z"},
                            {"subject": "Alice", "relation": "LIKES"},
                            "not a fact",
                        ],
                    }
                ]
            }
        )
    ]
    [only] = LLMExtractor(config(fake.url)).extract(episodes(("Alice", "I love jazz.")))
    assert [(f.relation, f.valid_at) for f in only.facts] == [
        ("LIKES_A_LOT", None),
        ("LIKES", None),
    ]
    assert only.facts[0].object.label == "Concept"


def test_index_outside_batch_is_ignored(fake: FakeLLM) -> None:
    stray = {"subject": "Alice", "relation": "LIVES_IN", "object": "Rome", "fact": "x"}
    fake.replies = [
        completion(
            {
                "turns": [
                    {"index": 5, "facts": [stray]},
                    {"index": -1, "facts": [stray]},
                    {"index": "0", "facts": [stray]},
                    {"index": True, "facts": [stray]},
                ]
            }
        )
    ]
    [only] = LLMExtractor(config(fake.url)).extract(episodes(("Alice", "hello")))
    assert only.facts == []


def test_batches_split_requests_and_indices_are_per_batch(fake: FakeLLM) -> None:
    def per_batch(body: dict[str, Any]) -> Reply:
        user = body["messages"][1]["content"]
        turns = []
        for line in user.splitlines()[1:]:
            index, speaker, _, text = line.split(" | ")
            fact = {"subject": speaker, "relation": "SAID", "object": text, "fact": text}
            turns.append({"index": int(index), "facts": [fact]})
        return completion({"turns": turns})

    fake.responder = per_batch
    eps = episodes(*[("Alice", f"t{i}") for i in range(5)])
    found = LLMExtractor(config(fake.url, batch_size=2)).extract(eps)
    assert len(fake.requests) == 3
    assert [x.facts[0].object.name for x in found] == ["t0", "t1", "t2", "t3", "t4"]
    assert [x.episode_uuid for x in found] == [e.uuid for e in eps]


def test_malformed_json_reply_raises_after_retries(fake: FakeLLM) -> None:
    fake.replies = [completion("this is not json {")]
    extractor = LLMExtractor(config(fake.url, max_retries=2))
    with pytest.raises(ExtractionError, match="JSON object"):
        extractor.extract(episodes(("Alice", "hi")))
    assert len(fake.requests) == 3


def test_non_completion_body_raises(fake: FakeLLM) -> None:
    fake.replies = [(200, "<html>proxy login</html>")]
    with pytest.raises(ExtractionError, match="did not return a chat completion"):
        LLMExtractor(config(fake.url, max_retries=0)).extract(episodes(("Alice", "hi")))


def test_http_500_then_200_succeeds(fake: FakeLLM) -> None:
    fake.replies = [(500, '{"error": "overloaded"}'), completion(GOOD_REPLY)]
    eps = episodes(("Alice", "I live in Paris."), ("Bob", "I left Acme."))
    found = LLMExtractor(config(fake.url)).extract(eps)
    assert len(fake.requests) == 2
    assert found[0].facts[0].relation == "LIVES_IN"


def test_http_error_message_names_url_and_status_but_not_key(fake: FakeLLM) -> None:
    fake.replies = [(401, '{"error": "bad key sk-secret"}')]
    extractor = LLMExtractor(config(fake.url, api_key="sk-secret", max_retries=2))
    with pytest.raises(ExtractionError) as info:
        extractor.extract(episodes(("Alice", "hi")))
    assert len(fake.requests) == 1  # a client error is not retried
    message = str(info.value)
    assert "HTTP 401" in message
    assert f"{fake.url}/chat/completions" in message
    assert "API key" in message
    assert "sk-secret" not in message


def test_unreachable_port_fails_quickly() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    extractor = LLMExtractor(config(f"http://127.0.0.1:{port}/v1", timeout=2))
    started = time.monotonic()
    with pytest.raises(ExtractionError, match="failed after 3 attempt"):
        extractor.extract(episodes(("Alice", "hi")))
    assert time.monotonic() - started < 2


def test_empty_input_makes_no_request(fake: FakeLLM) -> None:
    assert LLMExtractor(config(fake.url)).extract([]) == []
    assert fake.requests == []


def test_memory_end_to_end_with_llm_extractor(fake: FakeLLM, tmp_path: Path) -> None:
    def lives_in(body: dict[str, Any]) -> Reply:
        user = body["messages"][1]["content"]
        turns = []
        for line in user.splitlines()[1:]:
            index, speaker, _, text = line.split(" | ")
            if "Lisbon" in text:
                fact = {
                    "subject": speaker,
                    "relation": "LIVES_IN",
                    "object": "Lisbon",
                    "object_label": "Place",
                    "fact": f"{speaker} lives in Lisbon.",
                }
                turns.append({"index": int(index), "facts": [fact]})
        return completion({"turns": turns})

    fake.responder = lives_in
    extractor = LLMExtractor(config(fake.url))
    with Memory.open(tmp_path / "mem", embedder=HashingEmbedder(), extractor=extractor) as mem:
        mem.add_dialogue(
            [
                {"speaker": "Dana", "text": "Hi there!", "time": "2024-05-01T10:00:00Z"},
                {"speaker": "Dana", "text": "I live in Lisbon.", "time": "2024-05-01T10:01:00Z"},
            ]
        )
        [hit] = mem.facts(subject="Dana")
    assert (hit.subject, hit.relation, hit.object) == ("Dana", "LIVES_IN", "Lisbon")
    assert hit.text == "Dana lives in Lisbon."
