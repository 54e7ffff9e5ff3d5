"""An agent loop with chronomem as its memory, runnable offline.

For every user message the agent (1) writes the turn to the memory, (2) reads an agent-ready
context block for the message with ``mem.context(..., speaker=USER)`` (the user's "I" and "my"
mean the user) and (3) answers from that block. The
LLM is a scripted stand-in (``scripted_llm``): it reads the "Facts:" lines of the context and
answers a "where do I live / work" question with the most recent current fact about it, so the
example runs without a model or a network. Swap it for a real chat completion in your agent.

    python examples/agent_loop.py                  # synchronous Memory
    python examples/agent_loop.py --async          # AsyncMemory inside an asyncio loop
    python examples/agent_loop.py --show-context   # print each context block too

The conversation is scripted with timestamps months apart (a simulated clock), so you can see
the memory follow a move and a job change.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chronomem import AsyncMemory, Memory

USER = "Sam"
GROUP = "user-sam"

# (time, message): the user's side of the conversation.
SCRIPT: list[tuple[str, str]] = [
    ("2023-01-10T09:00:00+01:00", "Hi! I live in Paris and I work at Acme as a designer."),
    ("2023-02-01T19:30:00+01:00", "Where do I live?"),
    ("2023-06-05T08:15:00+02:00", "Big news: I moved to Berlin last month!"),
    ("2023-06-05T08:16:00+02:00", "Where do I live now?"),
    ("2023-09-01T12:00:00+02:00", "I left Acme. I work at Globex now."),
    ("2023-09-01T12:01:00+02:00", "Where do I work?"),
    ("2023-09-01T12:02:00+02:00", "And where do I live?"),
]

# Question topic -> words that state it in a fact ("lives in", "moved to", "works at" ...).
TOPICS: dict[str, tuple[str, ...]] = {
    "live": ("live", "lives", "living", "moved", "relocated"),
    "work": ("work", "works", "working", "joined", "employed"),
}
_FACT_LINE = re.compile(
    r"^- \[(?P<start>[^ \]]+) → (?P<end>[^\]]+)\] (?P<text>.*?)(?: \(source .*\))?$"
)
_OBJECT = (
    r"\b(?:{verbs})\b\s+(?:in|to|at|for|with)\s+(?P<object>[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*)*)"
)


@dataclass(frozen=True)
class ContextFact:
    """One line of the context block's "Facts:" section."""

    start: str
    current: bool
    text: str


def parse_facts(context: str) -> list[ContextFact]:
    """The fact lines of a context block, in the order given (best first)."""
    facts: list[ContextFact] = []
    section = ""
    for line in context.splitlines():
        if not line.startswith("- "):
            section = line
            continue
        match = _FACT_LINE.match(line)
        if section == "Facts:" and match:
            end = match["end"]
            current = "ended" not in end and "retracted" not in end
            facts.append(ContextFact(match["start"], current, match["text"]))
    return facts


def scripted_llm(message: str, context: str) -> str:
    """A deterministic stand-in for the LLM: answer from the context, never from the message."""
    if not message.rstrip().endswith("?"):
        return "Noted."
    topic = next((t for t in TOPICS if re.search(rf"\b{t}\b", message, re.IGNORECASE)), None)
    if topic is None:
        return "I don't know; I only answer where you live or work."
    verbs = "|".join(TOPICS[topic])
    pattern = re.compile(_OBJECT.format(verbs=verbs))
    candidates = [f for f in parse_facts(context) if f.current and pattern.search(f.text)]
    if not candidates:
        return f"I don't know where you {topic} yet."
    best = max(candidates, key=lambda f: f.start)  # ISO dates sort by time; ties: best ranked
    found = pattern.search(best.text)
    answer = found["object"] if found else best.text
    return f"You {topic} {'in' if topic == 'live' else 'at'} {answer} (since {best.start})."


def _turn(index: int, time: str, text: str) -> dict[str, str]:
    return {"speaker": USER, "text": text, "time": time, "id": f"T{index}"}


def _show(time: str, text: str, answer: str, context: str, show_context: bool) -> None:
    print(f"[{time[:16].replace('T', ' ')}] {USER}: {text}")
    if show_context:
        print("    " + context.replace("\n", "\n    "))
    print(f"{'':18} agent: {answer}")


def run_sync(store: Path, script: Sequence[tuple[str, str]], max_tokens: int, show: bool) -> None:
    """The loop with the synchronous :class:`Memory`."""
    with Memory.open(store) as mem:
        for index, (time, text) in enumerate(script):
            mem.add_dialogue([_turn(index, time, text)], group_id=GROUP)
            context = mem.context(text, max_tokens=max_tokens, group_id=GROUP, speaker=USER)
            _show(time, text, scripted_llm(text, context), context, show)
        print(f"\nmemory: {mem.stats(GROUP)}")


async def run_async(
    store: Path, script: Sequence[tuple[str, str]], max_tokens: int, show: bool
) -> None:
    """The loop with :class:`AsyncMemory`: the turn is written while the context is read.

    The answer to a message never depends on the message's own facts, so the write and the
    read run concurrently (the memory serialises writes; reads see committed data).
    """
    async with await AsyncMemory.open(store) as mem:
        for index, (time, text) in enumerate(script):
            _, context = await asyncio.gather(
                mem.add_dialogue([_turn(index, time, text)], group_id=GROUP),
                mem.context(text, max_tokens=max_tokens, group_id=GROUP, speaker=USER),
            )
            _show(time, text, scripted_llm(text, context), context, show)
        print(f"\nmemory: {await mem.stats(GROUP)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--async", dest="use_async", action="store_true", help="use AsyncMemory")
    parser.add_argument("--show-context", action="store_true", help="print each context block")
    parser.add_argument("--max-tokens", type=int, default=400, help="context budget (tokens)")
    parser.add_argument("--store", type=Path, help="memory directory (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chronomem-agent-") as tmp:
        store = args.store or Path(tmp) / "memory"
        print(f"agent memory: {store} ({'AsyncMemory' if args.use_async else 'Memory'})\n")
        if args.use_async:
            asyncio.run(run_async(store, SCRIPT, args.max_tokens, args.show_context))
        else:
            run_sync(store, SCRIPT, args.max_tokens, args.show_context)
    return 0


if __name__ == "__main__":
    sys.exit(main())
