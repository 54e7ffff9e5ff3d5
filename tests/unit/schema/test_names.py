"""The one fold of entity names (:func:`chronomem.schema.name_key`), and name statements."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronomem.schema import name_key, name_statement, stated_name


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


@given(st.text(min_size=1), st.text(min_size=1).filter(lambda n: " is named " not in n))
def test_a_name_statement_gives_back_its_name(holder: str, name: str) -> None:
    assert stated_name(name_statement(holder, name)) == name


def test_another_text_states_no_name() -> None:
    assert stated_name("Acme Ltd has plan Pro") is None
    assert stated_name("customer C-1 is named ") is None
