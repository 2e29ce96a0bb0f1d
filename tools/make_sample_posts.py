#!/usr/bin/env python3
"""make_sample_posts.py — writes examples/data/report-posts.jsonl, the sample posts behind
`medtone report` in tools/demo.sh.

The posts are assembled from hand-written sentence parts about the fictional hospital group in
examples/data/entities.tsv: ten weeks from Monday 2026-01-05, a steady mix of praise, complaints
and questions per entity, and a storm of ER-wait and billing complaints about Harbor Valley
Medical Center in the week of 2026-02-16, so the report has something to alert on. A handful of
rows are deliberately imperfect (no timestamp, an unreadable one, posts about no tracked entity)
to show how the report accounts for them. The output is deterministic: run

    python3 tools/make_sample_posts.py > examples/data/report-posts.jsonl

and commit the result.
"""
import datetime as dt
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ENTITIES = os.path.join(HERE, "..", "examples", "data", "entities.tsv")
START = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)  # a Monday
WEEKS = 10
STORM_WEEK = 6  # 2026-02-16
STORM_ENTITY = "hvmc"

# Posts per week per entity (before the storm).
VOLUME = {
    "hvmc": 16, "st-brigid": 7, "northgate": 3, "lakeside": 3, "pine-street": 2,
    "dr-okafor": 2, "dr-whitfield": 2, "dr-mendes": 1, "dr-raman": 1,
    "zerevia": 2, "clorvatex": 2, "summit": 4, "bayview": 3,
}

WAITS = ["3 hours", "four hours", "5 hrs", "almost six hours", "2.5 hours", "SEVEN hours",
         "90 minutes", "over 4 hours"]
BILLS = ["$1,240", "$860", "$2,300", "$412", "$3,100", "$95", "$1,875"]
STAFF = ["nurse", "receptionist", "tech", "pharmacist", "front desk lady", "resident",
         "triage nurse", "security guard"]
FAMILY = ["my mom", "my dad", "my son", "my daughter", "my husband", "my wife", "my grandma",
          "my neighbor"]

SITE_POS = [
    "The nurses at {e} were so kind to {fam} this week. Thank you!",
    "Shoutout to the night staff at {e}, they made a scary night bearable",
    "In and out of {e} in under an hour. Super efficient, friendly front desk",
    "{e} fixed my billing mistake in one phone call. Honestly impressed",
    "Spotless rooms and real answers at {e}. Best care we've had in years",
    "Had {fam}'s stitches done at {e}, the doctor explained everything and was so gentle",
    "Parking at {e} is finally easy since they opened the new garage",
    "The food at {e} was surprisingly good, the soup saved me after surgery",
    "{e} called the day after to check on {fam}. Nobody does that anymore",
    "Quick, clean and kind. {e} made a bad day a lot better",
    "The {staff} at {e} went above and beyond for {fam} ❤️",
    "Really grateful for the care team at {e}, {fam} is home and recovering well",
]
SITE_NEG = [
    "Waited {wait} at {e} and nobody told us anything",
    "{e} billed me {bill} for a visit my insurance already covered. Three calls, still no fix",
    "The {staff} at {e} was rude and rolled their eyes at {fam}",
    "Bathroom at {e} was filthy, no soap for two days",
    "Can't get anyone on the phone at {e}, on hold for 40 minutes again",
    "{e} lost my records AGAIN, had to redo the whole intake",
    "$28 to park at {e} for a two hour appointment. Ridiculous",
    "They sent {fam} home from {e} and two days later she was back with a worse infection",
    "Nobody at {e} could explain why my surgery got cancelled. Terrible communication",
    "Cold food, cold room, cold staff. Not impressed with {e}",
    "{e} gave {fam} the wrong medication dose. Caught it ourselves. Scary",
]
SITE_NEU = [
    "Does anyone know if {e} takes walk-ins on Saturdays?",
    "{e} is changing visiting hours starting Monday",
    "Heading to {e} for a follow-up tomorrow morning",
    "Anyone had a colonoscopy at {e}? What's the prep like",
    "Is the lab at {e} open on Sundays?",
    "{e} is hosting a free flu shot clinic next week",
    "Which entrance at {e} is closest to radiology?",
]
DOC_POS = [
    "{e} actually listened to me and took the time to explain my options. Best doctor I've had",
    "Can't say enough good things about {e}, caught the thyroid problem everyone else missed",
    "{e} has the best bedside manner, my daughter wasn't even scared",
    "Six months after surgery with {e} and I'm running again. So thankful",
    "{e} answered every question and never rushed us",
]
DOC_NEG = [
    "{e} spent four minutes with me and didn't answer a single question",
    "{e} dismissed my pain for months. Turned out to be my gallbladder",
    "Waited 2 hours past my appointment to see {e}, not even an apology",
    "{e} was condescending and rude when I asked about side effects",
]
DOC_NEU = [
    "Does {e} still take new patients?",
    "Switching to {e} next month, heard good things",
    "Anyone know if {e} is at the Northgate office on Fridays?",
]
DRUG_POS = [
    "Three weeks on {e} and my migraines are finally gone",
    "{e} has been a game changer for my blood pressure, no side effects so far",
    "No more heartburn since starting {e} 🙏",
    "Six months on {e}, my anxiety is so much better",
]
DRUG_NEG = [
    "{e} made me so dizzy I couldn't drive to work",
    "Started {e} and now I have a rash all over my arms",
    "Terrible nausea on {e}, calling my doctor tomorrow",
    "{e} gave me insomnia for a week straight",
    "Gained 15 pounds on {e}. Not worth it",
]
DRUG_NEU = [
    "Is {e} covered by most insurance plans?",
    "My doctor switched me to {e}, anyone else take it?",
    "Do you take {e} with food or on an empty stomach?",
]
MISINFO = [
    "Big pharma doesn't want you to know {e} is just poison!!! Detox naturally instead, "
    "share before they delete this",
]
STORM = [
    "Been sitting in the {e} ER for {wait} with chest pain and no one has even checked on me",
    "{e} ER is a disaster tonight. {wait} wait, people on the floor",
    "Just got a {bill} bill from {e} for an ER visit where I waited {wait} and saw nobody",
    "Anyone else get a surprise bill from {e} this week? {bill} for a 'facility fee'",
    "{e} billing department hung up on me twice today",
    "{fam} waited {wait} in a hallway bed at {e}. Unacceptable",
    "The ER at {e} is understaffed and the nurses are exhausted. Not their fault but this is "
    "dangerous",
    "Avoid the {e} ER this week, {wait} waits and nobody will tell you anything 😡",
    "Why did {e} charge me {bill} to sit in the lobby for {wait}?",
    "Worst night ever at {e}. {wait} in the waiting room, then a {bill} bill. Never again",
    "Nobody at {e} answers the billing line. {bill} charge I can't even dispute",
]
STORM_KIND = [
    "Despite the chaos the triage nurse at {e} was wonderful to {fam} tonight",
]
COMPARE = [
    "Went to {e} instead of {f} this time and it was so much faster",
    "{e} vs {f}: one of them actually calls you back. Guess which",
]
CRISIS = [
    "Someone is threatening staff with a knife in the {e} ER lobby right now, police on the way",
]
UNMATCHED = [
    "Flu season is brutal this year, stay home if you're sick",
    "Reminder: your pharmacist can answer a lot of questions for free",
    "Hospital parking should be free. That's it, that's the post",
    "Got my booster today, sore arm but fine",
]
TAGS = ["", "", "", "", " #patientexperience", " #healthcare", " 🙄", " 😊"]


def load_entities():
    ents = {}
    with open(ENTITIES, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#") or line.startswith("id\t"):
                continue
            cols = line.rstrip("\n").split("\t")
            aliases = [a.strip() for a in cols[3].split("|")] if len(cols) > 3 else []
            ents[cols[0]] = {"name": cols[1], "kind": cols[2], "aliases": aliases}
    return ents


def main():
    rnd = random.Random(20260105)
    ents = load_entities()

    def name(eid, handles=True):
        e = ents[eid]
        choices = [a for a in e["aliases"] if handles or a[0] not in "@#"]
        return e["name"] if rnd.random() < 0.5 or not choices else rnd.choice(choices)

    def fill(template, eid, other=None):
        return template.format(e=name(eid), f=name(other, False) if other else "",
                               wait=rnd.choice(WAITS), bill=rnd.choice(BILLS),
                               staff=rnd.choice(STAFF), fam=rnd.choice(FAMILY))

    def when(week, evening=False):
        day = rnd.randrange(7)
        hour = rnd.randrange(18, 24) if evening else rnd.randrange(7, 23)
        return START + dt.timedelta(weeks=week, days=day, hours=hour,
                                    minutes=rnd.randrange(60), seconds=rnd.randrange(60))

    posts = []

    def post(t, text, special=False):
        posts.append((t, text + rnd.choice(TAGS), special))

    for week in range(WEEKS):
        for eid, n in VOLUME.items():
            kind = ents[eid]["kind"]
            for _ in range(n + rnd.choice([-1, 0, 0, 1])):
                r = rnd.random()
                if kind == "doctor":
                    pool = DOC_POS if r < 0.55 else DOC_NEG if r < 0.8 else DOC_NEU
                elif kind == "drug":
                    pool = DRUG_POS if r < 0.4 else DRUG_NEG if r < 0.75 else DRUG_NEU
                else:
                    pool = SITE_POS if r < 0.5 else SITE_NEG if r < 0.75 else SITE_NEU
                post(when(week), fill(rnd.choice(pool), eid))
        if rnd.random() < 0.6:
            a, b = rnd.sample(["hvmc", "st-brigid", "summit", "bayview", "lakeside"], 2)
            post(when(week), fill(rnd.choice(COMPARE), a, b))
        post(when(week), rnd.choice(UNMATCHED))
    # the storm: ER waits and surprise bills at one hospital
    for _ in range(46):
        post(when(STORM_WEEK, evening=rnd.random() < 0.6), fill(rnd.choice(STORM), STORM_ENTITY))
    for _ in range(3):
        post(when(STORM_WEEK), fill(rnd.choice(STORM_KIND), STORM_ENTITY))
    # one emergency described as it happens, and a misinformation post
    post(START + dt.timedelta(weeks=4, days=2, hours=21, minutes=14),
         fill(CRISIS[0], "st-brigid"), special=True)
    post(START + dt.timedelta(weeks=3, days=4, hours=13), fill(MISINFO[0], "clorvatex"),
         special=True)

    posts.sort(key=lambda p: p[0])
    # a few ordinary rows lose their time, or get one no parser can read
    ordinary = [i for i, p in enumerate(posts, 1) if not p[2]]
    no_time, bad_time = {ordinary[56], ordinary[232]}, ordinary[310]
    out = sys.stdout
    for i, (t, text, _) in enumerate(posts, 1):
        row = {"id": "rp-%04d" % i}
        r = rnd.random()
        if r < 0.7:
            row["created_at"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif r < 0.85:  # the same instant written in US Eastern time
            row["created_at"] = (t - dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S-05:00")
        elif r < 0.95:
            row["time"] = int(t.timestamp())
        else:
            row["created_at"] = t.strftime("%Y-%m-%d %H:%M:%S")
        if i in no_time:
            row.pop("created_at", None)
            row.pop("time", None)
        if i == bad_time:
            row.pop("time", None)
            row["created_at"] = "last Tuesday"
        row["text"] = text
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
