"""The one fold of entity names: what every layer compares names by.

Stores keep it as the lookup key of a name or alias (the embedded store's ``entity_names``
table, the Neo4j store's ``name_key``/``alias_keys`` properties), so its definition is part of
the stored data: changing it makes existing memories miss names they hold.
"""

from __future__ import annotations

import unicodedata

__all__ = ["name_key"]


def name_key(name: str) -> str:
    """The lookup key of an entity name or alias: NFKC, case-folded, whitespace folded
    ("ﬁnn  SMITH" -> "finn smith"); what "case-insensitive, spaces folded" means everywhere."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
