"""GraphStore.lock_group: a group's writers take turns; on a server store, across processes
(here: two stores, as two processes would hold them)."""

from __future__ import annotations

import threading
import time

import pytest

from chronomem.engine.store import GraphStore
from chronomem.errors import MemoryLockedError
from tests.contract.conftest import StoreFactory, new_group


def test_a_group_lock_is_taken_and_given_back(store: GraphStore, group: str) -> None:
    with store.lock_group(group):
        pass
    with store.lock_group(group, timeout=1):
        pass


def test_a_server_store_makes_other_writers_of_the_group_wait(
    store_factory: StoreFactory, group: str
) -> None:
    first = store_factory()
    if not first.capabilities.server:
        pytest.skip("one writing process per store: nothing to take turns with")
    second = store_factory()
    with first.lock_group(group):
        with (
            pytest.raises(MemoryLockedError, match=f"group '{group}' .* another process"),
            second.lock_group(group, timeout=0.3),
        ):
            pass
        with second.lock_group(new_group(), timeout=1):  # other groups do not wait
            pass
    with second.lock_group(group, timeout=1):
        pass


def test_writers_that_find_the_lock_free_at_once_hold_it_one_at_a_time(
    store_factory: StoreFactory, group: str
) -> None:
    """Six stores (as six processes would hold them) race for a lock that exists and is
    free, three times over: at most one is ever inside. The lock used to read its owner
    before writing it, so every racer that read "free" took it (5 or 6 of 6 in a trial)."""
    first = store_factory()
    if not first.capabilities.server:
        pytest.skip("one writing process per store: nothing to take turns with")
    stores = [first, *(store_factory() for _ in range(5))]
    with first.lock_group(group):  # the lock exists (and is free) before the race
        pass
    inside, most = 0, 0
    counting = threading.Lock()

    def write(racer: GraphStore, start: threading.Barrier) -> None:
        nonlocal inside, most
        start.wait()
        with racer.lock_group(group, timeout=60):
            with counting:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            with counting:
                inside -= 1

    for _ in range(3):
        start = threading.Barrier(len(stores))
        threads = [threading.Thread(target=write, args=(s, start)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert most == 1
