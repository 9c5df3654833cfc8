"""The demo council's data: its people, services, and what citizens say to them, in their own
words. `manage.py seed_demo` (demo/management/commands/seed_demo.py) turns these into six
months of contacts and cases; bench/generate.py draws on them for the million.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time

from accounts import roles
from cases.models import TimelineEntry
from demand.models import Contact

DEMO_PASSWORD = "councilflow-demo"  # published on purpose: these are demo logins
# The demo team leader and administrator have two-factor sign-in on, as their roles require, with
# an authenticator key and recovery codes published on purpose too: someone trying the demo adds
# the key to an authenticator app, or types a recovery code. 20 bytes, as authenticator apps use.
DEMO_AUTHENTICATOR_KEY = b"councilflow-demo-key".hex()
DEMO_RECOVERY_CODES = [f"demo{n:04d}" for n in range(1, 11)]
DEFAULT_CONTACTS = 1500
DAYS = 182  # about six months, ending now
REDESIGN_DAYS_AGO = 91  # Housing repair's work was redesigned this many days ago.
REDESIGNED_SERVICE = "housing-repair"
SEED = 20250301
# A handful of cases opened this many days ago are still open: work in progress that must never
# hide behind a chart of closed cases. One per LONG_RUNNING_PER contacts, and at least 3.
LONG_RUNNING_DAYS = (61, 120)
LONG_RUNNING_PER = 300

PHONE = Contact.Channel.PHONE
FACE_TO_FACE = Contact.Channel.FACE_TO_FACE
EMAIL = Contact.Channel.EMAIL
WEB = Contact.Channel.WEB
LETTER = Contact.Channel.LETTER
SOCIAL = Contact.Channel.SOCIAL
VALUE = TimelineEntry.StepKind.VALUE
WAIT = TimelineEntry.StepKind.WAIT
REWORK = TimelineEntry.StepKind.REWORK
CHECK = TimelineEntry.StepKind.CHECK
CHASE = TimelineEntry.StepKind.CHASE


# --- People ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    is_admin: bool = False


ROLE_USERS = (
    DemoUser("frontoffice", "Priya", "Sharma", roles.FRONT_OFFICE),
    DemoUser("teamleader", "Gareth", "Hughes", roles.TEAM_LEADER),
    DemoUser("admin", "Helen", "Okafor", roles.ADMINISTRATOR, is_admin=True),
)
OTHER_FRONT_OFFICE = (
    DemoUser("sarah.ellis", "Sarah", "Ellis", roles.FRONT_OFFICE),
    DemoUser("tom.reid", "Tom", "Reid", roles.FRONT_OFFICE),
    DemoUser("aisha.rahman", "Aisha", "Rahman", roles.FRONT_OFFICE),
    DemoUser("dan.kowalski", "Dan", "Kowalski", roles.FRONT_OFFICE),
)
DEMO_USERS = ROLE_USERS + OTHER_FRONT_OFFICE
# Who takes first contacts (and so first owns the case): "frontoffice" most, so that signing in
# as frontoffice shows a full "My cases".
TAKER_WEIGHTS = {
    "frontoffice": 3,
    "sarah.ellis": 2,
    "tom.reid": 2,
    "aisha.rahman": 2,
    "dan.kowalski": 2,
}

FIRST_NAMES = (
    "Margaret", "David", "Susan", "John", "Karen", "Mohammed", "Emma", "James", "Fatima",
    "Paul", "Joanne", "Wojciech", "Sophie", "Andrew", "Amira", "Gary", "Claire", "Tariq",
    "Linda", "Ryan", "Bernadette", "Kwame", "Hannah", "Sean", "Gurpreet", "Dorothy", "Liam",
    "Agnieszka", "Neil", "Chloe", "Yusuf", "Pauline", "Craig", "Nadia", "Trevor", "Leanne",
    "Oluwaseun", "Rebecca", "Stephen", "Mei", "Kieran", "Shabana", "Graham", "Jade", "Imran",
    "Eileen", "Darren", "Zainab", "Colin", "Aoife",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Khan",
    "Walker", "Wright", "Robinson", "Thompson", "White", "Hussain", "Green", "Hall", "Wood",
    "Clarke", "Patel", "Jackson", "Nowak", "Harrison", "Begum", "O'Brien", "Mensah", "Turner",
    "Hill", "Ahmed", "Cooper", "Ward", "Morris", "Kaur", "Lewis", "Murphy", "Singh", "Baker",
    "Adeyemi", "Kelly", "Chen", "Moore", "Ali", "Atkinson", "Lee", "Campbell", "Shaw",
)  # fmt: skip
STREETS = (
    "Beech Grove", "Station Road", "Chapel Street", "Ashfield Avenue", "Meadow Lane",
    "Victoria Terrace", "Church Walk", "Oakwood Drive", "Mill Lane", "Highfield Road",
    "Queen's Crescent", "Foundry Close", "Parkside View", "Willow Court", "Back Nile Street",
    "Cross Flatts Place", "Hawthorn Rise", "Tannery Yard", "St Anne's Road", "Moorland Gardens",
)  # fmt: skip
# Districts of the (fictional) borough, each with its postcode district.
DISTRICTS = (
    ("Northfield", "LS6"), ("Eastbrook", "LS9"), ("Holme Bank", "LS11"), ("Westmoor", "LS12"),
    ("Bramhill", "LS13"), ("Kirkgate", "LS2"), ("Seacombe", "LS14"), ("Ravensworth", "LS8"),
)  # fmt: skip
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in the inward part of a postcode
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
ANONYMOUS_CHANCE = 0.05
REPEAT_CITIZEN_CHANCE = 0.15


def _phone_pool(rng: random.Random) -> list[str]:
    """Ofcom's numbers reserved for drama, so no real person is ever rung by mistake."""
    pool = [f"07700 900{n:03d}" for n in range(1000)]
    pool += [f"0113 496 0{n:03d}" for n in range(1000)]
    pool += [f"01632 960{n:03d}" for n in range(1000)]
    rng.shuffle(pool)
    return pool


# --- Failure demand -------------------------------------------------------------------------

FOLLOW_UP_CATEGORIES = {
    "progress-chasing": 40,
    "not-done": 18,
    "repeat-contact": 15,
    "not-done-right": 10,
    "complaint": 6,
    "passed-around": 6,
    "didnt-understand": 5,
}
FIRST_CONTACT_CATEGORIES = {
    "passed-around": 30,
    "didnt-understand": 30,
    "not-done-right": 15,
    "complaint": 10,
    "repeat-contact": 15,
}
FOLLOW_UP_VALUE_CHANCE = 0.15  # "here are the photos you asked for": value demand on a case
PREVENTION_NOTE_CHANCE = 0.8

GENERIC_FAILURE_WORDS = {
    "progress-chasing": (
        "Just ringing to find out what's happening with my {thing}, I've not heard anything.",
        "I've got a reference number from last week about the {thing}. Is anybody dealing with it?",
        "Can you tell me where we are with the {thing}? Nobody's been in touch.",
        "I'm chasing up the {thing} I reported. When's it actually going to happen?",
    ),
    "not-done": (
        "I was told someone would ring me back about the {thing} yesterday. Nobody did.",
        "You said it would be sorted by {day}. It hasn't been.",
    ),
    "not-done-right": ("It's still not right, and I explained it all last time.",),
    "repeat-contact": (
        "This is the third time I've been in touch about the {thing}.",
        "I filled the web form in on {day} about the {thing} and heard nothing, so I'm ringing.",
        "I emailed about the {thing} and got an automatic reply, that's all.",
    ),
    "didnt-understand": (
        "I got a letter about the {thing} and I honestly can't make head nor tail of it.",
        "The website sent me round in circles about the {thing}. What am I meant to do?",
    ),
    "passed-around": (
        "I've been put through to three different people about my {thing}. Can you help or not?",
        "The last person I spoke to said it's not their department. So whose is it?",
    ),
    "complaint": (
        "I want to make a formal complaint about how my {thing} has been handled.",
        "I'm fed up. Nobody takes ownership of the {thing}, I want to complain.",
    ),
}
GENERIC_PREVENTION_NOTES = {
    "progress-chasing": (
        "Give the citizen a date at the first contact and ring them if it changes.",
        "Tell them what happens next and when, instead of 'within 10 working days'.",
    ),
    "not-done": (
        "Check the promised jobs the same day, so a missed one is caught before the citizen "
        "has to tell us.",
        "Only promise a call-back that is booked in someone's diary.",
    ),
    "not-done-right": ("Capture exactly what is needed at the first contact and pass it on.",),
    "repeat-contact": (
        "Answer web forms and emails the same day; they rang because they heard nothing.",
    ),
    "didnt-understand": (
        "Rewrite the letter in plain English with the amount, the reason and what to do at "
        "the top.",
        "Fix the web page that sends people round in circles.",
    ),
    "passed-around": ("One number, answered by someone who can deal with it end to end.",),
    "complaint": ("Prevented by keeping the first promise we made.",),
}


def note_as_written(note: str, seed: str) -> str:
    """A prevention note as one of many people types it: mostly as it is, sometimes in lower
    case without the full stop, with "&" for "and", with a doubled space, or with two letters
    swapped in a long word (the notes page groups them back together). `seed` picks the way
    (its own random stream, so the demo's other draws stay as they were)."""
    rng = random.Random(seed)
    way = rng.random()
    if way < 0.55:
        return note
    if way < 0.72:
        return note[0].lower() + note[1:].rstrip(".")
    if way < 0.82:
        return note.replace(" and ", " & ")
    if way < 0.9:
        return note.replace(" ", "  ", 1)
    words = note.split(" ")
    long_ones = [i for i, word in enumerate(words) if len(word) > 6 and word.isalpha()]
    if not long_ones:
        return note
    i = rng.choice(long_ones)
    word = words[i]
    at = rng.randrange(1, len(word) - 2)
    words[i] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return " ".join(words)


# --- Services -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """How the work on a service's cases flows, in one design of the work."""

    median_days: float  # end-to-end, for cases not met in the first contact
    sigma: float  # spread of the log-normal end-to-end time
    chase_base: float  # expected follow-up contacts even for a quick case
    chase_interval_days: float  # one more follow-up per this many days open
    handoff_chance: float
    max_handoffs: int
    steps: tuple[int, int]  # how many steps, fewest and most
    step_weights: dict[str, float]
    # Words for each kind of step. Value steps are used in order, the last one for the work
    # that met the need.
    step_words: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Need:
    """One thing citizens ask a service for: their words, and how the need was met."""

    demand_type: str  # the council's name for it, in the citizens' terms
    words: str
    resolution: str
    one_stop: str = ""  # how it was met in the first contact, where that can happen
    matters: tuple[str, ...] = ()  # what matters to citizens with this need in particular


@dataclass(frozen=True)
class Service:
    slug: str
    name: str
    description: str
    weight: float  # share of new cases
    thing: str  # what the citizen calls it: "my {thing}"
    one_stop_chance: float
    first_failure_chance: float
    anonymous_chance: float
    flow: Flow
    needs: tuple[Need, ...]
    more_info_words: tuple[str, ...]
    failure_words: dict[str, tuple[str, ...]]
    prevention_notes: dict[str, tuple[str, ...]]  # by failure category
    what_matters: tuple[str, ...]  # for any need of this service
    one_stop_resolutions: tuple[str, ...]  # for any need without its own one-stop resolution
    handoff_reasons: tuple[str, ...]
    reopen_chance: float = 0.03
    redesigned_flow: Flow | None = None  # the flow after REDESIGN_DAYS_AGO

    def flow_at(self, when: datetime, redesign_at: datetime) -> Flow:
        if self.redesigned_flow and when >= redesign_at:
            return self.redesigned_flow
        return self.flow


GENERIC_HANDOFF_REASONS = (
    "Going on leave for two weeks; handed over with notes so the citizen has a named contact.",
    "Rebalancing work across the team; passed with full notes and the citizen told.",
)

MISSED_BIN = Service(
    slug="missed-bin-collection",
    name="Missed bin collection",
    description="A household or communal bin that was not emptied on its collection day.",
    weight=0.34,
    thing="bin",
    one_stop_chance=0.4,
    first_failure_chance=0.12,
    anonymous_chance=0.0,
    flow=Flow(
        median_days=2.5,
        sigma=0.5,
        chase_base=0.3,
        chase_interval_days=3.5,
        handoff_chance=0.12,
        max_handoffs=1,
        steps=(1, 3),
        step_weights={VALUE: 5, WAIT: 1, CHECK: 1.5, REWORK: 0.5, CHASE: 1},
        step_words={
            VALUE: (
                "Logged a return collection with the crew supervisor.",
                "Added the property to tomorrow's return list for the round.",
                "Crew returned and emptied the bin.",
            ),
            WAIT: ("Waiting for the crew to finish the round before they can come back.",),
            CHECK: (
                "Checked the in-cab system: the crew recorded 'bin not presented'.",
                "Checked the round sheet with the depot before booking a return.",
            ),
            REWORK: ("Return job was raised against the wrong address; raised it again.",),
            CHASE: ("Chased the depot: the return collection has not been done yet.",),
        },
    ),
    needs=(
        Need(
            "Report a missed collection",
            "My bin wasn't emptied on {day}, the whole street was done but not us.",
            "Crew returned and emptied the bin the next working day.",
        ),
        Need(
            "Report a missed collection",
            "The green bin's still full at the end of the drive. It was out by seven like always.",
            "Return collection done; the citizen confirmed the green bin was emptied.",
        ),
        Need(
            "Report a missed collection",
            "You've missed our recycling again this fortnight. It's overflowing and the foxes "
            "have been at it.",
            "Recycling emptied on a return visit; the round sheet corrected so the house isn't "
            "missed again.",
            matters=("The foxes get into it if it's left out.",),
        ),
        Need(
            "Report a missed collection",
            "Bin men came down the road this morning but skipped number 14, that's us.",
            "Crew returned and emptied the bin; number 14 added to the crew's notes.",
        ),
        Need(
            "Report a missed collection",
            "I put the brown garden waste bin out last night and it's still sitting there.",
            "Garden waste bin emptied on a return visit; the subscription checked and paid up.",
        ),
        Need(
            "Report a missed communal collection",
            "The communal bins at our flats haven't been emptied since last week and it's "
            "starting to smell.",
            "Communal bins emptied; the caretaker will unlock the bin store on collection day.",
        ),
        Need(
            "Report a missed assisted collection",
            "I'm ringing for my mum, she's 84 and has an assisted collection, and her bin's not "
            "been taken.",
            "Bin emptied and put back; the assisted collection is back on the round sheet.",
            matters=("My mum can't wheel the bin back up the drive herself.",),
        ),
        Need(
            "Report a missed collection",
            "Black bin not collected on {day}. Was it because the lid wasn't shut? It was shut.",
            "Crew returned and emptied the black bin; the crew's 'lid open' note was wrong.",
        ),
        Need(
            "Report a missed collection",
            "They did next door's bin and walked straight past ours.",
            "Crew returned and emptied the bin the next working day.",
        ),
    ),
    more_info_words=(
        "Just to say the bin store code is 2468, the crew couldn't get in last time.",
        "I've put the bin back out at the kerb for when the crew come back.",
    ),
    failure_words={
        "progress-chasing": (
            "I reported my bin on {day} and you said they'd be back within two days. Still full.",
            "When are the crew actually coming back for the bin I reported?",
        ),
        "not-done": (
            "You told me the crew would come back on {day}. They didn't.",
            "I was promised a return collection and nobody came.",
        ),
        "not-done-right": (
            "They came back but only took the recycling, the black bin's still full.",
            "The crew emptied it but left rubbish all over the pavement.",
        ),
        "didnt-understand": (
            "The calendar on the website says Tuesday but the leaflet says Wednesday. Which is it?",
        ),
        "passed-around": ("I rang the waste contractor and they told me to ring the council.",),
        "complaint": (
            "I want to complain. That's the fourth time our bin's been missed this year.",
        ),
    },
    prevention_notes={
        "progress-chasing": (
            "Tell the citizen the return date at the first call and have the crew confirm it.",
        ),
        "not-done": ("Have the crew confirm return collections the same day.",),
        "not-done-right": ("Crews to empty every bin at the property, not only the one listed.",),
        "didnt-understand": ("One collection calendar: take the old leaflet off the website.",),
        "passed-around": ("The contractor's line should take the report, not send people to us.",),
        "complaint": ("Keep the assisted-collection list on the round sheet so it isn't missed.",),
    },
    what_matters=(
        "I'm away from Friday and don't want it sitting there all week.",
        "There are nappies in there, it can't wait another fortnight.",
        "Just want it emptied before the weekend.",
    ),
    one_stop_resolutions=(
        "Crew were still on the street; radioed them and the bin was emptied while the citizen "
        "was on the phone.",
        "Explained the bank holiday change of collection day: the bin is due tomorrow, nothing "
        "was missed.",
    ),
    handoff_reasons=(
        "Assisted collection problem: passed to the colleague who manages the assisted list.",
        "Repeated misses on this street: passed to the colleague working with the depot on it.",
    ),
)

BULKY_WASTE = Service(
    slug="bulky-waste-collection",
    name="Bulky waste collection",
    description="Collecting large household items such as furniture and white goods.",
    weight=0.16,
    thing="bulky collection",
    one_stop_chance=0.2,
    first_failure_chance=0.1,
    anonymous_chance=0.0,
    flow=Flow(
        median_days=9,
        sigma=0.4,
        chase_base=0.3,
        chase_interval_days=7,
        handoff_chance=0.1,
        max_handoffs=1,
        steps=(1, 3),
        step_weights={VALUE: 5, WAIT: 2, CHECK: 1, REWORK: 0.5, CHASE: 0.8},
        step_words={
            VALUE: (
                "Booked the collection for the day the citizen chose.",
                "Items collected from the front of the property.",
            ),
            WAIT: ("Waiting for the next free slot on the bulky waste round.",),
            CHECK: ("Payment checked and confirmed by finance before the booking was made.",),
            REWORK: ("Booking listed the wrong items; rebooked with the right list.",),
            CHASE: ("Chased the bulky waste crew: the items are still on the drive.",),
        },
    ),
    needs=(
        Need(
            "Ask what a collection costs",
            "I need an old three-piece suite taking away, how much is it?",
            "Three-piece suite collected on the booked day.",
            matters=("The new sofa arrives on Saturday and the old one has to be gone by then.",),
        ),
        Need(
            "Book a collection of electrical items",
            "Can you collect a fridge freezer? It's stopped working and it's in the way.",
            "Fridge freezer collected; the citizen confirmed the area was left clear.",
        ),
        Need(
            "Book a house-clearance collection",
            "I'm clearing my dad's house and there's a wardrobe, a bed and two armchairs to go.",
            "Wardrobe, bed and armchairs collected in one visit.",
            matters=("I'm only up from London until Sunday to clear Dad's house.",),
        ),
        Need(
            "Book a collection of electrical items",
            "I'd like to book a collection for a mattress and a broken washing machine.",
            "Mattress and washing machine collected on the booked day.",
        ),
        Need(
            "Book a collection of household items",
            "We've had a new kitchen fitted and the old cupboards need taking.",
            "Kitchen units collected.",
        ),
        Need(
            "Book a collection of household items",
            "Can you take an old cooker and a kid's bike? They're in the front garden.",
            "Cooker and bike collected from the front garden.",
        ),
    ),
    more_info_words=(
        "I've added a small table to the pile, is that all right?",
        "The side gate will be open on the day, it's all round the back.",
    ),
    failure_words={
        "progress-chasing": ("I paid for a collection a fortnight ago and I've had no date.",),
        "not-done": (
            "Everything was out on {day} like you said and nobody came for it.",
            "I took the day off work for the collection and nobody turned up.",
        ),
        "not-done-right": ("They took some of it and left the rest on the drive.",),
        "didnt-understand": (
            "The booking page says 'up to three items' but is a bed one item or two?",
        ),
        "passed-around": ("The tip told me to ring you, and you told me to ring the tip.",),
        "complaint": ("It's been on the pavement a week and now I've had a fly-tipping letter.",),
    },
    prevention_notes={
        "progress-chasing": ("Let the citizen choose the collection day when they book.",),
        "not-done": ("Crew to ring the citizen if they cannot come on the booked day.",),
        "not-done-right": ("List every item on the booking so the crew take the lot.",),
        "didnt-understand": ("Say on the booking page what counts as one item.",),
    },
    what_matters=(
        "I can't get it down the stairs on my own.",
        "It needs to be a day I'm in, I work shifts.",
        "I don't want it left on the pavement for the neighbours to complain about.",
    ),
    one_stop_resolutions=(
        "Explained the item can go to the household recycling centre free; the citizen will "
        "take it there.",
        "Booked, paid and confirmed on the call; the citizen only needed the date.",
    ),
    handoff_reasons=("Refund needed for a cancelled slot: passed to the colleague who does them.",),
)

COUNCIL_TAX_MOVE = Service(
    slug="council-tax-change-of-address",
    name="Council tax change of address",
    description="Moving into, out of or within the borough: closing and opening the account.",
    weight=0.2,
    thing="council tax",
    one_stop_chance=0.55,
    first_failure_chance=0.2,
    anonymous_chance=0.0,
    flow=Flow(
        median_days=7,
        sigma=0.6,
        chase_base=0.4,
        chase_interval_days=6,
        handoff_chance=0.2,
        max_handoffs=1,
        steps=(1, 4),
        step_weights={VALUE: 4, WAIT: 2, CHECK: 1.5, REWORK: 1, CHASE: 1},
        step_words={
            VALUE: (
                "Updated the address and moving date on the account.",
                "Closing bill and new bill issued.",
            ),
            WAIT: ("Waiting for the tenancy agreement to come in as evidence of the move.",),
            CHECK: ("Sent to the senior officer to authorise a backdated change.",),
            REWORK: ("Bill issued for the wrong period; recalculated and issued again.",),
            CHASE: ("Chased the landlord for the date the tenancy ended.",),
        },
    ),
    needs=(
        Need(
            "Tell us I'm moving within the area",
            "I'm moving house on the 28th, from Beech Grove to a flat on Station Road.",
            "Address changed from the moving date; closing bill and new bill issued.",
            one_stop="Change of address made on the call; new bill and direct debit confirmed "
            "while the citizen waited.",
        ),
        Need(
            "Tell us I've moved into the area",
            "I've just moved into the borough and need to set up council tax.",
            "New account set up from the moving-in date, with a direct debit.",
            one_stop="Account set up on the call from the moving-in date; the first instalment "
            "date read out.",
        ),
        Need(
            "Ask for a single person discount",
            "My son's moved out, so it's just me now. Does that change anything?",
            "Single person discount applied from the date the son moved out; new bill sent.",
            one_stop="Single person discount applied on the call and the new instalments read out.",
            matters=("I'm on a pension, every bit helps.",),
        ),
        Need(
            "Tell us I've moved out of the area",
            "We've moved out of our rented house and I want to close the council tax account.",
            "Account closed on the moving date and the overpayment refunded.",
            one_stop="Account closed on the call from the moving date; the refund confirmed.",
        ),
        Need(
            "Tell us I'm moving within the area",
            "I'm moving in with my partner and we need to sort the council tax for both places.",
            "Old account closed and the partner's account changed to joint names from the move.",
        ),
        Need(
            "Tell us I'm moving within the area",
            "I filled in the moving form online but it didn't ask for my new address.",
            "New address added from the form's moving date; the closing bill sent to it.",
            one_stop="Took the new address on the call and sent the closing bill to it.",
        ),
    ),
    more_info_words=(
        "I've emailed a copy of the tenancy agreement like you asked.",
        "The new landlord is Mr Patel, if you need his details for the account.",
        "I've set up the direct debit from my new bank, here are the details.",
    ),
    failure_words={
        "progress-chasing": ("I told you I'd moved a month ago and I've still not had a bill.",),
        "not-done": ("I've had a reminder for the old house. I told you I'd moved out in March.",),
        "not-done-right": (
            "The new bill's in my name and my old housemate's, but he doesn't live here.",
            "You've charged me from the wrong date, I didn't get the keys until the 14th.",
        ),
        "didnt-understand": (
            "I've got a letter saying I owe £312 but I moved out, I don't understand it.",
            "Why have I got two bills? Am I paying for both?",
        ),
        "passed-around": (
            "Housing benefit told me to ring council tax, and council tax told me to ring "
            "housing benefit.",
        ),
        "complaint": ("I've been sent a summons for a house I don't live in. It's not right.",),
    },
    prevention_notes={
        "not-done": ("Stop recovery action as soon as a move is reported.",),
        "not-done-right": (
            "Let people tell us their moving date once, online, and update every account from it.",
        ),
        "didnt-understand": ("Explain on the bill why there are two and which one to pay.",),
        "complaint": ("Stop recovery action as soon as a move is reported.",),
    },
    what_matters=(
        "I don't want to be charged for both houses.",
        "I need the new bill for my universal credit claim.",
        "I just want it right so I'm not chased for money I don't owe.",
    ),
    one_stop_resolutions=(),
    handoff_reasons=(
        "Backdated change needs the council tax specialist.",
        "Landlord's account involved: passed to the colleague handling landlord accounts.",
    ),
)

POTHOLE = Service(
    slug="pothole-report",
    name="Pothole report",
    description="A pothole or defect in a road, pavement or cycle lane.",
    weight=0.15,
    thing="pothole",
    one_stop_chance=0.06,
    first_failure_chance=0.1,
    anonymous_chance=0.25,
    flow=Flow(
        median_days=14,
        sigma=0.5,
        chase_base=0.2,
        chase_interval_days=12,
        handoff_chance=0.25,
        max_handoffs=1,
        steps=(2, 4),
        step_weights={VALUE: 4, WAIT: 2, CHECK: 2, REWORK: 0.8, CHASE: 1},
        step_words={
            VALUE: (
                "Highways inspector assessed the pothole on site.",
                "Repair crew filled the pothole.",
            ),
            WAIT: ("Waiting for the next highways inspection round in the area.",),
            CHECK: ("Inspector measured the depth against the intervention level first.",),
            REWORK: ("Temporary fill has broken up already; ordered a permanent repair.",),
            CHASE: ("Chased the highways contractor for a repair date.",),
        },
    ),
    needs=(
        Need(
            "Report a pothole on a road",
            "There's a massive pothole on Meadow Lane by the bus stop, cars are swerving round it.",
            "Meadow Lane pothole inspected and filled; the reporter told the date it was done.",
        ),
        Need(
            "Report a pothole on a road",
            "Pothole outside the school on Chapel Street, it's full of water so you can't see how "
            "deep it is.",
            "Made safe the day after inspection; permanently patched in the half-term holiday.",
            matters=("The children cross there every morning.",),
        ),
        Need(
            "Report a pothole that caused an injury",
            "My daughter came off her bike in a pothole on Mill Lane. Someone needs to look at it.",
            "Mill Lane pothole inspected and repaired; a claim form sent to the family.",
            matters=("My daughter cycles to school down that road.",),
        ),
        Need(
            "Report a road breaking up",
            "The road's breaking up at the junction of Station Road and Highfield Road.",
            "Inspected: below the intervention depth, so added to the resurfacing programme and "
            "the reporter told why.",
        ),
        Need(
            "Report a damaged pavement",
            "There's a hole in the pavement on Victoria Terrace, my neighbour's mobility scooter "
            "nearly tipped.",
            "Victoria Terrace pavement repaired; the reporter told it was done.",
            matters=("My neighbour uses a mobility scooter on that pavement.",),
        ),
        Need(
            "Report a pothole on a road",
            "Three potholes in a row on Oakwood Drive, you can hear every car bang through them.",
            "All three Oakwood Drive potholes filled in one visit.",
        ),
    ),
    more_info_words=(
        "I've sent a photo with a tape measure in it, it's about four inches deep.",
        "It's right outside number 42, next to the drain cover.",
    ),
    failure_words={
        "progress-chasing": ("I reported that pothole three weeks ago and it's still there.",),
        "not-done": ("The website says 'repaired' but the hole's still there, I drove past it.",),
        "not-done-right": (
            "They filled it last week and it's already come out again.",
            "They fixed a pothole but not the one I reported, mine's further up.",
        ),
        "didnt-understand": (
            "The email says it 'does not meet the intervention criteria'. What does that mean?",
        ),
        "passed-around": ("The bus company said it's your road and to ring you.",),
        "complaint": ("It's burst two of my tyres now. How do I claim for them?",),
    },
    prevention_notes={
        "progress-chasing": (
            "Tell the reporter the inspection date and the outcome without them having to ask.",
        ),
        "not-done": ("Only mark a job repaired when the crew have photographed it done.",),
        "not-done-right": ("Repair it properly the first time instead of a temporary fill.",),
        "didnt-understand": ("Explain 'intervention level' in plain words in the reply.",),
    },
    what_matters=(
        "It's already burst one of my tyres.",
        "Somebody's going to come off their bike there.",
    ),
    one_stop_resolutions=(
        "Already repaired this morning by the highways crew; confirmed with the citizen.",
        "It's a private road: explained who owns it and gave the citizen their details.",
    ),
    handoff_reasons=(
        "Passed to the highways liaison colleague to follow up with the contractor.",
        "Insurance claim mentioned: passed to the colleague who handles claims.",
    ),
)

HOUSING_REPAIR = Service(
    slug=REDESIGNED_SERVICE,
    name="Housing repair",
    description="A repair to a council home, reported by the tenant.",
    weight=0.15,
    thing="repair",
    one_stop_chance=0.06,
    first_failure_chance=0.15,
    anonymous_chance=0.0,
    reopen_chance=0.06,
    flow=Flow(
        median_days=22,
        sigma=0.35,
        chase_base=0.5,
        chase_interval_days=7,
        handoff_chance=0.8,
        max_handoffs=3,
        steps=(3, 7),
        step_weights={VALUE: 2, WAIT: 3, CHECK: 3, REWORK: 1.5, CHASE: 1.5},
        step_words={
            VALUE: (
                "Works order raised with the contractor.",
                "Operative completed the repair.",
            ),
            WAIT: (
                "Waiting for the contractor's next available appointment.",
                "Waiting for parts to be ordered by the contractor.",
            ),
            CHECK: (
                "Works order over £250 sent to the supervisor for authorisation.",
                "Surveyor's inspection booked before the works order can be raised.",
                "Post-inspection of the completed job booked.",
            ),
            REWORK: (
                "Operative arrived without the right part; a second visit is needed.",
                "Job was raised under the wrong trade; cancelled and raised again.",
            ),
            CHASE: ("Chased the contractor: the job is still not completed.",),
        },
    ),
    redesigned_flow=Flow(
        median_days=6,
        sigma=0.35,
        chase_base=0.1,
        chase_interval_days=12,
        handoff_chance=0.08,
        max_handoffs=1,
        steps=(1, 3),
        step_weights={VALUE: 6, WAIT: 0.6, CHECK: 0.3, REWORK: 0.3, CHASE: 0.2},
        step_words={
            VALUE: (
                "Craftsperson rang the tenant and agreed a visit at a time the tenant chose.",
                "Craftsperson diagnosed it with the tenant on the doorstep.",
                "Fixed on the first visit: the van carries the common parts now.",
            ),
            WAIT: ("Waiting for a specialist part; the tenant has been told the date.",),
            CHECK: ("Gas safety check before the boiler work.",),
            REWORK: ("The first fix didn't hold; the same craftsperson went back the next day.",),
            CHASE: ("Chased the supplier for the specialist part.",),
        },
    ),
    needs=(
        Need(
            "Report a leak or plumbing fault",
            "The kitchen tap's been dripping for weeks and now it won't turn off properly.",
            "Kitchen tap replaced; it turns off properly now.",
        ),
        Need(
            "Report damp and mould",
            "There's black mould all up the bedroom wall and my little girl's got a cough.",
            "Mould treated, the cause found (a blocked air brick) and an extractor fan fitted.",
            matters=("There's a baby in the house and the damp is on her bedroom wall.",),
        ),
        Need(
            "Report no heating or hot water",
            "The boiler keeps cutting out and we've had no hot water since {day}.",
            "Boiler part fitted; the heating and hot water are back on.",
            one_stop="Talked the tenant through resetting the boiler; the hot water came back on "
            "during the call.",
            matters=("The heating's off and I'm 79.",),
        ),
        Need(
            "Report a door or window that won't lock",
            "The back door won't lock, the frame's rotten. I don't feel safe.",
            "New back door frame fitted and the lock working.",
            matters=("I live on my own and I don't feel safe at night.",),
        ),
        Need(
            "Report a leak or plumbing fault",
            "Water's coming through the bathroom ceiling from the flat above.",
            "Leak from the flat above traced and fixed; the ceiling made good.",
        ),
        Need(
            "Report a leak or plumbing fault",
            "The toilet won't flush and we've only got the one.",
            "Toilet cistern mechanism replaced; it flushes properly.",
        ),
        Need(
            "Report an electrical fault",
            "Half the sockets in the living room have stopped working.",
            "Faulty socket circuit repaired and tested by the electrician.",
            one_stop="Talked the tenant through resetting the trip switch; the sockets work again.",
        ),
        Need(
            "Report a door or window that won't lock",
            "The window in the front bedroom won't close, it's freezing at night.",
            "Window hinge replaced; the window closes and locks.",
        ),
    ),
    more_info_words=(
        "I've taken photos like the lady asked, I'll email them now.",
        "My daughter will be in on Thursday if that's easier for the visit.",
        "I'm in every morning this week if they need to come and look.",
    ),
    failure_words={
        "progress-chasing": (
            "I reported this a month ago, has anything even been booked?",
            "Is anybody actually coming? It's been nearly three weeks.",
        ),
        "not-done": (
            "I waited in all day on {day} for the repair man and nobody came.",
            "The surveyor came and said someone would be in touch. Nobody has.",
        ),
        "not-done-right": (
            "They came out but it's gone again already.",
            "He said he didn't have the right part and he'd have to come back.",
            "They patched it up and it's no better.",
        ),
        "didnt-understand": (
            "I got a card through the door saying 'no access' but I was in all day.",
        ),
        "passed-around": (
            "The contractor says it's the council's job, and the council says ring the contractor.",
        ),
        "complaint": (
            "I want to complain. Three weeks of waiting in for people who don't turn up.",
        ),
    },
    prevention_notes={
        "progress-chasing": ("Let the tenant choose the appointment time at the first contact.",),
        "not-done": ("Book the visit with the tenant, not for them, and ring if it has to move.",),
        "not-done-right": (
            "Send someone who can fix it, with the parts, instead of a surveyor first.",
            "Treat the cause, not the symptom: find out why before fixing.",
        ),
        "passed-around": (
            "One person owns the repair from report to fix, so nobody is passed around.",
        ),
        "didnt-understand": ("Ring before a visit; a 'no access' card tells the tenant nothing.",),
    },
    what_matters=(
        "I need someone to come when I'm home, I work nights.",
        "I want it fixed properly this time, not patched again.",
        "I don't want to take another day off work for a no-show.",
    ),
    one_stop_resolutions=(),
    handoff_reasons=(
        "Needs a surveyor's inspection: passed to the surveying coordinator.",
        "Passed to the repairs planner to raise the works order with the contractor.",
        "Damp and mould: passed to the colleague who handles disrepair cases.",
        "Contractor dispute: passed to the contract monitoring colleague.",
    ),
)

SERVICES = (MISSED_BIN, BULKY_WASTE, COUNCIL_TAX_MOVE, POTHOLE, HOUSING_REPAIR)


# --- Check → Plan → Do: what the repairs team found, and the redesign that addressed it ---------


@dataclass(frozen=True)
class DemoCondition:
    """A system condition the repairs team found studying its demand, with its evidence: the
    kinds of failure demand and waste steps it causes, and the words in the notes that mark a
    contact as its evidence."""

    title: str
    kind: str  # SystemCondition.Kind
    description: str
    failure_categories: tuple[str, ...]
    waste_step_kinds: tuple[str, ...]
    evidence_words: tuple[str, ...]  # a note with any of these makes its contact evidence


REPAIR_CONDITIONS = (
    DemoCondition(
        title="Works orders wait for back-office authorisation",
        kind="procedure",
        description=(
            "A works order over £250 goes to a supervisor to authorise, and many repairs get a "
            "surveyor's inspection before the order can be raised. The tenant waits while the "
            "order sits in a queue, and rings to ask what is happening."
        ),
        failure_categories=("progress-chasing", "not-done"),
        waste_step_kinds=("wait", "check"),
        evidence_words=("surveyor", "inspection", "authoris", "book the visit", "owns the repair"),
    ),
    DemoCondition(
        title="Repair letters give no date for the visit",
        kind="information",
        description=(
            "The letter says the repair has been booked, but not the day or the time, so the "
            "tenant has to ring to find out, and is out when the trade calls."
        ),
        failure_categories=("progress-chasing", "didnt-understand"),
        waste_step_kinds=(),
        evidence_words=("date", "appointment", "what happens next", "no access"),
    ),
    DemoCondition(
        title="The trade is sent without the right parts",
        kind="procedure",
        description=(
            "The job is raised from the call in a few words; the operative arrives without the "
            "part and a second visit is booked."
        ),
        failure_categories=("not-done-right",),
        waste_step_kinds=("rework",),
        evidence_words=("parts", "fix it", "the cause", "capture exactly"),
    ),
)
REPAIR_REDESIGN = {
    "description": (
        "Repairs redesigned: the person who takes the call books the repair directly into the "
        "trades' diaries, with no back-office inspection."
    ),
    "purpose": "Fix my repair at a time that suits me, first time.",
    "method": (
        "For four weeks two craftspeople and two call-takers worked the repairs from one desk: "
        "the call-taker booked the visit with the tenant at a time they chose, the craftsperson "
        "rang before coming and carried the common parts. The supervisor's authorisation and "
        "the pre-inspection were dropped once the team saw they changed no decision."
    ),
    "expectation": (
        "Tenants no longer ring to ask when the repair will be done; repairs done in one visit, "
        "at a time the tenant chose; end-to-end times much shorter and more predictable."
    ),
    "status": "adopted",
}
EVIDENCE_MARKED_PER_CONDITION = 12

FIRST_CONTACT_CHANNELS = {PHONE: 55, WEB: 15, EMAIL: 11, FACE_TO_FACE: 8, SOCIAL: 7, LETTER: 4}
FOLLOW_UP_CHANNELS = {PHONE: 62, EMAIL: 14, WEB: 8, FACE_TO_FACE: 8, SOCIAL: 8}
OUT_OF_HOURS_CHANNELS = (WEB, EMAIL, SOCIAL)  # the only channels open at weekends and evenings
OFFICE_HOURS = (time(8, 30), time(17, 30))
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# FixMyStreet, registered as an Open311 client, and the reports citizens sent through it that
# wait in "Arrived online" (as FixMyStreet composes them: title, detail, its link).
DEMO_CLIENT = "FixMyStreet"
ONLINE_REPORTS = (
    {
        "service_code": "pothole-report",
        "description": (
            "title: Deep pothole on Otley Road\n\ndetail: There's a pothole about a foot across "
            "outside the bus stop by number 212. A cyclist nearly came off this morning.\n\n"
            "url: https://www.fixmystreet.com/report/9001\n\nSubmitted via FixMyStreet\n"
        ),
        "first_name": "Hannah",
        "last_name": "Okafor",
        "email": "hannah.okafor@example.org",
        "lat": "53.826512",
        "long": "-1.575730",
        "attribute[easting]": "427950",
        "attribute[northing]": "436530",
        "attribute[closest_address]": "212 Otley Road, Leeds LS16 5AB",
        "media_url": "https://www.fixmystreet.com/photo/9001.0.full.jpeg",
    },
    {
        "service_code": "missed-bin-collection",
        "description": (
            "title: Recycling bin not emptied again\n\ndetail: Our green bin was out on time on "
            "Tuesday and it's still full. This is the third time since September.\n\n"
            "url: https://www.fixmystreet.com/report/9002\n\nSubmitted via FixMyStreet\n"
        ),
        "first_name": "Tom",
        "last_name": "Price",
        "email": "tom.price@example.org",
        "lat": "53.801022",
        "long": "-1.563941",
        "attribute[closest_address]": "14 Hyde Park Road, Leeds LS6 1AH",
    },
    {
        "service_code": "missed-bin-collection",
        "description": (
            "title: Bin left in the middle of the pavement\n\ndetail: After collection the bin "
            "was left across the pavement and my neighbour in a wheelchair couldn't get past."
            "\n\nurl: https://www.fixmystreet.com/report/9003\n\nSubmitted via FixMyStreet\n"
        ),
        "lat": "53.797850",
        "long": "-1.556204",
    },
)
