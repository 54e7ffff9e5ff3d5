"""Name cleaning, matching keys and label families for entity resolution.

Two forms of a name are used:

* the *display* form (:func:`clean_name`): what an entity is called or aliased, with spaces
  folded, surrounding quotes and brackets removed and a trailing possessive dropped
  ("Anna's" -> "Anna");
* the *key* (:func:`name_key`): what names are compared by, built on the stores' lookup key
  (:func:`chronomem.schema.name_key`: NFKC, case folded): accents removed, punctuation
  dropped, a leading "the" removed, and per family a leading honorific (Person: "Dr. Anna
  Schmidt" -> "anna schmidt") or trailing legal suffixes (Organization: "Acme, Inc." -> "acme").

Labels are compared by *family*: a Person only ever matches a Person, a Place a Place, and a
Concept or a Product either of the two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from chronomem.errors import InputError
from chronomem.schema import EntityLabel
from chronomem.schema import name_key as lookup_key

__all__ = [
    "EMBEDDING_EXCLUDED_FAMILIES",
    "FIRST_WORD_FAMILIES",
    "FUZZY_EXCLUDED_FAMILIES",
    "GENERIC_LABELS",
    "ORGANIZATION",
    "PERSON",
    "RECORD_FAMILY",
    "SPEAKER_LABEL",
    "clean_name",
    "entity_families",
    "is_key_alias",
    "label_family",
    "may_share_record",
    "name_key",
    "record_name_key",
]

SPEAKER_LABEL: Final = "Speaker"
"""Extra label carried by the entity of a dialogue speaker; it marks the entity as canonical."""

PERSON: Final = "person"
"""The family of the Person label."""

_FAMILY_OF: Final[dict[str, str]] = {"product": "concept", "": "concept"}
RECORD_FAMILY: Final = "#record"
"""The pseudo-family under which a record's keyed entity is also indexed, whatever its label, so
that a chat's mention of it (typed only as an Organization, a Person...) finds it."""
FUZZY_EXCLUDED_FAMILIES: Final = frozenset({"date", RECORD_FAMILY})
"""Families matched by exact key only: "May 2023" and "May 2024" are different values."""
ORGANIZATION: Final = "organization"
"""The family of the Organization label."""
FIRST_WORD_FAMILIES: Final = frozenset({PERSON, ORGANIZATION})
"""Families whose names are also indexed by their first word: "Anna" may be "Anna Schmidt",
"Northwind" may be "Northwind Bank"."""
EMBEDDING_EXCLUDED_FAMILIES: Final = frozenset({PERSON, "date", RECORD_FAMILY})
"""Families never merged by embedding similarity: names of people are not semantic."""
GENERIC_LABELS: Final = frozenset(
    label.value for label in EntityLabel if label is not EntityLabel.DATE
)
"""The extractor's own types (not Date): a mention typed only by them may be a record's entity
of a finer type (a Customer, a Supplier, a Tenant)."""

_HONORIFICS: Final = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "madam"}
)
_LEGAL_SUFFIXES: Final = frozenset(
    {
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "corp",
        "corporation",
        "co",
        "gmbh",
        "ag",
        "plc",
        "sa",
        "bv",
        "nv",
        "pty",
        "llp",
    }
)
_EDGE_CHARS: Final = " \t\"'“”‘’«»()[]{}<>,;:!?`"
_POSSESSIVE: Final = re.compile(r"(?:(?<=\w)['’]s|(?<=[sS])['’])$")
_APOSTROPHES: Final = re.compile(r"['’`´]")
_NON_WORD: Final = re.compile(r"[\W_]+")


def label_family(label: str) -> str:
    """The family a label belongs to (case-insensitive); unknown labels form their own family.

    An empty label counts as Concept.
    """
    folded = label.strip().casefold()
    return _FAMILY_OF.get(folded, folded)


def entity_families(labels: Iterable[str]) -> frozenset[str]:
    """The families of an entity's labels (the speaker marker is not a type)."""
    families = frozenset(label_family(x) for x in labels if x != SPEAKER_LABEL)
    return families or frozenset({label_family("")})


def is_key_alias(alias: str, labels: Iterable[str]) -> bool:
    """Whether ``alias`` is a record's source key (``Label#key``, one of ``labels``), which
    identifies the entity's row rather than naming it."""
    label, sep, key = alias.partition("#")
    return bool(sep and key) and label in labels


def may_share_record(labels: Iterable[str], record_label: str) -> bool:
    """Whether an entity with ``labels`` may be the same thing as a record's keyed entity of
    ``record_label`` with the same name: the same family, or only the extractor's generic
    types (a chat knows "Organization" where the table says "Customer")."""
    own = [label for label in labels if label != SPEAKER_LABEL]
    if label_family(record_label) in entity_families(own):
        return True
    return bool(own) and all(label in GENERIC_LABELS for label in own)


def record_name_key(name: str) -> str:
    """The key a record entity's names are compared by across families (no family's rules)."""
    return name_key(name, RECORD_FAMILY)


def clean_name(name: str) -> str:
    """The display form of a surface name; raises InputError when nothing is left."""
    text = " ".join(name.split()).strip(_EDGE_CHARS)
    text = _POSSESSIVE.sub("", text).strip(_EDGE_CHARS)
    if not text:
        fallback = " ".join(name.split())
        if not fallback:
            raise InputError(f"entity name {name!r} is blank; give a non-empty name")
        return fallback
    return text


def _fold(text: str) -> str:
    """The stores' lookup key of ``text`` without accents ("Zoë" -> "zoe")."""
    decomposed = unicodedata.normalize("NFKD", lookup_key(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(name: str, family: str) -> str:
    """The key names are compared by, for an entity of ``family`` (see the module docstring)."""
    display = clean_name(name)
    folded = _fold(display).replace("&", " and ")
    tokens = _NON_WORD.sub(" ", _APOSTROPHES.sub("", folded)).split()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    if family == PERSON:
        while len(tokens) > 1 and tokens[0] in _HONORIFICS:
            tokens = tokens[1:]
    elif family == ORGANIZATION:
        while len(tokens) > 1 and tokens[-1] in _LEGAL_SUFFIXES:
            tokens = tokens[:-1]
    return " ".join(tokens) if tokens else " ".join(_fold(display).split())
