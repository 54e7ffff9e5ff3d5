"""The text an episode is embedded as, and the sentences of that text.

A turn is embedded as ``speaker: content`` with the speaker's first person replaced by their
name: "Caroline: I moved from my home country" becomes "Caroline: Caroline moved from
Caroline's home country". Questions about a conversation name people in the third person
("Where did Caroline move from?"), the turns answering them say "I" and "my"; the fact
extractor rewrites its statements the same way (:mod:`chronomem.ingest.extract.statements`).
Second person is left as said (who "you" is is a guess). What the rewrite gained on LoCoMo, and
what was tried instead, is in docs/benchmarks.md ("LoCoMo evidence recall").

The rewrite is a word swap (no parse): it runs before extraction and whatever the extractor.
The stored content is never changed; only the vectors see the rewrite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from chronomem.engine.embed import Embedder, Part, embed_with_parts
from chronomem.language.grounding import ground_first_person
from chronomem.schema import Episode, EpisodeKind, speaker_line

__all__ = ["embedding_text", "sentence_parts", "with_vectors"]

# A sentence ends at . ! ? (or an ellipsis), possibly closed by quotes or brackets, before
# whitespace; an attachment note ("[shares a photo: ...]") starts a part of its own.
_SENTENCE_BREAK: Final = re.compile(
    r"(?<=[.!?\u2026])\s+|(?<=[.!?\u2026][\"'\u201d\u2019)\]])\s+|\s+(?=\[)"
)


def embedding_text(episode: Episode) -> str:
    """``speaker: content`` with the speaker's first person grounded
    (:func:`ground_first_person`); the content alone when nobody is named."""
    if not episode.speaker:
        return episode.content
    return speaker_line(episode.speaker, ground_first_person(episode.content, episode.speaker))


def sentence_parts(episode: Episode, text: str) -> list[Part]:
    """The sentences of ``text`` (the episode's :func:`embedding_text`), each with the
    speaker label; none for a text of one sentence (its turn vector says it all)."""
    start = len(speaker_line(episode.speaker, ""))  # where the content starts
    label: Part = ((0, len(speaker_line(episode.speaker, "").rstrip())),) if start else ()
    spans: list[tuple[int, int]] = []
    for match in _SENTENCE_BREAK.finditer(text, start):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    if len(spans) < 2:
        return []
    return [(*label, span) for span in spans]


def with_vectors(embedder: Embedder, episodes: Sequence[Episode]) -> list[Episode]:
    """``episodes`` with (new) vectors: ``content_embedding`` of the :func:`embedding_text` and,
    for a turn of several sentences, ``sentence_embeddings`` (one per sentence, pooled from the
    same model pass where the embedder can). Records come back as they are: a row is found
    through its facts and full text, and bulk imports keep their speed."""
    out = list(episodes)
    chosen = [i for i, e in enumerate(out) if e.kind is not EpisodeKind.RECORD]
    if not chosen:
        return out
    texts = [embedding_text(out[i]) for i in chosen]
    parts = [sentence_parts(out[i], text) for i, text in zip(chosen, texts, strict=True)]
    vectors, sentences = embed_with_parts(embedder, texts, parts)
    for row, i in enumerate(chosen):
        several = len(sentences[row]) > 1
        out[i] = out[i].model_copy(
            update={
                "content_embedding": vectors[row].tolist(),
                "sentence_embeddings": sentences[row].tolist() if several else None,
            }
        )
    return out
