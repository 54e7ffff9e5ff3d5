"""An extractor from a plain function, for tests and for rules of one's own.

>>> extractor = FunctionExtractor()              # the few rules of :func:`simple_rules`
>>> episode = Episode(content="I live in Paris.", speaker="Alice", reference_time=now)
>>> [(f.subject.name, f.relation, f.object.name) for f in extractor.extract([episode])[0].facts]
[('Alice', 'LIVES_IN', 'Paris')]

No model is loaded: what the function returns is what is extracted. The speaker of a turn is
always mentioned, as the real extractors do.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

from chronomem.ingest.extract.protocol import CandidateFact, EntityMention, Extraction
from chronomem.language.grounding import ground_first_person
from chronomem.schema import Episode

__all__ = ["ExtractFunction", "FunctionExtractor", "simple_rules"]

ExtractFunction = Callable[[Episode], Iterable[EntityMention | CandidateFact]]
"""What a :class:`FunctionExtractor` runs on each episode: the entities it names and the facts
it states (their ``episode_uuid`` is set to the episode's)."""

_SPEAKER_LABEL: Final = "Person"
_NAME: Final = r"[A-Z][\w'-]*(?: [A-Z][\w'-]*)*"
_NOT_NAMES: Final = frozenset({"He", "She", "It", "We", "They", "You", "The", "This", "That"})
_RULES: Final[tuple[tuple[str, str, str, str], ...]] = (
    (r"(?:lives?|lived|living) in|moved to|relocated to", "LIVES_IN", "lives in", "Place"),
    (r"(?:works?|worked|working) (?:at|for)|joined", "WORKS_AT", "works at", "Organization"),
    (r"(?:is |was |got )?married(?: to)?", "MARRIED_TO", "is married to", "Person"),
)
"""(verb phrase, relation, how the fact reads, the object's label)."""
_PATTERNS: Final = [
    (re.compile(rf"(?P<subject>{_NAME}) (?:{verbs}) (?P<object>{_NAME})"), relation, reads, label)
    for verbs, relation, reads, label in _RULES
]


def simple_rules(episode: Episode) -> Iterator[CandidateFact]:
    """A few English patterns, first person read as the speaker: "<Name> lives in / moved to
    <Place>" (``LIVES_IN``), "<Name> works at / joined <Organization>" (``WORKS_AT``),
    "<Name> is married to <Name>" (``MARRIED_TO``). Names are capitalised words."""
    text = ground_first_person(episode.content, episode.speaker or "")
    for pattern, relation, reads, label in _PATTERNS:
        for match in pattern.finditer(text):
            subject, obj = match["subject"], match["object"]
            if subject in _NOT_NAMES or obj in _NOT_NAMES:
                continue
            speaking = subject == episode.speaker
            yield CandidateFact(
                episode_uuid=episode.uuid,
                subject=EntityMention(subject, _SPEAKER_LABEL, is_speaker=speaking),
                relation=relation,
                object=EntityMention(obj, label),
                fact=f"{subject} {reads} {obj}",
            )


class FunctionExtractor:
    """An :class:`~chronomem.ingest.extract.Extractor` that runs ``function`` on each episode
    (by default :func:`simple_rules`). Its mentions are the speaker's, those ``function``
    returns and the ends of the facts it returns, each once."""

    def __init__(self, function: ExtractFunction = simple_rules, name: str | None = None) -> None:
        self._function = function
        self._name = name or f"function:{getattr(function, '__name__', 'extract')}"

    @property
    def name(self) -> str:
        return self._name

    def extract(self, episodes: Sequence[Episode]) -> list[Extraction]:
        return [self._extract(episode) for episode in episodes]

    def _extract(self, episode: Episode) -> Extraction:
        mentions: list[EntityMention] = []
        if episode.speaker:
            mentions.append(EntityMention(episode.speaker, _SPEAKER_LABEL, is_speaker=True))
        facts: list[CandidateFact] = []
        for item in self._function(episode):
            if isinstance(item, EntityMention):
                mentions.append(item)
            else:
                facts.append(dataclasses.replace(item, episode_uuid=episode.uuid))
                mentions += [item.subject, item.object]
        return Extraction(episode.uuid, list(dict.fromkeys(mentions)), facts)
