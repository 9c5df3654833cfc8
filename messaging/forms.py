from django import forms

from cases.forms import CitizenUpdateForm, CloseForm
from cases.models import Case, Citizen
from lib.forms import GovukFormMixin
from messaging.sending import way_to_send


class SendMixin(forms.Form):
    """ "Send it to them": offered, ticked, when the citizen agreed to updates by a way we can
    send; otherwise the form says why not (`cannot_send`)."""

    send = forms.BooleanField(required=False, initial=True)
    # Whether the form this is mixed into takes the case too.
    form_takes_case = True

    def __init__(self, *args, case: Case, **kwargs):
        if self.form_takes_case:
            kwargs["case"] = case
        super().__init__(*args, **kwargs)
        channel, address = way_to_send(case.citizen)
        self.cannot_send = "" if channel else address
        if channel:
            way = case.citizen.get_updates_by_display().lower()
            self.fields["send"].label = f"Send it to {case.citizen} {way}, to {address}"
            self.fields[
                "send"
            ].help_text = (
                "As they agreed. It goes in the background: its outcome shows on the timeline."
            )
        else:
            del self.fields["send"]


class UpdateAndSendForm(SendMixin, CitizenUpdateForm):
    pass


class CloseAndSendForm(SendMixin, CloseForm):
    form_takes_case = False


class UpdatesByForm(GovukFormMixin, forms.Form):
    updates_by = forms.ChoiceField(
        label="How do they want us to send them updates?",
        help_text="Ask them. Updates are sent only by the way they agree to.",
        choices=[c for c in Citizen.UpdatesBy.choices if c[0]],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they want to be sent updates."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    phone = forms.CharField(
        label="Mobile phone number, for text messages", max_length=40, required=False
    )
