"""The filters of the study pages, as query parameters shared by each page and its export."""

from django import forms

from analysis import flow
from analysis.capability import CapabilityFilters
from analysis.demand import UPDATES_NONE, UPDATES_SENT, DemandFilters
from cases.forms import PersonChoiceField
from cases.models import ServiceType
from demand.models import Contact, DemandType
from lib.forms import PeriodForm
from lib.periods import last_full_weeks


class DemandFilterForm(PeriodForm):
    """Period, services and channels, as query parameters (`from`, `to` as ISO dates, `service`
    as slugs, `channel`), shared by the demand pages and the CSV export."""

    service = forms.ModelMultipleChoiceField(
        label="Services",
        queryset=ServiceType.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: all services.",
        error_messages={"invalid_choice": "“%(value)s” is not a service."},
    )
    channel = forms.MultipleChoiceField(
        label="Channels",
        choices=Contact.Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: all channels.",
        error_messages={"invalid_choice": "“%(value)s” is not a channel."},
    )
    updates = forms.ChoiceField(
        label="Cases",
        choices=[
            ("", "All cases"),
            (UPDATES_SENT, "Cases whose citizen was sent updates"),
            (UPDATES_NONE, "Cases whose citizen was sent none"),
        ],
        required=False,
        help_text="Updates sent by email or text message.",
        error_messages={"invalid_choice": "Choose which cases from the list."},
    )

    def filters(self) -> DemandFilters:
        if not self.is_valid():
            start, end = self.default_period
            return DemandFilters(start=start, end=end)
        data = self.cleaned_data
        return DemandFilters(
            start=data["from"],
            end=data["to"],
            services=tuple(data["service"]),
            channels=tuple(data["channel"]),
            updates=data["updates"],
        )


class CapabilityFilterForm(PeriodForm):
    """The capability chart's filters, as query parameters shared with its CSV export:
    `from`, `to` (ISO dates of closure), `channel` (of the first contact), `cases`
    (clean/dirty), `screening=off`, `transition=include`, and on a service's chart `asked_for`
    (the id of one of its demand types)."""

    channel = forms.ChoiceField(label="First contact's channel", required=False)
    cases = forms.ChoiceField(
        label="Cases",
        required=False,
        choices=[("", "Clean and dirty"), ("clean", "Clean only"), ("dirty", "Dirty only")],
        help_text="Dirty: at least one failure-demand contact.",
    )
    screening = forms.ChoiceField(
        label="Outlier screening",
        required=False,
        choices=[("", "On (recommended)"), ("off", "Off")],
        help_text="Screening drops very large moving ranges before the limits are calculated.",
    )
    transition = forms.ChoiceField(
        label="Cases that started before a system change and closed after it",
        required=False,
        choices=[("", "Show them, but leave them out of the lines"), ("include", "Include them")],
        help_text=(
            "These transition cases were done partly the old way: left in, the old system's "
            "slow cases closing late make the new way look worse than it is."
        ),
    )

    asked_for = forms.ModelChoiceField(
        label="What the citizen asked for",
        queryset=DemandType.objects.none(),
        required=False,
        empty_label="Anything",
        help_text="The demand type of the case's first value-demand contact.",
        error_messages={"invalid_choice": "Choose what the citizen asked for from the list."},
    )

    from_label = "Closed from"

    def __init__(
        self,
        data=None,
        *,
        default_period: tuple,
        channels: list,
        service: ServiceType | None = None,
        **kwargs,
    ):
        super().__init__(data, default_period=default_period, **kwargs)
        self.fields["channel"].choices = [("", "Any channel"), *channels]
        if service is None:  # across services: by service instead
            del self.fields["asked_for"]
        else:  # retired ones too: the period may hold their cases
            self.fields["asked_for"].queryset = service.demand_types.order_by("name")

    def filters(self) -> CapabilityFilters:
        if not self.is_valid():
            start, end = self.default_period
            return CapabilityFilters(start=start, end=end)
        data = self.cleaned_data
        return CapabilityFilters(
            start=data["from"],
            end=data["to"],
            channel=data["channel"],
            cleanliness=data["cases"],
            screening=data["screening"] != "off",
            include_transitions=data["transition"] == "include",
            asked_for=data.get("asked_for"),
        )


def _service_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Service",
        queryset=ServiceType.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All services",
        error_messages={"invalid_choice": "Choose a service from the list."},
        **kwargs,
    )


class WorkInProgressForm(forms.Form):
    """Which open cases: by service (slug) and owner, as query parameters."""

    service = _service_field()
    owner = PersonChoiceField(
        label="Owner",
        queryset=flow.possible_owners(),
        required=False,
        empty_label="Anyone",
        error_messages={"invalid_choice": "Choose an owner from the list."},
    )

    def chosen(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"service": data.get("service"), "owner": data.get("owner")}


class FlowForm(PeriodForm):
    """The period (`from`, `to`: ISO dates, by the day a case closed) and one service or all."""

    service = _service_field()

    def __init__(self, data=None, **kwargs):
        super().__init__(data, default_period=last_full_weeks(), **kwargs)

    def period(self) -> flow.FlowPeriod:
        if not self.is_valid():
            return flow.FlowPeriod(*self.default_period)
        data = self.cleaned_data
        return flow.FlowPeriod(start=data["from"], end=data["to"], service=data["service"])
