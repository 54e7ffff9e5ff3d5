"""plot_timeline: one bar per fact over valid time, saved as an image, no pyplot state."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from chronomem.errors import InputError
from chronomem.memory import Memory
from chronomem.plots import plot_timeline
from chronomem.schema import SearchResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _fact(
    uuid: str,
    relation: str,
    obj: str,
    valid_at: datetime | None,
    invalid_at: datetime | None = None,
    expired_at: datetime | None = None,
) -> SearchResult:
    return SearchResult(
        kind="fact",
        uuid=uuid,
        text=f"Alice {relation.lower()} {obj}",
        score=1.0,
        group_id="g",
        subject="Alice",
        relation=relation,
        object=obj,
        valid_at=valid_at,
        invalid_at=invalid_at,
        expired_at=expired_at,
    )


@pytest.fixture
def results() -> list[SearchResult]:
    return [
        _fact(
            "f1",
            "LIVES_IN",
            "Paris",
            datetime(2023, 1, 1, tzinfo=UTC),
            datetime(2023, 6, 1, tzinfo=UTC),
        ),
        _fact("f2", "LIVES_IN", "Berlin", datetime(2023, 6, 1, tzinfo=UTC)),
        _fact("f3", "WORKS_AT", "Acme", None),
        _fact(
            "f4",
            "WORKS_AT",
            "Initech",
            datetime(2023, 2, 1, tzinfo=UTC),
            expired_at=datetime(2023, 3, 1, tzinfo=UTC),
        ),
        SearchResult(kind="entity", uuid="e1", text="Alice", score=1.0, group_id="g"),
    ]


def _bars(figure: Figure) -> dict[str, Any]:
    axes = figure.axes[0]
    return {gid: p for p in axes.patches if (gid := p.get_gid())}


def _day(x: float) -> date:
    """The day of a matplotlib date number."""
    from matplotlib import dates as mdates

    day: datetime = mdates.num2date(x)  # type: ignore[no-untyped-call]  # untyped in matplotlib
    return day.date()


def test_one_bar_per_fact_and_png_written(tmp_path: Path, results: list[SearchResult]) -> None:
    target = tmp_path / "figures" / "timeline.png"
    figure = plot_timeline(results, target, title="Alice", now=NOW)
    assert set(_bars(figure)) == {"f1", "f2", "f3", "f4"}
    assert target.read_bytes().startswith(PNG_MAGIC)
    axes = figure.axes[0]
    assert axes.get_title() == "Alice"
    labels = [t.get_text() for t in axes.get_yticklabels()]
    assert labels == ["lives in: Paris", "lives in: Berlin", "works at: Acme", "works at: Initech"]


def test_bars_span_valid_time_and_open_ends_run_to_now(results: list[SearchResult]) -> None:
    bars = _bars(plot_timeline(results, now=NOW))
    paris, berlin = bars["f1"], bars["f2"]
    assert _day(paris.get_x()).isoformat() == "2023-01-01"
    end = paris.get_x() + paris.get_width()
    assert _day(end).isoformat() == "2023-06-01"
    berlin_end = berlin.get_x() + berlin.get_width()
    assert _day(berlin_end) == NOW.date()


def test_markings_for_retracted_and_unknown_start(results: list[SearchResult]) -> None:
    figure = plot_timeline(results, now=NOW)
    bars = _bars(figure)
    assert bars["f4"].get_hatch() == "///"
    assert not bars["f2"].get_hatch()
    assert bars["f3"].get_linestyle() == "--"
    arrows = [line for line in figure.axes[0].lines if line.get_marker() == ">"]
    assert len(arrows) == 3  # Berlin, Acme, Initech have no end
    box = figure.axes[0].get_legend()
    assert box is not None
    legend = [t.get_text() for t in box.get_texts()]
    assert "retracted belief" in legend
    assert "start unknown" in legend


def test_window_leaves_out_facts_outside_it(results: list[SearchResult]) -> None:
    window = (datetime(2023, 7, 1, tzinfo=UTC), datetime(2023, 12, 31, tzinfo=UTC))
    bars = _bars(plot_timeline(results, now=NOW, window=window))
    assert "f1" not in bars  # Paris ended before the window
    assert {"f2", "f3", "f4"} <= set(bars)


def test_no_pyplot_figures_are_left_behind(results: list[SearchResult]) -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plot_timeline(results, now=NOW)
    assert plt.get_fignums() == before


def test_no_facts_gives_an_empty_figure(tmp_path: Path) -> None:
    figure = plot_timeline([], tmp_path / "empty.png")
    assert (tmp_path / "empty.png").exists()
    assert figure.axes[0].texts[0].get_text() == "no facts to show"


def test_naive_times_are_rejected(results: list[SearchResult]) -> None:
    with pytest.raises(InputError, match="timezone-aware"):
        plot_timeline(results, now=datetime(2024, 1, 1))
    with pytest.raises(InputError, match="before the end"):
        plot_timeline(results, window=(NOW, NOW))


def test_history_of_a_memory_plots(memory: Memory, tmp_path: Path) -> None:
    memory.add_dialogue(
        [
            {"speaker": "Alice", "text": "I live in Paris.", "time": "2023-01-10T09:00:00Z"},
            {"speaker": "Alice", "text": "I moved to Berlin.", "time": "2023-08-01T09:00:00Z"},
        ]
    )
    history = memory.history("Alice")
    figure = plot_timeline(history, tmp_path / "alice.png")
    assert len(_bars(figure)) == len(history) >= 2
    assert (tmp_path / "alice.png").read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize(
    "edges",
    [
        (datetime(1, 1, 1, tzinfo=UTC), None),
        (datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC)),
        (datetime(9999, 12, 30, tzinfo=UTC), None),
    ],
    ids=["year-1-to-now", "year-1-to-year-9999", "open-from-year-9999"],
)
def test_facts_at_the_ends_of_time_plot(
    tmp_path: Path, edges: tuple[datetime, datetime | None]
) -> None:
    """Issue 17, item 9: a year-0001 fact was an OverflowError (the axis margin left the
    datetime range) and a year-9999 one a ValueError from matplotlib's date ticks."""
    target = tmp_path / "edge.png"
    figure = plot_timeline([_fact("f1", "LIVES_IN", "Oslo", *edges)], target, now=NOW)
    assert set(_bars(figure)) == {"f1"}
    assert target.read_bytes().startswith(PNG_MAGIC)


def test_unsupported_extension_is_refused_before_anything_is_written(
    tmp_path: Path, results: list[SearchResult]
) -> None:
    target = tmp_path / "new" / "timeline.xyz"
    with pytest.raises(
        InputError, match=r"timeline\.xyz: cannot save a figure as \.xyz; use one of"
    ):
        plot_timeline(results, target, now=NOW)
    with pytest.raises(InputError, match="a file without an extension"):
        plot_timeline(results, tmp_path / "timeline", now=NOW)
    assert list(tmp_path.iterdir()) == []
