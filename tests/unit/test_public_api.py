"""The public surface: ``chronomem.__all__`` is exactly what users may import."""

from __future__ import annotations

import inspect

import chronomem


def test_all_is_the_public_surface() -> None:
    public = {name for name in dir(chronomem) if not name.startswith("_")}
    modules = {name for name in public if inspect.ismodule(getattr(chronomem, name))}
    assert set(chronomem.__all__) - {"__version__"} == public - modules


def test_every_public_name_is_documented() -> None:
    for name in chronomem.__all__:
        if name == "__version__":
            continue
        assert inspect.getdoc(getattr(chronomem, name)), f"{name} has no docstring"


def test_errors_share_one_base() -> None:
    errors = [getattr(chronomem, n) for n in chronomem.__all__ if n.endswith("Error")]
    assert errors
    assert all(issubclass(e, chronomem.ChronomemError) for e in errors)


def test_importing_chronomem_loads_no_model_library() -> None:
    import subprocess
    import sys

    code = "import sys, chronomem; print(any(m in sys.modules for m in ('spacy', 'onnxruntime')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
