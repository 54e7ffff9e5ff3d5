"""Relation names: the normalised form every extracted relation takes.

A relation name matches ``^[A-Z][A-Z0-9_]{0,63}$`` (the pattern of :class:`~chronomem.schema.Fact`).
:func:`relation_name` turns any text (a verb lemma, a verb and a preposition) into such a name,
so raw user text can never produce an invalid relation.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["FALLBACK_RELATION", "RELATION_PATTERN", "relation_name"]

RELATION_PATTERN: Final = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
FALLBACK_RELATION: Final = "RELATED_TO"
_NON_WORD: Final = re.compile(r"[^A-Z0-9]+")


def relation_name(*parts: str) -> str:
    """``parts`` joined into a valid relation name, e.g. ``("paint",)`` -> ``"PAINT"``.

    Accents are dropped, anything but letters and digits becomes ``_``, the result is cut to
    64 characters; a name that would not start with a letter becomes :data:`FALLBACK_RELATION`.
    """
    raw = "_".join(part for part in parts if part)
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    name = _NON_WORD.sub("_", ascii_text.upper()).strip("_")[:64].rstrip("_")
    if not name or not ("A" <= name[0] <= "Z"):
        return FALLBACK_RELATION
    return name
