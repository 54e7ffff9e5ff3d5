"""Progress bars on stderr for long operations: ingest and export (a count of items), bulk
loads, and vector index builds (a percentage the database reports)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

__all__ = ["count_bar", "percent_bar"]


@contextmanager
def count_bar(
    total: int | None, desc: str, enabled: bool = True, unit: str = "turn"
) -> Iterator[Callable[[int], None]]:
    """A bar counting items as they are done (``total`` None: a count and a rate, the total
    being unknown); yields the function told how many more are done."""
    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not enabled)

    def update(done: int) -> None:
        bar.update(done)

    try:
        yield update
    finally:
        bar.close()


@contextmanager
def percent_bar(desc: str, enabled: bool = True) -> Iterator[Callable[[float], None]]:
    """A bar from 0 to 100%; yields the function told the percentage reached so far (to
    a tenth of a percent)."""
    bar = tqdm(total=100, desc=desc, unit="%", file=sys.stderr, disable=not enabled)

    def reached(percent: float) -> None:
        bar.update(round(percent, 1) - bar.n)

    try:
        yield reached
    finally:
        bar.close()
