from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts import roles
from cases.models import Case, CitizenUpdate, TimelineEntry
from lib.forms import DateInput, GovukFormMixin, PastDateTimeField, VersionMixin, now_for_input


def people_who_can_own_cases():
    """Active front-office staff and team leaders: the people a case can be handed to."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles.CASE_OWNING_ROLES) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class StepForm(GovukFormMixin, VersionMixin, forms.Form):
    step_kind = forms.ChoiceField(
        label="What kind of step was it?",
        choices=[
            (value, label)
            for value, label in TimelineEntry.StepKind.choices
            if value != TimelineEntry.StepKind.HANDOFF  # a hand-off is recorded by handing off
        ],
        widget=forms.RadioSelect,
        help_text=(
            "Value work directly serves the citizen's need; the others are waste to learn from."
        ),
        error_messages={"required": "Choose what kind of step it was."},
    )
    description = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Describe the step."},
    )
    occurred_at = PastDateTimeField(label="When", what="When the step happened")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = now_for_input


class HandOffForm(GovukFormMixin, VersionMixin, forms.Form):
    to = PersonChoiceField(
        label="Hand off to",
        queryset=get_user_model().objects.none(),
        empty_label="Choose a person",
        error_messages={
            "required": "Choose who will own the case.",
            "invalid_choice": "Choose a person from the list.",
        },
    )
    reason = forms.CharField(
        label="Why are you handing it off?",
        help_text="The new owner and anyone studying the flow will read this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Give the reason for the hand-off."},
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = people_who_can_own_cases().exclude(pk=case.owner_id)


def _status_choices(statuses) -> list[tuple[str, str]]:
    return [(str(status), status.label) for status in statuses]


class CloseForm(GovukFormMixin, VersionMixin, forms.Form):
    resolution = forms.CharField(
        label="How was the citizen's need met?",
        help_text="The citizen is told this, so write it for them.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Say how the citizen's need was met."},
    )
    outcome = forms.ChoiceField(
        label="How did it end for the citizen?",
        choices=_status_choices(CitizenUpdate.CLOSED_STATUSES),
        initial=CitizenUpdate.Status.FIXED,
        widget=forms.RadioSelect,
        help_text="Sent with the resolution to the citizen's progress (FixMyStreet shows it).",
        # Not chosen (a form from before this question): "Closed".
        required=False,
    )
    closed_at = PastDateTimeField(label="When was the need met?", what="When the need was met")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_at"].initial = now_for_input


class CitizenUpdateForm(GovukFormMixin, VersionMixin, forms.Form):
    next_step = forms.CharField(
        label="What happens next?",
        help_text=(
            "A promise to the citizen, in plain words: “A joiner will come to fix the window, "
            "in the morning”. They will see it until you tell them the next thing."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )
    next_step_on = forms.DateField(
        label="When?",
        help_text="The day it will happen, or by when.",
        widget=DateInput,
        required=False,
        error_messages={"invalid": "Enter the day as a real date."},
    )
    status = forms.ChoiceField(
        label="How do things stand?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how things stand."},
    )
    description = forms.CharField(
        label="Anything else to tell them?",
        help_text=(
            "They will read this as you write it (on their progress page, and on FixMyStreet "
            "if they reported it there), so say what is happening in plain words."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = CitizenUpdate.OPEN_STATUSES if case.is_open else CitizenUpdate.CLOSED_STATUSES
        self.fields["status"].choices = _status_choices(statuses)
        if not case.is_open:  # nothing happens next on a closed case
            del self.fields["next_step"], self.fields["next_step_on"]
            self.fields["description"].label = "Your update for the citizen"
            self.fields["description"].required = True
            self.fields["description"].error_messages["required"] = (
                "Write the update for the citizen."
            )

    def clean(self):
        cleaned = super().clean()
        if "next_step" not in self.fields:
            return cleaned
        next_step, when = cleaned.get("next_step", ""), cleaned.get("next_step_on")
        if next_step and when is None and "next_step_on" not in self.errors:
            self.add_error("next_step_on", "Say when it will happen.")
        if when and not next_step:
            self.add_error("next_step", "Say what will happen on that day.")
        if not next_step and not cleaned.get("description", "").strip() and not self.errors:
            self.add_error(
                "next_step", "Say what happens next, or write an update for the citizen."
            )
        return cleaned
