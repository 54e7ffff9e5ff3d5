"""Which texts need named-entity recognition at all.

NER is about 40% of the pipeline's cost, and the small English model finds the entity types
used here (people, organisations, places, works...) almost only in capitalised words. A text
is sent to NER when it has a capitalised word that is not "I", and not a sentence-initial
stop word, chat interjection, gerund or adverb ("The", "Wow", "Having", "Honestly").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["INTERJECTIONS", "NerGate"]

_CAPITALISED: Final = re.compile(r"[A-Z][A-Za-z'’-]*")
_CONTRACTION: Final = re.compile(r"(?:['’](?:s|m|re|ve|ll|d|t)|n['’]t)$", re.IGNORECASE)
_SENTENCE_END: Final = frozenset(".!?:;\n")
_LEADING_PUNCT: Final = " \t\"'“‘(*-–—"
# Words that open chat sentences without naming anything.
INTERJECTIONS: Final = frozenset({
    "hey", "hi", "hello", "bye", "wow", "woah", "whoa", "woohoo", "yay", "yeah", "yes", "yep",
    "yup", "no", "nope", "oh", "ooh", "ah", "aw", "aww", "oops", "oof", "ugh", "hmm", "ha",
    "haha", "lol", "omg", "btw", "ttyl", "thanks", "thank", "thx", "cheers", "congrats",
    "congratulations", "sure", "okay", "ok", "awesome", "great", "cool", "nice", "glad",
    "good", "wonderful", "amazing", "fantastic", "incredible", "beautiful", "lovely", "sweet",
    "sorry", "totally", "absolutely", "definitely", "exactly", "indeed", "true", "agreed",
    "right", "well", "anyway", "plus", "also", "sounds", "looks", "love", "wanna", "gotta",
    "gonna", "let", "lets", "take", "check", "look", "keep", "hope", "wish", "guess", "maybe",
    "perhaps", "speaking", "talk", "see", "got", "appreciate", "enjoy", "remember", "tell",
    "believe", "way", "dear", "man", "dude", "buddy", "pal", "welcome", "please",
})  # fmt: skip


class NerGate:
    """``gate(text)`` says whether NER could find an entity in ``text``."""

    __slots__ = ("_skip",)

    def __init__(self, stop_words: Iterable[str]) -> None:
        self._skip = frozenset(w.lower() for w in stop_words) | INTERJECTIONS

    def __call__(self, text: str) -> bool:
        for match in _CAPITALISED.finditer(text):
            word = match.group()
            if word == "I" or (word[0] == "I" and word[1:2] in ("'", "’")):
                continue
            before = text[: match.start()].rstrip(_LEADING_PUNCT)
            if before and before[-1] not in _SENTENCE_END:
                return True  # capitalised inside a sentence
            bare = _CONTRACTION.sub("", word).lower()
            if bare in self._skip or bare.endswith(("ing", "ly")):
                continue
            return True
        return False
