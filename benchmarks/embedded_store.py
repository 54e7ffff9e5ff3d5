"""A quick benchmark of the embedded store (not a test).

    python -m benchmarks.embedded_store --facts 100000

Writes synthetic facts (ten words drawn by a Zipf law from 5,000 made-up words, random unit
vectors, one in ten expired) into one group in batches, then times full-text and vector
queries with the default filter (rows not expired). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from chronomem.engine.embed import MINILM_DIMENSION
from chronomem.engine.store import FactFilter, WriteBatch
from chronomem.engine.store.embedded.store import EmbeddedStore
from chronomem.schema import Entity, Fact, parse_time


def _words(rng: np.random.Generator, count: int) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return ["".join(rng.choice(letters, size=int(rng.integers(4, 9)))) for _ in range(count)]


def _p50_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def run(facts: int, batch: int, dimension: int, queries: int, directory: Path) -> dict[str, object]:
    """Write ``facts`` facts in batches of ``batch`` and time searches; returns the numbers."""
    rng = np.random.default_rng(0)
    vocabulary = _words(rng, 5000)
    zipf = 1.0 / np.arange(1, len(vocabulary) + 1)
    zipf /= zipf.sum()
    group = "bench"
    store = EmbeddedStore(directory, dimension=dimension)
    entities = [Entity(group_id=group, name=f"entity {i}") for i in range(1000)]
    store.write(WriteBatch(entities=entities))
    base = parse_time("2020-01-01")
    write_seconds = 0.0
    for start in range(0, facts, batch):
        n = min(batch, facts - start)
        vectors = rng.standard_normal((n, dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ends = rng.integers(0, len(entities), size=(n, 2))
        rows = [
            Fact.model_construct(
                uuid=f"f-{start + i}",
                group_id=group,
                subject_uuid=entities[ends[i, 0]].uuid,
                relation="RELATED_TO",
                object_uuid=entities[ends[i, 1]].uuid,
                fact=" ".join(rng.choice(vocabulary, size=10, p=zipf)),
                valid_at=base,
                invalid_at=None,
                created_at=base,
                expired_at=base if (start + i) % 10 == 0 else None,
                episodes=[f"e-{start + i}"],
                sources=[],
                confidence=1.0,
                invalidated_by=None,
                invalidated_by_episode=None,
                lineage=f"f-{start + i}",
                fact_embedding=vectors[i].tolist(),
            )
            for i in range(n)
        ]
        began = time.perf_counter()
        store.write(WriteBatch(facts=rows))
        write_seconds += time.perf_counter() - began

    store.close()
    where = FactFilter()

    def text_samples(store: EmbeddedStore, weights: npt.NDArray[np.float64] | None) -> list[float]:
        samples = []
        for _ in range(queries):
            text = " ".join(rng.choice(vocabulary, size=3, p=weights))
            began = time.perf_counter()
            store.fulltext(group, text, "fact", 10, where)
            samples.append(time.perf_counter() - began)
        return samples

    def vector_samples(store: EmbeddedStore, narrow: bool = False) -> list[float]:
        samples = []
        for i in range(queries):
            q = rng.standard_normal(dimension).astype(np.float32)
            subject = (entities[i % len(entities)].uuid,)
            filter_ = FactFilter(subject_uuids=subject) if narrow else where
            began = time.perf_counter()
            store.vector(group, q, "fact", 10, filter_)
            samples.append(time.perf_counter() - began)
        return samples

    result: dict[str, object] = {"facts": facts, "batch": batch}
    result["write_facts_per_s"] = round(facts / write_seconds)
    with EmbeddedStore(directory, dimension=dimension, ann_threshold=None) as exact:
        result["fulltext_p50_ms"] = _p50_ms(text_samples(exact, None))  # uniform: mostly rare
        result["fulltext_common_words_p50_ms"] = _p50_ms(text_samples(exact, zipf))
        began = time.perf_counter()
        exact.load_vectors(group)
        result["vector_index_load_s"] = round(time.perf_counter() - began, 2)
        result["vector_exact_p50_ms"] = _p50_ms(vector_samples(exact))
        result["vector_by_subject_p50_ms"] = _p50_ms(vector_samples(exact, narrow=True))
    with EmbeddedStore(directory, dimension=dimension) as ann:
        began = time.perf_counter()
        ann.load_vectors(group, wait=True)
        result["hnsw_build_s"] = round(time.perf_counter() - began, 1)
        result["vector_hnsw_p50_ms"] = _p50_ms(vector_samples(ann))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--dimension", type=int, default=MINILM_DIMENSION)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="write the memory here and keep it")
    args = parser.parse_args()
    if args.keep is not None:
        result = run(args.facts, args.batch, args.dimension, args.queries, args.keep)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(args.facts, args.batch, args.dimension, args.queries, Path(tmp) / "m")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
