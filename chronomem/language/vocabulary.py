"""The relation vocabulary: canonical relations, what they mean, and how people say them.

The data lives in ``vocabulary.yaml`` beside this module (docs/temporal.md describes every
key). :func:`load_vocabulary` reads it, merged with a user's own file of the same shape:
relations, categories and roles are added or replaced by name, frames and endings appended.
Everything here is plain data with lookups; the extractor applies the frames to parsed
sentences, the temporal resolver reads cardinalities, the search reads question words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from chronomem.errors import ConfigurationError

__all__ = [
    "DEFAULT_VOCABULARY_PATH",
    "Frame",
    "RelationSpec",
    "SlotEnding",
    "Vocabulary",
    "default_vocabulary",
    "gerund_of",
    "load_vocabulary",
]

DEFAULT_VOCABULARY_PATH: Final = Path(__file__).with_name("vocabulary.yaml")
Effect = Literal["start", "end", "retract"]
Scope = Literal["fact", "object", "slot"]
_KINDS: Final = frozenset({"state", "lasting", "event"})
_EFFECTS: Final = frozenset({"start", "end", "retract"})
_SCOPES: Final = frozenset({"fact", "object", "slot"})
_ASPECTS: Final = frozenset({"any", "progressive"})


@dataclass(frozen=True, slots=True)
class RelationSpec:
    """One canonical relation: ``cardinality`` one or many values at a time, ``kind`` state
    (holds until ended), lasting (never ended by a cue) or event (happened once)."""

    name: str
    functional: bool
    kind: str
    objects: tuple[str, ...]
    asks: tuple[str, ...]
    family: tuple[str, ...] = ()
    follows: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Frame:
    """A verb and where its value sits: ``via`` dobj, subj, subjpass, agent, attr, acomp,
    oprd, xcomp, dative or a preposition; ``objects`` entity types or category names (empty: any);
    ``holder`` the types the fact's subject may have; ``needs`` words one of which the clause
    must contain; ``aspect`` "progressive" when the verb has this meaning only as a gerund
    ("I'm seeing someone", "we stopped seeing each other", not "I saw someone drawing")."""

    verbs: tuple[str, ...]
    via: tuple[str, ...]
    relation: str
    objects: tuple[str, ...] = ()
    effect: Effect = "start"
    scope: Scope = "fact"
    holder: tuple[str, ...] = ("Person",)
    needs: tuple[str, ...] = ()
    aspect: str = "any"


@dataclass(frozen=True, slots=True)
class SlotEnding:
    """A verb that ends the holder's current value of ``relation`` without naming it."""

    verbs: tuple[str, ...]
    relation: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The loaded vocabulary, with the lookups the extractor, resolver and search use."""

    relations: Mapping[str, RelationSpec]
    categories: Mapping[str, tuple[str, frozenset[str]]]  # name -> (relation, words)
    roles: frozenset[str]
    frames: tuple[Frame, ...]
    slot_endings: tuple[SlotEnding, ...]
    retraction_phrases: tuple[str, ...]
    discard_phrases: tuple[str, ...]
    favourites: Mapping[str, str] = field(default_factory=dict)  # noun -> FAVORITE_ relation
    organisation_nouns: Mapping[str, str] = field(default_factory=dict)  # "ceo" -> HAS_CEO
    habits: frozenset[str] = frozenset()
    # category -> the words that name any of its members ("instrument"); a category without
    # them is named by any of its words ("my car" is the Volvo)
    generic: Mapping[str, frozenset[str]] = field(default_factory=dict)
    _by_verb: dict[str, list[Frame]] = field(default_factory=dict, compare=False, repr=False)
    _endings_by_verb: dict[str, list[SlotEnding]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for frame in self.frames:
            for verb in frame.verbs:
                self._by_verb.setdefault(verb, []).append(frame)
        for ending in self.slot_endings:
            for verb in ending.verbs:
                self._endings_by_verb.setdefault(verb, []).append(ending)

    def functional(self) -> frozenset[str]:
        """The relations that hold one value at a time."""
        return frozenset(name for name, spec in self.relations.items() if spec.functional)

    def frames_for(self, verb: str) -> list[Frame]:
        """The frames of a verb key ("move", "lay off")."""
        return self._by_verb.get(verb, [])

    def slot_endings_for(self, verb: str) -> list[SlotEnding]:
        """The slot endings of a verb key."""
        return self._endings_by_verb.get(verb, [])

    def refers_to_any(self, category: str, words: Iterable[str]) -> bool:
        """Whether ``words`` (lower case category words) may name any member of ``category``:
        "the car" any vehicle, but "the piano" only a piano, not the ukulele."""
        generic = self.generic.get(category)
        return generic is None or {w.lower() for w in words} <= generic

    def categories_of(self, words: Iterable[str]) -> set[str]:
        """The categories any of ``words`` (lower case) belongs to."""
        lowered = {w.lower() for w in words}
        return {name for name, (_, members) in self.categories.items() if lowered & members}

    def is_state(self, relation: str) -> bool:
        """Whether ``relation`` can be ended by a cue: a state of the vocabulary, or a relation
        the vocabulary does not know (a verb the extractor kept as it was said)."""
        spec = self.relations.get(relation)
        return spec is None or spec.kind == "state"

    def family(self, relation: str) -> tuple[str, ...]:
        """``relation`` and the relations an ending of it also ends."""
        spec = self.relations.get(relation)
        return (relation,) if spec is None else (relation, *spec.family)

    def asks_of(self, relation: str) -> tuple[str, ...]:
        """The question words of ``relation`` (none for a relation the vocabulary lacks)."""
        spec = self.relations.get(relation)
        return () if spec is None else spec.asks

    def followers(self, relation: str) -> tuple[str, ...]:
        """The relations whose values, stated in one sentence with a value of ``relation``,
        end when that value ends."""
        return tuple(name for name, spec in self.relations.items() if relation in spec.follows)

    def replaced_by(self, relation: str) -> tuple[str, ...]:
        """The relations whose current values end when a value of ``relation`` starts
        ("married to" ends "engaged to")."""
        spec = self.relations.get(relation)
        return () if spec is None else spec.replaces

    def relations_asked(self, words: Iterable[str]) -> frozenset[str]:
        """The relations whose question words are among ``words`` (lower case)."""
        present = set(words)
        joined = " " + " ".join(words) + " "
        found: set[str] = set()
        for name, spec in self.relations.items():
            for ask in spec.asks:
                if (" " in ask and f" {ask} " in joined) or ask in present:
                    found.add(name)
                    break
        return frozenset(found)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{where}: expected a list of strings, got {value!r}")
    return tuple(v.lower() if v not in _TYPE_NAMES else v for v in value)


_TYPE_NAMES: Final = frozenset({"Person", "Place", "Organization", "Concept", "Animal", "Product",
                                "Event"})  # fmt: skip


def _choice(value: object, allowed: frozenset[str], default: str, where: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or value not in allowed:
        raise ConfigurationError(f"{where}: expected one of {sorted(allowed)}, got {value!r}")
    return value


def gerund_of(verb: str) -> str:
    """The -ing form of a habit verb as questions and facts write it ("smoke" -> "smoking",
    "cycle" -> "cycling", "drink" -> "drinking", "run" -> "running", "knit" -> "knitting")."""
    if verb.endswith("e") and not verb.endswith("ee"):
        return verb[:-1] + "ing"
    if _SHORT_CLOSED.search(verb):  # one short syllable ending consonant-vowel-consonant
        return verb + verb[-1] + "ing"
    return verb + "ing"


_SHORT_CLOSED: Final = re.compile(r"^[^aeiou]*[aeiou][^aeiouwxy]$")
# questions about habits in general ("What sport does Bea do?", "any hobbies?")
_HABIT_ASKS: Final = ("sport", "sports", "hobby", "hobbies", "exercise", "workout", "habit")


def _relation_name(value: object, where: str) -> str:
    if not isinstance(value, str) or not value or not value.replace("_", "").isalnum():
        raise ConfigurationError(f"{where}: a relation name like LIVES_IN, got {value!r}")
    return value.upper()


def _parse(raw: Mapping[str, Any], source: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{source}: the vocabulary must be a mapping of sections")
    unknown = set(raw) - {
        "relations", "categories", "roles", "frames", "slot_endings", "retraction_phrases",
        "discard_phrases", "favourites", "habits", "organisation_nouns",
    }  # fmt: skip
    if unknown:
        raise ConfigurationError(f"{source}: unknown section(s) {sorted(unknown)}")
    relations: dict[str, RelationSpec] = {}
    for name, spec in (raw.get("relations") or {}).items():
        where = f"{source}: relations.{name}"
        if not isinstance(spec, Mapping):
            raise ConfigurationError(f"{where}: expected a mapping")
        relation = _relation_name(name, where)
        cardinality = _choice(spec.get("cardinality"), frozenset({"one", "many"}), "many", where)
        relations[relation] = RelationSpec(
            name=relation,
            functional=cardinality == "one",
            kind=_choice(spec.get("kind"), _KINDS, "state", where),
            objects=_strings(spec.get("object"), f"{where}.object"),
            asks=_strings(spec.get("asks"), f"{where}.asks"),
            family=tuple(_relation_name(f, f"{where}.family") for f in spec.get("family") or ()),
            follows=tuple(_relation_name(f, f"{where}.follows") for f in spec.get("follows") or ()),
            replaces=tuple(
                _relation_name(f, f"{where}.replaces") for f in spec.get("replaces") or ()
            ),
        )
    categories: dict[str, tuple[str, frozenset[str]]] = {}
    generic: dict[str, frozenset[str]] = {}
    for name, spec in (raw.get("categories") or {}).items():
        where = f"{source}: categories.{name}"
        if not isinstance(spec, Mapping):
            raise ConfigurationError(f"{where}: expected a mapping with relation and words")
        categories[str(name)] = (
            _relation_name(spec.get("relation"), f"{where}.relation"),
            frozenset(_strings(spec.get("words"), f"{where}.words")),
        )
        if spec.get("generic") is not None:
            generic[str(name)] = frozenset(_strings(spec.get("generic"), f"{where}.generic"))
    frames: list[Frame] = []
    for index, spec in enumerate(raw.get("frames") or ()):
        where = f"{source}: frames[{index}]"
        if not isinstance(spec, Mapping):
            raise ConfigurationError(f"{where}: expected a mapping")
        frames.append(
            Frame(
                verbs=_strings(spec.get("verbs"), f"{where}.verbs"),
                via=_strings(spec.get("via"), f"{where}.via"),
                relation=_relation_name(spec.get("relation"), f"{where}.relation"),
                objects=_strings(spec.get("object"), f"{where}.object"),
                effect=_choice(spec.get("effect"), _EFFECTS, "start", where),  # type: ignore[arg-type]
                scope=_choice(spec.get("scope"), _SCOPES, "fact", where),  # type: ignore[arg-type]
                holder=_strings(spec.get("holder"), f"{where}.holder") or ("Person",),
                needs=_strings(spec.get("needs"), f"{where}.needs"),
                aspect=_choice(spec.get("aspect"), _ASPECTS, "any", where),
            )
        )
    endings: list[SlotEnding] = []
    for index, spec in enumerate(raw.get("slot_endings") or ()):
        where = f"{source}: slot_endings[{index}]"
        if not isinstance(spec, Mapping):
            raise ConfigurationError(f"{where}: expected a mapping")
        endings.append(
            SlotEnding(
                verbs=_strings(spec.get("verbs"), f"{where}.verbs"),
                relation=_relation_name(spec.get("relation"), f"{where}.relation"),
                needs=_strings(spec.get("needs"), f"{where}.needs"),
            )
        )
    return {
        "favourites": _noun_relations(raw, "favourites", source),
        "organisation_nouns": _noun_relations(raw, "organisation_nouns", source),
        "habits": set(_strings(raw.get("habits"), f"{source}: habits")),
        "relations": relations,
        "categories": categories,
        "generic": generic,
        "roles": set(_strings(raw.get("roles"), f"{source}: roles")),
        "frames": frames,
        "slot_endings": endings,
        "retraction_phrases": list(_strings(raw.get("retraction_phrases"), source)),
        "discard_phrases": list(_strings(raw.get("discard_phrases"), source)),
    }


def _noun_relations(raw: Mapping[str, Any], section: str, source: str) -> dict[str, str]:
    """A section mapping nouns to relation names (``favourites``, ``organisation_nouns``)."""
    value = raw.get(section) or {}
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{source}: {section} must map nouns to relation names")
    return {
        str(noun).lower(): _relation_name(rel, f"{source}: {section}.{noun}")
        for noun, rel in value.items()
    }


def _read(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read vocabulary file {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path} is not valid YAML: {exc}") from exc
    return data or {}


def load_vocabulary(*extra: Path | str) -> Vocabulary:
    """The built-in vocabulary merged with each file of ``extra`` in turn."""
    parts = [_parse(_read(DEFAULT_VOCABULARY_PATH), str(DEFAULT_VOCABULARY_PATH))]
    parts += [_parse(_read(Path(p)), str(p)) for p in extra]
    merged = parts[0]
    for part in parts[1:]:
        merged["relations"].update(part["relations"])
        merged["categories"].update(part["categories"])
        merged["generic"].update(part["generic"])
        merged["roles"] |= part["roles"]
        merged["habits"] |= part["habits"]
        merged["favourites"].update(part["favourites"])
        merged["organisation_nouns"].update(part["organisation_nouns"])
        for key in ("frames", "slot_endings", "retraction_phrases", "discard_phrases"):
            merged[key] = [*merged[key], *part[key]]
    for habit in sorted(merged["habits"]):  # "I smoke": SMOKE, asked as "smoke", "smoking"
        name = _relation_name(habit.replace(" ", "_"), "habits")
        merged["relations"].setdefault(
            name,
            RelationSpec(
                name=name, functional=False, kind="state", objects=("Concept",),
                asks=(habit, f"{habit}s", gerund_of(habit), *_HABIT_ASKS),
            ),
        )  # fmt: skip
    return Vocabulary(
        relations=merged["relations"],
        categories=merged["categories"],
        roles=frozenset(merged["roles"]),
        frames=tuple(merged["frames"]),
        slot_endings=tuple(merged["slot_endings"]),
        retraction_phrases=tuple(merged["retraction_phrases"]),
        discard_phrases=tuple(merged["discard_phrases"]),
        favourites=merged["favourites"],
        organisation_nouns=merged["organisation_nouns"],
        habits=frozenset(merged["habits"]),
        generic=merged["generic"],
    )


@functools.cache
def default_vocabulary() -> Vocabulary:
    """The built-in vocabulary (read once)."""
    return load_vocabulary()
