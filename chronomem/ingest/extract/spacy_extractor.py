"""The offline extractor: spaCy (tagger, parser, NER) plus hand-written English rules.

One ``nlp.pipe`` pass over all episode texts; then, per episode and sentence, the rules of
:mod:`~chronomem.ingest.extract.clauses` propose facts, :mod:`~chronomem.language.timex`
dates them, and :mod:`~chronomem.ingest.extract.statements` turns the sentence into a
standalone statement. Output is deterministic: it depends only on the episodes given (in
order), never on earlier calls.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from chronomem.errors import ExtractionError
from chronomem.ingest.extract.captions import caption_object, caption_statement, split_caption
from chronomem.ingest.extract.clauses import (
    ANIMAL,
    CONCEPT,
    PERSON,
    RawFact,
    Referents,
    SentenceReader,
)
from chronomem.ingest.extract.discourse import (
    ConversationKey,
    PeopleWindow,
    addressees,
    conversation_key,
)
from chronomem.ingest.extract.ner_gate import INTERJECTIONS
from chronomem.ingest.extract.protocol import CandidateFact, EntityMention, Extraction
from chronomem.ingest.extract.spacy_model import LoadedPipeline, load_pipeline
from chronomem.ingest.extract.statements import rewrite_sentence
from chronomem.ingest.extract.states import StateReader
from chronomem.language import cues
from chronomem.language.chat import normalize_chat, people_named
from chronomem.language.places import place_name
from chronomem.language.timex import TimeMention, find_time_mentions, mention_interval
from chronomem.language.vocabulary import Vocabulary, default_vocabulary
from chronomem.schema import Episode, speaker_line

__all__ = ["NER_LABELS", "SpacyExtractor"]

Doc = Any  # spacy.tokens.Doc

NER_LABELS: Final[dict[str, str]] = {
    "PERSON": "Person", "ORG": "Organization", "GPE": "Place", "LOC": "Place", "FAC": "Place",
    "EVENT": "Event", "PRODUCT": "Product", "WORK_OF_ART": "Product", "NORP": "Concept",
    "LANGUAGE": "Concept",
}  # fmt: skip
_RETRACTION_RE: Final = re.compile(
    r"^\W*(?:(?:ok|okay|oh|wait|well|no|nope|sorry|hmm+|um+|uh+|yeah nah)\W+)*"
    r"(?:actually|correction|in fact|to be clear)\b|\bi was wrong\b|\bi misspoke\b"
    r"|\bscratch that\b|\bthat(?:'|’)?s not (?:true|right)\b|\bi take (?:that|it) back\b",
    re.IGNORECASE,
)
_NAMED: Final = frozenset({"Place", "Organization", "Product"})
_JOINED_MAX: Final = 400  # a fact said by two sentences of one turn keeps both up to this
_NAME_GIVEN: Final = re.compile(
    r"(?:^\W*|[,;:]\s*|\band\s+)(?i:his|her|its|their|the\s+\w+['’]s)\s+(?i:name)"
    r"(?:['’]s|\s+is)\s+([A-Z][\w'’-]+)"
)
_ENDING_RE: Final = re.compile(r"\b(?:no longer|anymore|any more|any longer)\b", re.IGNORECASE)
_NAME_TRIM: Final = re.compile(r"^(?:the\s+)|(?:['’]s?)$", re.IGNORECASE)
_CAPTION_RELATION: Final = "SHARED_PHOTO_OF"
_TIME_WORDS: Final = frozenset({
    "last", "next", "this", "yesterday", "today", "tomorrow", "tonight", "morning", "evening",
    "night", "week", "weekend", "month", "year", "ago", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
})  # fmt: skip
_NAME_NORM: Final = "john"  # a first name the model has seen often
# first words of many names that are no name on their own ("New York Times" is not "New")
_NAME_OPENERS: Final = frozenset({
    "the", "new", "old", "north", "south", "east", "west", "northern", "southern", "eastern",
    "western", "great", "united", "general", "national", "international", "american",
    "british", "first", "royal", "st", "st.", "saint", "san", "santa", "los", "las", "la", "le",
    "el", "de", "global", "city", "state", "central", "big", "little", "my", "our", "team",
})  # fmt: skip
_BURST: Final = timedelta(hours=1)  # "ignore all that" takes back turns this close together
_CHUNK: Final = 2048  # episodes parsed at a time (bounds the memory held by Docs)


class SpacyExtractor:
    """Entities and candidate facts from English dialogue, offline (spaCy + rules).

    The spaCy pipeline is loaded on first use and shared (see
    :func:`~chronomem.ingest.extract.spacy_model.load_pipeline`). Episodes of one conversation
    (same group, source and session) must arrive in order: earlier turns tell who "you" and
    "she" are.
    """

    def __init__(
        self,
        *,
        batch_size: int = 256,
        pipeline: LoadedPipeline | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self._batch_size = batch_size
        self._pipeline = pipeline
        self.vocabulary = vocabulary or default_vocabulary()

    @property
    def name(self) -> str:
        """``"spacy-rules-v1"``: names this extractor and its rule set in provenance."""
        return "spacy-rules-v1"

    def load(self) -> LoadedPipeline:
        """The spaCy pipeline (loaded now if it is not yet)."""
        if self._pipeline is None:
            self._pipeline = load_pipeline()
        return self._pipeline

    def extract(self, episodes: Sequence[Episode]) -> list[Extraction]:
        """One :class:`Extraction` per episode, in order (loads the pipeline on first use)."""
        pipeline = self.load()
        if not episodes:
            return []
        targets = addressees(episodes)
        windows: dict[ConversationKey, PeopleWindow] = {}
        for episode in episodes:  # every speaker of a conversation is a participant from the start
            window = windows.setdefault(conversation_key(episode), PeopleWindow())
            if episode.speaker and episode.speaker not in window.participants:
                window.participants.append(episode.speaker)
        results: list[Extraction] = []
        for start in range(0, len(episodes), _CHUNK):
            chunk = episodes[start : start + _CHUNK]
            parts = [split_caption(episode.content) for episode in chunk]
            names = _names_by_text(chunk, parts)
            docs = self._parse(pipeline, [text for text, _ in parts], names)
            for offset, (episode, doc) in enumerate(zip(chunk, docs, strict=True)):
                window = windows[conversation_key(episode)]
                reader = _EpisodeReader(
                    pipeline, episode, targets[start + offset], window, self.vocabulary,
                    names[offset],
                )  # fmt: skip
                results.append(reader.read(doc, parts[offset][1]))
        return results

    def _parse(
        self, pipeline: LoadedPipeline, texts: list[str], names: list[frozenset[str]]
    ) -> list[Doc]:
        """Tag and parse every text (made readable first, see
        :func:`~chronomem.language.chat.normalize_chat`); run NER on those the gate lets
        through. ``names``: per text, the words that name people in its conversation; the
        parser reads them as it reads a common first name."""
        nlp = pipeline.nlp
        lemmatizer, stop_words = pipeline.lemmatizer, nlp.Defaults.stop_words

        def known(word: str) -> bool:
            return word in stop_words or lemmatizer.knows(word)

        texts = [normalize_chat(text, known_word=known) for text in texts]
        made = []
        for text, people in zip(texts, names, strict=True):
            doc = nlp.make_doc(text)
            for token in doc:
                if token.text in people:
                    token.norm_ = _NAME_NORM
            made.append(doc)
        try:
            docs = list(nlp.pipe(made, batch_size=self._batch_size, disable=["ner"]))
            named = [doc for doc in docs if pipeline.ner_gate(doc.text)]
            for _ in nlp.get_pipe("ner").pipe(named, batch_size=self._batch_size):
                pass  # annotates the docs in place
        except (ValueError, RuntimeError, KeyError) as exc:
            raise ExtractionError(f"spaCy failed on a batch of {len(texts)} texts: {exc}") from exc
        return docs


class _EpisodeReader:
    """Reads one parsed episode."""

    def __init__(
        self,
        pipeline: LoadedPipeline,
        episode: Episode,
        addressee: str | None,
        window: PeopleWindow,
        vocabulary: Vocabulary,
        people: frozenset[str] = frozenset(),
    ) -> None:
        self.pipeline = pipeline
        self.people = people
        self.vocabulary = vocabulary
        self.episode = episode
        self.window = window
        speaker = episode.speaker
        self.speaker = EntityMention(speaker, PERSON, is_speaker=True) if speaker else None
        self.addressee = EntityMention(addressee, PERSON) if addressee else None
        self.mentions: dict[tuple[str, str], EntityMention] = {}
        self.facts: dict[tuple[object, ...], CandidateFact] = {}
        self.resolved: dict[int, EntityMention | None] = {}
        self.sentence_people: list[tuple[int, EntityMention]] = []
        self.entity_tokens: dict[int, EntityMention] = {}
        window.start_turn(speaker)

    def read(self, doc: Doc, caption: str | None) -> Extraction:
        if self.speaker is not None:
            self._add_mention(self.speaker)
        entities = self._entities(doc)
        self.entity_tokens = entities
        content = doc.text
        times = self._times(content)
        reference = self.episode.reference_time
        refs = Referents(
            self.speaker, self.addressee, entities, self._third_person, kin=self.window.kin
        )
        reader = SentenceReader(self.pipeline.lemmatizer, refs)
        states = StateReader(
            reader, self.vocabulary, self.pipeline.lemmatizer.knows, self.window.students
        )
        carried_retraction = False
        carried_times: list[TimeMention] = []
        for tokens in doc.sents:
            start, end = tokens.start_char, tokens.end_char
            text = tokens.text
            self.sentence_people = [
                (i, m) for i, m in sorted(entities.items()) if start <= doc[i].idx < end
            ]
            refs.people.clear()
            lowered = " ".join(text.lower().replace("’", "'").split())
            retraction = _RETRACTION_RE.search(text) is not None or any(
                phrase in lowered for phrase in self.vocabulary.retraction_phrases
            )
            question = text.rstrip().endswith("?")
            raw = reader.read(
                tokens,
                question=question,
                retraction=retraction or carried_retraction,
                ending=_ENDING_RE.search(text) is not None,
            )
            discards = not question and any(p in lowered for p in self.vocabulary.discard_phrases)
            stated = states.read(
                tokens,
                question=question,
                retraction=retraction or carried_retraction or discards,
            )
            raw = _merge(raw, stated, self.vocabulary)
            if any(f.retracts for f in raw):  # a sentence that denies something asserts nothing
                raw = [f for f in raw if f.retracts or f.ends]
            if not question and retraction:
                raw += self._retracted_names(tokens, raw)
            if discards:
                self._discard_previous()
            carried_retraction = retraction and not raw
            own = [t for t in times if start <= t.start < end]
            if own:
                carried_times = [
                    t
                    for t in own
                    if t.relative and t.finish <= reference and t.granularity in _NARRATED
                ]
            elif carried_times and _goes_on_telling(tokens):
                own = carried_times  # "Last Fri I took my kids to a workshop. We made pots"
            else:
                carried_times = []
            if raw:
                self._add_facts(raw, tokens, own)
            named = _NAME_GIVEN.search(text.strip())
            if named is not None and not question:  # after this sentence's own facts:
                self._name_placeholder(named.group(1), text.strip())  # "seeing someone, her..."
            people = [(m.name, m.label) for _, m in self.sentence_people if m.label == PERSON]
            people += [(m.name, m.label) for m in refs.people]
            people += [(m.name, m.label) for m in self.resolved.values() if m is not None]
            self.window.add_sentence(people)
            self.resolved.clear()
        if caption is not None and self.speaker is not None:
            self._add_fact(
                CandidateFact(
                    episode_uuid=self.episode.uuid,
                    subject=self.speaker,
                    relation=_CAPTION_RELATION,
                    object=EntityMention(caption_object(caption), CONCEPT),
                    fact=caption_statement(self.speaker.name, caption),
                    confidence=0.7,
                )
            )
        self._one_type_per_name()
        animals = {name for name, label in self.mentions if label == ANIMAL}
        for fact in self.facts.values():  # names the rules gave a type to ("my husband Tomer")
            for mention in (fact.subject, fact.object):
                if (
                    mention.label in (PERSON, ANIMAL)
                    and mention.name[:1].isupper()
                    and "'" not in mention.name
                    and not mention.is_speaker
                ):
                    known = self.window.known_names
                    known.setdefault(mention.name.lower(), mention)
                    first = mention.name.split()[0].lower()
                    if first != mention.name.lower():  # "Femke" for "Femke de Wit"
                        known.setdefault(first, mention)
        self.window.students.update(
            f.subject.name for f in self.facts.values() if f.relation == "STUDIES_AT" and not f.ends
        )
        for fact in self.facts.values():  # employers and places, for a later bare mention
            for thing in (fact.subject, fact.object):
                if not thing.name[:1].isupper() or not (
                    thing.label in _NAMED or (thing.label == CONCEPT and thing is fact.object)
                ):  # a capitalised thing someone has ("bought a Vespa") is no person later
                    continue
                if " " not in thing.name:
                    self.window.known_things.setdefault(thing.name.lower(), thing)
                    continue
                first = thing.name.split()[0]  # "Bluefin Labs", later just "Bluefin"
                if thing.label == "Organization" and first.lower() not in _NAME_OPENERS:
                    short = EntityMention(first, thing.label)
                    self.window.known_things.setdefault(first.lower(), short)
        if self.speaker is not None:
            said = [f for f in self.facts.values() if not f.retracts]
            if said:  # a burst: the speaker's turns less than an hour apart, at most one
                moment, turn = self.episode.reference_time, self.window.turn  # reply between
                last = self.window.recent_facts.get(self.speaker.name)
                if (
                    last is not None
                    and timedelta(0) <= moment - last[0] < _BURST
                    and turn - last[1] <= 2
                ):
                    said = [*last[2], *said]
                self.window.recent_facts[self.speaker.name] = (moment, turn, said)
        return Extraction(
            episode_uuid=self.episode.uuid,
            entities=[  # a pet's name that NER took for a person is the pet
                m for m in self.mentions.values() if not (m.label == PERSON and m.name in animals)
            ],
            facts=list(self.facts.values()),
        )

    # -- entities ------------------------------------------------------------------------------

    def _entities(self, doc: Doc) -> dict[int, EntityMention]:
        by_token: dict[int, EntityMention] = {}
        for ent in doc.ents:
            label = NER_LABELS.get(ent.label_)
            hyphenated = label is None and _hyphenated_name(ent)
            if hyphenated:
                label = PERSON  # "Pieter-Jan proposed", read as a date
            if label is None:
                continue
            if len(ent) == 1 and ent.text.lower() in cues.PERSON_KIN:
                continue  # "Mum taught at ...": the speaker's mum (a relative), not a name
            start, end = ent.start, ent.end
            while not hyphenated and end > start and doc[end - 1].lower_ in _TIME_WORDS:
                end -= 1  # "John last June" -> "John"
            while start < end and doc[start].lower_ in _TIME_WORDS:
                start += 1
            if start < end - 1 and start == doc[start].sent.start and self._verb_like(doc[start]):
                start += 1  # "Joined Ducati last month": the verb is not part of the name
            if any(doc[i].tag_.startswith("VB") for i in range(start + 1, end)):
                continue  # "Femke quit Philips": a clause, not a name
            if all(i in by_token for i in range(start, end)):
                continue  # the model of a make already named with it ("Honda CB500")
            end = self._with_model(doc, start, end)
            span_text = doc[start:end].text
            if label == "Place" and span_text.islower() and place_name(span_text) is None:
                continue  # "finaly moved to ...": a lower-case word NER took for a place
            name = _clean_name(span_text) if end > start else None
            if name is None:
                continue
            earlier = self.window.known_names.get(name.lower())
            if earlier is None and (label in _NAMED or label == PERSON):  # "works at
                # Flutterwave", then "left Flutterwave" (a place?); "moving to Córdoba", then
                # "Córdoba is off" (a person?)
                earlier = self.window.known_things.get(name.lower())
            if name in self.people and label != PERSON:
                label = PERSON  # "my cousin Mateo" makes "Mateo" a person, not a city
            if label == PERSON and self.speaker is not None and name == self.speaker.name:
                mention = self.speaker
            elif earlier is not None:
                mention = earlier  # typed by what was said of it before ("my sister Ananya")
            else:
                mention = EntityMention(name, label)
            self._add_mention(mention)
            for index in range(start, end):
                by_token[index] = mention
        known = self.window.known_names
        for token in doc:  # a person or pet named earlier, written in lower case or untyped
            if token.i in by_token or not token.is_alpha:
                continue
            again: EntityMention | None = known.get(token.lower_)
            if again is None and token.text[:1].isupper():  # "Zalando is headquartered ..."
                again = self.window.known_things.get(token.lower_)
            if again is None and token.tag_ in ("NNP", "NN") and self._untyped_person(token):
                again = EntityMention(token.text, PERSON)  # "Rosalind and I", left untyped
            if again is not None:
                by_token[token.i] = again
                self._add_mention(again)
        for start, end, name in _lower_case_places(doc, by_token, self.pipeline.lemmatizer.lemma):
            place = EntityMention(name, "Place")  # "moved to gothenburg", "in new york"
            for index in range(start, end):
                by_token[index] = place
            self._add_mention(place)
        return by_token

    def _with_model(self, doc: Doc, start: int, end: int) -> int:
        """The end of a make's name with the model it qualifies: NER reads "a Honda CB500",
        "a silver Honda Jazz" as the company "Honda" beside (or without) the model; a make of a
        vocabulary category ("vehicle", "phone"...) compounded to the name after it is one
        name with it."""
        last = doc[end - 1]
        head = last.head
        if (
            last.dep_ != "compound"
            or head.i != end
            or head.tag_ not in ("NNP", "NNPS", "NN")
            or not (head.text[:1].isupper() or any(ch.isdigit() for ch in head.text))
            or not self.vocabulary.categories_of(t.lower_ for t in doc[start:end])
        ):
            return end
        return end + 1  # (head.i == end)

    def _untyped_person(self, token: Any) -> bool:
        """A name NER left untyped that can only be a person's: one the conversation gives to
        someone ("my cousin Mateo", "Rosalind and I"), or a capitalised word that is no
        English word, in subject position ("Chloe's dating a guy named Reza")."""
        if token.text in self.people:
            return True
        subject = token.dep_ in ("nsubj", "nsubjpass") or (
            token.dep_ == "conj" and token.head.dep_ in ("nsubj", "nsubjpass")
        )
        return (
            subject
            and token.text[:1].isupper()
            and token.text[1:].islower()
            and len(token.text) > 2
            and not self.pipeline.lemmatizer.knows(token.lower_)
            and token.lower_ not in self.pipeline.nlp.Defaults.stop_words
            and token.lower_ not in INTERJECTIONS  # "Yep, he loves it"
        )

    def _verb_like(self, token: Any) -> bool:
        """A capitalised word opening a sentence that is a past-tense verb of the vocabulary."""
        lower = token.lower_
        lemma = self.pipeline.lemmatizer.lemma(lower, "VBD")
        return lemma != lower and bool(self.vocabulary.frames_for(lemma))

    def _add_mention(self, mention: EntityMention) -> None:
        self.mentions.setdefault((mention.name, mention.label), mention)

    def _third_person(self, index: int) -> EntityMention | None:
        if index in self.resolved:
            return self.resolved[index]
        before = [(m.name, m.label) for i, m in self.sentence_people if i < index]
        before = [p for p in before if p[1] == PERSON]
        found = self.window.resolve(before)
        mention = None if found is None else EntityMention(found[0], found[1])
        self.resolved[index] = mention
        return mention

    # -- facts ---------------------------------------------------------------------------------

    def _retracted_names(self, tokens: Sequence[Any], raw: list[RawFact]) -> list[RawFact]:
        """In a sentence that takes something back ("the Stripe offer fell through", "I meant
        Bern, not Berlin"), each named thing the speaker says no fact about is retracted."""
        if self.speaker is None:
            return []
        named = {f.object.name for f in raw} | {
            f.subject.name for f in raw if f.relation in self.vocabulary.relations
        }  # ("Quillon rescinded the offer, hiring freeze": no fact of the vocabulary about it)
        out: list[RawFact] = []
        seen: set[str] = set()
        things = self.sentence_people_and_things(tokens)
        doc = tokens[0].doc
        negated = [
            (i, m) for i, m in things if i > 0 and doc[i - 1].lower_ in ("not", "never", "no")
        ]  # "I meant Bern, not Berlin": only what is denied
        for _, mention in negated or things:
            if mention.label == PERSON or mention.name in named or mention.name in seen:
                continue
            seen.add(mention.name)
            out.append(
                RawFact(self.speaker, "RETRACTS", mention, 0.8, None, retracts=True, scope="object")
            )
        return out

    def sentence_people_and_things(self, tokens: Sequence[Any]) -> list[tuple[int, EntityMention]]:
        """The named entities of a sentence (token index, mention)."""
        start, end = tokens[0].i, tokens[-1].i
        found: dict[str, tuple[int, EntityMention]] = {}
        for token in tokens:
            mention = self.entity_tokens.get(token.i)
            if mention is not None and start <= token.i <= end:
                found.setdefault(mention.name, (token.i, mention))
        return list(found.values())

    def _one_type_per_name(self) -> None:
        """A name the vocabulary re-typed ("Acme" read as a place, taken as the employer) is one
        entity of that type in this turn: its other mentions and facts follow."""
        retyped = {
            f.object.name: f.object
            for f in self.facts.values()
            if f.object.label in _NAMED and (f.object.name, f.object.label) in self.mentions
        }
        for (name, label), _ in list(self.mentions.items()):
            chosen = retyped.get(name)
            if chosen is not None and label != chosen.label and label in _NAMED:
                del self.mentions[(name, label)]
        if not retyped:
            return
        for key, fact in list(self.facts.items()):
            subject = retyped.get(fact.subject.name, fact.subject)
            obj = retyped.get(fact.object.name, fact.object)
            if subject.label not in _NAMED:
                subject = fact.subject
            if fact.object.label not in _NAMED:
                obj = fact.object
            if subject != fact.subject or obj != fact.object:
                del self.facts[key]
                self._add_fact(dataclasses.replace(fact, subject=subject, object=obj))

    def _times(self, content: str) -> list[TimeMention]:
        """The time mentions of a turn, read after the speaker's previous turn so that "the
        year after" finds the year that turn named ("I graduated in 2015." / "Moved to Seattle
        the year after")."""
        if not content:
            return []
        reference = self.episode.reference_time
        before = self.window.last_text.get(self.speaker.name) if self.speaker else None
        if self.speaker is not None:
            self.window.last_text[self.speaker.name] = content
        if not before:
            return find_time_mentions(content, reference)
        offset = len(before) + 1
        found = find_time_mentions(f"{before}\n{content}", reference)
        return [
            dataclasses.replace(m, start=m.start - offset, end=m.end - offset)
            for m in found
            if m.start >= offset
        ]

    def _name_placeholder(self, name: str, sentence: str) -> None:
        """ "We adopted a kitten! Her name is Pepper": the unnamed kitten of this turn is Pepper,
        and the fact says so."""
        for key, fact in list(self.facts.items()):
            obj = fact.object
            if "'s " in obj.name and obj.label in (PERSON, ANIMAL) and not fact.ends:
                named = EntityMention(name, obj.label)
                del self.facts[key]
                text = fact.fact if sentence in fact.fact else f"{fact.fact} {sentence}"
                self._add_fact(dataclasses.replace(fact, object=named, fact=text))
                self.window.known_names.setdefault(name.lower(), named)
                return

    def _discard_previous(self) -> None:
        """ "Ignore all that", "scratch that": the speaker's previous statements are taken back."""
        if self.speaker is None:
            return
        _, _, previous = self.window.recent_facts.pop(self.speaker.name, (None, 0, []))
        for fact in previous:
            if fact.ends:  # "I'm leaving Acme ... ignore that": the ending is taken back
                taken_back = dataclasses.replace(
                    fact, retracts=True, valid_at=None, invalid_at=None,
                    episode_uuid=self.episode.uuid,
                )  # fmt: skip
                self._add_fact(taken_back)
                continue
            self._add_fact(
                dataclasses.replace(
                    fact, retracts=True, ends=False, scope="fact", episode_uuid=self.episode.uuid
                )
            )

    def _add_facts(
        self, raw: list[RawFact], tokens: Sequence[Any], times: list[TimeMention]
    ) -> None:
        speaker = self.speaker.name if self.speaker else None
        addressee = self.addressee.name if self.addressee else None

        def third(index: int) -> str | None:
            mention = self._third_person(index)
            return None if mention is None else mention.name

        statement = rewrite_sentence(tokens, speaker, addressee, third)
        first = tokens[0]
        elided = first.dep_ == "ROOT" and first.tag_.startswith("VB")  # "Went to Rome."
        negative = {
            (f.subject, f.relation, f.object) for f in raw if f.ends or f.retracts
        }  # "she broke up with her boyfriend Tom" does not also say they are partners
        for fact in raw:
            if not (fact.ends or fact.retracts) and (
                (fact.subject, fact.relation, fact.object) in negative
            ):
                continue
            text = statement
            if speaker is not None and (elided or fact.subject.name not in text):
                text = speaker_line(speaker, text)
            if not text.strip():
                text = f"{fact.subject.name} {fact.relation} {fact.object.name}"
            valid_at, invalid_at = _dating(fact, times)
            if self._arranged(fact, valid_at):
                continue
            self._add_fact(
                CandidateFact(
                    episode_uuid=self.episode.uuid,
                    subject=fact.subject,
                    relation=fact.relation,
                    object=fact.object,
                    fact=text,
                    valid_at=valid_at,
                    invalid_at=invalid_at,
                    ends=fact.ends,
                    retracts=fact.retracts,
                    confidence=max(0.0, min(1.0, fact.confidence)),
                    scope=fact.scope,
                )
            )

    def _arranged(self, fact: RawFact, valid_at: datetime | None) -> bool:
        """An event dated after the message is an arrangement, not something that happened
        ("I signed up for a workshop next month", "on Sunday I'm going on a picnic"); a state
        dated ahead ("moving to Lyon in May") is kept and holds from then."""
        if fact.ends or fact.retracts or valid_at is None:
            return False
        spec = self.vocabulary.relations.get(fact.relation)
        return (spec is None or spec.kind == "event") and valid_at > self.episode.reference_time

    def _add_fact(self, fact: CandidateFact) -> None:
        self._add_mention(fact.subject)
        if fact.scope != "slot":  # a slot ending's object is a placeholder, not an entity
            self._add_mention(fact.object)
        key = (
            fact.subject.name, fact.subject.label, fact.relation, fact.object.name,
            fact.object.label, fact.ends, fact.retracts, fact.scope,
        )  # fmt: skip
        existing = self.facts.get(key)
        if existing is None:
            self.facts[key] = fact
            return
        text = existing.fact
        said = fact.fact
        if self.speaker is not None and said.startswith(f"{self.speaker.name}: "):
            said = said[len(self.speaker.name) + 2 :]
        if said not in text and len(text) + len(said) < _JOINED_MAX:
            text = f"{text} {said}"  # "Obinna proposed!! We're engaged": both sentences say it
        self.facts[key] = dataclasses.replace(
            existing, fact=text, confidence=max(existing.confidence, fact.confidence)
        )


# Times close enough for a story of them to go on in the next sentence ("Last Friday I went to
# a convention. I met new people."); "a few years ago" is too vague to carry.
_NARRATED: Final = frozenset({"day", "week", "weekend"})
_TIME_MOVERS: Final = frozenset({
    "then", "now", "since", "later", "after", "afterwards", "today", "currently", "recently",
    "still", "anymore", "soon", "tomorrow", "next", "before", "eventually", "finally",
})  # fmt: skip
# What a place's preposition hangs from when the place is where someone is, goes or comes from.
_PLACE_HEADS: Final = frozenset({
    "live", "move", "relocate", "base", "stay", "settle", "be", "go", "travel", "fly", "visit",
    "come", "return", "head", "drive", "work", "study", "get", "land", "arrive", "transfer",
    "house", "flat", "apartment", "place", "home", "trip", "holiday", "vacation", "week",
    "weekend", "month", "year", "back", "living", "life", "condo", "job", "office", "uni",
    "close", "buy", "rent", "sign", "find", "bear", "born", "grow", "raise", "spend", "end",
})  # fmt: skip
_PLACE_PREPOSITIONS: Final = frozenset({"in", "to", "from", "near", "outside"})


def _goes_on_telling(tokens: Any) -> bool:
    """Whether a sentence without a time of its own goes on with the past the sentence before
    it dated ("Last week was eye-opening. I visited a veterans' hospital."): its main verb is a
    simple past, and no word moves the time on ("then", "now", "since", "later")."""
    root = tokens.root
    if root.tag_ != "VBD" or any(c.dep_ == "aux" for c in root.children):
        return False
    return not any(t.lower_ in _TIME_MOVERS for t in tokens)


def _lower_case_places(
    doc: Any, by_token: dict[int, EntityMention], lemma: Callable[[str, str], str]
) -> Iterator[tuple[int, int, str]]:
    """Runs of up to three lower-case (or shouted) words after "in", "to" or "from" that name a
    country or a large city (:func:`~chronomem.language.places.place_name`), where the
    preposition hangs from living, moving, travelling or a home: (start, end, written name)."""
    for token in doc:
        if token.lower_ not in _PLACE_PREPOSITIONS or token.i + 1 >= len(doc):
            continue
        head = token.head
        if token.dep_ == "aux" and head.i == token.i + 1:
            head = head.head  # "moved to gothenburg" parsed as an infinitive
        if lemma(head.lower_, head.tag_) not in _PLACE_HEADS and head.lower_ not in _PLACE_HEADS:
            continue
        first = token.i + 1
        for end in range(min(first + 3, len(doc)), first, -1):
            run = doc[first:end]
            if any(t.i in by_token or not t.is_alpha for t in run):
                continue
            if any(t.text[:1].isupper() and not t.is_upper for t in run):
                continue  # capitalised: NER's business
            if len(run) == 1 and run[0].tag_ not in ("NN", "NNP", "NNS", "VB"):
                continue  # "i live in nice"
            name = place_name(run.text)
            if name is not None:
                yield first, end, name
                break


def _hyphenated_name(ent: Any) -> bool:
    """A first name joined by a hyphen that NER took for a date ("Pieter-Jan", "Jean-Luc")."""
    words = [t for t in ent if t.tag_ != "HYPH"]
    return (
        ent.label_ in ("DATE", "TIME")
        and any(t.tag_ == "HYPH" for t in ent)
        and bool(words)
        and all(t.tag_ in ("NNP", "NNPS") and t.text[:1].isupper() for t in words)
        and not any(t.lower_ in cues.CALENDAR_WORDS for t in words)
    )


def _names_by_text(
    episodes: Sequence[Episode], parts: Sequence[tuple[str, str | None]]
) -> list[frozenset[str]]:
    """Per episode, the people named in its conversation (in this chunk): the speakers and
    the names given with a kin or role word ("my brother Rory")."""
    texts: dict[ConversationKey, list[str]] = {}
    speakers: dict[ConversationKey, set[str]] = {}
    for episode, (text, _) in zip(episodes, parts, strict=True):
        key = conversation_key(episode)
        texts.setdefault(key, []).append(text)
        if episode.speaker:
            speakers.setdefault(key, set()).update(episode.speaker.split()[:1])
    names = {
        key: frozenset(people_named(found) | speakers.get(key, set()))
        for key, found in texts.items()
    }
    return [names[conversation_key(episode)] for episode in episodes]


def _merge(raw: list[RawFact], stated: list[RawFact], vocabulary: Vocabulary) -> list[RawFact]:
    """The general rules' facts and the vocabulary's state facts of one sentence.

    A sentence that states a state is about that state: the general rules' facts that the
    vocabulary does not know (bare verbs), and those about the same holder and relation or the
    same holder and value, give way, so that the sentence is carried by facts that end when the
    state ends.
    """
    if not stated:
        return raw
    if not any(vocabulary.is_state(f.relation) for f in stated):
        # events ("went to Paris") leave the sentence's other statements alone
        said = {(f.subject, f.relation, f.object) for f in stated}
        return [*stated, *(f for f in raw if (f.subject, f.relation, f.object) not in said)]
    # a status a state of the sentence carries ("Felix and I got married": MARRIED_TO, so no
    # HAS_STATUS married that would outlive the marriage)
    carried = {ask for f in stated for ask in vocabulary.asks_of(f.relation)}
    raw = [f for f in raw if not (f.relation == "HAS_STATUS" and f.object.name.lower() in carried)]
    # by name: the general rules may type a name otherwise ("Zalando" as a place)
    slots = {(f.subject.name, f.relation) for f in stated}
    pairs = {(f.subject.name, f.object.name.lower()) for f in stated}
    kept = [
        f
        for f in raw
        if f.span is None  # a possessive ("my husband"): lasting, never in the way
        or (
            f.relation in vocabulary.relations
            and (f.subject.name, f.relation) not in slots
            and (f.subject.name, f.object.name.lower()) not in pairs
        )
    ]
    return [*stated, *kept]


def _clean_name(text: str) -> str | None:
    name = " ".join(_NAME_TRIM.sub("", text.strip()).split()).strip(" .,!?;:\"'()[]")
    if len(name) < 2 or not any(c.isalpha() for c in name):
        return None
    return name


def _dating(fact: RawFact, times: list[TimeMention]) -> tuple[datetime | None, datetime | None]:
    """(valid_at, invalid_at) of a fact from the time mentions of its sentence.

    The mention inside the fact's clause wins, else the sentence's first one. An ending is
    dated by its invalid_at (the start of the period named: "left Acme in May" -> 1 May).
    """
    if fact.span is None or not times:
        return None, None
    lo, hi = fact.span
    chosen = next((t for t in times if lo <= t.start and t.end <= hi), times[0])
    valid_at, invalid_at = mention_interval(chosen)
    if fact.ends:
        if chosen.kind == "range":
            return None, chosen.finish
        return None, chosen.begin
    return valid_at, invalid_at
