"""Several reader threads while one thread writes."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded import EmbeddedStore
from chronomem.schema import Entity, Fact


def test_readers_run_while_a_writer_writes(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "m", dimension=8)
    a, b = Entity(group_id="g", name="A"), Entity(group_id="g", name="B")
    store.write(WriteBatch(entities=[a, b]))
    errors: list[BaseException] = []
    done = threading.Event()
    seen_counts: list[int] = []

    def write() -> None:
        try:
            for n in range(20):
                facts = [
                    Fact(
                        group_id="g",
                        subject_uuid=a.uuid,
                        relation="R",
                        object_uuid=b.uuid,
                        fact=f"batch {n} fact {i}",
                        fact_embedding=[1.0, float(i)] + [0.0] * 6,
                    )
                    for i in range(50)
                ]
                store.write(WriteBatch(facts=facts))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    def read() -> None:
        q = np.asarray([1.0] + [0.0] * 7, dtype=np.float32)
        try:
            while not done.is_set():
                count = len(store.list_facts("g", FactFilter()))
                seen_counts.append(count)
                assert count % 50 == 0  # a batch is seen whole or not at all
                store.fulltext("g", "batch fact", "fact", 10, FactFilter())
                store.vector("g", q, "fact", 10, FactFilter())
                store.stats("g")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert store.stats("g").facts == 1000
    assert len(store.vector("g", np.ones(8, dtype=np.float32), "fact", 2000, FactFilter())) == 1000
    assert seen_counts
    store.close()
