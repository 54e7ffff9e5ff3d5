"""The one fold of entity names: what every layer compares names by.

Stores keep it as the lookup key of a name or alias (the embedded store's ``entity_names``
table, the Neo4j store's ``name_key``/``alias_keys`` properties), so its definition is part of
the stored data: changing it makes existing memories miss names they hold.
"""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["NAME_RELATION", "name_key", "name_statement", "stated_name"]

NAME_RELATION: Final = "HAS_NAME"
"""The relation of a record entity's name facts: each row of a table states the name its key
has from the row's time ("customer C-204 is named Lumio Studios"), a fact whose object is its
subject. One name at a time, so a new name ends the previous one and a rename is in the
entity's history."""
_NAMED: Final = " is named "


def name_key(name: str) -> str:
    """The lookup key of an entity name or alias: NFKC, case-folded, whitespace folded
    ("ﬁnn  SMITH" -> "finn smith"); what "case-insensitive, spaces folded" means everywhere."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_statement(holder: str, name: str) -> str:
    """The text of a name fact: ``holder`` (how the key is written, "customer C-204") is
    named ``name``."""
    return f"{holder}{_NAMED}{name}"


def stated_name(statement: str) -> str | None:
    """The name a :func:`name_statement` gives, or None for another text."""
    _, found, name = statement.rpartition(_NAMED)
    return name if found and name else None
