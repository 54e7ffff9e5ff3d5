"""Temporal expressions in chat text, resolved against a reference time.

``find_time_mentions`` finds phrases such as "yesterday", "last May", "two years ago",
"since 2019" or "8 May 2023" and turns each into the period it denotes, in the reference's
timezone. ``mention_interval`` maps a mention to the ``(valid_at, invalid_at)`` of a fact
stated with it, and ``parse_human_datetime`` reads session headers ("1:56 pm on 8 May, 2023").

Conventions: weeks start on Monday; seasons are meteorological for the northern hemisphere
(spring = March-May, summer = June-August, fall = September-November, winter = December to
February, and "winter 2022" starts in December 2022); parts of a day are morning 06-12,
afternoon 12-18, evening and night 18-24. Bare weekdays and month names point to the most
recent past one (a month: not after the reference month) unless the clause speaks of the
future ("will", "going to", "'ll", "we're moving", "starting in", ...); a day and month
without a year ("May 8th") takes the
nearest such date. "last/next <weekday>" is the one strictly before/after the reference day,
"this <weekday>" the one in the reference's week. "N weeks/months/years ago" denotes the
calendar week/month/year that contains the day N units back; "N decades ago" the calendar year
that contains the day 10*N years back (a year, not a decade: "a decade ago" said in 2024 is 2014).

A season with an article after a preposition ("in the spring", "over the winter", "for the
summer") is the most recent such season that has begun by the reference day, or, when the clause
speaks of the future, the earliest one that has not ended; "the fall of Rome" and a bare "the
fall" are not times.

A duration up to now ("for six years now", "I've been at Acme for six years", "six years here
and counting") is a "since" mention starting at the unit that contains the day N units back
(said on 2024-09-09, "for six years" is since the year 2018; "for ten minutes" the minute ten
minutes back). "for N units" counts only with a signal visible in the text: "now", "so far" or
"and counting" right after it, or a present perfect (have/has/'ve + participle, "it's been") in
its clause that is not modal ("will/would/should have ..."), not "been to" (a visit) and not in
a future clause; otherwise it is the length of something else ("for two weeks in Italy", "for
a two-year contract") and gives no mention. "the past N units" keeps its own rule: since the
day (or minute) N units back.

Years anchored in the text: "the year after/before" (at the end of a phrase), "the following
year", "the next year", "N years later/earlier", "N years after/before that" count from the
most recent explicit year mentioned earlier in the same text ("in 2015 ... the year after" is
2016), or from the year such an anchored phrase itself gave. Without an earlier year they give
no mention. "since uni/college/high school" gives no mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Final, Literal, NamedTuple

from dateutil import parser as _du_parser

from chronomem.errors import TimeError

__all__ = [
    "Granularity",
    "MentionKind",
    "TimeMention",
    "find_time_mentions",
    "mention_interval",
    "parse_human_datetime",
]

MentionKind = Literal["point", "since", "until", "range"]
Granularity = Literal["instant", "day", "week", "weekend", "month", "season", "year", "decade"]


@dataclass(frozen=True, slots=True)
class TimeMention:
    """A temporal expression found in a text and the period it denotes."""

    start: int
    end: int
    text: str
    kind: MentionKind
    begin: datetime
    finish: datetime
    granularity: Granularity
    relative: bool


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

_MONTH_NUM: Final[dict[str, int]] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAY_NUM: Final[dict[str, int]] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
# Short weekdays, read only after last/next/this ("last Fri", "next Tues"): bare, "sat" and
# "wed" are words ("sun" is left out: "this sun is brutal").
_WEEKDAY_SHORT: Final[dict[str, int]] = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5,
}  # fmt: skip
_ANY_WEEKDAY: Final[dict[str, int]] = {**_WEEKDAY_NUM, **_WEEKDAY_SHORT}
_SEASON_START: Final[dict[str, int]] = {
    "spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12,
}  # fmt: skip
_NUMBER_WORDS: Final[dict[str, int]] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "a few": 3, "few": 3, "several": 3, "a couple": 2, "a couple of": 2, "couple": 2,
    "couple of": 2,
}  # fmt: skip
_DAY_PARTS: Final[dict[str, tuple[int, int]]] = {
    "morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24), "night": (18, 24),
}  # fmt: skip
# Words one of which (or a digit) must occur for a text to be scanned at all.
_GATE_BASE: Final = frozenset({
    "yesterday", "today", "tonight", "tomorrow", "tmrw", "morning", "afternoon", "evening",
    "night", "nights", "day", "days", "week", "weeks", "weekend", "weekends", "month", "months",
    "year", "years", "decade", "decades", "hour", "hours", "hr", "hrs", "minute", "minutes",
    "min", "mins",
})  # fmt: skip
_GATE_WORDS: Final = (
    _GATE_BASE
    | _MONTH_NUM.keys()
    | _WEEKDAY_NUM.keys()
    | _WEEKDAY_SHORT.keys()
    | _SEASON_START.keys()
)

# --------------------------------------------------------------------------------------------
# Patterns, written as templates: <NAME> stands for the atom NAME. Atoms with named groups
# serve interpretation (_ANCHOR_RE, matched against the text of one hit); the scanning pattern
# (_SCAN_RE) uses copies with those groups stripped and decides which contexts are required
# (a bare "May" only after "in", "since", ...).
# --------------------------------------------------------------------------------------------

_ATOMS: dict[str, str] = {}


def _p(template: str) -> str:
    return re.sub(r"<([A-Z0-9_]+)>", lambda m: _ATOMS[m[1]], template)


def _strip(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


_ATOMS.update(
    MONTH=r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?)",
    # Bare month names: "May" and "March" only capitalised (also a modal and a verb).
    MONTH_STRICT=r"(?:(?-i:May|MAY|March|MARCH)|january|february|april|june|july|august"
    r"|september|october|november|december|(?:jan|feb|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?)",
    WEEKDAY=r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    WEEKDAY_SHORT=r"(?:mon|tues?|weds?|thurs?|thu|fri|sat)\.?(?![\w'’])",
    # "on the 15th": a day of the month, the latest one (or the next one, said of the future)
    ORD=r"(?P<od>(?<=on\s)the\s+(?P<od_d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)(?![\w'’])"
    r"(?!\s+(?:of|century|floor|grade|time|place|anniversary|birthday|round|row|try|attempt|go"
    r"|shot|day|week|lap|pick|choice|person|one)\b))",
    SEASON=r"(?:spring|summer|fall|autumn|winter)",
    YEAR=r"(?:19\d\d|20\d\d|2100)(?!\d|-\d\d-)",
    DAY=r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])",
    NUM=r"(?:\d{1,3}|a\s+few|a\s+couple(?:\s+of)?|couple(?:\s+of)?|few|several|an?|one|two"
    r"|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty)",
    UNIT=r"(?:minute|min|hour|hr|day|night|weekend|week|month|year|decade)s?",
    PART=r"(?:morning|afternoon|evening|night)",
    APOS="['’]",
    PREFIX=r"(?:back\s+in|in|during|by|on|throughout|around|circa|at|as\s+of)",
    PREFIX_SELF=r"(?:back\s+in|in|during|by|on|throughout|around|circa|at|as\s+of|earlier"
    r"|later)",
    PREFIX_SEASON=r"(?:over|through|for)",
    HEDGE=r"(?:like|about|almost|nearly|over|around|roughly|approximately|just|only|close\s+to"
    r"|more\s+than|well\s+over|at\s+least|a\s+good|going\s+on)",
    NOW=r"(?:now|present|the\s+present|date|today)",
)
_ATOMS.update(
    MODPOS=_p(
        r"(?:(?P<mp_mod>early|mid|late)[\s-]+"
        r"|(?:the\s+)?(?P<mp_pos>beginning|start|middle|end)\s+of\s+)"
    ),
    ISO=_p(
        r"(?P<iso>(?<![\d-])(?P<iso_y>19\d\d|20\d\d|2100)-(?P<iso_m>0[1-9]|1[0-2])"
        r"-(?P<iso_d>0[1-9]|[12]\d|3[01])"
        r"(?:[T\s](?P<iso_t>[01]\d|2[0-3]):(?P<iso_mi>[0-5]\d)"
        r"(?::(?P<iso_s>[0-5]\d)(?:\.\d+)?)?(?P<iso_z>Z|[+-]\d\d:?\d\d)?)?(?![\d-]))"
    ),
    NUMDATE=r"(?P<nd>(?<![\d/.])(?P<nd_a>\d{1,2})/(?P<nd_b>\d{1,2})/(?P<nd_y>\d{4}|\d\d)"
    r"(?![\d/]))",
    MDY=_p(
        r"(?P<mdy>(?:<WEEKDAY>,?\s+)?(?P<mdy_m><MONTH>)\s*(?P<mdy_d><DAY>)"
        r"(?:,?\s+(?P<mdy_y><YEAR>))?)"
    ),
    DMY=_p(
        r"(?P<dmy>(?:<WEEKDAY>,?\s+)?(?:the\s+)?(?P<dmy_d><DAY>)(?:\s+of)?\s+"
        r"(?P<dmy_m><MONTH>)(?:,?\s+(?P<dmy_y><YEAR>))?)"
    ),
    MY=_p(r"(?P<my>(?P<my_m><MONTH>)(?:\s+of|,)?\s+(?P<my_y><YEAR>))"),
    SY=_p(r"(?P<sy>(?:the\s+)?(?P<sy_s><SEASON>)(?:\s+of)?,?\s+(?P<sy_y><YEAR>))"),
    DEC4=_p(
        r"(?P<dec>(?:the\s+)?(?:(?P<dec_mod>early|mid|late)[\s-]+)?"
        r"(?P<dec_y>(?:19|20)\d0)<APOS>?s)"
    ),
    DEC2=_p(
        r"(?P<dec2>the\s+(?:(?P<dec2_mod>early|mid|late)[\s-]+)?<APOS>?(?P<dec2_y>\d0)<APOS>?s)"
    ),
    REL_DAY=_p(
        r"(?P<rd>(?P<rd_w>(?:the\s+)?day\s+before\s+yesterday|(?:the\s+)?day\s+after\s+tomorrow"
        r"|yesterday|today|tomorrow|tmrw)(?:\s+(?P<rd_p><PART>))?)"
    ),
    REL_THIS=r"(?P<rt>tonight|(?P<rt_last>last)\s+night|this\s+(?P<rt_p>morning|afternoon"
    r"|evening))",
    LNT=_p(
        r"(?P<lnt>(?<!the\s)(?<!my\s)(?<!his\s)(?<!her\s)(?<!our\s)(?<!your\s)(?<!their\s)"
        r"(?P<lnt_w>last|next|this\s+past|this\s+coming|the\s+coming|this)\s+"
        r"(?P<lnt_u>weekend|week|month|year|decade|<SEASON>|<WEEKDAY>|<WEEKDAY_SHORT>|<MONTH_STRICT>)"
        r"(?!\s+of\b))"
    ),
    BEFORE_LAST=_p(r"(?P<bl>the\s+(?P<bl_u>weekend|week|month|year|<SEASON>)\s+before\s+last)"),
    AGO=_p(r"(?P<ago>(?P<ago_n><NUM>)\s+(?P<ago_u><UNIT>)\s+(?P<ago_w>ago|back|from\s+now))"),
    IN_N=_p(
        r"(?P<inn>in\s+(?:(?:about|around|another|roughly|like|just|only)\s+)?"
        r"(?P<inn_n><NUM>)\s+(?P<inn_u><UNIT>)(?:<APOS>?\s+time)?)"
    ),
    WEEKEND=r"(?P<wk>(?:over|on|during|at|for)\s+the\s+weekend)",
    WD=_p(r"(?P<wd>(?P<wd_d><WEEKDAY>)(?:\s+(?P<wd_p><PART>))?)"),
    BM=_p(r"(?P<bm><MONTH_STRICT>)"),
    BY=_p(r"(?P<by><YEAR>)"),
    TS=_p(r"(?P<ts>the\s+(?P<ts_s><SEASON>)(?!\s+of\b|,?\s+<YEAR>))"),
)
# Order matters: at one position the first alternative that matches wins.
_ATOMS["SELF"] = _p(
    "(?:<ISO>|<NUMDATE>|<MDY>|<DMY>|<MY>|<SY>|<DEC4>|<DEC2>|<REL_DAY>|<REL_THIS>|<LNT>"
    "|<BEFORE_LAST>|<AGO>|<IN_N>|<WEEKEND>|<WD>|<ORD>)"
)
_ANCHOR_RE: Final = re.compile(
    _p(r"(?:(?:<PREFIX_SELF>|<PREFIX_SEASON>)\s+)?(?:<MODPOS>)?(?:<SELF>|<BM>|<BY>|<TS>)"),
    re.IGNORECASE,
)
_ATOMS.update(
    S_SELF=_strip(_ATOMS["SELF"]),
    S_MODPOS=_strip(_ATOMS["MODPOS"]),
    S_BARE=_strip(_p("(?:<BM>|<BY>|<TS>)")),
    S_TS=_strip(_ATOMS["TS"]),
    S_MY=_strip(_ATOMS["MY"]),
)
_ATOMS["OPERAND"] = _p(r"(?:<S_MODPOS>)?(?:<S_SELF>|<S_BARE>)")
_SCAN_RE: Final = re.compile(
    _p(
        r"(?<![\w’'])(?:"
        r"(?P<range>(?:from|between)\s+(?P<ra><OPERAND>)"
        r"(?:\s+(?:to|until|till|through|thru|and)\s+|\s*[-–—]\s*)"
        r"(?P<rb><NOW>(?![\w’'])|<OPERAND>))"
        r"|(?P<yrange>(?:(?:from|in|during|between)\s+)?(?<![\d-])(?P<yra><YEAR>)"
        r"\s*(?:-|–|—|to|and)\s*(?P<yrb><YEAR>|\d\d)(?![\d-]))"
        r"|(?P<since>(?:(?:ever\s+)?since|starting(?:\s+(?:in|from|on))?)\s+(?P<sa><OPERAND>))"
        r"|(?P<fromon>from\s+(?P<fa><OPERAND>)\s+(?:on|onwards?)(?![\w’']))"
        r"|(?P<pn>(?:(?:for|over|in|during|within|throughout)\s+)?the\s+(?:past|last|previous)"
        r"\s+(?:(?P<pn_n><NUM>)\s+(?P<pn_u><UNIT>)|(?P<pn_u1>week|month|year|decade))"
        r"(?!\s+(?:of|before|after|time|one)\b))"
        r"|(?P<until>(?:up\s+)?(?:until|till|til|<APOS>til)\s+(?P<ua><OPERAND>))"
        r"|(?P<point>(?:<PREFIX_SELF>\s+)?<S_SELF>"
        r"|(?:<PREFIX>\s+)?<S_MODPOS>(?:<S_MY>|<S_BARE>)"
        r"|<PREFIX>\s+<S_BARE>"
        r"|<PREFIX_SEASON>\s+<S_TS>)"
        r"|(?P<anc>(?P<anc_n><NUM>)\s+years?\s+(?P<anc_w>later|earlier|after(?:wards?|\s+that)"
        r"|before\s+that)"
        r"|the\s+(?P<anc_x>following|next)\s+year"
        r"|the\s+year\s+(?P<anc_y>after|before)(?:\s+that)?"
        r"(?=\s*(?:[.,;:!?)]|$)|\s+(?:and|but|so|then|too|as\s+well)(?![\w’'])))"
        r"|(?P<cnt>(?:for\s+(?:<HEDGE>\s+)*)?(?P<cnt_n><NUM>)\s+(?P<cnt_u><UNIT>)"
        r"(?:\s+[a-z’']+){0,4}?\s+and\s+counting)"
        r"|(?P<dur>for\s+(?:<HEDGE>\s+)*(?P<dur_n><NUM>)\s+(?P<dur_u><UNIT>)"
        r"(?:\s+(?P<dur_now>now|so\s+far)"
        r"|(?!\s+(?:ago|back|from\s+now|later|earlier|after|before)(?![\w’']))))"
        r")(?![\w’'])"
    ),
    re.IGNORECASE,
)
_WORDS_RE: Final = re.compile(r"[a-z]+")
_DIGIT_RE: Final = re.compile(r"\d")
_TOKEN_RE: Final = re.compile(r"['’]?[a-z]+|\d+", re.IGNORECASE)
# The words an expression can start with; _SCAN_RE is tried only where one of them (or a digit)
# starts, which is several times faster than letting it try every position.
_FIRST_BASE: Final = frozenset({
    "from", "between", "in", "during", "ever", "since", "starting", "for", "over", "within",
    "throughout", "the", "up", "until", "till", "til", "'til", "’til", "back", "by", "on",
    "around", "circa", "at", "as", "earlier", "later", "early", "mid", "late", "beginning",
    "start", "middle", "end", "day", "yesterday", "today", "tomorrow", "tmrw", "tonight", "last",
    "this", "next", "couple", "through",
})  # fmt: skip
_FIRST_WORDS: Final = (
    _FIRST_BASE | _NUMBER_WORDS.keys() | _MONTH_NUM.keys() | _WEEKDAY_NUM.keys()
    | _SEASON_START.keys()
)  # fmt: skip
_FUTURE_RE: Final = re.compile(
    r"\b(?:will|shall|gonna|going\s+to|plan(?:s|ning)?\s+to|about\s+to|hop(?:e|ing)\s+to"
    r"|want\s+to|wanna|would\s+like\s+to|intend(?:s|ing)?\s+to|looking\s+forward"
    r"|upcoming)\b|\w['’]ll\b"
    # a present progressive of a change said ahead: "we're moving to Cordoba in March"
    r"|\b(?:am|is|are|['’]m|['’]re|['’]s)\s+(?:\w+\s+)?(?:moving|starting|joining|leaving"
    r"|relocating|transferring|switching|heading|getting\s+married|retiring|graduating"
    # ... or of an arrangement: "on Sunday I am going on a picnic", "we're hiking this weekend"
    r"|going|hiking|camping|visiting|flying|driving|travell?ing|meeting|attending|hosting"
    r"|throwing|celebrating|spending|taking|playing|having|seeing|checking)\b"
    r"|^\W*starting\b",
    re.IGNORECASE,
)
_PERFECT_RE: Final = re.compile(  # a present perfect; modal/future perfects are told apart
    r"(?:\b(?P<modal>will|shall|would|could|should|might|must|may|gonna|to)\s+"
    r"|['’](?P<mc>ll|d)\s+)?"
    r"(?:\b(?:have|has)(?:n['’]t)?"
    r"|(?<=\w)['’]ve"
    r"|(?<=\w)['’]s(?=(?:\s+(?:not|never|always|just|only|already|really|actually|all))*"
    r"\s+(?:been|had|lived|worked|known|taught|studied|owned)\b))"
    r"(?:\s+(?:not|never|always|just|only|already|really|actually|basically|literally|all))*"
    r"\s+(?:been(?!\s+to\b)|had|\w+ed|known|kept|held|led|done|run|grown|seen|taught|felt"
    r"|built|stood|spent|worn|won|gone|got|gotten|made|sat|slept)\b",
    re.IGNORECASE,
)
_CLAUSE_ENDS: Final = ".!?;\n"
_NOW_RE: Final = re.compile(_p("<NOW>"), re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------


class _Period(NamedTuple):
    begin: datetime
    finish: datetime
    granularity: Granularity
    relative: bool
    shift: Literal["year", "week", None] = None  # how a year-less/bare anchor may be moved


def _month_add(year: int, month: int, n: int) -> tuple[int, int]:
    idx = year * 12 + month - 1 + n
    return idx // 12, idx % 12 + 1


class _Resolver:
    """Turns one matched anchor into a period, relative to the reference."""

    __slots__ = ("_future", "last_year", "ref", "text", "today", "tz")

    def __init__(self, text: str, reference: datetime) -> None:
        self.text = text
        self.ref = reference
        tz = reference.tzinfo
        assert tz is not None
        self.tz: tzinfo = tz
        self.today: date = reference.date()
        self._future: dict[int, bool] = {}
        self.last_year: int | None = None  # the latest explicit (or anchored) year so far

    # -- calendar helpers ----------------------------------------------------------------

    def at(self, d: date, hour: int = 0) -> datetime:
        if hour >= 24:
            d, hour = d + timedelta(days=1), hour - 24
        return datetime(d.year, d.month, d.day, hour, tzinfo=self.tz)

    def day(self, d: date, relative: bool = True, part: str | None = None) -> _Period:
        if part:
            lo, hi = _DAY_PARTS[part.lower()]
            return _Period(self.at(d, lo), self.at(d, hi), "day", relative)
        return _Period(self.at(d), self.at(d + timedelta(days=1)), "day", relative)

    def week(self, d: date) -> _Period:
        monday = d - timedelta(days=d.weekday())
        return _Period(self.at(monday), self.at(monday + timedelta(days=7)), "week", True)

    def weekend(self, sat: date) -> _Period:
        return _Period(self.at(sat), self.at(sat + timedelta(days=2)), "weekend", True)

    def this_saturday(self) -> date:
        return self.today + timedelta(days=5 - self.today.weekday())

    def month(self, year: int, month: int, relative: bool) -> _Period:
        ny, nm = _month_add(year, month, 1)
        return _Period(self.at(date(year, month, 1)), self.at(date(ny, nm, 1)), "month", relative)

    def year(self, year: int, relative: bool) -> _Period:
        return _Period(self.at(date(year, 1, 1)), self.at(date(year + 1, 1, 1)), "year", relative)

    def decade(self, start: int, relative: bool) -> _Period:
        return _Period(
            self.at(date(start, 1, 1)), self.at(date(start + 10, 1, 1)), "decade", relative
        )

    def season(self, name: str, year: int, relative: bool) -> _Period:
        m = _SEASON_START[name.lower()]
        ey, em = _month_add(year, m, 3)
        return _Period(self.at(date(year, m, 1)), self.at(date(ey, em, 1)), "season", relative)

    def instant(self, moment: datetime, width: timedelta) -> _Period:
        return _Period(moment, moment + width, "instant", True)

    # -- context -------------------------------------------------------------------------

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """The bounds of the clause around text[start:end]."""
        text = self.text
        lo = max(text.rfind(c, 0, start) for c in _CLAUSE_ENDS) + 1
        ends = [i for i in (text.find(c, end) for c in _CLAUSE_ENDS) if i >= 0]
        return lo, min(ends) if ends else len(text)

    def future(self, start: int, end: int) -> bool:
        """Whether the clause around text[start:end] speaks of the future."""
        lo, hi = self.clause(start, end)
        if lo in self._future:
            return self._future[lo]
        result = _FUTURE_RE.search(self.text, lo, hi) is not None
        self._future[lo] = result
        return result

    # -- anchors -------------------------------------------------------------------------

    def anchor(self, text: str, start: int, end: int) -> _Period | None:
        """Resolve an anchor (a hit or an operand of since/until/range)."""
        m = _ANCHOR_RE.fullmatch(text)
        if m is None or m.lastgroup is None:
            return None
        period = getattr(self, "_a_" + m.lastgroup)(m, start, end)
        if not isinstance(period, _Period):
            return None
        mod, pos = m.group("mp_mod"), m.group("mp_pos")
        if mod or pos:
            period = _narrow(period, (mod or pos or "").lower())
        return period

    def _a_iso(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        y, mo, d = int(m["iso_y"]), int(m["iso_m"]), int(m["iso_d"])
        if m["iso_t"] is None:
            return self.day(date(y, mo, d), relative=False)
        sec = int(m["iso_s"] or 0)
        zone = m["iso_z"]
        if zone is None:
            moment = datetime(y, mo, d, int(m["iso_t"]), int(m["iso_mi"]), sec, tzinfo=self.tz)
        else:
            off = timedelta(0)
            if zone.upper() != "Z":
                digits = zone[1:].replace(":", "")
                off = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                off = -off if zone[0] == "-" else off
            moment = datetime(
                y, mo, d, int(m["iso_t"]), int(m["iso_mi"]), sec, tzinfo=timezone(off)
            ).astimezone(self.tz)
        return _Period(moment, moment + timedelta(minutes=1), "instant", False)

    def _a_nd(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        a, b, ytxt = int(m["nd_a"]), int(m["nd_b"]), m["nd_y"]
        month, dom = (b, a) if a > 12 >= b else (a, b)  # US order unless impossible
        relative = len(ytxt) == 2
        year = int(ytxt)
        if relative:
            year += 2000 if 2000 + year <= self.today.year + 10 else 1900
        if not 1900 <= year <= 2100:
            return None
        return self.day(date(year, month, dom), relative=relative)

    def _day_month(
        self, mtxt: str, dtxt: str, ytxt: str | None, start: int, end: int
    ) -> _Period | None:
        month = _MONTH_NUM[mtxt.rstrip(".").lower()]
        digits = dtxt.rstrip("stndrhSTNDRH")
        dom = int(digits)
        if ytxt is not None:
            return self.day(date(int(ytxt), month, dom), relative=False)
        word = mtxt.rstrip(".")
        if word.lower() in ("may", "march", "mar") and not word[0].isupper() and dtxt == digits:
            return None  # "you may 2 ..." / "march 5 miles": too ambiguous without a year
        ty = self.today.year
        candidates: list[date] = []
        for y in range(ty - 4, ty + 5):  # wide enough for 29 February
            try:
                candidates.append(date(y, month, dom))
            except ValueError:
                continue
        if not candidates:
            return None
        if self.future(start, end):
            ahead = [c for c in candidates if c >= self.today]
            chosen = ahead[0] if ahead else candidates[-1]
        else:
            chosen = min(candidates, key=lambda c: (abs((c - self.today).days), c > self.today))
        return self.day(chosen)._replace(shift="year")

    def _a_mdy(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        return self._day_month(m["mdy_m"], m["mdy_d"], m["mdy_y"], start, end)

    def _a_dmy(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        return self._day_month(m["dmy_m"], m["dmy_d"], m["dmy_y"], start, end)

    def _a_my(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        return self.month(int(m["my_y"]), _MONTH_NUM[m["my_m"].rstrip(".").lower()], False)

    def _a_sy(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        return self.season(m["sy_s"], int(m["sy_y"]), relative=False)

    def _a_dec(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        period = self.decade(int(m["dec_y"]), relative=False)
        return _narrow(period, m["dec_mod"].lower()) if m["dec_mod"] else period

    def _a_dec2(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        tens = int(m["dec2_y"])
        begin = 2000 + tens if 2000 + tens <= self.today.year else 1900 + tens
        period = self.decade(begin, relative=True)
        return _narrow(period, m["dec2_mod"].lower()) if m["dec2_mod"] else period

    def _a_rd(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        word = " ".join(m["rd_w"].lower().split())
        if word.startswith("the "):
            word = word[4:]
        offset = {
            "day before yesterday": -2, "day after tomorrow": 2, "yesterday": -1, "today": 0,
            "tomorrow": 1, "tmrw": 1,
        }[word]  # fmt: skip
        return self.day(self.today + timedelta(days=offset), part=m["rd_p"])

    def _a_rt(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        if m["rt_last"]:
            return self.day(self.today - timedelta(days=1), part="night")
        return self.day(self.today, part=m["rt_p"] or "night")

    def _a_lnt(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        which = " ".join(m["lnt_w"].lower().split())
        step = {"last": -1, "this past": -1, "this": 0, "next": 1, "this coming": 1,
                "the coming": 1}[which]  # fmt: skip
        unit = m["lnt_u"].rstrip(".").lower()
        today = self.today
        if unit == "week":
            return self.week(today + timedelta(days=7 * step))
        if unit == "weekend":
            return self.weekend(self.this_saturday() + timedelta(days=7 * step))
        if unit == "month":
            return self.month(*_month_add(today.year, today.month, step), relative=True)
        if unit == "year":
            return self.year(today.year + step, relative=True)
        if unit == "decade":
            return self.decade(today.year // 10 * 10 + 10 * step, relative=True)
        if unit in _SEASON_START:
            return self._relative_season(unit, step)
        if unit in _ANY_WEEKDAY:
            return self.day(self._weekday(_ANY_WEEKDAY[unit], step))
        month = _MONTH_NUM[unit]
        year = today.year
        if step < 0 and month >= today.month:
            year -= 1
        elif step > 0 and month <= today.month:
            year += 1
        return self.month(year, month, relative=True)

    def _weekday(self, wd: int, step: int) -> date:
        """The weekday before today (-1), in this ISO week (0) or after today (+1)."""
        today = self.today
        if step == 0:
            return today + timedelta(days=wd - today.weekday())
        if step < 0:
            return today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1)
        return today + timedelta(days=(wd - today.weekday() - 1) % 7 + 1)

    def _relative_season(self, name: str, step: int) -> _Period:
        """Last = the latest ended; this = current, else upcoming this year, else latest."""
        ty = self.today.year
        seasons = [self.season(name, y, relative=True) for y in range(ty - 2, ty + 3)]
        now = self.at(self.today)
        if step < 0:
            return [p for p in seasons if p.finish <= now][-1]
        i = next(i for i, p in enumerate(seasons) if p.finish > now)  # current or upcoming
        if seasons[i].begin > now and seasons[i].begin.year > ty:
            i -= 1
        return seasons[i + step]

    def _a_bl(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        unit = m["bl_u"].lower()
        today = self.today
        if unit == "week":
            return self.week(today - timedelta(days=14))
        if unit == "weekend":
            return self.weekend(self.this_saturday() - timedelta(days=14))
        if unit == "month":
            return self.month(*_month_add(today.year, today.month, -2), relative=True)
        if unit in _SEASON_START:  # "the spring before last": a year before last spring
            last = self._relative_season(unit, -1)
            return self.season(unit, last.begin.year - 1, relative=True)
        return self.year(today.year - 2, relative=True)

    def _offset(self, ntxt: str, utxt: str, sign: int) -> _Period | None:
        key = " ".join(ntxt.lower().split())
        n = int(key) if key.isdigit() else _NUMBER_WORDS[key]
        unit = utxt.lower().rstrip("s")
        k = sign * n
        today = self.today
        if unit in ("minute", "min"):
            return self.instant(self.ref + timedelta(minutes=k), timedelta(minutes=1))
        if unit in ("hour", "hr"):
            return self.instant(self.ref + timedelta(hours=k), timedelta(hours=1))
        if unit in ("day", "night"):
            return self.day(today + timedelta(days=k))
        if unit == "week":
            return self.week(today + timedelta(days=7 * k))
        if unit == "weekend":
            sat = self.this_saturday()
            if sign > 0 and today < sat:
                k -= 1
            return self.weekend(sat + timedelta(days=7 * k))
        if unit == "month":
            return self.month(*_month_add(today.year, today.month, k), relative=True)
        if unit == "year":
            return self.year(today.year + k, relative=True)
        return self.year(today.year + 10 * k, relative=True)  # decades: the year 10*k back

    def _past_span(self, ntxt: str, utxt: str) -> _Period:
        """The start of "the past N units": the day (or the minute) N units back."""
        key = " ".join(ntxt.lower().split())
        n = int(key) if key.isdigit() else _NUMBER_WORDS[key]
        unit = utxt.lower().rstrip("s")
        today = self.today
        if unit in ("minute", "min", "hour", "hr"):
            width = timedelta(minutes=1) if unit.startswith("m") else timedelta(hours=1)
            return self.instant(self.ref - n * width, width)
        if unit in ("day", "night"):
            return self.day(today - timedelta(days=n))
        if unit in ("week", "weekend"):
            return self.day(today - timedelta(days=7 * n))
        months = {"month": 1, "year": 12, "decade": 120}[unit] * n
        y, mo = _month_add(today.year, today.month, -months)
        ny, nm = _month_add(y, mo, 1)
        last = (date(ny, nm, 1) - timedelta(days=1)).day
        return self.day(date(y, mo, min(today.day, last)))

    def _a_ago(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        sign = 1 if m["ago_w"].lower().startswith("from") else -1
        return self._offset(m["ago_n"], m["ago_u"], sign)

    def _a_inn(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        return self._offset(m["inn_n"], m["inn_u"], 1)

    def _a_wk(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        sat = self.this_saturday()
        if self.future(start, end):
            return self.weekend(sat + timedelta(days=7) if self.today.weekday() == 6 else sat)
        return self.weekend(sat if self.today >= sat else sat - timedelta(days=7))

    def _a_wd(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        step = 1 if self.future(start, end) else -1
        d = self._weekday(_WEEKDAY_NUM[m["wd_d"].lower()], step)
        return self.day(d, part=m["wd_p"])._replace(shift="week")

    def _a_od(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        day, today = int(m["od_d"]), self.today
        step = 1 if self.future(start, end) else -1
        year, month = today.year, today.month
        if (step < 0 and day > today.day) or (step > 0 and day < today.day):
            year, month = _month_add(year, month, step)
        try:
            return self.day(date(year, month, day))
        except ValueError:
            return None  # "on the 31st" of a shorter month

    def _a_bm(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        month = _MONTH_NUM[m["bm"].rstrip(".").lower()]
        year = self.today.year
        if self.future(start, end):
            year += month < self.today.month
        else:
            year -= month > self.today.month
        return self.month(year, month, relative=True)._replace(shift="year")

    def _a_by(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        return self.year(int(m["by"]), relative=False)

    def _a_ts(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        """A season with "the": the latest begun by today, or (future) the first not ended."""
        name = m["ts_s"]
        now = self.at(self.today)
        ty = self.today.year
        seasons = [self.season(name, y, relative=True) for y in range(ty - 1, ty + 2)]
        if self.future(start, end):
            chosen = next(p for p in seasons if p.finish > now)
        else:
            chosen = [p for p in seasons if p.begin <= now][-1]
        return chosen._replace(shift="year")

    # -- durations up to now and years anchored in the text ------------------------------------

    def _up_to_now(self, m: re.Match[str], start: int, end: int) -> bool:
        """Whether "for N units" at text[start:end] runs up to the reference (see the docstring)."""
        if m["dur_now"]:
            return True
        lo, hi = self.clause(start, end)
        if self.future(start, end):
            return False
        return any(
            p["modal"] is None and p["mc"] is None for p in _PERFECT_RE.finditer(self.text, lo, hi)
        )

    def _anchored(self, m: re.Match[str], start: int, end: int) -> _Period | None:
        if self.last_year is None:
            return None
        if m["anc_x"]:
            if m["anc_x"].lower() == "next" and self.future(start, end):
                return None  # "over the next year I'll ..." is the coming twelve months
            step = 1
        elif m["anc_y"]:
            step = 1 if m["anc_y"].lower() == "after" else -1
        else:
            key = " ".join(m["anc_n"].lower().split())
            n = int(key) if key.isdigit() else _NUMBER_WORDS[key]
            word = m["anc_w"].lower()
            step = -n if word.startswith(("earlier", "before")) else n
        return self.year(self.last_year + step, relative=True)

    def remember(self, mention: TimeMention, anchored: bool) -> None:
        """Note the year of an explicit (or anchored) mention for later anchored years."""
        if mention.granularity == "decade" or (mention.relative and not anchored):
            return
        moment = mention.finish - timedelta(microseconds=1) if mention.kind == "range" else None
        self.last_year = (moment or mention.begin).year

    # -- whole hits ------------------------------------------------------------------------

    def hit(self, m: re.Match[str]) -> TimeMention | None:
        kind = m.lastgroup
        start, end = m.span()
        if kind == "point":
            p = self.anchor(m.group(), start, end)
            return None if p is None else _mention(m, "point", p)
        if kind in ("since", "until", "fromon"):
            group = {"since": "sa", "until": "ua", "fromon": "fa"}[kind]
            p = self.anchor(m[group], start, end)
            if p is None:
                return None
            return _mention(m, "until" if kind == "until" else "since", p)
        if kind == "pn":
            p = self._past_span(m["pn_n"] or "1", m["pn_u"] or m["pn_u1"])
            return _mention(m, "since", p)
        if kind == "dur":
            if not self._up_to_now(m, start, end):
                return None
            p = self._offset(m["dur_n"], m["dur_u"], -1)
            return None if p is None else _mention(m, "since", p)
        if kind == "cnt":
            p = self._offset(m["cnt_n"], m["cnt_u"], -1)
            return None if p is None else _mention(m, "since", p)
        if kind == "anc":
            p = self._anchored(m, start, end)
            return None if p is None else _mention(m, "point", p)
        if kind == "yrange":
            a = int(m["yra"])
            btxt = m["yrb"]
            b = int(btxt) if len(btxt) == 4 else a // 100 * 100 + int(btxt)
            if b <= a:
                return None
            pa, pb = self.year(a, relative=False), self.year(b, relative=False)
            return _mention(m, "range", pa, pb)
        if kind == "range":
            ra = self.anchor(m["ra"], start, end)
            if ra is None:
                return None
            if _NOW_RE.fullmatch(m["rb"]):
                return _mention(m, "since", ra)
            rb = self.anchor(m["rb"], start, end)
            if rb is None:
                return None
            ordered = _order(ra, rb, self.future(start, end))
            return None if ordered is None else _mention(m, "range", *ordered)
        return None


def _narrow(p: _Period, how: str) -> _Period:
    """Early/mid/late (or beginning/middle/end) third of a month, year or decade."""
    third = {"early": 0, "beginning": 0, "start": 0, "mid": 1, "middle": 1, "late": 2,
             "end": 2}[how]  # fmt: skip
    tz = p.begin.tzinfo
    b = p.begin
    if p.granularity == "month":
        ny, nm = _month_add(b.year, b.month, 1)
        days = (date(ny, nm, 1) - date(b.year, b.month, 1)).days
        lo, hi = (1, 11) if third == 0 else (11, 21) if third == 1 else (21, days + 1)
        begin = datetime(b.year, b.month, lo, tzinfo=tz)
        return p._replace(begin=begin, finish=begin + timedelta(days=hi - lo))
    if p.granularity == "year":
        lo = 1 + 4 * third
        return p._replace(
            begin=datetime(b.year, lo, 1, tzinfo=tz),
            finish=datetime(b.year + (third == 2), (lo + 4 - 1) % 12 + 1, 1, tzinfo=tz),
        )
    if p.granularity == "decade":
        lo, hi = (0, 4) if third == 0 else (3, 7) if third == 1 else (6, 10)
        return p._replace(
            begin=datetime(b.year + lo, 1, 1, tzinfo=tz),
            finish=datetime(b.year + hi, 1, 1, tzinfo=tz),
        )
    return p


def _shifted(p: _Period, n: int) -> _Period:
    if p.shift == "week":
        delta = timedelta(days=7 * n)
        return p._replace(begin=p.begin + delta, finish=p.finish + delta)
    return p._replace(
        begin=p.begin.replace(year=p.begin.year + n),
        finish=p.finish.replace(year=p.finish.year + n),
    )


def _order(a: _Period, b: _Period, future: bool) -> tuple[_Period, _Period] | None:
    """Place the bare ends of a range so that it runs forwards."""
    try:
        if a.shift == "year" and b.shift is None and not b.relative:
            a = _shifted(a, b.begin.year - a.begin.year)
            if a.begin >= b.finish:
                a = _shifted(a, -1)
        elif b.shift == "year" and a.shift is None and not a.relative:
            b = _shifted(b, a.begin.year - b.begin.year)
            if b.finish <= a.begin:
                b = _shifted(b, 1)
        elif b.finish <= a.begin and a.shift is not None and a.shift == b.shift:
            if future:
                b = _shifted(b, 1)
            else:
                a = _shifted(a, -1)
    except ValueError:  # 29 February moved to a common year
        return None
    if a.begin >= b.finish:
        return None
    return a, b


def _mention(
    m: re.Match[str], kind: MentionKind, a: _Period, b: _Period | None = None
) -> TimeMention:
    finish = a.finish if b is None else b.finish
    relative = a.relative or (b is not None and b.relative)
    return TimeMention(
        start=m.start(),
        end=m.end(),
        text=m.group(),
        kind=kind,
        begin=a.begin,
        finish=finish,
        granularity=a.granularity,
        relative=relative,
    )


def _check_reference(reference: datetime) -> None:
    if not isinstance(reference, datetime):
        raise TimeError(f"the reference time must be a datetime, got {type(reference).__name__}")
    if reference.tzinfo is None or reference.utcoffset() is None:
        raise TimeError(
            f"the reference time {reference.isoformat()} is naive; temporal expressions need a "
            "timezone-aware reference (e.g. reference.replace(tzinfo=datetime.UTC))"
        )


def _candidates(text: str) -> Iterator[re.Match[str]]:
    """The same matches as ``_SCAN_RE.finditer(text)``, trying only plausible starts."""
    resume = 0
    for token in _TOKEN_RE.finditer(text):
        start = token.start()
        if start < resume:
            continue
        word = token.group().lower()
        if word in _FIRST_WORDS or word[0].isdigit():
            m = _SCAN_RE.match(text, start)
            if m is not None:
                resume = m.end()
                yield m


def find_time_mentions(text: str, reference: datetime) -> list[TimeMention]:
    """Find the temporal expressions in ``text``, resolved against ``reference``.

    ``reference`` must be timezone-aware; results are in its timezone. Vague words
    ("recently", "lately", "the other day") give no mention.
    """
    _check_reference(reference)
    lowered = text.lower()
    if _GATE_WORDS.isdisjoint(_WORDS_RE.findall(lowered)) and _DIGIT_RE.search(text) is None:
        return []
    resolver = _Resolver(text, reference)
    found: list[TimeMention] = []
    for m in _candidates(text):
        try:
            mention = resolver.hit(m)
        except (ValueError, OverflowError):  # a date outside datetime's range, 31 February
            continue
        if mention is not None:
            found.append(mention)
            resolver.remember(mention, anchored=m.lastgroup == "anc")
    return found


def mention_interval(m: TimeMention) -> tuple[datetime | None, datetime | None]:
    """The ``(valid_at, invalid_at)`` of a fact stated with mention ``m``."""
    if m.kind == "until":
        return None, m.begin
    if m.kind == "range":
        return m.begin, m.finish
    return m.begin, None


# --------------------------------------------------------------------------------------------
# Session headers
# --------------------------------------------------------------------------------------------

_ATOMS["CLOCK"] = r"(?P<h>\d{1,2})(?::(?P<mi>\d\d))?(?::(?P<s>\d\d))?\s*(?:(?P<ap>[ap])\.?\s*m\.?)?"
_HEADER_DMY_RE: Final = re.compile(  # LoCoMo: "1:56 pm on 8 May, 2023"
    _p(
        r"^\s*<CLOCK>,?\s+(?:on\s+)?(?:<WEEKDAY>,?\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?"
        r"(?:\s+of)?\s+(?P<mo><MONTH>),?\s+(?P<y>\d{4})\s*$"
    ),
    re.IGNORECASE,
)
_HEADER_MDY_RE: Final = re.compile(
    _p(
        r"^\s*<CLOCK>,?\s+(?:on\s+)?(?:<WEEKDAY>,?\s+)?(?P<mo><MONTH>)\s+(?P<d>\d{1,2})"
        r"(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\s*$"
    ),
    re.IGNORECASE,
)
_HEADER_SLASH_RE: Final = re.compile(  # LongMemEval: "2023/05/20 (Sat) 02:21"
    r"^\s*(?P<y>\d{4})/(?P<mo>\d{1,2})/(?P<d>\d{1,2})\s*(?:\(\w+\))?\s*"
    r"(?:(?P<h>\d{1,2}):(?P<mi>\d\d)(?::(?P<s>\d\d))?)?\s*$"
)
_EXPECTED = (
    "'1:56 pm on 8 May, 2023', '10:37 am on May 27, 2023', '2023/05/20 (Sat) 02:21', ISO 8601 "
    "('2023-05-08', '2023-05-08T13:56:00+02:00') or a full date with year such as '8 May 2023'"
)
_PROBE_A: Final = datetime(2001, 1, 1)
_PROBE_B: Final = datetime(2002, 2, 2)


def _from_header(m: re.Match[str]) -> datetime:
    mo = m["mo"]
    month = int(mo) if mo.isdigit() else _MONTH_NUM[mo.rstrip(".").lower()]
    hour = int(m["h"] or 0)
    ap = m.groupdict().get("ap")
    if ap:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for am/pm")
        hour = hour % 12 + (12 if ap.lower() == "p" else 0)
    return datetime(int(m["y"]), month, int(m["d"]), hour, int(m["mi"] or 0), int(m["s"] or 0))


def parse_human_datetime(text: str, tz: tzinfo = UTC) -> datetime:
    """Parse a session header or ISO string; naive results get ``tz``, explicit offsets stay."""
    if not isinstance(tz, tzinfo):
        raise TimeError(f"tz must be a tzinfo, got {type(tz).__name__}")
    s = text.strip()
    parsed: datetime | None = None
    try:
        for pattern in (_HEADER_DMY_RE, _HEADER_MDY_RE, _HEADER_SLASH_RE):
            hm = pattern.match(s)
            if hm is not None:
                parsed = _from_header(hm)
                break
        if parsed is None and s[:4].isdigit():
            try:
                parsed = datetime.fromisoformat(s)
            except ValueError:
                parsed = None
        if parsed is None and s and _DIGIT_RE.search(s):
            first = _du_parser.parse(s, default=_PROBE_A)
            second = _du_parser.parse(s, default=_PROBE_B)
            if first.date() != second.date():
                raise ValueError("incomplete date")
            parsed = first
    except (ValueError, OverflowError) as exc:
        raise TimeError(f"cannot parse the time {text!r}: expected {_EXPECTED}") from exc
    if parsed is None:
        raise TimeError(f"cannot parse the time {text!r}: expected {_EXPECTED}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed
