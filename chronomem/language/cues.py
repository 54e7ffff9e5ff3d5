"""The word tables behind the offline extractor's rules, in one readable place.

Everything is lower-case. Verbs are keyed by lemma, optionally followed by a particle
("break up"); prepositions are keyed as ``(verb key, preposition)``. A relation that is not
in these tables is built from the verb lemma by :func:`chronomem.ingest.extract.relations.
relation_name`, so these tables only need the cues whose relation differs from the verb.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from chronomem.language.vocabulary import default_vocabulary

__all__ = [
    "ABSTRACT_NOUNS",
    "ADJ_PREP_RELATIONS",
    "BE_PREP_RELATIONS",
    "CALENDAR_WORDS",
    "CONTAINER_NOUNS",
    "DESIRE_VERBS",
    "ENDING_VERBS",
    "FAN_NOUNS",
    "FUTURE_AUXILIARIES",
    "FUTURE_HEADS",
    "GENERIC_NOUNS",
    "HEDGE_ADVERBS",
    "INTENTION_HEADS",
    "JOB_NOUNS",
    "KINSHIP",
    "LIGHT_VERBS",
    "LIGHT_VERB_OBJECTS",
    "LIKE_VERBS",
    "MODALS",
    "NORMATIVE_ADJECTIVES",
    "NO_FACT_VERBS",
    "OCCUPATIONS",
    "PERSON_KIN",
    "PERSON_OBJECT_VERBS",
    "PET_NOUNS",
    "PLACE_NOUNS",
    "POSSESSION_NOUNS",
    "PREP_RELATIONS",
    "STATUS_ADJECTIVES",
    "TRIP_NOUNS",
    "VERB_RELATIONS",
    "is_abstract",
]

# -- verbs with a direct object: verb key -> relation ------------------------------------------
VERB_RELATIONS: Final[dict[str, str]] = {
    "like": "LIKES", "love": "LIKES", "enjoy": "LIKES", "adore": "LIKES", "prefer": "LIKES",
    "hate": "DISLIKES", "dislike": "DISLIKES", "detest": "DISLIKES",
    "visit": "VISITED", "tour": "VISITED",
    "own": "OWNS", "buy": "OWNS", "purchase": "OWNS",
    "marry": "MARRIED_TO", "wed": "MARRIED_TO",
    "date": "PARTNER_OF",
    "attend": "ATTENDED",
    "join": "MEMBER_OF",
    "study": "STUDIES", "learn": "LEARNS",
    "drive": "DRIVES",
    "employ": "WORKS_AT",
}  # fmt: skip

# -- verb + preposition -> relation --------------------------------------------------------
PREP_RELATIONS: Final[dict[tuple[str, str], str]] = {
    ("work", "at"): "WORKS_AT", ("work", "for"): "WORKS_AT", ("work", "with"): "WORKS_WITH",
    ("intern", "at"): "WORKS_AT", ("employ", "by"): "WORKS_AT", ("employ", "at"): "WORKS_AT",
    ("hire", "by"): "WORKS_AT", ("hire", "at"): "WORKS_AT", ("teach", "at"): "WORKS_AT",
    ("volunteer", "at"): "VOLUNTEERS_AT", ("volunteer", "for"): "VOLUNTEERS_AT",
    ("work", "as"): "HAS_JOB_TITLE",
    ("live", "in"): "LIVES_IN", ("live", "at"): "LIVES_IN", ("reside", "in"): "LIVES_IN",
    ("move", "to"): "LIVES_IN", ("move", "into"): "LIVES_IN", ("relocate", "to"): "LIVES_IN",
    ("move back", "to"): "LIVES_IN", ("settle", "in"): "LIVES_IN",
    ("study", "at"): "STUDIES_AT", ("enroll", "at"): "STUDIES_AT", ("enroll", "in"): "STUDIES_AT",
    ("major", "in"): "STUDIES",
    ("go", "to"): "VISITED", ("travel", "to"): "VISITED", ("fly", "to"): "VISITED",
    ("drive", "to"): "VISITED", ("head", "to"): "VISITED", ("return", "to"): "VISITED",
    ("be", "to"): "VISITED", ("travel", "around"): "VISITED", ("go", "on"): "ATTENDED",
    ("bear", "in"): "BORN_IN", ("grow up", "in"): "GREW_UP_IN",
    ("marry", "to"): "MARRIED_TO", ("engage", "to"): "ENGAGED_TO",
    ("belong", "to"): "MEMBER_OF", ("participate", "in"): "ATTENDED",
    ("sign up", "for"): "SIGNED_UP_FOR", ("take part", "in"): "ATTENDED",
    ("take", "to"): "VISITED",
}  # fmt: skip

# -- copula: "X is from Y", "X is into Y" --------------------------------------------------
BE_PREP_RELATIONS: Final[dict[str, str]] = {
    "from": "IS_FROM", "into": "INTERESTED_IN", "to": "VISITED",
}  # fmt: skip

# -- adjective + preposition after a copula ------------------------------------------------
ADJ_PREP_RELATIONS: Final[dict[tuple[str, str], str]] = {
    ("interested", "in"): "INTERESTED_IN", ("keen", "on"): "INTERESTED_IN",
    ("passionate", "about"): "INTERESTED_IN", ("fond", "of"): "LIKES",
    ("obsessed", "with"): "LIKES", ("crazy", "about"): "LIKES",
    ("allergic", "to"): "ALLERGIC_TO", ("afraid", "of"): "AFRAID_OF",
    ("scared", "of"): "AFRAID_OF", ("good", "at"): "GOOD_AT", ("proud", "of"): "PROUD_OF",
    ("married", "to"): "MARRIED_TO", ("engaged", "to"): "ENGAGED_TO",
    ("involved", "in"): "MEMBER_OF", ("born", "in"): "BORN_IN",
}  # fmt: skip

# "I'm married", "she is retired": HAS_STATUS with the adjective as value.
STATUS_ADJECTIVES: Final[frozenset[str]] = frozenset({
    "married", "single", "divorced", "engaged", "widowed", "retired", "pregnant",
    "unemployed", "separated",
})  # fmt: skip

# -- endings: verb key -> (the relation that ends, prepositions introducing its object) ----
# An empty preposition tuple means the direct object is the value that ends.
ENDING_VERBS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "quit": ("WORKS_AT", ("at", "with", "for")),
    "leave": ("WORKS_AT", ("at", "with", "for")),
    "resign": ("WORKS_AT", ("from", "at")),
    "retire": ("WORKS_AT", ("from",)),
    "lose": ("WORKS_AT", ("at", "with", "for")),
    "fire": ("WORKS_AT", ("from", "at")),
    "lay off": ("WORKS_AT", ("from", "at", "by")),
    "break up": ("PARTNER_OF", ("with",)),
    "split up": ("PARTNER_OF", ("with",)),
    "divorce": ("MARRIED_TO", ("from",)),
    "sell": ("OWNS", ()),
    "move out": ("LIVES_IN", ("of", "from")),
    "move away": ("LIVES_IN", ("from",)),
    "drop out": ("STUDIES_AT", ("of", "from")),
    "graduate": ("STUDIES_AT", ("from",)),
}

# Nouns that stand for a job: "quit my job at Acme" ends WORKS_AT Acme.
JOB_NOUNS: Final[frozenset[str]] = frozenset({
    "job", "position", "role", "internship", "gig", "post", "career", "company", "work",
})  # fmt: skip

# -- possessives and kinship: "my sister Anna" ---------------------------------------------
# noun -> relation from the possessor to the named (or placeholder) person.
KINSHIP: Final[dict[str, str]] = {
    "sister": "SIBLING_OF", "brother": "SIBLING_OF", "sibling": "SIBLING_OF",
    "sis": "SIBLING_OF", "bro": "SIBLING_OF", "twin": "SIBLING_OF",
    "mother": "CHILD_OF", "mom": "CHILD_OF", "mum": "CHILD_OF", "mommy": "CHILD_OF",
    "father": "CHILD_OF", "dad": "CHILD_OF", "daddy": "CHILD_OF", "parent": "CHILD_OF",
    "son": "PARENT_OF", "daughter": "PARENT_OF", "kid": "PARENT_OF", "child": "PARENT_OF",
    "baby": "PARENT_OF", "stepson": "PARENT_OF", "stepdaughter": "PARENT_OF",
    "husband": "MARRIED_TO", "wife": "MARRIED_TO", "spouse": "MARRIED_TO",
    "boyfriend": "PARTNER_OF", "girlfriend": "PARTNER_OF", "partner": "PARTNER_OF",
    "fiance": "ENGAGED_TO", "fiancee": "ENGAGED_TO", "fiancé": "ENGAGED_TO",
    "fiancée": "ENGAGED_TO",
    "friend": "FRIEND_OF", "bestie": "FRIEND_OF", "buddy": "FRIEND_OF", "pal": "FRIEND_OF",
    "roommate": "FRIEND_OF", "neighbor": "NEIGHBOR_OF", "neighbour": "NEIGHBOR_OF",
    "boss": "REPORTS_TO", "manager": "REPORTS_TO", "supervisor": "REPORTS_TO",
    "colleague": "COLLEAGUE_OF", "coworker": "COLLEAGUE_OF", "co-worker": "COLLEAGUE_OF",
    "teammate": "COLLEAGUE_OF",
    "grandmother": "GRANDCHILD_OF", "grandma": "GRANDCHILD_OF", "granny": "GRANDCHILD_OF",
    "grandfather": "GRANDCHILD_OF", "grandpa": "GRANDCHILD_OF",
    "grandson": "GRANDPARENT_OF", "granddaughter": "GRANDPARENT_OF",
    "grandchild": "GRANDPARENT_OF",
    "aunt": "RELATIVE_OF", "uncle": "RELATIVE_OF", "cousin": "RELATIVE_OF",
    "niece": "RELATIVE_OF", "nephew": "RELATIVE_OF", "relative": "RELATIVE_OF",
    "mentor": "MENTORED_BY", "teacher": "STUDENT_OF", "coach": "COACHED_BY",
    "therapist": "CLIENT_OF", "doctor": "PATIENT_OF", "vet": "HAS_VET",
    "veterinarian": "HAS_VET",
    "dog": "HAS_PET", "cat": "HAS_PET", "pet": "HAS_PET", "puppy": "HAS_PET",
    "kitten": "HAS_PET", "pup": "HAS_PET", "horse": "HAS_PET", "rabbit": "HAS_PET",
    "bunny": "HAS_PET", "hamster": "HAS_PET", "parrot": "HAS_PET", "turtle": "HAS_PET",
    "fish": "HAS_PET", "bird": "HAS_PET", "snake": "HAS_PET", "guinea pig": "HAS_PET",
}  # fmt: skip

# Breeds and other animals of the vocabulary's pet category are pets too ("a beagle named X").
for _word in default_vocabulary().categories["pet"][1]:
    if " " not in _word:
        KINSHIP.setdefault(_word, "HAS_PET")

PET_NOUNS: Final[frozenset[str]] = frozenset(
    noun for noun, relation in KINSHIP.items() if relation == "HAS_PET"
)
PERSON_KIN: Final[frozenset[str]] = frozenset(
    noun for noun, relation in KINSHIP.items() if relation != "HAS_PET"
)

# -- copula: "X is a nurse" -> HAS_JOB_TITLE ----------------------------------------------
OCCUPATIONS: Final[frozenset[str]] = frozenset({
    "accountant", "actor", "actress", "analyst", "architect", "artist", "assistant", "athlete",
    "attorney", "author", "babysitter", "baker", "banker", "barber", "barista", "bartender",
    "biologist", "carpenter", "cashier", "ceo", "chef", "chemist", "cleaner", "clerk", "coach",
    "consultant", "cook", "counselor", "counsellor", "dancer", "dentist", "designer",
    "developer", "director", "doctor", "driver", "economist", "editor", "electrician",
    "engineer", "entrepreneur", "farmer", "firefighter", "founder", "freelancer", "guard",
    "hairdresser", "instructor", "intern", "janitor", "journalist", "judge", "lawyer",
    "librarian", "lecturer", "manager", "mechanic", "midwife", "musician", "nanny", "nurse",
    "officer", "painter", "paramedic", "pharmacist", "photographer", "physician",
    "physicist", "pilot", "plumber", "poet", "policeman", "policewoman", "producer",
    "professor", "programmer", "psychiatrist", "psychologist", "realtor", "receptionist",
    "reporter", "researcher", "salesman", "saleswoman", "scientist", "secretary", "singer",
    "soldier", "surgeon", "teacher", "technician", "therapist", "trainer", "tutor",
    "veterinarian", "vet", "waiter", "waitress", "writer", "youtuber", "streamer",
    "caregiver", "volunteer", "activist", "student",
})  # fmt: skip

# -- things owned: "I have a car" -> OWNS ---------------------------------------------------
POSSESSION_NOUNS: Final[frozenset[str]] = frozenset({
    "car", "house", "home", "apartment", "flat", "condo", "bike", "bicycle", "motorcycle",
    "truck", "van", "boat", "laptop", "computer", "phone", "guitar", "piano", "violin",
    "camera", "cabin", "farm", "shop", "store", "business", "restaurant", "studio", "garden",
    "suv", "jeep", "tesla", "watch", "ring", "drum", "drums", "ukulele", "keyboard",
})  # fmt: skip

# "went to the beach": places that are visited rather than attended.
PLACE_NOUNS: Final[frozenset[str]] = frozenset({
    "beach", "park", "museum", "city", "country", "lake", "mountain", "mountains", "forest",
    "zoo", "island", "town", "village", "coast", "river", "sea", "ocean", "countryside",
    "restaurant", "cafe", "café", "bar", "pub", "library", "mall", "market", "gallery",
    "aquarium", "garden", "campsite", "canyon", "desert", "trail", "hospital", "church",
    "temple", "farm", "resort", "hotel", "stadium", "theater", "theatre", "cinema", "studio",
    "gym", "pool", "store", "shop", "office", "school", "university", "college", "capital",
    "shelter", "salon", "clinic", "bakery",
})  # fmt: skip

# "a trip to Paris": the noun carries the VISITED relation to its "to" object.
TRIP_NOUNS: Final[frozenset[str]] = frozenset({
    "trip", "vacation", "holiday", "visit", "journey", "tour", "getaway", "roadtrip",
    "road trip", "cruise", "flight",
})  # fmt: skip

# "a photo of a dog": the object is what the picture shows.
CONTAINER_NOUNS: Final[frozenset[str]] = frozenset({
    "photo", "picture", "pic", "image", "snapshot", "shot", "selfie", "screenshot",
    "drawing", "sketch", "close-up", "closeup", "view", "bunch", "group", "pair", "couple",
    "kind", "sort", "type", "piece", "set", "collection", "lot", "lots", "bit",
})  # fmt: skip

# Objects too vague to become entities.
GENERIC_NOUNS: Final[frozenset[str]] = frozenset({
    "thing", "things", "stuff", "lot", "lots", "time", "times", "way", "ways", "bit", "kind",
    "sort", "one", "ones", "something", "anything", "everything", "nothing", "someone",
    "anyone", "everyone", "somebody", "anybody", "everybody", "nobody", "people", "person",
    "guy", "guys", "day", "days", "week", "weeks", "month", "months", "year", "years",
    "weekend", "weekends", "moment", "moments", "part", "today", "tomorrow", "yesterday",
    "tonight", "morning", "evening", "afternoon", "night", "while", "other", "others",
    "fun", "chance", "idea", "ideas", "fact", "point", "reason", "deal", "sense", "look",
    "hour", "hours", "minute", "minutes", "second", "seconds", "decade", "decades", "rest",
    "end", "start", "beginning", "some", "all", "much", "more", "most", "few", "many",
    "both", "each", "any", "none", "this", "that", "these", "those", "what", "which",
    "who", "whom", "whatever", "here", "there", "now", "then", "same", "number", "amount",
    "place", "places", "world", "life", "side", "case", "example", "question", "answer",
})  # fmt: skip

# Heads of xcomp clauses that are wishes or plans rather than facts: "I want to move".
DESIRE_VERBS: Final[frozenset[str]] = frozenset({
    "want", "hope", "wish", "plan", "try", "need", "intend", "dream", "consider", "think",
    "wonder", "expect", "mean", "hesitate", "aim", "would", "wanna", "gon", "gonna", "like",
    "love", "hate", "prefer", "refuse", "forget", "afford", "ask", "tell", "encourage",
    "help", "let", "make", "seem", "suppose", "pretend", "promise", "offer", "agree",
    "imagine", "recommend", "suggest", "decide", "remind", "urge", "invite", "allow",
    "inspire", "motivate", "push", "challenge", "dare", "beg", "deserve", "wait", "look",
})  # fmt: skip

# Verbs whose xcomp or gerund object is what someone likes: "I love to paint".
LIKE_VERBS: Final[frozenset[str]] = frozenset({"like", "love", "enjoy", "adore", "prefer"})

# Auxiliaries that make a clause hypothetical.
MODALS: Final[frozenset[str]] = frozenset({
    "would", "could", "might", "may", "should", "must", "ought", "can", "wo", "ca",
})  # fmt: skip

# Auxiliaries of the future: "I'll make a list" is a plan, not a fact of now.
FUTURE_AUXILIARIES: Final[frozenset[str]] = frozenset({"will", "'ll", "’ll", "shall", "wo", "sha"})

# "going to <verb>": a head of an infinitive that makes it a plan.
FUTURE_HEADS: Final[frozenset[str]] = frozenset({"go", "gon", "gonna"})

# Heads under which a clause is an intention, a wish or an imagining rather than a fact, however
# it is attached: "thinking of opening a bakery", "looking forward to seeing Rome", "dreaming
# about moving", "can't wait for the day I get a dog".
INTENTION_HEADS: Final[frozenset[str]] = frozenset({
    "think", "dream", "plan", "consider", "hope", "wish", "want", "look forward", "wait",
    "imagine", "picture", "fantasize", "talk", "debate", "intend", "aim", "mean", "need",
    "decide", "hesitate", "worry", "forward", "cross",
})  # fmt: skip

# Abstract nouns: feelings, qualities, praise and the filler of idioms. As the object of a
# clause they name no entity ("did a great job", "took the plunge", "appreciate your support",
# "express my feelings"), so the general rules make no fact of them.
ABSTRACT_NOUNS: Final[frozenset[str]] = frozenset({
    # feelings and states of mind
    "feeling", "emotion", "mood", "joy", "happiness", "sadness", "anger", "fear", "love",
    "hate", "peace", "peacefulness", "calm", "stress", "anxiety", "pain", "urge", "desire",
    "passion", "excitement", "pride", "gratitude", "relief", "comfort", "confidence",
    "courage", "hope", "faith", "trust", "doubt", "worry", "buzz", "thrill", "rush", "vibe",
    "energy", "motivation", "inspiration", "strength", "power", "balance", "freedom",
    "satisfaction", "fulfillment", "fulfilment", "sense", "mind", "heart", "soul", "spirit",
    "self", "thought", "opinion", "view", "perspective", "outlook", "attitude", "memory",
    # qualities and praise
    "talent", "skill", "ability", "gift", "potential", "resilience", "perseverance",
    "determination", "dedication", "commitment", "effort", "kindness", "compassion",
    "patience", "empathy", "generosity", "creativity", "beauty", "importance", "value",
    "meaning", "purpose", "impact", "difference", "progress", "success", "growth", "texture",
    "color", "colour", "style", "taste", "quality", "character", "personality",
    # help and talk
    "support", "help", "advice", "tip", "encouragement", "word", "compliment",
    "feedback", "suggestion", "recommendation", "solution", "insight", "awareness",
    "attention", "care", "credit", "thanks", "wish", "congrats", "congratulation",
    "opportunity", "goal", "dream", "plan", "vision", "challenge", "problem", "issue",
    "journey", "experience", "ride", "blast", "job", "work", "effect",
    # idiom objects
    "plunge", "leap", "shot", "hand", "handle", "step", "toll", "break", "chance", "risk",
    "breath", "stand", "territory", "tons", "ton", "heap", "bunch", "reality", "truth",
    "lot", "good", "ok", "okay", "fine", "well", "best", "trick", "way", "guts", "grace",
    "voice", "tranquility", "serenity", "strategy", "connection", "companionship", "bond",
    "friendship", "muse", "offer", "track", "path", "move", "input", "improvement",
    "service", "chill", "lead", "backing", "surge", "push", "turnout", "share",
    "rollercoaster", "mix", "hang", "spot", "situation", "lease", "win", "surprise", "finger",
    "center", "centre",
    "void", "responsibility", "air", "news", "cheers", "plenty", "need", "mem", "mistake",
    "option", "addition", "boost", "kick", "blessing", "honor", "honour", "privilege",
    "pleasure", "fortune", "luck", "glimpse", "sight", "chapter", "identity", "ambition",
    "ear", "legacy", "portion", "trial", "error", "hurdle", "obstacle", "weakness", "gain",
    "future", "past",
})  # fmt: skip

# Verbs whose clauses say nothing lasting whatever their object: needs, feelings, thanks and
# talk ("we need better schools", "I feel a void", "tell stories").
NO_FACT_VERBS: Final[frozenset[str]] = frozenset({
    "need", "feel", "appreciate", "deserve", "owe", "want", "wish", "hope", "mean", "say",
    "tell", "ask", "guess", "bet", "wonder", "thank", "excuse", "forgive", "pardon", "think",
    "believe", "reckon", "suppose", "doubt", "crave",
})  # fmt: skip

# Verbs that, with a person or a pet as their object, report an interaction or a pleasantry,
# not a relation ("see you tomorrow", "I'm here to support you", "I took the kids to the zoo").
PERSON_OBJECT_VERBS: Final[frozenset[str]] = frozenset({
    "see", "support", "miss", "show", "keep", "take", "get", "give", "bring", "let", "make",
    "help", "hear", "call", "text", "hug", "remind", "teach", "feel", "catch", "send",
    "join", "have", "put", "leave", "find", "know", "do", "root", "cheer", "back", "believe",
    "count", "rely", "stoke", "greet", "lend", "trust", "invite", "talk", "mail", "recommend",
    "link", "chill", "hang", "thank",
})  # fmt: skip

# "it's important we help", "it's time to act": what ought to be, not what is (praise such as
# "it's great that you found a gym" still reports a fact).
NORMATIVE_ADJECTIVES: Final[frozenset[str]] = frozenset({
    "important", "necessary", "essential", "crucial", "vital", "imperative", "time",
})  # fmt: skip

# "I'm a big fan of jazz": the noun after the copula is a liking of its "of" object.
FAN_NOUNS: Final[frozenset[str]] = frozenset({
    "fan", "lover", "enthusiast", "buff", "sucker", "nut", "admirer", "devotee", "junkie",
    "fanatic", "addict",
})  # fmt: skip

# Adverbs that make a clause a guess or a wish: "hopefully she finds a flat".
HEDGE_ADVERBS: Final[frozenset[str]] = frozenset({
    "hopefully", "maybe", "perhaps", "possibly", "probably", "ideally", "someday",
})  # fmt: skip

# Verbs that lend their object the meaning ("take a walk", "have a look"): with one of these, a
# bare verb relation says little, and :data:`LIGHT_VERB_OBJECTS` say nothing at all.
LIGHT_VERBS: Final[frozenset[str]] = frozenset({
    "do", "make", "take", "get", "give", "have", "put", "keep", "find", "show", "feel",
    "bring", "pay", "catch", "raise", "express", "offer", "share", "gain", "lose", "try",
})  # fmt: skip

# Objects that only light verbs turn into idioms: "take a walk", "have a go", "give a hug".
LIGHT_VERB_OBJECTS: Final[frozenset[str]] = frozenset({
    "walk", "look", "go", "turn", "hug", "call", "nap", "rest", "seat", "photo", "picture",
    "pic", "notice", "note", "part", "place", "sure", "use", "time", "moment", "day", "night",
    "sense", "point", "deal", "mess", "trip", "stroll", "pause", "guess", "wonder", "bite",
    "smile", "laugh", "cry", "sigh", "kick", "glance", "peek", "try", "listen", "read", "team",
    "boot", "sack", "axe", "chop",  # "got the boot": fired (a state ending, see the vocabulary)
})  # fmt: skip

# Words of the calendar: a name that holds one is a date, not a person or a place.
CALENDAR_WORDS: Final = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "christmas", "easter", "new", "year", "eve", "day",
})  # fmt: skip


_LONG_ABSTRACT: Final = tuple(sorted(w for w in ABSTRACT_NOUNS if len(w) >= 8))


@lru_cache(maxsize=4096)
def is_abstract(word: str) -> bool:
    """Whether ``word`` (lower case) is one of :data:`ABSTRACT_NOUNS`, or a long one misspelt
    ("reccomendation"): one edit from a word of 9 letters or more, two from one of 12 or more."""
    if word in ABSTRACT_NOUNS:
        return True
    if len(word) < 9:
        return False
    limit = 2 if len(word) >= 12 else 1
    return (
        process.extractOne(word, _LONG_ABSTRACT, scorer=Levenshtein.distance, score_cutoff=limit)
        is not None
    )
