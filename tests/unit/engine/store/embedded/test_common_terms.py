"""Terms found in a large share of a big table are left out of full-text queries."""

from __future__ import annotations

from pathlib import Path

from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded import EmbeddedStore
from chronomem.engine.store.embedded.fts import COMMON_ROWS
from chronomem.schema import Episode, parse_time

_AT = parse_time("2024-01-01T00:00:00Z")


def _episodes(contents: list[str], start: int = 0) -> WriteBatch:
    return WriteBatch(
        episodes=[
            Episode(group_id="g", content=text, reference_time=_AT, source_id=str(start + i))
            for i, text in enumerate(contents)
        ]
    )


def _hits(store: EmbeddedStore, query: str) -> int:
    return len(store.fulltext("g", query, "episode", 5_000, FactFilter()))


def test_common_terms_are_dropped_when_rarer_ones_remain(tmp_path: Path) -> None:
    rows = COMMON_ROWS + 100
    contents = [f"weather report number {i}" for i in range(rows)]
    contents[:3] = ["weather report about a tornado"] * 3
    with EmbeddedStore(tmp_path / "m", dimension=4) as store:
        store.write(_episodes(contents))
        assert _hits(store, "tornado weather") == 3  # "weather" is in every row: left out
        assert _hits(store, "weather") == 0  # only common words: no full-text hits
        assert _hits(store, "tornado") == 3


def test_small_tables_keep_every_term(tmp_path: Path) -> None:
    contents = ["weather report"] * (COMMON_ROWS - 100)
    contents[0] = "weather tornado"
    with EmbeddedStore(tmp_path / "m", dimension=4) as store:
        store.write(_episodes(contents))
        assert _hits(store, "weather") == len(contents)
        assert _hits(store, "tornado weather") == len(contents)


def test_a_term_that_becomes_common_is_dropped_after_the_table_grows(tmp_path: Path) -> None:
    contents = [f"row {i} of filler" for i in range(COMMON_ROWS + 10)]
    contents[:2] = ["tornado warning"] * 2
    with EmbeddedStore(tmp_path / "m", dimension=4) as store:
        store.write(_episodes(contents))
        assert _hits(store, "tornado warning") == 2
        store.write(_episodes(["tornado season"] * COMMON_ROWS, start=len(contents)))
        # "tornado" is now in more rows than the threshold; "warning" is still rare.
        assert _hits(store, "tornado warning") == 2
        assert _hits(store, "tornado") == 0
