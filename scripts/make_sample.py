"""Generate the bundled SYNTHETIC sample consultation in ``data/raw/sample/``.

Every organisation, person, phone number, address and quote written by this script is fictional:
it exists so that every stage of the pipeline (ingest, coding, topics, triangulation, reports) and
every test runs on input that looks and feels like a real consultation's feedback returns, with the
quirks that make real returns hard (odd layouts, Welsh answers, blanks, duplicates, planted personal
data for the redaction step, and a handful of bad files).

The content comes from a bank of hand-written statements per theme (the seven priority areas and
four emergent themes that are NOT priority areas), assembled deterministically with
``random.Random(seed)``. Word and Excel files are re-zipped with fixed timestamps and fixed
core-properties dates, and the PDF gets a fixed creation date, so two runs with the same seed write
byte-identical files.

Run (from the repository root)::

    .venv/bin/python scripts/make_sample.py                 # writes data/raw/sample/
    .venv/bin/python scripts/make_sample.py /tmp/sample2    # somewhere else
    .venv/bin/python scripts/make_sample.py --seed 7 /tmp/s # different content, same shape

It leaves ``edi/`` and ``plans/`` (written by other scripts) untouched.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "raw" / "sample"
DEFAULT_SEED = 42

QUESTIONS = ("listened", "interpreted", "solutions", "other")
PRIORITY_AREAS = ("PA1", "PA2", "PA3", "PA4", "PA5", "PA6", "PA7")
EMERGENT = ("INTERP", "SITES", "ONLINE", "MENTAL")
THEME_NAMES = {
    "PA1": "PA1 Challenge racism",
    "PA2": "PA2 Ethnically diverse workforce",
    "PA3": "PA3 Involve, listen & take action",
    "PA4": "PA4 Transparent, accountable, co-ordinated",
    "PA5": "PA5 Educate the workforce",
    "PA6": "PA6 Promote fairness",
    "PA7": "PA7 Prevention, early intervention, rehabilitation",
    "INTERP": "Emergent: interpreters and language access",
    "SITES": "Emergent: Gypsy/Traveller sites and evictions",
    "ONLINE": "Emergent: online racist abuse on social media",
    "MENTAL": "Emergent: mental health and trauma support",
}

# Fixed dates so that reruns write identical bytes.
FIXED_DT = datetime(2026, 3, 20, 9, 0, 0)
FIXED_ZIP_TIME = (2026, 3, 20, 9, 0, 0)

# --------------------------------------------------------------------------------------------
# The statement bank. Lines may start with cohort letters and "|" to say which cohorts would say
# them (P prison, Y youth justice, L looked-after children, V serious violence, S schools,
# G Gypsy/Roma/Traveller, A asylum seekers, C community); untagged lines suit anyone.
# Fillers: {town} {force} {prison} {when}.
# --------------------------------------------------------------------------------------------
COHORT_LETTER = {
    "prison": "P", "youth_justice": "Y", "looked_after_children": "L", "serious_violence": "V",
    "schools": "S", "gypsy_roma_traveller": "G", "asylum_seekers": "A", "community": "C",
}

BANK: dict[str, dict[str, str]] = {
    "PA1": {
        "say": """
Racism is just normal for us, you stop even noticing it after a while.
S|Kids at school call me names every day and the teachers say it's banter.
S|I got called the P word in the corridor and the teacher just told us both to calm down.
When I go into a shop in {town} the security guard follows me round.
G|As soon as they hear you're a Traveller the whole attitude changes.
G|Pubs in {town} still put signs up when the horse fair is on and nobody does anything about it.
A|People shout go back to your country at us near the hostel.
A|My son was pushed off his bike and called a terrorist, we reported it and heard nothing.
P|Officers on the wing talk to the Black lads different, everybody sees it.
P|If you're Muslim in here you get labelled an extremist for praying.
You get treated like a suspect before you've even opened your mouth.
My dad has lived in {town} forty years and he still gets told he's not really Welsh.
It's not always shouting, it's the little things, the looks, being ignored at the counter.
Racism in Wales is real, people like to think it's only an English problem but it isn't.
C|Our mosque had its windows smashed twice and the police called it vandalism.
V|Because I'm Black and tall they think I'm older and more dangerous than I am.
L|My foster carer didn't know how to do my hair and the social worker laughed about it.
Y|The magistrate looked at my mum like she was rubbish.
Nobody even says the word racism, they say unconscious bias like it's an accident.
C|Me and my sister get stared at on the bus in {town} when we wear the hijab.
It's good the plan actually says racism and not just diversity.
C|My husband was refused service at the garage and when he complained they called the police on him.
YV|Security at the shopping centre in {town} moves us on when white kids are allowed to stay.
""",
        "fix": """
Call it racism when it's racism, and deal with it.
S|There should be a way to report racism at school that goes to someone outside the school.
Leaders need to say out loud that racism is happening in their own organisations.
Every racist incident should be recorded even if the victim doesn't want to go to court.
G|Treat anti-Traveller racism the same as any other racism, it's the last acceptable one.
Make it clear to staff there are real consequences for racist behaviour, not just a chat with a manager.
Support people after they report, don't just give them a crime number and forget them.
A|Put up posters in different languages saying where to report hate crime.
""",
    },
    "PA2": {
        "say": """
All the officers were white.
I have never seen a police officer who looks like me in {town}.
P|Every single officer on the wing is white, the only Black faces are us.
The judge, the lawyers, the probation officer, everyone was white except me.
Y|My youth worker was the only person in the whole process who understood where I was coming from, and then she left.
C|My nephew applied to {force} twice and got knocked back both times with no feedback.
There's a few more diverse faces at the bottom but at the top it's all the same people.
G|There's no Travellers working in the police or the council, not one that I know of.
People from our community don't apply because they've seen how we get treated.
C|The recruitment adverts show a Black officer smiling but when you ring up it's a different story.
A|It would help so much if someone at the station spoke Arabic or Tigrinya.
L|None of my social workers have ever been Black or mixed race, not one in ten years.
They talk about diversity targets every year and nothing moves.
S|We had a careers day and nobody from the police came who wasn't white.
The plan is right that the workforce doesn't look like Wales.
V|If the police looked like us we might actually talk to them.
C|My cousin joined {force} and left after eighteen months because of the canteen culture.
""",
        "fix": """
Recruit from our communities, and then keep people, don't let them leave after a year.
Set targets for senior jobs, not just new recruits.
Pay for mentoring for people from ethnic minorities who want to join the police.
Go into schools and youth clubs to recruit, not just job fairs.
Look at why people leave, do exit interviews, and publish what they say.
Have people with lived experience on the interview panels.
P|Make sure the prison officers reflect the people inside, at the moment it's nowhere near.
Stop asking for qualifications that aren't really needed, that shuts a lot of people out.
""",
    },
    "PA3": {
        "say": """
No one ever came back to us after the last consultation.
We've been consulted to death, it's the third time this year someone asked us the same questions.
I told my story in a focus group two years ago and never heard what happened with it.
This is the first time anyone has asked me what I think about the police.
It feels like a tick-box exercise, they'd already decided what goes in the plan.
Some of what we said last year is in there, so somebody was listening.
G|They come to the site when they want something and then disappear.
A|People are scared to speak up because they think it will affect their asylum claim.
P|In here nobody asks your opinion on anything, so this was different.
Y|The young people's bit is tiny compared to everything we said.
I can see our words in the plan, that's something.
They listened to the big organisations more than to actual people.
L|Nobody explains anything to kids in care, so being asked was nice.
C|The meeting was on a weekday afternoon so anyone working couldn't come.
It was good to be asked but the timescale was really short.
They held the events in {town} but nothing further out.
You can tell who wrote this, it reads like it was written for other professionals.
The plan uses words nobody in our group understood, like intersectionality and co-production.
""",
        "fix": """
Come back and tell us what you did with what we said, even if the answer is nothing.
Pay people for their time, we're always giving our time for free.
Have young people actually on the board that checks the plan.
Do a proper you said, we did report every year.
Hold meetings in the evening and online so people with jobs can come.
Use community organisations that people already trust to do the listening.
Write a version of the plan for young people, in plain words.
Give us a named person we can contact about the plan.
""",
    },
    "PA4": {
        "say": """
When I complained about the officer it took eleven months and then they said no further action.
You never find out what happens to a complaint.
They keep saying they'll publish the data but I've never seen it.
Who checks that the plan is actually being done? Nobody says.
C|Every organisation points at another one, the police blame the council, the council blames the Home Office.
There's no point complaining to the police about the police.
P|Complaint forms go in the box on the wing and just vanish.
The stop and search figures for {force} are shocking when you actually look at them.
They have loads of boards and strategies but none of them talk to each other.
I liked that the plan says there will be reporting every year.
Y|I asked to see the body camera footage and they said it had been deleted.
The plan doesn't say who is responsible if things don't change.
Transparency is a good word but we've heard it before.
G|The council keeps no records of how many families get evicted, so officially it never happens.
The ethnicity data is patchy, half the forms just say not stated.
""",
        "fix": """
Publish the stop and search data every quarter, by ethnicity, for each area.
Have someone independent deal with complaints about racism, not the police themselves.
Put the names of the people responsible for each action in the plan.
Set up a community scrutiny panel that can look at body camera footage.
Report back on progress every year at a meeting we can come to.
Make the complaints process something you can do in your own language, online or by phone.
Record ethnicity properly so we can all see what's going on.
""",
    },
    "PA5": {
        "say": """
The officer didn't know the difference between a Sikh and a Muslim.
Staff have all done the online training but you can tell it hasn't changed anything.
S|My teacher said she doesn't see colour, which basically means she doesn't see me.
G|They treat Romany Gypsies and Irish Travellers as the same, they don't know anything about us.
P|Officers think cultural awareness means knowing when Ramadan is.
A|The caseworker kept calling me by the wrong name because she couldn't be bothered to learn it.
One day of training isn't going to undo years of attitudes.
L|My residential workers had no idea about my culture or my religion.
S|Teachers don't know how to deal with racism so they just ignore it.
The training is done by people who've never experienced racism themselves.
Some staff are brilliant and really get it, it depends who you get.
Y|The youth offending worker was great, she actually took time to understand my background.
Unconscious bias training is just a box to tick.
The plan is right to focus on training but it needs to be more than e-learning.
""",
        "fix": """
Get people from our communities to deliver the training.
Training should be every year and people should be checked on it.
S|Make anti-racism part of teacher training, not an add-on.
Teach staff about Gypsy and Traveller history and culture.
P|Train prison officers in how different faiths practise in custody.
Put real stories from people like us in the training, face to face.
Managers should be judged on how their teams deal with racism.
""",
    },
    "PA6": {
        "say": """
They searched me twice in a week and found nothing.
YVS|I get stopped and searched walking home from college in {town}, every few weeks.
V|Me and my mates get stopped for being in a group, the white lads don't.
Y|They put handcuffs on me when I was fourteen and I hadn't done anything.
P|Black lads get put on basic regime quicker than anyone else.
P|I've seen more force used on Black prisoners than white ones on the same landing.
P|I got more time than my white co-defendant for the same thing, that's not fair.
Y|Police come to my house late at night and wake my little brothers up.
G|The police came onto the site at six in the morning with dogs and the kids were crying.
A|In custody they took my phone and I couldn't call anyone for two days.
Officers from {force} assumed the car was stolen because of who was driving it.
C|My son was tasered in front of his kids and the police said it was proportionate.
Stop and search is getting better round here, they explain why now.
The officer who stopped me was polite and explained everything, so it's not all of them.
Y|In the cells nobody told me what was happening or when my mum was coming.
V|They say it's intelligence led but they just stop the same Black kids over and over.
Sentencing isn't fair, everybody knows that, the figures show it.
P|They restrain people for nothing in here, I've seen it at {prison}.
S|There's a police officer in our school now and the Black kids feel watched.
When I reported being assaulted they treated me like I was the one causing trouble.
Our community is over-policed and under-protected at the same time.
P|The adjudications at {prison} always seem to go against the same people.
""",
        "fix": """
Body cameras on every time, no excuses.
Stop searching kids just for smelling of weed, it's an excuse.
Someone independent should review every use of force on a child.
Give people a copy of the stop and search record there and then.
Look at sentences by ethnicity and do something when they don't match.
P|Have independent people check who gets put on basic and who gets segregated.
No handcuffs on children unless there's a real risk.
S|Take police officers out of schools.
Make sure everyone in custody gets a phone call straight away.
""",
    },
    "PA7": {
        "say": """
The youth club closed and there's nothing for us to do now.
S|I got excluded for three days for something a white boy did as well and he got a warning.
Y|Once you're in the system it's really hard to get out, everything follows you.
P|There's no help when you get out, I got a discharge grant and no address.
P|The courses in {prison} have waiting lists longer than my sentence.
V|Youth workers are the only ones kids actually trust but they keep getting cut.
L|When you leave care at eighteen you're on your own, and that's when people get pulled into stuff.
The plan is right about early help, that's where it goes wrong for most of us.
V|County lines gangs target kids who've been excluded, everybody knows that.
Y|My youth justice worker got me onto a course and I haven't been in trouble since.
S|Being put in the inclusion unit all the time is basically exclusion.
G|Our kids get pushed out of school by bullying and then get blamed for not going.
A|Young people in the hotels have nothing to do all day, that's how they get into trouble.
P|Getting a job with a record is almost impossible, so what do they expect.
Mentors who've been through it themselves make the biggest difference.
There's loads of projects but they only get funding for a year and then they stop.
C|The boxing club in {town} keeps more kids out of trouble than the police do.
Y|Diversion worked for me, I'd have a record now if they hadn't given me a chance.
""",
        "fix": """
Put the money into youth services, not more policing.
Stop excluding Black boys from school for things white kids get away with.
P|Give people a proper plan for housing and work before they leave prison.
Fund mentoring by people with lived experience, long term, not one-year pilots.
More diversion schemes so kids don't get a record for small stuff.
Open youth centres in the evenings and at weekends when kids actually need them.
L|Support care leavers until they're 25 at least.
S|Schools should have to try everything else before they exclude someone.
""",
    },
    "INTERP": {
        "say": """
A|There was no interpreter in the custody suite, they used Google Translate on a phone.
A|My daughter is twelve and she had to translate for me at the police station.
A|I get letters from the Home Office and nobody I know can read them.
A|The interpreter they sent spoke a different dialect, I understood maybe half.
A|When I reported the attack there was no interpreter so I just gave up.
Children end up translating for their parents about things children shouldn't hear.
P|Foreign national prisoners don't understand the rules because everything is in English.
Court papers are only in English and Welsh, what about everyone else?
A|They rang an interpreter on speakerphone and the line kept dropping.
C|My mum has lived here twenty years but she still needs someone to help her with official letters.
G|Some of our older people can't read, so sending letters about evictions is pointless.
A|The solicitor only had twenty minutes and half of that was waiting for the interpreter.
The plan doesn't say anything about language, and that's a big gap.
Y|I had to explain to my dad what the youth court said because there was no interpreter.
A|In the hospital they had an interpreter straight away, so why can't the police?
If you can't understand what is happening to you, how is that fair?
""",
        "fix": """
Interpreters should be there in person, not over the phone, for anything serious.
Never use children as interpreters, make it a rule.
Write letters in plain English and give a number to call for translation.
Fund community interpreters who know the culture as well as the language.
Check people understand their rights in custody in their own language.
Have leaflets about complaints and hate crime in the main community languages.
""",
    },
    "SITES": {
        "say": """
G|There's no transit sites anywhere near {town} so we have nowhere legal to stop.
G|We were moved on three times in a month, each time with the kids in the middle of school.
G|The eviction came at the weekend with the police and bailiffs and they gave us two hours.
G|Since the new law they can take your trailer off you, and your trailer is your home.
G|The council site has a waiting list of years and it's next to the tip.
G|When we get moved on the children lose their school place again.
G|The police treat us as criminals just for pulling onto a verge.
G|There used to be stopping places we could use but they've all been blocked off with boulders.
G|Our site has no proper water or electric and the council says it's our problem.
The plan doesn't mention sites at all and that's the number one issue for Travellers.
G|The council and the police blame each other and we get moved on regardless.
G|My nan is in her seventies and they moved her on in the snow.
The eviction I saw near {town} was heavy handed, loads of police for a few families.
G|We've been on the same unauthorised encampment list for years because there's nowhere else.
""",
        "fix": """
Build transit sites so people have somewhere legal to stop.
G|Stop using criminal law for something that's about housing.
G|Talk to families before an eviction, don't just turn up at dawn.
Every council should have to provide enough pitches, and someone should check they do.
Put site provision in the plan, without it the rest means nothing to Travellers.
G|Give families time to find somewhere and keep the children's school places open.
""",
    },
    "ONLINE": {
        "say": """
YVSLC|I get racist abuse on TikTok nearly every time I post.
YVSL|Somebody made a fake Instagram account just to post racist stuff about me.
Reporting online hate goes nowhere, the police said there's nothing they can do because it's online.
S|Kids share racist memes in the year group chat on Snapchat and the school says it's outside school.
G|After the eviction people in the local Facebook group were saying we should be burned out.
A|There's groups on Facebook organising protests outside the hotel and posting photos of us.
I reported a racist comment to Facebook and they said it didn't break their community standards.
My little brother saw a video of his friend being called the N word and it was shared everywhere.
The comments under any news story about asylum seekers in {town} are disgusting.
Online abuse is just as bad as in person, you take it home with you, it's on your phone in bed.
V|Drill videos get kids arrested but racist comments never get anyone arrested.
People say things online they'd never say to your face.
I stopped posting pictures of myself because of what people were writing.
The plan doesn't really cover social media and that's where most of the racism is now.
""",
        "fix": """
Make it easier to report online hate, one place, and actually follow it up.
S|Schools should deal with online racism between pupils even if it happens at night.
Work with TikTok and Meta to get racist posts taken down faster.
Train officers to investigate online hate crime properly.
Teach young people how to report abuse online and what happens after.
""",
    },
    "MENTAL": {
        "say": """
YSLV|The waiting list for CAMHS is over a year, by then it's too late.
There's no culturally appropriate counselling, the counsellor didn't understand my family at all.
A|Lots of people in our group have trauma from what happened before they came here and nobody helps with that.
P|In here the mental health team is two people for the whole prison.
P|If you're struggling in here they put you on an ACCT and that's it.
L|I've had five different therapists and had to tell my story from the start every time.
Racism itself is trauma, being stopped over and over messes with your head.
V|Kids who've seen stabbings are just expected to get on with it.
In our community people don't talk about mental health, so services have to come to us.
The counsellor was nice but I couldn't talk about racism with someone who'd never experienced it.
G|Being evicted again and again is terrible for your nerves, my mum is on tablets now.
A|People wait in hotels for years not knowing, that destroys your mental health.
Y|I only got help with my anxiety after I was arrested, where was it before?
My GP just offered me pills when I told him what was happening at work.
The plan mentions wellbeing but there's nothing about trauma.
""",
        "fix": """
Fund counsellors from Black and minority ethnic communities.
Shorter waiting lists for young people's mental health, especially after they've been victims.
Offer trauma support to anyone who has been a victim of a racist crime.
Have mental health workers in custody suites on every shift.
Offer counselling in people's own languages.
A|Make support trauma-informed for asylum seekers, not just signposting.
""",
    },
}

OPENERS: dict[str, dict[str, list[str]]] = {
    "listened": {
        "agree": ["Yes, I think they have listened.", "Yeah to be fair a lot of what we said is in there.",
                  "Yes, mostly.", "I think so, I recognised things we talked about.", "Yes, this time it feels different.",
                  "Honestly yes, I was surprised.", "Yes.", "They have listened, you can tell from the wording.",
                  "Yeah they did.", "Yes, more than I expected."],
        "disagree": ["No.", "Not really.", "No, not at all.", "Nah.", "We've said all this before and nothing changed.",
                     "I don't feel listened to.", "Listened maybe, heard no.",
                     "How can they have listened when they never came to us?", "No, it's the same old.",
                     "Not to people like us."],
        "mixed": ["Partly.", "Some of it, but not the bits that matter to us.",
                  "They listened to some people but not young people.", "It's a start but I'm not convinced yet.",
                  "Sort of.", "In places, yes, but it's patchy.", "Half and half.", "A bit."],
    },
    "interpreted": {
        "agree": ["Yes, they've got the challenges right.", "The plan understands what we face.",
                  "Yes, it's spot on about the racism.", "They got it right.", "Pretty much yes.",
                  "Yes, that's our life described there.", "Yes, it's honest about the problems."],
        "disagree": ["No, they've missed the point.", "Not really, it's written from the outside looking in.",
                     "No, it's too soft.", "They don't get it.",
                     "No. It makes it sound like a training problem when it's racism.",
                     "No, it's all about the police and nothing about our real lives.", "Nope."],
        "mixed": ["Some of it.", "Mostly, but there are big gaps.", "Yes and no.",
                  "They've got the big picture but not the detail.", "Partly, it misses things that matter to us.",
                  "It's fine on paper.", "Kind of."],
    },
    "solutions": {
        "agree": ["Yes, the ideas are good.", "Yes, if they actually do it.",
                  "The solutions are good, especially the bit about training.", "I like the actions.",
                  "Yes, it's a good plan.", "Yes, I'd back that."],
        "disagree": ["The plan says the right things but where's the money.", "No, there's nothing concrete.",
                     "No. Words, no action.", "Not really, it's all 'we will explore' and 'we will consider'.",
                     "No, we've seen plans like this before.", "No, it won't change anything on the ground."],
        "mixed": ["Some good ideas but no timescales.", "It depends who is going to do it.",
                  "Some of it, but it needs more detail.",
                  "The ideas are fine but I don't trust them to follow through.", "Maybe, we'll see.",
                  "Good start, but not enough for young people."],
    },
    "other": {"agree": [""], "disagree": [""], "mixed": [""]},
}

STANCE_WEIGHTS = {
    "listened": {"agree": 0.3, "disagree": 0.45, "mixed": 0.25},
    "interpreted": {"agree": 0.4, "disagree": 0.3, "mixed": 0.3},
    "solutions": {"agree": 0.25, "disagree": 0.4, "mixed": 0.35},
    "other": {"agree": 0.34, "disagree": 0.33, "mixed": 0.33},
}

# How often each theme comes up, by cohort (added to a base weight).
BASE_THEME_WEIGHT = {"PA1": 3, "PA2": 2, "PA3": 1.5, "PA4": 1.5, "PA5": 1.5, "PA6": 3, "PA7": 2,
                     "INTERP": 0.4, "SITES": 0.0, "ONLINE": 1.0, "MENTAL": 1.0}
COHORT_THEME_BOOST = {
    "prison": {"PA6": 3, "PA7": 2, "MENTAL": 2, "INTERP": 0.6},
    "youth_justice": {"PA6": 2, "PA7": 2, "ONLINE": 1.5, "MENTAL": 1},
    "looked_after_children": {"PA7": 2, "MENTAL": 2.5, "PA3": 1, "ONLINE": 1},
    "serious_violence": {"PA6": 2, "PA7": 2, "ONLINE": 2},
    "schools": {"PA1": 2, "PA5": 2, "ONLINE": 2.5, "PA7": 1},
    "gypsy_roma_traveller": {"SITES": 7, "PA1": 1, "PA6": 1, "PA3": 1, "INTERP": 0.6},
    "asylum_seekers": {"INTERP": 6, "MENTAL": 2, "PA1": 1},
    "community": {"PA2": 1, "PA4": 1.5, "PA3": 1, "INTERP": 1, "ONLINE": 1, "SITES": 0.5},
}

FACILITATOR_SUMMARIES = {
    "PA1": ["Most of the group described racism as an everyday thing, at school, in shops and on the street.",
            "Several people said racism is rarely named as racism by the services they deal with."],
    "PA2": ["Nearly everyone said they had never dealt with an officer or worker from their own background.",
            "The group felt recruitment talk had not turned into visible change."],
    "PA3": ["The strongest feeling was consultation fatigue: people have been asked before and heard nothing back.",
            "Some recognised their words in the draft, others felt it was written for professionals."],
    "PA4": ["People did not trust complaints processes and wanted to see the data for themselves.",
            "The group asked who will be held to account if the plan is not delivered."],
    "PA5": ["Training was seen as necessary but not enough; people want it delivered by those with lived experience.",
            "Experiences of staff depended heavily on the individual worker."],
    "PA6": ["Stop and search dominated the discussion; most of the young men had been searched at least once.",
            "People described being treated as suspects when they were victims."],
    "PA7": ["Loss of youth services and school exclusions came up again and again.",
            "People wanted long-term mentoring by people with lived experience rather than short pilots."],
    "INTERP": ["Language access came up repeatedly: no interpreters, children translating, letters nobody can read.",
               "Several participants relied on their children to understand official letters and calls."],
    "SITES": ["The lack of transit sites and the stress of repeated evictions overshadowed every other topic.",
              "Families said being moved on disrupts schooling and health care as well as policing."],
    "ONLINE": ["Online abuse on TikTok, Snapchat and Facebook was a big issue, and reporting it was felt to go nowhere.",
               "Young people said most of the racism they see now is online."],
    "MENTAL": ["Waiting lists and the lack of culturally appropriate counselling were raised by many.",
               "People linked repeated racism directly to anxiety and trauma."],
}

WELSH_OPEN = {
    "listened": {
        "agree": ["Ydyn, i raddau.", "Ydyn, dw i'n meddwl eu bod nhw wedi gwrando y tro yma.",
                  "Ydyn, mae llawer o beth ddwedon ni yn y cynllun."],
        "disagree": ["Dydyn nhw ddim wedi gwrando arnon ni o gwbl.", "Na, dim go iawn.",
                     "Rydyn ni wedi dweud hyn i gyd o'r blaen a does dim byd wedi newid.",
                     "Ddaeth neb yn ôl aton ni ar ôl yr ymgynghoriad diwethaf."],
        "mixed": ["Mewn rhai ffyrdd, ond nid y pethau pwysicaf.",
                  "Maen nhw wedi gwrando ar rai pethau, ond dim ar bobl ifanc.",
                  "Dw i ddim yn siŵr eto, gawn ni weld."],
    },
    "interpreted": {
        "agree": ["Mae'r cynllun wedi deall y problemau'n eithaf da, chwarae teg.", "Ydyn, mae'r heriau i gyd yna."],
        "disagree": ["Na, dydyn nhw ddim yn deall sut beth ydy bywyd i ni.", "Mae'r cynllun yn colli'r pwynt yn llwyr."],
        "mixed": ["Rhai o'r heriau, ond dim y cyfan.", "Mae'n dechrau'n dda ond mae bylchau mawr."],
    },
    "solutions": {
        "agree": ["Mae'r atebion yn swnio'n dda.", "Ydyn, os byddan nhw'n gwneud beth maen nhw'n ei ddweud."],
        "disagree": ["Mae'r cynllun yn dweud y pethau iawn ond ble mae'r arian?",
                     "Geiriau yn unig ydyn nhw, does dim byd pendant."],
        "mixed": ["Rhai syniadau da, ond dim digon o fanylion.",
                  "Gawn ni weld, mae'n dibynnu ar bwy fydd yn gwneud y gwaith."],
    },
    "other": {"agree": [""], "disagree": [""], "mixed": [""]},
}

WELSH_SAY = [
    ("PA1", "Mae hiliaeth yn digwydd bob dydd yn yr ysgol a does neb yn gwneud dim byd."),
    ("PA1", "Mae pobl yn gweiddi pethau hiliol aton ni yn y dref a does neb yn ymyrryd."),
    ("PA1", "Mae pobl yn synnu bob tro dw i'n siarad Cymraeg, fel tasai hynny'n amhosib i rywun Du."),
    ("PA2", "Roedd yr holl swyddogion yn wyn."),
    ("PA2", "Dw i erioed wedi gweld plismon sy'n edrych fel fi yng Ngogledd Cymru."),
    ("PA3", "Rydyn ni'n cael ein holi dro ar ôl tro ond dydyn ni byth yn clywed beth sy'n digwydd wedyn."),
    ("PA4", "Mae'n anodd cwyno pan dych chi ddim yn ymddiried yn yr heddlu."),
    ("PA4", "Does neb yn gwybod beth sy'n digwydd i gŵyn ar ôl i chi ei gwneud hi."),
    ("PA5", "Dydy'r athrawon ddim yn deall beth ydy hiliaeth."),
    ("PA5", "Doedd y gweithiwr cymdeithasol ddim hyd yn oed yn gallu ynganu fy enw i."),
    ("PA6", "Ces i fy stopio a'm chwilio ddwywaith mewn wythnos a wnaethon nhw ddim ffeindio dim byd."),
    ("PA6", "Mae'r heddlu'n ein trin ni'n wahanol achos lliw ein croen."),
    ("PA6", "Roedd fy ffrind yn y ddalfa am oriau heb neb yn dweud wrtho pam."),
    ("PA7", "Does dim byd i bobl ifanc ei wneud yn y pentref ers i'r clwb ieuenctid gau."),
    ("PA7", "Cafodd fy nghefnder ei wahardd o'r ysgol a dyna pryd dechreuodd y trafferthion."),
    ("INTERP", "Doedd dim cyfieithydd ar gael pan gafodd fy nhad ei arestio."),
    ("INTERP", "Mae plant yn gorfod cyfieithu i'w rhieni yng ngorsaf yr heddlu, dydy hynny ddim yn iawn."),
    ("SITES", "Does dim safleoedd teithio dros dro yn unman yn y sir."),
    ("SITES", "Cawson ni ein symud ymlaen dair gwaith mewn mis."),
    ("ONLINE", "Mae pobl ifanc yn cael eu cam-drin ar TikTok a does neb yn cymryd y peth o ddifrif."),
    ("ONLINE", "Ces i fy ngalw'n enwau hiliol ar Facebook, fe wnes i ei riportio ond ddigwyddodd dim byd."),
    ("MENTAL", "Mae'r rhestrau aros am gymorth iechyd meddwl yn llawer rhy hir."),
    ("MENTAL", "Does dim cwnselwyr sy'n deall ein diwylliant ni."),
]
WELSH_FIX = [
    ("PA2", "Mae angen mwy o swyddogion heddlu o gefndiroedd ethnig lleiafrifol."),
    ("PA5", "Dylai pob athro gael hyfforddiant gwrth-hiliaeth."),
    ("PA7", "Mae angen mwy o arian ar gyfer clybiau ieuenctid, nid mwy o blismona."),
    ("PA3", "Dylen nhw ddod yn ôl aton ni bob blwyddyn i ddweud beth sydd wedi newid."),
    ("PA4", "Hoffwn i weld y data am stopio a chwilio yn cael ei gyhoeddi bob mis."),
    ("MENTAL", "Mae angen cwnsela sy'n deall ein diwylliant ni, yn Gymraeg hefyd."),
    ("INTERP", "Dylai fod cyfieithydd ar gael bob tro yn y ddalfa."),
    ("PA7", "Mae angen rhoi cyfle i bobl ifanc cyn eu gwahardd o'r ysgol."),
    ("ONLINE", "Dylai'r heddlu gymryd casineb ar-lein o ddifrif."),
    ("SITES", "Mae angen safleoedd teithio dros dro ym mhob sir."),
    ("PA6", "Dylai pob swyddog wisgo camera corff a'i droi ymlaen bob tro."),
]
WELSH_SUMMARIES = {
    "listened": "Roedd y rhan fwyaf o'r grŵp yn teimlo nad oes neb wedi gwrando arnyn nhw go iawn, er bod rhai yn "
                "falch o gael eu holi.",
    "interpreted": "Siaradodd llawer am gael eu stopio gan yr heddlu ac am hiliaeth yn yr ysgol ac ar-lein.",
    "solutions": "Roedd pawb eisiau gweld arian go iawn y tu ôl i'r cynllun, a mwy o waith ieuenctid.",
}
WELSH_OTHER = ["Diolch am ofyn i ni.", "Plîs peidiwch â gadael i hwn fod yn adroddiad arall sy'n eistedd ar silff.",
               "Roedd hi'n braf cael siarad yn Gymraeg am hyn."]

TOWNS = {
    "Gwent": ["Newport", "Cwmbran", "Caerphilly", "Pontypool", "Ebbw Vale", "Abergavenny"],
    "South Wales": ["Cardiff", "Swansea", "Bridgend", "Merthyr", "Barry", "Port Talbot", "Pontypridd"],
    "North Wales": ["Wrexham", "Bangor", "Rhyl", "Caernarfon", "Colwyn Bay", "Holyhead"],
    "Dyfed-Powys": ["Carmarthen", "Llanelli", "Haverfordwest", "Aberystwyth", "Newtown", "Brecon"],
}
FORCES = {"Gwent": "Gwent Police", "South Wales": "South Wales Police", "North Wales": "North Wales Police",
          "Dyfed-Powys": "Dyfed-Powys Police"}
PRISONS = {"Gwent": ["HMP Usk", "HMP Prescoed", "HMP Cardiff"], "South Wales": ["HMP Parc", "HMP Cardiff", "HMP Swansea"],
           "North Wales": ["HMP Berwyn"], "Dyfed-Powys": ["HMP Parc", "HMP Swansea"]}

YOUNG = {"youth_justice", "looked_after_children", "serious_violence", "schools"}
SLIPS = [("definitely", "definately"), ("because", "becuase"), ("really", "realy"), ("officers", "oficers"),
         ("nothing", "nothin"), ("received", "recieved"), ("separate", "seperate"), ("police", "poilce"),
         ("their", "there"), ("people", "peple"), ("school", "skool"), ("wouldn't", "wouldnt")]


def _parse_bank(block: str) -> list[tuple[str, str]]:
    """Split a bank block into (cohort letters or "", text) pairs."""
    out = []
    for line in block.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        tags, _, text = line.rpartition("|") if "|" in line[:8] else ("", "", line)
        out.append((tags, text))
    return out


PARSED = {theme: {kind: _parse_bank(block) for kind, block in kinds.items()} for theme, kinds in BANK.items()}


def bank_size() -> int:
    """Number of distinct base sentences in the bank (English and Welsh, openers included)."""
    n = sum(len(v) for kinds in PARSED.values() for v in kinds.values())
    n += sum(len(x) for q in OPENERS.values() for x in q.values() if x != [""])
    n += sum(len(x) for q in WELSH_OPEN.values() for x in q.values() if x != [""])
    return n + len(WELSH_SAY) + len(WELSH_FIX) + len(WELSH_OTHER) + sum(len(v) for v in FACILITATOR_SUMMARIES.values())


# --------------------------------------------------------------------------------------------
# Composition
# --------------------------------------------------------------------------------------------
@dataclass
class Answer:
    """One answer as written into a return (participant or facilitator)."""

    question: str
    text: str
    language: str = "en"
    themes: tuple[str, ...] = ()
    stance: str = ""
    kind: str = "answer"  # answer | blank | na | summary | prompt
    speaker: str = "participant"


@dataclass
class Composer:
    """Builds varied answers from the bank, never repeating (or nearly repeating) an earlier one."""

    rng: Random
    used_texts: list[str] = field(default_factory=list)
    sentence_uses: Counter = field(default_factory=Counter)

    def _fill(self, text: str, area: str) -> str:
        area = area if area in TOWNS else self.rng.choice(sorted(TOWNS))
        return text.format(town=self.rng.choice(TOWNS[area]), force=FORCES[area], prison=self.rng.choice(PRISONS[area]))

    def _pick_sentence(self, theme: str, kind: str, cohort: str, exclude: set[str]) -> str:
        letter = COHORT_LETTER.get(cohort, "C")
        pool = [t for tags, t in PARSED[theme][kind] if (not tags or letter in tags) and t not in exclude]
        if not pool:
            pool = [t for _, t in PARSED[theme][kind] if t not in exclude] or [t for _, t in PARSED[theme][kind]]
        weights = [1.0 / (1 + self.sentence_uses[t]) ** 3 for t in pool]
        choice = self.rng.choices(pool, weights=weights)[0]
        self.sentence_uses[choice] += 1
        return choice

    def pick_theme(self, cohort: str, question: str) -> str:
        weights = dict(BASE_THEME_WEIGHT)
        for c in cohort.split(";"):
            for t, w in COHORT_THEME_BOOST.get(c, {}).items():
                weights[t] += w
        if question == "listened":
            weights["PA3"] += 6
        themes = sorted(weights)
        return self.rng.choices(themes, weights=[weights[t] for t in themes])[0]

    def _is_new(self, text: str) -> bool:
        norm = text.lower().strip()
        if not self.used_texts:
            return True
        return process.extractOne(norm, self.used_texts, scorer=fuzz.ratio, score_cutoff=85) is None

    def _register(self, text: str, cohort: str) -> str:
        """Make young people's answers sound like young people, and slip in the odd typo."""
        if cohort.split(";")[0] in YOUNG and self.rng.random() < 0.3:
            text = text[0].lower() + text[1:]
            text = text.replace("I ", "i ").replace("I'", "i'")
            if text.endswith(".") and self.rng.random() < 0.6:
                text = text[:-1]
                if len(text) > 40 and self.rng.random() < 0.3:
                    text = text + self.rng.choice([" tbh", " to be honest", " innit", " fr"])
        if self.rng.random() < 0.07:
            for right, wrong in self.rng.sample(SLIPS, len(SLIPS)):
                if re.search(rf"\b{right}\b", text):
                    text = re.sub(rf"\b{right}\b", wrong, text, count=1)
                    break
        return text

    def compose(self, question: str, cohort: str, area: str, theme: str | None = None,
                stance: str | None = None) -> Answer:
        """Compose one new English answer to ``question`` from someone in ``cohort``."""
        for _attempt in range(60):
            st = stance or self.rng.choices(list(STANCE_WEIGHTS[question]),
                                             weights=list(STANCE_WEIGHTS[question].values()))[0]
            opener = self.rng.choice(OPENERS[question][st])
            mode = self.rng.choices(["short", "medium", "long"], weights=[0.15, 0.5, 0.35])[0]
            themes: list[str] = []
            parts = [opener] if opener else []
            n_sent = {"short": 0, "medium": 1, "long": self.rng.choice([2, 2, 3])}[mode]
            if not opener:
                n_sent = max(n_sent, 1)
            th = ""
            picked: set[str] = set()
            for i in range(n_sent):
                # People tend to stay on one subject for a sentence or two before moving on.
                if theme and i == 0:
                    th = theme
                elif not (th and self.rng.random() < 0.45):
                    th = self.pick_theme(cohort, question)
                kind = "fix" if question == "solutions" and self.rng.random() < 0.65 else "say"
                if question == "other" and self.rng.random() < 0.4:
                    kind = "fix"
                sentence = self._pick_sentence(th, kind, self.rng.choice(cohort.split(";")), picked)
                picked.add(sentence)
                if i > 0 and self.rng.random() < 0.25:
                    sentence = self.rng.choice(["Also ", "And ", "Plus ", "Another thing, "]) + sentence[0].lower() + sentence[1:]
                parts.append(self._fill(sentence, area))
                if th not in themes:
                    themes.append(th)
            text = self._register(" ".join(parts), cohort)
            if self._is_new(text):
                self.used_texts.append(text.lower().strip())
                return Answer(question, text, "en", tuple(themes), st)
        raise RuntimeError(f"could not compose a new answer for {question}/{cohort}: widen the bank")

    def compose_welsh(self, question: str, cohort: str = "community") -> Answer:
        """Compose one new Welsh answer (theme chosen as for English, from the smaller Welsh bank)."""
        for _attempt in range(80):
            st = self.rng.choices(list(STANCE_WEIGHTS[question]), weights=list(STANCE_WEIGHTS[question].values()))[0]
            opener = self.rng.choice(WELSH_OPEN[question][st])
            parts, themes = ([opener] if opener else []), []
            if question == "other" and self.rng.random() < 0.3:
                parts.append(self.rng.choice(WELSH_OTHER))
            elif self.rng.random() < 0.8 or not opener:
                bank = WELSH_FIX if question == "solutions" else WELSH_SAY
                wanted = self.pick_theme(cohort, question)
                pool = [x for x in bank if x[0] == wanted] or bank
                theme, sentence = self.rng.choice(pool)
                parts.append(sentence)
                themes.append(theme)
            text = " ".join(parts)
            if self._is_new(text):
                self.used_texts.append(text.lower().strip())
                return Answer(question, text, "cy", tuple(themes), st)
        raise RuntimeError("could not compose a new Welsh answer: widen the Welsh bank")

    def summary(self, question: str, themes: list[str], n: int, total: int) -> Answer:
        """A facilitator's summary of one question's discussion (each summary sentence used once)."""
        used = set(self.sentence_uses)
        pool = [(t, s) for t in (themes or ["PA3"]) for s in FACILITATOR_SUMMARIES[t] if s not in used]
        pool = pool or [(t, s) for t, ss in FACILITATOR_SUMMARIES.items() for s in ss if s not in used]
        theme, first = self.rng.choice(pool)
        self.sentence_uses[first] += 1
        count = f"{n} of the {total} participants " + self.rng.choice(
            ["said they disagreed with the draft on this point.", "were broadly positive about this part of the plan.",
             "had mixed views.", "spoke about this directly."])
        text = f"Facilitator summary: {first} {count}"
        self.used_texts.append(text.lower())
        return Answer(question, text, "en", (theme,), "", "summary", "facilitator")


def blank_like(rng: Random, question: str, welsh: bool = False) -> Answer:
    """An empty or 'no answer' answer: blank, N/A, Dim sylw, ..."""
    options = ["", "", "N/A", "n/a", "No comment", "-", "Nothing to add"] + (["Dim sylw", "Dim sylw."] if welsh else [])
    value = rng.choice(options)
    return Answer(question, value, "cy" if value.startswith("Dim") else "en", (), "", "blank" if not value else "na")


# --------------------------------------------------------------------------------------------
# Planted personal data (all fictional: Ofcom drama numbers, example.org, reserved-looking ids)
# --------------------------------------------------------------------------------------------
PII: dict[str, list[tuple[str, str]]] = {
    "llais": [("NAME", "PC Jones stopped me outside the chip shop in Newport and called me a little gangster."),
              ("PHONE", "You can ring me on 07700 900123 if you want to hear more."),
              ("DOB", "I was born 14/03/2005 so I was only fifteen the first time it happened.")],
    "drws": [("PRISON_NUMBER", "My number is A1234BC if anyone wants to check what happened to me."),
             ("NAME", "My name is Daniel Price and I've been on this wing two years.")],
    "cyf": [("NAME", "Ms Begum is the only teacher who actually does something when there's racism."),
            ("POSTCODE", "I live near CF10 1AA and there's nothing for us round there."),
            ("EMAIL", "Email me at kez.ali@example.org if you want to know more.")],
    "teithio": [("POSTCODE", "The eviction notice came to my cousin's address at SA1 1AA even though we'd moved on."),
                ("NAME", "Our Nathan Loveridge got arrested on the verge for nothing.")],
    "wrvn": [("PHONE", "If anyone wants to talk to our group call the centre on 029 2018 0000."),
             ("EMAIL", "Contact me at priya.s@example.org."),
             ("NI_NUMBER", "I gave them my national insurance number QQ 12 34 56 C and they still said I had no right to work.")],
    "sanctuary": [("NAME", "Amara Okafor from the refugee project was the only one who helped me."),
                  ("PHONE", "My number is +44 7700 900456, please tell me if anything changes."),
                  ("DOB", "The Home Office wrote my DOB: 2 May 1999 wrong on every letter.")],
    "cartref": [("POSTCODE", "They placed me at NP20 2JG, miles from my school and my mates."),
                ("NAME", "My social worker Sarah Hughes never once asked about my culture.")],
    "menter": [("ADDRESS", "Dw i'n byw yn 12 Heol y Parc, Bangor, LL57 2DG ac mae'r heddlu'n stopio fy mrawd bob wythnos.")],
    "ail": [("PRISON_NUMBER", "(prison number G4471KD)")],
    "pont": [("EMAIL", "You can write to me at fatima.h@example.org."),
             ("NAME", "Ms Begum from the council said she would help and never rang back.")],
}
# The address sentence also holds a postcode; count it for both kinds.
PII_EXTRA_KINDS = {"Dw i'n byw yn 12 Heol y Parc": ["POSTCODE"]}


def plant_pii(rng: Random, key: str, answers: list[Answer]) -> Counter:
    """Append this return's planted personal data to some of its participant answers (in place)."""
    kinds: Counter = Counter()
    items = PII.get(key, [])
    candidates = [i for i, a in enumerate(answers) if a.kind == "answer" and a.speaker == "participant"
                  and a.language == "en"]
    for (kind, sentence), idx in zip(items, rng.sample(candidates, len(items)), strict=True):
        a = answers[idx]
        if kind == "ADDRESS":
            answers[idx] = Answer(a.question, sentence, "cy", ("PA6",), a.stance)
        else:
            answers[idx] = Answer(a.question, f"{a.text} {sentence}", a.language, a.themes, a.stance)
        kinds[kind] += 1
        for prefix, extra in PII_EXTRA_KINDS.items():
            if sentence.startswith(prefix):
                kinds.update(extra)
    return kinds


# --------------------------------------------------------------------------------------------
# The organisations and their returns
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Org:
    """One fictional grant-funded organisation and the manifest line for its main return."""

    key: str
    name: str
    file: str
    cohort: str  # vocabulary id(s), used to choose content
    area: str  # vocabulary name, used to choose content
    n_participants: int
    manifest_cohort: str  # as a person would type it in the manifest
    manifest_area: str
    manifest_method: str
    language: str
    date_received: str


ORGS = [
    Org("llais", "Llais y Cwm Youth Project", "llais_y_cwm_focus_groups.docx", "youth_justice", "Gwent", 18,
        "Youth Justice", "Gwent Police", "Focus groups", "en", "2026-03-09"),
    Org("drws", "Drws Agored Prison Link", "drws_agored_berwyn_feedback.docx", "prison", "North Wales", 16,
        "prison", "North Wales", "focus_group", "en;cy", "2026-03-11"),
    Org("cyf", "Cardiff Youth Futures Collective", "cyf_participant_responses.xlsx", "schools;serious_violence",
        "South Wales", 40, "schools;serious_violence", "South Wales Police", "questionnaire", "en", "2026-03-12"),
    Org("teithio", "Teithio Ymlaen Traveller Support", "teithio_ymlaen_feedback.xlsx", "gypsy_roma_traveller",
        "Dyfed-Powys", 22, "Gypsy Roma Traveller", "Dyfed-Powys", "focus_group", "en", "2026-03-13"),
    Org("wrvn", "Wales Race Voices Network", "wrvn_online_survey_export.csv", "community", "All Wales", 60,
        "community", "All Wales", "Online survey", "en;cy", "2026-03-16"),
    Org("sanctuary", "Swansea Bay Sanctuary Friends", "sanctuary_friends_responses.csv", "asylum_seekers",
        "South Wales", 24, "Asylum seekers and refugees", "South Wales", "focus_group", "en", "2026-03-10"),
    Org("cartref", "Cartref Care Leavers Forum", "cartref_focus_group_notes.txt", "looked_after_children", "Gwent", 14,
        "Care experienced", "Gwent", "focus_group", "en", "2026-03-06"),
    Org("menter", "Menter Ieuenctid Eryri", "menter_eryri_nodiadau.md", "youth_justice;schools", "North Wales", 16,
        "youth_justice;schools", "Gwynedd", "focus_group", "cy", "2026-03-18"),
    Org("ail", "Ail Gyfle West Wales Trust", "ail_gyfle_report.pdf", "prison;serious_violence", "Dyfed-Powys", 26,
        "prison;serious_violence", "Dyfed-Powys", "interview", "en", "2026-03-19"),
    Org("pont", "Pont Women's Network Newport", "pont_interviews.docx", "asylum_seekers;community", "Gwent", 12,
        "asylum_seekers;community", "Newport", "Interviews", "en", "2026-03-20"),
]
ORG = {o.key: o for o in ORGS}
RESENT_FILE = "sanctuary_friends_responses_resent.csv"
MISSING_FILE = "pont_interviews_part2.docx"
UNLISTED_FILE = "youth_forum_late_notes.txt"
UNLISTED_PARTICIPANTS = 8
BROKEN_FILE = "broken_return.docx"
EMPTY_FILE = "survey_export_part2.csv"
UNKNOWN_FORMAT_FILE = "flipchart_photo.jpg"
NO_QUESTION_FILE = "attendance_and_budget.xlsx"
MANIFEST_COLUMNS = ["file", "organisation", "cohort", "police_force_area", "engagement_method", "n_participants",
                    "language", "date_received"]


@dataclass
class Return:
    """What one generated return holds, for the README totals and the tests."""

    file: str
    org: str
    answers: list[Answer]
    participants: int
    pii: Counter = field(default_factory=Counter)


def _sub_rng(seed: int, key: str) -> Random:
    return Random(f"{seed}:{key}")


def _participant_answers(comp: Composer, rng: Random, org: Org, question: str, p_answer: float,
                         p_welsh: float = 0.0, p_blank: float = 0.1) -> Answer | None:
    """One participant's answer to one question: None (skipped), a blank/N/A, Welsh or English."""
    if rng.random() > p_answer:
        return None
    if rng.random() < p_blank:
        return blank_like(rng, question, welsh=p_welsh > 0)
    if rng.random() < p_welsh:
        return comp.compose_welsh(question, rng.choice(org.cohort.split(";")))
    cohorts = org.cohort.split(";")
    return comp.compose(question, rng.choice(cohorts), org.area)


# ---- zip / office helpers -------------------------------------------------------------------
def normalise_zip(data: bytes) -> bytes:
    """Re-zip an Office file with fixed timestamps and core-properties dates (identical bytes per run)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                                 rb"\g<1>2026-03-20T09:00:00Z\3", payload)
            zi = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, payload)
    return out.getvalue()


def _new_docx(title: str):
    from docx import Document

    doc = Document()
    props = doc.core_properties
    props.author = "Sample generator (synthetic)"
    props.title = title
    props.created = FIXED_DT
    props.modified = FIXED_DT
    props.last_modified_by = "Sample generator (synthetic)"
    props.revision = 1
    return doc


def _docx_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue())


def _xlsx_bytes(wb) -> bytes:
    wb.properties.creator = "Sample generator (synthetic)"
    wb.properties.created = FIXED_DT
    wb.properties.modified = FIXED_DT
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue())


QUESTION_SUMMARY_THEMES = {"listened": ["PA3"], "interpreted": ["PA1", "PA6"], "solutions": ["PA7", "PA2"], "other": []}


# ---- 1. Word: question headings, participant paragraphs, facilitator summaries ---------------
def make_llais(comp: Composer, seed: int) -> tuple[bytes, Return]:
    org, rng = ORG["llais"], _sub_rng(seed, "llais")
    headings = [("listened", "Have we listened?"), ("interpreted", "Q2 Have we correctly interpreted the challenges?"),
                ("solutions", "Q3 - Have we outlined the solutions?"), ("other", "Any other comments")]
    plan: list[tuple[str, str, list[tuple[int, Answer]], Answer | None]] = []
    answers: list[Answer] = []
    for q, heading in headings:
        rows = []
        for p in range(1, org.n_participants + 1):
            a = _participant_answers(comp, rng, org, q, 0.72 if q != "other" else 0.45, p_blank=0.06)
            if a is not None:
                rows.append((p, a))
                answers.append(a)
        plan.append((q, heading, rows, None))
    pii = plant_pii(rng, "llais", answers)
    doc = _new_docx(f"{org.name} - feedback on the draft Anti-Racism Delivery Plan")
    doc.add_heading(f"{org.name}: feedback on the draft Anti-Racism Delivery Plan", level=1)
    doc.add_paragraph(
        "Three focus groups held in Newport, Caerphilly and Cwmbran in February 2026 with 18 young people aged "
        "14-19 who are working with the youth justice service. Quotes are written down as close to word for word "
        "as we could. Notes taken by our youth workers.")
    final: list[Answer] = []
    it = iter(answers)
    for q, heading, rows, _ in plan:
        doc.add_heading(heading, level=2)
        for p, _old in rows:
            a = next(it)
            doc.add_paragraph(f"Participant {p}: {a.text}")
            final.append(a)
        if q != "other":
            themes = sorted({t for a in final if a.question == q for t in a.themes}) or QUESTION_SUMMARY_THEMES[q]
            s = comp.summary(q, themes, max(2, len(rows) // 2), org.n_participants)
            doc.add_paragraph(s.text)
            final.append(s)
    return _docx_bytes(doc), Return(org.file, org.key, final, org.n_participants, pii)


# ---- 2. Word: answers in a table ---------------------------------------------------------------
def make_drws(comp: Composer, seed: int) -> tuple[bytes, Return]:
    org, rng = ORG["drws"], _sub_rng(seed, "drws")
    header = ["Participant", "Question 1: Have we listened?", "Question 2: Have we correctly interpreted the challenges?",
              "Question 3: Have we outlined the solutions?", "Other comments"]
    grid: list[list[Answer | None]] = []
    answers: list[Answer] = []
    for _p in range(org.n_participants):
        row = []
        for q in QUESTIONS:
            a = _participant_answers(comp, rng, org, q, 0.95 if q != "other" else 0.6, p_welsh=0.1, p_blank=0.1)
            row.append(a)
            if a is not None:
                answers.append(a)
        grid.append(row)
    pii = plant_pii(rng, "drws", answers)
    it = iter(answers)
    grid = [[next(it) if a is not None else None for a in row] for row in grid]
    doc = _new_docx(f"{org.name} - consultation feedback")
    doc.add_heading(f"{org.name} - consultation feedback", level=1)
    doc.add_paragraph(
        "Two focus groups with men at HMP Berwyn (Wrexham), January-February 2026. Sixteen men took part, some of "
        "them recently moved from HMP Parc; a few answered in Welsh. Each man's answers are in one row of the table below.")
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    final: list[Answer] = []
    for i, row in enumerate(grid, start=1):
        cells = table.add_row().cells
        cells[0].text = f"P{i}"
        for cell, a in zip(cells[1:], row, strict=True):
            cell.text = a.text if a is not None else ""
            if a is not None:
                final.append(a)
    cells = table.add_row().cells
    cells[0].text = "Facilitator notes"
    for cell, q in zip(cells[1:], QUESTIONS, strict=True):
        themes = sorted({t for a in final if a.question == q for t in a.themes}) or ["PA6"]
        s = comp.summary(q, themes, rng.randint(5, 11), org.n_participants)
        cell.text = s.text
        final.append(s)
    doc.add_paragraph("Thank you for the chance to take part. - Drws Agored engagement team")
    return _docx_bytes(doc), Return(org.file, org.key, final, org.n_participants, pii)


def _typo(text: str, rng: Random) -> str:
    """A near-duplicate: the same answer with one tiny typing slip."""
    words = text.split(" ")
    idx = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    w = words[idx]
    j = rng.choice([k for k in range(1, len(w) - 2) if w[k] != w[k + 1]])
    words[idx] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


# ---- 3. Excel: one row per participant ------------------------------------------------------------
def make_cyf(comp: Composer, seed: int) -> tuple[bytes, Return]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    org, rng = ORG["cyf"], _sub_rng(seed, "cyf")
    header = ["Participant ID", "Age group", "Cohort", "Area", "Do you feel CJIW has listened to your voices?",
              "Has the plan correctly interpreted the challenges?", "What needs to change? Are the solutions right?",
              "Any other comments"]
    rows: list[list] = []
    answers: list[Answer] = []
    for p in range(1, org.n_participants + 1):
        cohort = rng.choice(["School pupil", "School pupil", "At risk of serious violence"])
        area = rng.choice(["Cardiff", "Cardiff", "Swansea", "Bridgend", "Barry"])
        row: list = [f"CYF-{p:03d}", rng.choice(["11-15", "16-18", "16-18", "19-25"]), cohort, area]
        for q in QUESTIONS:
            a = _participant_answers(comp, rng, org, q, 0.93 if q != "other" else 0.55, p_blank=0.1)
            row.append(a)
            if a is not None:
                answers.append(a)
        rows.append(row)
    pii = plant_pii(rng, "cyf", answers)
    it = iter(answers)
    rows = [r[:4] + [next(it) if a is not None else None for a in r[4:]] for r in rows]
    # Planted duplicates: one answer pasted twice (exact), one re-typed with a slip (near).
    long_cells = [(i, c) for i, r in enumerate(rows[:-1]) for c in range(4, 7)
                  if isinstance(r[c], Answer) and r[c].kind == "answer" and len(r[c].text) > 60
                  and isinstance(rows[i + 1][c], Answer) and rows[i + 1][c].kind == "answer"]
    (i1, c1), (i2, c2) = rng.sample([x for x in long_cells if x[0] % 2 == 0], 2)
    src = rows[i1][c1]
    rows[i1 + 1][c1] = Answer(src.question, src.text, src.language, src.themes, src.stance, "exact_duplicate")
    src2 = rows[i2][c2]
    rows[i2 + 1][c2] = Answer(src2.question, _typo(src2.text, rng), src2.language, src2.themes, src2.stance,
                              "near_duplicate")
    wb = Workbook()
    ws = wb.active
    ws.title = "Responses"
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    final: list[Answer] = []
    for r in rows:
        ws.append([v.text if isinstance(v, Answer) else v for v in r])
        final.extend(v for v in r[4:] if isinstance(v, Answer))
    for col, width in zip("ABCDEFGH", [14, 10, 26, 12, 50, 50, 50, 40], strict=True):
        ws.column_dimensions[col].width = width
    about = wb.create_sheet("About")
    about.append(["Collected by Cardiff Youth Futures Collective in three secondary schools and a youth club, March 2026."])
    about.append(["Paper questionnaires typed up by volunteers. Blank = question not answered."])
    return _xlsx_bytes(wb), Return(org.file, org.key, final, org.n_participants, pii)


# ---- 4. Excel: one sheet per question, title row, merged cells, split answer ------------------------
def make_teithio(comp: Composer, seed: int) -> tuple[bytes, Return]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    org, rng = ORG["teithio"], _sub_rng(seed, "teithio")
    groups = [("Site visit - Carmarthen", 8), ("Women's group - Llanelli", 7), ("Young people - Haverfordwest", 7)]
    sheets = [("Q1 Listened", "listened"), ("Q2", "interpreted"), ("Q3 Solutions", "solutions"), ("Other", "other")]
    per_sheet: dict[str, list[tuple[str, str, Answer]]] = {}
    answers: list[Answer] = []
    for _name, q in sheets:
        items = []
        pid = 0
        for gname, size in groups:
            for _k in range(size):
                pid += 1
                a = _participant_answers(comp, rng, org, q, 0.85 if q != "other" else 0.5, p_blank=0.08)
                if a is not None:
                    items.append((gname, f"T{pid:02d}", a))
                    answers.append(a)
        per_sheet[q] = items
    pii = plant_pii(rng, "teithio", answers)
    it = iter(answers)
    per_sheet = {q: [(g, p, next(it)) for g, p, _a in items] for q, items in per_sheet.items()}
    wb = Workbook()
    wb.remove(wb.active)
    final: list[Answer] = []
    title = "Feedback from Teithio Ymlaen focus groups, March 2026"
    for sheet_name, q in sheets:
        ws = wb.create_sheet(sheet_name)
        ws["A1"] = title
        ws["A1"].font = Font(bold=True, size=13)
        ws.merge_cells("A1:C1")
        ws.append(["Group", "Participant", "What people said"])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        items = per_sheet[q]
        split_done = False
        for gname in [g for g, _ in groups]:
            start = ws.max_row + 1
            for g, pid, a in items:
                if g != gname:
                    continue
                text = a.text
                # The answer split over two cells: second half in the next row, participant left empty.
                if q == "interpreted" and not split_done and a.kind == "answer" and text.count(". ") >= 1 \
                        and len(text) > 80:
                    cut = text.index(". ") + 1
                    ws.append([gname, pid, text[:cut]])
                    ws.append([None, None, text[cut + 1:]])
                    split_done = True
                    final.append(Answer(a.question, text, a.language, a.themes, a.stance, "split_answer"))
                    continue
                ws.append([gname, pid, text])
                final.append(a)
            end = ws.max_row
            if end > start:
                for r in range(start + 1, end + 1):
                    ws.cell(row=r, column=1).value = None
                ws.merge_cells(start_row=start, start_column=1, end_row=end, end_column=1)
            ws.cell(row=start, column=1).alignment = Alignment(vertical="top")
        if q == "interpreted" and not split_done:
            raise RuntimeError("no answer long enough to split on sheet Q2; change the seed")
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 12
        ws.column_dimensions["C"].width = 90
    return _xlsx_bytes(wb), Return(org.file, org.key, final, org.n_participants, pii)


# ---- 5. CSV (UTF-8 with BOM): online survey export -----------------------------------------------
def make_wrvn(comp: Composer, seed: int) -> tuple[bytes, Return]:
    org, rng = ORG["wrvn"], _sub_rng(seed, "wrvn")
    header = ["Respondent ID", "Start time", "Completion time", "Which police force area do you live in?",
              "1. Do you feel the draft plan shows that CJIW has listened to your voices?",
              "2. Has CJIW correctly interpreted the challenges ahead?",
              "3. Has the plan outlined the solutions required for systemic, sustainable change?",
              "4. Any other comments, challenges, ideas or solutions?"]
    p_ans = {"listened": 0.85, "interpreted": 0.75, "solutions": 0.7, "other": 0.4}
    rows, answers = [], []
    for r in range(org.n_participants):
        area = rng.choice(["South Wales", "South Wales", "Gwent", "North Wales", "Dyfed-Powys", "Prefer not to say"])
        welsh_person = rng.random() < 0.12
        # A Wales-wide survey also reaches Travellers and asylum seekers.
        respondent_cohort = rng.choice(["community"] * 7 + ["gypsy_roma_traveller"] * 2 + ["asylum_seekers"])
        cells = []
        for q in QUESTIONS:
            if rng.random() > p_ans[q]:
                cells.append(None)
                continue
            if rng.random() < 0.08:
                a = blank_like(rng, q, welsh=welsh_person)
            elif welsh_person:
                a = comp.compose_welsh(q)
            else:
                a = comp.compose(q, respondent_cohort, area if area in TOWNS else "All Wales")
            cells.append(a)
            answers.append(a)
        start = datetime(2026, 2, 2, 8, 0) + timedelta(minutes=r * 397 + rng.randrange(30))
        end = start + timedelta(minutes=rng.randint(4, 25), seconds=rng.randrange(60))
        rows.append([str(4101 + r), start.strftime("%Y-%m-%d %H:%M"), end.strftime("%Y-%m-%d %H:%M"), area, *cells])
    pii = plant_pii(rng, "wrvn", answers)
    it = iter(answers)
    rows = [r[:4] + [next(it) if a is not None else None for a in r[4:]] for r in rows]
    # One answer typed with a line break inside the cell, as survey tools export them.
    multi = next((r, c) for r in rows for c in range(4, 8) if isinstance(r[c], Answer) and r[c].kind == "answer"
                 and ". " in r[c].text)
    r0, c0 = multi
    r0[c0] = Answer(r0[c0].question, r0[c0].text.replace(". ", ".\n", 1), r0[c0].language, r0[c0].themes,
                    r0[c0].stance)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    w.writerow(header)
    final = []
    for r in rows:
        w.writerow([v.text if isinstance(v, Answer) else ("" if v is None else v) for v in r])
        final.extend(v for v in r[4:] if isinstance(v, Answer))
    return buf.getvalue().encode("utf-8-sig"), Return(org.file, org.key, final, org.n_participants, pii)


# ---- 6. CSV in Windows-1252 with curly quotes and en dashes --------------------------------------------
def _curly(text: str, rng: Random) -> str:
    text = text.replace("'", "\u2019")
    if ", " in text and rng.random() < 0.3:
        text = text.replace(", ", " \u2013 ", 1)
    return text


def make_sanctuary(comp: Composer, seed: int) -> tuple[bytes, Return]:
    org, rng = ORG["sanctuary"], _sub_rng(seed, "sanctuary")
    header = ["Ref", "Group", "Q1 Listened", "Q2 Interpreted", "Q3 Solutions", "Other comments"]
    rows, answers = [], []
    for p in range(1, org.n_participants + 1):
        group = ["Women's group", "Men's group", "Young people (16-21)"][(p - 1) * 3 // org.n_participants]
        cells = []
        for q in QUESTIONS:
            a = _participant_answers(comp, rng, org, q, 0.9 if q != "other" else 0.5, p_blank=0.08)
            cells.append(a)
            if a is not None:
                answers.append(a)
        rows.append([f"S{p:02d}", group, *cells])
    pii = plant_pii(rng, "sanctuary", answers)
    it = iter(answers)
    rows = [r[:2] + [next(it) if a is not None else None for a in r[2:]] for r in rows]
    # Curly quotes around a remembered phrase in a couple of answers (as typed in Word, pasted into Excel).
    quoted = [(r, c) for r in rows for c in range(2, 6) if isinstance(r[c], Answer) and r[c].kind == "answer"]
    for r, c in rng.sample(quoted, 3):
        a = r[c]
        r[c] = Answer(a.question, a.text + " \u201cWe will look into it\u201d is all they ever say.", a.language,
                      a.themes, a.stance)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    final = []
    for r in rows:
        out = []
        for v in r:
            if isinstance(v, Answer):
                v.text = _curly(v.text, rng)
                out.append(v.text)
                final.append(v)
            else:
                out.append("" if v is None else v)
        w.writerow(out)
    return buf.getvalue().encode("cp1252"), Return(org.file, org.key, final, org.n_participants, pii)


# ---- 7. Plain-text focus-group notes ---------------------------------------------------------------------
TXT_PROMPTS = {
    "listened": "We read out what young people told CJIW last year and asked if they could see it in the draft.",
    "interpreted": "We asked whether the plan gets the problems right for care-experienced young people.",
    "solutions": "We went through the actions in the plan and asked if they would make a difference.",
    "other": "Anything else you want CJIW to hear?",
}


def _notes(comp: Composer, rng: Random, org_key: str, n: int, cohort: str, area: str, headings: list[str],
           p_answer: float, p_welsh: float = 0.0, prompts: dict[str, str] | None = None) -> tuple[list[str], Return]:
    """Focus-group notes as lines: a heading per question, facilitator prompts, P1:/Participant: answers."""
    plan = []
    answers: list[Answer] = []
    org = ORG.get(org_key)
    pseudo_org = org or Org(org_key, "", "", cohort, area, n, "", "", "", "en", "")
    for q, heading in zip(QUESTIONS, headings, strict=True):
        speakers = []
        for p in range(1, n + 1):
            a = _participant_answers(comp, rng, pseudo_org, q, p_answer if q != "other" else p_answer * 0.6,
                                     p_welsh=p_welsh, p_blank=0.07)
            if a is not None:
                label = "Participant" if rng.random() < 0.12 else f"P{p}"
                speakers.append(label)
                answers.append(a)
        plan.append((q, heading, speakers))
    pii = plant_pii(rng, org_key, answers)
    it = iter(answers)
    lines: list[str] = []
    final: list[Answer] = []
    for q, heading, speakers in plan:
        lines += [heading, ""]
        if prompts:
            lines.append(f"Facilitator: {prompts[q]}")
            final.append(Answer(q, prompts[q], "cy" if p_welsh > 0.5 else "en", (), "", "prompt", "facilitator"))
        for label in speakers:
            a = next(it)
            lines.append(f"{label}: {a.text}")
            final.append(a)
        if q != "other" and p_welsh > 0.5:
            text = WELSH_SUMMARIES[q]
            lines.append(f"Facilitator: (crynodeb) {text}")
            final.append(Answer(q, text, "cy", (), "", "summary", "facilitator"))
        elif q != "other":
            themes = sorted({t for a in final if a.question == q for t in a.themes}) or QUESTION_SUMMARY_THEMES[q]
            s = comp.summary(q, themes, rng.randint(3, max(4, len(speakers))), n)
            text = s.text.replace("Facilitator summary: ", "Facilitator: (summary) ")
            lines.append(text)
            final.append(s)
        lines.append("")
    return lines, Return(org.file if org else UNLISTED_FILE, org_key, final, n, pii)


def make_cartref(comp: Composer, seed: int) -> tuple[bytes, Return]:
    org, rng = ORG["cartref"], _sub_rng(seed, "cartref")
    head = ["CARTREF CARE LEAVERS FORUM", "Focus group notes - draft Anti-Racism Delivery Plan",
            "Newport, 3 March 2026. 14 care-experienced young people (16-24), two facilitators.",
            "Notes typed up the same evening. P numbers are the order people sat in, not names.", ""]
    lines, ret = _notes(comp, rng, "cartref", org.n_participants, org.cohort, org.area,
                        ["1. HAVE WE LISTENED?", "2. HAVE WE CORRECTLY INTERPRETED THE CHALLENGES?",
                         "3. HAVE WE OUTLINED THE SOLUTIONS?", "4. ANY OTHER COMMENTS"], 0.8, prompts=TXT_PROMPTS)
    return ("\n".join(head + lines)).encode("utf-8"), ret


# ---- 8. Markdown notes from a Welsh-language group -----------------------------------------------------
MD_PROMPTS = {
    "listened": "Gofynnon ni a oedd y bobl ifanc yn gweld eu syniadau nhw yn y cynllun drafft.",
    "interpreted": "Buon ni'n trafod a ydy'r cynllun yn deall yr heriau sy'n wynebu pobl ifanc yn yr ardal.",
    "solutions": "Edrychon ni ar y camau gweithredu yn y cynllun.",
    "other": "Oes unrhyw beth arall hoffech chi ei ddweud?",
}


def make_menter(comp: Composer, seed: int) -> tuple[bytes, Return]:
    org, rng = ORG["menter"], _sub_rng(seed, "menter")
    head = ["# Menter Ieuenctid Eryri - nodiadau grŵp ffocws", "",
            "Grŵp ffocws gyda 16 o bobl ifanc (13-18 oed) yng Nghaernarfon a Bangor, Mawrth 2026. "
            "Roedd y drafodaeth yn Gymraeg yn bennaf; mae rhai atebion yn Saesneg fel y cawson nhw eu dweud.", ""]
    lines, ret = _notes(comp, rng, "menter", org.n_participants, org.cohort, org.area,
                        ["## Ydych chi wedi gwrando?", "## Ydyn ni wedi dehongli'r heriau'n gywir?",
                         "## Ydyn ni wedi amlinellu'r atebion?", "## Unrhyw sylwadau eraill"],
                        0.75, p_welsh=0.72, prompts=MD_PROMPTS)
    # Markdown paragraphs need a blank line between them.
    md: list[str] = []
    for line in lines:
        md.append(line)
        if line and not line.startswith("#"):
            md.append("")
    text = "\n".join(head + md)
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
    return text.encode("utf-8"), ret


def make_unlisted(comp: Composer, seed: int) -> tuple[bytes, Return]:
    rng = _sub_rng(seed, "unlisted")
    head = ["Notes from Barry youth forum - sent late by email, sorry!", "8 young people, one session, March 2026", ""]
    lines, ret = _notes(comp, rng, "unlisted", UNLISTED_PARTICIPANTS, "serious_violence", "South Wales",
                        ["Q1 - listened", "Q2 - the challenges", "Q3 - solutions", "Anything else"], 0.75)
    return ("\n".join(head + lines)).encode("utf-8"), ret


# ---- 9. PDF report -----------------------------------------------------------------------------------
LATIN1_FIX = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}


def _latin1(text: str) -> str:
    for a, b in LATIN1_FIX.items():
        text = text.replace(a, b)
    text.encode("latin-1")  # fail loudly rather than write '?' into the PDF
    return text


PDF_INTROS = {
    "listened": "Most of the men we interviewed had taken part in some kind of consultation before. Their views on "
                "whether CJIW has listened were split, and several were cynical about being asked again.",
    "interpreted": "Men recognised many of the challenges the plan describes, particularly around custody, "
                   "sentencing and what happens on release. Some felt the plan underplays what happens inside.",
    "solutions": "People welcomed the commitments on prevention and rehabilitation but wanted to know who would "
                 "deliver them and with what money.",
    "other": "Other points raised in the interviews:",
}


def make_ail(comp: Composer, seed: int) -> tuple[bytes, Return]:
    from fpdf import FPDF

    org, rng = ORG["ail"], _sub_rng(seed, "ail")
    per_q: dict[str, list[Answer]] = {}
    answers: list[Answer] = []
    for q in QUESTIONS:
        n = {"listened": 9, "interpreted": 10, "solutions": 9, "other": 6}[q]
        # Travellers are over-represented in prison: some interviewees speak from that experience.
        per_q[q] = [comp.compose(q, rng.choice(org.cohort.split(";") * 3 + ["gypsy_roma_traveller"]), org.area)
                    for _ in range(n)]
        answers += per_q[q]
    pii = plant_pii(rng, "ail", answers)
    it = iter(answers)
    per_q = {q: [next(it) for _ in items] for q, items in per_q.items()}
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 3, 19, 10, 0, 0, tzinfo=UTC))
    pdf.set_author("Sample generator (synthetic)")
    pdf.set_title(f"{org.name} - response to the draft Anti-Racism Delivery Plan")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, new_x="LMARGIN", new_y="NEXT", text=_latin1(f"{org.name}\nResponse to the draft Anti-Racism Delivery Plan"))
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", text=_latin1(
        "We held 26 one-to-one interviews in February and March 2026: with men at HMP Swansea and HMP Parc who "
        "will be released to Carmarthenshire and Pembrokeshire, and with young men on our mentoring programme who are at risk of "
        "serious violence. Quotes are in the men's own words. This report was prepared by our engagement team."))
    headings = {"listened": "1. Have we listened?", "interpreted": "2. Have we correctly interpreted the challenges?",
                "solutions": "3. Have we outlined the solutions?", "other": "4. Other comments"}
    final: list[Answer] = []
    for q in QUESTIONS:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 8, new_x="LMARGIN", new_y="NEXT", text=headings[q])
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", text=_latin1(PDF_INTROS[q]))
        final.append(Answer(q, PDF_INTROS[q], "en", (), "", "summary", "facilitator"))
        for a in per_q[q]:
            pdf.ln(2)
            a.text = _latin1(a.text)
            pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", text=f'"{a.text}"')
            final.append(a)
    return bytes(pdf.output()), Return(org.file, org.key, final, org.n_participants, pii)


# ---- 10. Word: interviews under Q headings -------------------------------------------------------------
def make_pont(comp: Composer, seed: int) -> tuple[bytes, Return]:
    org, rng = ORG["pont"], _sub_rng(seed, "pont")
    headings = ["Q1. Listened", "Q2. Interpreted the challenges", "Q3. Solutions", "Q4. Anything else"]
    plan, answers = [], []
    for q, h in zip(QUESTIONS, headings, strict=True):
        people = []
        for p in range(1, org.n_participants + 1):
            a = _participant_answers(comp, rng, org, q, 0.9 if q != "other" else 0.55, p_blank=0.05)
            if a is not None:
                people.append(p)
                answers.append(a)
        plan.append((h, people))
    pii = plant_pii(rng, "pont", answers)
    doc = _new_docx(f"{org.name} - interviews")
    doc.add_heading(f"{org.name} - interviews about the draft plan", level=1)
    doc.add_paragraph("Twelve one-to-one interviews with women from the asylum-seeking and settled communities in "
                      "Newport, some with a community interpreter. Interviewee numbers are ours.")
    final: list[Answer] = []
    it = iter(answers)
    for h, people in plan:
        doc.add_heading(h, level=2)
        for p in people:
            a = next(it)
            doc.add_paragraph(f"Interviewee {p}: {a.text}")
            final.append(a)
    return _docx_bytes(doc), Return(org.file, org.key, final, org.n_participants, pii)


# ---- bad inputs ---------------------------------------------------------------------------------------
def make_no_question_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Attendance"
    ws.append(["Session date", "Venue", "Attendees", "Cost (GBP)", "Notes"])
    for row in [["2026-02-10", "Carmarthen site", 8, 120.0, "Lunch provided"],
                ["2026-02-17", "Llanelli community hall", 7, 185.5, "Hall hire and travel"],
                ["2026-02-24", "Haverfordwest youth centre", 7, 96.0, "Pizza"],
                [None, "Total", 22, 401.5, None]]:
        ws.append(row)
    return _xlsx_bytes(wb)


def make_broken_docx() -> bytes:
    return (b"This attachment was saved from an email preview and is not a real Word document.\r\n"
            b"Original message could not be displayed.\r\n") * 3


def make_jpg() -> bytes:
    # A tiny but well-formed JPEG header: enough to be recognisably an image, not a return.
    return (bytes.fromhex("FFD8FFE000104A46494600010100000100010000") + bytes(range(64)) + bytes.fromhex("FFD9"))


# --------------------------------------------------------------------------------------------
# Manifest, README and the whole build
# --------------------------------------------------------------------------------------------
def manifest_rows() -> list[dict[str, str]]:
    """The manifest lines: the ten returns, the re-sent copy and the bad files the manifest names."""
    rows = [{"file": o.file, "organisation": o.name, "cohort": o.manifest_cohort, "police_force_area": o.manifest_area,
             "engagement_method": o.manifest_method, "n_participants": str(o.n_participants), "language": o.language,
             "date_received": o.date_received} for o in ORGS]
    s, d, t, w, p = ORG["sanctuary"], ORG["drws"], ORG["teithio"], ORG["wrvn"], ORG["pont"]
    rows += [
        {"file": RESENT_FILE, "organisation": s.name, "cohort": s.manifest_cohort, "police_force_area": s.manifest_area,
         "engagement_method": s.manifest_method, "n_participants": str(s.n_participants), "language": "en",
         "date_received": "2026-03-17"},
        {"file": BROKEN_FILE, "organisation": d.name, "cohort": "prison", "police_force_area": "North Wales",
         "engagement_method": "interview", "n_participants": "4", "language": "en", "date_received": "2026-03-11"},
        {"file": NO_QUESTION_FILE, "organisation": t.name, "cohort": "Gypsy Roma Traveller",
         "police_force_area": "Dyfed-Powys", "engagement_method": "focus_group", "n_participants": "",
         "language": "en", "date_received": "2026-03-13"},
        {"file": EMPTY_FILE, "organisation": w.name, "cohort": "community", "police_force_area": "All Wales",
         "engagement_method": "survey", "n_participants": "", "language": "en", "date_received": "2026-03-16"},
        {"file": MISSING_FILE, "organisation": p.name, "cohort": "asylum_seekers", "police_force_area": "Gwent",
         "engagement_method": "interview", "n_participants": "6", "language": "en", "date_received": "2026-03-20"},
    ]
    return sorted(rows, key=lambda r: r["file"])


MAKERS = [("llais", make_llais), ("drws", make_drws), ("cyf", make_cyf), ("teithio", make_teithio),
          ("wrvn", make_wrvn), ("sanctuary", make_sanctuary), ("cartref", make_cartref), ("menter", make_menter),
          ("ail", make_ail), ("pont", make_pont)]

FILE_NOTES: dict[str, tuple[str, str, str]] = {
    # file: (format, quirk, what ingest should do)
    "llais_y_cwm_focus_groups.docx": (
        "Word (.docx)", "Question headings (Heading 2: 'Have we listened?', 'Q2 ...', 'Q3 - ...', 'Any other comments') "
        "followed by 'Participant N: ...' paragraphs and a 'Facilitator summary: ...' paragraph per question.",
        "Accept. Question from the heading above each paragraph; 'Facilitator summary' lines are speaker=facilitator."),
    "drws_agored_berwyn_feedback.docx": (
        "Word (.docx) with a table", "Answers in a table: Participant | Question 1 | Question 2 | Question 3 | Other "
        "comments; some cells blank or 'N/A'; a few answers in Welsh; a last 'Facilitator notes' row.",
        "Accept. Question from the table's header row; empty/N/A cells are blanks (not answers)."),
    "cyf_participant_responses.xlsx": (
        "Excel (.xlsx), one row per participant", "Columns Participant ID, Age group, Cohort, Area, then one column per "
        "question with survey-style wording; one answer pasted twice (exact duplicate in the next row) and one "
        "re-typed with a one-letter slip (near duplicate); an extra 'About' sheet with two lines of notes.",
        "Accept. Flag the exact and the near duplicate; the 'About' sheet has no question (unknown or skipped)."),
    "teithio_ymlaen_feedback.xlsx": (
        "Excel (.xlsx), one sheet per question", "Sheets 'Q1 Listened', 'Q2', 'Q3 Solutions', 'Other'; a merged title "
        "row ('Feedback from ... focus groups, March 2026') above the header Group | Participant | What people said; "
        "the Group cell is merged down each group's rows; on sheet 'Q2' one answer is split over two rows "
        "(the continuation row has an empty participant).",
        "Accept. Question from the sheet name; skip the title row; fill merged Group cells down; join the "
        "continuation row onto the answer above it."),
    "wrvn_online_survey_export.csv": (
        "CSV, UTF-8 with a byte-order mark, CRLF", "Online-survey export: one row per respondent, long survey-wording "
        "question headers ('1. Do you feel the draft plan shows...'), start/completion times, a per-row area column "
        "(including 'Prefer not to say'); many blank cells, some answers in Welsh, one answer with a line break inside.",
        "Accept. Strip the BOM; question from the column header; blanks are not answers."),
    "sanctuary_friends_responses.csv": (
        "CSV, Windows-1252 (cp1252), CRLF", "Not valid UTF-8: curly apostrophes and quotes (\u2019 \u201c \u201d) and en "
        "dashes (\u2013) in answers. Columns Ref | Group | Q1 Listened | Q2 Interpreted | Q3 Solutions | Other comments.",
        "Accept. Detect the encoding (cp1252) and decode; question from the column header."),
    RESENT_FILE: (
        "CSV, Windows-1252", "A byte-identical copy of sanctuary_friends_responses.csv (the organisation sent it twice).",
        "Flag as an exact_file duplicate: every row counted as a duplicate, none kept twice."),
    "cartref_focus_group_notes.txt": (
        "Plain text", "Focus-group notes: upper-case numbered question headings, 'Facilitator: ...' prompt lines, "
        "'P1: ...' and unnumbered 'Participant: ...' answers, a 'Facilitator: (summary) ...' line per question.",
        "Accept. Facilitator lines are speaker=facilitator; 'Participant:' lines become group-level participants."),
    "menter_eryri_nodiadau.md": (
        "Markdown", "Notes from a Welsh-language group: Welsh question headings ('## Ydych chi wedi gwrando?', "
        "'## Ydyn ni wedi dehongli'r heriau'n gywir?', ...), Welsh facilitator prompts, most answers in Welsh, some "
        "in English, 'Dim sylw' (no comment) answers, and a Welsh answer holding a street address and postcode.",
        "Accept. Welsh headings map through the question aliases; language detected as cy; 'Dim sylw' is a blank."),
    "ail_gyfle_report.pdf": (
        "PDF (text layer, more than one page)", "An organisation's typed report: numbered question headings, an organisation-voice "
        "paragraph under each, then quoted interview answers as paragraphs.",
        "Accept. Question from the heading; the summary paragraph is the facilitator's voice."),
    "pont_interviews.docx": (
        "Word (.docx)", "Interviews under 'Q1. Listened' ... 'Q4. Anything else' headings; speaker lines are "
        "'Interviewee N: ...' (not 'Participant').",
        "Accept. Interviewee lines are participants."),
    UNLISTED_FILE: (
        "Plain text", "A valid return (a youth forum's notes sent late by email) that the manifest does NOT name.",
        "Accept with organisation/cohort/area 'unknown'; the ledger says it is not in the manifest."),
    MISSING_FILE: (
        "(missing)", "Named in the manifest but not on disk.", "Ledger line with status 'missing'; nothing else fails."),
    BROKEN_FILE: (
        "Word name, not a Word file", "Named .docx but is plain text (not a zip archive): corrupt.",
        "Reject with a plain-English reason (corrupt / cannot be opened, ask the organisation to send it again)."),
    EMPTY_FILE: (
        "CSV, 0 bytes", "An empty file (the second page of a survey export that never arrived).",
        "Reject: empty file."),
    UNKNOWN_FORMAT_FILE: (
        "JPEG image (86 bytes)", "A flipchart photo that arrived broken: a JPEG header and no picture.", "Reject: the image cannot be opened (corrupt or truncated), named in the ledger. A whole photo would be read by OCR."),
    NO_QUESTION_FILE: (
        "Excel (.xlsx)", "An attendance and budget sheet (Session date, Venue, Attendees, Cost, Notes): no question.",
        "Reject: no answers. It is an administrative table, so every column is metadata (each listed in the ledger)."),
}

ANSWER_KINDS = ("answer", "exact_duplicate", "near_duplicate", "split_answer")


def summarise(returns: list[Return]) -> dict:
    """Counts over the generated returns (what the README reports and the tests check)."""
    per_file = {}
    themes_total: Counter = Counter()
    theme_orgs: dict[str, set] = defaultdict(set)
    questions: Counter = Counter()
    pii: Counter = Counter()
    for r in returns:
        ans = [a for a in r.answers if a.kind in ANSWER_KINDS and a.speaker == "participant"]
        blanks = [a for a in r.answers if a.kind in ("blank", "na")]
        fac = [a for a in r.answers if a.speaker == "facilitator"]
        welsh = [a for a in ans if a.language == "cy"]
        per_file[r.file] = {"answers": len(ans), "blank_or_na": len(blanks), "facilitator": len(fac),
                            "welsh": len(welsh), "participants": r.participants, "pii": sum(r.pii.values())}
        for a in ans:
            questions[a.question] += 1
            for t in a.themes:
                themes_total[t] += 1
                theme_orgs[t].add(r.org)
        pii.update(r.pii)
    return {
        "files": per_file,
        "answers": sum(f["answers"] for f in per_file.values()),
        "blank_or_na": sum(f["blank_or_na"] for f in per_file.values()),
        "facilitator": sum(f["facilitator"] for f in per_file.values()),
        "welsh": sum(f["welsh"] for f in per_file.values()),
        "participants": sum(f["participants"] for f in per_file.values()),
        "questions": dict(sorted(questions.items())),
        "themes": {t: themes_total[t] for t in THEME_NAMES},
        "theme_orgs": {t: len(theme_orgs[t]) for t in THEME_NAMES},
        "pii": dict(sorted(pii.items())),
        # (file, question, kind, text) of every participant answer, for the tests' duplicate checks.
        "texts": [(r.file, a.question, a.kind, a.text) for r in returns for a in r.answers
                  if a.kind in ANSWER_KINDS and a.speaker == "participant"],
    }


def render_readme(stats: dict, seed: int) -> str:
    """The README beside the sample: synthetic warning, files, quirks, expected ingest behaviour, totals."""
    lines = [
        "# The bundled sample consultation (SYNTHETIC)",
        "",
        "**Everything in this folder is synthetic.** It was written by `scripts/make_sample.py` for the demo and the "
        "tests. No real person took part: the organisations are fictional, the quotes were composed from a bank of "
        "hand-written statements, and the planted personal data (names, phone numbers in Ofcom's drama ranges, "
        "`@example.org` emails, postcodes, prison and National Insurance numbers, dates of birth, a street address) "
        "is made up so that the redaction step has something to find. Places, police forces, prisons and public "
        "bodies (Cardiff, Gwent Police, HMP Parc, ...) appear often and are NOT personal data.",
        "",
        f"Regenerate with `.venv/bin/python scripts/make_sample.py` (seed {seed}; reruns write identical bytes). "
        "The generator does not touch `edi/` (equality data) or `plans/` (draft plans), which other scripts write.",
        "",
        "## Manifest",
        "",
        "`returns.csv`: " + ", ".join(f"`{c}`" for c in MANIFEST_COLUMNS) + ". Some values use human wording "
        "('Youth Justice', 'Gwent Police', 'Newport', 'Online survey', 'Care experienced') so that vocabulary "
        "mapping is exercised; several cohorts are joined by `;`.",
        "",
        "## Files",
        "",
        "| file | format | quirk | what ingest should do | participant answers | blank / N/A | facilitator lines | Welsh answers |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (fmt, quirk, expect) in FILE_NOTES.items():
        f = stats["files"].get(name)
        counts = (f"{f['answers']} | {f['blank_or_na']} | {f['facilitator']} | {f['welsh']}" if f
                  else ("same as the original | | |" if name == RESENT_FILE else "- | - | - | -"))
        cells = [c.replace("|", "\\|") for c in (fmt, quirk, expect)]
        lines.append(f"| `{name}` | {' | '.join(cells)} | {counts} |")
    pii = ", ".join(f"{k} {v}" for k, v in stats["pii"].items())
    themes = "\n".join(f"- {THEME_NAMES[t]}: {n} answers from {stats['theme_orgs'][t]} of the 11 returns"
                       for t, n in stats["themes"].items())
    lines += [
        "",
        "Expected to be rejected: `broken_return.docx` (corrupt), `survey_export_part2.csv` (empty), "
        "`flipchart_photo.jpg` (a broken image), `attendance_and_budget.xlsx` (all metadata, no answers). "
        "`pont_interviews_part2.docx` is missing (a ledger line, nothing else). "
        f"`{RESENT_FILE}` is an exact duplicate of a file already read.",
        "",
        "Metadata columns (participant IDs, start and completion times, age groups, and the cohort, group and area "
        "columns) are not answers: ingest counts them cell by cell in the ledger (status `metadata`) and never keeps "
        "their values as text; a title row above a sheet's header is ledgered as not an answer.",
        "",
        "## Totals (over the returns that load, not counting the re-sent copy)",
        "",
        f"- Organisations: {len(ORGS)} (plus one return from an organisation the manifest does not name)",
        f"- Participants (manifest numbers, plus {UNLISTED_PARTICIPANTS} in the unlisted return): {stats['participants']}",
        f"- Participant answers (not blank): {stats['answers']}, of which in Welsh: {stats['welsh']}",
        "- By question: " + ", ".join(f"{q} {n}" for q, n in stats["questions"].items()),
        f"- Blank or 'N/A' / 'Dim sylw' cells and lines: {stats['blank_or_na']}",
        f"- Facilitator lines (prompts, summaries, organisation-voice paragraphs): {stats['facilitator']}",
        "- Planted duplicates: one whole file sent twice; one answer pasted twice and one near-duplicate "
        "(a one-letter slip) in `cyf_participant_responses.xlsx`",
        f"- Planted personal data by kind: {pii}",
        "",
        "Themes the answers were composed from (an answer can touch several; the four 'Emergent' themes are "
        "deliberately NOT priority areas of the plan, for topic modelling to find):",
        "",
        themes,
        "",
    ]
    return "\n".join(lines)


def build_sample(seed: int = DEFAULT_SEED) -> tuple[dict[str, bytes], dict]:
    """Generate every sample file in memory.

    Args:
        seed: Seed of the random generator; the same seed gives the same bytes.

    Returns:
        (file name -> bytes, summary counts).
    """
    comp = Composer(Random(seed))
    files: dict[str, bytes] = {}
    returns: list[Return] = []
    for _key, maker in MAKERS:
        data, ret = maker(comp, seed)
        files[ret.file] = data
        returns.append(ret)
    data, ret = make_unlisted(comp, seed)
    files[UNLISTED_FILE] = data
    returns.append(ret)
    files[RESENT_FILE] = files[ORG["sanctuary"].file]
    files[BROKEN_FILE] = make_broken_docx()
    files[EMPTY_FILE] = b""
    files[UNKNOWN_FORMAT_FILE] = make_jpg()
    files[NO_QUESTION_FILE] = make_no_question_xlsx()
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(manifest_rows())
    files["returns.csv"] = buf.getvalue().encode("utf-8")
    stats = summarise(returns)
    files["README.md"] = render_readme(stats, seed).encode("utf-8")
    return files, stats


def write_sample(out_dir: Path, seed: int = DEFAULT_SEED) -> dict:
    """Generate the sample and write it into ``out_dir`` (leaving edi/ and plans/ alone); return the counts."""
    files, stats = build_sample(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(files.items()):
        (out_dir / name).write_bytes(data)
    return stats


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python scripts/make_sample.py [OUT_DIR] [--seed N]``."""
    parser = argparse.ArgumentParser(description="Write the SYNTHETIC sample consultation (returns + manifest).")
    parser.add_argument("out_dir", nargs="?", type=Path, default=DEFAULT_OUT,
                        help="folder to write into (default: data/raw/sample)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 42)")
    args = parser.parse_args(argv)
    stats = write_sample(args.out_dir, args.seed)
    print(f"Wrote the synthetic sample to {args.out_dir}: {stats['answers']} answers "
          f"({stats['welsh']} in Welsh) from {stats['participants']} participants, "
          f"{stats['blank_or_na']} blank/N/A, {stats['facilitator']} facilitator lines; "
          f"personal data planted: {stats['pii']}.")
    print("Themes: " + ", ".join(f"{t} {n} ({stats['theme_orgs'][t]} orgs)" for t, n in stats["themes"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
