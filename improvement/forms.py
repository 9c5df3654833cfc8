from django import forms

from cases.models import ServiceType
from lib.forms import DateInput, GovukFormMixin


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
