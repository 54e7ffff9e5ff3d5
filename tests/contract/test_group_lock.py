"""GraphStore.lock_group: a group's writers take turns; on a server store, across processes
(here: two stores, as two processes would hold them)."""

from __future__ import annotations

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
