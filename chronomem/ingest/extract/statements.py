"""Fact statements: a sentence rewritten to stand on its own.

First person becomes the speaker ("I moved" -> "Caroline moved", "my sister" -> "Caroline's
sister"), second person the addressee, and resolved he/she their referent; the verb right after
a rewritten subject is put in the third person where that is a simple word swap ("I'm" ->
"Caroline is", "I have" -> "Caroline has"). Everything else is kept as written, so the
statement keeps the content words of the sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from chronomem.language.grounding import FIRST_PERSON

__all__ = ["rewrite_sentence"]

Token = Any  # spacy.tokens.Token

_SECOND: Final[dict[str, str]] = {
    "you": "{}", "your": "{}'s", "yours": "{}'s", "yourself": "{}", "u": "{}",
}  # fmt: skip
_THIRD_SUBJECT: Final = frozenset({"he", "she", "him", "himself", "herself"})
_THIRD_POSSESSIVE: Final = frozenset({"his", "hers"})
# The verb after a rewritten subject pronoun, put in the third person singular.
_AGREEMENT: Final[dict[str, str]] = {
    "'m": "is", "am": "is", "'re": "is", "are": "is", "'ve": "has", "have": "has",
    "were": "was", "'ll": "will", "do": "does", "don't": "doesn't",
}  # fmt: skip
_SUBJECT_PRONOUNS: Final = frozenset({"i", "you", "u", "he", "she"})


def rewrite_sentence(
    tokens: Sequence[Token],
    speaker: str | None,
    addressee: str | None,
    third_person: Callable[[int], str | None],
) -> str:
    """The sentence ``tokens`` with pronouns replaced by names (see the module docstring)."""
    parts: list[str] = []
    previous_subject = False
    for token in tokens:
        lower = token.lower_.replace("’", "'")
        tag = token.tag_
        replacement: str | None = None
        subject = False
        if (
            previous_subject
            and tag == "VBP"
            and lower not in _AGREEMENT
            and lower.isalpha()
            and not _hyphenated(token)  # "I co-own": not "coes-own"
        ):
            replacement = _third_singular(token.text)
        elif previous_subject and lower in _AGREEMENT and tag.startswith("VB"):
            replacement = _AGREEMENT[lower]
            if lower == "'d":
                replacement = "would" if _next_tag(token) == "VB" else "had"
            if not parts or not parts[-1][-1:].isspace():
                replacement = " " + replacement
            if token.text[:1].isupper():
                replacement = replacement.capitalize()
        elif previous_subject and lower == "'d":
            replacement = " would" if _next_tag(token) == "VB" else " had"
        elif previous_subject and lower == "'s" and tag == "VBZ":  # "he's" -> "Tom is", not
            replacement = " has" if _next_tag(token) == "VBN" else " is"  # "Tom's"
        elif tag in ("PRP", "PRP$"):
            if speaker and lower in FIRST_PERSON:
                replacement = FIRST_PERSON[lower].format(speaker)
            elif addressee and lower in _SECOND:
                replacement = _SECOND[lower].format(addressee)
            elif (
                lower in _THIRD_SUBJECT or lower in _THIRD_POSSESSIVE or lower == "her"
            ) and not _names_someone(token):
                name = third_person(token.i)
                if name is not None:
                    possessive = lower in _THIRD_POSSESSIVE or (lower == "her" and tag == "PRP$")
                    replacement = f"{name}'s" if possessive else name
            subject = (
                replacement is not None
                and lower in _SUBJECT_PRONOUNS
                and token.dep_ in ("nsubj", "nsubjpass")  # not "Toby and I are"
            )
        parts.append((token.text if replacement is None else replacement) + token.whitespace_)
        previous_subject = subject
    return "".join(parts).strip()


def _third_singular(verb: str) -> str:
    """The third person singular of a present-tense verb: "love" -> "loves", "go" -> "goes"."""
    lower = verb.lower()
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _names_someone(token: Token) -> bool:
    """ "her name is Jordan": the pronoun is whoever is being named, not an earlier person."""
    doc = token.doc
    return bool(token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "name")


def _next_tag(token: Token) -> str:
    following = _next(token)
    return "" if following is None else str(following.tag_)


def _hyphenated(token: Token) -> bool:
    """Whether ``token`` is the first part of a word joined by a hyphen ("co" in "co-own")."""
    following = _next(token)
    return token.whitespace_ == "" and following is not None and following.text == "-"


def _next(token: Token) -> Token | None:
    doc = token.doc
    return doc[token.i + 1] if token.i + 1 < len(doc) else None
