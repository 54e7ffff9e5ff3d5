"""Size limits of every text field, the same on every backend, checked before anything is
written.

Names and ids are stored in indexes: a Neo4j range index refuses a key over 8,167 bytes
("Property value is too large to index") and SQLite does not, so without a limit the embedded
store would accept what Neo4j later refuses, and a memory could not be exported. The limits
leave room for the widest characters (4 bytes in UTF-8) of a composite key (group id, source,
source id). They also bound the work a value can cause: a long ``speaker`` is substituted for
every "I" of a query, a long name is fuzzy-matched against every entity.

=====================================  ======================================================
field                                  limit (characters)
=====================================  ======================================================
speaker, session, entity name, label,  :data:`NAME_MAX_CHARS` (500)
names looked up or searched from
turn id, record key, source name       :data:`ID_MAX_CHARS` (500)
entity alias (a name, or ``Label#key``) :data:`ALIAS_MAX_CHARS` (1,001)
turn text (with its caption)           ``MemoryConfig.max_turn_chars`` (20,000 by default),
                                       at most :data:`TEXT_MAX_CHARS` (1,000,000)
fact statement, entity summary         :data:`TEXT_MAX_CHARS`
group id                               ``GROUP_ID_MAX_CHARS`` (128)
=====================================  ======================================================
"""

from __future__ import annotations

from typing import Final

from chronomem.errors import InputError

__all__ = [
    "ALIAS_MAX_CHARS",
    "ID_MAX_CHARS",
    "NAME_MAX_CHARS",
    "SOURCE_ID_MAX_CHARS",
    "TEXT_MAX_CHARS",
    "check_length",
    "length_problem",
]

NAME_MAX_CHARS: Final = 500
"""Speakers, sessions, entity names and labels, and every name a read looks up."""
ID_MAX_CHARS: Final = 500
"""Turn ids, record keys and source names (an episode's ``source`` and ``source_id``)."""
SOURCE_ID_MAX_CHARS: Final = ID_MAX_CHARS + 16
"""An episode's ``source_id``: a turn id, with room for the mark of a revision (``#rev2``)."""
ALIAS_MAX_CHARS: Final = NAME_MAX_CHARS + 1 + ID_MAX_CHARS
"""An entity alias: another name, or the ``Label#key`` a record's entity is found by."""
TEXT_MAX_CHARS: Final = 1_000_000
"""Free text: an episode's content, a fact's statement, an entity's summary."""


def length_problem(value: str, limit: int) -> str | None:
    """Why ``value`` is too long (``None`` if it is not): for error messages."""
    if len(value) <= limit:
        return None
    return f"is {len(value):,} characters long, more than the limit of {limit:,}; shorten it"


def check_length(value: str, limit: int, what: str) -> str:
    """``value`` if it has at most ``limit`` characters, else an :class:`InputError` naming
    ``what`` (e.g. ``"speaker"``)."""
    problem = length_problem(value, limit)
    if problem is not None:
        raise InputError(f"{what} {problem}")
    return value
