"""The one fold of entity names (:func:`chronomem.schema.name_key`)."""

from __future__ import annotations

import pytest

from chronomem.schema import name_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme  Corp", "acme corp"),
        (" ALICE ", "alice"),
        ("Straße", "strasse"),
        ("Ｆｕｌｌ", "full"),
        ("ﬁnn", "finn"),  # NFKC ligature
        ("Finn\u00a0SMITH", "finn smith"),  # no-break space
        ("\u3000Finn\t\nSmith\u2003", "finn smith"),  # ideographic, tab, newline, em space
        ("Zoë", "zoë"),  # accents are kept: the key is not the resolver's
        ("", ""),
    ],
)
def test_name_key_folds_width_ligatures_case_and_spaces(name: str, key: str) -> None:
    assert name_key(name) == key
