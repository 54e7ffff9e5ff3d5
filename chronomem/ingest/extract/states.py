"""State statements: the vocabulary's frames applied to one parsed sentence.

A *frame* (see :mod:`chronomem.language.vocabulary`) names a verb, where its value sits and the
relation it starts or ends: "moved to Denver" starts ``LIVES_IN Denver``, "got let go from
Deloitte" ends ``WORKS_AT Deloitte``, "sold the Mazda" ends whatever the holder had to do with
the Mazda. The small English model often attaches a preposition to the wrong word, so a
clause's values are read twice: from the dependency tree and from the words that follow the
verb up to the end of its clause; both count.

Polarity comes from the clause: a negation with "anymore"/"no longer" or "used to" ends the
state; "never" (and a negation in a sentence that corrects itself) retracts it; a modal, a
condition or a wish ("I want to move to Rome") says nothing yet.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from chronomem.ingest.extract.clauses import (
    ANIMAL,
    CONCEPT,
    PERSON,
    RawFact,
    Ref,
    SentenceReader,
    clause_span,
    denied,
    period_over,
    used_to,
)
from chronomem.ingest.extract.ner_gate import INTERJECTIONS
from chronomem.ingest.extract.protocol import ANY_RELATION, EntityMention
from chronomem.ingest.extract.relations import relation_name
from chronomem.language import cues
from chronomem.language.vocabulary import Frame, Vocabulary, gerund_of

__all__ = ["StateReader"]

Token = Any  # spacy.tokens.Token

_SKIP_BEFORE_VALUE: Final = frozenset({"DT", "PRP$", "JJ", "JJR", "JJS", "CD", "POS", "RB", "HYPH",
                                       "UH", "PDT", "VBN", "VBG", "``", "''"})  # fmt: skip
_NOMINAL: Final = frozenset({"NN", "NNS", "NNP", "NNPS"})
_ARTICLES: Final = frozenset({"a", "an", "the"})
_PARTNER_WORDS: Final = frozenset({"girlfriend", "boyfriend", "partner", "gf", "bf"})
_PERIOD_STATES: Final = frozenset({"live", "work", "study", "attend", "be"})
_NAMED_TYPES: Final = frozenset({"Place", "Organization", "Product"})
_HEDGES: Final = frozenset({"maybe", "perhaps", "possibly", "probably", "eventually", "someday"})
_STOP_VERBS: Final = frozenset({"stop", "quit", "give", "cease", "kick", "drop"})
_NOT_VALUES: Final = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT",
                                "MONEY"})  # fmt: skip
_ROLE_VERBS: Final = frozenset({"head", "lead", "manage", "direct", "chair"})  # "to head chef"
_PARTICLES: Final = frozenset({"up", "down", "off", "out", "away", "back", "home", "in", "over",
                               "on", "go", "rid", "into"})  # fmt: skip
# "in my second year at McGill", "freshman year at Tsinghua": a year of school
_SCHOOL_YEARS: Final = frozenset({"freshman", "sophomore", "junior", "senior", "final"})
_ORDINAL_YEARS: Final = frozenset({"first", "second", "third", "fourth", "fifth", "sixth", "1st",
                                   "2nd", "3rd", "4th", "5th", "6th"})  # fmt: skip
_PERIOD_NOUNS: Final = frozenset({"day", "week", "month", "shift", "year", "semester", "term"})
_TAKERS: Final = frozenset({"steal", "nick", "pinch", "swipe", "take"})
_THIEVES: Final = frozenset({"thief", "thieves", "they", "somebody", "someone"})
_CONTINUING: Final = frozenset({"transfer", "switch"})  # to another value of the same slot
_OFFER_VERBS: Final = frozenset({"take", "accept", "sign"})  # "took the CD Projekt offer"
_BOUNDARY_WORDS: Final = frozenset({"and", "but", "so", "because", "cause", "though", "although",
                                    "while", "when", "which", "who", "since", "until", "til",
                                    "after", "before"})  # fmt: skip
_ENDING_ADVERBS: Final = frozenset({"anymore", "longer"})
_CAUSATIVES: Final = frozenset({"make", "name", "appoint", "promote", "elect", "bump", "hire"})
_REPORTING: Final = frozenset({
    "think", "believe", "say", "know", "want", "plan", "expect", "guess", "reckon", "hope",
    "feel", "mean", "intend", "suppose", "imagine", "remember", "recall", "tell", "hear",
})  # fmt: skip
_SOMEONE: Final = frozenset({"someone", "somebody"})
_PLACEHOLDER_NOUN: Final = {"PARTNER_OF": "partner", "MARRIED_TO": "spouse", "ENGAGED_TO": "fiancé"}
_FAVOURITE: Final = frozenset({"favorite", "favourite", "fave", "fav"})
_MODALS: Final = cues.MODALS - {"can", "ca"}  # "I can speak Japanese" is a state
_CONDITIONAL: Final = frozenset({"if", "unless", "whether"})
_NAMED_ENTS: Final = frozenset({"GPE", "LOC", "FAC", "ORG", "PERSON"})
_DURATION_UNITS: Final = frozenset({
    "year", "years", "month", "months", "week", "weeks", "decade", "decades", "day", "days",
})  # fmt: skip
# The links a plan's verb hangs under "going to" by: "gonna take a shot at starting a business".
_PLAN_PATH: Final = frozenset({"xcomp", "pcomp", "pobj", "prep", "dobj", "conj", "advcl"})
_WISHES: Final = frozenset({
    "want", "hope", "wish", "plan", "try", "need", "intend", "dream", "consider", "think",
    "wonder", "expect", "mean", "would", "wanna", "like", "love", "hate", "refuse", "afford",
    "should", "could",
})  # fmt: skip
_FIRST_PERSON: Final = frozenset({"i", "me", "we", "us", "myself"})
# a couple that is over, said of "we" or "X and I"
_COUPLE_ENDINGS: Final = (
    "are done", "'re done", "re done", "are over", "'re over", "called it quits",
    "call it quits", "calling it quits", "are through", "'re through", "are finished",
    "'re finished", "went our separate ways", "parted ways", "not together anymore",
    "no longer together", "not together any more", "split up", "broke up", "broken up",
)  # fmt: skip
_FRAGMENT_FILLER: Final = frozenset({"officially", "now", "finally", "new"})
_NEGATORS: Final = frozenset({"not", "n't", "never", "no", "nt", "neither", "nor", "nope", "'t"})
_SECOND_PERSON: Final = frozenset({"you", "u", "ya"})


# Objects of idioms of a thing's end ("gave up the ghost", "bit the dust", "kicked the
# bucket"): never a value of their verb.
_IDIOM_OBJECTS: Final = frozenset({"ghost", "dust", "bucket"})
# Where a role word the tagger took for a number or a verb is still a title ("promoted to
# dispatcher", "promoted to supervisor").
_TITLE_VIAS: Final = frozenset({"to", "as", "xcomp", "attr", "oprd"})
# A value said with what one has of it: "cello lessons", "my FitVerde membership".
_WHAT_ONE_HAS_OF: Final = frozenset({"lesson", "lessons", "membership", "subscription"})
# The relations of a couple.
_COUPLE: Final = frozenset({"PARTNER_OF", "ENGAGED_TO", "MARRIED_TO"})
# Verbs that start a habit said as a gerund ("took up running").
_TAKE_UP: Final = frozenset({"take up", "pick up", "start", "begin", "get into"})


@dataclass(frozen=True, slots=True)
class _Value:
    ref: Ref
    token: Token
    via: str
    pronoun: bool = False  # named by "it", resolved to the thing said before


class StateReader:
    """Finds the vocabulary's state statements in a sentence (see the module docstring)."""

    __slots__ = ("_known_word", "_reader", "_students", "_vocabulary")

    def __init__(
        self,
        reader: SentenceReader,
        vocabulary: Vocabulary,
        known_word: Callable[[str], bool] = lambda word: True,
        students: Collection[str] = (),
    ) -> None:
        self._reader = reader
        self._vocabulary = vocabulary
        self._known_word = known_word  # whether a lower-case word is English
        self._students = students  # people this conversation said study somewhere

    def read(self, tokens: Sequence[Token], *, question: bool, retraction: bool) -> list[RawFact]:
        """The state facts of one sentence (none for a question)."""
        if question:
            return []
        found: list[RawFact] = []
        for token in tokens:
            if (
                (token.tag_.startswith("VB") and token.dep_ not in ("aux", "auxpass"))
                or self._initial_past(token, tokens)
                or _participle_as_adjective(token)
            ) and not (token.dep_ == "acl" and token.lower_ in ("called", "named")):
                said = list(self._verb(token, tokens, retraction=retraction))
                if not said and self._polarity(token, retraction) == "start":
                    said = list(self._deictic_home(token, tokens))
                    said += self._place_remembered(token)
                    said += self._asked_to_be(token, tokens)
                found.extend(said)
            elif token.tag_ in ("NN", "NNS") and (
                token.dep_ in ("ROOT", "nsubj", "attr", "npadvmod")
                or self._reader.lemma(token) in _PERIOD_NOUNS
            ):
                found.extend(self._noun(token, tokens, retraction=retraction))
            elif token.tag_ == "NN" and self._reader.lemma(token) == "offer":
                found.extend(self._offer(token, polarity=self._polarity(token.head, retraction)))
            elif token.lower_ == "home" and self._reader.lemma(token.head) == "be":
                found.extend(self._home(token))
            if token.tag_.startswith("VB") and token.dep_ in ("ROOT", "ccomp", "conj"):
                found.extend(self._where_home(token))
            if token.tag_ == "NN" and "home" in self._vocabulary.categories_of([token.lower_]):
                found.extend(self._own_home_in(token))  # "the keys to our place in Lima"
        found.extend(self._where_now(tokens))
        found.extend(self._back_from(tokens))
        found.extend(self._habit_fragment(tokens))
        found.extend(self._labelled(tokens))
        found.extend(self._couple(tokens, found))
        return _one_per_slot(found, self._vocabulary)

    def _asked_to_be(self, verb: Token, tokens: Sequence[Token]) -> list[RawFact]:
        """ "Selin asked me to be her girlfriend and I said yes", "I asked him to be my
        boyfriend!": a couple starts between the one who asked and the one asked, unless the
        answer was no."""
        if self._lemma_of_verb(verb) != "ask" or any(
            t.lower_ in ("no", "not", "n't", "down", "declined", "maybe")
            for t in verb.doc[verb.i :]
        ):
            return []  # (the answer may be a sentence of its own: "... but I said no")
        asked = next((c for c in verb.children if c.dep_ in ("dobj", "dative")), None)
        asker = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        role = next(
            (
                attr
                for x in verb.children
                if x.dep_ == "xcomp" and self._reader.lemma(x) == "be"
                for attr in x.children
                if attr.dep_ == "attr" and attr.lower_ in _PARTNER_WORDS
            ),
            None,
        )
        if asked is None or asker is None or role is None:
            return []
        people: list[Ref] = []
        for token in (asker, asked):
            ref = self._reader.ref(token)
            if ref is None or self._fits(_Value(ref, token, "subj"), (PERSON,), coerce=False) != (
                PERSON
            ):
                return []
            if ref.mention.label != PERSON:  # a first name NER typed as a place
                ref = Ref(EntityMention(ref.mention.name, PERSON), ref.weight)
            people.append(ref)
        first, second = people
        holder, other = (second, first) if second.mention.is_speaker else (first, second)
        span = clause_span(verb, list(verb.children))
        return [RawFact(holder.mention, "PARTNER_OF", other.mention, 0.75, span)]

    def _deictic_home(self, verb: Token, tokens: Sequence[Token]) -> Iterator[RawFact]:
        """ "Denver's been good to me, six years living here", "it's in Ballard, moved in last
        weekend": a home said without its name is the one place the sentence names."""
        lemma = self._lemma_of_verb(verb)
        children = list(verb.children)
        here = lemma in ("live", "settle") and any(c.lower_ in ("here", "there") for c in children)
        moved_in = lemma == "move" and any(
            c.lower_ == "in" and not any(g.dep_ == "pobj" for g in c.children) for c in children
        )
        speaker = self._reader.refs.speaker
        if not (here or moved_in) or speaker is None:
            return
        holders = [h for h in self._reader.subjects(verb) if h.mention.label == PERSON]
        if any(c.dep_ in ("nsubj", "nsubjpass") for c in children) and not holders:
            return  # "the office moved in": not a person
        entities = self._reader.refs.entities
        places = {
            entities[t.i].name for t in tokens if t.i in entities and entities[t.i].label == "Place"
        }
        if not places:  # "it's in Ballard" with Ballard typed as an organisation
            places = {
                entities[t.i].name
                for t in tokens
                if t.i in entities
                and t.dep_ == "pobj"
                and t.head.lower_ == "in"
                and t.tag_ in ("NNP", "NNPS")
                and not self._is_participant(entities[t.i])
                and entities[t.i].label != PERSON
            }
        if len(places) != 1:
            return
        place = EntityMention(places.pop(), "Place")
        for holder in holders[:1] or [Ref(speaker, 0.6)]:
            yield RawFact(holder.mention, "LIVES_IN", place, 0.7, clause_span(verb, children))

    def _place_remembered(self, verb: Token) -> list[RawFact]:
        """ "Vietnam last month was incredible", "Japan was amazing": a country or city the
        speaker speaks of in the past as an experience is a place they visited."""
        speaker = self._reader.refs.speaker
        if (
            speaker is None
            or self._lemma_of_verb(verb) != "be"
            or verb.tag_ != "VBD"
            or not any(c.dep_ in ("acomp", "attr") and c.tag_ == "JJ" for c in verb.children)
        ):
            return []
        entities = self._reader.refs.entities
        for child in verb.children:
            if child.dep_ == "nsubj" and child.i in entities:
                mention = entities[child.i]
                if mention.label == "Place" and child.ent_type_ in ("GPE", "LOC"):
                    span = clause_span(verb, list(verb.children))
                    return [RawFact(speaker, "VISITED", mention, 0.6, span)]
        return []

    def _offer(self, offer: Token, *, polarity: str | None) -> Iterator[RawFact]:
        """ "Took the CD Projekt offer", "accepted an offer from Stripe": a job at the
        organisation that made the offer starts."""
        verb = offer.head
        if (
            polarity != "start"
            or offer.dep_ != "dobj"
            or self._lemma_of_verb(verb) not in _OFFER_VERBS
        ):
            return
        holders = [h for h in self._holders(verb) if h.mention.label == PERSON]
        named = [
            t
            for t in offer.children
            if t.dep_ in ("compound", "poss") and t.tag_ in ("NNP", "NNPS")
        ]
        named += [
            pobj
            for prep in offer.children
            if prep.dep_ == "prep" and prep.lower_ in ("from", "at", "with")
            for pobj in prep.children
            if pobj.dep_ == "pobj" and pobj.tag_ in ("NNP", "NNPS")
        ]
        for token in named[:1]:
            ref = self._reader.object_ref(token)
            if ref is None or ref.mention.label == PERSON or self._is_participant(ref.mention):
                continue
            mention = EntityMention(self._entity_name(token, ref.mention), "Organization")
            for holder in holders[:1]:
                yield RawFact(
                    holder.mention, "WORKS_AT", mention, 0.75,
                    clause_span(verb, list(verb.children)),
                )  # fmt: skip

    def _entity_name(self, token: Token, found: EntityMention) -> str:
        """The whole name a token is part of ("CD Projekt" for "CD" of "the CD Projekt offer")."""
        if found.label != CONCEPT:
            return found.name
        words = [t for t in token.doc[token.left_edge.i : token.i + 1] if t.tag_ in ("NNP", "NNPS")]
        right = token.i + 1
        while right < len(token.doc) and token.doc[right].tag_ in ("NNP", "NNPS"):
            words.append(token.doc[right])
            right += 1
        return " ".join(t.text for t in words) or found.name

    def _home(self, home: Token) -> Iterator[RawFact]:
        """ "Monterrey has been home for six years", "Halifax is home", "Home is Kuala Lumpur
        for now": the speaker lives in the name on the other side of "be" from "home"."""
        speaker = self._reader.refs.speaker
        verb = home.head
        if speaker is None or self._reader.lemma(verb) != "be":
            return
        if home.dep_ in ("attr", "advmod", "acomp"):
            sides = [c for c in verb.children if c.dep_ == "nsubj"]
        elif home.dep_ == "nsubj" and not any(c.dep_ == "poss" for c in home.children):
            sides = [c for c in verb.children if c.dep_ == "attr"]  # not "her home is Bonn"
        else:
            return
        for side in sides:
            place = self._home_place(side)
            if place is not None:
                yield RawFact(
                    speaker, "LIVES_IN", place, 0.8, clause_span(verb, list(verb.children))
                )

    def _own_home_in(self, noun: Token) -> Iterator[RawFact]:
        """ "My flat in Utrecht is tiny", "got the keys to our place in Montevideo": the
        speaker's own home somewhere is where the speaker lives (not "my parents' house")."""
        speaker = self._reader.refs.speaker
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        if speaker is None or owner is None or owner.lower_ not in ("my", "our"):
            return
        if self._planned(noun.head) or any(c.dep_ == "neg" for c in noun.head.children):
            return
        for prep in noun.children:
            if prep.dep_ != "prep" or prep.lower_ != "in":
                continue
            for pobj in prep.children:
                place = self._home_place(pobj) if pobj.dep_ == "pobj" else None
                if place is not None:
                    yield RawFact(speaker, "LIVES_IN", place, 0.7, clause_span(noun, [prep]))

    def _home_place(self, token: Token) -> EntityMention | None:
        """The place a name said to be someone's home stands for (a name the tagger took for an
        organisation or a concept is a place here), or None for a participant or no name."""
        if token.tag_ not in ("NNP", "NNPS"):
            initial = token.i == token.sent.start
            if not (token.tag_ == "NN" and token.text[:1].isupper()) or (
                initial and self._known_word(token.lower_)
            ):
                return None
            # "These days Innsbruck is where I call home": a name the tagger read as a noun
            return EntityMention(token.text, "Place")
        ref = self._reader.ref(token)
        if ref is None and token.ent_type_ in ("DATE", "TIME") and token.text[:1].isupper():
            if token.lower_ in cues.CALENDAR_WORDS:  # "our place in Montevideo yesterday",
                return None  # read as one date
            return EntityMention(token.text, "Place")
        if ref is None or ref.mention.label not in ("Place", "Organization", PERSON, CONCEPT):
            return None
        if ref.mention.label == PERSON and self._is_participant(ref.mention):
            return None
        return EntityMention(ref.mention.name, "Place")

    def _where_home(self, verb: Token) -> Iterator[RawFact]:
        """ "Belfast is where I call home now", "Leeds is where we live": the speaker (or the
        first person plural) lives in the subject of "be"."""
        speaker = self._reader.refs.speaker
        if speaker is None or self._reader.lemma(verb) != "be":
            return
        for clause in verb.children:
            if clause.dep_ not in ("advcl", "relcl", "ccomp", "attr") or not any(
                c.dep_ == "advmod" and c.lower_ == "where" for c in clause.children
            ):
                continue
            lemma = self._reader.lemma(clause)
            calls_home = lemma == "call" and any(c.lower_ == "home" for c in clause.children)
            if not (calls_home or lemma in ("live", "stay", "reside", "base", "settle")):
                continue
            subjects = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
            if not any(c.lower_ in ("i", "we") for c in subjects):
                continue
            for side in verb.children:
                place = self._home_place(side) if side.dep_ == "nsubj" else None
                if place is not None:
                    yield RawFact(
                        speaker, "LIVES_IN", place, 0.8, clause_span(verb, list(verb.children))
                    )

    def _where_now(self, tokens: Sequence[Token]) -> Iterator[RawFact]:
        """ "Still in Detroit", "Back in Leeds now": a sentence without a verb that places
        the speaker somewhere they stay."""
        speaker = self._reader.refs.speaker
        words = [t for t in tokens if not t.is_punct]
        if (
            speaker is None
            or len(words) < 3
            or words[0].lower_ not in ("still", "now", "currently", "back", "finally")
            or words[1].lower_ not in ("in", "at")
            or not _verbless(words)
        ):
            return
        ref = self._reader.object_ref(words[2]) if words[2].tag_ in ("NNP", "NNPS") else None
        if ref is None:
            return
        end = words[2]
        while end.i + 1 < len(end.doc) and end.doc[end.i + 1].ent_iob_ == "I":
            end = end.doc[end.i + 1]
        mention = self._reader.refs.entities.get(end.i, ref.mention)
        last = tokens[-1]
        span = (tokens[0].idx, last.idx + len(last))
        if words[1].lower_ == "at":  # "Still at Ubisoft Montréal, crunch season again"
            if mention.label in ("Organization", CONCEPT) and not self._is_participant(mention):
                employer = EntityMention(self._entity_name(words[2], mention), "Organization")
                yield RawFact(speaker, "WORKS_AT", employer, 0.7, span)
        elif mention.label == "Place":
            yield RawFact(speaker, "LIVES_IN", mention, 0.7, span)

    def _back_from(self, tokens: Sequence[Token]) -> Iterator[RawFact]:
        """ "Just back from Kraków", "Back from two weeks in Vietnam!": a sentence without a
        verb saying the speaker is back from a place is a visit there."""
        speaker = self._reader.refs.speaker
        words = [t for t in tokens if not t.is_punct]
        start = 1 if words and words[0].lower_ in ("just", "finally", "only") else 0
        if (
            speaker is None
            or len(words) < start + 3
            or [t.lower_ for t in words[start : start + 2]] != ["back", "from"]
        ):
            return
        clause = []
        for token in (t for t in tokens if t.i > words[start + 1].i):
            if token.is_punct or token.tag_.startswith("VB"):
                break
            clause.append(token)
        entities = self._reader.refs.entities
        for token in clause:
            mention = entities.get(token.i)
            if mention is None or token.tag_ not in ("NNP", "NNPS"):
                continue
            if mention.label == PERSON and self._is_participant(mention):
                continue
            if mention.label in ("Place", PERSON, CONCEPT, "Organization"):
                last = clause[-1]
                place = EntityMention(mention.name, "Place")
                yield RawFact(speaker, "VISITED", place, 0.7, (tokens[0].idx, last.idx + len(last)))
                return

    def _couple(self, tokens: Sequence[Token], found: list[RawFact]) -> Iterator[RawFact]:
        """The speaker and one other person as a couple, said of "we" or "X and I": "kofi and i
        are done", "deniz and i called it quits", "we split up" (an ending: of that person, or
        of whoever the speaker is with); "his name is Emeka and we've been dating since" (a
        start with the one person the sentence names)."""
        speaker = self._reader.refs.speaker
        if speaker is None or any(
            f.relation in ("PARTNER_OF", "MARRIED_TO", "ENGAGED_TO") for f in found
        ):
            return
        lowered = " ".join(t.lower_ for t in tokens)
        words = {t.lower_ for t in tokens}
        we = bool(words & {"we", "i", "me"}) and bool(words & {"we", "and", "us"})
        if not we:
            return
        entities = self._reader.refs.entities
        turn = tokens[0].doc[: tokens[-1].i + 1]  # this sentence and the turn's before it
        others = {
            entities[t.i].name: entities[t.i]
            for t in turn
            if t.i in entities
            and entities[t.i].label == PERSON
            and not entities[t.i].is_speaker
            and not self._is_participant(entities[t.i])
        }
        other = next(iter(others.values())) if len(others) == 1 else None
        span = (tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
        if any(phrase in lowered for phrase in _COUPLE_ENDINGS):
            if other is not None:
                yield RawFact(speaker, "PARTNER_OF", other, 0.7, span, ends=True, scope="object")
            elif "we" in words or "us" in words:
                placeholder = EntityMention("partner_of", CONCEPT)
                yield RawFact(
                    speaker, "PARTNER_OF", placeholder, 0.6, span, ends=True, scope="slot"
                )
            return
        dating = any(self._reader.lemma(t) in ("date", "see") and t.tag_ == "VBG" for t in tokens)
        if other is None or "we" not in words or words & _NEGATORS:
            return
        if dating:
            yield RawFact(speaker, "PARTNER_OF", other, 0.6, span)
        elif "engaged" in words:  # "Pieter-Jan proposed last night!!! we're engaged"
            yield RawFact(speaker, "ENGAGED_TO", other, 0.7, span)
        elif "married" in words and not words & {"getting", "marry", "will", "gonna"}:
            yield RawFact(speaker, "MARRIED_TO", other, 0.7, span)

    def _labelled(self, tokens: Sequence[Token]) -> Iterator[RawFact]:
        """ "New home: Taipei", "new title: site reliability engineer", "ok new favourite food:
        ramen", "new job: barista at Ritual": a short label naming one of the speaker's states,
        a colon, and its value (up to the next punctuation or emoji)."""
        speaker = self._reader.refs.speaker
        colon = next((t for t in tokens if t.text == ":"), None)
        if speaker is None or colon is None:
            return
        label = [t for t in tokens if t.i < colon.i and not t.is_punct and t.tag_ != "UH"]
        while label and label[-1].tag_ in ("VBN", "VBD", "JJ") and len(label) > 1:
            label = label[:-1]  # "new favourite food unlocked:"
        if not label or len(label) > 4 or any(t.tag_.startswith("VB") for t in label[:-1]):
            return
        words = [t.lower_ for t in label]
        if not ({"new", "current", "my"} & set(words) or set(words) & _FAVOURITE):
            return
        run: list[Token] = []
        for token in colon.doc[colon.i + 1 :]:  # the value may be parsed as the next sentence
            if token.is_punct or not (token.is_alpha or token.like_num or "-" in token.text):
                break
            run.append(token)
        cut = next((i for i, t in enumerate(run) if t.tag_ == "IN"), len(run))
        value, rest = run[:cut], run[cut:]
        while value and value[0].tag_ in ("DT", "PRP$"):
            value = value[1:]
        if not value or len(value) > 5:
            return
        key = self._reader.lemma_of(words[-1], "NN")
        span = (tokens[0].idx, run[-1].idx + len(run[-1]))
        head = value[-1].lower_
        found: list[tuple[str, EntityMention]] = []
        if set(words) & _FAVOURITE:
            relation = self._vocabulary.favourites.get(key)
            if relation is not None:
                found.append((relation, EntityMention(" ".join(t.text for t in value), CONCEPT)))
        elif key in ("home", "address", "city", "place"):
            ref = self._reader.object_ref(value[-1])
            if ref is not None and value[-1].tag_ in ("NNP", "NNPS"):
                found.append(("LIVES_IN", EntityMention(ref.mention.name, "Place")))
        elif key in ("title", "role", "position", "job") and head in self._vocabulary.roles:
            title = " ".join(t.lower_ for t in value)
            found.append(("HAS_JOB_TITLE", EntityMention(title, CONCEPT)))
            if len(rest) > 1 and rest[0].lower_ in ("at", "with", "for"):
                ref = self._reader.object_ref(rest[1])
                if ref is not None and rest[1].tag_ in ("NNP", "NNPS"):
                    found.append(("WORKS_AT", EntityMention(ref.mention.name, "Organization")))
        elif key in ("job", "employer", "gig", "workplace") and value[0].tag_ in ("NNP", "NNPS"):
            ref = self._reader.object_ref(value[-1])
            if ref is not None:
                found.append(("WORKS_AT", EntityMention(ref.mention.name, "Organization")))
        else:
            for category in sorted(self._vocabulary.categories_of([key])):
                relation = self._vocabulary.categories[category][0]
                found.append((relation, EntityMention(" ".join(t.text for t in value), CONCEPT)))
                break
        for relation, mention in found:
            yield RawFact(speaker, relation, mention, 0.7, span)

    # -- verbs ----------------------------------------------------------------------------------

    def _initial_past(self, token: Token, tokens: Sequence[Token]) -> bool:
        """A capitalised past-tense verb opening a sentence that the tagger took for a name
        ("Got a flat in Leeds", "Moved home to Cork")."""
        if token.i != tokens[0].i or token.tag_ not in ("NNP", "NN", "JJ") or token.ent_type_:
            return False
        lower = token.lower_
        if lower in _STOP_VERBS:
            return True
        return bool(
            self._reader.lemma_of(lower, "VBD") != lower
            and lower.endswith(
                ("ed", "ot", "ft", "ld", "ook", "ught", "ew", "ent", "oke", "an", "ame", "ove")
            )
        )

    def _verb(self, verb: Token, tokens: Sequence[Token], *, retraction: bool) -> Iterator[RawFact]:
        polarity = self._polarity(verb, retraction)
        if polarity is None:
            return
        window = _clause(verb, tokens)
        common = [t for t in tokens if t.tag_ not in ("NNP", "NNPS")]  # not "Home Depot"
        words = {t.lower_ for t in common} | {self._reader.lemma(t) for t in common}
        # an ending's needed word is in its own clause ("gave the dog to my aunt"; not "give
        # the turtles a bath ... ready to play")
        clause_words = {t.lower_ for t in window if t.tag_ not in ("NNP", "NNPS")} | {
            self._reader.lemma(t) for t in window if t.tag_ not in ("NNP", "NNPS")
        }
        keys = self._keys(verb, window)
        holders = self._holders(verb)
        if not holders:
            return
        if self._for_a_field(tokens):
            words.add("student")  # "Mateo's at Stanford for engineering"
        values = self._values(verb, window)
        mutual = self._each_other(verb, tokens)
        if mutual is not None:  # "Magnus and I stopped seeing each other"
            holders, values = mutual
        span = clause_span(verb, list(verb.children))
        excluded: set[str] = set()
        if any(v.via == "attr" for v in values):  # "I'm a nurse in the ER": where the job is
            excluded.add("VISITED")
        if self._lemma_of_verb(verb) in _CONTINUING and any(
            h.mention.name in self._students for h in holders
        ):  # "Mateo transferred to Berkeley" of a student: another school, not a move
            words.add("student")
            excluded |= {"LIVES_IN", "WORKS_AT"}
        study = self._vocabulary.categories["study"][1]
        if any(c.dep_ == "dobj" and c.lower_ in study for c in verb.children):
            words.add("student")  # "started my MSc at Aberdeen", "moved my PhD to Uppsala":
            excluded |= {"LIVES_IN", "WORKS_AT"}  # a school, not a job or a home
        frames = [
            frame
            for key in keys
            for frame in self._vocabulary.frames_for(key)
            if (
                not frame.needs
                or (clause_words if frame.effect == "end" else words) & set(frame.needs)
            )
            and frame.relation not in excluded
            and (frame.aspect != "progressive" or verb.tag_ == "VBG")
        ]
        facts = [
            fact for frame in frames for fact in self._apply(frame, holders, values, polarity, span)
        ]
        # A name the model typed wrongly is re-typed only where no frame took it as it is.
        taken = {f.object.name for f in facts}
        left = [v for v in values if v.ref.mention.name not in taken]
        if left:
            facts += [
                fact
                for frame in frames
                for fact in self._apply(frame, holders, left, polarity, span, coerce=True)
            ]
        spoken = {f.object.name for f in facts if f.relation == "SPEAKS"}
        if spoken:  # "fluent in Greek now": a language, not a place one lives in or went to
            facts = [f for f in facts if f.relation == "SPEAKS" or f.object.name not in spoken]
        if facts and polarity == "start" and verb.tag_ == "VBD":
            # "when I took French in high school": a school said without its name in the past
            # tense is a period of one's life that is over
            facts = [
                replace(f, ends=True, scope="object")
                if f.relation == "STUDIES_AT"
                and f.object.label == CONCEPT
                and _said_as_a_period(verb, f.object.name)
                else f
                for f in facts
            ]
        if facts:
            yield from facts
            return
        for key in keys:
            for ending in self._vocabulary.slot_endings_for(key):
                if polarity == "retract":
                    continue
                if ending.needs and not (words & set(ending.needs)):
                    continue
                if any(
                    c.dep_ == "dobj"
                    and self._reader.lemma(c) not in ending.needs
                    and c.tag_ in _NOMINAL
                    and c.i not in self._reader.refs.entities
                    for c in verb.children
                ):
                    continue  # "we called off the trip", "dumped the old sofa": that ended
                for holder in holders:
                    if holder.mention.label != PERSON:
                        continue
                    placeholder = EntityMention(ending.relation.lower(), CONCEPT)
                    yield RawFact(
                        holder.mention, ending.relation, placeholder, 0.8 * holder.weight, span,
                        ends=True, scope="slot",
                    )  # fmt: skip
                return
        if polarity == "start":
            yield from self._habit(verb, holders, span)
            yield from self._taken_up(verb, keys, holders, span)
        if polarity in ("end", "retract"):
            yield from self._unframed(verb, holders, values, polarity, span)
        elif polarity == "start" and self._lemma_of_verb(verb) in _STOP_VERBS:
            yield from self._unframed(verb, holders, [], "end", span)  # "Quit smoking!"

    def _each_other(
        self, verb: Token, tokens: Sequence[Token]
    ) -> tuple[list[Ref], list[_Value]] | None:
        """ "Magnus and I stopped seeing each other", "we split up, Tom and I": with "each
        other" as the verb's object, the speaker and the one other person the sentence names
        are holder and value."""
        speaker = self._reader.refs.speaker
        other = next(
            (
                c
                for c in verb.children
                if c.dep_ in ("dobj", "pobj", "prep")
                and (c.lower_ == "other" or any(g.lower_ == "other" for g in c.children))
            ),
            None,
        )
        if speaker is None or other is None:
            return None
        entities = self._reader.refs.entities
        named = {
            entities[t.i].name: t
            for t in tokens
            if t.i in entities
            and entities[t.i].label == PERSON
            and not entities[t.i].is_speaker
            and t.dep_ in ("nsubj", "nsubjpass", "conj", "ROOT")
        }
        if len(named) != 1 or not any(t.lower_ in ("i", "we") for t in tokens):
            return None
        token = next(iter(named.values()))
        return [Ref(speaker)], [_Value(Ref(entities[token.i]), token, "dobj")]

    def _for_a_field(self, tokens: Sequence[Token]) -> bool:
        """Whether the sentence says "for <a field of study>" ("at Stanford for engineering")."""
        return any(
            t.dep_ == "pobj"
            and t.head.lower_ == "for"
            and "field" in self._vocabulary.categories_of([t.lower_, self._reader.lemma(t)])
            for t in tokens
        )

    def _habit(self, verb: Token, holders: list[Ref], span: tuple[int, int]) -> Iterator[RawFact]:
        """ "I smoke like a pack a day", "I cycle now": a habit said in the present tense,
        without an object, holds until it ends ("quit smoking", "I don't run anymore")."""
        lemma = self._lemma_of_verb(verb)
        present = verb.tag_ in ("VBP", "VBZ") or (verb.tag_ == "VBD" and verb.lower_ == lemma)
        if lemma not in self._vocabulary.habits or not present:  # "I knit", read as a past
            return
        if verb.dep_ == "relcl":
            return  # "the desserts I bake": about the desserts, not a habit said of oneself
        if any(
            c.dep_ in ("dobj", "aux", "auxpass", "xcomp")
            or (c.dep_ == "ccomp" and c.tag_.startswith("VB"))
            for c in verb.children
        ):
            return  # "I run marathons" is read as said; "I'll run" is no habit
        gerund = gerund_of(lemma)
        for holder in holders:
            if holder.mention.label == PERSON:
                yield RawFact(
                    holder.mention, relation_name(lemma), EntityMention(gerund, CONCEPT),
                    0.75 * holder.weight, span,
                )  # fmt: skip

    def _taken_up(
        self, verb: Token, keys: list[str], holders: list[Ref], span: tuple[int, int]
    ) -> Iterator[RawFact]:
        """ "Picked up bouldering too", "I took up running", "started swimming again": a habit
        of the vocabulary that starts (and holds until it ends, as one said in the present)."""
        if not _TAKE_UP & set(keys) or verb.tag_ == "VBG":
            return
        for child in verb.children:
            if child.dep_ not in ("xcomp", "dobj") or not self._activity_word(child):
                continue
            if any(c.dep_ == "dobj" for c in child.children):
                continue  # "started cooking dinner": one occasion, not a habit
            stem = child.lower_[:-3]  # the lemmatizer's "bouldere" for "bouldering"
            found = [self._reader.lemma_of(child.lower_, "VBG"), stem, stem + "e", stem[:-1]]
            activity = next((a for a in found if a in self._vocabulary.habits), None)
            if activity is None:
                continue
            for holder in holders:
                if holder.mention.label == PERSON:
                    yield RawFact(
                        holder.mention, relation_name(activity),
                        EntityMention(gerund_of(activity), CONCEPT), 0.75 * holder.weight, span,
                    )  # fmt: skip

    def _unframed(
        self,
        verb: Token,
        holders: list[Ref],
        values: list[_Value],
        polarity: str,
        span: tuple[int, int],
    ) -> Iterator[RawFact]:
        """An ending or retraction no frame knows ("I'm not in The Lorikeets anymore", "I quit
        smoking", "I never lived in Oslo"): whatever the holder had to do with each value the
        clause names ends (or is taken back); with no value, an activity said as a verb
        ("I don't run anymore", "stopped drinking") ends the facts named after that verb."""
        people = [h for h in holders if h.mention.label == PERSON]
        named = [v for v in values if v.via != "subj" and v.ref.mention.label != PERSON]
        # "I used to love the studio": a feeling ends, not owning or working at the studio
        feeling = cues.VERB_RELATIONS.get(self._lemma_of_verb(verb))
        if feeling not in ("LIKES", "DISLIKES"):
            feeling = None
        for holder in people:
            for value in named:
                yield RawFact(
                    holder.mention, feeling or ANY_RELATION, value.ref.mention,
                    0.8 * holder.weight, span, ends=polarity == "end",
                    retracts=polarity == "retract", scope="fact" if feeling else "object",
                )  # fmt: skip
            if named or polarity != "end":
                continue
            activity = self._activity(verb)
            if activity is not None and activity in self._vocabulary.habits:
                yield RawFact(  # "quit smoking": the habit itself, kept if it arrives first
                    holder.mention, relation_name(activity),
                    EntityMention(gerund_of(activity), CONCEPT), 0.75 * holder.weight, span,
                    ends=True, scope="object",
                )  # fmt: skip
                yield RawFact(  # "I don't run anymore": nor "I run marathons"
                    holder.mention, relation_name(activity), EntityMention(activity, CONCEPT),
                    0.75 * holder.weight, span, ends=True, scope="slot",
                )  # fmt: skip
            elif activity is not None:
                yield RawFact(
                    holder.mention, relation_name(activity), EntityMention(activity, CONCEPT),
                    0.75 * holder.weight, span, ends=True, scope="slot",
                )  # fmt: skip

    def _activity_word(self, token: Token) -> bool:
        """A gerund naming an activity ("smoking", "teaching"), whatever its tag."""
        lower = token.lower_
        if not lower.endswith("ing") or token.ent_type_ or token.tag_ in ("NNP", "NNPS"):
            return False
        return bool(token.tag_ == "VBG" or self._reader.lemma_of(lower, "VBG") != lower)

    def _lemma_of_verb(self, verb: Token) -> str:
        return self._reader.verb_lemma(verb)

    def _activity(self, verb: Token) -> str | None:
        """The verb an ending is about: "quit smoking" -> "smoke", "don't run anymore" -> "run"."""
        lemma = self._lemma_of_verb(verb)
        if lemma in _STOP_VERBS:
            for child in verb.children:
                if child.dep_ in ("xcomp", "dobj", "ccomp", "advcl") and child.tag_ == "VBG":
                    return self._reader.lemma(child)  # "gave up running (after the surgery)"
                if child.dep_ == "dobj" and child.tag_ == "NN" and child.lower_.endswith("ing"):
                    return self._reader.lemma_of(child.lower_, "VBG")  # "gave up cycling"
            following = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
            if following is not None and following.lower_.endswith("ing"):
                return self._reader.lemma_of(following.lower_, "VBG")  # "Quit smoking" as nouns
            return None
        if lemma in ("be", "have", "do", "get", "go"):
            return None
        return lemma

    def _apply(
        self,
        frame: Frame,
        holders: list[Ref],
        values: list[_Value],
        polarity: str,
        span: tuple[int, int],
        *,
        coerce: bool = False,
    ) -> Iterator[RawFact]:
        for value in values:
            if value.via not in frame.via:
                continue
            if value.pronoun and frame.effect != "end":
                continue  # "sold it" ends the thing said before; "love it" owns nothing
            if self._reader.lemma(value.token) in cues.JOB_NOUNS:
                continue  # "my job at Acme": the employer is Acme, not the job
            kin = cues.KINSHIP.get(self._reader.lemma(value.token))
            if frame.relation in _COUPLE and kin is not None and kin not in _COUPLE:
                continue  # "moved in with my parents", "back together with my mates": no couple
            if (
                frame.effect == "end" or polarity == "end" or frame.relation == "WORKS_AT"
            ) and self._activity_word(value.token):
                continue  # "quit smoking", "started DJing at Reka": an activity, not a workplace
            if frame.relation == "HAS_JOB_TITLE" and value.token.tag_ == "NNS":
                continue  # "I got some possible leads": people or things, not one's title
            if (
                frame.relation == "INTERESTED_IN"
                and value.via == "into"
                and any(c.dep_ == "det" and c.lower_ in _ARTICLES for c in value.token.children)
            ):
                continue  # "got into the accident", "got into a fight": caught up, not keen
            label = self._fits(value, frame.objects, coerce=coerce)
            if label is None:
                continue
            if value.via in ("subj", "subjpass"):
                owners = [
                    h for h in self._object_holders(value.token) if h.mention != value.ref.mention
                ]
            else:
                owners = [h for h in holders if h.mention != value.ref.mention]
            for owner in owners:
                if owner.mention.label not in frame.holder:
                    continue
                effect = frame.effect
                ends = effect == "end" or polarity == "end"
                retracts = effect == "retract" or polarity == "retract"
                if ends and retracts:
                    continue  # "I never left": says nothing we can use
                scope = frame.scope
                if retracts or (ends and effect != "end"):
                    scope = "object"  # "no longer", "stopped ...ing": matched by name
                relation = frame.relation
                obj = value.ref.mention
                if obj.name in _SOMEONE:
                    if relation not in _PLACEHOLDER_NOUN:
                        continue
                    obj = EntityMention(
                        f"{owner.mention.name}'s {_PLACEHOLDER_NOUN[relation]}", PERSON
                    )
                label = self._relation_type(relation, label)
                spec = self._vocabulary.relations.get(relation)
                if (
                    label == CONCEPT
                    and spec is not None
                    and CONCEPT not in spec.objects
                    and value.token.tag_ in ("NNP", "NNPS")
                ):  # "Transferred to UBC": a school's name, the organisation
                    label = next((o for o in spec.objects if o in _NAMED_TYPES), label)
                if obj.label != label:
                    obj = EntityMention(obj.name, label)
                words = obj.name.split()
                if len(words) > 1 and words[-1].lower() in _WHAT_ONE_HAS_OF:
                    obj = EntityMention(" ".join(words[:-1]), obj.label)  # "cello lessons"
                if relation == "HAS_JOB_TITLE" and obj.label != CONCEPT:
                    continue
                yield RawFact(
                    owner.mention, relation, obj,
                    round(0.9 * owner.weight * value.ref.weight, 3), span,
                    ends=ends, retracts=retracts, scope=scope,
                )  # fmt: skip

    def _relation_type(self, relation: str, label: str) -> str:
        """The type a name takes as the value of ``relation``: a name typed as another kind of
        name than the relation's values have is one of those ("Zalando" read as a place in "my
        roommate is at Zalando" is the employer, as it is in "laid off from Zalando")."""
        spec = self._vocabulary.relations.get(relation)
        if spec is None or label in spec.objects or label not in _NAMED_TYPES:
            return label
        named = [o for o in spec.objects if o in _NAMED_TYPES]
        return named[0] if named else label

    def _fits(self, value: _Value, objects: tuple[str, ...], *, coerce: bool) -> str | None:
        """The label the value takes in this frame, or ``None`` when it does not fit.

        The small model's entity types are often wrong between names ("Lyon" as a person,
        "Helio Labs" as a person, "Nubank" as a place): a proper name the frame expects as a
        place or an organisation is taken as one, unless the frame wants a person too or the
        name is someone in the conversation."""
        if not objects:
            return value.ref.mention.label
        label = value.ref.mention.label
        named = [o for o in objects if o in _NAMED_TYPES]
        name_words = value.ref.mention.name.lower().replace("'s", "").split()
        if (
            label == CONCEPT
            and named
            and value.token.tag_ in ("NNP", "NNPS")
            and not (self._vocabulary.categories_of(name_words) - set(objects))
        ):  # (not "UBC", a school, as the place someone moved to)
            return named[0]  # "quit Acme": a proper name the model did not type is the employer
        kinds = {o for o in objects if o in self._vocabulary.categories}
        if kinds and label in objects:
            said = self._vocabulary.categories_of([*name_words, self._reader.lemma(value.token)])
            if said and not (said & kinds):
                return None  # "gave up the piano": an instrument, not the pet the frame wants
        if label in objects:
            return label
        if (
            PERSON in objects
            and label in _NAMED_TYPES
            and not (  # "I'm with Vodafone now" (not "moved in with Rakel", typed wrongly)
                label == "Organization"
                and value.via == "with"
                and self._reader.lemma(value.token.head.head) == "be"
            )
            and value.token.tag_ == "NNP"
            and " " not in value.ref.mention.name
            and not self._known_word(value.ref.mention.name.lower())
        ):
            return PERSON  # "Married Danielle": a first name NER took for a place
        if (
            coerce
            and named
            and PERSON not in objects
            and label in _NAMED_TYPES | {PERSON, CONCEPT}
            and value.token.tag_ in ("NNP", "NNPS")
            and not self._is_participant(value.ref.mention)
        ):
            return named[0]
        head = self._reader.lemma(value.token)
        words = [*name_words, head]
        if (
            value.token.tag_ in ("NN", "NNS")
            and not self._vocabulary.categories_of([head, value.token.lower_])
            and head not in ("lesson", "lessons")
        ):
            words = [head]  # "my apartment keys" are keys, not a home ("violin lessons" are)
        categories = self._vocabulary.categories_of(words)
        if categories & set(objects):
            if label in (PERSON, *_NAMED_TYPES) and label not in objects:
                # "a silver Prius" that NER took for a place is the thing the frame names
                return next((o for o in objects if o in _NAMED_TYPES), CONCEPT)
            return label
        if "role" in objects and len(name_words) == 1 and name_words[0] in self._vocabulary.roles:
            return CONCEPT  # "I'm the CTO of a startup": NER took "CTO" for an organisation
        if (
            "role" in objects
            and label == CONCEPT
            and (
                head in self._vocabulary.roles
                or (bool(name_words) and name_words[-1] in self._vocabulary.roles)
            )
        ):
            return label
        return None

    def _is_participant(self, mention: EntityMention) -> bool:
        refs = self._reader.refs
        return any(p is not None and p.name == mention.name for p in (refs.speaker, refs.addressee))

    def _keys(self, verb: Token, window: Sequence[Token]) -> list[str]:
        lemma = self._lemma_of_verb(verb)
        keys: list[str] = []
        for child in verb.children:
            if child.dep_ == "prt" or (child.dep_ == "advmod" and child.lower_ in _PARTICLES):
                following = child.doc[child.i + 1] if child.i + 1 < len(child.doc) else None
                if child.lower_ == "back" and following is not None and following.lower_ == "in":
                    continue  # "went to Peru back in 2019": a time, not "go back"
                keys.append(f"{lemma} {child.lower_}")
            if child.dep_ == "xcomp" and child.lower_ == "go":
                keys.append(f"{lemma} go")  # "got let go"
            if child.dep_ in ("aux", "auxpass") and child.lower_ == "let":
                keys.append(f"let {lemma}")  # "got let go" parsed with "go" as the verb
        for token in window[1:3]:  # "put Biscuit down", "moved back to", not "went ... back in"
            if token.lower_ in _PARTICLES and token.tag_ in ("RP", "RB", "IN", "VB"):
                following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
                if token.lower_ == "back" and following is not None and following.lower_ == "in":
                    continue
                keys.append(f"{lemma} {token.lower_}")
        for child in verb.children:
            if child.dep_ == "acomp" or (child.dep_ == "ROOT" and child.tag_ == "VBN"):
                keys.append(f"{lemma} {child.lower_}")  # "got divorced", "are separated"
            if (
                child.dep_ in ("advcl", "xcomp", "prep", "pobj")
                and child.lower_ == "sleep"
                and child.i > verb.i
            ):
                keys.append(f"{lemma} to sleep")  # "put Bruno to sleep" (read as a purpose)
        if verb.tag_ == "VBN" and any(
            c.dep_ == "auxpass" and self._reader.lemma(c) in ("get", "be") for c in verb.children
        ):
            keys.append(f"get {verb.lower_}")  # "are getting divorced" (passive participle)
        if lemma == "be":
            for child in verb.children:
                if child.dep_ in ("acomp", "attr") and child.lower_ in (
                    "based",
                    "headquartered",
                    "employed",
                ):
                    keys.append(f"be {child.lower_}")
        keys.append(lemma)
        if lemma.endswith("in") and not self._vocabulary.frames_for(lemma):
            keys.append(self._reader.lemma_of(verb.lower_ + "g", "VBG"))  # "workin at"
        return list(dict.fromkeys(keys))

    def _polarity(self, verb: Token, retraction: bool) -> str | None:
        negated = never = ending = False
        for child in verb.children:
            lower = child.lower_.replace("’", "'")
            dep = child.dep_
            if dep == "neg" and lower in _NEGATORS:  # not "7am" read as a negation
                negated = True
                never = never or lower == "never"
            elif _hypothetical(dep, lower, verb):
                return None
            elif lower in _ENDING_ADVERBS or (lower == "more" and _after_any(child)):
                ending = True
            elif dep == "attr" and denied(child):
                negated = True  # "I'm no writer"
            elif lower == "never":
                negated = never = True
        if any(c.lower_ == "longer" for c in verb.subtree if verb.i in (c.head.i, c.head.head.i)):
            ending = True
            negated = True
        if any(c.lower_ in _HEDGES for c in verb.children):
            return None  # "maybe moving to Okinawa one day"
        if _generic_gerund(verb):
            return None  # "Losing a pet is tough": anyone's loss, not the speaker's
        if not negated and _over_for_a_while(verb):
            return "end"  # "I lived in Paris for two years": it held, and is over
        lemma = self._lemma_of_verb(verb)
        if not negated and lemma in _PERIOD_STATES and period_over(verb, lemma):
            return "end"  # "I lived in Paris when I was a student" (tastes and things had
            # then are the clause reader's)
        if not negated and self._planned(verb) and not _dated(verb):
            return None  # "I'm gonna take a shot at starting my own business": no date, a wish
        under_wish = any(
            self._reader.lemma(a) in _WISHES and a.i != verb.i for a in list(verb.ancestors)[:3]
        )
        if under_wish and (verb.dep_ in ("pcomp", "pobj") or verb.head.dep_ == "prep"):
            return None  # "thinking about moving", "dreaming of moving"
        head = verb.head
        if verb.dep_ in ("xcomp", "ccomp", "pcomp", "dobj") and head.i != verb.i:
            head_lemma = self._reader.lemma(head)
            if used_to(head) and verb.dep_ == "xcomp":
                return "end"
            if head_lemma in _STOP_VERBS and verb.tag_ == "VBG":
                if any(c.dep_ == "neg" for c in head.children):
                    return None  # "I can't stop writing": it goes on
                return "end"  # "I stopped volunteering at the food bank"
            if head_lemma in _WISHES and not _spliced(verb, head):
                return None
            if not _spliced(verb, head) and any(
                c.dep_ == "aux" and c.lower_.replace("’", "'") in _MODALS | cues.FUTURE_AUXILIARIES
                for a in list(verb.ancestors)[:3]
                for c in a.children
            ):
                return None  # "I'll make sure I give the turtles a bath": not done yet
            if head_lemma in _REPORTING and any(c.dep_ == "neg" for c in head.children):
                negated = True  # "I don't think I'll move" (not "..., don't even miss meat")
            if (
                head_lemma in ("end", "manage", "get", "go")
                and verb.dep_ in ("xcomp", "pcomp")
                and any(c.dep_ == "neg" for c in head.children)
            ):
                negated = True  # "didn't end up buying the Vespa", "never managed to move"
        if not negated:
            return "start"
        if never:
            return "retract"
        if ending:
            return "end"
        if retraction:
            return "retract"
        return None

    def _planned(self, verb: Token) -> bool:
        """Whether ``verb``'s clause is a plan, wish or request rather than something that
        happened: under a modal, a future or a wish (the clause reader's test), or under "going
        to" / "gonna" however deep ("gonna take a shot at starting a business")."""
        if _spliced(verb, verb.head):
            return False  # "Mateo transferred to Berkeley, he wanted a bigger city"
        if self._reader.irrealis(verb):
            return True
        token = verb
        for _ in range(4):
            head = token.head
            if head.i == token.i or token.dep_ not in _PLAN_PATH:
                return False
            if (
                token.dep_ == "xcomp"
                and head.tag_ == "VBG"
                and self._reader.lemma(head) in cues.FUTURE_HEADS
            ):
                return True
            token = head
        return False

    def _holders(self, verb: Token) -> list[Ref]:
        """Whom the clause is about: its subjects, or the person it acts on when the subject is
        not a person ("my company relocated me to Amsterdam"), or the speaker of a sentence
        without a subject ("Moved to Denver last month")."""
        reader = self._reader
        if self._lemma_of_verb(verb) in _CAUSATIVES:
            for child in verb.children:  # "Chef made me sous chef": the title is mine
                if child.lower_ in ("me", "us") and child.dep_ in ("dobj", "nsubj", "dative"):
                    ref = reader.ref(child)
                    if ref is not None:
                        return [ref]
                for grandchild in child.children if child.dep_ in ("ccomp", "xcomp") else ():
                    if grandchild.lower_ in ("me", "us") and grandchild.dep_ == "nsubj":
                        ref = reader.ref(grandchild)
                        if ref is not None:
                            return [ref]
        top = verb  # "started learning the drum, my neighbours love me": "started" says whose
        while top.dep_ == "xcomp" and top.head.tag_.startswith("VB") and top.head.i < top.i:
            if any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in top.children):
                break
            top = top.head
        if (
            reader.refs.speaker is not None
            and (top.tag_ in ("VBD", "VBN") or (top.tag_ == "VBG" and top.dep_ in ("advcl", "acl")))
            and top.dep_ != "ROOT"
            and _opens_sentence(top)
            and not any(
                c.dep_ in ("nsubj", "nsubjpass", "expl") for t in {verb, top} for c in t.children
            )
        ):  # "Transferred to UBC, Vancouver is gorgeous": not Vancouver, the speaker moved
            return [Ref(reader.refs.speaker, 0.6)]
        if self._lemma_of_verb(verb) in _TAKERS and any(
            c.dep_ == "nsubj" and c.lower_ in _SOMEONE | _THIEVES for c in verb.children
        ):  # "someone stole my Trek": the owner is the one it is about
            owners = [
                reader.ref(p)
                for c in verb.children
                if c.dep_ == "dobj"
                for p in c.children
                if p.dep_ == "poss"
            ]
            return [r for r in owners if r is not None and r.mention.label == PERSON]
        subjects = reader.subjects(verb)
        if not subjects:  # "Chloe is engaged" parsed with "Chloe" under "is"
            for aux in verb.children:
                if aux.dep_ in ("aux", "auxpass"):
                    subjects += reader.subjects(aux)
        if not subjects:  # "my car got stolen": the thing's owner
            for child in verb.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    for owner in child.children:
                        ref = reader.ref(owner) if owner.dep_ == "poss" else None
                        if ref is not None and ref.mention.label == PERSON:
                            subjects = [ref]
        if not any(s.mention.label == PERSON for s in subjects):
            for child in verb.children:
                if child.dep_ in ("dobj", "nsubj") and child.i != verb.i:
                    ref = reader.ref(child)
                    if ref is not None and ref.mention.label == PERSON and ref not in subjects:
                        subjects = [*subjects, ref]
        if (
            not subjects
            and reader.refs.speaker is not None
            and not any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in verb.children)
        ):
            before = verb.doc[verb.sent.start : verb.i]
            named = [reader.refs.entities[t.i] for t in before if t.i in reader.refs.entities]
            if named:  # "Szymon lives in Wroclaw" with "Szymon" parsed as an adjective
                return [Ref(m, 0.8) for m in named[:1] if m.label == PERSON]
            if not any(
                t.tag_ in _NOMINAL or t.tag_ == "PRP"
                for t in before
                if not (t.i == verb.sent.start and t.dep_ in ("aux", "auxpass"))
            ):
                subjects = [Ref(reader.refs.speaker, 0.6)]  # "Joined Ducati last month"
        return subjects

    def _partner_before(self, verb: Token) -> Token | None:
        """ "Vik and I got back together": the person named with "I" before the verb, however
        the parser attached the two (it often cannot)."""
        doc = verb.doc
        start = verb.sent.start
        for i in range(start, verb.i - 2):
            name = doc[i]
            me = _and_me(name)
            if me is None:
                continue
            mention = self._reader.refs.entities.get(name.i)
            if mention is None or mention.label != PERSON:
                continue
            between = doc[me.i + 1 : verb.i]
            if all(t.tag_ in ("MD", "RB") or t.dep_ in ("aux", "auxpass", "neg") for t in between):
                return name
        return None

    def _object_holders(self, subject_token: Token) -> list[Ref]:
        """For a value in subject position ("Acme hired me", "Luke and I split up"): the person
        it is about (the clause's object, or the first person beside it)."""
        reader = self._reader
        verb = subject_token.head
        found: list[Ref] = []
        me = _and_me(subject_token)
        if me is not None:  # "Vik and I ...", however parsed
            ref = reader.ref(me)
            if ref is not None:
                return [ref]
        for child in verb.children:
            if child.dep_ in ("dobj", "dative") and child.lower_ in _FIRST_PERSON | _SECOND_PERSON:
                ref = reader.ref(child)
                if ref is not None:
                    found.append(ref)
        first = subject_token
        while first.dep_ == "conj" and first.head.i != first.i:
            first = first.head
        for token in _conjuncts(first):
            if token.i == subject_token.i:
                continue
            ref = reader.ref(token)
            if ref is not None and (token.lower_ in _FIRST_PERSON or ref.mention.label == PERSON):
                found.append(ref)  # "Luke and I split up", "Chloe and Reza broke up"
        if not found:
            for child in verb.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    for token in _conjuncts(child):
                        if token.lower_ in _FIRST_PERSON:
                            ref = reader.ref(token)
                            if ref is not None:
                                found.append(ref)
        if not found and reader.refs.speaker is not None and not _has_object(verb):
            found.append(Ref(reader.refs.speaker, 0.7))  # "Theo proposed!", "Mochi died"
        return found

    def _values(self, verb: Token, window: Sequence[Token]) -> list[_Value]:
        reader = self._reader
        values: list[_Value] = []
        seen: set[tuple[int, str]] = set()

        roles = self._vocabulary.roles

        def add(token: Token, via: str, run: Sequence[Token] = ()) -> None:
            if (token.i, via) in seen:
                return
            seen.add((token.i, via))
            if token.lower_ in _FIRST_PERSON | _SECOND_PERSON or (
                token.ent_type_ in _NOT_VALUES and token.i not in reader.refs.entities
            ):  # (a name NER took for a date is one of ours: "Pieter-Jan")
                return
            if token.text.islower() and token.lower_ in INTERJECTIONS:
                return  # "my hands finally stopped shaking lol" (not "moved to Nice")
            if via == "dobj" and token.lower_ in _IDIOM_OBJECTS:
                return  # "the laptop gave up the ghost": the thing is gone, not the ghost
            if any(c.dep_ == "det" and c.lower_ == "no" for c in token.children):
                return  # "no excuses now", "I have no car": nothing is said to be had
            if token.lower_ == "it" and via == "dobj":  # "the Note died, scrapped it"
                antecedent = self._antecedent(token)
                if antecedent is not None:
                    values.append(_Value(antecedent[0], antecedent[1], via, pronoun=True))
                return
            if token.lower_ in _SOMEONE:  # "seeing someone new": named later, if at all
                values.append(_Value(Ref(EntityMention(token.lower_, PERSON), 0.8), token, via))
                return
            named = _called(token)
            if named is not None:  # "a tiny startup called Tsumiki Labs", "a tabby named Miso"
                token = named
            ref = reader.object_ref(token)
            if ref is None and token.tag_ in _NOMINAL:
                name = reader.concept_name(token)
                ref = None if name is None else Ref(EntityMention(name, CONCEPT), 0.85)
            if ref is not None and ref.mention.label == CONCEPT:
                prefix = verb.text + " "
                if ref.mention.name.startswith(prefix):  # "Joined Grab": the verb is no name
                    ref = Ref(EntityMention(ref.mention.name[len(prefix) :], CONCEPT), ref.weight)
            if ref is None and len(run) > 1 and run[-1].lower_ in roles:
                ref = Ref(EntityMention(" ".join(t.lower_ for t in run), CONCEPT), 0.85)
            if (
                ref is None
                and token.tag_ not in _NOMINAL
                and token.lower_ in roles
                and via in _TITLE_VIAS
            ):
                ref = Ref(EntityMention(token.lower_, CONCEPT), 0.85)  # "promoted to dispatcher"
            if (
                ref is None
                and token.tag_ == "JJ"
                and self._vocabulary.categories_of([token.lower_])
            ):
                ref = Ref(EntityMention(token.lower_, CONCEPT), 0.85)  # "I'm vegetarian"
            if ref is not None and ref.mention.label == CONCEPT and len(run) > 1:
                words = " ".join(t.text if t.tag_ in ("NNP", "NNPS") else t.lower_ for t in run)
                if len(words) > len(ref.mention.name):  # "head chef" parsed as a verb + noun
                    ref = Ref(EntityMention(words, CONCEPT), ref.weight)
            if ref is not None:
                values.append(_Value(ref, token, via))

        def nominal_children(token: Token, via: str, depth: int = 0) -> None:
            for child in token.children:
                dep = child.dep_
                if dep == "prep" or dep == "agent" or dep == "dative":
                    word = "agent" if dep == "agent" else child.lower_
                    objects = [c for c in child.children if c.dep_ == "pobj"]
                    if dep == "dative" and child.tag_ in _NOMINAL:
                        add(child, "dative")
                    for pobj in objects:
                        for conj in _conjuncts(pobj):
                            add(conj, word)
                            if depth < 1:
                                nominal_children(conj, word, depth + 1)
                elif dep in ("dobj", "attr", "oprd", "acomp", "ccomp", "xcomp") and depth == 0:
                    if dep in ("ccomp", "xcomp") and child.tag_ not in _NOMINAL:
                        continue
                    for conj in _conjuncts(child):
                        add(conj, "dobj" if dep in ("ccomp",) else dep)
                        if dep in ("dobj", "attr"):
                            add(conj, "dobj" if dep == "dobj" else "attr")
                            nominal_children(conj, dep, depth + 1)
                elif dep in ("nsubj", "nsubjpass") and depth == 0:
                    passive = dep == "nsubjpass" or any(c.dep_ == "auxpass" for c in token.children)
                    for conj in _conjuncts(child):  # "Devika got laid off": who it happened to
                        if conj.lower_ not in _FIRST_PERSON:
                            add(conj, "subjpass" if passive else "subj")
                elif dep == "advmod" and depth == 0:
                    nominal_children(child, via, depth + 1)

        nominal_children(verb, "")
        partner = self._partner_before(verb)
        if partner is not None:
            values.append(_Value(reader.ref(partner) or Ref(EntityMention(partner.text, PERSON)),
                                 partner, "subj"))  # fmt: skip
        # the words after the verb, up to the end of its clause, as a second reading
        previous = "dobj"
        index = 1
        while index < len(window):
            token = window[index]
            lower = token.lower_
            if token.tag_ in ("IN", "TO") or token.dep_ in ("prep", "agent"):
                previous = "agent" if lower == "by" and verb.tag_ == "VBN" else lower
                index += 1
                continue
            if token.tag_ == "VBG" and token.dep_ in ("xcomp", "ccomp") and token.head == verb:
                break  # "Started hitting the gym": the gym is what the gerund takes
            if token.tag_ in _SKIP_BEFORE_VALUE or token.tag_ in ("RP",) or lower in _PARTICLES:
                index += 1
                continue
            if (
                token.tag_ in _NOMINAL
                or token.ent_type_
                or token.i in self._reader.refs.entities  # "moved to gothenburg" (a verb?)
                or lower in roles
                or self._modifier_read_as_verb(window, index, previous)
            ):
                end = index
                while end + 1 < len(window) and (
                    (window[end + 1].tag_ in _NOMINAL and window[end + 1].ent_iob_ != "B")
                    or (window[end + 1].lower_ in roles and window[end + 1].tag_.startswith("VB"))
                ):
                    end += 1
                head = window[end]
                add(head, previous, window[index : end + 1])
                if previous == "dobj" and verb.dep_ != "ROOT" and self._reader.lemma(verb) == "be":
                    add(head, "attr")
                previous = "of" if end + 1 < len(window) and window[end + 1].lower_ == "of" else ""
                index = end + 1
                continue
            if token.tag_ in ("PRP",):
                previous = "dobj" if previous == "dobj" else previous
                index += 1
                continue
            break
        values.sort(key=lambda v: v.token.i)
        # a modifier inside a value's own noun phrase ("Honda" in "2012 Honda Civic") is not
        # a second value
        heads = {(v.token.i, v.via) for v in values}
        return [
            v
            for v in values
            if not (
                v.token.dep_ in ("compound", "nmod", "amod") and (v.token.head.i, v.via) in heads
            )
            and not any(
                w.token.i > v.token.i
                and w.via == v.via
                and v.token.i in range(w.token.left_edge.i, w.token.i)
                and w.token.ent_iob_ != "B"
                and v.ref.mention.label == w.ref.mention.label
                for w in values
            )
        ]

    def _antecedent(self, pronoun: Token) -> tuple[Ref, Token] | None:
        """The thing "it" stands for in an ending: the nearest thing named before it in the
        turn ("the Octavia is gone, sold it to a guy from Graz"), not a person or a place."""
        entities = self._reader.refs.entities
        verb = pronoun.head
        governing = {verb.i}
        if verb.dep_ in ("xcomp", "advcl", "ccomp", "relcl"):
            governing.add(verb.head.i)  # "bought a Specialized to replace it": not the new one
        for token in reversed(pronoun.doc[: pronoun.i]):
            if any(a.i in governing for a in token.ancestors):
                continue
            mention = entities.get(token.i)
            if mention is not None:
                if mention.label in (PERSON, ANIMAL, "Place") or mention.is_speaker:
                    continue
                return Ref(mention, 0.8), token
            if token.tag_ in ("NNP", "NNPS") and token.dep_ != "compound":
                return Ref(EntityMention(token.text, CONCEPT), 0.8), token
            if token.tag_ in ("NN", "NNS") and self._reader.lemma(token) in cues.POSSESSION_NOUNS:
                name = self._reader.concept_name(token)
                if name is not None:
                    return Ref(EntityMention(name, CONCEPT), 0.8), token
        return None

    def _modifier_read_as_verb(self, window: Sequence[Token], index: int, previous: str) -> bool:
        """A modifier after "to" that the tagger took for an infinitive ("switched to green
        tea": "green" tagged as a verb), when the noun after it is a known kind of value."""
        token = window[index]
        following = window[index + 1] if index + 1 < len(window) else None
        return (
            previous == "to"
            and token.tag_ == "VB"
            and following is not None
            and following.tag_ in _NOMINAL
            and bool(self._vocabulary.categories_of([following.lower_]))
        )

    # -- nouns: "my last day at Allegro", "the divorce from Felix is final" --------------------

    def _habit_noun(self, noun: Token, *, retraction: bool) -> RawFact | None:
        """ "I'm a runner", "she's a heavy smoker": someone who does a habit of the vocabulary
        (a job's name, "I'm a dancer", is a title instead)."""
        verb = noun.head
        if noun.dep_ != "attr" or self._reader.lemma(verb) != "be":
            return None
        habit = _agent_habit(noun.lower_, self._vocabulary.habits, self._vocabulary.roles)
        holders = [h for h in self._reader.subjects(verb) if h.mention.label == PERSON]
        polarity = self._polarity(verb, retraction)
        if habit is None or not holders or polarity is None:
            return None
        return RawFact(
            holders[0].mention, relation_name(habit), EntityMention(gerund_of(habit), CONCEPT),
            0.75 * holders[0].weight, clause_span(verb, list(verb.children)),
            ends=polarity == "end", retracts=polarity == "retract",
            scope="object" if polarity != "start" else "fact",
        )  # fmt: skip

    def _habit_fragment(self, tokens: Sequence[Token]) -> Iterator[RawFact]:
        """ "swimming 4x a week now", "Cycling to work these days": a sentence that opens with
        the gerund of a habit and has no verb of its own is the speaker's habit."""
        speaker = self._reader.refs.speaker
        words = [t for t in tokens if not t.is_punct]
        if speaker is None or not words or not words[0].lower_.endswith("ing"):
            return
        lemma = self._reader.lemma_of(words[0].lower_, "VBG")
        if lemma not in self._vocabulary.habits or gerund_of(lemma) != words[0].lower_:
            return
        words = list(
            itertools.takewhile(lambda t: t.text not in (",", ";"), tokens)
        )  # up to the first comma: "swimming 3x a week now, my knees are grateful"
        words = [t for t in words if not t.is_punct]
        if not _verbless(words[1:]):
            return
        if not any(t.lower_ in ("now", "week", "day", "days", "weekly", "daily") for t in words):
            return  # said as a routine, not "Swimming!" as an answer
        last = tokens[-1]
        yield RawFact(
            speaker, relation_name(lemma), EntityMention(words[0].lower_, CONCEPT), 0.7,
            (tokens[0].idx, last.idx + len(last)),
        )  # fmt: skip

    def _favourite(self, noun: Token, *, retraction: bool) -> RawFact | None:
        """ "My favorite food is sushi", "tacos al pastor are my favourite food now"."""
        relation = self._vocabulary.favourites.get(self._reader.lemma(noun))
        if relation is None or not any(c.lower_ in _FAVOURITE for c in noun.children):
            return None
        verb = noun.head
        if self._reader.lemma(verb) != "be" or noun.dep_ not in ("nsubj", "attr"):
            return None
        other = "attr" if noun.dep_ == "nsubj" else "nsubj"
        value = next((c for c in verb.children if c.dep_ == other), None)
        if value is None and noun.dep_ == "attr":  # "tacos al pastor are ...": a long subject
            value = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        if value is None or owner is None:
            return None
        holder = self._reader.ref(owner)
        if holder is None or holder.mention.label != PERSON:
            return None
        ref = self._reader.object_ref(value)
        name = ref.mention.name if ref is not None else _noun_phrase(value)
        if not name:
            return None
        label = ref.mention.label if ref is not None else CONCEPT
        polarity = self._polarity(verb, retraction)
        if polarity is None:
            return None
        return RawFact(
            holder.mention, relation, EntityMention(name, label), 0.8 * holder.weight,
            clause_span(verb, list(verb.children)),
            ends=polarity == "end", retracts=polarity == "retract",
            scope="object" if polarity != "start" else "fact",
        )  # fmt: skip

    def _of_a_field(self, noun: Token) -> bool:
        """Whether ``noun`` ("year") is "of" a field of study ("first year of architecture")."""
        fields = self._vocabulary.categories["field"][1] | self._vocabulary.categories["study"][1]
        return any(
            c.dep_ == "prep" and c.lower_ == "of" and any(g.lower_ in fields for g in c.subtree)
            for c in noun.children
        )

    def _what_it_is(self, noun: Token, *, retraction: bool) -> RawFact | None:
        """ "My car is a white Peugeot 206", "my laptop is an old ThinkPad": a thing of a
        category of the vocabulary said of its owner, and what it is. The value must belong to
        the same category or be a name ("my phone is a lifesaver" says nothing)."""
        lemma = self._reader.lemma(noun)
        categories = self._vocabulary.categories_of([lemma])
        verb = noun.head
        if (
            not categories
            or noun.dep_ != "nsubj"
            or self._reader.lemma(verb) != "be"
            or _FAVOURITE & {c.lower_ for c in noun.children}
        ):
            return None
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        value = next((c for c in verb.children if c.dep_ == "attr"), None)
        if owner is None or value is None or value.tag_ not in _NOMINAL:
            return None
        holder = self._reader.ref(owner)
        if holder is None or holder.mention.label != PERSON:
            return None
        ref = self._reader.object_ref(value)
        if ref is None:
            return None
        words = [w.lower() for w in ref.mention.name.split()]
        if len(words) > 1 and words[0] in _ARTICLES:  # "a Galaxy S10"
            name = ref.mention.name.split(" ", 1)[1]
            ref = Ref(EntityMention(name, ref.mention.label), ref.weight)
            words = words[1:]
        shared = sorted(categories & self._vocabulary.categories_of(words))
        if not shared and value.tag_ not in ("NNP", "NNPS"):
            return None
        category = shared[0] if shared else sorted(categories)[0]
        relation = self._vocabulary.categories[category][0]
        polarity = self._polarity(verb, retraction)
        if polarity is None or relation == "HAS_PET":
            return None  # "my dog is a beagle" says what the pet is, not which
        return RawFact(
            holder.mention, relation, ref.mention, 0.8 * holder.weight,
            clause_span(verb, list(verb.children)),
            ends=polarity == "end", retracts=polarity == "retract",
            scope="object" if polarity != "start" else "fact",
        )  # fmt: skip

    def _organisation_noun(self, noun: Token, *, retraction: bool) -> RawFact | None:
        """ "Spotify's headquarters are in Stockholm", "Northwind's new CEO is Simon Achebe",
        "Paula Brandt is Northwind's CEO": a noun of the vocabulary said of an organisation."""
        relation = self._vocabulary.organisation_nouns.get(self._reader.lemma(noun))
        verb = noun.head
        if relation is None or self._reader.lemma(verb) != "be":
            return None
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        if owner is None:  # "the principal at Hillcrest is ...", "the CEO of Northwind is ..."
            owner = next(
                (
                    g
                    for c in noun.children
                    if c.dep_ == "prep" and c.lower_ in ("of", "at")
                    for g in c.children
                    if g.dep_ == "pobj" and g.tag_ in ("NNP", "NNPS")
                ),
                None,
            )
        holder = self._reader.object_ref(owner) if owner is not None else None
        if holder is None or holder.mention.label in (PERSON, ANIMAL):
            if owner is None or owner.tag_ not in ("NNP", "NNPS"):
                return None
            holder = Ref(EntityMention(_noun_phrase(owner), "Organization"), 0.8)
        value: Token | None = None
        if noun.dep_ == "nsubj":
            for child in verb.children:
                if child.dep_ == "attr":
                    value = child
                elif child.dep_ == "prep" and child.lower_ in ("in", "at") and value is None:
                    value = next((g for g in child.children if g.dep_ == "pobj"), None)
        elif noun.dep_ == "attr":
            value = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if value is None:
            return None
        ref = self._reader.object_ref(value)
        if ref is None:
            return None
        polarity = self._polarity(verb, retraction)
        if polarity is None:
            return None
        spec = self._vocabulary.relations.get(relation)
        label = ref.mention.label
        if spec is not None and label not in spec.objects:
            named = [o for o in spec.objects if o in (PERSON, *_NAMED_TYPES)]
            if not named or value.tag_ not in ("NNP", "NNPS"):
                return None
            label = named[0]  # "Simon Achebe" the model left untyped is the CEO
        organisation = holder.mention
        if organisation.label != "Organization":
            organisation = EntityMention(organisation.name, "Organization")
        return RawFact(
            organisation, relation, EntityMention(ref.mention.name, label), 0.8,
            clause_span(verb, list(verb.children)),
            ends=polarity == "end", retracts=polarity == "retract",
            scope="object" if polarity != "start" else "fact",
        )  # fmt: skip

    def _title_fragment(self, noun: Token, speaker: EntityMention) -> RawFact | None:
        """ "Officially an associate attorney as of this week!": a sentence without a verb that
        names a role is the speaker's title."""
        if noun.dep_ != "ROOT" or noun.lower_ not in self._vocabulary.roles:
            return None
        sentence = noun.sent
        if not _verbless(sentence) or any(t.tag_ in ("PRP", "PRP$") for t in sentence):
            return None
        dated = any(t.lower_ in ("officially", "now") for t in sentence) or any(
            t.lower_ == "as" and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "of"
            for t in sentence
        )  # "officially engineering manager as of this week", "qualified carpenter now"
        if not dated and not any(
            c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children
        ):
            return None
        words = [
            t
            for t in noun.lefts
            if t.dep_ in ("compound", "amod")
            and t.tag_ != "RB"
            and t.lower_ not in _FRAGMENT_FILLER
        ]
        title = " ".join([*(t.lower_ for t in words), noun.lower_])
        return RawFact(
            speaker, "HAS_JOB_TITLE", EntityMention(title, CONCEPT), 0.7,
            clause_span(noun, list(noun.children)),
        )  # fmt: skip

    def _noun(self, noun: Token, tokens: Sequence[Token], *, retraction: bool) -> Iterator[RawFact]:
        lower = self._reader.lemma(noun)
        reader = self._reader
        speaker = reader.refs.speaker
        if speaker is None:
            return
        relation: str | None = None
        ends = False
        favourite = self._favourite(noun, retraction=retraction)
        if favourite is not None:
            yield favourite
            return
        habit = self._habit_noun(noun, retraction=retraction)
        if habit is not None:
            yield habit
            return
        named = self._what_it_is(noun, retraction=retraction)
        if named is not None:
            yield named
            return
        said = self._organisation_noun(noun, retraction=retraction)
        if said is not None:
            yield said
            return
        title = self._title_fragment(noun, speaker)
        if title is not None:
            yield title
            return
        if lower == "home" and reader.lemma(noun.head) == "be":
            yield from self._home(noun)  # "Monterrey has been home for six years"
            return
        if lower in ("divorce", "breakup", "split"):
            relation, ends, word = (
                "MARRIED_TO" if lower == "divorce" else "PARTNER_OF",
                True,
                "from",
            )
            if lower != "divorce":
                word = "with"
        elif lower in ("day", "week", "month", "shift") and any(
            c.lower_ in ("last", "first") for c in noun.children
        ):
            last = any(c.lower_ == "last" for c in noun.children)
            relation, ends, word = "WORKS_AT", last, "at"
            study = self._vocabulary.categories["study"][1]
            if any(  # "first week of my master's at UCT": of a course, so a school
                c.dep_ == "prep" and c.lower_ == "of" and any(g.lower_ in study for g in c.subtree)
                for c in noun.children
            ) or (
                speaker.name in self._students
                and not last
                and not any(c.lower_ == "as" for c in noun.children)  # "as a junior economist"
            ):
                relation = "STUDIES_AT"  # (or of someone this chat said is a student)
        elif lower in ("year", "semester", "term") and any(
            c.lower_ in _SCHOOL_YEARS
            or (
                c.lower_ in _ORDINAL_YEARS and noun.dep_ == "pobj" and noun.head.lower_ == "in"
            )  # "in my second year at", not "my first year at Google was tough"
            or (c.lower_ in _ORDINAL_YEARS and self._of_a_field(noun))
            for c in noun.children
        ):  # "first year of architecture at Ion Mincu"
            relation, ends, word = "STUDIES_AT", False, "at"
            owner = next((c for c in noun.children if c.dep_ == "poss"), None)
            ref = reader.ref(owner) if owner is not None else None
            if ref is not None and ref.mention.label == PERSON:
                speaker = ref.mention  # "his final year at Oxford"
        else:
            return
        preps = list(noun.children)
        if relation == "STUDIES_AT" and lower in ("day", "week", "month", "shift"):
            preps += [  # "first week of my PhD at Otago": the school hangs from the course
                g for c in noun.children if c.lower_ == "of" for g in c.subtree if g.dep_ == "prep"
            ]
        if (
            relation == "STUDIES_AT"
            and noun.dep_ == "pobj"
            and not any(c.dep_ == "prep" and c.lower_ == word for c in preps)
        ):  # "I'm in my third year at Dalhousie" with "at" attached to the verb
            preps += [c for c in noun.head.head.children if c.i > noun.i]
        following = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
        if following is not None and following.lower_ == word and following.dep_ == "mark":
            preps.append(following)  # "first month at Kavak done": "at" read as a mark
        for child in preps:
            if child.dep_ in ("prep", "mark") and child.lower_ == word:
                objects = [p for p in child.children if p.dep_ == "pobj"]
                if not objects and child.i + 1 < len(child.doc):  # the parser lost the name:
                    following = child.doc[child.i + 1]  # "first week at CD Projekt RED done"
                    if following.tag_ in ("NNP", "NNPS"):
                        objects = [following]
                for pobj in objects:
                    ref = reader.object_ref(pobj)
                    if ref is None or (ref.mention.label == CONCEPT and pobj.tag_ != "NNP"):
                        continue
                    mention = ref.mention
                    if relation in ("WORKS_AT", "STUDIES_AT") and mention.label != "Organization":
                        name = self._entity_name(pobj, mention)
                        mention = EntityMention(name, "Organization")  # "at Atlassian"
                    yield RawFact(
                        speaker, relation, mention, 0.8, clause_span(noun, list(noun.children)),
                        ends=ends, scope="object" if ends else "fact",
                    )  # fmt: skip
            elif child.dep_ == "prep" and child.lower_ == "as" and relation == "WORKS_AT":
                for pobj in child.children:  # "first week at the OECD as a junior economist"
                    if pobj.dep_ == "pobj" and pobj.lower_ in self._vocabulary.roles:
                        role = _noun_phrase(pobj).lower()
                        yield RawFact(
                            speaker, "HAS_JOB_TITLE", EntityMention(role, CONCEPT), 0.8,
                            clause_span(noun, list(noun.children)),
                            ends=ends, scope="object" if ends else "fact",
                        )  # fmt: skip


def _agent_habit(noun: str, habits: frozenset[str], roles: frozenset[str]) -> str | None:
    """The habit whose doer ``noun`` names ("runner" -> run, "smoker" -> smoke, "cyclist" ->
    cycle), unless the noun is a job's name ("dancer", "baker")."""
    if noun in roles:
        return None
    for habit in habits:
        forms = {habit + "er", habit + habit[-1:] + "er", habit + "r", habit[:-1] + "ist"}
        if noun in forms:
            return habit
    return None


def _verbless(tokens: Iterable[Token]) -> bool:
    """Whether a sentence (or fragment) has no verb of its own: no word tagged as a verb but a
    modifier ("engineering" in "engineering manager") or a symbol (an emoji tagged as a verb)."""
    return not any(
        t.tag_.startswith("VB") and t.is_alpha and t.dep_ not in ("compound", "amod")
        for t in tokens
    )


def _opens_sentence(verb: Token) -> bool:
    """Whether only punctuation, interjections or a short label before a colon come before
    ``verb`` in its sentence ("Transferred to UBC", "update: living in Aberdeen now")."""
    before = list(verb.doc[verb.sent.start : verb.i])
    colon = next((i for i, t in enumerate(before) if t.text == ":"), None)
    if colon is not None and colon <= 3:
        before = before[colon + 1 :]
    return all(t.is_punct or t.tag_ == "UH" for t in before)


def _noun_phrase(token: Token) -> str:
    """A value's words up to its head, without determiners ("tacos al pastor", "sushi")."""
    words = token.doc[token.left_edge.i : token.i + 1]
    return " ".join(t.text for t in words if t.dep_ not in ("det", "poss", "punct", "advmod"))


def _called(token: Token) -> Token | None:
    """The name a noun is given: "a startup called Tsumiki Labs" -> the token "Labs"."""
    for child in token.children:
        if child.dep_ == "acl" and child.lower_ in ("called", "named"):
            for grandchild in child.children:
                if grandchild.dep_ in ("oprd", "attr", "xcomp", "dobj", "npadvmod") and (
                    grandchild.tag_ in ("NNP", "NNPS") or grandchild.text[:1].isupper()
                ):
                    return grandchild
        if child.dep_ == "appos" and child.tag_ in ("NNP", "NNPS") and token.tag_ in ("NN", "NNS"):
            return child  # "a greyhound, Juniper"; not "a Honda Jazz, the COE almost ..."
    return None


def _said_as_a_period(verb: Token, name: str) -> bool:
    """Whether the value ``name`` sits in "in <name>" in ``verb``'s clause ("teammates in high
    school"), a time of one's life, not "started middle school"."""
    last = name.lower().split()[-1] if name.strip() else ""
    return any(t.lower_ == last and t.head.lower_ == "in" for t in verb.subtree)


def _generic_gerund(verb: Token) -> bool:
    """A gerund clause as a subject with nobody's things in it ("Losing a pet is tough",
    not "Selling my car was hard")."""
    return (
        verb.dep_ in ("csubj", "csubjpass")
        and verb.tag_ == "VBG"
        and not any(t.dep_ == "poss" or t.ent_type_ in _NAMED_ENTS for t in verb.subtree)
    )  # "Living in Dublin is grand": said of a named place, it is the speaker's own


def _over_for_a_while(verb: Token) -> bool:
    """A state said in the simple past for a length of time ("I lived in Paris for two years",
    "we were teammates for four years"): over by now ("I've lived here for two years" is not:
    the present perfect is tagged VBN)."""
    return verb.tag_ == "VBD" and any(
        child.dep_ == "prep"
        and child.lower_ == "for"
        and any(
            pobj.dep_ == "pobj" and pobj.ent_type_ == "DATE" and pobj.lower_ in _DURATION_UNITS
            for pobj in child.children
        )  # "for two years", not "for a two-year contract"
        for child in verb.children
    )


def _dated(verb: Token) -> bool:
    """Whether ``verb``'s clause names a time ("next month", "in June"), in its own words or
    on the verbs it hangs under: a plan with a date is kept, dated then, for when it happens."""
    above = {a.i for a in list(verb.ancestors)[:3]} | {verb.i}
    return any(
        t.ent_type_ in ("DATE", "TIME")
        and (t.head.i in above or verb.i in {a.i for a in t.ancestors})
        for t in verb.sent
    )


def _hypothetical(dep: str, lower: str, verb: Token) -> bool:
    """A modal ("would", "could", "'d go") or a condition ("if") on the clause."""
    if dep == "aux":
        return lower in _MODALS or (lower == "'d" and verb.tag_ == "VB")
    return dep == "mark" and lower in _CONDITIONAL


def _spliced(verb: Token, head: Token) -> bool:
    """ "Mateo transferred to Berkeley, he wanted a bigger city": a clause with its own subject
    before a comma is said on its own, not under the verb after it."""
    return (
        verb.i < head.i
        and any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
        and any(t.text == "," for t in verb.doc[verb.i : head.i])
    )


def _after_any(token: Token) -> bool:
    return any(c.lower_ == "any" for c in token.children)


def _and_me(token: Token) -> Token | None:
    """The "I" of "<token> and I" ("Vik and I"), if the words say so."""
    doc = token.doc
    if token.i + 2 < len(doc) and doc[token.i + 1].lower_ == "and":
        me = doc[token.i + 2]
        if me.lower_ in ("i", "me"):
            return me
    return None


def _participle_as_adjective(token: Token) -> bool:
    """A passive participle the tagger took for an adjective ("Chloe is engaged to Tobias")."""
    return (
        token.tag_ == "JJ"
        and token.lower_.endswith("ed")
        and token.dep_ in ("ROOT", "conj", "ccomp")
        and any(c.dep_ in ("auxpass", "aux") for c in token.children)
    )


def _has_object(verb: Token) -> bool:
    """Whether the clause names something besides its subject and the speaker ("Chloe is
    dating a guy named Reza"), so that its subject is whom it is about."""
    for child in verb.children:
        if child.dep_ in ("dobj", "attr", "oprd"):
            return child.lower_ not in _FIRST_PERSON and child.lower_ not in _IDIOM_OBJECTS
        if (
            child.dep_ == "prep"
            and child.lower_ in ("to", "with")
            and any(
                g.dep_ == "pobj" and g.lower_ not in _FIRST_PERSON and g.tag_ in _NOMINAL
                for g in child.children
            )
        ):
            return True
    return False


def _conjuncts(token: Token) -> Iterator[Token]:
    yield token
    for child in token.children:
        if child.dep_ == "conj":
            yield from _conjuncts(child)


def _clause(verb: Token, tokens: Sequence[Token]) -> list[Token]:
    """``verb`` and the words after it up to the end of its clause."""
    doc = verb.doc
    end = tokens[-1].i + 1 if tokens else verb.i + 1
    window = [verb]
    for index in range(verb.i + 1, end):
        token = doc[index]
        if token.tag_ in (".", ",", ":") or token.lower_ in _BOUNDARY_WORDS:
            break
        if (
            token.tag_.startswith("VB")
            and token.dep_ not in ("aux", "auxpass", "xcomp", "prt")
            and token.lower_ not in _ROLE_VERBS
            and any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)
        ):
            break
        window.append(token)
    return window


def _one_per_slot(facts: list[RawFact], vocabulary: Vocabulary) -> list[RawFact]:
    """One value per functional relation and holder per sentence (the first said), and a
    study place is not also an employer unless the clause names a job."""
    kept: list[RawFact] = []
    seen: set[tuple[str, str, bool, bool]] = set()
    studied = {(f.subject.name, f.object.name) for f in facts if f.relation == "STUDIES_AT"}
    for fact in facts:
        if fact.relation == "WORKS_AT" and (fact.subject.name, fact.object.name) in studied:
            continue
        spec = vocabulary.relations.get(fact.relation)
        if spec is not None and spec.functional and fact.scope == "fact":
            key = (fact.subject.name, fact.relation, fact.ends, fact.retracts)
            if key in seen:
                continue
            seen.add(key)
        if any(
            k.subject == fact.subject
            and k.relation == fact.relation
            and k.object == fact.object
            and k.ends == fact.ends
            and k.retracts == fact.retracts
            for k in kept
        ):
            continue
        kept.append(fact)
    return kept
