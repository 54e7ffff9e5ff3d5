"""State changes said in plain words, end to end through the offline extractor.

Each case is a short chat in its own words; the checks read the stored facts (not search), so
they test extraction and the temporal rules: the new state holds now, the old one held before
and is closed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chronomem import HashingEmbedder, Memory

T1 = "2022-03-01T10:00:00+00:00"
T2 = "2024-05-01T10:00:00+00:00"
BETWEEN = "2023-06-01T00:00:00+00:00"
# (first statement, second statement, subject, relation, old value or None, new value or None)
CASES = [
    ("I'm based in Porto at the moment.", "Work relocated me to Lyon.",
     "Rosa", "LIVES_IN", "Porto", "Lyon"),
    ("I live in Glasgow.", "Packed up and moved to Dundee last week.",
     "Rosa", "LIVES_IN", "Glasgow", "Dundee"),
    ("I work at Fernhill Logistics.", "Got let go from Fernhill Logistics today.",
     "Rosa", "WORKS_AT", "Fernhill Logistics", None),
    ("I work at Quantix.", "Joined Helio Labs on Monday.",
     "Rosa", "WORKS_AT", "Quantix", "Helio Labs"),
    pytest.param("I'm a sous chef.", "They promoted me to head chef today!",
                 "Rosa", "HAS_JOB_TITLE", "sous chef", "head chef",
                 marks=pytest.mark.xfail(strict=True, reason="known limit: the parser reads "
                                         "'to head chef' as the verb 'head'")),
    ("I drive a Ford Focus.", "Sold the Focus last month.",
     "Rosa", "DRIVES", "Ford Focus", None),
    # a new holder of a role of one: a pet's vet, one's manager named as "a woman called X"
    ("Pixel's vet is Dr. Brandt.", "Pixel's new vet is Dr. Ilves, much closer to us.",
     "Pixel", "HAS_VET", "Brandt", "Ilves"),
    ("My manager is a woman called Ines.", "My new manager is Tariq, no idea yet.",
     "Rosa", "REPORTS_TO", "Ines", "Tariq"),
    # a thing that is gone, or named by "it" in its ending
    ("I drive a Toyota Yaris.", "The Yaris is gone, my nephew has it now.",
     "Rosa", "DRIVES", "Yaris", None),
    ("I drive a Honda Jazz.", "the Jazz broke down for good. scrapped it last week",
     "Rosa", "DRIVES", "Honda Jazz", None),
    ("We have a tabby called Miso.", "We had to rehome Miso, sadly.",
     "Rosa", "HAS_PET", "Miso", None),
    ("My rabbit Zuzu is the boss of the house", "We had to put Zuzu down on Friday.",
     "Rosa", "HAS_PET", "Zuzu", None),
    # endings of a couple: an engagement called off, being dumped, "each other", and a
    # break-up that also ends the engagement
    ("Sami and I got engaged in Lisbon!", "We called off the engagement, it wasn't right",
     "Rosa", "ENGAGED_TO", "Sami", None),
    ("I've been seeing Tobias for a year.", "Got dumped on Saturday. Whatever.",
     "Rosa", "PARTNER_OF", "Tobias", None),
    ("Seeing a guy called Anselm, he's a baker", "Anselm and I stopped seeing each other",
     "Rosa", "PARTNER_OF", "Anselm", None),
    ("I'm engaged to Dario.", "We broke up. I'm gutted",
     "Rosa", "ENGAGED_TO", "Dario", None),
    ("I've got an iPhone 11.", "Switched to a Galaxy S23 this week.",
     "Rosa", "HAS_PHONE", "iPhone", "Galaxy"),
    ("I'm vegetarian.", "Went vegan in the new year.",
     "Rosa", "HAS_DIET", "vegetarian", "vegan"),
    ("I live in Cardiff.", "I don't live in Cardiff anymore.",
     "Rosa", "LIVES_IN", "Cardiff", None),
    # chat the small model misreads: "X and I", a name's "'s", emoji, shouting, typos
    ("Idris and I have been together since school, kind of wild", "Idris and I broke up 💔 not ok",
     "Rosa", "PARTNER_OF", "Idris", None),
    ("My roommate Oksana's at Zalando now", "Oksana got laid off from Zalando",
     "Oksana", "WORKS_AT", "Zalando", None),
    ("Bexley's dating a guy named Tiago.", "Bexley and Tiago split up 😬",
     "Bexley", "PARTNER_OF", "Tiago", None),
    ("I work at Ferrovial.", "GOT HIRED BY OCADO!!! start monday",
     "Rosa", "WORKS_AT", "Ferrovial", "Ocado"),
    ("workin at Greggs rn, early shifts", "Got poached by Pret 😎 first day today",
     "Rosa", "WORKS_AT", "Greggs", "Pret"),
    # habits, favourites, titles given and titles said without a verb
    ("I smoke about ten a day.", "Quit smoking in March!", "Rosa", "SMOKE", "smoking", None),
    ("My favorite food is ramen.", "Honestly tacos are my favorite food now.",
     "Rosa", "FAVORITE_FOOD", "ramen", "tacos"),
    ("I'm a junior designer.", "They made me design lead today!",
     "Rosa", "HAS_JOB_TITLE", "junior designer", "design lead"),
    ("I'm a paralegal.", "Passed the bar!!! Officially an associate attorney as of this week",
     "Rosa", "HAS_JOB_TITLE", "paralegal", "associate attorney"),
    ("Idris and I have been dating since uni.", "I've been seeing someone new, her name is Noor.",
     "Rosa", "PARTNER_OF", "Idris", "Noor"),
    # organisations: a noun said of them, a name known as an employer before
    ("Tomas works at Quillpay.", "Tomas left Quillpay for Brindle last month",
     "Tomas", "WORKS_AT", "Quillpay", "Brindle"),
    ("Leeds has been home for six years now.", "Got a flat in Bristol, way cheaper",
     "Rosa", "LIVES_IN", "Leeds", "Bristol"),
    ("My wife Ines and I just had our tenth anniversary.", "Ines and I divorced in the spring.",
     "Rosa", "MARRIED_TO", "Ines", None),
    ("My boss is Karen Liu.", "My new boss is Mike Chen, seems chill so far",
     "Rosa", "REPORTS_TO", "Karen Liu", "Mike Chen"),
    ("Ottavio and I are celebrating our third anniversary together", "I'm no longer with Ottavio.",
     "Rosa", "PARTNER_OF", "Ottavio", None),
    # schools: a year of school, a field of study, an admission, a transfer, a school's name
    ("I'm in my third year at Dalhousie, doing chemistry.", "Transferred to Queens this fall.",
     "Rosa", "STUDIES_AT", "Dalhousie", "Queens"),
    ("Priya's at Carleton for economics.", "Priya transferred to Laval, she wanted a change",
     "Priya", "STUDIES_AT", "Carleton", "Laval"),
    ("sophomore year at Brookfield High is rough", "GOT INTO WELLESLEY!!! starting in the fall",
     "Rosa", "STUDIES_AT", "Brookfield High", "Wellesley"),
    # a habit given up ends what was said with its verb ("I swim laps", not only "swimming")
    ("I swim laps every morning before work.", "My shoulder is shot, so I don't swim anymore.",
     "Rosa", "SWIM", "laps", None),
    # a thing stolen ends owning it, and riding it
    ("I ride a Bianchi road bike, a green one", "Someone stole my Bianchi from the station :(",
     "Rosa", "DRIVES", "Bianchi", None),
    ("I drive an old Skoda Fabia.", "My Skoda got stolen last night",
     "Rosa", "DRIVES", "Skoda", None),
    # a job offer taken, and the first week somewhere new
    ("I work at Norbrook.", "Took the Kestrel Games offer!",
     "Rosa", "WORKS_AT", "Norbrook", "Kestrel Games"),
    # what someone drinks day to day, and a switch (the parser reads "to oolong" oddly)
    ("Honestly I run on espresso, four a day", "Switched to green tea in January, sleeping better",
     "Rosa", "DRINKS", "espresso", "green tea"),
    # a home said with "home" on either side of "be", or as where one lives or calls home
    ("Dunedin is home, cold but lovely.", "We relocated to Napier last week.",
     "Rosa", "LIVES_IN", "Dunedin", "Napier"),
    ("Home is Valparaíso for now, the hills are brutal", "Moved to Santiago in March.",
     "Rosa", "LIVES_IN", "Valparaíso", "Santiago"),
    ("I'm based in Graz.", "These days Innsbruck is where I call home.",
     "Rosa", "LIVES_IN", "Graz", "Innsbruck"),
    # a label, a colon and the value: a new home, title, favourite or job
    ("I live in Tromsø.", "New home: Bergen, the rain is unreal",
     "Rosa", "LIVES_IN", "Tromsø", "Bergen"),
    ("I'm a QA tester.", "new title: test automation engineer. same team though",
     "Rosa", "HAS_JOB_TITLE", "qa tester", "test automation engineer"),
    ("My favorite dish is pho.", "ok new favourite dish: bibimbap, sorry pho",
     "Rosa", "FAVORITE_DISH", "pho", "bibimbap"),
    # a trade done for a named employer is a job there; a verb mistaken for a modifier
    ("I drive for Bolt most evenings.", "I work at Ikea now, steady hours at last",
     "Rosa", "WORKS_AT", "Bolt", "Ikea"),
    ("I'm a senior associate at the firm.", "Made partner!! twelve years of work",
     "Rosa", "HAS_JOB_TITLE", "senior associate", "partner"),
    ("I'm the day shift foreman at the mill.", "I'm just a forklift operator now, my back gave up",
     "Rosa", "HAS_JOB_TITLE", "day shift foreman", "forklift operator"),
    # places written in lower case (or shouted), and a typo before the verb
    ("i've been in leeds two years now, love it", "finaly moved to edinburgh!! so cold",
     "Rosa", "LIVES_IN", "Leeds", "Edinburgh"),
    ("living in phoenix, way too hot", "WE CLOSED ON A HOUSE IN DENVER!! moved in last weekend",
     "Rosa", "LIVES_IN", "Phoenix", "Denver"),
    # a couple said as "X and I" or "we", with the one person the sentence names
    ("we have a greyhound called Juniper.", "we had to put Juniper to sleep on monday",
     "Rosa", "HAS_PET", "Juniper", None),
    ("I drink like five lattes a day", "I've switched to rooibos, sleeping better",
     "Rosa", "DRINKS", "lattes", "rooibos"),
    # someone who does a habit, a habit said as a routine, a title said without "a"
    ("I'm a cyclist, 200k a week in summer", "nah not anymore, gave up cycling after the crash",
     "Rosa", "CYCLE", "cycling", None),
    ("I'm a software tester.", "officially engineering manager as of this week 😬",
     "Rosa", "HAS_JOB_TITLE", "software tester", "engineering manager"),
    # a diet ended by eating meat again, and one taken up by "doing"
    ("I've been vegan for six years", "plot twist: I eat meat again, doctor's orders",
     "Rosa", "HAS_DIET", "vegan", "meat"),
    ("I'm vegetarian.", "been doing keto since the spring, down 5 kilos",
     "Rosa", "HAS_DIET", "vegetarian", "keto"),
    # married to the one she was engaged to; a hyphenated name NER reads as a date
    ("Jean-Luc proposed last night!!! we're engaged",
     "I'm officially married to Jean-Luc as of today", "Rosa", "ENGAGED_TO", "Jean-Luc", None),
    ("I've been seeing Marta for two years.", "marta and i are done. rough week",
     "Rosa", "PARTNER_OF", "Marta", None),
    ("My girlfriend is Ilse.", "we called it quits last night, it's for the best",
     "Rosa", "PARTNER_OF", "Ilse", None),
    ("I'm dating Bram.", "ok so Bram and I broke up. his name is Tobiah now, the new guy, "
     "and we've been seeing each other since may",
     "Rosa", "PARTNER_OF", "Bram", None),
    # what a thing of one's own is ("my van is a ..."), and a thing that died in an idiom
    ("my car is a rusty Ford Mondeo, still runs", "my car kicked the bucket on the A9",
     "Rosa", "DRIVES", "Ford Mondeo", None),
    ("my laptop is a Lenovo Yoga from uni", "my laptop finally bit the dust, RIP",
     "Rosa", "OWNS", "Lenovo Yoga", None),
    ("my phone is a Pixel 6, cracked screen and all", "bought a new Fairphone 5, love it",
     "Rosa", "HAS_PHONE", "Pixel", "Fairphone"),
    # trades the role list knows, and a wedding said as an idiom
    ("I'm a sommelier at a hotel bar", "I'm a winemaker now, finally my own vines",
     "Rosa", "HAS_JOB_TITLE", "sommelier", "winemaker"),
    ("I'm a postman, early starts", "I got promoted to dispatcher, no more rain",
     "Rosa", "HAS_JOB_TITLE", "postman", "dispatcher"),
    ("Odile and I have been together for years", "Odile and I tied the knot in Nantes!",
     "Rosa", "MARRIED_TO", None, "Odile"),
    # fired in an idiom; a gym membership cancelled; a thing sold ends what one did with it
    ("I work at Halvorsen Bank.", "got the sack today, gutted",
     "Rosa", "WORKS_AT", "Halvorsen Bank", None),
    ("I'm at Orrin Freight, warehouse shifts", "got the boot from Orrin this morning lol",
     "Rosa", "WORKS_AT", "Orrin Freight", None),
    ("signed up at Ironside gym, 40 quid a month", "cancelled my Ironside membership, never went",
     "Rosa", "MEMBER_OF", "Ironside", None),
    ("I park my Audi A3 in the square every night", "sold the Audi, the buses are fine",
     "Rosa", "PARK", "Audi", None),
    # a school said with the degree ("started my MSc at", "moved my PhD to"), and a student's
    # "first week at"
    ("I'm studying law at the University of Ghana", "started my MPhil at Lund in September",
     "Rosa", "STUDIES_AT", "University of Ghana", "Lund"),
    ("I'm doing my PhD at Twente, polymer stuff", "moved my PhD to Delft with my supervisor",
     "Rosa", "STUDIES_AT", "Twente", "Delft"),
    ("I'm in my last year at Harlow Grammar School", "first week at Kingsbridge done, huge campus",
     "Rosa", "STUDIES_AT", "Harlow Grammar School", "Kingsbridge"),
    # a diet quit by the word "diet"; a field of study switched to
    ("been doing paleo since january, no grains", "ok I quit the diet, pasta is life",
     "Rosa", "HAS_DIET", "paleo", None),
    ("I study history at Tartu, lots of reading", "switched to geology this autumn, rocks > books",
     "Rosa", "STUDIES", "history", "geology"),
]  # fmt: skip


@pytest.fixture(scope="module")
def memory() -> Iterator[Memory]:
    with Memory.open("memory://", embedder=HashingEmbedder()) as mem:
        yield mem


def tell(memory: Memory, group: str, *texts: str) -> None:
    """Rosa says ``texts`` in ``group``: one text now (T2), two at T1 then T2."""
    times = (T2,) if len(texts) == 1 else (T1, T2)
    memory.add_dialogue(
        [
            {"speaker": "Rosa", "text": text, "time": time}
            for text, time in zip(texts, times, strict=True)
        ],
        group_id=group,
    )


@pytest.mark.parametrize(("first", "second", "subject", "relation", "old", "new"), CASES)
def test_a_change_said_in_plain_words_closes_the_old_state(
    memory: Memory,
    first: str,
    second: str,
    subject: str,
    relation: str,
    old: str | None,
    new: str | None,
) -> None:
    group = f"plain-{abs(hash((first, second))) % 10**8}"
    memory.add_dialogue(
        [
            {"speaker": subject, "text": first, "time": T1},
            {"speaker": "Kit", "text": "oh nice", "time": T1},
            {"speaker": subject, "text": second, "time": T2},
        ],
        group_id=group,
    )
    now = {f.object for f in memory.facts(subject=subject, relation=relation, group_id=group)}
    before = {
        f.object
        for f in memory.facts(subject=subject, relation=relation, group_id=group, as_of=BETWEEN)
    }
    if old is not None:
        assert any(old.lower() in (o or "").lower() for o in before), before
        assert not any(old.lower() in (o or "").lower() for o in now), now
    if new is not None:
        assert any(new.lower() in (o or "").lower() for o in now), now


# (what is said first and later, the organisation, the relation, the head then, the head now)
HEADS = [
    (("Corvid Bank's CEO is Lena Marsh.", "Corvid Bank's new CEO is Omar Haddad"),
     "Corvid Bank", "HAS_CEO", "Lena Marsh", "Omar Haddad"),
    # under the first word of its name, said after the whole name
    (("My son started at Marlow Primary today!\nThe headmistress at Marlow is Mrs. Osei.",
      "Marlow's new headmistress is Ms. Grant"),
     "Marlow Primary", "HAS_PRINCIPAL", "Osei", "Grant"),
]  # fmt: skip


@pytest.mark.parametrize(("said", "organisation", "relation", "then", "now"), HEADS)
def test_an_organisations_new_head_replaces_the_old_one(
    memory: Memory,
    said: tuple[str, str],
    organisation: str,
    relation: str,
    then: str,
    now: str,
) -> None:
    group = f"plain-head-{relation}"
    turns = [
        {"speaker": "Oskar", "text": text, "time": time}
        for chunk, time in zip(said, (T1, T2), strict=True)
        for text in chunk.split("\n")
    ]
    memory.add_dialogue(turns, group_id=group)
    current = memory.facts(subject=organisation, relation=relation, group_id=group)
    before = memory.facts(subject=organisation, relation=relation, group_id=group, as_of=BETWEEN)
    assert [f.object for f in current] == [now]
    assert [f.object for f in before] == [then]


def test_ignore_all_that_takes_back_an_ending_said_in_the_turns_before(memory: Memory) -> None:
    memory.add_dialogue(
        [
            {"speaker": "Rosa", "text": "I work at Tallis Foods in Leeds.", "time": T1},
            {"speaker": "Rosa", "text": "I'm leaving Tallis Foods!", "time": T2},
            {"speaker": "Rosa", "text": "Starting at Brant & Co in June", "time": T2},
            {"speaker": "Kit", "text": "whoa", "time": T2},
            {
                "speaker": "Rosa",
                "text": "Ignore all that, they matched the offer and I'm staying.",
                "time": "2024-05-03T10:00:00+00:00",
            },
        ],
        group_id="plain-staying",
    )
    jobs = memory.facts(subject="Rosa", relation="WORKS_AT", group_id="plain-staying")
    assert [f.object for f in jobs] == ["Tallis Foods"]
    assert jobs[0].invalid_at is None
    later = memory.facts(
        subject="Rosa",
        relation="WORKS_AT",
        group_id="plain-staying",
        as_of="2024-08-01T00:00:00+00:00",
    )
    assert [f.object for f in later] == ["Tallis Foods"]


def test_a_sale_that_fell_through_keeps_the_house(memory: Memory) -> None:
    memory.add_dialogue(
        [
            {"speaker": "Rosa", "text": "We own a small house on Fenwick Road.", "time": T1},
            {"speaker": "Rosa", "text": "We sold the Fenwick Road house!!", "time": T2},
            {
                "speaker": "Rosa",
                "text": "Spoke too soon, the buyer pulled out and the sale fell through.",
                "time": "2024-06-01T10:00:00+00:00",
            },
        ],
        group_id="plain-sale",
    )
    owned = memory.facts(subject="Rosa", relation="OWNS", group_id="plain-sale")
    assert any("house" in (f.object or "") and f.invalid_at is None for f in owned), owned


# (the plan, how it was called off, relation, the value planned, the value kept): a plan
# called off in plain words is taken back, and the state before it holds
PLANS_CALLED_OFF = [
    ("I live in Zaragoza.", "We're moving to Bilbao in May!",
     "Bilbao is off, the flat sale collapsed. We stay in Zaragoza", "LIVES_IN", "Bilbao",
     "Zaragoza"),
    ("I live in Aarhus.", "Moving to Tallinn next month with the new team!",
     "Tallinn move is cancelled, paperwork issues. Staying put in Aarhus", "LIVES_IN", "Tallinn",
     "Aarhus"),
    ("I live in Turku.", "we're moving to Oulu in the summer!!",
     "ignore everything I said about Oulu. staying in Turku for now", "LIVES_IN", "Oulu",
     "Turku"),
    ("I ride a Brompton.", "bought a Vespa today, so happy",
     "yeah nah, didn't end up buying the Vespa, way too pricey", "OWNS", "Vespa", None),
    # an offer taken back by the company (said with another clause about it), news posted in
    # the wrong chat
    ("I work at Brindle Foods.", "accepted an offer from Maplestone Bank, starting in June!",
     "Maplestone rescinded the offer, budget cuts. staying at Brindle", "WORKS_AT", "Maplestone",
     "Brindle"),
    ("I live in Kuopio.", "moved to Vaasa last week!",
     "lol sorry, wrong chat, that was my cousin's news. I'm still in Kuopio", "LIVES_IN", "Vaasa",
     "Kuopio"),
]  # fmt: skip


@pytest.mark.parametrize(("first", "plan", "off", "relation", "planned", "kept"), PLANS_CALLED_OFF)
def test_a_plan_called_off_is_taken_back(
    memory: Memory, first: str, plan: str, off: str, relation: str, planned: str, kept: str | None
) -> None:
    group = f"off-{abs(hash((first, plan))) % 10**8}"
    memory.add_dialogue(
        [
            {"speaker": "Rosa", "text": first, "time": T1},
            {"speaker": "Rosa", "text": plan, "time": T2},
            {"speaker": "Rosa", "text": off, "time": "2024-05-10T10:00:00+00:00"},
        ],
        group_id=group,
    )
    later = "2024-09-01T00:00:00+00:00"
    current = memory.facts(subject="Rosa", relation=relation, group_id=group, as_of=later)
    names = {f.object or "" for f in current}
    assert not any(planned in name for name in names), names
    if kept is not None:
        assert any(kept in name for name in names), names


# (what the speaker says, relation, value): a state said once, in words no verb frame names
SAID_ONCE = [
    ("I'm a charge nurse in the ICU, night shifts all week", "HAS_JOB_TITLE", "charge nurse"),
    ("Lisbon has treated me well, nine years living here now", "LIVES_IN", "Lisbon"),
    ("Got the keys!!! it's in Leith, moved in on Saturday", "LIVES_IN", "Leith"),
    ("Morocco last spring was unreal, the markets in Fez!!", "VISITED", "Morocco"),
    ("We went to Chile back in 2018, Patagonia was epic", "VISITED", "Chile"),
    # a future said after a comma is its own clause, not over the visit
    ("I visited Krakow in 2019, you will love it.", "VISITED", "Krakow"),
    # back from a place, a member of a club, a habit whose past looks like its present, an
    # instrument taken up, shifts picked up somewhere; "7am" is no negation
    ("Just back from Ljubljana, the castle was gorgeous", "VISITED", "Ljubljana"),
    ("Back from ten days in Peru! Still jetlagged", "VISITED", "Peru"),
    ("I'm a member of the Leith rowing club", "MEMBER_OF", "Leith rowing club"),
    ("Also joined a sea swimming club, dips at 6am", "MEMBER_OF", "sea swimming club"),
    ("I knit in the evenings, currently a scarf", "KNIT", "knitting"),
    ("started cello lessons, my flatmate is thrilled", "PLAYS", "cello"),
    ("Picked up the banjo over lockdown", "PLAYS", "banjo"),
    ("Picked up weekend shifts at a Waitrose, need the money", "WORKS_AT", "Waitrose"),
    # a habit taken up, said as a gerund
    ("took up swimming in January, 3 mornings a week", "SWIM", "swimming"),
    ("I still eat meat, sorry", "HAS_DIET", "meat"),
    ("took up jogging after new year, my calves are dying", "JOG", "jogging"),
    ("moved in with Noor last month, her plants have taken over", "PARTNER_OF", "Noor"),
    ("I can hold a conversation in Portuguese now", "SPEAKS", "Portuguese"),
    (
        "second year of nursing at Brookfield College, placements are brutal",
        "STUDIES_AT",
        "Brookfield College",
    ),
    # "at" read as a mark; a label before the colon
    ("first month at Zeptolab done, onboarding is wild", "WORKS_AT", "Zeptolab"),
    ("swimming 3x a week now, my knees are grateful", "SWIM", "swimming"),
    ("new favourite band unlocked: Khruangbin, on repeat", "FAVORITE_BAND", "Khruangbin"),
    ("Anne-Sophie and I got married on Saturday!", "MARRIED_TO", "Anne-Sophie"),
    # one's own home somewhere; a course's first week at a school; still at an employer
    ("we got the keys to our place in Asunción yesterday!!", "LIVES_IN", "Asunción"),
    ("My flat in Bratislava is tiny but it's mine", "LIVES_IN", "Bratislava"),
    ("first week of my PhD at the University of Otago done", "STUDIES_AT", "University of Otago"),
    ("update: living in Dundee now!! it's freezing", "LIVES_IN", "Dundee"),
]
# a state that held and is over by the time it is said: no current row
OVER = [
    ("I lived in Porto for three years, loved it", "LIVES_IN", "Porto"),
    ("I worked at Halden Bank for six years before all this", "WORKS_AT", "Halden Bank"),
    ("we were on the same rowing team for two years in high school", "STUDIES_AT", "high school"),
]


@pytest.mark.parametrize(
    ("text", "relation", "value", "now"),
    [(*case, True) for case in SAID_ONCE] + [(*case, False) for case in OVER],
)
def test_a_state_said_once_in_other_words(
    memory: Memory, text: str, relation: str, value: str, now: bool
) -> None:
    group = f"once-{abs(hash(text)) % 10**8}"
    tell(memory, group, text)
    facts = memory.facts(subject="Rosa", group_id=group)
    if not now:  # "I lived in Porto for three years": it held, and is over
        current = [f for f in facts if f.relation == relation and f.invalid_at is None]
        assert not any(value in (f.object or "") for f in current), facts
        return
    assert (relation, value) in {(f.relation, f.object) for f in facts}, facts
    if relation == "VISITED":  # not a move: "went to Chile back in 2018" is no "go back"
        assert "LIVES_IN" not in {f.relation for f in facts}, facts
    else:  # "a nurse in the ICU": where the job is, not a place visited
        assert "VISITED" not in {f.relation for f in facts}, facts


def test_a_bare_kin_word_is_who_he_is_in_the_next_turn(memory: Memory) -> None:
    memory.add_dialogue(
        [
            {"speaker": "Rosa", "text": "Mum taught at Hollins Primary until 2020.", "time": T2},
            {
                "speaker": "Rosa",
                "text": "Now she volunteers at the hospice twice a week",
                "time": T2,
            },
        ],
        group_id="plain-mum",
    )
    facts = memory.facts(subject="Rosa's mum", relation="VOLUNTEERS_AT", group_id="plain-mum")
    assert [f.object for f in facts] == ["hospice"]


def test_a_company_bought_under_its_short_name(memory: Memory) -> None:
    memory.add_dialogue(
        [
            {"speaker": "Rosa", "text": "I work at Tidewell Analytics in Leeds.", "time": T1},
            {"speaker": "Rosa", "text": "Tidewell got bought by Salesforce!!", "time": T2},
        ],
        group_id="plain-bought",
    )
    owners = memory.facts(
        subject="Tidewell Analytics", relation="OWNED_BY", group_id="plain-bought"
    )
    assert [f.object for f in owners] == ["Salesforce"]


# (what holds, then a later turn that only sounds like an ending, the relation, the value)
NOT_ENDINGS = [
    ("My husband Dario and I got married in June.",
     "Dario and I just left for our honeymoon in Crete!", "MARRIED_TO", "Dario"),
    ("I have a tortoise called Fig, he is forty this year.",
     "I'll make sure I give Fig a bath before you get here so he's ready to play",
     "HAS_PET", "Fig"),
    ("I study marine biology at Bangor.", "Recently started learning the cello, so hard",
     "STUDIES", "marine biology"),
    # what was called off or dumped is named, and it is not the partner
    ("I'm married to Lukas.", "We called off the trip to Vienna, too pricey",
     "MARRIED_TO", "Lukas"),
    ("My girlfriend Amara is the best.", "Dumped my old sofa at the tip today",
     "PARTNER_OF", "Amara"),
    # someone else's home is not where the speaker lives
    ("I live in Ghent.", "My parents' house in Bruges is up for sale", "LIVES_IN", "Ghent"),
    # a deposit put down is no pet put down
    ("We have a corgi called Pippin.", "Put down a deposit on a flat today!",
     "HAS_PET", "Pippin"),
    # giving up one instrument is not giving up another
    ("I play the mandolin in a folk duo.", "Gave up the trumpet years ago, no regrets",
     "PLAYS", "mandolin"),
]  # fmt: skip


def test_a_trip_called_off_is_no_visit(memory: Memory) -> None:
    tell(memory, "trip-off", "We called off the trip to Vienna, too pricey")
    assert not memory.facts(subject="Rosa", relation="VISITED", group_id="trip-off")


@pytest.mark.parametrize(("first", "second", "relation", "value"), NOT_ENDINGS)
def test_a_turn_that_only_sounds_like_an_ending_ends_nothing(
    memory: Memory, first: str, second: str, relation: str, value: str
) -> None:
    group = f"not-end-{abs(hash((first, second))) % 10**8}"
    tell(memory, group, first, second)
    current = {f.object for f in memory.facts(subject="Rosa", relation=relation, group_id=group)}
    assert any(value in (o or "") for o in current), current


# a plan with no date is no fact; with a date it is kept for that date
UNDATED_PLANS = [
    "I'm going to start my own bakery.",
    "Lost my job as a chef, so I'm gonna take a shot at opening my own restaurant.",
    "Honestly I'm thinking of selling the flat.",
]


@pytest.mark.parametrize("text", UNDATED_PLANS)
def test_an_undated_plan_is_no_fact(memory: Memory, text: str) -> None:
    group = f"plan-{abs(hash(text)) % 10**8}"
    tell(memory, group, text)
    relations = {f.relation for f in memory.facts(subject="Rosa", group_id=group)}
    assert not relations & {"OWNS", "WORKS_AT", "START", "OPEN"}, relations


def test_a_dated_plan_is_kept_for_its_date(memory: Memory) -> None:
    tell(memory, "plan-dated", "I'm going to move to Tallinn next month.")
    homes = memory.facts(subject="Rosa", relation="LIVES_IN", group_id="plan-dated")
    assert [f.object for f in homes] == ["Tallinn"]


def test_a_feeling_that_ended_ends_only_the_feeling(memory: Memory) -> None:
    tell(
        memory,
        "plain-feeling",
        "I opened my own bakery in Leith last year.",
        "I used to love spending time in the bakery.",
    )
    owned = memory.facts(subject="Rosa", relation="OWNS", group_id="plain-feeling")
    assert [f.object for f in owned if f.invalid_at is None] == ["bakery"], owned


def test_what_one_makes_is_no_habit_said_of_oneself(memory: Memory) -> None:
    tell(memory, "plain-relcl-habit", "the loaves I bake are famous round here")
    assert memory.facts(subject="Rosa", relation="BAKE", group_id="plain-relcl-habit") == []


def test_a_bare_kin_word_in_lower_case_is_the_relative_said_before(memory: Memory) -> None:
    memory.add_dialogue(
        [
            {"speaker": "Rosa", "text": "my mum runs a flower shop in Galway", "time": T1},
            {"speaker": "Rosa", "text": "mum finally closed the shop, she's retired!", "time": T2},
        ],
        group_id="kin-lower",
    )
    owned = memory.facts(subject="Rosa's mum", relation="OWNS", group_id="kin-lower")
    assert not [f for f in owned if "shop" in (f.object or "")], owned
    before = memory.facts(
        subject="Rosa's mum", relation="OWNS", group_id="kin-lower", as_of=BETWEEN
    )
    assert [f for f in before if "shop" in (f.object or "")], before


def test_an_ending_told_first_in_other_words_closes_the_late_state(memory: Memory) -> None:
    group = "told-first"
    memory.add_dialogue(  # the sale arrives first, then the car it ended, dated before it
        [{"speaker": "Rosa", "text": "Swapped the Astra for a Leaf this week!", "time": T2}],
        group_id=group,
    )
    memory.add_dialogue(
        [{"speaker": "Rosa", "text": "I drive a red Vauxhall Astra, so old", "time": T1}],
        group_id=group,
    )
    now = memory.facts(subject="Rosa", relation="DRIVES", group_id=group)
    assert not [f for f in now if "Astra" in (f.object or "")], now
    before = memory.facts(subject="Rosa", relation="DRIVES", group_id=group, as_of=BETWEEN)
    assert [f for f in before if "Astra" in (f.object or "")], before
    # an ending dated before a state told later closes nothing
    memory.add_dialogue(
        [{"speaker": "Kit", "text": "sold my Corolla back in 2019", "time": T1}], group_id="late"
    )
    memory.add_dialogue(
        [{"speaker": "Kit", "text": "I drive a Toyota Corolla these days", "time": T2}],
        group_id="late",
    )
    assert memory.facts(subject="Kit", relation="DRIVES", group_id="late")
