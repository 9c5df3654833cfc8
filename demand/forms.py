import uuid
from functools import partial

from django import forms
from django.db.models import QuerySet
from django.forms.utils import ErrorDict

from cases.models import Case, Citizen, ServiceType, normalise_postcode
from demand.models import ArrivedContact, Contact, DemandType, FailureCategory
from demand.services import ContactDetails
from lib.forms import (
    GovukFormMixin,
    PastDateTimeField,
    ShownAtMixin,
    SubmissionTokenMixin,
    VersionMixin,
    now_for_input,
)
from lib.params import id_param

NEW_CASE = "new"
CITIZEN_WORDS_LIMIT = 50_000


def active_demand_types(service_type: ServiceType | None) -> QuerySet[DemandType]:
    """The demand types a contact may be given: the active ones of active services (of one
    service when it is known)."""
    types = DemandType.objects.filter(is_active=True, service_type__is_active=True)
    return types if service_type is None else types.filter(service_type=service_type)


def demand_type_choices(service_type: ServiceType | None) -> list:
    """Active demand types: of one service, or of every active service grouped by service (so
    the form works without JavaScript; a script narrows the list to the chosen service)."""
    types = active_demand_types(service_type)
    if service_type is not None:
        return [("", "Choose what they asked for")] + [(str(t.pk), t.name) for t in types]
    groups: dict[str, list[tuple[str, str]]] = {}
    for demand_type in types.select_related("service_type").order_by("service_type__name", "name"):
        groups.setdefault(demand_type.service_type.name, []).append(
            (str(demand_type.pk), demand_type.name)
        )
    return [("", "Choose what they asked for"), *groups.items()]


class DemandTypeField(forms.ChoiceField):
    """A demand type from a list that is only built when the form is shown: a submitted one is
    looked up on its own (by `ClassificationForm.clean_demand_type`), not found in the list, so
    logging a contact does not load every demand type of every service."""

    def valid_value(self, value) -> bool:
        return True


PLAIN_DEMAND_CHOICES = [
    (Contact.Demand.VALUE, "No: it is something new they need from us"),
    (
        Contact.Demand.FAILURE,
        "Yes: they are chasing, repeating themselves, or something was not done, or not done right",
    ),
]


class ClassificationForm(forms.Form):
    """Value or failure demand, and of what kind: when a contact is logged or reviewed. The
    front office is asked in plain words; the method's terms are in the hints (docs/method.md
    §2)."""

    demand = forms.ChoiceField(
        label=(
            "Is this contact because something we should have done wasn't done, or wasn't "
            "done right?"
        ),
        choices=PLAIN_DEMAND_CHOICES,
        widget=forms.RadioSelect,
        help_text=(
            "This is how we learn what to change; it is about how the work is done, never about "
            "a person. In the method's terms, “No” is value demand (what the service is for) and "
            "“Yes” is failure demand (caused by a failure to do something, or to do it right)."
        ),
        error_messages={
            "required": "Say whether this contact is because something wasn't done, or wasn't "
            "done right."
        },
    )
    demand_type = DemandTypeField(
        label="What did they ask for?",
        required=False,
        help_text="From the council's list of what citizens ask this service for.",
    )
    failure_category = forms.ModelChoiceField(
        label="What went wrong for them?",
        help_text="The kind of failure demand: “progress chasing” is asking where things are.",
        queryset=FailureCategory.objects.filter(is_active=True),
        required=False,
        empty_label="Choose what went wrong",
        error_messages={"invalid_choice": "Choose what went wrong from the list."},
    )
    prevention_note = forms.CharField(
        label="What would have saved them contacting us? (optional)",
        help_text="Something the council could change, like “Tell them when the crew will come”.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, service_type: ServiceType | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_type = service_type
        # A callable: the list is only built if the form is shown.
        self.fields["demand_type"].choices = partial(demand_type_choices, service_type)

    def clean_demand_type(self) -> DemandType | None:
        chosen = self.cleaned_data.get("demand_type")
        if not chosen:
            return None
        pk = id_param(chosen)
        found = active_demand_types(self.service_type).filter(pk=pk).first() if pk else None
        if found is None:
            raise forms.ValidationError("Choose what the citizen asked for from the list.")
        return found

    failure_required = "Choose what went wrong for them."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("demand") == Contact.Demand.FAILURE and not cleaned.get("failure_category"):
            self.add_error("failure_category", self.failure_required)
        return cleaned


CONTACT_FIELD_ORDER = [
    "citizen_words",
    "channel",
    "demand",
    "demand_type",
    "failure_category",
    "prevention_note",
    "received_at",
]


class ContactDetailsForm(GovukFormMixin, SubmissionTokenMixin, ClassificationForm):
    """What the citizen said and how we classify it: shared by every way of logging a contact."""

    field_order = CONTACT_FIELD_ORDER

    citizen_words = forms.CharField(
        label="What did the citizen say?",
        help_text="In their own words, as they said it.",
        widget=forms.Textarea(attrs={"rows": 4}),
        # Long enough for a long letter or email pasted whole (about 8,000 words).
        max_length=CITIZEN_WORDS_LIMIT,
        error_messages={
            "required": "Enter what the citizen said, in their words.",
            "too_long": (
                "What the citizen said can be at most %(limit)s characters, and this has "
                "%(count)s. Nothing was saved: the text is kept below. Shorten it, or log the "
                "rest as another contact."
            ),
        },
    )
    channel = forms.ChoiceField(
        label="How did they get in touch?",
        # An online report arrives by itself (the "Arrived online" list): never typed in.
        choices=[c for c in Contact.Channel.choices if c[0] != Contact.Channel.ONLINE],
        initial=Contact.Channel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the citizen got in touch."},
    )
    received_at = PastDateTimeField(
        label="When was it received?",
        help_text="Choose another time for a letter or email that arrived earlier.",
        what="The time the contact was received",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = now_for_input

    def contact_details(self) -> ContactDetails:
        data = self.cleaned_data
        return ContactDetails(
            citizen_words=data["citizen_words"],
            channel=data["channel"],
            received_at=data["received_at"],
            demand=data["demand"],
            failure_category=data.get("failure_category"),
            prevention_note=data.get("prevention_note", ""),
            demand_type=data.get("demand_type"),
        )


class CaseContactForm(ShownAtMixin, ContactDetailsForm):
    """Another contact on a case, from the case page."""

    autofocus_field = "citizen_words"


class ReopenForm(VersionMixin, ContactDetailsForm):
    autofocus_field = "citizen_words"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citizen_words"].label = "Why does the citizen need the case reopened?"
        self.fields["citizen_words"].help_text = "What they told us, in their own words."


class LogContactForm(ContactDetailsForm):
    """The front office's main form, in one piece so nothing typed is lost: what the citizen
    said first (they often start before giving a name), then who they are (found in place, or
    new), which case (or a new one), and how we classify it. Finding or changing the citizen
    re-shows the same form with everything typed (docs/front-office.md)."""

    # The order the page shows them in, so the error summary lists problems in that order.
    field_order = [
        "citizen_words",
        "channel",
        "q",
        "citizen_name",
        "citizen_phone",
        "citizen_email",
        "citizen_address",
        "citizen_postcode",
        "attach_to",
        "service_type",
        *CONTACT_FIELD_ORDER[2:],
        "what_matters",
        "resolved_now",
        "resolution",
    ]
    autofocus_field = "citizen_words"

    citizen = forms.ModelChoiceField(
        queryset=Citizen.objects.all(), widget=forms.HiddenInput, required=False
    )
    q = forms.CharField(
        label="Find the citizen",
        help_text="Their name, phone number, email or postcode",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    citizen_name = forms.CharField(label="Full name", required=False, max_length=200)
    citizen_phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    citizen_email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    citizen_address = forms.CharField(
        label="Address", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    citizen_postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    attach_to = forms.ChoiceField(
        label="Is this about one of their open cases?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the case this contact is about, or a new case.",
            "invalid_choice": "That case is no longer open. Choose again.",
        },
    )
    service_type = forms.ModelChoiceField(
        label="Which service is it about?",
        queryset=ServiceType.objects.filter(is_active=True),
        required=False,
        empty_label="Choose a service",
        error_messages={"invalid_choice": "Choose a service from the list."},
    )
    what_matters = forms.CharField(
        label="What matters to the citizen? (optional)",
        help_text="For example: “I'm away from Friday”.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    resolved_now = forms.BooleanField(
        label="Yes, their need was met in this contact",
        help_text="Tick if you sorted it out now: the case opens and closes at once (one-stop).",
        required=False,
    )
    resolution = forms.CharField(
        label="How was the need met?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, citizen: Citizen | None = None, open_cases=(), **kwargs):
        self.open_cases = {str(case.pk): case for case in open_cases}
        super().__init__(*args, **kwargs)
        self.chosen_citizen = citizen
        if citizen:
            self.fields["citizen"].initial = citizen.pk
        if self.open_cases:
            self.fields["attach_to"].choices = [
                *((pk, case.reference) for pk, case in self.open_cases.items()),
                (NEW_CASE, "No, a new need: open a new case"),
            ]
        else:
            del self.fields["attach_to"]

    def focus(self, name: str) -> None:
        """Put the cursor in one field when the page is shown (only one field has it)."""
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        if name in self.fields:
            self.fields[name].widget.attrs["autofocus"] = True

    def show_as_typed(self) -> None:
        """Show what was typed without checking it: a search or a change of citizen is not an
        attempt to save, so nothing is marked wrong yet."""
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def renew_submission_token(self) -> None:
        """A new token for a form shown again after its old one was used: pressing the button
        again logs it as a contact of its own."""
        self.data = self.data.copy()
        self.data["submission_token"] = str(uuid.uuid4())

    def clean_citizen_postcode(self) -> str:
        postcode = self.cleaned_data["citizen_postcode"]
        # Stored upper-cased: "ß" becomes "SS", so check the length it will be stored at.
        if len(normalise_postcode(postcode)) > Citizen._meta.get_field("postcode").max_length:
            raise forms.ValidationError("Enter a real postcode, like LS1 4AP.")
        return postcode

    def clean(self):
        cleaned = super().clean()
        case = self.attached_case
        needs_service = case is None and not cleaned.get("service_type")
        if needs_service and "service_type" not in self.errors:
            self.add_error("service_type", "Choose the service the contact is about.")
        service = case.service_type if case else cleaned.get("service_type")
        demand_type = cleaned.get("demand_type")
        is_value = cleaned.get("demand") == Contact.Demand.VALUE
        if is_value and service and demand_type and demand_type.service_type_id != service.pk:
            self.add_error(
                "demand_type", f"Choose what they asked for from the list for {service}."
            )
        if cleaned.get("resolved_now") and not (cleaned.get("resolution") or "").strip():
            self.add_error("resolution", "Say how the need was met, or untick “need was met”.")
        if not cleaned.get("resolved_now") and (cleaned.get("resolution") or "").strip():
            self.add_error("resolved_now", "Tick “Yes, their need was met” to close it now.")
        return cleaned

    @property
    def attached_case(self) -> Case | None:
        choice = self.cleaned_data.get("attach_to") if hasattr(self, "cleaned_data") else None
        return self.open_cases.get(choice) if choice and choice != NEW_CASE else None

    def citizen_details(self) -> dict[str, str]:
        return {
            field: self.cleaned_data.get(f"citizen_{field}", "")
            for field in ("name", "phone", "email", "address", "postcode")
        }

    def resolution_text(self) -> str:
        return self.cleaned_data["resolution"] if self.cleaned_data.get("resolved_now") else ""


class ReclassifyForm(GovukFormMixin, ClassificationForm):
    """A team leader's review of how a contact was classified. The words are not editable."""

    autofocus_field = "demand"

    def __init__(self, *args, contact: Contact, **kwargs):
        super().__init__(*args, service_type=contact.case.service_type, **kwargs)
        # Team leaders review in the method's own terms.
        self.failure_required = "Choose the kind of failure demand."
        self.fields["failure_category"].label = "What kind of failure demand?"
        self.fields["prevention_note"].label = "Could it have been prevented, and how? (optional)"
        self.fields["demand"].label = "Value or failure demand?"
        self.fields["demand"].choices = Contact.Demand.choices


NEW = "new"


class TakeArrivalForm(GovukFormMixin, ClassificationForm):
    """Taking a report or update that arrived online: who it is from and which case it goes
    on (for a report), and its classification, asked as for a phone call. The citizen's words
    are theirs, shown and never edited."""

    citizen = forms.ChoiceField(
        label="Who is it from?",
        widget=forms.RadioSelect,
        required=False,
        help_text="People we already know who look like the sender, or a new record from the "
        "details they gave.",
    )
    attach_to = forms.ChoiceField(
        label="Which case is it about?",
        widget=forms.RadioSelect,
        required=False,
        help_text="If it is about a need they already have open, put it on that case.",
    )
    what_matters = forms.CharField(
        label="What matters to the citizen? (optional)",
        help_text="In their words, if they said (“I'm away from Friday”).",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )

    autofocus_field = "demand"

    def __init__(self, *args, arrival, look_alikes=(), open_cases=(), **kwargs):
        super().__init__(*args, service_type=arrival.service_type, **kwargs)
        self.arrival = arrival
        self.look_alikes = {str(c.pk): c for c in look_alikes}
        self.open_cases = {str(c.pk): c for c in open_cases}
        if arrival.kind == ArrivedContact.Kind.UPDATE:
            del self.fields["citizen"], self.fields["attach_to"], self.fields["what_matters"]
        else:
            given = arrival.citizen_name or "No name given"
            self.fields["citizen"].choices = [
                (
                    NEW,
                    f"A new citizen: {given}"
                    if arrival.citizen_name or arrival.email
                    else "Nobody we know: they gave no name or email",
                ),
                *[(pk, citizen.summary) for pk, citizen in self.look_alikes.items()],
            ]
            self.fields["citizen"].initial = NEW
            self.fields["attach_to"].choices = [
                (NEW, "A new case"),
                *[
                    (pk, f"{case.reference} {case.service_type}, {case.citizen}")
                    for pk, case in self.open_cases.items()
                ],
            ]
            self.fields["attach_to"].initial = NEW
            if not self.open_cases:
                del self.fields["attach_to"]
        if arrival.asked_for_id and not self.is_bound:
            self.initial.setdefault("demand_type", str(arrival.asked_for_id))

    def clean_citizen(self) -> Citizen | None:
        chosen = self.cleaned_data.get("citizen") or NEW
        if chosen == NEW:
            return None
        if chosen not in self.look_alikes:
            raise forms.ValidationError("Choose who it is from, from the list.")
        return self.look_alikes[chosen]

    def clean_attach_to(self) -> Case | None:
        chosen = self.cleaned_data.get("attach_to") or NEW
        if chosen == NEW:
            return None
        if chosen not in self.open_cases:
            raise forms.ValidationError("Choose the case from the list.")
        return self.open_cases[chosen]

    def new_citizen(self) -> dict[str, str]:
        """The sender as a citizen record (the API refused anything longer than it holds; a
        postcode it cannot read stays on the arrival, shown on the case, not on the record)."""
        arrival = self.arrival
        postcode = normalise_postcode(arrival.postcode)
        return {
            "name": arrival.citizen_name,
            "phone": arrival.phone,
            "email": arrival.email,
            "address": arrival.address,
            "postcode": postcode if len(postcode) <= 10 else "",
        }
