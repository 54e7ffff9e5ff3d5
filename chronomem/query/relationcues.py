"""Which relations a question asks about: "Where does Alice live?" asks about LIVES_IN.

The words come from the relation vocabulary's question words (``asks`` in
chronomem/language/vocabulary.yaml) and from the extractor's own cue tables, with their common
inflections, so a question is matched against the same vocabulary its facts were extracted with.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from chronomem.language import cues
from chronomem.language.vocabulary import default_vocabulary

__all__ = ["relations_asked"]

_WORD: Final = re.compile(r"[a-z]+")


def _inflections(verb: str) -> set[str]:
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, verb + "s", stem + "ed", stem + "ing"}
    if verb.endswith("y"):
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied"}
    if verb.endswith(("s", "sh", "ch", "x")):
        forms.add(verb + "es")
    return forms


@cache
def _table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    pairs = [(verb, relation) for verb, relation in cues.VERB_RELATIONS.items()]
    pairs += [(verb, relation) for (verb, _), relation in cues.PREP_RELATIONS.items()]
    for verb, relation in pairs:
        if " " in verb or verb in ("be", "go"):
            continue  # phrasal or too common to say anything about the relation
        for form in _inflections(verb):
            table.setdefault(form, set()).add(relation)
    for noun in cues.JOB_NOUNS:
        table.setdefault(noun, set()).add("WORKS_AT")
    return {word: frozenset(relations) for word, relations in table.items()}


def relations_asked(question: str) -> frozenset[str]:
    """The relations whose cue words appear in ``question`` (empty when none do)."""
    table = _table()
    found: set[str] = set()
    words = _WORD.findall(question.lower().replace("’", "'"))
    for word in words:
        found |= table.get(word, frozenset())
    return frozenset(found) | default_vocabulary().relations_asked(words)
