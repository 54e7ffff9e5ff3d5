"""Shared-photo captions: split off, summarised, turned into a statement."""

from __future__ import annotations

import pytest

from chronomem.ingest.extract.captions import caption_object, caption_statement, split_caption


def test_split_caption() -> None:
    text, caption = split_caption("Look! [shares a photo: a photo of a dog on a beach]")
    assert (text, caption) == ("Look!", "a photo of a dog on a beach")
    assert split_caption("no photo here") == ("no photo here", None)
    assert split_caption("[shares a photo:   ]") == ("", None)


@pytest.mark.parametrize(
    ("caption", "obj"),
    [
        ("a photo of a dog walking past a wall with a painting of a woman", "dog"),
        ("a photo of a red car parked on a street", "red car"),
        ("a close up of a plate of food on a table", "food"),
        ("a painting of a sunset over a lake", "painting"),
        ("there is a cake with a rainbow on it", "cake"),
        ("a photography of two dogs standing in the grass", "dogs"),
        ("a photo of something", "photo"),
    ],
)
def test_caption_object(caption: str, obj: str) -> None:
    assert caption_object(caption) == obj


def test_caption_statement() -> None:
    assert caption_statement("Ann", "a photo of a cat") == "Ann shared a photo of a cat"
    assert caption_statement("Ann", "a cake") == "Ann shared a photo: a cake"
    assert caption_statement(None, "a cake") == "Someone shared a photo: a cake"


@pytest.mark.parametrize(
    ("caption", "obj"),
    [
        ("a photography of a couple of people standing next to each other", "people"),
        ("a photo of a green and gold scarf on a chair", "gold scarf"),
        ("a photo of a man and a little girl standing", "man"),
        ("a photo of a man and woman sitting on a bench", "man"),
        ("a photo of a purple and blue controller with a star field design", "blue controller"),
        ("a photo of a black and white dog on a couch", "white dog"),
        ("a photo of a circle of chairs in a room", "chairs"),
        ("a photo of a flower bed with tulips", "flower bed"),
        ("a photo of a hiker's gear laid out on the floor", "hiker's gear"),
    ],
)
def test_caption_object_measures_modifiers_and_participles(caption: str, obj: str) -> None:
    assert caption_object(caption) == obj
