"""Hypothesis strategies shared by more than one test module."""

from __future__ import annotations

from hypothesis import strategies as st

TURN_WORDS = st.sampled_from(
    ["I", "i", "me", "my", "mine", "myself", "I'm", "I\u2019ve", "you", "We", "Mimi", "Imogen",
     "amy", "meet", "i.e.", "I-95", "went", "home", "[shares", "a", "photo]", "ok.", "yes!",
     "why?", "\u2026", '"so', 'there."', "(me)"]
)  # fmt: skip
"""Words of a chat turn: first-person words, look-alikes that are not ("Imogen", "i.e.",
"I-95"), sentence ends and an attachment note."""

TURN_TEXTS = st.lists(TURN_WORDS, min_size=1, max_size=25).map(" ".join)
"""Turn texts of 1 to 25 such words."""
