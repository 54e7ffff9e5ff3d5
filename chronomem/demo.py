"""The built-in demo: a short dialogue in which someone moves city and changes job."""

from __future__ import annotations

from typing import Any

__all__ = ["DEMO_GROUP", "DEMO_TURNS"]

DEMO_GROUP = "demo"

DEMO_TURNS: list[dict[str, Any]] = [
    {
        "speaker": "Alice",
        "text": "Hi Bob! I live in Paris now, I moved here for the new job.",
        "time": "2023-01-15T10:00:00Z",
        "id": "S1:1",
        "session": "S1",
    },
    {
        "speaker": "Bob",
        "text": "Nice! Where do you work?",
        "time": "2023-01-15T10:01:00Z",
        "id": "S1:2",
        "session": "S1",
    },
    {
        "speaker": "Alice",
        "text": "I work at Acme as a data engineer. My sister Emma lives in Lyon.",
        "time": "2023-01-15T10:02:00Z",
        "id": "S1:3",
        "session": "S1",
    },
    {
        "speaker": "Bob",
        "text": "I started playing the cello last week.",
        "time": "2023-01-15T10:03:00Z",
        "id": "S1:4",
        "session": "S1",
    },
    {
        "speaker": "Alice",
        "text": "Big news: I moved to Berlin last month!",
        "time": "2023-07-10T18:30:00Z",
        "id": "S2:1",
        "session": "S2",
    },
    {
        "speaker": "Bob",
        "text": "Wow, and are you still with Acme?",
        "time": "2023-07-10T18:31:00Z",
        "id": "S2:2",
        "session": "S2",
    },
    {
        "speaker": "Alice",
        "text": "No, I quit Acme in May. I work at Globex now.",
        "time": "2023-07-10T18:32:00Z",
        "id": "S2:3",
        "session": "S2",
    },
    {
        "speaker": "Bob",
        "text": "Congratulations! I visited Berlin in 2019, you will love it.",
        "time": "2023-07-10T18:33:00Z",
        "id": "S2:4",
        "session": "S2",
    },
]
