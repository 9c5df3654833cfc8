from django import forms

from lib.forms import GovukFormMixin


class FindForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(
        label="Your reference",
        help_text="It starts CF, for example CF-000123.",
        max_length=30,
        error_messages={"required": "Enter your reference."},
    )
    code = forms.CharField(
        label="Your progress code",
        help_text="8 letters and numbers, for example K7PQ-4XMA. We gave it to you with your "
        "reference.",
        max_length=30,
        error_messages={"required": "Enter your progress code."},
    )
