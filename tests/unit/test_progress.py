"""Progress bars: counts and percentages reach stderr, and a disabled bar writes nothing."""

from __future__ import annotations

import pytest

from chronomem.progress import count_bar, percent_bar


def test_a_percent_bar_shows_the_percentage_reached(capsys: pytest.CaptureFixture[str]) -> None:
    with percent_bar("building") as reached:
        reached(12.34)
        reached(12.34)  # the same percentage again: no step back, no step forward
        reached(100.0)
    err = capsys.readouterr().err
    assert "building" in err
    assert "100%" in err
    assert "100.0/100" in err


def test_a_count_bar_adds_what_each_call_did(capsys: pytest.CaptureFixture[str]) -> None:
    with count_bar(10, "ingest", unit="turn") as update:
        update(4)
        update(6)
    assert "10/10" in capsys.readouterr().err


def test_disabled_bars_write_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with count_bar(None, "ingest", enabled=False) as update, percent_bar("x", False) as reached:
        update(3)
        reached(50.0)
    assert capsys.readouterr().err == ""
