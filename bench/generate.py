"""Fill PostgreSQL with a large council's three years of work, fast, through COPY.

    .venv/bin/python bench/generate.py --database-url postgres://postgres@127.0.0.1:55440/db \
        [--contacts 1000000] [--force]

Migrates the database (app plus the benchmark's floor table), then writes: 20 service types
(seed_demo's five with their citizens' words, and fifteen more), their demand types, 200
front-office staff and 10 team leaders (password BENCH_PASSWORD), about 400,000 citizens, and
cases until --contacts contacts exist (about 700,000 cases for a million): first contacts and
repeat or chasing contacts on the same case, value and failure demand, steps, hand-offs,
closures, about 5% of cases still open, and a timeline entry for each. Every check constraint
holds and each case's opened_at is its first contact's received_at. Rows are generated in
chunks and streamed with COPY while the next chunk is made; then sequences are reset and the
tables vacuumed and analysed. Does nothing if the database already holds that many contacts
(unless --force). The audit trail is not generated (no page measured reads it).
"""

import argparse
import csv
import io
import math
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_PASSWORD = "bench-password-not-secret"
# Every team leader's authenticator app (two-factor sign-in is required for the role): the
# key, in hex, from which bench/load.py works out the code a leader types.
BENCH_AUTHENTICATOR_KEY = "3132333435363738393031323334353637383930"
STAFF = 200
TEAM_LEADERS = 10
CITIZENS_PER_CONTACT = 0.4
YEARS = 3
CHUNK_CASES = 20000
OPEN_BACKLOG_CHANCE = 0.06  # cases left open whatever their age: the backlog
ANONYMOUS = 0.05


# Indexes for "find a case" that the app's migrations do not have yet (PostgreSQL only, so they
# cannot go in Meta.indexes while tests run on SQLite): proposed in bench/RESULTS.md, applied
# here unless --no-proposed-indexes, so the benchmark shows their effect.
PROPOSED_INDEXES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # name__icontains: UPPER(name) LIKE UPPER('%text%')
    "CREATE INDEX IF NOT EXISTS citizen_name_trgm_idx ON cases_citizen "
    "USING gin (upper(name) gin_trgm_ops)",
    # phone__contains: phone LIKE '%digits%'
    "CREATE INDEX IF NOT EXISTS citizen_phone_trgm_idx ON cases_citizen "
    "USING gin (phone gin_trgm_ops)",
    # postcode__startswith under a non-C collation: postcode LIKE 'LS6 2%'
    "CREATE INDEX IF NOT EXISTS citizen_postcode_pattern_idx ON cases_citizen "
    "(postcode text_pattern_ops)",
    # email__iexact: UPPER(email) = UPPER('text')
    "CREATE INDEX IF NOT EXISTS citizen_email_upper_idx ON cases_citizen (upper(email))",
]


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()


# --- The council's services -----------------------------------------------------------------

# (slug, name, thing, weight, median days, [(demand type, words, resolution), ...])
MORE_SERVICES = [
    (
        "fly-tipping",
        "Fly-tipping",
        "fly-tipping",
        4.0,
        4,
        [
            (
                "Report fly-tipping",
                "Someone's dumped a mattress and bags of rubbish in the back lane behind {street}.",
                "Cleansing crew cleared the dumped waste.",
            ),
            (
                "Report fly-tipping",
                "There's a pile of building rubble by the garages, it's been there since {day}.",
                "Rubble removed; the site added to the enforcement watch list.",
            ),
        ],
    ),
    (
        "street-lighting",
        "Street light fault",
        "street light",
        3.0,
        9,
        [
            (
                "Report a street light out",
                "The lamp post outside number {n} has been out all week, it's pitch black.",
                "Engineer replaced the lamp unit.",
            ),
            (
                "Report a street light out",
                "The street light keeps flickering on and off all night by my house.",
                "Faulty photocell replaced.",
            ),
        ],
    ),
    (
        "council-tax-payment",
        "Council tax payments",
        "council tax",
        5.0,
        6,
        [
            (
                "Set up a payment plan",
                "I can't pay the full council tax this month, can I spread it out?",
                "Instalments rearranged over the remaining months.",
            ),
            (
                "Ask about a bill",
                "My council tax bill's gone up and I don't understand why.",
                "Explained the band and the discount change; bill confirmed correct.",
            ),
        ],
    ),
    (
        "single-person-discount",
        "Single person discount",
        "discount",
        2.0,
        8,
        [
            (
                "Apply for a discount",
                "My husband passed away in {month}, I live on my own now.",
                "Single person discount applied from the date of change.",
            ),
            (
                "Apply for a discount",
                "My son's moved out so it's just me in the house.",
                "Discount applied; new bill issued.",
            ),
        ],
    ),
    (
        "housing-benefit",
        "Housing benefit change",
        "housing benefit",
        4.0,
        14,
        [
            (
                "Report a change of circumstances",
                "I've started a new job on {day}, what do I need to do about my housing benefit?",
                "Claim reassessed with the new earnings.",
            ),
            (
                "Ask about a claim",
                "My housing benefit has stopped and the rent's due.",
                "Missing payslips received and the claim restored.",
            ),
        ],
    ),
    (
        "parking-permit",
        "Residents' parking permit",
        "parking permit",
        3.0,
        5,
        [
            (
                "Apply for a permit",
                "I've moved into {street} and need a residents' permit.",
                "Permit issued and posted.",
            ),
            (
                "Renew a permit",
                "My parking permit ran out and I've had a ticket.",
                "Permit renewed; the ticket cancelled as the renewal reminder was not sent.",
            ),
        ],
    ),
    (
        "noise-nuisance",
        "Noise nuisance",
        "noise",
        2.5,
        21,
        [
            (
                "Report noise",
                "The neighbours play music till three every night, I can't sleep.",
                "Diary sheets reviewed; warning letter served on the neighbour.",
            ),
            (
                "Report noise",
                "A dog barks all day at number {n} while they're at work.",
                "Officer visited; owner agreed a plan and the barking stopped.",
            ),
        ],
    ),
    (
        "graffiti",
        "Graffiti removal",
        "graffiti",
        1.5,
        6,
        [
            (
                "Report graffiti",
                "There's offensive graffiti on the bus shelter on {street}.",
                "Graffiti removed within a day as it was offensive.",
            ),
        ],
    ),
    (
        "dropped-kerb",
        "Dropped kerb application",
        "dropped kerb",
        1.0,
        30,
        [
            (
                "Apply for a dropped kerb",
                "I want a dropped kerb so I can park on my drive.",
                "Site survey done, application approved and works booked.",
            ),
        ],
    ),
    (
        "tree-works",
        "Trees on council land",
        "tree",
        2.0,
        25,
        [
            (
                "Report a dangerous tree",
                "A big branch is hanging off the tree by the school gates.",
                "Arborist made the tree safe the same week.",
            ),
            (
                "Ask for tree works",
                "The council tree outside is blocking all our light.",
                "Tree inspected and crown-lifted at the next scheduled visit.",
            ),
        ],
    ),
    (
        "school-admissions",
        "School admissions",
        "school place",
        2.0,
        20,
        [
            (
                "Apply for a school place",
                "We've just moved here and need a school place for my daughter.",
                "In-year place offered at the nearest school with space.",
            ),
        ],
    ),
    (
        "blue-badge",
        "Blue badge",
        "blue badge",
        2.0,
        18,
        [
            (
                "Apply for a blue badge",
                "My mum can't walk far now, can she get a blue badge?",
                "Assessment done and badge issued.",
            ),
            ("Renew a blue badge", "My blue badge runs out next month.", "Badge renewed."),
        ],
    ),
    (
        "pest-control",
        "Pest control",
        "pest problem",
        2.0,
        7,
        [
            (
                "Book pest control",
                "We've got rats in the garden, I've seen them by the shed.",
                "Treatment visits done; rats cleared.",
            ),
            (
                "Book pest control",
                "There's a wasps' nest in the eaves over the front door.",
                "Nest treated on the first visit.",
            ),
        ],
    ),
    (
        "abandoned-vehicle",
        "Abandoned vehicle",
        "car",
        1.5,
        12,
        [
            (
                "Report an abandoned vehicle",
                "A car with no plates has been left on {street} for a month.",
                "Vehicle checked, notice served and removed.",
            ),
        ],
    ),
    (
        "garden-waste",
        "Garden waste subscription",
        "garden waste bin",
        3.5,
        4,
        [
            (
                "Subscribe to garden waste",
                "I'd like to sign up for the brown bin collections.",
                "Subscription set up and the bin delivered.",
            ),
            (
                "Ask about a subscription",
                "I paid for garden waste but nobody's delivered the bin.",
                "Bin delivered; the delivery list corrected.",
            ),
        ],
    ),
]
GENERIC_STEPS = {
    "value": ("Booked the work with the team that does it.", "Work done and checked."),
    "wait": ("Waiting for the contractor to confirm a date.",),
    "check": ("Checked the records before going ahead.",),
    "rework": ("Details were wrong on the job; raised it again.",),
    "chase": ("Chased the team: nothing done yet.",),
}
GENERIC_MATTERS = ("I work shifts, so ring after four.", "I just want to know when.", "")
FIRST_FAILURE = 0.22
FOLLOW_UP_FAILURE = 0.85
ONE_STOP = 0.25
HANDOFF = 0.10
FIRST_CHANNELS = {"phone": 55, "web": 15, "email": 11, "face_to_face": 8, "social": 7, "letter": 4}
FOLLOW_CHANNELS = {"phone": 62, "email": 14, "web": 8, "face_to_face": 8, "social": 8}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "March", "June", "September", "November")


class Plan:
    """Each service's words, flows and ids, as plain tuples for speed."""

    def __init__(self, rng: random.Random):
        from demo import data as demo

        self.demo = demo
        self.services = []  # dicts
        for service in demo.SERVICES:
            self.services.append(
                {
                    "slug": service.slug,
                    "name": service.name,
                    "description": service.description,
                    "thing": service.thing,
                    "weight": service.weight * 40,  # seed_demo's weights sum to 1
                    "median": service.flow.median_days,
                    "sigma": service.flow.sigma,
                    "needs": [(n.demand_type, n.words, n.resolution) for n in service.needs],
                    "more_info": service.more_info_words,
                    "failure_words": {
                        **demo.GENERIC_FAILURE_WORDS,
                        **{k: v for k, v in service.failure_words.items() if v},
                    },
                    "notes": {**demo.GENERIC_PREVENTION_NOTES, **service.prevention_notes},
                    "matters": (*service.what_matters, ""),
                    "one_stop": service.one_stop_resolutions
                    or ("Answered there and then; nothing more needed.",),
                    "handoff": service.handoff_reasons + demo.GENERIC_HANDOFF_REASONS,
                    "steps": {k: v for k, v in service.flow.step_words.items() if v},
                }
            )
        for slug, name, thing, weight, median, needs in MORE_SERVICES:
            self.services.append(
                {
                    "slug": slug,
                    "name": name,
                    "description": f"{name}: requests and reports from residents.",
                    "thing": thing,
                    "weight": weight,
                    "median": median,
                    "sigma": 0.8,
                    "needs": needs,
                    "more_info": (f"Here are the details about the {thing} you asked for.",),
                    "failure_words": demo.GENERIC_FAILURE_WORDS,
                    "notes": demo.GENERIC_PREVENTION_NOTES,
                    "matters": GENERIC_MATTERS,
                    "one_stop": ("Answered there and then; nothing more needed.",),
                    "handoff": demo.GENERIC_HANDOFF_REASONS,
                    "steps": GENERIC_STEPS,
                }
            )
        self.weights = [s["weight"] for s in self.services]


def _weighted(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _poisson(rng, lam: float) -> int:
    threshold, count, product = math.exp(-lam), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _office(ts: float, rng) -> float:
    """Move a moment into office hours (08:30-17:30 UTC-ish, weekdays) on or after its day."""
    day = math.floor(ts / 86400)
    weekday = (day + 3) % 7  # 1 Jan 1970 was a Thursday
    if weekday >= 5:
        day += 7 - weekday
    return day * 86400 + rng.uniform(8.5 * 3600, 17.5 * 3600)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


class Copier:
    """COPY rows (lists of values; NULL is NULL) into a model's table through one psycopg2
    cursor. Columns the generator does not know (fields added to the app since) get their
    field's default, so the generator keeps working as the models grow."""

    def __init__(self, cursor):
        self.cursor = cursor

    @staticmethod
    def _defaults(model, columns: list[str]) -> tuple[list[str], list[str]]:
        extra, values = [], []
        for field in model._meta.concrete_fields:
            if field.column in columns or field.null or not field.has_default():
                continue
            value = field.get_default()
            extra.append(field.column)
            values.append({True: "t", False: "f"}.get(value, value) if value is not None else NULL)
        return extra, values

    def copy(self, model, columns: list[str], rows: list) -> None:
        if not rows:
            return
        extra, values = self._defaults(model, columns)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if extra:
            writer.writerows(row + values for row in rows)
        else:
            writer.writerows(rows)
        buffer.seek(0)
        self.cursor.copy_expert(
            f"COPY {model._meta.db_table} ({', '.join(columns + extra)}) FROM STDIN "
            "WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )


NULL = "\\N"
CASE_COLUMNS = [
    "id", "service_type_id", "citizen_id", "owner_id", "status", "what_matters", "resolution",
    "opened_at", "closed_at", "version", "created_at", "is_dirty",
]  # fmt: skip
CONTACT_COLUMNS = [
    "id", "case_id", "service_type_id", "received_at", "recorded_at", "channel", "citizen_words",
    "recorded_by_id", "demand", "demand_type_id", "failure_category_id", "prevention_note",
    "is_one_stop",
]  # fmt: skip
TIMELINE_COLUMNS = [
    "id", "case_id", "kind", "step_kind", "description", "contact_id", "from_owner_id",
    "to_owner_id", "actor_id", "occurred_at", "recorded_at",
]  # fmt: skip
CITIZEN_COLUMNS = ["id", "name", "phone", "email", "address", "postcode", "created_at"]


def _reset(cursor) -> None:
    cursor.execute(
        "TRUNCATE cases_timelineentry, demand_contact, cases_case, cases_citizen, "
        "cases_auditentry, improvement_systemchange, demand_demandtype, cases_servicetype, "
        "bench_floor_floorrow, django_session, axes_accessattempt, axes_accesslog, "
        "axes_accessfailurelog, auth_user_groups, auth_user_user_permissions, django_admin_log, "
        "auth_user RESTART IDENTITY CASCADE"
    )


def _users(cursor, copier: Copier, now: datetime) -> tuple[list[int], list[int]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    cursor.execute("SELECT id, name FROM auth_group")
    groups = {name: pk for pk, name in cursor.fetchall()}
    password = make_password(BENCH_PASSWORD)
    rng = random.Random(7)
    rows, memberships, staff, leaders = [], [], [], []
    from demo.data import FIRST_NAMES, LAST_NAMES

    for i in range(1, STAFF + TEAM_LEADERS + 1):
        leader = i > STAFF
        username = f"leader{i - STAFF:02d}" if leader else f"staff{i:03d}"
        rows.append(
            [i, password, NULL, "f", username, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES),
             f"{username}@council.example", "f", "t", now.isoformat()]
        )  # fmt: skip
        memberships.append([i, i, groups["Team leader" if leader else "Front office"]])
        (leaders if leader else staff).append(i)
    copier.copy(
        get_user_model(),
        ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
         "email", "is_staff", "is_active", "date_joined"],
        rows,
    )  # fmt: skip
    copier.copy(get_user_model().groups.through, ["id", "user_id", "group_id"], memberships)
    return staff, leaders


def _citizens(copier: Copier, count: int, rng: random.Random, start: datetime) -> None:
    from cases.models import Citizen
    from demo.data import (
        DISTRICTS,
        EMAIL_DOMAINS,
        FIRST_NAMES,
        LAST_NAMES,
        POSTCODE_LETTERS,
        STREETS,
    )

    created = start.isoformat()
    rows = []
    for pk in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        district, outward = rng.choice(DISTRICTS)
        postcode = (
            f"{outward} {rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}"
            f"{rng.choice(POSTCODE_LETTERS)}"
        )
        has_email = rng.random() < 0.5
        local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
        rows.append(
            [
                pk,
                f"{first} {last}",
                f"07{rng.randrange(10**9):09d}" if rng.random() < 0.9 else "",
                f"{local}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}" if has_email else "",
                f"{rng.randint(1, 160)} {rng.choice(STREETS)}\n{district}",
                postcode if rng.random() < 0.85 else "",
                created,
            ]
        )
        if len(rows) == 50000:
            copier.copy(Citizen, CITIZEN_COLUMNS, rows)
            rows = []
    copier.copy(Citizen, CITIZEN_COLUMNS, rows)


EVIDENCE_MARKS = 200
CONDITION_TITLE = "Citizens are not told what happens next, or when"


def _authenticators() -> str:
    """A confirmed authenticator for every team leader without one (BENCH_AUTHENTICATOR_KEY),
    so bench/load.py can sign them in through the two-factor step as a person would."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from staff import two_factor

    leaders = (
        get_user_model()
        .objects.filter(username__startswith="leader")
        .exclude(totpdevice__confirmed=True)
    )
    made = TOTPDevice.objects.bulk_create(
        TOTPDevice(
            user=leader,
            name=two_factor.AUTHENTICATOR,
            key=BENCH_AUTHENTICATOR_KEY,
            confirmed=True,
        )
        for leader in leaders
    )
    return f"authenticators for {len(made)} team leaders made"


def _improvement() -> str:
    """The improvement register "did it work?" reads at council scale: the largest service's
    latest system change (made 150 days ago if it has none) addresses a system condition linked
    to the service's biggest kind of failure demand, with EVIDENCE_MARKS of those contacts
    marked as its evidence. Made once, like everything here: a later run finds them."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from cases.models import Case, ServiceType
    from demand.models import Contact, FailureCategory
    from improvement.models import ConditionEvidence, SystemChange, SystemCondition

    by_size = (
        Case.objects.values("service_type").annotate(n=Count("*")).order_by("-n", "service_type")
    )
    service = ServiceType.objects.get(pk=by_size[0]["service_type"])
    leader = get_user_model().objects.get(username="leader01")
    failures = Contact.objects.filter(service_type=service, demand=Contact.Demand.FAILURE)
    biggest = failures.values("failure_category").annotate(n=Count("*")).order_by("-n")[0]
    category = FailureCategory.objects.get(pk=biggest["failure_category"])
    condition = SystemCondition.objects.filter(title=CONDITION_TITLE, service_type=service).first()
    if condition is None:
        condition = SystemCondition.objects.create(
            title=CONDITION_TITLE,
            kind=SystemCondition.Kind.INFORMATION,
            service_type=service,
            description="The letter and the website say the request is logged, and nothing more.",
            recorded_by=leader,
        )
        condition.failure_categories.add(category)
    change = (
        SystemChange.objects.filter(service_type=service, withdrawn_at__isnull=True)
        .order_by("-changed_on", "-pk")
        .first()
    )
    if change is None:
        change = SystemChange.objects.create(
            changed_on=(datetime.now(UTC) - timedelta(days=150)).date(),
            service_type=service,
            description="Crews report misses from the cab.",
            recorded_by=leader,
        )
    if not change.expectation:
        change.purpose = "Get the bin collected, and the citizen told when, first time."
        change.method = "Crews report what they could not collect from the cab, as it happens."
        change.expectation = "Fewer calls chasing collections; the same or shorter waits."
        change.save(update_fields=["purpose", "method", "expectation"])
    change.conditions.add(condition)
    if not ConditionEvidence.objects.filter(condition=condition).exists():
        contacts = failures.filter(
            failure_category=category, received_at__lt=datetime.now(UTC) - timedelta(days=200)
        ).order_by("-received_at")[:EVIDENCE_MARKS]
        ConditionEvidence.objects.bulk_create(
            ConditionEvidence(condition=condition, contact=contact, marked_by=leader)
            for contact in contacts
        )
    marks = ConditionEvidence.objects.filter(condition=condition).count()
    return (
        f"system change of {change.changed_on} to {service.slug} addresses “{CONDITION_TITLE}” "
        f"({category.slug}, {marks} contacts marked as evidence)"
    )


def generate(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Case, ServiceType, TimelineEntry
    from demand.models import Contact, DemandType

    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    call_command("migrate", verbosity=0)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg2's, for copy_expert
        cursor.execute("SELECT count(*) FROM demand_contact")
        have = cursor.fetchone()[0]
        if have >= args.contacts and not args.force:
            progress(f"{have:,} contacts already there; nothing to do (--force to redo)")
            progress(_improvement())
            progress(_authenticators())
            if args.proposed_indexes:
                for sql in PROPOSED_INDEXES:
                    cursor.execute(sql)
                cursor.execute("VACUUM ANALYZE")
                progress("proposed search indexes in place")
            return
        _reset(cursor)
        copier = Copier(cursor)
        now = datetime.now(UTC).replace(microsecond=0)
        start = now - timedelta(days=round(365.25 * YEARS))
        now_ts, start_ts = now.timestamp(), start.timestamp()
        rng = random.Random(args.seed)
        plan = Plan(rng)

        staff, leaders = _users(cursor, copier, now)
        progress(f"{len(staff)} staff and {len(leaders)} team leaders")
        services = []
        demand_type_ids: dict[tuple[int, str], int] = {}
        service_rows, type_rows = [], []
        for pk, service in enumerate(plan.services, start=1):
            service_rows.append([pk, service["name"], service["slug"], service["description"], "t"])
            service["id"] = pk
            for name in dict.fromkeys(need[0] for need in service["needs"]):
                demand_type_ids[(pk, name)] = len(type_rows) + 1
                type_rows.append([len(type_rows) + 1, pk, name, "t"])
            services.append(service)
        copier.copy(ServiceType, ["id", "name", "slug", "description", "is_active"], service_rows)
        copier.copy(DemandType, ["id", "service_type_id", "name", "is_active"], type_rows)
        cursor.execute("SELECT slug, id FROM demand_failurecategory")
        categories = dict(cursor.fetchall())
        # Two redesigns, so the charts have phases: the largest service and everything.
        # (Every column the register's later migrations added has no database default.)
        cursor.execute(
            "INSERT INTO improvement_systemchange (changed_on, service_type_id, description, "
            "recorded_by_id, recorded_at, version, withdrawal_reason, purpose, method, "
            "expectation, status) VALUES (%s, %s, %s, %s, %s, 1, '', '', '', '', 'adopted'), "
            "(%s, NULL, %s, %s, %s, 1, '', '', '', '', 'adopted')",
            [
                (now - timedelta(days=150)).date(), 1, "Crews report misses from the cab.",
                leaders[0], now, (now - timedelta(days=500)).date(),
                "One number for every service.", leaders[0], now,
            ],
        )  # fmt: skip
        progress(f"{len(services)} service types, {len(demand_type_ids)} demand types")

        citizens = round(args.contacts * CITIZENS_PER_CONTACT)
        _citizens(copier, citizens, rng, start)
        progress(f"{citizens:,} citizens")

        span = now_ts - start_ts
        case_id = contact_id = entry_id = 0
        contacts_made = failures = open_cases = 0
        cases, contacts, entries = [], [], []
        choice, rand, uniform = rng.choice, rng.random, rng.uniform
        service_ids = list(range(len(services)))
        # The same mix of failure demand as the demo data.
        from demo.data import (
            FIRST_CONTACT_CATEGORIES,
            FOLLOW_UP_CATEGORIES,
        )

        follow_categories = list(FOLLOW_UP_CATEGORIES)
        follow_weights = list(FOLLOW_UP_CATEGORIES.values())
        first_categories = list(FIRST_CONTACT_CATEGORIES)
        first_weights = list(FIRST_CONTACT_CATEGORIES.values())
        channels_first, first_cw = list(FIRST_CHANNELS), list(FIRST_CHANNELS.values())
        channels_follow, follow_cw = list(FOLLOW_CHANNELS), list(FOLLOW_CHANNELS.values())
        step_kinds = ["value", "wait", "check", "rework", "chase"]
        step_kw = [5, 1, 1.5, 0.5, 1]

        def flush() -> None:
            copier.copy(Case, CASE_COLUMNS, cases)
            copier.copy(Contact, CONTACT_COLUMNS, contacts)
            copier.copy(TimelineEntry, TIMELINE_COLUMNS, entries)
            cases.clear()
            contacts.clear()
            entries.clear()

        def words(pool, service, ts) -> str:
            return choice(pool).format(
                thing=service["thing"],
                day=WEEKDAYS[int(ts // 86400 + 2) % 7],
                street="Station Road",
                n=rng.randint(1, 200),
                month=choice(MONTHS),
            )

        while contacts_made < args.contacts:
            case_id += 1
            service = services[rng.choices(service_ids, weights=plan.weights)[0]]
            sid = service["id"]
            first_channel = rng.choices(channels_first, first_cw)[0]
            opened = start_ts + span * contacts_made / args.contacts + uniform(0, 3600)
            if first_channel in ("phone", "face_to_face", "letter"):
                opened = _office(opened, rng)
            opened = min(opened, now_ts - 60)
            owner = choice(staff)
            taker = owner
            need = choice(service["needs"])
            demand_type = demand_type_ids[(sid, need[0])]
            one_stop = rand() < ONE_STOP
            if one_stop:
                closed = opened + uniform(60, 1200)
            else:
                days = rng.lognormvariate(math.log(service["median"]), service["sigma"])
                closed = _office(opened + days * 86400, rng)
                if closed < opened + 600:  # moved into office hours before it was opened
                    closed = opened + uniform(600, 7200)
            if closed > now_ts or (not one_stop and rand() < OPEN_BACKLOG_CHANCE):
                closed = None
                open_cases += 1
            until = closed if closed is not None else now_ts
            citizen = (
                NULL if rand() < ANONYMOUS else int(citizens * rand() ** 1.3) + 1
            )  # some citizens come back many times

            # The first contact.
            case_contacts = []
            is_failure = rand() < FIRST_FAILURE
            if is_failure:
                category = rng.choices(first_categories, first_weights)[0]
                text = words(service["failure_words"][category], service, opened)
                case_contacts.append(
                    (opened, first_channel, text, "failure", None, categories[category],
                     choice(service["notes"].get(category) or ("",)))
                )  # fmt: skip
            else:
                text = words((need[1],), service, opened)
                case_contacts.append((opened, first_channel, text, "value", demand_type, None, ""))
            # Repeat and chasing contacts while the case is open.
            if not one_stop:
                open_days = min((until - opened) / 86400, 90)
                for _ in range(min(_poisson(rng, 0.2 + open_days / 40), 8)):
                    ts = uniform(opened + 600, until) if until > opened + 600 else until
                    channel = rng.choices(channels_follow, follow_cw)[0]
                    if rand() < FOLLOW_UP_FAILURE:
                        category = rng.choices(follow_categories, follow_weights)[0]
                        pool = service["failure_words"].get(category) or (
                            "I'm chasing the {thing}.",
                        )
                        case_contacts.append(
                            (ts, channel, words(pool, service, ts), "failure",
                             None, categories[category], "")
                        )  # fmt: skip
                    else:
                        case_contacts.append(
                            (ts, channel, words(service["more_info"], service, ts), "value",
                             demand_type, None, "")
                        )  # fmt: skip
            case_contacts.sort()
            timeline = []  # (ts, kind, step_kind, description, contact, from, to, actor)
            for received, channel, text, demand, dtype, category, note in case_contacts:
                contact_id += 1
                recorder = taker if received == opened else choice(staff)
                failures += demand == "failure"
                contacts.append(
                    [contact_id, case_id, sid, _iso(received), _iso(received + 30), channel, text,
                     recorder, demand, dtype if dtype else NULL, category or NULL, note,
                     "t" if one_stop else "f"]
                )  # fmt: skip
                timeline.append(
                    (received, "contact", "", text[:200], contact_id, NULL, NULL, recorder)
                )
            contacts_made += len(case_contacts)
            version = 1
            if not one_stop:
                for _ in range(rng.randint(0, 2)):
                    kind = rng.choices(step_kinds, step_kw)[0]
                    pool = service["steps"].get(kind) or GENERIC_STEPS[kind]
                    ts = uniform(opened, until)
                    timeline.append((ts, "step", kind, choice(pool), NULL, NULL, NULL, owner))
                    version += 1
                if rand() < HANDOFF:
                    new_owner = choice(staff)
                    if new_owner != owner:
                        ts = uniform(opened, until)
                        timeline.append(
                            (ts, "handoff", "", choice(service["handoff"]), NULL, owner,
                             new_owner, owner)
                        )  # fmt: skip
                        owner = new_owner
                        version += 1
            resolution = ""
            if closed is not None:
                resolution = choice(service["one_stop"]) if one_stop else need[2]
                timeline.append((closed, "closed", "", resolution, NULL, NULL, NULL, owner))
                version += 1
            timeline.sort(key=lambda entry: entry[0])
            for ts, kind, step_kind, description, cid, from_owner, to_owner, actor in timeline:
                entry_id += 1
                entries.append(
                    [entry_id, case_id, kind, step_kind, description, cid, from_owner, to_owner,
                     actor, _iso(ts), _iso(ts + 30)]
                )  # fmt: skip
            dirty = any(contact[3] == "failure" for contact in case_contacts)
            cases.append(
                [case_id, sid, citizen, owner, "closed" if closed else "open",
                 choice(service["matters"]), resolution, _iso(opened),
                 _iso(closed) if closed else NULL, version, _iso(opened + 30),
                 "t" if dirty else "f"]
            )  # fmt: skip
            if len(cases) >= CHUNK_CASES:
                flush()
                progress(
                    f"{case_id:,} cases, {contacts_made:,}/{args.contacts:,} contacts, "
                    f"{entry_id:,} timeline entries"
                )
        flush()
        progress(
            f"{case_id:,} cases ({open_cases:,} open), {contacts_made:,} contacts "
            f"({failures / contacts_made:.0%} failure demand), {entry_id:,} timeline entries"
        )
        for table in (
            "auth_user", "cases_servicetype", "demand_demandtype", "cases_citizen", "cases_case",
            "demand_contact", "cases_timelineentry", "improvement_systemchange", "auth_user_groups",
        ):  # fmt: skip
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    progress(_improvement())
    progress(_authenticators())
    if args.proposed_indexes:
        with connection.cursor() as cursor:
            for sql in PROPOSED_INDEXES:
                cursor.execute(sql)
        progress("proposed search indexes made")
    progress("VACUUM ANALYZE ...")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    progress("done")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--force", action="store_true", help="regenerate even if data is there")
    parser.add_argument(
        "--no-proposed-indexes",
        dest="proposed_indexes",
        action="store_false",
        help="leave out the search indexes the app does not have yet (PROPOSED_INDEXES)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url must be a PostgreSQL URL")
    _setup(args.database_url)
    generate(args)


if __name__ == "__main__":
    main()
