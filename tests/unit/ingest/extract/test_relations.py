"""Relation names are always valid, whatever text they are built from."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronomem.ingest.extract.relations import FALLBACK_RELATION, RELATION_PATTERN, relation_name
from chronomem.schema import Fact


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("paint",), "PAINT"),
        (("check out",), "CHECK_OUT"),
        (("work", "in"), "WORK_IN"),
        (("move", "out of"), "MOVE_OUT_OF"),
        (("café",), "CAFE"),
        (("HAS", "husband"), "HAS_HUSBAND"),
        (("3d-print",), FALLBACK_RELATION),
        (("",), FALLBACK_RELATION),
        (("死",), FALLBACK_RELATION),
        (("a" * 100,), "A" * 64),
    ],
)
def test_relation_name_examples(parts: tuple[str, ...], expected: str) -> None:
    assert relation_name(*parts) == expected


@given(st.lists(st.text(max_size=40), max_size=3))
def test_relation_name_always_matches_the_fact_pattern(parts: list[str]) -> None:
    name = relation_name(*parts)
    assert RELATION_PATTERN.match(name)
    Fact(subject_uuid="s", relation=name, object_uuid="o", fact="x")  # the model accepts it
