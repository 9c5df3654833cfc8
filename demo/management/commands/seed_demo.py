"""`manage.py seed_demo`: demo users, service types and about six months of realistic demand.

Plain `seed_demo` is idempotent: the users and service types are made once, and the six months of
contacts only when there are no demo contacts yet. `seed_demo --contacts N` adds N more contacts
(spread over the same six months, ending now), which is how to make larger volumes.

The data follow the invariants the services keep: a case opens at its first contact, every contact
is on its case's timeline, ownership changes only by a recorded hand-off, closed cases have a
resolution and a closing entry, and nothing happens in the future. Housing repair was redesigned
REDESIGN_DAYS_AGO days ago, and its end-to-end times drop from about three weeks to under a week.
"""

import base64
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import Truncator
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from cases.models import (
    Case,
    Citizen,
    ServiceType,
    TimelineEntry,
    normalise_phone,
    normalise_postcode,
)
from demand.models import Contact, DemandType, FailureCategory
from demo.data import (
    ANONYMOUS_CHANCE,
    DAYS,
    DEFAULT_CONTACTS,
    DEMO_AUTHENTICATOR_KEY,
    DEMO_CLIENT,
    DEMO_PASSWORD,
    DEMO_RECOVERY_CODES,
    DEMO_USERS,
    DISTRICTS,
    EMAIL_DOMAINS,
    EVIDENCE_MARKED_PER_CONDITION,
    FACE_TO_FACE,
    FIRST_CONTACT_CATEGORIES,
    FIRST_CONTACT_CHANNELS,
    FIRST_NAMES,
    FOLLOW_UP_CATEGORIES,
    FOLLOW_UP_CHANNELS,
    FOLLOW_UP_VALUE_CHANCE,
    GENERIC_FAILURE_WORDS,
    GENERIC_HANDOFF_REASONS,
    GENERIC_PREVENTION_NOTES,
    LAST_NAMES,
    LONG_RUNNING_DAYS,
    LONG_RUNNING_PER,
    OFFICE_HOURS,
    ONLINE_REPORTS,
    OTHER_FRONT_OFFICE,
    OUT_OF_HOURS_CHANNELS,
    PHONE,
    POSTCODE_LETTERS,
    PREVENTION_NOTE_CHANCE,
    REDESIGN_DAYS_AGO,
    REDESIGNED_SERVICE,
    REPAIR_CONDITIONS,
    REPAIR_REDESIGN,
    REPEAT_CITIZEN_CHANCE,
    REWORK,
    ROLE_USERS,
    SEED,
    SERVICES,
    STREETS,
    TAKER_WEIGHTS,
    VALUE,
    WEEKDAYS,
    Service,
    _phone_pool,
    note_as_written,
)
from improvement.models import SystemChange, SystemCondition
from improvement.services import (
    evidence_mark_many,
    system_change_correct,
    system_change_record,
    system_condition_record,
)
from open311 import services as open311_services
from open311.models import Client

# --- Generating ------------------------------------------------------------------------------


def _in_office_hours(when: datetime) -> bool:
    local = timezone.localtime(when)
    return local.weekday() < 5 and OFFICE_HOURS[0] <= local.time() < OFFICE_HOURS[1]


@dataclass
class CasePlan:
    """One case with its contacts and timeline, ready to be bulk-created."""

    case: Case
    contacts: list[Contact] = field(default_factory=list)
    # Timeline entries in time order; a CONTACT entry is paired with its contact, whose pk is
    # only known once the contacts are saved.
    entries: list[tuple[TimelineEntry, Contact | None]] = field(default_factory=list)


class DemoGenerator:
    def __init__(self, *, rng: random.Random, now: datetime, users: dict, staff: list):
        self.rng = rng
        self.now = now
        self.start = now - timedelta(days=DAYS)
        self.redesign_at = now - timedelta(days=REDESIGN_DAYS_AGO)
        self.users = users
        self.team_leader = users["teamleader"]
        self.staff = staff  # everyone in the front office: contacts and hand-offs go to them
        self.takers = [users[name] for name in TAKER_WEIGHTS]
        self.taker_weights = list(TAKER_WEIGHTS.values())
        self.service_types = {
            service.slug: ServiceType.objects.get(slug=service.slug) for service in SERVICES
        }
        self.demand_types = {
            (demand_type.service_type.slug, demand_type.name): demand_type
            for demand_type in DemandType.objects.select_related("service_type")
        }
        self.categories = {category.slug: category for category in FailureCategory.objects.all()}
        missing = set(FOLLOW_UP_CATEGORIES) - set(self.categories)
        if missing:
            raise CommandError(
                f"Failure categories {sorted(missing)} are missing: run `manage.py migrate`."
            )
        used = set(Citizen.objects.exclude(phone="").values_list("phone", flat=True))
        self.phones = [p for p in _phone_pool(rng) if normalise_phone(p) not in used]
        self.citizens: list[Citizen] = []
        self.used_words: set[str] = set()  # on the case being planned

    # Small helpers

    def _weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _words(self, pool: tuple[str, ...], service: Service, when: datetime) -> str:
        day = WEEKDAYS[timezone.localtime(when - timedelta(days=self.rng.randint(1, 3))).weekday()]
        # A citizen doesn't say exactly the same thing twice on one case.
        fresh = [words for words in pool if words not in self.used_words] or pool
        words = self.rng.choice(fresh)
        self.used_words.add(words)
        return words.format(thing=service.thing, day=day)

    def _poisson(self, lam: float) -> int:
        threshold, count, product = math.exp(-lam), 0, self.rng.random()
        while product > threshold:
            count += 1
            product *= self.rng.random()
        return count

    def _between(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    def _office_time(self, start: datetime, end: datetime, in_hours: float) -> datetime:
        """A time between start and end: with chance in_hours, in office hours on a weekday
        (when the interval has any)."""
        when = self._between(start, end)
        if self.rng.random() < in_hours:
            for _ in range(50):
                if _in_office_hours(when):
                    break
                when = self._between(start, end)
        return when

    def _next_working_time(self, when: datetime) -> datetime:
        """Staff close cases in office hours: when, or the next working morning."""
        if _in_office_hours(when):
            return when
        local = timezone.localtime(when)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if local.time() >= OFFICE_HOURS[0]:
            day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day + timedelta(minutes=self.rng.randint(8 * 60 + 30, 12 * 60))

    # Citizens

    def _citizen(self, service: Service) -> Citizen | None:
        rng = self.rng
        if rng.random() < max(service.anonymous_chance, ANONYMOUS_CHANCE):
            return None
        if self.citizens and rng.random() < REPEAT_CITIZEN_CHANCE:
            return rng.choice(self.citizens)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        district, postcode_district = rng.choice(DISTRICTS)
        postcode = (
            f"{postcode_district} {rng.randint(1, 9)}"
            f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        )
        flat = f"Flat {rng.randint(1, 24)}, " if rng.random() < 0.2 else ""
        address = f"{flat}{rng.randint(1, 160)} {rng.choice(STREETS)}\n{district}"
        email = ""
        if rng.random() < 0.7:
            local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
            email = f"{local}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}"
        phone = self.phones.pop() if self.phones and rng.random() < 0.92 else ""
        citizen = Citizen(
            name=f"{first} {last}",
            phone=normalise_phone(phone),
            email=email,
            address=address,
            postcode=normalise_postcode(postcode),
        )
        self.citizens.append(citizen)
        return citizen

    # Times

    def _first_contact_time(self, days: tuple[int, int] = (0, DAYS)) -> tuple[datetime, str]:
        """A time between days[0] and days[1] days ago (by default in the last six months),
        mostly in office hours on weekdays, and its channel."""
        rng = self.rng
        today = timezone.localtime(self.now).replace(hour=0, minute=0, second=0, microsecond=0)
        while True:
            day = today - timedelta(days=rng.randrange(*days))
            weekend = day.weekday() >= 5
            if weekend and rng.random() < 0.75:
                continue
            channel = self._weighted(FIRST_CONTACT_CHANNELS)
            if weekend and channel not in OUT_OF_HOURS_CHANNELS:
                channel = rng.choice(OUT_OF_HOURS_CHANNELS)
            if channel in OUT_OF_HOURS_CHANNELS:
                minutes = rng.randint(7 * 60, 23 * 60)
            else:
                minutes = rng.randint(8 * 60 + 30, 17 * 60)
            when = day + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
            if self.start < when <= self.now:
                return when, channel

    def _follow_up_channel(self, when: datetime) -> str:
        channel = self._weighted(FOLLOW_UP_CHANNELS)
        if not _in_office_hours(when) and channel not in OUT_OF_HOURS_CHANNELS:
            channel = self.rng.choice(OUT_OF_HOURS_CHANNELS)
        return channel

    # Contacts

    def _contact(
        self,
        *,
        service: Service,
        when: datetime,
        channel: str,
        by,
        category: str | None,
        value_pool: tuple[str, ...],
        one_stop: bool = False,
    ) -> Contact:
        rng = self.rng
        if category is None:
            return Contact(
                received_at=when,
                channel=channel,
                citizen_words=self._words(value_pool, service, when),
                recorded_by=by,
                demand=Contact.Demand.VALUE,
                demand_type=self.demand_types[(service.slug, self.need.demand_type)],
                is_one_stop=one_stop,
            )
        pool = service.failure_words.get(category, ()) + GENERIC_FAILURE_WORDS[category]
        note = ""
        if rng.random() < PREVENTION_NOTE_CHANCE:
            notes = service.prevention_notes.get(category, ())
            if not notes or rng.random() < 0.4:
                notes = GENERIC_PREVENTION_NOTES[category]
            note = rng.choice(notes)
            note = note_as_written(note, seed=f"{note}-{when.isoformat()}")
        return Contact(
            received_at=when,
            channel=channel,
            citizen_words=self._words(pool, service, when),
            recorded_by=by,
            demand=Contact.Demand.FAILURE,
            failure_category=self.categories[category],
            prevention_note=note,
            is_one_stop=one_stop,
        )

    def _follow_up(self, service: Service, when: datetime, category: str | None = None):
        if category is None and self.rng.random() >= FOLLOW_UP_VALUE_CHANCE:
            category = self._weighted(FOLLOW_UP_CATEGORIES)
        by = self.rng.choice(self.staff)
        return self._contact(
            service=service,
            when=when,
            channel=self._follow_up_channel(when),
            by=by,
            category=category,
            value_pool=service.more_info_words,
        )

    # Cases

    def plan_case(self, max_contacts: int, long_running: bool = False) -> CasePlan:
        """One case with up to max_contacts contacts. A long-running case was opened
        LONG_RUNNING_DAYS ago and is still open."""
        rng, now = self.rng, self.now
        service = rng.choices(SERVICES, weights=[s.weight for s in SERVICES])[0]
        window = LONG_RUNNING_DAYS if long_running else (0, DAYS)
        opened_at, channel = self._first_contact_time(window)
        flow = service.flow_at(opened_at, self.redesign_at)
        taker = rng.choices(self.takers, weights=self.taker_weights)[0]
        citizen = self._citizen(service)
        self.used_words = set()
        need = rng.choice(service.needs)
        self.need = need  # value contacts on this case ask for what this need is
        one_stop_resolutions = (need.one_stop,) if need.one_stop else service.one_stop_resolutions
        one_stop = (
            not long_running
            and bool(one_stop_resolutions)
            and channel in (PHONE, FACE_TO_FACE)
            and rng.random() < service.one_stop_chance
        )
        first_category = None
        if rng.random() < service.first_failure_chance:
            first_category = self._weighted(FIRST_CONTACT_CATEGORIES)
        first = self._contact(
            service=service,
            when=opened_at,
            channel=channel,
            by=taker,
            category=first_category,
            value_pool=(need.words,),
            one_stop=one_stop,
        )
        what_matters = rng.choice(need.matters + service.what_matters)
        case = Case(
            service_type=self.service_types[service.slug],
            citizen=citizen,
            owner=taker,
            opened_at=opened_at,
            what_matters=what_matters if rng.random() < 0.7 else "",
        )
        plan = CasePlan(case=case)
        # (time, order, what, payload): sorted, then walked to build the timeline.
        events: list[tuple[datetime, int, str, object]] = [(opened_at, 0, "contact", first)]

        if one_stop:
            closed_at = min(opened_at + timedelta(minutes=rng.uniform(3, 15)), now)
            resolution = rng.choice(one_stop_resolutions)
            events.append((closed_at, 1, "close", resolution))
            return self._build(plan, events, closed_at=closed_at, resolution=resolution)

        days = max(0.1, rng.lognormvariate(math.log(flow.median_days), flow.sigma))
        closed_at: datetime | None = opened_at + timedelta(days=days)
        if service.redesigned_flow and opened_at < self.redesign_at < closed_at:
            # The new team cleared the old design's backlog in its first fortnight.
            cleared = self.redesign_at + timedelta(days=rng.uniform(1, 14))
            closed_at = max(min(closed_at, cleared), opened_at + timedelta(hours=1))
        closed_at = self._next_working_time(closed_at)
        if long_running or closed_at > now:
            closed_at = None
        end = closed_at or now
        life_days = (end - opened_at).total_seconds() / 86400
        earliest = opened_at + timedelta(minutes=30)
        if end <= earliest:
            # Opened in the last half hour: just the first contact so far.
            return self._build(plan, events, closed_at=None, resolution="")

        order = 1
        follow_ups = self._poisson(flow.chase_base + life_days / flow.chase_interval_days)
        follow_ups = min(follow_ups, 12 if long_running else 8, max_contacts - 1)
        for _ in range(follow_ups):
            when = self._office_time(earliest, end, in_hours=0.8)
            events.append((when, order, "contact", self._follow_up(service, when)))
            order += 1

        steps = [self._weighted(flow.step_weights) for _ in range(rng.randint(*flow.steps))]
        value_words = flow.step_words[VALUE]
        value_times = sorted(
            self._office_time(earliest, end, in_hours=0.97) for kind in steps if kind == VALUE
        )
        # Value steps lead up to the need being met, in order; the work that met it comes
        # shortly before the case was closed.
        value_times = value_times[: len(value_words) - 1]
        descriptions = list(value_words[: len(value_times)])
        if closed_at is not None:
            met_at = closed_at - timedelta(minutes=rng.uniform(10, 90))
            if not _in_office_hours(met_at):
                met_at = closed_at - timedelta(minutes=rng.uniform(2, 8))
            value_times.append(max(earliest, met_at))
            descriptions.append(value_words[-1])
        for when, description in zip(value_times, descriptions, strict=True):
            events.append((when, order, "step", (VALUE, description)))
            order += 1
        for kind in steps:
            if kind != VALUE:
                when = self._office_time(earliest, end, in_hours=0.97)
                events.append((when, order, "step", (kind, rng.choice(flow.step_words[kind]))))
                order += 1

        if rng.random() < flow.handoff_chance:
            for _ in range(rng.randint(1, flow.max_handoffs)):
                reasons = service.handoff_reasons
                if rng.random() < 0.2:
                    reasons = GENERIC_HANDOFF_REASONS
                when = self._office_time(earliest, end, in_hours=0.97)
                events.append((when, order, "handoff", rng.choice(reasons)))
                order += 1

        resolution = ""
        if closed_at is not None:
            resolution = need.resolution
            events.append((closed_at, order, "close", resolution))
            order += 1
            reopened_at = closed_at + timedelta(days=rng.uniform(1, 10))
            room = max_contacts - 1 - follow_ups
            if room >= 1 and reopened_at < now and rng.random() < service.reopen_chance:
                # Not done right: the citizen comes back and the case is reopened.
                contact = self._follow_up(service, reopened_at, category="not-done-right")
                events.append((reopened_at, order, "reopen", contact))
                events.append((reopened_at, order + 1, "contact", contact))
                order += 2
                redo = timedelta(days=rng.lognormvariate(math.log(flow.median_days / 3), 0.5))
                reclosed_at = self._next_working_time(reopened_at + redo)
                if reclosed_at <= now:
                    rework_at = max(reopened_at, reclosed_at - timedelta(minutes=30))
                    rework = (REWORK, "Went back and put right what wasn't done right first time.")
                    events.append((rework_at, order, "step", rework))
                    resolution = f"{resolution} Put right after the citizen came back."
                    events.append((reclosed_at, order + 1, "close", resolution))
                    closed_at = reclosed_at
                else:
                    closed_at, resolution = None, ""
        return self._build(plan, events, closed_at=closed_at, resolution=resolution)

    def _build(self, plan: CasePlan, events, *, closed_at, resolution) -> CasePlan:
        case = plan.case
        owner = case.owner
        for when, _order, what, payload in sorted(events, key=lambda event: event[:2]):
            if what == "contact":
                contact = payload
                contact.case = case
                contact.service_type_id = case.service_type_id
                plan.contacts.append(contact)
                entry = TimelineEntry(
                    case=case,
                    kind=TimelineEntry.Kind.CONTACT,
                    description=Truncator(contact.citizen_words).chars(200),
                    actor=contact.recorded_by,
                    occurred_at=when,
                )
                plan.entries.append((entry, contact))
            elif what == "step":
                kind, description = payload
                entry = TimelineEntry(
                    case=case,
                    kind=TimelineEntry.Kind.STEP,
                    step_kind=kind,
                    description=description,
                    actor=owner,
                    occurred_at=when,
                )
                plan.entries.append((entry, None))
            elif what == "handoff":
                to = self.rng.choice([person for person in self.staff if person != owner])
                by = self.team_leader if self.rng.random() < 0.2 else owner
                entry = TimelineEntry(
                    case=case,
                    kind=TimelineEntry.Kind.HANDOFF,
                    step_kind=TimelineEntry.StepKind.HANDOFF,
                    description=payload,
                    from_owner=owner,
                    to_owner=to,
                    actor=by,
                    occurred_at=when,
                )
                plan.entries.append((entry, None))
                owner = to
            elif what == "close":
                entry = TimelineEntry(
                    case=case,
                    kind=TimelineEntry.Kind.CLOSED,
                    description=payload,
                    actor=owner,
                    occurred_at=when,
                )
                plan.entries.append((entry, None))
            elif what == "reopen":
                # Only the owner (or a team leader) may reopen: the owner logs the contact.
                payload.recorded_by = owner
                entry = TimelineEntry(
                    case=case,
                    kind=TimelineEntry.Kind.REOPENED,
                    description=Truncator(payload.citizen_words).chars(200),
                    actor=payload.recorded_by,
                    occurred_at=when,
                )
                plan.entries.append((entry, None))
        case.owner = owner
        case.closed_at = closed_at
        case.status = Case.Status.CLOSED if closed_at else Case.Status.OPEN
        case.resolution = resolution if closed_at else ""
        return plan


def _write(plans: list[CasePlan]) -> None:
    # A repeat citizen may first appear in a later (younger) plan: save every unsaved one once.
    citizens = {id(plan.case.citizen): plan.case.citizen for plan in plans if plan.case.citizen}
    Citizen.objects.bulk_create([citizen for citizen in citizens.values() if citizen.pk is None])
    for plan in plans:  # as the logging services keep it
        plan.case.is_dirty = any(contact.is_failure for contact in plan.contacts)
    Case.objects.bulk_create([plan.case for plan in plans])
    Contact.objects.bulk_create([contact for plan in plans for contact in plan.contacts])
    entries = []
    for plan in plans:
        for entry, contact in plan.entries:
            if contact is not None:
                entry.contact_id = contact.pk
            entries.append(entry)
    TimelineEntry.objects.bulk_create(entries)


# --- The command -----------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Create demo users, service types and about six months of realistic contacts and cases. "
        "Idempotent: run again, it adds nothing. With --contacts N, adds N more contacts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--contacts",
            type=int,
            default=None,
            help=(
                f"How many contacts to add (default {DEFAULT_CONTACTS} on a database without "
                "demo data). Given on a database that has demo data, adds that many more."
            ),
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off (a demonstration server only: the logins are public).",
        )

    def handle(self, *args, contacts=None, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates users with a published password, so it refuses to run with "
                "DEBUG off. Pass --allow-production if this really is a demonstration server."
            )
        if contacts is not None and contacts < 1:
            raise CommandError("--contacts must be at least 1.")
        started = timezone.now()
        with transaction.atomic():
            users = self._users()
            self._second_factors(users)
            self._service_types()
        demo_staff = [users[user.username] for user in DEMO_USERS]
        has_data = Contact.objects.filter(recorded_by__in=demo_staff).exists()
        if has_data and contacts is None:
            self.stdout.write("Demo data are already there: nothing added.")
        else:
            total = contacts or DEFAULT_CONTACTS
            existing = Contact.objects.count()
            self.stdout.write(
                f"Adding {total} contacts over the last {DAYS} days "
                f"(Housing repair redesigned {REDESIGN_DAYS_AGO} days ago)..."
            )
            with transaction.atomic():
                self._contacts(users, total, random.Random(f"{SEED}-{existing}"))
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(f"Done in {seconds:.1f} s.")
        with transaction.atomic():
            self._improvement(users)
        self._online_reports()
        self._print_logins()
        self._print_summary()

    def _online_reports(self) -> None:
        """FixMyStreet as a registered client, with a few citizens' reports waiting in
        "Arrived online" (once: its key is printed only when it is issued)."""
        if Client.objects.filter(name=DEMO_CLIENT).exists():
            return
        with transaction.atomic():
            client, key = open311_services.client_add(name=DEMO_CLIENT)
            for number, report in enumerate(ONLINE_REPORTS, start=1):
                open311_services.request_receive(
                    client=client,
                    data={**report, "attribute[fixmystreet_id]": str(9000 + number)},
                )
        self.stdout.write(
            f"Open311: {DEMO_CLIENT} registered with {len(ONLINE_REPORTS)} reports waiting in "
            "Arrived online. Its API key, shown this once (for trying the API at /open311/v2/):"
        )
        self.stdout.write(f"  {key}")

    def _improvement(self, users: dict) -> None:
        """What the repairs team found (system conditions, with the contacts that are their
        evidence) and the redesign that addressed them (the dated system change that starts
        Housing repair's new phase). Once: an existing demo gets what it lacks."""
        service = ServiceType.objects.get(slug=REDESIGNED_SERVICE)
        conditions = [self._condition(users, service, demo) for demo in REPAIR_CONDITIONS]
        changed_on = timezone.localdate() - timedelta(days=REDESIGN_DAYS_AGO)
        change = SystemChange.objects.filter(service_type=service, changed_on=changed_on).first()
        if change is None:
            # Through the register's service, so the change's page shows who recorded it.
            system_change_record(
                by=users["teamleader"],
                changed_on=changed_on,
                service_type=service,
                conditions=conditions,
                **REPAIR_REDESIGN,
            )
        elif not change.conditions.exists() and not change.is_withdrawn:
            system_change_correct(
                change=change,
                by=users["teamleader"],
                changed_on=changed_on,
                service_type=service,
                conditions=conditions,
                **REPAIR_REDESIGN,
            )

    def _condition(self, users: dict, service: ServiceType, demo) -> SystemCondition:
        condition = SystemCondition.objects.filter(service_type=service, title=demo.title).first()
        if condition is not None:
            return condition
        condition = system_condition_record(
            by=users["teamleader"],
            title=demo.title,
            kind=demo.kind,
            service_type=service,
            description=demo.description,
            failure_categories=list(
                FailureCategory.objects.filter(slug__in=demo.failure_categories)
            ),
            waste_step_kinds=demo.waste_step_kinds,
        )
        # The front office marks what they see: the latest contacts whose notes name it.
        redesigned = timezone.now() - timedelta(days=REDESIGN_DAYS_AGO)
        noted = Q()
        for words in demo.evidence_words:
            noted |= Q(prevention_note__icontains=words)
        contacts = (
            Contact.objects.filter(
                noted,
                service_type=service,
                demand=Contact.Demand.FAILURE,
                received_at__lt=redesigned,
            )
            .select_related("case")
            .order_by("-received_at")[:EVIDENCE_MARKED_PER_CONDITION]
        )
        evidence_mark_many(condition=condition, contacts=list(contacts), by=users["frontoffice"])
        return condition

    def _users(self) -> dict:
        User = get_user_model()
        users, created = {}, []
        password = None
        for demo in DEMO_USERS:
            user = User.objects.filter(username=demo.username).first()
            if user is None:
                # One hash for everyone: hashing is deliberately slow.
                password = password or make_password(DEMO_PASSWORD)
                user = User.objects.create(
                    username=demo.username,
                    first_name=demo.first_name,
                    last_name=demo.last_name,
                    email=f"{demo.first_name}.{demo.last_name}@council.example".lower(),
                    password=password,
                    is_staff=demo.is_admin,
                    is_superuser=demo.is_admin,
                )
                created.append(demo.username)
            try:
                user.groups.add(Group.objects.get(name=demo.role))
            except Group.DoesNotExist as error:
                raise CommandError(f"No '{demo.role}' group: run `manage.py migrate`.") from error
            users[demo.username] = user
        if created:
            self.stdout.write(f"Created demo users: {', '.join(created)}.")
        self.users = users
        self.changed_passwords = self._changed_passwords(users, just_created=created)
        return users

    @staticmethod
    def _second_factors(users: dict) -> None:
        """The published authenticator key for each demo user whose role needs two-factor
        sign-in (unless they set up their own since), and their recovery codes renewed."""
        for demo in ROLE_USERS:
            if demo.role not in roles.TWO_FACTOR_ROLES:
                continue
            user = users[demo.username]
            if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                TOTPDevice.objects.create(
                    user=user,
                    name="Authenticator app",
                    key=DEMO_AUTHENTICATOR_KEY,
                    confirmed=True,
                )
            device, _ = StaticDevice.objects.get_or_create(
                user=user, defaults={"name": "Recovery codes", "confirmed": True}
            )
            have = set(device.token_set.values_list("token", flat=True))
            StaticToken.objects.bulk_create(
                StaticToken(device=device, token=code)
                for code in DEMO_RECOVERY_CODES
                if code not in have
            )

    @staticmethod
    def _changed_passwords(users: dict, just_created: list[str]) -> list[str]:
        """Role users whose password is no longer the demo one (it is never reset)."""
        works: dict[str, bool] = {}
        changed = []
        for demo in ROLE_USERS:
            if demo.username in just_created:
                continue
            encoded = users[demo.username].password
            if encoded not in works:  # usually one shared hash: check it once, it is slow
                works[encoded] = check_password(DEMO_PASSWORD, encoded)
            if not works[encoded]:
                changed.append(demo.username)
        return changed

    def _service_types(self) -> None:
        for service in SERVICES:
            service_type, _ = ServiceType.objects.get_or_create(
                slug=service.slug,
                defaults={"name": service.name, "description": service.description},
            )
            for name in dict.fromkeys(need.demand_type for need in service.needs):
                DemandType.objects.get_or_create(service_type=service_type, name=name)

    def _contacts(self, users: dict, total: int, rng: random.Random) -> None:
        staff = [users[user.username] for user in DEMO_USERS if user.role == roles.FRONT_OFFICE]
        generator = DemoGenerator(rng=rng, now=timezone.now(), users=users, staff=staff)
        plans, planned = [], 0
        long_running = max(3, round(total / LONG_RUNNING_PER))
        while planned < total:
            plan = generator.plan_case(total - planned, long_running=len(plans) < long_running)
            plans.append(plan)
            planned += len(plan.contacts)
        # Oldest first, so that case references run in the order the cases were opened.
        plans.sort(key=lambda plan: plan.case.opened_at)
        every = max(1, min(1000, math.ceil(total / 10)))
        batch, written, next_report = [], 0, every
        for plan in plans:
            batch.append(plan)
            written += len(plan.contacts)
            if written >= next_report or written == total:
                _write(batch)
                batch = []
                self.stdout.write(f"  {written}/{total} contacts")
                while next_report <= written:
                    next_report += every

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD})")
        for demo in ROLE_USERS:
            extra = " (also the Django admin at /admin/)" if demo.is_admin else ""
            if demo.username in self.changed_passwords:
                extra += " - its password was changed since, and is not reset"
            name = self.users[demo.username].get_full_name() or "(no name)"
            self.stdout.write(f"  {demo.username:<12} {demo.role:<14} {name}{extra}")
        others = ", ".join(demo.username for demo in OTHER_FRONT_OFFICE)
        self.stdout.write(f"  Other front-office staff, same password: {others}")
        needing = " and ".join(d.username for d in ROLE_USERS if d.role in roles.TWO_FACTOR_ROLES)
        key = base64.b32encode(bytes.fromhex(DEMO_AUTHENTICATOR_KEY)).decode()
        self.stdout.write("")
        self.stdout.write(
            f"Two-factor sign-in is on for {needing}, as their roles require. After the "
            "password, enter"
        )
        self.stdout.write(
            f"  - the code from an authenticator app set up with the key {key} (time-based), or"
        )
        self.stdout.write(
            f"  - a recovery code: {DEMO_RECOVERY_CODES[0]} to {DEMO_RECOVERY_CODES[-1]} "
            "(each works once; running seed_demo again renews them)."
        )

    def _print_summary(self) -> None:
        cases = Case.objects.aggregate(
            total=Count("pk"), open=Count("pk", filter=Q(status=Case.Status.OPEN))
        )
        contacts = Contact.objects.aggregate(
            total=Count("pk"),
            failure=Count("pk", filter=Q(demand=Contact.Demand.FAILURE)),
            one_stop=Count("pk", filter=Q(is_one_stop=True)),
        )
        handoffs = TimelineEntry.objects.filter(kind=TimelineEntry.Kind.HANDOFF).count()
        share = contacts["failure"] / contacts["total"] if contacts["total"] else 0
        self.stdout.write("")
        self.stdout.write(
            f"Summary: {cases['total']} cases ({cases['open']} open, "
            f"{cases['total'] - cases['open']} closed), {contacts['total']} contacts, "
            f"{share:.0%} failure demand, {contacts['one_stop']} one-stop, {handoffs} hand-offs."
        )
