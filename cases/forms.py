from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts import roles
from cases.models import Case, CitizenUpdate, TimelineEntry
from lib.forms import GovukFormMixin, PastDateTimeField, VersionMixin, now_for_input


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
    status = forms.ChoiceField(
        label="How do things stand?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how things stand."},
    )
    description = forms.CharField(
        label="Your update for the citizen",
        help_text=(
            "They will read this as you write it (on FixMyStreet, if they reported it there), "
            "so say what is happening and what happens next, in plain words."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Write the update for the citizen."},
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = CitizenUpdate.OPEN_STATUSES if case.is_open else CitizenUpdate.CLOSED_STATUSES
        self.fields["status"].choices = _status_choices(statuses)
