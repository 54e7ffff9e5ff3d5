"""In-memory vector indexes of the embedded store (rebuilt from SQLite, never the source of truth).

* :class:`ExactIndex`: a float32 matrix of unit rows; a query is one matrix-vector product and an
  ``argpartition`` (its cost at each size: docs/benchmarks.md, "Search latency at scale").
* :class:`VectorIndex`: what the store holds per (group, target). It always keeps the exact index
  and, once it holds more than ``ann_threshold`` vectors, also an HNSW graph (hnswlib). The
  first graph is built in a background thread from a snapshot, out of sight of searches (which
  stay exact meanwhile), then swapped in. Vectors not in the graph ("pending": new, or changed
  since they were added) are searched exactly and merged with the graph's hits, so results never
  miss a fresh write; they are added to the graph in small chunks. hnswlib does not allow a
  search during an insert, so chunks are added under the index's lock.
  Large ``k`` (the store's filtered over-fetch) goes to the exact index.
* Persistence: given a ``persist`` path, a built graph is saved next to the database
  (``<persist>.bin``, hnswlib's format, and ``<persist>.npz``: the ids it holds and a
  one-number fingerprint of each vector). On the next open the graph is loaded instead of
  rebuilt and reconciled with the vectors read from SQLite: rows that are new or whose
  fingerprint changed are pending (searched exactly, merged in the background), rows gone are
  hidden. A missing, foreign or mostly stale file means a rebuild. The files are a cache:
  deleting them is always safe.

Ids are the integer row ids of the SQLite tables; scores are cosine similarities. Exact scans of
small matrices use ``einsum`` (one thread): multi-threaded BLAS costs more than it saves there,
and much more when the cores are busy.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["ANN_MAX_K", "DEFAULT_ANN_THRESHOLD", "ExactIndex", "VectorIndex", "unit_rows"]

Matrix = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]

#: Groups with more vectors than this get an HNSW graph next to the exact index.
DEFAULT_ANN_THRESHOLD: Final = 20_000
#: Queries asking for more neighbours than this are answered exactly.
ANN_MAX_K: Final = 512

_BUILD_CHUNK: Final = 2048
_MERGE_CHUNK: Final = 128
_HNSW_M: Final = 16
_HNSW_EF_CONSTRUCTION: Final = 100
_HNSW_EF_SEARCH: Final = 512
#: Matrices with at most this many rows are scanned with einsum rather than BLAS.
_SMALL_SCAN: Final = 32_768

#: Version of the files written next to the database; bump it when their layout changes.
_PERSIST_FORMAT: Final = 1
#: Two fingerprints closer than this belong to the same vector.
_FINGERPRINT_TOLERANCE: Final = 1e-4
#: A saved graph is reused only if at least this share of the vectors still match it.
_MIN_REUSE: Final = 0.5
#: On close, the graph is saved again when this share of it changed since the last save.
_RESAVE_SHARE: Final = 0.05


def unit_rows(matrix: npt.ArrayLike) -> Matrix:
    """``matrix`` as float32 rows of unit length (zero rows stay zero)."""
    rows = np.array(matrix, dtype=np.float32, ndmin=2, copy=True)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    np.divide(rows, norms, out=rows, where=norms > 0)
    return rows


def _scores(matrix: Matrix, query: Matrix) -> npt.NDArray[np.float32]:
    """``matrix @ query``; small matrices without BLAS threads."""
    if matrix.shape[0] <= _SMALL_SCAN:
        small: npt.NDArray[np.float32] = np.einsum("ij,j->i", matrix, query)
        return small
    large: npt.NDArray[np.float32] = matrix @ query
    return large


def _fingerprints(rows: Matrix) -> npt.NDArray[np.float64]:
    """One number per row, equal for equal rows (up to float rounding): the dot product with
    a fixed random vector, in float64, a chunk of rows at a time."""
    probe = np.random.default_rng(20240601).standard_normal(rows.shape[1])
    marks = np.empty(rows.shape[0], dtype=np.float64)
    for start in range(0, rows.shape[0], _SMALL_SCAN):
        chunk = rows[start : start + _SMALL_SCAN].astype(np.float64)
        marks[start : start + chunk.shape[0]] = chunk @ probe
    return marks


def _top(ids: Ids, scores: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
    """The ``k`` best (id, score) pairs, best first (ties by id, for determinism)."""
    if k <= 0 or ids.size == 0:
        return []
    if k < ids.size:
        part = np.argpartition(-scores, k - 1)[:k]
        ids, scores = ids[part], scores[part]
    order = np.lexsort((ids, -scores))
    return [(int(i), float(s)) for i, s in zip(ids[order], scores[order], strict=True)]


class ExactIndex:
    """Exact cosine search over a growable matrix; removal swaps the last row into the hole."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._matrix: Matrix = np.empty((0, dimension), dtype=np.float32)
        self._ids: Ids = np.empty(0, dtype=np.int64)
        self._pos: dict[int, int] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def ids(self) -> Ids:
        """The live ids, position by position (a view: do not keep it across writes)."""
        return self._ids[: self._size]

    @property
    def matrix(self) -> Matrix:
        """The live unit rows, position by position (a view)."""
        return self._matrix[: self._size]

    def position(self, item: int) -> int | None:
        """Where ``item`` sits in :attr:`matrix`, or None."""
        return self._pos.get(item)

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more vectors at once (avoids growing step by step)."""
        self._reserve(extra, exact=True)

    def _reserve(self, extra: int, *, exact: bool = False) -> None:
        needed = self._size + extra
        if needed <= self._matrix.shape[0]:
            return
        capacity = needed if exact else max(needed, 2 * self._matrix.shape[0], 256)
        matrix = np.empty((capacity, self.dimension), dtype=np.float32)
        matrix[: self._size] = self._matrix[: self._size]
        ids = np.empty(capacity, dtype=np.int64)
        ids[: self._size] = self._ids[: self._size]
        self._matrix, self._ids = matrix, ids

    def upsert(self, ids: Sequence[int], vectors: npt.ArrayLike) -> list[int]:
        """Add or replace vectors; returns the positions written."""
        rows = unit_rows(vectors)
        self._reserve(len(ids))
        start = self._size
        if not any(item in self._pos for item in ids) and len(set(ids)) == len(ids):
            # Only new ids (the bulk load): append in one step.
            end = start + len(ids)
            self._matrix[start:end] = rows
            self._ids[start:end] = np.asarray(ids, dtype=np.int64)
            self._pos.update(zip((int(i) for i in ids), range(start, end), strict=True))
            self._size = end
            return list(range(start, end))
        positions: list[int] = []
        for item, row in zip(ids, rows, strict=True):
            pos = self._pos.get(item)
            if pos is None:
                pos = self._size
                self._pos[item] = pos
                self._ids[pos] = item
                self._size += 1
            self._matrix[pos] = row
            positions.append(pos)
        return positions

    def remove(self, ids: Sequence[int]) -> list[tuple[int, int]]:
        """Drop vectors (unknown ids are ignored); returns the (from, to) moves made."""
        moves: list[tuple[int, int]] = []
        for item in ids:
            pos = self._pos.pop(item, None)
            if pos is None:
                continue
            last = self._size - 1
            if pos != last:
                moved = int(self._ids[last])
                self._ids[pos] = moved
                self._matrix[pos] = self._matrix[last]
                self._pos[moved] = pos
                moves.append((last, pos))
            self._size -= 1
        return moves

    def search(
        self, query: Matrix, k: int, positions: npt.NDArray[np.intp] | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` nearest ids (optionally among ``positions`` only), best first."""
        if positions is None:
            return _top(self.ids, _scores(self.matrix, query), k)
        return _top(self._ids[positions], _scores(self._matrix[positions], query), k)

    def score(self, query: Matrix, ids: Sequence[int], k: int) -> list[tuple[int, float]]:
        """The ``k`` best of ``ids`` (ids without a vector are skipped), best first."""
        found = [self._pos[i] for i in ids if i in self._pos]
        return self.search(query, k, np.asarray(found, dtype=np.intp))


class _Hnsw:
    """A thin wrapper of an hnswlib inner-product index over unit vectors."""

    def __init__(self, dimension: int, capacity: int, load: Path | None = None) -> None:
        import hnswlib

        self._index: Any = hnswlib.Index(space="ip", dim=dimension)
        if load is None:
            self._index.init_index(
                max_elements=capacity, ef_construction=_HNSW_EF_CONSTRUCTION, M=_HNSW_M
            )
        else:
            self._index.load_index(str(load), max_elements=capacity)
        self._index.set_ef(_HNSW_EF_SEARCH)
        self._capacity = max(capacity, self._index.get_max_elements())
        self._live: set[int] = set()

    @classmethod
    def load(cls, path: Path, dimension: int, capacity: int, live: Ids) -> _Hnsw:
        """A graph saved by :meth:`save`; ``live`` are its labels still to be searched (the
        others are marked deleted)."""
        graph = cls(dimension, capacity, load=path)
        labels = np.asarray(graph._index.get_ids_list(), dtype=np.int64)
        for item in np.setdiff1d(labels, live, assume_unique=True):
            with contextlib.suppress(RuntimeError):  # already marked deleted in the file
                graph._index.mark_deleted(int(item))
        graph._live = {int(i) for i in live}
        return graph

    def save(self, path: Path) -> None:
        """Write the graph in hnswlib's format (no other thread may change it meanwhile)."""
        self._index.save_index(str(path))

    @property
    def live(self) -> int:
        """Labels in the graph and not marked deleted."""
        return len(self._live)

    def contains(self, item: int) -> bool:
        """Whether ``item`` is in the graph and not marked deleted."""
        return item in self._live

    def add(self, ids: Ids, rows: Matrix, fresh: int) -> None:
        """Add (or re-add, replacing) vectors; ``fresh`` bounds how many labels are new."""
        if self._index.get_current_count() + fresh > self._capacity:
            self._capacity = max(2 * self._capacity, self._index.get_current_count() + fresh)
            self._index.resize_index(self._capacity)
        self._index.add_items(rows, ids)
        self._live.update(int(i) for i in ids)

    def mark_deleted(self, item: int) -> None:
        """Hide ``item`` from searches (it must be live)."""
        self._index.mark_deleted(item)
        self._live.discard(item)

    def search(self, query: Matrix, k: int) -> list[tuple[int, float]] | None:
        """Top ``k`` or None when the graph cannot return that many (caller goes exact)."""
        k = min(k, self.live)
        if k <= 0:
            return []
        self._index.set_ef(max(_HNSW_EF_SEARCH, k))
        try:
            labels, distances = self._index.knn_query(query, k=k)
        except RuntimeError:
            return None
        return [(int(i), 1.0 - float(d)) for i, d in zip(labels[0], distances[0], strict=True)]


class VectorIndex:
    """The vector index of one (group, target): exact, plus HNSW above ``ann_threshold``.

    Thread-safe: every method takes the index's lock. With ``background=False`` the HNSW graph
    is built and filled synchronously (for tests); otherwise a daemon thread does it.
    ``persist``: where to keep the graph between runs (a path without suffix; see the module
    docstring); ``save=False`` only reads it (read-only stores).
    """

    def __init__(
        self,
        dimension: int,
        ann_threshold: int | None = DEFAULT_ANN_THRESHOLD,
        *,
        background: bool = True,
        persist: Path | None = None,
        save: bool = True,
    ) -> None:
        self.dimension = dimension
        self.ann_threshold = ann_threshold
        self.background = background
        self.persist = persist
        self._save = save and persist is not None
        self._exact = ExactIndex(dimension)
        self._ann: _Hnsw | None = None
        self._in_ann: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self._lock = threading.RLock()
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()
        self._changed: set[int] | None = None  # ids touched while a graph is being built
        self._unsaved = 0  # graph changes since it was last saved or loaded
        self.loaded_from_disk = False

    def __len__(self) -> int:
        return len(self._exact)

    @property
    def uses_ann(self) -> bool:
        """Whether an HNSW graph exists (it may still be filling)."""
        return self._ann is not None

    def max_id(self) -> int:
        """The largest id held, or 0."""
        with self._lock:
            return int(self._exact.ids.max()) if len(self._exact) else 0

    def pending(self) -> int:
        """How many vectors are not (yet) in the HNSW graph; 0 without a graph."""
        with self._lock:
            if self._ann is None:
                return 0
            return int(len(self._exact) - np.count_nonzero(self._in_ann[: len(self._exact)]))

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more vectors (before a bulk load)."""
        with self._lock:
            self._exact.reserve(extra)

    def upsert(self, ids: Sequence[int], vectors: npt.ArrayLike, *, index: bool = True) -> None:
        """Add or replace the vectors of ``ids``. ``index=False`` leaves the HNSW graph alone
        until the next call (for loading in chunks)."""
        if len(ids) == 0:
            if index:
                self._maybe_index()
            return
        with self._lock:
            positions = self._exact.upsert(ids, vectors)
            self._grow_mask()
            if self._changed is not None:
                self._changed.update(ids)
            if self._ann is not None:
                for pos in positions:
                    if self._in_ann[pos]:
                        self._ann.mark_deleted(int(self._exact.ids[pos]))
                        self._in_ann[pos] = False
                        self._unsaved += 1
        if index:
            self._maybe_index()

    def remove(self, ids: Sequence[int]) -> None:
        """Forget the vectors of ``ids`` (unknown ids are ignored)."""
        with self._lock:
            if self._changed is not None:
                self._changed.update(ids)
            for item in ids:
                pos = self._exact.position(item)
                if pos is None:
                    continue
                if self._ann is not None and self._in_ann[pos]:
                    self._ann.mark_deleted(item)
                    self._unsaved += 1
                for src, dst in self._exact.remove([item]):
                    self._in_ann[dst] = self._in_ann[src]

    def search(self, query: Matrix, k: int, *, exact: bool = False) -> list[tuple[int, float]]:
        """The ``k`` nearest ids by cosine, best first. ``query`` must be a unit vector."""
        with self._lock:
            size = len(self._exact)
            ann = self._ann
            if exact or ann is None or k > ANN_MAX_K or k >= size:
                return self._exact.search(query, k)
            waiting = size - int(np.count_nonzero(self._in_ann[:size]))
            if waiting > size // 2:
                return self._exact.search(query, k)
            hits = ann.search(query, k)
            if hits is None:
                return self._exact.search(query, k)
            if waiting:
                pending = np.flatnonzero(~self._in_ann[:size])
                hits += self._exact.search(query, k, pending)
            hits.sort(key=lambda hit: (-hit[1], hit[0]))
            return hits[:k]

    def score(self, query: Matrix, ids: Sequence[int], k: int) -> list[tuple[int, float]]:
        """The ``k`` best of ``ids`` by exact cosine, best first."""
        with self._lock:
            return self._exact.score(query, ids, k)

    def wait_indexed(self, timeout: float | None = None) -> bool:
        """Block until the background worker is idle; returns whether it is."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
            return not worker.is_alive()
        return True

    def close(self) -> None:
        """Stop the background worker (it finishes its current chunk first) and save the graph
        if much of it changed since it was last saved."""
        self._stop.set()
        self.wait_indexed()
        with self._lock:
            ann = self._ann
            if ann is None or not self._save or self._worker_alive():
                return
            if self._unsaved > max(_MERGE_CHUNK, _RESAVE_SHARE * ann.live):
                size = len(self._exact)
                held = self._in_ann[:size]
                self._write(ann, self._exact.ids[held], self._exact.matrix[held])

    def _worker_alive(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    # -- HNSW maintenance ---------------------------------------------------------------------

    def _grow_mask(self) -> None:
        size = len(self._exact)
        if self._in_ann.shape[0] < size:
            mask = np.zeros(max(size, 2 * self._in_ann.shape[0]), dtype=bool)
            mask[: self._in_ann.shape[0]] = self._in_ann
            self._in_ann = mask

    def _maybe_index(self) -> None:
        """Start building the graph, or merging pending vectors into it, if there is work."""
        with self._lock:
            if self._stop.is_set() or self.ann_threshold is None:
                return
            if self._worker_alive():
                return
            if self._ann is None:
                if len(self._exact) <= self.ann_threshold:
                    return
                work = self._build
            elif self.pending() == 0:
                return
            else:
                work = self._merge
            if self.background:
                self._worker = threading.Thread(target=work, name="chronomem-hnsw", daemon=True)
                self._worker.start()
                return
        work()

    def _build(self) -> None:
        """Load the saved graph, or build one from a snapshot, without holding the lock; then
        swap it in and merge what it lacks."""
        with self._lock:
            ids = self._exact.ids.copy()
            self._changed = set()
            marks = _fingerprints(self._exact.matrix) if self._saved_files() else None
        found = self._read(ids, marks) if marks is not None else None
        if found is not None:
            graph, held = found
            self.loaded_from_disk = True
        else:
            with self._lock:
                rows = self._exact.matrix.copy()  # the positions of ``ids``
            graph = _Hnsw(self.dimension, capacity=max(2 * len(ids), 1024))
            for start in range(0, len(ids), _BUILD_CHUNK):
                if self._stop.is_set():
                    return
                end = start + _BUILD_CHUNK
                graph.add(ids[start:end], rows[start:end], fresh=len(ids[start:end]))
            held = ids
            if self._save:
                self._write(graph, ids, rows)
            del rows
        with self._lock:
            changed, self._changed = self._changed or set(), None
            for item in changed:
                if graph.contains(item):
                    graph.mark_deleted(item)
            size = len(self._exact)
            live = self._exact.ids
            stale = np.fromiter(changed, dtype=np.int64, count=len(changed))
            self._in_ann[:size] = np.isin(live, held) & ~np.isin(live, stale)
            self._unsaved = 0 if found is None else len(changed)
            self._ann = graph
        self._merge()

    def _merge(self) -> None:
        """Move pending vectors into the graph, a small chunk per hold of the lock."""
        while not self._stop.is_set():
            with self._lock:
                ann = self._ann
                size = len(self._exact)
                if ann is None:
                    return
                todo = np.flatnonzero(~self._in_ann[:size])[:_MERGE_CHUNK]
                if todo.size == 0:
                    return
                ann.add(self._exact.ids[todo].copy(), self._exact.matrix[todo], int(todo.size))
                self._in_ann[todo] = True
                self._unsaved += int(todo.size)

    # -- persistence --------------------------------------------------------------------------

    def _files(self) -> tuple[Path, Path]:
        assert self.persist is not None
        return (
            self.persist.with_name(self.persist.name + ".bin"),
            self.persist.with_name(self.persist.name + ".npz"),
        )

    def _saved_files(self) -> bool:
        return self.persist is not None and all(p.is_file() for p in self._files())

    def _write(self, graph: _Hnsw, ids: Ids, rows: Matrix) -> None:
        """Save ``graph`` (holding ``ids`` with vectors ``rows``); failures are ignored: the
        files are a cache."""
        graph_file, meta_file = self._files()
        graph_tmp = graph_file.with_name(graph_file.name + ".tmp")
        meta_tmp = meta_file.with_name(meta_file.name + ".tmp")
        try:
            graph.save(graph_tmp)
            header = [_PERSIST_FORMAT, self.dimension, _HNSW_M, _HNSW_EF_CONSTRUCTION]
            with meta_tmp.open("wb") as out:
                np.savez(
                    out,
                    header=np.asarray([*header, graph_tmp.stat().st_size], dtype=np.int64),
                    ids=np.asarray(ids, dtype=np.int64),
                    marks=_fingerprints(rows),
                )
            os.replace(graph_tmp, graph_file)
            os.replace(meta_tmp, meta_file)
        except (OSError, RuntimeError, ValueError):
            for leftover in (graph_tmp, meta_tmp):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        else:
            self._unsaved = 0

    def _read(self, ids: Ids, marks: npt.NDArray[np.float64]) -> tuple[_Hnsw, Ids] | None:
        """The saved graph reconciled with ``ids`` (fingerprints ``marks``) and the ids it
        still holds, or None when there is none worth reusing."""
        graph_file, meta_file = self._files()
        try:
            with np.load(meta_file) as meta:
                header = meta["header"].tolist()
                saved_ids, saved_marks = meta["ids"], meta["marks"]
            expected = [_PERSIST_FORMAT, self.dimension, _HNSW_M, _HNSW_EF_CONSTRUCTION]
            if header[:4] != expected or header[4] != graph_file.stat().st_size:
                return None
            common, at_saved, at_now = np.intersect1d(saved_ids, ids, return_indices=True)
            same = np.abs(saved_marks[at_saved] - marks[at_now]) <= _FINGERPRINT_TOLERANCE
            held = common[same]
            if held.size < _MIN_REUSE * ids.size:
                return None
            capacity = max(len(ids) + len(ids) // 8, saved_ids.size, 1024)
            return _Hnsw.load(graph_file, self.dimension, capacity, held), held
        except (OSError, RuntimeError, ValueError, KeyError, IndexError):
            return None
