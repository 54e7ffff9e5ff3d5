"""Chat text made readable for the parser, and the names a conversation gives to people.

The small English model was trained on edited text; chat defeats it in a few recurring ways,
each handled here before parsing (the parsed text is what facts quote, so a statement reads
"Devika is at Plaid now" where the message said "Devika's at Plaid now"):

- emoji inside a sentence ("Got poached by Nubank 😎 first day today") end it;
- common chat spellings and dropped g's ("finaly", "workin", "rn", "u", "r") are spelled out;
- a name's "'s" before a place, a state or a participle is "is" ("Mateo's at Stanford",
  "Chloe's engaged to Tobias"), or "has" before "been";
- a shouted sentence ("GOT INTO TSINGHUA!!!") is re-cased: English words in lower case, the
  rest as names.

:func:`people_named` finds the people a text names by a kin or role word ("my brother Rory",
"a guy named Reza"), so that the parser can be told those words are names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final

__all__ = ["SPELLINGS", "normalize_chat", "people_named"]

SPELLINGS: Final[dict[str, str]] = {
    "finaly": "finally", "finnaly": "finally", "realy": "really", "rly": "really",
    "rn": "right now", "atm": "at the moment", "u": "you", "ur": "your", "r": "are",
    "im": "I'm", "ive": "I've", "dont": "don't", "cant": "can't", "didnt": "didn't",
    "doesnt": "doesn't", "isnt": "isn't", "wasnt": "wasn't", "havent": "haven't",
    "thx": "thanks", "pls": "please", "plz": "please", "bc": "because", "cuz": "because",
    "coz": "because", "tho": "though", "thru": "through", "b4": "before", "ppl": "people",
    "hrs": "hours", "yrs": "years", "mos": "months", "wk": "week", "wks": "weeks",
    "bf": "boyfriend", "gf": "girlfriend", "hubby": "husband", "prob": "probably",
    "probs": "probably", "tmrw": "tomorrow", "tmr": "tomorrow", "2day": "today",
    "tonite": "tonight", "nite": "night", "b/c": "because", "w/": "with", "w/o": "without",
    "bday": "birthday", "yr": "year", "togther": "together", "tooday": "today",
    "recieved": "received", "definately": "definitely", "alot": "a lot", "untill": "until",
    "comming": "coming", "begining": "beginning", "beleive": "believe", "wierd": "weird",
}  # fmt: skip
"""Chat spellings and their standard forms (matched as whole words, case-insensitively)."""

_EMOJI: Final = re.compile(
    "[ \t]*[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f3fb-\U0001f3ff]+"
)
_WORD: Final = re.compile(r"(?<![\w'’/])([A-Za-z][A-Za-z0-9/]*)(?![\w'’/])")
_GENITIVE_IS: Final = re.compile(
    r"\b([A-Z][a-z][\w-]*)['’]s\s+(?=(been|at|in|with|from|into|back|now|still|finally|"
    r"officially|currently|also|really|so|not|no|never|a|an|engaged|married|divorced|single|"
    r"retired|pregnant|based|done|off|over|out|home|moving|dating|seeing|living|working|"
    r"studying|leaving|starting|going|getting|doing|teaching|training|staying)\b)"
)
_PRONOUN_START: Final = frozenset(
    {"He", "She", "It", "That", "There", "Here", "What", "Who", "Let", "This", "Where", "How"}
)
_KIN_OR_ROLE: Final = (
    r"(?:sister|brother|sibling|mom|mum|mother|dad|father|son|daughter|wife|husband|partner|"
    r"boyfriend|girlfriend|fianc[eé]e?|cousin|aunt|uncle|niece|nephew|grandma|grandpa|"
    r"grandmother|grandfather|friend|bestie|roommate|flatmate|housemate|neighbou?r|boss|"
    r"manager|colleague|coworker|co-worker|teammate|mentor|supervisor|landlord|landlady|"
    r"ex|kid|child|baby|stepdad|stepmom|stepson|stepdaughter)"
)
_NAMED_PERSON: Final = re.compile(
    r"\b(?i:my|his|her|our|their|your|\w+['’]s)\s+(?:\w+\s+)?(?i:" + _KIN_OR_ROLE + r")s?,?\s+"
    r"([A-Z][a-z]+)\b"
    r"|\b(?i:guy|girl|man|woman|lady|dude|someone|somebody|person)\s+(?i:named|called)\s+"
    r"([A-Z][a-z]+)\b"
    r"|\b(?i:his|her|their)\s+name\s+is\s+([A-Z][a-z]+)\b"
    r"|\b(?i:my|his|her|our|their|your)\s+(?:\w+\s+)?(?i:" + _KIN_OR_ROLE + r")\s+(?:is|was)\s+"
    r"([A-Z][a-z]+)\b"
    r"|\b([A-Z][a-z]+)\s+and\s+(?:I|me)\b"
    r"|\b([A-Z][a-z]+)(?:['’]s|\s+(?:is|was|got|has\s+been|just\s+got)|\s+and\s+([A-Z][a-z]+))\s+"
    r"(?:dating|engaged|married|divorced|seeing|pregnant|single|broke\s+up|split\s+up|separated)\b"
)


def normalize_chat(text: str, *, known_word: Callable[[str], bool]) -> str:
    """``text`` rewritten for the parser (see the module docstring). ``known_word`` says
    whether a lower-case word is English (its dictionary form is listed)."""
    text = _EMOJI.sub(_emoji, text)
    text = _WORD.sub(lambda m: _spelling(m.group(1), known_word), text)
    text = _GENITIVE_IS.sub(_genitive_is, text)
    return _recase_shouting(text, known_word)


def _genitive_is(match: re.Match[str]) -> str:
    """ "Mateo's at Stanford" -> "Mateo is at Stanford"; "Monterrey's been" -> "has been"."""
    name = match.group(1)
    if name in _PRONOUN_START:
        return match.group(0)
    return name + (" has " if match.group(2) == "been" else " is ")


def _emoji(match: re.Match[str]) -> str:
    """An emoji run ends the sentence it follows, unless punctuation is already there."""
    text = match.string
    before = text[: match.start()].rstrip()
    after = text[match.end() :].lstrip()
    if not after or after[0] in ".!?,;:" or not before:
        return ""
    if before[-1] in ".!?,;:":
        return " "
    return ". "


def _spelling(word: str, known_word: Callable[[str], bool]) -> str:
    lower = word.lower()
    standard = SPELLINGS.get(lower)
    if standard is not None and len(word) <= 2 and word != lower:
        return word  # "Ottawa U", "Jay R": a capital letter is part of a name
    if standard is None:
        if (
            len(lower) >= 5
            and lower.endswith("in")
            and lower.isalpha()
            and not known_word(lower)
            and known_word(lower + "g")
        ):
            standard = lower + "g"  # "workin" -> "working"
        else:
            return word
    if word[0].isupper() and standard[0].islower():
        return standard[0].upper() + standard[1:]
    return standard


def _recase_shouting(text: str, known_word: Callable[[str], bool]) -> str:
    """Each shouted sentence of ``text`` in ordinary case."""
    parts = re.split(r"(?<=[.!?])\s+", text)
    return " ".join(_recase_sentence(part, known_word) for part in parts)


def _recase_sentence(text: str, known_word: Callable[[str], bool]) -> str:
    """A shouted sentence in ordinary case: English words lower, other words as names."""
    words = re.findall(r"[A-Za-z]{2,}", text)
    shouted = [w for w in words if w.isupper()]
    letters = sum(len(w) for w in words)
    if len(shouted) < 2 or sum(len(w) for w in shouted) < 0.6 * letters:
        return text

    def recase(match: re.Match[str]) -> str:
        word = match.group(0)
        if not word.isupper() or len(word) < 2:
            return word
        lower = word.lower()
        if known_word(lower):
            at_start = match.start() == 0 or text[: match.start()].rstrip()[-1:] in ".!?"
            return lower.capitalize() if at_start else lower
        return word.capitalize()

    return re.sub(r"[A-Za-z]+", recase, text)


def people_named(texts: Iterable[str]) -> set[str]:
    """The names ``texts`` give to people by a kin or role word ("my brother Rory", "a guy
    named Reza", "her name is Jordan", "Luke and I")."""
    found: set[str] = set()
    for text in texts:
        for match in _NAMED_PERSON.finditer(text):
            found.update(g for g in match.groups() if g and g not in _PRONOUN_START)
    return found
