"""An optional extractor backed by any OpenAI-compatible chat-completions endpoint.

It sends batches of turns to ``{base_url}/chat/completions`` (standard library HTTP only),
asks for a JSON object of entities and facts per turn, and validates the reply defensively:
malformed items are dropped, relation names are sanitised, bad or naive times are dropped
(the fact is kept). Transport errors and unreadable replies are retried, then raised as
:class:`~chronomem.errors.ExtractionError`. The API key is never logged nor put in a message.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from chronomem.errors import ExtractionError, TimeError
from chronomem.ingest.extract.protocol import CandidateFact, EntityMention, Extraction
from chronomem.ingest.extract.relations import RELATION_PATTERN, relation_name
from chronomem.schema import Episode
from chronomem.schema.time import parse_time

__all__ = ["SYSTEM_PROMPT", "LLMExtractor", "LLMExtractorConfig"]

_log = logging.getLogger(__name__)

DEFAULT_LABEL: Final = "Concept"
SPEAKER_LABEL: Final = "Person"

SYSTEM_PROMPT: Final = """\
You extract a temporal knowledge graph from chat turns. Reply with one JSON object only:
{"turns": [{"index": <turn index>, "entities": [{"name": str, "label": str}],
  "facts": [{"subject": str, "relation": str, "object": str, "object_label": str,
             "fact": str, "valid_at": str, "invalid_at": str, "ends": bool}]}]}
Rules:
- One item per turn that states something; use the turn's index as given.
- Resolve first person (I, me, my, we) to the turn's speaker and second person to the
  addressee when known; use full names as they appear.
- label is one of Person, Organization, Place, Event, Product, Concept.
- relation is UPPER_SNAKE_CASE, e.g. LIVES_IN, WORKS_AT, LIKES, MARRIED_TO.
- fact is a short sentence that reads on its own, with names instead of pronouns.
- valid_at / invalid_at: only when the text says when the fact started / stopped holding,
  as ISO-8601 with a timezone (e.g. 2023-05-08T00:00:00+00:00), resolved against the
  turn's reference time; otherwise omit them.
- ends: true when the turn says the relation stopped holding ("I left Acme"); else omit.
- Do not invent facts that the text does not state.
"""


class LLMExtractorConfig(BaseModel):
    """Where and how to call the model. Passed explicitly; nothing is read from the environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(min_length=1, description='e.g. "http://127.0.0.1:8000/v1"')
    model: str = Field(min_length=1)
    api_key: str | None = Field(default=None, repr=False)
    timeout: float = Field(default=30, gt=0, description="seconds per request")
    max_retries: int = Field(default=2, ge=0, description="extra attempts after a failure")
    batch_size: int = Field(default=8, ge=1, description="turns per request")
    retry_backoff: float = Field(default=0.5, ge=0, description="seconds before the 1st retry")


_RETRY_STATUSES: Final = frozenset({408, 409, 425, 429})


class _AttemptError(Exception):
    """A failed attempt; the message is safe to show (no key). ``retry``: worth repeating."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


class LLMExtractor:
    """Extractor that asks an OpenAI-compatible chat model for entities and facts."""

    def __init__(self, config: LLMExtractorConfig) -> None:
        self.config = config
        self._url = config.base_url.rstrip("/") + "/chat/completions"

    @property
    def name(self) -> str:
        return f"llm:{self.config.model}"

    def extract(self, episodes: Sequence[Episode]) -> list[Extraction]:
        """One :class:`Extraction` per episode, in order; one request per batch of turns."""
        result: list[Extraction] = []
        size = self.config.batch_size
        for start in range(0, len(episodes), size):
            batch = list(episodes[start : start + size])
            reply = self._request(self._payload(batch))
            result.extend(_extractions(batch, reply))
        return result

    # -- request --------------------------------------------------------------------------------

    def _payload(self, batch: list[Episode]) -> dict[str, Any]:
        lines = ["Turns (index | speaker | reference time | text):"]
        for index, episode in enumerate(batch):
            text = " ".join(episode.content.split())
            speaker = episode.speaker or "unknown"
            lines.append(f"{index} | {speaker} | {episode.reference_time.isoformat()} | {text}")
        return {
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": "\n".join(lines)},
            ],
            "temperature": 0,
            "response_format": {"type": "json_object"},
        }

    def _request(self, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload).encode("utf-8")
        allowed = self.config.max_retries + 1
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(body)
            except _AttemptError as exc:
                _log.warning("LLM extractor attempt %d/%d: %s", attempt, allowed, exc)
                if not exc.retry or attempt >= allowed:
                    raise ExtractionError(
                        f"LLM extraction failed after {attempt} attempt(s): {exc}; check that "
                        f"base_url ({self.config.base_url}) points at an OpenAI-compatible API "
                        f"(usually ending in /v1), that model {self.config.model!r} is served "
                        "there and that the API key is right"
                    ) from None
            time.sleep(self.config.retry_backoff * 2 ** (attempt - 1))

    def _attempt(self, body: bytes) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = self._redact(exc.read(500).decode("utf-8", "replace"))
            raise _AttemptError(
                f"POST {self._url} returned HTTP {exc.code} {exc.reason}: {detail.strip()!r}",
                retry=exc.code >= 500 or exc.code in _RETRY_STATUSES,
            ) from None
        except urllib.error.URLError as exc:
            reason = self._redact(str(exc.reason))
            raise _AttemptError(f"POST {self._url} failed: {reason}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise _AttemptError(f"POST {self._url} failed: {type(exc).__name__}: {exc}") from None
        return self._content(raw)

    def _content(self, raw: bytes) -> dict[str, Any]:
        """The JSON object in the first choice's message, or a retryable error."""
        try:
            envelope = json.loads(raw)
            content = envelope["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise _AttemptError(
                f"POST {self._url} did not return a chat completion: {raw[:200]!r}"
            ) from None
        if not isinstance(content, str):
            raise _AttemptError(f"POST {self._url}: message content is not text")
        text = content.strip()
        if text.startswith("```"):
            text = text.strip("`").removeprefix("json").strip()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("turns"), list):
            raise _AttemptError(
                f'the model did not reply with a JSON object {{"turns": [...]}}: {text[:200]!r}'
            )
        return parsed

    def _redact(self, text: str) -> str:
        key = self.config.api_key
        return text.replace(key, "***") if key else text


# -- reply -> extractions ---------------------------------------------------------------------


def _text(value: object) -> str | None:
    """A stripped, non-empty string, else None."""
    if isinstance(value, str):
        stripped = " ".join(value.split())
        return stripped or None
    return None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_time(value)
    except TimeError:
        return None


def _relation(value: object) -> str | None:
    raw = _text(value)
    if raw is None:
        return None
    return raw if RELATION_PATTERN.match(raw) else relation_name(raw)


class _Turn:
    """Collects the mentions and facts of one episode, deduplicating mentions by name."""

    def __init__(self, episode: Episode) -> None:
        self.episode = episode
        self.mentions: dict[str, EntityMention] = {}
        self.facts: list[CandidateFact] = []
        if episode.speaker:
            self.add(EntityMention(episode.speaker, SPEAKER_LABEL, is_speaker=True))

    def add(self, mention: EntityMention) -> EntityMention:
        return self.mentions.setdefault(mention.name.casefold(), mention)

    def mention(self, name: str, label: str | None) -> EntityMention:
        known = self.mentions.get(name.casefold())
        if known is not None:
            return known
        return self.add(EntityMention(name, label or DEFAULT_LABEL))

    def read(self, item: dict[str, Any]) -> None:
        entities = item.get("entities")
        for entity in entities if isinstance(entities, list) else []:
            if isinstance(entity, dict) and (name := _text(entity.get("name"))):
                self.mention(name, _text(entity.get("label")))
        facts = item.get("facts")
        for fact in facts if isinstance(facts, list) else []:
            if isinstance(fact, dict):
                self.read_fact(fact)

    def read_fact(self, item: dict[str, Any]) -> None:
        subject = _text(item.get("subject"))
        relation = _relation(item.get("relation"))
        obj = _text(item.get("object"))
        if subject is None or relation is None or obj is None:
            return
        valid_at = _time(item.get("valid_at"))
        invalid_at = _time(item.get("invalid_at"))
        if valid_at is not None and invalid_at is not None and invalid_at <= valid_at:
            invalid_at = None
        self.facts.append(
            CandidateFact(
                episode_uuid=self.episode.uuid,
                subject=self.mention(subject, _text(item.get("subject_label"))),
                relation=relation,
                object=self.mention(obj, _text(item.get("object_label"))),
                fact=_text(item.get("fact")) or f"{subject} {relation} {obj}",
                valid_at=valid_at,
                invalid_at=invalid_at,
                ends=item.get("ends") is True,
            )
        )

    def extraction(self) -> Extraction:
        return Extraction(self.episode.uuid, list(self.mentions.values()), self.facts)


def _extractions(batch: list[Episode], reply: dict[str, Any]) -> list[Extraction]:
    turns = [_Turn(episode) for episode in batch]
    for item in reply.get("turns", []):
        if not isinstance(item, dict):
            continue
        index = item.get("index")
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(turns):
            turns[index].read(item)
    return [turn.extraction() for turn in turns]
