"""Dependency rules: subject-verb-object, copulas, prepositions and possessives of one sentence.

:class:`SentenceReader` walks the parsed tokens of a sentence and proposes :class:`RawFact`
triples between :class:`~chronomem.ingest.extract.protocol.EntityMention` s. References are
resolved through a :class:`Referents` (speaker, addressee, named entities, third-person
pronouns); objects that are not named entities become ``Concept`` mentions. Negated
predicates give no fact, unless they are endings ("no longer", "not ... anymore") or a
retraction ("actually I never ..."). Relation names come from the tables in
:mod:`~chronomem.language.cues` or from the verb lemma (:func:`relation_name`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from chronomem.ingest.extract.protocol import EntityMention
from chronomem.ingest.extract.relations import relation_name
from chronomem.language import cues
from chronomem.language.grounding import FIRST_PERSON
from chronomem.language.lemmas import Lemmatizer
from chronomem.language.vocabulary import Scope

__all__ = [
    "ANIMAL",
    "CONCEPT",
    "PERSON",
    "RawFact",
    "Ref",
    "Referents",
    "SentenceReader",
    "clause_span",
]

Token = Any  # spacy.tokens.Token (spaCy ships no type hints)

PERSON: Final = "Person"
CONCEPT: Final = "Concept"
ANIMAL: Final = "Animal"
PLACE: Final = "Place"

_NOUN_TAGS: Final = frozenset({"NN", "NNS", "NNP", "NNPS"})
_PROPER_TAGS: Final = frozenset({"NNP", "NNPS"})
_PRONOUN_TAGS: Final = frozenset({"PRP", "PRP$"})
_SUBJECT_DEPS: Final = frozenset({"nsubj", "nsubjpass"})
_SKIP_PREDICATE_DEPS: Final = frozenset({"aux", "auxpass", "amod", "compound"})
_FIRST_SINGULAR: Final = frozenset(FIRST_PERSON)
_FIRST_PLURAL: Final = frozenset({"we", "us", "our", "ours", "ourselves"})
_SECOND: Final = frozenset({"you", "your", "yours", "yourself", "yourselves", "u", "ya"})
_THIRD: Final = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})
_RELATIVE: Final = frozenset({"who", "that", "which", "whom"})
_CONDITIONAL_MARKS: Final = frozenset({"if", "unless", "whether", "whenever", "lest"})
# "when I have kids", "once we get a house": with a present tense, a condition or a future.
_TEMPORAL_MARKS: Final = frozenset({"when", "once", "till", "until"})
_PRESENT_TAGS: Final = frozenset({"VBP", "VBZ", "VB"})
# Dependencies through which a clause takes its mood from the clause above it.
_MOOD_DEPS: Final = frozenset({
    "xcomp", "ccomp", "pcomp", "pobj", "prep", "advcl", "conj", "dobj", "acomp", "oprd",
})  # fmt: skip
# Modals that make the clauses under them hypothetical ("can" states an ability: left out).
_IRREALIS_MODALS: Final = (cues.MODALS - {"can", "ca"}) | cues.FUTURE_AUXILIARIES
_IMAGINING: Final = frozenset({"see", "imagine", "picture", "wait"})
# Verbs whose "to" names where one ends up, which the parser may read as an infinitive
# ("switched to green tea": "green" tagged as a verb); never a purpose.
_SWITCHING: Final = frozenset({
    "switch", "switched", "switching", "moved", "change", "changed", "transfer",
    "transferred", "upgrade", "upgraded", "convert", "converted",
})  # fmt: skip
# "Have fun ...", "have a blast ...": a wish for the other, whatever follows.
_WELL_WISHES: Final = frozenset({"fun", "blast", "time", "ball", "trip", "day", "weekend"})
_DEMONSTRATIVES: Final = frozenset({"that", "this", "those", "these"})
_WH_WORDS: Final = frozenset({"how", "what", "where", "when", "whether", "which"})
# Time words that put a present-tense clause in the future: "I'm flying out tomorrow".
_FUTURE_WORDS: Final = frozenset({"tomorrow", "tonight", "soon", "upcoming", "next", "later"})
# Family words that a noun modifier turns into a figure of speech ("fur babies", "plant mom").
_FAMILY_RELATIONS: Final = frozenset({
    "PARENT_OF", "CHILD_OF", "SIBLING_OF", "MARRIED_TO", "GRANDPARENT_OF", "GRANDCHILD_OF",
})  # fmt: skip
_ANIMAL_ADJECTIVES: Final = frozenset({
    "furry", "fluffy", "fuzzy", "feathered", "feathery", "scaly", "four-legged", "slimy",
})  # fmt: skip
_KIN_PREFIXES: Final = frozenset({"step", "half", "foster", "god", "grand", "great", "twin"})
_HEDGE_HEADS: Final = frozenset({"think", "guess", "believe", "suppose", "bet", "feel"})
_WISH_HEADS: Final = frozenset({"hope", "wish", "want", "doubt", "wonder", "imagine", "dream"})
_JOB_START_VERBS: Final = frozenset({"get", "start", "land", "take", "accept", "find", "begin"})
_PET_VERBS: Final = frozenset({"have", "get", "adopt", "buy", "rescue"})
# verbs whose trip has not happened (or never will): no visit
_TRIP_NOT_TAKEN: Final = frozenset({
    "cancel", "call off", "postpone", "scrap", "plan", "book", "organise", "organize", "skip",
    "miss", "delay", "push back", "reschedule", "consider", "arrange", "cut short", "drop",
})  # fmt: skip
_PLACE_ENT_LABELS: Final = frozenset({PLACE})
_SKIP_ENT_LABELS: Final = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY"})
# Adjectives left out of concept names: they judge or count rather than name.
_VAGUE_ADJECTIVES: Final = frozenset({
    "new", "old", "great", "good", "nice", "amazing", "awesome", "beautiful", "big", "small",
    "little", "whole", "favorite", "favourite", "own", "other", "same", "lovely", "cool",
    "real", "special", "wonderful", "huge", "first", "last", "next", "best", "better",
    "fantastic", "incredible", "super", "perfect", "bad", "worst", "entire", "many", "few",
    "several", "various", "different", "certain", "such", "lot", "fun", "sweet",
    "cute", "pretty", "awful", "terrible", "tough", "hard", "easy", "full", "young", "recent",
    "latest", "previous", "current", "main", "major", "tiny", "crazy",
    "exciting", "interesting", "inspiring", "powerful", "happy", "sad", "proud",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Ref:
    """A resolved reference: the entity and how sure the resolution is (a weight in (0, 1])."""

    mention: EntityMention
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class RawFact:
    """A triple proposed by a rule, before text and time are attached.

    ``span`` is the character range of the predicate's clause (for choosing the time mention
    that dates the fact); ``None`` means the fact is not dated by the sentence (possessives).
    ``scope`` of an ending or retraction: see :class:`~chronomem.ingest.extract.protocol.
    CandidateFact`.
    """

    subject: EntityMention
    relation: str
    object: EntityMention
    confidence: float
    span: tuple[int, int] | None
    ends: bool = False
    retracts: bool = False
    scope: Scope = "fact"


@dataclass(slots=True)
class Referents:
    """How one episode's words map to entities.

    ``entities`` maps token indices inside named entities to their mention; ``third_person``
    resolves a he/she pronoun at a token index (``None`` when unresolved or ambiguous).
    """

    speaker: EntityMention | None
    addressee: EntityMention | None
    entities: dict[int, EntityMention]
    third_person: Callable[[int], EntityMention | None]
    people: list[EntityMention] = field(default_factory=list)  # kin mentioned, for "she"
    kin: dict[str, EntityMention] = field(default_factory=dict)  # "dad" -> the speaker's dad


class SentenceReader:
    """Applies the rules to sentences of one episode."""

    __slots__ = ("_lemma", "refs")

    def __init__(self, lemmatizer: Lemmatizer, refs: Referents) -> None:
        self._lemma = lemmatizer.lemma
        self.refs = refs

    # -- entry point ---------------------------------------------------------------------------

    def read(
        self, tokens: Sequence[Token], *, question: bool, retraction: bool, ending: bool
    ) -> list[RawFact]:
        """The facts of one sentence (``tokens``); flags come from sentence-level cues.

        A question yields only its possessive relations ("is your sister Anna coming?").
        """
        facts: list[RawFact] = []
        for token in tokens:
            tag = token.tag_
            if tag in _NOUN_TAGS:
                facts.extend(self._possessive(token))
            elif not question and tag.startswith("VB") and token.dep_ not in _SKIP_PREDICATE_DEPS:
                facts.extend(self._predicate(token, retraction=retraction, ending=ending))
        return facts

    # -- references ----------------------------------------------------------------------------

    def lemma(self, token: Token) -> str:
        """The lemma of ``token``."""
        return self._lemma(token.lower_, token.tag_)

    def verb_lemma(self, verb: Token) -> str:
        """The lemma of a verb, also when the tagger took a sentence-opening past for a base
        form ("Got a flat in Leeds") or for a name ("Moved home to Cork")."""
        if (
            verb.tag_ in ("VB", "VBP")
            and verb.i == verb.sent.start
            and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
        ):
            past = self.lemma_of(verb.lower_, "VBD")
            return past if past != verb.lower_ else self.lemma(verb)
        if verb.tag_.startswith("VB"):
            return self.lemma(verb)
        return self.lemma_of(verb.lower_, "VBD")

    def lemma_of(self, lower: str, tag: str) -> str:
        """The lemma of a lower-case word read with the Penn tag ``tag``."""
        return self._lemma(lower, tag)

    def ref(self, token: Token) -> Ref | None:
        """The entity a subject-like token refers to: a pronoun, a named entity or kin."""
        refs = self.refs
        mention = refs.entities.get(token.i)
        if mention is not None:
            return Ref(mention)
        tag = token.tag_
        if tag in _PRONOUN_TAGS:
            return self._pronoun(token)
        if tag in _NOUN_TAGS:
            lemma = self.lemma(token)
            if lemma in cues.KINSHIP:
                return self._kin(token, lemma)
        return None

    def _pronoun(self, token: Token) -> Ref | None:
        lower = token.lower_.replace("’", "'")
        refs = self.refs
        if lower in _FIRST_SINGULAR:
            return None if refs.speaker is None else Ref(refs.speaker)
        if lower in _FIRST_PLURAL:
            return None if refs.speaker is None else Ref(refs.speaker, 0.7)
        if lower in _SECOND:
            return None if refs.addressee is None else Ref(refs.addressee, 0.85)
        if lower in _THIRD:
            mention = refs.third_person(token.i)
            return None if mention is None else Ref(mention, 0.7)
        return None

    def _kin(self, token: Token, lemma: str) -> Ref | None:
        """``my sister (Anna)``: the named relative, else a placeholder "<owner>'s sister"."""
        if lemma in _SELF_ROLES and any(c.lower_ == "own" for c in token.children):
            return None  # "being my own boss": no one else
        named = self._kin_name(token)
        if named is not None:
            if self._possessor(token) is not None and self._owned_by_speaker(token):
                self.refs.kin.setdefault(token.lower_, named)
            return Ref(named)
        if self._figurative_kin(token, cues.KINSHIP.get(lemma, "")):
            return None
        owner = self._possessor(token)
        if owner is None:
            # "Dad retired": a bare kin word said by someone is their own relative
            known = self.refs.kin.get(token.lower_)
            bare = not any(c.dep_ == "det" for c in token.children)
            said = token.text[:1].isupper() or token.dep_ == "nsubj"  # "dad finally closed it"
            if bare and said and known is not None:
                return Ref(known, 0.85)
            if bare and said and self.refs.speaker is not None and lemma in cues.PERSON_KIN:
                name = f"{self.refs.speaker.name}'s {token.lower_}"
                mention = EntityMention(name, PERSON)
                self.refs.people.append(mention)  # "Dad retired. Now he ..."
                return Ref(mention, 0.8)
            return None
        label = ANIMAL if lemma in cues.PET_NOUNS else PERSON
        name = f"{owner.mention.name}'s {token.lower_}"
        return Ref(EntityMention(name, label), owner.weight * 0.9)

    def _figurative_kin(self, token: Token, relation: str) -> bool:
        """A family word that a noun before it makes a figure of speech: "my fur babies" are
        pets, "my plant babies" plants ("my stepson", "my baby brother" stay family); "my
        furry pals" and "my little buddies" are animals, not friends."""
        modifiers = {c.lower_ for c in token.children if c.dep_ == "amod"}
        if modifiers & _ANIMAL_ADJECTIVES or (
            relation == "FRIEND_OF"
            and token.lower_ not in ("friend", "friends")
            and "little" in modifiers
        ):
            return True
        return relation in _FAMILY_RELATIONS and any(
            c.dep_ in ("compound", "amod")
            and c.tag_ in _NOUN_TAGS
            and self.lemma(c) not in cues.KINSHIP
            and c.lower_ not in _KIN_PREFIXES
            for c in token.children
        )

    def _owned_by_speaker(self, token: Token) -> bool:
        owner = self._possessor(token)
        speaker = self.refs.speaker
        return owner is not None and speaker is not None and owner.mention == speaker

    def _possessor(self, token: Token) -> Ref | None:
        for child in token.children:
            if child.dep_ == "poss":
                return self.ref(child)
        return None

    def _kin_name(self, token: Token) -> EntityMention | None:
        """The name given to a kinship noun: an apposition, "named X", or "X is my sister"."""
        pet = self.lemma(token) in cues.PET_NOUNS
        for child in token.children:
            dep = child.dep_
            if dep == "appos" and child.tag_ in _PROPER_TAGS:
                return self._named(child, pet)
            if dep == "acl" and self.lemma(child) in ("name", "call"):
                for grandchild in child.children:
                    if grandchild.dep_ in ("oprd", "attr", "xcomp", "dobj") and (
                        grandchild.tag_ in _PROPER_TAGS
                        or (grandchild.tag_ in _NOUN_TAGS and grandchild.text[:1].isupper())
                    ):
                        return self._named(grandchild, pet)
        head = token.head
        if token.dep_ == "compound" and (
            head.tag_ in _PROPER_TAGS
            or (pet and head.tag_ in _NOUN_TAGS and head.text[:1].isupper() and head.i > 0)
        ):  # "my cat Pickles", with the name read as a plural noun
            return self._named(head, pet)
        following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        if (
            following is not None
            and following.tag_ in _PROPER_TAGS
            and following.text[:1].isupper()
            and following.ent_type_ in ("", "PERSON", "GPE", "ORG")
            and any(c.dep_ == "poss" for c in token.children)
        ):  # "my rabbit Zuzu is the boss", with the noun and the name parsed apart
            return self._named(following, pet)
        if token.dep_ == "attr" and self.lemma(head) == "be":
            for child in head.children:
                if child.dep_ == "nsubj" and child.tag_ in _PROPER_TAGS:
                    return self._named(child, pet)
                if child.dep_ == "nsubj" and child.lower_ in ("he", "she") and not pet:
                    found = self.ref(child)  # "Matthias and I tied the knot! he's my husband
                    if (  # now": the one named before in the same turn
                        found is not None
                        and found.mention.label == PERSON
                        and found.mention.name in token.doc.text
                    ):
                        return found.mention
        if token.dep_ == "nsubj" and self.lemma(head) == "be":  # "my boss is Karen Liu"
            for child in head.children:
                if child.dep_ == "attr" and child.tag_ in _PROPER_TAGS:
                    return self._named(child, pet)
                if child.dep_ == "attr" and self.lemma(child) in _SOMEBODY:
                    called = self._kin_name(child)  # "... is a guy called Piotr"
                    if called is not None:
                        return called
        return None

    def _named(self, token: Token, pet: bool) -> EntityMention | None:
        mention = self.refs.entities.get(token.i)
        name = mention.name if mention is not None else token.text
        if pet:
            return EntityMention(name, ANIMAL)
        if mention is not None and mention.label == ANIMAL:
            return None  # "my girlfriend, Toby and I", Toby being the dog: not her name
        if mention is not None and mention.label == PERSON:
            return mention
        return EntityMention(name, PERSON)

    def object_ref(self, token: Token) -> Ref | None:
        """An object: a reference as for subjects, else a ``Concept`` from the noun phrase."""
        if token.ent_type_ in _SKIP_ENT_LABELS and token.i not in self.refs.entities:
            return None  # (a name NER took for a date is ours: "Pieter-Jan")
        found = self.ref(token)
        if found is not None:
            return found
        if token.tag_ in _PRONOUN_TAGS:
            return None
        lemma = self.lemma(token)
        if cues.is_abstract(lemma) and lemma not in cues.JOB_NOUNS:
            return None  # "so much progress", "a meaningful legacy": nothing to hold
        name = self.concept_name(token)
        return None if name is None else Ref(EntityMention(name, CONCEPT), 0.85)

    def concept_name(self, token: Token, depth: int = 0) -> str | None:
        """The name of the thing a noun phrase names: "a LGBTQ support group" -> "LGBTQ support
        group"; ``None`` for vague words."""
        tag = token.tag_
        if tag == "VBG":
            return self._gerund(token)
        if tag not in _NOUN_TAGS:
            return None
        lemma = self.lemma(token) if tag in ("NNS", "NNPS") else token.lower_
        if lemma in cues.CONTAINER_NOUNS and depth < 2:
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
                            inner = self.concept_name(pobj, depth + 1)
                            if inner is not None:
                                return inner
        if lemma in cues.GENERIC_NOUNS or token.is_stop or (not token.is_alpha and len(token) < 2):
            return None
        words: list[Token] = []
        for child in token.lefts:
            dep = child.dep_
            if child.tag_ in ("VBD", "VBN") and child.i == child.sent.start:
                words.clear()  # "Made partner!": a verb the parser took for a modifier
            elif (
                dep == "compound"
                or dep == "nmod"
                or (dep == "amod" and child.lower_ not in _VAGUE_ADJECTIVES and child.is_alpha)
            ):
                words.extend(_modifier_words(child))
            else:
                words.clear()  # keep only modifiers adjacent to the head
        words.append(token)
        name = _glued_name(words)
        return name or None

    def _gerund(self, token: Token) -> str | None:
        """A gerund with its object: "painting", "working in mental health"."""
        for child in token.children:
            dep = child.dep_
            if dep == "dobj":
                inner = self.concept_name(child, 2)
                return None if inner is None else f"{token.lower_} {inner}"
            if dep == "prep":
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        inner = self.concept_name(pobj, 2)
                        if inner is not None:
                            return f"{token.lower_} {child.lower_} {inner}"
        return None if token.lower_ in cues.GENERIC_NOUNS else token.lower_

    # -- possessives ---------------------------------------------------------------------------

    def _possessive(self, token: Token) -> list[RawFact]:
        """``my sister Anna`` -> SIBLING_OF(speaker, Anna); ``my husband`` -> HAS_HUSBAND."""
        if token.i in self.refs.entities:
            return []
        lemma = self.lemma(token)
        relation = cues.KINSHIP.get(lemma)
        if relation is None:
            return []
        owner = self._possessor(token)
        if owner is None:
            return []
        if self._figurative_kin(token, relation):
            return []
        head = token.head
        if (
            token.dep_ == "attr"
            and head.dep_ == "xcomp"
            and (self.lemma(head.head) in cues.DESIRE_VERBS or self.irrealis(head))
        ):
            return []  # "asked me to be her girlfriend", "I want to be your boyfriend"
        named = self._kin_name(token)
        confidence = 0.9
        if named is None:
            target = self._kin(token, lemma)
            if target is None:
                return []
            named = target.mention
            confidence = 0.75
            if relation in _FUNCTIONAL_KIN:
                relation = relation_name("HAS", lemma)
        if named.label == PERSON:
            self.refs.people.append(named)
        if named.name == owner.mention.name:
            return []
        return [RawFact(owner.mention, relation, named, confidence * owner.weight, None)]

    # -- predicates ----------------------------------------------------------------------------

    def _predicate(self, verb: Token, *, retraction: bool, ending: bool) -> Iterator[RawFact]:
        children = list(verb.children)
        negated = False
        modal = False
        particle = ""
        for child in children:
            dep = child.dep_
            if (
                dep == "neg"
                or (child.lower_ == "longer" and any(g.lower_ == "no" for g in child.children))
                or (dep == "attr" and denied(child))  # "I'm no writer"
                or (dep == "dobj" and self.lemma(verb) in ("have", "own") and denied(child))
            ):
                negated = True
            elif dep == "aux":
                aux = child.lower_.replace("’", "'")
                if (
                    aux in cues.MODALS
                    or aux in cues.FUTURE_AUXILIARIES
                    or (aux == "'d" and verb.tag_ == "VB")
                ):
                    modal = True
            elif dep == "mark" and (
                child.lower_ in _CONDITIONAL_MARKS
                or (child.lower_ in _TEMPORAL_MARKS and verb.tag_ in _PRESENT_TAGS)
                or (child.lower_ == "for" and verb.tag_ == "VB")  # "for you to find a flat"
            ):
                return
            elif dep == "prt" and not _before_preposition(child):
                particle = child.lower_  # not "up" of "explored the coast up in Maine"
            elif dep == "advmod" and (
                child.lower_ in cues.HEDGE_ADVERBS
                or (
                    child.lower_ in _CONDITIONAL_MARKS | _TEMPORAL_MARKS
                    and verb.tag_ in _PRESENT_TAGS
                    and verb.dep_ != "ROOT"
                )
            ):
                return  # "hopefully she finds a flat", "for when I have kids"
        if modal or self.irrealis(verb) or _unasserted(verb, children):
            return
        lemma = self.verb_lemma(verb)
        if lemma == "get" and verb.tag_ == "VBN" and _has_aux(verb, self._lemma, "have"):
            lemma = "have"  # "we've got a dog": having, not getting
        if (
            (verb.dep_ == "acl" and lemma in ("name", "call"))
            or lemma in _FORMULAIC_VERBS
            or lemma in cues.NO_FACT_VERBS
        ):
            return  # "a dog named Max" is read by the possessive rule; "thank you" says nothing
        key = f"{lemma} {particle}" if particle else lemma
        weight = 1.0
        ends = False
        if period_over(verb, lemma):
            ends, weight = True, 0.6  # "I had a mentor when I was learning to dance"
        head = verb.head
        if verb.dep_ in ("xcomp", "ccomp") and head is not verb:
            head_lemma = self.lemma(head)
            if any(c.dep_ == "neg" for c in head.children):
                return
            if verb.dep_ == "xcomp":
                if used_to(head):  # "I used to live in Paris"
                    ends, weight = True, 0.6
                elif head_lemma in cues.DESIRE_VERBS:
                    return
                elif head_lemma in cues.FUTURE_HEADS and head.tag_ == "VBG":
                    return  # "I'm going to paint the fence": a plan
            elif head_lemma in _WISH_HEADS:
                return
            elif head_lemma in _HEDGE_HEADS:
                weight = 0.6
        if negated:
            if ending:
                ends = True
            elif not retraction:
                return
        retracts = negated and retraction and not ending
        subjects = self.subjects(verb)
        if not subjects:
            return
        span = clause_span(verb, children)
        relations = list(self._relations(verb, key, children, subjects[0].mention))
        for subject in subjects:
            for relation, obj, strength, ends_here in relations:
                if obj.mention == subject.mention:
                    continue
                yield RawFact(
                    subject.mention,
                    relation,
                    obj.mention,
                    round(min(1.0, strength * weight * subject.weight * obj.weight), 3),
                    span,
                    ends=ends or ends_here,
                    retracts=retracts,
                )

    def irrealis(self, verb: Token) -> bool:
        """Whether ``verb``'s clause hangs under a plan, wish, request, imagining or future.

        Climbs the clauses above (complements, prepositions, adverbial clauses, coordinated
        verbs without their own subject) up to a relative clause or a new subject: "I'd love
        your help with painting the fence", "let me know the title", "I'm thinking of opening
        a bakery", "come and join me", "you'll have to watch it".
        """
        token = verb
        for _ in range(5):
            dep = token.dep_
            head = token.head
            if head.i == token.i or dep not in _MOOD_DEPS:
                return False
            if dep == "conj" and any(c.dep_ in _SUBJECT_DEPS for c in token.children):
                return False  # "I'll go to Rome and Ann lives in Paris"
            head_lemma = self.lemma(head) if head.tag_.startswith("VB") else ""
            if head_lemma == "be" and any(
                c.dep_ == "acomp" and c.lower_ in cues.NORMATIVE_ADJECTIVES for c in head.children
            ):
                return True  # "it's important we help them", "it's time to go"
            if head_lemma:
                if dep == "prep" and head_lemma in cues.INTENTION_HEADS:
                    return True  # "thinking of", "dreaming about", "waiting for"
                if _phrasal_intention(token, dep, head, head_lemma):
                    return True
                if dep == "xcomp" and head_lemma in cues.DESIRE_VERBS and token.i != verb.i:
                    return True
                if dep == "xcomp" and head_lemma in cues.FUTURE_HEADS and head.tag_ == "VBG":
                    return True  # "I'm gonna take a shot at starting a business"
                if dep == "ccomp" and (head_lemma in _WISH_HEADS or head_lemma == "let"):
                    return True
                if self._irrealis_head(head):
                    return True
            token = head
        return False

    def _irrealis_head(self, head: Token) -> bool:
        """A verb that is a request (an imperative) or hypothetical (a modal or a future)."""
        for child in head.children:
            dep = child.dep_
            if dep in _SUBJECT_DEPS or dep == "expl":
                break
            if (dep == "aux" and self._irrealis_aux(head, child)) or (
                dep == "advmod" and child.lower_ in cues.HEDGE_ADVERBS
            ):
                return True
        else:  # no subject: an imperative ("let me know", "make sure you watch")
            if self.lemma(head) == "have" and any(
                c.dep_ == "dobj" and c.lower_ in _WELL_WISHES for c in head.children
            ):
                return True  # "Have fun exploring the trails!" (tagged as a present verb)
            return bool(
                head.tag_ == "VB"
                and head.dep_ == "ROOT"
                and not _looks_past(head, self._lemma)
                and self.lemma(head) != "be"
            )
        return any(
            (c.dep_ == "aux" and self._irrealis_aux(head, c))
            or (c.dep_ == "advmod" and c.lower_ in cues.HEDGE_ADVERBS)
            for c in head.children
        )

    def _irrealis_aux(self, head: Token, aux: Token) -> bool:
        """ "will", "would", "'d love", "should"; "can" only before imagining ("I can see you
        winning")."""
        word = aux.lower_.replace("’", "'")
        if word in _IRREALIS_MODALS or (word == "'d" and head.tag_ == "VB"):
            return True
        return word in ("can", "ca") and self.lemma(head) in _IMAGINING

    def subjects(self, verb: Token) -> list[Ref]:
        """The subject of ``verb`` and those coordinated with it ("John and Maria went")."""
        heads = [
            child
            for child in verb.children
            if child.dep_ in _SUBJECT_DEPS
            and not (child.lower_ in _RELATIVE and verb.dep_ == "relcl")
            and not self._mistagged_subject(child)
        ]
        if (
            verb.dep_ in ("relcl", "acl")
            and verb.tag_ in ("VB", "VBP")
            and any(h.lower_ in ("you", "u") for h in heads)
        ):
            return []  # "a game where you build settlements": anyone ("the book you lent me"
            # is the addressee's)
        if heads:  # "my colleagues and I" may come as two subjects or as conjuncts
            found = [self.ref(t) for head in heads for t in _with_conjuncts(head)]
            return [r for r in found if r is not None]
        subject = self._subject(verb)
        return [] if subject is None else [subject]

    def _mistagged_subject(self, token: Token) -> bool:
        """A lower-case word tagged as a name that names nothing: a typo or a chat word the
        tagger took for a subject ("finaly moved to Gothenburg"); or a name called out to
        ("Hey Nate, my favourite treat is ...")."""
        return token.tag_ in _PROPER_TAGS and (
            (
                token.text.islower()
                and token.i == token.sent.start
                and token.i not in self.refs.entities
            )
            or _vocative(token)
        )

    def _subject(self, verb: Token, depth: int = 0) -> Ref | None:
        for child in verb.children:
            if child.dep_ in _SUBJECT_DEPS and not self._mistagged_subject(child):
                if child.lower_ in _RELATIVE and verb.dep_ == "relcl":
                    return self.ref(verb.head)
                return self.ref(child)
        dep = verb.dep_
        head = verb.head
        if (
            depth == 0
            and dep == "advcl"
            and verb.i == verb.sent.start
            and verb.tag_ in ("VBD", "VBN")
            and self.refs.speaker is not None
        ):  # "Adopted a kitten called Miso, he's chaos": the speaker did it, not "he"
            return Ref(self.refs.speaker)
        if depth < 3 and head is not verb and dep in ("conj", "xcomp", "advcl"):
            return self._subject(head, depth + 1)
        if depth < 3 and dep == "pcomp" and head.head is not head:  # "by having a studio"
            if self.lemma(head.head) in _FORMULAIC_VERBS:
                return None  # "thank you for being a positive force": praise of the other
            return self._subject(head.head, depth + 1)
        if dep == "relcl" or dep == "acl":
            return self.ref(head)
        if (
            dep == "ROOT"
            and (verb.tag_ in ("VBD", "VBP", "VBN") or _looks_past(verb, self._lemma))
            and self.refs.speaker is not None
            and self.lemma(verb) != "be"
            and not any(
                c.dep_ in ("expl", "csubj", "nsubj", "nsubjpass") and not self._mistagged_subject(c)
                for c in verb.children
            )
        ):
            return Ref(self.refs.speaker, 0.6)  # "Went to the beach yesterday!"
        return None

    def _relations(
        self, verb: Token, key: str, children: list[Token], owner: EntityMention
    ) -> Iterator[tuple[str, Ref, float, bool]]:
        """(relation, object, rule strength, ends) for each object the predicate takes.

        ``owner`` (the subject) names unnamed relatives: "I have a sister" -> "Ann's sister".
        """
        if key == "be":
            yield from self._copula(verb, children)
            return
        if (
            verb.tag_ == "VBN"
            and verb.lower_ in cues.STATUS_ADJECTIVES
            and not any(c.dep_ in ("dobj", "prep", "agent") and c.lower_ != "in" for c in children)
        ):
            yield "HAS_STATUS", Ref(EntityMention(verb.lower_, CONCEPT)), 0.8, False
            return  # "we got divorced (in 2020)"
        if key in _LINKING_VERBS:
            for child in children:
                if child.dep_ == "acomp":
                    yield from self._adjective(child)  # "got married to John"
        ending = cues.ENDING_VERBS.get(key)
        if ending is not None:
            found = list(self._ending(verb, key, children, ending))
            if found:
                yield from found
                return
        job_start = key in _JOB_START_VERBS and any(
            c.dep_ == "dobj" and self.lemma(c) in cues.JOB_NOUNS for c in children
        )
        trip = any(c.dep_ == "dobj" and self.lemma(c) in cues.TRIP_NOUNS for c in children)
        # "keep them busy", "keep my fingers crossed": the object is not what is kept
        complement = key.split()[0] in cues.LIGHT_VERBS and any(
            c.dep_ in ("oprd", "acomp") for c in children
        )
        for child in children:
            dep = child.dep_
            if dep == "dobj" and complement:
                continue
            if dep == "dobj":
                for obj in _with_conjuncts(child):
                    yield from self._direct(key, obj, owner)
            elif trip and dep == "prep" and child.lower_ in ("to", "in"):
                for pobj in child.children:  # "took a trip last week to Rome"
                    ref = self.object_ref(pobj) if pobj.dep_ == "pobj" else None
                    if ref is not None:
                        yield "VISITED", ref, 0.85, False
            elif job_start and dep == "prep" and child.lower_ in ("at", "with", "for"):
                for pobj in child.children:  # "got a job at Microsoft"
                    ref = self.object_ref(pobj) if pobj.dep_ == "pobj" else None
                    if ref is not None:
                        yield "WORKS_AT", ref, 0.85, False
            elif dep == "prep" or dep == "agent" or dep == "dative":
                yield from self._prepositional(key, child)
            elif dep == "xcomp" and key in cues.LIKE_VERBS:
                activity = self._activity(child)
                if activity is not None:
                    yield "LIKES", activity, 0.7, False

    def _direct(
        self, key: str, obj: Token, owner: EntityMention
    ) -> Iterator[tuple[str, Ref, float, bool]]:
        obj_lemma = self.lemma(obj)
        kin = cues.KINSHIP.get(obj_lemma)
        if kin is not None and (key == "have" or key in _PET_VERBS):
            yield from self._acquired_kin(obj, obj_lemma, kin, owner)
            return
        if obj_lemma in cues.JOB_NOUNS and key in _JOB_START_VERBS:
            for place in self._prep_objects(obj, ("at", "with", "for")):
                yield "WORKS_AT", place, 0.85, False
            return
        if obj_lemma in cues.TRIP_NOUNS:
            if key in _TRIP_NOT_TAKEN:
                return  # "we called off the trip to Oslo", "booked a trip to Rome"
            for place in self._prep_objects(obj, ("to", "in")):
                yield "VISITED", place, 0.85, False
            return
        if self._idiom_object(key, obj, obj_lemma):
            return
        if key == "do" and any(
            c.dep_ == "compound" and c.lower_ in cues.LIKE_VERBS | {"loves", "likes"}
            for c in obj.children
        ):
            return  # "I do love animals", the emphatic "do" read as the verb
        ref = self.object_ref(obj)
        if ref is None:
            return
        if key == "have":
            if obj_lemma in cues.POSSESSION_NOUNS:
                yield "OWNS", ref, 0.75, False
            return
        if key in ("get", "buy") and obj_lemma in cues.POSSESSION_NOUNS:
            yield "OWNS", ref, 0.8, False
            return
        relation = cues.VERB_RELATIONS.get(key)
        if (ref.mention.label in (PERSON, ANIMAL) or obj_lemma in cues.KINSHIP) and (
            relation == "MEMBER_OF"  # "join me on the trail" is company, not membership
            or (relation is None and key.split()[0] in cues.PERSON_OBJECT_VERBS)
        ):
            return  # "see you tomorrow", "took the kids to the zoo": no relation to them
        if relation in ("LIKES", "DISLIKES") and _pointed_at(obj):
            return  # "Wow, love that painting!": a reaction to what is shown, not a lasting taste
        if any(c.dep_ == "poss" and c.lower_ == "other" for c in obj.children):
            return  # "we enjoy each other's company": the two of them, not a thing
        if relation is not None:
            yield relation, ref, 0.85, False
        else:
            yield relation_name(key), ref, 0.6, False

    def _idiom_object(self, key: str, obj: Token, obj_lemma: str) -> bool:
        """An object that names nothing: an abstract noun ("did a great job", "appreciate your
        support") or the noun of a light verb idiom ("take a walk", "have a look")."""
        if obj.i in self.refs.entities or (obj.tag_ in _PROPER_TAGS and obj.text[:1].isupper()):
            return False
        if cues.is_abstract(obj_lemma) or cues.is_abstract(obj.lower_):
            return True
        return key.split()[0] in cues.LIGHT_VERBS and obj_lemma in cues.LIGHT_VERB_OBJECTS

    def _acquired_kin(
        self, obj: Token, lemma: str, relation: str, owner: EntityMention
    ) -> Iterator[tuple[str, Ref, float, bool]]:
        """ "I have two sisters", "we adopted a puppy named Luna": kin of the subject."""
        ref = self.ref(obj)
        if ref is None:
            named = self._kin_name(obj)  # "a tabby called Miso"
            ref = Ref(named) if named is not None else None
        if ref is None:
            label = ANIMAL if lemma in cues.PET_NOUNS else PERSON
            ref = Ref(EntityMention(f"{owner.name}'s {obj.lower_}", label), 0.9)
            if relation in _FUNCTIONAL_KIN:
                relation = relation_name("HAS", lemma)
        if ref.mention.label == PERSON and lemma not in cues.PET_NOUNS:
            self.refs.people.append(ref.mention)
        yield relation, ref, 0.8, False

    def _prepositional(self, key: str, prep: Token) -> Iterator[tuple[str, Ref, float, bool]]:
        word = prep.lower_
        objects = [c for c in prep.children if c.dep_ == "pobj"]
        if not objects:  # "out of Boston": a preposition made of two words
            for inner in prep.children:
                if inner.dep_ == "prep":
                    word = f"{word} {inner.lower_}"
                    objects = [c for c in inner.children if c.dep_ == "pobj"]
                    break
        for pobj in objects:
            for obj in _with_conjuncts(pobj):
                yield from self._prep_object(key, word, obj)
                # "from Boston to Denver": the second preposition hangs off the first object
                for nested in obj.children:
                    if nested.dep_ == "prep" and nested.lower_ in ("to", "into"):
                        for inner in nested.children:
                            if inner.dep_ == "pobj":
                                yield from self._prep_object(key, nested.lower_, inner)

    def _prep_object(
        self, key: str, word: str, obj: Token
    ) -> Iterator[tuple[str, Ref, float, bool]]:
        if self._idiom_object(key, obj, self.lemma(obj)):
            return
        ref = self.object_ref(obj)
        if ref is None:
            return
        if (key, word) in _ENDING_PREPS:
            yield _ENDING_PREPS[(key, word)], ref, 0.8, True
            return
        relation = cues.PREP_RELATIONS.get((key, word))
        if relation is not None:
            if relation in ("VISITED", "ATTENDED") and key != "be":
                relation = "VISITED" if self._is_place(obj, ref) else "ATTENDED"
            yield relation, ref, 0.85, False
            return
        if key == "work" and word == "in" and ref.mention.label == "Organization":
            yield "WORKS_AT", ref, 0.8, False
            return
        verb_word = key.split()[0]
        if (
            ref.mention.label != CONCEPT
            and word not in _VAGUE_PREPOSITIONS
            and word != "by"  # "reading Dune by Frank Herbert": the book's author
            and verb_word not in cues.LIGHT_VERBS  # "had a great time with Ann"
            and key not in cues.VERB_RELATIONS  # "liked Under Armour": not LIKE_UNDER
            and not (
                ref.mention.label in (PERSON, ANIMAL) and verb_word in cues.PERSON_OBJECT_VERBS
            )
            and not _is_passive(_prep_head(obj))  # "swamped with", "stoked for"
        ):
            # "painted with Anna", not "met at the gym" nor "a player like LeBron"
            yield relation_name(key, word), ref, 0.5, False

    def _is_place(self, obj: Token, ref: Ref) -> bool:
        if ref.mention.label in _PLACE_ENT_LABELS:
            return True
        return self.lemma(obj) in cues.PLACE_NOUNS

    def _copula(self, verb: Token, children: list[Token]) -> Iterator[tuple[str, Ref, float, bool]]:
        # No class of the subject: "we are a team" (a group's), "there's a park" (existence),
        # "since I was a boy" and "he was a great listener" (a past one).
        classless = verb.tag_ == "VBD" or any(
            (c.dep_ in _SUBJECT_DEPS and c.lower_ in _FIRST_PLURAL) or c.dep_ in ("expl", "mark")
            for c in children
        )
        for child in children:
            dep = child.dep_
            if dep == "attr":
                yield from self._attribute(child, classless=classless)
            elif dep == "acomp":
                yield from self._adjective(child)
            elif dep == "prep":
                word = child.lower_
                relation = cues.BE_PREP_RELATIONS.get(word)
                if relation == "VISITED" and verb.tag_ != "VBN":
                    relation = None  # only "have been to X"
                for pobj in child.children:
                    if pobj.dep_ != "pobj":
                        continue
                    ref = self.object_ref(pobj)
                    if ref is None:
                        continue
                    if relation is not None:
                        yield relation, ref, 0.8, False
                    elif word in ("at", "in") and ref.mention.label in _PLACE_ENT_LABELS:
                        yield "VISITED", ref, 0.6, False

    def _attribute(self, attr: Token, *, classless: bool) -> Iterator[tuple[str, Ref, float, bool]]:
        lemma = self.lemma(attr)
        if any(c.dep_ == "det" and c.lower_ == "no" for c in attr.children):
            return  # "I'm no writer"
        if attr.tag_ not in _NOUN_TAGS or attr.i in self.refs.entities:
            return
        if lemma in cues.KINSHIP and any(c.dep_ == "poss" for c in attr.children):
            return  # "Anna is my sister": a possessive relation, read by _possessive
        if lemma in cues.OCCUPATIONS:
            name = self.concept_name(attr)
            if name is not None:
                yield "HAS_JOB_TITLE", Ref(EntityMention(name, CONCEPT)), 0.85, False
            for place in self._prep_objects(attr, ("at", "for", "with")):
                yield "WORKS_AT", place, 0.8, False
            return
        if lemma in cues.FAN_NOUNS:  # "a big fan of jazz": a liking, else nothing
            for liked in self._prep_objects(attr, ("of", "for"), pointed=False):
                yield "LIKES", liked, 0.7, False  # (not "a fan of this genre": which?)
            return
        if classless or not self._class_noun(attr, lemma):
            return
        name = self.concept_name(attr)
        if name is not None:
            yield "IS_A", Ref(EntityMention(name, CONCEPT)), 0.6, False

    def _class_noun(self, attr: Token, lemma: str) -> bool:
        """Whether "X is <attr>" puts X in a class: "a night owl", "such a bookworm"; not "my
        top pick" (a relation to the owner), "game" (an adjective without a determiner), "kids"
        (kin), nor an abstract noun ("quite a ride")."""
        if lemma in cues.ABSTRACT_NOUNS or lemma in cues.KINSHIP:
            return False
        determiners = 0
        for child in attr.children:
            dep = child.dep_
            if dep == "poss" or (dep == "prep" and child.lower_ == "of"):
                return False  # "my top pick", "a supporter of the museum": relational
            if dep == "det":
                determiners += 1
        return determiners > 0 or attr.tag_ == "NNS"

    def _adjective(self, adjective: Token) -> Iterator[tuple[str, Ref, float, bool]]:
        lower = adjective.lower_
        if lower in cues.STATUS_ADJECTIVES and not any(
            c.dep_ == "prep" for c in adjective.children
        ):
            yield "HAS_STATUS", Ref(EntityMention(lower, CONCEPT)), 0.8, False
            return
        for child in adjective.children:
            if child.dep_ != "prep":
                continue
            relation = cues.ADJ_PREP_RELATIONS.get((lower, child.lower_))
            if relation is None:
                continue
            for pobj in child.children:
                if pobj.dep_ != "pobj":
                    continue
                for obj in _with_conjuncts(pobj):
                    ref = self.object_ref(obj)
                    if ref is not None:
                        yield relation, ref, 0.8, False

    def _ending(
        self,
        verb: Token,
        key: str,
        children: list[Token],
        ending: tuple[str, tuple[str, ...]],
    ) -> Iterator[tuple[str, Ref, float, bool]]:
        """``quit my job at Acme``, ``sold my car``, ``broke up with Tom``: what ends."""
        relation, preps = ending
        if not preps:
            for child in children:
                if child.dep_ == "dobj":
                    for obj in _with_conjuncts(child):
                        ref = self.object_ref(obj)
                        if ref is not None:
                            yield relation, ref, 0.85, True
            return
        job_object = any(c.dep_ == "dobj" and self.lemma(c) in cues.JOB_NOUNS for c in children)
        for child in children:
            dep = child.dep_
            if dep == "prep" and child.lower_ in preps:
                if key in _NEEDS_JOB_OBJECT and not job_object:
                    continue  # "left for Paris" is a trip, "left my job at Acme" an ending
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        ref = self.object_ref(pobj)
                        if ref is not None:
                            yield relation, ref, 0.85, True
            elif dep == "dobj":
                if self.lemma(child) in cues.JOB_NOUNS:
                    for place in self._prep_objects(child, preps):
                        yield relation, place, 0.85, True
                    continue
                ref = self.object_ref(child)
                if ref is None:
                    continue
                label = ref.mention.label
                # "quit Acme": a proper name NER did not type is most likely the employer.
                unnamed_org = label == CONCEPT and child.tag_ in ("NNP", "NNPS")
                if relation == "WORKS_AT" and (label == "Organization" or unnamed_org):
                    if unnamed_org:
                        ref = Ref(EntityMention(ref.mention.name, "Organization"), ref.weight)
                    yield relation, ref, 0.8, True
                elif relation in ("MARRIED_TO", "PARTNER_OF") and label == PERSON:
                    yield relation, ref, 0.85, True

    def _prep_objects(
        self, token: Token, preps: Sequence[str], *, pointed: bool = True
    ) -> Iterator[Ref]:
        """The objects of ``token``'s prepositions ``preps``; with ``pointed`` false, not those
        named only by pointing at them ("this genre", "that song")."""
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in preps:
                for pobj in child.children:
                    if pobj.dep_ == "pobj" and (pointed or not _pointed_at(pobj)):
                        ref = self.object_ref(pobj)
                        if ref is not None:
                            yield ref

    def _activity(self, verb: Token) -> Ref | None:
        """``love to paint landscapes`` -> Concept "paint landscapes"; ``None`` for a participle
        ("love getting lost") or an activity whose object is a pronoun ("love holding them")."""
        if verb.tag_ in _NOUN_TAGS:  # a noun the parser hung as a complement: "love lu pulu"
            name = self.concept_name(verb)
            return None if name is None else Ref(EntityMention(name, CONCEPT), 0.85)
        if verb.tag_ not in ("VB", "VBG") or self.lemma(verb) == "be":
            return None
        if any(c.dep_ in ("ccomp", "xcomp") for c in verb.children):
            return None  # "love watching them play"
        words = [verb.lower_ if verb.tag_ == "VBG" else self.lemma(verb)]
        for child in verb.children:
            if child.dep_ == "prt":
                words.append(child.lower_)
        for child in verb.children:
            if child.dep_ == "dobj":
                if self._idiom_object(self.lemma(verb), child, self.lemma(child)):
                    return None
                name = self.concept_name(child)
                if name is None:
                    return None
                words.append(name)
                break
        if len(words) == 1 and self.lemma(verb) in _BARE_GERUNDS:
            return None  # "love being outdoors - going for hikes": "going" alone says nothing
        return Ref(EntityMention(" ".join(words), CONCEPT), 0.85)


_VAGUE_PREPOSITIONS: Final = frozenset({"like", "as", "than", "of", "unlike", "about"})
# Kin relations that hold one value at a time: an unnamed "my husband" gets HAS_HUSBAND,
# so that a placeholder never closes the interval of a named spouse.
_FUNCTIONAL_KIN: Final = frozenset({"MARRIED_TO", "PARTNER_OF", "ENGAGED_TO", "REPORTS_TO"})
# Verbs of a lasting state or taste, which a period of life that is over ends with it.
_STATIVE_VERBS: Final = frozenset({
    "have", "love", "like", "enjoy", "adore", "hate", "live", "work", "own", "know", "play",
    "study", "attend", "collect",
})  # fmt: skip
_CHILDHOOD: Final = frozenset({"kid", "child", "teen", "teenager", "youngster", "boy", "girl"})
# Verbs whose gerund alone names no activity: "going", "doing", "getting".
_BARE_GERUNDS: Final = frozenset({"go", "do", "get", "have", "make", "take", "be", "come"})
_SOMEBODY: Final = frozenset({"guy", "man", "woman", "lady", "person", "girl", "bloke", "dude"})
_SELF_ROLES: Final = frozenset({"boss", "manager", "employer", "master", "landlord"})
_FORMULAIC_VERBS: Final = frozenset({"thank", "please", "bless", "congratulate", "welcome"})
_LINKING_VERBS: Final = frozenset({"get", "become", "remain", "stay"})
_NEEDS_JOB_OBJECT: Final = frozenset({"leave", "lose", "quit"})
_ENDING_PREPS: Final[dict[tuple[str, str], str]] = {
    ("move", "from"): "LIVES_IN", ("relocate", "from"): "LIVES_IN",
    ("move back", "from"): "LIVES_IN", ("move out", "of"): "LIVES_IN",
    ("move away", "from"): "LIVES_IN", ("move", "out of"): "LIVES_IN",
    ("move", "away from"): "LIVES_IN",
}  # fmt: skip


def _phrasal_intention(token: Token, dep: str, head: Token, head_lemma: str) -> bool:
    """A plan or an urge said with a phrase: "looking forward to trying", "made me feel like
    writing a drama" ("I'm off to do some taekwondo" is kept: what one is doing now says what
    one does)."""
    if dep != "prep":
        return False
    if head_lemma == "look":
        return any(c.dep_ == "advmod" and c.lower_ == "forward" for c in head.children)
    return head_lemma == "feel" and token.lower_ == "like"


def period_over(verb: Token, lemma: str) -> bool:
    """Whether ``verb`` (of ``lemma``) says a state of a period of one's life that is over: "I
    had a mentor when I was learning to dance", "as a kid I loved painting", or the "when I
    was a student" itself."""
    if verb.tag_ != "VBD":
        return False
    if lemma == "be" and verb.dep_ == "advcl":
        return any(
            c.dep_ in ("mark", "advmod") and c.lower_ in ("when", "while") for c in verb.children
        )
    return lemma in _STATIVE_VERBS and _back_then(verb)


def _back_then(verb: Token) -> bool:
    """Whether ``verb`` is set in a period of one's life that is over: "when I was younger",
    "while we lived in Oslo", "as a kid", "growing up", "back in college"."""
    children = list(verb.children)
    children += [g for c in children if c.dep_ == "xcomp" for g in c.children]
    for child in children:
        dep = child.dep_
        if dep == "advcl":
            if child.lower_ == "growing" and any(c.lower_ == "up" for c in child.children):
                return True
            marked = any(
                c.dep_ in ("mark", "advmod") and c.lower_ in ("when", "while")
                for c in child.children
            )
            past = child.tag_ == "VBD" or any(
                c.dep_ == "aux" and c.lower_ in ("was", "were") for c in child.children
            )
            if marked and past:
                return True
        elif dep == "prep" and child.lower_ == "as":
            if any(c.dep_ == "pobj" and c.lower_ in _CHILDHOOD for c in child.children):
                return True
        elif dep == "advmod" and child.lower_ == "back":
            return True
    return False


def _pointed_at(token: Token) -> bool:
    """A noun named by pointing at it: "that painting", "this genre"."""
    return any(c.dep_ == "det" and c.lower_ in _DEMONSTRATIVES for c in token.children)


def _vocative(token: Token) -> bool:
    """A name the speaker calls out to: "Hey Nate, my favourite treat is ..."."""
    doc = token.doc
    before = doc[token.i - 1] if token.i > 0 else None
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    return before is not None and before.tag_ == "UH" and after is not None and after.text == ","


def denied(attr: Token) -> bool:
    """A predicate noun denied by its determiner: "I'm no writer"."""
    return any(c.dep_ == "det" and c.lower_ == "no" for c in attr.children)


def used_to(head: Token) -> bool:
    """Whether ``head`` is the "used" of a past habit ("I used to live in Paris", "didn't use
    to"), not the verb of using something ("you use it to tell your stories")."""
    lower = head.lower_
    if lower == "use":
        past = any(c.dep_ == "aux" and c.lower_ in ("did", "didn't") for c in head.children)
    else:
        past = lower == "used"
    return past and not any(c.dep_ in ("dobj", "nsubjpass", "auxpass") for c in head.children)


def _looks_past(verb: Token, lemma: Callable[[str, str], str]) -> bool:
    """A past-tense form the tagger took for an imperative: "Took a trip to Rome"."""
    lower: str = verb.lower_
    return bool(verb.tag_ == "VB" and lemma(lower, "VBD") != lower)


def _unasserted(verb: Token, children: list[Token]) -> bool:
    """A clause that asserts nothing: a purpose ("called agents to find a flat", "went out to
    buy milk"), an instruction ("how to style it") or an event still to come ("hitting the
    beach next month")."""
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in children)
    if (
        infinitive
        and verb.head.lower_ not in _SWITCHING
        and (
            (verb.dep_ in ("advcl", "acl") and not any(c.dep_ in _SUBJECT_DEPS for c in children))
            or (verb.dep_ == "xcomp" and any(c.dep_ == "dobj" for c in verb.head.children))
            or any(c.dep_ == "advmod" and c.lower_ in _WH_WORDS for c in children)
        )
    ):
        return True
    if verb.tag_ in ("VBD", "VBN"):
        return False
    for child in children:
        if child.dep_ in ("npadvmod", "advmod", "tmod", "prep"):
            words = {t.lower_ for t in child.subtree}
            if words & _FUTURE_WORDS:
                return True
    return False


def _before_preposition(particle: Token) -> bool:
    """A particle the tagger read in "explored the coast up in Maine": after the object and
    before a preposition, an adverb of place ("signed up for" keeps its particle)."""
    doc = particle.doc
    following = doc[particle.i + 1] if particle.i + 1 < len(doc) else None
    after_object = any(c.dep_ == "dobj" and c.i < particle.i for c in particle.head.children)
    return after_object and following is not None and following.dep_ == "prep"


def _prep_head(obj: Token) -> Token:
    """The word a prepositional object hangs from: "with" -> its verb."""
    while obj.dep_ == "conj" and obj.head.i != obj.i:
        obj = obj.head  # "with the renovation and Omar"
    prep = obj.head
    return prep.head if prep.dep_ in ("prep", "agent", "dative") else prep


def _is_passive(verb: Token) -> bool:
    return verb.tag_ == "VBN" and any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)


def _has_aux(verb: Token, lemma: Callable[[str, str], str], word: str) -> bool:
    return any(c.dep_ == "aux" and lemma(c.lower_, c.tag_) == word for c in verb.children)


def clause_span(verb: Token, children: list[Token]) -> tuple[int, int]:
    """Character range of ``verb`` with its dependents, leaving out coordinated clauses."""
    lo = verb.idx
    hi = lo + len(verb)
    for child in children:
        if child.dep_ in ("conj", "cc", "punct"):
            continue
        lo = min(lo, child.left_edge.idx)
        right = child.right_edge
        hi = max(hi, right.idx + len(right))
    return lo, hi


def _with_conjuncts(token: Token) -> Iterator[Token]:
    """``token`` and the tokens coordinated with it ("jazz and blues")."""
    yield token
    for child in token.children:
        if child.dep_ == "conj":
            yield from _with_conjuncts(child)


def _modifier_words(child: Token) -> list[Token]:
    """A noun modifier with the words that belong to it: the whole name it is part of
    ("Harry Potter conference", not "Potter conference"; "The Lord of the Rings trilogy"), or
    its own compounds ("dog owners group", not "owners group")."""
    doc = child.doc
    for ent in doc.ents:
        if ent.start <= child.i < ent.end and ent.end <= child.head.i:
            start = ent.start + (doc[ent.start].lower_ in ("the", "a", "an"))
            return [
                doc[i]
                for i in range(start, ent.end)
                if doc[i].is_alpha or doc[i].text[:1].isalnum()
            ]
    chain = [child]
    for inner in reversed(list(child.lefts)):
        if inner.dep_ not in ("compound", "nmod") or inner.i != chain[0].i - 1:
            break
        chain.insert(0, inner)
    return chain


def _glued_name(tokens: list[Token]) -> str:
    """The words of a name, each with the tokens written onto it: "dairy-free cake" rather
    than "free cake", "5K run" rather than "K run"."""
    doc = tokens[0].doc
    parts: list[str] = []
    covered = -1
    for token in tokens:
        if token.i <= covered:
            continue
        lo = hi = token.i
        while lo > 0 and _glue(doc[lo - 1], doc[lo]):
            lo -= 1
        while hi + 1 < len(doc) and _glue(doc[hi], doc[hi + 1]):
            hi += 1
        while lo < hi and not doc[lo].text.isalnum():  # no leading or trailing hyphen
            lo += 1
        while hi > lo and not doc[hi].text.isalnum():
            hi -= 1
        covered = max(covered, hi)
        chunk = [doc[i] for i in range(lo, hi + 1)]
        if any(t.text.isdigit() for t in chunk):  # "5K", "10K": as written
            parts.append("".join(t.text for t in chunk))
        else:
            parts.append("".join(_word(t) for t in chunk).strip("-‐"))
    return " ".join(parts).strip()


def _glue(left: Token, right: Token) -> bool:
    """Whether ``left`` and ``right`` are written as one word: no space between, and both a
    word or a hyphen ("dairy-free", "5K", "self-care"), not a clitic ("Ann's")."""
    if left.whitespace_:
        return False
    return all(t.text.isalnum() or t.text in ("-", "‐") for t in (left, right)) and not (
        right.lower_.startswith("'") or right.lower_.startswith("’")
    )


def _word(token: Token) -> str:
    """The form of a word inside an entity name: proper nouns and acronyms keep their case."""
    text: str = token.text
    if token.tag_ in _PROPER_TAGS or (text.isupper() and len(text) > 1):
        return text
    if text[:1].isupper() and token.i != token.sent.start and token.tag_ in ("NN", "NNS"):
        return text  # "shifts at a Waitrose": a name the tagger read as a common noun
    return text.lower()
