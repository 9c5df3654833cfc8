from django import forms
from django.db.models import Q

from cases.models import ServiceType
from improvement.models import SystemChange
from lib.forms import DateInput, GovukFormMixin, VersionMixin


class SystemChangeForm(GovukFormMixin, forms.Form):
    changed_on = forms.DateField(
        label="When did the work start being done the new way?",
        widget=DateInput,
        error_messages={
            "required": "Enter the date of the change.",
            "invalid": "Enter a real date, like 2026-03-31.",
        },
    )
    service_type = forms.ModelChoiceField(
        label="Which service?",
        queryset=ServiceType.objects.filter(is_active=True),
        required=False,
        empty_label="All services",
    )
    description = forms.CharField(
        label="What changed?",
        help_text="For example: “The person who takes the call now books the repair directly.”",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Describe what changed in the way the work is done."},
    )


class SystemChangeCorrectionForm(SystemChangeForm, VersionMixin):
    """The recording form again, filled in with the change as it stands. Its service is offered
    even if the service has since been retired, so correcting the words alone still works."""

    def __init__(self, *args, change: SystemChange, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = ServiceType.objects.filter(
            Q(is_active=True) | Q(pk=change.service_type_id)
        )

    @staticmethod
    def initial_for(change: SystemChange) -> dict:
        return {
            "changed_on": change.changed_on,
            "service_type": change.service_type_id,
            "description": change.description,
            "version": change.version,
        }


class WithdrawalForm(GovukFormMixin, VersionMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing it?",
        help_text=(
            "The register shows this next to the change. For example: “Recorded twice” or "
            "“The new form was never used, so the work did not change.”"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Say why you are withdrawing this change. Nothing was withdrawn yet."
        },
    )
