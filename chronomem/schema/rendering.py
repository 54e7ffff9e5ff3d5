"""The one way a turn is written out: ``speaker: text``.

Episodes are shown so in results and context blocks, embedded so (with the speaker's first
person grounded), statements drawn from a turn are prefixed so, and the LoCoMo baselines
index turns so.
"""

from __future__ import annotations

__all__ = ["speaker_line"]


def speaker_line(speaker: str | None, text: str) -> str:
    """``speaker: text``; the text alone when nobody is named."""
    return f"{speaker}: {text}" if speaker else text
