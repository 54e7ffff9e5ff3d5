"""Tests of temporal-expression resolution (chronomem.language.timex)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chronomem.errors import InputError, TimeError
from chronomem.language import timex
from chronomem.language.timex import (
    TimeMention,
    find_time_mentions,
    mention_interval,
    parse_human_datetime,
)

# Monday 8 May 2023, 13:56 UTC (LoCoMo's first session).
REF = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def d(y: int, m: int, day: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, day, h, mi, tzinfo=UTC)


def one(text: str, reference: datetime = REF) -> TimeMention:
    found = find_time_mentions(text, reference)
    assert len(found) == 1, found
    return found[0]


# text, mention text, kind, begin, finish, granularity, relative
CASES: list[tuple[str, str, str, datetime, datetime, str, bool]] = [
    # days and parts of days
    ("I went there yesterday.", "yesterday", "point", d(2023, 5, 7), d(2023, 5, 8), "day", True),
    ("today is fine", "today", "point", d(2023, 5, 8), d(2023, 5, 9), "day", True),
    ("see you tonight", "tonight", "point", d(2023, 5, 8, 18), d(2023, 5, 9), "day", True),
    ("this morning I ran", "this morning", "point", d(2023, 5, 8, 6), d(2023, 5, 8, 12), "day",
     True),
    ("this afternoon", "this afternoon", "point", d(2023, 5, 8, 12), d(2023, 5, 8, 18), "day",
     True),
    ("this evening we eat", "this evening", "point", d(2023, 5, 8, 18), d(2023, 5, 9), "day",
     True),
    ("tomorrow", "tomorrow", "point", d(2023, 5, 9), d(2023, 5, 10), "day", True),
    ("the day before yesterday", "the day before yesterday", "point", d(2023, 5, 6),
     d(2023, 5, 7), "day", True),
    ("the day after tomorrow", "the day after tomorrow", "point", d(2023, 5, 10), d(2023, 5, 11),
     "day", True),
    ("yesterday evening", "yesterday evening", "point", d(2023, 5, 7, 18), d(2023, 5, 8), "day",
     True),
    ("last night was loud", "last night", "point", d(2023, 5, 7, 18), d(2023, 5, 8), "day", True),
    # last / this / next + unit
    ("last week", "last week", "point", d(2023, 5, 1), d(2023, 5, 8), "week", True),
    ("this week", "this week", "point", d(2023, 5, 8), d(2023, 5, 15), "week", True),
    ("next week", "next week", "point", d(2023, 5, 15), d(2023, 5, 22), "week", True),
    ("last month", "last month", "point", d(2023, 4, 1), d(2023, 5, 1), "month", True),
    ("this month", "this month", "point", d(2023, 5, 1), d(2023, 6, 1), "month", True),
    ("next month", "next month", "point", d(2023, 6, 1), d(2023, 7, 1), "month", True),
    ("last year", "last year", "point", d(2022, 1, 1), d(2023, 1, 1), "year", True),
    ("this year", "this year", "point", d(2023, 1, 1), d(2024, 1, 1), "year", True),
    ("next year", "next year", "point", d(2024, 1, 1), d(2025, 1, 1), "year", True),
    ("last weekend", "last weekend", "point", d(2023, 5, 6), d(2023, 5, 8), "weekend", True),
    ("this weekend", "this weekend", "point", d(2023, 5, 13), d(2023, 5, 15), "weekend", True),
    ("next weekend", "next weekend", "point", d(2023, 5, 20), d(2023, 5, 22), "weekend", True),
    ("over the weekend", "over the weekend", "point", d(2023, 5, 6), d(2023, 5, 8), "weekend",
     True),
    ("the week before last", "the week before last", "point", d(2023, 4, 24), d(2023, 5, 1),
     "week", True),
    # seasons
    ("last summer", "last summer", "point", d(2022, 6, 1), d(2022, 9, 1), "season", True),
    ("this summer", "this summer", "point", d(2023, 6, 1), d(2023, 9, 1), "season", True),
    ("next summer", "next summer", "point", d(2024, 6, 1), d(2024, 9, 1), "season", True),
    ("the summer before last", "the summer before last", "point", d(2021, 6, 1), d(2021, 9, 1),
     "season", True),
    ("last winter", "last winter", "point", d(2022, 12, 1), d(2023, 3, 1), "season", True),
    ("this winter", "this winter", "point", d(2023, 12, 1), d(2024, 3, 1), "season", True),
    ("next winter", "next winter", "point", d(2024, 12, 1), d(2025, 3, 1), "season", True),
    ("last spring", "last spring", "point", d(2022, 3, 1), d(2022, 6, 1), "season", True),
    ("this spring", "this spring", "point", d(2023, 3, 1), d(2023, 6, 1), "season", True),
    ("last fall", "last fall", "point", d(2022, 9, 1), d(2022, 12, 1), "season", True),
    ("last autumn", "last autumn", "point", d(2022, 9, 1), d(2022, 12, 1), "season", True),
    ("next fall", "next fall", "point", d(2024, 9, 1), d(2024, 12, 1), "season", True),
    ("the summer of 2022", "the summer of 2022", "point", d(2022, 6, 1), d(2022, 9, 1), "season",
     False),
    ("winter 2021", "winter 2021", "point", d(2021, 12, 1), d(2022, 3, 1), "season", False),
    # weekdays (the reference is a Monday)
    ("last Friday", "last Friday", "point", d(2023, 5, 5), d(2023, 5, 6), "day", True),
    ("next Friday", "next Friday", "point", d(2023, 5, 12), d(2023, 5, 13), "day", True),
    ("this Friday", "this Friday", "point", d(2023, 5, 12), d(2023, 5, 13), "day", True),
    ("last Monday", "last Monday", "point", d(2023, 5, 1), d(2023, 5, 2), "day", True),
    ("next Monday", "next Monday", "point", d(2023, 5, 15), d(2023, 5, 16), "day", True),
    ("a reading last Fri was great", "last Fri", "point", d(2023, 5, 5), d(2023, 5, 6), "day",
     True),
    ("see you next Tues!", "next Tues", "point", d(2023, 5, 9), d(2023, 5, 10), "day", True),
    # a day of the month: the latest one, or the next one said of the future
    ("met them again on the 3rd", "on the 3rd", "point", d(2023, 5, 3), d(2023, 5, 4), "day",
     True),
    ("it broke on the 20th", "on the 20th", "point", d(2023, 4, 20), d(2023, 4, 21), "day", True),
    ("this past Saturday", "this past Saturday", "point", d(2023, 5, 6), d(2023, 5, 7), "day",
     True),
    ("this coming Sunday", "this coming Sunday", "point", d(2023, 5, 14), d(2023, 5, 15), "day",
     True),
    ("We met on Friday.", "on Friday", "point", d(2023, 5, 5), d(2023, 5, 6), "day", True),
    ("I will see him on Friday.", "on Friday", "point", d(2023, 5, 12), d(2023, 5, 13), "day",
     True),
    ("Saturday was fun", "Saturday", "point", d(2023, 5, 6), d(2023, 5, 7), "day", True),
    ("on Sunday morning", "on Sunday morning", "point", d(2023, 5, 7, 6), d(2023, 5, 7, 12),
     "day", True),
    # month names
    ("last May", "last May", "point", d(2022, 5, 1), d(2022, 6, 1), "month", True),
    ("this May", "this May", "point", d(2023, 5, 1), d(2023, 6, 1), "month", True),
    ("next May", "next May", "point", d(2024, 5, 1), d(2024, 6, 1), "month", True),
    ("last June", "last June", "point", d(2022, 6, 1), d(2022, 7, 1), "month", True),
    ("next April", "next April", "point", d(2024, 4, 1), d(2024, 5, 1), "month", True),
    ("We moved in March.", "in March", "point", d(2023, 3, 1), d(2023, 4, 1), "month", True),
    ("in May", "in May", "point", d(2023, 5, 1), d(2023, 6, 1), "month", True),
    ("It rained a lot in June.", "in June", "point", d(2022, 6, 1), d(2022, 7, 1), "month", True),
    ("I'll go to Paris in June", "in June", "point", d(2023, 6, 1), d(2023, 7, 1), "month", True),
    ("We are going to visit in April.", "in April", "point", d(2024, 4, 1), d(2024, 5, 1),
     "month", True),
    ("in May 2022", "in May 2022", "point", d(2022, 5, 1), d(2022, 6, 1), "month", False),
    ("March 2022", "March 2022", "point", d(2022, 3, 1), d(2022, 4, 1), "month", False),
    ("May of 2021", "May of 2021", "point", d(2021, 5, 1), d(2021, 6, 1), "month", False),
    ("in sept. 2020", "in sept. 2020", "point", d(2020, 9, 1), d(2020, 10, 1), "month", False),
    ("late May", "late May", "point", d(2023, 5, 21), d(2023, 6, 1), "month", True),
    ("mid-March", "mid-March", "point", d(2023, 3, 11), d(2023, 3, 21), "month", True),
    ("at the end of January", "at the end of January", "point", d(2023, 1, 21), d(2023, 2, 1),
     "month", True),
    # years and decades
    ("in 2022", "in 2022", "point", d(2022, 1, 1), d(2023, 1, 1), "year", False),
    ("back in 1999", "back in 1999", "point", d(1999, 1, 1), d(2000, 1, 1), "year", False),
    ("early 2020", "early 2020", "point", d(2020, 1, 1), d(2020, 5, 1), "year", False),
    ("the end of 2019", "the end of 2019", "point", d(2019, 9, 1), d(2020, 1, 1), "year", False),
    ("the 1990s", "the 1990s", "point", d(1990, 1, 1), d(2000, 1, 1), "decade", False),
    ("in the 90s", "in the 90s", "point", d(1990, 1, 1), d(2000, 1, 1), "decade", True),
    ("the '80s", "the '80s", "point", d(1980, 1, 1), d(1990, 1, 1), "decade", True),
    ("the 20s", "the 20s", "point", d(2020, 1, 1), d(2030, 1, 1), "decade", True),
    ("the early 2000s", "the early 2000s", "point", d(2000, 1, 1), d(2004, 1, 1), "decade",
     False),
    # offsets
    ("3 days ago", "3 days ago", "point", d(2023, 5, 5), d(2023, 5, 6), "day", True),
    ("twelve days ago", "twelve days ago", "point", d(2023, 4, 26), d(2023, 4, 27), "day", True),
    ("two weeks ago", "two weeks ago", "point", d(2023, 4, 24), d(2023, 5, 1), "week", True),
    ("a month ago", "a month ago", "point", d(2023, 4, 1), d(2023, 5, 1), "month", True),
    ("a few years ago", "a few years ago", "point", d(2020, 1, 1), d(2021, 1, 1), "year", True),
    ("a couple of years ago", "a couple of years ago", "point", d(2021, 1, 1), d(2022, 1, 1),
     "year", True),
    ("a couple weeks ago", "a couple weeks ago", "point", d(2023, 4, 24), d(2023, 5, 1), "week",
     True),
    ("two years back", "two years back", "point", d(2021, 1, 1), d(2022, 1, 1), "year", True),
    ("a decade ago", "a decade ago", "point", d(2013, 1, 1), d(2014, 1, 1), "year", True),
    ("an hour ago", "an hour ago", "point", d(2023, 5, 8, 12, 56), d(2023, 5, 8, 13, 56),
     "instant", True),
    ("in two weeks", "in two weeks", "point", d(2023, 5, 22), d(2023, 5, 29), "week", True),
    ("in 3 days", "in 3 days", "point", d(2023, 5, 11), d(2023, 5, 12), "day", True),
    ("in 3 hours", "in 3 hours", "point", d(2023, 5, 8, 16, 56), d(2023, 5, 8, 17, 56),
     "instant", True),
    ("two days from now", "two days from now", "point", d(2023, 5, 10), d(2023, 5, 11), "day",
     True),
    # since / until / ranges
    ("since 2019", "since 2019", "since", d(2019, 1, 1), d(2020, 1, 1), "year", False),
    ("since March", "since March", "since", d(2023, 3, 1), d(2023, 4, 1), "month", True),
    ("since last year", "since last year", "since", d(2022, 1, 1), d(2023, 1, 1), "year", True),
    ("ever since May 2020", "ever since May 2020", "since", d(2020, 5, 1), d(2020, 6, 1), "month",
     False),
    ("for the past 3 months", "for the past 3 months", "since", d(2023, 2, 8), d(2023, 2, 9),
     "day", True),
    ("the past few years", "the past few years", "since", d(2020, 5, 8), d(2020, 5, 9), "day",
     True),
    ("from 2015 to now", "from 2015 to now", "since", d(2015, 1, 1), d(2016, 1, 1), "year", False),
    ("from 2018 onwards", "from 2018 onwards", "since", d(2018, 1, 1), d(2019, 1, 1), "year",
     False),
    ("till 2020", "till 2020", "until", d(2020, 1, 1), d(2021, 1, 1), "year", False),
    ("I'll stay until June", "until June", "until", d(2023, 6, 1), d(2023, 7, 1), "month", True),
    ("from 2018 to 2020", "from 2018 to 2020", "range", d(2018, 1, 1), d(2021, 1, 1), "year",
     False),
    ("2018-2020", "2018-2020", "range", d(2018, 1, 1), d(2021, 1, 1), "year", False),
    ("between May and July", "between May and July", "range", d(2022, 5, 1), d(2022, 8, 1),
     "month", True),
    ("from November to February", "from November to February", "range", d(2022, 11, 1),
     d(2023, 3, 1), "month", True),
    ("from March to July 2020", "from March to July 2020", "range", d(2020, 3, 1), d(2020, 8, 1),
     "month", True),
    ("from May 2019 until June 2020", "from May 2019 until June 2020", "range", d(2019, 5, 1),
     d(2020, 7, 1), "month", False),
    ("from Monday to Friday", "from Monday to Friday", "range", d(2023, 5, 1), d(2023, 5, 6),
     "day", True),
    # absolute dates
    ("8 May 2023", "8 May 2023", "point", d(2023, 5, 8), d(2023, 5, 9), "day", False),
    ("May 8, 2023", "May 8, 2023", "point", d(2023, 5, 8), d(2023, 5, 9), "day", False),
    ("on May 8th", "on May 8th", "point", d(2023, 5, 8), d(2023, 5, 9), "day", True),
    ("the 8th of May", "the 8th of May", "point", d(2023, 5, 8), d(2023, 5, 9), "day", True),
    ("December 25th", "December 25th", "point", d(2022, 12, 25), d(2022, 12, 26), "day", True),
    ("May 20th", "May 20th", "point", d(2023, 5, 20), d(2023, 5, 21), "day", True),
    ("Monday, May 1", "Monday, May 1", "point", d(2023, 5, 1), d(2023, 5, 2), "day", True),
    ("2023-05-08", "2023-05-08", "point", d(2023, 5, 8), d(2023, 5, 9), "day", False),
    ("05/08/2023", "05/08/2023", "point", d(2023, 5, 8), d(2023, 5, 9), "day", False),
    ("25/12/2022", "25/12/2022", "point", d(2022, 12, 25), d(2022, 12, 26), "day", False),
    ("2023-05-08T10:30:00+02:00", "2023-05-08T10:30:00+02:00", "point", d(2023, 5, 8, 8, 30),
     d(2023, 5, 8, 8, 31), "instant", False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "mention", "kind", "begin", "finish", "granularity", "relative"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_each_pattern(
    text: str,
    mention: str,
    kind: str,
    begin: datetime,
    finish: datetime,
    granularity: str,
    relative: bool,
) -> None:
    m = one(text)
    assert (m.text, m.kind, m.granularity, m.relative) == (mention, kind, granularity, relative)
    assert (m.begin, m.finish) == (begin, finish)
    assert text[m.start : m.end] == m.text


NO_MENTION = [
    "May I ask you something?",
    "You may go now.",
    "March on, soldiers!",
    "This may take a while.",
    "they march on",
    "I did it recently.",
    "Lately I feel tired.",
    "I saw him the other day.",
    "I'll be there in a bit.",
    "I have 2019 coins.",
    "We sold 1500 units, about 30 percent more.",
    "The ratio was 3/4 and the score 21-18.",
    "It was the last time we spoke.",
    "the last day of school",
    "In my 20s I travelled a lot.",
    "The next week he left.",
    "It's my last year at school, and his last week at work.",
    "She lives on the 3rd floor.",
    "The sun sat low; this sun is brutal.",
    "We finished on the 2nd place podium? No, on the 1st try.",
    "It costs 2000 to 3000 dollars.",
    "you may 2 times",
    "Have a great day!",
    "It has been around for years.",
    "",
    # "since uni/college/high school" name no date
    "I've known her since uni.",
    "We have been friends ever since college.",
    "since high school I have played the drums",
    "Since university, really.",
    # a season's noun that is not a time
    "the fall of Rome",
    "After the fall he limped for weeks.",
    "The spring in the mattress broke.",
    "in the spring of my life",
    # lengths of other things
    "I signed for a two-year contract.",
    "Boil it for 10 minutes.",
    "We went for two weeks in Italy.",
    "I'll be away for three days.",
    "I had lived there for six years.",
    "I've been to Japan for two weeks.",
    "By then I will have worked there for ten years.",
    "I would have stayed for a year.",
    # anchored years without an earlier year
    "The year after, we moved.",
    "Two years later she left.",
    "the following year",
]


@pytest.mark.parametrize("text", NO_MENTION)
def test_no_false_positives(text: str) -> None:
    assert find_time_mentions(text, REF) == []


def test_several_mentions_in_one_text_keep_their_offsets() -> None:
    text = "Yesterday I met Anna; last May we were in Rome, and since 2019 I work at Acme."
    found = find_time_mentions(text, REF)
    assert [m.text for m in found] == ["Yesterday", "last May", "since 2019"]
    assert all(text[m.start : m.end] == m.text for m in found)
    assert [m.kind for m in found] == ["point", "point", "since"]


def test_future_cue_is_clause_local() -> None:
    found = find_time_mentions("We met on Friday. I will call you on Friday.", REF)
    assert [m.begin for m in found] == [d(2023, 5, 5), d(2023, 5, 12)]


def test_lowercase_may_needs_a_year_or_an_ordinal() -> None:
    assert one("on may 8th").begin == d(2023, 5, 8)
    assert one("8 may 2023").begin == d(2023, 5, 8)
    assert find_time_mentions("in may", REF) == []


# -- timezones ---------------------------------------------------------------------------------


def test_results_are_in_the_reference_timezone() -> None:
    tz = timezone(timedelta(hours=-5))
    ref = datetime(2023, 5, 8, 23, 30, tzinfo=tz)  # already 9 May in UTC
    m = one("yesterday", ref)
    assert m.begin == datetime(2023, 5, 7, tzinfo=tz)
    assert m.begin.tzinfo is tz
    assert m.finish.tzinfo is tz


def test_zoneinfo_reference_uses_local_calendar() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    ref = datetime(2023, 5, 8, 0, 30, tzinfo=berlin)  # 7 May 22:30 UTC
    m = one("today", ref)
    assert (m.begin.date(), m.begin.tzinfo) == (date(2023, 5, 8), berlin)
    assert m.begin.utcoffset() == timedelta(hours=2)


def test_explicit_offsets_are_converted_into_the_reference_zone() -> None:
    tz = timezone(timedelta(hours=9))
    m = one("at 2023-05-08T10:30:00Z", datetime(2023, 5, 8, tzinfo=tz))
    assert m.begin == d(2023, 5, 8, 10, 30)
    assert m.begin.tzinfo is tz


def test_naive_reference_is_rejected() -> None:
    with pytest.raises(TimeError, match="naive"):
        find_time_mentions("yesterday", datetime(2023, 5, 8))
    assert issubclass(TimeError, InputError)


# -- intervals ----------------------------------------------------------------------------------


def test_mention_interval_per_kind() -> None:
    assert mention_interval(one("yesterday")) == (d(2023, 5, 7), None)
    assert mention_interval(one("since 2019")) == (d(2019, 1, 1), None)
    assert mention_interval(one("until 2020")) == (None, d(2020, 1, 1))
    assert mention_interval(one("from 2018 to 2020")) == (d(2018, 1, 1), d(2021, 1, 1))


# -- session headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:56 pm on 8 May, 2023", d(2023, 5, 8, 13, 56)),
        ("10:37 am on 27 June, 2023", d(2023, 6, 27, 10, 37)),
        ("12:05 am on 1 January, 2024", d(2024, 1, 1, 0, 5)),
        ("12:30 pm on 1 Jan, 2024", d(2024, 1, 1, 12, 30)),
        ("1:56 pm on May 8, 2023", d(2023, 5, 8, 13, 56)),
        ("2023/05/20 (Sat) 02:21", d(2023, 5, 20, 2, 21)),
        ("2023-05-08", d(2023, 5, 8)),
        ("2023-05-08T13:56:00Z", d(2023, 5, 8, 13, 56)),
        ("8 May 2023", d(2023, 5, 8)),
    ],
)
def test_parse_human_datetime(text: str, expected: datetime) -> None:
    assert parse_human_datetime(text) == expected
    assert parse_human_datetime(text).tzinfo is not None


def test_parse_human_datetime_timezones() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    local = parse_human_datetime("1:56 pm on 8 May, 2023", berlin)
    assert local.tzinfo is berlin
    assert local.hour == 13
    explicit = parse_human_datetime("2023-05-08T13:56:00+02:00", berlin)
    assert explicit.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "text", ["", "hello", "yesterday", "5", "May 8", "13:56 pm on 8 May, 2023"]
)
def test_parse_human_datetime_errors_name_the_string(text: str) -> None:
    with pytest.raises(TimeError, match="expected") as info:
        parse_human_datetime(text)
    assert repr(text) in str(info.value)


# -- properties ---------------------------------------------------------------------------------

PAST = [
    "yesterday", "the day before yesterday", "last night", "last week", "last weekend",
    "last month", "last year", "last summer", "last winter", "last spring", "last fall",
    "last Monday", "last Wednesday", "last Sunday", "on Friday", "Saturday", "3 days ago",
    "two weeks ago", "a month ago", "a few years ago", "two hours ago", "last May",
    "last December", "the week before last", "the month before last",
    "the past few years", "since last year", "a decade ago", "this morning",
]  # fmt: skip
OTHER = [
    "today", "tonight", "tomorrow", "next week", "next weekend", "this weekend", "next month",
    "this summer", "next winter", "next Friday", "this Friday", "in March", "in two weeks",
    "in 3 hours", "over the weekend", "until June", "between May and July",
    "from March to February", "May 8th", "February 29th", "in the 90s", "the 20s", "late May",
    "early 2020", "since 2019",
    "from 2018 to 2020", "I will see you on Monday", "8 May 2023", "31/12/1999", "next May",
]  # fmt: skip

references = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2090, 12, 31)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)


@settings(max_examples=200, deadline=None)
@given(reference=references)
def test_periods_are_well_formed(reference: datetime) -> None:
    day_end = datetime.combine(reference.date() + timedelta(days=1), datetime.min.time())
    day_end = day_end.replace(tzinfo=reference.tzinfo)
    for text in PAST + OTHER:
        found = find_time_mentions(text, reference)
        assert found, text
        for m in found:
            assert m.begin < m.finish, (text, m)
            assert m.begin.tzinfo is reference.tzinfo
            assert m.finish.tzinfo is reference.tzinfo
            if text in PAST:
                assert m.finish <= day_end, (text, m)


VOCAB = [
    "May", "may", "March", "in", "on", "since", "until", "from", "to", "and", "between", "last",
    "next", "this", "the", "past", "weekend", "week", "month", "year", "years", "ago", "a",
    "few", "2019", "2020", "8th", "31", "29", "Friday", "summer", "early", "end", "of", "90s",
    "'", "-", ",", ".", "I", "will", "3", "05/08/2023", "2023-02-29", "February", "yesterday",
]  # fmt: skip


NEW_VOCAB = [
    "spring", "winter", "fall", "over", "through", "for", "now", "and", "counting", "so", "far",
    "I've", "have", "been", "to", "had", "will", "six", "decade", "decades", "ago", "later",
    "year", "after", "before", "following", "next", "that", "2015", ";", "like", "almost", "uni",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(VOCAB), max_size=12), reference=references)
def test_arbitrary_word_soup_never_fails(words: list[str], reference: datetime) -> None:
    text = " ".join(words)
    previous_end = 0
    for m in find_time_mentions(text, reference):
        assert text[m.start : m.end] == m.text
        assert m.start >= previous_end
        previous_end = m.end
        assert m.begin < m.finish
        assert m.begin.tzinfo is reference.tzinfo


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_arbitrary_text_never_fails(text: str) -> None:
    for m in find_time_mentions(text, REF):
        assert m.begin < m.finish


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.lists(st.sampled_from(VOCAB), max_size=12).map(" ".join),
        st.text(alphabet=st.sampled_from("aint 'ov-9Mh2ers,0'’"), max_size=40),
    )
)
def test_fast_scan_finds_what_a_full_scan_finds(text: str) -> None:
    full = [m.span() for m in timex._SCAN_RE.finditer(text)]
    assert [m.span() for m in timex._candidates(text)] == full


@pytest.mark.parametrize("text", [c[0] for c in CASES] + NO_MENTION)
def test_fast_scan_agrees_on_the_table(text: str) -> None:
    sentence = f"So, {text} and then"
    full = [m.span() for m in timex._SCAN_RE.finditer(sentence)]
    assert [m.span() for m in timex._candidates(sentence)] == full


# -- seasons with an article ------------------------------------------------------------------

# Saturday 15 June 2024 (summer has begun), Wednesday 10 January 2024 (winter 2023 is on).
JUNE = datetime(2024, 6, 15, 12, tzinfo=UTC)
JANUARY = datetime(2024, 1, 10, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "reference", "mention", "begin", "finish"),
    [
        ("We hiked a lot in the spring.", JUNE, "in the spring", d(2024, 3, 1), d(2024, 6, 1)),
        ("it was hot in the summer", JUNE, "in the summer", d(2024, 6, 1), d(2024, 9, 1)),
        ("I read a lot over the winter", JUNE, "over the winter", d(2023, 12, 1), d(2024, 3, 1)),
        ("In the fall I started yoga.", JUNE, "In the fall", d(2023, 9, 1), d(2023, 12, 1)),
        ("in the autumn we moved", JUNE, "in the autumn", d(2023, 9, 1), d(2023, 12, 1)),
        ("during the summer I swam", JANUARY, "during the summer", d(2023, 6, 1), d(2023, 9, 1)),
        ("through the winter it snowed", JANUARY, "through the winter", d(2023, 12, 1),
         d(2024, 3, 1)),
        ("we rented it for the summer", JANUARY, "for the summer", d(2023, 6, 1), d(2023, 9, 1)),
        ("this fall I switched teams", JUNE, "this fall", d(2024, 9, 1), d(2024, 12, 1)),
        ("last summer we went to Crete", JUNE, "last summer", d(2023, 6, 1), d(2023, 9, 1)),
        ("in the spring of 2021", JUNE, "in the spring of 2021", d(2021, 3, 1), d(2021, 6, 1)),
        ("in the winter of 2021", JUNE, "in the winter of 2021", d(2021, 12, 1), d(2022, 3, 1)),
        # the clause speaks of the future: the first such season not yet ended
        ("We will go to Norway in the spring.", JUNE, "in the spring", d(2025, 3, 1),
         d(2025, 6, 1)),
        ("I'm going to travel in the summer", JUNE, "in the summer", d(2024, 6, 1),
         d(2024, 9, 1)),
        ("I'll ski over the winter", JANUARY, "over the winter", d(2023, 12, 1), d(2024, 3, 1)),
        ("we plan to move in the fall", JANUARY, "in the fall", d(2024, 9, 1), d(2024, 12, 1)),
    ],
)  # fmt: skip
def test_seasons_with_an_article(
    text: str, reference: datetime, mention: str, begin: datetime, finish: datetime
) -> None:
    m = one(text, reference)
    explicit = any(c.isdigit() for c in mention)
    expected = (mention, "point", "season", not explicit)
    assert (m.text, m.kind, m.granularity, m.relative) == expected
    assert (m.begin, m.finish) == (begin, finish)
    assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    "zone",
    [ZoneInfo("Pacific/Auckland"), ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Kolkata")],
)
def test_seasons_use_the_reference_calendar(zone: ZoneInfo) -> None:
    # 1 March 2024 00:30 local: still 29 February somewhere west of the zone, already spring here.
    ref = datetime(2024, 3, 1, 0, 30, tzinfo=zone)
    m = one("in the spring", ref)
    assert (m.begin, m.finish) == (
        datetime(2024, 3, 1, tzinfo=zone),
        datetime(2024, 6, 1, tzinfo=zone),
    )
    assert m.begin.tzinfo is zone
    # the day before, the latest spring begun is last year's
    earlier = one("in the spring", ref - timedelta(hours=1))
    assert earlier.begin == datetime(2023, 3, 1, tzinfo=zone)


def test_season_operands_of_since_and_ranges() -> None:
    since = one("I have been running since the spring", JUNE)
    assert (since.kind, since.begin) == ("since", d(2024, 3, 1))
    span = one("from the spring to the fall", datetime(2024, 12, 20, tzinfo=UTC))
    assert (span.kind, span.begin, span.finish) == ("range", d(2024, 3, 1), d(2024, 12, 1))


def _season_start(reference: datetime) -> datetime:
    month = (reference.month // 3 * 3) or 12  # Dec/Jan/Feb -> 12, Mar-May -> 3, ...
    year = reference.year - (reference.month < 3)
    return datetime(year, month, 1, tzinfo=reference.tzinfo)


@settings(max_examples=200, deadline=None)
@given(reference=st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2090, 12, 31)),
       minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
       season=st.sampled_from(["spring", "summer", "fall", "winter"]))  # fmt: skip
def test_bare_season_is_the_latest_begun_or_the_first_not_ended(
    reference: datetime, minutes: int, season: str
) -> None:
    ref = reference.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    today = datetime(ref.year, ref.month, ref.day, tzinfo=ref.tzinfo)
    past = one(f"we met in the {season}", ref)
    future = one(f"we will meet in the {season}", ref)
    for m in (past, future):
        assert m.granularity == "season"
        assert m.begin.month == timex._SEASON_START[season]
        assert (m.finish - m.begin).days in range(89, 93)
    # past: begun by today, and the same season a year later has not begun
    assert past.begin <= today < past.begin.replace(year=past.begin.year + 1)
    # future: not ended by today, and the same season a year earlier had ended
    assert past.finish.replace(year=future.finish.year - 1) <= today < future.finish
    assert future.begin >= past.begin
    # the current season is the same in both readings
    if _season_start(ref).month == timex._SEASON_START[season]:
        assert past.begin == future.begin == _season_start(ref)


# -- decades and other offsets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reference", "begin", "finish", "granularity"),
    [
        ("a decade ago", JUNE, d(2014, 1, 1), d(2015, 1, 1), "year"),
        ("I left Lagos two decades ago", JUNE, d(2004, 1, 1), d(2005, 1, 1), "year"),
        ("three decades back", JUNE, d(1994, 1, 1), d(1995, 1, 1), "year"),
        ("a decade from now", JUNE, d(2034, 1, 1), d(2035, 1, 1), "year"),
        ("a year ago", JUNE, d(2023, 1, 1), d(2024, 1, 1), "year"),
        ("a couple of years ago", JUNE, d(2022, 1, 1), d(2023, 1, 1), "year"),
        ("a few months back", JUNE, d(2024, 3, 1), d(2024, 4, 1), "month"),
        ("a decade ago", datetime(2020, 1, 1, 0, 30, tzinfo=UTC), d(2010, 1, 1), d(2011, 1, 1),
         "year"),
    ],
)  # fmt: skip
def test_offsets_back(
    text: str, reference: datetime, begin: datetime, finish: datetime, granularity: str
) -> None:
    m = one(text, reference)
    assert (m.kind, m.begin, m.finish, m.granularity) == ("point", begin, finish, granularity)


def test_a_decade_ago_uses_the_local_year() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    ref = datetime(2024, 1, 1, 0, 30, tzinfo=tokyo)  # still 2023 in UTC
    m = one("a decade ago", ref)
    assert (m.begin, m.finish) == (
        datetime(2014, 1, 1, tzinfo=tokyo),
        datetime(2015, 1, 1, tzinfo=tokyo),
    )


# -- durations up to now ------------------------------------------------------------------------

SEPT = datetime(2024, 9, 9, 15, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("text", "mention", "begin", "granularity"),
    [
        ("I've lived in Lyon for six years now", "for six years now", d(2018, 1, 1), "year"),
        ("for six years now", "for six years now", d(2018, 1, 1), "year"),
        ("I've been at Siemens for six years", "for six years", d(2018, 1, 1), "year"),
        ("I have been at Siemens for six years.", "for six years", d(2018, 1, 1), "year"),
        ("we've been together for like six years now", "for like six years now", d(2018, 1, 1),
         "year"),
        ("I've been married for almost thirty years", "for almost thirty years", d(1994, 1, 1),
         "year"),
        ("She has worked there for over 5 years", "for over 5 years", d(2019, 1, 1), "year"),
        ("It's been raining for three days", "for three days", d(2024, 9, 6), "day"),
        ("he's lived in Oslo for a decade", "for a decade", d(2014, 1, 1), "year"),
        ("I haven't smoked for two years", "for two years", d(2022, 1, 1), "year"),
        ("I've been waiting for 10 minutes", "for 10 minutes", d(2024, 9, 9, 14, 50), "instant"),
        ("been coding for a few months so far", "for a few months so far", d(2024, 6, 1),
         "month"),
        ("six years living here and counting", "six years living here and counting",
         d(2018, 1, 1), "year"),
        ("Married for 12 years and counting!", "for 12 years and counting", d(2012, 1, 1),
         "year"),
        ("for the past three years", "for the past three years", d(2021, 9, 9), "day"),
        ("For two years I have taught at Rice", "For two years", d(2022, 1, 1), "year"),
    ],
)  # fmt: skip
def test_durations_up_to_now(text: str, mention: str, begin: datetime, granularity: str) -> None:
    m = one(text, SEPT)
    assert (m.text, m.kind, m.begin, m.granularity) == (mention, "since", begin, granularity)
    assert text[m.start : m.end] == m.text
    valid_at, invalid_at = mention_interval(m)
    assert (valid_at, invalid_at) == (begin, None)


@pytest.mark.parametrize(
    "text",
    [
        "for almost thirty years",
        "We were in Italy for two weeks.",
        "They offered me a job for a two-year contract",
        "Let it rest for 10 minutes.",
        "I had worked there for six years",
        "I'll have been here for six years in May",
        "I could have stayed for two years",
        "I've been to Portugal for two weeks",
        "I have to wait for 10 minutes",
        "I will have lived there for a decade",
    ],
)
def test_lengths_that_do_not_reach_now(text: str) -> None:
    assert [m for m in find_time_mentions(text, SEPT) if m.kind == "since"] == []


def test_durations_keep_the_mentions_after_them() -> None:
    found = find_time_mentions("We stayed for two weeks in May 2019.", SEPT)
    assert [m.text for m in found] == ["in May 2019"]
    assert [m.text for m in find_time_mentions("for two years from now", SEPT)] == [
        "two years from now"
    ]


@pytest.mark.parametrize("offset_hours", [-10, 0, 5.5, 13])
def test_durations_use_the_local_year(offset_hours: float) -> None:
    tz = timezone(timedelta(hours=offset_hours))
    ref = datetime(2025, 1, 1, 0, 15, tzinfo=tz)  # 2024 in UTC east of Greenwich
    m = one("I've lived here for six years now", ref)
    assert (m.begin, m.finish) == (datetime(2019, 1, 1, tzinfo=tz), datetime(2020, 1, 1, tzinfo=tz))


@settings(max_examples=100, deadline=None)
@given(reference=references, n=st.integers(min_value=1, max_value=40),
       unit=st.sampled_from(["day", "week", "month", "year"]))  # fmt: skip
def test_duration_up_to_now_contains_the_day_n_units_back(
    reference: datetime, n: int, unit: str
) -> None:
    m = one(f"I've been here for {n} {unit}s now", reference)
    assert m.kind == "since"
    assert m.begin < m.finish <= reference + timedelta(days=1)
    today = reference.date()
    if unit == "year":
        assert m.begin.year == today.year - n == m.finish.year - 1
    elif unit == "day":
        assert m.begin.date() == today - timedelta(days=n)
    elif unit == "week":
        assert m.begin.date() <= today - timedelta(days=7 * n) < m.finish.date()


# -- years anchored in the text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mention", "year"),
    [
        ("I graduated from Purdue in 2015. Moved to Seattle the year after", "the year after",
         2016),
        ("I graduated in 2015; the year after, I moved to Seattle.", "the year after", 2016),
        ("We met in May 2010 and married a year later.", "a year later", 2011),
        ("She was born in 1990. Two years later her brother came.", "Two years later", 1992),
        ("In 2012 I joined Acme, and the following year I became lead.", "the following year",
         2013),
        ("Got my degree in 2008. The next year I went abroad.", "The next year", 2009),
        ("We moved on 3 March 2019, three years after that we sold it.", "three years after that",
         2022),
        ("He retired in 2020. The year before, he had been ill.", "The year before", 2019),
        ("I left in 2018. Two years earlier I had joined.", "Two years earlier", 2016),
        ("From 2016 to 2018 I was in Oslo, the year after, in Rome.", "the year after", 2019),
    ],
)  # fmt: skip
def test_years_anchored_in_the_text(text: str, mention: str, year: int) -> None:
    found = find_time_mentions(text, SEPT)
    anchored = [m for m in found if m.text == mention]
    assert len(anchored) == 1, found
    m = anchored[0]
    assert (m.kind, m.granularity, m.begin, m.finish) == (
        "point",
        "year",
        d(year, 1, 1),
        d(year + 1, 1, 1),
    )
    assert text[m.start : m.end] == m.text


def test_anchored_years_chain_and_take_the_latest_explicit_year() -> None:
    text = "In 2015 I moved. Two years later I left, and a year after that I married. In 2001 ..."
    found = find_time_mentions(text, SEPT)
    assert [(m.text, m.begin.year) for m in found] == [
        ("In 2015", 2015), ("Two years later", 2017), ("a year after that", 2018), ("In 2001", 2001)
    ]  # fmt: skip
    text = "We went in 2001 and again in 2015. The year after, we stopped."
    later = find_time_mentions(text, SEPT)
    assert [(m.text, m.begin.year) for m in later][-1] == ("The year after", 2016)


@pytest.mark.parametrize(
    "text",
    [
        "The year after, we moved.",  # no earlier year
        "Last year I moved. The year after I left.",  # "last year" is not an explicit year
        "In 2015 I moved; the year after I graduated was hard.",  # after an event, not a year
        "In the 1990s I lived there. The year after I moved.",  # a decade is not a year
        "I was born in 1990. Over the next year I will travel a lot.",  # the coming year
    ],
)
def test_anchored_years_need_an_explicit_year(text: str) -> None:
    found = find_time_mentions(text, SEPT)
    assert all("year after" not in m.text and "next year" not in m.text for m in found), found


# -- texts mixing the new phrasings ------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(VOCAB + NEW_VOCAB), max_size=14),
    reference=references,
)
def test_new_phrasings_keep_mentions_well_formed(words: list[str], reference: datetime) -> None:
    text = " ".join(words)
    previous_end = 0
    for m in find_time_mentions(text, reference):
        assert text[m.start : m.end] == m.text
        assert m.start >= previous_end
        previous_end = m.end
        assert m.begin < m.finish
        assert m.begin.tzinfo is reference.tzinfo
    full = [m.span() for m in timex._SCAN_RE.finditer(text)]
    assert [m.span() for m in timex._candidates(text)] == full
