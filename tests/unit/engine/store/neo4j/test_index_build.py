"""Building the vector indexes: waiting for them, and what stops the wait (no server: a fake
driver answers the state queries)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from chronomem.engine.store.neo4j import cypher, indexes
from chronomem.errors import StoreError


class _Answer:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def consume(self) -> None:
        return None

    def data(self) -> list[dict[str, Any]]:
        return self._rows


class _Driver:
    """Answers each state query with the next of ``polls`` (a list of rows per index)."""

    def __init__(self, polls: list[list[tuple[str, str, float]]]) -> None:
        self.polls = polls
        self.created = 0

    def session(self, **_: Any) -> _Driver:
        return self

    def __enter__(self) -> _Driver:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def run(self, statement: str, **_: Any) -> _Answer:
        if statement in (cypher.VECTOR_INDEX_STATES, cypher.INDEX_STATES):
            rows = self.polls.pop(0)
            return _Answer([{"name": n, "state": s, "percent": p} for n, s, p in rows])
        self.created += 1
        return _Answer([])


def _all(state: str, percent: float) -> list[tuple[str, str, float]]:
    return [(name, state, percent) for name in cypher.VECTOR_INDEX_NAMES]


def test_the_build_is_awaited_and_its_progress_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexes, "POLL_S", 0.0)
    driver = _Driver([_all("POPULATING", 10.0), _all("POPULATING", 60.0), _all("ONLINE", 100.0)])
    seen: list[float] = []
    indexes.build_vector_indexes(driver, None, 384, progress=seen.append)  # type: ignore[arg-type]
    assert seen == [10.0, 60.0, 100.0]
    assert driver.created == len(cypher.VECTOR_INDEX_NAMES)
    assert driver.polls == []


def test_an_index_dropped_or_failed_while_built_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(indexes, "POLL_S", 0.0)
    dropped = _Driver([_all("POPULATING", 10.0), _all("ONLINE", 100.0)[1:]])
    with pytest.raises(StoreError, match=f"{cypher.ENTITY_VECTOR_INDEX} was dropped"):
        indexes.build_vector_indexes(dropped, None, 384)  # type: ignore[arg-type]
    failed = _Driver(
        [
            [
                (name, "FAILED" if name == cypher.FACT_VECTOR_INDEX else "ONLINE", 100.0)
                for name in cypher.VECTOR_INDEX_NAMES
            ]
        ]
    )
    with pytest.raises(
        StoreError, match=f"could not build the vector index {cypher.FACT_VECTOR_INDEX}"
    ):
        indexes.build_vector_indexes(failed, None, 384)  # type: ignore[arg-type]


def test_a_build_that_outlasts_its_timeout_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexes, "POLL_S", 0.0)
    driver = _Driver([_all("POPULATING", 50.0)])
    with pytest.raises(StoreError, match="still being built after -1 s"):
        indexes.build_vector_indexes(driver, None, 384, timeout_s=-1)  # type: ignore[arg-type]


def test_an_opening_store_waits_for_its_indexes_but_not_for_vector_indexes_being_built(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Other indexes are awaited; vector indexes still being built (a bulk load, a rebuild)
    only for :data:`VECTOR_WAIT_S`, then the store opens and the log says what fails meanwhile."""
    monkeypatch.setattr(indexes, "POLL_S", 0.0)
    monkeypatch.setattr(indexes, "VECTOR_WAIT_S", 0.0)
    range_index = ("entity_uuid", "POPULATING", 50.0)
    driver = _Driver([[range_index, *_all("POPULATING", 7.0)], _all("POPULATING", 8.0)])
    caplog.set_level(logging.WARNING, logger="chronomem.store")
    indexes._await_indexes(driver, 300)  # type: ignore[arg-type]
    assert driver.polls == []  # the range index was awaited, the vector indexes were not
    assert "is still being built (8%, 8%, 8%, 8%)" in caplog.text
    assert "vector searches of groups above exact_max fail until it is ONLINE" in caplog.text


def test_an_opening_store_refuses_a_failed_index_or_one_that_is_never_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(indexes, "POLL_S", 0.0)
    failed = _Driver([[("entity_uuid", "FAILED", 0.0), *_all("ONLINE", 100.0)]])
    with pytest.raises(StoreError, match="entity_uuid FAILED to build"):
        indexes._await_indexes(failed, 300)  # type: ignore[arg-type]
    slow = _Driver([[("entity_uuid", "POPULATING", 1.0)]])
    with pytest.raises(StoreError, match="entity_uuid was still being built after 0 s"):
        indexes._await_indexes(slow, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("enabled", "kind", "expected"),
    [
        (True, None, True),  # Neo4j 5: vector.quantization.enabled
        (False, None, False),
        (None, "NONE", False),  # later versions' provider: vector.quantization.type
        (None, "BINARY", True),
        (None, None, None),  # says neither
    ],
)
def test_quantization_is_read_in_either_versions_terms(
    enabled: bool | None, kind: str | None, expected: bool | None
) -> None:
    assert indexes.quantized({"quantization": enabled, "quantization_type": kind}) is expected
