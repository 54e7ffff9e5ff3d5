"""Shared photos: the ``[shares a photo: <caption>]`` suffix that dialogue sources append.

Image captions (BLIP style: "a photo of a dog walking past a wall") follow a narrow grammar,
so what they show is read with a few string rules instead of the parser: this keeps them out
of the spaCy pass, which is the expensive part of extraction.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["caption_object", "caption_statement", "split_caption"]

_CAPTION_RE: Final = re.compile(
    r"\s*\[shares? an? (?:photo|picture|image):\s*(?P<caption>[^\]]*)\]\s*$", re.IGNORECASE
)
_PREFIX_RE: Final = re.compile(
    r"^(?:there (?:is|are)|this is|it is|here is)?\s*"
    r"(?:(?:a|an|the)\s+)?(?:photo|photography|picture|image|pic|photograph|close[- ]?up|closeup|"
    r"screenshot|view|shot)\s+of\s+",
    re.IGNORECASE,
)
_THERE_RE: Final = re.compile(r"^(?:there (?:is|are)|this is|it is|here is)\s+")
_WORD_RE: Final = re.compile(r"[a-z][a-z'-]*")
_DETERMINERS: Final = frozenset({
    "a", "an", "the", "some", "two", "three", "four", "five", "several", "many", "few",
    "couple", "this", "that", "these", "those", "his", "her", "their", "its", "very", "other",
})  # fmt: skip
# "a plate of food": the thing shown follows "of".
_MEASURES: Final = frozenset({
    "plate", "bowl", "cup", "glass", "box", "bunch", "group", "pair", "couple", "stack",
    "pile", "row", "lot", "set", "collection", "bottle", "basket", "jar", "bag", "piece",
    "slice", "bouquet", "variety", "number", "close", "photo", "picture", "image", "view",
    "tray", "kind", "type", "sort", "circle", "line", "handful", "plateful", "crowd", "herd",
    "flock", "pack", "team", "family",
})  # fmt: skip
_BOUNDARIES: Final = frozenset({
    "with", "on", "in", "at", "of", "near", "by", "next", "under", "over", "from", "for",
    "to", "and", "or", "that", "which", "who", "behind", "above", "below", "beside",
    "between", "inside", "outside", "into", "onto", "around", "against", "is", "are", "has",
    "have", "while", "through", "along", "across", "during", "up", "down", "off", "out",
})  # fmt: skip
_VAGUE: Final = frozenset({"thing", "things", "something", "stuff", "object", "objects"})
_COLOURS: Final = frozenset({
    "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white",
    "grey", "gray", "gold", "silver", "beige", "teal", "navy", "tan", "violet", "turquoise",
    "maroon", "cream",
})  # fmt: skip
_PARTICLES: Final = frozenset({"out", "up", "down", "off", "away", "together", "around"})
# Adjectives of look and size, dropped from the front of a long phrase ("harry potter books"
# and "heart shaped sign" keep their three words).
_DESCRIPTIVE: Final = frozenset({
    "small", "large", "big", "little", "tiny", "huge", "giant", "old", "young", "new", "cute",
    "beautiful", "pretty", "colorful", "colourful", "bright", "dark", "light", "long", "tall",
    "short", "fluffy", "furry", "wooden", "shiny", "lush", "cozy", "cosy", "empty", "full",
})  # fmt: skip
_IRREGULAR_PARTICIPLES: Final = frozenset({
    "laid", "spread", "set", "hung", "left", "held", "built", "made", "lit", "worn", "torn",
    "drawn", "written", "broken", "frozen", "hidden", "sewn", "shown", "grown",
})  # fmt: skip


def split_caption(content: str) -> tuple[str, str | None]:
    """``("text", "caption")`` of an episode's content; the caption is ``None`` if absent."""
    match = _CAPTION_RE.search(content)
    if match is None:
        return content, None
    caption = " ".join(match.group("caption").split())
    return content[: match.start()], caption or None


def caption_object(caption: str) -> str:
    """What a caption shows: "a photo of a red car parked on a street" -> "red car"."""
    rest = _THERE_RE.sub("", caption.strip().lower(), count=1)
    rest = _PREFIX_RE.sub("", rest, count=1)
    words = _WORD_RE.findall(rest)
    phrase: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in _MEASURES and following == "of":  # "a couple of people": before determiners
            phrase.clear()
            index += 2
            continue
        if not phrase and word in _DETERMINERS:
            index += 1
            continue
        if word in ("and", "or") and phrase and _joins_modifiers(words, index):
            index += 1  # "a purple and blue controller": the head comes later
            continue
        if word in _BOUNDARIES or (phrase and word.endswith("ing")):
            break
        if phrase and _participle(word) and following in _BOUNDARIES | _DETERMINERS | _PARTICLES:
            break
        if len(phrase) > 1 and following in _PARTICLES:
            break  # "soccer players huddle together": a verb of the caption
        phrase.append(word)
        index += 1
    phrase = [w for w in phrase if w not in _VAGUE]
    while len(phrase) > 2 and phrase[0] in _COLOURS | _DESCRIPTIVE:
        phrase.pop(0)  # "a small white fluffy dog" -> "fluffy dog"
    return " ".join(phrase[-3:]) if phrase else "photo"


def _joins_modifiers(words: list[str], index: int) -> bool:
    """Whether the conjunction at ``index`` joins two colours of one noun ("a purple and blue
    controller", "a black and white dog") rather than two things ("a man and woman")."""
    before = words[index - 1] if index > 0 else ""
    after = words[index + 1] if index + 1 < len(words) else ""
    then = words[index + 2] if index + 2 < len(words) else ""
    return before in _COLOURS and after in _COLOURS and bool(then) and then not in _BOUNDARIES


def _participle(word: str) -> bool:
    """A past participle ending the noun phrase ("parked", "laid"), not a noun ("bed", "shed")."""
    return (len(word) > 4 and word.endswith("ed") and not word.endswith("eed")) or word in (
        _IRREGULAR_PARTICIPLES
    )


def caption_statement(speaker: str | None, caption: str) -> str:
    """``"Caroline shared a photo of a dog on a beach"`` from a shared image's caption."""
    who = speaker or "Someone"
    match = _PREFIX_RE.match(caption)
    if match is not None and match.end() < len(caption):
        return f"{who} shared a photo of {caption[match.end() :]}"
    return f"{who} shared a photo: {caption}"
