"""The per-search values computed once (query embedding, named entities): each search's own,
computed once even when two of its generators ask at once, and never waiting on another
search's."""

from __future__ import annotations

import threading
import time

from chronomem.query.generators import _once


class _Search:
    def __init__(self, meeting: threading.Barrier | None = None) -> None:
        self.meeting = meeting
        self.computed = 0

    @_once
    def named(self) -> list[str]:
        self.computed += 1
        if self.meeting is not None:
            self.meeting.wait()  # both searches must be computing at the same time
        time.sleep(0.05)
        return ["Alice"]


def test_two_searches_compute_their_values_at_the_same_time() -> None:
    """functools.cached_property (Python 3.11) held one lock for all instances: the second
    search waited for the first's store reads, and this barrier broke."""
    meeting = threading.Barrier(2, timeout=5)
    searches = [_Search(meeting), _Search(meeting)]
    threads = [threading.Thread(target=lambda s=s: s.named) for s in searches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not meeting.broken
    assert [s.computed for s in searches] == [1, 1]


def test_one_search_computes_a_value_once_when_asked_twice_at_once() -> None:
    search = _Search()
    found: list[list[str]] = []
    threads = [threading.Thread(target=lambda: found.append(search.named)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert search.computed == 1
    assert found == [["Alice"]] * 4
    assert search.named is found[0]
