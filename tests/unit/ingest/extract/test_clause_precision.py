"""What the general clause rules leave out: idioms, praise, plans, requests, imaginings.

Each rule is shown on sentences written for these tests. A dropped clause never was a fact; a
concrete clause next to it must still come through.
"""

from __future__ import annotations

import pytest

from tests.unit.ingest.extract.conftest import Converse
from tests.unit.ingest.extract.dialogues import triples

pytestmark = pytest.mark.model


def said(converse: Converse, line: str) -> set[tuple[str, str, str]]:
    """The triples of ``line`` said by Lena to Omar."""
    return triples(converse("Omar: Hi Lena.", line)[1])


@pytest.mark.parametrize(
    "line",
    [
        "Lena: You pulled off a brilliant job with the garden.",
        "Lena: His talk made a big impact on the students.",
        "Lena: Knitting lets me express my emotions.",
        "Lena: I really appreciate your support.",
        "Lena: After months of doubt I took the plunge.",
        "Lena: You've got real talent, Omar.",
        "Lena: I'm doing fine these days.",
        "Lena: I felt a sudden urge to sing.",
        "Lena: You showed such patience with the kids.",
        "Lena: Let's give it a shot next week.",
    ],
)
def test_abstract_and_idiom_objects_make_no_fact(converse: Converse, line: str) -> None:
    assert said(converse, line) == set()


def test_light_verb_idiom_object_makes_no_fact_but_a_concrete_one_does(
    converse: Converse,
) -> None:
    assert said(converse, "Lena: I took a walk by the harbour.") == set()
    assert ("Lena", "BAKE", "rye bread") in said(converse, "Lena: I baked rye bread on Sunday.")


@pytest.mark.parametrize(
    "line",
    [
        "Lena: I'm thinking of teaching at the community college.",
        "Lena: I keep dreaming about living in Porto.",
        "Lena: Let me know the name of that bakery.",
        "Lena: Make sure you visit the old fort.",
        "Lena: I'd love your help with fixing the bike.",
        "Lena: I'll bake a pie for the fair.",
        "Lena: You will find a great apartment.",
        "Lena: We should all team up to clean the beach.",
        "Lena: Call me whenever you need a ride.",
        "Lena: I'll get a dog when I have a garden.",
        "Lena: I can picture you running a marathon.",
        "Lena: Come over and join me at the pottery studio.",
        "Lena: I'm going to paint the shed.",
    ],
)
def test_plans_requests_and_imaginings_make_no_fact(converse: Converse, line: str) -> None:
    facts = said(converse, line)
    assert not [f for f in facts if f[1] not in ("SIBLING_OF", "FRIEND_OF")], facts


def test_a_fact_beside_a_plan_in_its_own_clause_stays(converse: Converse) -> None:
    facts = said(converse, "Lena: I took the plunge and signed up for a pottery class.")
    assert ("Lena", "SIGNED_UP_FOR", "pottery class") in facts  # not yet attended
    assert not [f for f in facts if f[2] == "plunge"]


def test_have_got_is_having(converse: Converse) -> None:
    facts = said(converse, "Lena: We've got a parrot and a goldfish.")
    assert not [f for f in facts if f[1] == "GET"], facts


def test_joining_a_person_is_not_membership(converse: Converse) -> None:
    assert not [
        f for f in said(converse, "Lena: Omar joined me at the market.") if f[1] == "MEMBER_OF"
    ]
    assert ("Lena", "MEMBER_OF", "chess club") in said(converse, "Lena: I joined a chess club.")


@pytest.mark.parametrize(
    "line",
    [
        "Lena: We are a family.",
        "Lena: My uncle took me fishing when we were kids.",
        "Lena: Paella is my favourite dish.",
        "Lena: The festival was quite a ride.",
        "Lena: I'm game for hiking.",
    ],
)
def test_copulas_that_name_no_class_make_no_is_a(converse: Converse, line: str) -> None:
    assert not [f for f in said(converse, line) if f[1] == "IS_A"]


def test_a_copula_with_a_class_noun_still_gives_is_a(converse: Converse) -> None:
    assert ("Lena", "IS_A", "night owl") in said(converse, "Lena: I'm a night owl.")
    assert ("Lena", "IS_A", "bookworm") in said(converse, "Lena: I'm such a bookworm.")


def test_hyphenated_and_numbered_words_are_kept_whole(converse: Converse) -> None:
    facts = said(converse, "Lena: I bought a sugar-free syrup.")
    assert ("Lena", "OWNS", "sugar-free syrup") in facts
    facts = said(converse, "Lena: I organized a 10K race.")
    assert ("Lena", "ORGANIZE", "10K race") in facts


def test_an_adverb_of_place_is_not_a_particle(converse: Converse) -> None:
    facts = said(converse, "Lena: We hiked the ridge trail up in Norway.")
    assert ("Lena", "HIKE", "ridge trail") in facts
    assert not [f for f in facts if f[1].startswith("HIKE_UP")]
    facts = said(converse, "Lena: I grew up in Leeds and signed up for a choir.")
    assert ("Lena", "GREW_UP_IN", "Leeds") in facts
    assert ("Lena", "SIGNED_UP_FOR", "choir") in facts


def test_a_liked_activity_keeps_its_particle_and_needs_its_object(converse: Converse) -> None:
    assert ("Lena", "LIKES", "putting on jazz") in said(
        converse, "Lena: I love putting on some jazz."
    )
    assert not [f for f in said(converse, "Lena: I love feeding them.") if f[1] == "LIKES"]
    assert not [
        f for f in said(converse, "Lena: I love getting lost in old novels.") if f[1] == "LIKES"
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Lena: I'm always here to support you.",
        "Lena: See you at the weekend, Omar!",
        "Lena: We keep the puppies busy with chew toys.",
        "Lena: Fingers crossed for you to land that role.",
        "Lena: Hopefully my brother finds a good flat.",
        "Lena: Our town needs a bigger library.",
        "Lena: I feel a strange calm these days.",
        "Lena: I had a lovely dinner with my aunt.",
        "Lena: There is a great bakery round the corner.",
        "Lena: My grandpa was a wonderful storyteller.",
    ],
)
def test_pleasantries_needs_feelings_and_existentials_make_no_bare_fact(
    converse: Converse, line: str
) -> None:
    facts = said(converse, line)
    kin = ("SIBLING_OF", "RELATIVE_OF", "GRANDCHILD_OF")
    assert not [f for f in facts if f[1] not in kin], facts


def test_a_fan_likes_what_they_are_a_fan_of(converse: Converse) -> None:
    facts = said(converse, "Lena: I'm a huge fan of opera.")
    assert ("Lena", "LIKES", "opera") in facts
    assert not [f for f in facts if f[1] == "IS_A"]
    assert said(converse, "Lena: I'm a huge fan!") == set()


def test_taking_someone_to_a_place_is_a_visit_not_a_take(converse: Converse) -> None:
    facts = said(converse, "Lena: I took my nephews to the aquarium.")
    assert ("Lena", "VISITED", "aquarium") in facts
    assert not [f for f in facts if f[1] == "TAKE"]


@pytest.mark.parametrize(
    "line",
    [
        "Lena: I'm saving up for when I buy a boat.",
        "Lena: It's important we protect the wetlands.",
        "Lena: I'm no expert, but I tried.",
        "Lena: I'm swamped with the renovation and Omar.",
        "Lena: I'm always rooting for my cousin Pia.",
        "Lena: Losing so much progress hurts.",
    ],
)
def test_conditions_norms_denials_and_passive_states_make_no_fact(
    converse: Converse, line: str
) -> None:
    facts = said(converse, line)
    assert not [f for f in facts if f[1] not in ("RELATIVE_OF",)], facts


def test_a_noun_read_as_a_complement_of_a_liking_is_what_is_liked(converse: Converse) -> None:
    facts = said(converse, "Lena: I love kare kare, my aunt's recipe")
    assert ("Lena", "LIKES", "kare kare") in facts


@pytest.mark.parametrize(
    ("line", "unsaid"),
    [
        ("Lena: I'm calling agents to find the right flat.", "FIND"),
        ("Lena: I filmed a clip to show how to fold cranes.", "FOLD"),
        ("Lena: We're hitting the coast next month with Rex!", "HIT"),
        ("Lena: I think my cats like it.", "THINK"),
        ("Lena: Emma is a loyal supporter of the theatre.", "IS_A"),
    ],
)
def test_purposes_instructions_coming_events_and_opinions_make_no_fact(
    converse: Converse, line: str, unsaid: str
) -> None:
    facts = said(converse, line)
    assert not [f for f in facts if f[1].startswith(unsaid)], facts


def test_figurative_family_words_are_no_family(converse: Converse) -> None:
    facts = said(converse, "Lena: My fur babies adore the garden.")
    assert not [f for f in facts if f[1] == "PARENT_OF" or "babies" in f[0]], facts
    assert ("Lena", "PARENT_OF", "Lena's stepson") in said(
        converse, "Lena: My stepson adores the garden."
    )


def test_a_verb_with_its_own_relation_makes_no_verb_preposition_name(converse: Converse) -> None:
    facts = said(converse, "Lena: I have always liked Under Armour.")
    assert not [f for f in facts if f[1].startswith("LIKE_")], facts


def test_a_shelter_is_a_place_visited(converse: Converse) -> None:
    assert ("Lena", "VISITED", "animal shelter") in said(
        converse, "Lena: We went to an animal shelter."
    )


def test_a_generic_you_in_a_description_is_nobody(converse: Converse) -> None:
    found = said(
        converse,
        "Lena: We played Carcassonne - it's a fun tile game where you build cities and roads.",
    )
    assert not any(subject == "Omar" for subject, _, _ in found), found


def test_a_chat_interjection_is_no_name(converse: Converse) -> None:
    found = triples(
        converse(
            "Omar: Does Pip like walks?", "Lena: Yep, he loves exploring new forest paths with us."
        )[1]
    )
    assert not any(subject == "Yep" for subject, _, _ in found), found


def test_a_loss_said_of_anyone_is_no_fact_about_the_speaker(converse: Converse) -> None:
    extraction = converse("Omar: Hi Lena.", "Lena: Losing a pet is so hard, poor Tom.")[1]
    assert [f for f in extraction.facts if f.subject.name == "Lena"] == []  # nor endings


def test_a_reaction_to_what_is_shown_is_no_lasting_taste(converse: Converse) -> None:
    assert said(converse, "Lena: Wow, love that mural!") == set()
    assert ("Lena", "LIKES", "quilts") in said(converse, "Lena: I love quilts.")


def test_a_wish_for_the_other_is_no_fact(converse: Converse) -> None:
    assert said(converse, "Lena: Have fun exploring the canyon!") == set()


def test_a_modifier_keeps_the_whole_name_it_is_part_of(converse: Converse) -> None:
    found = said(
        converse, "Lena: I went to a Rolling Stones concert and joined a dog owners group."
    )
    objects = {obj for _, _, obj in found}
    assert {"Rolling Stones concert", "dog owners group"} <= objects, found
