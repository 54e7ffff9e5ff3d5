"""``adjacent_episodes``: the turns around a turn, in the same source and session, without
their vectors."""

from __future__ import annotations

from chronomem.engine.store import GraphStore, WriteBatch
from tests.contract.samples import angled, at, episode


def test_adjacent_episodes_follow_the_conversation(store: GraphStore, group: str) -> None:
    turns = [
        episode(group, f"turn {i}", source="chat", session="s1", source_id=f"t{i}",
                reference_time=at(2024, 1, 1, i), content_embedding=angled(10 * i),
                sentence_embeddings=[angled(5), angled(15)])
        for i in range(6)
    ]  # fmt: skip
    other_session = episode(group, "elsewhere", source="chat", session="s2", source_id="x",
                            reference_time=at(2024, 1, 1, 2))  # fmt: skip
    other_source = episode(group, "other chat", source="mail", session="s1", source_id="y",
                           reference_time=at(2024, 1, 1, 3))  # fmt: skip
    store.write(WriteBatch(episodes=[*turns, other_session, other_source]))

    around = store.adjacent_episodes(group, [turns[2].uuid, turns[0].uuid], 2, 1)

    assert [e.content for e in around[turns[2].uuid]] == ["turn 0", "turn 1", "turn 3"]
    assert [e.content for e in around[turns[0].uuid]] == ["turn 1"]
    neighbours = [e for line in around.values() for e in line]
    assert all(e.content_embedding is None and e.sentence_embeddings is None for e in neighbours)
    assert store.adjacent_episodes("another-group", [turns[2].uuid]) == {}


def test_turns_of_no_session_are_one_line_and_ties_go_by_uuid(
    store: GraphStore, group: str
) -> None:
    same_time = at(2024, 2, 1)
    loose = [
        episode(group, f"loose {i}", source="chat", source_id=f"l{i}", uuid=f"{group}-{i}",
                reference_time=same_time if i in (1, 2) else at(2024, 2, 1, i))
        for i in range(4)
    ]  # fmt: skip
    in_session = episode(group, "in a session", source="chat", session="s1", source_id="s",
                         reference_time=at(2024, 2, 1, 2))  # fmt: skip
    store.write(WriteBatch(episodes=[*loose, in_session]))

    around = store.adjacent_episodes(group, [loose[1].uuid, loose[2].uuid, in_session.uuid], 1, 1)

    # loose 0, 1 and 2 share one time (ordered by uuid), loose 3 is later
    assert [e.content for e in around[loose[1].uuid]] == ["loose 0", "loose 2"]
    assert [e.content for e in around[loose[2].uuid]] == ["loose 1", "loose 3"]
    assert in_session.uuid not in around  # alone in its session
