"""First-person grounding: "I" and "my" said by a speaker, written as that speaker's name.

One table of first-person words (:data:`FIRST_PERSON`) serves the turn text that is embedded,
the question asked by a speaker (both through :func:`ground_first_person`, a word swap without
a parse) and the extractor's statements (which rewrite parsed tokens with the same table).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["FIRST_PERSON", "ground_first_person"]

FIRST_PERSON: Final[dict[str, str]] = {
    "i": "{}", "me": "{}", "myself": "{}", "my": "{}'s", "mine": "{}'s",
}  # fmt: skip
"""The first person singular, lower case, each with what it becomes for a speaker named ``{}``."""


def _alternatives(possessive: bool) -> str:
    words = [w for w, form in FIRST_PERSON.items() if form.endswith("'s") == possessive]
    return "|".join(sorted(words, key=len, reverse=True))


# "I" as a word, not "i.e." or "I-95"; contractions and "I am" take the third person verb.
_FIRST_PERSON_WORD: Final = re.compile(
    r"\b(?:(?P<contraction>i['\u2019](?:m|ve|ll|d))|(?P<am>i\s+am)"
    rf"|(?P<plain>{_alternatives(False)})|(?P<possessive>{_alternatives(True)}))\b(?![.\-]\w)",
    re.IGNORECASE,
)
_CONTRACTED: Final[dict[str, str]] = {"m": "is", "ve": "has", "ll": "will", "d": "would"}


def ground_first_person(text: str, speaker: str) -> str:
    """``text`` with "I", "me", "my", "mine" and "myself" replaced by ``speaker`` ("I'm" ->
    "<speaker> is", "my" -> "<speaker>'s"). Other words are kept as written."""
    name = speaker.strip()
    if not name:
        return text

    def swap(match: re.Match[str]) -> str:
        contraction = match.group("contraction")
        if contraction is not None:
            return f"{name} {_CONTRACTED[contraction[2:].lower()]}"
        if match.group("am") is not None:
            return f"{name} is"
        return FIRST_PERSON[match.group(0).lower()].format(name)

    return _FIRST_PERSON_WORD.sub(swap, text)
